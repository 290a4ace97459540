"""Shared fixtures: small KBs written into tmp dirs, and the real `kbops` entry point."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
KBOPS = Path(sys.executable).parent / "kbops"

FIELDS = (
    "id", "title", "summary", "category", "product_area", "tags", "audience", "status",
    "owner", "reviewed", "review_every_days", "sensitive", "related",
)
"""Order of the front-matter lines `article_text` writes: field N is on file line N + 2."""


def article_text(article_id: str, body: str = "Intro.\n\n## Steps\n\n1. Do it.\n", **fields: object) -> str:
    values: dict[str, object] = {
        "id": article_id,
        "title": f"Guide {hashlib.sha1(article_id.encode()).hexdigest()[:16]}",
        "summary": "What it helps with.",
        "category": "technical",
        "product_area": "tasks",
        "tags": "[demo]",
        "audience": "public",
        "status": "published",
        "owner": "sam",
        "reviewed": "2026-10-01",
        "review_every_days": 180,
        "sensitive": "false",
        "related": "[]",
    }
    values.update(fields)
    lines = ["---"]
    for key, value in values.items():
        if value is not None:
            lines.append(f"{key}: {value}")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


def line_of(field: str) -> int:
    return FIELDS.index(field) + 2


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """An empty KB folder inside a project folder with a kbops.toml."""
    (tmp_path / "kbops.toml").write_text('[kb]\npath = "kb"\n')
    folder = tmp_path / "kb"
    folder.mkdir()
    return folder


def write(kb: Path, article_id: str, **kwargs: object) -> Path:
    path = kb / f"{article_id}.md"
    path.write_text(article_text(article_id, **kwargs))  # type: ignore[arg-type]
    return path


def run_kbops(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `kbops` script, as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([str(KBOPS), *args], cwd=cwd, capture_output=True, text=True, env=full_env, timeout=300)


def project_copy(tmp_path: Path) -> Path:
    """The demo project (KB, tickets, kbops.toml) copied into `tmp_path/project`."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "kb", project / "kb")
    (project / "evals").mkdir()
    shutil.copy(REPO / "evals" / "tickets.jsonl", project / "evals" / "tickets.jsonl")
    shutil.copy(REPO / "kbops.toml", project / "kbops.toml")
    (project / ".gitignore").write_text(".kbops/\nreports/\n")
    return project
