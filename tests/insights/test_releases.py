"""Releases from the configured TOML file and from git tags in a real repository."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import git
import pytest

from kbops.config import Settings
from kbops.errors import ConfigError
from kbops.insights.releases import Release, load_releases, merge_releases, release_before


def settings(root: Path, **history: str) -> Settings:
    return Settings(root=root).with_changes(history=history)


def test_the_file_is_read_oldest_first(tmp_path: Path) -> None:
    (tmp_path / "releases.toml").write_text(
        '[[release]]\nversion = "2.4.0"\ndate = 2026-11-16\nnotes = "new board engine"\n\n'
        '[[release]]\nversion = "2.3.0"\ndate = "2026-10-01"\n'
    )
    found = load_releases(settings(tmp_path), tmp_path)
    assert found == [Release("2.3.0", date(2026, 10, 1), "", "releases.toml"),
                     Release("2.4.0", date(2026, 11, 16), "new board engine", "releases.toml")]


def test_a_missing_file_means_no_releases(tmp_path: Path) -> None:
    assert load_releases(settings(tmp_path), tmp_path) == []


@pytest.mark.parametrize(("text", "problem"), [
    ('[[release]]\nversion = "1.0"\ndate = "soon"\n', "release 1 (1.0): `date` must be a date"),
    ('[[release]]\ndate = 2026-01-01\n', "release 1: `version` is missing"),
    ('[[release]]\nversion = "1.0"\ndate = 2026-01-01\nowner = "x"\n', "unknown keys owner"),
    ('release = "1.0"\n', "array of tables"),
    ("[[release]\n", "not valid TOML"),
])
def test_a_bad_file_names_the_file_and_the_entry(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "releases.toml").write_text(text)
    with pytest.raises(ConfigError, match="releases.toml") as raised:
        load_releases(settings(tmp_path), tmp_path)
    assert problem in str(raised.value) and raised.value.exit_code == 2


def commit_and_tag(repo: git.Repo, root: Path, name: str, when: str, annotated: bool = False) -> None:
    (root / "notes.txt").write_text(name)
    repo.index.add(["notes.txt"])
    env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    with repo.git.custom_environment(**env):
        repo.git.commit("-m", name)
        if annotated:
            repo.git.tag("-a", name, "-m", f"release {name}")
        else:
            repo.git.tag(name)


def test_git_tags_matching_the_pattern_are_releases(tmp_path: Path) -> None:
    repo = git.Repo.init(tmp_path)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test").set_value("user", "email", "test@example.com")
    commit_and_tag(repo, tmp_path, "v2.3.0", "2026-10-01T12:00:00+00:00")
    commit_and_tag(repo, tmp_path, "v2.4.0", "2026-11-16T08:00:00+00:00", annotated=True)
    commit_and_tag(repo, tmp_path, "nightly-7", "2026-11-20T08:00:00+00:00")
    (tmp_path / "releases.toml").write_text('[[release]]\nversion = "2.4.0"\ndate = 2026-11-17\nnotes = "board"\n')
    found = load_releases(settings(tmp_path), tmp_path)
    assert [(r.version, r.date, r.source) for r in found] == [
        ("v2.3.0", date(2026, 10, 1), "git tag"),
        ("2.4.0", date(2026, 11, 17), "releases.toml"),  # the file wins over the tag of the same version
    ]
    assert load_releases(settings(tmp_path, release_tags="", releases=""), tmp_path) == []
    assert os.path.isdir(tmp_path / ".git")


def test_outside_git_tags_are_none(tmp_path: Path) -> None:
    assert load_releases(settings(tmp_path), tmp_path / "nowhere") == []


def test_the_release_an_issue_follows_is_the_latest_within_the_window() -> None:
    releases = merge_releases([Release("2.3", date(2026, 11, 10)), Release("2.4", date(2026, 11, 14))], [])
    assert release_before(releases, date(2026, 11, 16), 7) == releases[1]
    assert release_before(releases, date(2026, 11, 12), 7) == releases[0]
    assert release_before(releases, date(2026, 11, 22), 7) is None
    assert release_before(releases, date(2026, 11, 9), 7) is None
