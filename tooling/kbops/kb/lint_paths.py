"""`kbops lint PATHS...`: lint only some articles (what pre-commit passes: the changed files).

The whole KB is still loaded and linted, so links, related ids and duplicate ids are
checked against every article; only the findings of the given files are reported. A path
that is not a Markdown file inside the KB folder is a usage error naming it: a hook that
passes it is misconfigured (its `files:` pattern should match the KB's articles only).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from pathlib import Path

from ..config import Settings
from ..errors import ConfigError
from ..files import shown
from .model import Article, Finding, KnowledgeBase, Severity


def article_paths(kb: KnowledgeBase, files: Sequence[Path]) -> list[str]:
    """The given files as findings name them (relative to `kb.base`), in the order given,
    each once. ConfigError (exit 2) names the first file that is not an article of the KB."""
    root = kb.root.resolve()
    chosen: dict[str, None] = {}
    for file in files:
        # the folders resolved, not the file: a symlinked article is still reported as itself
        located = Path(os.path.realpath(file.absolute().parent)) / file.name
        if file.suffix.lower() != ".md":
            raise ConfigError(f"{file}: not a Markdown article (.md); `kbops lint PATHS` checks KB articles only")
        if not located.is_relative_to(root):
            raise ConfigError(f"{file}: not inside the KB folder {shown(root)} (pass its articles, or --kb for "
                              "another KB; in pre-commit, match them with `files: ^kb/.*\\.md$`)")
        if not (located.is_file() or located.is_symlink()):
            raise ConfigError(f"{file}: no such file")
        chosen.setdefault((kb.root / located.relative_to(root)).relative_to(kb.base).as_posix())
    return list(chosen)


def findings_of(findings: Sequence[Finding], kb: KnowledgeBase, paths: Collection[str],
                settings: Settings) -> list[Finding]:
    """The findings of the given article paths. A duplicate id is reported on the later
    file; when only the earlier one is given (its edit took the id), it is reported there
    too, so a pre-commit run on that one file still fails."""
    wanted = set(paths)
    kept = [f for f in findings if f.path in wanted]
    disabled = set(settings.lint.disabled)
    if "duplicate-id" not in disabled:
        kept += _first_of_duplicates(kb.articles, wanted)
    return sorted(kept, key=lambda f: (f.path, f.line, f.code))


def _first_of_duplicates(articles: Sequence[Article], wanted: set[str]) -> list[Finding]:
    first: dict[str, Article] = {}
    found: dict[str, Finding] = {}
    for article in articles:
        original = first.setdefault(article.id, article)
        if original is not article and original.path in wanted and original.path not in found:
            found[original.path] = Finding(
                original.path, original.line_of("id"), "duplicate-id", Severity.ERROR,
                f"id '{article.id}' is also used by {article.path}:{article.line_of('id')}",
                "give one of the two articles a new, unique id",
            )
    return list(found.values())
