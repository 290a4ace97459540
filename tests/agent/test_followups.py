"""Follow-ups: each source (memory co-resolution, other sections, related), the cap, never
a non-public article, never what the reply quotes, the same answer every time, and the
rendered block the output guard lets through."""

from __future__ import annotations

from collections.abc import Mapping

from kbops.agent.decision import Citation, Evidence
from kbops.agent.fit import FollowUp
from kbops.agent.followups import (
    DEFAULT_HEADING,
    QUOTED_SHARE,
    choose_follow_ups,
    follow_up_link,
    render_follow_ups,
    without_cited,
)
from kbops.agent.guard import ReplyGuard, site_hosts
from kbops.agent.offline import SECOND_SECTION_RATIO
from kbops.config import Settings
from kbops.index.memory import MemoryEntry, MemoryRoutes, route
from kbops.kb.model import Article
from tests.factories import article, evidence

URL = "https://help.example.com/{id}/"
BODY = (
    "Intro.\n\n## Before you begin\n\nHave your email at hand.\n\n## Steps\n\n1. Click **Forgot password?**\n\n"
    "## Changing your password while signed in\n\nOpen Profile, then Security.\n\n"
    "## Troubleshooting\n\n- The email never arrived: check spam.\n\n## Related\n\nSee the other guides.\n"
)


def kb(related: str = "[]", **extra: Article) -> dict[str, Article]:
    """A top article `reset` (BODY) with `related`, plus public articles `mfa`, `loop`, `sso`."""
    articles = {
        "reset": article("reset", BODY, title="Reset your password", related=related),
        "mfa": article("mfa", title="Set up two-factor authentication"),
        "loop": article("loop", title="Fix a login loop"),
        "sso": article("sso", title="Troubleshoot SSO"),
        "secret": article("secret", title="Escalation matrix", audience="internal"),
        "wip": article("wip", title="Passkeys (coming soon)", status="draft"),
    }
    return {**articles, **extra}


def steps_evidence(article_id: str = "reset", anchor: str = "steps", score: float = 1.0, rank: int = 1) -> Evidence:
    return evidence(f"{article_id}#{anchor}#0", article_id, "Reset your password", anchor.title(), anchor,
                    score=score, article_rank=rank)


def public(articles: Mapping[str, Article]) -> set[str]:
    return {a.id for a in articles.values() if a.is_public}


def choose(articles: Mapping[str, Article], found: list[Evidence] | None = None, routes: MemoryRoutes | None = None,
           settings: Settings | None = None, asked: list[str] | None = None) -> tuple[FollowUp, ...]:
    def may_cite(article_id: str) -> bool:
        if asked is not None:
            asked.append(article_id)
        return article_id in public(articles)

    return choose_follow_ups(found if found is not None else [steps_evidence()], articles, routes,
                             settings or Settings(), may_cite)


def memory(*entries: tuple[str, tuple[str, ...]]) -> MemoryRoutes:
    """Routes as the memory store builds them: every entry equally close to the ticket."""
    return route([(MemoryEntry(ticket_id, f"text {ticket_id}", ids), 0.9) for ticket_id, ids in entries])


# ---------------------------------------------------------------- sources


def test_other_sections_offer_the_next_question_first_and_skip_navigation() -> None:
    follow_ups = choose(kb(), settings=Settings().with_changes(agent={"max_follow_ups": 5}))
    assert [(f.source, f.anchor) for f in follow_ups] == [
        ("section", "troubleshooting"), ("section", "changing-your-password-while-signed-in"),
    ]
    troubleshooting = follow_ups[0]
    assert troubleshooting.question == "Troubleshooting (Reset your password)"
    assert troubleshooting.title == "Reset your password: Troubleshooting"
    assert follow_ups[1].question == "Changing your password while signed in"


def test_related_articles_are_asked_by_their_titles_in_the_writers_order() -> None:
    articles = kb(related="[loop, mfa, nowhere]")
    follow_ups = choose(articles, settings=Settings().with_changes(agent={"max_follow_ups": 5}))
    related = [f for f in follow_ups if f.source == "related"]
    assert [(f.article_id, f.question, f.anchor) for f in related] == [
        ("loop", "Fix a login loop", ""), ("mfa", "Set up two-factor authentication", ""),
    ]
    assert [f.source for f in follow_ups[:2]] == ["section", "related"], "sources take turns"


def test_memory_co_resolution_ranks_articles_by_shared_past_tickets() -> None:
    routes = memory(("T1", ("reset", "mfa")), ("T2", ("reset", "mfa")), ("T3", ("reset", "sso")),
                    ("T4", ("loop",)), ("T5", ("reset",)))
    follow_ups = choose(kb(), routes=routes, settings=Settings().with_changes(agent={"max_follow_ups": 5}))
    from_memory = [f for f in follow_ups if f.source == "memory"]
    assert [f.article_id for f in from_memory] == ["mfa", "sso"], "loop shares no ticket with reset"
    assert follow_ups[0].source == "memory"
    assert from_memory[0].question == "Set up two-factor authentication", "KB title, never ticket text"
    assert all("text T" not in f.question for f in follow_ups)


