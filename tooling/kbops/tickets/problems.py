"""One problem collector for every ticket reader: each record that cannot become a Ticket
is kept as a `TicketProblem` with its file, line and ticket id (strict mode raises the
first), duplicate ids are reported against the line of the first, and nothing is dropped
silently."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..redact import pseudonym, redacted
from .model import Ticket, TicketError, TicketProblem, TicketSet


class ProblemCollector:
    """The tickets and problems of one file; in strict mode the first problem is raised."""

    def __init__(self, path: Path, strict: bool) -> None:
        self.source = str(path)
        self.strict = strict
        self.problems: list[TicketProblem] = []
        self.tickets: list[Ticket] = []
        self._first_line: dict[str, int] = {}

    def problem(self, line: int, ticket_id: str | None, message: str) -> None:
        """Record a bad record. Messages quote the bad value (`got 'jane@example.com'`) and
        end up in every report's list of unreadable records, so they are redacted here."""
        found = TicketProblem(self.source, line, pseudonym(ticket_id, "ticket") if ticket_id else ticket_id,
                              redacted(message))
        if self.strict:
            raise TicketError(found.render())
        self.problems.append(found)

    def keep(self, record: object, line: int, name_of: Mapping[str, str] | None = None) -> None:
        """Validate a record against the Ticket model; the first of duplicate ids wins.
        `name_of` says what a field is called in the source (a CSV column)."""
        if not isinstance(record, dict):
            self.problem(line, None, "expected a JSON object per line")
            return
        try:
            ticket = Ticket.model_validate(record)
        except ValidationError as exc:
            self.problem(line, _id_of(record), _describe(exc, name_of or {}))
            return
        if ticket.id in self._first_line:
            first = self._first_line[ticket.id]
            self.problem(line, ticket.id, f"duplicate ticket id '{ticket.id}' (first on line {first}; ids must be unique)")
            return
        self._first_line[ticket.id] = line
        self.tickets.append(ticket)

    def result(self) -> TicketSet:
        return TicketSet(tuple(self.tickets), tuple(self.problems))


def _describe(exc: ValidationError, name_of: Mapping[str, str]) -> str:
    err = exc.errors()[0]
    loc = [str(part) for part in err["loc"]]
    name = ".".join(loc[:2]) if loc and loc[0] == "customer" else (loc[0] if loc else "")
    if err["type"] == "extra_forbidden":
        return f"unknown field '{'.'.join(loc)}' (see docs/tickets.md for the schema)"
    got = f" (got {_shown(err['input'])})" if "input" in err and not isinstance(err["input"], dict | list) else ""
    return f"{name_of.get(name, f'field {name!r}')}: {err['msg']}{got}"


def _shown(value: object, limit: int = 80) -> str:
    """The bad value on one line, redacted before it is cut (a cut card number could not be
    recognised any more), and not `repr`: `\\u202f` escapes would hide a phone number."""
    if not isinstance(value, str):
        return repr(value)[:limit]
    text = redacted(" ".join(value.split()))
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


def _id_of(record: dict[str, Any]) -> str | None:
    value = record.get("id")
    return value if isinstance(value, str) else None
