"""Closed gaps: tickets a published draft now deflects are tagged `protects:<article>` in
the ticket file, byte for byte elsewhere, so they stay as regression cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbops.evals.runs import Verdict
from kbops.gaps.closed import closed_gap_tags, protect
from kbops.gaps.model import GapError
from kbops.kb.loader import load_kb
from kbops.tickets.model import Ticket
from tests.factories import article_text, eval_run, ticket_result
from tests.gaps.topics import kb_with


def test_closed_gaps_are_tagged_in_the_ticket_file(tmp_path: Path) -> None:
    published = article_text("time-tracking", source_tickets="[T-1, T-2, T-3]")
    settings = kb_with(tmp_path, published)
    tickets_file = tmp_path / "tickets.jsonl"
    lines = [
        {"id": "T-1", "body": "timer?", "tags": ["feature-request"]},
        {"id": "T-2", "body": "timesheets — «export»?"},
        {"id": "T-3", "body": "hours"},
        {"id": "T-4", "body": "other"},
    ]
    original = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    tickets_file.write_text(original)
    tickets = [Ticket(**line) for line in lines]  # type: ignore[arg-type]
    run = eval_run([
        ticket_result("T-1", Verdict.DEFLECTED, cited=("time-tracking",)),
        ticket_result("T-2", Verdict.DEFLECTED, cited=("time-tracking",)),
        ticket_result("T-3", Verdict.DEFLECTED, cited=("export-project-csv",)),  # deflected by another article
        ticket_result("T-4", Verdict.DEFLECTED, cited=("time-tracking",)),  # not a source ticket
    ], run_id="run-1", kb_commit=None)
    tags = closed_gap_tags(run, tickets, load_kb(settings).articles)
    assert tags == {"T-1": ["protects:time-tracking"], "T-2": ["protects:time-tracking"]}
    done = protect(run, tickets_file, tickets, load_kb(settings).articles)
    assert done.tags == tags and done.changed == 2
    written = tickets_file.read_text().splitlines()
    assert json.loads(written[0])["tags"] == ["feature-request", "protects:time-tracking"]
    assert json.loads(written[1])["tags"] == ["protects:time-tracking"] and "«export»" in written[1]
    assert written[2:] == original.splitlines()[2:]  # untouched lines stay byte for byte
    tagged = [Ticket(**json.loads(line)) for line in written]
    assert closed_gap_tags(run, tagged, load_kb(settings).articles) == {}  # idempotent

    csv_file = tmp_path / "tickets.csv"
    csv_file.write_text("id,body\nT-1,timer?\n")
    with pytest.raises(GapError, match="JSONL"):
        protect(run, csv_file, tickets, load_kb(settings).articles)
