"""The Claude backend split for Message Batches (`agent/claude_batch.py`): the collecting
pass records exactly what a live `answer` would send, and a batch result is turned into a
Draft by the same validation as a live reply; errored, expired, missing or mismatched
results escalate with `backend_error`. No network: nothing here sends a request."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import anthropic

from kbops.agent.claude import ClaudeAnswerer
from kbops.agent.claude_batch import BatchResultsAnswerer, CollectingAnswerer
from kbops.agent.decision import TicketInput
from kbops.agent.fit import FollowUp
from kbops.config import ClaudeSettings
from kbops.llm.batches import request_hash
from kbops.llm.claude import RequestFailure
from tests.factories import evidence

TICKET = TicketInput(text="How do I export my project to CSV?", subject="export", ticket_id="T-1")
EVIDENCE = [evidence(dense_score=0.8, lexical_rank=1, dense_rank=1)]


def backend() -> ClaudeAnswerer:
    return ClaudeAnswerer(ClaudeSettings(model="claude-test", base_url="http://127.0.0.1:9"), api_key="sk-test")


def message(tool_input: Any) -> anthropic.types.Message:
    """A parsed API message, as a batch's `succeeded` result carries it."""
    return anthropic.types.Message.model_validate({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test", "stop_reason": "tool_use",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": "submit_answer", "input": tool_input}],
        "usage": {"input_tokens": 10, "output_tokens": 5},
    })


def answered(outcome: Any, hashes: dict[str, str] | None = None) -> Any:
    claude = backend()
    request = claude.request_for(TICKET, EVIDENCE)
    assert request is not None
    known = hashes if hashes is not None else {"T-1": request_hash(request)}
    return BatchResultsAnswerer(claude, {"T-1": outcome}, known).answer(TICKET, EVIDENCE)


def test_collecting_records_the_request_a_live_answer_sends() -> None:
    claude = backend()
    collector = CollectingAnswerer(claude)
    draft = collector.answer(TICKET, EVIDENCE)
    assert collector.requests == {"T-1": claude.request_for(TICKET, EVIDENCE)}
    assert collector.requests["T-1"]["tool_choice"]["name"] == "submit_answer"
    assert not draft.can_answer and draft.reply == ""


def test_nothing_retrieved_sends_nothing_and_answers_nothing() -> None:
    claude = backend()
    collector = CollectingAnswerer(claude)
    collector.answer(TICKET, [])
    assert collector.requests == {}
    draft = BatchResultsAnswerer(claude, {}, {}).answer(TICKET, [])
    assert draft.error is None and not draft.can_answer and "model not called" in draft.notes


def test_a_succeeded_result_is_validated_like_a_live_reply() -> None:
    good = answered(message({"reply": "Choose Export > CSV.", "cited_sources": [1], "can_answer": True,
                             "confidence": 0.9}))
    assert good.error is None and good.can_answer and good.reply == "Choose Export > CSV."
    assert [c.article_id for c in good.citations] == ["export-project-csv"]
    bad = answered(message({"reply": "x", "cited_sources": [7], "can_answer": True, "confidence": 0.9}))
    assert bad.error is not None and bad.error.startswith("malformed_output: cited_sources [7] out of range")


def test_failed_missing_or_mismatched_results_escalate_as_backend_errors() -> None:
    expired = answered(RequestFailure("batch request expired (the batch ended before it was processed)"))
    assert expired.error == "backend_error: batch request expired (the batch ended before it was processed)"
    claude = backend()
    missing = BatchResultsAnswerer(claude, {}, {"T-1": request_hash(claude.request_for(TICKET, EVIDENCE) or {})})
    assert (missing.answer(TICKET, EVIDENCE).error or "").endswith("no result for this ticket in the Message Batch")
    changed = answered(message({"reply": "x", "cited_sources": [1], "can_answer": True, "confidence": 0.9}),
                       hashes={"T-1": "0" * 16})
    assert (changed.error or "").startswith("backend_error: the ticket's request changed")


def test_a_claude_answer_ends_with_the_follow_ups_it_does_not_cite_like_an_offline_reply() -> None:
    follow_ups = (FollowUp("Limits of CSV export?", "export-limits", "Export limits", "limits", "section"),
                  FollowUp("Export to PDF?", EVIDENCE[0].article_id, EVIDENCE[0].title, EVIDENCE[0].anchor, "related"))
    ticket = replace(TICKET, follow_ups=follow_ups)
    claude = ClaudeAnswerer(ClaudeSettings(model="claude-test", base_url="http://127.0.0.1:9"), api_key="sk-test",
                            article_url="https://help.example.com/{id}/")
    reply = {"reply": "Choose Export > CSV.", "cited_sources": [1], "can_answer": True, "confidence": 0.9}
    draft = claude.draft_from(message(reply), EVIDENCE, ticket=ticket)
    assert draft.reply.startswith("Choose Export > CSV.\n\n")
    assert "[Limits of CSV export?](https://help.example.com/export-limits/#limits)" in draft.reply
    assert "Export to PDF?" not in draft.reply  # the reply cites that section already
    unsure = {"reply": "I could not find this.", "cited_sources": [], "can_answer": False, "confidence": 0.1}
    assert claude.draft_from(message(unsure), EVIDENCE, ticket=ticket).reply == "I could not find this."
