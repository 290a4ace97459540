"""`kbops tickets import`: ticket exports (JSONL, CSV, Zendesk) into the history.

Every file is read first, with the readers `kbops eval` uses plus one rule of the history
(a ticket needs `created_at`): a bad record is a problem at its file:line and is skipped,
a file with no usable record stops the import before anything is written. Then all files
are upserted in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..config import EvalSettings
from ..tickets.files import TicketCheck, TicketFormat, check_ticket_file, resolve_format
from ..tickets.model import TicketError, TicketProblem
from .store import HistoryStore, UpsertCounts

IMPORT_JSON_VERSION = 1


@dataclass(frozen=True)
class FileImport:
    """What one file brought into the history."""

    path: str
    format: str
    counts: UpsertCounts
    problems: tuple[TicketProblem, ...]

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.format, **asdict(self.counts),
                "problems": [asdict(problem) for problem in self.problems]}


@dataclass(frozen=True)
class ImportReport:
    files: tuple[FileImport, ...]
    history: str
    """The history file, as the user would name it."""
    tickets_in_history: int

    @property
    def total(self) -> UpsertCounts:
        return sum((file.counts for file in self.files), UpsertCounts())

    @property
    def problems(self) -> tuple[TicketProblem, ...]:
        return tuple(problem for file in self.files for problem in file.problems)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": IMPORT_JSON_VERSION,
            "files": [file.to_json() for file in self.files],
            "total": {**asdict(self.total), "problems": len(self.problems)},
            "history": self.history,
            "tickets_in_history": self.tickets_in_history,
        }


def read_for_history(path: Path, settings: EvalSettings, format: str | None = None,
                     columns: Mapping[str, str] | None = None) -> TicketCheck:
    """A ticket file as the history takes it; TicketError (exit 2) when no record is usable.
    `columns` (`--map`) apply to CSV files only, so one import can mix formats."""
    chosen = resolve_format(path, format or settings.ticket_format)
    checked = check_ticket_file(path, settings, chosen, columns if chosen is TicketFormat.CSV else None,
                                require_created_at=True)
    if not checked.tickets.tickets:
        shown = "; ".join(problem.render() for problem in checked.tickets.problems[:3])
        raise TicketError(f"{path}: no usable tickets for the history{': ' + shown if shown else ' (the file is empty)'}")
    return checked


def import_ticket_files(store: HistoryStore, paths: Sequence[Path], settings: EvalSettings, *,
                        format: str | None = None, columns: Mapping[str, str] | None = None,
                        display: Callable[[Path], str] = str) -> ImportReport:
    """Read every file, then upsert them all in one transaction (see the module docstring).
    `display` names files as the history records them (relative to the project)."""
    checks = [read_for_history(Path(path), settings, format, columns) for path in paths]
    counts = store.upsert_batches([(display(check.file), check.tickets.tickets) for check in checks])
    files = tuple(FileImport(str(check.file), str(check.format), count, check.tickets.problems)
                  for check, count in zip(checks, counts, strict=True))
    return ImportReport(files, display(store.path), store.count())
