"""`kbops lint`: rules over loaded Articles -> Findings.

Each rule is a small function with a stable code; errors fail CI (exit 1), warnings do
not. A rule that depends on a file that could not be parsed stays silent about it: the
parse error is the one finding worth reading, not a cascade of follow-ups.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from ..config import Settings
from .attachments import FILE_TYPE, MISSING, NOT_PUBLIC, check_file, kb_relative, public_owners
from .markdown import LinkKind, resolve_link
from .model import Article, Audience, Finding, KnowledgeBase, Severity, Status
from .rawhtml import raw_urls, scan_body
from .voice import voice_findings

LINT_JSON_VERSION = 1

ERROR, WARNING = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class LintContext:
    kb: KnowledgeBase
    settings: Settings
    today: date

    @property
    def broken_paths(self) -> frozenset[str]:
        return frozenset(problem.path for problem in self.kb.problems)


Rule = Callable[[LintContext], Iterable[Finding]]


def _finding(article: Article, line: int, code: str, severity: Severity, message: str, fix: str) -> Finding:
    return Finding(article.path, line, code, severity, message, fix)


def check_category(ctx: LintContext) -> Iterator[Finding]:
    allowed = ctx.settings.kb.categories
    for article in ctx.kb.articles:
        if article.meta.category not in allowed:
            yield _finding(
                article, article.line_of("category"), "unknown-category", ERROR,
                f"category '{article.meta.category}' is not a known category",
                f"use one of: {', '.join(allowed)} (or add it to kb.categories)",
            )


def check_risk_topics(ctx: LintContext) -> Iterator[Finding]:
    allowed = ctx.settings.kb.risk_topics
    for article in ctx.kb.articles:
        if isinstance(article.meta.sensitive, tuple):
            for topic in article.meta.sensitive:
                if topic not in allowed:
                    yield _finding(
                        article, article.line_of("sensitive"), "unknown-risk-topic", ERROR,
                        f"risk topic '{topic}' is not known, so no gate would fire for it",
                        f"use one of: {', '.join(allowed)} (or add it to kb.risk_topics)",
                    )


def check_duplicate_ids(ctx: LintContext) -> Iterator[Finding]:
    first: dict[str, Article] = {}
    for article in ctx.kb.articles:
        original = first.setdefault(article.id, article)
        if original is not article:
            yield _finding(
                article, article.line_of("id"), "duplicate-id", ERROR,
                f"id '{article.id}' is already used by {original.path}:{original.line_of('id')}",
                "give this article a new, unique id",
            )


def check_links(ctx: LintContext) -> Iterator[Finding]:
    """Relative links must reach an existing file and heading; public articles must not
    send customers to pages they cannot see."""
    by_path = {article.path: article for article in ctx.kb.articles}
    broken = ctx.broken_paths
    for article in ctx.kb.articles:
        for link in article.links:
            if link.kind is LinkKind.IMAGE:
                continue  # images are the site's concern: it copies the files a page shows
            resolved = resolve_link(article.path, link.target)
            if resolved is None:
                continue  # external URL or mailto:
            anchor = resolved.anchor
            if not resolved.path:
                target: Article | None = article
                target_path = article.path
            else:
                target_path = resolved.path
                target = by_path.get(target_path)
                if target is None and target_path not in broken and not (ctx.kb.base / target_path).exists():
                    yield _finding(
                        article, link.line, "broken-link", ERROR,
                        f"link to '{link.target}' points to a file that does not exist",
                        "fix the path (relative to this file) or remove the link",
                    )
                    continue
            if target is None:
                continue
            if anchor and anchor not in target.anchors:
                known = ", ".join(sorted(target.anchors)[:8]) or "none"
                yield _finding(
                    article, link.line, "broken-anchor", ERROR,
                    f"link to '{link.target}': no heading with anchor '#{anchor}' in {target_path}",
                    f"use an existing anchor ({known})",
                )
            if article.is_public and not target.is_public:
                yield _finding(
                    article, link.line, "link-to-unpublished", ERROR,
                    f"public article links to '{target.id}', which is {target.meta.audience}/{target.meta.status}",
                    "remove the link, or publish the target as a public article",
                )


def check_related(ctx: LintContext) -> Iterator[Finding]:
    ids = ctx.kb.by_id()
    broken_stems = {posixpath.splitext(posixpath.basename(path))[0] for path in ctx.broken_paths}
    for article in ctx.kb.articles:
        for related_id in article.meta.related:
            target = ids.get(related_id)
            if target is None:
                if related_id not in broken_stems:
                    yield _finding(
                        article, article.line_of("related"), "unknown-related", ERROR,
                        f"related id '{related_id}' is not an article in the KB",
                        "fix the id (see `kbops kb list`) or remove it",
                    )
            elif article.is_public and not target.is_public:
                yield _finding(
                    article, article.line_of("related"), "related-not-public", ERROR,
                    f"related article '{related_id}' is {target.meta.audience}/{target.meta.status} "
                    "and would be listed to customers",
                    "remove it from `related` or publish it",
                )


def check_review_dates(ctx: LintContext) -> Iterator[Finding]:
    for article in ctx.kb.articles:
        if article.meta.status != "published":
            continue
        reviewed = article.meta.reviewed
        if reviewed is None:
            yield _finding(
                article, 1, "stale-review", WARNING, "published article was never reviewed",
                "check it against the product and set `reviewed: YYYY-MM-DD`",
            )
            continue
        due = reviewed + timedelta(days=article.meta.review_every_days)
        if due < ctx.today:
            yield _finding(
                article, article.line_of("reviewed"), "stale-review", WARNING,
                f"review was due on {due.isoformat()} ({(ctx.today - due).days} days ago)",
                "re-check the article against the product and update `reviewed`",
            )


def check_owner(ctx: LintContext) -> Iterator[Finding]:
    for article in ctx.kb.articles:
        if not (article.meta.owner or "").strip():
            yield _finding(
                article, article.line_of("owner") if "owner" in article.field_lines else 1,
                "missing-owner", WARNING, "nobody owns this article, so nobody keeps it true",
                "set `owner:` to the responsible specialist",
            )


def check_empty_sections(ctx: LintContext) -> Iterator[Finding]:
    for article in ctx.kb.articles:
        sections = article.sections
        for index, section in enumerate(sections):
            if section.level == 0 or section.text:
                continue
            following = sections[index + 1] if index + 1 < len(sections) else None
            if following is not None and following.level > section.level:
                continue  # its content is in its subsections
            yield _finding(
                article, section.line, "empty-section", WARNING,
                f"section '{section.title}' has no content",
                "write the section or remove the heading",
            )


def check_near_duplicate_titles(ctx: LintContext) -> Iterator[Finding]:
    """Two live articles with almost the same title split the answers (and the search
    ranking) between them. rapidfuzz's C++ matrix keeps this fast at 5,000 articles."""
    import numpy as np  # lazy, with rapidfuzz: only this rule needs them and lint must start fast
    from rapidfuzz import fuzz, process  # lazy, see numpy above

    live = [a for a in ctx.kb.articles if a.meta.status != "archived"]
    if len(live) < 2:
        return
    titles = [" ".join(sorted(_normalise_title(a.title).split())) for a in live]
    threshold = ctx.settings.lint.near_duplicate_title
    scores = process.cdist(titles, titles, scorer=fuzz.ratio, score_cutoff=threshold, dtype="uint8", workers=-1)
    for i, j in np.argwhere(np.triu(scores, k=1) >= max(threshold, 1)):
        first, second = live[int(i)], live[int(j)]
        if first.id == second.id:
            continue  # reported as duplicate-id
        yield _finding(
            second, second.line_of("title"), "near-duplicate-title", WARNING,
            f"title is almost the same as '{first.title}' ({first.path})",
            "merge the two articles or make the titles say how they differ",
        )


