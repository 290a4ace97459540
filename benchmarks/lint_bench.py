"""Lint speed on a generated 5,000-article KB (goal: under 5 s on 2 cores).

Measures the whole `kbops lint` command (process start, loading, every rule) and the
in-process load+lint, median of 3 runs each. Writes benchmarks/results/lint.md.

    python benchmarks/lint_bench.py [--articles 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

WORDS = (
    "project board task sprint export import invoice billing seat plan login password sso "
    "token webhook slack github drive zapier report timeline gantt guest role permission "
    "workspace archive restore mobile notification digest comment attachment storage limit"
).split()


def generate(kb: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    ids = [f"article-{i:05d}" for i in range(count)]
    for i, article_id in enumerate(ids):
        title = " ".join(rng.sample(WORDS, 5)).capitalize() + f" {i}"
        related = rng.sample(ids, 2)
        link = rng.choice(ids)
        body = "\n".join(
            [
                " ".join(rng.choices(WORDS, k=40)) + ".",
                "",
                "## Before you begin",
                "",
                " ".join(rng.choices(WORDS, k=30)) + ".",
                "",
                "## Steps",
                "",
                *[f"{n}. Open **{rng.choice(WORDS)}** and choose {rng.choice(WORDS)}." for n in range(1, 6)],
                "",
                f"See [the related guide]({link}.md#steps) for more.",
                "",
                "## Troubleshooting",
                "",
                " ".join(rng.choices(WORDS, k=60)) + ".",
            ]
        )
        (kb / f"{article_id}.md").write_text(
            "---\n"
            f"id: {article_id}\ntitle: {title}\nsummary: {' '.join(rng.sample(WORDS, 8))}\n"
            "category: technical\nproduct_area: tasks\ntags: [demo, bench]\naudience: public\n"
            f"status: published\nowner: sam\nreviewed: 2026-10-01\nreview_every_days: 365\n"
            f"sensitive: false\nrelated: [{', '.join(related)}]\n---\n{body}\n"
        )


def time_cli(project: Path) -> float:
    kbops = Path(sys.executable).parent / "kbops"
    start = time.perf_counter()
    result = subprocess.run([str(kbops), "lint", "--json", "--today", "2026-11-23"], cwd=project, capture_output=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(result.stderr.decode())
    return elapsed


def time_library(project: Path) -> tuple[float, int]:
    from kbops.config import load_settings
    from kbops.kb.lint import lint_kb
    from kbops.workspace import Workspace

    start = time.perf_counter()
    ws = Workspace(load_settings(start=project))
    findings = lint_kb(ws.kb, ws.settings, today=date(2026, 11, 23))
    return time.perf_counter() - start, len(findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    project = Path(tempfile.mkdtemp(prefix="kbops-lint-bench-"))
    try:
        (project / "kbops.toml").write_text('[kb]\npath = "kb"\n')
        (project / "kb").mkdir()
        generate(project / "kb", args.articles)
        cli = statistics.median(time_cli(project) for _ in range(args.runs))
        lib_runs = [time_library(project) for _ in range(args.runs)]
        lib = statistics.median(t for t, _ in lib_runs)
        findings = lib_runs[0][1]
    finally:
        shutil.rmtree(project)
    goal = 5.0
    table = "\n".join(
        [
            f"| measure ({args.articles} articles, median of {args.runs}) | seconds | vs 5 s goal |",
            "|---|---|---|",
            f"| `kbops lint --json` (whole process) | {cli:.2f} | {cli / goal:.2f}x of budget |",
            f"| load + all rules in-process | {lib:.2f} | {lib / goal:.2f}x of budget |",
        ]
    )
    print(table)
    print(f"findings: {findings}")
    out = Path(__file__).parent / "results" / "lint.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(f"# Lint benchmark\n\n{table}\n\nReproduce: `python benchmarks/lint_bench.py`\n")
    if cli > goal:
        raise SystemExit(f"lint took {cli:.2f} s, over the {goal} s goal")


if __name__ == "__main__":
    main()
