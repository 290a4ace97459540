"""`kbops index` and `kbops search`: build the retrieval index and query it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from ..index.indexer import Progress as ProgressCallback
from ..index.indexer import build_index, embedder_for
from ..index.retriever import Method, Scope, open_index
from ..kb import load_kb
from .app import app, err_console, out_console, state


@contextmanager
def embedding_progress(label: str = "embedding chunks") -> Iterator[ProgressCallback]:
    """A rich progress bar on stderr (so --json stdout stays clean)."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@app.command()
def index(
    ctx: typer.Context,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the index and embed everything again.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the index report as JSON.")] = False,
) -> None:
    """Chunk the KB and update the retrieval index (chromadb + BM25).

    Only chunks whose text or visibility changed are re-embedded; chunks of deleted
    articles are removed. The index lives in `index.path` (default `.kbops/index/`), or
    on a Chroma server when `index.chroma_url` / `KBOPS_CHROMA_URL` is set. It is a cache:
    delete it any time.
    """
    settings = state(ctx).settings()
    kb = load_kb(settings)
    if kb.problems:
        err_console.print(f"skipping {len(kb.problems)} unreadable files (run `kbops lint`)")
    embedder = embedder_for(settings)
    with embedding_progress() as progress:
        report = build_index(settings, kb, embedder, rebuild=rebuild, progress=progress)
    if as_json:
        typer.echo(json.dumps({"version": 1, **asdict(report)}, indent=2))
        return
    revision = report.commit[:12] if report.commit else "no commit"
    out_console.print(
        f"indexed {report.articles} articles as {report.chunks} chunks in {report.seconds:.1f}s: "
        f"{report.embedded} embedded, {report.unchanged} unchanged, {report.deleted} removed "
        f"(KB at {revision}{', uncommitted changes' if report.dirty and report.commit else ''})",
        highlight=False,
    )


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What a customer or agent would type.")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many articles to show.")] = 5,
    scope: Annotated[
        Scope, typer.Option(help="`customer`: public published articles only. `internal`: everything.")
    ] = Scope.CUSTOMER,
    method: Annotated[Method, typer.Option(help="`hybrid` (default), `lexical` or `dense` only.")] = Method.HYBRID,
    as_json: Annotated[bool, typer.Option("--json", help="Print hits as JSON.")] = False,
) -> None:
    """Search the KB the way the answering agent does: article, section, score, snippet.

    Builds the index first if there is none.
    """
    settings = state(ctx).settings()
    embedder = embedder_for(settings)
    with embedding_progress("building index") as progress:
        retriever = open_index(settings, embedder, notify=err_console.print, progress=progress)
    hits = retriever.search(query, k=k, scope=scope, method=method)
    if as_json:
        payload = {
            "version": 1,
            "query": query,
            "scope": str(scope),
            "method": str(method),
            "commit": retriever.manifest.commit,
            "hits": [
                {
                    "article_id": h.article_id,
                    "title": h.title,
                    "score": round(h.score, 6),
                    "sections": [
                        {"chunk_id": c.chunk_id, "section": c.section, "anchor": c.anchor, "score": round(c.score, 6),
                         "lexical_rank": c.lexical_rank, "dense_rank": c.dense_rank, "snippet": _snippet(c.text)}
                        for c in h.chunks
                    ],
                }
                for h in hits
            ],
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    if not hits:
        out_console.print("no matching articles")
        return
    table = Table("#", "article", "section", "score", "snippet", box=None)
    for rank, hit in enumerate(hits, start=1):
        table.add_row(str(rank), f"{hit.title}\n[dim]{hit.article_id}[/]", hit.best.section or "(intro)",
                      f"{hit.score:.4f}", _snippet(hit.best.text))
    out_console.print(table)


def _snippet(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"
