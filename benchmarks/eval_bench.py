"""Eval replay speed and how often the offline correctness verdict agrees with gold labels.

Each shared question becomes a ticket whose resolution is the dataset's reference answer
and whose gold article ids are *hidden* from the grader, so correctness is judged only by
answer-vs-resolution similarity (the rule for tickets nobody labelled). The gold verdict
uses the hidden labels: answered + a gold article cited = deflected; answered otherwise =
false_deflection; escalated = gap or gated as the agent said. Agreement = share of tickets
whose offline verdict equals the gold verdict; the table also sweeps the similarity
threshold (the configured one is marked) so its calibration is visible.

Tickets are replayed against each dataset's own KB and again against the combined KB
(wixqa + techqa + dstc10, 12.5k articles): 1,806 replays of 903 questions.

    python benchmarks/eval_bench.py [--dataset DIR ...] [--json] [--no-combined]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import Dataset, Question, load_dataset, shared_datasets  # noqa: E402
from kbops.agent.offline import OfflineAnswerer  # noqa: E402
from kbops.evals.grading import grade  # noqa: E402
from kbops.evals.replay import replay_ticket  # noqa: E402
from kbops.evals.runs import Verdict  # noqa: E402
from kbops.tickets.model import Ticket  # noqa: E402
from retrieval import build  # noqa: E402

RESULTS = Path(__file__).parent / "results"
SWEEP = (0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70)


def as_ticket(question: Question) -> Ticket:
    return Ticket(id=question.id, body=question.text, resolution=question.reference, resolved_by_article_ids=())


def gold_verdict(result_verdict: Verdict, cited: tuple[str, ...], gold: tuple[str, ...]) -> Verdict:
    if result_verdict in (Verdict.GATED, Verdict.GAP):
        return result_verdict
    return Verdict.DEFLECTED if set(cited) & set(gold) else Verdict.FALSE_DEFLECTION


def replay_dataset(label: str, dataset: Dataset, questions: list[Question]) -> dict:
    workspace, _ = build(dataset, use_cache=True, answerer=OfflineAnswerer())
    agent, embedder = workspace.agent, workspace.embedder
    threshold = workspace.settings.eval.correctness_threshold
    rows = []
    started = time.perf_counter()
    for question in questions:
        result = replay_ticket(agent, embedder, as_ticket(question), threshold)
        rows.append((question, result))
    seconds = time.perf_counter() - started
    sweep, balanced = {}, {}
    for value in sorted(set(SWEEP) | {threshold}):
        agree = 0
        hits = {True: [0, 0], False: [0, 0]}  # gold correct? -> [offline agrees, count]
        for question, result in rows:
            offline = result.verdict
            expected = gold_verdict(result.verdict, result.cited_article_ids, question.gold)
            if result.action == "answer":
                regraded = grade(result.reply, result.cited_article_ids, (), result.correctness, value,
                                 bool(question.reference))
                offline = Verdict.DEFLECTED if regraded.correct else Verdict.FALSE_DEFLECTION
                bucket = hits[expected is Verdict.DEFLECTED]
                bucket[0] += offline is expected
                bucket[1] += 1
            agree += offline is expected
        sweep[f"{value:.2f}"] = round(agree / len(rows), 4)
        rates = [agreed / count for agreed, count in hits.values() if count]
        balanced[f"{value:.2f}"] = round(sum(rates) / len(rates), 4) if rates else 0.0
    verdicts = {v.value: sum(r.verdict is v for _, r in rows) for v in Verdict}
    return {
        "dataset": label,
        "tickets": len(rows),
        "seconds": round(seconds, 2),
        "tickets_per_s": round(len(rows) / seconds, 1),
        "threshold": threshold,
        "agreement": sweep[f"{threshold:.2f}"],
        "agreement_by_threshold": sweep,
        "balanced_accuracy_answered": balanced[f"{threshold:.2f}"],
        "balanced_accuracy_by_threshold": balanced,
        "verdicts": verdicts,
    }


def markdown(results: list[dict], total: dict) -> str:
    lines = [
        "# Eval replay benchmark (offline backend)",
        "",
        "| dataset | tickets | tickets/s | agreement with gold verdict | balanced accuracy (answered) | deflected | false defl. | gated | gap |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        v = r["verdicts"]
        lines.append(f"| {r['dataset']} | {r['tickets']} | {r['tickets_per_s']} | {r['agreement']:.3f} | "
                     f"{r['balanced_accuracy_answered']:.3f} | "
                     f"{v['deflected']} | {v['false_deflection']} | {v['gated']} | {v['gap']} |")
    lines += [
        f"| **all** | {total['tickets']} | {total['tickets_per_s']} (median of datasets "
        f"{total['median_tickets_per_s']}) | {total['agreement']:.3f} | {total['balanced_accuracy_answered']:.3f} | | | | |",
        "",
        "Agreement by similarity threshold (configured: "
        f"{results[0]['threshold']:.2f}): "
        + ", ".join(f"{k}: {v:.3f}" for k, v in total["agreement_by_threshold"].items()),
        "",
        "Balanced accuracy of the correct/incorrect call on answered tickets, by threshold: "
        + ", ".join(f"{k}: {v:.3f}" for k, v in total["balanced_accuracy_by_threshold"].items())
        + ". The threshold is chosen on this (both errors weigh the same: a false deflection is the costly one).",
        "",
        "Reproduce: `python benchmarks/eval_bench.py`",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, action="append")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-combined", action="store_true")
    args = parser.parse_args()
    folders = args.dataset or shared_datasets()
    results = []
    for folder in folders:
        dataset = load_dataset(folder)
        results.append(replay_dataset(dataset.name, dataset, list(dataset.questions)))
        print(json.dumps(results[-1]) if args.json else f"{dataset.name}: {results[-1]}", flush=True)
    if not args.no_combined and not args.dataset:
        parts = [load_dataset(folder, prefix=f"{folder.name}/") for folder in folders]
        combined = Dataset("combined", tuple(a for p in parts for a in p.articles), ())
        questions = [q for p in parts for q in p.questions]
        results.append(replay_dataset("combined KB", combined, questions))
        print(json.dumps(results[-1]) if args.json else f"combined: {results[-1]}", flush=True)
    tickets = sum(r["tickets"] for r in results)
    seconds = sum(r["seconds"] for r in results)
    total = {
        "tickets": tickets,
        "tickets_per_s": round(tickets / seconds, 1),
        "median_tickets_per_s": statistics.median(r["tickets_per_s"] for r in results),
        "agreement": round(sum(r["agreement"] * r["tickets"] for r in results) / tickets, 4),
        "agreement_by_threshold": {
            k: round(sum(r["agreement_by_threshold"][k] * r["tickets"] for r in results) / tickets, 4)
            for k in results[0]["agreement_by_threshold"]
        },
        "balanced_accuracy_answered": round(statistics.mean(r["balanced_accuracy_answered"] for r in results), 4),
        "balanced_accuracy_by_threshold": {
            k: round(statistics.mean(r["balanced_accuracy_by_threshold"][k] for r in results), 4)
            for k in results[0]["balanced_accuracy_by_threshold"]
        },
    }
    table = markdown(results, total)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "eval.md").write_text(table)
    print(json.dumps({"datasets": results, "total": total}) if args.json else table)


if __name__ == "__main__":
    main()
