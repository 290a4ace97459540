"""`kbops index` and `kbops search`: build the retrieval index and query it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..index.query import Method, Scope
from .app import app, err_console, out_console, workspace
from .options import JsonOption, KbOption, progress_bar
from .output import echo


@app.command()
def index(
    ctx: typer.Context,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the index and embed everything again.")] = False,
    as_json: JsonOption = False,
    kb: KbOption = None,
) -> None:
    """Chunk the KB and update the retrieval index (chromadb + BM25).

    Only chunks whose text or visibility changed are re-embedded; chunks of deleted
    articles are removed. The index lives in `index.path` (default `.kbops/index/`), or
    on a Chroma server when `index.chroma_url` / `KBOPS_CHROMA_URL` is set. It is a cache:
    delete it any time.
    """
    with progress_bar("embedding chunks") as bar:
        ws = workspace(ctx, kb=kb, progress=bar)
        if ws.kb.problems:
            err_console.print(f"skipping {len(ws.kb.problems)} unreadable files (run `kbops lint`)")
        report = ws.update_index(rebuild=rebuild, announce=False)
    if as_json:
        echo(report.to_json())
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
    as_json: JsonOption = False,
    kb: KbOption = None,
) -> None:
    """Search the KB the way the answering agent does: article, section, score, snippet.

    Brings the index up to date first (building it if there is none). With ticket memory
    (`kbops learn`), hybrid search also follows past tickets worded like the query; such
    hits show `memory` and the tickets that taught them (`"memory"` in `--json`).
    """
    from ..index.retriever import search_json, snippet  # lazy: keeps `kbops --help` fast

    with progress_bar("building index") as bar:
        retriever = workspace(ctx, kb=kb, progress=bar).index
    hits = retriever.search(query, k=k, scope=scope, method=method)
    if as_json:
        echo(search_json(query, scope, method, retriever.manifest.commit, hits))
        return
    if not hits:
        out_console.print("no matching articles")
        return
    table = Table("#", "article", "section", "score", "snippet", box=None)
    for rank, hit in enumerate(hits, start=1):
        score = f"{hit.score:.4f}"
        if hit.memory:  # routed (or helped) by ticket memory: say which past tickets taught it
            taught = ", ".join(hit.memory.ticket_ids[:3]) + (", ..." if len(hit.memory.ticket_ids) > 3 else "")
            score += f"\n[dim]memory {hit.memory.score:.2f}: {escape(taught)}[/]"
        table.add_row(str(rank), f"{hit.title}\n[dim]{hit.article_id}[/]", hit.best.section or "(intro)",
                      score, snippet(hit.best.text))
    out_console.print(table)