def test_memory_that_never_routes_to_the_top_article_adds_nothing() -> None:
    routes = memory(("T1", ("mfa", "sso")))
    assert all(f.source != "memory" for f in choose(kb(), routes=routes))
    assert all(f.source != "memory" for f in choose(kb(), routes=MemoryRoutes()))


# ---------------------------------------------------------------- limits and safety


def test_at_most_max_follow_ups_two_by_default() -> None:
    articles = kb(related="[mfa, loop, sso]")
    routes = memory(("T1", ("reset", "sso")))
    assert len(choose(articles, routes=routes)) == 2
    assert len(choose(articles, routes=routes, settings=Settings().with_changes(agent={"max_follow_ups": 1}))) == 1
    assert choose(articles, routes=routes, settings=Settings().with_changes(agent={"max_follow_ups": 0})) == ()
    assert choose(articles, found=[]) == ()


def test_never_an_internal_or_draft_article_even_when_related_or_memory_points_at_one() -> None:
    articles = kb(related="[secret, wip, mfa]")
    routes = memory(("T1", ("reset", "secret")), ("T2", ("reset", "wip")))
    asked: list[str] = []
    follow_ups = choose(articles, routes=routes, settings=Settings().with_changes(agent={"max_follow_ups": 5}),
                        asked=asked)
    assert {f.article_id for f in follow_ups} <= public(articles)
    assert "mfa" in {f.article_id for f in follow_ups}
    assert "secret" not in asked and "wip" not in asked, "a hidden related id is not a stale index"


def test_an_article_may_cite_refuses_now_is_never_offered() -> None:
    """Public as loaded, but no longer on disk (the agent's check re-reads the file)."""
    articles = kb(related="[mfa, loop]")
    follow_ups = choose_follow_ups([steps_evidence()], articles, None,
                                   Settings().with_changes(agent={"max_follow_ups": 5}),
                                   may_cite=lambda article_id: article_id != "mfa")
    assert "mfa" not in {f.article_id for f in follow_ups}
    assert "loop" in {f.article_id for f in follow_ups}


def test_no_follow_up_repeats_what_the_reply_quotes() -> None:
    articles = kb(related="[reset, mfa]")
    found = [steps_evidence(score=1.0), steps_evidence(anchor="troubleshooting", score=0.85),
             steps_evidence(anchor="changing-your-password-while-signed-in", score=0.2)]
    follow_ups = choose(articles, found=found, settings=Settings().with_changes(agent={"max_follow_ups": 5}))
    keys = {(f.article_id, f.anchor) for f in follow_ups}
    assert ("reset", "steps") not in keys and ("reset", "troubleshooting") not in keys, "likely quoted"
    assert ("reset", "changing-your-password-while-signed-in") in keys, "in the evidence but far below the best"
    assert ("reset", "") not in keys, "related back to itself"
    cited = (Citation("reset", "Reset your password", "Changing", "changing-your-password-while-signed-in"),
             Citation("mfa", "Set up two-factor authentication", "Steps", "steps"))
    assert without_cited(follow_ups, cited) == ()
    assert len(keys) == len(follow_ups)


def test_quoted_share_is_the_offline_backends_rule() -> None:
    assert QUOTED_SHARE == SECOND_SECTION_RATIO


def test_the_same_inputs_give_the_same_follow_ups_in_any_order() -> None:
    articles = kb(related="[sso, mfa, loop]")
    routes = memory(("T2", ("reset", "loop")), ("T1", ("reset", "mfa")))
    reordered = dict(reversed(list(articles.items())))
    first = choose(articles, routes=routes)
    assert first == choose(articles, routes=routes) == choose(reordered, routes=routes)
    assert [f.article_id for f in first] == ["loop", "reset"], "tied memory routes: by id"


# ---------------------------------------------------------------- the block


def test_render_is_a_heading_and_one_linked_bullet_each() -> None:
    follow_ups = choose(kb(related="[mfa]"))
    block = render_follow_ups(follow_ups, follow_up_link(URL))
    assert block.splitlines() == [
        DEFAULT_HEADING,
        "- [Troubleshooting (Reset your password)](https://help.example.com/reset/#troubleshooting)",
        "- [Set up two-factor authentication](https://help.example.com/mfa/)",
    ]
    assert render_follow_ups(follow_ups, follow_up_link(""), heading="Next, people ask:").splitlines() == [
        "Next, people ask:", "- Troubleshooting (Reset your password)", "- Set up two-factor authentication",
    ]
    assert render_follow_ups((), follow_up_link(URL)) == ""


def test_link_text_cannot_break_out_of_the_link() -> None:
    odd = FollowUp("What about [brackets](javascript:x)?", "mfa", "t")
    assert follow_up_link(URL)(odd) == r"[What about \[brackets\](javascript:x)?](https://help.example.com/mfa/)"


def test_the_guard_passes_public_follow_ups_and_blocks_a_hidden_one() -> None:
    articles = kb(related="[secret, wip, mfa]")
    guard = ReplyGuard(articles, site_hosts(URL))
    reply = "Here is how.\n\n" + render_follow_ups(choose(articles), follow_up_link(URL))
    assert "mfa" in reply
    assert guard.check(reply) == {}
    forged = FollowUp("Escalation matrix", "secret", "Escalation matrix")
    problems = guard.check("Here is how.\n\n" + render_follow_ups((forged,), follow_up_link(URL)))
    assert "internal-link" in problems
