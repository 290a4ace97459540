"""Chunking by Markdown structure: stable ids, section paths, hashes, long-section splits."""

from __future__ import annotations

from kbops.kb.chunking import chunk_article, split_text
from tests.factories import article

BODY = "Intro line.\n\n## Steps\n\n1. Open it.\n2. Click it.\n\n### If it fails\n\nRetry.\n\n## Limits\n\n100 per day.\n"


def test_one_chunk_per_section_with_paths_and_stable_ids() -> None:
    chunks = chunk_article(article("a", BODY))
    assert [c.id for c in chunks] == ["a#intro#0", "a#steps#0", "a#if-it-fails#0", "a#limits#0"]
    assert [c.section for c in chunks] == ["", "Steps", "Steps > If it fails", "Limits"]
    assert chunks[2].embed_text.startswith(chunks[2].title + " > Steps > If it fails\nRetry.")
    assert "What it helps with." in chunks[0].text  # the summary joins the introduction
    assert [c.id for c in chunk_article(article("a", BODY))] == [c.id for c in chunks]


def test_hash_changes_with_text_or_visibility_only() -> None:
    base = {c.id: c.hash for c in chunk_article(article("a", BODY))}
    edited = {c.id: c.hash for c in chunk_article(article("a", BODY.replace("100 per day", "200 per day")))}
    assert [cid for cid in base if base[cid] != edited[cid]] == ["a#limits#0"]
    hidden = chunk_article(article("a", BODY, audience="internal"))
    assert all(c.hash != base[c.id] and not c.public for c in hidden)


def test_long_sections_split_with_overlap_under_the_limit() -> None:
    sentence = "Tasklane keeps every board in sync across devices and teams. "
    text = sentence * 60  # 600 words in one paragraph
    pieces = split_text(text, max_words=100, overlap=10)
    assert len(pieces) >= 6
    assert all(len(p.split()) <= 100 for p in pieces)
    assert pieces[1].split()[:10] == pieces[0].split()[-10:]
    chunks = chunk_article(article("a", f"Intro.\n\n## Long\n\n{text}\n"))
    long_ids = [c.id for c in chunks if c.anchor == "long"]
    assert long_ids[:2] == ["a#long#0", "a#long#1"]


def test_heading_only_article_is_still_findable_by_title() -> None:
    chunks = chunk_article(article("a", "## Empty\n", summary='""'))
    assert len(chunks) == 1 and chunks[0].text == chunks[0].title
