"""Tests for pipeline.i18n: the English and Welsh message catalogue of the documents."""

import pytest

from pipeline import i18n


def test_english_is_the_message_itself_and_welsh_comes_from_the_catalogue():
    assert i18n.translator("en")("Summary of headline findings") == "Summary of headline findings"
    cy = i18n.translator("cy")
    assert cy("Summary of headline findings") == "Crynodeb o'r prif ganfyddiadau"
    assert cy("A message nobody wrote") == "A message nobody wrote"  # falls back to English
    assert cy.bcp47 == "cy-GB" and i18n.translator().bcp47 in ("en-GB", "cy-GB")


def test_language_from_the_environment_and_unknown_languages_are_refused(monkeypatch):
    monkeypatch.setenv("REPORT_LANG", "cy")
    assert i18n.translator().language == "cy"
    monkeypatch.setenv("REPORT_LANG", "fr")
    with pytest.raises(i18n.UnknownLanguageError, match="REPORT_LANG=cy"):
        i18n.translator()


def test_entries_needing_a_welsh_speaker_are_marked_and_names_prefer_their_welsh_form():
    cy = i18n.translator("cy")
    assert cy.needs_check("Summary of headline findings")
    assert cy.name({"name": "Challenge racism", "name_cy": "Herio hiliaeth yn gyhoeddus"}) == "Herio hiliaeth yn gyhoeddus"
    assert cy.name({"name": "Challenge racism"}) == "Herio hiliaeth"  # from the catalogue
    assert i18n.translator("en").name({"name": "Challenge racism", "name_cy": "x"}) == "Challenge racism"
    assert cy.plural("{n} organisation", "{n} organisations", 3).format(n=3) == "3 sefydliad"


def test_every_welsh_entry_keeps_the_placeholders_of_its_english_text():
    import re

    cy = i18n.translator("cy")
    for msgid in cy.messages():
        assert set(re.findall(r"\{\w*\}", msgid)) == set(re.findall(r"\{\w*\}", cy(msgid))), msgid