_ATTACHMENT_FIXES = {
    NOT_PUBLIC: "if customers may see it, move it to kb/attachments/{id}/; otherwise remove the link",
    FILE_TYPE: "publish it as an image, PDF, CSV, text or office file (see docs/help-site.md)",
}


def check_attachments(ctx: LintContext) -> Iterator[Finding]:
    """A public article must not link a file the help site refuses: an attachment of a
    non-public article, a file outside `attachments/<id>/`, a symlink leaving the KB."""
    owners = public_owners(ctx.kb.articles)
    for article in ctx.kb.articles:
        source = kb_relative(ctx.kb.root, ctx.kb.base, article.path) if article.is_public else None
        if source is None:
            continue
        targets = [(link.line, link.target) for link in article.links]
        targets += [(article.body_line + line - 1, url) for line, url in raw_urls(article.body)]
        for line, target in targets:
            resolved = resolve_link(source, target)
            if resolved is None or not resolved.path or (resolved.path.endswith(".md") and resolved.path[0] != "/"):
                continue  # external, same page, or an article (check_links)
            verdict = check_file(ctx.kb.root, resolved.path, owners)
            if verdict.refusal in (None, MISSING):
                continue
            detail = "an absolute path" if resolved.path.startswith("/") else verdict.detail
            yield _finding(
                article, line, "attachment-not-public", ERROR,
                f"links '{target}', which the help site will not publish: {detail}",
                _ATTACHMENT_FIXES.get(verdict.refusal or "", "copy the file into kb/attachments/{id}/ and link it "
                                      "relative to this article").format(id=article.id),
            )


