"""Ticket import: CSV exports with a column mapping, Zendesk exports in their three shapes,
format detection. Every bad record is reported with its line and ticket id, never dropped."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import REPO
from kbops.config import EvalSettings
from kbops.tickets.csv_export import parse_column_map, read_csv
from kbops.tickets.files import TicketFormat, detect_format, read_ticket_file, read_tickets
from kbops.tickets.model import Ticket, TicketError, Tier
from kbops.tickets.zendesk import read_zendesk

FIXTURES = REPO / "tests" / "fixtures" / "import"
HELPDESK_CSV = FIXTURES / "helpdesk_export.csv"
ZENDESK_JSON = FIXTURES / "zendesk_export.json"
ZENDESK_NDJSON = FIXTURES / "zendesk_export.ndjson"
HELPDESK_COLUMNS = {
    "id": "Ticket ID", "created_at": "Opened", "channel": "Source", "customer.id": "Account",
    "customer_tier": "Plan", "subject": "Subject", "body": "Customer message", "resolution": "Agent answer",
    "resolved_by_article_ids": "KB articles", "tags": "Labels",
}
DEFAULT_HEADER = "id,created_at,channel,customer_id,customer_tier,subject,body,resolution,resolved_by_article_ids,tags"


def by_id(tickets: tuple[Ticket, ...]) -> dict[str, Ticket]:
    return {t.id: t for t in tickets}


def located(ticket_set) -> list[tuple[int, str | None]]:  # type: ignore[no-untyped-def]
    return [(p.line, p.ticket_id) for p in ticket_set.problems]


def write_csv(path: Path, *rows: str) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# --- CSV ---------------------------------------------------------------------------------


def test_csv_default_columns_fill_every_field_and_ignore_the_rest(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "t.csv",
        DEFAULT_HEADER + ",assignee",
        'T-1,2026-09-02T09:14:00Z,chat,C-7,Business,Export,How do I export?,"Use Export > CSV.",'
        '"export-project-csv; export-project-pdf","exports,answerable",sam',
    )
    ticket_set = read_csv(path)
    assert ticket_set.problems == ()
    ticket = ticket_set.tickets[0]
    assert ticket.model_dump() == {
        "id": "T-1", "created_at": datetime(2026, 9, 2, 9, 14, tzinfo=UTC), "channel": "chat",
        "customer": {"id": "C-7", "tier": Tier.BUSINESS}, "subject": "Export", "body": "How do I export?",
        "resolution": "Use Export > CSV.", "resolved_by_article_ids": ("export-project-csv", "export-project-pdf"),
        "tags": ("exports", "answerable"),
    }


def test_csv_only_id_and_body_are_needed_and_the_rest_defaults(tmp_path: Path) -> None:
    ticket = read_csv(write_csv(tmp_path / "t.csv", "id,body", "T-1,Hello")).tickets[0]
    assert (ticket.channel, ticket.customer.id, ticket.customer.tier, ticket.resolved_by_article_ids) == (
        "email", "unknown", Tier.FREE, ())


def test_helpdesk_export_with_a_mapping(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8": BOM, CRLF rows, a quoted cell over four lines, bad rows after it."""
    raw = HELPDESK_CSV.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # the fixture is what Excel writes
    ticket_set = read_csv(HELPDESK_CSV, HELPDESK_COLUMNS)
    tickets = by_id(ticket_set.tickets)
    assert list(tickets) == ["HD-501", "HD-502", "HD-505", "HD-508"]
    assert tickets["HD-502"].body == (
        "hey! we track everything in an excel sheet (about 800 rows).\n"
        "whats the easiest way to get it in, without typing it all again?\n\n"
        'the "Import" button is greyed out for me'
    )
    assert tickets["HD-502"].customer.tier is Tier.PRO  # "Pro" in the export
    assert tickets["HD-505"].resolved_by_article_ids == ("reset-password", "two-factor-authentication")
    assert tickets["HD-505"].tags == ("security", "account")
    assert tickets["HD-505"].customer == tickets["HD-505"].customer.model_validate({"id": "C-2000", "tier": "enterprise"})
    # Lines are physical lines where the row starts: HD-502 spans lines 3-6.
    assert located(ticket_set) == [(7, "HD-503"), (8, "HD-501"), (10, "HD-506"), (11, "HD-507")]
    empty, duplicate, cells, tier = (p.message for p in ticket_set.problems)
    assert empty == "column 'Customer message' (body) is empty; every ticket needs one"
    assert duplicate == "duplicate ticket id 'HD-501' (first on line 2; ids must be unique)"
    assert cells.startswith("row has 12 cells but the header has 11")
    assert tier.startswith("column 'Plan': Input should be 'free', 'pro', 'business' or 'enterprise'")


