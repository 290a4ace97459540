"""Writing a planned repository to disk: refuse to overwrite anything unless forced, write
each file atomically, and `git init` a folder that is not yet in a repository.

Nothing is committed: the team reviews what init wrote and makes the first commit itself.
gitpython is imported inside the function that needs it (`kbops --help` stays fast).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..files import write_atomic
from .plan import PlannedFile, ScaffoldError

SCHEMA_VERSION = 1


class FileStatus(StrEnum):
    WRITTEN = "written"
    OVERWRITTEN = "overwritten"


@dataclass(frozen=True)
class WrittenFile:
    path: str
    purpose: str
    status: FileStatus


@dataclass(frozen=True)
class InitResult:
    root: Path
    files: tuple[WrittenFile, ...]
    git_initialised: bool
    """True when init created the repository; False when `root` was already inside one."""

    def to_json(self, next_steps: list[str]) -> dict[str, object]:
        """Versioned JSON of the result; `next_steps` are the commands to run next."""
        return {
            "version": SCHEMA_VERSION,
            "root": str(self.root),
            "files": [{"path": f.path, "purpose": f.purpose, "status": str(f.status)} for f in self.files],
            "git_initialised": self.git_initialised,
            "next": next_steps,
        }


NEXT_COMMANDS = ("kbops lint", "kbops index", "kbops eval", "kbops site build")
"""What to run after init, in order: each one works on the files init wrote."""


def existing_targets(plan: list[PlannedFile], root: Path) -> list[str]:
    """Planned paths that already exist (or are a broken symlink) under `root`."""
    return [item.target for item in plan if (root / item.target).exists() or (root / item.target).is_symlink()]


def write_scaffold(plan: list[PlannedFile], root: Path, force: bool = False) -> InitResult:
    """Write every planned file under `root` (created if missing), then `git init` it if needed.

    Without `force`, any planned file that exists stops init before it writes anything, and
    the error lists all of them at once (not just the first)."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{root} exists and is not a folder")
    taken = existing_targets(plan, root)
    blocked = [target for target in taken if (root / target).is_dir()]
    if blocked:
        raise ScaffoldError(f"{root}: cannot write over these folders, even with --force: {', '.join(blocked)}")
    if taken and not force:
        raise ScaffoldError(
            f"{root}: {len(taken)} of the files kbops init writes already exist: {', '.join(taken)}; "
            "nothing was written (--force overwrites them)"
        )
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for item in plan:
        write_atomic(root / item.target, item.text)
        status = FileStatus.OVERWRITTEN if item.target in taken else FileStatus.WRITTEN
        written.append(WrittenFile(item.target, item.purpose, status))
    return InitResult(root.resolve(), tuple(written), git_init_if_needed(root))


def git_init_if_needed(root: Path) -> bool:
    """`git init` `root` unless it is already inside a work tree; True when it created one."""
    try:
        import git  # lazy: see the module docstring
    except ImportError as exc:  # gitpython raises ImportError when no git executable is found
        raise ScaffoldError(f"files written, but git is not available to create the repository ({exc}); "
                            f"install git and run `git init {root}`") from exc
    try:
        git.Repo(root, search_parent_directories=True)
        return False
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        pass
    try:
        git.Repo.init(root)
    except git.GitCommandError as exc:
        raise ScaffoldError(f"files written, but `git init {root}` failed: {exc.stderr.strip() or exc}") from exc
    return True
