"""The gap report: saved beside its run as JSON and read back as it was; gaps found by id prefix."""

from __future__ import annotations

import json

import pytest

from kbops.config import Settings
from kbops.gaps.find import find_gaps
from kbops.gaps.model import GapError, GapReport, report_from_dict
from kbops.index.embed import Embedder
from kbops.index.matrix import ArticleMatrix
from tests.gaps.topics import TODAY, topic_tickets


def test_report_round_trips_and_finds_by_prefix(embedder: Embedder) -> None:
    gaps = find_gaps(topic_tickets(), [], ArticleMatrix.build([], embedder), embedder, Settings().gaps, 10, TODAY)
    report = GapReport("run-1", None, 10, 6, tuple(gaps), 0.45)
    again = report_from_dict(json.loads(report.to_json()))
    assert again == report
    assert report.find(gaps[0].id[:8]) == gaps[0]
    with pytest.raises(GapError, match="not a gap"):
        report.find("gap-nope")
