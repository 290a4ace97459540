"""The KPI report as a whole: the JSON document's keys and numbers, the trend, and the
Markdown and HTML renderings (counts beside rates, untrusted names escaped, no script)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from kbops.kb.model import KnowledgeBase
from kbops.kpis.period import KpiPeriod
from kbops.kpis.report import KpiReport, build_kpis
from kbops.report.kpis_html import render_kpis_html
from kbops.report.kpis_markdown import render_kpis_markdown
from kbops.tickets.reviews import ReviewVerdict
from tests.factories import article
from tests.kpis.history import history_ticket, november, review

SPAN = (datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))


def report(period: str = "2026-11", trend: int = 3) -> tuple[KpiReport, KnowledgeBase]:
    tickets = [*november(), history_ticket("S-1", "resolved_by_specialist", day="2026-09-15"),
               history_ticket("S-2", "resolved_by_agent", day="2026-09-16")]
    reviews = [review("E-1", ReviewVerdict.CORRECTLY_ESCALATED), review("E-2", ReviewVerdict.SHOULD_HAVE_ANSWERED),
               review("D-1", ReviewVerdict.CORRECT), review("R-1", ReviewVerdict.INCORRECT)]
    kb = KnowledgeBase(articles=(article("export-csv", owner="<b>eve</b> | @team"),), problems=(), root=Path("kb"),
                       base=Path("."))
    return build_kpis(KpiPeriod.parse(period), tickets, reviews, trend_periods=trend, history_span=SPAN,
                      history_tickets=len(tickets), changes=[], kb=None, notes=()), kb


def test_the_json_document_has_every_kpi_with_its_counts() -> None:
    data = report()[0].as_dict()
    assert {"version", "period", "deflection_rate", "escalation_rate", "escalation_reasons", "kb_contribution",
            "flag_review_accuracy", "qa_pass_rate", "reopen_rate", "csat", "trend"} <= set(data)
    assert data["period"]["label"] == "2026-11" and data["period"]["partial"] is False
    assert data["deflection_rate"] == {"rate": 0.6667, "count": 6, "of": 9}
    assert data["escalation_rate"] == {"rate": 0.2222, "count": 2, "of": 9}
    assert data["flag_review_accuracy"] == {"rate": 0.5, "count": 1, "of": 2}
    assert data["qa_pass_rate"] == {"rate": 0.5, "count": 1, "of": 2}
    assert data["reopen_rate"] == {"agent": {"rate": 0.1429, "count": 1, "of": 7}, "specialist": None}
    assert data["csat"] == {"agent": {"mean": 4.0, "n": 3}, "specialist": {"mean": 3.0, "n": 1}}
    assert [r["code"] for r in data["escalation_reasons"]] == ["low_confidence", "unrecorded", "vip_customer"]
    assert data["kb_contribution"] == {"git": True, "authors": [], "owners": []}


def test_the_trend_leaves_out_periods_before_the_history() -> None:
    data = report(trend=6)[0].as_dict()
    assert [p["period"] for p in data["trend"]] == ["2026-09", "2026-10", "2026-11"]  # June-August: no data
    september = data["trend"][0]
    assert september["deflection_rate"] == {"rate": 0.5, "count": 1, "of": 2}
    assert september["flag_review_accuracy"]["rate"] is None
    assert data["trend"][-1]["deflection_rate"] == data["deflection_rate"]


def test_markdown_puts_counts_beside_rates_and_says_no_reviews() -> None:
    text = render_kpis_markdown(report()[0])
    assert text.startswith("# KPIs: 2026-11\n")
    assert "| **Deflection rate** | 66.7% | 6 of 9 decided tickets resolved by the agent | 100.0% |" in text
    assert "| `low_confidence` | 1 | 50.0% |" in text
    october = render_kpis_markdown(report("2026-10")[0])
    assert "| **Flag-review accuracy** | no reviews | 0 of 0 reviewed escalations confirmed |" in october


def test_owner_names_are_escaped_in_markdown_and_html() -> None:
    base, kb = report()
    tickets = [history_ticket("D-1", "resolved_by_agent", cited=("export-csv",))]
    owned = build_kpis(base.period, tickets, [], trend_periods=1, history_span=SPAN, history_tickets=1,
                       changes=None, kb=kb)
    markdown = render_kpis_markdown(owned)
    row = next(line for line in markdown.splitlines() if "eve" in line)
    assert "<b>" not in row and "@team" not in row  # no HTML, no mention
    assert row.replace("\\|", "").count("|") == 5  # the owner's pipe does not add a column
    assert "not in a git repository" in markdown
    page = render_kpis_html(owned)
    assert "&lt;b&gt;eve&lt;/b&gt;" in page and "<b>eve" not in page
    assert "Content-Security-Policy" in page and "<script" not in page


def test_html_draws_a_trend_line_per_rate_with_data() -> None:
    page = render_kpis_html(report()[0])
    for name in ("deflection_rate", "escalation_rate", "flag_review_accuracy", "qa_pass_rate", "reopen_rate",
                 "reasons"):
        assert f'data-chart="{name}"' in page, name
    assert 'data-chart="authors"' not in page and "No commit touched the KB folder" in page
