"""When is a past ticket the same question? Fit ticket memory's paraphrase model on real queries.

    .venv/bin/python benchmarks/memory_similarity.py [--json]

Ticket memory (kbops/index/memory.py) turns the cosine similarity (all-MiniLM-L6-v2) and
the shared stemmed words (Dice) of a new ticket and a past one into P(same question). The
pairs are real customer queries: for each of 600 banking77 training queries, its 5
nearest other queries by cosine (hard pairs, the ones memory actually sees), labelled
"same" when both have the same intent, and the same for CLINC150 (150 intents over 10 domains). The fit is
checked on both test splits (queries never fitted on): expected calibration error and
the share of same-intent and other pairs above P = 0.5. Results in benchmarks/results/memory_similarity.md; the coefficients are
copied into `PARAPHRASE_MODEL` in kbops/index/memory.py.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import SHARED  # noqa: E402
from kbops.evals.fitting import expected_calibration_error, fit_logistic, predict_logistic  # noqa: E402
from kbops.index.embedders import make_embedder  # noqa: E402
from kbops.index.lexical import tokenize  # noqa: E402
from kbops.index.memory import dice, paraphrase_probability  # noqa: E402

RESULTS = Path(__file__).parent / "results"
NEIGHBOURS = 5
SAMPLE = 600
"""Queries drawn per split: a few per intent, like a team's memory (most neighbours of a new
ticket are other questions); pairs are then balanced, so P = 0.5 means "no evidence either
way" whatever the share of paraphrases in a given memory."""


def balanced(x: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """As many same-intent pairs as other pairs (the larger class subsampled)."""
    rng = np.random.default_rng(seed)
    same, other = np.nonzero(y == 1)[0], np.nonzero(y == 0)[0]
    n = min(len(same), len(other))
    keep = np.concatenate([rng.choice(same, n, replace=False), rng.choice(other, n, replace=False)])
    return x[keep], y[keep]


def pairs(name: str, split: str, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rows = [json.loads(line) for line in (SHARED / name / f"{split}.jsonl").open()]
    rows = [r for r in rows if r["label"] != "oos"]  # out-of-scope queries share a label, not a question
    rows = random.Random(seed).sample(rows, min(count, len(rows)))
    texts, labels = [str(r["text"]) for r in rows], [str(r["label"]) for r in rows]
    vectors = make_embedder("builtin:all-MiniLM-L6-v2").embed(texts)
    cosine = vectors @ vectors.T
    np.fill_diagonal(cosine, -1.0)
    terms = tokenize(texts)
    features, same = [], []
    for i in range(len(texts)):
        for j in np.argsort(-cosine[i])[:NEIGHBOURS]:
            features.append([float(cosine[i, j]), dice(terms[i], terms[j])])
            same.append(float(labels[i] == labels[int(j)]))
    return np.array(features), np.array(same)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    train = [balanced(*pairs(name, "train", SAMPLE, 0)) for name in ("banking77", "clinc150")]
    x, y = np.vstack([t[0] for t in train]), np.concatenate([t[1] for t in train])
    intercept, weights = fit_logistic(x, y, l2=0.01)
    checks = {}
    for name in ("banking77", "clinc150"):
        tx, ty = balanced(*pairs(name, "test", SAMPLE, 1))
        p = predict_logistic(tx, intercept, weights)
        checks[name] = {"ece": expected_calibration_error(p, ty), "same_above_half": round(float((p[ty == 1] >= 0.5).mean()), 3),
                        "other_above_half": round(float((p[ty == 0] >= 0.5).mean()), 3),
                        "shipped_ece": expected_calibration_error(
                            np.array([paraphrase_probability(c, d) for c, d in tx]), ty)}
    result = {
        "fit": {"pairs": int(len(y)), "same_share": round(float(y.mean()), 3)},
        "model": {"intercept": round(intercept, 4), "cosine": round(float(weights[0]), 4),
                  "dice": round(float(weights[1]), 4)},
        "test": checks,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "memory_similarity.md").write_text(markdown(result))
    print(json.dumps(result) if args.json else markdown(result))


def markdown(r: dict) -> str:
    m = r["model"]
    lines = [
        "# Ticket memory: when is a past ticket the same question?",
        "",
        f"Fitted on {r['fit']['pairs']} query pairs from the banking77 and CLINC150 training splits (each query and "
        f"its {NEIGHBOURS} nearest by cosine among {SAMPLE} queries, out-of-scope queries left out, balanced to "
        f"{r['fit']['same_share']:.0%} same intent): "
        f"P(same) = sigmoid({m['intercept']} + {m['cosine']} x cosine + {m['dice']} x Dice). Checked on the test "
        "splits (other queries, never fitted):",
        "",
        "| test split | calibration error | same-intent pairs with P >= 0.5 | other pairs with P >= 0.5 | "
        "calibration error of the model in memory.py |",
        "|---|---|---|---|---|",
    ]
    for name, c in r["test"].items():
        lines.append(f"| {name} | {c['ece']} | {c['same_above_half']} | {c['other_above_half']} | {c['shipped_ece']} |")
    lines += ["", "Reproduce: `.venv/bin/python benchmarks/memory_similarity.py`", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
