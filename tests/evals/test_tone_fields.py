"""Tone profile and language on a ticket's result (issue 17): filled from the agent's
decision, kept in runs and checkpoints, and absent (empty) in runs saved before them."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import cast

from kbops.agent.agent import Agent
from kbops.agent.decision import Action
from kbops.agent.fit import LanguageGuess, ToneProfile
from kbops.evals.replay import Checkpoint, replay_ticket
from kbops.evals.runs import Verdict, result_from_dict, run_from_dict
from kbops.index.embed import Embedder
from tests.evals.test_coverage import ScriptedAgent
from tests.factories import decision, eval_run, ticket, ticket_result


def test_replay_records_the_decisions_tone_and_language(embedder: Embedder) -> None:
    made = replace(decision(Action.ANSWER, reply="Choose Export > CSV.", cited=("export-project-csv",)),
                   tone=ToneProfile("frustrated", ("anger score 0.72",)), language=LanguageGuess("de", 0.98))
    agent = cast(Agent, ScriptedAgent(made))
    result = replay_ticket(agent, embedder, ticket(gold=("export-project-csv",)), threshold=0.5)
    assert (result.tone_profile, result.language) == ("frustrated", "de")
    undecided = replay_ticket(cast(Agent, ScriptedAgent(decision(Action.ESCALATE, "low_confidence"))), embedder,
                              ticket(), threshold=0.5)
    assert (undecided.tone_profile, undecided.language) == ("", "")


def test_a_run_saved_before_tone_profiles_still_loads() -> None:
    run = eval_run([replace(ticket_result("T-1", Verdict.DEFLECTED), tone_profile="power_user", language="fr"),
                    ticket_result("T-2", Verdict.GAP)])
    raw = json.loads(run.to_json())
    assert run_from_dict(raw) == run
    for result in raw["results"]:
        del result["tone_profile"], result["language"]
    old = run_from_dict(raw)
    assert [(r.tone_profile, r.language) for r in old.results] == [("", ""), ("", "")]


def test_a_checkpoint_keeps_the_profile_and_reads_old_lines(tmp_path: Path) -> None:
    path = tmp_path / "run.checkpoint.jsonl"
    checkpoint = Checkpoint(path, {"kb": "x"})
    checkpoint.start(keep=False)
    checkpoint.append(replace(ticket_result("T-1", Verdict.DEFLECTED), tone_profile="new_user", language="es"))
    old_line = {k: v for k, v in asdict(ticket_result("T-2", Verdict.GAP)).items() if k not in ("tone_profile", "language")}
    with path.open("a") as handle:  # a line written by a kbops before tone profiles
        handle.write(json.dumps(old_line, default=str) + "\n")
    resumed = Checkpoint(path, {"kb": "x"}).load()
    assert (resumed["T-1"].tone_profile, resumed["T-1"].language) == ("new_user", "es")
    assert (resumed["T-2"].tone_profile, resumed["T-2"].language) == ("", "")
    assert result_from_dict(json.loads(json.dumps(old_line, default=str))) == resumed["T-2"]
