"""Gap finding with the real offline embedder: clustering, labels, ranking and stable ids,
and the missing-vs-failing call."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

from kbops.config import Settings
from kbops.evals.runs import Verdict
from kbops.gaps.find import classify, cluster, find_gaps, gap_id, ticket_vectors
from kbops.gaps.model import Failure, GapKind
from kbops.index.embed import Embedder
from kbops.index.matrix import ArticleMatrix
from kbops.kb.loader import load_kb
from tests.factories import article_text, gap_ticket, near_article
from tests.gaps.topics import EXPORT, TODAY, TOPICS, kb_with, topic_tickets


def test_clustering_groups_paraphrases_and_separates_topics(embedder: Embedder) -> None:
    tickets = topic_tickets()
    labels = cluster(ticket_vectors(tickets, embedder), Settings().gaps.distance_threshold)
    groups: dict[int, set[str]] = {}
    for ticket, label in zip(tickets, labels, strict=True):
        groups.setdefault(label, set()).add(ticket.id.split("-")[0])
    assert sorted(sorted(g) for g in groups.values()) == [["calendar"], ["dark"], ["time"]]
    assert len(set(labels)) == 3


def test_a_tighter_threshold_splits_and_a_looser_one_merges(embedder: Embedder) -> None:
    vectors = ticket_vectors(topic_tickets(), embedder)
    assert len(set(cluster(vectors, 0.05))) == 6  # every ticket its own gap: tiny clusters are allowed
    assert len(set(cluster(vectors, 1.5))) == 1
    assert cluster(vectors[:1], 0.45) == [0] and cluster(vectors[:0], 0.45) == []


def test_labels_name_the_topic_not_the_chat(embedder: Embedder) -> None:
    matrix = ArticleMatrix.build([], embedder)
    gaps = find_gaps(topic_tickets(), ["hi thanks, how do I reset my password? I've logged it"], matrix, embedder,
                     Settings().gaps, run_tickets=20, today=TODAY)
    by_topic = {g.ticket_ids[0].split("-")[0]: g for g in gaps}
    assert "dark" in by_topic["dark"].label
    assert "calendar" in by_topic["calendar"].label
    assert "time tracking" in by_topic["time"].key_phrases
    for gap in gaps:
        assert not {"logged", "thanks", "ve", "i've"} & set(" ".join(gap.key_phrases).split())


def test_ranking_by_impact_and_stable_ids(embedder: Embedder) -> None:
    tickets = topic_tickets()
    rows = {t.id: t for t in tickets}
    # calendar: two enterprise tickets (4 + 4); time: one wrong answer to a pro customer (2 x 2) + pro (2)
    rows["calendar-0"] = gap_ticket("calendar-0", *TOPICS["calendar"][0], tier="enterprise")
    rows["calendar-1"] = gap_ticket("calendar-1", *TOPICS["calendar"][1], tier="enterprise")
    rows["time-0"] = gap_ticket("time-0", *TOPICS["time"][0], verdict=Verdict.FALSE_DEFLECTION)
    matrix = ArticleMatrix.build([], embedder)
    settings = Settings().gaps
    gaps = find_gaps(list(rows.values()), [], matrix, embedder, settings, run_tickets=10, today=TODAY)
    assert [g.ticket_ids[0].split("-")[0] for g in gaps] == ["calendar", "time", "dark"]
    assert [g.impact for g in gaps] == [8.0, 6.0, 4.0]
    assert [g.rank for g in gaps] == [1, 2, 3]
    assert gaps[1].false_deflections == 1 and gaps[0].tiers == {"enterprise": 2}
    assert gaps[0].share == 0.2 and len(gaps[0].customers) == 2

    shuffled = list(rows.values())
    random.Random(7).shuffle(shuffled)
    again = find_gaps(shuffled, [], matrix, embedder, settings, run_tickets=10, today=TODAY)
    assert {g.id for g in again} == {g.id for g in gaps}
    assert gaps[0].id == gap_id(["calendar-1", "calendar-0"]) == gap_id(["calendar-0", "calendar-1"])


def test_missing_or_failing(tmp_path: Path) -> None:
    stale = article_text("dark-mode", title="Dark mode", reviewed="2024-01-01", tags="[dark]", category="feature-request")
    draft = article_text("calendar-sync", title="Calendar sync", status="draft", tags="[calendar]")
    kb = load_kb(kb_with(tmp_path, stale, draft, EXPORT))
    articles = kb.by_id()
    settings = Settings().gaps

    plain = [gap_ticket("a", "s", "q", "r")]
    assert classify(plain, [near_article("export-project-csv", 0.5, 1.0)], articles, settings, TODAY) == (GapKind.MISSING, None, None)
    assert classify(plain, [near_article("export-project-csv", 0.9, 0.0)], articles, settings, TODAY)[0] is GapKind.MISSING
    assert classify(plain, [near_article("export-project-csv", 0.9, 0.67)], articles, settings, TODAY) == (
        GapKind.FAILING, Failure.UNFINDABLE, "export-project-csv")
    resolved_with = [gap_ticket("b", "s", "q", "r", gold=("export-project-csv",))]
    assert classify(resolved_with, [], articles, settings, TODAY) == (GapKind.FAILING, Failure.UNFINDABLE, "export-project-csv")
    deleted = [gap_ticket("b", "s", "q", "r", gold=("an-article-that-was-removed",))]
    assert classify(deleted, [], articles, settings, TODAY)[0] is GapKind.MISSING
    wrong = [gap_ticket("c", "s", "q", "r", verdict=Verdict.FALSE_DEFLECTION, gold=("dark-mode",), cited=("dark-mode",))]
    assert classify(wrong, [], articles, settings, TODAY)[1] is Failure.OUTDATED  # review due since mid 2024
    assert classify(wrong, [], articles, settings, date(2024, 2, 1))[1] is Failure.WRONG
    assert classify([gap_ticket("d", "s", "q", "r", gold=("calendar-sync",))], [], articles, settings, TODAY)[1] is Failure.UNPUBLISHED


def test_no_tickets_and_a_lone_ticket(embedder: Embedder) -> None:
    matrix = ArticleMatrix.build([], embedder)
    assert find_gaps([], [], matrix, embedder, Settings().gaps, run_tickets=5, today=TODAY) == []
    (lone,) = find_gaps([gap_ticket("x", "ok", "thanks", "")], [], matrix, embedder, Settings().gaps, 5, TODAY)
    assert lone.ticket_ids == ("x",) and lone.kind is GapKind.MISSING and lone.label  # named by its subject


def test_labels_never_carry_personal_data(embedder: Embedder) -> None:
    # Unredacted, the e-mail's words are this ticket's rarest: they would be its label.
    ticket = gap_ticket("p1", "contact form", "please reply to zorbitz.quillon@zorbitz.example or +44 20 7946 0958", "")
    (gap,) = find_gaps([ticket], [], ArticleMatrix.build([], embedder), embedder, Settings().gaps, 5, TODAY)
    text = json.dumps([gap.label, gap.key_phrases, gap.examples]).lower()
    assert "zorbitz" not in text and "quillon" not in text and "7946" not in text and "email" not in text
    assert "contact form" in gap.key_phrases