def test_csv_line_numbers_after_multiline_cells_and_bad_quotes(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "t.csv",
        "id,body",
        'T-1,"one\ntwo\nthree"',   # lines 2-4
        'T-2,"bad"quote',          # line 5
        "T-3,fine",                # line 6
        'T-4,"never closed',       # line 7 to the end
        "T-5,swallowed",           # line 8
    )
    ticket_set = read_csv(path)
    assert [t.id for t in ticket_set.tickets] == ["T-1", "T-3"]
    assert ticket_set.tickets[0].body == "one\ntwo\nthree"
    assert located(ticket_set) == [(5, None), (7, None)]
    assert "cannot parse the row on lines 5-5" in ticket_set.problems[0].message
    assert "lines 7-8" in ticket_set.problems[1].message  # T-5 is inside the report, not lost


def test_csv_non_utf8_line_is_reported_and_the_others_are_read(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,body\nT-1,Hello\nT-2,Caf\xe9 cr\xe8me\nT-3,Bye\n")  # row 3 is cp1252
    ticket_set = read_csv(path)
    assert [t.id for t in ticket_set.tickets] == ["T-1", "T-3"]
    assert [p.render() for p in ticket_set.problems] == [
        f"{path}:3 (ticket T-2): line is not valid UTF-8 (save the file as UTF-8)"]


def test_csv_semicolons_and_header_case_are_understood(tmp_path: Path) -> None:
    """Excel in many European locales writes `;`; header names differing only in case match."""
    path = write_csv(tmp_path / "t.csv", "ID;Body;Tags", "T-1;Wie exportiere ich?;exports,de")
    ticket = read_csv(path).tickets[0]
    assert (ticket.id, ticket.body, ticket.tags) == ("T-1", "Wie exportiere ich?", ("exports", "de"))


@pytest.mark.parametrize(
    ("header", "mapping", "expected"),
    [
        ("ticket,message", None, r"no 'id' column for the required field 'id'; the header has 'ticket', 'message' "
                                 r"\(map one with --map 'id=COLUMN'"),
        ("ticket,message", {"id": "ticket", "body": "text"}, r"column mapping body=text \(--map or eval.csv_columns\): no such column"),
        ("id,body", {"priority": "Priority"}, r"unknown ticket field\(s\) priority"),
        ("id,body,body", None, r"column 'body' appears 2 times"),
    ],
)
def test_csv_header_problems_stop_the_read(tmp_path: Path, header: str, mapping: dict | None, expected: str) -> None:
    path = write_csv(tmp_path / "t.csv", header, "T-1,hi,there")
    with pytest.raises(TicketError, match=expected):
        read_csv(path, mapping)


def test_csv_strict_raises_the_first_bad_row() -> None:
    with pytest.raises(TicketError, match=r"helpdesk_export.csv:7 \(ticket HD-503\): column 'Customer message'"):
        read_csv(HELPDESK_CSV, HELPDESK_COLUMNS, strict=True)


def test_parse_column_map() -> None:
    assert parse_column_map(["id=Ticket ID", " body = Customer message "]) == {"id": "Ticket ID", "body": "Customer message"}
    with pytest.raises(TicketError, match="expected FIELD=COLUMN"):
        parse_column_map(["Ticket ID"])


# --- Zendesk -----------------------------------------------------------------------------

GOOD_ZENDESK = ["ZD-35436", "ZD-35437", "ZD-35438", "ZD-35440", "ZD-35441", "ZD-35443"]


def ndjson_tickets() -> list[dict]:
    return [json.loads(line) for line in ZENDESK_NDJSON.read_text().splitlines()[:-1]]  # the last line is cut off


def test_zendesk_json_reports_bad_tickets_on_the_line_their_object_starts() -> None:
    ticket_set = read_zendesk(ZENDESK_JSON)
    assert [t.id for t in ticket_set.tickets] == GOOD_ZENDESK
    assert [p.ticket_id for p in ticket_set.problems] == ["ZD-35439", "ZD-35442"]
    lines = ZENDESK_JSON.read_text().splitlines()
    for problem in ticket_set.problems:
        assert lines[problem.line - 1].strip() == "{"
        assert f"/tickets/{problem.ticket_id[3:]}.json" in lines[problem.line]  # the object's first member
    internal_only, no_comments = (p.message for p in ticket_set.problems)
    assert internal_only.startswith("no public comment by the requester (user 18112004)")
    assert no_comments.startswith("no comments in the export")


def test_zendesk_ndjson_lines() -> None:
    ticket_set = read_zendesk(ZENDESK_NDJSON)
    assert [t.id for t in ticket_set.tickets] == GOOD_ZENDESK
    assert located(ticket_set) == [(4, "ZD-35439"), (7, "ZD-35442"), (9, "ZD-35444")]
    assert ticket_set.problems[2].message.startswith("not valid JSON: Unterminated string")


@pytest.mark.parametrize("shape", ["embedded", "list", "comment-list", "ndjson-without-bom"])
def test_every_export_shape_gives_the_same_tickets(tmp_path: Path, shape: str) -> None:
    """`{"tickets"}` with embedded comments or sideloaded ones (by ticket or as a list with
    `ticket_id`), a plain list, NDJSON: the same tickets as the fixture's sideloaded form."""
    tickets = ndjson_tickets()
    if shape == "embedded":
        text = json.dumps({"tickets": tickets}, indent=2)
    elif shape == "list":
        text = json.dumps(tickets, indent=4)
    elif shape == "comment-list":
        comments = [{**c, "ticket_id": t["id"]} for t in tickets for c in t.pop("comments")]
        text = json.dumps({"tickets": tickets, "comments": comments})
    else:
        text = "\ufeff" + "\n\n".join(json.dumps(t) for t in tickets)  # a BOM and blank lines
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    ticket_set = read_zendesk(path)
    assert ticket_set.tickets == read_zendesk(ZENDESK_JSON).tickets
    assert [p.ticket_id for p in ticket_set.problems] == ["ZD-35439", "ZD-35442"]
    if shape == "list":
        lines = text.splitlines()
        assert all(lines[p.line - 1] == "    {" and str(p.ticket_id)[3:] in lines[p.line] for p in ticket_set.problems)


def test_zendesk_body_resolution_and_no_internal_note() -> None:
    tickets = by_id(read_zendesk(ZENDESK_JSON).tickets)
    export = tickets["ZD-35436"]
    assert export.body == "Hi, how can I export all tasks of our project to a CSV file for Excel?\n\nThanks, Mia"
    assert export.resolution == "Open the project, click More (⋯) > Export > CSV and pick 'All tasks'."  # not "thank you!"
    refund = tickets["ZD-35438"]
    assert refund.resolution.startswith("I've refunded the duplicate charge")  # the later internal note is not it
    html = tickets["ZD-35437"]
    assert html.body == "Hi,\n\nWe track ~800 rows in an Excel sheet & want them in Tasklane.\nWhat's the fastest way?"
    assert html.resolution == "Save the sheet as CSV UTF-8, then:\n\n- New project > Import > CSV\n- Map your columns and click Import"
    everything = " ".join(f"{t.subject} {t.body} {t.resolution}" for t in tickets.values())
    assert "INTERNAL" not in everything and "FIN-8812" not in everything


def test_zendesk_tags_priority_channel_tier_and_articles() -> None:
    tickets = by_id(read_zendesk(ZENDESK_JSON).tickets)
    refund, sso, export = tickets["ZD-35438"], tickets["ZD-35440"], tickets["ZD-35436"]
    assert refund.tags == ("billing", "business", "refund", "priority:high")
    assert refund.customer.model_dump() == {"id": "org-360000222", "tier": Tier.BUSINESS}
    assert (sso.channel, sso.customer.tier) == ("chat", Tier.ENTERPRISE)  # native_messaging; `enterprise` tag
    assert tickets["ZD-35437"].customer.tier is Tier.PRO
    assert export.customer.model_dump() == {"id": "user-18112001", "tier": Tier.FREE}
    assert export.created_at == datetime(2026, 9, 14, 8, 12, 31, tzinfo=UTC)
    assert export.resolved_by_article_ids == ("export-project-csv",)  # kb: tag
    assert sso.resolved_by_article_ids == ("saml-sso-okta",)  # kb: value of a custom field
    assert tickets["ZD-35441"].resolved_by_article_ids == ()  # a plain custom field value is not read...
    configured = by_id(read_zendesk(ZENDESK_JSON, article_field=360033333).tickets)
    assert configured["ZD-35441"].resolved_by_article_ids == ("reset-password",)  # ...unless it is the article field


@pytest.mark.parametrize(
    ("tier_map", "expected"),
    [
        ({}, Tier.BUSINESS),                            # the `business` tag
        ({"360000222": "pro"}, Tier.PRO),               # organisation id beats tags
        ({"org-360000222": "enterprise"}, Tier.ENTERPRISE),
        ({"initech": "Enterprise"}, Tier.ENTERPRISE),   # sideloaded organisation name, any case
        ({"refund": "pro", "billing": "enterprise"}, Tier.ENTERPRISE),  # mapped tags: highest wins
    ],
)
def test_zendesk_tier_map(tier_map: dict[str, str], expected: Tier) -> None:
    tickets = by_id(read_zendesk(ZENDESK_JSON, tier_map=tier_map).tickets)
    assert tickets["ZD-35438"].customer.tier is expected


def test_zendesk_tier_map_rejects_unknown_tiers() -> None:
    with pytest.raises(TicketError, match=r"'acme' = 'gold' is not a tier"):
        read_zendesk(ZENDESK_JSON, tier_map={"acme": "gold"})


def comment(author: int, text: str, public: bool = True) -> dict:
    return {"author_id": author, "public": public, "plain_body": text}


def test_zendesk_sideloaded_roles_keep_a_cc_reply_out_of_the_resolution(tmp_path: Path) -> None:
    ticket = {"id": 7, "requester_id": 1, "comments": [
        comment(1, "How do I add a guest?"), comment(3, "Settings > Members > Invite guest."),
        comment(2, "Thanks, I'm the requester's colleague on CC."),
    ]}
    users = [{"id": 1, "role": "end-user"}, {"id": 2, "role": "end-user"}, {"id": 3, "role": "agent"}]
    path = tmp_path / "z.json"
    path.write_text(json.dumps({"tickets": [ticket], "users": users}))
    assert read_zendesk(path).tickets[0].resolution == "Settings > Members > Invite guest."
    path.write_text(json.dumps({"tickets": [ticket]}))  # without roles, anyone but the requester is an agent
    assert read_zendesk(path).tickets[0].resolution == "Thanks, I'm the requester's colleague on CC."


def test_zendesk_without_requester_the_first_public_non_agent_comment_is_the_body(tmp_path: Path) -> None:
    ticket = {"id": 8, "comments": [comment(3, "Internal triage", public=False), comment(3, "Hello! How can we help?"),
                                    comment(1, "My board is empty"), comment(3, "Reload the page.")]}
    path = tmp_path / "z.json"
    path.write_text(json.dumps({"tickets": [ticket], "users": [{"id": 3, "role": "admin"}]}))
    found = read_zendesk(path).tickets[0]
    assert (found.body, found.resolution, found.customer.id) == ("My board is empty", "Reload the page.", "user-1")


def test_zendesk_bad_records_are_listed_with_line_and_id(tmp_path: Path) -> None:
    good = {"id": 1, "requester_id": 1, "comments": [comment(1, "Hi")]}
    records = [
        good,
        "not a ticket",
        {"requester_id": 1, "comments": [comment(1, "no id")]},
        {"id": 2, "requester_id": 1, "comments": [comment(1, "  ")]},
        {"id": 3, "requester_id": 1, "created_at": "14/09/2026", "comments": [comment(1, "Hi")]},
        {"id": 4, "requester_id": 1, "comments": []},
        good,
    ]
    path = tmp_path / "z.ndjson"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    ticket_set = read_zendesk(path)
    assert [t.id for t in ticket_set.tickets] == ["ZD-1"]
    assert located(ticket_set) == [(2, None), (3, None), (4, "ZD-2"), (5, "ZD-3"), (6, "ZD-4"), (7, "ZD-1")]
    messages = [p.message for p in ticket_set.problems]
    assert messages[0] == "expected a ticket object"
    assert messages[1] == "ticket has no 'id'"
    assert messages[2] == "the requester's first public comment is empty"
    assert messages[3].startswith("field 'created_at': Input should be a valid datetime") and "'14/09/2026'" in messages[3]
    assert messages[5] == "duplicate ticket id 'ZD-1' (first on line 1; ids must be unique)"


def test_zendesk_ndjson_with_a_broken_first_line(tmp_path: Path) -> None:
    lines = [json.dumps(t) for t in ndjson_tickets()[:2]]
    path = tmp_path / "z.ndjson"
    path.write_text(lines[0][:80] + "\n" + lines[1] + "\n")  # cut after the url, before "id"
    ticket_set = read_zendesk(path)
    assert [t.id for t in ticket_set.tickets] == ["ZD-35437"]
    assert located(ticket_set) == [(1, "ZD-35436")]


def test_zendesk_strict_raises_the_first_bad_ticket() -> None:
    with pytest.raises(TicketError, match=r"zendesk_export.json:190 \(ticket ZD-35439\): no public comment"):
        read_zendesk(ZENDESK_JSON, strict=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"count": 0}', r'not a Zendesk ticket export: expected \{"tickets": \[...\]\}'),
        ('{\n  "tickets": [\n    {"id": 1,}\n  ]\n}', r"z.json:3: not valid JSON"),
    ],
)
def test_zendesk_unreadable_documents(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "z.json"
    path.write_text(text)
    with pytest.raises(TicketError, match=expected):
        read_zendesk(path)


# --- format detection and read_tickets ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("t.csv", "id,body\n", TicketFormat.CSV),
        ("t.tsv", "id\tbody\n", TicketFormat.CSV),
        ("t.json", "[]", TicketFormat.ZENDESK),
        ("t.jsonl", '{"id": "T-1", "body": "hi"}\n', TicketFormat.JSONL),
        ("t.jsonl", '{"id": 1, "requester_id": 2, "via": {}}\n', TicketFormat.ZENDESK),
        ("t.ndjson", '{"id": 1, "via": {"channel": "web"}}\n', TicketFormat.ZENDESK),
        ("t.jsonl", "{broken\n", TicketFormat.JSONL),
        ("export", '\n{\n  "tickets": []\n}\n', TicketFormat.ZENDESK),
        ("export.txt", "\ufeffid,body\nT-1,hi\n", TicketFormat.CSV),
        ("export.txt", '{"id": "T-1", "body": "hi"}\n', TicketFormat.JSONL),
    ],
)
def test_detect_format(tmp_path: Path, name: str, content: str, expected: TicketFormat) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert detect_format(path) is expected


