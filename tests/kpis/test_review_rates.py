"""Review-based KPIs: latest verdict per ticket, counted in the period it was recorded."""

from __future__ import annotations

from kbops.kpis.compute import Rate
from kbops.kpis.period import KpiPeriod
from kbops.kpis.review_rates import review_kpis
from kbops.tickets.reviews import ReviewLog, ReviewVerdict
from tests.kpis.history import review

V = ReviewVerdict


def test_flag_accuracy_and_qa_pass_rate_from_the_latest_verdicts() -> None:
    log = ReviewLog((
        review("E-1", V.CORRECTLY_ESCALATED), review("E-2", V.CORRECTLY_ESCALATED),
        review("E-3", V.SHOULD_HAVE_ANSWERED),
        review("E-4", V.SHOULD_HAVE_ANSWERED), review("E-4", V.CORRECTLY_ESCALATED),  # changed their mind
        review("A-1", V.CORRECT), review("A-2", V.INCORRECT), review("A-3", V.TONE),
        review("A-4", V.SHOULD_HAVE_ESCALATED), review("A-5", V.CORRECT),
        review("A-6", V.CORRECT, at="2026-10-30"),  # another month
    ), ())
    kpis = review_kpis(list(log.latest().values()), KpiPeriod.parse("2026-11"))
    assert kpis.flag_accuracy == Rate(3, 4)
    assert kpis.qa_pass == Rate(2, 5)
    assert kpis.reviewed == 9
    assert dict(kpis.verdicts) == {"correct": 2, "incorrect": 1, "tone": 1, "should_have_escalated": 1,
                                   "should_have_answered": 1, "correctly_escalated": 3}


def test_no_reviews_is_no_rate_not_zero() -> None:
    kpis = review_kpis([review("A-1", V.CORRECT, at="2026-10-01")], KpiPeriod.parse("2026-W47"))
    assert kpis.flag_accuracy.value is None and kpis.qa_pass.value is None and kpis.reviewed == 0
