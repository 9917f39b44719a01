"""A statement's embedding read in the context of its whole answer.

Ingest and coding split an answer into statements, and many statements only mean something beside
the rest of their answer: "That's the bit they've got right." or "Nothing about that in there." say
nothing of their subject on their own. A careful reader reads them in their answer. So the topics
stage (and the plan check, through the themes) can give each statement the embedding
``unit(unit(statement) + weight * unit(answer))``, where the answer is its statements joined in
order. Only short statements are read this way (``max_words``); a statement alone in its answer
keeps its own embedding; ``weight = 0`` changes nothing.

A statement that opens by pointing back ("That's not in the plan.", "It happened again last week.",
"So they stopped going.") is about what the sentence before it said, whatever its length. It is also
read beside that sentence, its antecedent: ``+ back_weight * unit(antecedent)``. The opening words
that point back are ``context.back_reference_openers`` in ``config/settings.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

__all__ = ["answer_texts", "antecedents", "in_context"]

_FIRST_WORD = re.compile(r"^[\W_]*([^\W_]+(?:['\u2019][^\W_]+)?)")


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


def _first_word(text: str) -> str:
    found = _FIRST_WORD.match(text)
    return found.group(1).lower().replace("\u2019", "'") if found else ""


def antecedents(statements: pd.DataFrame, openers: Sequence[str] | None = None) -> np.ndarray:
    """For each statement that opens by pointing back, the row of the statement before it in its answer.

    Args:
        statements: ``response_id, text`` (``char_start`` orders an answer's statements when present).
        openers: Opening words that point back ("that's", "it", "so"); default
            ``context.back_reference_openers`` of ``config/settings.yaml``. Compared in lower case,
            with typographic apostrophes read as plain ones.

    Returns:
        An int array, one entry per row: the positional row of the antecedent, or -1 (the statement
        does not point back, or opens its answer). In a chain of statements that each point back,
        the antecedent of every one is the statement that opened the chain.
    """
    if openers is None:
        from pipeline.settings import lookup

        openers = lookup(None, "context.back_reference_openers", "settings.yaml")
    wanted = {str(o).lower().replace("\u2019", "'") for o in openers}
    out = np.full(len(statements), -1, dtype=np.int64)
    if not wanted or not len(statements) or "response_id" not in statements.columns:
        return out
    order = ["response_id", "char_start"] if "char_start" in statements.columns else ["response_id"]
    frame = pd.DataFrame({"response_id": statements["response_id"].to_numpy(),
                          "text": statements["text"].fillna("").astype(str).to_numpy(),
                          "pos": np.arange(len(statements))})
    if "char_start" in statements.columns:
        frame["char_start"] = statements["char_start"].to_numpy()
    frame = frame.sort_values(order, kind="stable")
    previous = frame.groupby("response_id", sort=False)["pos"].shift(1)
    points_back = frame["text"].map(_first_word).isin(wanted)
    chosen = points_back & previous.notna()
    out[frame.loc[chosen, "pos"].to_numpy()] = previous[chosen].astype(np.int64).to_numpy()
    # "A. So B. That's C.": C is about A as much as B, so every link of a chain points at its head
    for _ in range(len(out)):
        step = np.where(out >= 0, out[np.maximum(out, 0)], -1)
        if not (step >= 0).any():
            break
        out = np.where(step >= 0, step, out)
    return out


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1.0, norms)


def _beside_antecedents(statements: pd.DataFrame, vectors: np.ndarray, back_weight: float,
                        openers: Sequence[str] | None) -> np.ndarray:
    """``vectors`` with each statement that points back blended with its antecedent's vector as given."""
    out = vectors.copy()
    ante = antecedents(statements, openers)
    back = np.flatnonzero(ante >= 0)
    if len(back):
        out[back] = _unit(_unit(vectors[back].astype(np.float64))
                          + back_weight * _unit(vectors[ante[back]].astype(np.float64))).astype(np.float32)
    return out


def in_context(statements: pd.DataFrame, embeddings: np.ndarray, encode: Callable[[Sequence[str]], np.ndarray],
               weight: float, max_words: int | None = None, back_weight: float = 0.0,
               openers: Sequence[str] | None = None, long_weight: float = 0.0) -> np.ndarray:
    """Each short statement's embedding blended with its answer's: ``unit(unit(s) + weight * unit(answer))``.

    A statement that points back (:func:`antecedents`) also gets ``+ back_weight * unit(antecedent)``,
    the antecedent's own embedding as given.

    Args:
        statements: ``response_id, text`` (and ``char_start``), one row per embedding.
        embeddings: The statements' embeddings, in row order.
        encode: Embeds a list of texts (e.g. a cached :class:`~pipeline.nlp.embed.Embedder`'s ``encode``);
            only answers of two or more statements are embedded.
        weight: How much the answer counts beside a statement of at most ``max_words`` words (0 =
            statement alone).
        max_words: Statements of at most this many words are blended with ``weight`` (``None`` = all),
            longer ones with ``long_weight``: a full sentence carries its own subject, and an answer
            that makes several points would pull it towards the others (on the bundled sample, whose
            answers join sentences on different subjects, blending every statement at 1.0 merged its
            25 themes into 11).
        long_weight: How much the answer counts beside a longer statement (0 = not at all).
        back_weight: How much the antecedent of a statement that points back counts (0 = not at all).
        openers: The opening words that point back (default: see :func:`antecedents`).

    Returns:
        A new ``(n, d)`` float32 array (statements alone in their answer keep their embedding as
        given); the inputs are not changed.
    """
    out = np.array(embeddings, dtype=np.float32, copy=True)
    if "response_id" not in statements.columns or not len(statements):
        return out
    if back_weight > 0:
        out = _beside_antecedents(statements, out, back_weight, openers)
    sizes = statements["response_id"].map(statements["response_id"].value_counts()).to_numpy()
    short = np.ones(len(statements), dtype=bool)
    if max_words is not None:
        short = statements["text"].astype(str).str.split().str.len().fillna(0).to_numpy() <= max_words
    weights = np.where(short, float(weight), float(long_weight))
    several = np.flatnonzero((sizes > 1) & (weights > 0))
    if not len(several):
        return out
    answers = answer_texts(statements).to_numpy()
    unique, inverse = np.unique(answers[several], return_inverse=True)
    answer_vecs = _unit(np.asarray(encode(list(unique)), dtype=np.float64))
    own = _unit(out[several].astype(np.float64))
    out[several] = _unit(own + weights[several, None] * answer_vecs[inverse]).astype(np.float32)
    return out
