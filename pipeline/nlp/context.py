"""A statement's embedding read in the context of its whole answer.

Ingest and coding split an answer into statements, and many statements only mean something beside
the rest of their answer: "That's the bit they've got right." or "Nothing about that in there." say
nothing of their subject on their own. A careful reader reads them in their answer. So the topics
stage (and the plan check, through the themes) can give each statement the embedding
``unit(unit(statement) + weight * unit(answer))``, where the answer is its statements joined in
order. Only short statements are read this way (``max_words``); a statement alone in its answer
keeps its own embedding; ``weight = 0`` changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

__all__ = ["answer_texts", "in_context"]


def answer_texts(statements: pd.DataFrame) -> pd.Series:
    """The whole answer of each statement: its response's statements joined in their order.

    Args:
        statements: ``statement_id, response_id, text`` (``char_start`` orders them when present).

    Returns:
        One text per row of ``statements``, same index.
    """
    order = ["response_id", "char_start"] if "char_start" in statements.columns else ["response_id"]
    ordered = statements.sort_values(order, kind="stable")
    joined = ordered.groupby("response_id", sort=False)["text"].agg(lambda t: " ".join(str(x).strip() for x in t))
    return statements["response_id"].map(joined).fillna(statements["text"]).astype(str)


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1.0, norms)


def in_context(statements: pd.DataFrame, embeddings: np.ndarray, encode: Callable[[Sequence[str]], np.ndarray],
               weight: float, max_words: int | None = None) -> np.ndarray:
    """Each short statement's embedding blended with its answer's: ``unit(unit(s) + weight * unit(answer))``.

    Args:
        statements: ``response_id, text`` (and ``char_start``), one row per embedding.
        embeddings: The statements' embeddings, in row order.
        encode: Embeds a list of texts (e.g. a cached :class:`~pipeline.nlp.embed.Embedder`'s ``encode``);
            only answers of two or more statements are embedded.
        weight: How much the answer counts beside the statement (0 = statement alone).
        max_words: Only statements of at most this many words are blended (``None`` = all): a full
            sentence carries its own subject, and an answer that makes several points would pull it
            towards the others (on the bundled sample, whose answers join sentences on different
            subjects, blending every statement merged its 25 themes into 11).

    Returns:
        A new ``(n, d)`` float32 array (statements alone in their answer keep their embedding as
        given); the inputs are not changed.
    """
    out = np.array(embeddings, dtype=np.float32, copy=True)
    if weight <= 0 or "response_id" not in statements.columns or not len(statements):
        return out
    sizes = statements["response_id"].map(statements["response_id"].value_counts()).to_numpy()
    short = np.ones(len(statements), dtype=bool)
    if max_words is not None:
        short = statements["text"].astype(str).str.split().str.len().fillna(0).to_numpy() <= max_words
    several = np.flatnonzero((sizes > 1) & short)
    if not len(several):
        return out
    answers = answer_texts(statements).to_numpy()
    unique, inverse = np.unique(answers[several], return_inverse=True)
    answer_vecs = _unit(np.asarray(encode(list(unique)), dtype=np.float64))
    own = _unit(out[several].astype(np.float64))
    out[several] = _unit(own + weight * answer_vecs[inverse]).astype(np.float32)
    return out
