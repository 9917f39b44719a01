"""Tests of pipeline.coding.assess: intervals, breakdowns, selective coding, review order, learning curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.coding.assess import (
    bootstrap_interval,
    learning_curve,
    review_order,
    scores_by,
    selective_scores,
    statement_confidence,
)
from pipeline.coding.metrics import sample_f1


def test_sample_f1_by_hand():
    # {A} vs {A,B}: 2*1/3; {} vs {}: 1; {A} vs {}: 0; {B} vs {B}: 1
    assert sample_f1([["A"], [], ["A"], ["B"]], [["A", "B"], [], [], ["B"]]) == pytest.approx([2 / 3, 1.0, 0.0, 1.0])


def test_bootstrap_interval_brackets_the_mean_and_is_reproducible():
    values = [0.0, 1.0] * 50
    lo, hi = bootstrap_interval(values, random_state=1)
    assert lo < 0.5 < hi and hi - lo < 0.3
    assert bootstrap_interval(values, random_state=1) == (lo, hi)
    assert bootstrap_interval([1.0] * 10) == (1.0, 1.0)
    assert all(np.isnan(bootstrap_interval([])))


def test_scores_by_gives_hand_computed_figures_per_value():
    frame = pd.DataFrame({"cohort": ["a", "a", "b"], "stance": ["agree", "disagree", "agree"]})
    gold = [["PA1"], ["PA2"], ["PA3"]]
    pred = [["PA1"], ["PA1"], []]
    out = scores_by(frame, "cohort", gold, pred, ["PA1", "PA2", "PA3"], ["agree", "agree", "agree"]).set_index("cohort")
    assert out.loc["a", "n"] == 2 and out.loc["a", "f1_samples"] == 0.5
    assert out.loc["b", "n"] == 1 and out.loc["b", "f1_samples"] == 0.0
    # stance in cohort a: agree right, disagree wrong -> F1 agree 2/3, disagree 0 -> macro 1/3
    assert out.loc["a", "stance_f1_macro"] == pytest.approx(0.3333, abs=1e-4)
    with pytest.raises(KeyError, match="no column 'region'"):
        scores_by(frame, "region", gold, pred, ["PA1"])


def test_statement_confidence_is_its_least_sure_decision():
    proba = np.array([[0.9, 0.1], [0.55, 0.1], [0.5, 0.45]])
    conf = statement_confidence(proba, [0.5, 0.5])
    assert conf[0] == pytest.approx(0.8)  # min((0.9-0.5)/0.5, (0.5-0.1)/0.5)
    assert conf[1] == pytest.approx(0.1)
    assert conf[2] == pytest.approx(0.0)


def test_selective_scores_take_the_most_confident_first():
    gold = [["A"], ["A"], ["A"], ["A"]]
    pred = [["A"], ["A"], [], []]
    out = selective_scores(gold, pred, [0.9, 0.8, 0.2, 0.1], coverages=(0.5, 1.0))
    assert out == [{"coverage": 0.5, "n": 2, "f1_samples": 1.0}, {"coverage": 1.0, "n": 4, "f1_samples": 0.5}]


def test_review_order_puts_uncertain_and_diverse_first():
    # Two tight groups of uncertain statements and one confident one: a batch of two takes one of each group.
    emb = np.array([[1, 0], [0.99, 0.01], [0.98, 0.02], [0, 1], [0.01, 0.99], [0.7, 0.7]], dtype=float)
    conf = [0.05, 0.06, 0.07, 0.10, 0.11, 0.9]
    order = review_order(conf, emb, n=2)
    assert sorted(order[:2]) == [0, 3]
    assert sorted(order) == list(range(6)) and order[-1] == 5


class _Memoriser:
    """A stand-in coder: predicts the code it was taught for a word, else nothing."""

    ids = ["X", "Y"]
    thresholds_ = {"X": 0.5, "Y": 0.5}

    def __init__(self, own: pd.DataFrame):
        self.known = dict(zip(own["text"].str.split().str[0], own["codes"], strict=True))

    def predict_scores(self, texts):
        codes = [[self.known[t.split()[0]]] if t.split()[0] in self.known else [] for t in texts]
        proba = np.array([[1.0 if c == ["X"] else 0.0, 1.0 if c == ["Y"] else 0.0] for c in codes])
        return codes, proba


def test_learning_curve_tests_only_on_statements_not_learned_from():
    # 20 statements, 10 distinct first words each used twice with the same code: once a word is
    # learned from the pool, its twin in the test fold is right.
    words = [f"w{i}" for i in range(10)]
    frame = pd.DataFrame({"text": [f"{w} {k}" for w in words for k in (1, 2)],
                          "codes": ["X" if int(w[1:]) % 2 else "Y" for w in words for _ in (1, 2)]})
    seen = []

    def fit(own):
        seen.append(set(own.index))
        return _Memoriser(own)

    curve = learning_curve(frame, fit, sizes=(0, 8, 16), folds=5, orders=("random",))
    assert list(curve["n_coded"].unique()) == [0, 8, 16]
    assert (curve["n_test"] == 4).all()
    by_n = curve.groupby("n_coded")["f1_samples"].mean()
    assert by_n[0] == 0.0 and by_n[16] > by_n[8] > 0.0
    assert max(len(s) for s in seen) == 16
