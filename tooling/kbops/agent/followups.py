"""Follow-ups: the likely next questions a reply ends with, each with the public article
(section) that answers it (issue 17).

Chosen before drafting, from what the KB and the history say customers ask next about the
article the reply is built on (the top retrieved article, the one the offline backend quotes):

| source | what it is | the question shown |
|---|---|---|
| `memory` | articles that resolved the same past tickets as this article (co-resolution) | the article's title |
| `section` | this article's other sections, those the reply is not likely to quote | the heading |
| `related` | the article's `related` front matter, in the order the writer gave | the article's title |

Ticket memory stores each resolved ticket with the articles that resolved it, but no
customer and no order between tickets, so "what customers ask next" is read as
co-resolution: among the past tickets memory routes this ticket to, those resolved with this
article AND another one. More shared tickets, stronger follow-up. Questions are always KB
text (titles, headings), never past ticket text: that is customer-written and untrusted.

Only articles `may_cite` accepts now (public and published, checked on disk by the agent)
are ever named, whatever `related` or memory point at. Sources take turns (memory, section,
related), each in its own order of strength, so two follow-ups rarely say the same thing;
the result is deterministic for the same KB, memory and ticket.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from ..config import Settings
from ..index.memory import MemoryRoutes
from ..kb.model import Article
from ..kb.voice import VoiceGuide
from .decision import Citation, Evidence, TicketInput
from .fit import FollowUp

DEFAULT_HEADING = "You may also want to know:"
"""The block's first line when the voice guide gives none (`render_follow_ups(heading=...)`)."""

NAVIGATION_HEADINGS = frozenset({
    "steps", "before you begin", "related", "related articles", "see also", "overview", "introduction",
    "summary", "next steps", "contents",
})
"""Headings that organise an article rather than answer a question: never a follow-up."""
_ASKED_NEXT = re.compile(r"(?i)\?|troubleshoot|limit|problem|error|\bif\b|can['’]t|cannot|n['’]t\b|\bnot\b|\bwhen\b")
"""Headings that read like the next question (`Troubleshooting`, `Limits`, `What if ...?`,
`When the owner has left`): offered before the article's other sections."""
QUOTED_SHARE = 0.8
"""A section scoring this share of the best one may be quoted too (offline.SECOND_SECTION_RATIO)."""
_MARKUP = re.compile(r"[*_`]")
SHORT_HEADING_WORDS = 2
"""A heading this short (`Troubleshooting`, `Limits`) is shown with its article's title."""


def choose_follow_ups(
    evidence: Sequence[Evidence],
    articles: Mapping[str, Article],
    routes: MemoryRoutes | None,
    settings: Settings,
    may_cite: Callable[[str], bool],
) -> tuple[FollowUp, ...]:
    """At most `agent.max_follow_ups` next questions about the top article of `evidence`,
    strongest first; () without evidence. Never a section the reply is likely to quote
    (`likely_quoted`; `without_cited` drops what it did cite) and never an article
    `may_cite` refuses."""
    limit = settings.agent.max_follow_ups
    if not evidence or limit <= 0:
        return ()
    top = min(evidence, key=lambda e: e.article_rank).article_id
    article = articles.get(top)
    if article is None:
        return ()
    offered = likely_quoted(evidence, top) | {(top, "")}
    gate = _CachedGate(articles, may_cite)
    sources = (
        co_resolved(top, routes, articles),
        other_sections(article, offered),
        related_articles(article, articles),
    )
    chosen: list[FollowUp] = []
    seen = set(offered)

    def acceptable(candidate: FollowUp) -> bool:
        offered_whole = any(f.article_id == candidate.article_id and not f.anchor for f in chosen)
        return (candidate.article_id, candidate.anchor) not in seen and not offered_whole and gate(candidate.article_id)

    turns = list(sources)
    while turns and len(chosen) < limit:
        for source in list(turns):  # each source's next acceptable candidate, in turn
            candidate = next((c for c in source if acceptable(c)), None)
            if candidate is None:
                turns.remove(source)
                continue
            seen.add((candidate.article_id, candidate.anchor))
            chosen.append(candidate)
            if len(chosen) >= limit:
                break
    return tuple(chosen)


def likely_quoted(evidence: Sequence[Evidence], top: str) -> set[tuple[str, str]]:
    """(article, anchor) of the top article's sections a reply is likely to quote: its best
    evidence section and any scoring at least QUOTED_SHARE of it (the offline backend's rule)."""
    sections = [e for e in evidence if e.article_id == top]
    best = max(e.score for e in sections)
    return {(top, e.anchor) for e in sections if e.score >= QUOTED_SHARE * best or e.score == best}


