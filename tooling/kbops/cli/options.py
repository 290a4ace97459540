"""Options several commands share, declared once so they read and behave the same, and
the progress bars long work shows on stderr (stdout stays clean for `--json`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..report import ReportFormat
from ..tickets.csv_export import parse_column_map
from ..tickets.files import TicketFormat
from .app import err_console

KbOption = Annotated[
    Path | None,
    typer.Option("--kb", help="KB folder to use instead of kb.path from the config (also accepted before the command)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as versioned JSON (stdout; messages go to stderr).")]
ReportFormatOption = Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format: `md` (a PR comment), `json` or `html` (one file with charts).")]
RunOption = Annotated[str, typer.Option("--run", help="Eval run id from .kbops/runs/, or `latest`.")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here instead of stdout.")]
MapOption = Annotated[
    list[str] | None,
    typer.Option("--map", metavar="FIELD=COLUMN",
                 help="CSV column of a ticket field, e.g. `--map 'id=Ticket ID'`; repeatable, adds to "
                 "`eval.csv_columns` (docs/tickets.md)."),
]
TicketFormatOption = Annotated[
    TicketFormat | None,
    typer.Option(help="Read the ticket file as: auto (by extension, then content), jsonl, csv or zendesk; "
                 "default `eval.ticket_format`."),
]


def column_map(items: list[str] | None) -> dict[str, str]:
    """`--map` values as a mapping (TicketError names a malformed one)."""
    return parse_column_map(items or ())


class Bar:
    """A progress callback `(done, total)` drawing one rich progress bar on stderr. The bar
    appears on the first call, so work that turns out to be unnecessary shows nothing."""

    def __init__(self, label: str) -> None:
        columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        self._progress = Progress(*columns, console=err_console, transient=True)
        self._task = self._progress.add_task(label, total=None)
        self._started = False

    def __call__(self, done: int, total: int) -> None:
        if not self._started:
            self._progress.start()
            self._started = True
        self._progress.update(self._task, completed=done, total=total)

    def reset(self) -> None:
        self._progress.reset(self._task)

    def stop(self) -> None:
        if self._started:
            self._progress.stop()
            self._started = False


@contextmanager
def progress_bar(label: str) -> Iterator[Bar]:
    """A transient progress bar for the work inside the block (see `Bar`)."""
    bar = Bar(label)
    try:
        yield bar
    finally:
        bar.stop()
