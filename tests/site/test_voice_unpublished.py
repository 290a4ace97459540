"""The voice guide (`kb/_style/voice.md`) is the team's: the loader never reads it as an
article, so it never reaches the staged docs, the built site or its search index."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from kbops.config import Settings
from kbops.kb.loader import load_kb
from kbops.site.build import build_site
from kbops.site.model import SiteProject
from tests.conftest import REPO
from tests.factories import article_text, kb_project

MARKER = "zebracorn-voice-marker"
GUIDE = f"""---
kind: voice-guide
language: en
---
# Voice {MARKER}

## Rules

- Never say {MARKER} to a customer.

## neutral

Opening: Hello {MARKER}.
Closing: Bye {MARKER}.

> An example reply {MARKER}.
"""


def test_a_voice_guide_never_reaches_the_built_site_nor_its_search_index(tmp_path: Path) -> None:
    root = kb_project(tmp_path, article_text("export-csv"), article_text("reset-password"))
    (root / "kb" / "_style").mkdir()
    (root / "kb" / "_style" / "voice.md").write_text(GUIDE)
    (root / "kb" / "_style" / "notes.md").write_text(article_text("style-notes", body=f"Public-looking {MARKER}.\n"))
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text())
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config))
    settings = Settings(root=root)
    kb = load_kb(settings)
    assert sorted(a.id for a in kb.articles) == ["export-csv", "reset-password"]
    assert not kb.problems  # the guide is not a broken article either

    report = build_site(kb, settings, strict=False, project=SiteProject.load(settings))

    built = Path(report.site_dir)
    texts = {p.relative_to(built).as_posix(): p.read_text(errors="replace") for p in built.rglob("*") if p.is_file()
             and p.suffix in (".html", ".json", ".md", ".xml", ".txt")}
    assert "search/search_index.json" in texts
    search = json.loads(texts["search/search_index.json"])
    assert search["docs"], "the articles are indexed"
    assert not [path for path, text in texts.items() if MARKER in text]
    staged = [p for p in (root / "site").rglob("*") if p.is_file() and MARKER in p.read_text(errors="replace")]
    assert not staged
