"""Tests for pipeline.disclosure: the one implementation of small counts and quote picking."""

import pandas as pd
import pytest

from pipeline import disclosure as D
from pipeline.i18n import translator


def test_min_count_comes_from_the_settings_and_is_required():
    assert D.min_count({"disclosure": {"min_count": 7}}) == 7
    assert D.min_count() == 5  # config/settings.yaml
    with pytest.raises(ValueError, match="disclosure.min_count"):
        D.min_count({})


def test_small_counts_are_hidden_in_tables_and_worded_in_sentences():
    df = pd.DataFrame({"n": [0, 1, 4, 5, None], "label": ["a", "b", "c", "d", "e"]})
    shown = D.suppress(df, ["n", "absent"], 5)
    assert shown["n"].tolist()[:4] == [0, "<5", "<5", 5] and pd.isna(shown["n"].iloc[4])
    assert df["n"].iloc[1] == 1  # the input is not changed
    assert D.count_text(3, 5) == "<5" and D.count_text(12, 5) == "12"
    assert D.count_text(3, 5, sentence=True) == "fewer than 5"
    assert D.count_text(3, 5, translator("cy"), sentence=True) == "llai na 5"
    assert D.share_text(2, 4, 5) == "\u2013" and D.share_text(2, 8, 5) == "25%"
    assert D.people_text(3, 1, 5) == "fewer than 5 people, 1 organisation"
    assert D.people_text(12, 3, 5) == "12 people, 3 organisations"
    assert "1 to 4" in D.suppression_note(5)


def test_pick_texts_screens_personal_data_identifying_details_and_repeats():
    texts = [
        "Email me at jo.bloggs@example.org about the stop and search I had.",
        "I'm the only Black officer in Aberystwyth and everyone knows it is me.",
        "They searched me twice in a week and found nothing on me at all.",
        "They searched me twice in a week and found nothing on me at all!",
        "The police never explain why they stop you, it happens every week.",
    ]
    picked = D.pick_texts(texts, 5, 300)
    assert picked == [texts[2], texts[4]]  # no email, no identifying detail, the repeat once


def test_pick_texts_keeps_one_quote_per_speaker_length_and_placeholders_last():
    texts = ["[NAME] said the police were rude to us again.", "The police were rude to us again last night.",
             "Short one.", "They never call back when you report something racist."]
    assert D.pick_texts(texts, 3, 300, min_chars=20) == [texts[1], texts[3], texts[0]]
    assert D.pick_texts(texts, 3, 300, min_chars=20, keys=["a", "a", "b", "b"]) == [texts[1], texts[3]]


def test_every_quote_picker_uses_the_same_screen():
    from pipeline.plancheck.match import pick_quotes
    from pipeline.triangulate.triangulate import pick_quotes as tri_quotes

    unsafe = "Ring me on 07700 900123 if you want to know what the police did to us."
    safe = "The police never explain why they stop you, it happens every single week."
    assert pick_quotes([unsafe, safe], 2, 300) == [safe]
    cell = pd.DataFrame({"participant_key": [f"p{i}" for i in range(6)], "organisation": ["o"] * 6,
                         "stance": ["disagree"] * 6, "statement_id": [f"s{i}" for i in range(6)],
                         "speaker": ["participant"] * 6, "text": [unsafe] * 5 + [safe]})
    assert tri_quotes(cell, {"o": 6}, 5, 3, 300) == f"\u201c{safe}\u201d"


def test_group_sizes_decide_which_groups_may_be_quoted():
    st = pd.DataFrame({"organisation": ["A"] * 6 + ["B"] * 2, "cohort": ["x"] * 8,
                       "participant_ref": [f"P{i}" for i in range(8)], "statement_id": [f"s{i}" for i in range(8)]})
    groups = D.group_sizes(st, None, 5).set_index("organisation")
    assert bool(groups.loc["A", "quotable"]) and not bool(groups.loc["B", "quotable"])
