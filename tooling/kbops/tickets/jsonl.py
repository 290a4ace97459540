"""Tickets in kbops' own JSONL schema (docs/tickets.md): one JSON object per line."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from ..files import write_atomic
from .limits import TooDeep, loads_bounded
from .model import TicketError, TicketSet
from .problems import ProblemCollector


def read_jsonl(path: Path, strict: bool = False, *, require_created_at: bool = False) -> TicketSet:
    """Read the documented JSONL schema; `strict` raises on the first bad line.
    `require_created_at` (the history) makes a ticket without an opening time a problem."""
    if not path.is_file():
        raise TicketError(f"{path}: ticket file not found")
    collector = ProblemCollector(path, strict)
    for number, record, problem in _jsonl_records(path):
        if problem is not None:
            collector.problem(number, None, problem)
        elif require_created_at and isinstance(record, dict) and record.get("created_at") in (None, ""):
            ticket_id = record.get("id")
            collector.problem(number, ticket_id if isinstance(ticket_id, str) else None,
                              "history needs created_at: add the ISO 8601 time the ticket was opened")
        else:
            collector.keep(record, number)
    return collector.result()


def _jsonl_records(path: Path) -> Iterator[tuple[int, object, str | None]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                yield number, loads_bounded(raw.decode("utf-8-sig" if number == 1 else "utf-8")), None
            except UnicodeDecodeError:
                yield number, None, "line is not valid UTF-8 (save the file as UTF-8)"
            except json.JSONDecodeError as exc:
                yield number, None, f"not valid JSON: {exc.msg} (column {exc.colno})"
            except TooDeep as exc:
                yield number, None, str(exc)


def add_tags(path: Path, tags: Mapping[str, Sequence[str]]) -> int:
    """Append tags to tickets of a JSONL file in place (atomically); other lines are kept
    byte for byte. Returns how many tickets changed."""
    if not tags:
        return 0
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = 0
    for index, line in enumerate(lines):
        try:
            record = loads_bounded(line)
        except ValueError:  # not JSON, or nested too deep: such lines are kept as they are
            continue
        if not isinstance(record, dict) or record.get("id") not in tags:
            continue
        record["tags"] = [*record.get("tags", []), *tags[record["id"]]]
        lines[index] = json.dumps(record, ensure_ascii=False) + ("\n" if line.endswith("\n") else "")
        changed += 1
    write_atomic(path, "".join(lines))
    return changed
