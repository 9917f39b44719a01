"""Multi-label coding of statements against a codebook: lexicon + embedding similarity + classifier.

:class:`CodebookCoder` is a scikit-learn-style estimator (settings in ``__init__``, learned state in
``fit`` as attributes ending ``_``, randomness only through ``random_state``). It combines three
kinds of evidence for each code:

1. **Lexicon** (``source = rule``): the code's terms, English and Welsh, found with spaCy's
   ``PhraseMatcher`` (:mod:`pipeline.coding.lexicon`). The number of distinct terms matched per code
   is a feature, and matched terms are the evidence shown to the analyst.
2. **Similarity**: cosine similarity of the statement's embedding (all-MiniLM-L6-v2) to each code's
   description and to its most similar codebook example.
3. **Neighbours** (``knn=True``): per code, the best embedding and best character n-gram similarity
   to any labelled statement with that code (codebook examples *and* analyst-coded statements), and
   a similarity-weighted vote of the ``knn_k`` nearest labelled statements; the same two signals for
   labelled statements with no code. A training statement is always left out of its own neighbours.
4. **Classifier** (``source = model``): one logistic regression per code (one-vs-rest,
   class-balanced) on ``[embedding | char 2-5-gram tf-idf | word 1-2-gram tf-idf | lexicon hits |
   similarities | neighbours]``. It is
   trained on the codebook's own examples (its ``uncoded_examples`` are negatives for every code)
   and, when there are any, on analyst-coded statements
   (the review sheet or ``evaluate --train``). Character n-grams let Welsh statements be coded by
   the Welsh examples and terms, since the embedding model is English-only.

**How thresholds are calibrated.** Each code gets its own probability threshold, chosen to maximise
that code's F1 on out-of-fold predictions, never guessed:

* with at least ``min_analyst_for_cv`` analyst-coded statements, by ``cv_folds``-fold
  cross-validation over those statements (the codebook examples stay in every training fold, and
  only the analyst-coded statements' held-out predictions are scored);
* otherwise by leave-one-out over the codebook's examples (K-fold when there are more than
  ``loo_max``), scoring every example's prediction from a model that never saw it.

The threshold sits halfway between the best cut and the next lower score and is clipped to
``threshold_bounds``; a code with fewer than two positives keeps 0.5. A statement with no code at or
above its threshold is ``uncoded``, with one exception (``fallback_ratio``): when its best code
(score relative to threshold) reaches ``fallback_ratio`` x the threshold *and* one of that code's
lexicon terms is in the statement, it gets that code. At most ``max_codes`` codes are kept (those
furthest above their thresholds; 0 = no limit).

Each of these choices (neighbour features, word n-grams, fallback 0.4, at most two codes) was made
by 5-fold cross-validation on the analyst-coded training file (``scripts/cv_coder.py``), never on
the gold file.

The lexicon and similarity features of a codebook example exclude that example itself, so they are
no better in training than on unseen text. The tf-idf vocabulary is fitted once on all texts seen at
fit time (it uses no labels).

``method="lexicon"`` and ``method="similarity"`` give the single-signal baselines reported by
``evaluate --baselines`` (lexicon: any term matched; similarity: calibrated per-code thresholds on the
similarity score alone).

Example::

    coder = CodebookCoder(load_codebook(), embedder=Embedder(cache_dir=out)).fit(texts, labels)
    coder.predict(["The police stop my son every week."])   # [['PA6']]
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from pipeline.coding.codebook import UNCODED, Codebook
from pipeline.coding.features import TextFeatures, best_f1_threshold, get_embedder

log = logging.getLogger(__name__)

METHODS = ("combined", "lexicon", "similarity")


def parse_labels(value) -> list[str]:
    """Code ids from a ``;``-separated string (or a list); ``none``/``uncoded``/blank give ``[]``."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    items = value if isinstance(value, (list, tuple, set)) else str(value).replace(",", ";").split(";")
    out = [str(i).strip() for i in items]
    return sorted({i for i in out if i and i.lower() not in {"none", UNCODED, "nan", "<na>"}})


def sentence_pieces(texts: Sequence[str], min_words: int = 4) -> tuple[list[str], list[int]]:
    """The sentences (of at least ``min_words`` words) of each text that has more than one, and the
    position of the text each belongs to."""
    import re

    pieces: list[str] = []
    owner: list[int] = []
    for i, t in enumerate(texts):
        parts = [p for p in re.split(r"(?<=[.!?])\s+", str(t)) if len(p.split()) >= min_words]
        if len(parts) > 1:
            pieces.extend(parts)
            owner.extend([i] * len(parts))
    return pieces, owner


