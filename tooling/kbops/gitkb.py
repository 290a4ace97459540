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


class GitRefError(Exception):
    """A ref that does not resolve, or a KB folder outside any git repository."""


@dataclass(frozen=True)
class KBAtRef:
    commit: str
    files: tuple[tuple[str, bytes], ...]
    """(path relative to the work tree, bytes) of every article under the KB folder."""


def kb_files_at(kb_dir: Path, ref: str) -> KBAtRef:
    """The KB folder's Markdown files as they are at `ref`, read from git objects: the
    user's checkout, index and branches are never touched."""
    import git

    try:
        repo = git.Repo(kb_dir, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise GitRefError(f"{kb_dir} is not inside a git repository, so there is no baseline to compare") from exc
    try:
        commit = repo.commit(ref)
    except (git.BadName, ValueError) as exc:
        raise GitRefError(f"git ref '{ref}' does not resolve to a commit (try a branch, tag or sha)") from exc
    top = Path(repo.working_tree_dir or kb_dir).resolve()
    rel = kb_dir.resolve().relative_to(top).as_posix()
    try:
        tree = commit.tree / rel if rel not in ("", ".") else commit.tree
    except KeyError:
        return KBAtRef(commit.hexsha, ())  # the KB folder did not exist yet at that commit
    files = tuple(
        (blob.path, blob.data_stream.read())
        for blob in tree.traverse()
        if blob.type == "blob" and blob.path.endswith(".md")
    )
    return KBAtRef(commit.hexsha, tuple(sorted(files)))
