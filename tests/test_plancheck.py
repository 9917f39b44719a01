"""Tests of plan-check's matching, draft comparison, disclosure and runner on hand-written fixtures.

Tests marked slow load the embedding model (once per process) and, for the runner, fit the coder.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from pipeline import config
from pipeline.coding.codebook import load_codebook
from pipeline.plancheck.match import (
    NO_EVIDENCE,
    check_plan,
    classify_themes,
    compare_drafts,
    disclosure_safe,
    shared_terms,
)
from pipeline.plancheck.reader import read_plan
from pipeline.topics.schema import PLAN_COMMENTS_PREFIX

PARAMS = yaml.safe_load((config.ROOT / "config" / "plancheck.yaml").read_text(encoding="utf-8"))

INTERPRETER = [
    "There was no interpreter in the custody suite so I did not understand my rights.",
    "The police used my child as an interpreter when they arrested me.",
    "Nobody translated the court papers into my language.",
    "I waited hours for an interpreter at the police station.",
    "The interpreter on the phone spoke a different dialect.",
    "Without an interpreter I could not report the crime.",
]
EVICTION = [
    "The council evicted our families from the site with two hours notice.",
    "Police came with the bailiffs at dawn to evict the Traveller site.",
    "There are no legal Gypsy and Traveller sites so we keep getting moved on.",
    "The eviction was heavy handed and the children were frightened.",
    "We need more authorised sites for Travellers in Wales.",
]
STOP_SEARCH = [
    "My son gets stopped and searched every week because he is Black.",
    "Stop and search is used on us far more than on white people.",
    "The police searched me with no reason and no explanation.",
    "I was stopped and searched on the way to school in front of my friends.",
    "Officers should have to record why they stop and search someone.",
    "Being stopped and searched all the time makes you hate the police.",
]


def _statements() -> pd.DataFrame:
    rows = []
    for theme, texts, org, cohort in (("int", INTERPRETER, "Sanctuary Org", "asylum_seekers"),
                                      ("evi", EVICTION, "Traveller Org", "gypsy_roma_traveller"),
                                      ("sas", STOP_SEARCH, "Youth Org", "youth_justice")):
        for i, text in enumerate(texts):
            rows.append({"statement_id": f"R{theme}{i:02d}-S01", "organisation": org, "participant_ref": f"P-{theme}{i}",
                         "cohort": cohort, "speaker": "participant", "stance": "disagree" if i % 2 else "unclear",
                         "question": "solutions", "text": text})
    rows.append({"statement_id": "Rfac00-S01", "organisation": "Youth Org", "participant_ref": "F-1", "cohort": "youth_justice",
                 "speaker": "facilitator", "stance": "unclear", "question": "other", "text": "We asked the group about searches."})
    return pd.DataFrame(rows)


def _codes(statements: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for sid in statements["statement_id"]:
        if sid.startswith("Rsas"):
            rows.append({"statement_id": sid, "code": "PA6", "subtheme": "PA6.stop_search", "confidence": 0.9,
                         "evidence": "", "source": "rule"})
        else:
            rows.append({"statement_id": sid, "code": "uncoded", "subtheme": "", "confidence": 0.9, "evidence": "", "source": "model"})
    return pd.DataFrame(rows)


def _topics(statements: pd.DataFrame):
    topics = pd.DataFrame([
        {"topic": 0, "label": "Interpreters, language, translation", "keywords": "interpreter; interpreters; language; translated",
         "size": 6, "n_organisations": 1, "representative_statement_ids": "Rint00-S01", "nearest_code": "PA6",
         "similarity": 0.3, "covered": False, "coverage": "not in the plan"},
        {"topic": 1, "label": "Sites, evictions, Travellers", "keywords": "site; sites; eviction; evicted; travellers",
         "size": 5, "n_organisations": 1, "representative_statement_ids": "Revi00-S01", "nearest_code": "PA6",
         "similarity": 0.3, "covered": False, "coverage": "not in the plan"},
    ])
    st = statements.loc[~statements["statement_id"].str.startswith(("Rsas", "Rfac"))]
    statement_topics = pd.DataFrame({"statement_id": st["statement_id"],
                                     "topic": [0 if s.startswith("Rint") else 1 for s in st["statement_id"]],
                                     "probability": 0.9})
    return topics, statement_topics


PLAN_V1 = """# Draft plan

