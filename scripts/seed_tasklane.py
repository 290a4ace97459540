"""Seeded ticket history of Tasklane, the demo product: what `make demo` imports and the
weekly report reads, and the ground truth the signal benchmarks score against.

    python scripts/seed_tasklane.py --seed 7 --out evals/history [--tickets N] [--weeks W] [--customers C]

Writes tickets.jsonl (kbops' ticket schema with the history fields), releases.toml and
planted-signals.json. The last week is always ISO 2026-W47 (Mon 16 - Sun 22 November 2026).
Ordinary tickets are Poisson noise around stable weekly volumes per category; on top of
them four signals are planted and recorded with their ticket ids and accounts:
1. release v4.2.0 (Tue 17 Nov) breaks timeline PDF exports: a new problem from 20+ accounts;
2. billing is up 40-50% week over week after a price-change email; the other categories
   stay within 10% of the week before, so they are not rising;
3. five business/enterprise accounts with 3+ tickets in 14 days, mostly escalated, angrier
   each time;
4. recurring topics the agent answers with low confidence (documentation gaps).
Same seed and arguments, same bytes. Pure Python + numpy; no network.
"""

from __future__ import annotations

import argparse
import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np
from tasklane_output import week_label, write_history
from tasklane_topics import (
    ACCOUNT,
    BILLING,
    BUG,
    CATEGORIES,
    EMERGING,
    FEATURE,
    TECHNICAL,
    TOPICS,
    Topic,
)

LAST_MONDAY = date(2026, 11, 16)
"""Monday of ISO week 2026-W47, the newest week and so the weekly report's default."""
NOW = datetime(2026, 11, 23, tzinfo=UTC)
"""The export was taken when W47 ended: nothing is created or resolved later."""
TIERS, TIER_MIX, TIER_ACTIVITY = ("free", "pro", "business", "enterprise"), (0.60, 0.25, 0.12, 0.03), (0.6, 1.0, 2.0, 4.0)
CATEGORY_SHARE = {BILLING: 0.20, TECHNICAL: 0.30, ACCOUNT: 0.17, FEATURE: 0.11, BUG: 0.22}
DAY_WEIGHTS = (1.0, 1.05, 1.0, 0.95, 0.85, 0.35, 0.3)
RELEASES = (
    ("v4.0.0", date(2026, 9, 22), "Tasklane 4.0: redesigned board cards, AI task summaries on Business and "
     "Enterprise, faster search."),
    ("v4.1.0", date(2026, 10, 20), "Recurring tasks can repeat on the last weekday of a month; Slack daily "
     "summaries; CSV import keeps assignees."),
    ("v4.1.1", date(2026, 11, 3), "Fixes: digest times in time zones with half-hour offsets; SSO sign-in in "
     "the Android app."),
    ("v4.2.0", date(2026, 11, 17), "New timeline renderer for the Gantt view: faster loading in large projects, "
     "quarter zoom and a redesigned multi-page PDF export of the timeline. Keyboard shortcuts to move tasks "
     "between sections."),
)
EMERGING_DAYS = (4, 8, 7, 6, 4, 3)
"""Timeline-PDF tickets per day from the release (Tue) to Sunday: 32 in all."""
EMERGING_ACCOUNTS = 26
RISING_BOOST = {"pricing": 3.0, "change-plan": 2.5, "billing-cycle": 2.5, "invoice-download": 1.5}
"""What people asked after the price-change email: ordinary billing topics, more of some."""
CHURN = (("enterprise", "sso", 0, 4), ("enterprise", "api-rate-limit", 0, 3), ("business", "slow-boards", 1, 5),
         ("business", "refund", 1, 3), ("enterprise", "import-tool", 2, 4))
"""Accounts at risk: tier, the recurring topic of their one unsolved problem, which of its
questions, and how many tickets about it in the last 14 days."""
BY_KEY = {t.key: t for t in TOPICS}


@dataclass
class Draft:
    """A ticket before it has words: when, who, about what, and which signal it belongs to."""

    created_at: datetime
    account: int
    topic: Topic
    category: str
    kind: str = "ordinary"  # ordinary | rising | emerging | churn | outage
    tone: str = "neutral"
    stage: int = 0
    status: str = ""
    ask: int = -1


