"""What a draft leaves behind: files that never overwrite, and the PR description that
names the gap, its tickets and the deflection it should win."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbops.drafts.model import DraftError
from kbops.drafts.output import pr_description, write_plans
from kbops.gaps.model import GapReport
from tests.factories import draft_plan, gap

GAP = gap()


def test_write_plans_never_overwrites(tmp_path: Path) -> None:
    plan = draft_plan()
    written = write_plans([plan], tmp_path, tmp_path / "kb" / "drafts")
    assert written == [tmp_path / "kb/drafts/time-tracking.md"] and written[0].read_text() == plan.text
    with pytest.raises(DraftError, match="already exists"):
        write_plans([plan], tmp_path, tmp_path / "kb" / "drafts")


def test_pr_description_names_the_gap_tickets_and_gain() -> None:
    report = GapReport("run-9", "abcdef1234", 40, 6, (GAP,), 0.45)
    plan = draft_plan()
    description = pr_description([plan], report, "kb/gap-1", "main")
    assert "gap-1234abcd" in description and "T-1, T-2" in description
    assert "+5.0 pts" in description and "2 of 40" in description
    assert "kbops eval --baseline main" in description and "kb/drafts/time-tracking.md" in description
