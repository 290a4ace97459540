"""The voice guide as code: parsed per profile and language, its structural problems are
lint findings with file and line, and the loader never reads `_style/` as articles."""

from __future__ import annotations

from pathlib import Path

from kbops.config import Settings
from kbops.kb.lint import lint_kb
from kbops.kb.loader import load_kb, load_kb_at
from kbops.kb.voice import load_voice_guide, parse_voice_guide
from tests.conftest import REPO
from tests.factories import article_text, commit_all, kb_project

GUIDE = """---
kind: voice-guide
language: en
---
# Our voice

## Rules

- Answer first.

## frustrated

Opening: Sorry about the trouble.
Opening (de): Entschuldigen Sie den Ärger.
Closing: Reply here if it persists.

> Sorry the export failed. Open the project and export again.

## new_user

Opening: Welcome aboard.
Closing: Ask us anything.
Follow-ups: New teams ask next:

> Welcome! Projects hold tasks.

## power_user

Opening:
Closing: -

> Project → Export → CSV.

## neutral

Opening: Here is how.
Closing: Anything else, just ask.

> Open the project and export.
"""


def findings_of(text: str) -> list[tuple[int, str, str]]:
    return [(f.line, f.code, f.message) for f in parse_voice_guide(text, "kb/_style/voice.md")[1]]


def test_openings_and_closings_per_profile_and_language() -> None:
    guide, problems = parse_voice_guide(GUIDE, "kb/_style/voice.md")
    assert problems == []
    assert guide.language == "en"
    assert guide.opening("frustrated") == "Sorry about the trouble."
    assert guide.opening("frustrated", "de") == "Entschuldigen Sie den Ärger."
    assert guide.opening("frustrated", "fr") == "Sorry about the trouble."  # no French line: the guide's own
    assert guide.opening("power_user") == "" and guide.closing("power_user") == ""  # none, on purpose
    assert guide.follow_ups_heading("new_user") == "New teams ask next:"
    assert guide.profiles["new_user"].example == "> Welcome! Projects hold tasks."
    assert guide.rules == "- Answer first."
    assert guide.opening("unknown-profile") == ""


def test_the_model_gets_the_rules_and_only_the_profiles_example() -> None:
    guide, _ = parse_voice_guide(GUIDE, "kb/_style/voice.md")
    told = guide.for_model("new_user")
    assert "- Answer first." in told and "Welcome! Projects hold tasks." in told
    assert "Sorry the export failed" not in told


def test_malformed_guides_are_findings_with_their_lines() -> None:
    broken = GUIDE.replace("kind: voice-guide", "kind: article").replace(
        "Closing: Reply here if it persists.\n", "").replace("## neutral", "## Cheerful") + (
        "\n## frustrated\n\nOpening: again\nClosing: again\n")
    found = findings_of(broken)
    lines = broken.split("\n")
    assert (2, "voice-guide") in [(line, code) for line, code, _ in found]  # kind, on its own line
    frustrated_line = lines.index("## frustrated") + 1
    assert any(line == frustrated_line and "no `Closing:` line" in message for line, _, message in found)
    cheerful_line = lines.index("## Cheerful") + 1
    assert any(line == cheerful_line and "unknown section" in message for line, _, message in found)
    duplicate_line = len(lines) - lines[::-1].index("## frustrated")
    assert any(line == duplicate_line and "appears twice" in message for line, _, message in found)
    assert any(code == "voice-guide-incomplete" and "neutral" in message for _, code, message in found)


def test_no_front_matter_and_a_twice_given_line() -> None:
    found = findings_of("# Voice\n\n## Rules\n\n- x\n\n## neutral\n\nOpening: a\nOpening: b\nClosing: c\n\n> ex\n")
    assert (1, "voice-guide", "no front matter") in found
    assert any(line == 10 and "appears twice" in message for line, _, message in found)


def test_lint_reports_a_malformed_guide_with_file_and_line(tmp_path: Path) -> None:
    root = kb_project(tmp_path, article_text("export-csv"))
    (root / "kb" / "_style").mkdir()
    (root / "kb" / "_style" / "voice.md").write_text(GUIDE.replace("language: en", "language: English"))
    settings = Settings(root=root)
    findings = [f for f in lint_kb(load_kb(settings), settings) if f.code.startswith("voice-guide")]
    assert [(f.path, f.line, f.code, str(f.severity)) for f in findings] == [
        ("kb/_style/voice.md", 3, "voice-guide", "error")]
    assert "ISO 639-1" in findings[0].message and findings[0].render().startswith("kb/_style/voice.md:3")


def test_the_loader_skips_style_files_and_a_configured_guide(tmp_path: Path) -> None:
    root = kb_project(tmp_path, article_text("export-csv"),
                      config='[kb]\npath = "kb"\n\n[agent]\nvoice_guide = "team-voice.md"\n')
    (root / "kb" / "_style").mkdir()
    (root / "kb" / "_style" / "voice.md").write_text(GUIDE)
    (root / "kb" / "_style" / "broken.md").write_text("not an article")
    (root / "kb" / "team-voice.md").write_text(GUIDE)
    settings = Settings(root=root, agent={"voice_guide": "team-voice.md"})
    kb = load_kb(settings)
    assert [a.id for a in kb.articles] == ["export-csv"] and kb.problems == ()
    assert load_voice_guide(root / "kb", "team-voice.md") is not None
    assert load_voice_guide(root / "kb", "missing.md") is None


def test_the_demo_guide_is_clean_and_covers_every_profile() -> None:
    guide, problems = parse_voice_guide((REPO / "kb" / "_style" / "voice.md").read_text(), "kb/_style/voice.md")
    assert problems == []
    assert set(guide.profiles) == {"frustrated", "new_user", "power_user", "neutral"}
    assert guide.opening("power_user") == ""  # concise: no pleasantries
    assert "!" not in guide.opening("new_user") + guide.closing("new_user")


def test_a_kb_at_a_git_ref_skips_style_files_too(tmp_path: Path) -> None:
    root = kb_project(tmp_path, article_text("export-csv"))
    (root / "kb" / "_style").mkdir()
    (root / "kb" / "_style" / "voice.md").write_text(GUIDE)
    commit_all(root)
    kb, _ = load_kb_at(Settings(root=root), "HEAD")
    assert [a.id for a in kb.articles] == ["export-csv"] and kb.problems == ()
