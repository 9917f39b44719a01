"""The returns tracker on a hand-written register and returns: received, late, missing, awaited; gaps; chase list."""

import pandas as pd
import pytest
from testkit.engage import RAW_REGISTER

from pipeline import config
from pipeline.engage import register as R
from pipeline.engage import tracker as T

VOCAB = config.load_yaml("vocabularies.yaml")
COVERAGE = config.load_yaml("report.yaml")["coverage"]
GAPS = config.load_yaml("engage.yaml")["tracker"]["plan_gap_groups"]
AS_OF = pd.Timestamp("2026-03-20")

RETURNS = pd.DataFrame({
    "organisation": ["On Time Trust", "late link", "Someone Else", "Future Forum"],
    "source_file": ["a.docx", "b.xlsx", "c.csv", "d.docx"],
    "cohort": ["prison", "asylum_seekers", "community", "schools"],
    "police_force_area": ["Gwent", "Gwent", "All Wales", "Dyfed-Powys"],
    "n_participants": pd.array([10, 6, 7, 5], dtype="Int64"),
    "date_received": ["2026-03-15", "2026-03-19", "2026-03-10", "2026-03-25"],
})
RESPONSES = pd.DataFrame({
    "source_file": ["a.docx", "a.docx", "a.docx", "b.xlsx", "b.xlsx"],
    "organisation": ["On Time Trust", "On Time Trust", "On Time Trust", "late link", "late link"],
    "question": ["listened", "interpreted", "solutions", "listened", "listened"],
    "speaker": ["participant", "participant", "facilitator", "participant", "participant"],
    "participant_ref": ["P-1", "P-2", "", "P-3", "P-3"],
    "response_id": ["r1", "r2", "r3", "r4", "r5"],
})


@pytest.fixture
def register():
    return R.normalise_register(RAW_REGISTER, VOCAB)


def test_register_columns_are_matched_and_values_mapped(register):
    assert list(register["cohorts"]) == ["prison", "asylum_seekers", "youth_justice", "schools"]
    assert list(register["deadline"]) == ["2026-03-16"] * 3 + ["2026-04-30"]
    assert register["grant"].tolist() == [4000.0, 5000.0, 3000.0, 2500.0]
    assert register["register_issues"].eq("").all()


def test_an_unreadable_deadline_and_unknown_cohort_are_reported_not_dropped():
    raw = RAW_REGISTER.head(1).assign(Deadline="soon", Cohorts="Knitting circle")
    reg = R.normalise_register(raw, VOCAB)
    assert len(reg) == 1 and reg.loc[0, "cohorts"] == "unknown"
    assert "not a date" in reg.loc[0, "register_issues"] and "Knitting circle" in reg.loc[0, "register_issues"]


def test_status_names_the_late_and_the_missing(register):
    returns, later = T.returns_as_of(RETURNS, AS_OF)
    assert list(later["source_file"]) == ["d.docx"]  # arrived after the as-of date
    status = T.organisation_status(register, returns, RESPONSES, AS_OF).set_index("organisation")
    assert status["status"].to_dict() == {"On Time Trust": "received", "Late Link": "late",
                                          "Silent Society": "missing", "Future Forum": "awaited"}
    assert status.loc["Late Link", "days_late"] == 3 and status.loc["Silent Society", "days_late"] == 4
    assert status.loc["On Time Trust", "questions_answered"] == "listened;interpreted;solutions"
    assert status.loc["On Time Trust", "questions_missing"] == "other"
    assert status.loc["On Time Trust", "participants_heard"] == 2
    assert status.loc["Late Link", "participants_reported"] == 6
    assert status.loc["Late Link", "areas_not_heard"] == "South Wales"
    chase = T.chase_list(status.reset_index(), AS_OF, {"due_soon_days": 7, "participants_short_share": 0.8})
    assert chase["organisation"].tolist()[0] == "Silent Society"
    late_ask = chase.set_index("organisation").loc["Late Link", "ask_for"]
    assert "6 reported of 20 promised" in late_ask and "South Wales" in late_ask
    assert "Future Forum" not in set(chase["organisation"])  # due in 41 days: no reminder yet
    unregistered = T.unregistered_returns(register, returns)
    assert unregistered["organisation"].tolist() == ["Someone Else"]