def check_hidden_text(ctx: LintContext) -> Iterator[Finding]:
    """Public articles: text customers cannot see (comments, hidden elements, tooltips) is
    still in the page source, and raw HTML that runs code is removed by the site."""
    for article in ctx.kb.articles:
        if article.meta.audience is not Audience.PUBLIC or article.meta.status is Status.ARCHIVED:
            continue
        for item in scan_body(article.body):
            yield _finding(article, article.body_line + item.line - 1, item.code, ERROR, item.message, item.fix)


def check_voice_guide(ctx: LintContext) -> Iterator[Finding]:
    """The voice guide (`agent.voice_guide`, docs/tone.md): front matter, one section per
    tone profile with its Opening and Closing lines, a Rules section."""
    yield from voice_findings(ctx.kb.root, ctx.kb.base, ctx.settings.agent.voice_guide)


def _normalise_title(title: str) -> str:
    return "".join(ch if ch.isalnum() else " " for ch in title.lower())


RULES: dict[str, Rule] = {
    "unknown-category": check_category,
    "unknown-risk-topic": check_risk_topics,
    "duplicate-id": check_duplicate_ids,
    "broken-link": check_links,
    "unknown-related": check_related,
    "stale-review": check_review_dates,
    "missing-owner": check_owner,
    "empty-section": check_empty_sections,
    "near-duplicate-title": check_near_duplicate_titles,
    "attachment-not-public": check_attachments,
    "hidden-text": check_hidden_text,
    "voice-guide": check_voice_guide,
}
"""Rule name -> function. A rule may emit several related codes (links: broken-link,
broken-anchor, link-to-unpublished; hidden-text: hidden-text, unsafe-html; voice-guide:
voice-guide (error), voice-guide-incomplete (warning))."""


def lint_kb(kb: KnowledgeBase, settings: Settings, today: date | None = None) -> list[Finding]:
    """All findings, load problems first, then sorted by file and line."""
    ctx = LintContext(kb=kb, settings=settings, today=today or date.today())
    disabled = set(settings.lint.disabled)
    findings = list(kb.problems)
    for name, rule in RULES.items():
        if name not in disabled:
            findings.extend(f for f in rule(ctx) if f.code not in disabled)
    return sorted(findings, key=lambda f: (f.path, f.line, f.code))


def exit_code(findings: Iterable[Finding]) -> int:
    return 1 if any(f.severity == ERROR for f in findings) else 0


# ---------------------------------------------------------------- renderers


def render_text(findings: list[Finding], article_count: int) -> str:
    lines = [f"{f.render()} [{f.severity}]" for f in findings]
    errors = sum(f.severity == ERROR for f in findings)
    lines.append(f"{article_count} articles checked: {errors} errors, {len(findings) - errors} warnings")
    return "\n".join(lines)


def render_json(findings: list[Finding], article_count: int) -> str:
    """Versioned; validated by `schemas/lint.schema.json` (see docs/lint.md)."""
    errors = sum(f.severity == ERROR for f in findings)
    payload = {
        "version": LINT_JSON_VERSION,
        "summary": {"articles": article_count, "errors": errors, "warnings": len(findings) - errors},
        "findings": [{**asdict(f), "severity": str(f.severity)} for f in findings],
    }
    return json.dumps(payload, indent=2)


def render_github(findings: list[Finding]) -> str:
    """GitHub Actions workflow commands: annotations on the PR's changed lines. A file name
    or message is data, never a second command: encoded as the runner's format requires
    (`%`, CR, LF in messages; also `:` and `,` in properties)."""
    out = []
    for f in findings:
        level = "error" if f.severity == ERROR else "warning"
        message = _github_data(f"{f.code} {f.message} ({f.fix})")
        out.append(f"::{level} file={_github_property(f.path)},line={f.line},title={_github_property(f.code)}::{message}")
    return "\n".join(out)


def _github_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(value: object) -> str:
    return _github_data(str(value)).replace(":", "%3A").replace(",", "%2C")
