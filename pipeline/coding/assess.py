"""How far the coder can be trusted: intervals, breakdowns, selective coding and the learning curve.

Pure functions on lists and DataFrames, used by ``python -m pipeline evaluate`` and by
``scripts/evaluate_sets.py`` (the independent evaluation sets in ``data/eval/``):

* :func:`bootstrap_interval`: a percentile bootstrap 95% interval of sample-averaged F1.
* :func:`scores_by`: the figures for each value of a column (cohort, register, language).
* :func:`statement_confidence` and :func:`selective_scores`: F1 on the statements the coder is most
  confident about, at several coverages.
* :func:`review_order`: which statements an analyst should code first (uncertain and diverse).
* :func:`learning_curve`: F1 on held-out statements of a set after 0, 25, 50 ... of its other
  statements are coded by "the analyst" (k-fold; a statement is never scored by a coder that saw it),
  in random order and in :func:`review_order`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from pipeline.coding.metrics import f1_macro, multilabel_scores, sample_f1

log = logging.getLogger(__name__)


def bootstrap_interval(values: Sequence[float], n_boot: int = 2000, level: float = 0.95,
                       random_state: int = 42) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of per-statement scores.

    Args:
        values: One score per statement (e.g. each statement's F1, from :func:`sample_f1`).
        n_boot: Resamples.
        level: Coverage of the interval.
        random_state: Seed.

    Returns:
        ``(low, high)``, rounded to 4 places; ``(nan, nan)`` for no values.
    """
    v = np.asarray(values, dtype=float)
    if not len(v):
        return float("nan"), float("nan")
    rng = np.random.default_rng(random_state)
    means = v[rng.integers(0, len(v), size=(n_boot, len(v)))].mean(axis=1)
    lo, hi = np.quantile(means, [(1 - level) / 2, 1 - (1 - level) / 2])
    return round(float(lo), 4), round(float(hi), 4)


def scores_by(frame: pd.DataFrame, column: str, gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]],
              ids: Sequence[str], stance_pred: Sequence[str] | None = None) -> pd.DataFrame:
    """Figures for each value of ``column``: statements, sample F1 and its interval, micro F1, stance.

    Args:
        frame: The gold table (one row per statement, in the order of ``gold`` and ``pred``).
        column: Column to group by (e.g. ``cohort``, ``register``, ``language``).
        gold: Gold code sets.
        pred: Predicted code sets.
        ids: The codebook's codes.
        stance_pred: Predicted stances (scored when ``frame`` has a ``stance`` column).

    Returns:
        One row per value: ``column, n, f1_samples, f1_low, f1_high, f1_micro`` and, with stances,
        ``stance_f1_macro``.

    Raises:
        KeyError: ``column`` is not in ``frame``.
    """
    if column not in frame.columns:
        raise KeyError(f"There is no column {column!r} to break the figures down by; the file has "
                       f"{', '.join(map(str, frame.columns))}.")
    rows = []
    values = frame[column].fillna("").astype(str).tolist()
    for value in sorted(set(values)):
        idx = [i for i, v in enumerate(values) if v == value]
        g = [gold[i] for i in idx]
        p = [pred[i] for i in idx]
        s = multilabel_scores(g, p, ids)
        lo, hi = bootstrap_interval(sample_f1(g, p))
        row = {column: value, "n": len(idx), "f1_samples": s["f1_samples"], "f1_low": lo, "f1_high": hi,
               "f1_micro": s["f1_micro"]}
        if stance_pred is not None and "stance" in frame.columns:
            gs = [str(frame["stance"].iloc[i]) for i in idx]
            row["stance_f1_macro"] = f1_macro(gs, [stance_pred[i] for i in idx])
        rows.append(row)
    return pd.DataFrame(rows)


def statement_confidence(proba: np.ndarray, thresholds: Sequence[float]) -> np.ndarray:
    """How sure the coder is of each statement's whole set of codes, in ``[0, 1]``.

    Each code's decision is as sure as its score is far from that code's threshold, measured on the
    side it falls (``(p - t) / (1 - t)`` above, ``(t - p) / t`` below); the statement is as sure as
    its least sure decision, since one wrong decision makes the set wrong.
    """
    p = np.asarray(proba, dtype=float)
    t = np.clip(np.asarray(thresholds, dtype=float), 1e-6, 1 - 1e-6)
    if p.size == 0:
        return np.zeros(len(p))
    sure = np.where(p >= t, (p - t) / (1 - t), (t - p) / t)
    return np.clip(sure.min(axis=1), 0.0, 1.0)


def selective_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], confidence: Sequence[float],
                     coverages: Sequence[float] = (0.5, 0.8, 1.0)) -> list[dict]:
    """Sample F1 on the most confident share of statements, for each coverage.

    Returns:
        ``[{"coverage", "n", "f1_samples"}]``; the rest (below the line) is what the review sheet
        offers an analyst first.
    """
    order = np.argsort(-np.asarray(confidence, dtype=float), kind="stable")
    f1 = np.asarray(sample_f1(gold, pred))
    out = []
    for c in coverages:
        k = max(1, int(round(c * len(order))))
        out.append({"coverage": c, "n": k, "f1_samples": round(float(f1[order[:k]].mean()), 4)})
    return out


