"""Tests of pipeline.triangulate.triangulate, the runner, and the sample EDI builder."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from pipeline.config import ROOT
from pipeline.triangulate.schema import MEASURE_COLUMNS, validate_edi
from pipeline.triangulate.triangulate import triangulate

SETTINGS = {"disclosure": {"min_count": 5}}
MAPPING = {
    "headline_groups": ["Black", "Minority ethnic (all)"],
    "published_no_disparity_band": [0.8, 1.25],
    "quotes": {"max_quotes": 3, "max_chars": 220},
    "codes": {
        "PA1": {"name": "Challenge racism", "measures": ["hate_crime_race"], "direction": "above"},
        "PA2": {"name": "Workforce", "measures": ["workforce_police_officers"], "direction": "below"},
        "PA3": {"name": "Involve", "measures": []},
        "PA6": {"name": "Promote fairness", "measures": ["stop_and_search", "use_of_force"], "direction": "above"},
        "PA7": {"name": "Prevention", "measures": ["youth_justice_custody"], "direction": "above", "by_cohort": True},
    },
}


def measure(**kw: object) -> dict:
    base = {c: "" for c in MEASURE_COLUMNS}
    base.update({c: math.nan for c in ("count", "denominator", "rate", "reference_rate", "ratio", "ci_low", "ci_high")})
    base.update({"reliable": True, "suppressed": False, "source": "fixture source", "period": "2021"})
    base.update(kw)
    return base


MEASURES = pd.DataFrame([
    measure(measure="stop_and_search", area="Gwent", ethnicity_group="Black", count=100, ratio=3.12, ci_low=2.56,
            ci_high=3.81, ratio_kind="relative_rate", notes="police.uk records"),
    measure(measure="stop_and_search", area="North Wales", ethnicity_group="Black", count=25, ratio=0.86,
            ci_low=0.58, ci_high=1.28, ratio_kind="relative_rate"),
    measure(measure="stop_and_search", area="Dyfed-Powys", ethnicity_group="Black", count=8, ratio=6.8,
            ci_low=3.4, ci_high=13.9, ratio_kind="relative_rate", reliable=False),
    measure(measure="use_of_force", area="Gwent", ethnicity_group="Black", count=306, ratio=4.54, ci_low=4.07,
            ci_high=5.07, ratio_kind="relative_rate", period="2019/20"),
    measure(measure="workforce_police_officers", area="South Wales", ethnicity_group="Minority ethnic (all)",
            count=79, rate=2.6, ratio=0.27, ci_low=0.22, ci_high=0.34, ratio_kind="representation"),
    measure(measure="hate_crime_race", area="All Wales", ethnicity_group="All", count=3632, period="2023/24",
            rate_unit="count"),
])


def statements_and_codes() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, codes = [], []

    def add(code: str, area: str, n: int, org: str, stances: list[str], cohort: str = "community") -> None:
        for i in range(n):
            sid = f"{org}-{code}-{area}-{i}"
            rows.append({"statement_id": sid, "organisation": org, "participant_ref": f"P-{area[:2]}{i}",
                         "police_force_area": area, "cohort": cohort, "stance": stances[i % len(stances)],
                         "speaker": "participant", "text": f"I was stopped and searched again and again, time {i}."})
            codes.append({"statement_id": sid, "code": code})

    add("PA6", "Gwent", 6, "OrgA", ["disagree", "disagree", "agree"])
    add("PA6", "North Wales", 5, "OrgB", ["mixed"])
    add("PA6", "Dyfed-Powys", 2, "OrgC", ["disagree"])
    add("PA2", "South Wales", 5, "OrgD", ["disagree"])
    add("PA1", "Gwent", 5, "OrgA", ["agree"])
    add("PA3", "Gwent", 5, "OrgA", ["agree"])
    add("PA7", "Gwent", 5, "OrgE", ["disagree"], cohort="youth_justice")
    st = pd.DataFrame(rows)
    codes.append({"statement_id": st["statement_id"].iloc[0], "code": "uncoded"})
    return st, pd.DataFrame(codes)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    st, codes = statements_and_codes()
    return triangulate(st, codes, MEASURES, MAPPING, SETTINGS).set_index(["code", "police_force_area", "cohort"])


def test_disparity_with_interval_above_one_reads_consistent(table):
    r = table.loc[("PA6", "Gwent", "all")]
    assert r["reading"] == "consistent with the data"
    assert (r["measure"], r["ethnicity"], r["ratio"], r["ci_low"]) == ("stop_and_search", "Black", 3.12, 2.56)
    assert r["n_statements"] == 6 and r["n_participants"] == 6
    assert r["share_disagree"] == pytest.approx(4 / 6)  # stances cycle disagree, disagree, agree
    assert "prove" in r["reading_detail"] and "use of force" in r["caveat"]  # other measure listed
    assert 1 <= r["quotes"].count("\u201c") <= 3


def test_interval_including_one_reads_no_disparity(table):
    assert table.loc[("PA6", "North Wales", "all"), "reading"] == "the data show no disparity here"


def test_small_groups_withhold_counts_quotes_and_small_data_says_too_small(table):
    r = table.loc[("PA6", "Dyfed-Powys", "all")]
    assert r["reading"] == "data too small to say"
    assert pd.isna(r["n_statements"]) and pd.isna(r["n_participants"]) and math.isnan(r["share_disagree"])
    assert r["quotes"] == ""


def test_under_representation_reads_consistent_for_workforce(table):
    r = table.loc[("PA2", "South Wales", "all")]
    assert r["reading"] == "consistent with the data" and "share of the population" in r["reading_detail"]


def test_missing_measure_yields_no_data_supplied(table):
    r = table.loc[("PA7", "Gwent", "youth_justice")]
    assert r["reading"] == "no data supplied" and r["measure"] == ""
    assert "youth justice custody" in r["reading_detail"]
    r3 = table.loc[("PA3", "Gwent", "all")]
    assert r3["reading"] == "no data supplied" and "no equality measure is mapped" in r3["caveat"]


def test_all_wales_fallback_and_context_only(table):
    r = table.loc[("PA1", "Gwent", "all")]
    assert r["data_area"] == "All Wales" and "no figure for Gwent" in r["caveat"]
    assert r["reading"] == "the data give context only"


def test_uncoded_rows_are_ignored(table):
    assert "uncoded" not in table.index.get_level_values("code")


def test_statements_without_required_column_give_a_plain_error():
    st, codes = statements_and_codes()
    with pytest.raises(ValueError, match="make code"):
        triangulate(st.drop(columns="stance"), codes, MEASURES, MAPPING, SETTINGS)


# --- the runner --------------------------------------------------------------------------------


def _write_edi(folder: Path) -> None:
    folder.mkdir(parents=True)
    rows = [
        ["stop_and_search", "Gwent", "2021", "Black", "100", "8758", "", "per 1,000 population", "fixture", ""],
        ["stop_and_search", "Gwent", "2021", "White", "2000", "552430", "", "per 1,000 population", "fixture", ""],
        ["stop_and_search", "Gwent", "2021", "Klingon", "40", "1000", "", "per 1,000 population", "fixture", ""],
        ["stop_and_search", "Gwent", "2021", "Black", "", "", "", "per 1,000 population", "fixture", ""],
    ]
    cols = ["measure", "area", "period", "ethnicity", "count", "denominator", "rate", "unit", "source", "notes"]
    pd.DataFrame(rows[:3], columns=cols).to_csv(folder / "stops.csv", index=False)
    pd.DataFrame(rows[3:], columns=cols).to_excel(folder / "more.xlsx", sheet_name="extra", index=False)


def test_runner_writes_measures_rejects_and_unmapped_and_says_code_first(tmp_path):
    import typer

    from pipeline.triangulate.cli import triangulate_command

    app = typer.Typer()
    app.command()(triangulate_command)
    _write_edi(tmp_path / "raw" / "edi")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["--raw", str(tmp_path / "raw"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    m = pd.read_parquet(out / "edi_measures.parquet")
    assert len(m) == 3 and m["ratio"].notna().sum() == 1
    rejected = pd.read_csv(out / "edi_rejected.csv")
    assert rejected["file"].tolist() == ["more.xlsx#extra"]
    assert pd.read_csv(out / "edi_unmapped.csv")["ethnicity"].tolist() == ["Klingon"]
    assert not (out / "triangulation.parquet").exists()
    assert "make code" in result.output  # the log goes to stderr, which the runner captures
    assert yaml.safe_load((out / "triangulate.config.yaml").read_text())["params"]["rows_rejected"] == 1

    st, codes = statements_and_codes()
    st.to_parquet(out / "statements.parquet")
    codes.to_parquet(out / "codes.parquet")
    result = CliRunner().invoke(app, ["--raw", str(tmp_path / "raw"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    tri = pd.read_parquet(out / "triangulation.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(out / "edi_measures.parquet"), m)  # same inputs, same output
    assert set(tri["reading"]) >= {"consistent with the data", "no data supplied"}


# --- the sample builder and the committed sample -------------------------------------------------

SAMPLE_EDI = ROOT / "data" / "raw" / "sample" / "edi"


def test_committed_sample_edi_rows_all_carry_a_source_and_validate():
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False).assign(file=p.name) for p in sorted(SAMPLE_EDI.glob("*.csv"))]
    assert frames, "data/raw/sample/edi/ is empty: run scripts/build_sample_edi.py"
    raw = pd.concat(frames, ignore_index=True)
    assert (raw["source"].str.strip() != "").all()
    areas = ["Dyfed-Powys", "Gwent", "North Wales", "South Wales", "All Wales", "England", "England and Wales"]
    _, rejected = validate_edi(raw, areas)
    assert rejected.empty, rejected


@pytest.mark.skipif(not Path("/work/shared/data/edi/SOURCES.md").exists(), reason="published figures not on this machine")
def test_builder_rows_carry_a_source_and_match_the_published_census_figures():
    spec = importlib.util.spec_from_file_location("build_sample_edi", ROOT / "scripts" / "build_sample_edi.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    files, skipped = mod.build(Path("/work/shared/data/edi"))
    rows = [r for rs in files.values() for r in rs]
    assert rows and all(r["source"].strip() for r in rows)
    # Census 2021 Black residents of Gwent as cross-checked in SOURCES.md: 4,593
    gwent_black = [r for r in files["population.csv"] if r["area"] == "Gwent" and r["period"] == "2021" and r["ethnicity"] == "Black"]
    assert [r["count"] for r in gwent_black] == ["4593"]
    assert any("text only" in s for s in skipped)  # "nearly seven times" is not turned into a number
