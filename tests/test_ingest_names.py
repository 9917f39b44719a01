"""Tests for pipeline.ingest.names: the rules for names beside a found name, groups, pairs,
participant references, contact verbs, speech verbs and text-speak (rules only, no NER).

Fixtures are hand-written here; none is copied from the redaction evaluation sets.
"""

import pandas as pd
import pytest

from pipeline import config
from pipeline.ingest.redact import redact

CFG = config.load_yaml("redaction.yaml")


def _red(text):
    out = redact(pd.DataFrame({"text": [text], "language": ["en"]}), CFG, use_ner=False)
    return out["text"].iloc[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the first half of a two-part name is taken with the found half
        ("Nana Kofi said the elders stay quiet.", "[NAME] said the elders stay quiet."),
        ("Justice Boateng, 16, said he was searched.", "[NAME], 16, said he was searched."),
        ("Liu Yang said the officer shouted.", "[NAME] said the officer shouted."),
        ("Trevor Brown, the chair, said no.", "[NAME], the chair, said no."),
        ("Summer Okonkwo said the van came twice.", "[NAME] said the van came twice."),
        # a family named by its surname
        ("We lived with the Evans-Pryce family for a year.", "We lived with the [NAME] family for a year."),
        ("That's where the Price family are.", "That's where the [NAME] family are."),
        # two names joined by "and" before a plural person's cue
        ("Amber and Jade were both arrested that night.", "[NAME] and [NAME] were both arrested that night."),
        ("Dilan and Rojin, both 15, were moved.", "[NAME] and [NAME], both 15, were moved."),
        ("Milan and Paris are twins from the estate.", "[NAME] and [NAME] are twins from the estate."),
        # a name in brackets after a participant reference
        ("P4 (Tiffany) left early.", "P4 ([NAME]) left early."),
        # a name that is also a word or a religion, before a verb of speech
        ("Christian said the chaplain listened.", "[NAME] said the chaplain listened."),
        ("Justice said nobody came.", "[NAME] said nobody came."),
        # after a contact verb, before a phone number
        ("Text Mo on 07700 900123 for the group.", "Text [NAME] on [PHONE] for the group."),
        # lower case after a title in text-speak, and a lower-case name that is a word
        ("i told dc patel and nothing happened", "i told dc [NAME] and nothing happened"),
        ("sky says they took her phone", "[NAME] says they took her phone"),
        # cues after a word that show a person
        ("Hope is only seven and already scared.", "[NAME] is only seven and already scared."),
        ("Ely, that's his real name, gets stick for it.", "[NAME], that's his real name, gets stick for it."),
        ("Lil Tee's mum came to the meeting.", "[NAME]'s mum came to the meeting."),
        ("Summer, my eldest, wants to join the police.", "[NAME], my eldest, wants to join the police."),
        ("Grace from the hostel said she was fine.", "[NAME] from the hostel said she was fine."),
        # a quoted nickname inside a full name
        ('Kwame "KK" Mensah spoke for an hour.', "[NAME] spoke for an hour."),
    ],
)
def test_new_name_rules_find_the_whole_name(text, expected):
    assert _red(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Christians said the church helped and Muslims said the mosque was attacked.",
        "The Syrian family were moved to Newport and the Portuguese families were not told.",
        "The Royal family visited Cardiff.",
        "Cardiff and Newport were both mentioned. Monday and Tuesday were both busy.",
        "Black and Asian boys were both stopped more often.",
        "Call Childline on 0800 1111 or text Samaritans on 116 123.",
        "Police said nothing and Mum said no.",
        "Hope is only one part of it.",
        "St Illtyd's had an assembly and Ysgol Gyfun Gwyr did too.",
        "We went to the Angel Hotel after court.",
        "Florin said all Romanians were treated as thieves.",
        "Mr and Mrs Okafor were never told.",
        "Gurpreet explained the kara had been taken.",
    ],
)
def test_hard_negatives_stay(text):
    redacted = _red(text)
    kept = {"Christians", "Muslims", "Syrian", "Portuguese", "Royal", "Cardiff", "Newport", "Monday", "Tuesday",
            "Black", "Asian", "Childline", "Samaritans", "Police", "Mum", "Hope", "Illtyd's", "Ysgol", "Gyfun",
            "Angel", "Hotel", "Romanians", "Mr", "kara"}
    for word in kept & set(text.replace(".", " ").replace(",", " ").split()):
        assert word in redacted.split() or f"{word}." in redacted or f"{word}'s" in redacted, (word, redacted)


def test_lower_case_common_name_repeats_only_in_lower_case():
    assert _red("sky says she couldn't even watch Sky at the hostel") == (
        "[NAME] says she couldn't even watch Sky at the hostel")


def test_welsh_sentence_two_unknown_words_are_not_a_name():
    text = "Mae Teithio Ymlaen wedi ein helpu ni lot."
    assert _red(text) == text
