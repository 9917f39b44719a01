"""Shared test set-up: a fixture pseudonym key (so no test creates a key file beside its fixtures) and the
fixtures several test modules use (tests never import each other)."""

import copy

import pytest

#: The fixture key every test ingests with (never a real consultation's key).
FIXTURE_KEY = "test-fixture-pseudonym-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def _pseudonym_key(monkeypatch):
    monkeypatch.setenv("CJIW_PSEUDONYM_KEY", FIXTURE_KEY)


#: A two-code codebook (English and Welsh terms and examples, two questions) for the coding tests.
SMALL_CODEBOOK = {
    "name": "test codebook",
    "codes": [
        {"id": "A", "name": "Police stops", "description": "Being stopped and searched by the police.",
         "terms": {"en": ["stop and search"], "cy": ["stopio a chwilio"]},
         "examples": {"en": ["The police stop and search my brother all the time.",
                             "Officers stopped us on the street for no reason.",
                             "I get searched every week walking home."],
                      "cy": ["Mae'r heddlu yn ein stopio a'n chwilio o hyd."]}},
        {"id": "B", "name": "Youth clubs", "description": "Youth clubs and activities for young people.",
         "terms": {"en": ["youth club"], "cy": ["clwb ieuenctid"]},
         "examples": {"en": ["We need a youth club in the village.",
                             "There is nothing for young people to do in the evenings.",
                             "Bring back the football sessions for teenagers."],
                      "cy": ["Does dim clwb ieuenctid yma."]}},
    ],
    "uncoded_examples": {"en": ["Thank you for the tea.", "The meeting was on Tuesday.", "I have nothing else to add.",
                                "Can you repeat the question?", "The weather was lovely today.", "That is all from me."]},
    "questions": [
        {"id": "listened", "name": "Listened", "description": "Has CJIW listened to our voices",
         "cues": {"en": ["listened", "heard"]}, "examples": {"en": ["They listened to us."]}},
        {"id": "solutions", "name": "Solutions", "description": "Are the solutions right",
         "cues": {"en": ["solutions", "should"]}, "examples": {"en": ["The solutions should go further."]}},
    ],
}


@pytest.fixture
def small_codebook_spec() -> dict:
    """A fresh copy of :data:`SMALL_CODEBOOK` (a test may change it)."""
    return copy.deepcopy(SMALL_CODEBOOK)
