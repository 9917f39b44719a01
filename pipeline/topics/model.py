"""TopicModeller: emergent themes in consultation statements with BERTopic, on any input size.

A scikit-learn style estimator (settings in ``__init__``, learned state in ``fit`` as attributes
ending in ``_``) that wraps BERTopic so that it works the same way on a single organisation's 40
statements and on a 100,000-statement consultation:

* The parameters BERTopic is sensitive to are chosen from the data size (:func:`choose_parameters`):
  UMAP ``n_neighbors``/``n_components`` below the number of documents, HDBSCAN ``min_cluster_size``
  growing with the square root of n, the vocabulary bounded for large n.
* Zero-shot topics are seeded with the seven priority areas (``zeroshot_topic_list``), so statements
  the codebook covers land in a priority-area topic and the rest cluster into emergent themes.
* Below ``min_statements`` clustering means nothing: the model says so plainly (``mode_ ==
  "keywords"``) and reports TF-IDF keywords over all statements instead.
* Known failures are predicted or caught and fallen back from, never raised: "k must be less than
  or equal to the number of training points" (HDBSCAN on few points), UMAP on tiny data, an empty
  vocabulary, BERTopic #2447 (every document matches a zero-shot topic) and #1958 (a handful of
  leftover documents crash UMAP). Each fallback is recorded in ``fallbacks_``.
* Outliers (topic -1) are reassigned with ``reduce_outliers`` (embedding strategy, with a similarity
  floor so that a statement unlike every topic stays unassigned) and the representations rebuilt
  with ``update_topics``; the share still unassigned is kept in ``outlier_share_``.
* Speed: the KeyBERT/MMR representation runs once (in that ``update_topics``; the fit keeps plain
  c-TF-IDF), BERTopic never re-embeds a statement (:func:`known_texts_backend`), and below 4,096
  statements UMAP gets exact neighbours from numpy instead of compiling numba code for them
  (:func:`exact_cosine_knn`). On the sample (1,299 statements) this cut the run from about 85 s to
  about 25 s on a loaded two-core machine; most of what is left is importing BERTopic and
  sentence-transformers and UMAP's own numba compilation, paid once per process.

Stage logic only: no files are read or written here. The runner is ``python -m pipeline topics``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


def _setting_defaults() -> dict[str, Any]:
    """The TopicModeller's defaults: the values ``settings.yaml`` sets (``topics.*``, ``random_state``), their one place."""
    from pipeline.settings import load_settings
    from pipeline.topics.run import model_params

    return model_params(load_settings())


#: Each TopicModeller parameter's default, read once from settings.yaml (:data:`pipeline.topics.run.MODEL_SETTINGS`).
DEFAULTS: dict[str, Any] = _setting_defaults()

#: Words that carry no theme in these returns: redaction placeholders and consultation boilerplate.
DOMAIN_STOP_WORDS = (
    "name", "handle", "phone", "email", "postcode", "prison_number", "ni_number", "dob", "address",
    "cjiw", "think", "thing", "things", "really", "just", "like", "know", "yeah", "lot", "dont", "don",
    "im", "ive", "thats", "doesnt", "didnt", "isnt", "got", "get", "say", "said", "want", "way",
    "did", "does", "doing", "make", "made", "went", "going", "ve", "ll", "re",
)


