"""Gap labels: c-TF-IDF key phrases that name the topic, a phrase before its words."""

from __future__ import annotations

from kbops.gaps.labels import key_phrases, phrases_of


def test_key_phrases_prefer_a_phrase_over_its_words() -> None:
    clusters = [["time tracking please", "time tracking for payroll", "no time tracking"], ["export csv", "csv export"]]
    labels = key_phrases(clusters, ["how do I reset my password", "time to pay the invoice"])
    assert labels[0][0] == "time tracking"
    assert "time" not in labels[0] and "tracking" not in labels[0]
    assert "csv" in " ".join(labels[1])
    assert "extension dark" not in phrases_of("a browser extension. Dark mode soon")  # no phrase across a stop