def test_coverage_and_the_plans_own_gap_groups(register):
    returns, _ = T.returns_as_of(RETURNS, AS_OF)
    cov = T.cohort_area_coverage(register, returns, VOCAB).set_index(["cohort", "area"])
    assert cov.loc[("asylum_seekers", "South Wales"), "organisations_promised"] == 1
    assert cov.loc[("asylum_seekers", "South Wales"), "participants_reported"] == 0
    assert cov.loc[("asylum_seekers", "Gwent"), "participants_reported"] == 6
    gaps = T.gap_groups(register, returns, None, COVERAGE["expected_groups"], GAPS, 10).set_index("group")
    assert gaps.loc["Welsh women in English prisons", "status"] == "Not heard"
    assert gaps.loc["Asylum seekers and refugees", "status"] == "Few participants"
    assert gaps.loc["People in prison", "status"] == "Heard"
    assert gaps.loc["Asylum seekers and refugees", "promised_by"] == "Late Link"


def test_the_sample_register_shows_the_sample_gaps():
    from pipeline.engage.commands import tracker_tables

    out = config.processed_dir("sample")
    if not (out / "returns.parquet").exists():
        pytest.skip("the sample has not been ingested (make ingest)")
    tables = tracker_tables(config.raw_dir("sample"), out, pd.Timestamp("2026-11-30"))
    status = tables["returns_status"].set_index("organisation")["status"]
    assert status["Welsh Women Beyond the Border"] == "missing"
    assert (status == "late").sum() == 3
    gaps = tables["gap_groups"].set_index("group")["status"]
    assert gaps["Welsh women in English prisons"] == "Not heard"


def test_the_theme_reports_coverage_section_shows_the_tracker_with_small_counts_suppressed(register):
    from pipeline.engage.report import tracker_blocks
    from pipeline.i18n import translator
    from pipeline.reports.theme_report import view

    few = RETURNS.assign(n_participants=pd.array([10, 3, 7, 5], dtype="Int64"))  # Late Link: 3 people
    returns, _ = T.returns_as_of(few, AS_OF)
    status = T.organisation_status(register, returns, RESPONSES, AS_OF)
    gaps = T.gap_groups(register, returns, None, COVERAGE["expected_groups"], GAPS, 10)

    class Inputs:
        def get(self, name):
            return {"returns_status": status, "gap_groups": gaps}.get(name)

    ctx = {"inputs": Inputs(), "tr": translator("en"), "min_count": 5, "suppression_note": "Counts under 5 hidden."}
    sentence, gap_table, status_table = tracker_blocks(ctx, view)
    assert sentence.text.startswith("As of 2026-03-20, 2 of 4 funded organisations had sent their return (1 after")
    assert "Welsh women in English prisons" in sentence.text
    rows = {r[0]: r for r in status_table.rows}
    assert rows["On Time Trust"][-1] == "10"
    assert rows["Late Link"][-1] not in ("3", "3.0")  # under the threshold: suppressed
    gap_rows = {r[0]: r for r in gap_table.rows}
    assert gap_rows["Asylum seekers and refugees"][2] not in ("3", "3.0")
    ctx["inputs"] = type("Empty", (), {"get": lambda self, name: None})()
    assert tracker_blocks(ctx, view) == []


def test_the_register_is_read_from_excel_and_ingest_never_reads_it_as_a_return(tmp_path):
    from pipeline.ingest.runner import list_inputs

    RAW_REGISTER.to_excel(tmp_path / "grants.xlsx", index=False)
    (tmp_path / "return.txt").write_text("Q1\nP1: yes", encoding="utf-8")
    assert R.find_register(tmp_path) == tmp_path / "grants.xlsx"
    reg = R.normalise_register(R.load_register(tmp_path / "grants.xlsx"), VOCAB)
    assert reg["organisation"].tolist() == RAW_REGISTER["Organisation"].tolist()
    assert [p.name for p in list_inputs(tmp_path, None)] == ["return.txt"]
