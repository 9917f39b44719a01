"""Tests for pipeline.ingest.name_model: the learned name model on top of the name rules (issue 17).

Fixtures are hand-written here (sentences, and tiny weight files that make one word a name); none is
copied from the redaction evaluation or training sets.
"""

import copy
import json

import pandas as pd
import pytest

from pipeline import config
from pipeline.ingest.name_model import (
    DEFAULT_MODEL,
    FEATURE_GROUPS,
    NameModel,
    NameModelError,
    candidates,
    join_adjacent,
    model_from_config,
)
from pipeline.ingest.names import NameFinder, NameSpan
from pipeline.ingest.redact import redact

CFG = config.load_yaml("redaction.yaml")


def _cfg(**name_model):
    cfg = copy.deepcopy(CFG)
    cfg["name_model"] = {**cfg.get("name_model", {}), **name_model}
    return cfg


def _red(text, cfg, language="en", use_ner=False):
    out = redact(pd.DataFrame({"text": [text], "language": [language]}), cfg, use_ner=use_ner)
    return out["text"].iloc[0]


def _weights_file(tmp_path, weights, groups=FEATURE_GROUPS):
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"groups": list(groups), "weights": weights}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def finder():
    return NameFinder(_cfg(enabled=False))


# -- loading and switching off ------------------------------------------------------------------------------


def test_config_has_one_switch_and_the_shipped_model_loads():
    assert isinstance(CFG["name_model"]["enabled"], bool)
    assert model_from_config(_cfg(enabled=False)) is None
    model = model_from_config(_cfg(enabled=True))
    assert model is not None and model.threshold == CFG["name_model"]["threshold"]
    assert set(model.groups) <= set(FEATURE_GROUPS) and "bias" in model.weights
    data = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    assert data["training_files"] == CFG["name_model"]["training_files"]


def test_a_missing_or_broken_model_file_says_what_to_do(tmp_path):
    with pytest.raises(NameModelError, match="train_name_model.py"):
        NameModel.load(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(NameModelError, match="enabled: false"):
        NameModel.load(bad)
    odd = _weights_file(tmp_path, {"bias": 0.0}, groups=["word", "telepathy"])
    with pytest.raises(NameModelError, match="telepathy"):
        NameModel.load(odd)
    with pytest.raises(NameModelError):
        NameFinder(_cfg(enabled=True, file=str(tmp_path / "nope.json")))


# -- the model is used, and only where it may be -------------------------------------------------------------


def test_a_word_the_model_scores_high_becomes_a_name_and_is_ignored_when_switched_off(tmp_path):
    # a hand-made model: only the word "zorbek" (by its character 4-grams) is a name
    path = _weights_file(tmp_path, {"bias": -8.0, "c4=zorb": 5.0, "c4=rbek": 5.0})
    text = "The flat above is where zorbek stays most nights."
    assert _red(text, _cfg(enabled=False)) == text
    assert _red(text, _cfg(enabled=True, file=str(path), threshold=0.5)) == (
        "The flat above is where [NAME] stays most nights.")
    # a threshold above its score leaves it
    assert _red(text, _cfg(enabled=True, file=str(path), threshold=0.99)) == text


def test_the_model_never_takes_kept_words_placeholders_or_answers_in_languages_it_is_not_set_for(tmp_path):
    path = _weights_file(tmp_path, {"bias": 9.0})  # everything is a name
    cfg = _cfg(enabled=True, file=str(path), threshold=0.5, languages=["en"])
    text = "On Monday Cardiff Council phoned 07700 900123 about South Wales Police."
    out = _red(text, cfg)
    for word in ("Monday", "Cardiff", "Council", "South", "Wales", "Police", "[PHONE]"):
        assert word in out, out
    welsh = "Roedd Zorbek yn y dref ddoe."
    assert _red(welsh, cfg, language="cy") == _red(welsh, _cfg(enabled=False), language="cy")
    # set for Welsh too (as shipped), it reads Welsh answers
    assert "[NAME]" in _red(welsh, _cfg(enabled=True, file=str(path), threshold=0.5, languages=["en", "cy"]), language="cy")


def test_a_model_word_beside_a_found_name_makes_one_placeholder(tmp_path):
    path = _weights_file(tmp_path, {"bias": -8.0, "c4=zorb": 5.0, "c4=rbek": 5.0})
    out = _red("My brother Tyrone Zorbek got stopped again.", _cfg(enabled=True, file=str(path)))
    assert out == "My brother [NAME] got stopped again."


def test_join_adjacent_joins_only_model_words_across_spaces():
    text = "Ali Zorbek, Sam Jones"
    spans = [NameSpan(0, 3, "NAME", "gazetteer"), NameSpan(4, 10, "NAME", "model"),
             NameSpan(12, 15, "NAME", "gazetteer"), NameSpan(16, 21, "NAME", "context")]
    out = join_adjacent(text, spans)
    assert [(s.start, s.end, s.source) for s in out] == [(0, 10, "gazetteer"), (12, 15, "gazetteer"),
                                                         (16, 21, "context")]


def test_veto_drops_a_weak_span_the_model_doubts_but_never_a_cue(tmp_path, finder):
    model = NameModel({"bias": -6.0}, FEATURE_GROUPS, threshold=0.5, veto_below=0.5)
    text = "Kasia came round. My brother Tyrone did too."
    spans = [NameSpan(0, 5, "NAME", "gazetteer"), NameSpan(29, 35, "NAME", "context")]
    out = model.apply(finder, text, spans, None)
    assert [(s.start, s.end) for s in out] == [(29, 35)]
    keep_all = NameModel({"bias": -6.0}, FEATURE_GROUPS, threshold=0.5, veto_below=None)
    assert [(s.start, s.end) for s in keep_all.apply(finder, text, spans, None)] == [(0, 5), (29, 35)]


# -- candidates and features ------------------------------------------------------------------------------


def test_candidates_leave_out_everyday_lower_case_words_and_describe_cues(finder):
    text = "me and zorbek went to the shop, then Kasia said no."
    cands = {text[c.start : c.end]: c for c in candidates(finder, text, [], None)}
    assert set(cands) == {"zorbek", "Kasia"}
    assert "me_and" in cands["zorbek"].features and "n_speech" in cands["Kasia"].features
    assert "is_first" in cands["Kasia"].features and "ner=off" in cands["Kasia"].features
    assert "rule=none" in cands["zorbek"].features


def test_candidate_features_mark_found_neighbours_and_ner_labels(finder):
    text = "We met Tyrone Zorbek in Newport."
    spans = [NameSpan(7, 13, "NAME", "gazetteer")]
    ents = [(7, 20, "PERSON"), (24, 31, "GPE")]
    cands = {text[c.start : c.end]: c for c in candidates(finder, text, spans, ents)}
    assert "p_found" in cands["Zorbek"].features and "ner=PERSON" in cands["Zorbek"].features
    assert "rule=gazetteer" in cands["Tyrone"].features
    assert not [c for c in candidates(finder, text, spans, ents, found_words=False) if c.source]


# -- the shipped model --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a name of an origin the gazetteer lacks, with no cue the rules know; the NER misses it too
        ("They searched Yaretzi twice in one week.", "They searched [NAME] twice in one week."),
    ],
)
def test_the_shipped_model_finds_names_the_rules_and_the_ner_miss(text, expected):
    assert _red(text, _cfg(enabled=False), use_ner=True) == text  # fails if the rules learn these: pick others
    assert _red(text, _cfg(enabled=True), use_ner=True) == expected


