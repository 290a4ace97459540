"""How much does per-batch padding buy over chromadb's fixed 256-token padding?

Embeds N realistic ~130-token chunks (cut from the WixQA KB markdown if present, else
synthetic) three ways on CPU and reports chunks/s (median of 3 runs):

* kbops, length-sorted batches padded to their longest item (the default);
* kbops, every batch padded to 256 tokens (same code, only the padding differs);
* chromadb's own ONNXMiniLM_L6_V2 pointed at the same model folder (fixed 256).

Usage: .venv/bin/python benchmarks/embed_bench.py [--n 256] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kbops.index.minilm import (
    MAX_TOKENS,
    MiniLMOnnxEmbedder,
    default_model_cache,
    default_wheel_dirs,
    ensure_model,
)

ROOT = Path(__file__).resolve().parents[1]
KB_DIR = ROOT.parent / "shared" / "datasets" / "wixqa" / "kb"
RESULTS = ROOT / "benchmarks" / "results" / "embed.md"
TARGET_TOKENS = 130
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def kb_words() -> list[list[str]]:
    """Words of each KB article body, or synthetic support prose if the KB is absent."""
    if KB_DIR.is_dir():
        articles = [
            FRONT_MATTER.sub("", p.read_text(encoding="utf-8")).split()
            for p in sorted(KB_DIR.glob("*.md"))
        ]
        return [a for a in articles if a]
    rng = random.Random(0)
    vocab = (
        "account payment refund domain site plan invoice customer email booking password export "
        "settings dashboard premium click select learn more about your the to and a in of for"
    ).split()
    return [[rng.choice(vocab) for _ in range(600)] for _ in range(100)]


def make_chunks(model_dir: Path, n: int) -> list[str]:
    """Cut articles into word windows sized to ~TARGET_TOKENS tokens, as the chunker would."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_truncation()
    articles = kb_words()
    sample = " ".join(w for a in articles[:20] for w in a)
    tokens_per_word = len(tokenizer.encode(sample).ids) / len(sample.split())
    window = max(1, round((TARGET_TOKENS - 2) / tokens_per_word))
    chunks = [" ".join(a[i : i + window]) for a in articles for i in range(0, len(a), window)]
    chunks = [c for c in chunks if len(c.split()) >= window // 2]  # drop short article tails
    if not chunks:
        raise SystemExit("no text to chunk")
    return (chunks * (n // len(chunks) + 1))[:n]


def chroma_embedder(model_dir: Path) -> Callable[[Sequence[str]], Any]:
    """chromadb's embedding function, reading our folder instead of downloading its own."""
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    class LocalMiniLM(ONNXMiniLM_L6_V2):
        DOWNLOAD_PATH = model_dir.parent

    return LocalMiniLM(preferred_providers=["CPUExecutionProvider"])


def time_runs(
    fn: Callable[[list[str]], Any], chunks: list[str], runs: int
) -> tuple[list[float], np.ndarray]:
    """Warm up on one batch, then time `runs` full passes; return seconds and the vectors."""
    fn(chunks[:32])
    seconds, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn(chunks)
        seconds.append(time.perf_counter() - start)
    return seconds, np.asarray(out, dtype=np.float32)


def render(rows: list[dict[str, Any]], n: int, lengths: list[int], source: str) -> str:
    base = next(r for r in rows if r["key"] == "fixed")["rate"]
    lines = [
        "# Embedding throughput: per-batch vs fixed 256-token padding",
        "",
        f"all-MiniLM-L6-v2 (ONNX, onnxruntime CPU), {n} chunks from {source}, "
        f"tokens/chunk mean {statistics.mean(lengths):.0f} (min {min(lengths)}, max {max(lengths)}), "
        f"batch 32, median of {len(rows[0]['seconds'])} runs.",
        "",
        "| method | padding | chunks/s | runs (s) | vs kbops fixed 256 |",
        "|---|---|---:|---|---:|",
    ]
    for r in rows:
        runs = ", ".join(f"{s:.2f}" for s in r["seconds"])
        lines.append(
            f"| {r['method']} | {r['padding']} | {r['rate']:.1f} | {runs} | {r['rate'] / base:.2f}x |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=256, help="number of chunks")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--no-chroma", action="store_true", help="skip chromadb's embedding function"
    )
    args = parser.parse_args()

    model_dir = ensure_model(default_model_cache(), default_wheel_dirs())
    per_batch = MiniLMOnnxEmbedder(model_dir)
    fixed = MiniLMOnnxEmbedder(model_dir, fixed_padding=True)
    chunks = make_chunks(model_dir, args.n)
    lengths = [len(ids) for ids in per_batch._tokenize(chunks)]
    source = "the WixQA KB" if KB_DIR.is_dir() else "synthetic text"

    candidates: list[tuple[str, str, str, Callable[[list[str]], Any]]] = [
        ("batch", "kbops MiniLMOnnxEmbedder", "longest in batch (sorted)", per_batch.embed),
        ("fixed", "kbops MiniLMOnnxEmbedder", f"fixed {MAX_TOKENS}", fixed.embed),
    ]
    if not args.no_chroma:
        candidates.append(
            (
                "chroma",
                "chromadb ONNXMiniLM_L6_V2",
                f"fixed {MAX_TOKENS}",
                chroma_embedder(model_dir),
            )
        )

    rows, vectors = [], {}
    for key, method, padding, fn in candidates:
        seconds, vectors[key] = time_runs(fn, chunks, args.runs)
        rows.append(
            {
                "key": key,
                "method": method,
                "padding": padding,
                "seconds": seconds,
                "rate": len(chunks) / statistics.median(seconds),
            }
        )
    table = render(rows, len(chunks), lengths, source)
    drift = max(float(np.abs(v - vectors["batch"]).max()) for v in vectors.values())
    table += f"\nMax |difference| between the methods' vectors: {drift:.1e}.\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table, encoding="utf-8")
    print(table)
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
