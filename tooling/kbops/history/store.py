"""The ticket history: one DuckDB file (default `.kbops/history.duckdb`), tickets upserted
by id, read back as Tickets for triage and the weekly report.

- Every import is one transaction: a failure (or a kill) part-way leaves the file as it was.
- A record whose content hash is already stored is left alone, so importing the same
  export twice changes nothing; a changed record replaces the stored one.
- Text is redacted and sentiment filled in before it is stored (`prepare.py`).
- The schema is versioned (`schema.py`): an older file is migrated on open, a newer one is
  refused. A file that is not a DuckDB database is set aside as `<name>.corrupt` and the
  history starts empty (it is rebuilt by importing the exports again). DuckDB locks the
  file while a process writes it; a second process gets a one-line error, not a traceback.
"""

from __future__ import annotations

import gc
import json
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from ..errors import StateError, one_line
from ..files import Notify, heal, shown
from ..tickets.model import Ticket
from .prepare import PreparedText, content_hash, prepare_texts, stored_id
from .schema import MIGRATIONS, SCHEMA_VERSION, TICKET_COLUMNS, TICKET_FIELDS, create_statements

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_READ = ("id, epoch_us(created_at), epoch_us(resolved_at), channel, account_id, tier, monthly_revenue, subject, body, "
         "resolution, resolved_by_article_ids, tags, status, category, severity, agent_confidence, cited_article_ids, "
         "csat, sentiment, coalesce(escalation_reasons, [])")
_ORDER = "ORDER BY created_at, id"
_KEEP_ON_UPDATE = ("id", "imported_at")
_GLOB = re.compile(r"[*?\[\]{}]")
_JSON_TYPES = ", ".join(f"'{c.name}': '{c.type.split(' ')[0]}'" for c in TICKET_COLUMNS)


