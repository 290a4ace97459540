"""Why the agent escalated each demo ticket: the reason codes of `kbops.agent.policy.decide`,
derived from what the seeded ticket holds (its topic, tier, tone and the agent's confidence),
so `kbops kpis` has an escalation-reason distribution to show.

The codes come from their own random stream (`reason_stream`), never from the renderer's:
adding them left every other field of evals/history/tickets.jsonl byte for byte as it was.
Phone calls never reach the agent (no confidence): they get no reason, and the KPIs count
them as `unrecorded`, as a real history's hand-routed tickets would be.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seed_tasklane import Draft

ESCALATED = ("escalated", "resolved_by_specialist")
CONFIDENCE_THRESHOLD, NO_COVERAGE_THRESHOLD = 0.5, 0.2
"""The defaults of `[policy] confidence_threshold` and `no_coverage_threshold`."""
RISK_TOPICS = {
    "refund": ("risk_topic:refund", 0.9),
    "duplicate-invoice-emails": ("risk_topic:billing-dispute", 0.5),
    "payment-failed": ("risk_topic:billing-dispute", 0.15),
    "change-email": ("risk_topic:account-change", 0.8),
    "2fa-lost": ("risk_topic:account-change", 0.7),
    "transfer-ownership": ("risk_topic:account-change", 0.8),
    "delete-account": ("risk_topic:account-deletion", 0.9),
}
"""Topic -> the risk gate its tickets trip, and how often their wording trips it."""
VIP_TIERS = ("enterprise",)
HUMAN_REQUESTED = {"angry": 0.2, "neutral": 0.05, "polite": 0.03}


def reason_stream(seed: int) -> random.Random:
    """A stream of its own: drawing reasons must not move any other seeded field."""
    return random.Random(seed * 104_729 + 15)


def escalation_reasons(draft: Draft, record: dict[str, Any], rng: random.Random) -> list[str]:
    """The agent's reason codes for one ticket, in the policy's order; [] when the agent
    did not escalate it (or never saw it). Draws from `rng` only for escalated tickets."""
    if record["status"] not in ESCALATED:
        return []
    confidence = record.get("agent_confidence")
    if confidence is None and draft.kind != "churn":
        return []  # a phone call: routed to a person without the agent
    found: list[str] = []
    risk = RISK_TOPICS.get(draft.topic.key)
    if risk and rng.random() < risk[1]:
        found.append(risk[0])
    if rng.random() < HUMAN_REQUESTED.get(draft.tone, 0.05) + 0.1 * draft.stage:
        found.append("human_requested")
    if record["customer"]["tier"] in VIP_TIERS:
        found.append("vip_customer")
    if draft.tone == "angry" and rng.random() < 0.75:
        found.append("negative_sentiment")
    if confidence is not None:
        if not draft.topic.articles or confidence < NO_COVERAGE_THRESHOLD:
            found.append("no_coverage")
        elif confidence < CONFIDENCE_THRESHOLD:
            found.append("low_confidence")
    if not found:  # confident and no gate: the customer insisted on a person
        found.append("human_requested")
    return found


def add_reasons(drafts: list[Draft], records: list[dict[str, Any]], seed: int) -> None:
    """Add `escalation_reasons` to the escalated records (last key, so the others keep
    their place in each line)."""
    rng = reason_stream(seed)
    for draft, record in zip(drafts, records, strict=True):
        reasons = escalation_reasons(draft, record, rng)
        if reasons:
            record["escalation_reasons"] = reasons
