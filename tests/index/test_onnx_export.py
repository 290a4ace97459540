"""Publishing a built model folder: safe when two processes build it at once."""

from __future__ import annotations

from pathlib import Path

from kbops.index.onnx_export import MODEL_FILES, publish_dir


def _fake_model(folder: Path, marker: str) -> Path:
    folder.mkdir(parents=True)
    for name in MODEL_FILES:
        (folder / name).write_text(marker)
    return folder


def test_publish_keeps_a_model_that_appeared_meanwhile(tmp_path: Path) -> None:
    target = _fake_model(tmp_path / "onnx", "first")
    loser = _fake_model(tmp_path / ".onnx.build-2", "second")
    assert publish_dir(loser, target) == target
    assert (target / "model.onnx").read_text() == "first"
    assert not loser.exists()


def test_publish_replaces_a_half_written_folder(tmp_path: Path) -> None:
    target = tmp_path / "onnx"
    target.mkdir()
    (target / "model.onnx").write_text("partial")
    publish_dir(_fake_model(tmp_path / ".onnx.build-1", "complete"), target)
    assert (target / "vocab.txt").read_text() == "complete"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["onnx"]
