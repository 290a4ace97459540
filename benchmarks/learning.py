"""Does the agent learn from resolved tickets? Ticket memory + `kbops tune`, cross-validated.

    .venv/bin/python benchmarks/learning.py --dataset ../shared/datasets/wixqa --folds 5 --json

One dataset in the shared layout becomes a team's history: each question is a resolved
ticket (its gold articles are what the specialist cited; a question the KB cannot answer
is a ticket resolved without an article). Prints one JSON object:

    {"dataset", "folds", "tickets", "before": M, "after": M, "curve": [{"history": n, ...M}]}

`before` is today's shipped defaults without memory; `after` is memory + `kbops tune`
fitted on the training folds only and scored on the held-out fold (pooled over folds);
`curve` repeats `after` with 0, 25, 50, 75 and 100% of each fold's training history.
M = hit@1, hit@10, mrr, deflection_rate, false_deflection_rate (wrong / answered),
no_coverage_recall (unanswerable tickets escalated / unanswerable; null without any), ece.
This is the very code `kbops tune` runs (kbops.evals.crossval), on the same agent.

Options: `--only-repeated` keeps questions whose gold article has at least two questions
(a set where customers repeat themselves); `--ood clinc150:N` adds N CLINC150 test
questions (out of scope and other domains) as tickets the KB cannot answer.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import SHARED, Dataset, Question, demo_dataset, load_dataset  # noqa: E402
from kbops.agent.offline import OfflineAnswerer  # noqa: E402
from kbops.evals.crossval import cross_validate  # noqa: E402
from kbops.evals.tuning import History  # noqa: E402
from kbops.tickets.model import Ticket  # noqa: E402
from retrieval import build  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def as_ticket(question: Question) -> Ticket:
    gold = question.gold if question.answerable else ()
    return Ticket(id=question.id, body=question.text, resolution=question.reference or "(resolved without an article)",
                  resolved_by_article_ids=gold)


def only_repeated(questions: tuple[Question, ...]) -> list[Question]:
    counts = Counter(g for q in questions for g in q.gold)
    return [q for q in questions if q.answerable and any(counts[g] >= 2 for g in q.gold)]


def out_of_domain(spec: str, seed: int) -> list[Question]:
    name, _, count = spec.partition(":")
    rows = [json.loads(line) for line in (SHARED / name / "test.jsonl").open()]
    chosen = random.Random(seed).sample(rows, min(int(count or 200), len(rows)))
    return [Question(f"{name}-{r['id']}", str(r["text"]), (), "", False) for r in chosen]


def run(dataset: Dataset, questions: list[Question], folds: int, seed: int) -> dict:
    workspace, _ = build(dataset, use_cache=True, answerer=OfflineAnswerer())
    started = time.perf_counter()
    history = History(workspace.agent, workspace.embedder, [as_ticket(q) for q in questions])
    fetched = time.perf_counter() - started
    result = cross_validate(history, workspace.settings, k=folds, seed=seed, curve=(0.0, 0.25, 0.5, 0.75, 1.0))
    return {
        "dataset": dataset.name,
        "folds": result.folds,
        "tickets": result.tickets,
        "before": result.before.as_json(),
        "after": result.after.as_json(),
        "curve": [{"history": n, **m.as_json()} for n, m in result.curve],
        "seconds": {"history": round(fetched, 1), "tune": result.seconds},
    }


SUITE = (("wixqa", False, ""), ("techqa", False, ""), ("dstc10_track2", False, ""), ("wixqa", False, "clinc150:200"),
         ("wixqa", True, ""), ("techqa", True, ""), ("demo", False, ""), ("demo", False, "clinc150:200"))
"""`--all`: each KB set; WixQA with CLINC150 questions it cannot answer; the sets kept to
questions that repeat (customers asking the same thing in other words); the demo KB and its
tickets, alone and with CLINC150 questions."""
KEYS = ("hit@1", "hit@10", "mrr", "deflection_rate", "false_deflection_rate", "no_coverage_recall", "ece")


def label(result: dict) -> str:
    return result["dataset"] + (f" ({result['variant']})" if result["variant"] else "")


def markdown(results: list[dict], folds: int) -> str:
    lines = [
        "# Learning from resolved tickets: ticket memory + `kbops tune`",
        "",
        f"{folds}-fold cross-validated, offline, 2 cores. `before` = shipped defaults without memory; `after` = memory "
        "+ settings fitted by `kbops tune` on the training folds only, scored on the held-out fold. Deflection = "
        "answered and right over all tickets; false deflection = wrong over answered (target 0.05); "
        "no-coverage recall = tickets the KB cannot answer that were escalated. Reproduce: "
        "`.venv/bin/python benchmarks/learning.py --all`.",
        "",
        "| set | tickets | | " + " | ".join(KEYS) + " | tune s |",
        "|---|---:|---|" + "---:|" * (len(KEYS) + 1),
    ]
    for r in results:
        for when in ("before", "after"):
            cells = ["-" if r[when][k] is None else f"{r[when][k]:.3f}" for k in KEYS]
            lines.append(f"| {label(r) if when == 'before' else ''} | {r['tickets'] if when == 'before' else ''} | "
                         f"{when} | " + " | ".join(cells) + f" | {r['seconds']['tune'] if when == 'after' else ''} |")
    lines += ["", "Learning curves (the after numbers with 0, 25, 50, 75, 100% of each fold's training history):", ""]
    for r in results:
        lines += [f"**{label(r)}**", "", "| history | " + " | ".join(KEYS) + " |", "|---:|" + "---:|" * len(KEYS)]
        for point in r["curve"]:
            lines.append(f"| {point['history']} | " + " | ".join(
                "-" if point[k] is None else f"{point[k]:.3f}" for k in KEYS) + " |")
        lines.append("")
    return "\n".join(lines)


def questions_for(name: str, repeated: bool, ood: str, seed: int) -> tuple[Dataset, list[Question]]:
    dataset = demo_dataset() if name == "demo" else load_dataset(SHARED / name)
    questions = only_repeated(dataset.questions) if repeated else list(dataset.questions)
    return dataset, questions + (out_of_domain(ood, seed) if ood else [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, help="a folder in the shared layout, or `demo` (the bundled demo)")
    parser.add_argument("--all", action="store_true", help="run the whole suite and write results/learning.md")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only-repeated", action="store_true")
    parser.add_argument("--ood", default="", help="e.g. clinc150:200")
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    args = parser.parse_args()
    if args.all:
        results = []
        for name, repeated, ood in SUITE:
            dataset, questions = questions_for(name, repeated, ood, args.seed)
            result = run(dataset, questions, args.folds, args.seed)
            result["variant"] = " ".join(filter(None, ["only repeated questions" if repeated else "", ood]))
            results.append(result)
            print(json.dumps(result), file=sys.stderr, flush=True)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "learning.md").write_text(markdown(results, args.folds))
        (RESULTS / "learning.json").write_text(json.dumps(results, indent=1) + "\n")
        print(markdown(results, args.folds))
        return
    if args.dataset is None:
        parser.error("--dataset DIR or --all")
    dataset = demo_dataset() if str(args.dataset) == "demo" else load_dataset(args.dataset.resolve())
    questions = only_repeated(dataset.questions) if args.only_repeated else list(dataset.questions)
    if args.ood:
        questions += out_of_domain(args.ood, args.seed)
    result = run(dataset, questions, args.folds, args.seed)
    result["variant"] = " ".join(filter(None, ["only-repeated" if args.only_repeated else "", args.ood]))
    print(json.dumps(result if not args.json else {k: result[k] for k in
                     ("dataset", "folds", "tickets", "before", "after", "curve")}, indent=None if args.json else 2))
    if not args.json:
        print(json.dumps(result["seconds"]), file=sys.stderr)


if __name__ == "__main__":
    main()
