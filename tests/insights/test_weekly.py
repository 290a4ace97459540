"""The whole report on small synthetic histories with the real embedder: every planted
signal is found, and a stable history flags nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from kbops.config import Settings
from kbops.index.embed import Embedder
from kbops.insights.releases import Release
from kbops.insights.systemic import release_impacts
from kbops.insights.weekly import InsightsError, build_weekly, history_needed, latest_week
from kbops.insights.weeks import period_of
from tests.insights.synthetic import (
    RISKY_ACCOUNT,
    WEEK,
    export_bug,
    planted_history,
    stable_history,
)

RELEASES = (Release("2.3.0", date(2026, 10, 5), source="git tag"),
            Release("2.4.0", date(2026, 11, 16), "new export engine", "releases.toml"))
SETTINGS = Settings(root=Path("."))


def test_every_planted_signal_is_found(embedder: Embedder) -> None:
    history = planted_history()
    report = build_weekly(history, week=latest_week(history), settings=SETTINGS, embedder=embedder, releases=RELEASES)
    assert report.week == WEEK and report.period_tickets == 24 + 12 + 8 + 4 + 2
    assert "billing" in report.volume.flagged
    assert [sorted(i.ticket_ids) for i in report.emerging] == [[f"E-{n}" for n in range(8)]]
    issue = report.emerging[0]
    assert issue.release == RELEASES[1] and len(issue.accounts) == 6
    assert "csv" in issue.title.lower() or "export" in issue.title.lower()
    assert [g.ticket_ids for g in report.doc_gaps][0] == ("D-0", "D-1", "D-3", "D-2")[: len(report.doc_gaps[0].ticket_ids)]
    assert sorted(report.doc_gaps[0].ticket_ids) == ["D-0", "D-1", "D-2", "D-3"]
    assert RISKY_ACCOUNT in [h.account_id for h in report.health]
    assert report.health[0].account_id == RISKY_ACCOUNT
    assert [r.version for r in report.releases] == ["2.4.0"]


def test_a_stable_history_flags_nothing(embedder: Embedder) -> None:
    report = build_weekly(stable_history(), week=WEEK, settings=SETTINGS, embedder=embedder, releases=RELEASES)
    assert report.volume.flagged == [] and report.emerging == () and report.doc_gaps == () and report.health == ()
    assert report.notes == ()


def test_the_json_has_the_documented_top_level_keys(embedder: Embedder) -> None:
    data = build_weekly(planted_history(), week=WEEK, settings=SETTINGS, embedder=embedder, releases=RELEASES).to_json()
    assert {"week", "volume", "emerging", "doc_gaps", "health"} <= set(data)
    assert data["week"] == "2026-W47" and data["version"] == 1
    assert data["period"]["compared_with"] == ["2026-W43", "2026-W44", "2026-W45", "2026-W46"]
    assert data["generated_from"]["history_tickets"] == len(planted_history())
    row = next(r for r in data["volume"]["by_category"] if r["category"] == "billing")
    assert row["flagged"] and row["this_week"] == 18 and row["previous_week"] == 6 and row["ticket_ids"]
    assert data["emerging"][0]["release"]["version"] == "2.4.0"
    assert data["health"][0]["account_id"] == RISKY_ACCOUNT and data["health"][0]["action"]


def test_a_young_history_says_what_it_cannot_tell(embedder: Embedder) -> None:
    history = [t for t in planted_history() if t.created_at is not None and t.created_at >= WEEK.start]
    report = build_weekly(history, week=WEEK, settings=SETTINGS, embedder=embedder, releases=())
    assert report.prior_periods == () and report.volume.flagged == [] and report.emerging == ()
    assert any("covers 0 of the 4 weeks" in note for note in report.notes)
    assert any("no releases known" in note for note in report.notes)


def test_a_month_correlates_categories_with_releases(embedder: Embedder) -> None:
    history = [*stable_history(extra={"billing": 24}), *export_bug()]
    report = build_weekly(history, week=WEEK, settings=SETTINGS, embedder=embedder, releases=RELEASES, period="month")
    assert report.period.kind == "month" and report.period_tickets == len(history) - 24  # all but W43
    impact = next(i for i in report.release_impacts if i.release.version == "2.4.0")
    assert impact.moved == ["billing", "bug report"]  # 6 -> 30 a week, and the export bug's 8 on 3 a week
    assert (impact.window_days, impact.windows_before) == (7, 4)
    steady = next(s for s in impact.shifts if s.category == "technical")
    assert (steady.before, steady.after, steady.moved) == (6.0, 6, False)
    assert report.to_json()["release_impacts"][-1]["version"] == "2.4.0"


def test_an_empty_history_asks_for_an_import() -> None:
    with pytest.raises(InsightsError, match="kbops tickets import"):
        latest_week([])


def test_the_history_a_report_needs_covers_the_rolling_weeks() -> None:
    period = period_of(WEEK)
    assert history_needed(period, SETTINGS) == WEEK.shift(-4).start
    assert history_needed(period, SETTINGS.with_changes(weekly={"health_window_days": 60})) == \
        WEEK.end - timedelta(days=60)


def test_a_release_late_in_the_period_is_judged_on_the_days_there_are() -> None:
    late = Release("2.5.0", date(2026, 11, 20))  # Friday: three days of the window fall in the period
    impacts = release_impacts(stable_history(), [late], period_of(WEEK, "month"), SETTINGS.weekly)
    assert impacts[0].window_days == 3 and impacts[0].windows_before == 4
    assert impacts[0].moved == []
