"""Tests for pipeline.quasi: quotes that could identify someone are cut or withheld, and listed."""

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.quasi import CUT, load_config, screen_frame, screen_quote, screen_table, screen_texts

CFG = load_config()
FIXTURES = Path(__file__).parents[1] / "data" / "eval" / "redaction"


@pytest.mark.parametrize(
    "text",
    [
        "I was the only Black officer in Aberystwyth and nobody backed me up.",
        "I'm 15 and I live in Tywyn, everyone knows the police stop me.",
        "He got excluded from Ysgol Glan Taf after the fight and the police came.",
        "There's only one Sikh family in Bala and it's us.",
        "I'm the Kurdish barber on Station Road in Llandrindod, the one they raided in May.",
    ],
)
def test_identifying_combinations_are_withheld(text):
    decision = screen_quote(text, CFG)
    assert decision.action == "withhold" and decision.text == "" and decision.reason


@pytest.mark.parametrize(
    "text",
    [
        "Officers in Cardiff stop Black lads all the time, everyone knows it.",
        "We need more Black officers in Wales.",
        "My son is 14 and gets stopped all the time in Cardiff.",
        "Some of what we said last year is in there, so somebody was listening.",
        "I'm a mum of three from Newport and I worry about my boys.",
    ],
)
def test_ordinary_quotes_are_kept_as_they_are(text):
    assert screen_quote(text, CFG).action == "keep"
    assert screen_quote(text, CFG).text == text


def test_a_long_quote_is_cut_not_withheld():
    text = ("The police never listen to us. I was the only Black officer in Aberystwyth and nobody backed me up. "
            "Training is a tick-box exercise and it needs to change.")
    decision = screen_quote(text, CFG)
    assert decision.action == "cut"
    assert "Aberystwyth" not in decision.text and CUT in decision.text
    assert decision.text.startswith("The police never listen") and decision.text.endswith("needs to change.")


def test_frame_and_table_list_every_decision():
    quotes = pd.DataFrame(
        {
            "statement_id": ["S1", "S2", "S3"],
            "organisation": ["A", "A", "B"],
            "text": [
                "I'm 15 and I live in Tywyn, everyone knows the police stop me.",
                "We need more Black officers in Wales.",
                "The police never listen. I was the only Black officer in Aberystwyth. Training must change a lot.",
            ],
        }
    )
    shown, decisions = screen_frame(quotes, CFG)
    assert list(shown["statement_id"]) == ["S2", "S3"] and CUT in shown["text"].iloc[1]
    assert list(decisions["statement_id"]) == ["S1", "S3"] and list(decisions["action"]) == ["withhold", "cut"]
    table = screen_table(quotes, CFG)
    assert list(table["action"]) == ["withhold", "cut"] and list(table["organisation"]) == ["A", "B"]
    assert screen_texts(quotes["text"], CFG)[0] == quotes["text"].iloc[1]
    pd.testing.assert_frame_equal(quotes, quotes.copy())


def test_every_development_fixture_with_a_quasi_identifier_is_withheld_or_cut():
    rows = [json.loads(x) for x in (FIXTURES / "quasi_dev.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(rows) >= 40
    for row in rows:
        flagged = screen_quote(row["text"], CFG).action != "keep"
        assert flagged == row["quasi_identifier"], row


def test_quotes_in_reports_go_through_the_screen():
    from pipeline.reports.tables import select_quotes

    cands = pd.DataFrame(
        {
            "statement_id": ["S1", "S2"],
            "organisation": ["A", "A"],
            "cohort": ["c", "c"],
            "question": ["listened", "listened"],
            "stance": ["disagree", "disagree"],
            "speaker": ["participant", "participant"],
            "text": ["I'm 15 and I live in Tywyn, everyone knows the police stop me there.",
                     "Officers in Cardiff stop Black lads all the time, everyone knows it."],
        }
    )
    groups = pd.DataFrame({"organisation": ["A"], "cohort": ["c"], "quotable": [True]})
    quotes, skipped = select_quotes(cands, groups, {}, n=5)
    assert list(quotes["statement_id"]) == ["S2"]
    assert skipped["reason"].str.contains("could identify someone").any()
