"""Tests for pipeline.reports.tables: every figure equals the processed tables; quotes are safe."""

import re

import pandas as pd
import pytest
from testkit.reports import COMMUNITY, PRISON, TRAVELLER, YOUTH, make_tables

from pipeline import config
from pipeline.reports import tables as T

MIN = 5


@pytest.fixture(scope="module")
def t():
    return make_tables()


@pytest.fixture(scope="module")
def coded(t):
    return T.coded_statements(t["statements"], t["codes"])


@pytest.fixture(scope="module")
def patterns():
    return T.compile_patterns(config.load_yaml("report.yaml")["redaction_patterns"])


NAMES = {f"PA{i}": f"Area {i}" for i in range(1, 8)}


def test_participation_by_cohort_and_area_sums_the_returns(t):
    by_cohort = T.participation(t["returns"], "cohort").set_index("cohort")
    assert by_cohort.loc["youth_justice", "n_participants"] == 8
    assert by_cohort.loc["prison", "n_participants"] == 12
    # the community return gives no number: it adds nothing and is counted as without a number
    assert by_cohort.loc["community", "n_participants"] == 0
    assert by_cohort.loc["community", "n_returns_without_count"] == 1
    by_area = T.participation(t["returns"], "police_force_area").set_index("police_force_area")
    # the prison return covers Gwent;South Wales: it counts in both
    assert by_area.loc["Gwent", "n_participants"] == 12
    assert by_area.loc["South Wales", "n_participants"] == 8 + 12
    assert T.total_participants(t["returns"]) == 8 + 3 + 12


def test_statements_by_code_equal_a_direct_count_of_the_codes_table(t, coded):
    figures = T.statements_by_code(coded, NAMES).set_index("code")
    codes, st = t["codes"], t["statements"]
    for code in NAMES:
        ids = set(codes.loc[codes["code"] == code, "statement_id"])
        part = st[st["statement_id"].isin(ids)]
        assert figures.loc[code, "n_statements"] == len(ids)
        assert figures.loc[code, "n_people"] == len(
            part[["organisation", "participant_ref"]].drop_duplicates()
        )
        assert figures.loc[code, "n_suggestions"] == int(part["is_suggestion"].sum())
    assert figures.loc["uncoded", "n_statements"] == 1
    # every statement is counted: coded rows cover all statement ids
    assert set(coded["statement_id"]) == set(st["statement_id"])


def test_code_question_stance_counts_sum_to_the_code_totals(coded):
    long = T.by_code_question_stance(coded)
    totals = long.groupby("code")["n_statements"].sum()
    by_code = T.statements_by_code(coded, NAMES).set_index("code")["n_statements"]
    for code, n in totals.items():
        assert n == by_code[code]
    pa6 = long[(long["code"] == "PA6") & (long["question"] == "interpreted")].set_index("stance")
    assert pa6.loc["agree", "n_statements"] == 2  # stop and search + "the plan is right"
    assert pa6.loc["disagree", "n_statements"] == 1


def test_code_by_cohort_and_stance_tables(coded, t):
    heat = T.code_by_cohort(coded, NAMES).set_index("code")
    assert heat.loc["PA1", "gypsy_roma_traveller"] == 2
    assert heat.loc["PA3", "youth_justice"] == 3  # includes the facilitator's note
    stance = T.stance_by_code(coded, NAMES).set_index("code")
    assert (
        stance.loc["PA6"].sum()
        == T.statements_by_code(coded, NAMES).set_index("code").loc["PA6", "n_statements"]
    )


def test_subthemes_are_ranked_by_statements(coded):
    subs = T.subthemes(coded, "PA6", 5)
    assert subs.iloc[0]["subtheme"] == "stop and search"
    assert subs.iloc[0]["n_statements"] == 3


