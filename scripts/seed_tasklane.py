"""Seeded ticket history of Tasklane, the demo product: what `make demo` imports and the
weekly report reads, and the ground truth the signal benchmarks score against.

    python scripts/seed_tasklane.py --seed 7 --out evals/history [--tickets N] [--weeks W] [--customers C]

Writes tickets.jsonl (kbops' ticket schema with the history fields), releases.toml and
planted-signals.json. The last week is always ISO 2026-W47 (Mon 16 - Sun 22 November 2026).
Ordinary tickets are left as noisy as real ones, and nothing about them is adjusted to
suit a detector: each category has a slowly wandering weekly baseline (1% growth a week
times a log AR(1) wander), each day's count is negative binomial around it with a weekday
pattern (Poisson with a gamma-distributed rate), every ticket's topic and question are drawn
by weight (the weekly mix is multinomial), and accounts are drawn by a heavy-tailed
propensity, so some ordinary accounts write three times in a fortnight. No week or category
is clamped, so a category can rise 20% by chance and a question can be busier one week.
On top of that noise four signals are planted and recorded with their ticket ids and accounts:
1. release v4.2.0 (Tue 17 Nov) breaks timeline PDF exports: a new problem from 20+ accounts;
2. a price-change email on Mon 16 Nov: extra billing tickets, 40-50% of W46's billing count,
   on top of W47's ordinary billing tickets. This is the only constraint on volume and it
   concerns the planted tickets alone (how many to add); W47's ordinary billing tickets are
   as noisy as any week's, so the observed rise is 40-50% plus or minus the noise;
3. five business/enterprise accounts with 3+ tickets in 14 days, mostly escalated, angrier
   each time (they write nothing else in the history);
4. recurring topics the agent answers with low confidence (documentation gaps).
A 40-minute outage in W46 adds an incident to the week before (not a report-week signal).
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
"""Monday to Sunday: a working week and a quiet weekend."""
GROWTH = 0.01
"""Expected volume grows 1% a week (more customers)."""
DRIFT, DRIFT_MEMORY = 0.04, 0.8
"""A category's log baseline is AR(1): each week keeps 0.8 of its deviation and adds N(0, 0.04)
(about 7% away from the trend at any time)."""
DAY_DISPERSION = 30.0
"""Gamma shape of a day's rate: daily counts are negative binomial, variance mu + mu^2 / 30 (a
busy Monday, a quiet Thursday). With the wander, a category's weekly count varies about twice
as much as Poisson would (mildly over-dispersed, as support queues are)."""
RISE = (0.40, 0.50)
"""The planted billing rise: extra tickets, this share of the week before's billing tickets."""
RISING_DAYS = (3.0, 2.5, 1.5, 1.0, 0.8, 0.3, 0.3)
"""When the extra billing tickets came: the email went out on Monday."""
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

    # ---------------------------------------------------------------- noise
    def plan_noise(self) -> dict[str, dict[str, int]]:
        """Every category's ordinary tickets, day by day, from its wandering baseline; then the
        planted billing rise on top of W47's ordinary billing. Returns tickets per week and category."""
        weeks = len(self.mondays)
        growth = [1 + GROWTH * (w - weeks + 1) for w in range(weeks)]
        base = max(20.0, (self.target - len(self.drafts)) / (sum(growth) + RISE[1] * CATEGORY_SHARE[BILLING]))
        levels = {c: self.baseline(base * CATEGORY_SHARE[c], growth) for c in CATEGORIES}
        for category in CATEGORIES:
            for monday, level in zip(self.mondays, levels[category], strict=True):
                for offset, day_weight in enumerate(DAY_WEIGHTS):
                    mean = level * day_weight / sum(DAY_WEIGHTS) * self.np.gamma(DAY_DISPERSION, 1 / DAY_DISPERSION)
                    self.noise(monday + timedelta(days=offset), category, int(self.np.poisson(mean)))
        self.plant_rise(self.weekly_volume()[week_label(self.mondays[-2])][BILLING])
        return self.weekly_volume()

    def weekly_volume(self) -> dict[str, dict[str, int]]:
        volume: dict[str, Counter[str]] = {week_label(m): Counter() for m in self.mondays}
        for draft in self.drafts:
            volume[week_label(draft.created_at.date() - timedelta(days=draft.created_at.weekday()))][draft.category] += 1
        return {label: {c: counts[c] for c in CATEGORIES} for label, counts in volume.items()}

    def baseline(self, mean: float, growth: list[float]) -> list[float]:
        """A category's expected weekly volume: slow growth times a mean-reverting wander
        (log AR(1)), so categories drift apart and back over the weeks as real queues do."""
        wander = self.np.normal(0.0, DRIFT / math.sqrt(1 - DRIFT_MEMORY**2))
        levels = []
        for g in growth:
            levels.append(mean * g * math.exp(wander))
            wander = DRIFT_MEMORY * wander + self.np.normal(0.0, DRIFT)
        return levels

    def plant_rise(self, previous_week: int) -> None:
        """The price-change email: billing tickets added to W47's ordinary ones, 40-50% of
        W46's billing count, front-loaded from Monday 09:00 on the topics the email raised."""
        billing = [t for t in TOPICS if t.category == BILLING]
        weights = [t.weight * RISING_BOOST.get(t.key, 1.0) for t in billing]
        for _ in range(round(previous_week * self.rng.uniform(*RISE))):
            offset = self.rng.choices(range(7), RISING_DAYS)[0]
            at = moment(self.rng, LAST_MONDAY + timedelta(days=offset), 9.2 if offset == 0 else 0.0)
            self.ticket(at, self.rng.choices(billing, weights)[0], BILLING, "rising")

    def noise(self, day: date, category: str, count: int) -> None:
        """`count` ordinary tickets on `day`: topics drawn by weight, one draw per ticket (the
        mix is multinomial, so a question can be busier one week by chance, as in real queues)."""
        topics = [t for t in TOPICS if t.category == category]
        weights = [t.weight for t in topics]
        for _ in range(count):
            self.ticket(moment(self.rng, day), self.rng.choices(topics, weights)[0], category, "ordinary")

    def ticket(self, at: datetime, topic: Topic, category: str, kind: str) -> None:
        angry = 0.12 if category == BUG else 0.06
        tone = self.rng.choices(["angry", "polite", "neutral"], [angry, 0.3, 0.7 - angry])[0]
        self.add(Draft(at, self.pick_account(), topic, category, kind, tone, ask=self.rng.randrange(len(topic.asks))))

    def pick_account(self) -> int:
        """By heavy-tailed propensity; the planted churn accounts write only their planted tickets."""
        while True:
            account = self.accounts.sample(self.np, 1)[0]
            if account not in self.churn_accounts:
                return account


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
