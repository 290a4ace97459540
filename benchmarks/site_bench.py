"""Help-site build time and memory: the demo KB and a generated 1,000-article KB.

Each build runs `build_site` (stage + strict mkdocs build) in a fresh child process that
reports its own stage/mkdocs seconds and peak RSS; the parent also times the whole child
(Python start and imports included). The demo is built 3 times (median), the 1,000-article
KB `--large-runs` times with `navigation.prune` and once without it, to check the claim
that prune is what keeps large sites fast. Writes benchmarks/results/site.md.

    python benchmarks/site_bench.py [--json] [--runs 3] [--large-runs 2] [--articles 1000] [--skip-no-prune]
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import git

REPO = Path(__file__).resolve().parents[1]
UNPUBLISHED_EXTRA = 60
"""Internal, draft and archived articles added to the 1,000 public ones (exercise exclusion)."""


def demo_project(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copytree(REPO / "kb", target / "kb")
    return _finish(target)


def _finish(project: Path) -> Path:
    for name in ("kbops.toml", "mkdocs.yml"):
        shutil.copy(REPO / name, project / name)
    (project / ".gitignore").write_text("site/build/\nsite/.staging/\n")
    repo = git.Repo.init(project)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Bench").set_value("user", "email", "bench@example.com")
    repo.git.add(A=True)
    repo.index.commit("KB")
    return project


def generated_project(target: Path, public_count: int) -> Path:
    """`public_count` public, published articles made from the demo's public articles
    (each copied into numbered batches, links and related ids kept inside a batch), plus
    a few unpublished ones. Real Markdown: headings, lists, tables, links with anchors."""
    sys.path.insert(0, str(REPO / "tooling"))
    from kbops.config import load_settings
    from kbops.workspace import Workspace

    kb = Workspace(load_settings(REPO / "kbops.toml")).kb
    public = sorted((a for a in kb.articles if a.is_public), key=lambda a: a.id)
    hidden = sorted((a for a in kb.articles if not a.is_public), key=lambda a: a.id)
    batches = math.ceil(public_count / len(public))
    exists = {(a.id, b) for b in range(batches) for i, a in enumerate(public) if b * len(public) + i < public_count}
    target.mkdir(parents=True)
    (target / "kb").mkdir()

    def copy_of(article, batch: int, article_id: str) -> str:  # noqa: ANN001
        def ref(article_id: str) -> str:
            return f"{article_id}-b{batch if (article_id, batch) in exists else 0:02d}"

        body = article.body
        for link in article.links:
            path, _, anchor = link.target.partition("#")
            if path.endswith(".md"):
                new = ref(path[:-3]) + ".md" + (f"#{anchor}" if anchor else "")
                body = body.replace(f"]({link.target})", f"]({new})")
        meta = article.meta
        related = [ref(r) for r in meta.related if any(p.id == r for p in public)]
        return (
            "---\n"
            f"id: {article_id}\n"
            f"title: {json.dumps(f'{meta.title} (batch {batch})')}\n"
            f"summary: {json.dumps(meta.summary)}\n"
            f"category: {meta.category}\nproduct_area: {meta.product_area or 'general'}\n"
            f"tags: [{', '.join(meta.tags)}]\n"
            f"audience: {meta.audience}\nstatus: {meta.status}\nowner: {meta.owner or 'sam'}\n"
            f"reviewed: 2026-10-01\nreview_every_days: 365\nsensitive: false\n"
            f"related: [{', '.join(related)}]\n---\n{body}\n"
        )

    for batch in range(batches):
        for article in public:
            if (article.id, batch) in exists:
                article_id = f"{article.id}-b{batch:02d}"
                (target / "kb" / f"{article_id}.md").write_text(copy_of(article, batch, article_id))
    for n in range(UNPUBLISHED_EXTRA):
        article = hidden[n % len(hidden)]
        batch = 100 + n // len(hidden)
        article_id = f"{article.id}-b{batch:02d}"
        (target / "kb" / f"{article_id}.md").write_text(copy_of(article, batch, article_id))
    return _finish(target)


def without_prune(project: Path) -> None:
    config = project / "mkdocs.yml"
    lines = [line for line in config.read_text().splitlines() if "navigation.prune" not in line]
    config.write_text("\n".join(lines) + "\n")


def build_once(project: Path) -> dict:
    """One build in a fresh process (so peak RSS is this build's alone)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(project)], capture_output=True, text=True, timeout=1800
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"build failed in {project}:\n{done.stderr[-3000:]}")
    return {**json.loads(done.stdout), "process_seconds": wall}


