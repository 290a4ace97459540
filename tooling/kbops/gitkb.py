"""gitpython helpers: which commit a KB folder is at, and (later) the KB at a ref.

Git is optional: a KB outside a repository has no commit, which is reported, not fatal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class KBRevision:
    commit: str | None
    """HEAD's sha, or None outside a git repository (or in one with no commits)."""
    dirty: bool
    """True when files under the KB folder differ from HEAD (edited, added, deleted)."""

    def label(self) -> str:
        if self.commit is None:
            return "working tree (no git)"
        return f"{self.commit[:12]}{'+dirty' if self.dirty else ''}"


def kb_revision(kb_dir: Path) -> KBRevision:
    import git

    try:
        repo = git.Repo(kb_dir, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return KBRevision(None, True)
    try:
        commit = repo.head.commit.hexsha
    except ValueError:  # a repository without commits
        return KBRevision(None, True)
    rel = kb_dir.resolve().relative_to(Path(repo.working_tree_dir or kb_dir).resolve()).as_posix()
    dirty = repo.is_dirty(untracked_files=True, path=rel or None)
    return KBRevision(commit, dirty)
