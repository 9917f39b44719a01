"""Tests for pipeline.nlp.context: a statement read in its whole answer."""

import numpy as np
import pandas as pd
import pytest

from pipeline.nlp.context import answer_texts, antecedents, in_context


def _statements() -> pd.DataFrame:
    # R2's statements are given out of order: char_start puts them back.
    return pd.DataFrame({
        "statement_id": ["a", "b", "c", "d"],
        "response_id": ["R1", "R2", "R2", "R3"],
        "text": ["Only one.", "It's in there.", "Support after release matters.", "Another."],
        "char_start": [0, 31, 0, 0],
    })


def test_answer_texts_joins_a_response_in_order():
    got = answer_texts(_statements())
    assert got.tolist() == ["Only one.", "Support after release matters. It's in there.",
                            "Support after release matters. It's in there.", "Another."]


def test_in_context_blends_only_answers_of_several_statements():
    st = _statements()
    emb = np.array([[1.0, 0, 0], [0, 2.0, 0], [0, 0, 1.0], [3.0, 4.0, 0]])
    asked = []

    def encode(texts):
        asked.extend(texts)
        return np.array([[0, 0, 5.0] for _ in texts])  # the answer points along the third axis

    out = in_context(st, emb, encode, weight=1.0)
    assert asked == ["Support after release matters. It's in there."]  # one answer, embedded once
    np.testing.assert_allclose(out[0], [1, 0, 0])
    np.testing.assert_allclose(out[3], [3, 4, 0])  # a statement alone in its answer keeps its vector
    np.testing.assert_allclose(out[1], [0, 1 / np.sqrt(2), 1 / np.sqrt(2)], atol=1e-6)
    np.testing.assert_allclose(out[2], [0, 0, 1], atol=1e-6)
    assert emb[1, 1] == 2.0  # the input is not changed


def test_in_context_weight_zero_or_no_responses_changes_nothing():
    st = _statements()
    emb = np.array([[1.0, 0, 0], [0, 2.0, 0], [0, 0, 1.0], [3.0, 4.0, 0]])

    def fail(texts):
        raise AssertionError("nothing should be embedded")

    for frame, w in ((st, 0.0), (st.drop(columns="response_id"), 1.0)):
        out = in_context(frame, emb, fail, weight=w)
        np.testing.assert_array_equal(out, emb.astype(np.float32))


@pytest.mark.parametrize("weight", [0.5, 2.0])
def test_in_context_weight_moves_towards_the_answer(weight):
    st = _statements()
    emb = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0]])
    out = in_context(st, emb, lambda t: np.array([[0, 0, 1.0]] * len(t)), weight=weight)
    # the angle to the answer shrinks as the weight grows
    assert out[1, 2] == pytest.approx(weight / np.sqrt(1 + weight ** 2), abs=1e-6)


def test_in_context_leaves_long_statements_alone():
    st = _statements()  # R2: "It's in there." (3 words) and "Support after release matters." (4 words)
    emb = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0]])
    out = in_context(st, emb, lambda t: np.array([[1.0, 0, 0]] * len(t)), weight=1.0, max_words=3)
    assert out[1, 0] > 0.5  # the three-word fragment is read in its answer
    np.testing.assert_array_equal(out[2], [0, 0, 1.0])  # the four-word sentence keeps its own vector


def _chain() -> pd.DataFrame:
    # R1: a subject, two statements pointing back at it, then a new point; R2 opens with "So".
    return pd.DataFrame({
        "statement_id": ["a", "b", "c", "d", "e", "f"],
        "response_id": ["R1", "R1", "R1", "R1", "R2", "R2"],
        "text": ["Sites keep closing down.", "So families move every few weeks.", "\u201cThat\u2019s not in the plan.",
                 "Interpreters are another matter.", "So, not really.", "Courts need interpreters."],
        "char_start": [0, 25, 60, 90, 0, 20],
    })


def test_antecedents_point_back_to_the_head_of_a_chain():
    got = antecedents(_chain(), openers=["so", "that's"])
    # "That's ..." (typographic quote and apostrophe) points past "So ..." to the subject; a statement that
    # opens its answer has no antecedent, and one that does not point back has none either
    assert got.tolist() == [-1, 0, 0, -1, -1, -1]


def test_antecedents_follow_char_order_and_need_openers():
    st = _chain().iloc[[2, 1, 0]].reset_index(drop=True)  # rows out of order: char_start puts them back
    assert antecedents(st, openers=["so", "that's"]).tolist() == [2, 2, -1]
    assert (antecedents(st, openers=[]) == -1).all()


def test_in_context_back_weight_reads_a_statement_beside_its_antecedent():
    st = _chain()
    emb = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0]])

    def fail(texts):
        raise AssertionError("weight 0: no answer is embedded")

    out = in_context(st, emb, fail, weight=0.0, back_weight=1.0, openers=["so", "that's"])
    np.testing.assert_allclose(out[2], [1 / np.sqrt(2), 0, 1 / np.sqrt(2)], atol=1e-6)  # beside "Sites ..."
    np.testing.assert_allclose(out[1], [1 / np.sqrt(2), 1 / np.sqrt(2), 0], atol=1e-6)
    for i in (0, 3, 4, 5):  # no antecedent: unchanged
        np.testing.assert_array_equal(out[i], emb[i].astype(np.float32))
    unchanged = in_context(st, emb, fail, weight=0.0, back_weight=0.0, openers=["so", "that's"])
    np.testing.assert_array_equal(unchanged, emb.astype(np.float32))


def test_in_context_long_weight_reads_longer_statements_in_their_answer():
    st = _statements()  # R2: "It's in there." (3 words) and "Support after release matters." (4 words)
    emb = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0]])
    answer = lambda t: np.array([[1.0, 0, 0]] * len(t))  # noqa: E731
    out = in_context(st, emb, answer, weight=0.0, max_words=3, long_weight=1.0)
    np.testing.assert_allclose(out[2], [1 / np.sqrt(2), 0, 1 / np.sqrt(2)], atol=1e-6)  # the longer one moves
    np.testing.assert_array_equal(out[1], [0, 1.0, 0])  # the short one, weight 0, stays
    np.testing.assert_array_equal(out[0], [1.0, 0, 0])  # alone in its answer