def _truncate(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _joined_inputs(texts, labels, languages, own_texts, own_labels, own_languages):
    """Generic then own coded statements, checked one label entry per text; returns ``(texts, labels,
    languages, n_generic, n_own)`` (languages default to English)."""
    texts = [str(t) for t in (texts or [])]
    labels = list(labels) if labels is not None else []
    if len(labels) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(labels)} label entries: give one entry per text.")
    own_texts = [str(t) for t in (own_texts or [])]
    own_labels = list(own_labels) if own_labels is not None else []
    if len(own_labels) != len(own_texts):
        raise ValueError(f"{len(own_texts)} own texts but {len(own_labels)} label entries: give one entry per text.")
    languages = list(languages) if languages is not None else ["en"] * len(texts)
    own_languages = list(own_languages) if own_languages is not None else ["en"] * len(own_texts)
    return texts + own_texts, labels + own_labels, languages + own_languages, len(texts), len(own_texts)


#: Rows of the kNN features computed at once (memory: a few times KNN_ROWS x pool size x 8 bytes).
KNN_ROWS = 2048


def _fit_code(X, yj: np.ndarray, weight: np.ndarray, C: float, random_state: int, rows: np.ndarray | None = None):
    """One code's classifier on ``rows`` of ``X`` (all rows when ``None``), a module-level function so
    that worker processes receive only its data: a constant when every statement or none has the code,
    else a balanced logistic regression."""
    from sklearn.linear_model import LogisticRegression

    if rows is not None:
        X, yj, weight = X[rows], yj[rows], weight[rows]
    pos = int(yj.sum())
    if pos == 0 or pos == len(yj):
        return float(pos > 0)
    # The dual problem: with far more features (n-grams) than statements it gives the same model as
    # the primal (probabilities within 1e-4, measured) about 25 times faster.
    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", dual=True, max_iter=1000,
                              random_state=random_state).fit(X, yj, sample_weight=weight)


