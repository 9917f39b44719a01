"""pipeline.settings: frozen settings and vocabularies read from a config folder, no defaults in code."""

from __future__ import annotations

import shutil

import pytest

from pipeline.config import CONFIG_DIR, load_yaml
from pipeline.errors import ConfigError
from pipeline.settings import load_settings, load_vocabularies, lookup


@pytest.fixture
def config_copy(tmp_path):
    folder = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, folder)
    return folder


def test_settings_are_read_once_and_frozen():
    s = load_settings()
    assert s is load_settings(CONFIG_DIR)
    assert s.value("disclosure.min_count") == 5
    with pytest.raises(TypeError):
        s.values["random_state"] = 1  # type: ignore[index]
    before = s.value("random_state")
    copy = s.as_dict()
    copy["random_state"] = before + 1  # a plain copy may be changed without touching the settings
    assert s.value("random_state") == before


def test_a_missing_setting_is_a_config_error_not_a_default():
    with pytest.raises(ConfigError, match="no setting `topics.nonsense`"):
        load_settings().value("topics.nonsense")


def test_vocabularies_follow_the_config_folder(config_copy):
    text = (config_copy / "questions.yaml").read_text(encoding="utf-8")
    (config_copy / "questions.yaml").write_text(
        text.replace("questions:\n", "questions:\n  safety:\n    label: \"Do you feel safe?\"\n    aliases: [\"Q9\"]\n", 1),
        encoding="utf-8")
    vocab = load_vocabularies(config_copy)
    assert vocab.questions[0] == "safety" and vocab.questions[-2:] == ("other", "unknown")
    assert vocab.questions.count("other") == 1
    assert "safety" in vocab.consultation_questions and "unknown" not in vocab.consultation_questions
    assert vocab.forces == ("Dyfed-Powys", "Gwent", "North Wales", "South Wales") and vocab.all_wales == "All Wales"
    assert vocab.priority_areas["PA1"]


def test_exactly_one_whole_country_area(config_copy):
    path = config_copy / "vocabularies.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("whole_country: true, ", ""), encoding="utf-8")
    with pytest.raises(ConfigError, match="whole_country"):
        load_vocabularies(config_copy)


def test_other_config_files(config_copy):
    s = load_settings(config_copy)
    assert "codes" in s.yaml("triangulation.yaml")
    (config_copy / "ethnicity_map.csv").unlink()
    with pytest.raises(ConfigError, match="ethnicity_map.csv is missing"):
        s.file("ethnicity_map.csv")


def test_lookup_takes_the_given_value_else_the_config_files():
    given = {"quotes": {"max_quotes": 1, "max_chars": None}}
    assert lookup(given, "quotes.max_quotes", "triangulation.yaml") == 1
    # A key the dict lacks, or holds as null, comes from config/triangulation.yaml (written there only).
    shipped = load_yaml("triangulation.yaml")
    assert lookup(given, "quotes.max_chars", "triangulation.yaml") == shipped["quotes"]["max_chars"]
    assert lookup(None, "reliability.min_numerator", "triangulation.yaml") == shipped["reliability"]["min_numerator"]
    with pytest.raises(ConfigError, match="no setting `quotes.nowhere`"):
        lookup(given, "quotes.nowhere", "triangulation.yaml")
