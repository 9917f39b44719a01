"""Tests for pipeline.vocab: mapping free text onto the controlled vocabularies."""

from pipeline import config
from pipeline.vocab import explode_multi, map_value, normalise_label, split_multi

VOCAB = config.load_yaml("vocabularies.yaml")


def test_normalise_label_folds_case_punctuation_and_curly_apostrophes():
    assert normalise_label("  Ydyn ni wedi dehongli\u2019r heriau\u2019n gywir? ") == "ydyn ni wedi dehongli r heriau n gywir"


def test_map_value_matches_aliases_and_ids():
    assert map_value("Youth Justice", VOCAB["cohorts"]) == "youth_justice"
    assert map_value("South Wales Police", VOCAB["police_force_areas"]) == "South Wales"
    assert map_value("gypsy_roma_traveller", VOCAB["cohorts"]) == "gypsy_roma_traveller"


def test_map_value_joins_several_values_in_vocabulary_order():
    assert map_value("schools; prison", VOCAB["cohorts"]) == "prison;schools"
    assert map_value("Gwent and Cardiff", VOCAB["police_force_areas"]) == "Gwent;South Wales"


def test_map_value_unknown_for_blank_or_unmatched():
    assert map_value("", VOCAB["cohorts"]) == "unknown"
    assert map_value(None, VOCAB["cohorts"]) == "unknown"
    assert map_value(float("nan"), VOCAB["cohorts"]) == "unknown"
    assert map_value("Martians", VOCAB["cohorts"]) == "unknown"


def test_split_and_explode_multi():
    assert split_multi("prison;schools") == ["prison", "schools"]
    assert split_multi("") == ["unknown"]
    assert explode_multi(["prison;schools", "prison"]) == ["prison", "schools", "prison"]
