"""The writing half of scripts/seed_tasklane.py: planned tickets become ticket records
(words, outcome, times, severity, confidence, citations, CSAT) and three files:
tickets.jsonl, releases.toml and planted-signals.json (the benchmarks' ground truth).

Outcomes follow the topic: the agent resolves most how-to questions alone and few bug
reports; phone calls never reach it. Only documentation-gap topics are resolved by the
agent with confidence under 0.5, so the report's documentation gaps are those topics.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seed_tasklane_reasons import add_reasons
from tasklane_text import SLOTS, Context, compose
from tasklane_topics import ACCOUNT, BILLING, BUG, CATEGORIES, EMERGING, FEATURE, TECHNICAL, TOPICS

if TYPE_CHECKING:
    from seed_tasklane import Draft, History

ESCALATED_TO = {BILLING: "Escalated to the billing team", TECHNICAL: "Escalated to tier 2",
                ACCOUNT: "Escalated to account security", FEATURE: "Passed to product", BUG: "Escalated to engineering"}
CHANNELS = ("email", "chat", "web", "phone")
CHANNEL_MIX = {"free": (0.4, 0.43, 0.16, 0.01), "pro": (0.42, 0.39, 0.16, 0.03),
               "business": (0.5, 0.27, 0.17, 0.06), "enterprise": (0.52, 0.16, 0.2, 0.12)}
CSAT_MEAN = {"resolved_by_agent": 4.4, "resolved_by_specialist": 4.0, "escalated": 3.0, "reopened": 2.2}
AGENT_REPLIED = ("resolved_by_agent", "reopened")
SEAT_PRICE = {"pro": 9.0, "business": 16.5, "enterprise": 20.0}
ACCOUNT_SLOTS = ("country", "browser", "os", "phone", "idp", "tool", "card", "amount")


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


class Renderer:
    """Turns drafts into records, in ticket-id order, from its own seeded stream."""

    def __init__(self, history: History) -> None:
        self.history, self.now = history, history.now
        self.rng = random.Random(history.seed * 7919 + 1)
        self.seen: set[tuple[str, str]] = set()

    def record(self, draft: Draft, ticket_id: str) -> dict[str, Any]:
        rng, customer = self.rng, self.history.accounts.customer(draft.account)
        tier = str(customer["tier"])
        channel = "email" if draft.kind == "churn" else rng.choices(CHANNELS, CHANNEL_MIX[tier])[0]
        ctx = Context(draft.created_at, tier, channel, draft.tone, draft.stage, self.pinned(draft, customer), draft.ask)
        for _ in range(20):  # the same topic never reads the same twice
            subject, body, writer = compose(draft.topic, rng, ctx)
            if (subject, body) not in self.seen:
                break
        self.seen.add((subject, body))
        status = draft.status or self.outcome(draft, channel)
        confidence = self.confidence(draft, status, channel)
        resolved_at, status = self.resolved(draft, status)
        articles = writer.articles(draft.topic)
        replied = status in AGENT_REPLIED or (confidence is not None and confidence >= 0.3 and rng.random() < 0.5)
        record: dict[str, Any] = {
            "id": ticket_id, "created_at": iso(draft.created_at), "resolved_at": iso(resolved_at) if resolved_at else None,
            "channel": channel, "customer": customer, "subject": subject, "body": body,
            "resolution": self.resolution(draft, status), "status": status, "category": draft.category,
            "severity": self.severity(draft, tier), "agent_confidence": confidence,
            "cited_article_ids": articles[: rng.choice([1, 1, 2])] if replied and channel != "phone" else [],
            "resolved_by_article_ids": articles[:2] if status in ("resolved_by_agent", "resolved_by_specialist")
            and draft.topic is not EMERGING else [],
            "csat": self.csat(draft, status), "tags": list(draft.topic.tags),
        }
        return {key: value for key, value in record.items() if value is not None or key == "resolved_at"}

    def pinned(self, draft: Draft, customer: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        """What stays true of an account across its tickets: seats that match its revenue,
        its country, tools, identity provider; an emerging issue started with the update."""
        own = random.Random(self.history.seed * 1_000_003 + draft.account)
        tier, revenue = str(customer["tier"]), float(customer["monthly_revenue"])
        seats = own.randint(1, 5) if tier == "free" else max(2, round(revenue / SEAT_PRICE[tier]))
        ctx = Context(draft.created_at, tier, "email")
        values = {name: SLOTS[name](own, ctx) for name in ACCOUNT_SLOTS} | {"seats": str(seats)}
        if draft.topic is EMERGING:
            values["when"] = own.choice(["after the update", "with the new release", "on Tuesday, after the update"])
        return tuple(sorted(values.items()))

    def outcome(self, draft: Draft, channel: str) -> str:
        rng, recent = self.rng, draft.created_at > self.now - timedelta(days=2)
        if draft.kind == "emerging":
            if draft.created_at > self.now - timedelta(days=1) and rng.random() < 0.4:
                return "open"
            return "escalated" if rng.random() < 0.7 else "resolved_by_specialist"
        if draft.kind == "outage":
            return "resolved_by_agent" if rng.random() < 0.7 else "resolved_by_specialist"
        if channel == "phone":
            status = "resolved_by_specialist" if rng.random() < 0.75 else "escalated"
        elif rng.random() < draft.topic.agent_rate - (0.1 if draft.tone == "angry" else 0.0):
            status = "reopened" if rng.random() < 0.03 else "resolved_by_agent"
        else:
            status = "escalated" if rng.random() < 0.5 else "resolved_by_specialist"
        if recent and status != "resolved_by_agent" and rng.random() < 0.5:
            return "open"
        return status

    def confidence(self, draft: Draft, status: str, channel: str) -> float | None:
        """The agent's confidence: high when it resolved alone, except on documentation-gap
        topics; low when it handed over; none for phone calls it never saw."""
        rng = self.rng
        if channel == "phone" and draft.kind != "churn":
            return None
        if status == "resolved_by_agent":
            if draft.topic.doc_gap and rng.random() < 0.75:
                value = rng.uniform(0.22, 0.47)
            elif draft.topic.doc_gap:
                value = rng.uniform(0.55, 0.75)
            else:
                value = 0.55 + 0.42 * rng.betavariate(4, 2)
        elif status == "reopened":
            value = rng.uniform(0.5, 0.85)
        elif draft.topic is EMERGING:
            value = rng.uniform(0.3, 0.6)  # it matched the 'text is cut off' article, wrongly
        else:
            value = rng.uniform(0.05, 0.55) * (0.8 if draft.category == BUG else 1.0)
        return round(value, 3)

    def resolved(self, draft: Draft, status: str) -> tuple[datetime | None, str]:
        rng, created = self.rng, draft.created_at
        if status in AGENT_REPLIED:
            at: datetime | None = created + timedelta(minutes=rng.lognormvariate(1.8, 0.8))
        elif status == "resolved_by_specialist":
            at = created + timedelta(hours=rng.lognormvariate(2.5, 0.9))
        elif status == "escalated" and created < self.now - timedelta(days=5):
            at = created + timedelta(days=rng.uniform(1, 5))
        else:
            at = None
        if at is not None and at >= self.now:
            return None, "escalated" if status == "resolved_by_specialist" else status
        return (at.replace(microsecond=0) if at else None), status

    def resolution(self, draft: Draft, status: str) -> str:
        fix = self.rng.choice(draft.topic.fixes)
        if status == "open":
            return ""
        if status == "escalated":
            return fix if draft.topic is EMERGING else f"{ESCALATED_TO[draft.category]}. {fix}"
        if status == "reopened":
            return f"{fix} The customer reopened the ticket: the answer did not solve it."
        return fix

    def severity(self, draft: Draft, tier: str) -> str:
        """As the team set it: category, tier, tone, outage, and a human's judgement (jitter)."""
        points = {FEATURE: 0, BUG: 2}.get(draft.category, 1) + {"business": 1, "enterprise": 2}.get(tier, 0)
        points += (draft.tone == "angry") + (draft.stage >= 2) + 2 * (draft.topic.key == "outage")
        points += self.rng.choice([-1, 0, 0, 1])
        return "P1" if points >= 5 else "P2" if points >= 3 else "P3" if points == 2 else "P4"

    def csat(self, draft: Draft, status: str) -> int | None:
        if status not in CSAT_MEAN or self.rng.random() >= 0.4:
            return None
        mean = CSAT_MEAN[status] - (1.2 if draft.tone == "angry" else 0.0) - 0.6 * draft.stage
        return min(5, max(1, round(self.rng.gauss(mean, 0.8))))


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_history(history: History, volume: dict[str, dict[str, int]], out: Path) -> int:
    """Render every draft in time order (ids T-100001...) and write the three files."""
    drafts = sorted(history.drafts, key=lambda d: d.created_at)  # stable: planning order breaks ties
    renderer = Renderer(history)
    records = [renderer.record(draft, f"T-{100001 + n}") for n, draft in enumerate(drafts)]
    add_reasons(drafts, records, history.seed)
    out.mkdir(parents=True, exist_ok=True)
    lines = (json.dumps(record, ensure_ascii=False) for record in records)
    (out / "tickets.jsonl").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    (out / "releases.toml").write_text(releases_toml(history), encoding="utf-8")
    truth = planted_signals(history, drafts, records, volume)
    (out / "planted-signals.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(records)


def releases_toml(history: History) -> str:
    lines = ["# Tasklane product releases (demo data, written by scripts/seed_tasklane.py).", ""]
    for version, day, notes in history.releases:
        lines += ["[[release]]", f'version = "{version}"', f"date = {day.isoformat()}", f"notes = {json.dumps(notes)}", ""]
    return "\n".join(lines)


def planted_signals(history: History, drafts: list[Draft], records: list[dict[str, Any]],
                    volume: dict[str, dict[str, int]]) -> dict[str, Any]:
    """What was planted, by ticket id and account: ground truth for benchmarks only."""
    ids: dict[str, list[str]] = defaultdict(list)
    for draft, record in zip(drafts, records, strict=True):
        ids[draft.kind].append(record["id"])
    by_id = {record["id"]: record for record in records}
    this_week, previous_week = week_label(history.mondays[-1]), week_label(history.mondays[-2])
    change = {c: round(volume[this_week].get(c, 0) / max(1, volume[previous_week].get(c, 0)) - 1, 3) for c in CATEGORIES}
    version, released, notes = history.releases[-1]
    emerging = ids["emerging"]
    churn_ids: dict[str, list[str]] = defaultdict(list)
    for draft, record in zip(drafts, records, strict=True):
        if draft.kind == "churn":
            churn_ids[record["customer"]["id"]].append(record["id"])
    window = history.now - timedelta(days=14)
    churn = []
    for account in history.churn_accounts:
        customer = history.accounts.customer(account)
        mine = churn_ids[str(customer["id"])]
        recent = [i for i in mine if by_id[i]["created_at"] >= iso(window)]
        churn.append({"account_id": customer["id"], "tier": customer["tier"], "monthly_revenue": customer["monthly_revenue"],
                      "theme": next(d.topic.key for d in drafts if d.account == account and d.stage > 0),
                      "ticket_ids": recent, "earlier_ticket_ids": [i for i in mine if i not in recent],
                      "escalated": sum(by_id[i]["status"] == "escalated" for i in recent)})
    gaps = []
    for topic in (t for t in TOPICS if t.doc_gap):
        low = [r["id"] for d, r in zip(drafts, records, strict=True) if d.topic is topic
               and r["status"] == "resolved_by_agent" and r.get("agent_confidence", 1.0) < 0.5]
        gaps.append({"topic": topic.key, "category": topic.category, "question": topic.asks[0],
                     "articles": list(topic.articles), "ticket_ids": low,
                     "ticket_ids_report_week": [i for i in low if by_id[i]["created_at"] >= history.mondays[-1].isoformat()]})
    return {
        "version": 1,
        "generator": {"script": "scripts/seed_tasklane.py", "seed": history.seed, "tickets": len(records),
                      "customers": history.customers, "weeks": len(history.mondays)},
        "report_week": this_week,
        "weeks": [week_label(m) for m in history.mondays],
        "volume": volume,
        "emerging_issue": {
            "key": EMERGING.key, "title": "Timeline PDF export cropped since 4.2",
            "release": {"version": version, "date": released.isoformat(), "notes": notes},
            "first_seen": by_id[emerging[0]]["created_at"],
            "categories": dict(Counter(by_id[i]["category"] for i in emerging)),
            "ticket_ids": emerging, "accounts": sorted({by_id[i]["customer"]["id"] for i in emerging}),
        },
        "rising_category": {
            "category": BILLING, "week": this_week, "previous_week": volume[previous_week][BILLING],
            "this_week": volume[this_week][BILLING], "change_wow": change[BILLING],
            "cause": "price-change email to all customers on Monday 2026-11-16, 09:00 UTC",
            "planted": "extra tickets, 40-50% of the previous week's billing count, on top of the week's ordinary ones",
            "ordinary_this_week": volume[this_week][BILLING] - len(ids["rising"]),
            "extra_ticket_ids": ids["rising"],
        },
        "other_categories_change_wow": {c: change[c] for c in CATEGORIES if c != BILLING},
        "churn_accounts": churn,
        "doc_gap_topics": gaps,
        "quiet_releases": [v for v, _, _ in history.releases[:-1]],
        "incidents": [{"what": "40-minute outage (502 errors), not a report-week signal", "week": previous_week,
                       "ticket_ids": ids["outage"]}],
    }
