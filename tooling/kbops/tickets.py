"""Escalated tickets: the model and the JSONL reader.

CSV and Zendesk exports are read by `importers.py`, which builds on this model;
`ticket_files.py` picks the reader for a file.

Tickets are untrusted customer text. They are parsed strictly, and each bad line is
reported with its line number and ticket id rather than silently dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import EXIT_BAD_INPUT, KbopsError

TICKET_SCHEMA_VERSION = 1


class TicketError(KbopsError):
    """A ticket file cannot be used (strict mode, or nothing readable at all)."""

    exit_code = EXIT_BAD_INPUT


class Tier(StrEnum):
    FREE = "free"
    PRO = "pro"
    BUSINESS = "business"
    ENTERPRISE = "enterprise"


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Stable customer or organisation id.")
    tier: Tier = Field(Tier.FREE, description="Plan tier; the escalation policy can route high tiers to humans.")


class Ticket(BaseModel):
    """One escalated ticket with the specialist's resolution: what an eval replays."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="Unique ticket id, e.g. `T-1001`.")
    created_at: datetime | None = Field(None, description="ISO 8601 time the ticket was opened.")
    channel: str = Field("email", description="email, chat, web, phone, ...")
    customer: Customer = Field(Customer(id="unknown"), description="`{id, tier}` of the requester.")
    subject: str = Field("", description="Subject line (may be empty).")
    body: str = Field(min_length=1, description="The customer's message (untrusted text).")
    resolution: str = Field("", description="What the specialist answered or did; the reference answer.")
    resolved_by_article_ids: tuple[str, ...] = Field(
        (), description="KB articles that answer it; `[]` when the KB had no answer (a gap)."
    )
    tags: tuple[str, ...] = Field((), description="Free-form labels (category, `gap`, `refund`, ...).")

    @property
    def text(self) -> str:
        """Subject and body as one query."""
        return f"{self.subject}\n{self.body}".strip() if self.subject else self.body


@dataclass(frozen=True)
class TicketProblem:
    """A record that could not be read, with where it is and why."""

    source: str
    line: int
    ticket_id: str | None
    message: str

    def render(self) -> str:
        who = f" (ticket {self.ticket_id})" if self.ticket_id else ""
        return f"{self.source}:{self.line}{who}: {self.message}"


@dataclass(frozen=True)
class TicketSet:
    tickets: tuple[Ticket, ...]
    problems: tuple[TicketProblem, ...]


def read_jsonl(path: Path, strict: bool = False) -> TicketSet:
    """Read the documented JSONL schema; `strict` raises on the first bad line."""
    if not path.is_file():
        raise TicketError(f"{path}: ticket file not found")
    tickets: list[Ticket] = []
    problems: list[TicketProblem] = []
    seen: set[str] = set()
    for number, record, problem in _jsonl_records(path):
        if problem is None:
            problem = _validate(record, tickets, seen)
        if problem is not None:
            located = TicketProblem(str(path), number, _id_of(record), problem)
            if strict:
                raise TicketError(located.render())
            problems.append(located)
    return TicketSet(tuple(tickets), tuple(problems))


def _jsonl_records(path: Path) -> Iterator[tuple[int, object, str | None]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                yield number, json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8")), None
            except UnicodeDecodeError:
                yield number, None, "line is not valid UTF-8 (save the file as UTF-8)"
            except json.JSONDecodeError as exc:
                yield number, None, f"not valid JSON: {exc.msg} (column {exc.colno})"


def _validate(record: object, tickets: list[Ticket], seen: set[str]) -> str | None:
    if not isinstance(record, dict):
        return "expected a JSON object per line"
    try:
        ticket = Ticket.model_validate(record)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(part) for part in err["loc"])
        if err["type"] == "extra_forbidden":
            return f"unknown field '{key}' (see docs/tickets.md for the schema)"
        return f"field '{key}': {err['msg']}"
    if ticket.id in seen:
        return f"duplicate ticket id '{ticket.id}' (ids must be unique)"
    seen.add(ticket.id)
    tickets.append(ticket)
    return None


def _id_of(record: object) -> str | None:
    if isinstance(record, dict) and isinstance(record.get("id"), str):
        return record["id"]
    return None
