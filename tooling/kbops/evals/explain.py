"""`kbops why`: replay one ticket of a saved run and show how the agent got to its decision.

A wrong answer is traced step by step: the (redacted) query, what each retrieval channel
found (dense, lexical, ticket memory) and how fusion ranked it, every policy check with
why it passed or fired, the confidence and the features behind it, the decision, and the
commit and author behind each cited section. The replay is deterministic (same KB, same
settings, offline backend: same decision), so when it differs from the saved result the
cause is named: the KB changed since the run, or the agent's settings did.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from ..agent.agent import Agent
from ..agent.confidence import configured_model, retrieval_features
from ..agent.decision import Citation, Decision
from ..errors import KBError, one_line
from ..gitkb import KBRevision
from ..index.embed import Embedder
from ..index.retriever import Scope
from ..redact import redacted
from ..tickets.model import Ticket
from .memory_replay import replay_view
from .replay import replay_ticket
from .runs import EvalRun, TicketResult

EXPLAIN_VERSION = 1
HITS_PER_CHANNEL = 5
"""How many hits of each retrieval channel are shown (the fused list shows all evidence)."""


@dataclass(frozen=True)
class ChannelHit:
    """One hit of one retrieval channel."""

    rank: int
    article_id: str
    section: str
    """The chunk's section path ("" for the introduction, or for a memory route)."""
    score: float
    chunk_id: str = ""
    tickets: tuple[str, ...] = ()
    """Memory only: the past tickets that route the query to the article."""


@dataclass(frozen=True)
class PolicyCheck:
    code: str
    fired: bool
    why: str


@dataclass(frozen=True)
class SavedResult:
    """What the run recorded for the ticket."""

    verdict: str
    action: str
    confidence: float
    reasons: tuple[str, ...]
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Explanation:
    ticket_id: str
    run_id: str
    query: str
    """The ticket's text as the agent searched it, redacted."""
    hits: dict[str, tuple[ChannelHit, ...]]
    """`dense`, `lexical`, `memory` and `fused` (the evidence the draft could use)."""
    policy: tuple[PolicyCheck, ...]
    confidence: float
    confidence_inputs: dict[str, float]
    """The retrieval features the confidence model reads (`agent/confidence.py`)."""
    confidence_weights: dict[str, float]
    threshold: float
    action: str
    verdict: str
    reasons: tuple[str, ...]
    citations: tuple[Citation, ...]
    """The cited sections, with the commit and author that last changed each."""
    backend: str
    saved: SavedResult
    kb_then: str
    kb_now: str
    kb_changed: bool
    verdict_changed: bool
    notes: tuple[str, ...] = field(default=())
    version: int = EXPLAIN_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)


def saved_result(run: EvalRun, ticket_id: str) -> TicketResult:
    """The run's result for the ticket; KBError (exit 2) naming the run when it has none."""
    for result in run.results:
        if result.ticket_id == ticket_id:
            return result
    raise KBError(f"ticket '{one_line(ticket_id, 80)}' is not in run {run.run_id} "
                  f"({len(run.results)} tickets; see `kbops eval --format json` for their ids)")


def find_ticket(tickets: tuple[Ticket, ...], ticket_id: str, source: str) -> Ticket:
    for ticket in tickets:
        if ticket.id == ticket_id:
            return ticket
    raise KBError(f"ticket '{one_line(ticket_id, 80)}' is no longer in {source}: it cannot be replayed")


def explain(agent: Agent, embedder: Embedder, run: EvalRun, ticket: Ticket, revision: KBRevision) -> Explanation:
    """Replay `ticket` as the run did and explain every step of the decision."""
    saved = saved_result(run, ticket.id)
    view = replay_view(ticket, agent.settings.memory.replay)
    decision = agent.answer(ticket, view=view)
    result = replay_ticket(agent, embedder, ticket, agent.settings.eval.correctness_threshold)
    query = agent.prepare(ticket).text
    then = _label(run.kb_commit, run.kb_dirty)
    now = _label(revision.commit, revision.dirty)
    kb_changed = run.kb_commit != revision.commit or run.kb_dirty or revision.dirty
    verdict_changed = result.verdict != saved.verdict or decision.action != saved.action
    model = configured_model(agent.settings.calibration)
    return Explanation(
        ticket_id=ticket.id, run_id=run.run_id, query=redacted(query),
        hits=channel_hits(agent, query, decision, view),
        policy=policy_checks(agent, decision, str(ticket.customer.tier)),
        confidence=decision.confidence, confidence_inputs={k: round(v, 4) for k, v in
                                                           retrieval_features(query, decision.evidence).items()},
        confidence_weights=dict(model.weights), threshold=agent.settings.policy.confidence_threshold,
        action=str(decision.action), verdict=str(result.verdict), reasons=decision.reasons,
        citations=decision.citations, backend=decision.backend,
        saved=SavedResult(str(saved.verdict), saved.action, saved.confidence, saved.reasons, saved.citations),
        kb_then=then, kb_now=now, kb_changed=kb_changed, verdict_changed=verdict_changed,
        notes=_notes(kb_changed, verdict_changed, then, now, run, decision),
    )


