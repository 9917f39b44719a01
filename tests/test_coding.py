"""Tests of the coding stage's logic (codebook, segmentation, lexicon, coder, questions, stance, metrics, review).

Most tests use a small hashing embedder so they run in seconds; tests marked ``slow`` load the real
all-MiniLM-L6-v2 model.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
import pytest

from pipeline.coding.codebook import Codebook, CodebookError, load_codebook, parse_codebook
from pipeline.coding.coder import CodebookCoder, parse_labels
from pipeline.coding.lexicon import Lexicon, welsh_mutations
from pipeline.coding.metrics import cohen_kappa, f1_macro, multilabel_scores
from pipeline.coding.questions import QuestionInferer
from pipeline.coding.review import apply_review, review_sheet
from pipeline.coding.segment import group_spans, segment_responses, sentence_spans
from pipeline.coding.stage import code_statements, reconcile, summarise
from pipeline.coding.stance import StanceClassifier, cue_counts, is_suggestion, rule_stance


class HashEmbedder:
    """Bag-of-words embedder: each word hashed to one of 384 dimensions, L2-normalised."""

    def encode(self, texts):
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % 384] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


@pytest.fixture
def small_codebook(small_codebook_spec) -> Codebook:
    return parse_codebook(small_codebook_spec)


# ----------------------------------------------------------------------------- codebook
def test_default_codebook_has_seven_areas_with_welsh():
    cb = load_codebook()
    assert cb.ids == [f"PA{i}" for i in range(1, 8)]
    for code in cb.codes:
        assert code.description and code.terms.get("cy") and code.examples.get("cy")
    assert {q.id for q in cb.questions} == {"listened", "interpreted", "solutions", "other"}
    assert cb.describe("PA6").startswith("Promote fairness: ")


def test_minimal_codebook_loads(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text("name: minimal\ncodes:\n  - id: X1\n    name: One\n    description: The first thing.\n  - id: X2\n",
                    encoding="utf-8")
    cb = load_codebook(path)
    assert cb.ids == ["X1", "X2"]
    assert cb.describe("X1") == "One: The first thing."
    assert cb.describe("X2") == "X2"


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("name: x\n", "no `codes` list"),
        ("codes:\n  - name: no id\n", "has no `id`"),
        ("codes:\n  - id: A\n  - id: A\n", "appears twice"),
        ("codes:\n  - id: A\n    terms: 5\n", "terms should be a list"),
        ("codes: [\n", "not valid YAML"),
    ],
)
def test_codebook_errors_name_the_field(tmp_path, text, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError, match=re.escape(fragment)):
        load_codebook(path)


def test_missing_codebook_file(tmp_path):
    with pytest.raises(CodebookError, match="does not exist"):
        load_codebook(tmp_path / "nope.yaml")


def test_from_labels():
    cb = Codebook.from_labels(["B", "A", "none", "", "A"])
    assert cb.ids == ["A", "B"] and not cb.has_descriptions
    with pytest.raises(CodebookError):
        Codebook.from_labels(["", "none"])


# ----------------------------------------------------------------------------- segmentation
def test_segment_spans_match_text_and_group_short_sentences():
    text = "Yes. They listened to us about the police stopping our sons.\nNobody mentioned prisons at all though. No."
    df = pd.DataFrame({"response_id": ["R1", "R2"], "text": [text, "   "], "language": ["en", "en"],
                       "question": ["listened", "unknown"]})
    st, skipped = segment_responses(df)
    assert list(skipped["response_id"]) == ["R2"]
    assert len(st) == 2
    for row in st.itertuples():
        assert text[row.char_start:row.char_end] == row.text
    assert st.loc[0, "text"].startswith("Yes. They listened")  # "Yes." kept with its reason
    assert st.loc[1, "text"].endswith("at all though. No.")  # trailing "No." joins the sentence before
    assert list(st["statement_id"]) == ["R1-S01", "R1-S02"]
    assert st.loc[0, "organisation"] == "unknown"


def test_segment_welsh_and_max_words():
    text = "Dydyn nhw ddim wedi gwrando arnom ni o gwbl. Mae angen newid mawr yn yr heddlu."
    spans = sentence_spans(text, "cy")
    assert [text[a:b] for a, b in spans] == ["Dydyn nhw ddim wedi gwrando arnom ni o gwbl.", "Mae angen newid mawr yn yr heddlu."]
    short = "Ok. Fine."
    assert group_spans(short, sentence_spans(short), min_words=5, max_words=1) == [(0, 3), (4, 9)]


def test_an_opening_bracket_goes_with_the_sentence_it_opens():
    # the sentencizer leaves "[" on the sentence before: "NAME] told me" would name a theme
    text = "Parents should be told when police talk to our children. [NAME] told me after. (Really.) Yes."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Parents should be told when police talk to our children.", "[NAME] told me after.", "(Really.)", "Yes."]


# ----------------------------------------------------------------------------- lexicon
def test_lexicon_matches_whole_phrases_and_welsh_mutations():
    lex = Lexicon({"A": {"en": ["stop and search", "search"], "cy": ["gwrando"]}})
    m = lex.match(["Stop and Search again", "research", "Dydyn nhw ddim yn wrando"])
    assert m[0] == {"A": ["stop and search"]}  # the shorter overlapping term is not counted twice
    assert m[1] == {}
    assert m[2] == {"A": ["gwrando"]}
    assert "wrando" in welsh_mutations("gwrando") and "nghyfiawnder" in welsh_mutations("cyfiawnder")


# ----------------------------------------------------------------------------- coder
def test_parse_labels():
    assert parse_labels("PA2; PA1") == ["PA1", "PA2"]
    assert parse_labels("none") == [] and parse_labels("") == [] and parse_labels(None) == []


def test_lexicon_path_codes_with_rule_source(small_codebook):
    coder = CodebookCoder(small_codebook, embedder=HashEmbedder(), method="lexicon").fit()
    rows = coder.code(["They did a stop and search on me.", "Nothing here."])
    assert rows[0][0]["code"] == "A" and rows[0][0]["source"] == "rule"
    assert "stop and search" in rows[0][0]["evidence"]
    assert rows[1][0]["code"] == "uncoded"


def test_combined_coder_codes_from_examples_and_leaves_unrelated_uncoded(small_codebook):
    coder = CodebookCoder(small_codebook, embedder=HashEmbedder()).fit()
    assert "leave-one-out" in coder.calibration_
    assert all(0.1 <= t <= 0.9 for t in coder.thresholds_.values())
    assert len(set(coder.thresholds_.values())) == 2  # calibrated per code, not one fixed value
    texts = ["The police stop and search my cousin every week.", "Purple elephants dance quietly."]
    proba = coder.predict_proba(texts)
    # the toy embedder makes unrelated text score in the middle; an analyst-set stricter threshold must leave it uncoded
    coder.thresholds_ = {"A": 0.6, "B": 0.6}
    assert (proba[1] < 0.6).all() and proba[0, 0] >= 0.6
    rows = coder.code(texts)
    assert [r["code"] for r in rows[0]] == ["A"]
    assert rows[0][0]["source"] == "rule" and 'like: "' in rows[0][0]["evidence"]
    assert [r["code"] for r in rows[1]] == ["uncoded"]
    assert "threshold" in rows[1][0]["evidence"]


def test_welsh_statement_is_coded_via_welsh_term(small_codebook):
    coder = CodebookCoder(small_codebook, embedder=HashEmbedder()).fit()
    rows = coder.code(["Hoffwn weld glwb ieuenctid newydd yn y dref."], languages=["cy"])[0]
    assert rows[0]["code"] == "B"
    assert "clwb ieuenctid" in rows[0]["evidence"]  # matched through the soft mutation "glwb"


def test_classifier_learns_label_only_codes_after_fit():
    cb = Codebook.from_labels(["X", "Y"])
    texts = [f"the bus was late again {i}" for i in range(6)] + [f"the food in here is cold {i}" for i in range(6)]
    labels = ["X"] * 6 + ["Y"] * 6
    coder = CodebookCoder(cb, embedder=HashEmbedder(), min_analyst_for_cv=10).fit(texts, labels)
    assert "cross-validation on 12 analyst-coded" in coder.calibration_
    assert coder.predict(["the bus was late", "cold food in here"]) == [["X"], ["Y"]]
    row = coder.code(["the bus was late"])[0][0]
    assert row["source"] == "model" and "the bus was late again" in row["evidence"]


def test_coder_rejects_unknown_labels_and_nothing_to_learn(small_codebook):
    with pytest.raises(ValueError, match="does not have"):
        CodebookCoder(small_codebook, embedder=HashEmbedder()).fit(["x"], ["Z"])
    with pytest.raises(ValueError, match="nothing to learn"):
        CodebookCoder(Codebook.from_labels(["X"]), embedder=HashEmbedder()).fit()
    with pytest.raises(RuntimeError, match="not been fitted"):
        CodebookCoder(small_codebook).predict(["x"])


@pytest.mark.slow
def test_similarity_path_codes_without_any_lexicon_term(small_codebook):
    from pipeline.nlp.embed import Embedder

    coder = CodebookCoder(small_codebook, embedder=Embedder(show_progress=False), method="similarity").fit()
    text = "Teenagers here have no sports or after-school activities to go to."
    assert coder.lexicon_.match([text]) == [{}]
    proba = coder.predict_proba([text])[0]
    assert proba[1] > proba[0] and "B" in coder.predict([text])[0]
    assert coder.predict(["Thank you for coming to see us."]) == [[]]


# ----------------------------------------------------------------------------- questions and stance
def test_question_inference_from_cues_and_similarity(small_codebook):
    qi = QuestionInferer(small_codebook, embedder=HashEmbedder()).fit()
    q, conf = qi.predict(["I feel they listened and we were heard.", "The solutions should include mentoring."])
    assert q == ["listened", "solutions"]
    assert ((conf > 0.5) & (conf <= 1.0)).all()


@pytest.mark.parametrize(
    "text, stance",
    [
        ("Yes, they have listened to us.", "agree"),
        ("No, nobody listened to a word.", "disagree"),
        ("They listened a bit but not about prisons.", "mixed"),
        ("Dydyn nhw ddim wedi gwrando.", "disagree"),
        ("Do, maen nhw wedi gwrando, ond dim ar bawb.", "mixed"),
        ("The meeting was in the community centre.", "unclear"),
    ],
)
def test_stance_cues(text, stance):
    labels, conf = rule_stance(cue_counts([text]))
    assert labels == [stance] and 0 < conf[0] <= 1


@pytest.mark.parametrize(
    "text, expected",
    [("Train the officers properly.", True), ("The police should recruit locally.", True),
     ("Dylai'r heddlu wrando mwy.", True), ("Mae angen mwy o glybiau.", True),
     ("It would be better if they came to us.", True), ("The police came to the site.", False)],
)
def test_is_suggestion(text, expected):
    assert is_suggestion(text) is expected


def test_stance_classifier_learns_from_labels():
    texts = [f"brilliant work thank you {i}" for i in range(12)] + [f"terrible and useless {i}" for i in range(12)]
    stances = ["agree"] * 12 + ["disagree"] * 12
    sc = StanceClassifier(embedder=HashEmbedder(), min_labelled=10).fit(texts, stances)
    assert sc.model_ is not None
    assert sc.predict(["brilliant work", "useless and terrible"])[0] == ["agree", "disagree"]


# ----------------------------------------------------------------------------- metrics
def test_metrics_against_hand_computed_values():
    gold = [["PA1"], ["PA1", "PA2"], []]
    pred = [["PA1"], ["PA2", "PA3"], []]
    m = multilabel_scores(gold, pred, ["PA1", "PA2", "PA3"])
    # samples: 1, 2*1/(2+2)=0.5, 1 (both empty) -> 2.5/3
    assert m["f1_samples"] == pytest.approx(0.8333, abs=1e-4)
    # micro: tp=2 fp=1 fn=1 -> p=r=2/3 -> f1=0.6667
    assert m["f1_micro"] == pytest.approx(0.6667, abs=1e-4)
    # per code: PA1 p=1 r=0.5 f1=0.6667; PA2 p=r=f1=1; PA3 p=0 r=0 f1=0 -> macro 0.5556
    assert m["per_code"]["PA1"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "kappa": 0.4, "support": 2}
    assert m["per_code"]["PA2"]["f1"] == 1.0 and m["per_code"]["PA2"]["kappa"] == 1.0
    assert m["per_code"]["PA3"]["f1"] == 0.0 and m["per_code"]["PA3"]["support"] == 0
    assert m["f1_macro"] == pytest.approx(0.5556, abs=1e-4)
    assert m["exact_match"] == pytest.approx(0.6667, abs=1e-4)
    # kappa PA1: y=[1,1,0], yhat=[1,0,0]: po=2/3, pe=2/3*1/3+1/3*2/3=4/9 -> (2/3-4/9)/(5/9)=0.4
    assert cohen_kappa([1, 1, 0], [1, 0, 0]) == pytest.approx(0.4)
    assert f1_macro(["a", "b", "a"], ["a", "a", "a"]) == pytest.approx((0.8 + 0.0) / 2)
    with pytest.raises(ValueError):
        multilabel_scores([[]], [], ["PA1"])


# ----------------------------------------------------------------------------- stage and review loop
def _statements():
    df = pd.DataFrame({
        "response_id": ["R1", "R2", "R3"],
        "text": ["The police stop and search my brother every week.", "We need a youth club in our village.",
                 "Purple elephants dance quietly on Sundays."],
        "organisation": ["Org A"] * 3, "cohort": ["youth_justice;schools", "schools", "schools"],
        "police_force_area": ["Gwent"] * 3, "engagement_method": ["focus_group"] * 3,
        "participant_ref": ["P-1", "P-2", "P-3"], "speaker": ["participant"] * 3, "language": ["en"] * 3,
        "question": ["solutions", "unknown", "other"],
    })
    st, skipped = segment_responses(df)
    return df, st, skipped


def _strict_coder(codebook, emb):
    """A coder fitted on the examples, with thresholds raised: the toy embedder scores unrelated text mid-range."""
    coder = CodebookCoder(codebook, embedder=emb).fit()
    coder.thresholds_ = dict.fromkeys(codebook.ids, 0.6)
    return coder


def test_code_statements_reconciles_and_summary_suppresses(small_codebook):
    responses, st, skipped = _statements()
    emb = HashEmbedder()
    coder = _strict_coder(small_codebook, emb)
    qi = QuestionInferer(small_codebook, embedder=emb).fit()
    out, codes = code_statements(st, coder, qi, StanceClassifier())
    assert reconcile(responses, out, codes, skipped) == []
    assert out.loc[out["response_id"] == "R2", "question_source"].item() == "inferred"
    assert out.loc[out["response_id"] == "R1", "question_confidence"].item() == 1.0
    assert set(codes["code"]) == {"A", "B", "uncoded"}
    assert out["n_codes"].tolist() == [1, 1, 0]
    summary = summarise(out, codes, min_count=5)
    assert summary["suppressed"].all() and summary["n_statements"].isna().all()
    assert set(summary["cohort"]) == {"youth_justice", "schools"}  # multi-cohort rows counted in each
    assert summarise(out, codes, min_count=1)["n_statements"].sum() == 4


def test_review_round_trip_changes_stored_code_and_retrained_model(small_codebook):
    responses, st, _ = _statements()
    emb = HashEmbedder()
    coder = _strict_coder(small_codebook, emb)
    qi = QuestionInferer(small_codebook, embedder=emb).fit()
    out, codes = code_statements(st, coder, qi, StanceClassifier())
    sheet = review_sheet(out, codes)
    assert sheet.loc[0, "codes"] == "uncoded"  # least confident (the uncoded one) first
    sheet = sheet.astype(str)
    elephants = sheet.index[sheet["text"].str.contains("elephants")][0]
    sheet.loc[elephants, "correct_codes"] = "B"
    sheet.loc[elephants, "correct_stance"] = "agree"
    club = sheet.index[sheet["text"].str.contains("youth club")][0]
    sheet.loc[club, "confirm"] = "Y"
    bad = sheet.index[sheet["text"].str.contains("stop and search")][0]
    sheet.loc[bad, "correct_codes"] = "Q9"
    analyst, problems = apply_review(sheet, out, small_codebook.ids)
    assert list(problems["statement_id"]) == [out.loc[out["text"].str.contains("stop"), "statement_id"].item()]
    assert "Q9" in problems["reason"].item()
    assert dict(zip(analyst["text"].str[:6], analyst["codes"], strict=True)) == {"Purple": "B", "We nee": "B"}

    new_text = ["Purple elephants dance loudly on Sundays."]
    before = coder.predict_proba(new_text)[0, 1]
    retrained = CodebookCoder(small_codebook, embedder=emb).fit(analyst["text"].tolist(), analyst["codes"].tolist())
    after = retrained.predict_proba(new_text)[0, 1]
    assert after > before + 0.1
    assert retrained.predict(new_text) == [["B"]]

    out2, codes2 = code_statements(st, retrained, qi, StanceClassifier(), analyst)
    sid = out.loc[out["text"].str.contains("elephants"), "statement_id"].item()
    row = codes2[codes2["statement_id"] == sid]
    assert row[["code", "source", "confidence"]].values.tolist() == [["B", "analyst", 1.0]]
    assert out2.set_index("statement_id").loc[sid, ["reviewed", "stance"]].tolist() == [True, "agree"]
    assert int(out2["reviewed"].sum()) == 2

    # a later review of the same statement replaces the earlier decision
    sheet2 = review_sheet(out2, codes2).astype(str)
    sheet2.loc[sheet2["statement_id"] == sid, "correct_codes"] = "none"
    analyst2, _ = apply_review(sheet2, out2, small_codebook.ids, previous=analyst)
    assert analyst2.set_index("statement_id").loc[sid, "codes"] == "none" and len(analyst2) == 2


def test_apply_review_needs_its_columns(small_codebook):
    _, st, _ = _statements()
    with pytest.raises(ValueError, match="no column"):
        apply_review(pd.DataFrame({"statement_id": ["x"]}), st, small_codebook.ids)


# ----------------------------------------------------------------------------- neighbours, fallback, label count
def test_knn_features_leave_each_training_statement_out_of_its_own_neighbours():
    cb = Codebook.from_labels(["X", "Y"])
    texts = ["red apples grow here", "red apples grow here too", "blue boats sail far", "blue boats sail away"]
    coder = CodebookCoder(cb, embedder=HashEmbedder(), min_analyst_for_cv=100).fit(texts, ["X", "X", "Y", "Y"])
    emb = coder.embedder_.encode(texts)
    with_self = coder._knn_features(texts, emb)
    without_self = coder._knn_features(texts, emb, exclude_pool=np.arange(4))
    # columns: best embedding sim per code (+ no-code), best char sim per code, vote per code (+ no-code)
    assert with_self[0, 0] == pytest.approx(1.0, abs=1e-5)  # it finds itself
    assert without_self[0, 0] < 0.99  # left out: its nearest X is the other apple statement
    assert without_self[0, 0] > without_self[0, 1]  # still nearer the X statements than the Y ones
    vote = without_self[:, -3:]
    assert np.allclose(vote.sum(axis=1), 1.0) and vote[0, 0] > vote[0, 1]


def test_knn_features_in_blocks_of_rows_equal_all_rows_at_once(monkeypatch):
    from pipeline.coding import coder as coder_module

    cb = Codebook.from_labels(["X", "Y"])
    texts = ["red apples grow here", "red apples grow here too", "blue boats sail far", "blue boats sail away",
             "apples and boats", "nothing at all"]
    coder = CodebookCoder(cb, embedder=HashEmbedder(), min_analyst_for_cv=100).fit(texts[:4], ["X", "X", "Y", "Y"])
    emb = coder.embedder_.encode(texts)
    exclude = np.array([0, 1, 2, 3, -1, -1])
    whole = coder._knn_features(texts, emb, exclude_pool=exclude)
    monkeypatch.setattr(coder_module, "KNN_ROWS", 4)
    assert np.array_equal(coder._knn_features(texts, emb, exclude_pool=exclude), whole)
    monkeypatch.setattr(coder_module, "KNN_ROWS", 1)
    assert np.array_equal(coder._knn_features(texts, emb), coder_module.np.vstack(
        [coder._knn_rows(texts[i:i + 1], emb[i:i + 1], None) for i in range(len(texts))]))


def test_knn_can_be_switched_off(small_codebook):
    coder = CodebookCoder(small_codebook, embedder=HashEmbedder(), knn=False).fit()
    assert coder.pool_labels_ is None
    assert coder.predict(["The police stop and search my cousin every week."])[0] == ["A"]


def test_fallback_gives_the_top_code_only_with_a_lexicon_hit(small_codebook):
    coder = CodebookCoder(small_codebook, embedder=HashEmbedder(), fallback_ratio=0.5, max_codes=0).fit()
    coder.thresholds_ = {"A": 0.8, "B": 0.8}
    proba = np.array([[0.6, 0.1], [0.6, 0.1], [0.3, 0.1]])
    matches = [{"A": ["stop and search"]}, {}, {"A": ["stop and search"]}]
    chosen = coder._decide(proba, matches)
    # 0.6 >= 0.5 * 0.8 with a term -> A; no term -> nothing; 0.3 < 0.4 -> nothing
    assert chosen.tolist() == [[True, False], [False, False], [False, False]]
    coder.fallback_ratio = 0.0
    assert not coder._decide(proba, matches).any()


def test_max_codes_keeps_the_codes_furthest_above_threshold(small_codebook):
    coder = CodebookCoder(small_codebook, embedder=HashEmbedder(), max_codes=1).fit()
    coder.thresholds_ = {"A": 0.2, "B": 0.5}
    chosen = coder._decide(np.array([[0.3, 0.9], [0.5, 0.6]]), [{}, {}])
    # ratios: row 0 A 1.5, B 1.8 -> B; row 1 A 2.5, B 1.2 -> A
    assert chosen.tolist() == [[False, True], [True, False]]
    coder.max_codes = 0
    assert coder._decide(np.array([[0.3, 0.9]]), [{}]).tolist() == [[True, True]]


# ----------------------------------------------------------------------------- stance by question
def test_rule_stance_uses_the_question():
    texts = ["The police stop young people for nothing.", "The police stop young people for nothing.",
             "Officers never explain anything.", "It's not in the plan at all.", "Good plan but the courts are missing."]
    labels, _ = rule_stance(cue_counts(texts), ["interpreted", "other", "solutions", "listened", "solutions"])
    # plain negation describing a problem is not disagreement with the plan; `other` is always unclear
    assert labels == ["agree", "unclear", "agree", "disagree", "mixed"]
    assert rule_stance(cue_counts(texts[:1]))[0] == ["unclear"]  # no question: no default
    assert rule_stance(cue_counts(texts[:1]), ["interpreted"], {"interpreted": "unclear"})[0] == ["unclear"]


def test_stance_classifier_without_labels_passes_questions_to_the_rules():
    sc = StanceClassifier(embedder=HashEmbedder()).fit()
    labels, _ = sc.predict(["Yes, they heard us.", "We had tea."], ["other", "listened"])
    assert labels == ["unclear", "agree"]


# ----------------------------------------------------------------------------- BERTopic baseline fallback
def test_zeroshot_assign_by_hand_vectors():
    from pipeline.coding.evaluate import zeroshot_assign

    desc = np.array([[1.0, 0.0], [0.0, 1.0]])
    emb = np.array([[0.9, 0.1], [0.2, 0.95], [0.1, 0.1]])
    assert zeroshot_assign(emb, desc, ["A", "B"], min_similarity=0.5) == [["A"], ["B"], []]
    assert zeroshot_assign(np.zeros((0, 2)), desc, ["A", "B"]) == []


@pytest.mark.slow
def test_bertopic_baseline_falls_back_on_a_small_set(small_codebook):
    from pipeline.coding.evaluate import bertopic_zeroshot
    from pipeline.nlp.embed import Embedder

    texts = ["The police stop and search my brother.", "We need a youth club.", "Thank you for the tea.",
             "Officers searched us again.", "Nothing to do for teenagers here."]
    pred, method = bertopic_zeroshot(texts, small_codebook, Embedder(show_progress=False).encode(texts))
    assert len(pred) == 5 and "zero-shot assignment only" in method
    assert all(p in ([], ["A"], ["B"]) for p in pred)


# --------------------------------------------------------------------------- zero-shot, conventions, stance
def _descriptions_only() -> Codebook:
    return parse_codebook({"name": "descriptions only", "codes": [
        {"id": "A", "name": "Police stops", "description": "police stop search street officers"},
        {"id": "B", "name": "Youth clubs", "description": "youth club activities young people evenings"},
        {"id": "C", "name": "Housing", "description": "housing rent landlord flat repairs"},
    ]})


def test_a_codebook_with_descriptions_only_codes_without_any_training():
    coder = CodebookCoder(_descriptions_only(), embedder=HashEmbedder(), zero_shot_z=1.0).fit()
    assert coder.zero_shot_ and coder.calibration_.startswith("zero-shot")
    pred = coder.predict(["The police stop and search us in the street.", "Open a youth club for young people.",
                          "Completely unrelated words entirely."])
    assert pred[0] == ["A"] and pred[1] == ["B"]
    assert pred[2] == []  # below the floor: uncoded, never forced
    codes = coder.code(["The landlord never does the repairs in my flat."])[0]
    assert codes[0]["code"] == "C" and 0.5 <= codes[0]["confidence"] <= 1.0


def test_a_bare_codebook_without_descriptions_still_says_there_is_nothing_to_learn_from():
    bare = Codebook.from_labels(["A", "B"])
    with pytest.raises(ValueError, match="nothing to learn the codes from"):
        CodebookCoder(bare, embedder=HashEmbedder()).fit()


def test_the_analysts_convention_overrides_a_conflicting_codebook_example(small_codebook_spec):
    # The codebook's examples teach "stop and search" statements as A; this consultation's analyst
    # codes them B (say, their convention files stops under another area). Their statements win.
    cb = parse_codebook(small_codebook_spec)
    own = [f"The police stop and search {w} on the way home." for w in
           ("me", "us", "my cousin", "the lads", "my brother", "him", "her", "them", "my mate", "everyone",
            "the kids", "my son", "my daughter", "the boys", "the girls", "our neighbours", "my uncle", "my friend",
            "young people", "Black lads", "Traveller kids", "my sister", "our family", "the youth", "students",
            "asylum seekers", "my dad", "my mum", "people like us", "the whole group")]
    own_codes = ["B"] * len(own)
    generic = CodebookCoder(cb, embedder=HashEmbedder(), max_codes=1).fit()
    tuned = CodebookCoder(cb, embedder=HashEmbedder(), max_codes=1, own_weight=3.0, min_own_for_cv=30).fit(
        own_texts=own, own_labels=own_codes)
    probe = ["The police stop and search my cousins on the way home."]
    assert generic.predict(probe) == [["A"]]
    assert tuned.predict(probe) == [["B"]]
    assert "this consultation's analyst" in tuned.calibration_


def test_a_point_made_in_one_sentence_of_a_long_statement_is_scored_from_that_sentence(small_codebook):
    """sentence_weight blends a multi-sentence statement's score with its best sentence's; one sentence is
    scored as before, and 0 switches the blend off."""
    from pipeline.coding.coder import sentence_pieces

    pieces, owner = sentence_pieces(["One short one.", "First point is here. Second point is here too.", "x"])
    assert pieces == ["First point is here.", "Second point is here too."] and owner == [1, 1]
    whole = CodebookCoder(small_codebook, embedder=HashEmbedder(), sentence_weight=0.0).fit()
    blended = CodebookCoder(small_codebook, embedder=HashEmbedder(), sentence_weight=0.5).fit()
    long = "We talked for ages about the weather and the buses and the shops in town today. " + \
        "The police stop and search us every week."
    single = "The police stop and search us every week."
    p_whole, p_blend, p_sentence = whole.predict_proba([long])[0], blended.predict_proba([long])[0], \
        whole.predict_proba([single])[0]
    np.testing.assert_allclose(p_blend, 0.5 * p_whole + 0.5 * np.maximum(p_sentence, whole.predict_proba(
        ["We talked for ages about the weather and the buses and the shops in town today."])[0]), atol=1e-9)
    np.testing.assert_allclose(blended.predict_proba([single]), whole.predict_proba([single]))


def test_stance_cues_read_hedges_and_sarcasm():
    labels, _ = rule_stance(cue_counts(["Yeah right, they listened.", "Not really, nobody listened to us.",
                                        "Partly, some of it is in there but not the police bit."]),
                            ["listened", "listened", "listened"])
    assert labels[1] == "disagree"
    assert labels[2] == "mixed"


def test_stance_classifier_learns_per_question():
    texts = ["yes"] * 12 + ["yes"] * 12 + ["no"] * 12 + ["no"] * 12
    questions = ["listened"] * 12 + ["solutions"] * 12 + ["listened"] * 12 + ["solutions"] * 12
    stances = ["agree"] * 12 + ["unclear"] * 12 + ["disagree"] * 12 + ["disagree"] * 12
    sc = StanceClassifier(embedder=HashEmbedder(), min_labelled=10).fit(texts, stances, questions)
    assert set(sc.question_models_) == {"listened", "solutions"}
    pred, _ = sc.predict(["yes", "yes", "no"], ["listened", "solutions", "listened"])
    assert pred == ["agree", "unclear", "disagree"]


def test_codebook_questions_say_what_each_stance_means():
    cb = load_codebook()
    assert cb.question("listened").stance_phrase("disagree") == "says CJIW has not listened"
    assert cb.question("solutions").stance_phrase("disagree") == "thinks the solutions are wrong or not enough"
    assert all(cb.question(q).stance_examples for q in ("listened", "interpreted", "solutions"))


def test_review_sheet_follows_the_given_order_and_shows_name_checks(small_codebook):
    _, st, _ = _statements()
    emb = HashEmbedder()
    out, codes = code_statements(st, _strict_coder(small_codebook, emb), QuestionInferer(small_codebook, embedder=emb).fit(),
                                 StanceClassifier())
    ids = out["statement_id"].tolist()
    priority = pd.Series(range(len(ids)), index=ids[::-1])  # the reverse of the table's order
    first_response = out.loc[out["statement_id"] == ids[-1], "response_id"].item()
    sheet = review_sheet(out, codes, priority, pd.Series({first_response: "name found only by ner"}))
    assert sheet["statement_id"].tolist()[0] == ids[-1]
    assert sheet.loc[0, "check_names"] == "name found only by ner"
    assert (sheet.loc[1:, "check_names"] == "").all() or first_response in set(
        out.loc[out["statement_id"].isin(sheet.loc[1:, "statement_id"]), "response_id"])


def test_the_coders_own_defaults_are_the_shipped_settings():
    """A CodebookCoder made without settings codes as `make code` does: no default drifts from settings.yaml."""
    import inspect

    from pipeline.coding.training import CODER_KEYS, coding_settings

    s = coding_settings()
    ctor = inspect.signature(CodebookCoder.__init__).parameters
    drift = {k: (ctor[k].default, s[k]) for k in CODER_KEYS if k in s and ctor[k].default != s[k]}
    assert not drift, f"CodebookCoder default differs from config/settings.yaml coding.*: {drift}"
