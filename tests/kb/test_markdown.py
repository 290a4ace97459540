"""The one Markdown scanner: sections with mkdocs anchors, and links outside code."""

from __future__ import annotations

from kbops.kb.markdown import LinkKind, slugify
from tests.factories import article


def test_sections_and_anchors_follow_mkdocs_slugs() -> None:
    body = "Intro text.\n\n## Rate limit headers\n\nX\n\n```\n## not a heading\n```\n\n## Steps: 1, 2!\n\nY\n\n## Steps: 1, 2!\n\nZ\n"
    parsed = article("a", body=body)
    titled = [s for s in parsed.sections if s.level]
    assert [s.anchor for s in titled] == ["rate-limit-headers", "steps-1-2", "steps-1-2_1"]
    assert titled[0].line == parsed.body_line + 2
    assert parsed.sections[0].level == 0 and parsed.sections[0].text == "Intro text."
    assert slugify("Before you begin") == "before-you-begin"


def test_links_skip_code_and_tell_images_apart() -> None:
    body = "See [a](b.md#x) and `[c](d.md)` and ![img](e.png).\n\n```\n[f](g.md)\n```\n[h](https://x.example)\n"
    parsed = article("a", body=body)
    assert [(link.target, link.line - parsed.body_line, link.kind) for link in parsed.links] == [
        ("b.md#x", 0, LinkKind.INLINE),
        ("e.png", 0, LinkKind.IMAGE),
        ("https://x.example", 5, LinkKind.INLINE),
    ]