def child(project: Path) -> None:
    from kbops.config import load_settings
    from kbops.site.build import build_site
    from kbops.site.model import SiteProject
    from kbops.workspace import Workspace

    ws = Workspace(load_settings(project / "kbops.toml"))
    started = time.perf_counter()
    kb, site_project = ws.kb, SiteProject.load(ws.settings)  # staging used to load both itself
    loading = time.perf_counter() - started
    report = build_site(kb, ws.settings, strict=True, project=site_project)
    stage_seconds = loading + report.stage.seconds
    print(json.dumps({
        "stage_seconds": stage_seconds,
        "mkdocs_seconds": report.mkdocs_seconds,
        "build_seconds": stage_seconds + report.mkdocs_seconds,
        "pages": report.pages,
        "html_mb": sum(f.stat().st_size for f in Path(report.site_dir).rglob("*.html")) / 1e6,
        "published": len(report.stage.published),
        "excluded": len(report.stage.excluded),
        "peak_rss_mb": peak_rss_mb(),
    }))


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: on Linux ru_maxrss keeps
    the parent's size from before exec, which would hide a smaller build."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def summarise(name: str, runs: list[dict]) -> dict:
    def median(key: str) -> float:
        return round(statistics.median(r[key] for r in runs), 2)

    return {
        "name": name, "runs": len(runs), "pages": runs[0]["pages"], "published": runs[0]["published"],
        "excluded": runs[0]["excluded"], "html_mb": round(runs[0]["html_mb"], 1), "stage_seconds": median("stage_seconds"),
        "mkdocs_seconds": median("mkdocs_seconds"), "build_seconds": median("build_seconds"),
        "process_seconds": median("process_seconds"), "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
        "all_build_seconds": [round(r["build_seconds"], 2) for r in runs],
    }


def markdown(results: list[dict], args: argparse.Namespace) -> str:
    rows = [
        "| KB | runs | pages built | HTML MB | published / excluded | stage s | mkdocs s | build s (median) | whole process s | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(
            f"| {r['name']} | {r['runs']} | {r['pages']} | {r['html_mb']} | {r['published']} / {r['excluded']} | {r['stage_seconds']} | "
            f"{r['mkdocs_seconds']} | {r['build_seconds']} | {r['process_seconds']} | {r['peak_rss_mb']} |"
        )
    machine = f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}"
    return (
        "# Help-site build benchmark\n\n"
        "`kbops site build` = stage public, published articles from kb/ + strict mkdocs-material build, "
        "each run in a fresh process. Build seconds are medians; peak RSS is the maximum over runs.\n\n"
        + "\n".join(rows)
        + f"\n\nMachine: {machine}, 2 cores. Generated KB: {args.articles} public articles built from the demo's "
        f"public articles in batches, plus {UNPUBLISHED_EXTRA} internal/draft/archived ones, committed to git.\n\n"
        "Reproduce: `python benchmarks/site_bench.py` (add `--skip-no-prune` to skip the slow comparison).\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Builds of the demo KB (median).")
    parser.add_argument("--large-runs", type=int, default=2, help="Builds of the generated KB with prune.")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--skip-no-prune", action="store_true", help="Skip the build without navigation.prune.")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    work = Path(tempfile.mkdtemp(prefix="kbops-site-bench-"))
    try:
        demo = demo_project(work / "demo")
        results = [summarise("demo (59 articles)", [build_once(demo) for _ in range(args.runs)])]
        large = generated_project(work / "large", args.articles)
        results.append(summarise("generated, navigation.prune on", [build_once(large) for _ in range(args.large_runs)]))
        if not args.skip_no_prune:
            without_prune(large)
            results.append(summarise("generated, navigation.prune off", [build_once(large)]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = markdown(results, args)
    out = Path(__file__).parent / "results" / "site.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)
    print(json.dumps({"version": 1, "results": results}, indent=2) if args.json else text)


if __name__ == "__main__":
    main()