def test_suppress_hides_only_counts_between_one_and_the_threshold():
    df = pd.DataFrame({"group": ["a", "b", "c", "d"], "n": [0, 1, 4, 5]})
    shown = T.suppress(df, ["n"], 5)
    assert list(shown["n"]) == [0, "<5", "<5", 5]
    assert list(df["n"]) == [0, 1, 4, 5]  # input unchanged
    assert "<5" in T.suppression_note(5)


def test_group_sizes_use_reported_participants_then_people(t):
    g = T.group_sizes(t["statements"], t["returns"], MIN).set_index("organisation")
    assert bool(g.loc[YOUTH, "quotable"]) and bool(g.loc[PRISON, "quotable"])
    assert not bool(g.loc[TRAVELLER, "quotable"])  # 3 participants
    assert g.loc[COMMUNITY, "group_size"] == 1  # no number reported: one group reference
    assert not bool(g.loc[COMMUNITY, "quotable"])


@pytest.mark.parametrize(
    "text,kind",
    [
        ("write to jo.bloggs@example.org", "email"),
        ("ring me on 07700 900123 any time", "phone"),
        ("I live near CF10 1AB now", "postcode"),
        ("my number is A1234BC inside", "prison_number"),
        ("NI number QQ 12 34 56 C", "ni_number"),
        ("born 03/04/2001 in Newport", "date"),
        ("it happened on 5 March 2024", "date"),
    ],
)
def test_redaction_class_patterns_are_found(patterns, text, kind):
    assert kind in T.personal_data_found(text, patterns)


def test_ordinary_statements_do_not_look_like_personal_data(patterns):
    for text in (
        "PA1 and PA6 matter most to us",
        "We were stopped 3 times in 2 weeks",
        "[NAME] said the police ignored us",
    ):
        assert T.personal_data_found(text, patterns) == []


def test_quotes_are_never_unsafe_and_the_reasons_are_counted(t, coded, patterns):
    groups = T.group_sizes(t["statements"], t["returns"], MIN)
    quotes, skipped = T.select_quotes(coded, groups, patterns, n=10, by="code")
    assert len(quotes) > 0
    quotable = set(map(tuple, groups.loc[groups["quotable"], ["organisation", "cohort"]].to_numpy()))
    speakers = t["statements"].set_index("statement_id")["speaker"]
    for q in quotes.itertuples():
        assert (q.organisation, q.cohort) in quotable
        assert T.personal_data_found(q.text, patterns) == []
        assert speakers[q.statement_id] == "participant"
        assert 40 <= len(q.text) <= 300
    texts = " ".join(quotes["text"])
    assert "example.org" not in texts and "CF10" not in texts
    assert TRAVELLER not in set(quotes["organisation"]) and COMMUNITY not in set(quotes["organisation"])
    reasons = dict(zip(skipped["reason"], skipped["n_statements"], strict=True))
    assert reasons["looks like it holds personal data (email)"] == 1
    assert reasons["looks like it holds personal data (postcode)"] == 1
    assert reasons["from a group below the disclosure threshold"] == 7  # 5 Traveller + 2 community statements
    assert reasons["said by a facilitator, not a participant"] == 1


def test_quotes_prefer_short_ones_and_take_turns_between_organisations(t, coded, patterns):
    groups = T.group_sizes(t["statements"], t["returns"], MIN)
    quotes, _ = T.select_quotes(coded[coded["code"] == "PA3"], groups, patterns, n=2, by="code")
    assert set(quotes["organisation"]) == {YOUTH, PRISON}
    again, _ = T.select_quotes(coded[coded["code"] == "PA3"], groups, patterns, n=2, by="code")
    pd.testing.assert_frame_equal(quotes, again)
    one, _ = T.select_quotes(coded[coded["organisation"] == YOUTH], groups, patterns, n=1)
    eligible = [
        s
        for s in t["statements"].itertuples()
        if s.organisation == YOUTH
        and s.speaker == "participant"
        and 40 <= len(s.text) <= 300
        and not T.personal_data_found(s.text, patterns)
    ]
    assert len(one.iloc[0]["text"]) == min(len(s.text) for s in eligible)


