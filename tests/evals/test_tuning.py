"""Tuning on the demo history: memory never leaks a ticket's own answer or a later one, the
fit keeps the false-deflection budget it was given, and a small history keeps the defaults."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from kbops.agent.offline import OfflineAnswerer
from kbops.config import Settings
from kbops.evals.crossval import MIN_HISTORY, cross_validate, fit, score, shipped_setting
from kbops.evals.tuning import History
from kbops.tickets.model import Ticket
from kbops.workspace import Workspace
from tests.factories import project_copy


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    project = project_copy(tmp_path_factory.mktemp("tuning"))
    return Workspace(Settings(root=project), answerer=OfflineAnswerer())


@pytest.fixture(scope="module")
def history(workspace: Workspace) -> History:
    tickets = workspace.tickets(workspace.settings.root / "evals" / "tickets.jsonl").tickets
    return History(workspace.agent, workspace.embedder, tickets)


def test_a_ticket_never_learns_from_itself_or_from_later_tickets(history: History, workspace: Workspace) -> None:
    setting = replace(shipped_setting(workspace.settings, memory=True), memory_weight=0.8)
    n = len(history.cases)
    for i, case in enumerate(history.cases):
        alone = history.outcome(i, setting, [], time_ordered=True)
        assert history.outcome(i, setting, [i], time_ordered=False) == alone
        assert case.created_at is not None
        later = [j for j in range(n) if (history.cases[j].created_at or 0) >= case.created_at]
        assert history.outcome(i, setting, later, time_ordered=True) == alone


def test_an_earlier_paraphrase_routes_a_ticket_to_its_article(workspace: Workspace) -> None:
    past = Ticket(id="P-1", created_at=datetime(2026, 1, 1, tzinfo=UTC), body="I can't find the gantt chart in my project",
                  resolution="Open the Timeline view.", resolved_by_article_ids=("gantt-timeline",))
    now = Ticket(id="P-2", created_at=datetime(2026, 2, 1, tzinfo=UTC), body="where is the gantt chart",
                 resolution="Timeline view.", resolved_by_article_ids=("gantt-timeline",))
    history = History(workspace.agent, workspace.embedder, [past, now])
    setting = replace(shipped_setting(workspace.settings, memory=True), memory_weight=0.8)
    without = history.outcome(1, setting, [], time_ordered=True)
    learned = history.outcome(1, setting, [0], time_ordered=True)
    assert learned.features["memory"] > 0.5
    assert learned.top_correct
    assert learned.features["memory"] > without.features["memory"] == 0.0


def test_the_fit_keeps_its_false_deflection_budget_on_the_history_it_saw(history: History, workspace: Workspace) -> None:
    everyone = list(range(len(history.cases)))
    defaults = shipped_setting(workspace.settings, memory=True)
    fitted = fit(history, everyone, defaults, target=0.05, time_ordered=True)
    assert fitted != defaults
    outcomes = [history.outcome(i, fitted, everyone, True) for i in everyone]
    metrics = score(outcomes, [c.gold for c in history.cases], [fitted] * len(outcomes))
    assert metrics.false_deflection_rate <= 0.05
    assert 0 <= fitted.no_coverage_threshold <= fitted.answer_threshold <= 1


def test_too_little_history_keeps_the_shipped_settings(history: History, workspace: Workspace) -> None:
    defaults = shipped_setting(workspace.settings, memory=True)
    assert fit(history, list(range(MIN_HISTORY - 1)), defaults, 0.05, True) is defaults


def test_cross_validation_reports_before_after_and_a_curve(history: History, workspace: Workspace) -> None:
    result = cross_validate(history, workspace.settings, k=3, curve=(0.0, 0.5, 1.0))
    assert result.tickets == len(history.cases) and result.folds == 3 and result.time_ordered
    assert [n for n, _ in result.curve] == sorted(n for n, _ in result.curve)
    assert result.curve[0][0] == 0
    # with no history each fold falls back to the shipped settings without memory: "before"
    assert result.curve[0][1].as_json() == result.before.as_json()
    assert result.after.as_json() == result.curve[-1][1].as_json()
    assert result.after.no_coverage_recall is not None
    assert np.isfinite(result.after.ece)
