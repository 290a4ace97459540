"""Ticket JSONL: the documented schema, bad lines reported with line and ticket id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbops.tickets.jsonl import read_jsonl
from kbops.tickets.model import TicketError, Tier
from tests.conftest import REPO

GOOD = {"id": "T-1", "body": "How do I export?", "customer": {"id": "C-1", "tier": "enterprise"}}


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_demo_tickets_all_parse() -> None:
    tickets = read_jsonl(REPO / "evals" / "tickets.jsonl", strict=True).tickets
    assert len(tickets) >= 60
    assert len({t.id for t in tickets}) == len(tickets)


def test_good_ticket_fields(tmp_path: Path) -> None:
    result = read_jsonl(write_lines(tmp_path / "t.jsonl", [json.dumps({**GOOD, "subject": "Export"})]))
    ticket = result.tickets[0]
    assert ticket.customer.tier is Tier.ENTERPRISE
    assert ticket.text == "Export\nHow do I export?"
    assert result.problems == ()


def test_bad_lines_are_listed_not_dropped(tmp_path: Path) -> None:
    lines = [
        json.dumps(GOOD),
        "{not json",
        json.dumps({"id": "T-2", "body": "x", "priority": "high"}),
        json.dumps({"id": "T-3", "body": ""}),
        json.dumps(GOOD),
        "[1, 2]",
        json.dumps({"id": "T-4", "body": "ok", "customer": {"id": "C", "tier": "gold"}}),
    ]
    result = read_jsonl(write_lines(tmp_path / "t.jsonl", lines))
    assert [t.id for t in result.tickets] == ["T-1"]
    rendered = [p.render() for p in result.problems]
    assert [(p.line, p.ticket_id) for p in result.problems] == [
        (2, None), (3, "T-2"), (4, "T-3"), (5, "T-1"), (6, None), (7, "T-4"),
    ]
    assert "unknown field 'priority'" in rendered[1]
    assert "duplicate ticket id 'T-1'" in rendered[3]
    assert "customer.tier" in rendered[5]


def test_strict_stops_at_the_first_bad_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "t.jsonl", [json.dumps(GOOD), "{oops"])
    with pytest.raises(TicketError, match=r"t.jsonl:2: not valid JSON"):
        read_jsonl(path, strict=True)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TicketError, match="not found"):
        read_jsonl(tmp_path / "nope.jsonl")


def test_history_import_needs_created_at_and_names_the_line(tmp_path: Path) -> None:
    dated = {**GOOD, "created_at": "2026-09-02T09:14:00Z"}
    path = write_lines(tmp_path / "t.jsonl", [json.dumps(dated), json.dumps({**GOOD, "id": "T-2"}),
                                              json.dumps({**GOOD, "id": "T-3", "created_at": None})])
    assert len(read_jsonl(path).tickets) == 3  # an eval replays undated tickets
    history = read_jsonl(path, require_created_at=True)
    assert [t.id for t in history.tickets] == ["T-1"]
    assert [p.render() for p in history.problems] == [
        f"{path}:{line} (ticket {ticket}): history needs created_at: add the ISO 8601 time the ticket was opened"
        for line, ticket in ((2, "T-2"), (3, "T-3"))]
