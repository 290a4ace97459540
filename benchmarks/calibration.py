"""Fit and check the offline agent's confidence model on the shared datasets.

Label of a question: 1 when the article the offline agent would cite (the top retrieved
article) is a gold article, 0 otherwise (including every unanswerable TechQA question).
Features: `kbops.agent.confidence.FEATURES`. The logistic model is fitted on all
questions of the fit datasets and written to tooling/kbops/agent/confidence_model.json
(`--write`); the reliability table uses 5-fold cross-validated predictions, so it shows how
calibrated the confidence is on questions the model was not fitted on. A leave-one-
dataset-out row shows how it transfers to a KB it has never seen.

    python benchmarks/calibration.py [--dataset DIR ...] [--write] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import REPO, Dataset, load_dataset  # noqa: E402
from kbops.agent.confidence import FEATURES, retrieval_features  # noqa: E402
from kbops.agent.offline import OfflineAnswerer  # noqa: E402
from kbops.evals.fitting import ECE_BUCKETS, expected_calibration_error  # noqa: E402
from kbops.index.retriever import Scope  # noqa: E402
from retrieval import build  # noqa: E402

MODEL_PATH = REPO / "tooling" / "kbops" / "agent" / "confidence_model.json"
RESULTS = Path(__file__).parent / "results"
FIT_DATASETS = ("wixqa", "techqa")


def collect(dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    workspace, _ = build(dataset, use_cache=True, answerer=OfflineAnswerer())
    retriever, agent = workspace.index, workspace.agent
    rows, labels = [], []
    for question in dataset.questions:
        hits = retriever.search(question.text, k=5, scope=Scope.CUSTOMER)
        features = retrieval_features(question.text, agent.evidence(hits))
        rows.append([features[name] for name in FEATURES])
        labels.append(int(bool(hits) and hits[0].article_id in question.gold))
    return np.array(rows), np.array(labels)


def fit(x: np.ndarray, y: np.ndarray):  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=1000).fit(x, y)


def reliability(probabilities: np.ndarray, labels: np.ndarray) -> list[dict]:
    rows = []
    for low, high in ECE_BUCKETS:
        mask = (probabilities >= low) & (probabilities < high)
        count = int(mask.sum())
        rows.append({
            "bucket": f"{low:.1f}-{min(high, 1.0):.1f}",
            "answers": count,
            "mean_confidence": round(float(probabilities[mask].mean()), 3) if count else None,
            "gold_cited": round(float(labels[mask].mean()), 3) if count else None,
        })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, action="append")
    parser.add_argument("--write", action="store_true", help="write the fitted model into the package")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from sklearn.model_selection import cross_val_predict

    folders = args.dataset or [REPO.parent / "shared" / "datasets" / name for name in FIT_DATASETS]
    data = {folder.name: collect(load_dataset(folder)) for folder in folders}
    x = np.vstack([d[0] for d in data.values()])
    y = np.concatenate([d[1] for d in data.values()])
    cv = cross_val_predict(fit(x, y), x, y, cv=5, method="predict_proba")[:, 1]
    transfer = {}
    if len(data) > 1:
        for held_out, (hx, hy) in data.items():
            rest_x = np.vstack([d[0] for n, d in data.items() if n != held_out])
            rest_y = np.concatenate([d[1] for n, d in data.items() if n != held_out])
            p = fit(rest_x, rest_y).predict_proba(hx)[:, 1]
            transfer[held_out] = expected_calibration_error(p, hy)
    model = fit(x, y)
    result = {
        "datasets": list(data),
        "questions": int(len(y)),
        "gold_cited_rate": round(float(y.mean()), 3),
        "reliability_cv": reliability(cv, y),
        "ece_cv": expected_calibration_error(cv, y),
        "ece_leave_one_dataset_out": transfer,
        "intercept": round(float(model.intercept_[0]), 4),
        "weights": {name: round(float(w), 4) for name, w in zip(FEATURES, model.coef_[0], strict=True)},
    }
    if args.write:
        MODEL_PATH.write_text(json.dumps({
            "version": 1,
            "note": f"fitted by benchmarks/calibration.py on {', '.join(data)} ({len(y)} questions)",
            "intercept": result["intercept"],
            "weights": result["weights"],
        }, indent=2) + "\n")
    table = markdown(result)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "calibration.md").write_text(table)
    print(json.dumps(result) if args.json else table)


def markdown(result: dict) -> str:
    lines = [
        "# Offline confidence calibration",
        "",
        f"Datasets: {', '.join(result['datasets'])}; {result['questions']} questions "
        f"(gold article cited for {result['gold_cited_rate']:.1%}). 5-fold cross-validated predictions.",
        "",
        "| confidence bucket | answers | mean confidence | fraction citing a gold article |",
        "|---|---|---|---|",
    ]
    for row in result["reliability_cv"]:
        mean = "-" if row["mean_confidence"] is None else f"{row['mean_confidence']:.2f}"
        gold = "-" if row["gold_cited"] is None else f"{row['gold_cited']:.2f}"
        lines.append(f"| {row['bucket']} | {row['answers']} | {mean} | {gold} |")
    lines += ["", f"Expected calibration error (CV): {result['ece_cv']}."]
    if result["ece_leave_one_dataset_out"]:
        parts = ", ".join(f"{k}: {v}" for k, v in result["ece_leave_one_dataset_out"].items())
        lines.append(f"ECE when fitted without the dataset (transfer to an unseen KB): {parts}.")
    lines += ["", "Reproduce: `python benchmarks/calibration.py --write`", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
