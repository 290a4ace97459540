"""Retrieval quality and speed on the shared help-center datasets, per method, in one run.

For each dataset (a folder with `kb/*.md` + `tickets.jsonl`): article-level hit@1/5/10,
recall@10, MRR and nDCG@10 for lexical-only (BM25), dense-only (MiniLM) and hybrid (what
kbops uses), plus index build time, chunks/s, query p50/p95 and peak memory. Baseline to
compare against: the lexical row (plain BM25 over chunks).

    python benchmarks/retrieval.py                       # every shared KB dataset
    python benchmarks/retrieval.py --dataset ../shared/datasets/wixqa --json
    python benchmarks/retrieval.py --combined            # wixqa+techqa+dstc10 in one index

Indexes are cached under .kbops/bench/ and embeddings in .kbops/embeddings.sqlite, so
re-runs are fast; `--no-cache` measures a cold build.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import REPO, Dataset, Question, load_dataset, shared_datasets  # noqa: E402
from kbops.agent.decision import Answerer  # noqa: E402
from kbops.config import Settings  # noqa: E402
from kbops.gitkb import KBRevision  # noqa: E402
from kbops.index.embed import CountingEmbedder  # noqa: E402
from kbops.index.embed_cache import CachedEmbedder  # noqa: E402
from kbops.index.embedders import make_embedder  # noqa: E402
from kbops.index.retriever import Method, Retriever, Scope  # noqa: E402
from kbops.workspace import Workspace  # noqa: E402

RESULTS = Path(__file__).parent / "results"
METHODS = (Method.LEXICAL, Method.DENSE, Method.HYBRID)
DEFAULT_METHOD = Method.HYBRID


def metrics(ranked: list[str], gold: tuple[str, ...]) -> dict[str, float]:
    gold_set = set(gold)
    first = next((i for i, a in enumerate(ranked) if a in gold_set), None)
    dcg = sum(1 / math.log2(i + 2) for i, a in enumerate(ranked[:10]) if a in gold_set)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(gold_set), 10)))
    return {
        "hit@1": float(first is not None and first < 1),
        "hit@5": float(first is not None and first < 5),
        "hit@10": float(first is not None and first < 10),
        "recall@10": len(gold_set & set(ranked[:10])) / len(gold_set),
        "mrr": 1 / (first + 1) if first is not None and first < 10 else 0.0,
        "ndcg@10": dcg / ideal if ideal else 0.0,
    }


def build(dataset: Dataset, use_cache: bool, answerer: Answerer | None = None) -> tuple[Workspace, dict[str, float]]:
    """The dataset's workspace (KB, embedder, index brought up to date, agent on demand)
    and the index build's timing. The KB is not in git: its revision is `(None, dirty)`."""
    root = REPO / ".kbops" / "bench" / dataset.name
    root.mkdir(parents=True, exist_ok=True)
    cache = str(REPO / ".kbops" / "embeddings.sqlite") if use_cache else ""
    settings = Settings(root=root, index={"path": "index", "embedding_cache": ""})
    counting = CountingEmbedder(make_embedder(settings.embedding.model))
    embedder = CachedEmbedder(counting, Path(cache)) if cache else counting
    workspace = Workspace(settings, kb=dataset.kb(root), embedder=embedder, revision=KBRevision(None, True),
                          answerer=answerer)
    report = workspace.update_index(rebuild=not use_cache)
    timing = {
        "build_s": report.seconds,
        "chunks": report.chunks,
        "chunks_embedded": counting.texts,  # by the model, not served from the cache
        "chunks_per_s": round(counting.texts / report.seconds, 1) if counting.texts else None,
    }
    counting.reset()
    return workspace, timing


