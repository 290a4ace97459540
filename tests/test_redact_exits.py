"""Redaction where ticket text enters a stage or leaves kbops: unreadable-record messages,
replay results (what runs and checkpoints keep), reports of runs saved before redaction
held, gap reports, draft sources and every LLM request. The whole-CLI check that nothing
leaks is tests/e2e/test_exits.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbops.agent.claude import user_message as answer_request
from kbops.agent.decision import TicketInput
from kbops.drafts.claude import user_message as draft_request
from kbops.drafts.model import SourceTicket
from kbops.drafts.outline import source_tickets
from kbops.evals.replay import private_result
from kbops.evals.runs import Verdict
from kbops.gaps.model import GapReport
from kbops.redact import pseudonym
from kbops.report.gaps import render_gaps_markdown
from kbops.report.html import render_html
from kbops.report.json import render_json
from kbops.report.markdown import render_markdown
from kbops.tickets.csv_export import read_csv
from kbops.tickets.model import TicketError
from tests.factories import eval_run, evidence, gap, ticket, ticket_result

EMAILS = ("jane.doe@example.com", "jane(at)example.com", "jane dot doe at example dot com")
PHONE = "+1\u202f415\u202f555\u202f0132"
LEAKS = ("jane", "example", "4155550132", "415\\u202f555", "4111")


def leaked(text: str) -> list[str]:
    flat = text.replace("\u202f", "").replace(" ", "").replace("-", "").replace("\u200d", "")
    return [leak for leak in LEAKS if leak in text or leak.replace("\\u202f", "") in flat]


def _csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "tickets.csv"
    path.write_text("id,body,customer_tier,subject\n" + "\n".join(rows) + "\n")
    return path


def test_unreadable_record_messages_are_redacted(tmp_path: Path) -> None:
    long_card = "x" * 70 + " 4111 1111 1111 1111 and more"
    path = _csv(tmp_path, [
        "T-1,How do I export?,jane.doe@example.com,ok",
        f"T-2,Hi,{PHONE},ok",
        f"T-3,Hi,{long_card},ok",
        "jane(at)example.com,Hi,gold,ok",
    ])
    problems = [p.render() for p in read_csv(path).problems]
    assert len(problems) == 4
    for problem in problems:
        assert leaked(problem) == [], problem
    assert "(got '[EMAIL]')" in problems[0] and "(got '[PHONE]')" in problems[1]
    assert "ticket-" in problems[3]  # an id holding an email is shown as a stable pseudonym
    with pytest.raises(TicketError) as raised:
        read_csv(path, strict=True)
    assert leaked(str(raised.value)) == []


def test_replay_results_keep_no_ticket_text_unredacted() -> None:
    raw = ticket_result("T-1", Verdict.FALSE_DEFLECTION, subject=f"mail {EMAILS[1]}", reply=f"Call {PHONE}",
                        category=EMAILS[0], tags=(EMAILS[2], "protects:export-project-csv"),
                        gold=(EMAILS[0],))
    raw = type(raw)(**{**raw.__dict__, "grade_notes": f"similar to {EMAILS[2]}"})
    private = private_result(raw)
    assert leaked(json.dumps(private.__dict__, default=str)) == []
    assert private.tags[1] == "protects:export-project-csv" and private.ticket_id == "T-1"
    assert private_result(private) == private  # idempotent: a checkpoint line read back is unchanged


def test_reports_of_a_run_saved_before_redaction_held_show_no_personal_data() -> None:
    run = eval_run([ticket_result("T-1", Verdict.FALSE_DEFLECTION, subject=f"{EMAILS[2]} {PHONE}",
                                  reply=f"write {EMAILS[1]}", category=EMAILS[0])],
                   problems=(f"tickets.csv:4: customer.tier: bad (got '{EMAILS[0]}')",))
    assert leaked(run.to_json())  # the old run holds them
    for name, text in {"md": render_markdown(run), "html": render_html(run), "json": render_json(run)}.items():
        assert leaked(text) == [], (name, leaked(text))


def test_gap_reports_show_no_personal_data_and_customers_stay_distinct() -> None:
    hostile = gap(label=f"hours, {EMAILS[0]}", examples=(("T-1", f"timesheets {EMAILS[1]}"),))
    hostile = type(hostile)(**{**hostile.__dict__, "customers": (EMAILS[0], "julia@fastmail.example", "C-7")})
    report = GapReport("run-1", None, 10, 2, (hostile,), 0.45)
    assert leaked(render_gaps_markdown(report)) == []
    assert pseudonym(EMAILS[0], "customer") == pseudonym(EMAILS[0], "customer") != pseudonym("j@x.example", "customer")
    assert pseudonym("C-7", "customer") == "C-7" and pseudonym(EMAILS[0], "customer").startswith("customer-")


def test_every_llm_request_is_redacted_whoever_prepared_the_ticket() -> None:
    raw = TicketInput(f"Export fails. {EMAILS[1]}, {EMAILS[2]}, {PHONE}, card 4111.1111.1111.1111",
                      subject=f"from {EMAILS[0]}")
    sent = answer_request(raw, [evidence()])
    assert leaked(sent) == [] and "[EMAIL]" in sent and "[PHONE]" in sent and "[CARD]" in sent
    # `redaction.enabled = false` is honoured (the agent passes it as `redact_pii`)
    assert EMAILS[1] in answer_request(raw, [evidence()], redact_pii=False)

    source = SourceTicket("T-1", f"from {EMAILS[0]}", f"timesheets? {EMAILS[2]}", f"Mailed {EMAILS[1]}, {PHONE}.")
    sent = draft_request(gap(label=f"hours {EMAILS[0]}"), [source], [])
    assert leaked(sent) == [], leaked(sent)


def test_draft_sources_are_redacted() -> None:
    raw = ticket("T-1", f"Timesheets? {EMAILS[2]} {PHONE}", subject=f"hours {EMAILS[1]}",
                 resolution=f"No time tracking yet; I wrote to {EMAILS[0]}.")
    (source,) = source_tickets(gap(ticket_ids=("T-1",)), [raw])
    assert leaked(f"{source.subject} {source.question} {source.resolution}") == []