def choose_parameters(n_documents: int, n_cluster_documents: int | None = None, umap_sample_size: int = 20000,
                      large_n: int = 20000, ward_max_documents: int = 0, statements_per_topic: int = 12) -> dict[str, Any]:
    """Choose UMAP, HDBSCAN and vectorizer settings from the data size.

    Args:
        n_documents: Documents UMAP is fitted on (all modelled statements).
        n_cluster_documents: Documents HDBSCAN clusters (those no zero-shot topic took); defaults to
            ``n_documents``.
        umap_sample_size: Above this many documents UMAP is fitted on a sample of this size and the
            rest are transformed (see :class:`ReusingUMAP`).
        large_n: From this many documents UMAP runs with ``low_memory`` and fewer epochs.
        ward_max_documents: Up to this many clustered documents, Ward clustering into about one topic
            per ``statements_per_topic`` documents replaces HDBSCAN (0: always HDBSCAN). On a few
            hundred statements HDBSCAN's result swings between a handful of mixed clusters and many
            (see :class:`WardClusters`).
        statements_per_topic: Documents per Ward cluster (the number of clusters is ``m`` divided
            by this, at least 2).

    Returns:
        A plain dict of parameters (recorded in topics.config.yaml).
    """
    n = max(int(n_documents), 1)
    m = max(int(n_cluster_documents if n_cluster_documents is not None else n), 1)
    # UMAP needs n_neighbors < n and n_components < n - 1 (spectral init solves for n_components + 1
    # eigenvectors); 15 and 5 are BERTopic's defaults and stay as long as the data allow.
    n_neighbors = int(max(2, min(15, n - 1)))
    n_components = int(max(2, min(5, n - 2)))
    # A theme raised by fewer than ~sqrt(n)/2 statements is noise at large n but a real theme at
    # small n (5 statements out of 60 is worth seeing); the floor of 3 keeps HDBSCAN meaningful.
    min_cluster_size = int(max(3, round(math.sqrt(m) / 2)))
    # min_samples well below min_cluster_size keeps fewer statements as outliers and makes HDBSCAN's
    # core-distance step cheaper at large n; it must stay below the number of clustered points.
    min_samples = int(max(1, min(min_cluster_size, 10, m - 1)))
    ward = 0 < m <= int(ward_max_documents)
    return {
        "clusterer": "ward" if ward else "hdbscan",
        "n_clusters": int(max(2, min(m - 1, round(m / max(int(statements_per_topic), 1))))) if ward else None,
        "n_documents": n,
        "n_cluster_documents": m,
        "n_neighbors": n_neighbors,
        "n_components": n_components,
        # Spectral initialisation can fail on a tiny or disconnected neighbour graph.
        "umap_init": "spectral" if n >= 100 else "random",
        "umap_low_memory": n >= large_n,
        # UMAP's own default is 200 epochs above 10,000 points; 100 keeps 100k statements practical
        # on two cores and changes the layout little once the graph is that dense.
        "umap_n_epochs": 100 if n >= large_n else None,
        "umap_fit_sample": int(min(n, umap_sample_size)),
        "min_cluster_size": min_cluster_size,
        "min_samples": min_samples,
        # c-TF-IDF fits the vectorizer on ONE concatenated document per topic, so any min_df above 1
        # would drop exactly the words that are distinctive of a single topic (an emergent theme's
        # own words). Memory is bounded with max_features instead, which grows with n.
        "min_df": 1,
        "max_features": int(min(50000, max(2000, 20 * n))),
        # Single words: KeyBERT's bigrams ("interpreter did") made poorer labels than words.
        "ngram_range": [1, 1],
    }


def _row_keys(X: np.ndarray) -> list[bytes]:
    return [hashlib.blake2b(row.tobytes(), digest_size=16).digest() for row in np.ascontiguousarray(X)]


