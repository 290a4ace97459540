"""`kbops ask --json` on German and Spanish tickets on a copy of the demo KB: the detected
language, the team's notice line in the reply, and the `language` escalation when the team
says it does not answer a language."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kbops.config import load_settings
from tests.conftest import run_kbops
from tests.factories import demo_kb

GERMAN = "Wie exportiere ich mein Projekt als CSV-Datei?"
SPANISH = "¿Cómo exporto mi proyecto a CSV?"
ESCALATING = """
[agent]
unsupported_language = "escalate"

[agent.language_notices]
de = "Wir antworten auf Englisch."
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = demo_kb(tmp_path_factory.mktemp("language"))
    demo = (root / "kbops.toml").read_text()
    head = demo.split("\n[agent]", 1)[0]  # the demo's own [agent] tables replaced by the escalating ones
    (root / "escalating.toml").write_text(head + ESCALATING)
    return root


def ask(project: Path, text: str, *options: str) -> dict[str, Any]:
    result = run_kbops(*options, "ask", text, "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    decision: dict[str, Any] = json.loads(result.stdout)
    return decision


def test_a_german_ticket_is_detected_and_answered_with_the_german_notice(project: Path) -> None:
    notices = load_settings(project / "kbops.toml").agent.language_notices
    assert "de" in notices and "es" in notices  # the demo configures them
    decision = ask(project, GERMAN)
    assert decision["language"]["code"] == "de"
    assert decision["language"]["supported"] is True
    assert decision["language"]["confidence"] >= 0.9
    assert decision["reply"].splitlines()[0] == notices["de"]  # the notice first, then the English answer
    assert notices["es"] not in decision["reply"]
    assert "language" not in decision["reasons"]


def test_a_spanish_ticket_gets_the_spanish_notice(project: Path) -> None:
    notices = load_settings(project / "kbops.toml").agent.language_notices
    decision = ask(project, SPANISH)
    assert decision["language"]["code"] == "es"
    assert notices["es"] in decision["reply"] and notices["de"] not in decision["reply"]


def test_an_english_ticket_has_no_notice(project: Path) -> None:
    notices = load_settings(project / "kbops.toml").agent.language_notices
    decision = ask(project, "How do I export my project to CSV?")
    assert decision["language"]["code"] == "en"
    assert not any(line in decision["reply"] for line in notices.values())


def test_a_language_the_team_does_not_answer_escalates_with_language(project: Path) -> None:
    config = str(project / "escalating.toml")
    spanish = ask(project, SPANISH, "--config", config)
    assert spanish["action"] == "escalate"
    assert spanish["language"] == {"code": "es", "confidence": spanish["language"]["confidence"], "supported": False}
    assert "language" in spanish["reasons"]
    assert "Spanish (es" in spanish["details"]["language"]
    package = spanish["escalation_package"]
    assert package is not None and "language" in json.dumps(package)

    german = ask(project, GERMAN, "--config", config)  # a notice is configured: supported, no `language`
    assert german["language"]["supported"] is True and "language" not in german["reasons"]
