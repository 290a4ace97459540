"""A helpdesk's CSV export as Tickets: a header row names the columns, `--map` or
`eval.csv_columns` says which column holds which ticket field."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .model import TicketError, TicketSet
from .problems import ProblemCollector

TICKET_FIELDS = (
    "id", "created_at", "channel", "customer.id", "customer.tier", "subject", "body",
    "resolution", "resolved_by_article_ids", "tags",
    # the history fields (`kbops tickets import`): all optional
    "resolved_at", "status", "category", "severity", "agent_confidence", "cited_article_ids", "csat", "sentiment",
    "customer.monthly_revenue", "escalation_reasons",
)
"""Ticket fields a CSV column can fill (`mapping` keys); `customer_id`, `customer_tier` and
`customer_monthly_revenue` also work."""

DEFAULT_COLUMNS = {name: name.replace(".", "_") for name in TICKET_FIELDS}
"""The column each field is read from when the mapping does not name one."""

REQUIRED_COLUMNS = ("id", "body")
LIST_FIELDS = ("resolved_by_article_ids", "tags", "cited_article_ids", "escalation_reasons")
LIST_SEPARATOR = re.compile(r"[;,]")
"""Cells of list fields hold several values separated by `;` or `,`."""

_ALIASES = {DEFAULT_COLUMNS[name]: name for name in TICKET_FIELDS if name.startswith("customer.")}
_PLAIN_FIELDS = ("id", "created_at", "channel", "subject", "body", "resolution", "resolved_at", "category",
                 "agent_confidence", "csat", "sentiment")
"""Fields whose cell is the value as written (the Ticket model parses times and numbers)."""


def parse_column_map(items: Iterable[str]) -> dict[str, str]:
    """`["id=Ticket ID", "body=Message"]` (the `--map` option) as a mapping."""
    mapping: dict[str, str] = {}
    for item in items:
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise TicketError(f"--map {item!r}: expected FIELD=COLUMN, e.g. --map 'id=Ticket ID' "
                              f"(fields: {', '.join(TICKET_FIELDS)})")
        mapping[name.strip()] = column.strip()
    return mapping


def read_csv(path: Path, mapping: Mapping[str, str] | None = None, strict: bool = False, *,
             require_created_at: bool = False) -> TicketSet:
    """Read a CSV export with a header row; `mapping` names the column of Ticket fields.
    `require_created_at` (the history) makes a row without an opening time a problem.

    Line numbers are physical lines (where a record starts), so a quoted cell spanning
    lines does not shift the numbers of the rows after it. Unmapped columns are ignored.
    The delimiter is `,`, or `;`/tab when the header row has more of those.
    """
    path = Path(path)
    if not path.is_file():
        raise TicketError(f"{path}: ticket file not found")
    bad_lines: set[int] = set()
    lines = list(_decoded_lines(path.read_bytes(), bad_lines))
    if not lines or not lines[0].strip():
        raise TicketError(f"{path}: the first line is empty; expected a header row naming the columns")
    if 1 in bad_lines:
        raise TicketError(f"{path}:1: the header row is not valid UTF-8 (save the file as UTF-8)")
    delimiter = max((",", ";", "\t"), key=lines[0].count)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as exc:
        raise TicketError(f"{path}:1: cannot read the header row: {exc}") from None
    columns = _column_indexes(path, header, mapping or {})
    if require_created_at and "created_at" not in columns:
        raise TicketError(f"{path}: no 'created_at' column; the ticket history needs the time each ticket was "
                          "opened (map a column with --map 'created_at=COLUMN')")
    names = {name: f"column '{header[index]}'" for name, index in columns.items()}
    report = ProblemCollector(path, strict)
    end = reader.line_num
    while True:
        start = end + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            end = reader.line_num
            report.problem(start, None, f"cannot parse the row on lines {start}-{end}: {exc} (check its quotes)")
            continue
        end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        ticket_id = (cells[columns["id"]].strip() if columns["id"] < len(cells) else "") or None
        undecodable = sorted(n for n in bad_lines if start <= n <= end)
        if undecodable:
            report.problem(undecodable[0], ticket_id, "line is not valid UTF-8 (save the file as UTF-8)")
        elif len(cells) != len(header):
            report.problem(start, ticket_id, f"row has {len(cells)} cells but the header has {len(header)} "
                                             "(an unquoted delimiter or a missing quote?)")
        else:
            record = _csv_record(cells, columns, names)
            if isinstance(record, str):
                report.problem(start, ticket_id, record)
            elif require_created_at and "created_at" not in record:
                report.problem(start, ticket_id, f"history needs created_at: {names['created_at']} is empty")
            else:
                report.keep(record, start, names)
    return report.result()


def _decoded_lines(raw: bytes, bad_lines: set[int]) -> Iterator[str]:
    """Physical lines, line endings kept (csv needs them inside quoted cells); UTF-8 BOM dropped."""
    for number, chunk in enumerate(raw.splitlines(keepends=True), start=1):
        try:
            yield chunk.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            bad_lines.add(number)
            yield chunk.decode("utf-8", errors="replace")


def _column_indexes(path: Path, header: list[str], mapping: Mapping[str, str]) -> dict[str, int]:
    """Field -> index of its column: exact name first, else the one name that differs only in case."""
    wanted = {_ALIASES.get(name, name): column for name, column in mapping.items()}
    unknown = sorted(set(wanted) - set(TICKET_FIELDS))
    if unknown:
        raise TicketError(f"{path}: the column mapping names unknown ticket field(s) {', '.join(unknown)} "
                          f"(fields: {', '.join(TICKET_FIELDS)})")
    listing = ", ".join(repr(name) for name in header)
    indexes: dict[str, int] = {}
    for name in TICKET_FIELDS:
        column = wanted.get(name, DEFAULT_COLUMNS[name])
        matches = [i for i, h in enumerate(header) if h == column] or [
            i for i, h in enumerate(header) if h.casefold() == column.casefold()]
        if not matches:
            if name in wanted:
                raise TicketError(f"{path}: column mapping {name}={column} (--map or eval.csv_columns): no such "
                                  f"column; the header has {listing}")
            if name in REQUIRED_COLUMNS:
                raise TicketError(f"{path}: no '{column}' column for the required field '{name}'; the header has "
                                  f"{listing} (map one with --map '{name}=COLUMN' or eval.csv_columns)")
            continue
        if len(matches) > 1:
            raise TicketError(f"{path}: column '{column}' appears {len(matches)} times in the header; rename one")
        indexes[name] = matches[0]
    return indexes


def _csv_record(cells: list[str], columns: Mapping[str, int], names: Mapping[str, str]) -> dict[str, Any] | str:
    """A Ticket record from one row, or what is wrong with it."""
    value = {name: cells[index].replace("\r\n", "\n").replace("\r", "\n").strip() for name, index in columns.items()}
    for name in REQUIRED_COLUMNS:
        if not value[name]:
            return f"{names[name]} ({name}) is empty; every ticket needs one"
    record: dict[str, Any] = {name: value[name] for name in _PLAIN_FIELDS if value.get(name)}
    for name in LIST_FIELDS:
        if name in value:
            record[name] = [item.strip() for item in LIST_SEPARATOR.split(value[name]) if item.strip()]
    if value.get("status"):  # `Resolved by agent` as written by a person, `resolved_by_agent` as stored
        record["status"] = "_".join(value["status"].lower().replace("-", " ").split())
    if value.get("severity"):
        record["severity"] = value["severity"].upper()
    customer_id, tier, revenue = value.get("customer.id"), value.get("customer.tier"), value.get("customer.monthly_revenue")
    if customer_id or tier or revenue:
        record["customer"] = {"id": customer_id or "unknown", **({"tier": tier.lower()} if tier else {}),
                              **({"monthly_revenue": revenue} if revenue else {})}
    return record
