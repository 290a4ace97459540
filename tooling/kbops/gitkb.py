"""All of kbops' git: which commit a KB folder is at, the KB at a ref, when each file last
changed, and commits on a new branch that never touch the user's checkout.

Git is optional: a KB outside a repository has no commit, which is reported, not fatal.
gitpython is imported inside each function: `kbops --help` and `kbops lint` never need it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cmp_to_key
from io import BytesIO
from pathlib import Path
from typing import Any

from .errors import EXIT_BAD_INPUT, KbopsError


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
    import git  # lazy: see the module docstring

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


class GitError(KbopsError):
    """A git operation kbops was asked for cannot be done (no repository, bad branch name)."""

    exit_code = EXIT_BAD_INPUT


class GitRefError(GitError):
    """A ref that does not resolve, or a KB folder outside any git repository."""


@dataclass(frozen=True)
class KBAtRef:
    commit: str
    files: tuple[tuple[str, bytes], ...]
    """(path relative to the work tree, bytes) of every article under the KB folder."""


def kb_files_at(kb_dir: Path, ref: str) -> KBAtRef:
    """The KB folder's Markdown files as they are at `ref`, read from git objects: the
    user's checkout, index and branches are never touched."""
    import git  # lazy: see the module docstring

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
        (str(item.path), item.data_stream.read())
        for item in tree.traverse()
        if isinstance(item, git.Blob) and str(item.path).endswith(".md")
    )
    return KBAtRef(commit.hexsha, tuple(sorted(files)))


def last_updated(kb_dir: Path, files: Iterable[Path]) -> dict[Path, tuple[date, str]]:
    """File -> (date of the last commit touching it, "git"), or (mtime date, "file") when
    the file is uncommitted, edited since, or outside git. One `git log` for all files."""
    files = [f.resolve() for f in files]
    dates: dict[Path, tuple[date, str]] = {}
    committed, dirty = _git_dates(kb_dir)
    for path in files:
        if path in committed and path not in dirty:
            dates[path] = (committed[path], "git")
        else:
            dates[path] = (date.fromtimestamp(path.stat().st_mtime), "file")
    return dates


def _git_dates(kb_dir: Path) -> tuple[dict[Path, date], set[Path]]:
    import git  # lazy: see the module docstring

    try:
        repo = git.Repo(kb_dir, search_parent_directories=True)
        top = Path(repo.working_tree_dir or kb_dir).resolve()
        rel = kb_dir.resolve().relative_to(top).as_posix()
        log = repo.git.log("--format=%x00%cI", "--name-only", "--no-renames", "--", rel or ".")
        status = repo.git.status("--porcelain", "-z", "--untracked-files=all", "--", rel or ".")
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError, ValueError):
        return {}, set()
    committed: dict[Path, date] = {}
    current: date | None = None
    for line in log.splitlines():
        if line.startswith("\x00"):
            current = datetime.fromisoformat(line[1:]).date()
        elif line.strip() and current is not None:
            committed.setdefault((top / line).resolve(), current)
    dirty: set[Path] = set()
    entries = status.split("\x00")
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) > 3:
            dirty.add((top / entry[3:]).resolve())
            if entry[0] in "RC":
                index += 1  # a rename's or copy's original path follows
    return committed, dirty


def current_branch(folder: Path, default: str = "main") -> str:
    """The checked-out branch of the repository holding `folder` (`default` when detached
    or outside git)."""
    import git  # lazy: see the module docstring

    try:
        return git.Repo(folder, search_parent_directories=True).active_branch.name
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, TypeError, ValueError):
        return default


def check_branch_name(repo_dir: Path, branch: str) -> None:
    """Refuse a name `git branch NAME` would refuse or read as something else: git's own rules
    (`git check-ref-format --branch`), names git expands (`@{-1}` is the previous branch),
    full ref names (`refs/heads/main` would be a branch called `refs/heads/main`), `@`, and
    branches that exist already. Called before anything is drafted, so a typo costs nothing."""
    repo = _repo_for_branch(repo_dir)
    _check_branch(repo, branch)


