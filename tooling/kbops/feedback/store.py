"""The help site's "Was this helpful?" votes, kept in one SQLite file (`[feedback] path`).

SQLite, not the DuckDB of the ticket history: the endpoint writes one small row at a time
from a long-running server while `kbops feedback stats` reads, which is what SQLite's WAL
mode is for. A vote is the page, the article it shows, the value and the server's receipt
time. The client is kept only as a keyed hash (HMAC-SHA256 of address and user agent with a
random secret stored in the file): enough for the rate limit, useless for finding a person,
and unlinkable across stores. No address is ever stored in clear, and no cookie is used.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import StateError
from ..files import Notify, ensure_folder, heal, shown

SCHEMA_VERSION = 1
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
"""Fixed width, UTC: received_at compares as text in the order of time."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS votes (
    id INTEGER PRIMARY KEY,
    page TEXT NOT NULL,
    article_id TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value IN (0, 1)),
    received_at TEXT NOT NULL,
    client_key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS votes_by_time ON votes (received_at);
CREATE INDEX IF NOT EXISTS votes_by_client ON votes (client_key, received_at);
"""


@dataclass(frozen=True)
class Vote:
    """One accepted vote. `value` is 1 (helpful) or 0 (not helpful)."""

    page: str
    article_id: str
    value: int
    received_at: datetime
    client_key: str


def stamp(moment: datetime) -> str:
    """`moment` as the stored text (naive times are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def _parse(text: str) -> datetime:
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)


class FeedbackStore:
    """Votes in one SQLite file. Safe to share between threads of one server (one lock);
    other processes read and write through SQLite's own locking."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._connection = connection
        self._lock = threading.Lock()
        self._secret = bytes.fromhex(self._meta("client_secret") or "")

    @classmethod
    def open(cls, path: Path, notify: Notify | None = None) -> FeedbackStore:
        """Open (or create) the store at `path`. A file that is not a vote store is set
        aside with a message and a new one started: votes are signals, not records."""
        ensure_folder(path.parent, path.parent, notify, "feedback.path")
        try:
            connection = _connect(path)
        except sqlite3.DatabaseError as exc:
            heal(path, f"is not a feedback store ({exc})", "starting an empty one", notify)
            for suffix in ("-wal", "-shm"):
                side = path.with_name(path.name + suffix)
                if side.exists():
                    heal(side, "belongs to the feedback store set aside", "dropping it", notify)
            connection = _connect(path)
        return cls(path, connection)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _meta(self, key: str) -> str | None:
        row = self._connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken before the first read (BEGIN IMMEDIATE), so a rate
        check and its insert cannot interleave with another writer's."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def client_key(self, address: str, user_agent: str) -> str:
        """The keyed hash a client is known by (never the address itself)."""
        message = f"{address}\n{user_agent}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]

    def add(self, vote: Vote) -> None:
        with self._transaction() as db:
            _insert(db, vote)

    def accept(self, vote: Vote, *, limit: int, window_seconds: float) -> bool:
        """Store `vote` unless its client already sent `limit` votes in the window before
        it (False: rate-limited, nothing stored)."""
        since = datetime.fromtimestamp(vote.received_at.timestamp() - window_seconds, UTC)
        with self._transaction() as db:
            (recent,) = db.execute(
                "SELECT count(*) FROM votes WHERE client_key = ? AND received_at > ?",
                (vote.client_key, stamp(since)),
            ).fetchone()
            if recent >= limit:
                return False
            _insert(db, vote)
        return True

    def votes(self, since: datetime | None = None, until: datetime | None = None) -> list[Vote]:
        """Votes received in [since, until), oldest first."""
        query = "SELECT page, article_id, value, received_at, client_key FROM votes WHERE received_at >= ?"
        args = [stamp(since) if since else ""]
        if until is not None:
            query += " AND received_at < ?"
            args.append(stamp(until))
        with self._lock:
            rows = self._connection.execute(query + " ORDER BY received_at, id", args).fetchall()
        return [Vote(page, article, int(value), _parse(at), key) for page, article, value, at, key in rows]

    def count(self) -> int:
        with self._lock:
            return int(self._connection.execute("SELECT count(*) FROM votes").fetchone()[0])


def _insert(db: sqlite3.Connection, vote: Vote) -> None:
    if vote.value not in (0, 1):
        raise ValueError(f"a vote is 0 or 1, not {vote.value!r}")
    db.execute(
        "INSERT INTO votes (page, article_id, value, received_at, client_key) VALUES (?, ?, ?, ?, ?)",
        (vote.page, vote.article_id, vote.value, stamp(vote.received_at), vote.client_key),
    )


def _connect(path: Path) -> sqlite3.Connection:
    """Connect, set WAL, and create or check the schema (DatabaseError: not SQLite)."""
    connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("BEGIN IMMEDIATE")
        version = _read_version(connection)
        if version is None:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                connection.execute(statement)
            connection.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            connection.execute("INSERT INTO meta VALUES ('client_secret', ?)", (secrets.token_hex(32),))
        elif version > SCHEMA_VERSION:
            raise StateError(f"{shown(path)}: feedback store of schema {version}, newer than this kbops "
                             f"({SCHEMA_VERSION}); upgrade kbops")
        connection.execute("COMMIT")
    except BaseException:
        connection.close()
        raise
    return connection


def _read_version(connection: sqlite3.Connection) -> int | None:
    """The schema version, or None for a new (empty) file; DatabaseError for a SQLite file
    that is something else."""
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return None
    if "meta" not in tables or "votes" not in tables:
        raise sqlite3.DatabaseError(f"tables {', '.join(sorted(tables))} are not a vote store's")
    row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None or not str(row[0]).isdigit():
        raise sqlite3.DatabaseError(f"schema version {row[0] if row else 'missing'!r}")
    return int(row[0])
