"""Saved eval runs: `.kbops/runs/<run_id>.json`, one per `kbops eval`, for reports and
charts across commits. The folder is a cache: unreadable files are skipped, never fatal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import KBError
from ..files import write_atomic
from .runs import EvalRun, run_from_dict

LATEST = "latest"
CHECKPOINT_FILE = "checkpoint.jsonl"


@dataclass(frozen=True)
class RunStore:
    """The runs of one project, found by id or `latest`."""

    folder: Path

    @property
    def checkpoint(self) -> Path:
        """Where the working tree's replay keeps its finished tickets until the run is saved."""
        return self.folder / CHECKPOINT_FILE

    def save(self, run: EvalRun) -> Path:
        path = self.folder / f"{run.run_id}.json"
        write_atomic(path, run.to_json())
        return path

    def history(self, limit: int = 30) -> list[EvalRun]:
        """Past runs, oldest first (the most recent `limit`)."""
        runs = []
        for path in sorted(self.folder.glob("*.json"))[-limit:]:
            try:
                runs.append(run_from_dict(json.loads(path.read_text())))
            except (ValueError, KeyError, TypeError):
                continue
        return runs

    def latest(self) -> EvalRun | None:
        runs = self.history(limit=1_000_000)
        return runs[-1] if runs else None

    def find(self, run_id: str = LATEST) -> EvalRun:
        """The run with this id, or the newest for `latest`; KBError says what exists."""
        if run_id == LATEST:
            run = self.latest()
            if run is None:
                raise KBError(f"no eval runs in {self.folder}: run `kbops eval` first")
            return run
        path = self.folder / f"{run_id}.json"
        if "/" in run_id or "\\" in run_id or run_id.startswith("."):
            raise KBError(f"'{run_id}' is not a run id (ids look like 20261129T170254Z-1a2b3c, or use `latest`)")
        try:
            return run_from_dict(json.loads(path.read_text()))
        except (OSError, ValueError, KeyError, TypeError):
            raise KBError(f"no run '{run_id}' in {self.folder} (see the file names there)") from None