class ReusingUMAP:
    """UMAP that remembers where it put the points it was fitted on.

    BERTopic fits UMAP on all embeddings and then, with zero-shot topics, calls ``transform`` again
    on the leftover documents, which UMAP treats as new points (slow at scale, and the cause of
    BERTopic #1958 on a handful of leftovers). This wrapper returns the fitted coordinates of points
    it has seen and only transforms genuinely new ones. Above ``sample_size`` points UMAP is fitted
    on a seeded random sample and the others are transformed once, which keeps 100k statements
    practical on two cores.

    Args:
        sample_size: Fit UMAP on at most this many points.
        random_state: Seed for UMAP and for the sample.
        **umap_kwargs: Passed to ``umap.UMAP``.
    """

    def __init__(self, sample_size: int = 20000, random_state: int = 42, **umap_kwargs: Any) -> None:
        self.sample_size = sample_size
        self.random_state = random_state
        self.umap_kwargs = umap_kwargs

    def fit(self, X: np.ndarray, y: Any = None) -> ReusingUMAP:
        """Fit UMAP on ``X`` (or a sample of it) and keep every row's coordinates."""
        import umap

        X = np.asarray(X, dtype=np.float32)
        n = len(X)
        if n > self.sample_size:
            rng = np.random.default_rng(self.random_state)
            fit_idx = np.sort(rng.choice(n, size=self.sample_size, replace=False))
        else:
            fit_idx = np.arange(n)
        kwargs = dict(self.umap_kwargs)
        self.precomputed_knn_ = (len(fit_idx) < EXACT_KNN_MAX and kwargs.get("metric") == "cosine"
                                 and "precomputed_knn" not in kwargs)
        if self.precomputed_knn_:
            # Below 4,096 points UMAP computes the exact neighbours itself, but through numba
            # functions compiled on every run (about 9 s, a sixth of the sample's run); numpy gives
            # the same neighbours at once. Without a search index UMAP cannot transform new points;
            # :meth:`transform` handles those itself.
            self._fit_unit_ = _normalise(X[fit_idx])
            kwargs["precomputed_knn"] = exact_cosine_knn(self._fit_unit_, int(kwargs.get("n_neighbors", 15)))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
            self.umap_ = umap.UMAP(random_state=self.random_state, **kwargs).fit(X[fit_idx])
        reduced = np.empty((n, self.umap_.embedding_.shape[1]), dtype=np.float32)
        reduced[fit_idx] = self.umap_.embedding_
        rest = np.setdiff1d(np.arange(n), fit_idx)
        self.fit_idx_ = fit_idx
        if len(rest):
            reduced[rest] = self._transform_new(X[rest])
        self.embedding_ = reduced
        self.index_ = {k: i for i, k in enumerate(_row_keys(X))}
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Coordinates of ``X``: remembered for seen rows, UMAP-transformed for new ones."""
        X = np.asarray(X, dtype=np.float32)
        idx = np.array([self.index_.get(k, -1) for k in _row_keys(X)], dtype=np.int64)
        out = np.empty((len(X), self.embedding_.shape[1]), dtype=np.float32)
        seen = idx >= 0
        out[seen] = self.embedding_[idx[seen]]
        if (~seen).any():
            out[~seen] = self._transform_new(X[~seen])
        return out

    def _transform_new(self, X: np.ndarray) -> np.ndarray:
        """Coordinates of points UMAP was not fitted on.

        With UMAP's own neighbour index this is ``umap.transform``. With precomputed neighbours
        there is no index, so a new point is placed at the similarity-weighted mean of its
        ``n_neighbors`` nearest fitted points, which is where ``umap.transform`` starts too.
        (BERTopic only asks for points seen in ``fit``, so this is a safety net.)
        """
        if not self.precomputed_knn_:
            return self.umap_.transform(X)
        k = min(int(self.umap_kwargs.get("n_neighbors", 15)), len(self._fit_unit_))
        sims = _normalise(X) @ self._fit_unit_.T
        idx = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        weights = np.clip(np.take_along_axis(sims, idx, axis=1), 1e-6, None)
        coords = self.umap_.embedding_[idx]
        return ((coords * weights[:, :, None]).sum(axis=1) / weights.sum(axis=1, keepdims=True)).astype(np.float32)

    def fit_transform(self, X: np.ndarray, y: Any = None) -> np.ndarray:
        """Fit, then return the coordinates of ``X``."""
        return self.fit(X, y).embedding_


#: Below this many points UMAP computes exact neighbours (its own threshold); so does :class:`ReusingUMAP`.
EXACT_KNN_MAX = 4096


class WardClusters:
    """Ward clustering of the reduced embeddings into a fixed number of clusters, as BERTopic's cluster model.

    Why: on a consultation of a few hundred statements HDBSCAN is unstable. On two blind test
    consultations (283 and 325 statements, 14-15 planted subjects) it found 2 clusters with one
    ``min_cluster_size`` and 9-12 with another, and the planted subjects ended mixed (purity
    0.10-0.48); Ward on the same 5-d UMAP output gave purity 0.47-0.61 with 25 clusters and every
    subject the plurality of a cluster. It scales as n squared in memory, so it is used only up to
    ``topics.ward_max_statements`` (HDBSCAN above). ``predict`` assigns the nearest cluster centre.
    """

    def __init__(self, n_clusters: int = 8) -> None:
        self.n_clusters = n_clusters

    def fit(self, X: np.ndarray, y: Any = None) -> WardClusters:
        from sklearn.cluster import AgglomerativeClustering

        X = np.asarray(X, dtype=np.float64)
        k = int(max(1, min(self.n_clusters, len(X))))
        self.labels_ = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(X) if k > 1 else np.zeros(len(X), dtype=np.int64)
        self.centres_ = np.vstack([X[self.labels_ == c].mean(axis=0) for c in range(k)])
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        d = ((X[:, None, :] - self.centres_[None, :, :]) ** 2).sum(axis=-1)
        return d.argmin(axis=1)


def exact_cosine_knn(unit: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``k`` nearest neighbours by cosine distance of unit vectors, each point first (distance 0).

    Returns ``(indices, distances)`` as UMAP's ``precomputed_knn`` expects them (int32, float32).
    Ties are broken by index, so the result is reproducible.
    """
    k = int(min(k, len(unit)))
    dist = 1.0 - unit @ unit.T
    np.fill_diagonal(dist, -1.0)  # each point is its own nearest neighbour, as in UMAP
    idx = np.argsort(dist, axis=1, kind="stable")[:, :k]
    d = np.clip(np.take_along_axis(dist, idx, axis=1), 0.0, 2.0)
    return np.ascontiguousarray(idx, dtype=np.int32), np.ascontiguousarray(d, dtype=np.float32)


def _normalise(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms == 0, 1.0, norms)


