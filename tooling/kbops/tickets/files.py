"""Ticket files in any supported format: JSONL (our schema), CSV and Zendesk exports.

`read_ticket_file` is what `kbops eval` and `kbops tickets check` call: it picks the
reader (`jsonl`, `csv_export` or `zendesk`) by the format asked for, or detects it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from ..config import EvalSettings
from .csv_export import read_csv
from .jsonl import read_jsonl
from .limits import loads_bounded
from .model import TicketError, TicketSet
from .zendesk import read_zendesk

CHECK_JSON_VERSION = 1


class TicketFormat(StrEnum):
    AUTO = "auto"
    JSONL = "jsonl"
    CSV = "csv"
    ZENDESK = "zendesk"


def read_tickets(
    path: Path,
    format: str = "auto",
    strict: bool = False,
    mapping: Mapping[str, str] | None = None,
    tier_map: Mapping[str, str] | None = None,
    article_field: int | None = None,
    *,
    require_created_at: bool = False,
) -> TicketSet:
    """Read tickets in any supported format (`auto`: see `resolve_format`).

    `mapping` (Ticket field -> column name) is for CSV only; `tier_map` and
    `article_field` for Zendesk only (see `zendesk.read_zendesk`). `require_created_at`
    (the history) makes a ticket without an opening time a problem at its line.
    """
    path = Path(path)
    chosen = resolve_format(path, format)
    if mapping and chosen is not TicketFormat.CSV:
        raise TicketError(f"{path}: a column mapping (--map) is for CSV files only; this file is read as {chosen}")
    if chosen is TicketFormat.CSV:
        return read_csv(path, mapping, strict=strict, require_created_at=require_created_at)
    if chosen is TicketFormat.ZENDESK:
        return read_zendesk(path, strict=strict, tier_map=tier_map, article_field=article_field,
                            require_created_at=require_created_at)
    return read_jsonl(path, strict=strict, require_created_at=require_created_at)


def read_ticket_file(
    path: Path,
    settings: EvalSettings,
    strict: bool = False,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    *,
    require_created_at: bool = False,
) -> TicketSet:
    """`read_tickets` as kbops.toml's `[eval]` says; `format` and `columns` (from the command
    line) override `ticket_format` and add to `csv_columns`."""
    chosen = resolve_format(path, format or settings.ticket_format)
    mapping = {**settings.csv_columns, **(columns or {})} if chosen is TicketFormat.CSV else dict(columns or {})
    return read_tickets(path, chosen, strict, mapping, settings.zendesk_tiers, settings.zendesk_article_field or None,
                        require_created_at=require_created_at)


def resolve_format(path: Path, format: str = "auto") -> TicketFormat:
    """The format to read `path` as: the one asked for, or for `auto` the detected one."""
    try:
        chosen = TicketFormat(format.lower())
    except ValueError:
        raise TicketError(f"unknown ticket format '{format}' (choose {', '.join(TicketFormat)})") from None
    if not path.is_file():
        raise TicketError(f"{path}: ticket file not found")
    return detect_format(path) if chosen is TicketFormat.AUTO else chosen


def detect_format(path: Path) -> TicketFormat:
    """By extension (.csv/.tsv, .json), else by content: JSON lines with Zendesk's keys
    (`requester_id`, `via`) are Zendesk's NDJSON export, other JSON lines our schema."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return TicketFormat.CSV
    if suffix == ".json":
        return TicketFormat.ZENDESK
    first = _first_line(path)
    try:
        record = loads_bounded(first)
    except ValueError:  # not JSON, or nested too deep: the reader reports the line
        record = None
    if isinstance(record, dict):
        return TicketFormat.ZENDESK if {"requester_id", "via", "tickets"} & record.keys() else TicketFormat.JSONL
    if suffix in (".jsonl", ".ndjson"):
        return TicketFormat.JSONL  # a broken first line: the JSONL reader reports it
    return TicketFormat.ZENDESK if first.startswith((b"{", b"[")) else TicketFormat.CSV


def _first_line(path: Path) -> bytes:
    """The first non-blank line, without a UTF-8 byte order mark."""
    with path.open("rb") as handle:
        for raw in handle:
            if raw.strip():
                return raw.strip().removeprefix(b"\xef\xbb\xbf")
    return b""


@dataclass(frozen=True)
class TicketCheck:
    """What `kbops tickets check` found in a file: the format it was read as, the usable
    tickets and the problems."""

    file: Path
    format: TicketFormat
    tickets: TicketSet

    def to_json(self) -> str:
        return json.dumps({
            "version": CHECK_JSON_VERSION,
            "file": str(self.file),
            "format": str(self.format),
            "tickets": len(self.tickets.tickets),
            "problems": [asdict(problem) for problem in self.tickets.problems],
        }, indent=2)


def check_ticket_file(path: Path, settings: EvalSettings, format: str | None = None,
                      columns: Mapping[str, str] | None = None, *, require_created_at: bool = False) -> TicketCheck:
    """Read a ticket file the way `kbops eval` would, keeping every problem
    (`require_created_at`: the way `kbops tickets import` does)."""
    chosen = resolve_format(path, format or settings.ticket_format)
    return TicketCheck(path, chosen, read_ticket_file(path, settings, format=chosen, columns=columns,
                                                      require_created_at=require_created_at))
