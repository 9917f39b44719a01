"""Agreement metrics between a coder's codes and gold codes (multi-label), and for question/stance.

Every figure is computed by scikit-learn (:mod:`sklearn.metrics`); this module only turns code sets
into indicator matrices and fixes the conventions (``G`` = gold code set of a statement, ``P`` =
predicted set):

* ``f1_samples``: mean over statements of ``2|G∩P| / (|G|+|P|)``; a statement with no gold code
  and no predicted code scores 1 (correctly left uncoded), as in Consult's sample-averaged F1.
* ``f1_micro``: F1 of all (statement, code) decisions pooled; ``f1_macro``: mean of per-code F1.
* ``exact_match``: share of statements whose predicted set equals the gold set.
* ``per_code``: precision, recall, F1, Cohen's kappa (of the yes/no decision for that code over all
  statements) and support (gold statements with the code).

Pure functions on lists; no file I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    f1_score,
    multilabel_confusion_matrix,
    precision_recall_fscore_support,
)

__all__ = ["accuracy", "cohen_kappa", "f1_macro", "multilabel_scores", "sample_f1"]


def _check_lengths(gold: Sequence, pred: Sequence) -> None:
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold rows but {len(pred)} predictions.")


def _indicators(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], ids: Sequence[str] = ()) -> tuple:
    """Gold and predicted code sets as two boolean matrices over the same columns (``ids`` first)."""
    labels = list(dict.fromkeys([*ids, *sorted({c for s in [*gold, *pred] for c in s} - set(ids))]))
    col = {c: j for j, c in enumerate(labels)}
    # at least two columns, so that scikit-learn reads the matrix as multi-label (an all-False column
    # adds no true or false positive to any statement)
    y = np.zeros((len(gold), max(len(labels), 2)), dtype=bool)
    yhat = np.zeros_like(y)
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        y[i, [col[c] for c in set(g)]] = True
        yhat[i, [col[c] for c in set(p)]] = True
    return y, yhat, labels


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float:
    """Cohen's kappa of two yes/no codings; 1.0 when both are constant and equal, 0.0 if undefined otherwise."""
    a = np.asarray(a, dtype=bool)
    b = np.asarray(b, dtype=bool)
    if len(a) == 0:
        return 0.0
    if len(set(a.tolist()) | set(b.tolist())) < 2:  # both constant and equal: chance agreement is 1
        return 1.0
    value = cohen_kappa_score(a, b, labels=[False, True])
    return 0.0 if np.isnan(value) else float(value)


def sample_f1(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> list[float]:
    """Each statement's F1 ``2|G∩P| / (|G|+|P|)`` (1.0 when both are empty): what ``f1_samples`` averages."""
    _check_lengths(gold, pred)
    if not len(gold):
        return []
    y, yhat, _ = _indicators(gold, pred)
    mcm = multilabel_confusion_matrix(y, yhat, samplewise=True)  # per statement [[tn, fp], [fn, tp]]
    tp, fp, fn = mcm[:, 1, 1], mcm[:, 0, 1], mcm[:, 1, 0]
    denominator = 2 * tp + fp + fn
    return [1.0 if d == 0 else float(2 * t / d) for t, d in zip(tp, denominator, strict=True)]


def _per_code(y: np.ndarray, yhat: np.ndarray, j: int) -> dict:
    p, r, f, _ = precision_recall_fscore_support(y[:, j], yhat[:, j], average="binary", zero_division=0.0)
    return {
        "precision": round(float(p), 4),
        "recall": round(float(r), 4),
        "f1": round(float(f), 4),
        "kappa": round(cohen_kappa(y[:, j], yhat[:, j]), 4),
        "support": int(y[:, j].sum()),
    }


def multilabel_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], ids: Sequence[str]) -> dict:
    """Multi-label agreement of ``pred`` with ``gold``.

    Args:
        gold: Gold code sets, one per statement (empty = no code).
        pred: Predicted code sets, same order.
        ids: The codes to report per code (codes outside ``ids`` still count in the sample/micro scores).

    Returns:
        ``{"f1_samples", "f1_micro", "f1_macro", "exact_match", "per_code", "n"}``.
    """
    _check_lengths(gold, pred)
    n = len(gold)
    if not n:
        per_code = {cid: {"precision": 0.0, "recall": 0.0, "f1": 0.0, "kappa": 0.0, "support": 0} for cid in ids}
        return {"f1_samples": 0.0, "f1_micro": 0.0, "f1_macro": 0.0, "exact_match": 0.0, "per_code": per_code, "n": 0}
    y, yhat, _ = _indicators(gold, pred, ids)
    per_code = {cid: _per_code(y, yhat, j) for j, cid in enumerate(ids)}
    return {
        "f1_samples": round(float(f1_score(y, yhat, average="samples", zero_division=1.0)), 4),
        "f1_micro": round(float(f1_score(y, yhat, average="micro", zero_division=0.0)), 4),
        # the mean of the rounded per-code F1, as reported per code
        "f1_macro": round(float(np.mean([v["f1"] for v in per_code.values()])), 4) if per_code else 0.0,
        "exact_match": round(float(accuracy_score(y, yhat)), 4),
        "per_code": per_code,
        "n": n,
    }


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Share of equal labels."""
    if not len(gold):
        return 0.0
    return round(float(accuracy_score(list(gold), list(pred))), 4)


def f1_macro(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] | None = None) -> float:
    """Macro-averaged F1 over ``labels`` (default: the labels present in ``gold``)."""
    labels = sorted(set(gold)) if labels is None else list(labels)
    if not labels or not len(gold):
        return 0.0
    return round(float(f1_score(list(gold), list(pred), labels=labels, average="macro", zero_division=0.0)), 4)
