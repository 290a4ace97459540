"""`kbops ask --json` on a copy of the demo KB: the decision's `follow_ups` name public
articles only, never a section the reply cites, and the offline reply ends with their block,
linked to the help site, which the output guard lets through."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kbops.agent.fit import FollowUp
from kbops.agent.followups import follow_up_link
from kbops.config import load_settings
from kbops.kb.loader import load_kb
from tests.conftest import run_kbops
from tests.factories import demo_kb

HELP_SITE = "https://help.tasklane.example/{id}/"
PASSWORD = "I forgot my password, how do I reset it?"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = demo_kb(tmp_path_factory.mktemp("followups"))
    demo = (root / "kbops.toml").read_text()
    assert demo.count("\n[agent]\n") == 1
    (root / "linked.toml").write_text(demo.replace("\n[agent]\n", f'\n[agent]\narticle_url = "{HELP_SITE}"\n'))
    (root / "none.toml").write_text(demo.replace("\n[agent]\n", "\n[agent]\nmax_follow_ups = 0\n"))
    return root


def ask(project: Path, text: str, config: str = "kbops.toml") -> dict[str, Any]:
    result = run_kbops("--config", str(project / config), "ask", text, "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    decision: dict[str, Any] = json.loads(result.stdout)
    return decision


def test_ask_json_has_public_follow_ups_and_the_reply_ends_with_their_links(project: Path) -> None:
    decision = ask(project, PASSWORD, "linked.toml")
    assert decision["action"] == "answer", decision["reasons"]
    follow_ups = [FollowUp(**f) for f in decision["follow_ups"]]
    assert 1 <= len(follow_ups) <= 2
    settings = load_settings(project / "linked.toml")
    public = {a.id for a in load_kb(settings).articles if a.is_public}
    assert {f.article_id for f in follow_ups} <= public
    cited = {(c["article_id"], c["anchor"]) for c in decision["citations"]}
    assert not cited & {(f.article_id, f.anchor) for f in follow_ups}
    assert {f.source for f in follow_ups} <= {"memory", "section", "related"}

    lines = decision["reply"].rstrip().splitlines()
    bullets = [f"- {follow_up_link(HELP_SITE)(f)}" for f in follow_ups]
    assert lines[-len(bullets):] == bullets
    assert lines[-len(bullets) - 1].strip(), "the block's heading line"
    assert all("https://help.tasklane.example/" in bullet for bullet in bullets)


@pytest.fixture(scope="module")
def plain(project: Path) -> dict[str, Any]:
    """The demo's own config: no `article_url`, so follow-ups are bare questions."""
    return ask(project, PASSWORD)


def test_the_same_ticket_gets_the_same_follow_ups(project: Path, plain: dict[str, Any]) -> None:
    assert ask(project, PASSWORD)["follow_ups"] == plain["follow_ups"] != []
    assert plain["reply"].rstrip().endswith(plain["follow_ups"][-1]["question"])


def test_max_follow_ups_zero_ends_the_reply_with_the_answer(project: Path, plain: dict[str, Any]) -> None:
    decision = ask(project, PASSWORD, "none.toml")
    assert decision["follow_ups"] == []
    assert plain["follow_ups"][0]["question"] not in decision["reply"]
