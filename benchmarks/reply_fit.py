"""Reply fit (issue 17): tone profile and language accuracy on the labelled ticket table.

    .venv/bin/python benchmarks/reply_fit.py [--json] [--split dev]

Runs the agent's own functions, as `Agent.answer` calls them, on `benchmarks/data/reply_fit.jsonl`
(labelling rules in `benchmarks/data/reply_fit.md`):
- `kbops.agent.tone.tone_profile` on the prepared ticket and the policy's signals
  (`assess_ticket`, without the multilingual similarity model: the anger score does not use it)
  -> profile accuracy, per-profile precision and recall, confusion matrix;
- `kbops.agent.language.detect_language` on subject + body -> accuracy per language.
Baselines: "always neutral" (majority), "sentiment only" (frustrated when the anger score
reaches `policy.negative_sentiment_threshold`, else neutral) and, for language, "always en".
Dev and held-out rows are scored separately: held-out rows were never used for tuning, so
the gap between the two shows how much the word lists fit dev. Default settings.
Results in benchmarks/results/reply_fit.md (+ .json).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import REPO  # noqa: E402
from kbops.agent.decision import TicketInput  # noqa: E402
from kbops.agent.fit import PROFILES  # noqa: E402
from kbops.agent.policy import assess_ticket  # noqa: E402
from kbops.agent.policy.decide import TicketSignals  # noqa: E402
from kbops.config import Settings  # noqa: E402
from kbops.tickets.model import Customer, Ticket  # noqa: E402

TABLE = REPO / "benchmarks" / "data" / "reply_fit.jsonl"
RESULTS = REPO / "benchmarks" / "results"
SPLITS = ("dev", "heldout")
OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
"""Every ticket is opened at this time; `customer_since_days` counts back from it."""
GOALS = {"profile_accuracy": 0.9, "language_accuracy": 0.95}


@dataclass(frozen=True)
class Row:
    ticket: Ticket
    split: str
    profile: str
    language: str
    hard: str


def load_rows(path: Path = TABLE) -> list[Row]:
    """The table, strictly: a bad row stops the benchmark naming file:line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            days = raw.get("customer_since_days")
            since = (OPENED - timedelta(days=int(days))).date() if days is not None else None
            ticket = Ticket(id=raw["id"], created_at=OPENED, channel=raw.get("channel", "email"),
                            customer=Customer(id=f"c-{raw['id']}", tier=raw["tier"], since=since),
                            subject=raw["subject"], body=raw["body"], tags=tuple(raw.get("tags", ())))
            row = Row(ticket, raw["split"], raw["profile"], raw["language"], raw.get("hard", ""))
        except (ValueError, KeyError, TypeError) as error:
            raise SystemExit(f"{path}:{number}: {error}") from error
        if row.split not in SPLITS or row.profile not in PROFILES or len(row.language) != 2:
            raise SystemExit(f"{path}:{number}: split {row.split!r}, profile {row.profile!r} or language "
                             f"{row.language!r} is not one of {SPLITS}, {PROFILES}, an ISO 639-1 code")
        rows.append(row)
    return rows


def prepared(ticket: Ticket) -> TicketInput:
    """What `Agent.prepare` hands the tone and language functions (no redaction: the table has no PII)."""
    return TicketInput(text=ticket.text, subject=ticket.subject, tier=str(ticket.customer.tier), ticket_id=ticket.id)


def profile_function(settings: Settings) -> Callable[[Ticket, TicketInput, TicketSignals], str]:
    """The tone helper's `tone_profile`, given the ticket record's facts (tags, sign-up date)
    when the module offers `customer_facts`, as the agent does for a ticket record."""
    from kbops.agent import tone

    facts_of = getattr(tone, "customer_facts", None)

    def profile(ticket: Ticket, ticket_input: TicketInput, signals: TicketSignals) -> str:
        if facts_of is None:
            return tone.tone_profile(ticket_input, signals, settings).profile
        return tone.tone_profile(ticket_input, signals, settings, facts_of(ticket)).profile

    return profile