def _repo_for_branch(repo_dir: Path) -> Any:
    import git  # lazy: see the module docstring

    try:
        return git.Repo(repo_dir, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise GitError(f"{repo_dir} is not inside a git repository: --branch needs one") from exc


def _check_branch(repo: Any, branch: str) -> None:
    import git  # lazy: see the module docstring

    shown = f"'{branch}'" if branch.isprintable() else repr(branch)
    if branch.startswith(("refs/", "-")) or branch == "@":
        raise GitError(f"{shown} is not a branch name: give a new short name (e.g. kb/gap-1), not a ref, `@` or an option")
    try:
        expanded = repo.git.check_ref_format("--branch", branch)
        repo.git.check_ref_format(f"refs/heads/{branch}")
    except git.GitCommandError as exc:
        raise GitError(f"{shown} is not a valid branch name (git check-ref-format refuses it: no spaces, `..`, "
                       "`~^:?*[\\`, `@{`, or a trailing `.lock` or `/`)") from exc
    except git.CommandError as exc:
        raise GitError(f"git is needed for --branch and could not be run ({exc})") from exc
    if expanded != branch:
        raise GitError(f"{shown} is git shorthand for '{expanded}', not a new branch name: write the name out")
    if branch in [head.name for head in repo.heads]:
        raise GitError(f"branch {shown} already exists: choose another name or delete it")


def commit_files_on_branch(repo_dir: Path, branch: str, files: Mapping[str, str], message: str) -> str:
    """Commit `files` (path relative to `repo_dir` -> text) on a new branch from HEAD;
    returns the commit sha. Uses a private index file and writes objects only: HEAD, the
    index and the working tree stay as they are, uncommitted work included."""
    from git.objects.commit import Commit  # lazy: see the module docstring
    from gitdb import IStream

    repo = _repo_for_branch(repo_dir)
    _check_branch(repo, branch)
    try:
        base = repo.head.commit
    except ValueError as exc:
        raise GitError("the repository has no commits yet: commit the KB first") from exc
    top = Path(repo.working_tree_dir or repo_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="kbops-index-") as folder:
        env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
        repo.git.read_tree(base.hexsha, env=env)
        for rel_path, text in files.items():
            data = text.encode("utf-8")
            blob = repo.odb.store(IStream("blob", len(data), BytesIO(data)))
            path = (repo_dir.resolve() / rel_path).relative_to(top).as_posix()
            repo.git.update_index("--add", "--cacheinfo", f"100644,{blob.hexsha.decode()},{path}", env=env)
        tree_sha = repo.git.write_tree(env=env)
    commit = Commit.create_from_tree(repo, repo.tree(tree_sha), message, parent_commits=[base], head=False)
    repo.create_head(branch, commit)
    return commit.hexsha


def tags_with_dates(folder: Path, pattern: str) -> list[tuple[str, date]]:
    """(tag, date) of the tags matching the fnmatch `pattern` in the repository holding
    `folder`, oldest first: an annotated tag's date is when it was tagged, a lightweight
    tag's is its commit's. No repository (or no tags): an empty list."""
    import fnmatch

    import git  # lazy: see the module docstring

    try:
        repo = git.Repo(folder, search_parent_directories=True)
        listing = repo.git.for_each_ref("--format=%(refname:short)%00%(creatordate:iso-strict)", "refs/tags")
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError):
        return []
    found = []
    for line in listing.splitlines():
        name, _, stamp = line.partition("\x00")
        if stamp and fnmatch.fnmatchcase(name, pattern):
            found.append((name, datetime.fromisoformat(stamp).date()))
    return sorted(found, key=lambda item: (item[1], item[0]))


STATE_GITIGNORE = "# kbops state (index, caches, eval runs): rebuilt by kbops, never committed\n*\n"


def keep_state_out_of_git(root: Path, state_paths: Iterable[Path | None]) -> None:
    """Put a `.gitignore` holding `*` in each kbops state folder under the project `root` (as
    pytest and mypy do with their caches), so what kbops writes never shows in `git status`:
    drafting on a branch, or any command, leaves the working tree as `git` sees it untouched.
    For a state path inside a dot folder of the project (`.kbops/index`) that is the dot
    folder; otherwise the state folder itself. Only folders that exist are marked."""
    top = root.resolve()
    for path in state_paths:
        if path is None:
            continue
        path = path.resolve()
        try:
            parts = path.relative_to(top).parts
        except ValueError:
            continue  # outside the project: not in its working tree
        if not parts:
            continue
        folder = top / parts[0] if parts[0].startswith(".") else (path if path.is_dir() else path.parent)
        marker = folder / ".gitignore"
        if folder != top and folder.is_dir() and not marker.exists():
            try:
                marker.write_text(STATE_GITIGNORE)
            except OSError:
                continue  # a read-only folder: only `git status` suffers


@dataclass(frozen=True)
class KBChange:
    """One file of the KB folder touched by one commit (`kbops kpis`' contribution table)."""

    author: str
    """The author's name as git (and .mailmap) gives it; never the e-mail address."""
    authored_at: datetime
    commit: str
    status: str
    """`A` added, `M` modified, `D` deleted (renames are split into a delete and an add)."""
    path: str
    """Relative to the KB folder, with forward slashes."""


