"""The root Typer app, the root options (config, KB folder), and the Workspace each
command opens from them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .. import __version__
from .output import SafeConsole, echo

if TYPE_CHECKING:
    from ..workspace import Workspace

err_console = SafeConsole(stderr=True)
out_console = SafeConsole()
"""Every message and table goes through these: untrusted text is cleaned of terminal control
(`output.py`); plain text goes through `output.echo`."""

app = typer.Typer(
    name="kbops",
    help=(
        "Keep a customer-support knowledge base honest.\n\n"
        "Articles are Markdown with YAML front matter in kb/. Typical loop: "
        "`kbops lint` on every pull request, `kbops index` to build the retrieval index, "
        "`kbops ask` to see what the answering agent would do with a ticket, "
        "`kbops eval` to replay escalated tickets, `kbops gaps` to find missing articles.\n\n"
        "Exit codes: 0 ok, 1 the tool failed or lint found errors, 2 bad input or usage, "
        "3 a quality gate failed."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="markdown",
)


@dataclass
class State:
    """What the root options resolve to."""

    config: Path | None = None
    kb: Path | None = None


def _version(value: bool) -> None:
    if value:
        echo(f"kbops {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Path to kbops.toml (default: found upwards from the current folder)."),
    ] = None,
    kb: Annotated[
        Path | None, typer.Option("--kb", help="KB folder to use instead of kb.path from the config.")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    ctx.obj = State(config=config, kb=kb)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State()


def workspace(ctx: typer.Context, backend: str | None = None, *, kb: Path | None = None,
              **options: Any) -> Workspace:
    """The project as the options name it: a command's own `--kb` wins over the root one
    (`kbops lint --kb X` and `kbops --kb X lint` both work). Messages (index rebuilt, ...)
    go to stderr."""
    from ..workspace import Workspace  # lazy: loading the library would slow down `kbops --help`

    root = state(ctx)
    options.setdefault(  # one line per message, as written (paths may hold `[`): no wrapping, no markup
        "notify", lambda message: err_console.print(message, highlight=False, markup=False, soft_wrap=True))
    return Workspace.open(root.config, kb if kb is not None else chosen_kb(ctx), backend, **options)


def chosen_kb(ctx: typer.Context) -> Path | None:
    """The innermost `--kb` given on the command line: `kbops gaps --kb X draft` reaches the
    subcommand, and `kbops --kb X lint` still works (the root's `--kb` is the outermost)."""
    current: Any = ctx  # its parents are contexts of typer's own click, not typer.Context
    while current is not None:
        value = current.params.get("kb")
        if isinstance(value, Path):
            return value
        current = current.parent
    return state(ctx).kb
