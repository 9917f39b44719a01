"""Infer which consultation question a statement answers, where ingest could not tell (``unknown``).

:class:`QuestionInferer` scores each question by the statement's embedding similarity to the
question's description and examples (from the codebook's ``questions`` section) plus its cue words
(English and Welsh, e.g. "listened", "gwrando", "solutions", "dylai"), and returns the best question
with a confidence (a softmax over the scores). When statements whose question is known are given to
``fit`` (answers ingest placed, or a gold file's ``question`` column), a logistic regression on
embeddings, char n-grams and the cue counts is trained on them instead and its probability is the
confidence.

Used by ``python -m pipeline code`` only for statements whose question is ``unknown``; those get
``question_source = inferred``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.coding.codebook import Codebook
from pipeline.coding.features import TextFeatures, get_embedder
from pipeline.settings import load_vocabularies

#: The questions a statement may be placed on (config/questions.yaml, then "other").
QUESTIONS = tuple(load_vocabularies().answerable_questions)


def _cue_counts(texts: Sequence[str], cues: dict[str, list[str]], ids: list[str]) -> np.ndarray:
    from pipeline.coding.lexicon import Lexicon

    lex = Lexicon({q: cues.get(q, {}) for q in ids})
    out = np.zeros((len(texts), len(ids)))
    for i, m in enumerate(lex.match(texts)):
        for j, q in enumerate(ids):
            out[i, j] = len(m.get(q, []))
    return out


class QuestionInferer:
    """Predict the question (listened/interpreted/solutions/other) a statement answers.

    Args:
        codebook: Codebook whose ``questions`` give descriptions, cue words and examples.
        embedder: Embedding object (see :class:`pipeline.nlp.embed.Embedder`); ``None`` = in-memory one.
        cue_weight: Weight of one cue word relative to cosine similarity, in the unsupervised score.
        temperature: Softmax temperature turning the unsupervised scores into a confidence.
        min_labelled: Labelled statements needed (with at least two questions) to train a classifier.
        C: Regularisation of the classifier.
        random_state: Seed of the classifier's solver.
    """

    def __init__(self, codebook: Codebook, embedder=None, cue_weight: float = 0.08, temperature: float = 0.05,
                 min_labelled: int = 20, C: float = 2.0, random_state: int = 42) -> None:
        self.codebook = codebook
        self.embedder = embedder
        self.cue_weight = cue_weight
        self.temperature = temperature
        self.min_labelled = min_labelled
        self.C = C
        self.random_state = random_state

    def fit(self, texts: Sequence[str] | None = None, questions: Sequence[str] | None = None) -> QuestionInferer:
        """Prepare the question prototypes; train a classifier when enough labelled statements are given.

        Args:
            texts: Statements whose question is known (optional).
            questions: Their questions (``unknown`` entries are ignored).
        """
        self.embedder_ = get_embedder(self.embedder)
        qs = list(self.codebook.questions)
        self.ids_ = [q.id for q in qs] or list(QUESTIONS)
        self.cues_ = {q.id: q.cues for q in qs}
        proto_text, proto_q = [], []
        for j, q in enumerate(qs):
            for t in [q.description] + [e for exs in q.examples.values() for e in exs]:
                if t:
                    proto_text.append(t)
                    proto_q.append(j)
        self.proto_q_ = np.array(proto_q, dtype=int)
        self.proto_vectors_ = self.embedder_.encode(proto_text) if proto_text else np.zeros((0, 384))
        self.model_ = None
        texts = [str(t) for t in (texts or [])]
        pairs = [(t, q) for t, q in zip(texts, questions or [], strict=False) if q in self.ids_]
        if len(pairs) >= self.min_labelled and len({q for _, q in pairs}) >= 2:
            from sklearn.linear_model import LogisticRegression

            tx = [t for t, _ in pairs] + proto_text
            ty = [q for _, q in pairs] + [self.ids_[j] for j in proto_q]
            self.features_ = TextFeatures(None).fit(tx)
            X = self._X(tx)
            self.model_ = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000,
                                             random_state=self.random_state).fit(X, ty)
        return self

    def _X(self, texts):
        emb = self.embedder_.encode(texts)
        return self.features_.transform(texts, embeddings=emb, dense=np.log1p(_cue_counts(texts, self.cues_, self.ids_)))

    def predict(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The most likely question of each text and its confidence (0-1)."""
        texts = [str(t) for t in texts]
        if not texts:
            return [], np.zeros(0)
        if self.model_ is not None:
            proba = self.model_.predict_proba(self._X(texts))
            best = proba.argmax(axis=1)
            return [str(self.model_.classes_[b]) for b in best], proba.max(axis=1)
        emb = self.embedder_.encode(texts)
        sims = emb @ self.proto_vectors_.T if len(self.proto_q_) else np.zeros((len(texts), 0))
        score = np.full((len(texts), len(self.ids_)), -1.0)
        for j in range(len(self.ids_)):
            cols = self.proto_q_ == j
            if cols.any():
                score[:, j] = sims[:, cols].max(axis=1)
        score = score + self.cue_weight * _cue_counts(texts, self.cues_, self.ids_)
        z = (score - score.max(axis=1, keepdims=True)) / self.temperature
        proba = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        best = proba.argmax(axis=1)
        return [self.ids_[b] for b in best], proba.max(axis=1)
