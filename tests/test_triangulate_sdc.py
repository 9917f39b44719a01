"""Tests of pipeline.triangulate.sdc: primary and secondary suppression on hand-made cells."""

from __future__ import annotations

import math

import pandas as pd

from pipeline.triangulate.measures import compute_measures, finalise
from pipeline.triangulate.sdc import apply_suppression

EMAP = pd.DataFrame({"value": ["White", "Black", "Asian", "Mixed", "Other", "All"],
                     "ethnicity_group": ["White", "Black", "Asian", "Mixed", "Other", "All"]})
PARAMS = {
    "reference_group": "White",
    "reliability": {"min_numerator": 10},
    "additive_groups": {"All": ["White", "Black", "Asian", "Mixed", "Other"]},
    "additive_areas": {"All Wales": ["Dyfed-Powys", "Gwent", "North Wales", "South Wales"]},
}


def cells(area_counts: dict[tuple[str, str], float]) -> pd.DataFrame:
    rows = [{"measure": "use_of_force", "area": a, "period": "2020", "ethnicity": g, "count": c,
             "denominator": 10_000.0, "rate": float("nan"), "unit": "per 1,000 population",
             "source": "fixture", "notes": ""} for (a, g), c in area_counts.items()]
    return pd.DataFrame(rows)


def run(df: pd.DataFrame, min_count: int = 5) -> pd.DataFrame:
    measures, _ = compute_measures(df, EMAP, PARAMS)
    return finalise(apply_suppression(measures, min_count, PARAMS)).set_index(["area", "ethnicity_group"])


def test_primary_and_secondary_suppression_against_the_total():
    # All = 1,000 + 3 + 40 + 12 + 20 = 1,075: with Black (3) hidden, All - the others would give 3 back,
    # so the smallest other cell (Mixed, 12) is hidden too.
    m = run(cells({("Gwent", "White"): 1000, ("Gwent", "Black"): 3, ("Gwent", "Asian"): 40,
                   ("Gwent", "Mixed"): 12, ("Gwent", "Other"): 20, ("Gwent", "All"): 1075}))
    assert m.loc[("Gwent", "Black"), "suppressed"]
    assert m.loc[("Gwent", "Mixed"), "suppressed"]
    assert not m.loc[("Gwent", "Other"), "suppressed"] and not m.loc[("Gwent", "All"), "suppressed"]
    for g in ("Black", "Mixed"):
        r = m.loc[("Gwent", g)]
        assert math.isnan(r["count"]) and math.isnan(r["rate"]) and math.isnan(r["ratio"]) and not r["reliable"]
    assert "worked out from the total" in m.loc[("Gwent", "Mixed"), "notes"]
    assert m.loc[("Gwent", "Asian"), "count"] == 40


def test_no_secondary_suppression_when_two_cells_are_already_hidden():
    m = run(cells({("Gwent", "White"): 1000, ("Gwent", "Black"): 3, ("Gwent", "Asian"): 4,
                   ("Gwent", "Mixed"): 12, ("Gwent", "Other"): 20, ("Gwent", "All"): 1039}))
    assert m.loc[("Gwent", "Black"), "suppressed"] and m.loc[("Gwent", "Asian"), "suppressed"]
    assert not m.loc[("Gwent", "Mixed"), "suppressed"] and not m.loc[("Gwent", "Other"), "suppressed"]


def test_secondary_suppression_across_force_areas():
    m = run(cells({("Dyfed-Powys", "Black"): 2, ("Gwent", "Black"): 30, ("North Wales", "Black"): 15,
                   ("South Wales", "Black"): 300, ("All Wales", "Black"): 347}))
    assert m.loc[("Dyfed-Powys", "Black"), "suppressed"]
    assert m.loc[("North Wales", "Black"), "suppressed"]  # smallest other force
    assert not m.loc[("Gwent", "Black"), "suppressed"] and not m.loc[("All Wales", "Black"), "suppressed"]


def test_ratio_hidden_when_reference_count_is_suppressed():
    m = run(cells({("Gwent", "White"): 4, ("Gwent", "Black"): 50}))
    assert m.loc[("Gwent", "White"), "suppressed"]
    black = m.loc[("Gwent", "Black")]
    assert black["count"] == 50 and math.isnan(black["ratio"]) and not black["reliable"]


def test_zero_is_suppressed_and_threshold_is_configurable():
    m = run(cells({("Gwent", "White"): 1000, ("Gwent", "Black"): 0, ("Gwent", "Asian"): 7}), min_count=10)
    assert m.loc[("Gwent", "Black"), "suppressed"] and m.loc[("Gwent", "Asian"), "suppressed"]
    assert not m.loc[("Gwent", "White"), "suppressed"]
