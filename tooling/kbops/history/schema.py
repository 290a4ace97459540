"""The history file's schema, versioned: every column with its type and meaning (the
source docs/history.md follows), and the migrations that bring an older file up to date.

A change to the tables bumps `SCHEMA_VERSION` and adds the statements that take a file
from the previous version to it (`MIGRATIONS`); opening an older file runs them in one
transaction, and a file from a newer kbops is refused rather than guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = 2
"""Version of the tables below; stored in `meta` as `schema_version`."""

MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: ("ALTER TABLE tickets ADD COLUMN escalation_reasons VARCHAR[] DEFAULT []",),
}
"""Version N -> the SQL statements that turn a version-N file into version N+1.
1 -> 2: `escalation_reasons` (the next import fills it in: the preparation version moved too)."""

PREPARATION_VERSION = 2
"""Part of every content hash: bump it when what import stores changes (how text is
redacted or sentiment computed), so the next import rewrites every ticket."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    """DuckDB type, with NOT NULL where a value is always stored."""
    meaning: str


TICKET_COLUMNS: tuple[Column, ...] = (
    Column("id", "VARCHAR PRIMARY KEY", "Ticket id as the export names it (`T-1001`, `ZD-35436`); the upsert key. "
           "An id that holds personal data (an email) is stored as a stable pseudonym."),
    Column("created_at", "TIMESTAMPTZ NOT NULL", "When the ticket was opened (UTC; a time without offset is read as UTC)."),
    Column("resolved_at", "TIMESTAMPTZ", "When it was resolved, if it was."),
    Column("channel", "VARCHAR NOT NULL", "email, chat, web, phone, ..."),
    Column("account_id", "VARCHAR NOT NULL", "The customer's account (`customer.id`; `unknown` when the export has none)."),
    Column("tier", "VARCHAR NOT NULL", "Plan tier: free, pro, business or enterprise."),
    Column("monthly_revenue", "DOUBLE", "The account's monthly recurring revenue, when the export has it."),
    Column("subject", "VARCHAR NOT NULL", "Subject line, redacted."),
    Column("body", "VARCHAR NOT NULL", "The customer's message, redacted (untrusted text)."),
    Column("resolution", "VARCHAR NOT NULL", "What the specialist answered or did, redacted."),
    Column("resolved_by_article_ids", "VARCHAR[] NOT NULL", "KB articles that answer it (empty: a gap)."),
    Column("tags", "VARCHAR[] NOT NULL", "Free-form labels from the export."),
    Column("status", "VARCHAR", "open, resolved_by_agent, escalated, resolved_by_specialist or reopened; NULL when unknown."),
    Column("category", "VARCHAR NOT NULL", "Triage category; empty when unknown (labelled tickets train the classifier)."),
    Column("severity", "VARCHAR NOT NULL", "P1-P4; empty when unknown."),
    Column("agent_confidence", "DOUBLE", "The answering agent's confidence (0-1), when it saw the ticket."),
    Column("cited_article_ids", "VARCHAR[] NOT NULL", "Articles the agent cited in its reply."),
    Column("csat", "DOUBLE", "Customer satisfaction 1-5, when the customer rated it."),
    Column("sentiment", "DOUBLE NOT NULL", "-1 (angry) to 1 (happy): the export's value, else computed at import "
           "as minus the anger score of subject and body, so in [-1, 0]."),
    Column("sentiment_computed", "BOOLEAN NOT NULL", "True when `sentiment` was computed at import, not given."),
    Column("content_hash", "VARCHAR NOT NULL", "SHA-256 of the record as read (and of how it was prepared): an "
           "import that brings the same hash leaves the row alone."),
    Column("source", "VARCHAR NOT NULL", "The file the stored version came from."),
    Column("imported_at", "TIMESTAMPTZ NOT NULL", "When the ticket first entered the history."),
    Column("changed_at", "TIMESTAMPTZ NOT NULL", "When the stored version was written (the first import or the last update)."),
    Column("escalation_reasons", "VARCHAR[]", "Why the agent escalated it (reason codes); empty when it did not "
           "or the export does not say (added in version 2: columns keep the order they were added "
           "in, so a migrated file and a new one agree)."),
)

META_COLUMNS: tuple[Column, ...] = (
    Column("key", "VARCHAR PRIMARY KEY", "`schema_version` (the only key so far)."),
    Column("value", "VARCHAR NOT NULL", "Its value, as text."),
)

TICKET_FIELDS = tuple(column.name for column in TICKET_COLUMNS)


def create_statements() -> tuple[str, ...]:
    """The tables of an empty history at `SCHEMA_VERSION`."""
    return (
        _create("meta", META_COLUMNS),
        _create("tickets", TICKET_COLUMNS),
        f"INSERT INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}')",
    )


def _create(table: str, columns: tuple[Column, ...]) -> str:
    return f"CREATE TABLE {table} ({', '.join(f'{c.name} {c.type}' for c in columns)})"