def kb_changes(kb_dir: Path, since: datetime, until: datetime) -> list[KBChange] | None:
    """Files under the KB folder changed by commits authored in [since, until), oldest
    first, merges left out (their changes are counted in the commits they merge). None
    outside a git repository or in one without commits: no history to credit."""
    import git  # lazy: see the module docstring

    try:
        repo = git.Repo(kb_dir, search_parent_directories=True)
        top = Path(repo.working_tree_dir or kb_dir).resolve()
        rel = kb_dir.resolve().relative_to(top).as_posix()
        log = repo.git.log("--no-merges", "--no-renames", "--reverse", "--name-status", "--format=%x00%H%x1f%aN%x1f%aI",
                           f"--since={since.isoformat()}", "--", rel or ".")  # committed after authored: none missed
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
        return None
    except git.GitCommandError:
        return None  # no commits yet (HEAD does not resolve)
    prefix = f"{rel}/" if rel and rel != "." else ""
    changes: list[KBChange] = []
    head: tuple[str, str, datetime] | None = None
    for line in log.splitlines():
        if line.startswith("\x00"):
            sha, author, when = line[1:].split("\x1f")
            head = (sha, author, datetime.fromisoformat(when))
        elif line.strip() and head is not None:
            status, _, path = line.partition("\t")
            at = head[2]
            if since <= at < until and path.startswith(prefix):  # --since looks at the committer date
                changes.append(KBChange(head[1], at, head[0], status[:1], path[len(prefix):]))
    return changes


UNCOMMITTED = "uncommitted"
"""The commit of a line edited (or added) since HEAD: it has no author yet."""


@dataclass(frozen=True)
class LineChange:
    """The commit that last changed one line of a file (`git blame`)."""

    commit: str
    """The commit's sha, or `UNCOMMITTED` for a line changed in the working tree."""
    author: str
    """The author's name (.mailmap applied); never the e-mail address. "" when uncommitted."""
    committed_at: str
    """When the commit was made (ISO 8601 with offset); "" when uncommitted."""
    sequence: int = 0
    """Higher is newer (time, then ancestry for one second's commits), within one `blame_files` answer."""


def blame_files(files: Iterable[Path]) -> dict[Path, list[LineChange]] | None:
    """Each file's lines as they are in the working tree (index 0 is line 1) -> the commit,
    author and date that last changed it. Working-tree blame, not HEAD's, so the line numbers
    match the files kbops loaded: an edited line shows `UNCOMMITTED`, the others keep their
    commit. None outside a git repository or in one without commits (no provenance)."""
    import git  # lazy: see the module docstring

    files = [f.resolve() for f in files]
    if not files:
        return {}
    try:
        repo = git.Repo(files[0].parent, search_parent_directories=True)
        repo.head.commit  # noqa: B018  (ValueError: a repository without commits)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
        return None
    top = Path(repo.working_tree_dir or files[0].parent).resolve()
    blamed: dict[Path, list[LineChange]] = {}
    for path in files:
        count = len(path.read_text(encoding="utf-8", errors="replace").splitlines())
        try:
            porcelain = repo.git.blame("--line-porcelain", "--", path.relative_to(top).as_posix())
        except (git.GitCommandError, ValueError):  # untracked, or outside this repository
            blamed[path] = [LineChange(UNCOMMITTED, "", "")] * count
            continue
        blamed[path] = _parse_line_porcelain(porcelain)
    return _in_commit_order(repo, blamed)


def _in_commit_order(repo: Any, blamed: dict[Path, list[LineChange]]) -> dict[Path, list[LineChange]]:
    """`sequence` set to each commit's place among all blamed commits, oldest first: by time,
    and for commits made in the same second, an ancestor before its descendant."""
    import git  # lazy: see the module docstring

    times = {c.commit: c.sequence for lines in blamed.values() for c in lines if c.commit != UNCOMMITTED}

    def older_first(a: str, b: str) -> int:
        if times[a] != times[b]:
            return -1 if times[a] < times[b] else 1
        try:
            return -1 if repo.is_ancestor(a, b) else 1 if repo.is_ancestor(b, a) else (a > b) - (a < b)
        except git.GitCommandError:
            return (a > b) - (a < b)

    place = {sha: n for n, sha in enumerate(sorted(times, key=cmp_to_key(older_first)), start=1)}
    return {path: [replace(c, sequence=place.get(c.commit, 0)) for c in lines] for path, lines in blamed.items()}


def _parse_line_porcelain(porcelain: str) -> list[LineChange]:
    """`git blame --line-porcelain`: a header per line (sha, then `key value` lines), then
    the line itself after a tab. An all-zero sha is a line not committed yet."""
    changes: list[LineChange] = []
    sha, fields = "", dict[str, str]()
    for line in porcelain.split("\n"):
        if line.startswith("\t"):
            if set(sha) == {"0"}:
                changes.append(LineChange(UNCOMMITTED, "", ""))
            else:
                unix_time, zone = int(fields.get("committer-time", "0")), fields.get("committer-tz", "+0000")
                when = datetime.fromtimestamp(unix_time, datetime.strptime(zone, "%z").tzinfo).isoformat()
                changes.append(LineChange(sha, fields.get("author", ""), when, unix_time))  # committer's zone
            sha, fields = "", {}
        elif not sha:
            sha = line.split(" ", 1)[0]
        else:
            key, _, value = line.partition(" ")
            fields[key] = value
    return changes