def test_the_shipped_model_keeps_places_and_everyday_capitals():
    cfg = _cfg(enabled=True)
    for text in ("We drove from Swansea to Newport on Tuesday.", "Tell the Home Office we said no.",
                 "Nobody from the council came, not once."):
        assert _red(text, cfg, use_ner=True) == text


def test_the_training_script_refuses_held_out_sets(tmp_path):
    from scripts.train_name_model import prepare

    with pytest.raises(SystemExit, match="held out"):
        prepare(tmp_path / "eval5.jsonl", None)


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_model_file(tmp_path):
    from scripts.train_name_model import main

    out = tmp_path / "model.json"
    assert main(["--out", str(out)]) == 0
    # The fit runs in one thread (scripts/train_name_model.py:fit), so the file is the same byte for byte:
    # any change to the features, rules or training data breaks this until the model is retrained.
    assert out.read_text(encoding="utf-8") == DEFAULT_MODEL.read_text(encoding="utf-8")


def test_a_weak_word_next_to_a_name_joins_it_along_a_chain():
    from pipeline.ingest.name_model import Candidate, _next_to_names

    def cand(start, end):
        return Candidate(start=start, end=end, word="", static=(), context=())

    # "Van" is next to the name, then "Nguyen" is next to "Van"
    joined = _next_to_names("Nguyen Van Minh told us", [NameSpan(11, 15, "NAME", "rules")], [cand(7, 10), cand(0, 6)])
    assert sorted((s.start, s.end) for s in joined) == [(0, 6), (7, 10)]
    assert _next_to_names("Minh Nguyen told us", [NameSpan(0, 4, "NAME", "rules")], [cand(5, 11)]) == [
        NameSpan(5, 11, "NAME", "model")]
    assert _next_to_names("Nguyen said that Minh", [NameSpan(17, 21, "NAME", "rules")], [cand(0, 6)]) == []


def test_country_and_language_words_feed_the_model_and_its_veto():
    from pipeline.ingest.name_model import NameModel
    from pipeline.ingest.names import world_words

    world = world_words()
    assert {"eritrea", "lingala", "tigrinya", "kong"} <= world and "tyrone" not in world
    model = NameModel({"bias": 0.0}, veto_below=0.3, veto_sources=frozenset({"gazetteer"}),
                      veto_world_sources=frozenset({"context"}))
    text = "She speaks Lingala and Tyrone Davies helped"
    assert model._may_veto(text, NameSpan(11, 18, "NAME", "context"))  # every word a language name
    assert not model._may_veto(text, NameSpan(23, 35, "NAME", "context"))  # a person's name
    assert not model._may_veto(text, NameSpan(11, 18, "NAME", "title"))  # a source outside both lists
    assert model._may_veto(text, NameSpan(23, 35, "NAME", "gazetteer"))


def test_a_word_repeated_across_a_link_word_is_never_a_model_name():
    from pipeline.ingest.name_model import _reduplicated

    text = "Half and half. Bit by bit. Tyrone and Jamal came."
    assert _reduplicated(text, 0, 4) and _reduplicated(text, 9, 13)  # both halves of "Half and half"
    assert _reduplicated(text, 15, 18)  # "Bit by bit"
    assert not _reduplicated(text, 27, 33)  # "Tyrone and Jamal"
    assert _red("Half and half. Officers came.", _cfg(enabled=True)) == "Half and half. Officers came."