def _label(commit: str | None, dirty: bool) -> str:
    return KBRevision(commit, dirty).label()


def _notes(kb_changed: bool, verdict_changed: bool, then: str, now: str, run: EvalRun, decision: Decision) -> tuple[str, ...]:
    notes = []
    if kb_changed:
        edits = " (uncommitted edits make the comparison uncertain)" if "dirty" in then + now else ""
        notes.append(f"the KB changed since the run: {then} then, {now} now{edits}")
    if verdict_changed:
        cause = "the KB changed" if kb_changed else "the agent's settings, ticket memory or backend changed"
        notes.append(f"the replay's verdict differs from the saved one ({cause})")
    if decision.backend != run.backend:
        notes.append(f"replayed with backend {decision.backend}, the run used {run.backend}")
    return tuple(notes)


def channel_hits(agent: Agent, query: str, decision: Decision, view: Any) -> dict[str, tuple[ChannelHit, ...]]:
    """The top hits of each retrieval channel (customer scope, as the agent searched)."""
    retriever = agent.retriever
    chunks = retriever.manifest.chunks
    found: dict[str, tuple[ChannelHit, ...]] = {}
    for name, ranking in sorted(retriever.rankings(query, Scope.CUSTOMER).items()):
        found[name] = tuple(
            ChannelHit(rank, chunks[cid].article_id, chunks[cid].section, round(score, 4), cid)
            for rank, (cid, score) in enumerate(ranking[:HITS_PER_CHANNEL], start=1) if cid in chunks
        )
    routes = retriever.memory_routes(query, view, Scope.CUSTOMER)
    found["memory"] = tuple(ChannelHit(rank, m.article_id, "", round(m.score, 4), tickets=m.ticket_ids[:5])
                            for rank, m in enumerate(routes.articles[:HITS_PER_CHANNEL], start=1))
    found["fused"] = tuple(ChannelHit(e.article_rank, e.article_id, e.section, round(e.score, 4), e.chunk_id)
                           for e in decision.evidence)
    return found


PASSED = {
    "prompt_injection": "no injection markers in the ticket (role headers, hidden text, instructions to the model)",
    "unsafe_reply": "the reply passed the output guard (no promise, internal text or link, name, HTML or outside link)",
    "sensitive_article": "no cited article lists sensitive topics",
    "human_requested": "the customer does not ask for a person",
    "backend_error": "the backend drafted without an error",
}


def policy_checks(agent: Agent, decision: Decision, tier: str) -> tuple[PolicyCheck, ...]:
    """Every gate in `decide`'s order: the reasons that fired with their details, the others
    with why they passed."""
    policy = agent.settings.policy
    details = decision.details
    fired = set(decision.reasons)
    passed = dict(PASSED)
    if not decision.reply.strip():
        passed["unsafe_reply"] = "no reply was drafted"
    topics = [f"risk_topic:{topic}" for topic in policy.risk_keywords]
    passed.update({code: "the ticket asks for nothing of this kind" for code in topics})
    passed["vip_customer"] = f"tier {tier!r} is not in policy.vip_tiers ({', '.join(policy.vip_tiers) or 'none'})"
    passed["negative_sentiment"] = (f"anger {decision.sentiment:.2f} < policy.negative_sentiment_threshold "
                                    f"{policy.negative_sentiment_threshold:.2f}")
    passed["no_coverage"] = (f"the draft cites retrieved articles and its confidence {decision.confidence:.2f} "
                             f">= policy.no_coverage_threshold {policy.no_coverage_threshold:.2f}")
    passed["low_confidence"] = (f"confidence {decision.confidence:.2f} >= policy.confidence_threshold "
                                f"{policy.confidence_threshold:.2f}" if "no_coverage" not in fired
                                else "not checked: no_coverage fired first")
    passed["language"] = _language_passed(agent, decision)
    order = ["prompt_injection", "unsafe_reply", *topics, "sensitive_article", "human_requested", "vip_customer",
             "negative_sentiment", "language", "backend_error", "no_coverage", "low_confidence"]
    order += [code for code in decision.reasons if code not in order]
    return tuple(PolicyCheck(code, code in fired, redacted(details.get(code, "")) if code in fired else passed.get(code, ""))
                 for code in order)


def _language_passed(agent: Agent, decision: Decision) -> str:
    """Why `language` did not fire: the team answers every language, or this one is supported."""
    agent_settings = agent.settings.agent
    code = decision.language.code if decision.language is not None and decision.language.code else ""
    if agent_settings.unsupported_language != "escalate":
        return f"agent.unsupported_language = {agent_settings.unsupported_language!r}: every language is answered"
    if not code:
        return f"the language could not be told; {agent_settings.kb_language!r} (the KB's) is assumed"
    return f"{code!r} is the KB's language or has a notice in agent.language_notices"