def test_read_tickets_dispatches_on_the_format(tmp_path: Path) -> None:
    assert len(read_tickets(REPO / "evals" / "tickets.jsonl").tickets) >= 60
    assert [t.id for t in read_tickets(ZENDESK_NDJSON).tickets] == GOOD_ZENDESK
    assert len(read_tickets(HELPDESK_CSV, mapping=HELPDESK_COLUMNS).tickets) == 4
    copy = tmp_path / "tickets.data"
    copy.write_bytes(ZENDESK_NDJSON.read_bytes())
    assert [t.id for t in read_tickets(copy, "zendesk").tickets] == GOOD_ZENDESK
    with pytest.raises(TicketError, match="unknown ticket format 'xml'"):
        read_tickets(copy, "xml")
    with pytest.raises(TicketError, match=r"column mapping \(--map\) is for CSV files only; this file is read as zendesk"):
        read_tickets(ZENDESK_JSON, mapping={"id": "Ticket ID"})
    with pytest.raises(TicketError, match="missing.csv: ticket file not found"):
        read_tickets(tmp_path / "missing.csv")


def test_jsonl_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('\ufeff{"id": "T-1", "body": "hi"}\n', encoding="utf-8")
    assert [t.id for t in read_tickets(path).tickets] == ["T-1"]


def test_read_ticket_file_applies_the_eval_settings(tmp_path: Path) -> None:
    settings = EvalSettings(
        csv_columns={"id": "Ticket ID", "body": "Agent answer"}, zendesk_tiers={"initech": "enterprise"},
        zendesk_article_field=360033333,
    )
    from_config = by_id(read_ticket_file(HELPDESK_CSV, settings).tickets)
    assert from_config["HD-501"].body == "Open the project, click More > Export > CSV."
    overridden = read_ticket_file(HELPDESK_CSV, settings, columns={"body": "Customer message"}).tickets
    assert overridden[0].body == "How do I export my project to CSV?"
    zendesk = by_id(read_ticket_file(ZENDESK_JSON, settings).tickets)  # csv_columns do not apply here
    assert zendesk["ZD-35438"].customer.tier is Tier.ENTERPRISE
    assert zendesk["ZD-35441"].resolved_by_article_ids == ("reset-password",)
    as_csv = read_ticket_file(ZENDESK_NDJSON, settings.model_copy(update={"ticket_format": "csv"}), format="zendesk")
    assert len(as_csv.tickets) == 6  # the option beats eval.ticket_format
