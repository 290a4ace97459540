"""Zendesk ticket exports in their three shapes (`{"tickets"}` with embedded or sideloaded
comments, a plain list, NDJSON): body, resolution, tier and gold articles read from each,
and every bad record reported with the line its object starts on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kbops.tickets.model import TicketError, TicketStatus, Tier
from kbops.tickets.zendesk import read_zendesk
from tests.tickets.exports import GOOD_ZENDESK, ZENDESK_JSON, ZENDESK_NDJSON, by_id, located


def ndjson_tickets() -> list[dict]:
    return [json.loads(line) for line in ZENDESK_NDJSON.read_text().splitlines()[:-1]]  # the last line is cut off


def comment(author: int, text: str, public: bool = True) -> dict:
    return {"author_id": author, "public": public, "plain_body": text}


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
    assert refund.customer.model_dump() == {"id": "org-360000222", "tier": Tier.BUSINESS, "monthly_revenue": None,
                                              "since": None}
    assert (sso.channel, sso.customer.tier) == ("chat", Tier.ENTERPRISE)  # native_messaging; `enterprise` tag
    assert tickets["ZD-35437"].customer.tier is Tier.PRO
    assert export.customer.model_dump() == {"id": "user-18112001", "tier": Tier.FREE, "monthly_revenue": None,
                                              "since": None}
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


def test_zendesk_history_fields_status_resolution_time_severity_and_csat() -> None:
    tickets = by_id(read_zendesk(ZENDESK_JSON).tickets)
    refund, sso = tickets["ZD-35438"], tickets["ZD-35440"]
    assert (refund.status, refund.severity) == (TicketStatus.RESOLVED_BY_SPECIALIST, "P2")  # solved, priority high
    assert refund.resolved_at == datetime(2026, 9, 16, 14, 3, 12, tzinfo=UTC)  # updated_at of a solved ticket
    assert sso.severity == "P1"  # urgent
    assert tickets["ZD-35441"].severity == ""  # no priority


def test_zendesk_status_tags_satisfaction_and_open_tickets(tmp_path: Path) -> None:
    base = {"requester_id": 7, "created_at": "2026-09-14T08:00:00Z", "updated_at": "2026-09-15T08:00:00Z",
            "comments": [comment(7, "Help please")]}
    records = [
        {**base, "id": 1, "status": "solved", "solved_at": "2026-09-14T09:30:00Z", "tags": ["resolved_by_agent"],
         "satisfaction_rating": {"score": "good"}},
        {**base, "id": 2, "status": "pending", "priority": "LOW", "satisfaction_rating": {"score": "offered"}},
        {**base, "id": 3, "status": "closed", "satisfaction_rating": {"score": "bad"}},
        {**base, "id": 4, "status": "open", "tags": ["reopened"]},
        {**{k: v for k, v in base.items() if k != "created_at"}, "id": 5, "status": "new"},
    ]
    path = tmp_path / "export.ndjson"
    path.write_text("\n".join(json.dumps(record) for record in records) + "\n")
    tickets = by_id(read_zendesk(path).tickets)
    fields = {key: (t.status, t.resolved_at, t.severity, t.csat) for key, t in tickets.items()}
    assert fields == {
        "ZD-1": (TicketStatus.RESOLVED_BY_AGENT, datetime(2026, 9, 14, 9, 30, tzinfo=UTC), "", 5.0),
        "ZD-2": (TicketStatus.OPEN, None, "P4", None),
        "ZD-3": (TicketStatus.RESOLVED_BY_SPECIALIST, datetime(2026, 9, 15, 8, 0, tzinfo=UTC), "", 1.0),
        "ZD-4": (TicketStatus.REOPENED, None, "", None),
        "ZD-5": (TicketStatus.OPEN, None, "", None),
    }
    history = read_zendesk(path, require_created_at=True)
    assert list(by_id(history.tickets)) == ["ZD-1", "ZD-2", "ZD-3", "ZD-4"]
    assert [p.render() for p in history.problems] == [
        f"{path}:5 (ticket ZD-5): history needs created_at: the Zendesk ticket has no `created_at`"]