def test_emergent_themes_not_in_the_plan(t):
    themes = T.emergent_themes(t["topics"])
    assert list(themes["label"]) == ["Housing and work on release", "Traveller sites and evictions"]
    assert -1 not in set(themes["topic"])
    assert list(T.topics_for_code(t["topics"], "PA6", 3)["label"]) == ["stop and search"]


def test_coverage_names_the_groups_and_areas_not_heard(t):
    spec = config.load_yaml("report.yaml")["coverage"]
    groups = T.coverage_groups(t["returns"], t["statements"], spec["expected_groups"], few=10).set_index(
        "group"
    )
    labels = set(groups.index)
    assert {"Welsh women in English prisons", "Young people with criminal justice experience"} <= labels
    assert groups.loc["Welsh women in English prisons", "status"] == "Not heard"
    assert groups.loc["Asylum seekers and refugees", "status"] == "Not heard"
    assert groups.loc["People in prison", "status"] == "Heard"
    assert groups.loc["People in prison", "n_participants"] == 12
    assert groups.loc["Gypsy, Roma and Traveller people", "status"] == "Few participants"
    areas = T.coverage_areas(t["returns"], spec["expected_areas"], few=10).set_index("area")
    assert areas.loc["South Wales", "n_participants"] == 20
    assert areas.loc["North Wales", "status"] == "Few participants"
    assert areas.loc["Dyfed-Powys", "status"] == "Heard (number of participants not reported)"


def test_coverage_with_no_returns_says_nobody_was_heard():
    spec = config.load_yaml("report.yaml")["coverage"]
    groups = T.coverage_groups(None, None, spec["expected_groups"], few=10)
    assert set(groups["status"]) == {"Not heard"}


def test_triangulation_disproportionality_and_methods(t):
    tri = T.triangulation_for_code(t["triangulation"], "PA6")
    assert len(tri) == 1 and tri.iloc[0]["caveat"]
    assert T.triangulation_for_code(t["triangulation"], "PA1").empty
    ratios = T.disproportionality(t["edi_measures"])
    assert len(ratios) == 2  # the suppressed row is left out
    m = T.methods_figures(t["statements"], t["codes"], {"f1_samples": 0.74}, t["edi_measures"])
    assert m["n_reviewed"] == int(t["statements"]["reviewed"].sum())
    assert m["evaluation"] == {"f1_samples": 0.74}
    assert m["edi_sources"] == ["Home Office stop and search statistics", "Police custody records"]
    assert sum(m["code_sources"].values()) == int((t["codes"]["code"] != "uncoded").sum())


def test_code_order_is_numeric():
    assert T.code_order(["PA10", "uncoded", "PA2", "PA1"]) == ["PA1", "PA2", "PA10", "uncoded"]
    assert re.fullmatch(r"PA\d", T.code_order(["PA3"])[0])


def test_quotes_do_not_repeat_the_same_words(t, coded, patterns):
    groups = T.group_sizes(t["statements"], t["returns"], MIN)
    pa3 = coded[coded["code"] == "PA3"]
    first, _ = T.select_quotes(pa3, groups, patterns, n=1, by="code")
    row = pa3[pa3["statement_id"] == first.iloc[0]["statement_id"]].iloc[0]
    # the same words again from the same organisation, differently punctuated, under a new id
    twin = row.copy()
    twin["statement_id"], twin["text"] = "TWIN-S01", row["text"].upper().rstrip(".") + "!!"
    both = pd.concat([pa3, twin.to_frame().T], ignore_index=True)
    quotes, _ = T.select_quotes(both, groups, patterns, n=20, by="code")
    words = quotes["text"].str.lower().str.findall(r"\w+").str.join(" ")
    assert not words.duplicated().any()
    assert quotes["statement_id"].isin([row["statement_id"], "TWIN-S01"]).sum() == 1
