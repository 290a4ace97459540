"""Triage a batch of incoming tickets: category, severity, queue, SLA, duplicates, notification.

A ticket at time t sees only what was there before t, whatever the order of the batch and
however new the history: the history around the batch (the scope or duplicate window
before each ticket, and a window more so that history tickets get their groups) is read
per window and replayed, then each ticket of the batch is linked to the history created
before it and to the batch's earlier tickets (`duplicates.link_batch`); an account's
revenue is its newest one known before t. Everything reads the ticket's visible text
(`visible.py`), so nothing a ticket hides or orders changes where it goes.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..config import Settings
from ..index.embed import Embedder
from ..llm.claude import api_key
from ..redact import redacted
from ..tickets.model import Customer, Ticket, Tier
from .category import CategoryChoice, OfflineCategorizer, offline_categorizer
from .claude import ClaudeCategorizer
from .duplicates import SCOPE_HOURS, LinkedHistory, Links, Seen, link_batch, open_until
from .notify import Notifier
from .routing import Route, route
from .severity import Severity, assess_severity, visible_signals
from .visible import visible_text

TRIAGE_JSON_VERSION = 1
ACCOUNT_LOOKBACK_DAYS = 90
"""How far back the history is searched for an account's tier and revenue."""

Notify = Callable[[str], None]


class TicketHistory(Protocol):
    """What triage reads of the history (`history.store.HistoryStore` is one)."""

    def tickets(self, since: datetime | None = None, until: datetime | None = None) -> list[Ticket]: ...
    def labelled(self) -> list[Ticket]: ...
    def fingerprint(self) -> str: ...


class ListHistory:
    """A history held in memory (tests, benchmarks, a project with no history store yet)."""

    def __init__(self, tickets: Sequence[Ticket] = ()) -> None:
        dated = [t for t in tickets if t.created_at is not None]
        self._tickets = sorted(dated, key=lambda t: (as_utc(t.created_at), t.id))

    def tickets(self, since: datetime | None = None, until: datetime | None = None) -> list[Ticket]:
        return [t for t in self._tickets
                if (since is None or as_utc(t.created_at) >= since) and (until is None or as_utc(t.created_at) < until)]

    def labelled(self) -> list[Ticket]:
        return [t for t in self._tickets if t.category.strip()]

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for ticket in self._tickets:
            digest.update(ticket.model_dump_json().encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class TriageResult:
    """What triage decided for one ticket."""

    ticket: Ticket
    created_at: datetime
    """The ticket's time (or the time it was triaged at, when it has none)."""
    revenue: float | None
    category: CategoryChoice
    severity: Severity
    links: Links
    route: Route
    notified: bool = False

    @property
    def sla_due(self) -> datetime:
        return self.route.due(self.created_at)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": TRIAGE_JSON_VERSION,
            "id": self.ticket.id,
            "created_at": self.created_at.isoformat(),
            "account": self.ticket.customer.id,
            "tier": str(self.ticket.customer.tier),
            "monthly_revenue": self.revenue,
            "category": self.category.label,
            "category_confidence": self.category.confidence,
            "category_source": self.category.source,
            "severity": self.severity.level,
            "severity_points": self.severity.points,
            "severity_reasons": list(self.severity.reasons),
            "similar_24h": self.links.similar_24h,
            "queue": self.route.queue,
            "sla_hours": self.route.sla_hours,
            "sla_due": self.sla_due.isoformat(),
            "duplicates": list(self.links.duplicates),
            "duplicate_group": self.links.group,
            "notified": self.notified,
        }

    def notification(self) -> dict[str, Any]:
        """The JSON a webhook or command receives: the triage and the ticket's visible
        text, redacted (it leaves the machine)."""
        payload = {**self.to_json(), "subject": redacted(visible_text(self.ticket.subject)),
                   "text": redacted(visible_text(self.ticket.body))}
        payload.pop("notified")
        return payload


