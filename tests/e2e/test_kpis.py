"""`kbops kpis` end to end: tickets imported into a real DuckDB history, a review log, and a
KB folder committed by two authors in a real git repository; the report as JSON, Markdown
and HTML, the HTML's charts drawn in headless Chromium, and bad input refused with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest

from kbops.tickets.model import Ticket
from kbops.tickets.reviews import ReviewVerdict, append_reviews
from tests.browser import assert_charts_drawn, chromium_page, keep_screenshot
from tests.conftest import run_kbops
from tests.factories import article_text
from tests.kpis.history import history_ticket, review

EMAIL = "ana.writer@example.com"
KEYS = {"version", "period", "deflection_rate", "escalation_rate", "escalation_reasons", "kb_contribution",
        "flag_review_accuracy", "qa_pass_rate", "reopen_rate", "csat", "trend"}


def history() -> list[Ticket]:
    tickets = []
    for month, deflected in (("2026-09", 3), ("2026-10", 5), ("2026-11", 8)):
        day = f"{month}-10"
        tickets += [history_ticket(f"D-{month}-{n}", "resolved_by_agent", day=day, cited=("export-csv",), csat=5)
                    for n in range(deflected)]
        tickets += [history_ticket(f"E-{month}", "escalated", day=day, reasons=("risk_topic:refund",), csat=3),
                    history_ticket(f"S-{month}", "resolved_by_specialist", day=day, confidence=None),
                    history_ticket(f"R-{month}", "reopened", day=day, cited=("import-csv",), csat=2)]
    return tickets


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kpis")
    (root / "kbops.toml").write_text('[kb]\npath = "kb"\n')
    (root / "kb").mkdir()
    (root / ".gitignore").write_text(".kbops/\nreports/\n")
    repo = git.Repo.init(root)
    for who, email, name, when in (("Ana Writer", EMAIL, "export-csv", "2026-11-02T10:00:00"),
                                   ("Ben Editor", "ben@example.com", "import-csv", "2026-11-09T10:00:00")):
        (root / "kb" / f"{name}.md").write_text(article_text(name, owner=who.split()[0].lower()))
        repo.index.add([f"kb/{name}.md"])
        actor = git.Actor(who, email)
        repo.index.commit(f"{name}", author=actor, committer=actor, author_date=when, commit_date=when)
    (root / "history.jsonl").write_text("".join(t.model_dump_json(exclude_none=True) + "\n" for t in history()))
    append_reviews(root / "evals" / "reviews.jsonl", [
        review("E-2026-11", ReviewVerdict.CORRECTLY_ESCALATED), review("S-2026-11", ReviewVerdict.SHOULD_HAVE_ANSWERED),
        review("D-2026-11-0", ReviewVerdict.CORRECT), review("R-2026-11", ReviewVerdict.INCORRECT),
        review("D-2026-10-0", ReviewVerdict.CORRECT, at="2026-10-20")])
    done = run_kbops("tickets", "import", "history.jsonl", cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def test_json_has_every_kpi(project: Path) -> None:
    done = run_kbops("kpis", "--period", "2026-11", "--json", cwd=project)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert KEYS <= set(data) and data["period"]["label"] == "2026-11"
    assert data["deflection_rate"] == {"rate": round(8 / 11, 4), "count": 8, "of": 11}
    assert data["escalation_rate"]["count"] == 2
    assert {r["code"]: r["count"] for r in data["escalation_reasons"]} == {"risk_topic:refund": 1, "unrecorded": 1}
    assert data["flag_review_accuracy"] == {"rate": 0.5, "count": 1, "of": 2}
    assert data["qa_pass_rate"] == {"rate": 0.5, "count": 1, "of": 2}
    authors = {a["author"]: a for a in data["kb_contribution"]["authors"]}
    assert (authors["Ana Writer"]["articles_created"], authors["Ana Writer"]["tickets_deflected"]) == (1, 8)
    assert (authors["Ben Editor"]["articles_created"], authors["Ben Editor"]["tickets_deflected"]) == (1, 0)
    assert [p["period"] for p in data["trend"]] == ["2026-09", "2026-10", "2026-11"]
    assert EMAIL not in done.stdout and "example.com" not in done.stdout


def test_the_default_is_the_last_whole_month_and_a_week_works(project: Path) -> None:
    done = run_kbops("kpis", "--format", "json", cwd=project)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["period"]["label"] == "2026-10"  # the history ends on November 10
    week = run_kbops("kpis", "--week", "2026-W46", "--json", cwd=project)
    assert week.returncode == 0, week.stderr
    assert json.loads(week.stdout)["deflection_rate"]["count"] == 8


def test_markdown_on_stdout(project: Path) -> None:
    done = run_kbops("kpis", "--period", "2026-11", cwd=project)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# KPIs: 2026-11\n")
    assert "| **Deflection rate** | 72.7% | 8 of 11 decided tickets resolved by the agent | 62.5% |" in done.stdout
    assert "| Ana Writer | 1 | 0 | 1 | 8 |" in done.stdout
    assert "| `risk_topic:refund` | 1 | 50.0% |" in done.stdout


def test_html_to_a_file_draws_its_charts(project: Path, tmp_path: Path) -> None:
    done = run_kbops("kpis", "--period", "2026-11", "--format", "html", "--output", "reports/kpis.html", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "wrote reports/kpis.html: 2026-11" in done.stderr and done.stdout == ""
    page_file = project / "reports" / "kpis.html"
    assert "Content-Security-Policy" in page_file.read_text() and "<script" not in page_file.read_text()
    shot = tmp_path / "kpis.png"
    with chromium_page(tmp_path / "profile") as page:
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(page_file.as_uri())
        assert page.title() == "KPIs 2026-11"
        assert_charts_drawn(page, ("deflection_rate", "escalation_rate", "flag_review_accuracy", "qa_pass_rate",
                                   "reasons", "authors", "owners"), min_height=40)
        assert page.locator('[data-kpi="deflection_rate"] b').inner_text() == "72.7%"
        page.screenshot(path=str(shot), full_page=True)
        assert not errors, errors
    keep_screenshot(shot, "kpis-report.png")


@pytest.mark.parametrize(("args", "says"), [
    (("--period", "november"), "write it like 2026-11 or 2026-W47"),
    (("--week", "2026-W60"), "has no ISO week 60"),
    (("--period", "2026-11", "--week", "2026-W47"), "give --period or --week, not both"),
])
def test_a_bad_period_is_a_usage_error(project: Path, args: tuple[str, ...], says: str) -> None:
    done = run_kbops("kpis", *args, cwd=project)
    assert done.returncode == 2 and says in done.stderr


def test_an_empty_history_asks_for_an_import(tmp_path: Path) -> None:
    (tmp_path / "kbops.toml").write_text('[kb]\npath = "kb"\n')
    done = run_kbops("kpis", cwd=tmp_path)
    assert done.returncode == 2
    assert "the ticket history is empty" in done.stderr and "kbops tickets import" in done.stderr