class Accounts:
    """12,000 customers by default: tier mix, revenue by tier, heavy-tailed ticket propensity."""

    def __init__(self, count: int, rng: np.random.Generator) -> None:
        self.tier = rng.choice(len(TIERS), size=count, p=TIER_MIX)
        seats = np.maximum(1, np.round(rng.lognormal(np.log([1, 6, 30, 150])[self.tier], 0.7)))
        price = np.array([0.0, 10.0, 18.0, 22.0])[self.tier] * np.where(rng.random(count) < 0.35, 0.8, 1.0)
        self.revenue = np.round(seats * price, 2)
        weight = rng.lognormal(0.0, 1.1, size=count) * np.array(TIER_ACTIVITY)[self.tier]
        self.cumulative = np.cumsum(weight) / weight.sum()
        self.ids = [f"C-{i + 1:05d}" for i in range(count)]

    def sample(self, rng: np.random.Generator, size: int) -> list[int]:
        return [int(i) for i in np.searchsorted(self.cumulative, rng.random(size))]

    def of_tier(self, tier: str) -> list[int]:
        return [int(i) for i in np.flatnonzero(self.tier == TIERS.index(tier))]

    def customer(self, index: int) -> dict[str, object]:
        return {"id": self.ids[index], "tier": TIERS[self.tier[index]], "monthly_revenue": float(self.revenue[index])}


def moment(rng: random.Random, day: date, after_hour: float = 0.0) -> datetime:
    """A time of day with Europe's and America's office hours in UTC, and a thin night."""
    mix = rng.random()
    hour = rng.gauss(11, 2.5) if mix < 0.55 else rng.gauss(17.5, 2.5) if mix < 0.9 else rng.uniform(0, 24)
    if hour < after_hour:
        hour = rng.uniform(after_hour, min(24.0, after_hour + 9))
    hour = min(max(hour, 0.0), 23.98)  # plus up to 59 s: still the same day
    at = datetime.combine(day, time(tzinfo=UTC)) + timedelta(hours=hour, seconds=rng.randint(0, 59))
    return at.replace(microsecond=0)


