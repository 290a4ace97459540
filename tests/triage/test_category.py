"""Which classifier triage uses: fitted on the labelled history (weights cached as JSON),
or zero-shot from the taxonomy descriptions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from kbops.config import TriageSettings
from kbops.index.embed import CountingEmbedder, Embedder
from kbops.tickets.model import Ticket
from kbops.triage.category import FITTED, ZERO_SHOT, offline_categorizer, training_examples
from kbops.triage.model_cache import LinearModel, load_or_fit

HISTORY = {
    "billing": ["I was charged twice this month", "where can I download my invoice", "my card payment failed",
                "can I switch to yearly billing", "the invoice shows the wrong VAT number"],
    "technical": ["how do I connect the Slack integration", "export to CSV gives an empty file",
                  "how do I import tasks from Trello", "where do I set the default project view",
                  "login page keeps reloading in Safari"],
}


def labelled(history: dict[str, list[str]]) -> list[Ticket]:
    return [Ticket(id=f"{label[:3]}-{n}", body=text, category=label)
            for label, texts in history.items() for n, text in enumerate(texts)]


def test_labels_outside_the_taxonomy_are_ignored_with_a_note() -> None:
    notes: list[str] = []
    tickets = [*labelled(HISTORY), Ticket(id="x", body="??", category="Sales lead"),
               Ticket(id="y", body="hi", category="BILLING")]
    texts, labels = training_examples(TriageSettings(), tickets, notes.append) or ([], [])
    assert len(texts) == 11
    assert labels.count("billing") == 6
    assert any("'Sales lead' (1)" in note for note in notes)
    assert any("account management, bug report, feature request" in note for note in notes)


def test_fewer_than_two_learnable_categories_mean_zero_shot() -> None:
    notes: list[str] = []
    few = {"billing": HISTORY["billing"], "technical": HISTORY["technical"][:4]}
    assert training_examples(TriageSettings(), labelled(few), notes.append) is None
    assert "zero-shot" in notes[-1]
    assert training_examples(TriageSettings(min_examples=4), labelled(few)) is not None


def test_the_fitted_classifier_is_cached_and_reused(embedder: Embedder, tmp_path: Path) -> None:
    settings = TriageSettings()
    fitted = offline_categorizer(settings, embedder, labelled(HISTORY), "fp-1", tmp_path)
    assert fitted.source == FITTED
    choices = fitted.choose(["a refund for a double charge on my card", "the Trello import does nothing"])
    assert [c.label for c in choices] == ["billing", "technical"]
    saved = list(tmp_path.glob("classifier-*.json"))
    assert len(saved) == 1
    assert json.loads(saved[0].read_text())["model"]["classes"] == ["billing", "technical"]

    # A cached fit is used as it is: tamper with the weights and the prediction follows them.
    data = json.loads(saved[0].read_text())
    data["model"]["intercept"] = [-100.0]
    saved[0].write_text(json.dumps(data))
    again = offline_categorizer(settings, embedder, labelled(HISTORY), "fp-1", tmp_path)
    assert again.choose(["the Trello import does nothing"])[0].label == "billing"

    refit = offline_categorizer(settings, embedder, labelled(HISTORY), "fp-2", tmp_path)
    assert refit.choose(["the Trello import does nothing"])[0].label == "technical"
    assert [p.name for p in tmp_path.glob("classifier-*.json")] != [saved[0].name]  # the old fit is gone


def test_without_history_the_descriptions_decide(embedder: Embedder, tmp_path: Path) -> None:
    zero = offline_categorizer(TriageSettings(), embedder, [], "empty", tmp_path)
    assert zero.source == ZERO_SHOT
    assert zero.choose(["please add a dark mode to the app"])[0].label == "feature request"
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("classes", [2, 4])
def test_cached_weights_predict_what_scikit_learn_predicts(classes: int) -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(60, 5))
    y = [f"c{i % classes}" for i in range(60)]
    model = LogisticRegression(max_iter=500).fit(x, y)
    weights = LinearModel.from_json(json.loads(json.dumps(LinearModel.from_sklearn(model).to_json())))
    assert weights.classes == tuple(model.classes_)
    np.testing.assert_allclose(weights.predict_proba(x), model.predict_proba(x), atol=1e-9)


def test_a_broken_cache_file_is_set_aside_and_refitted(tmp_path: Path) -> None:
    path = tmp_path / "classifier-k.json"
    path.write_text('{"model": {"classes": ["a"], "coef": [], "intercept": []}}')
    notes: list[str] = []
    good = LinearModel(("a", "b"), np.zeros((1, 3)), np.zeros(1))
    assert load_or_fit(tmp_path, "k", lambda: good, notes.append) is good
    assert (tmp_path / "classifier-k.json.corrupt").exists()
    assert "refitting" in notes[0]
    assert LinearModel.from_json(json.loads(path.read_text())["model"]).classes == ("a", "b")


def test_the_fit_learns_from_the_newest_examples_of_each_category_at_most() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    tickets = [Ticket(id=f"{label[:3]}-{n:02}", body=text, category=label, created_at=start + timedelta(days=n))
               for label, texts in HISTORY.items() for n, text in enumerate(texts)]
    tie = Ticket(id="bil-01b", body="a second invoice question", category="billing", created_at=start + timedelta(days=2))
    settings = TriageSettings(max_examples_per_category=3)
    kept, labels = training_examples(settings, [*tickets, tie]) or ([], [])
    # the newest three of each; bil-01b and bil-02 are as new, the smaller id wins; oldest first
    assert [t.id for t in kept] == ["bil-01b", "tec-02", "bil-03", "tec-03", "bil-04", "tec-04"]
    assert labels == ["billing", "technical"] * 3
    shuffled = training_examples(settings, [tie, *reversed(tickets)]) or ([], [])
    assert [t.id for t in shuffled[0]] == [t.id for t in kept]  # the same set whatever the order
    everything, _ = training_examples(TriageSettings(), tickets) or ([], [])
    assert len(everything) == len(tickets)


def test_the_cap_is_part_of_the_cached_fit(embedder: Embedder, tmp_path: Path) -> None:
    counting = CountingEmbedder(embedder)
    offline_categorizer(TriageSettings(), counting, labelled(HISTORY), "fp", tmp_path)
    assert counting.texts == 10
    capped = TriageSettings(max_examples_per_category=2)
    counting.reset()
    offline_categorizer(capped, counting, labelled(HISTORY), "fp", tmp_path)
    assert counting.texts == 4  # refitted on two tickets of each category, not the cached fit on ten
    counting.reset()
    offline_categorizer(capped, counting, labelled(HISTORY), "fp", tmp_path)
    assert counting.texts == 0
