"""Atomic writes (`files.py`): a report replaced whole, readable like any file, no temp left;
and state that heals: bad state files set aside as `.corrupt`, never overwritten."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kbops.errors import StateError, one_line
from kbops.files import ensure_folder, heal, set_aside, write_atomic


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


# --- state that heals: a bad file under .kbops/ is set aside, never overwritten ----------------


def test_set_aside_never_overwrites_an_earlier_corrupt_copy(tmp_path: Path) -> None:
    bad = tmp_path / "manifest.json"
    for text in ("first", "second", "third"):
        bad.write_text(text)
        set_aside(bad)
    kept = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert kept == {"manifest.json.corrupt": "first", "manifest.json.2.corrupt": "second",
                    "manifest.json.3.corrupt": "third"}


def test_heal_says_what_and_where_on_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / ".kbops" / "runs" / "r.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{")
    messages: list[str] = []
    heal(bad, "not a readable eval run (line\n2 " + "x" * 5000 + ")", "skipped it", messages.append)
    assert not bad.exists() and (bad.parent / "r.json.corrupt").read_text() == "{"
    (message,) = messages
    assert message.startswith(".kbops/runs/r.json: not a readable eval run (line 2 xxx")
    assert message.endswith("moved it to r.json.corrupt, skipped it")
    assert "\n" not in message and len(message) < 400


def test_ensure_folder_sets_aside_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / ".kbops").write_text("not a folder")
    messages: list[str] = []
    folder = ensure_folder(tmp_path / ".kbops" / "index", tmp_path, messages.append)
    assert folder.is_dir() and (tmp_path / ".kbops.corrupt").read_text() == "not a folder"
    assert len(messages) == 1 and ".kbops: is a file, not a folder" in messages[0]
    ensure_folder(tmp_path / ".kbops" / "index", tmp_path, messages.append)
    assert len(messages) == 1  # healthy now: nothing to say


def test_ensure_folder_never_moves_what_is_outside_its_project(tmp_path: Path) -> None:
    (tmp_path / "outside").write_text("a user's file")
    with pytest.raises(StateError, match="cannot create the folder"):
        ensure_folder(tmp_path / "outside" / "project" / ".kbops", tmp_path / "outside" / "project", None,
                      "index.path")
    assert (tmp_path / "outside").read_text() == "a user's file"


def test_one_line_cuts_huge_values_cheaply() -> None:
    assert one_line("a\n  b\tc") == "a b c"
    cut = one_line("x" * 10_000_000, 50)
    assert len(cut) == 50 and cut.endswith("…")
