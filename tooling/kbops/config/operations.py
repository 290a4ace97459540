"""Settings of the support-operations stages (issue 14): the ticket history store, triage,
and the weekly intelligence report. Same rules as `schema.py`: frozen, unknown keys are an
error, every key documented in docs/configuration.md."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SEVERITIES = ("P1", "P2", "P3", "P4")
"""P1 is the most urgent."""

DEFAULT_TAXONOMY: dict[str, str] = {
    "billing": "Invoices, charges, payments, refunds, plans and pricing, receipts, taxes, card declined.",
    "technical": "How to use or set up the product: configuration, integrations, imports and exports, "
    "performance, login or sync trouble that is not a confirmed defect.",
    "account management": "Users, seats, roles and permissions, workspace ownership, email or password changes, "
    "two-factor authentication, deleting or closing an account.",
    "feature request": "Asking for something the product does not do yet, or for a change to how it works.",
    "bug report": "Something is broken or behaves wrongly: errors, crashes, data that is missing or wrong, "
    "features that stopped working, outages.",
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HistorySettings(_Section):
    """The ticket history store: every imported ticket, for triage and the weekly report."""

    path: str = Field(".kbops/history.duckdb", description="DuckDB file of the ticket history, relative to the project root.")
    releases: str = Field(
        "releases.toml", description="Product releases (`[[release]]` with `version`, `date`, `notes`), relative to "
        "the project root; a missing file means releases come from git tags only."
    )
    release_tags: str = Field(
        "v*", description="Git tags (fnmatch pattern) that mark product releases in the project's repository; empty = none."
    )


class RouteRule(_Section):
    """One routing rule: the first rule whose conditions all hold names the queue and SLA.
    An empty condition matches anything."""

    category: str = Field("", description="Category it applies to (empty = any).")
    severity: Literal["", "P1", "P2", "P3", "P4"] = Field("", description="Severity it applies to (empty = any).")
    tier: str = Field("", description="Customer tier it applies to (empty = any).")
    queue: str = Field(min_length=1, description="Queue the ticket goes to.")
    sla_hours: float | None = Field(None, gt=0, description="First-response SLA in hours (None = the severity's default).")


class TriageSettings(_Section):
    """`kbops triage`: category, severity, routing, SLA, duplicates and the urgent-ticket notification."""

    taxonomy: dict[str, str] = Field(
        DEFAULT_TAXONOMY, description="Category -> description. The description is what the zero-shot classifier "
        "matches when there is no labelled history, so write it as the kinds of tickets it holds."
    )
    backend: Literal["auto", "offline", "claude"] = Field(
        "auto", description="Category classifier: `auto` = Claude when ANTHROPIC_API_KEY is set, else offline "
        "(a linear model on the team's labelled history, or zero-shot from the descriptions)."
    )
    min_examples: int = Field(
        5, ge=1, description="Labelled history tickets a category needs before the fitted classifier replaces zero-shot."
    )
    max_examples_per_category: int = Field(
        1000, ge=1, description="The classifier is fitted on at most this many labelled history tickets per "
        "category, the newest (fitting embeds every example: this bounds the first run's time and memory)."
    )
    out_of_scope_threshold: float = Field(
        0.0, ge=0, le=1, description="Best category probability below which a ticket is `out_of_scope` (0 = never)."
    )
    tier_points: dict[str, int] = Field(
        {"free": 0, "pro": 0, "business": 1, "enterprise": 2}, description="Severity points of each customer tier."
    )
    revenue_points: dict[str, int] = Field(
        {"1000": 1, "5000": 2}, description="Monthly revenue (at least the key, in the account's currency) -> severity points."
    )
    scope_points: dict[str, int] = Field(
        {"3": 1, "10": 2}, description="Similar tickets in the last 24 h (at least the key) -> severity points."
    )
    signal_points: dict[str, int] = Field(
        {"outage": 3, "data_loss": 3, "security": 3, "blocked": 1, "angry": 1},
        description="Severity points of each impact signal found in the ticket text.",
    )
    severity_points: dict[Literal["P1", "P2", "P3"], int] = Field(
        {"P1": 4, "P2": 3, "P3": 1}, description="Points a ticket needs for each severity; below P3 it is P4."
    )
    routes: tuple[RouteRule, ...] = Field(
        (), description="Routing rules, first match wins (`[[triage.routes]]`); no match = the category's own queue."
    )
    sla_hours: dict[Literal["P1", "P2", "P3", "P4"], float] = Field(
        {"P1": 1, "P2": 4, "P3": 24, "P4": 72}, description="Default first-response SLA per severity, in hours."
    )
    similar_threshold: float = Field(
        0.75, ge=0, le=1, description="Cosine similarity at which two tickets count as the same problem "
        "(scope and duplicates; calibrated by benchmarks/triage_duplicates.py)."
    )
    duplicate_window_hours: float = Field(72, gt=0, description="Open tickets this recent are candidates for duplicate linking.")
    notify_severities: tuple[Literal["P1", "P2", "P3", "P4"], ...] = Field(
        ("P1",), description="Severities that trigger the notification."
    )
    notify_command: str = Field(
        "", description="Command run for each urgent ticket (the triage JSON on stdin, no shell); empty = none."
    )
    notify_webhook: str = Field("", description="URL the triage JSON of each urgent ticket is POSTed to; empty = none.")

    @field_validator("taxonomy")
    @classmethod
    def _two_categories(cls, taxonomy: dict[str, str]) -> dict[str, str]:
        if len(taxonomy) < 2:
            raise ValueError("a taxonomy needs at least two categories")
        return taxonomy


class WeeklySettings(_Section):
    """`kbops report weekly`: what counts as a rising category, an emerging issue, a
    documentation gap and an account at risk."""

    rolling_weeks: int = Field(4, ge=1, description="Weeks in the rolling average a week is compared with.")
    rising_ratio: float = Field(0.2, gt=0, description="Week-over-week increase that flags a category (0.2 = up 20%).")
    min_rising_tickets: int = Field(10, ge=1, description="A category needs this many tickets this week to be flagged.")
    emerging_min_tickets: int = Field(5, ge=2, description="Smallest new cluster reported as an emerging issue.")
    emerging_min_accounts: int = Field(3, ge=1, description="An emerging issue must come from at least this many accounts.")
    release_window_days: int = Field(7, ge=1, description="An issue that starts this soon after a release is tied to it.")
    doc_gap_confidence: float = Field(
        0.5, ge=0, le=1, description="Agent confidence below which a ticket the agent resolved counts as a documentation gap."
    )
    doc_gaps: int = Field(5, ge=1, description="Documentation gaps listed.")
    health_window_days: int = Field(14, ge=1, description="Window of the customer-health signals.")
    health_min_tickets: int = Field(3, ge=2, description="Tickets in the window that flag an account.")
    health_escalated_share: float = Field(0.5, gt=0, le=1, description="Share of escalated tickets that flags an account.")
    health_min_escalated: int = Field(2, ge=1, description="Escalated tickets an account needs before its escalated share counts.")