def co_resolved(top: str, routes: MemoryRoutes | None, articles: Mapping[str, Article]) -> Iterator[FollowUp]:
    """Articles that resolved the same past tickets as `top`, among the tickets memory
    routes this ticket to: most shared tickets first, then the stronger route, then id."""
    if routes is None:
        return
    own = next((m for m in routes.articles if m.article_id == top), None)
    if own is None:
        return
    tickets = set(own.ticket_ids)
    scored = []
    for match in routes.articles:
        shared = len(tickets & set(match.ticket_ids))
        if match.article_id != top and shared and match.article_id in articles:
            scored.append((-shared, -match.score, match.article_id))
    for _, _, article_id in sorted(scored):
        yield _whole_article(articles[article_id], "memory")


def other_sections(article: Article, offered: set[tuple[str, str]]) -> Iterator[FollowUp]:
    """The article's headed sections not `offered` (likely quoted), skipping navigation
    headings: next-question headings first, then in reading order. The title names the
    article and the heading, so a brief or a listing reads on its own."""
    candidates = [
        s for s in article.sections
        if s.level and s.text.strip() and (article.id, s.anchor) not in offered
        and _plain(s.title).casefold().rstrip(":?") not in NAVIGATION_HEADINGS
    ]
    candidates.sort(key=lambda s: 0 if _ASKED_NEXT.search(_plain(s.title)) else 1)  # stable: reading order
    for section in candidates:
        heading = _plain(section.title)
        question = heading if len(heading.split()) > SHORT_HEADING_WORDS else f"{heading} ({article.title})"
        yield FollowUp(question, article.id, f"{article.title}: {heading}", section.anchor, "section")


def related_articles(article: Article, articles: Mapping[str, Article]) -> Iterator[FollowUp]:
    """The article's `related` ids, in the writer's order (unknown ids skipped: lint reports them)."""
    for related_id in dict.fromkeys(article.meta.related):
        if related_id != article.id and related_id in articles:
            yield _whole_article(articles[related_id], "related")


def without_cited(follow_ups: Iterable[FollowUp], citations: Iterable[Citation]) -> tuple[FollowUp, ...]:
    """Drop follow-ups the drafted reply already cites: the same section, or any section of
    an article offered whole. A backend may cite more than the evidence's top article."""
    cited = {(c.article_id, c.anchor) for c in citations}
    cited_articles = {article_id for article_id, _ in cited}
    return tuple(
        f for f in follow_ups
        if (f.article_id, f.anchor) not in cited and not (not f.anchor and f.article_id in cited_articles)
    )


def follow_up_link(article_url: str) -> Callable[[FollowUp], str]:
    """A Markdown link to the follow-up's article (section) on the help site
    (`agent.article_url`), the question as its text; the bare question without a template."""

    def link(follow_up: FollowUp) -> str:
        text = _link_text(follow_up.question)
        if not article_url:
            return text
        url = article_url.format(id=follow_up.article_id)
        return f"[{text}]({url}{'#' + follow_up.anchor if follow_up.anchor else ''})"

    return link


def render_follow_ups(follow_ups: Sequence[FollowUp], link: Callable[[FollowUp], str],
                      heading: str = DEFAULT_HEADING) -> str:
    """The block a reply ends with: `heading`, then one bullet per follow-up, `link(f)` as
    its text (e.g. `follow_up_link(article_url)`); "" when there are none. The tone guide
    may supply the heading (`kb/_style/voice.md`)."""
    if not follow_ups:
        return ""
    bullets = [f"- {link(f) or _link_text(f.question)}" for f in follow_ups]
    return "\n".join([heading.strip() or DEFAULT_HEADING, *bullets])


def follow_ups_block(ticket: TicketInput, citations: Sequence[Citation], article_url: str,
                     guide: VoiceGuide | None) -> str:
    """The block that ends a reply, whichever backend drafted it: the ticket's follow-ups the
    reply does not already cite, under the voice guide's heading for its profile and language."""
    profile = ticket.tone.profile if ticket.tone is not None else "neutral"
    language = ticket.language.code if ticket.language is not None else ""
    heading = guide.follow_ups_heading(profile, language) if guide else ""  # "": the default heading
    return render_follow_ups(without_cited(ticket.follow_ups, citations), follow_up_link(article_url), heading)


class _CachedGate:
    """`may_cite`, asked at most once per article, and only for articles that are public as
    loaded: a `related` id of an internal article is not a stale index (the agent's check
    reports those), it is simply never offered."""

    def __init__(self, articles: Mapping[str, Article], may_cite: Callable[[str], bool]) -> None:
        self.articles = articles
        self.may_cite = may_cite
        self.answers: dict[str, bool] = {}

    def __call__(self, article_id: str) -> bool:
        if article_id not in self.answers:
            article = self.articles.get(article_id)
            self.answers[article_id] = article is not None and article.is_public and self.may_cite(article_id)
        return self.answers[article_id]


def _whole_article(article: Article, source: str) -> FollowUp:
    return FollowUp(_plain(article.title), article.id, article.title, "", source)


def _plain(text: str) -> str:
    return " ".join(_MARKUP.sub("", text).split())


def _link_text(text: str) -> str:
    """Text safe inside `[...]` of a Markdown link."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