def tfidf_keywords(texts: Sequence[str], stop_words: Sequence[str], top_n: int = 10) -> list[str]:
    """The ``top_n`` words and bigrams with the highest summed TF-IDF over ``texts``.

    Ties are broken alphabetically so the result is reproducible. Returns ``[]`` when nothing but stop
    words (or nothing at all) is left.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [t for t in texts if str(t).strip()]
    if not texts:
        return []
    try:
        vec = TfidfVectorizer(stop_words=sorted(set(stop_words)) or None, ngram_range=(1, 2), min_df=1)
        matrix = vec.fit_transform(texts)
    except ValueError:  # empty vocabulary: only stop words
        return []
    scores = np.asarray(matrix.sum(axis=0)).ravel()
    words = vec.get_feature_names_out()
    order = sorted(range(len(words)), key=lambda i: (-round(float(scores[i]), 10), words[i]))
    return [str(words[i]) for i in order[:top_n]]


def known_texts_backend(model: Any, texts: Sequence[str], embeddings: np.ndarray,
                        encode: Callable[[list[str]], np.ndarray] | None = None):
    """A BERTopic embedding backend that never embeds a text twice.

    BERTopic embeds texts itself for zero-shot topics and for KeyBERT keywords (each topic's
    representative statements and candidate words). The statements were embedded already (the
    Embedder cache), so their vectors are looked up; anything else (words, descriptions) is
    embedded once (with ``encode``, e.g. a cached ``Embedder.encode``, else with ``model``) and
    remembered for the rest of the fit.

    Args:
        model: The SentenceTransformer.
        texts, embeddings: Texts whose embeddings are already known.
        encode: Optional function embedding a list of texts (normalised vectors); with the
            Embedder's disk cache, a rerun embeds nothing.

    Returns:
        A ``bertopic.backend.BaseEmbedder``; its ``n_embedded`` counts the texts it had to embed.
    """
    from bertopic.backend import BaseEmbedder

    class KnownTextsBackend(BaseEmbedder):
        def __init__(self) -> None:
            super().__init__(embedding_model=model)
            self.known: dict[str, np.ndarray] = {}
            for text, vector in zip(texts, np.asarray(embeddings, dtype=np.float32), strict=True):
                self.known.setdefault(str(text), vector)
            self.n_embedded = 0

        def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
            documents = [str(d) for d in documents]
            missing = list(dict.fromkeys(d for d in documents if d not in self.known))
            if missing:
                new = encode(missing) if encode is not None else model.encode(
                    missing, show_progress_bar=False, normalize_embeddings=True, convert_to_numpy=True)
                self.known.update(zip(missing, np.asarray(new, dtype=np.float32), strict=True))
                self.n_embedded += len(missing)
            if not documents:
                return np.zeros((0, model.get_sentence_embedding_dimension()), dtype=np.float32)
            return np.vstack([self.known[d] for d in documents])

    return KnownTextsBackend()


class TopicModeller:
    """Find themes in statements: zero-shot priority-area topics plus emergent clusters.

    Args:
        min_statements: Below this many statements no clustering is attempted (keywords only).
        zeroshot_topic_list: Texts of the zero-shot topics (the priority areas' descriptions), or
            ``None`` for no zero-shot topics.
        zeroshot_min_similarity: Cosine similarity a statement needs to a zero-shot text to be
            assigned to it.
        embedding_model: The SentenceTransformer that produced the embeddings; BERTopic needs the
            object for zero-shot topics and for KeyBERT/MMR keywords. ``None`` gives plain c-TF-IDF
            keywords and no zero-shot topics.
        representation: ``"keybert"`` (KeyBERTInspired), ``"mmr"`` (MaximalMarginalRelevance) or
            ``"ctfidf"``.
        n_keywords: Keywords kept per topic.
        stop_words: Words never used as keywords (English and Welsh).
        outlier_threshold: Minimum cosine similarity to a topic for ``reduce_outliers`` to move an
            unassigned statement into it.
        umap_sample_size: Fit UMAP on at most this many statements (see :class:`ReusingUMAP`).
        random_state: Seed for UMAP, the UMAP sample and KeyBERT's document sample.
        encode: Optional function that embeds texts BERTopic needs beyond the statements (KeyBERT's
            candidate words), e.g. ``Embedder.encode`` so that they are cached on disk too.
        min_theme_size: After clustering, a topic of fewer statements is dissolved into the most
            similar topic (themefinder: a theme covers at least 5 responses).
        min_coherence: A topic whose coherence (mean cosine similarity of its statements to their
            centroid) is below this is split in two when both halves are coherent and big enough,
            else kept and flagged (see :mod:`pipeline.topics.themeset`).
        merge_similarity: Topics whose centroids are at least this similar are merged (themefinder: 0.9).
        ward_max_statements: Up to this many statements to cluster, Ward clustering replaces HDBSCAN
            (see :class:`WardClusters`; 0 = always HDBSCAN).
        statements_per_topic: With Ward, about one cluster per this many statements.

    Attributes (after ``fit``):
        mode_: ``"topics"`` or ``"keywords"`` (too few statements to cluster).
        message_: Plain-English account of what was done (and why, for keywords mode).
        params_: The parameters chosen from the data size.
        topics_: Final topic per document (-1 = unassigned), numbered by size (largest is 0).
        initial_topics_: Topic per document before ``reduce_outliers`` (same numbering).
        keywords_: Topic -> keywords (topic -1 holds the keywords of whatever is unassigned).
        zeroshot_topics_: Topic -> index into ``zeroshot_topic_list`` for zero-shot topics.
        centroids_: Topic -> normalised mean embedding of its documents.
        probabilities_: Per document, cosine similarity to its topic's centroid clipped to 0-1 (0 for -1).
        outlier_share_before_, outlier_share_: Share of documents in topic -1 before/after reduction.
        fallbacks_: Messages about each known failure that was avoided or caught.
        n_embedded_: Texts BERTopic needed beyond the statements and zero-shot texts (KeyBERT's
            candidate words), embedded through ``encode`` (cached) or the model.
    """

    def __init__(
        self,
        min_statements: int = DEFAULTS["min_statements"],
        zeroshot_topic_list: Sequence[str] | None = None,
        zeroshot_min_similarity: float = DEFAULTS["zeroshot_min_similarity"],
        embedding_model: Any = None,
        representation: str = DEFAULTS["representation"],
        n_keywords: int = DEFAULTS["n_keywords"],
        stop_words: Sequence[str] = (),
        outlier_threshold: float = DEFAULTS["outlier_threshold"],
        umap_sample_size: int = DEFAULTS["umap_sample_size"],
        random_state: int = DEFAULTS["random_state"],
        encode: Callable[[list[str]], np.ndarray] | None = None,
        min_theme_size: int = DEFAULTS["min_theme_size"],
        min_coherence: float = DEFAULTS["min_coherence"],
        merge_similarity: float = DEFAULTS["merge_similarity"],
        ward_max_statements: int = DEFAULTS["ward_max_statements"],
        statements_per_topic: int = DEFAULTS["statements_per_topic"],
    ) -> None:
        self.min_statements = min_statements
        self.zeroshot_topic_list = zeroshot_topic_list
        self.zeroshot_min_similarity = zeroshot_min_similarity
        self.embedding_model = embedding_model
        self.representation = representation
        self.n_keywords = n_keywords
        self.stop_words = stop_words
        self.outlier_threshold = outlier_threshold
        self.umap_sample_size = umap_sample_size
        self.random_state = random_state
        self.encode = encode
        self.min_theme_size = min_theme_size
        self.min_coherence = min_coherence
        self.merge_similarity = merge_similarity
        self.ward_max_statements = ward_max_statements
        self.statements_per_topic = statements_per_topic

    # ------------------------------------------------------------------ helpers
    def _stop_words(self) -> list[str]:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return sorted(set(ENGLISH_STOP_WORDS) | set(DOMAIN_STOP_WORDS) | {str(w).lower() for w in self.stop_words})

    def _vectorizer(self, params: dict[str, Any], stop_words: list[str] | None):
        from sklearn.feature_extraction.text import CountVectorizer

        return CountVectorizer(
            stop_words=stop_words, min_df=params["min_df"], max_features=params["max_features"],
            ngram_range=tuple(params["ngram_range"]),
        )

    def _representation_model(self):
        if self.embedding_model is None or self.representation == "ctfidf":
            return None
        from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance

        if self.representation == "mmr":
            return MaximalMarginalRelevance(diversity=0.3, top_n_words=self.n_keywords)
        if self.representation == "keybert":
            return KeyBERTInspired(top_n_words=self.n_keywords, random_state=self.random_state)
        raise ValueError(f"topics.representation must be keybert, mmr or ctfidf, not {self.representation!r}")

    def _zeroshot_assignment(self, embeddings: np.ndarray) -> np.ndarray:
        """Index of the zero-shot topic BERTopic will assign each document to (-1 for none).

        Computed the same way as BERTopic's ``_zeroshot_topic_modeling`` (argmax cosine similarity
        above the threshold), so the failures that depend on it can be predicted before fitting.
        """
        if not self.zeroshot_topic_list or self.embedding_model is None:
            return np.full(len(embeddings), -1, dtype=np.int64)
        zs = _normalise(self.embedding_model.encode(list(self.zeroshot_topic_list), show_progress_bar=False))
        self._zeroshot_vectors = zs
        sims = _normalise(embeddings) @ zs.T
        best = sims.argmax(axis=1)
        return np.where(sims.max(axis=1) >= self.zeroshot_min_similarity, best, -1).astype(np.int64)

    def _bertopic(self, params: dict[str, Any], stop_words: list[str] | None, zeroshot: bool,
                  manual: bool, backend: Any = None):
        from bertopic import BERTopic
        from bertopic.cluster import BaseCluster
        from bertopic.dimensionality import BaseDimensionalityReduction
        from hdbscan import HDBSCAN

        if manual:
            umap_model, hdbscan_model = BaseDimensionalityReduction(), BaseCluster()
        else:
            umap_kwargs: dict[str, Any] = {
                "n_neighbors": params["n_neighbors"], "n_components": params["n_components"],
                "min_dist": 0.0, "metric": "cosine", "init": params["umap_init"],
                "low_memory": params["umap_low_memory"],
            }
            if params["umap_n_epochs"]:
                umap_kwargs["n_epochs"] = params["umap_n_epochs"]
            umap_model = ReusingUMAP(sample_size=params["umap_fit_sample"], random_state=self.random_state,
                                     **umap_kwargs)
            hdbscan_model = WardClusters(params["n_clusters"]) if params.get("clusterer") == "ward" else HDBSCAN(
                min_cluster_size=params["min_cluster_size"], min_samples=params["min_samples"],
                metric="euclidean", cluster_selection_method="eom", prediction_data=True,
            )
        return BERTopic(
            embedding_model=backend if backend is not None else self.embedding_model,
            umap_model=umap_model,
            hdbscan_model=hdbscan_model,
            vectorizer_model=self._vectorizer(params, stop_words),
            # Keywords come from plain c-TF-IDF here; the chosen representation (KeyBERT, MMR) is
            # applied once, in update_topics after outlier reduction, instead of twice.
            representation_model=None,
            zeroshot_topic_list=list(self.zeroshot_topic_list) if zeroshot else None,
            zeroshot_min_similarity=self.zeroshot_min_similarity,
            top_n_words=max(10, self.n_keywords),
            calculate_probabilities=False,
        )

    def _fit_bertopic(self, docs: list[str], embeddings: np.ndarray, params: dict[str, Any],
                      zs_assign: np.ndarray, use_zeroshot: bool, manual: bool, stop_words: list[str]):
        """Fit BERTopic once; on an empty vocabulary retry without stop words. Returns (model, topics).

        ``self._used_stop_words`` keeps the stop words of the fit that succeeded.
        """
        backend = self._backend_ if self.embedding_model is not None else None
        for attempt_stop_words in (stop_words, None):
            self._used_stop_words = attempt_stop_words
            model = self._bertopic(params, attempt_stop_words, zeroshot=use_zeroshot and not manual, manual=manual,
                                   backend=backend)
            y = zs_assign if manual else None
            try:
                # BERTopic may write into the arrays it is given; it gets copies.
                topics, _ = model.fit_transform(docs, embeddings=embeddings.copy(), y=None if y is None else y.copy())
                return model, np.asarray(topics, dtype=np.int64)
            except ValueError as exc:
                if "empty vocabulary" in str(exc) and attempt_stop_words is not None:
                    self.fallbacks_.append("every word was a stop word; keywords were taken without stop words")
                    continue
                raise
        raise RuntimeError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------ fit
    def fit(self, texts: Sequence[str], embeddings: np.ndarray) -> TopicModeller:
        """Learn topics from statements and their sentence embeddings.

        Args:
            texts: The statements (redacted text), one per document.
            embeddings: ``(len(texts), d)`` sentence embeddings of those texts (not modified).

        Returns:
            ``self``.

        Raises:
            ValueError: If the number of texts and embeddings differ.
        """
        docs = [str(t) for t in texts]
        embeddings = np.asarray(embeddings, dtype=np.float32)
        if len(docs) != len(embeddings):
            raise ValueError(f"{len(docs)} statements but {len(embeddings)} embeddings: they must match one to one.")
        n = len(docs)
        self.fallbacks_: list[str] = []
        self.theme_rules_: dict[str, Any] = {}
        stop_words = self._stop_words()
        self._zeroshot_vectors = None
        zs_assign = self._zeroshot_assignment(embeddings) if n else np.zeros(0, dtype=np.int64)
        if self.embedding_model is not None:
            self._backend_ = self._known_backend(docs, embeddings)
        n_left = int((zs_assign == -1).sum())
        self.params_ = choose_parameters(n, n_left, umap_sample_size=self.umap_sample_size,
                                         ward_max_documents=self.ward_max_statements,
                                         statements_per_topic=self.statements_per_topic)
        self.params_.update({"n_zeroshot_matched": n - n_left})

        if n < self.min_statements:
            return self._fit_keywords(docs, embeddings, stop_words, (
                f"Only {n} statements: too few for themes to mean anything (the minimum is "
                f"{self.min_statements}), so no clustering was done; the keywords below summarise all of them."
            ))

        use_zeroshot = n - n_left > 0
        manual = self._must_assign_directly(use_zeroshot, n_left)
        fitted = self._fit_or_fall_back(docs, embeddings, zs_assign, use_zeroshot, manual, stop_words)
        if isinstance(fitted, str):
            return self._fit_keywords(docs, embeddings, stop_words, fitted)
        model, topics = fitted
        initial = topics.copy()
        self.outlier_share_before_ = float((initial == -1).mean())
        final = self._reduce_outliers(model, docs, embeddings, initial)
        final = self._theme_rules(embeddings, final, zs_assign)
        final = self._represent(model, docs, initial, final)
        self.n_embedded_ = int(self._backend_.n_embedded) if self.embedding_model is not None else 0
        self._finish(docs, embeddings, model, initial, final, zs_assign)
        self.mode_ = "topics"
        self.message_ = (
            f"{n} statements modelled: {len(self.keywords_) - (1 if -1 in self.keywords_ else 0)} topics "
            f"({len(self.zeroshot_topics_)} seeded by priority areas); "
            f"{self.outlier_share_:.0%} still unassigned after outlier reduction "
            f"({self.outlier_share_before_:.0%} before)."
        )
        return self

    def _known_backend(self, docs: list[str], embeddings: np.ndarray):
        """BERTopic's embedding backend, knowing the statements' and zero-shot texts' vectors already."""
        known_texts, known_vectors = list(docs), embeddings
        if self._zeroshot_vectors is not None:
            known_texts += [str(t) for t in self.zeroshot_topic_list]
            known_vectors = np.vstack([embeddings, self._zeroshot_vectors])
        return known_texts_backend(self.embedding_model, known_texts, known_vectors, self.encode)

    def _must_assign_directly(self, use_zeroshot: bool, n_left: int) -> bool:
        """True when zero-shot topics must be assigned without BERTopic's clustering (known issues);
        the reason is added to ``fallbacks_``."""
        if use_zeroshot and n_left == 0:
            self.fallbacks_.append(
                "every statement matched a priority area, so zero-shot topics were assigned directly "
                "(avoids BERTopic issue #2447, labels not applied when every document matches)"
            )
            return True
        if use_zeroshot and n_left < max(self.min_statements, 2 * self.params_["min_cluster_size"]):
            self.fallbacks_.append(
                f"only {n_left} statements matched no priority area: too few to cluster, so they stay "
                "unassigned before outlier reduction (avoids BERTopic issue #1958, UMAP on a few leftovers)"
            )
            return True
        return False

    def _fit_or_fall_back(self, docs, embeddings, zs_assign, use_zeroshot: bool, manual: bool, stop_words):
        """``(model, topics)`` from BERTopic; on a failure, priority-area assignment only; if that fails
        too, the message to report with keywords instead (a ``str``)."""
        try:
            return self._fit_bertopic(docs, embeddings, self.params_, zs_assign, use_zeroshot, manual, stop_words)
        except Exception as exc:  # noqa: BLE001 - any BERTopic/UMAP/HDBSCAN failure falls back
            log.warning("BERTopic failed (%s: %s); falling back to priority-area assignment only", type(exc).__name__, exc)
            self.fallbacks_.append(f"BERTopic failed ({type(exc).__name__}: {exc}); statements were assigned "
                                   "to priority areas by similarity only")
        try:
            return self._fit_bertopic(docs, embeddings, self.params_, zs_assign, use_zeroshot, True, stop_words)
        except Exception as exc2:  # noqa: BLE001
            return (f"Topic modelling failed ({type(exc2).__name__}: {exc2}); keywords over all {len(docs)} statements "
                    "are reported instead.")

    def _reduce_outliers(self, model, docs, embeddings, topics) -> np.ndarray:
        if not (topics == -1).any() or not (topics != -1).any():
            return topics
        try:
            new = model.reduce_outliers(docs, topics.tolist(), strategy="embeddings", embeddings=embeddings.copy(),
                                        threshold=self.outlier_threshold)
            return np.asarray(new, dtype=np.int64)
        except Exception as exc:  # noqa: BLE001 - keep the topics from fitting
            self.fallbacks_.append(f"outlier reduction failed ({type(exc).__name__}: {exc}); outliers kept")
            return topics

    def _theme_rules(self, embeddings: np.ndarray, topics: np.ndarray, zs_assign: np.ndarray) -> np.ndarray:
        """Split incoherent topics, dissolve small ones, merge near-identical ones (themeset rules).

        Topics seeded by different priority areas are never merged with each other or with subjects.
        Records what was done in ``theme_rules_``.
        """
        from pipeline.topics import themeset

        unit = _normalise(embeddings).astype(np.float64)
        before = len(set(topics.tolist()) - {-1})
        out = themeset.split_incoherent(topics, unit, self.min_coherence, self.min_theme_size,
                                        random_state=self.random_state)
        n_split = len(set(out.tolist()) - {-1}) - before
        out = themeset.absorb_small(out, unit, self.min_theme_size, self.outlier_threshold)
        kinds = {}
        for t in set(out.tolist()) - {-1}:
            zs = zs_assign[out == t]
            top = np.bincount(zs[zs >= 0]).argmax() if (zs >= 0).any() else -1
            kinds[int(t)] = f"zeroshot:{top}" if top >= 0 and (zs == top).mean() >= 0.8 else themeset.SUBJECT
        out, merges = themeset.merge_similar(out, unit, self.merge_similarity, kinds)
        self.theme_rules_ = {"n_split_off": int(n_split), "n_merged": len(merges),
                             "merges": [(int(a), int(b), round(c, 4)) for a, b, c in merges]}
        return out

    def _represent(self, model, docs, initial, final) -> np.ndarray:
        """Rebuild keywords for the final topics with the chosen representation; return the topics kept.

        Called once per fit: the fit itself keeps plain c-TF-IDF keywords, so KeyBERT (which embeds
        representative statements and candidate words) runs once rather than before and after
        outlier reduction.
        """
        representation = self._representation_model()
        changed = not np.array_equal(initial, final)
        if representation is None and not changed:
            return final
        try:
            model.update_topics(docs, topics=final.tolist(),
                                vectorizer_model=self._vectorizer(self.params_, self._used_stop_words),
                                representation_model=representation, top_n_words=max(10, self.n_keywords))
            return final
        except Exception as exc:  # noqa: BLE001 - keep what the fit produced
            if changed:
                self.fallbacks_.append(f"outlier reduction failed ({type(exc).__name__}: {exc}); outliers kept")
                return initial
            self.fallbacks_.append(f"{self.representation} keywords failed ({type(exc).__name__}: {exc}); "
                                   "plain c-TF-IDF keywords kept")
            return final

    def _finish(self, docs, embeddings, model, initial, final, zs_assign) -> None:
        """Renumber topics by size, collect keywords, centroids and zero-shot origins."""
        unit = _normalise(embeddings)
        old_ids = sorted({int(t) for t in final if t != -1})
        # Deterministic numbering: largest first, ties by first document index.
        first = {t: int(np.argmax(final == t)) for t in old_ids}
        order = sorted(old_ids, key=lambda t: (-int((final == t).sum()), first[t]))
        mapping = {old: new for new, old in enumerate(order)}
        mapping[-1] = -1
        self.topics_ = np.array([mapping[int(t)] for t in final], dtype=np.int64)
        self.initial_topics_ = np.array([mapping.get(int(t), -1) for t in initial], dtype=np.int64)
        self.outlier_share_ = float((self.topics_ == -1).mean())
        self.keywords_ = {}
        for old, new in mapping.items():
            words = []
            if old != -1 or (self.topics_ == -1).any():
                try:
                    words = [w for w, _ in (model.get_topic(old) or []) if str(w).strip()]
                except Exception:  # noqa: BLE001 - a topic without a representation
                    words = []
            if not words and (self.topics_ == new).any():
                words = tfidf_keywords([d for d, t in zip(docs, self.topics_, strict=True) if t == new],
                                       self._stop_words(), self.n_keywords)
            if (self.topics_ == new).any():
                self.keywords_[new] = [str(w) for w in words[: self.n_keywords]]
        # A topic is a zero-shot topic when all its documents (before outlier reduction) were
        # assigned to the same priority area by the zero-shot step; computed from the documents,
        # not from BERTopic's private mapping, which #2447 leaves empty.
        # (after the theme rules a seeded topic may have taken in a few outliers: 80% is enough)
        self.zeroshot_topics_ = {}
        for t in range(len(order)):
            members = zs_assign[self.topics_ == t]
            if not len(members) or not (members >= 0).any():
                continue
            top = int(np.bincount(members[members >= 0]).argmax())
            if (members == top).mean() >= 0.8:
                self.zeroshot_topics_[t] = top
        self.centroids_ = {}
        for t in sorted(set(self.topics_.tolist())):
            c = unit[self.topics_ == t].mean(axis=0, keepdims=True)
            self.centroids_[t] = _normalise(c)[0]
        probs = np.zeros(len(docs), dtype=np.float64)
        for t, c in self.centroids_.items():
            if t == -1:
                continue
            mask = self.topics_ == t
            probs[mask] = np.clip(unit[mask] @ c, 0.0, 1.0)
        self.probabilities_ = probs

    def _fit_keywords(self, docs, embeddings, stop_words, message: str) -> TopicModeller:
        n = len(docs)
        self.mode_ = "keywords"
        self.message_ = message
        self.n_embedded_ = 0
        self.topics_ = np.full(n, -1, dtype=np.int64)
        self.initial_topics_ = self.topics_.copy()
        self.probabilities_ = np.zeros(n, dtype=np.float64)
        self.keywords_ = {-1: tfidf_keywords(docs, stop_words, self.n_keywords)} if n else {}
        self.zeroshot_topics_ = {}
        self.centroids_ = {-1: _normalise(embeddings.mean(axis=0, keepdims=True))[0]} if n else {}
        self.outlier_share_before_ = self.outlier_share_ = 1.0 if n else 0.0
        return self
