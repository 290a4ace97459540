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

from datasets import SHARED, Dataset, Question, load_dataset  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only-repeated", action="store_true")
    parser.add_argument("--ood", default="", help="e.g. clinc150:200")
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    args = parser.parse_args()
    dataset = load_dataset(args.dataset.resolve())
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
