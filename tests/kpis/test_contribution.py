"""KB contribution on a real git repository with two authors: who created and updated which
articles in the period, and the period's deflected tickets those articles answered."""

from __future__ import annotations

from pathlib import Path

import git

from kbops.config import Settings
from kbops.gitkb import kb_changes
from kbops.kb.loader import load_kb
from kbops.kpis.contribution import NO_OWNER
from kbops.kpis.period import KpiPeriod
from kbops.kpis.report import build_kpis
from tests.factories import article_text
from tests.kpis.history import history_ticket

ANA = git.Actor("Ana Writer", "ana.writer@example.com")
BEN = git.Actor("Ben Editor", "ben@example.com")


def commit(repo: git.Repo, who: git.Actor, when: str, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = Path(repo.working_tree_dir or ".") / "kb" / name
        path.write_text(text)
        repo.index.add([str(path)])
    stamp = f"{when}T10:00:00"  # gitpython reads ISO 8601 without an offset as UTC
    repo.index.commit(f"{who.name} edits", author=who, committer=who, author_date=stamp, commit_date=stamp)


def project(root: Path) -> Path:
    (root / "kb").mkdir(parents=True)
    (root / "kbops.toml").write_text('[kb]\npath = "kb"\n')
    repo = git.Repo.init(root)
    commit(repo, BEN, "2026-10-05", {"old.md": article_text("old", owner="ben")})
    commit(repo, ANA, "2026-11-03", {"export-csv.md": article_text("export-csv", owner="ana"),
                                     "import-csv.md": article_text("import-csv", owner="ana")})
    commit(repo, BEN, "2026-11-12", {"export-csv.md": article_text("export-csv", owner="ana", summary="New.")})
    commit(repo, BEN, "2026-11-13", {"old.md": article_text("old", owner=None, summary="Touched.")})
    commit(repo, ANA, "2026-12-01", {"later.md": article_text("later", owner="ana")})
    return root


def test_authors_are_credited_for_their_articles_in_the_period(tmp_path: Path) -> None:
    root = project(tmp_path)
    period = KpiPeriod.parse("2026-11")
    changes = kb_changes(root / "kb", period.start, period.end)
    assert changes is not None and {(c.author, c.status, c.path) for c in changes} == {
        ("Ana Writer", "A", "export-csv.md"), ("Ana Writer", "A", "import-csv.md"),
        ("Ben Editor", "M", "export-csv.md"), ("Ben Editor", "M", "old.md")}
    tickets = [history_ticket("D-1", "resolved_by_agent", day="2026-11-14", cited=("export-csv",)),
               history_ticket("D-2", "resolved_by_agent", cited=("export-csv", "import-csv")),  # before Ben's edit
               history_ticket("D-3", "resolved_by_agent", day="2026-11-20", cited=("old",)),
               history_ticket("R-1", "reopened", cited=("import-csv",)),  # not deflected
               history_ticket("D-0", "resolved_by_agent", day="2026-10-20", cited=("old",))]  # another month
    kb = load_kb(Settings(root=root), root / "kb")
    report = build_kpis(period, tickets, [], trend_periods=1, history_span=(tickets[-1].created_at,
                        tickets[0].created_at), history_tickets=5, changes=changes, kb=kb)  # type: ignore[arg-type]
    authors = {a.author: a for a in report.contribution.authors}
    assert (authors["Ana Writer"].created, authors["Ana Writer"].updated, authors["Ana Writer"].deflected) == (
        ("export-csv", "import-csv"), (), 2)
    # an edit is credited only with tickets opened after it: D-2 came before Ben's edit of export-csv
    assert (authors["Ben Editor"].created, authors["Ben Editor"].updated, authors["Ben Editor"].deflected) == (
        (), ("export-csv", "old"), 2)
    assert [a.author for a in report.contribution.authors] == ["Ana Writer", "Ben Editor"]  # ties: by name
    owners = {o.owner: (o.articles, o.deflecting_articles, o.deflected) for o in report.contribution.owners}
    assert owners == {"ana": (3, 2, 2), NO_OWNER: (1, 1, 1)}
    document = str(report.as_dict())
    assert "example.com" not in document and "Ana Writer" in document


def test_outside_git_there_are_no_authors(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    period = KpiPeriod.parse("2026-11")
    assert kb_changes(tmp_path / "kb", period.start, period.end) is None
    git.Repo.init(tmp_path)  # a repository without commits
    assert kb_changes(tmp_path / "kb", period.start, period.end) is None
