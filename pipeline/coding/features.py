"""Shared helpers for the coding models: embedding access and the text feature matrix.

The classifiers of the coding stage (codes, questions, stance) all see a statement the same way:
its sentence embedding (all-MiniLM-L6-v2, English-only, via :class:`pipeline.nlp.embed.Embedder`,
so each distinct text is embedded once) beside character n-gram tf-idf, which carries Welsh and
spelling variants the English embedding model cannot, plus any dense features the caller adds
(lexicon hits, similarities). Blocks are weighted so that no block swamps the others.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def get_embedder(embedder=None):
    """The embedder to use: the one given, else an in-memory :class:`~pipeline.nlp.embed.Embedder`."""
    if embedder is not None:
        return embedder
    from pipeline.nlp.embed import Embedder

    return Embedder(cache_dir=None, show_progress=False)


class TextFeatures:
    """Fit-transform texts into ``[w_emb * embedding | w_char * char tf-idf | w_word * word tf-idf | w_dense * dense]``.

    Args:
        embedder: Object with ``encode(list[str]) -> ndarray``; ``None`` leaves out embeddings.
        w_emb: Weight of the (L2-normalised) embedding block.
        w_char: Weight of the (L2-normalised) char n-gram tf-idf block; 0 leaves it out.
        w_dense: Weight of the caller's dense block.
        ngram_range: Character n-gram sizes (within word boundaries).
        min_df: Minimum document frequency of an n-gram.
        w_word: Weight of a word 1-2-gram tf-idf block (0 = none); words catch phrases that
            character n-grams split.
    """

    def __init__(self, embedder=None, w_emb: float = 1.0, w_char: float = 1.0, w_dense: float = 1.0,
                 ngram_range: tuple[int, int] = (2, 5), min_df: int = 1, w_word: float = 0.0) -> None:
        self.embedder = embedder
        self.w_emb = w_emb
        self.w_char = w_char
        self.w_dense = w_dense
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.w_word = w_word

    def fit(self, texts: list[str]) -> TextFeatures:
        """Learn the n-gram vocabulary of ``texts``."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = None
        if self.w_char > 0:
            self.vectorizer_ = TfidfVectorizer(
                analyzer="char_wb", ngram_range=self.ngram_range, min_df=self.min_df, sublinear_tf=True, lowercase=True
            ).fit(texts)
        self.word_vectorizer_ = None
        if self.w_word > 0:
            self.word_vectorizer_ = TfidfVectorizer(
                analyzer="word", ngram_range=(1, 2), min_df=self.min_df, sublinear_tf=True, lowercase=True
            ).fit(texts)
        return self

    def transform(self, texts: list[str], embeddings: np.ndarray | None = None, dense: np.ndarray | None = None):
        """The feature matrix (sparse CSR) of ``texts``.

        Args:
            texts: The statements.
            embeddings: Their embeddings if already computed (else computed with the embedder).
            dense: Extra dense features, one row per text.
        """
        blocks = []
        if self.embedder is not None or embeddings is not None:
            if embeddings is None:
                embeddings = self.embedder.encode(list(texts))
            blocks.append(sp.csr_matrix(np.asarray(embeddings, dtype=np.float64) * self.w_emb))
        if self.vectorizer_ is not None:
            blocks.append(self.vectorizer_.transform(texts) * self.w_char)
        if getattr(self, "word_vectorizer_", None) is not None:
            blocks.append(self.word_vectorizer_.transform(texts) * self.w_word)
        if dense is not None and dense.shape[1]:
            blocks.append(sp.csr_matrix(np.asarray(dense, dtype=np.float64) * self.w_dense))
        if not blocks:
            return sp.csr_matrix((len(texts), 0))
        return sp.hstack(blocks, format="csr")


def best_f1_threshold(y_true: np.ndarray, scores: np.ndarray, default: float = 0.5,
                      bounds: tuple[float, float] = (0.05, 0.95), min_positives: int = 2) -> float:
    """The score threshold that maximises F1 of ``scores >= threshold`` against ``y_true``.

    The threshold is placed halfway between the best cut's score and the next lower score, so it
    is not fitted to the last decimal of one example. With fewer than ``min_positives`` positives
    there is nothing to calibrate on and ``default`` is returned.
    """
    y_true = np.asarray(y_true).astype(bool)
    scores = np.asarray(scores, dtype=float)
    if y_true.sum() < min_positives:
        return default
    order = np.argsort(-scores, kind="mergesort")
    s, y = scores[order], y_true[order]
    tp = np.cumsum(y)
    fp = np.cumsum(~y)
    fn = y.sum() - tp
    f1 = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
    # Only cut between distinct scores (a cut inside a tie is not a threshold).
    distinct = np.r_[s[:-1] > s[1:], True]
    f1 = np.where(distinct, f1, -1)
    best = int(np.argmax(f1))
    lower = s[best + 1] if best + 1 < len(s) else s[best] - 0.05
    thr = (s[best] + lower) / 2
    return float(np.clip(thr, *bounds))
