"""`kbops site build` and `kbops site serve`: the customer help site (mkdocs-material)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .app import app, err_console, out_console, workspace
from .options import JsonOption, KbOption
from .output import echo

if TYPE_CHECKING:
    from ..site.model import BuildReport

site_app = typer.Typer(
    help=(
        "Build and preview the customer help site.\n\n"
        "Only articles that are `audience: public` and `status: published` are staged for mkdocs; "
        "internal, draft and archived articles never reach it. See docs/help-site.md."
    ),
    no_args_is_help=True,
)
app.add_typer(site_app, name="site")

STRICT_HELP = (
    "Fail on any mkdocs warning, a link to a page that does not exist, or an unpublished "
    "article's title on a public page. `--no-strict` builds anyway and lists them."
)


def _tell_warnings(report: BuildReport) -> None:
    stage = report.stage
    unpublished = [link for link in stage.rewritten_links if link.reason == "unpublished"]
    if unpublished:
        err_console.print(
            f"warning: {len(unpublished)} links to unpublished articles were turned into plain text "
            "(`kbops lint` reports them as link-to-unpublished):",
            highlight=False,
        )
        for link in unpublished:
            err_console.print(f"  {link.path}:{link.line}: {link.target}", highlight=False)
    for problem in stage.problems() + stage.removed():
        err_console.print(f"warning: {problem}", highlight=False)
    if stage.dropped_related:
        err_console.print(f"note: {len(stage.dropped_related)} related articles are not public and were not listed")
    if stage.dated_by_file:
        err_console.print(
            f"note: {len(stage.dated_by_file)} articles have uncommitted changes; their 'last updated' "
            "date is the file's modification time",
        )
    for warning in report.warnings:
        err_console.print(f"mkdocs warning: {warning}", highlight=False)


@site_app.command("build")
def build(
    ctx: typer.Context,
    strict: Annotated[bool, typer.Option("--strict/--no-strict", help=STRICT_HELP)] = True,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Site folder (default: site_dir of mkdocs.yml, site/build).")
    ] = None,
    as_json: JsonOption = False,
    kb: KbOption = None,
) -> None:
    """Stage the public, published articles and build the help site with mkdocs-material.

    The staged Markdown and a derived mkdocs config go to `site.staging_dir`
    (site/.staging); the site goes to `site/build`. Links to internal, draft or archived
    articles become plain text (with a warning). Publish by copying the site folder to any
    static host, or `mkdocs gh-deploy --config-file site/.staging/mkdocs.yml`.
    """
    from ..site.build import build_site  # lazy: keeps `kbops --help` fast

    ws = workspace(ctx, kb=kb)
    with err_console.status("building the help site"):
        report = build_site(ws.kb, ws.settings, strict=strict, site_dir=output.resolve() if output else None)
    _tell_warnings(report)
    if as_json:
        echo(report.to_json())
        return
    reasons = Counter(item.reason for item in report.stage.excluded)
    excluded = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items())) or "none"
    out_console.print(
        f"built {report.pages} pages from {len(report.stage.published)} public articles into {report.site_dir} "
        f"in {report.stage.seconds + report.mkdocs_seconds:.1f}s (excluded: {excluded})",
        highlight=False,
    )


@site_app.command("serve")
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0 = any free port).")] = 8000,
    host: Annotated[str, typer.Option("--host", help="Address to listen on; keep 127.0.0.1 unless you mean to share it.")] = "127.0.0.1",
    rebuild: Annotated[bool, typer.Option("--build/--no-build", help="Build the site first (strict).")] = True,
    kb: KbOption = None,
) -> None:
    """Build the help site and serve it locally, as a static host would (Ctrl+C stops).

    The server only reads the built folder; its 404 page is the site's own.
    """
    from ..site.build import build_site  # lazy: keeps `kbops --help` fast
    from ..site.model import SiteProject
    from ..site.serve import make_server

    ws = workspace(ctx, kb=kb)
    project = SiteProject.load(ws.settings)
    if rebuild:
        with err_console.status("building the help site"):
            report = build_site(ws.kb, ws.settings, strict=True, project=project)
        _tell_warnings(report)
    site_dir = project.site_dir
    server = make_server(site_dir, host, port)
    bound_host, bound_port = str(server.server_address[0]), server.server_address[1]
    err_console.print(f"serving {site_dir} at http://{bound_host}:{bound_port}/ (Ctrl+C stops)", highlight=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err_console.print("stopped")
    finally:
        server.server_close()
