"""Tests for pipeline.ingest.redact: every kind of personal data, and what must stay."""

import pandas as pd
import pytest

from pipeline import config
from pipeline.ingest.redact import count_kinds, redact

CFG = config.load_yaml("redaction.yaml")


def _one(text, language="en", use_ner=False):
    out = redact(pd.DataFrame({"text": [text], "language": [language]}), CFG, use_ner=use_ner)
    return out["text"].iloc[0], int(out["n_redactions"].iloc[0]), out["redaction_kinds"].iloc[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Email me at amara.o@example.org please.", "Email me at [EMAIL] please."),
        ("Ring 07700 900123 any time.", "Ring [PHONE] any time."),
        ("Ring 07700900123.", "Ring [PHONE]."),
        ("Call +44 7700 900123 or +44 (0)29 2018 0000.", "Call [PHONE] or [PHONE]."),
        ("The centre is on 029 2018 0000 or 01633 123456.", "The centre is on [PHONE] or [PHONE]."),
        ("They moved us to NP20 2JG last year.", "They moved us to [POSTCODE] last year."),
        ("My number is A1234BC if you check.", "My number is [PRISON_NUMBER] if you check."),
        ("National insurance QQ 12 34 56 C was lost.", "National insurance [NI_NUMBER] was lost."),
        ("I was born on 3 March 2007 in Cardiff.", "I was born on [DOB] in Cardiff."),
        ("They wrote my DOB: 03/04/2007 wrong.", "They wrote my DOB: [DOB] wrong."),
        ("I live at 12 Acacia Road now.", "I live at [ADDRESS] now."),
        ("Rwy'n byw yn 12 Heol y Parc, Bangor.", "Rwy'n byw yn [ADDRESS], Bangor."),
        ("PC Jones stopped me in Newport.", "PC [NAME] stopped me in Newport."),
        ("Ms Begum from the council never rang back.", "Ms [NAME] from the council never rang back."),
        ("My name is Daniel Price and I've been here two years.", "My name is [NAME] and I've been here two years."),
        ("Amara Okafor from the project helped me.", "[NAME] from the project helped me."),
    ],
)
def test_rules_redact_each_kind(text, expected):
    redacted, n, _ = _one(text)
    assert redacted == expected
    assert n == expected.count("[")


@pytest.mark.parametrize(
    "text",
    [
        "Gwent Police stopped us in Cardiff three times.",
        "HMP Parc and the Home Office never reply; CJIW should make them.",
        "I'm Black and I'm Muslim, and I'm Welsh too.",
        "They called Gwent Police and nothing happened.",
        "We had 24 people and 3 sessions in 2025; 1 in 5 were stopped.",
        "South Wales Police said the Home Office would decide.",
    ],
)
def test_places_forces_organisations_and_descriptions_stay(text):
    redacted, n, _ = _one(text, use_ner=True)
    assert redacted == text
    assert n == 0


def test_ner_finds_names_the_rules_miss_but_keeps_places():
    redacted, n, kinds = _one("My social worker Sarah Hughes never asked. We met in Llanelli.", use_ner=True)
    assert "Sarah Hughes" not in redacted and "[NAME]" in redacted
    assert "Llanelli" in redacted
    assert kinds == "NAME=1" and n == 1


def test_welsh_text_uses_rules_only():
    text = "Fy enw i yw Siân Jones ac rwy'n byw yn 5 Stryd Fawr, Wrecsam LL11 1AA."
    redacted, n, kinds = _one(text, language="cy", use_ner=True)
    assert redacted == "Fy enw i yw [NAME] ac rwy'n byw yn [ADDRESS], Wrecsam [POSTCODE]."
    assert kinds == "NAME=1;POSTCODE=1;ADDRESS=1" and n == 3


def test_redact_returns_a_new_frame_and_counts_kinds():
    df = pd.DataFrame({"text": ["Ring 07700 900123 or email a@b.org", "Nothing personal"], "language": ["en", "en"]})
    before = df.copy()
    out = redact(df, CFG, use_ner=False)
    pd.testing.assert_frame_equal(df, before)
    assert out["n_redactions"].tolist() == [2, 0]
    assert count_kinds(out["redaction_kinds"]) == {"PHONE": 1, "EMAIL": 1}


def test_numbers_that_are_not_phones_stay():
    text = "Session 2 had 012 people; ref 0123 4567; year 2026."
    assert _one(text)[0] == text
