"""CSV ticket exports: default columns or a column mapping, Excel's quirks (BOM, CRLF, `;`,
multi-line cells), and every bad row reported with its line and ticket id, never dropped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kbops.tickets.csv_export import parse_column_map, read_csv
from kbops.tickets.model import TicketError, TicketStatus, Tier
from tests.tickets.exports import HELPDESK_COLUMNS, HELPDESK_CSV, by_id, located

DEFAULT_HEADER = "id,created_at,channel,customer_id,customer_tier,subject,body,resolution,resolved_by_article_ids,tags"
HISTORY_HEADER = ("resolved_at,status,category,severity,agent_confidence,cited_article_ids,csat,sentiment,"
                  "customer_monthly_revenue")


def write_csv(path: Path, *rows: str) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_csv_default_columns_fill_every_field_and_ignore_the_rest(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "t.csv",
        DEFAULT_HEADER + "," + HISTORY_HEADER + ",assignee",
        'T-1,2026-09-02T09:14:00Z,chat,C-7,Business,Export,How do I export?,"Use Export > CSV.",'
        '"export-project-csv; export-project-pdf","exports,answerable",'
        "2026-09-02T10:00:00Z,Resolved by specialist,technical,p3,0.42,export-project-csv,4,-0.5,1250.5,sam",
    )
    ticket_set = read_csv(path)
    assert ticket_set.problems == ()
    ticket = ticket_set.tickets[0]
    assert ticket.model_dump() == {
        "id": "T-1", "created_at": datetime(2026, 9, 2, 9, 14, tzinfo=UTC), "channel": "chat",
        "customer": {"id": "C-7", "tier": Tier.BUSINESS, "monthly_revenue": 1250.5, "since": None}, "subject": "Export",
        "body": "How do I export?", "resolution": "Use Export > CSV.",
        "resolved_by_article_ids": ("export-project-csv", "export-project-pdf"), "tags": ("exports", "answerable"),
        "resolved_at": datetime(2026, 9, 2, 10, 0, tzinfo=UTC), "status": TicketStatus.RESOLVED_BY_SPECIALIST,
        "category": "technical", "severity": "P3", "agent_confidence": 0.42,
        "cited_article_ids": ("export-project-csv",), "csat": 4.0, "sentiment": -0.5,
        "escalation_reasons": (), "expected_action": "",
    }


def test_csv_history_fields_are_optional_and_checked(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "t.csv",
        "id,body,status,csat,customer_monthly_revenue",
        "T-1,Hello,,,",
        "T-2,Hello,lost,,",
        "T-3,Hello,,9,",
        "T-4,Hello,,,-5",
    )
    ticket_set = read_csv(path)
    assert [t.id for t in ticket_set.tickets] == ["T-1"]
    assert (ticket_set.tickets[0].status, ticket_set.tickets[0].customer.monthly_revenue) == (None, None)
    assert located(ticket_set) == [(3, "T-2"), (4, "T-3"), (5, "T-4")]
    status, csat, revenue = (p.message for p in ticket_set.problems)
    assert status.startswith("column 'status': Input should be 'open'")
    assert csat.startswith("column 'csat': Input should be less than or equal to 5")
    assert revenue.startswith("column 'customer_monthly_revenue': Input should be greater than or equal to 0")


def test_csv_history_import_needs_created_at(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", "id,created_at,body", "T-1,2026-09-02T09:14:00Z,Hi", "T-2,,Hello")
    assert len(read_csv(path).tickets) == 2  # an eval does not need it
    ticket_set = read_csv(path, require_created_at=True)
    assert [t.id for t in ticket_set.tickets] == ["T-1"]
    assert [p.render() for p in ticket_set.problems] == [
        f"{path}:3 (ticket T-2): history needs created_at: column 'created_at' is empty"]
    no_column = write_csv(tmp_path / "n.csv", "id,body", "T-1,Hi")
    with pytest.raises(TicketError, match=r"no 'created_at' column; the ticket history needs"):
        read_csv(no_column, require_created_at=True)


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
