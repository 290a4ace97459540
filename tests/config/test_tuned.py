"""kbops.tuned.toml: tuned values fill in defaults, kbops.toml wins, bad files name the key."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from kbops.agent.confidence import FEATURES, MEMORY_TRUST, configured_model, shipped_model
from kbops.config import TUNED_FILE, load_settings, render_tuned, without_tuned
from kbops.errors import ConfigError
from tests.conftest import run_kbops

TUNED = {
    "retrieval": {"lexical_weight": 0.25, "dense_weight": 0.75, "memory_weight": 0.4},
    "policy": {"confidence_threshold": 0.62, "no_coverage_threshold": 0.18},
    "calibration": {"intercept": -1.5, "weights": {"top_score": 1.0, "memory": 2.0}},
}


def write(project: Path, config: str = "", tuned: str | None = None) -> None:
    (project / "kbops.toml").write_text(config)
    (project / TUNED_FILE).write_text(tuned if tuned is not None else render_tuned(TUNED, {"tickets": 80}, "test"))


def test_tuned_values_replace_the_defaults_and_say_where_they_came_from(tmp_path: Path) -> None:
    write(tmp_path)
    settings = load_settings(start=tmp_path)
    assert settings.retrieval.memory_weight == 0.4
    assert settings.policy.confidence_threshold == 0.62
    assert settings.tuned is not None
    assert settings.tuned.path.endswith(TUNED_FILE)
    assert settings.tuned.provenance == {"tickets": 80}
    assert "policy.confidence_threshold" in settings.tuned.keys
    model = configured_model(settings.calibration)
    assert model != shipped_model()
    nothing = dict.fromkeys((*FEATURES, "memory"), 0.0)
    assert model.predict(nothing) == pytest.approx(1 / (1 + math.exp(1.5)))
    # ticket memory is independent evidence: a sure paraphrase lifts any confidence
    assert model.predict({**nothing, "memory": 1.0}) == pytest.approx(1 - (1 - 1 / (1 + math.exp(1.5))) * (1 - MEMORY_TRUST))


def test_a_key_the_team_set_in_kbops_toml_wins_over_the_tuned_value(tmp_path: Path) -> None:
    write(tmp_path, "[policy]\nconfidence_threshold = 0.7\n")
    settings = load_settings(start=tmp_path)
    assert settings.policy.confidence_threshold == 0.7
    assert settings.policy.no_coverage_threshold == 0.18
    assert settings.tuned is not None and settings.tuned.overridden == ("policy.confidence_threshold",)


def test_without_the_tuned_file_every_tuned_key_is_back_to_its_default(tmp_path: Path) -> None:
    write(tmp_path, "[policy]\nconfidence_threshold = 0.7\n")
    settings = without_tuned(load_settings(start=tmp_path))
    assert settings.tuned is None
    assert settings.policy.confidence_threshold == 0.7  # the team's own value stays
    assert settings.retrieval.memory_weight == 0.3
    assert settings.calibration.intercept is None
    assert configured_model(settings.calibration) == shipped_model()


def test_the_written_file_reads_back_as_the_same_values(tmp_path: Path) -> None:
    text = render_tuned(TUNED, {"tickets": 80, "source": 'evals/"odd".jsonl'}, "line one\nline two")
    parsed = tomllib.loads(text)
    assert parsed.pop("tuned") == {"tickets": 80, "source": 'evals/"odd".jsonl'}
    assert parsed == TUNED
    assert text.startswith("# line one\n# line two\n")


@pytest.mark.parametrize(
    ("tuned", "message"),
    [
        ("[policy]\nvip_tiers = []\n", "policy.vip_tiers: not a tunable key"),
        ("[agent]\nbackend = 'claude'\n", "[agent]: not a tunable section"),
        ("[policy\n", "not valid TOML"),
        ("[policy]\nconfidence_threshold = 7\n", "policy.confidence_threshold"),
    ],
)
def test_a_bad_tuned_file_is_a_config_error_naming_it(tmp_path: Path, tuned: str, message: str) -> None:
    write(tmp_path, tuned=tuned)
    with pytest.raises(ConfigError) as err:
        load_settings(start=tmp_path)
    assert message in str(err.value)
    assert TUNED_FILE in str(err.value)


def test_the_cli_exits_2_on_a_bad_tuned_file(tmp_path: Path) -> None:
    write(tmp_path, tuned="[policy]\nrisk_keywords = {}\n")
    result = run_kbops("kb", "list", cwd=tmp_path)
    assert result.returncode == 2
    assert "policy.risk_keywords: not a tunable key" in result.stderr
    assert "Traceback" not in result.stderr


def test_tuned_is_not_a_key_a_config_may_set(tmp_path: Path) -> None:
    (tmp_path / "kbops.toml").write_text('tuned = "x"\n')
    with pytest.raises(ConfigError, match="unknown key 'tuned'"):
        load_settings(start=tmp_path)