class CodebookCoder:
    """Assign zero or more codes to each statement, with a confidence and evidence.

    Args:
        codebook: The codebook (its codes are the labels).
        embedder: Object with ``encode(texts) -> (n, d) normalised array`` (usually
            :class:`pipeline.nlp.embed.Embedder`); ``None`` makes an in-memory one on first use.
        method: ``combined`` (default), ``lexicon`` or ``similarity`` (baselines).
        C: Inverse regularisation strength of the logistic regressions.
        w_emb, w_char, w_dense: Weights of the embedding, char n-gram and lexicon/similarity blocks.
        use_examples: Train on the codebook's examples as well as on analyst-coded statements.
        analyst_weight: Sample weight of an analyst-coded statement relative to a codebook example.
        cv_folds: Folds for calibrating on analyst-coded statements.
        min_analyst_for_cv: Analyst-coded statements needed to calibrate on them (else on the examples).
        loo_max: Up to this many codebook examples, calibration is leave-one-out; above, K-fold.
        threshold_bounds: Thresholds are clipped to this range.
        evidence_chars: Length an example quoted as evidence is cut to.
        knn: Add the neighbour features (similarity to individual labelled statements).
        knn_k: Neighbours in the similarity-weighted vote.
        w_word: Weight of the word 1-2-gram tf-idf block (0 leaves it out).
        fallback_ratio: A statement with no code gets its best code when that code's score reaches
            this share of its threshold and one of its lexicon terms matched (0 = never).
        max_codes: Keep at most this many codes per statement (0 = no limit).
        own_weight: Sample weight of a statement coded by this consultation's analyst (``fit``'s
            ``own_texts``) relative to a codebook example.
        min_own_for_cv: Own statements needed before thresholds are calibrated on them alone (before
            that, on all coded statements, own ones included).
        zero_shot_z: Zero-shot coding (a codebook with descriptions and nothing coded): a code is given
            when its similarity stands this many standard deviations above the statement's mean
            similarity to all codes.
        zero_shot_floor: ... and its cosine similarity reaches this (else the statement is uncoded).
        sentence_weight: A statement of several sentences is scored as ``(1 - w) x`` its own score plus
            ``w x`` the best of its sentences' scores (each sentence of at least 4 words scored alone), so a
            point made in one sentence of a long answer is not drowned by the rest; 0 scores the whole
            statement only.
        n_jobs: Processes fitting the per-code classifiers at once (``None`` = 1, ``-1`` = one per core).
            The fits are independent and seeded, so the result does not depend on it.
        random_state: Seed for the cross-validation split and the solvers.
    """

    def __init__(
        self,
        codebook: Codebook,
        embedder=None,
        method: str = "combined",
        C: float = 4.0,
        w_emb: float = 1.0,
        w_char: float = 1.0,
        w_dense: float = 0.5,
        use_examples: bool = True,
        analyst_weight: float = 1.0,
        cv_folds: int = 5,
        min_analyst_for_cv: int = 30,
        loo_max: int = 150,
        threshold_bounds: tuple[float, float] = (0.1, 0.9),
        evidence_chars: int = 80,
        knn: bool = True,
        knn_k: int = 5,
        w_word: float = 0.7,
        fallback_ratio: float = 0.4,
        max_codes: int = 2,
        own_weight: float = 30.0,
        min_own_for_cv: int = 1000,
        zero_shot_z: float = 0.75,
        zero_shot_floor: float = 0.1,
        sentence_weight: float = 0.5,
        n_jobs: int | None = -1,
        random_state: int = 42,
    ) -> None:
        self.codebook = codebook
        self.embedder = embedder
        self.method = method
        self.C = C
        self.w_emb = w_emb
        self.w_char = w_char
        self.w_dense = w_dense
        self.use_examples = use_examples
        self.analyst_weight = analyst_weight
        self.cv_folds = cv_folds
        self.min_analyst_for_cv = min_analyst_for_cv
        self.loo_max = loo_max
        self.threshold_bounds = threshold_bounds
        self.evidence_chars = evidence_chars
        self.knn = knn
        self.knn_k = knn_k
        self.w_word = w_word
        self.fallback_ratio = fallback_ratio
        self.max_codes = max_codes
        self.own_weight = own_weight
        self.min_own_for_cv = min_own_for_cv
        self.zero_shot_z = zero_shot_z
        self.zero_shot_floor = zero_shot_floor
        self.sentence_weight = sentence_weight
        self.n_jobs = n_jobs
        self.random_state = random_state

    # ------------------------------------------------------------------ codebook-derived signals
    @property
    def ids(self) -> list[str]:
        """The code ids, in codebook order (the columns of :meth:`predict_proba`)."""
        return self.codebook.ids

    def _prepare_codebook(self) -> None:
        """Embed the codebook's descriptions and examples (once) and build the lexicons."""
        from pipeline.coding.lexicon import codebook_lexicon, subtheme_lexicon

        self.embedder_ = get_embedder(self.embedder)
        self.lexicon_ = codebook_lexicon(self.codebook)
        self.subtheme_lexicon_ = subtheme_lexicon(self.codebook)
        ex_text, ex_code, ex_lang = [], [], []
        for k, code in enumerate(self.codebook.codes):
            for lang, text in code.all_examples():
                ex_text.append(text)
                ex_code.append(k)
                ex_lang.append(lang)
        for lang, exs in self.codebook.uncoded_examples.items():
            for text in exs:
                ex_text.append(text)
                ex_code.append(-1)
                ex_lang.append(lang)
        self.example_text_ = ex_text
        self.example_code_ = np.array(ex_code, dtype=int)
        self.example_lang_ = ex_lang
        self.has_description_ = np.array([bool(c.description) for c in self.codebook.codes])
        desc = [self.codebook.describe(c.id) for c in self.codebook.codes]
        vecs = self.embedder_.encode(desc + ex_text) if (self.has_description_.any() or ex_text) else None
        k = len(desc)
        self.description_vectors_ = vecs[:k] if vecs is not None else np.zeros((k, 0))
        self.example_vectors_ = vecs[k:] if vecs is not None else np.zeros((0, 0))

    def _similarities(self, emb: np.ndarray, exclude_example: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per code: similarity to its description, and to its most similar example.

        Args:
            emb: Statement embeddings.
            exclude_example: For each statement, the index of a codebook example to ignore (itself), or -1.
        """
        n, k = len(emb), len(self.ids)
        desc = np.zeros((n, k))
        if self.has_description_.any():
            desc = emb @ self.description_vectors_.T
            desc[:, ~self.has_description_] = 0.0
        best = np.zeros((n, k))
        if len(self.example_text_):
            sims = emb @ self.example_vectors_.T
            if exclude_example is not None:
                rows = np.where(exclude_example >= 0)[0]
                sims[rows, exclude_example[rows]] = -1.0
            for j in range(k):
                cols = self.example_code_ == j
                if cols.any():
                    best[:, j] = sims[:, cols].max(axis=1)
        return desc, best

    def _lexicon_hits(self, texts: Sequence[str]):
        """Per statement: terms matched per code, and a (n, k) matrix of distinct-term counts."""
        matches = self.lexicon_.match(texts)
        hits = np.zeros((len(texts), len(self.ids)))
        for i, m in enumerate(matches):
            for j, cid in enumerate(self.ids):
                hits[i, j] = len(m.get(cid, []))
        return matches, hits

    def _dense(self, texts, emb, exclude_example=None, exclude_pool=None):
        matches, hits = self._lexicon_hits(texts)
        desc, best = self._similarities(emb, exclude_example)
        if self.knn and getattr(self, "pool_labels_", None) is not None:
            dense = np.hstack([np.log1p(hits), desc, self._knn_features(texts, emb, exclude_pool)])
        else:
            dense = np.hstack([np.log1p(hits), desc, best])
        return matches, hits, desc, best, dense

    # ------------------------------------------------------------------ neighbour (kNN) signals
    def _build_pool(self, texts: list[str], y_an: np.ndarray, emb_an: np.ndarray) -> None:
        """Keep the labelled reference statements the neighbour features compare with.

        The pool is every codebook example (``uncoded_examples`` with no code) plus every
        analyst-coded statement, with its embedding and its character n-gram tf-idf vector (the
        latter lets a Welsh statement find Welsh neighbours, which the English embedding cannot).
        """
        from sklearn.feature_extraction.text import TfidfVectorizer

        k = len(self.ids)
        n_ex = len(self.example_text_)
        labels = np.zeros((n_ex + len(texts), k), dtype=bool)
        coded = np.where(self.example_code_ >= 0)[0]
        labels[coded, self.example_code_[coded]] = True
        labels[n_ex:] = y_an
        pool_text = list(self.example_text_) + list(texts)
        vecs = [v for v in (self.example_vectors_ if n_ex else None, emb_an if len(texts) else None) if v is not None]
        self.pool_labels_ = labels
        self.pool_vectors_ = np.vstack(vecs) if vecs else np.zeros((0, 384))
        self.knn_vectorizer_ = None
        self.pool_char_ = None
        if pool_text:
            self.knn_vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit(pool_text)
            self.pool_char_ = self.knn_vectorizer_.transform(pool_text)

    def _knn_features(self, texts: Sequence[str], emb: np.ndarray, exclude_pool: np.ndarray | None = None) -> np.ndarray:
        """Per code: best embedding and char n-gram similarity to a pool statement with that code,
        and a similarity-weighted vote of the ``knn_k`` nearest pool statements; plus the same two
        signals for pool statements with no code. ``exclude_pool[i]`` (>= 0) is left out for text
        ``i`` (itself, when it is in the pool).

        Rows are independent, so they are taken :data:`KNN_ROWS` at a time: the similarity matrices
        of 40,000 statements against the pool would otherwise need several GB at once."""
        n, m = len(texts), len(self.pool_labels_)
        if m == 0 or n == 0:
            return np.zeros((n, 3 * len(self.ids) + 2))
        parts = []
        for a in range(0, n, KNN_ROWS):
            b = min(n, a + KNN_ROWS)
            parts.append(self._knn_rows(texts[a:b], emb[a:b], None if exclude_pool is None else exclude_pool[a:b]))
        return np.vstack(parts)

    def _knn_rows(self, texts: Sequence[str], emb: np.ndarray, exclude_pool: np.ndarray | None) -> np.ndarray:
        """:meth:`_knn_features` for one block of rows."""
        k = len(self.ids)
        n, m = len(texts), len(self.pool_labels_)
        s_emb = emb @ self.pool_vectors_.T
        s_chr = (self.knn_vectorizer_.transform(list(texts)) @ self.pool_char_.T).toarray()
        if exclude_pool is not None:
            rows = np.where(exclude_pool >= 0)[0]
            s_emb[rows, exclude_pool[rows]] = -1.0
            s_chr[rows, exclude_pool[rows]] = -1.0
        labels = self.pool_labels_
        none = ~labels.any(axis=1)
        best_emb = np.zeros((n, k + 1))
        best_chr = np.zeros((n, k))
        for j in range(k):
            if labels[:, j].any():
                best_emb[:, j] = s_emb[:, labels[:, j]].max(axis=1)
                best_chr[:, j] = s_chr[:, labels[:, j]].max(axis=1)
        if none.any():
            best_emb[:, k] = s_emb[:, none].max(axis=1)
        both = (s_emb + s_chr) / 2
        kk = min(self.knn_k, m)
        top = np.argpartition(-both, kk - 1, axis=1)[:, :kk]
        w = np.clip(np.take_along_axis(both, top, axis=1), 0.0, None) + 1e-6
        vote = np.einsum("nt,ntk->nk", w, np.c_[labels, none][top].astype(float)) / w.sum(axis=1, keepdims=True)
        return np.hstack([best_emb, best_chr, vote])

    def similarity_score(self, desc: np.ndarray, best: np.ndarray) -> np.ndarray:
        """The single similarity score per code: mean of description and best-example similarity
        (whichever exists when a code has only one of them)."""
        has_ex = np.array([(self.example_code_ == j).any() for j in range(len(self.ids))], dtype=bool)
        both = self.has_description_ & has_ex
        score = np.where(self.has_description_, desc, 0.0) + np.where(has_ex, best, 0.0)
        return score / np.where(both, 2.0, 1.0)

    # ------------------------------------------------------------------ fitting
    def _label_matrix(self, labels: Sequence[Sequence[str]]) -> np.ndarray:
        index = {cid: j for j, cid in enumerate(self.ids)}
        y = np.zeros((len(labels), len(self.ids)), dtype=bool)
        unknown: set[str] = set()
        for i, labs in enumerate(labels):
            for lab in parse_labels(labs):
                if lab in index:
                    y[i, index[lab]] = True
                else:
                    unknown.add(lab)
        if unknown:
            raise ValueError(
                f"The labelled statements use code(s) {', '.join(sorted(unknown))} that the codebook "
                f"({self.codebook.name}) does not have; its codes are {', '.join(self.ids)}. "
                "Correct the labels or use a codebook with these codes."
            )
        return y

    def _fit_models(self, X, y: np.ndarray, weight: np.ndarray, row_sets: Sequence[np.ndarray | None] = (None,)) -> list:
        """Per row set (``None`` = every row), one seeded logistic regression per code (a constant where
        a code is all or none of ``y``): a list of model lists. Every fit of every set goes to the
        ``n_jobs`` worker processes at once, so the folds of a cross-validation do not wait for each
        other. Not threads: liblinear draws from one process-wide random generator, so fits in threads
        would not be reproducible."""
        from joblib import Parallel, delayed

        k = y.shape[1]
        flat = Parallel(n_jobs=self.n_jobs)(delayed(_fit_code)(X, y[:, j], weight, self.C, self.random_state, rows)
                                            for rows in row_sets for j in range(k))
        return [flat[i * k:(i + 1) * k] for i in range(len(row_sets))]

    @staticmethod
    def _apply_models(models, X) -> np.ndarray:
        out = np.zeros((X.shape[0], len(models)))
        for j, m in enumerate(models):
            out[:, j] = m if isinstance(m, float) else m.predict_proba(X)[:, 1]
        return out

    def fit(self, texts: Sequence[str] | None = None, labels: Sequence | None = None,
            languages: Sequence[str] | None = None, own_texts: Sequence[str] | None = None,
            own_labels: Sequence | None = None, own_languages: Sequence[str] | None = None) -> CodebookCoder:
        """Learn the classifier and calibrate per-code thresholds.

        Args:
            texts: Coded statements from elsewhere (training files; may be empty/None: then only the
                codebook's examples are used).
            labels: Their codes, each a list of ids or a ``;``-separated string (empty = no code).
            languages: Their languages (``en``/``cy``), used to prefer evidence in the same language.
            own_texts: Statements of *this* consultation coded by its analyst (the review sheet). They
                set the consultation's conventions: they weigh ``own_weight`` times a generic statement
                and, once there are ``min_own_for_cv`` of them, thresholds are calibrated on them alone.
            own_labels: Their codes.
            own_languages: Their languages.

        Returns:
            self.

        Raises:
            ValueError: If there is nothing to learn from, or the labels use codes not in the codebook.
        """
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, not {self.method!r}.")
        texts, labels, languages, n_generic, n_own = _joined_inputs(texts, labels, languages, own_texts, own_labels,
                                                                    own_languages)
        self._prepare_codebook()
        y_an = self._label_matrix(labels)
        self.analyst_text_ = texts
        self.analyst_labels_ = y_an
        self.analyst_lang_ = languages
        n_ex = len(self.example_text_) if self.use_examples else 0
        if n_ex + len(texts) == 0 and self.method == "combined" and self.codebook.has_descriptions:
            return self._fit_zero_shot()
        self.zero_shot_ = False
        if n_ex + len(texts) == 0 and self.method != "lexicon":
            raise ValueError(
                "There is nothing to learn the codes from: the codebook has no examples and no "
                "analyst-coded statements were given. Add examples to the codebook or pass --train."
            )
        all_text, y, weight, is_analyst, is_own = self._training_rows(texts, y_an, n_ex, n_generic, n_own)
        if self.method == "lexicon":
            self.thresholds_ = dict.fromkeys(self.ids, 0.5)  # score 1 - 0.5**hits: any hit reaches it
            self.calibration_ = "fixed: any lexicon term matched"
            return self
        return self._fit_classifier(all_text, texts, y_an, y, weight, is_analyst, is_own, n_ex)

    def _fit_classifier(self, all_text: list[str], texts: list[str], y_an: np.ndarray, y: np.ndarray,
                        weight: np.ndarray, is_analyst: np.ndarray, is_own: np.ndarray, n_ex: int) -> CodebookCoder:
        """Features, thresholds calibrated out of fold, and the per-code models (see :meth:`fit`)."""
        emb = self.embedder_.encode(all_text) if all_text else np.zeros((0, 384))
        self.pool_labels_ = None
        if self.knn and self.method == "combined":
            self._build_pool(texts, y_an, emb[n_ex:])
        exclude = np.r_[np.arange(n_ex), -np.ones(len(texts), dtype=int)].astype(int)
        # Each training statement is its own pool entry: leave it out of its neighbour features.
        exclude_pool = np.r_[np.arange(n_ex), len(self.example_text_) + np.arange(len(texts))].astype(int)
        _, _, desc, best, dense = self._dense(all_text, emb, exclude, exclude_pool)
        score_rows = self._calibration_rows(is_own, is_analyst, len(all_text))
        if self.method == "similarity":
            scores = self.similarity_score(desc, best)
            self.thresholds_ = {
                cid: best_f1_threshold(y[score_rows, j], scores[score_rows, j], default=0.5, bounds=(0.0, 1.0))
                for j, cid in enumerate(self.ids)
            }
            return self
        self.features_ = TextFeatures(None, self.w_emb, self.w_char, self.w_dense, w_word=self.w_word).fit(all_text)
        X = self.features_.transform(all_text, embeddings=emb, dense=dense)
        oof = self._out_of_fold(X, y, weight, score_rows, is_analyst)
        self.thresholds_ = {
            cid: best_f1_threshold(y[score_rows, j], oof[:, j], bounds=self.threshold_bounds)
            for j, cid in enumerate(self.ids)
        }
        self.models_ = self._fit_models(X, y, weight)[0]
        log.info("coder fitted on %d codebook examples and %d analyst-coded statements; thresholds by %s",
                 n_ex, len(texts), self.calibration_)
        return self

    def _fit_zero_shot(self) -> CodebookCoder:
        """Nothing coded and no examples: code by similarity to the descriptions, relative to the other
        codes (a principled default needing no labels; see :meth:`_zero_shot_scores`)."""
        self.zero_shot_ = True
        self.n_train_ = {"codebook_examples": 0, "coded": 0, "own": 0}
        self.support_ = dict.fromkeys(self.ids, 0)
        self.pool_labels_ = None
        self.thresholds_ = dict.fromkeys(self.ids, 0.5)
        self.calibration_ = (f"zero-shot: similarity to each code's description at least {self.zero_shot_z} standard "
                             f"deviations above the statement's mean over codes, and at least {self.zero_shot_floor}")
        return self

    def _training_rows(self, texts: list[str], y_an: np.ndarray, n_ex: int, n_generic: int, n_own: int):
        """The codebook's examples followed by the coded statements: texts, label matrix, weights and
        which rows are analyst-coded and this consultation's own. Sets ``n_train_`` and ``support_``."""
        k = len(self.ids)
        y_ex = np.zeros((n_ex, k), dtype=bool)
        if n_ex:
            coded = np.where(self.example_code_ >= 0)[0]
            y_ex[coded, self.example_code_[coded]] = True
        all_text = (self.example_text_ if n_ex else []) + texts
        y = np.vstack([y_ex, y_an]) if len(all_text) else np.zeros((0, k), dtype=bool)
        is_analyst = np.r_[np.zeros(n_ex, bool), np.ones(len(texts), bool)]
        is_own = np.r_[np.zeros(n_ex + n_generic, bool), np.ones(n_own, bool)]
        weight = np.where(is_own, self.own_weight, np.where(is_analyst, self.analyst_weight, 1.0))
        self.n_train_ = {"codebook_examples": n_ex, "coded": n_generic, "own": n_own}
        self.support_ = dict(zip(self.ids, y.sum(axis=0).astype(int).tolist(), strict=True))
        return all_text, y, weight, is_analyst, is_own

    def _calibration_rows(self, is_own: np.ndarray, is_analyst: np.ndarray, n: int) -> np.ndarray:
        """The rows thresholds are calibrated on (and ``calibration_``, saying which): this consultation's
        own coded statements when there are enough (they define its conventions), else all coded
        statements, else the codebook's examples too."""
        if is_own.sum() >= self.min_own_for_cv:
            rows = np.where(is_own)[0]
            self.calibration_ = (f"{self.cv_folds}-fold cross-validation on {len(rows)} statements "
                                 "coded by this consultation's analyst")
        elif is_analyst.sum() >= self.min_analyst_for_cv:
            rows = np.where(is_analyst)[0]
            self.calibration_ = f"{self.cv_folds}-fold cross-validation on {len(rows)} analyst-coded statements"
        else:
            rows = np.arange(n)
            self.calibration_ = (
                f"leave-one-out on {len(rows)} codebook examples and coded statements"
                if len(rows) <= self.loo_max
                else f"{self.cv_folds}-fold cross-validation on {len(rows)} codebook examples and coded statements"
            )
        return rows

    def _out_of_fold(self, X, y, weight, score_rows: np.ndarray, is_analyst: np.ndarray) -> np.ndarray:
        """Held-out probabilities for ``score_rows`` (rows not scored always stay in training)."""
        from sklearn.model_selection import KFold, LeaveOneOut

        n_score = len(score_rows)
        if n_score < 2:
            return np.zeros((n_score, y.shape[1]))
        if is_analyst[score_rows].all() or n_score > self.loo_max:
            splitter = KFold(n_splits=min(self.cv_folds, n_score), shuffle=True, random_state=self.random_state)
        else:
            splitter = LeaveOneOut()
        oof = np.zeros((n_score, y.shape[1]))
        others = np.setdiff1d(np.arange(len(y)), score_rows)
        folds = list(splitter.split(score_rows))
        fitted = self._fit_models(X, y, weight, [np.r_[others, score_rows[train_idx]] for train_idx, _ in folds])
        for (_, test_idx), models in zip(folds, fitted, strict=True):
            oof[test_idx] = self._apply_models(models, X[score_rows[test_idx]])
        return oof

    # ------------------------------------------------------------------ prediction
    def _check_fitted(self) -> None:
        if not hasattr(self, "thresholds_"):
            raise RuntimeError("The coder has not been fitted: call fit() first.")

    def _scores(self, texts: Sequence[str]):
        texts = [str(t) for t in texts]
        matches, hits = self._lexicon_hits(texts)
        if self.method == "lexicon":
            scores = np.where(hits > 0, 1.0 - 0.5 ** hits, 0.0)
            return matches, scores, None
        emb = self.embedder_.encode(texts) if texts else np.zeros((0, 384))
        if getattr(self, "zero_shot_", False):
            return matches, self._zero_shot_scores(texts, emb), emb
        desc, best = self._similarities(emb)
        if self.method == "similarity":
            return matches, self.similarity_score(desc, best), emb
        proba = self._model_scores(texts, emb, hits, desc, best)
        if self.sentence_weight > 0:
            proba = self._with_sentences(texts, proba)
        return matches, proba, emb

    def _model_scores(self, texts: Sequence[str], emb: np.ndarray, hits: np.ndarray, desc: np.ndarray,
                      best: np.ndarray) -> np.ndarray:
        """The per-code models' scores of ``texts`` (their embeddings, lexicon hits and similarities given)."""
        if self.knn and getattr(self, "pool_labels_", None) is not None:
            dense = np.hstack([np.log1p(hits), desc, self._knn_features(texts, emb)])
        else:
            dense = np.hstack([np.log1p(hits), desc, best])
        X = self.features_.transform(texts, embeddings=emb, dense=dense)
        return self._apply_models(self.models_, X)

    def _with_sentences(self, texts: Sequence[str], proba: np.ndarray) -> np.ndarray:
        """``proba`` blended, for statements of several sentences, with their best sentence's scores
        (``sentence_weight``; chosen by leaving training files out, ``data/train/README.md``)."""
        pieces, owner = sentence_pieces(texts)
        if not pieces:
            return proba
        _, hits = self._lexicon_hits(pieces)
        emb = self.embedder_.encode(pieces)
        desc, best = self._similarities(emb)
        part = self._model_scores(pieces, emb, hits, desc, best)
        top = np.zeros_like(proba)
        np.maximum.at(top, np.asarray(owner), part)
        rows = np.unique(owner)
        out = proba.copy()
        out[rows] = (1 - self.sentence_weight) * proba[rows] + self.sentence_weight * top[rows]
        return out

    def _zero_shot_scores(self, texts: Sequence[str], emb: np.ndarray) -> np.ndarray:
        """Scores in ``[0, 1]`` (0.5 = the line) from similarity to the code descriptions alone.

        A statement's similarity to each code is the best of the whole statement's and of any of its
        sentences' (a long answer makes several points). Codes are compared with each other: a code
        stands out when its similarity is ``zero_shot_z`` standard deviations above the statement's
        mean over all codes; the best code is always a candidate. Below ``zero_shot_floor`` nothing fits.
        """
        n, k = len(texts), len(self.ids)
        if n == 0 or k == 0:
            return np.zeros((n, k))
        sims = emb @ self.description_vectors_.T
        pieces, owner = sentence_pieces(texts)
        if pieces:
            ps = self.embedder_.encode(pieces) @ self.description_vectors_.T
            for row, i in zip(ps, owner, strict=True):
                sims[i] = np.maximum(sims[i], row)
        sims[:, ~self.has_description_] = -1.0
        mu = sims.mean(axis=1, keepdims=True)
        sd = sims.std(axis=1, keepdims=True) + 1e-6
        z = (sims - mu) / sd
        best = sims.argmax(axis=1)
        z[np.arange(n), best] = np.maximum(z[np.arange(n), best], self.zero_shot_z)
        proba = 1.0 / (1.0 + np.exp(-2.0 * (z - self.zero_shot_z)))
        proba = np.where(z >= self.zero_shot_z, np.maximum(proba, 0.5), np.minimum(proba, 0.4999))
        return np.where(sims >= self.zero_shot_floor, proba, np.minimum(proba, 0.4999 * sims.clip(0, None)))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Scores in ``[0, 1]``, shape ``(n, n_codes)``, columns in :attr:`ids` order."""
        self._check_fitted()
        return self._scores(texts)[1]

    def predict(self, texts: Sequence[str]) -> list[list[str]]:
        """The codes of each text (``[]`` when none reaches its threshold)."""
        return self.predict_scores(texts)[0]

    def predict_scores(self, texts: Sequence[str]) -> tuple[list[list[str]], np.ndarray]:
        """The codes of each text and the scores behind them (``(n, n_codes)``, :attr:`ids` order)."""
        self._check_fitted()
        matches, proba, _ = self._scores(texts)
        chosen = self._decide(proba, matches)
        return [[self.ids[j] for j in np.where(row)[0]] for row in chosen], proba

    def _decide(self, proba: np.ndarray, matches: list[dict]) -> np.ndarray:
        """Which codes each statement gets: every code at or above its threshold; then

        * fallback (``fallback_ratio > 0``): a statement with none gets its best code (highest score
          relative to threshold) when that score reaches ``fallback_ratio`` x its threshold and one
          of the code's lexicon terms is in the statement;
        * ``max_codes > 0`` keeps only that many codes, those furthest above their thresholds.
        """
        thr = np.array([self.thresholds_[c] for c in self.ids])
        if not len(thr):
            return np.zeros(proba.shape, dtype=bool)
        ratio = proba / np.maximum(thr, 1e-9)
        chosen = proba >= thr
        if self.fallback_ratio > 0 and self.method == "combined":
            for i in np.where(~chosen.any(axis=1))[0]:
                j = int(np.argmax(ratio[i]))
                if ratio[i, j] >= self.fallback_ratio and matches[i].get(self.ids[j]):
                    chosen[i, j] = True
        if self.max_codes > 0:
            for i in np.where(chosen.sum(axis=1) > self.max_codes)[0]:
                keep = np.argsort(-np.where(chosen[i], ratio[i], -np.inf))[: self.max_codes]
                chosen[i] = False
                chosen[i, keep] = True
        return chosen

    def code(self, texts: Sequence[str], languages: Sequence[str] | None = None) -> list[list[dict]]:
        """Code each text, with confidence, evidence, subtheme and source.

        Returns:
            For each text, a list of ``{code, subtheme, confidence, evidence, source}``; a text with
            no code gets one entry with code ``uncoded`` (its confidence is 1 minus the best
            code's score relative to its threshold, i.e. how clearly nothing fits).
        """
        self._check_fitted()
        texts = [str(t) for t in texts]
        languages = list(languages) if languages is not None else ["en"] * len(texts)
        matches, proba, emb = self._scores(texts)
        subs = self.subtheme_lexicon_.match(texts)
        thr = np.array([self.thresholds_[c] for c in self.ids])
        chosen = self._decide(proba, matches)
        proto_vecs, proto_text, proto_code, proto_lang = self._prototypes()
        sims = emb @ proto_vecs.T if (emb is not None and len(proto_text)) else None
        out: list[list[dict]] = []
        for i, _text in enumerate(texts):
            rows = []
            for j in np.where(chosen[i])[0]:
                cid = self.ids[j]
                terms = matches[i].get(cid, [])
                parts = [f"terms: {', '.join(terms)}"] if terms else []
                if sims is not None:
                    cand = np.where(proto_code == j)[0]
                    if len(cand):
                        same = [c for c in cand if proto_lang[c] == languages[i]]
                        pool = np.array(same) if same else cand
                        top = pool[int(np.argmax(sims[i, pool]))]
                        parts.append(f'like: "{_truncate(proto_text[top], self.evidence_chars)}" ({sims[i, top]:.2f})')
                subtheme = next((s for s in subs[i] if s.split(".")[0] == cid or s.startswith(cid + ".")), "")
                rows.append({
                    "code": cid,
                    "subtheme": subtheme,
                    "confidence": round(float(proba[i, j]), 4),
                    "evidence": "; ".join(parts),
                    "source": "rule" if terms else "model",
                })
            rows.sort(key=lambda r: -r["confidence"])
            if not rows:
                margin = float(np.max(proba[i] / np.maximum(thr, 1e-9))) if len(thr) else 0.0
                j = int(np.argmax(proba[i])) if len(thr) else 0
                near = f"nearest code {self.ids[j]} scored {proba[i, j]:.2f} < threshold {thr[j]:.2f}" if len(thr) else ""
                rows.append({
                    "code": UNCODED,
                    "subtheme": "",
                    "confidence": round(float(np.clip(1.0 - margin, 0.0, 1.0)), 4),
                    "evidence": near,
                    "source": "rule" if self.method == "lexicon" else "model",
                })
            out.append(rows)
        return out

    def _prototypes(self):
        """Texts evidence may quote: the codebook examples and the analyst-coded statements, by code."""
        if not hasattr(self, "_proto_cache"):
            texts = list(self.example_text_)
            codes = list(self.example_code_)
            langs = list(self.example_lang_)
            for t, row, lang in zip(self.analyst_text_, self.analyst_labels_, self.analyst_lang_, strict=True):
                for j in np.where(row)[0]:
                    texts.append(t)
                    codes.append(int(j))
                    langs.append(lang)
            vecs = self.embedder_.encode(texts) if texts and self.method != "lexicon" else np.zeros((0, 384))
            self._proto_cache = (vecs, texts, np.array(codes, dtype=int), langs)
        return self._proto_cache
