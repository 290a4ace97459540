"""Personal data planted in a ticket (body, subject, resolution, a CSV tier cell, a customer
id) leaves kbops through no exit: not the eval report in any format, the saved run, the
checkpoint, the gap report (saved, JSON, Markdown, table), a draft article, the draft's
commit or PR text, the escalation package, `kbops tickets check`, nor a terminal."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import git
import pytest

from kbops.evals.replay import Checkpoint, replay
from kbops.workspace import Workspace
from tests.conftest import run_kbops
from tests.factories import article_text, kb_project

pytestmark = pytest.mark.slow

SECRETS = ("jane", "acme", "hannah", "lumenworks", "sven", "lindqvist", "julia", "fastmail", "okafor")
"""Names and domains of the planted emails: none may appear anywhere, in any spelling."""
SECRET_NUMBERS = ("4155550132", "370400440532013000", "123456789", "4111111111111111")
"""The planted phone, IBAN, SSN and card digits: none may appear as a digit run."""

PII = ("write to jane.doe@acme.example or jane dot doe at acme dot example, "
       "call +1\u00a0415\u00a0555\u00a00132, IBAN de89-3704-0044-0532-0130-00, SSN 123-45-6789, "
       "card 4111.1111.1111.1111")
ARTICLES = (
    article_text("export-project-csv", title="Export a project to CSV", tags="[export, csv]", body=(
        "Download every task of a project as a spreadsheet.\n\n## Steps\n\n"
        "1. Open the project.\n2. Click More and choose Export, then CSV.\n3. Click Export.\n")),
    article_text("reset-password", title="Reset your password", tags="[login]", body=(
        "Use Forgot password on the sign-in page.\n\n## Steps\n\n"
        "1. Click Forgot password.\n2. Open the newest reset email within 60 minutes.\n")),
)
TICKETS = [
    {"id": "T-1", "subject": "export question", "body": f"How do I export my project to CSV? {PII}",
     "resolution": "Open the project, click More and choose Export, then CSV.", "customer_id": "C-1",
     "customer_tier": "free", "resolved_by_article_ids": "export-project-csv", "tags": "technical"},
    {"id": "T-2", "subject": "timesheets for hannah.berg@lumenworks.example",
     "body": f"Where do I find timesheets of hours per person for payroll? {PII}",
     "resolution": "Tasklane doesn't have time tracking yet. As a workaround add a number custom field "
                   "like Hours spent and export it. I emailed jane.doe@acme.example about it.",
     "customer_id": "julia.okafor@fastmail.example", "customer_tier": "business",
     "resolved_by_article_ids": "", "tags": "feature-request"},
    {"id": "T-3", "subject": "billable hours report",
     "body": f"Is there a timer for billable hours per client each month? {PII}",
     "resolution": "There's no timer or billable-hours report today. Track time in a dedicated tool, or record "
                   "hours in a custom number field and export it.", "customer_id": "C-3", "customer_tier": "pro",
     "resolved_by_article_ids": "", "tags": "feature-request"},
    {"id": "T-4", "subject": "password reset", "body": "The reset email never comes.",
     "resolution": "Use the newest reset email.", "customer_id": "C-4",
     "customer_tier": "sven.lindqvist@post.example", "resolved_by_article_ids": "reset-password", "tags": "account"},
]


def leaks(text: str) -> list[str]:
    """Planted values found in `text`, however an output escaped them (Markdown's zero-width
    joiners and backslashes, HTML entities, JSON escapes, Unicode spaces)."""
    plain = re.sub(r"\\u(?:00a0|200d)", "", text).replace("\u200d", "").replace("\\", "").lower()
    found = [s for s in SECRETS if s in plain]
    digits = re.sub(r"\D", "", plain)
    return found + [n for n in SECRET_NUMBERS if n in digits]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = kb_project(tmp_path_factory.mktemp("exits") / "project", *ARTICLES)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(TICKETS[0]))
    writer.writeheader()
    writer.writerows(TICKETS)
    (root / "tickets.csv").write_text(buffer.getvalue())
    (root / "kbops.toml").write_text('[kb]\npath = "kb"\n\n[eval]\ntickets = "tickets.csv"\n')
    repo = git.Repo.init(root, initial_branch="main")
    repo.git.add(A=True)
    repo.index.commit("KB and tickets")
    return root


def ok(project: Path, *args: str) -> str:
    result = run_kbops(*args, cwd=project)
    assert result.returncode in (0, 3), f"kbops {' '.join(args)}:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    assert leaks(result.stderr) == [], (args, leaks(result.stderr), result.stderr)
    return result.stdout


def test_the_planted_values_are_really_in_the_tickets() -> None:
    text = json.dumps(TICKETS)
    assert sorted(leaks(text)) == sorted([*SECRETS, *SECRET_NUMBERS])


def test_eval_reports_and_saved_runs_carry_no_personal_data(project: Path, tmp_path: Path) -> None:
    run = json.loads(ok(project, "eval", "--format", "json"))
    assert len(run["results"]) == 3 and len(run["problems"]) == 1  # the tier cell is an unreadable record
    assert "customer_tier" in run["problems"][0] and "[EMAIL]" in run["problems"][0]
    outputs = {"json": json.dumps(run), "md": ok(project, "report", "--format", "md")}
    ok(project, "report", "--format", "html", "-o", str(tmp_path / "report.html"))
    outputs["html"] = (tmp_path / "report.html").read_text()
    outputs |= {f"saved {p.name}": p.read_text() for p in (project / ".kbops" / "runs").glob("*.json")}
    outputs["tickets check"] = ok(project, "tickets", "check", "tickets.csv")
    for name, text in outputs.items():
        assert leaks(text) == [], (name, leaks(text))
    assert "\\[EMAIL\\]" in outputs["md"] and "[EMAIL]" in outputs["html"]  # the problem is listed, redacted


def test_checkpoints_carry_no_personal_data(project: Path, tmp_path: Path) -> None:
    with Workspace.open(project / "kbops.toml") as ws:
        tickets = ws.tickets(project / "tickets.csv").tickets
        checkpoint = tmp_path / "checkpoint.jsonl"
        replay(ws.agent, ws.embedder, tickets, ws.settings.eval.correctness_threshold,
               Checkpoint(checkpoint, {"run": "test"}))
    text = checkpoint.read_text()
    assert text.count("\n") == 1 + len(tickets) and leaks(text) == [], leaks(text)


def test_gap_reports_drafts_and_pr_text_carry_no_personal_data(project: Path) -> None:
    outputs = {
        "gaps json": ok(project, "gaps", "--json"),
        "gaps md": ok(project, "gaps", "--format", "md"),
        "gaps table": ok(project, "gaps"),
    }
    outputs |= {f"saved {p.name}": p.read_text() for p in (project / ".kbops" / "runs" / "gaps").glob("*.json")}
    report = json.loads(outputs["gaps json"])
    assert any({"T-2", "T-3"} <= set(g["ticket_ids"]) for g in report["gaps"]), report
    assert all(c.startswith(("C-", "customer-")) for g in report["gaps"] for c in g["customers"])

    repo = git.Repo(project)
    for name in ("@{-1}", "refs/heads/main", "kb/gap 1"):
        refused = run_kbops("gaps", "draft", "--top", "1", "--branch", name, cwd=project)
        assert refused.returncode == 2 and "branch name" in refused.stderr and "Traceback" not in refused.stderr
    drafted = json.loads(ok(project, "gaps", "draft", "--top", "1", "--branch", "kb/gap-1", "--json"))
    # the project has no .gitignore: kbops' own state folder keeps itself out of `git status`
    assert repo.git.status("--porcelain", "--untracked-files=all") == "" and repo.active_branch.name == "main"
    branch = repo.heads["kb/gap-1"].commit
    outputs["pr"] = drafted["pr_description"]
    outputs["commit message"] = branch.message
    outputs |= {f"on branch {d.b_path}": (branch.tree / d.b_path).data_stream.read().decode()
                for d in repo.head.commit.diff(branch)}
    ok(project, "gaps", "draft", "--top", "1")
    outputs |= {f"file {p.name}": p.read_text() for p in (project / "kb" / "drafts").glob("*")}
    assert any(name.startswith("file ") for name in outputs) and any(name.startswith("on branch") for name in outputs)
    for name, text in outputs.items():
        assert leaks(text) == [], (name, leaks(text))


def test_escalation_package_carries_no_personal_data(project: Path) -> None:
    body = f"I want a refund for last month, please. {PII}"
    subject = "refund for hannah.berg@lumenworks.example"
    as_json = json.loads(ok(project, "ask", body, "--subject", subject, "--ticket-id", "T-9", "--json"))
    assert as_json["action"] == "escalate" and as_json["escalation_package"] is not None
    package_md = ok(project, "ask", body, "--subject", subject, "--ticket-id", "T-9")
    for name, text in {"package": json.dumps(as_json["escalation_package"]), "markdown": package_md}.items():
        assert leaks(text) == [], (name, leaks(text))