class History:
    """Plans every ticket (planted signals first, then the noise around them), then writes them."""

    def __init__(self, seed: int, tickets: int, weeks: int, customers: int) -> None:
        if weeks < 6:
            raise SystemExit("--weeks must be at least 6 (4 rolling weeks, the previous week and the report week)")
        self.seed, self.target, self.customers = seed, tickets, customers
        self.now, self.releases = NOW, RELEASES
        self.rng, self.np = random.Random(seed), np.random.default_rng(seed)
        self.mondays = [LAST_MONDAY - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
        self.accounts = Accounts(customers, self.np)
        self.drafts: list[Draft] = []
        self.churn_accounts: list[int] = []
        self.window_start = NOW - timedelta(days=14)
        self.recent: Counter[int] = Counter()

    # ---------------------------------------------------------------- planted signals
    def plant_churn(self) -> None:
        """High-value accounts with one problem that keeps coming back: each follow-up angrier
        (stage 1-3) and escalated; two calm contacts weeks earlier, so the trajectory turns."""
        taken: set[int] = set()
        for tier, key, ask, count in CHURN:
            pool = sorted(self.accounts.of_tier(tier), key=lambda i: -self.accounts.revenue[i])[:40]
            account = self.rng.choice([i for i in pool if i not in taken])
            taken.add(account)
            self.churn_accounts.append(account)
            topic = BY_KEY[key]
            for i in range(count):
                stage = min(3, math.ceil(i * 3 / (count - 1)))
                day = (self.window_start + timedelta(days=0.5 + i * 12.5 / (count - 1) + self.rng.uniform(0, 0.8))).date()
                status = "reopened" if stage == 0 else "resolved_by_specialist" if stage == 1 and count == 5 else "escalated"
                self.add(Draft(moment(self.rng, min(day, LAST_MONDAY + timedelta(days=6))), account, topic,
                               topic.category, "churn", "angry" if stage else "neutral", stage, status, ask))
            for monday in self.rng.sample(self.mondays[:-3], 2):  # earlier, untroubled contacts
                other = self.rng.choice([t for t in TOPICS if t.category in (TECHNICAL, ACCOUNT) and not t.doc_gap])
                self.add(Draft(moment(self.rng, monday + timedelta(days=self.rng.randint(0, 4))), account, other,
                               other.category, "churn", "polite", 0, "resolved_by_agent"))

    def plant_emerging(self) -> None:
        """The timeline-PDF bug: from the morning of the v4.2.0 release, paid accounts only
        (PDF export is Pro and up), a few writing twice."""
        release = datetime.combine(RELEASES[-1][1], time(8, 0, tzinfo=UTC))
        weights = [0.0, 0.55, 0.33, 0.12]
        accounts: list[int] = []
        while len(accounts) < EMERGING_ACCOUNTS:
            tier = TIERS[self.np.choice(4, p=weights)]
            candidate = self.rng.choice(self.accounts.of_tier(tier))
            if candidate not in accounts and candidate not in self.churn_accounts:
                accounts.append(candidate)
        who = accounts + self.rng.sample(accounts, sum(EMERGING_DAYS) - len(accounts))
        days = [day for day, n in enumerate(EMERGING_DAYS) for _ in range(n)]
        seen: set[int] = set()
        for account, offset in zip(who, days, strict=True):
            day = release.date() + timedelta(days=offset)
            category = BUG if self.rng.random() < 0.75 else TECHNICAL
            tone = "angry" if self.rng.random() < 0.25 else "neutral"
            self.add(Draft(moment(self.rng, day, 10.0 if offset == 0 else 0.0), account, EMERGING, category,
                           "emerging", tone, 1 if account in seen else 0))
            seen.add(account)

    def plant_outage(self) -> None:
        """A 40-minute outage in the week before: a spike in W46, none of it in W47."""
        start = datetime.combine(LAST_MONDAY - timedelta(days=4), time(14, 5, tzinfo=UTC))
        for account in self.np.choice(len(self.accounts.ids), size=14, replace=False):
            if int(account) not in self.churn_accounts:
                at = start + timedelta(minutes=self.rng.randint(0, 65), seconds=self.rng.randint(0, 59))
                self.add(Draft(at, int(account), BY_KEY["outage"], BUG, "outage", "angry" if self.rng.random() < 0.3 else "neutral"))

    def add(self, draft: Draft) -> None:
        self.drafts.append(draft)
        if draft.created_at >= self.window_start:
            self.recent[draft.account] += 1

    # ---------------------------------------------------------------- noise
    def plan_noise(self) -> dict[str, dict[str, int]]:
        """Weekly volumes per category; the report week's are planted (billing up, the rest flat)."""
        weeks = len(self.mondays)
        growth_sum = sum(1 + 0.01 * (w - weeks + 1) for w in range(weeks))
        base = max(20.0, (self.target - len(self.drafts)) / (growth_sum + 0.45 * CATEGORY_SHARE[BILLING]))
        volume: dict[str, dict[str, int]] = {}
        for w, monday in enumerate(self.mondays):
            label, last = week_label(monday), w == len(self.mondays) - 1
            present = Counter(d.category for d in self.drafts if self.in_week(d.created_at, monday))
            growth = 1 + 0.01 * (w - len(self.mondays) + 1)
            for category in CATEGORIES:
                lam = base * CATEGORY_SHARE[category] * growth
                if w == weeks - 2:  # the rise is measured against it: an ordinary week
                    self.noise(monday, category, self.typical_count(lam, 0.1 * lam))
                elif weeks - 5 <= w < weeks - 2:  # the rest of the rolling average: no outlier
                    self.noise(monday, category, self.typical_count(lam, 2 * math.sqrt(lam)))
                elif not last:
                    self.noise(monday, category, int(self.np.poisson(lam)))
                elif category == BILLING:
                    previous = volume[week_label(self.mondays[w - 1])][BILLING]
                    target = round(previous * self.rng.uniform(1.40, 1.50))  # the usual load, then the email's
                    ordinary = min(int(self.np.poisson(lam)), max(0, round(1.05 * previous) - present[category]))
                    self.noise(monday, category, ordinary)
                    self.noise(monday, category, target - present[category] - ordinary, rising=True)
                else:
                    self.noise(monday, category, self.flat_count(volume, w, category, lam, present[category]))
            volume[label] = dict(Counter(d.category for d in self.drafts if self.in_week(d.created_at, monday)))
        return volume

    def typical_count(self, lam: float, tolerance: float) -> int:
        for _ in range(200):
            count = int(self.np.poisson(lam))
            if abs(count - lam) <= tolerance:
                return count
        return round(lam)

    def flat_count(self, volume: dict[str, dict[str, int]], w: int, category: str, lam: float, planted: int) -> int:
        previous = volume[week_label(self.mondays[w - 1])].get(category, 0)
        for _ in range(200):
            ordinary = int(self.np.poisson(max(1.0, lam - planted)))
            if 0.9 * previous <= ordinary + planted <= 1.1 * previous:
                return ordinary
        return max(0, previous - planted)

    def noise(self, monday: date, category: str, count: int, rising: bool = False) -> None:
        topics = [t for t in TOPICS if t.category == category]
        weights = [t.weight * (RISING_BOOST.get(t.key, 1.0) if rising else 1.0) for t in topics]
        day_weights = (3.0, 2.5, 1.5, 1.0, 0.8, 0.3, 0.3) if rising else DAY_WEIGHTS
        for topic, ask in self.allocate(topics, weights, count):
            offset = self.rng.choices(range(7), day_weights)[0]
            at = moment(self.rng, monday + timedelta(days=offset), 9.2 if rising and offset == 0 else 0.0)
            angry = 0.12 if category == BUG else 0.06
            tone = self.rng.choices(["angry", "polite", "neutral"], [angry, 0.3, 0.7 - angry])[0]
            self.add(Draft(at, self.pick_account(at), topic, category, "rising" if rising else "ordinary", tone,
                           ask=ask))

    def allocate(self, topics: list[Topic], weights: list[float], count: int) -> list[tuple[Topic, int]]:
        """A week's tickets of a category shared out by weight, then over each topic's
        questions in turn: the volume is noisy, the mix is not, so no ordinary question
        spikes by chance into something that looks like a new issue."""
        expected = [count * w / sum(weights) for w in weights]
        shares = [int(e) for e in expected]
        by_remainder = sorted(range(len(topics)), key=lambda i: expected[i] - shares[i] + self.rng.random() * 0.5)
        for i in by_remainder[len(topics) - (count - sum(shares)):]:
            shares[i] += 1
        picked = []
        for topic, share in zip(topics, shares, strict=True):
            order = self.rng.sample(range(len(topic.asks)), len(topic.asks))
            picked += [(topic, order[k % len(order)]) for k in range(share)]
        self.rng.shuffle(picked)
        return picked

    def pick_account(self, at: datetime) -> int:
        """Heavy-tailed by propensity; in the last 14 days no noise account gets a third ticket,
        so accounts at risk are the planted ones (and the odd 2-ticket account)."""
        for attempt in range(40):
            account = self.accounts.sample(self.np, 1)[0]
            if account in self.churn_accounts:
                continue
            if at < self.window_start or self.recent[account] < 2 or attempt == 39:
                return account
        return account

    @staticmethod
    def in_week(at: datetime, monday: date) -> bool:
        return monday <= at.date() < monday + timedelta(days=7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same files)")
    parser.add_argument("--out", type=Path, default=Path("evals/history"), help="output directory")
    parser.add_argument("--tickets", type=int, default=4000, help="about how many tickets in all")
    parser.add_argument("--weeks", type=int, default=10, help="ISO weeks, ending with 2026-W47")
    parser.add_argument("--customers", type=int, default=12000, help="customer accounts")
    args = parser.parse_args()
    history = History(args.seed, args.tickets, args.weeks, args.customers)
    history.plant_churn()
    history.plant_emerging()
    history.plant_outage()
    volume = history.plan_noise()
    counts = write_history(history, volume, args.out)
    print(f"{counts} tickets, {len(history.mondays)} weeks, {args.customers} customers -> {args.out}")


if __name__ == "__main__":
    main()
