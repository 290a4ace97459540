"""Provenance: `git blame` per line (gitkb.py) and per section, cached per KB commit
(kb/provenance.py), on a real repository where two authors edit different sections."""

from __future__ import annotations

import json
from pathlib import Path

import git

from kbops.config import Settings
from kbops.gitkb import UNCOMMITTED, blame_files
from kbops.kb.loader import load_kb
from kbops.kb.provenance import PROVENANCE_FILE, kb_provenance, section_lines
from tests.factories import article_text, kb_project

BODY = "Intro line.\n\n## Steps\n\n1. Open settings.\n\n## Troubleshooting\n\nRestart the app.\n"
ANA = git.Actor("Ana Lima", "ana@example.com")
BEN = git.Actor("Ben Okafor", "ben@example.com")


def commit(repo: git.Repo, actor: git.Actor, message: str, when: int) -> str:
    repo.git.add(A=True)
    stamp = f"{when} +0200"
    return repo.index.commit(message, author=actor, committer=actor, author_date=stamp, commit_date=stamp).hexsha


def two_author_project(tmp_path: Path) -> tuple[Path, git.Repo, str, str]:
    """Ana writes the article; Ben then rewrites only its Troubleshooting section."""
    root = kb_project(tmp_path / "project", article_text("reset-password", body=BODY))
    (root / ".gitignore").write_text(".kbops/\n")
    repo = git.Repo.init(root)
    first = commit(repo, ANA, "article", 1_700_000_000)
    path = root / "kb" / "reset-password.md"
    path.write_text(path.read_text().replace("Restart the app.", "Sign out, then sign in again."))
    second = commit(repo, BEN, "troubleshooting", 1_700_100_000)
    return root, repo, first, second


def load(root: Path):  # type: ignore[no-untyped-def]
    return load_kb(Settings(root=root))


def test_each_section_gets_the_author_who_last_changed_it(tmp_path: Path) -> None:
    root, _, first, second = two_author_project(tmp_path)
    kb = load(root)

    provenance = kb_provenance(kb, root / ".kbops" / PROVENANCE_FILE)

    assert provenance.of("reset-password", "steps").commit == first
    assert provenance.of("reset-password", "steps").author == "Ana Lima"
    assert provenance.of("reset-password", "").author == "Ana Lima"  # the introduction
    trouble = provenance.of("reset-password", "troubleshooting")
    assert (trouble.commit, trouble.author) == (second, "Ben Okafor")
    assert trouble.committed_at == "2023-11-16T04:00:00+02:00"
    assert "ben@example.com" not in json.dumps(provenance.sections, default=str)
    assert provenance.authors() == {"Ana Lima", "Ben Okafor"}
    assert provenance.of("reset-password", "no-such-section").commit == second  # the article's newest


def test_sections_span_heading_to_the_next_heading(tmp_path: Path) -> None:
    root, *_ = two_author_project(tmp_path)
    article = load(root).articles[0]
    lines = (root / "kb" / "reset-password.md").read_text().split("\n")

    ranges = section_lines(article)

    assert [anchor for anchor, _, _ in ranges] == ["", "steps", "troubleshooting"]
    assert lines[ranges[1][1] - 1] == "## Steps" and lines[ranges[2][1] - 1] == "## Troubleshooting"
    assert ranges[1][2] == ranges[2][1] - 1 and lines[ranges[2][2] - 1] == "Sign out, then sign in again."


def test_an_uncommitted_edit_shows_uncommitted_only_where_it_is(tmp_path: Path) -> None:
    root, _, first, _ = two_author_project(tmp_path)
    path = root / "kb" / "reset-password.md"
    path.write_text(path.read_text().replace("Sign out, then sign in again.", "Clear the cache."))

    provenance = kb_provenance(load(root), root / ".kbops" / PROVENANCE_FILE)

    assert provenance.of("reset-password", "troubleshooting").commit == UNCOMMITTED
    assert provenance.of("reset-password", "troubleshooting").author == ""
    assert provenance.of("reset-password", "steps").commit == first


def test_the_cache_is_reused_and_a_new_commit_invalidates_it(tmp_path: Path) -> None:
    root, repo, _, second = two_author_project(tmp_path)
    cache = root / ".kbops" / PROVENANCE_FILE
    kb_provenance(load(root), cache)
    saved = json.loads(cache.read_text())
    assert saved["commit"] == second
    # a forged cache entry for the same commit and content is what the next command reads
    entry = saved["files"]["kb/reset-password.md"]["sections"]["steps"]
    entry["author"] = "From The Cache"
    cache.write_text(json.dumps(saved))
    assert kb_provenance(load(root), cache).of("reset-password", "steps").author == "From The Cache"

    path = root / "kb" / "reset-password.md"
    path.write_text(path.read_text().replace("1. Open settings.", "1. Open your profile."))
    third = commit(repo, BEN, "steps", 1_700_200_000)
    provenance = kb_provenance(load(root), cache)

    assert provenance.of("reset-password", "steps").author == "Ben Okafor"
    assert provenance.of("reset-password", "steps").commit == third
    assert json.loads(cache.read_text())["commit"] == third


def test_a_damaged_cache_is_set_aside_and_rebuilt(tmp_path: Path) -> None:
    root, _, first, _ = two_author_project(tmp_path)
    cache = root / ".kbops" / PROVENANCE_FILE
    cache.parent.mkdir()
    cache.write_text("{not json")
    told: list[str] = []

    provenance = kb_provenance(load(root), cache, told.append)

    assert provenance.of("reset-password", "steps").commit == first
    assert len(told) == 1 and "unreadable provenance cache" in told[0] and "rebuilding it" in told[0]
    assert json.loads(cache.read_text())["commit"]
    assert list(cache.parent.glob(f"{PROVENANCE_FILE}*corrupt*")) or len(list(cache.parent.iterdir())) == 2


def test_outside_git_there_is_no_provenance_and_no_error(tmp_path: Path) -> None:
    root = kb_project(tmp_path / "project", article_text("reset-password", body=BODY))

    provenance = kb_provenance(load(root), root / ".kbops" / PROVENANCE_FILE)

    change = provenance.of("reset-password", "steps")
    assert (change.commit, change.author, change.committed_at) == ("", "", "")
    assert blame_files([root / "kb" / "reset-password.md"]) is None
    assert not (root / ".kbops").exists()


def test_an_untracked_file_is_uncommitted_throughout(tmp_path: Path) -> None:
    root, *_ = two_author_project(tmp_path)
    new = root / "kb" / "new-article.md"
    new.write_text(article_text("new-article", body=BODY))

    blamed = blame_files([new])

    assert blamed is not None and {line.commit for line in blamed[new.resolve()]} == {UNCOMMITTED}
    assert kb_provenance(load(root), None).of("new-article", "steps").commit == UNCOMMITTED


def test_commits_in_the_same_second_are_ordered_by_ancestry(tmp_path: Path) -> None:
    root = kb_project(tmp_path / "project", article_text("reset-password", body=BODY))
    repo = git.Repo.init(root)
    commit(repo, BEN, "article", 1_700_000_000)
    path = root / "kb" / "reset-password.md"
    path.write_text(path.read_text().replace("Restart the app.", "Reinstall the app."))
    later = commit(repo, ANA, "same second", 1_700_000_000)

    change = kb_provenance(load(root), None).of("reset-password", "troubleshooting")

    assert (change.commit, change.author) == (later, "Ana Lima")
