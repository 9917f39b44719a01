"""Agreement metrics between a coder's codes and gold codes (multi-label), and for question/stance.

Definitions (``G`` = gold code set of a statement, ``P`` = predicted set):

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


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float:
    """Cohen's kappa of two yes/no codings; 1.0 when both are constant and equal, 0.0 if undefined otherwise."""
    a = np.asarray(a, dtype=bool)
    b = np.asarray(b, dtype=bool)
    n = len(a)
    if n == 0:
        return 0.0
    po = float(np.mean(a == b))
    pa, pb = a.mean(), b.mean()
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe >= 1.0:
        return 1.0 if po == 1.0 else 0.0
    return float((po - pe) / (1 - pe))


def sample_f1(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> list[float]:
    """Each statement's F1 ``2|G∩P| / (|G|+|P|)`` (1.0 when both are empty): what ``f1_samples`` averages."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold rows but {len(pred)} predictions.")
    out = []
    for g, p in zip(gold, pred, strict=True):
        g, p = set(g), set(p)
        out.append(1.0 if not g and not p else 2 * len(g & p) / (len(g) + len(p)))
    return out


def multilabel_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], ids: Sequence[str]) -> dict:
    """Multi-label agreement of ``pred`` with ``gold``.

    Args:
        gold: Gold code sets, one per statement (empty = no code).
        pred: Predicted code sets, same order.
        ids: The codes to report per code (codes outside ``ids`` still count in the sample/micro scores).

    Returns:
        ``{"f1_samples", "f1_micro", "f1_macro", "exact_match", "per_code", "n"}``.
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold rows but {len(pred)} predictions.")
    n = len(gold)
    sample_f1, exact = [], []
    tp_all = fp_all = fn_all = 0
    for g, p in zip(gold, pred, strict=True):
        g, p = set(g), set(p)
        inter = len(g & p)
        sample_f1.append(1.0 if not g and not p else 2 * inter / (len(g) + len(p)))
        exact.append(g == p)
        tp_all += inter
        fp_all += len(p - g)
        fn_all += len(g - p)
    per_code = {}
    for cid in ids:
        y = [cid in set(g) for g in gold]
        yhat = [cid in set(p) for p in pred]
        tp = sum(a and b for a, b in zip(y, yhat, strict=True))
        fp = sum((not a) and b for a, b in zip(y, yhat, strict=True))
        fn = sum(a and not b for a, b in zip(y, yhat, strict=True))
        p_, r_, f_ = _prf(tp, fp, fn)
        per_code[cid] = {
            "precision": round(p_, 4),
            "recall": round(r_, 4),
            "f1": round(f_, 4),
            "kappa": round(cohen_kappa(y, yhat), 4),
            "support": int(sum(y)),
        }
    return {
        "f1_samples": round(float(np.mean(sample_f1)), 4) if n else 0.0,
        "f1_micro": round(_prf(tp_all, fp_all, fn_all)[2], 4),
        "f1_macro": round(float(np.mean([v["f1"] for v in per_code.values()])), 4) if per_code else 0.0,
        "exact_match": round(float(np.mean(exact)), 4) if n else 0.0,
        "per_code": per_code,
        "n": n,
    }


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Share of equal labels."""
    if not len(gold):
        return 0.0
    return round(float(np.mean([g == p for g, p in zip(gold, pred, strict=True)])), 4)


def f1_macro(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] | None = None) -> float:
    """Macro-averaged F1 over ``labels`` (default: the labels present in ``gold``)."""
    labels = sorted(set(gold)) if labels is None else list(labels)
    scores = []
    for lab in labels:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred, strict=True))
        fp = sum(g != lab and p == lab for g, p in zip(gold, pred, strict=True))
        fn = sum(g == lab and p != lab for g, p in zip(gold, pred, strict=True))
        scores.append(_prf(tp, fp, fn)[2])
    return round(float(np.mean(scores)), 4) if scores else 0.0