def as_utc(moment: datetime | None) -> datetime:
    """Timezone-aware UTC (a time without a zone is taken as UTC)."""
    assert moment is not None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Triager:
    """Triage with one project's settings, embedder and history (see the module doc)."""

    def __init__(self, settings: Settings, embedder: Embedder, history: TicketHistory, *,
                 cache_dir: Path | None = None, notify: Notify | None = None,
                 claude: ClaudeCategorizer | None = None, notifier: Notifier | None = None) -> None:
        self.settings = settings
        self.triage_settings = settings.triage
        self.embedder = embedder
        self.history = history
        self._notify = notify
        self._cache_dir = cache_dir
        self._claude = claude if claude is not None else _configured_claude(settings)
        self.notifier = notifier if notifier is not None else Notifier(settings.triage, notify)
        self._offline: OfflineCategorizer | None = None

    @property
    def offline(self) -> OfflineCategorizer:
        """The fitted or zero-shot classifier, built on first use."""
        if self._offline is None:
            self._offline = offline_categorizer(self.triage_settings, self.embedder, self.history.labelled(),
                                                self.history.fingerprint(), self._cache_dir, self._notify)
        return self._offline

    def text_ticket(self, text: str, *, at: datetime, account: str = "", tier: str | None = None,
                    revenue: float | None = None, ticket_id: str = "") -> Ticket:
        """A ticket for `kbops triage "text"`: a known account's tier and revenue come from
        its newest history ticket unless given."""
        known = self._account_profile(account, at) if account and (tier is None or revenue is None) else None
        customer = Customer(
            id=account or "unknown",
            tier=Tier(tier) if tier is not None else (known.tier if known else Tier.FREE),
            monthly_revenue=revenue if revenue is not None else (known.monthly_revenue if known else None),
        )
        created = as_utc(at)
        return Ticket(id=ticket_id or "new", created_at=created, customer=customer, body=text)

    def _account_profile(self, account: str, at: datetime) -> Customer | None:
        since = as_utc(at) - timedelta(days=ACCOUNT_LOOKBACK_DAYS)
        own = [t.customer for t in self.history.tickets(since=since, until=as_utc(at)) if t.customer.id == account]
        with_revenue = [c for c in own if c.monthly_revenue is not None]
        newest = with_revenue or own
        return newest[-1] if newest else None

    def triage(self, tickets: Sequence[Ticket], *, at: datetime | None = None, send: bool = True) -> list[TriageResult]:
        """Triage `tickets` (results in their order); a ticket without `created_at` is taken
        as created `at` (default: now). `send=False` never notifies."""
        if not tickets:
            return []
        fallback = as_utc(at or datetime.now(UTC))
        times = [as_utc(t.created_at) if t.created_at else fallback for t in tickets]
        texts = [visible_text(t.text) for t in tickets]
        vectors = self.embedder.embed(texts)
        recent = self._recent_history(times)
        links = self._links(tickets, times, vectors, recent)
        categories = self._categories(texts, vectors)
        revenue_before = known_revenues(recent)
        results: list[TriageResult] = []
        for i, ticket in enumerate(tickets):
            revenue = ticket.customer.monthly_revenue
            if revenue is None:
                revenue = revenue_before(ticket.customer.id, times[i])
            tier = str(ticket.customer.tier)
            severity = assess_severity(self.triage_settings, text=ticket.text, tier=tier, monthly_revenue=revenue,
                                       similar_24h=links[i].similar_24h, sentiment=ticket.sentiment,
                                       signals=visible_signals(texts[i], ticket.sentiment))
            chosen = route(self.triage_settings, category=categories[i].label, severity=severity.level, tier=tier)
            result = TriageResult(ticket, times[i], revenue, categories[i], severity, links[i], chosen)
            if send and self.notifier.wanted(severity.level):
                result = replace(result, notified=bool(self.notifier.send(result.notification()).channels))
            results.append(result)
        return results

    def _recent_history(self, times: Sequence[datetime]) -> list[Ticket]:
        """History tickets, in time order, that scope and duplicates of tickets at `times`
        can see: those of the window before each time, and a duplicate window more so that
        they get their own groups. Nothing at or after the newest of `times`."""
        window = self.triage_settings.duplicate_window_hours
        reach = timedelta(hours=max(SCOPE_HOURS, window) + window)
        spans: list[tuple[datetime, datetime]] = []
        for moment in sorted(times):
            if spans and moment - reach <= spans[-1][1]:
                spans[-1] = (spans[-1][0], moment)
            else:
                spans.append((moment - reach, moment))
        found = [t for since, until in spans for t in self.history.tickets(since=since, until=until)]
        return sorted(found, key=lambda t: (as_utc(t.created_at), t.id))

    def _links(self, tickets: Sequence[Ticket], times: Sequence[datetime], vectors: np.ndarray,
               recent: Sequence[Ticket]) -> list[Links]:
        """Scope and duplicates of each batch ticket against the replayed history and the
        batch's earlier tickets."""
        threshold = self.triage_settings.similar_threshold
        window = self.triage_settings.duplicate_window_hours
        history_vectors = self.embedder.embed([visible_text(t.text) for t in recent]) if recent else vectors[:0]
        history = LinkedHistory.replay([Seen(t.id, as_utc(t.created_at).timestamp(), open_until(t)) for t in recent],
                                       history_vectors, threshold=threshold, window_hours=window)
        batch = [Seen(t.id, times[n].timestamp(), open_until(t)) for n, t in enumerate(tickets)]
        return link_batch(history, batch, vectors, threshold=threshold, window_hours=window)

    def _categories(self, texts: list[str], vectors: np.ndarray) -> list[CategoryChoice]:
        """Claude's pick per ticket when it is configured, else (and wherever Claude fails
        or answers outside the taxonomy) the offline classifier's."""
        picked: list[CategoryChoice | None] = [None] * len(texts)
        refused: Counter[str] = Counter()
        for i, text in enumerate(texts if self._claude is not None else ()):
            assert self._claude is not None
            choice = self._claude.choose(text)
            if isinstance(choice, CategoryChoice):
                picked[i] = choice
                continue
            refused[choice.reason] += 1
            if choice.request_failed:
                refused["the rest of the batch was not sent"] += len(texts) - i - 1
                break
        for reason, count in refused.items():
            if self._notify:
                self._notify(f"triage: Claude gave no category for {count} ticket{'s' if count != 1 else ''} "
                             f"({reason}); using the {self.offline.source} classifier")
        missing = [i for i, choice in enumerate(picked) if choice is None]
        for i, choice in zip(missing, self.offline.choose_embedded(vectors[missing]), strict=True):
            picked[i] = choice
        return [c for c in picked if c is not None]


def known_revenues(recent: Sequence[Ticket]) -> Callable[[str, datetime], float | None]:
    """(account, t) -> the account's newest monthly revenue in `recent` (time order) known
    strictly before t, or None."""
    by_account: dict[str, tuple[list[datetime], list[float]]] = {}
    for ticket in recent:
        if ticket.customer.monthly_revenue is not None:
            times, amounts = by_account.setdefault(ticket.customer.id, ([], []))
            times.append(as_utc(ticket.created_at))
            amounts.append(ticket.customer.monthly_revenue)

    def before(account: str, moment: datetime) -> float | None:
        times, amounts = by_account.get(account, ([], []))
        known = bisect_left(times, moment)
        return amounts[known - 1] if known else None

    return before


def _configured_claude(settings: Settings) -> ClaudeCategorizer | None:
    """The one place the category backend is chosen: `triage.backend` (auto = Claude when
    ANTHROPIC_API_KEY is set)."""
    backend = settings.triage.backend
    if backend == "offline" or (backend == "auto" and not api_key()):
        return None
    return ClaudeCategorizer(settings.claude, settings.triage.taxonomy)
