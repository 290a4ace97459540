"""The escalation package: what a specialist needs to pick up a ticket in one read.

A one-line problem statement, what the agent found and why it stopped, the relevant
articles, the customer's context, and a recommended next step. Rendered as Markdown (for
a helpdesk note or PR comment) and JSON. Built from the redacted ticket text only.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from ..kb.markdown import md_block, md_code, md_text
from ..kb.provenance import NO_CHANGE, Provenance
from ..redact import redacted
from .agent import Agent
from .decision import Action, Decision, TicketInput

PACKAGE_VERSION = 1

NEXT_STEPS: dict[str, str] = {
    "risk_topic:refund": "Check the charge and the refund policy; a human approves or declines the refund.",
    "risk_topic:billing-dispute": "Pull the invoices and payment records; resolve the dispute before any chargeback.",
    "risk_topic:account-change": "Verify account ownership before changing owners, emails or 2FA.",
    "risk_topic:account-deletion": "Verify ownership, confirm what will be deleted, and follow the deletion procedure.",
    "risk_topic:legal": "Route to the legal/privacy queue; do not commit to anything in the reply.",
    "risk_topic:security-incident": "Treat as a possible security incident: follow the incident runbook now.",
    "sensitive_article": "The answer relies on a sensitive article: confirm the customer's situation before replying.",
    "vip_customer": "High-tier account: reply personally (the drafted answer may help) and loop in the account manager.",
    "human_requested": "The customer asked for a person: reply personally.",
    "negative_sentiment": "The customer is upset: acknowledge it, then solve the issue; consider a call.",
    "language": "The ticket is in a language the team does not answer: route it to a colleague or queue that speaks it.",
    "prompt_injection": "The ticket tries to instruct the AI agent: handle manually and do not follow its instructions.",
    "unsafe_reply": "The draft failed the output guard (a promise only a human may keep, internal text or links, "
    "an owner's name, HTML, or an outside link): write the reply yourself.",
    "backend_error": "The drafting backend failed: answer manually (the evidence below may help).",
    "no_coverage": "No article covers this: answer manually and consider writing one (a KB gap).",
    "low_confidence": "The KB may cover this only partly: check the articles below, answer, and improve the article.",
}


@dataclass(frozen=True)
class RelevantArticle:
    article_id: str
    title: str
    section: str
    score: float
    commit: str = ""
    """The commit that last changed the section (`kb/provenance.py`), `uncommitted`, or ""."""
    author: str = ""
    """Its author's name: the specialist may ask them; never shown to the customer."""
    committed_at: str = ""


@dataclass(frozen=True)
class EscalationPackage:
    ticket_id: str
    problem: str
    found: str
    reasons: tuple[str, ...]
    why: tuple[str, ...]
    relevant_articles: tuple[RelevantArticle, ...]
    tier: str
    sentiment: float
    next_step: str
    draft_reply: str

    def as_dict(self) -> dict[str, Any]:
        return {"version": PACKAGE_VERSION, **asdict(self)}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)

    def to_markdown(self) -> str:
        """For a helpdesk note or a PR comment: every value is untrusted (ticket text, titles,
        a drafted reply that may follow an injected instruction), so each is escaped and the
        draft is shown as a code block, never rendered."""
        lines = [
            f"### Escalation: {md_text(self.ticket_id) or 'ticket'}",
            "",
            f"**Problem:** {md_text(self.problem)}",
            "",
            f"**Why the agent stopped:** {', '.join(md_code(r) for r in self.reasons)}",
        ]
        lines += [f"- {md_code(code)}: {md_text(detail)}" for code, _, detail in (line.partition(": ") for line in self.why)]
        lines += ["", f"**What the agent found:** {md_text(self.found)}", ""]
        if self.relevant_articles:
            lines.append("**Relevant articles:**")
            lines += [
                f"- {md_code(a.article_id)} {md_text(a.title)}" + (f" — {md_text(a.section)}" if a.section else "")
                + f" (score {a.score:.2f}{_changed(a)})"
                for a in self.relevant_articles
            ]
            lines.append("")
        lines += [
            f"**Customer:** tier {md_code(self.tier)}, sentiment {self.sentiment:.2f} (0 calm, 1 angry)",
            "",
            f"**Recommended next step:** {md_text(self.next_step)}",
        ]
        if self.draft_reply:
            lines += ["", "<details><summary>Agent's draft (not sent)</summary>", "", md_block(self.draft_reply), "",
                      "</details>"]
        return "\n".join(lines)


def _changed(article: RelevantArticle) -> str:
    """`, last changed in abc123def456 by Ana Lima`, or "" without provenance."""
    if not article.commit:
        return ""
    by = f" by {md_text(article.author)}" if article.author else ""
    return f", last changed in {md_code(article.commit[:12])}{by}"


def problem_statement(ticket: TicketInput, limit: int = 140) -> str:
    """The subject, or the first sentence of the body, on one line."""
    source = ticket.subject.strip() or ticket.text.strip()
    first = re.split(r"(?<=[.!?])\s|\n", source, maxsplit=1)[0].strip()
    first = " ".join(first.split())
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def escalation_package(decision: Decision, ticket: TicketInput,
                       provenance: Provenance | None = None) -> EscalationPackage | None:
    """The package for an escalated decision; None when the agent answered. `provenance`
    names the commit and author behind each relevant section."""
    if decision.action is not Action.ESCALATE:
        return None
    seen: set[str] = set()
    articles = []
    for item in decision.evidence:
        if item.article_id not in seen:
            seen.add(item.article_id)
            change = provenance.of(item.article_id, item.anchor) if provenance else NO_CHANGE
            articles.append(RelevantArticle(item.article_id, item.title, item.section, round(item.article_score, 3),
                                            change.commit, change.author, change.committed_at))
    top = articles[0] if articles else None
    found = (
        f"best match {top.article_id} ({top.title}), confidence {decision.confidence:.2f}"
        if top
        else "no published article matched"
    )
    first_reason = decision.reasons[0] if decision.reasons else "low_confidence"
    # A package is handed to people and tools outside kbops: whatever the redaction setting,
    # nothing in it may carry personal data (the policy's details quote decoded payloads).
    return EscalationPackage(
        ticket_id=decision.ticket_id,
        problem=redacted(problem_statement(ticket)),
        found=found,
        reasons=decision.reasons,
        why=tuple(f"{code}: {redacted(decision.details[code])}" for code in decision.reasons if code in decision.details),
        relevant_articles=tuple(articles[:3]),
        tier=ticket.tier,
        sentiment=decision.sentiment,
        next_step=NEXT_STEPS.get(first_reason, "Review the ticket and answer it manually."),
        draft_reply=redacted(decision.reply),
    )


def ask_agent(agent: Agent, ticket: TicketInput) -> tuple[Decision, EscalationPackage | None]:
    """`kbops ask`: the agent's decision on one ticket, and the package when it escalates.
    Its JSON is a hand-off to a helpdesk: the reasons' details (which quote the ticket, and
    payloads decoded after redaction ran) are redacted like the package."""
    decision = agent.answer(ticket)
    decision = replace(decision, details={code: redacted(detail) for code, detail in decision.details.items()})
    return decision, escalation_package(decision, agent.prepare(ticket), agent.provenance)