def review_order(confidence: Sequence[float], embeddings: np.ndarray, n: int | None = None,
                 random_state: int = 42) -> list[int]:
    """The order an analyst should code statements in: uncertain first, spread over different subjects.

    The least confident statements are grouped into ``n`` clusters of their embeddings (k-means) and
    the least confident statement of each cluster is taken, so a batch does not spend the analyst's
    time on ten versions of the same uncertain sentence; the remaining statements follow, least
    confident first.

    Args:
        confidence: :func:`statement_confidence` per statement.
        embeddings: Their embeddings (rows aligned).
        n: Size of the diverse first batch (default: all, in batches of up to 25).
        random_state: Seed of k-means.

    Returns:
        Row positions, first to code first.
    """
    from sklearn.cluster import KMeans

    conf = np.asarray(confidence, dtype=float)
    total = len(conf)
    if total == 0:
        return []
    n = total if n is None else min(n, total)
    by_conf = list(np.argsort(conf, kind="stable"))
    chosen: list[int] = []
    remaining = by_conf
    while len(chosen) < n and remaining:
        batch = min(25, n - len(chosen), len(remaining))
        candidates = remaining[: max(batch, min(len(remaining), 3 * batch))]
        if batch >= len(candidates) or batch < 2:
            picks = candidates[:batch]
        else:
            km = KMeans(n_clusters=batch, n_init=3, random_state=random_state).fit(np.asarray(embeddings)[candidates])
            picks = []
            for c in range(batch):
                members = [candidates[i] for i in np.where(km.labels_ == c)[0]]
                if members:
                    picks.append(min(members, key=lambda m: (conf[m], m)))
        chosen.extend(picks)
        taken = set(picks)
        remaining = [r for r in remaining if r not in taken]
    return chosen + [r for r in by_conf if r not in set(chosen)]


def learning_curve(frame: pd.DataFrame, fit: Callable[[pd.DataFrame], object], sizes: Sequence[int] = (0, 25, 50, 100, 150),
                   folds: int = 5, orders: Sequence[str] = ("random", "review"), random_state: int = 42) -> pd.DataFrame:
    """F1 on held-out statements after ``n`` statements of the same set are coded, for each ``n``.

    For each of ``folds`` folds, the fold is held out and the other statements are the pool an
    analyst codes from. ``random`` takes them in a seeded random order; ``review`` takes each batch
    in :func:`review_order` of the coder trained on the batches before (so it is what the review
    sheet would have offered). Sizes larger than the pool are skipped.

    Args:
        frame: A coded set (``text``, ``codes``, optionally ``language``, ``stance``, ``question``).
        fit: ``fit(own) -> coder``: a fitted coder given this consultation's coded statements ``own``
            (a slice of ``frame``); the coder must have ``predict_scores(texts) -> (codes, proba)``,
            ``thresholds_``, ``ids`` and ``embedder_``.
        sizes: Numbers of coded statements, increasing.
        folds: k of the k-fold split.
        orders: ``random`` and/or ``review``.
        random_state: Seed of the split and the random order.

    Returns:
        One row per fold, order and size: ``fold, order, n_coded, n_test, f1_samples``.
    """
    from sklearn.model_selection import KFold

    rows = []
    splitter = KFold(n_splits=folds, shuffle=True, random_state=random_state)
    gold = [_labels(v) for v in frame["codes"]]
    for k, (pool_idx, test_idx) in enumerate(splitter.split(frame)):
        test = frame.iloc[test_idx]
        test_gold = [gold[i] for i in test_idx]
        base = None
        for order in orders:
            rng = np.random.default_rng(random_state + k)
            shuffled = list(rng.permutation(pool_idx))
            taken: list[int] = []
            prev = None
            for n in sizes:
                if n > len(pool_idx):
                    continue
                if n == 0 and base is not None:
                    coder = base
                else:
                    if n > len(taken):
                        taken = _next_batch(frame, pool_idx, shuffled, taken, n, order, prev, random_state)
                    coder = fit(frame.iloc[taken])
                if n == 0:
                    base = coder
                prev = coder
                pred, _ = coder.predict_scores(test["text"].tolist())
                rows.append({"fold": k, "order": order, "n_coded": n, "n_test": len(test_idx),
                             "f1_samples": multilabel_scores(test_gold, pred, coder.ids)["f1_samples"]})
    return pd.DataFrame(rows)


def _next_batch(frame: pd.DataFrame, pool_idx, shuffled: list[int], taken: list[int], n: int, order: str, prev,
                random_state: int) -> list[int]:
    """The first ``n`` statements an analyst would have coded: ``taken`` plus the next batch."""
    have = set(taken)
    if order == "random" or prev is None:
        return taken + [i for i in shuffled if i not in have][: n - len(taken)]
    left = [i for i in pool_idx if i not in have]
    texts = frame["text"].iloc[left].tolist()
    _, proba = prev.predict_scores(texts)
    conf = statement_confidence(proba, [prev.thresholds_[c] for c in prev.ids])
    pick = review_order(conf, prev.embedder_.encode(texts), n=n - len(taken), random_state=random_state)
    return taken + [left[p] for p in pick[: n - len(taken)]]


def _labels(value) -> list[str]:
    from pipeline.coding.coder import parse_labels

    return parse_labels(value)