## Priority area 6: Promote fairness

1. Require supervisors to review every stop and search for reasonable grounds and publish stop and search figures by ethnicity.
2. Refurbish the headquarters car park and replace its lighting.
"""
PLAN_V2 = PLAN_V1 + """3. Guarantee a qualified interpreter in police custody and at court, and never use children as interpreters.
"""


@pytest.fixture(scope="module")
def embed():
    from pipeline.nlp.embed import Embedder

    return Embedder(cache_dir=None, show_progress=False).encode


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    st = _statements()
    topics, statement_topics = _topics(st)
    d = tmp_path_factory.mktemp("plans")
    (d / "draft_v1.md").write_text(PLAN_V1, encoding="utf-8")
    (d / "draft_v2.md").write_text(PLAN_V2, encoding="utf-8")
    return {"statements": st, "codes": _codes(st), "topics": topics, "statement_topics": statement_topics,
            "v1": read_plan(d / "draft_v1.md"), "v2": read_plan(d / "draft_v2.md"), "dir": d}


@pytest.fixture(scope="module")
def checks(fixtures, embed):
    cb = load_codebook()
    f = fixtures
    return {v: check_plan(f[v], f["statements"], f["codes"], cb, embed, f["topics"], f["statement_topics"],
                          None, 5, PARAMS) for v in ("v1", "v2")}


def _row(coverage: pd.DataFrame, theme_id: str) -> pd.Series:
    return coverage.set_index("theme_id").loc[theme_id]


@pytest.mark.slow
def test_action_that_answers_a_theme_is_matched(checks, fixtures, embed) -> None:
    cov = checks["v1"].coverage
    assert "PA6.stop_search" not in set(cov["theme_id"])  # sub-themes are off by default (one page)
    f = fixtures
    with_subthemes = check_plan(f["v1"], f["statements"], f["codes"], load_codebook(), embed, f["topics"],
                                f["statement_topics"], None, 5, {**PARAMS, "include_subthemes": True}).coverage
    stop = _row(with_subthemes, "PA6.stop_search")
    assert stop["status"] == "addressed"
    first = fixtures["v1"].loc[fixtures["v1"]["kind"] == "action", "action_id"].iloc[0]
    assert stop["action_ids"].split(";")[0] == first
    assert "stop and search" in stop["evidence"]
    assert _row(cov, "PA6")["status"] == "addressed"  # the plan has actions under its heading


def _emergent(n: int = 1) -> pd.DataFrame:
    return pd.DataFrame({"theme_id": [f"t{i}" for i in range(n)], "kind": ["emergent"] * n, "code": ["PA6"] * n,
                         "theme": [f"T{i}" for i in range(n)], "description": [""] * n, "key_terms": [["interpreter"]] * n,
                         "statement_ids": [[]] * n, "consultation_coverage": [""] * n})


@pytest.mark.parametrize(("sim", "share", "text", "area", "expected"), [
    (0.65, 0.0, "Build a new car park.", "", "strong"),            # very close to what people said
    (0.52, 0.10, "Build a new car park.", "", "strong"),           # close, and speaks to 10% of the statements
    (0.52, 0.0, "Build a new car park.", "", None),                # close to the centre but speaks to no statement
    (0.52, 0.0, "Build a new car park.", "PA6", "strong"),         # close, and in the area that codes the theme
    (0.52, 0.0, "Hire an interpreter.", "", "strong"),             # close and shares a key term
    (0.45, 0.10, "Build a new car park.", "", "weak"),             # touches part of it
    (0.45, 0.03, "Build a new car park.", "", None),               # one statement in thirty is a near miss
    (0.42, 0.12, "Build a new car park.", "PA6", None),            # same priority area, 12%, but a near miss
    (0.46, 0.0, "Build a new car park.", "PA6", "weak"),           # same priority area and fairly close
    (0.30, 0.5, "Build a new car park.", "PA6", None),             # too far from what people said
])
def test_an_emergent_theme_is_matched_on_its_statements_not_its_name(sim, share, text, area, expected) -> None:
    from pipeline.plancheck.match import match_pairs

    actions = pd.DataFrame({"action_id": ["a1"], "ref": ["6.1"], "text": [text], "area_codes": [area]})
    theme_vec = np.array([[1.0, 0.0]])
    action_vec = np.array([[sim, np.sqrt(1 - sim ** 2)]])
    pairs = match_pairs(_emergent(), actions, theme_vec, action_vec, PARAMS, statement_shares=np.array([[share]]))
    assert (pairs["strength"].iloc[0] if len(pairs) else None) == expected


def test_an_action_close_to_a_few_statements_touches_part_of_a_theme() -> None:
    from pipeline.plancheck.match import match_pairs

    actions = pd.DataFrame({"action_id": ["a1"], "ref": ["4.2"], "text": ["Review body-worn video."], "area_codes": [""]})
    far = np.array([[0.25, np.sqrt(1 - 0.25 ** 2)]])
    for top, expected in ((0.60, "weak"), (0.50, None)):
        pairs = match_pairs(_emergent(), actions, np.array([[1.0, 0.0]]), far, PARAMS,
                            statement_shares=np.array([[0.0]]), statement_top=np.array([[top]]))
        assert (pairs["strength"].iloc[0] if len(pairs) else None) == expected


def test_comments_on_the_plan_are_read_apart_and_the_missing_part_is_named() -> None:
    from pipeline.plancheck.match import missing_part

    themes = _emergent(2).assign(kind=["emergent", "plan_comments"], weight=[1.0, 50.0])
    actions = pd.DataFrame({"action_id": ["x"], "ref": ["1"], "text": ["Do a thing."]})
    pairs = pd.DataFrame(columns=["theme_id", "action_id", "ref", "similarity", "shared_terms", "same_area", "strength",
                                  "reason"])
    out = classify_themes(themes, pairs, actions).set_index("theme_id")
    assert out.loc["t0", "status"] == "not addressed" and out.loc["t1", "status"] == "read apart"
    assert out.loc["t0", "rank"] < out.loc["t1", "rank"]   # read apart after every subject
    assert out.loc["t0", "meaning"] == "no action answers it"
    texts = ["No interpreter in custody.", "The interpreter never came.", "The site was evicted at dawn."]
    sims = np.array([[0.7], [0.2], [0.1]])
    found = missing_part(texts, sims, ["interpreter", "evicted", "custody"], "Provide interpreters in custody.", 0.45)
    assert found.startswith("the matching actions speak to none of 67% of its statements, about evicted")
    assert "\u201cThe interpreter never came.\u201d" in found or "\u201cThe site was evicted at dawn.\u201d" in found
    assert missing_part(texts, np.ones((3, 1)), ["interpreter"], "x", 0.45) == ""


def test_comments_on_the_plan_an_action_answers_clearly_are_addressed_never_a_gap() -> None:
    """"We never hear back after consultations" is comment on the plan and a subject an action answers."""
    from pipeline.plancheck.match import match_pairs

    themes = _emergent(1).assign(kind="plan_comments", weight=1.0)
    actions = pd.DataFrame({"action_id": ["a1"], "ref": ["3.2"], "text": ["Publish a report back."], "area_codes": [""]})
    for sim, expected in ((0.65, "addressed"), (0.46, "read apart"), (0.2, "read apart")):
        vec = np.array([[sim, np.sqrt(1 - sim ** 2)]])
        pairs = match_pairs(themes, actions, np.array([[1.0, 0.0]]), vec, PARAMS, statement_shares=np.array([[0.1]]))
        assert set(pairs["strength"]) <= {"strong"}  # a weak match never makes comments "partly addressed"
        assert classify_themes(themes, pairs, actions)["status"].iloc[0] == expected


@pytest.mark.slow
def test_theme_no_action_answers_is_not_addressed_and_ranked_first(checks) -> None:
    cov = checks["v1"].coverage
    assert _row(cov, "topic:0")["status"] == "not addressed"   # interpreters
    assert _row(cov, "topic:1")["status"] == "not addressed"   # site evictions
    assert _row(cov, "PA2")["status"] == "not addressed"       # nobody raised it and no action answers it
    gaps = cov.loc[cov["status"] == "not addressed", "theme_id"].tolist()
    # Themes people raised (6 interpreters, 5 evictions) come before an area nobody raised.
    assert gaps[:2] == ["topic:0", "topic:1"]
    assert cov["status"].iloc[0] == "not addressed" and cov["status"].iloc[-1] == "addressed"
    assert "Sites, evictions, Travellers" in checks["v1"].summary["gaps"]


@pytest.mark.slow
def test_draft_comparison_reports_a_closed_gap(checks) -> None:
    assert _row(checks["v2"].coverage, "topic:0")["status"] == "addressed"
    comp = compare_drafts(checks["v2"].coverage, checks["v1"].coverage).set_index("theme_id")
    assert comp.loc["topic:0", "change"] == "gap closed"
    assert "interpreter" in comp.loc["topic:0", "actions_current"]
    assert comp.loc["topic:1", "change"] == "unchanged"
    reverse = compare_drafts(checks["v1"].coverage, checks["v2"].coverage).set_index("theme_id")
    assert reverse.loc["topic:0", "change"] == "gap opened"


@pytest.mark.slow
def test_action_evidence_and_disclosure(checks) -> None:
    ev = checks["v2"].evidence.set_index("ref")
    assert ev.loc["1", "evidence_status"] != NO_EVIDENCE
    assert "Youth Org" in ev.loc["1", "organisations"]
    assert ev.loc["2", "evidence_status"] == NO_EVIDENCE       # the car park
    assert ev.loc["2", "quotes"] == ""
    # Facilitators' notes are never evidence.
    assert ev["n_statements"].sum() <= 17
    # Quotes only behind at least min_count people.
    for _, r in ev.iterrows():
        if r["n_participants"] < 5:
            assert r["quotes"] == ""
    safe = disclosure_safe(ev.reset_index(), 5)
    small = ev["n_participants"].to_numpy() < 5
    assert safe.loc[small, "n_participants"].isna().all()
    assert safe.loc[~small, "n_participants"].notna().all()


def test_shared_terms_accept_plurals_and_whole_words() -> None:
    assert shared_terms(["interpreters", "site", "stop and search"], "An interpreter at every stop and search.") == [
        "interpreters", "stop and search"]
    assert shared_terms(["site"], "Visit the website") == []


def test_classify_orders_gaps_by_people_and_disagreement() -> None:
    themes = pd.DataFrame({
        "theme_id": ["a", "b", "c", "d"], "kind": ["emergent"] * 4, "code": [""] * 4, "theme": list("ABCD"),
        "description": [""] * 4, "key_terms": [[]] * 4, "statement_ids": [[]] * 4, "consultation_coverage": [""] * 4,
        "weight": [10.0, 30.0, 50.0, 20.0],
    })
    actions = pd.DataFrame({"action_id": ["x"], "ref": ["1"], "text": ["Do a thing."]})
    pairs = pd.DataFrame([
        {"theme_id": "c", "action_id": "x", "ref": "1", "similarity": 0.7, "shared_terms": "", "same_area": False,
         "strength": "strong", "reason": "similarity 0.70"},
        {"theme_id": "d", "action_id": "x", "ref": "1", "similarity": 0.45, "shared_terms": "", "same_area": False,
         "strength": "weak", "reason": "similarity 0.45"},
    ])
    out = classify_themes(themes, pairs, actions)
    assert out["theme_id"].tolist() == ["b", "a", "d", "c"]
    assert out["status"].tolist() == ["not addressed", "not addressed", "partly addressed", "addressed"]
    assert out["rank"].tolist() == [1, 2, 3, 4]
    # a cluster of comments on the draft itself comes after the subjects with the same status,
    # however many people made them
    comments = themes.assign(theme=["A", PLAN_COMMENTS_PREFIX + "Tick-box, exercise", "C", "D"])
    assert classify_themes(comments, pairs, actions)["theme_id"].tolist() == ["a", "b", "d", "c"]


# ------------------------------------------------------------------------------------------------ runner
def _consultation(tmp_path: Path, fixtures) -> tuple[Path, Path, Path]:
    raw, out, rep = tmp_path / "raw", tmp_path / "processed", tmp_path / "reports"
    (raw / "plans").mkdir(parents=True)
    out.mkdir()
    for name in ("draft_v1.md", "draft_v2.md"):
        (raw / "plans" / name).write_text((fixtures["dir"] / name).read_text(encoding="utf-8"), encoding="utf-8")
    fixtures["statements"].to_parquet(out / "statements.parquet", index=False)
    fixtures["codes"].to_parquet(out / "codes.parquet", index=False)
    fixtures["topics"].to_parquet(out / "topics.parquet", index=False)
    fixtures["statement_topics"].to_parquet(out / "statement_topics.parquet", index=False)
    return raw, out, rep


@pytest.mark.slow
def test_runner_writes_tables_and_accessible_report(tmp_path: Path, fixtures) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    raw, out, rep = _consultation(tmp_path, fixtures)
    result = CliRunner().invoke(app, ["plan-check", "--raw", str(raw), "--out", str(out), "--reports", str(rep)])
    assert result.exit_code == 0, result.output
    cov = pd.read_parquet(out / "plan_check" / "theme_coverage.parquet").set_index("theme_id")
    assert cov.loc["topic:1", "status"] == "not addressed"
    assert cov.loc["topic:0", "status"] == "addressed"   # draft_v2 (the newest) has the interpreters action
    comp = pd.read_parquet(out / "plan_check" / "comparison.parquet").set_index("theme_id")
    assert comp.loc["topic:0", "change"] == "gap closed"
    assert (out / "plan_check" / "plan_check.config.yaml").exists()
    assert (out / "plan_check" / "action_evidence.parquet").exists()
    html = (rep / "plan_check" / "you_said_plan_says.html").read_text(encoding="utf-8")
    assert '<html lang="en-GB">' in html and "<script" not in html
    assert html.count("<caption>") == html.count("<table>") >= 3
    assert '<th scope="col">' in html and '<th scope="row">' in html
    assert "Sites, evictions, Travellers" in html.split('id="gaps"')[1].split('id="addressed"')[0]
    assert "gap closed" in html
    levels = [int(c) for c in re.findall(r"<h([1-6])[ >]", html)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    # Five people raised the evictions theme (= min_count), so one of their statements may be quoted.
    gaps_html = html.split('id="gaps"')[1].split('id="addressed"')[0]
    assert any(text.replace("'", "&#39;") in gaps_html for text in EVICTION)
    assert "youth_justice" in html  # the stop-and-search action's evidence names its cohort
    assert (rep / "plan_check" / "you_said_plan_says.docx").stat().st_size > 0


@pytest.mark.slow
def test_runner_explains_a_plan_without_actions(tmp_path: Path, fixtures) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    raw, out, rep = _consultation(tmp_path, fixtures)
    bad = raw / "plans" / "notes.txt"
    bad.write_text("Our thinking so far.\n\nThe plan will be ready in the spring.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["plan-check", "--plan", str(bad), "--raw", str(raw), "--out", str(out),
                                      "--reports", str(rep)])
    assert result.exit_code == 3  # an input the analyst supplied (pipeline.errors.EXIT_CODES)
    assert "No actions were recognised in notes.txt" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_quotes_only_for_themes_enough_people_raised(fixtures, embed) -> None:
    f = fixtures
    res = check_plan(f["v1"], f["statements"], f["codes"], load_codebook(), embed, f["topics"], f["statement_topics"],
                     None, 6, PARAMS)
    cov = res.coverage.set_index("theme_id")
    assert cov.loc["topic:0", "quotes"] != ""      # interpreters: 6 people
    assert cov.loc["topic:1", "quotes"] == ""      # evictions: 5 people, below 6
    safe = disclosure_safe(res.coverage, 6).set_index("theme_id")
    assert pd.isna(safe.loc["topic:1", "n_participants"]) and pd.isna(safe.loc["topic:1", "share_disagree"])
    assert safe.loc["topic:0", "n_participants"] == 6


@pytest.mark.slow
def test_two_runs_give_the_same_statuses(checks, fixtures, embed) -> None:
    f = fixtures
    again = check_plan(f["v1"], f["statements"], f["codes"], load_codebook(), embed, f["topics"], f["statement_topics"],
                       None, 5, PARAMS)
    pd.testing.assert_frame_equal(again.coverage, checks["v1"].coverage)
    pd.testing.assert_frame_equal(again.pairs, checks["v1"].pairs)


@pytest.mark.parametrize(("sim", "expected"), [(0.26, None), (0.40, "weak")])
def test_shared_terms_alone_touch_an_emergent_theme_only_when_it_is_fairly_close(sim, expected) -> None:
    """Institution words ("probation", "prisons") are shared by unrelated subjects: two shared terms at
    similarity 0.26 are not a partial answer (the setting emergent_term_min_similarity)."""
    from pipeline.plancheck.match import match_pairs

    theme = _emergent().assign(key_terms=[["probation", "prisons", "recall"]], code=[""])
    actions = pd.DataFrame({"action_id": ["a1"], "ref": ["1.1"], "area_codes": [""],
                            "text": ["Publish hate crime figures for probation and prisons."]})
    action_vec = np.array([[sim, np.sqrt(1 - sim ** 2)]])
    pairs = match_pairs(theme, actions, np.array([[1.0, 0.0]]), action_vec, PARAMS, statement_shares=np.array([[0.0]]))
    assert (pairs["strength"].iloc[0] if len(pairs) else None) == expected


def test_a_fragment_is_matched_through_its_answer_when_context_counts() -> None:
    """"It's in the plan." says nothing alone; with context_weight it carries its answer's subject."""
    from pipeline.plancheck.match import statement_vectors

    axes = {"release": [1.0, 0, 0], "fragment": [0, 1.0, 0], "other": [0, 0, 1.0]}

    def embed(texts):
        rows = []
        for t in texts:
            v = np.zeros(3)
            v += axes["release"] if "release" in t else 0
            v += axes["fragment"] if "in the plan" in t else 0
            v += axes["other"] if "bus" in t else 0
            rows.append(v / np.linalg.norm(v))
        return np.array(rows)

    st = pd.DataFrame({"statement_id": ["s1", "s2", "s3"], "response_id": ["r1", "r1", "r2"],
                       "text": ["Support on release matters.", "It's in the plan.", "The bus is late."],
                       "char_start": [0, 28, 0]})
    own = embed(st["text"].tolist())
    alone, read = statement_vectors(st, own, embed, 0.0), statement_vectors(st, own, embed, 1.0)
    release = np.array(axes["release"])
    assert alone["s2"] @ release == pytest.approx(0.0)
    assert read["s2"] @ release > 0.35  # the fragment now leans towards its answer's subject (cos 0.38)
    np.testing.assert_allclose(read["s3"], alone["s3"])  # an answer of one statement is unchanged
