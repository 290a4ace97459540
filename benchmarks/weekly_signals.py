"""Does the weekly report find what was planted, and only that? (issue 14's signal benchmark)

    .venv/bin/python benchmarks/weekly_signals.py [--seeds 1 2 3] [--json]

Histories: the committed demo (evals/history, seed 7) and freshly seeded ones
(scripts/seed_tasklane.py --seed N into tmp dirs; each plants the same four kinds of
signal into different noise). Each is imported into a fresh DuckDB with
`kbops tickets import` and reported with `kbops report weekly --week 2026-W47 --format json`
(the real CLI, the project's KB and embedder; embeddings cached in .kbops/embeddings.sqlite).

Scored against planted-signals.json (8 planted items per history):
- emerging issue found: a reported emerging issue with >= 50% of its tickets planted that
  covers >= 50% of the planted tickets; release named: that issue names the planted release;
- rising category: the planted category is flagged;
- churn accounts: each of the five planted accounts is listed under health.
False alarms per report: emerging issues that are not the planted one, flagged categories
that are not the planted one. Health lists other accounts too (two escalated tickets in 14
days is a signal of its own); they are counted, not called false alarms.
Baseline, same tickets and embeddings: flag every category up > 20% week over week (no
noise test, no minimum), and call every cluster of this week's tickets (the report's own
clustering, >= emerging_min_tickets tickets from >= emerging_min_accounts accounts)
emerging, with no prior-weeks check. Results in benchmarks/results/weekly_signals.md (+ .json).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import REPO  # noqa: E402
from kbops.insights.groups import account_of, group_rows  # noqa: E402
from kbops.insights.neighbours import embed_tickets  # noqa: E402
from kbops.workspace import Workspace  # noqa: E402

RESULTS = Path(__file__).parent / "results"
KBOPS = Path(sys.executable).parent / "kbops"
WEEK = "2026-W47"
SEEDS = (1, 2, 3, 4, 5, 6, 8, 9)
"""Fresh histories besides the demo (seed 7 is the demo itself)."""
GOAL_RECALL, GOAL_FALSE_ALARMS = 0.9, 1
PROJECT = """[kb]
path = "{kb}"

[index]
path = ".kbops/index"
embedding_cache = "{cache}"

[embedding]
model = "builtin:all-MiniLM-L6-v2"

