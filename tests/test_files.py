"""Atomic writes (`files.py`): a report replaced whole, readable like any file, no temp left."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kbops.files import write_atomic


def test_written_reports_are_readable_like_any_file(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        target = tmp_path / "reports" / "eval.html"
        write_atomic(target, "<html></html>")
        write_atomic(target, "<html>again</html>")
    finally:
        os.umask(previous)
    assert target.read_text() == "<html>again</html>"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["eval.html"]  # no temp files left