@dataclass(frozen=True)
class UpsertCounts:
    """What one import did to the history."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(self.added + other.added, self.updated + other.updated, self.unchanged + other.unchanged)


class HistoryStore:
    """One DuckDB file; tickets upserted by id. All datetimes returned are timezone-aware UTC."""

    def __init__(self, path: Path, connection: duckdb.DuckDBPyConnection, *, redact: bool = True) -> None:
        self.path = path
        self.redact = redact
        """Whether imported text is redacted (`redaction.enabled`); part of each content hash."""
        self._connection: duckdb.DuckDBPyConnection | None = connection

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False, redact: bool = True,
             notify: Notify | None = None) -> HistoryStore:
        """Open the history at `path`, creating the file and its tables when missing and
        migrating an older schema. StateError (one line, naming the file) when another
        process is writing it, or it was written by a newer kbops."""
        path = Path(path)
        if read_only:
            if path.is_file():
                connection = _connect(path, read_only=True, notify=notify)
                try:
                    current = _schema_version(connection, path) == SCHEMA_VERSION
                except BaseException:
                    connection.close()
                    raise
                if current:
                    return cls(path, connection, redact=redact)
                connection.close()
            cls.open(path, redact=redact, notify=notify).close()  # create or migrate, then read
            return cls(path, _connect(path, read_only=True, notify=notify), redact=redact)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"{shown(path.parent)}: cannot create the folder of the ticket history: "
                             f"{exc.strerror or exc} (check [history] path in kbops.toml)") from None
        connection = _connect(path, read_only=False, notify=notify)
        try:
            _bring_up_to_date(connection, path)
        except BaseException:
            connection.close()
            raise
        return cls(path, connection, redact=redact)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._connection is None:
            raise StateError(f"{shown(self.path)}: the ticket history is closed")
        return self._connection

    # ------------------------------------------------------------------ writing

    def upsert(self, tickets: Sequence[Ticket], source: str) -> UpsertCounts:
        """Add new tickets and replace changed ones (by id), in one transaction."""
        return self.upsert_batches([(source, tickets)])[0]

    def upsert_batches(self, batches: Sequence[tuple[str, Sequence[Ticket]]]) -> list[UpsertCounts]:
        """`upsert` for several sources (the files of one import) in ONE transaction: all of
        them land, or none. A ticket in two sources ends as the later one has it."""
        connection = self.connection
        stored = dict(connection.execute("SELECT id, content_hash FROM tickets").fetchall())
        results = []
        with self._transaction():
            for source, tickets in batches:
                counts, changed = _classify(tickets, stored, self.redact)
                if changed:
                    prepared = prepare_texts([ticket for ticket, _, _ in changed], self.redact)
                    self._write(changed, prepared, source)
                results.append(counts)
        return results

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        connection = self.connection
        connection.begin()
        try:
            yield
        except BaseException as exc:
            connection.rollback()
            if isinstance(exc, duckdb.Error | OSError):  # a full disk, a read-only file: one line, not a traceback
                raise StateError(f"{shown(self.path)}: cannot write the ticket history, nothing was changed: "
                                 f"{one_line(exc)}") from None
            raise
        connection.commit()

    def _write(self, changed: list[tuple[Ticket, str, str]], prepared: list[PreparedText], source: str) -> None:
        """Insert or replace the changed rows, through a JSON file DuckDB reads in bulk
        (a row at a time from Python is 1 ms a row; this is 100,000 rows a second)."""
        now = datetime.now(UTC).isoformat()
        # Beside the history, so the text stays where the history is, unless that folder's name
        # holds characters DuckDB would read as a glob pattern.
        folder = self.path.parent if not _GLOB.search(str(self.path.parent.resolve())) else None
        staging = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=folder, prefix=".kbops-history-import-", suffix=".jsonl", delete=False)
        try:
            with staging:
                for (ticket, ticket_id, digest), text in zip(changed, prepared, strict=True):
                    staging.write(_row_json(ticket, ticket_id, digest, text, source, now) + "\n")
            updates = ", ".join(f"{name} = excluded.{name}" for name in TICKET_FIELDS if name not in _KEEP_ON_UPDATE)
            self.connection.execute(
                f"INSERT INTO tickets ({', '.join(TICKET_FIELDS)}) SELECT {', '.join(TICKET_FIELDS)} FROM read_json({_literal(staging.name)}, "
                f"format = 'newline_delimited', columns = {{{_JSON_TYPES}}}) ON CONFLICT (id) DO UPDATE SET {updates}")
        finally:
            os.unlink(staging.name)

    # ------------------------------------------------------------------ reading

    def tickets(self, since: datetime | None = None, until: datetime | None = None) -> list[Ticket]:
        """Tickets created in [since, until) (either end open when None), ordered by (created_at, id).
        A datetime without a time zone is read as UTC."""
        where = ([f"epoch_us(created_at) >= {_micros(since)}"] if since is not None else []) + (
            [f"epoch_us(created_at) < {_micros(until)}"] if until is not None else [])
        condition = f"WHERE {' AND '.join(where)}" if where else ""
        return self._select(f"SELECT {_READ} FROM tickets {condition} {_ORDER}")

    def ticket(self, ticket_id: str) -> Ticket | None:
        """The ticket stored under `ticket_id` (as stored: a pseudonym when the id was
        personal data), or None."""
        found = self._select(f"SELECT {_READ} FROM tickets WHERE id = {_literal(ticket_id)}")
        return found[0] if found else None

    def labelled(self) -> list[Ticket]:
        """Tickets with a category (what trains the triage classifier), by (created_at, id)."""
        return self._select(f"SELECT {_READ} FROM tickets WHERE category <> '' {_ORDER}")

    def span(self) -> tuple[datetime, datetime] | None:
        """When the first and the last ticket were created; None for an empty history."""
        first, last = self.connection.execute(
            "SELECT epoch_us(min(created_at)), epoch_us(max(created_at)) FROM tickets").fetchone() or (None, None)
        return None if first is None or last is None else (_time(first), _time(last))

    def count(self) -> int:
        row = self.connection.execute("SELECT count(*) FROM tickets").fetchone()
        return int(row[0]) if row else 0

    def fingerprint(self) -> str:
        """Changes whenever any stored content changes (a cache key for what is computed
        from the history); equal for two files holding the same tickets."""
        row = self.connection.execute(
            "SELECT count(*), md5(coalesce(string_agg(id || ':' || content_hash, ',' ORDER BY id), '')) FROM tickets"
        ).fetchone()
        count, digest = row if row else (0, "")
        return f"v{SCHEMA_VERSION}-{count}-{digest}"

    def _select(self, sql: str) -> list[Ticket]:
        """Rows as Tickets. Queries carry no bound parameters: binding one makes DuckDB
        import pandas (0.3 s); the values put in SQL are integers and quoted paths."""
        with _gc_paused():
            return [_ticket(row) for row in self.connection.execute(sql).fetchall()]


# ---------------------------------------------------------------------- rows and tickets


def _classify(tickets: Sequence[Ticket], stored: dict[str, str], redact: bool
              ) -> tuple[UpsertCounts, list[tuple[Ticket, str, str]]]:
    """Counts, and the (ticket, stored id, hash) to write; `stored` learns the new hashes."""
    added = updated = unchanged = 0
    changed: dict[str, tuple[Ticket, str, str]] = {}
    for ticket in tickets:
        ticket_id, digest = stored_id(ticket, redact), content_hash(ticket, redact)
        previous = stored.get(ticket_id)
        if previous == digest:
            unchanged += 1
            continue
        added, updated = (added + 1, updated) if previous is None else (added, updated + 1)
        stored[ticket_id] = digest
        changed[ticket_id] = (ticket, ticket_id, digest)
    return UpsertCounts(added, updated, unchanged), list(changed.values())


def _row_json(ticket: Ticket, ticket_id: str, digest: str, text: PreparedText, source: str, now: str) -> str:
    sentiment = ticket.sentiment if text.sentiment is None else text.sentiment
    row = {
        "id": ticket_id, "created_at": _iso(ticket.created_at), "resolved_at": _iso(ticket.resolved_at),
        "channel": ticket.channel, "account_id": text.account_id, "tier": str(ticket.customer.tier),
        "monthly_revenue": ticket.customer.monthly_revenue, "subject": text.subject, "body": text.body,
        "resolution": text.resolution, "resolved_by_article_ids": list(ticket.resolved_by_article_ids),
        "tags": list(ticket.tags), "status": str(ticket.status) if ticket.status else None,
        "category": ticket.category, "severity": ticket.severity, "agent_confidence": ticket.agent_confidence,
        "cited_article_ids": list(ticket.cited_article_ids), "csat": ticket.csat, "sentiment": sentiment,
        "sentiment_computed": text.sentiment is not None,
        "escalation_reasons": list(ticket.escalation_reasons), "content_hash": digest, "source": source,
        "imported_at": now, "changed_at": now,
    }
    return json.dumps(row, ensure_ascii=False)


def _ticket(row: tuple[Any, ...]) -> Ticket:
    (ticket_id, created, resolved, channel, account_id, tier, revenue, subject, body, resolution, articles, tags,
     status, category, severity, confidence, cited, csat, sentiment, reasons) = row
    return Ticket.model_validate({
        "id": ticket_id, "created_at": _time(created), "resolved_at": _time(resolved) if resolved is not None else None,
        "channel": channel, "customer": {"id": account_id, "tier": tier, "monthly_revenue": revenue},
        "subject": subject, "body": body, "resolution": resolution, "resolved_by_article_ids": tuple(articles),
        "tags": tuple(tags), "status": status, "category": category, "severity": severity,
        "agent_confidence": confidence, "cited_article_ids": tuple(cited), "csat": csat, "sentiment": sentiment,
        "escalation_reasons": tuple(reasons),
    })


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cycle collector off while rows become Tickets: 100,000 new objects would
    trigger it over and over for nothing (they hold no cycles); measured 3x faster."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else _utc(moment).isoformat()


def _literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _micros(moment: datetime) -> int:
    return (_utc(moment) - _EPOCH) // timedelta(microseconds=1)


def _time(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


# ---------------------------------------------------------------------- opening the file

_LOCKED = re.compile(r"Could not set lock|Conflicting lock", re.IGNORECASE)
_DAMAGED = re.compile(r"not a valid DuckDB database|corrupt|checksum", re.IGNORECASE)


def _connect(path: Path, *, read_only: bool, notify: Notify | None) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        message = str(exc)
        if _LOCKED.search(message):
            holder = re.search(r"held in (.+?) \(PID (\d+)\)", message)
            who = f" (PID {holder[2]}, {one_line(Path(holder[1]).name, 60)})" if holder else ""
            raise StateError(f"{shown(path)}: the ticket history is in use by another process{who}; wait for it "
                             "to finish and run the command again") from None
        if isinstance(exc, duckdb.ConnectionException):
            raise StateError(f"{shown(path)}: the ticket history is already open in this process in another "
                             "mode (read-only and writable at once)") from None
        if not _DAMAGED.search(message):
            raise StateError(f"{shown(path)}: cannot open the ticket history: {one_line(message)}") from None
    heal(path, "is not a DuckDB database", "starting an empty history (import the ticket exports again)", notify)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        heal(wal, "belongs to the history set aside", "dropping it", notify)
    return duckdb.connect(str(path), read_only=read_only)


def _schema_version(connection: duckdb.DuckDBPyConnection, path: Path) -> int | None:
    """The file's schema version; None for an empty database (no tables yet)."""
    tables = {row[0] for row in connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
    if not tables:
        return None
    row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() if "meta" in tables else None
    if row is None or not str(row[0]).isdigit():
        raise StateError(f"{shown(path)}: a DuckDB database, but not a kbops ticket history (no schema_version in a "
                         "`meta` table); point [history] path in kbops.toml at a file of its own")
    return int(row[0])


def _bring_up_to_date(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Create the tables of an empty file, or migrate an older one, in one transaction."""
    version = _schema_version(connection, path)
    if version == SCHEMA_VERSION:
        return
    if version is not None and version > SCHEMA_VERSION:
        raise StateError(f"{shown(path)}: ticket history schema version {version} is newer than this kbops "
                         f"reads ({SCHEMA_VERSION}); upgrade kbops, or point [history] path at another file")
    if version is None:
        statements = list(create_statements())
    else:
        statements = []
        for step in range(version, SCHEMA_VERSION):
            if step not in MIGRATIONS:
                raise StateError(f"{shown(path)}: no migration from ticket history schema version {step}; "
                                 "import the ticket exports into a new file")
            statements.extend(MIGRATIONS[step])
        statements.append(f"UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema_version'")
    connection.begin()
    try:
        for statement in statements:
            connection.execute(statement)
    except BaseException as exc:
        connection.rollback()
        if version is not None and isinstance(exc, duckdb.Error):
            raise StateError(f"{shown(path)}: cannot migrate the ticket history from schema version {version} to "
                             f"{SCHEMA_VERSION}, left it at {version}: {one_line(exc)}") from None
        raise
    connection.commit()
