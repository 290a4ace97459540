"""`make check` enforces the house rules: prove it passes on the package and fails on a
planted import cycle, a planted function-level kbops import and a planted 401-line module."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CHECK_STRUCTURE = REPO / "scripts" / "check_structure.py"


def package_copy(tmp_path: Path) -> Path:
    """The kbops package and the project's import-linter config, copied into tmp_path."""
    shutil.copytree(REPO / "tooling" / "kbops", tmp_path / "src" / "kbops",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path / "src" / "kbops"


def lint_imports(package: Path) -> subprocess.CompletedProcess[str]:
    """import-linter on the copy: PYTHONPATH puts it before the installed package."""
    env = {**os.environ, "PYTHONPATH": str(package.parent)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", str(package.parents[1] / "pyproject.toml")],
                          cwd=package.parents[1], capture_output=True, text=True, env=env, timeout=300)


def check_structure(package: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CHECK_STRUCTURE), str(package)], capture_output=True, text=True,
                          timeout=120)


def test_the_package_keeps_every_rule(tmp_path: Path) -> None:
    package = package_copy(tmp_path)
    layers = lint_imports(package)
    assert layers.returncode == 0, layers.stdout + layers.stderr
    assert "2 kept, 0 broken" in layers.stdout
    structure = check_structure(package)
    assert structure.returncode == 0, structure.stdout
    assert "0 problems" in structure.stderr


def test_a_planted_import_cycle_fails(tmp_path: Path) -> None:
    package = package_copy(tmp_path)
    markdown = package / "kb" / "markdown.py"  # kb/model.py imports kb/markdown.py
    markdown.write_text(markdown.read_text() + "\nfrom .model import Article  # noqa: E402\n")
    result = lint_imports(package)
    assert result.returncode == 1
    assert "No import cycles between kbops modules or subpackages BROKEN" in result.stdout
    assert "No cycles are allowed in kbops.kb." in result.stdout and ".model -> .markdown" in result.stdout


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    package = package_copy(tmp_path)
    loader = package / "kb" / "loader.py"
    loader.write_text(loader.read_text() + "\nfrom ..evals.runs import Verdict  # noqa: E402\n")
    result = lint_imports(package)
    assert result.returncode == 1
    assert "Pipeline stages import only the stages below them BROKEN" in result.stdout
    assert "kbops.kb.loader -> kbops.evals.runs" in result.stdout


@pytest.mark.parametrize("import_line", ["from .model import Article", "import kbops.kb.model"])
def test_a_planted_function_level_kbops_import_fails(tmp_path: Path, import_line: str) -> None:
    package = package_copy(tmp_path)
    lint = package / "kb" / "lint.py"
    lint.write_text(lint.read_text() + f"\n\ndef planted() -> None:\n    {import_line}  # lazy, on purpose\n")
    result = check_structure(package)
    assert result.returncode == 1
    line = len(lint.read_text().splitlines())
    assert f"kb/lint.py:{line}: lazy-kbops-import:" in result.stdout


def test_the_cli_may_import_its_library_lazily(tmp_path: Path) -> None:
    package = package_copy(tmp_path)
    app = package / "cli" / "app.py"
    app.write_text(app.read_text() + "\n\ndef planted() -> None:\n    from ..kb.model import Article  # noqa: F401\n")
    assert check_structure(package).returncode == 0


def test_a_lazy_third_party_import_must_say_why(tmp_path: Path) -> None:
    package = package_copy(tmp_path)
    loader = package / "kb" / "loader.py"
    loader.write_text(loader.read_text() + "\n\ndef planted() -> None:\n    import chromadb\n")
    result = check_structure(package)
    assert result.returncode == 1 and "lazy-import-without-reason" in result.stdout
    loader.write_text(loader.read_text().replace("    import chromadb\n", "    import chromadb  # lazy: slow\n"))
    assert check_structure(package).returncode == 0


def test_a_planted_401_line_module_fails(tmp_path: Path) -> None:
    package = package_copy(tmp_path)
    (package / "kb" / "planted.py").write_text('"""Planted."""\n' + "x = 1\n" * 399 + "y = 2\n")
    result = check_structure(package)
    assert result.returncode == 1
    assert "kb/planted.py:401: module-too-long: 401 lines (limit 400)" in result.stdout
    (package / "kb" / "planted.py").write_text('"""Planted."""\n' + "x = 1\n" * 399)
    assert check_structure(package).returncode == 0