[history]
path = ".kbops/history.duckdb"
releases = "{releases}"
release_tags = ""
"""


def kbops(project: Path, *args: str) -> str:
    done = subprocess.run([str(KBOPS), *args], cwd=project, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"})
    if done.returncode != 0:
        raise SystemExit(f"kbops {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    return done.stdout


def project_for(history: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kbops.toml").write_text(PROJECT.format(kb=REPO / "kb", cache=REPO / ".kbops" / "embeddings.sqlite",
                                                      releases=history / "releases.toml"))
    return folder


def matches(reported: list[str], planted: set[str]) -> bool:
    shared = len(planted & set(reported))
    return bool(reported) and shared / len(reported) >= 0.5 and shared / len(planted) >= 0.5


def score(report: dict[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
    planted_ids = set(truth["emerging_issue"]["ticket_ids"])
    version = truth["emerging_issue"]["release"]["version"].lstrip("v")
    found = [e for e in report["emerging"] if matches(e["ticket_ids"], planted_ids)]
    named = any((e.get("release") or {}).get("version", "").lstrip("v") == version for e in found)
    flagged = list(report["volume"]["flagged"])
    rising = truth["rising_category"]["category"]
    churn = [a["account_id"] for a in truth["churn_accounts"]]
    listed = {h["account_id"] for h in report["health"]}
    hits = [bool(found), named, rising in flagged] + [a in listed for a in churn]
    return {
        "emerging_found": bool(found), "release_named": named, "rising_flagged": rising in flagged,
        "churn_found": sum(a in listed for a in churn), "churn_planted": len(churn),
        "churn_ranked_first": len(set(churn) & {h["account_id"] for h in report["health"][: len(churn)]}),
        "recall": round(sum(hits) / len(hits), 3),
        "false_emerging": [e["title"] for e in report["emerging"] if e not in found],
        "false_rising": [c for c in flagged if c != rising],
        "false_alarms": len(report["emerging"]) - len(found) + len([c for c in flagged if c != rising]),
        "other_health_accounts": len(listed - set(churn)),
        "doc_gaps": doc_gap_hits(report, truth),
    }


def doc_gap_hits(report: dict[str, Any], truth: dict[str, Any]) -> dict[str, int]:
    """Listed gaps whose tickets are mostly planted documentation-gap tickets, and how
    many of the planted topics they cover (informative; not in the recall)."""
    topic_of = {i: t["topic"] for t in truth["doc_gap_topics"] for i in t["ticket_ids"]}
    covered, planted = set(), 0
    for gap in report["doc_gaps"]:
        topics = [topic_of[i] for i in gap["ticket_ids"] if i in topic_of]
        if len(topics) * 2 >= len(gap["ticket_ids"]):
            planted += 1
            covered.add(max(set(topics), key=topics.count))
    return {"listed": len(report["doc_gaps"]), "planted": planted, "topics_covered": len(covered),
            "topics_planted": len(truth["doc_gap_topics"])}


def baseline(project: Path, truth: dict[str, Any]) -> dict[str, Any]:
    """Naive rules on the same history: no noise test, no prior-weeks check."""
    with Workspace.open(project / "kbops.toml") as ws:
        settings = ws.settings
        tickets = ws.history.tickets(since=datetime(2026, 11, 9, tzinfo=UTC))
        this_week = [t for t in tickets if t.created_at and t.created_at.isocalendar()[1] == 47]
        vectors = embed_tickets(this_week, ws.embedder)
    counts = {w: {c: 0 for c in truth["volume"][WEEK]} for w in (46, 47)}
    for t in tickets:
        if t.created_at:
            counts[t.created_at.isocalendar()[1]][t.category] += 1
    flagged = [c for c, n in counts[47].items() if n > 1.2 * counts[46][c]]
    clusters = []
    for rows in group_rows(vectors, range(len(this_week)), settings.gaps.distance_threshold):
        members = [this_week[r] for r in rows]
        if len(members) >= settings.weekly.emerging_min_tickets and \
                len({account_of(t) for t in members}) >= settings.weekly.emerging_min_accounts:
            clusters.append([t.id for t in members])
    report = {"emerging": [{"title": f"cluster {n}", "ticket_ids": ids, "release": None}
                           for n, ids in enumerate(clusters)],
              "volume": {"flagged": flagged}, "health": [], "doc_gaps": []}
    scored = score(report, truth)
    return {k: scored[k] for k in ("emerging_found", "rising_flagged", "false_alarms")} | {
        "false_emerging": len(scored["false_emerging"]), "false_rising": scored["false_rising"]}


def run_history(name: str, history: Path, work: Path) -> dict[str, Any]:
    truth = json.loads((history / "planted-signals.json").read_text(encoding="utf-8"))
    project = project_for(history, work / name)
    started = time.perf_counter()
    kbops(project, "tickets", "import", str(history / "tickets.jsonl"))
    imported = time.perf_counter()
    report = json.loads(kbops(project, "report", "weekly", "--week", WEEK, "--format", "json"))
    reported = time.perf_counter()
    result = {"history": name, "tickets": truth["generator"]["tickets"], **score(report, truth),
              "baseline": baseline(project, truth),
              "import_s": round(imported - started, 1), "report_s": round(reported - imported, 1)}
    print(f"{name}: recall {result['recall']} (emerging {result['emerging_found']}, release {result['release_named']}, "
          f"rising {result['rising_flagged']}, churn {result['churn_found']}/{result['churn_planted']}), "
          f"false alarms {result['false_alarms']} {result['false_emerging'] + result['false_rising']}; "
          f"baseline false alarms {result['baseline']['false_alarms']}", file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS), help="seeds of the fresh histories")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="weekly-signals-") as tmp:
        work = Path(tmp)
        runs.append(run_history("demo (seed 7)", REPO / "evals" / "history", work))
        for seed in args.seeds:
            out = work / f"seed-{seed}-history"
            subprocess.run([sys.executable, str(REPO / "scripts" / "seed_tasklane.py"), "--seed", str(seed),
                            "--out", str(out)], check=True, capture_output=True)
            runs.append(run_history(f"seed {seed}", out, work))
    summary = summarise(runs)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "weekly_signals.json").write_text(json.dumps({"runs": runs, "summary": summary}, indent=2) + "\n")
    (RESULTS / "weekly_signals.md").write_text(markdown(runs, summary))
    print(json.dumps(summary, indent=2) if args.json else markdown(runs, summary))


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    base = [r["baseline"] for r in runs]
    return {
        "histories": len(runs),
        "median_recall": statistics.median(r["recall"] for r in runs),
        "min_recall": min(r["recall"] for r in runs),
        "median_false_alarms": statistics.median(r["false_alarms"] for r in runs),
        "max_false_alarms": max(r["false_alarms"] for r in runs),
        "goal_met": all(r["recall"] >= GOAL_RECALL and r["false_alarms"] <= GOAL_FALSE_ALARMS for r in runs),
        "baseline_median_false_alarms": statistics.median(b["false_alarms"] for b in base),
        "baseline_emerging_found": sum(b["emerging_found"] for b in base),
        "baseline_rising_flagged": sum(b["rising_flagged"] for b in base),
    }


def markdown(runs: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    lines = [
        "# Weekly report: planted-signal detection", "",
        "`benchmarks/weekly_signals.py`: the committed demo history and freshly seeded ones "
        "(`scripts/seed_tasklane.py`), each imported with `kbops tickets import` into a fresh DuckDB and reported "
        f"with `kbops report weekly --week {WEEK} --format json`. 8 planted items per history: the emerging issue, "
        "its release, the rising category, 5 churn-risk accounts. Goal: recall >= 0.9 with at most 1 false alarm "
        "per report.", "",
        "| history | tickets | recall | emerging | release | rising | churn | false alarms | which | other health accounts "
        "| doc gaps (planted/listed, topics) | baseline false alarms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        d, b = r["doc_gaps"], r["baseline"]
        lines.append(
            f"| {r['history']} | {r['tickets']} | {r['recall']} | {yes(r['emerging_found'])} | {yes(r['release_named'])} "
            f"| {yes(r['rising_flagged'])} | {r['churn_found']}/{r['churn_planted']} ({r['churn_ranked_first']} ranked first) "
            f"| {r['false_alarms']} "
            f"| {'; '.join(r['false_emerging'] + r['false_rising']) or '-'} | {r['other_health_accounts']} "
            f"| {d['planted']}/{d['listed']}, {d['topics_covered']}/{d['topics_planted']} "
            f"| {b['false_alarms']} ({b['false_emerging']} clusters, {len(b['false_rising'])} categories) |")
    lines += [
        "",
        f"**Median over {summary['histories']} histories: recall {summary['median_recall']} (min "
        f"{summary['min_recall']}), false alarms per report {summary['median_false_alarms']} (max "
        f"{summary['max_false_alarms']}). Goal {'met' if summary['goal_met'] else 'NOT met'} in every history.**", "",
        f"Baseline (same tickets, same embeddings): every category up > 20% week over week is flagged and every "
        f"cluster of this week's tickets with enough tickets and accounts is called emerging, with no prior-weeks "
        f"check. It finds the planted issue in {summary['baseline_emerging_found']} of {summary['histories']} "
        f"histories and the rising category in {summary['baseline_rising_flagged']}, at a median of "
        f"{summary['baseline_median_false_alarms']} false alarms per report. The generator holds the other "
        f"categories within 10% of the week before, so the naive rising rule raises none here: the baseline's "
        f"false alarms are clusters that existed all along.", "",
        "Churn: planted accounts listed under health (how many of them are the first five listed). "
        "Other health accounts are accounts listed for another rule (usually two escalated tickets in 14 days); "
        "they are not counted as false alarms. Doc gaps: listed gaps whose tickets are mostly planted "
        "documentation-gap tickets, and how many of the planted topics they cover (not part of the recall).", "",
    ]
    return "\n".join(lines)


def yes(value: bool) -> str:
    return "yes" if value else "**no**"


if __name__ == "__main__":
    main()
