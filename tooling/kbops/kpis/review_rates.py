"""The KPIs specialists' verdicts give (`evals/reviews.jsonl`): how often the agent's flags
were right, and how many sampled answers passed QA.

Only the latest verdict on a ticket counts (a reviewer may change their mind), and it
counts in the period it was recorded in (`reviewed_at`): a review is a measurement taken
then, whenever the ticket was written.

- **flag_review_accuracy** = correctly_escalated / (correctly_escalated +
  should_have_answered): of the escalations reviewers graded, the share they confirmed.
- **qa_pass_rate** = correct / answer verdicts (correct, incorrect, tone,
  should_have_escalated): of the sampled answers, the share that needed no correction.

Sampled tickets are not a random sample of all tickets (near-threshold and negative-feedback
answers are picked first), so both rates describe the reviewed tickets, not the whole queue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..tickets.reviews import ANSWER_VERDICTS, Review, ReviewVerdict
from .compute import Rate
from .period import KpiPeriod


@dataclass(frozen=True)
class ReviewKpis:
    flag_accuracy: Rate
    qa_pass: Rate
    verdicts: tuple[tuple[str, int], ...]
    """Every verdict of the period with its count, in ReviewVerdict order."""

    @property
    def reviewed(self) -> int:
        return sum(n for _, n in self.verdicts)


def review_kpis(latest: Iterable[Review], period: KpiPeriod) -> ReviewKpis:
    """`latest`: one review per ticket (ReviewLog.latest().values())."""
    counts = Counter(r.verdict for r in latest if period.holds(r.reviewed_at))
    confirmed = counts[ReviewVerdict.CORRECTLY_ESCALATED]
    return ReviewKpis(
        flag_accuracy=Rate(confirmed, confirmed + counts[ReviewVerdict.SHOULD_HAVE_ANSWERED]),
        qa_pass=Rate(counts[ReviewVerdict.CORRECT], sum(counts[v] for v in ANSWER_VERDICTS)),
        verdicts=tuple((v.value, counts[v]) for v in ReviewVerdict if counts[v]),
    )
