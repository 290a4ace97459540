"""Body cleaning for the help site: unwanted links unlinked, comments dropped, code untouched."""

from __future__ import annotations

from kbops.kb.markdown import LinkKind, parse_links
from kbops.site.markdown import clean_body


def hidden(target: str) -> str | None:
    return "unpublished" if target.startswith("internal") else None


def test_inline_links_to_hidden_pages_become_their_text() -> None:
    body = "See [the steps](internal.md#limits) and [billing](public.md).\n\nNext [x](internal-2.md \"t\")."
    cleaned = clean_body(body, hidden)
    assert cleaned.text == "See the steps and [billing](public.md).\n\nNext x."
    assert [(u.line, u.target, u.reason) for u in cleaned.unlinked] == [
        (1, "internal.md#limits", "unpublished"), (3, "internal-2.md", "unpublished"),
    ]


def test_reference_links_lose_their_definition_and_brackets() -> None:
    body = "Read [the checks][ref] and [ref][] and [ref].\n\n[ref]: internal.md\n[ok]: public.md\nUse [this][ok]."
    cleaned = clean_body(body, hidden)
    assert cleaned.text == "Read the checks and ref and ref.\n\n\n[ok]: public.md\nUse [this][ok]."
    assert [(u.line, u.target) for u in cleaned.unlinked] == [(3, "internal.md")]


def test_code_is_never_changed() -> None:
    body = "Type `[a](internal.md)` here.\n\n```md\n[b](internal.md)\n<!-- kept -->\n```\n\n[c](internal.md)"
    cleaned = clean_body(body, hidden)
    assert cleaned.text == "Type `[a](internal.md)` here.\n\n```md\n[b](internal.md)\n<!-- kept -->\n```\n\nc"
    assert [u.line for u in cleaned.unlinked] == [8]
    assert cleaned.comments_removed == 0


def test_html_comments_are_removed_keeping_line_numbers() -> None:
    body = "Intro <!-- ask Maria -->.\n<!-- two\nlines -->\n[x](internal.md)"
    cleaned = clean_body(body, hidden)
    assert "Maria" not in cleaned.text and "two" not in cleaned.text
    assert cleaned.comments_removed == 2
    assert cleaned.text.split("\n")[3] == "x" and cleaned.unlinked[0].line == 4


def test_images_are_kept_and_reported_as_local_targets() -> None:
    body = "![screen](img/a.png) [doc](files/b.pdf) `![no](c.png)`\n\n[r]: d.md"
    assert clean_body(body, hidden).text == body
    links = list(parse_links(body))
    assert sorted(link.target for link in links) == ["d.md", "files/b.pdf", "img/a.png"]
    assert {link.target: link.kind for link in links}["img/a.png"] is LinkKind.IMAGE


def test_an_unclosed_comment_hides_everything_after_it() -> None:
    body = "Shown.\n\n<!-- note for agents\n\n## Refund limits\n\nLimit is 500.\n"
    cleaned = clean_body(body, hidden)
    assert cleaned.text.strip() == "Shown." and cleaned.text.count("\n") == body.count("\n")
    assert cleaned.comments_removed == 1 and cleaned.unclosed_comment


def test_a_comment_runs_across_a_code_fence_to_its_end() -> None:
    body = "a <!-- x\n```\ncode\n```\ny --> b\n\n`<!-- in code` stays"
    cleaned = clean_body(body, hidden)
    assert cleaned.text == "a \n\n\n\n b\n\n`<!-- in code` stays"
    assert not cleaned.unclosed_comment


def test_refused_images_become_their_alt_text() -> None:
    body = '![chart](internal/chart.png "t") ![ok](img/a.png)\n![ref image][c]\n\n[c]: internal/c.png'
    cleaned = clean_body(body, hidden)
    assert cleaned.text == "chart ![ok](img/a.png)\nref image\n\n"
    assert [(u.line, u.target) for u in cleaned.unlinked] == [(1, "internal/chart.png"), (4, "internal/c.png")]
