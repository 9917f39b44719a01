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


from pipeline.ingest.questions import QuestionPlacer, looks_like_question  # noqa: E402

WORDS_ONLY = QuestionPlacer(config.load_yaml("questions.yaml")["questions"], use_embeddings=False)


def test_placer_tries_aliases_first():
    placement = WORDS_ONLY.place("Q2 - the challenges")
    assert (placement.question, placement.method, placement.confidence) == ("interpreted", "alias", 1.0)


def test_placer_by_words_places_a_paraphrase_and_leaves_metadata_unknown():
    placed = WORDS_ONLY.place("What should change?")
    assert (placed.question, placed.method) == ("solutions", "meaning") and 0.45 <= placed.confidence <= 1
    for label in ["Session date", "Cost (GBP)", "Notes", "How old are you?"]:
        assert WORDS_ONLY.place(label).question == "unknown", label


def test_placer_never_places_a_title_as_a_question_when_asked_for_question_wording():
    assert not looks_like_question("Feedback from the Valleys Youth Project")
    assert looks_like_question("2. What needs to happen next?") and looks_like_question("Beth ddylai newid")
    assert WORDS_ONLY.place("Changes we want to see", question_like=True).question == "unknown"


@pytest.mark.slow
def test_placer_by_meaning_places_paraphrases_in_english_and_welsh():
    placer = QuestionPlacer(config.load_yaml("questions.yaml")["questions"])
    # Hand-written wordings, none of them an alias or one of the questions' paraphrases.
    assert placer.place("How could things be improved?").question == "solutions"
    assert placer.place("Ydy'r cynllun yn deall eich problemau?").question == "interpreted"
    # (Not every paraphrase is placed: "Is there anything more you want to say?" scores 0.39 and stays unknown.)
    assert placer.place("Is there anything more you want to say?").question in ("other", "unknown")
    for label in ["Which police force area do you live in?", "What is your ethnicity?", "Venue and room booking"]:
        placement = placer.place(label)
        assert placement.question == "unknown" and placement.confidence < 0.45, label


# --- the embedding model is loaded only when a label needs placing by meaning -------------------

def _context():
    from pipeline.ingest.readers import ReadContext

    settings = config.settings()
    return ReadContext.from_config(config.load_yaml("questions.yaml")["questions"], settings["ingest_layout"],
                                   settings["ingest"], config.load_yaml("vocabularies.yaml"))


def _no_model(*args, **kwargs):
    raise AssertionError("an embedding model was loaded for headings that aliases place")


def test_a_return_whose_headings_all_match_aliases_loads_no_embedding_model(tmp_path, monkeypatch):
    from pipeline.ingest import minilm
    from pipeline.ingest.readers import read_return
    from pipeline.nlp import embed

    monkeypatch.setattr(minilm, "load_minilm", _no_model)
    monkeypatch.setattr(embed, "load_model", _no_model)
    path = tmp_path / "export.csv"
    path.write_text("ID,Start time,Email,Name,Q1,Have we interpreted,3. Have we outlined the solutions?\n"
                    "1,2026-03-04 10:00,a@example.org,Ann,We were heard at last.,Mostly yes.,More youth workers.\n"
                    "2,2026-03-04 10:05,b@example.org,Bob,Not really.,They missed racism.,Publish the figures.\n",
                    encoding="utf-8")
    items = read_return(path, _context())
    answers = items[items["kind"] == "item"]
    assert sorted(set(answers["question"])) == ["interpreted", "listened", "solutions"]
    assert len(answers) == 6


class _CountingEncoder:
    """Stands in for the numpy encoder: counts loads and calls, and gives every text the same vector."""

    loads = 0

    def __init__(self):
        type(self).loads += 1
        self.calls = 0

    def encode(self, texts):
        import numpy as np

        self.calls += 1
        out = np.zeros((len(texts), 384), dtype=np.float32)
        out[:, 0] = 1.0
        return out


def test_headings_placed_by_meaning_load_the_encoder_once_on_first_need(monkeypatch):
    from pipeline.ingest import minilm

    _CountingEncoder.loads = 0
    monkeypatch.setattr(minilm, "load_minilm", _CountingEncoder)
    placer = QuestionPlacer(config.load_yaml("questions.yaml")["questions"])
    assert placer.place("Q1").method == "alias" and _CountingEncoder.loads == 0
    placer.place("What should they do differently?")
    placer.place("Do you think they have understood the problems you face?")
    assert _CountingEncoder.loads == 1


@pytest.mark.slow
def test_numpy_minilm_agrees_with_sentence_transformers():
    import numpy as np

    from pipeline.ingest.minilm import MiniLM
    from pipeline.nlp.embed import load_model

    texts = ["How could things be improved?", "Ydy'r cynllun yn deall eich problemau?", "Ŵyr â chaffi naïf",
             "What should they do differently?", "Facilitator: Has CJIW listened to you? " * 60]  # the last is cut at 256 tokens
    ours = MiniLM().encode(texts)
    theirs = load_model().encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert ours.shape == (5, 384)
    assert np.abs(ours - theirs).max() < 1e-5
