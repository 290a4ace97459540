"""Which reader a ticket file gets: format detection by extension, then content, the
`--ticket-format`/`--map` options, and the `eval.*` settings that apply to each format."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbops.config import EvalSettings
from kbops.tickets.files import TicketFormat, detect_format, read_ticket_file, read_tickets
from kbops.tickets.model import TicketError, Tier
from tests.conftest import REPO
from tests.tickets.exports import (
    GOOD_ZENDESK,
    HELPDESK_COLUMNS,
    HELPDESK_CSV,
    ZENDESK_JSON,
    ZENDESK_NDJSON,
    by_id,
)


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
