"""Tests of pipeline.triangulate.measures and .schema on small hand-computed EDI fixtures."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline.config import ConfigError
from pipeline.triangulate.measures import (
    classify_unit,
    compute_measures,
    ethnicity_lookup,
    finalise,
    log_ci,
    map_ethnicity,
    trends,
)
from pipeline.triangulate.schema import EdiFormatError, validate_edi
from pipeline.triangulate.sdc import apply_suppression

AREAS = ["Dyfed-Powys", "Gwent", "North Wales", "South Wales", "All Wales"]
EMAP = pd.DataFrame(
    {
        "value": ["White", "Black", "Black (or Black British)", "Asian", "Mixed", "Other", "All", "BAME", "Mixed_Black"],
        "ethnicity_group": ["White", "Black", "Black", "Asian", "Mixed", "Other", "All", "Minority ethnic (all)", "Mixed"],
    }
)
PARAMS = {
    "population_measure": "population",
    "population_denominator": {"measures": ["use_of_force"], "max_gap_years": 6},
    "workforce_measures": ["workforce"],
    "flows": {"yj": ["yj_arrests", "yj_charges"]},
    "reference_group": "White",
    "reliability": {"min_numerator": 10},
    "additive_groups": {"All": ["White", "Black", "Asian", "Mixed", "Other"]},
}


def edi(*rows: tuple) -> pd.DataFrame:
    """Tidy EDI rows: (measure, area, period, ethnicity, count, denominator, rate, unit)."""
    cols = ["measure", "area", "period", "ethnicity", "count", "denominator", "rate", "unit"]
    df = pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows], columns=cols)
    for c in ("count", "denominator", "rate"):
        df[c] = pd.to_numeric(df[c]).astype(float)
    return df.assign(source="hand-made fixture", notes="")


def run(df: pd.DataFrame, min_count: int = 5, params: dict | None = None) -> pd.DataFrame:
    measures, _ = compute_measures(df, EMAP, params or PARAMS)
    return finalise(apply_suppression(measures, min_count, params or PARAMS))


def row(m: pd.DataFrame, **kw: str) -> pd.Series:
    sel = m
    for k, v in kw.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_rate_ratio_and_log_interval_match_hand_calculation():
    m = run(edi(
        ("stop_and_search", "Gwent", "2021", "Black", 50, 10_000, None, "per 1,000 population"),
        ("stop_and_search", "Gwent", "2021", "White", 200, 100_000, None, "per 1,000 population"),
    ))
    black = row(m, ethnicity_group="Black")
    # rates: 50 / 10,000 x 1,000 = 5.0; 200 / 100,000 x 1,000 = 2.0; ratio 5.0 / 2.0 = 2.5
    assert black["rate"] == pytest.approx(5.0)
    assert black["reference_rate"] == pytest.approx(2.0)
    assert black["ratio"] == pytest.approx(2.5)
    # SE(log RR) = sqrt(1/50 - 1/10000 + 1/200 - 1/100000) = sqrt(0.02489) = 0.157766
    # CI = 2.5 x exp(-/+ 1.96 x 0.157766) = 1.8351 to 3.4059
    assert black["ci_low"] == pytest.approx(1.8351, abs=1e-4)
    assert black["ci_high"] == pytest.approx(3.4059, abs=1e-4)
    assert black["ratio_kind"] == "relative_rate"
    assert black["reliable"] and not black["suppressed"]


def test_log_ci_has_no_interval_for_zero_count():
    ratio, lo, hi = log_ci(0, 100, 10, 100)
    assert ratio == 0 and math.isnan(lo) and math.isnan(hi)


def test_population_denominator_comes_from_nearest_census_of_same_area_and_group():
    m = run(edi(
        ("population", "Gwent", "2011", "Black", 1_000, None, None, "persons"),
        ("population", "Gwent", "2021", "Black", 2_000, None, None, "persons"),
        ("population", "Gwent", "2021", "Mixed_Black", 500, None, None, "persons"),
        ("population", "Gwent", "2021", "White", 40_000, None, None, "persons"),
        ("use_of_force", "Gwent", "2019/20", "Black (or Black British)", 30, None, None, "per 1,000 population"),
        ("use_of_force", "Gwent", "2019/20", "White", 120, None, None, "per 1,000 population"),
    ))
    black = row(m, measure="use_of_force", ethnicity_group="Black")
    # 2019 is 2 years from Census 2021 and 8 from 2011: denominator 2,000 (Mixed_Black is in Mixed, not Black)
    assert black["denominator"] == 2_000
    assert black["rate"] == pytest.approx(15.0)  # 30 / 2,000 x 1,000
    assert black["ratio"] == pytest.approx(5.0)  # 15.0 / (120 / 40,000 x 1,000 = 3.0)
    assert "Census 2021" in black["notes"]


def test_published_rates_give_ratio_without_interval_and_published_ratio_is_carried():
    m = run(edi(
        ("arrests", "All Wales", "2020/21", "Black", None, None, 53, "per 1,000 population"),
        ("arrests", "All Wales", "2020/21", "White", None, None, 12, "per 1,000 population"),
        ("arrests", "North Wales", "2020/21", "Black", None, None, 3.7, "ratio to White (published)"),
    ))
    black = row(m, area="All Wales", ethnicity_group="Black")
    assert black["ratio"] == pytest.approx(53 / 12)
    assert black["ratio_kind"] == "from_published_rates"
    assert math.isnan(black["ci_low"])
    pub = row(m, area="North Wales")
    assert pub["ratio"] == pytest.approx(3.7) and pub["ratio_kind"] == "published" and math.isnan(pub["rate"])


def test_workforce_representation_ratio_against_population_share():
    m = run(edi(
        ("population", "South Wales", "2021", "All", 100_000, None, None, "persons"),
        ("population", "South Wales", "2021", "White", 94_000, None, None, "persons"),
        ("workforce", "South Wales", "2020", "BAME", 20, 1_000, None, "percent of officers"),
    ))
    w = row(m, measure="workforce")
    # workforce share 20 / 1,000 = 2%; population share (100,000 - 94,000) / 100,000 = 6%; ratio 2 / 6 = 0.3333
    assert w["rate"] == pytest.approx(2.0)
    assert w["reference_rate"] == pytest.approx(6.0)
    assert w["ratio"] == pytest.approx(1 / 3)
    # SE = sqrt(1/20 - 1/1000 + 1/6000 - 1/100000) = 0.221713; CI = 0.3333 x exp(-/+ 1.96 x 0.221713)
    assert w["ci_low"] == pytest.approx(0.21585, abs=1e-4)
    assert w["ci_high"] == pytest.approx(0.51476, abs=1e-4)
    assert w["ratio_kind"] == "representation"
    assert "all-age" in w["notes"]


def test_relative_rate_index_of_a_two_stage_flow():
    m = run(edi(
        ("yj_arrests", "Gwent", "2022", "Black", 40, 2_000, None, "per 1,000 population"),
        ("yj_arrests", "Gwent", "2022", "White", 100, 20_000, None, "per 1,000 population"),
        ("yj_charges", "Gwent", "2022", "Black", 30, None, None, "per 1,000"),
        ("yj_charges", "Gwent", "2022", "White", 50, None, None, "per 1,000"),
    ))
    arrests = row(m, measure="yj_arrests", ethnicity_group="Black")
    assert arrests["ratio"] == pytest.approx(4.0)  # (40 / 2,000) / (100 / 20,000) = 0.02 / 0.005
    charges = row(m, measure="yj_charges", ethnicity_group="Black")
    # stage rate = charges / arrests: Black 30 / 40 = 0.75, White 50 / 100 = 0.5; RRI = 1.5
    assert charges["ratio"] == pytest.approx(1.5)
    assert charges["ratio_kind"] == "rri"
    assert charges["rate"] == pytest.approx(750.0)  # per 1,000 at the previous stage
    # SE = sqrt(1/30 - 1/40 + 1/50 - 1/100) = 0.135401; CI 1.5 x exp(-/+ 1.96 x 0.135401) = 1.1504 to 1.9559
    assert charges["ci_low"] == pytest.approx(1.1504, abs=1e-4)
    assert charges["ci_high"] == pytest.approx(1.9559, abs=1e-4)


def test_small_numerator_is_flagged_unreliable_not_precise():
    m = run(edi(
        ("stop_and_search", "Dyfed-Powys", "2019", "Black", 8, 3_000, None, "per 1,000 population"),
        ("stop_and_search", "Dyfed-Powys", "2019", "White", 200, 500_000, None, "per 1,000 population"),
    ))
    black = row(m, ethnicity_group="Black")
    assert not black["suppressed"]  # 8 >= 5
    assert not black["reliable"]  # 8 < 10


def test_unmapped_ethnicity_is_reported_and_kept():
    df = edi(
        ("arrests", "Gwent", "2020", "White", 100, 1_000, None, "per 1,000 population"),
        ("arrests", "Gwent", "2020", "Martian", 20, 1_000, None, "per 1,000 population"),
    )
    mapped, unmapped = map_ethnicity(df, EMAP)
    assert list(unmapped["ethnicity"]) == ["Martian"] and unmapped["n_rows"].tolist() == [1]
    m = run(df)
    kept = row(m, ethnicity="Martian")
    assert kept["ethnicity_group"] == "unmapped" and math.isnan(kept["ratio"])


def test_conflicting_ethnicity_map_is_a_config_error():
    bad = pd.DataFrame({"value": ["BME", "bme"], "ethnicity_group": ["Minority ethnic (all)", "Black"]})
    with pytest.raises(ConfigError, match="both"):
        ethnicity_lookup(bad)


def test_classify_unit():
    assert classify_unit("per 1,000 population") == ("rate", 1000.0)
    assert classify_unit("per 10,000 population") == ("rate", 10000.0)
    assert classify_unit("percent of officers") == ("share", 100.0)
    assert classify_unit("ratio to White (published)") == ("ratio", 1.0)
    assert classify_unit("count") == ("count", 1.0)


def test_trend_across_periods():
    m = run(edi(
        ("stop_and_search", "Gwent", "2019", "Black", 40, 1_000, None, "per 1,000 population"),
        ("stop_and_search", "Gwent", "2019", "White", 100, 10_000, None, "per 1,000 population"),
        ("stop_and_search", "Gwent", "2021", "Black", 20, 1_000, None, "per 1,000 population"),
        ("stop_and_search", "Gwent", "2021", "White", 100, 10_000, None, "per 1,000 population"),
    ))
    t = trends(m)
    black = t[t["ethnicity_group"] == "Black"].iloc[0]
    assert (black["first_period"], black["last_period"]) == ("2019", "2021")
    assert black["first_ratio"] == pytest.approx(4.0) and black["last_ratio"] == pytest.approx(2.0)
    assert black["change"] == "ratio down"


def _raw(**over: str) -> dict[str, str]:
    base = {"measure": "arrests", "area": "Gwent", "period": "2020", "ethnicity": "Black", "count": "12",
            "denominator": "1000", "rate": "", "unit": "per 1,000 population", "source": "a report", "notes": "",
            "file": "x.csv"}
    return {**base, **over}


def test_bad_edi_rows_are_rejected_with_plain_reasons():
    raw = pd.DataFrame([
        _raw(),
        _raw(count="lots"),
        _raw(source=""),
        _raw(area="Atlantis"),
        _raw(count="", rate=""),
        _raw(count="-3"),
        _raw(count="30", denominator="20", unit="percent of officers"),
    ])
    ok, rejected = validate_edi(raw, AREAS)
    assert len(ok) == 1 and len(rejected) == 6
    reasons = rejected["reason"].tolist()
    assert "the count 'lots' is not a number" in reasons[0]
    assert "source is blank" in reasons[1]
    assert "Atlantis" in reasons[2]
    assert "neither a count nor a published rate" in reasons[3]
    assert "negative" in reasons[4]
    assert "larger than its denominator" in reasons[5]
    assert (rejected["file"] == "x.csv").all()


def test_missing_required_column_stops_with_a_message():
    raw = pd.DataFrame([_raw()]).drop(columns="source")
    with pytest.raises(EdiFormatError, match="no column source"):
        validate_edi(raw, AREAS)
