"""Safe file writes: atomic replacement (a killed run never leaves a half-written report, run
or manifest) and durable appends (checkpoints); and state that heals: a bad file under
`.kbops/` is set aside as `<name>.corrupt` with a one-line message, never a traceback."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import StateError, one_line


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`.

    mkstemp creates files readable by the owner only; the result gets the permissions a
    plain `open(path, "w")` would have (0666 minus the umask), so reports stay shareable."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def append_line(path: Path, line: str) -> None:
    """Append one line and fsync it: a checkpoint entry survives a SIGKILL right after."""
    with Path(path).open("a") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


# --------------------------------------------------------------------------- state that heals

Notify = Callable[[str], None]
"""Where a one-line message for the user goes (stderr, in the CLI)."""

CORRUPT_SUFFIX = ".corrupt"


def set_aside(path: Path) -> Path:
    """Rename a bad state file or folder to `<name>.corrupt` (`<name>.2.corrupt`, ... when
    that is taken, so an earlier one is never overwritten): the next run starts clean and
    the bad copy is kept for a post-mortem."""
    path = Path(path)
    for number in range(1, 10_000):
        infix = "" if number == 1 else f".{number}"
        target = path.with_name(f"{path.name}{infix}{CORRUPT_SUFFIX}")
        if target.exists() or target.is_symlink():
            continue
        os.rename(path, target)
        return target
    raise StateError(f"{path}: cannot set it aside: 10,000 {CORRUPT_SUFFIX} copies exist beside it; delete them")


def shown(path: Path) -> str:
    """A path as messages print it: relative to the current folder when inside it (short
    enough for one line), else absolute."""
    path = Path(path)
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def heal(path: Path, problem: str, then: str, notify: Notify | None) -> Path:
    """Set a bad state file aside and say so on one line: what is wrong and what happens
    instead (`rebuilding it`, `skipped it`, ...)."""
    try:
        moved = set_aside(path)
    except FileNotFoundError:  # another run set it aside first
        return path
    except OSError as exc:
        raise StateError(f"{shown(path)}: {one_line(problem)}; cannot move it aside ({exc.strerror}): "
                         "delete it") from None
    if notify is not None:
        notify(f"{shown(path)}: {one_line(problem)}; moved it to {moved.name}, {then}")
    return moved


def ensure_folder(folder: Path, within: Path, notify: Notify | None, setting: str = "") -> Path:
    """`folder` as a directory, made if missing. A plain file where it (or a parent inside
    `within`, e.g. `.kbops` itself) should be is set aside with a message; StateError when
    the folder still cannot be made (`setting` names the config key to check)."""
    folder, within = Path(folder).resolve(), Path(within).resolve()
    inside = [folder] if folder == within else [p for p in (folder, *folder.parents) if within in p.parents]
    for path in reversed(inside):  # outermost first: `.kbops` a file hides everything below it
        if (path.is_symlink() and not path.exists()) or (path.exists() and not path.is_dir()):
            heal(path, "is a file, not a folder", "starting the folder afresh", notify)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        where = f" (check {setting} in kbops.toml)" if setting else ""
        raise StateError(f"{shown(folder)}: cannot create the folder: {exc.strerror or exc}{where}") from None
    return folder
