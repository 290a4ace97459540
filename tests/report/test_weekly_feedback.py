"""The weekly report's "Help-site feedback" section: the most unhelpful articles with their
counts in Markdown, HTML and JSON, and a plain "no votes" when there were none."""

from __future__ import annotations

import json
from dataclasses import replace

from kbops.feedback.stats import ArticleFeedback
from kbops.report import ReportFormat
from kbops.report.weekly_render import render_weekly
from tests.report.weekly_sample import weekly

VOTES = (
    ArticleFeedback("export-project-csv", "/export-project-csv/", helpful=2, unhelpful=6),
    ArticleFeedback("refunds", "/<b>refunds</b>/", helpful=1, unhelpful=1),
    ArticleFeedback("invite-guests", "/invite-guests/", helpful=4, unhelpful=0),
)


def test_the_section_lists_the_articles_voted_not_helpful_with_counts() -> None:
    report = replace(weekly(), feedback=VOTES)
    markdown = render_weekly(report, ReportFormat.md)
    section = markdown.split("## Help-site feedback", 1)[1].split("\n## ", 1)[0]
    assert "14 help-site votes, 7 helpful (50%), 7 not helpful" in section
    assert "| `export-project-csv` | /export-project-csv/ | 8 | 6 | 25% |" in section
    assert "invite-guests" not in section  # nobody voted it down
    assert "<b>" not in section
    html = render_weekly(report, ReportFormat.html)
    assert '<section id="feedback"><h2>Help-site feedback</h2>' in html
    assert "<td>export-project-csv</td>" in html and "&lt;b&gt;refunds" in html and "<b>refunds" not in html
    data = json.loads(render_weekly(report, ReportFormat.json))["feedback"]
    assert (data["votes"], data["helpful"], data["unhelpful"]) == (14, 7, 7)
    assert data["articles"][0] == {"article_id": "export-project-csv", "page": "/export-project-csv/", "votes": 8,
                                   "helpful": 2, "unhelpful": 6, "ratio": 0.25}


def test_no_votes_says_so() -> None:
    report = weekly()
    markdown = render_weekly(report, ReportFormat.md)
    assert f"## Help-site feedback\n\n_no help-site votes in {report.period.label}._" in markdown
    assert f"no help-site votes in {report.period.label}" in render_weekly(report, ReportFormat.html)
    data = json.loads(render_weekly(report, ReportFormat.json))["feedback"]
    assert data == {"votes": 0, "helpful": 0, "unhelpful": 0, "articles": []}
