"""Tests for pipeline.ingest.questions: placing headings and column names on the questions."""

import pytest

from pipeline import config
from pipeline.ingest.questions import QuestionMatcher

MATCHER = QuestionMatcher(config.load_yaml("questions.yaml")["questions"])


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Q1", "listened"),
        ("Have we listened?", "listened"),
        ("1. HAVE WE LISTENED?", "listened"),
        ("Q2 - the challenges", "interpreted"),
        ("3. Have we outlined the solutions?", "solutions"),
        ("Any other comments", "other"),
        ("Other comments, challenges, ideas and solutions", "other"),
        ("1.", "listened"),
        ("4", "other"),
    ],
)
def test_english_labels(label, expected):
    assert MATCHER.match(label) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Ydych chi wedi gwrando?", "listened"),
        ("Ydyn ni wedi dehongli\u2019r heriau\u2019n gywir?", "interpreted"),
        ("Cwestiwn 3", "solutions"),
        ("Sylwadau eraill", "other"),
    ],
)
def test_welsh_labels(label, expected):
    assert MATCHER.match(label) == expected


def test_bare_numbers_only_match_whole_labels():
    assert MATCHER.match("1 in 5 people were stopped") == "unknown"
    assert MATCHER.match("Q10") == "unknown"
    assert MATCHER.match("2") == "interpreted"


def test_unplaceable_labels_are_unknown():
    for label in ["Introduction", "", None, "Session date", "Attendees"]:
        assert MATCHER.match(label) == "unknown"


def test_strict_mode_ignores_phrases_inside_running_text():
    line = "Do you think we got the challenges right, or not at all"
    assert MATCHER.match(line) == "interpreted"
    assert MATCHER.match(line, strict=True) == "unknown"
    assert MATCHER.match("Other points raised in the interviews:", strict=True) == "unknown"
    assert MATCHER.match("Q3 Solutions", strict=True) == "solutions"
