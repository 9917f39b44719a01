"""Measure the coder against hand-coded statements (``python -m pipeline evaluate``).

:func:`evaluate_frame` codes the ``text`` column of a gold table and compares the result with its
``codes`` column (``;``-separated code ids, empty for none); ``question`` and ``stance`` columns are
scored when present, ``language`` gives figures by language, and ``is_suggestion`` is scored as an
extra. A training table of the same form is used as analyst-coded statements first; with a training
table and no codebook, the codes are whatever the training table uses (:meth:`Codebook.from_labels`).

With ``baselines=True`` the same run also scores three single-method baselines: the keyword
lexicon alone, embedding similarity alone (thresholds calibrated the same way), and BERTopic
zero-shot topic modelling with the code descriptions as ``zeroshot_topic_list``.

Pure functions on DataFrames; the runner in :mod:`pipeline.coding.cli` reads and writes the files.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from pipeline.coding.assess import bootstrap_interval, scores_by, selective_scores, statement_confidence
from pipeline.coding.codebook import Codebook
from pipeline.coding.coder import CodebookCoder, parse_labels
from pipeline.coding.metrics import accuracy, f1_macro, multilabel_scores, sample_f1
from pipeline.coding.questions import QuestionInferer
from pipeline.coding.stance import STANCES, StanceClassifier, is_suggestion
from pipeline.coding.training import stance_training
from pipeline.errors import InputDataError  # one error base class (issue 14)

log = logging.getLogger(__name__)

REQUIRED = ("text", "codes")


class EvaluationInputError(InputDataError):
    """A gold or training table cannot be used; the message says which column and what to do."""


def check_labelled(df: pd.DataFrame, what: str) -> pd.DataFrame:
    """Check a labelled table has ``text`` and ``codes`` and return a clean copy (strings, no NaN)."""
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise EvaluationInputError(
            f"The {what} file has no column {', '.join(repr(m) for m in missing)}. It needs a `text` column "
            "(the statement) and a `codes` column (code ids separated by ';', empty for none)."
        )
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith("string"):
            out[col] = out[col].fillna("").astype(str)
    out["codes"] = out["codes"].fillna("").astype(str)
    empty = out["text"].astype(str).str.strip() == ""
    if empty.all():
        raise EvaluationInputError(f"The {what} file's `text` column is empty: there is nothing to code.")
    return out[~empty].reset_index(drop=True)


def _bool(series: pd.Series) -> list[bool]:
    return [str(v).strip().lower() in {"true", "1", "yes", "y"} for v in series]


def zeroshot_assign(embeddings: np.ndarray, description_vectors: np.ndarray, ids: list[str],
                    min_similarity: float = 0.3) -> list[list[str]]:
    """BERTopic's zero-shot assignment on its own: each text gets the code whose description is most
    similar (cosine) when that similarity reaches ``min_similarity``, else no code."""
    if len(embeddings) == 0:
        return []
    sims = np.asarray(embeddings) @ np.asarray(description_vectors).T
    best = sims.argmax(axis=1)
    return [[ids[b]] if sims[i, b] >= min_similarity else [] for i, b in enumerate(best)]


def bertopic_zeroshot(texts: list[str], codebook: Codebook, embeddings: np.ndarray, min_similarity: float = 0.3,
                      random_state: int = 42) -> tuple[list[list[str]], str]:
    """Code each text with BERTopic zero-shot topic modelling (one code per text at most).

    The code descriptions are the ``zeroshot_topic_list``; a text assigned to a zero-shot topic gets
    that code, any other text is uncoded. Offline: the loaded SentenceTransformer is passed as
    ``embedding_model`` and the precomputed embeddings (a copy) to ``fit_transform``. UMAP's
    ``n_neighbors`` and HDBSCAN's ``min_cluster_size`` shrink with the number of texts. On a set too
    small for BERTopic to cluster what zero-shot leaves over (UMAP then fails with "k must be <=
    number of training points"), the result is BERTopic's zero-shot assignment alone, which is what
    decides the codes anyway (the clusters of left-over texts are never a code).

    Returns:
        ``(codes per text, method)``; method is ``bertopic`` or ``zero-shot assignment only (...)``.
    """
    from pipeline.nlp.embed import load_model

    labels = [codebook.describe(c) for c in codebook.ids]
    by_label = dict(zip(labels, codebook.ids, strict=True))
    n = len(texts)
    model_st = load_model()
    desc = model_st.encode(labels, normalize_embeddings=True, show_progress_bar=False)
    emb = np.asarray(embeddings, dtype=np.float32)
    fallback = zeroshot_assign(emb, desc, codebook.ids, min_similarity)
    n_left = sum(1 for f in fallback if not f)
    size = max(2, min(10, n // 10))
    if n < 10 or (0 < n_left < max(2 * size, 10)):
        return fallback, f"zero-shot assignment only ({n} texts, {n_left} left for clustering: too few for BERTopic)"
    try:
        from bertopic import BERTopic
        from hdbscan import HDBSCAN
        from umap import UMAP

        m = max(2, n_left) if n_left else n
        model = BERTopic(
            embedding_model=model_st,
            zeroshot_topic_list=labels,
            zeroshot_min_similarity=min_similarity,
            umap_model=UMAP(n_neighbors=min(15, max(2, m - 1)), n_components=min(5, max(2, m - 2)), min_dist=0.0,
                            metric="cosine", random_state=random_state),
            hdbscan_model=HDBSCAN(min_cluster_size=size, prediction_data=True),
            min_topic_size=size,
        )
        topics, _ = model.fit_transform(texts, embeddings=np.array(embeddings, copy=True))
    except (ValueError, TypeError, IndexError) as exc:
        log.info("BERTopic could not cluster %d texts (%s): using its zero-shot assignment alone", n, exc)
        return fallback, f"zero-shot assignment only (BERTopic failed: {type(exc).__name__})"
    names = model.get_topic_info().set_index("Topic")["Name"].to_dict()
    return [[by_label[names[t]]] if names.get(t) in by_label else [] for t in topics], "bertopic"


def evaluate_frame(
    gold: pd.DataFrame,
    codebook: Codebook | None = None,
    train: pd.DataFrame | None = None,
    embedder=None,
    coder_params: dict | None = None,
    baselines: bool = False,
    random_state: int = 42,
    by: Sequence[str] = (),
) -> tuple[dict, pd.DataFrame]:
    """Code a gold table and score the result.

    Args:
        gold: Table with ``text`` and ``codes`` (optional ``question``, ``stance``, ``language``, ``is_suggestion``).
        codebook: The codebook; ``None`` with ``train`` = the codes the training table uses.
        train: Analyst-coded statements in the same form (optional).
        embedder: Embedding object (the runner passes an in-memory one so timing includes embedding).
        coder_params: Extra settings for :class:`CodebookCoder`.
        baselines: Also score the lexicon, similarity and BERTopic zero-shot baselines.
        random_state: Seed.
        by: Columns of ``gold`` to break the figures down by (``result["by"][column]``).

    Returns:
        ``(result, predictions)``: the metrics dict (with ``f1_samples_interval``, a bootstrap 95%
        interval, and ``selective``, F1 at 50/80/100% coverage) and the gold table with
        ``pred_codes``, ``confidence``, ``score_<code>``, ``pred_question``, ``pred_stance`` added.

    Raises:
        EvaluationInputError: A table lacks what is needed, or a ``by`` column is missing.
    """
    gold = check_labelled(gold, "gold")
    train = check_labelled(train, "training") if train is not None else None
    codebook = _evaluation_codebook(gold, codebook, train, by)
    gold_labels = [parse_labels(v) for v in gold["codes"]]
    params = dict(coder_params or {})
    params.setdefault("random_state", random_state)
    tx = list(train["text"]) if train is not None else []
    ty = list(train["codes"]) if train is not None else []
    tl = list(train["language"]) if train is not None and "language" in train else None
    coder = CodebookCoder(codebook, embedder=embedder, **params).fit(tx, ty, tl)

    texts = list(gold["text"])
    result, out, pred = _code_and_score(coder, gold, gold_labels, random_state)
    result.update(_question_scores(gold, train, codebook, embedder, random_state, out))
    result.update(_stance_scores(gold, train, codebook, embedder, random_state, out))
    result.update(_suggestion_scores(gold))
    if "language" in gold.columns:
        result["by_language"] = _scores_by_language(gold, gold_labels, pred, codebook.ids)
    for col in by or ():
        result.setdefault("by", {})[col] = scores_by(
            gold, col, gold_labels, pred, codebook.ids, out["pred_stance"].tolist() if "pred_stance" in out else None
        ).to_dict(orient="records")
    result["thresholds"] = {k: round(v, 4) for k, v in coder.thresholds_.items()}
    result["calibration"] = coder.calibration_
    result["codebook"] = codebook.name
    result["n_train"] = len(tx)
    if baselines:
        result["baselines"] = run_baselines(texts, gold_labels, codebook, coder, tx, ty, embedder, random_state)
    return result, out


def _code_and_score(coder: CodebookCoder, gold: pd.DataFrame, gold_labels: list, random_state: int):
    """Code the gold statements and score the codes: ``(result, predictions table, predicted codes)``."""
    texts = list(gold["text"])
    t0 = time.perf_counter()
    pred, proba = coder.predict_scores(texts)
    elapsed = time.perf_counter() - t0
    result = multilabel_scores(gold_labels, pred, coder.ids)
    result["f1_samples_interval"] = list(bootstrap_interval(sample_f1(gold_labels, pred), random_state=random_state))
    result["statements_per_second"] = round(len(texts) / elapsed, 1) if elapsed > 0 else None
    conf = statement_confidence(proba, [coder.thresholds_[c] for c in coder.ids])
    result["selective"] = selective_scores(gold_labels, pred, conf)
    out = gold.copy()
    out["pred_codes"] = [";".join(p) for p in pred]
    out["confidence"] = np.round(conf, 4)
    for j, cid in enumerate(coder.ids):
        out[f"score_{cid}"] = np.round(proba[:, j], 4)
    return result, out, pred


def _evaluation_codebook(gold: pd.DataFrame, codebook: Codebook | None, train: pd.DataFrame | None,
                         by: Sequence[str]) -> Codebook:
    """The codebook to evaluate with (the training table's codes when none is given); checks ``by`` and
    warns about gold codes the codebook lacks (they count as misses)."""
    missing_by = [c for c in by if c not in gold.columns]
    if missing_by:
        raise EvaluationInputError(f"The gold file has no column {', '.join(map(repr, missing_by))} to break the "
                                   f"figures down by; it has {', '.join(gold.columns)}.")
    if codebook is None:
        if train is None:
            raise EvaluationInputError("Give a codebook (--codebook) or a training file (--train) to learn the codes from.")
        codebook = Codebook.from_labels([c for v in train["codes"] for c in parse_labels(v)])
    unknown = sorted({c for v in gold["codes"] for c in parse_labels(v)} - set(codebook.ids))
    if unknown:
        log.warning("the gold file uses codes the codebook lacks (%s): they count as misses", ", ".join(unknown))
    return codebook


def _question_scores(gold, train, codebook, embedder, random_state, out: pd.DataFrame) -> dict:
    """Accuracy of the question each statement answers (adds ``pred_question`` to ``out``)."""
    result = {"question_accuracy": None}
    has_train_q = train is not None and "question" in train
    if "question" in gold.columns and (codebook.questions or has_train_q):
        qi = QuestionInferer(codebook, embedder=embedder, random_state=random_state)
        qi.fit(list(train["text"]) if train is not None else [], list(train["question"]) if has_train_q else None)
        if qi.ids_:
            q_pred, _ = qi.predict(list(gold["text"]))
            out["pred_question"] = q_pred
            result["question_accuracy"] = accuracy(list(gold["question"]), q_pred)
    return result


def _stance_scores(gold, train, codebook, embedder, random_state, out: pd.DataFrame) -> dict:
    """Stance accuracy and macro-F1 (adds ``pred_stance`` to ``out``)."""
    result: dict = {"stance_accuracy": None, "stance_f1_macro": None}
    if "stance" not in gold.columns:
        return result
    st = stance_training(codebook, train)
    sc = StanceClassifier(embedder=embedder, random_state=random_state)
    sc.fit(st["text"].tolist(), st["stance"].tolist(), st["question"].tolist())
    s_pred, _ = sc.predict(list(gold["text"]), list(gold["question"]) if "question" in gold.columns else None)
    out["pred_stance"] = s_pred
    g = list(gold["stance"])
    result["stance_accuracy"] = accuracy(g, s_pred)
    result["stance_f1_macro"] = f1_macro(g, s_pred, [s for s in STANCES if s in set(g)])
    result["stance_method"] = "classifier trained on the training statements" if sc.model_ is not None else "cue rules"
    return result


def _suggestion_scores(gold: pd.DataFrame) -> dict:
    """Accuracy and F1 of the suggestion flag (scikit-learn's ``f1_score``)."""
    if "is_suggestion" not in gold.columns:
        return {}
    from sklearn.metrics import f1_score

    sug = [is_suggestion(t) for t in gold["text"]]
    truth = _bool(gold["is_suggestion"])
    return {"suggestion_accuracy": accuracy(truth, sug),
            "suggestion_f1": round(float(f1_score(truth, sug, zero_division=0)), 4)}


def _scores_by_language(gold: pd.DataFrame, gold_labels: list, pred: list, ids: Sequence[str]) -> dict:
    """Coding figures for each language of the gold statements."""
    out = {}
    for lang, idx in gold.groupby("language").groups.items():
        idx = list(idx)
        scores = multilabel_scores([gold_labels[i] for i in idx], [pred[i] for i in idx], ids)
        scores.pop("per_code")
        out[str(lang)] = scores
    return out


def run_baselines(texts, gold_labels, codebook, coder, tx, ty, embedder, random_state) -> dict:
    """Scores of the lexicon-only, similarity-only and BERTopic zero-shot baselines on the same statements."""
    keep = ("f1_samples", "f1_micro", "f1_macro", "exact_match")
    out: dict[str, dict] = {}
    has_terms = any(c.all_terms() for c in codebook.codes)
    if has_terms:
        lex = CodebookCoder(codebook, embedder=embedder, method="lexicon").fit()
        s = multilabel_scores(gold_labels, lex.predict(texts), codebook.ids)
        out["lexicon"] = {k: s[k] for k in keep}
    else:
        out["lexicon"] = {"skipped": "the codebook has no lexicon terms"}
    if codebook.has_descriptions:
        sim = CodebookCoder(codebook, embedder=embedder, method="similarity", random_state=random_state).fit(tx, ty)
        s = multilabel_scores(gold_labels, sim.predict(texts), codebook.ids)
        out["similarity"] = {k: s[k] for k in keep} | {"calibration": sim.calibration_}
        try:
            emb = coder.embedder_.encode(texts)
            zs_pred, zs_method = bertopic_zeroshot(texts, codebook, emb, random_state=random_state)
            s = multilabel_scores(gold_labels, zs_pred, codebook.ids)
            out["bertopic_zeroshot"] = {k: s[k] for k in keep} | {"method": zs_method}
        except Exception as exc:  # noqa: BLE001 - a baseline failing must not hide the main figures
            log.warning("BERTopic zero-shot baseline failed: %s", exc)
            out["bertopic_zeroshot"] = {"error": f"{type(exc).__name__}: {exc}"}
    else:
        reason = "the codebook has no descriptions or examples to compare with"
        out["similarity"] = {"skipped": reason}
        out["bertopic_zeroshot"] = {"skipped": reason}
    return out
