"""Saved eval runs: `.kbops/runs/<run_id>.json`, one per `kbops eval`, for reports and
charts across commits. The folder is a cache: every run file is validated when read, and
an unreadable one is set aside (`<name>.corrupt`) with a one-line message, never fatal to
a listing; a run asked for by id that is unreadable is a clean error naming the file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from ..errors import KBError, StateError, one_line
from ..files import Notify, ensure_folder, heal, shown, write_atomic
from .runs import RUN_VERSION, EvalRun

LATEST = "latest"
CHECKPOINT_FILE = "checkpoint.jsonl"

_RUN = TypeAdapter(EvalRun)


def read_run(path: Path) -> EvalRun:
    """A saved run, every field type-checked (a run that parses but holds a string where a
    confidence should be would crash a report later). ValueError says why not."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read it: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(raw, dict):
        raise ValueError(f"expected a JSON object, found {type(raw).__name__}")
    if raw.get("version") != RUN_VERSION:
        raise ValueError(f"run format {one_line(raw.get('version'), 40)} is not {RUN_VERSION}")
    try:
        return _RUN.validate_python(raw)
    except ValidationError as exc:
        raise ValueError(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    """The first problem pydantic found, as `field.path: message`, on one short line."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "document"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return one_line(f"{where}: {first['msg']}{more}")


@dataclass(frozen=True)
class RunStore:
    """The runs of one project, found by id or `latest`."""

    folder: Path
    notify: Notify | None = None
    """Where 'set aside a corrupt run' messages go."""
    project: Path | None = None
    """The project root: a plain file where the folder (or `.kbops`) should be is set
    aside up to here (default: only the runs folder itself)."""

    @property
    def checkpoint(self) -> Path:
        """Where the working tree's replay keeps its finished tickets until the run is saved."""
        return self.folder / CHECKPOINT_FILE

    def ready(self) -> Path:
        """The runs folder, made (and healed, when a file stands in its way) if needed."""
        return ensure_folder(self.folder, self.project or self.folder, self.notify, "eval.runs_dir")

    def save(self, run: EvalRun) -> Path:
        path = self.ready() / f"{run.run_id}.json"
        write_atomic(path, run.to_json())
        return path

    def _files(self) -> list[Path]:
        if self.folder.exists() and not self.folder.is_dir():
            self.ready()
        return sorted(p for p in self.folder.glob("*.json") if not p.name.startswith("."))

    def _read_or_set_aside(self, path: Path) -> EvalRun | None:
        try:
            return read_run(path)
        except ValueError as exc:
            heal(path, f"not a readable eval run ({exc})", "skipped it", self.notify)
            return None

    def history(self, limit: int = 30) -> list[EvalRun]:
        """Past runs, oldest first (the most recent `limit` readable ones)."""
        runs: list[EvalRun] = []
        for path in reversed(self._files()):
            if len(runs) >= limit:
                break
            run = self._read_or_set_aside(path)
            if run is not None:
                runs.append(run)
        return runs[::-1]

    def latest(self) -> EvalRun | None:
        runs = self.history(limit=1)
        return runs[-1] if runs else None

    def find(self, run_id: str = LATEST) -> EvalRun:
        """The run with this id, or the newest for `latest`; KBError says what exists,
        StateError names a run file that is there but unreadable (and sets it aside)."""
        if run_id == LATEST:
            run = self.latest()
            if run is None:
                raise KBError(f"no eval runs in {self.folder}: run `kbops eval` first")
            return run
        if "/" in run_id or "\\" in run_id or run_id.startswith(".") or not run_id.strip():
            raise KBError(f"'{one_line(run_id, 80)}' is not a run id (ids look like 20261129T170254Z-1a2b3c, "
                          "or use `latest`)")
        path = self.folder / f"{run_id}.json"
        if path not in self._files():
            raise KBError(f"no run '{one_line(run_id, 80)}' in {self.folder} (see the file names there, or use "
                          "`--run latest`)")
        try:
            return read_run(path)
        except ValueError as exc:
            moved = heal(path, f"not a readable eval run ({exc})", "skipped it", None)
            raise StateError(f"{shown(path)}: not a readable eval run ({one_line(exc)}); moved it to {moved.name}. "
                             "Run `kbops eval` again, or pick another run from the folder") from None
