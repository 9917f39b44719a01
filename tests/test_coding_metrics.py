"""pipeline.coding.metrics: scikit-learn's figures under the project's conventions, checked by hand."""

import pytest

from pipeline.coding.metrics import accuracy, cohen_kappa, f1_macro, multilabel_scores, sample_f1

GOLD = [{"PA1"}, {"PA1", "PA2"}, set(), set(), {"PA3"}]
PRED = [{"PA1"}, {"PA2"}, set(), {"PA2"}, {"PA1"}]


def test_sample_f1_by_hand():
    # 2|G∩P| / (|G|+|P|): 1, 2/3, 1 (both empty), 0, 0
    assert sample_f1(GOLD, PRED) == pytest.approx([1.0, 2 / 3, 1.0, 0.0, 0.0])


def test_multilabel_scores_by_hand():
    s = multilabel_scores(GOLD, PRED, ["PA1", "PA2", "PA3"])
    assert s["n"] == 5
    assert s["f1_samples"] == round((1 + 2 / 3 + 1) / 5, 4)
    # pooled: tp = 2 (PA1, PA2), fp = 2 (PA2 in row 4, PA1 in row 5), fn = 2 (PA1 in row 2, PA3 in row 5)
    assert s["f1_micro"] == 0.5
    assert s["exact_match"] == 0.4
    pa1 = s["per_code"]["PA1"]  # gold rows 1, 2; predicted rows 1, 5: tp 1, fp 1, fn 1
    assert (pa1["precision"], pa1["recall"], pa1["f1"], pa1["support"]) == (0.5, 0.5, 0.5, 2)
    # kappa of PA1: observed agreement 3/5, chance 0.4*0.4 + 0.6*0.6 = 0.52
    assert pa1["kappa"] == round((0.6 - 0.52) / (1 - 0.52), 4)
    assert s["per_code"]["PA3"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "kappa": 0.0, "support": 1}
    assert s["f1_macro"] == round((0.5 + round(2 / 3, 4) + 0.0) / 3, 4)


def test_codes_outside_ids_still_count():
    s = multilabel_scores([{"X"}], [{"X"}], ["PA1"])
    assert s["f1_samples"] == 1.0 and s["f1_micro"] == 1.0
    assert s["per_code"]["PA1"]["kappa"] == 1.0  # never given by either: constant and equal


def test_empty_and_mismatched():
    assert multilabel_scores([], [], ["PA1"])["f1_samples"] == 0.0
    with pytest.raises(ValueError, match="2 gold rows but 1 predictions"):
        multilabel_scores([set(), set()], [set()], ["PA1"])
    with pytest.raises(ValueError):
        sample_f1([set()], [])


def test_kappa_edge_cases():
    assert cohen_kappa([True, True], [True, True]) == 1.0
    assert cohen_kappa([], []) == 0.0
    assert cohen_kappa([True, False, True, False], [True, False, True, False]) == 1.0
    assert cohen_kappa([True, False], [False, True]) == -1.0


def test_single_label_measures():
    gold = ["agree", "disagree", "agree", "mixed"]
    pred = ["agree", "agree", "agree", "unclear"]
    assert accuracy(gold, pred) == 0.5
    # agree: p 2/3, r 1, f 0.8; disagree 0; mixed 0
    assert f1_macro(gold, pred) == round(0.8 / 3, 4)
    assert f1_macro(gold, pred, labels=["agree", "unclear"]) == 0.4
    assert accuracy([], []) == 0.0 and f1_macro([], []) == 0.0
