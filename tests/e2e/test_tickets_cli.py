"""`kbops tickets check` and `kbops eval --tickets` on CSV and Zendesk exports, end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, run_kbops
from tests.factories import project_copy

FIXTURES = REPO / "tests" / "fixtures" / "import"
CSV_MAP = (
    "--map", "id=Ticket ID", "--map", "created_at=Opened", "--map", "channel=Source", "--map", "customer.id=Account",
    "--map", "customer_tier=Plan", "--map", "subject=Subject", "--map", "body=Customer message",
    "--map", "resolution=Agent answer", "--map", "resolved_by_article_ids=KB articles", "--map", "tags=Labels",
)
CSV_PROBLEMS = [
    "helpdesk_export.csv:7 (ticket HD-503): column 'Customer message' (body) is empty; every ticket needs one",
    "helpdesk_export.csv:8 (ticket HD-501): duplicate ticket id 'HD-501' (first on line 2; ids must be unique)",
    "helpdesk_export.csv:10 (ticket HD-506): row has 12 cells but the header has 11 (an unquoted delimiter or a missing quote?)",
    "helpdesk_export.csv:11 (ticket HD-507): column 'Plan': Input should be 'free', 'pro', 'business' or 'enterprise' (got 'gold')",
]
NO_REQUESTER_COMMENT = ("no public comment by the requester (user 18112004); internal notes and agent replies are never "
                        "used as the customer's message")
NO_COMMENTS = "no comments in the export (use the full JSON export, or add each ticket's comments to it)"
ZENDESK_PROBLEMS = [
    f"zendesk_export.json:190 (ticket ZD-35439): {NO_REQUESTER_COMMENT}",
    f"zendesk_export.json:372 (ticket ZD-35442): {NO_COMMENTS}",
]
NDJSON_PROBLEMS = [
    f"zendesk_export.ndjson:4 (ticket ZD-35439): {NO_REQUESTER_COMMENT}",
    f"zendesk_export.ndjson:7 (ticket ZD-35442): {NO_COMMENTS}",
    "zendesk_export.ndjson:9 (ticket ZD-35444): not valid JSON: Unterminated string starting at (column 687)",
]


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    """The fixtures in a folder without kbops.toml, so the defaults apply."""
    folder = tmp_path / "exports"
    shutil.copytree(FIXTURES, folder)
    return folder


@pytest.mark.parametrize(
    ("name", "options", "usable", "expected"),
    [
        ("helpdesk_export.csv", CSV_MAP, 4, CSV_PROBLEMS),
        ("zendesk_export.json", (), 6, ZENDESK_PROBLEMS),
        ("zendesk_export.ndjson", (), 6, NDJSON_PROBLEMS),
    ],
)
def test_check_lists_every_bad_record(exports: Path, name: str, options: tuple[str, ...], usable: int,
                                      expected: list[str]) -> None:
    result = run_kbops("tickets", "check", name, *options, cwd=exports)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == expected
    assert f"{usable} usable tickets, {len(expected)} problems" in result.stderr


def test_check_strict_exits_2_naming_the_first_problem(exports: Path) -> None:
    result = run_kbops("tickets", "check", "zendesk_export.ndjson", "--strict", cwd=exports)
    assert result.returncode == 2
    assert result.stdout.splitlines() == NDJSON_PROBLEMS
    assert f"error: 3 problems (--strict); the first: {NDJSON_PROBLEMS[0]}" in " ".join(result.stderr.split())


def test_check_json(exports: Path) -> None:
    result = run_kbops("tickets", "check", "helpdesk_export.csv", "--format", "csv", *CSV_MAP, "--json", cwd=exports)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["version"], report["format"], report["tickets"]) == (1, "csv", 4)
    assert [(p["line"], p["ticket_id"]) for p in report["problems"]] == [
        (7, "HD-503"), (8, "HD-501"), (10, "HD-506"), (11, "HD-507")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("helpdesk_export.csv",), "no 'id' column for the required field 'id'"),
        (("zendesk_export.json", "--map", "id=Ticket ID"), "a column mapping (--map) is for CSV files only"),
        (("helpdesk_export.csv", "--map", "Ticket ID"), "expected FIELD=COLUMN"),
        (("missing.csv",), "missing.csv: ticket file not found"),
    ],
)
def test_check_unusable_input_is_exit_2(exports: Path, args: tuple[str, ...], message: str) -> None:
    result = run_kbops("tickets", "check", *args, cwd=exports)
    assert result.returncode == 2
    assert message in " ".join(result.stderr.split())


def demo_project(tmp_path: Path, eval_config: str) -> Path:
    project = project_copy(tmp_path)
    config = (project / "kbops.toml").read_text()
    assert "[eval]" not in config
    (project / "kbops.toml").write_text(config + "\n[eval]\n" + eval_config)
    for fixture in FIXTURES.iterdir():
        shutil.copy(fixture, project / fixture.name)
    return project


def test_eval_replays_exports_and_reports_their_problems(tmp_path: Path) -> None:
    """Zendesk: the full verdict range. CSV: columns from kbops.toml, plus one from --map."""
    project = demo_project(tmp_path, (
        "zendesk_article_field = 360033333\n"
        'csv_columns = { id = "Ticket ID", customer_tier = "Plan", resolved_by_article_ids = "KB articles" }\n'
    ))
    result = run_kbops("eval", "--tickets", "zendesk_export.json", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    assert run["problems"] == ZENDESK_PROBLEMS
    assert run["tickets_file"] == "zendesk_export.json"
    verdicts = {r["ticket_id"]: r["verdict"] for r in run["results"]}
    assert verdicts == {
        "ZD-35436": "deflected",  # CSV export; gold article from a kb: tag
        "ZD-35437": "deflected",  # Excel import; gold article from a kb: custom field value
        "ZD-35438": "gated",      # refund of a double charge
        "ZD-35440": "gated",      # enterprise customer (tag)
        "ZD-35441": "deflected",  # password reset; gold article from eval.zendesk_article_field
        "ZD-35443": "gap",        # dark mode: the demo KB has no article
    }
    sso = next(r for r in run["results"] if r["ticket_id"] == "ZD-35440")
    assert (sso["tier"], "vip_customer" in sso["reasons"]) == ("enterprise", True)
    for problem in ZENDESK_PROBLEMS:
        assert problem.split(":")[1] in result.stderr  # "skipped ..." lines on stderr

    result = run_kbops("eval", "--tickets", "helpdesk_export.csv", "--ticket-format", "csv",
                       "--map", "body=Customer message", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    assert [p.split(":")[1].split(" ")[0] for p in run["problems"]] == ["7", "8", "10", "11"]
    verdicts = {r["ticket_id"]: r["verdict"] for r in run["results"]}
    assert list(verdicts) == ["HD-501", "HD-502", "HD-505", "HD-508"]
    assert (verdicts["HD-501"], verdicts["HD-505"], verdicts["HD-508"]) == ("deflected", "gated", "deflected")

    result = run_kbops("eval", "--tickets", "zendesk_export.json", "--ticket-format", "csv", "--json", cwd=project)
    assert result.returncode == 2  # read as CSV it has no "Ticket ID" column (eval.csv_columns): bad input
    assert "column mapping id=Ticket ID (--map or eval.csv_columns): no such column" in " ".join(result.stderr.split())