def timed(function: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - started


def predict(rows: Sequence[Row], settings: Settings) -> list[dict[str, Any]]:
    from kbops.agent.language import detect_language

    profile = profile_function(settings)
    detect_language("warm up the detector model", settings)
    found = []
    for row in rows:
        ticket_input = prepared(row.ticket)
        signals, assess_s = timed(assess_ticket, ticket_input.full_text, ticket_input.tier, settings.policy)
        predicted, tone_s = timed(profile, row.ticket, ticket_input, signals)
        language, language_s = timed(detect_language, ticket_input.full_text, settings)
        sentiment_only = "frustrated" if signals.sentiment >= settings.policy.negative_sentiment_threshold else "neutral"
        found.append({"id": row.ticket.id, "split": row.split, "profile": row.profile, "predicted": predicted,
                      "sentiment_only": sentiment_only, "anger": round(signals.sentiment, 3),
                      "language": row.language, "detected": language.code, "hard": row.hard,
                      "assess_s": assess_s, "tone_s": tone_s, "language_s": language_s})
    return found


def accuracy(pairs: Sequence[tuple[str, str]]) -> float:
    return round(sum(a == b for a, b in pairs) / len(pairs), 4) if pairs else 0.0


def profile_scores(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    pairs = [(r["profile"], r["predicted"]) for r in results]
    confusion = {truth: {guess: sum(1 for t, p in pairs if t == truth and p == guess) for guess in PROFILES}
                 for truth in PROFILES}
    per_profile = {}
    for name in PROFILES:
        hits = confusion[name][name]
        predicted = sum(confusion[t][name] for t in PROFILES)
        actual = sum(confusion[name].values())
        per_profile[name] = {"precision": round(hits / predicted, 4) if predicted else 0.0,
                             "recall": round(hits / actual, 4) if actual else 0.0, "support": actual}
    return {
        "rows": len(pairs), "accuracy": accuracy(pairs),
        "baselines": {"always_neutral": accuracy([(t, "neutral") for t, _ in pairs]),
                      "sentiment_only": accuracy([(r["profile"], r["sentiment_only"]) for r in results])},
        "per_profile": per_profile, "confusion": confusion,
        "misses": [{"id": r["id"], "expected": r["profile"], "predicted": r["predicted"], "anger": r["anger"],
                    "hard": r["hard"]} for r in results if r["profile"] != r["predicted"]],
    }


def language_scores(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    pairs = [(r["language"], r["detected"]) for r in results]
    per_language = {code: {"accuracy": accuracy([p for p in pairs if p[0] == code]),
                           "rows": sum(1 for t, _ in pairs if t == code)}
                    for code in sorted({t for t, _ in pairs})}
    return {"rows": len(pairs), "accuracy": accuracy(pairs),
            "baselines": {"always_en": accuracy([(t, "en") for t, _ in pairs])},
            "per_language": per_language,
            "misses": [{"id": r["id"], "expected": r["language"], "detected": r["detected"], "hard": r["hard"]}
                       for r in results if r["language"] != r["detected"]]}


def median_ms(results: Sequence[dict[str, Any]], key: str) -> float:
    return round(statistics.median(r[key] for r in results) * 1000, 3)


def measure(rows: Sequence[Row], settings: Settings) -> dict[str, Any]:
    results = predict(rows, settings)
    by_split = {split: [r for r in results if r["split"] == split] for split in SPLITS}
    return {
        "table": str(TABLE.relative_to(REPO)), "rows": len(rows),
        "rows_per_split": {s: len(v) for s, v in by_split.items()},
        "profile": {s: profile_scores(v) for s, v in by_split.items()},
        "language": {s: language_scores(v) for s, v in by_split.items()},
        "timing_ms": {"assess_ticket": median_ms(results, "assess_s"), "tone_profile": median_ms(results, "tone_s"),
                      "detect_language": median_ms(results, "language_s")},
        "goals": GOALS,
    }


def _goal(value: float, goal: float) -> str:
    return "met" if value >= goal else f"missed by {goal - value:.3f}"


def markdown(result: dict[str, Any], show_heldout: bool = False) -> str:
    p, lang, t = result["profile"], result["language"], result["timing_ms"]
    lines = [
        "# Reply fit: tone profile and language",
        "",
        f"{result['rows']} labelled tickets (`{result['table']}`, rules in `benchmarks/data/reply_fit.md`), "
        f"{result['rows_per_split']['dev']} dev / {result['rows_per_split']['heldout']} held-out. Held-out rows were "
        "never used for tuning. Default settings.",
        "",
        "| measure | dev | held-out | goal |",
        "|---|---:|---:|---|",
    ]
    for label, scores, key, goal in (("profile accuracy (`tone_profile`)", p, "accuracy", GOALS["profile_accuracy"]),
                                     ("profile baseline: always neutral", p, "always_neutral", None),
                                     ("profile baseline: sentiment only", p, "sentiment_only", None),
                                     ("language accuracy (`detect_language`)", lang, "accuracy",
                                      GOALS["language_accuracy"]),
                                     ("language baseline: always en", lang, "always_en", None)):
        dev, held = (scores[s][key] if key == "accuracy" else scores[s]["baselines"][key] for s in SPLITS)
        verdict = f">= {goal} (dev {_goal(dev, goal)}, held-out {_goal(held, goal)})" if goal else "-"
        lines.append(f"| {label} | {dev:.3f} | {held:.3f} | {verdict} |")
    lines += ["", "## Per profile", "", "| profile | dev precision | dev recall | held-out precision | held-out recall |",
              "|---|---:|---:|---:|---:|"]
    for name in PROFILES:
        d, h = (p[s]["per_profile"][name] for s in SPLITS)
        lines.append(f"| {name} | {d['precision']:.2f} | {d['recall']:.2f} | {h['precision']:.2f} | {h['recall']:.2f} |")
    for split in SPLITS:
        lines += ["", f"Confusion ({split}; rows: expected, columns: predicted):", "",
                  "| expected \\ predicted | " + " | ".join(PROFILES) + " |", "|---|" + "---:|" * len(PROFILES)]
        for truth in PROFILES:
            lines.append(f"| {truth} | " + " | ".join(str(p[split]["confusion"][truth][g]) for g in PROFILES) + " |")
    lines += ["", "## Per language", "", "| language | dev rows | dev accuracy | held-out rows | held-out accuracy |",
              "|---|---:|---:|---:|---:|"]
    for code in sorted(lang["dev"]["per_language"]):
        d, h = (lang[s]["per_language"].get(code, {"rows": 0, "accuracy": 0.0}) for s in SPLITS)
        lines.append(f"| {code} | {d['rows']} | {d['accuracy']:.3f} | {h['rows']} | {h['accuracy']:.3f} |")
    lines += ["", "## Misses (dev rows; held-out rows are not named here, so nobody tunes on them)", ""]
    for split in SPLITS[:1] + (SPLITS[1:] if show_heldout else ()):
        for miss in p[split]["misses"]:
            note = f" ({miss['hard']})" if miss["hard"] else ""
            lines.append(f"- {split} {miss['id']}: expected {miss['expected']}, got {miss['predicted']}, "
                         f"anger {miss['anger']}{note}")
        for miss in lang[split]["misses"]:
            note = f" ({miss['hard']})" if miss["hard"] else ""
            lines.append(f"- {split} {miss['id']}: language {miss['expected']}, detected {miss['detected'] or '-'}{note}")
    if not show_heldout:
        lines.append(f"- held-out: {len(p['heldout']['misses'])} profile and {len(lang['heldout']['misses'])} language "
                     "misses (`--show-heldout` names them on stdout, for the lead)")
    lines += ["", "## Time per ticket (median, all rows)", "",
              f"`assess_ticket` {t['assess_ticket']} ms, `tone_profile` {t['tone_profile']} ms, "
              f"`detect_language` {t['detect_language']} ms.",
              "", "Reproduce: `.venv/bin/python benchmarks/reply_fit.py`", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").strip().splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the result as JSON instead of Markdown")
    parser.add_argument("--show-heldout", action="store_true",
                        help="name the held-out misses on stdout (never in the results files)")
    parser.add_argument("--split", choices=SPLITS,
                        help="score one split only, print it, write no results files (tune on `dev`, never on held-out)")
    args = parser.parse_args()
    if args.split:
        rows = [row for row in load_rows() if row.split == args.split]
        scored = predict(rows, Settings())
        one = {"split": args.split, "profile": profile_scores(scored), "language": language_scores(scored)}
        print(json.dumps(one, indent=None if args.json else 2))
        return
    result = measure(load_rows(), Settings())
    written = {**result, "profile": {s: _unnamed(v, s) for s, v in result["profile"].items()},
               "language": {s: _unnamed(v, s) for s, v in result["language"].items()}}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reply_fit.md").write_text(markdown(result), encoding="utf-8")
    (RESULTS / "reply_fit.json").write_text(json.dumps(written, indent=2) + "\n", encoding="utf-8")
    shown = result if args.show_heldout else written
    print(json.dumps(shown) if args.json else markdown(result, args.show_heldout))


def _unnamed(scores: dict[str, Any], split: str) -> dict[str, Any]:
    """Held-out scores with the missed rows counted, not named."""
    if split == "dev":
        return scores
    return {**scores, "misses": len(scores["misses"])}


if __name__ == "__main__":
    main()
