"""The weekly report as JSON: the documented top-level keys, ticket ids as references,
stable for the same report."""

from __future__ import annotations

import json

from kbops.report import ReportFormat
from kbops.report.weekly_render import render_weekly, render_weekly_json
from tests.report.weekly_sample import HOSTILE, weekly

TOP_LEVEL = ["version", "week", "period", "generated_from", "volume", "emerging", "doc_gaps", "health",
             "health_window_days", "releases", "release_impacts", "feedback"]


def test_the_top_level_keys_are_the_documented_ones_in_order() -> None:
    data = json.loads(render_weekly_json(weekly()))
    assert list(data) == TOP_LEVEL
    assert data["week"] == "2026-W47" and data["version"] == 1
    assert data["period"]["compared_with"] == ["2026-W43", "2026-W44", "2026-W45", "2026-W46"]


def test_each_part_references_its_tickets() -> None:
    data = json.loads(render_weekly_json(weekly()))
    billing = data["volume"]["by_category"][0]
    assert billing == {"category": "billing", "this_week": 48, "previous_week": 31, "rolling_average": 30.5,
                       "history": [30, 32, 29, 31], "change_wow": 0.5484, "change_vs_rolling": 0.5738,
                       "p_value": 0.001, "flagged": True, "ticket_ids": ["T-1", "T-2"]}
    assert data["volume"]["flagged"] == ["billing"]
    issue = data["emerging"][0]
    assert issue["ticket_ids"] == ["E-1", "E-2", "E-3", "E-4", "E-5"] and issue["representative_ticket_ids"] == ["E-1", "E-2", "E-3"]
    assert issue["release"] == {"version": "v2.4.0", "date": "2026-11-16", "source": "git tag"}
    assert issue["severity"] == "P1" and len(issue["severity_reasons"]) == 3 and issue["title"] == HOSTILE
    assert data["doc_gaps"][0]["outline"]["sections"][0] == {"heading": "Problem", "lines": ["Customers ask about archiving."]}
    assert data["health"][0]["escalated_ticket_ids"] == ["R-2", "R-3"] and data["health"][0]["signals"][0] == "escalations"


def test_the_same_report_gives_the_same_bytes() -> None:
    assert render_weekly(weekly(), ReportFormat.json) == render_weekly(weekly(), ReportFormat.json)
    assert render_weekly(weekly(), ReportFormat.md).startswith("# Support intelligence")
    assert render_weekly(weekly(), ReportFormat.html).startswith("<!doctype html>")