def evaluate(retriever: Retriever, questions: list[Question]) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    per_method: dict[str, dict[str, float]] = {}
    latencies: list[float] = []
    for method in METHODS:
        sums: dict[str, float] = {}
        for question in questions:
            start = time.perf_counter()
            hits = retriever.search(question.text, k=10, scope=Scope.CUSTOMER, method=method)
            if method is DEFAULT_METHOD:
                latencies.append(time.perf_counter() - start)
            for key, value in metrics([h.article_id for h in hits], question.gold).items():
                sums[key] = sums.get(key, 0.0) + value
        per_method[str(method)] = {key: round(value / len(questions), 4) for key, value in sums.items()}
    latencies.sort()
    timing = {
        "query_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "query_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
    }
    return per_method, timing


def run(name: str, dataset: Dataset, questions: list[Question], use_cache: bool) -> dict:
    workspace, timing = build(dataset, use_cache)
    methods, query_timing = evaluate(workspace.index, questions)
    timing.update(query_timing)
    timing["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return {
        "dataset": name,
        "questions": len(questions),
        "articles": len(dataset.articles),
        "default": str(DEFAULT_METHOD),
        "methods": methods,
        "timing": timing,
    }


def markdown(result: dict) -> str:
    keys = ["hit@1", "hit@5", "hit@10", "recall@10", "mrr", "ndcg@10"]
    lines = [
        f"### {result['dataset']} ({result['articles']} articles, {result['questions']} questions with gold)",
        "",
        "| method | " + " | ".join(keys) + " |",
        "|---|" + "---|" * len(keys),
    ]
    for method, values in result["methods"].items():
        label = f"**{method}** (default)" if method == result["default"] else method
        lines.append(f"| {label} | " + " | ".join(f"{values[k]:.3f}" for k in keys) + " |")
    t = result["timing"]
    lines += [
        "",
        f"Index: {t['chunks']} chunks, build {t['build_s']:.1f} s ({t['chunks_embedded']} embedded"
        + (f", {t['chunks_per_s']} chunks/s" if t["chunks_per_s"] else ", all from the embedding cache")
        + f"); hybrid query p50 {t['query_p50_ms']} ms, p95 {t['query_p95_ms']} ms; peak RSS {t['peak_rss_mb']} MB.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, action="append", help="dataset folder (repeatable); default: all shared")
    parser.add_argument("--combined", action="store_true", help="also index wixqa+techqa+dstc10 together")
    parser.add_argument("--json", action="store_true", help="print one JSON object per dataset")
    parser.add_argument("--no-cache", action="store_true", help="cold build: no embedding cache, rebuild index")
    args = parser.parse_args()
    folders = args.dataset or shared_datasets()
    if not folders:
        raise SystemExit("no datasets found: pass --dataset DIR (a folder with kb/*.md and tickets.jsonl)")
    results = []
    for folder in folders:
        dataset = load_dataset(folder)
        questions = [q for q in dataset.questions if q.gold]
        results.append(run(dataset.name, dataset, questions, not args.no_cache))
        emit(results[-1], args.json)
    if args.combined:
        parts = [load_dataset(folder, prefix=f"{folder.name}/") for folder in shared_datasets()]
        combined = Dataset("combined", tuple(a for p in parts for a in p.articles), ())
        workspace, timing = build(combined, not args.no_cache)
        for part in parts:
            questions = [q for q in part.questions if q.gold]
            methods, query_timing = evaluate(workspace.index, questions)
            result = {
                "dataset": f"combined:{part.name}",
                "questions": len(questions),
                "articles": len(combined.articles),
                "default": str(DEFAULT_METHOD),
                "methods": methods,
                "timing": {**timing, **query_timing,
                           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)},
            }
            results.append(result)
            emit(result, args.json)
    RESULTS.mkdir(exist_ok=True)
    body = "\n".join(markdown(r) for r in results)
    target = RESULTS / ("retrieval.md" if not args.dataset else f"retrieval-{'-'.join(f.name for f in folders)}.md")
    target.write_text(
        "# Retrieval benchmark\n\nBaseline: the `lexical` row (BM25 over chunks). "
        "Reproduce: `python benchmarks/retrieval.py"
        + (" --combined" if args.combined else "") + "`\n\n" + body
    )


def emit(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
    else:
        print(markdown(result), flush=True)


if __name__ == "__main__":
    main()
