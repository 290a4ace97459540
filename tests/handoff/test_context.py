"""The account around a hand-off: accounts with the same problem (triage's similarity), the
customer's context, and finding a ticket in the history."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from kbops.handoff.context import affected_accounts, customer_context, window_of, with_ticket
from kbops.history.store import HistoryStore
from kbops.index.embed import Embedder
from tests.handoff.notes import SETTINGS, T0, history_ticket

OUTAGE = "The dashboard is down and nobody on our team can log in"


def test_affected_accounts_are_those_with_tickets_about_the_same_problem(embedder: Embedder) -> None:
    ticket = history_ticket("T-9", OUTAGE, account="acme")
    window = [
        history_ticket("T-1", "The dashboard is down, nobody on the team can log in", days_before=1, account="globex",
                       tier="pro"),
        history_ticket("T-2", "Dashboard is down: nobody on our team can log in since 9", days_before=2,
                       account="globex", tier="pro"),
        history_ticket("T-3", "Our dashboard is down and no one on the team can log in", days_before=3,
                       account="acme"),
        history_ticket("T-4", "Where can I download my October invoice?", days_before=1, account="initech"),
    ]
    found = affected_accounts(ticket, with_ticket(ticket, window), embedder, SETTINGS.triage.similar_threshold)
    assert [(a.account_id, a.tickets, a.ticket_ids, a.this_account) for a in found] == [
        ("acme", 2, ("T-9", "T-3"), True), ("globex", 2, ("T-1", "T-2"), False)]


def test_customer_context_counts_escalations_sentiment_and_csat() -> None:
    ticket = history_ticket("T-9", OUTAGE, sentiment=-0.5, status="escalated")
    window = [history_ticket("T-1", "Export fails", days_before=5, sentiment=0.0, status="resolved_by_agent"),
              history_ticket("T-2", "Export fails again", days_before=3, sentiment=-0.2, status="escalated", csat=2),
              history_ticket("T-3", "Other account", days_before=2, account="globex"), ticket]
    earlier = [history_ticket("T-0", "An old question", days_before=40, csat=5)]
    context = customer_context(ticket, window, earlier, SETTINGS, T0 + timedelta(seconds=1))
    assert (context.account_id, context.tier, context.monthly_revenue) == ("acme", "business", 1200.0)
    assert (context.tickets, context.escalated, context.escalated_share) == (3, 2, 0.667)
    assert context.sentiments == (0.0, -0.2, -0.5)
    assert (context.sentiment_trend, context.sentiment_slope) == ("worsening", -0.25)
    assert context.csat == (5.0, 2.0)
    assert context.health_signals == ("escalations", "negative_sentiment", "ticket_volume")


def test_the_window_ends_with_the_ticket() -> None:
    start, end = window_of(history_ticket("T-9", OUTAGE), SETTINGS, None)
    assert end - start == timedelta(days=14) and start < T0 < end


def test_a_ticket_is_found_in_the_history_by_id(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path / "history.duckdb") as store:
        store.upsert([history_ticket("T-1", "Export fails"), history_ticket("O'Brien-2", OUTAGE)], "test")
        found = store.ticket("O'Brien-2")
        assert found is not None and found.body == OUTAGE and found.customer.monthly_revenue == 1200.0
        assert store.ticket("T-404") is None
