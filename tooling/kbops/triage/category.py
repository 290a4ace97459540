"""Which category classifier triage uses, and how it is built from the team's history.

With at least `min_examples` labelled history tickets in two or more taxonomy categories,
a logistic regression is fitted on them (`classify.CategoryClassifier`; its weights are
cached, `model_cache.py`): on the newest `max_examples_per_category` of each category, as
fitting embeds every example and a first run on 100k history tickets took minutes and
GiBs; otherwise the zero-shot classifier matches the taxonomy's
descriptions. History labels outside the taxonomy are ignored (with a note), and so are
categories with too few examples to learn. Claude, when chosen, sits in front of either
(`claude.py`) and falls back to it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..config import TriageSettings
from ..files import Notify
from ..index.embed import Embedder
from ..tickets.model import Ticket
from .classify import Category, CategoryClassifier, ZeroShotClassifier, decide
from .model_cache import LinearModel, cache_key, load_or_fit
from .visible import visible_text

FITTED = "fitted"
ZERO_SHOT = "zero-shot"
CLAUDE = "claude"


@dataclass(frozen=True)
class CategoryChoice:
    label: str
    confidence: float
    source: str
    """fitted, zero-shot or claude."""


class OfflineCategorizer:
    """The fitted or the zero-shot classifier, with the name of the one in use."""

    def __init__(self, classifier: CategoryClassifier | ZeroShotClassifier, source: str) -> None:
        self.classifier = classifier
        self.source = source

    def choose(self, texts: Sequence[str]) -> list[CategoryChoice]:
        """Texts already visible (`visible_text`), in order."""
        return self.choose_embedded(self.classifier.embedder.embed(list(texts))) if texts else []

    def choose_embedded(self, vectors: np.ndarray) -> list[CategoryChoice]:
        """The same for texts already embedded with the classifier's embedder."""
        if not len(vectors):
            return []
        found = decide(self.classifier.scores(vectors), self.classifier.labels, self.classifier.threshold)
        return [self._choice(c) for c in found]

    def _choice(self, category: Category) -> CategoryChoice:
        return CategoryChoice(category.label, category.confidence, self.source)


def offline_categorizer(settings: TriageSettings, embedder: Embedder, labelled: Sequence[Ticket],
                        fingerprint: str, cache_dir: Path | None, notify: Notify | None = None) -> OfflineCategorizer:
    """The fitted classifier when the history allows it (see the module doc), else zero-shot."""
    examples = training_examples(settings, labelled, notify)
    if examples is None:
        return OfflineCategorizer(
            ZeroShotClassifier(embedder, settings.taxonomy, settings.out_of_scope_threshold), ZERO_SHOT
        )
    tickets, labels = examples

    def fit() -> LinearModel:
        if notify:
            notify(f"triage: fitting the category model on {len(tickets)} labelled history tickets, the newest "
                   f"{settings.max_examples_per_category} at most of each category (once per change of the "
                   "history; new texts are embedded first)")
        texts = [visible_text(t.text) or t.text for t in tickets]
        return LinearModel.from_sklearn(CategoryClassifier.fit(embedder, texts, labels).model)

    key = cache_key(fingerprint, embedder.name, labels, settings.min_examples, settings.max_examples_per_category)
    model = load_or_fit(cache_dir, key, fit, notify)
    return OfflineCategorizer(
        CategoryClassifier(embedder, model.classes, model, settings.out_of_scope_threshold), FITTED
    )


def training_examples(settings: TriageSettings, labelled: Sequence[Ticket],
                      notify: Notify | None = None) -> tuple[list[Ticket], list[str]] | None:
    """(tickets, their taxonomy labels) to fit on, or None when fewer than two categories
    have `min_examples` each: the newest `max_examples_per_category` of each learnable
    category (ties by id), in history order. Labels match the taxonomy ignoring case."""
    names = {label.casefold(): label for label in settings.taxonomy}
    unknown: Counter[str] = Counter()
    pairs: list[tuple[Ticket, str]] = []
    for ticket in labelled:
        label = names.get(ticket.category.strip().casefold())
        if label is None:
            unknown[ticket.category.strip()] += 1
        else:
            pairs.append((ticket, label))
    counts = Counter(label for _, label in pairs)
    learnable = {label for label, n in counts.items() if n >= settings.min_examples}
    if notify and unknown:
        shown = ", ".join(f"'{name}' ({n})" for name, n in unknown.most_common(5))
        notify(f"triage: history labels not in triage.taxonomy ignored: {shown}")
    if len(learnable) < 2:
        if notify and labelled:
            notify(f"triage: fewer than two categories have {settings.min_examples} labelled history tickets; "
                   "using zero-shot categories from the taxonomy descriptions")
        return None
    if notify and (thin := sorted(set(settings.taxonomy) - learnable)):
        notify(f"triage: too few labelled history tickets to learn {', '.join(thin)} "
               f"(triage.min_examples = {settings.min_examples}); they are not predicted")
    kept = newest_per_label([(ticket, label) for ticket, label in pairs if label in learnable],
                            settings.max_examples_per_category)
    return [t for t, _ in kept], [label for _, label in kept]


_UNDATED = datetime.min.replace(tzinfo=UTC)


def newest_per_label(pairs: Sequence[tuple[Ticket, str]], cap: int) -> list[tuple[Ticket, str]]:
    """At most `cap` pairs per label, the newest (ties: smaller id first; undated as oldest),
    returned oldest first, so the same history always gives the same training set."""

    def created(ticket: Ticket) -> datetime:
        moment = ticket.created_at
        if moment is None:
            return _UNDATED
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment

    by_label: defaultdict[str, list[tuple[Ticket, str]]] = defaultdict(list)
    for pair in sorted(pairs, key=lambda p: p[0].id):
        by_label[pair[1]].append(pair)
    chosen = [pair for group in by_label.values()
              for pair in sorted(group, key=lambda p: created(p[0]), reverse=True)[:cap]]
    return sorted(chosen, key=lambda p: (created(p[0]), p[0].id))
