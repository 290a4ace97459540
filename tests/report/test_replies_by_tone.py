"""Replies grouped by tone profile (issue 17): the HTML report shows the answered tickets'
replies side by side per profile, escaped; Markdown and JSON count tickets per profile; a run
saved before tone profiles shows none of it."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from kbops.evals.runs import TicketResult, Verdict, run_from_dict
from kbops.report.html import CSP, render_html
from kbops.report.json import render_json, run_schema
from kbops.report.markdown import render_markdown
from tests.browser import chromium_page
from tests.factories import ticket_result
from tests.report.sample import HOSTILE, small_run


def toned(ticket_id: str, verdict: Verdict, profile: str, reply: str, language: str = "en",
          subject: str = "how do I export") -> TicketResult:
    return replace(ticket_result(ticket_id, verdict, subject=subject, reply=reply),
                   tone_profile=profile, language=language)


RESULTS = [
    toned("T-1", Verdict.DEFLECTED, "power_user", "Use GET /v2/exports with If-None-Match."),
    toned("T-2", Verdict.DEFLECTED, "frustrated", "I'm sorry this has taken so long.\nHere is the fix:", "de",
          subject="Schon wieder kaputt"),
    toned("T-3", Verdict.FALSE_DEFLECTION, "new_user", HOSTILE, subject=HOSTILE),
    toned("T-4", Verdict.GATED, "frustrated", "escalated draft, never sent"),
    toned("T-5", Verdict.DEFLECTED, "frustrated", "Sorry about the double charge."),
    toned("T-6", Verdict.GAP, "neutral", ""),
]


def section(page: str) -> str:
    found = re.search(r"<h2>Replies by tone</h2>.*?(?=<h2>All tickets</h2>)", page, flags=re.S)
    assert found is not None, "no Replies by tone section"
    return found.group(0)


def test_html_groups_answered_replies_by_profile_in_a_fixed_order() -> None:
    page = render_html(small_run(RESULTS))
    replies = section(page)
    profiles = re.findall(r'<section class="tone" data-profile="(\w+)"><h3>\w+ \((\d+)\)</h3>', replies)
    assert profiles == [("frustrated", "2"), ("new_user", "1"), ("power_user", "1")]  # neutral: nothing answered
    frustrated = replies.split('data-profile="frustrated"')[1].split("</section>")[0]
    assert "T-2" in frustrated and "T-5" in frustrated and "T-4" not in frustrated  # escalated drafts are not replies
    assert "Schon wieder kaputt" in frustrated and "deflected · de" in frustrated
    assert "I&#x27;m sorry this has taken so long.\nHere is the fix:</pre>" in frustrated  # line breaks kept
    new_user = replies.split('data-profile="new_user"')[1].split("</section>")[0]
    assert "false deflection" in new_user


def test_html_shows_replies_as_escaped_text_under_the_csp() -> None:
    page = render_html(small_run(RESULTS))
    replies = section(page)
    assert "<script" not in replies and "&lt;script&gt;alert(1)&lt;/script&gt;" in replies
    assert 'href="http://evil.example"' not in page
    assert f'content="{CSP}"' in page and not re.search(r"<(script|link|img)\b", page)


def test_a_run_without_tone_profiles_has_no_section_and_no_counts() -> None:
    old = small_run()
    assert "Replies by tone" not in render_html(old)
    assert "Tone profiles" not in render_markdown(old)
    assert "tone_profiles" not in json.loads(render_json(old))


def test_markdown_and_json_count_tickets_per_profile() -> None:
    run = small_run(RESULTS)
    markdown = render_markdown(run)
    table = markdown.split("**Tone profiles**")[1]
    rows = [(name.replace("\\", ""), tickets, answered)  # md_text escapes the underscore
            for name, tickets, answered in re.findall(r"^\| ([\w\\]+) \| (\d+) \| (\d+) \|$", table, flags=re.M)]
    assert rows == [("frustrated", "3", "2"), ("new_user", "1", "1"), ("power_user", "1", "1"), ("neutral", "1", "0")]
    raw = json.loads(render_json(run))
    jsonschema.validate(raw, run_schema())
    assert raw["tone_profiles"] == {"frustrated": {"tickets": 3, "answered": 2}, "new_user": {"tickets": 1, "answered": 1},
                                    "power_user": {"tickets": 1, "answered": 1}, "neutral": {"tickets": 1, "answered": 0}}
    assert [r["tone_profile"] for r in raw["results"]] == ["power_user", "frustrated", "new_user", "frustrated",
                                                           "frustrated", "neutral"]
    assert run_from_dict(raw) == run  # the derived counts are not part of the run


@pytest.mark.browser
def test_replies_sit_side_by_side_in_a_real_browser(tmp_path: Path) -> None:
    report = tmp_path / "eval.html"
    report.write_text(render_html(small_run(RESULTS)), encoding="utf-8")
    with chromium_page(tmp_path / "profile") as page:
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(report.as_uri())
        assert page.get_by_role("heading", name="Replies by tone").is_visible()
        columns = page.locator("section.tone")
        assert columns.count() == 3
        boxes = [columns.nth(i).bounding_box() for i in range(3)]
        assert all(box is not None for box in boxes)
        tops = {round(box["y"]) for box in boxes if box is not None}
        assert len(tops) == 1  # one row: read side by side, not one under the other
        hostile = page.locator('section.tone[data-profile="new_user"] pre').inner_text()
        assert hostile.startswith("<script>alert(1)</script>")  # shown as text, never run
        assert not errors, errors  # the CSP blocked nothing the page needs
