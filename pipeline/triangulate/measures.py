"""Equality measures from tidy EDI rows: rates, disproportionality ratios with intervals, representation, trends.

Pure DataFrame -> DataFrame functions (the runner ``pipeline/triangulate/cli.py`` reads and writes
files). The usual chain is :func:`compute_measures`, which maps ethnicity labels to analysis groups,
adds population denominators, computes rates per the row's unit (per 1,000 unless the table says
otherwise), the ratio of each group's rate to the White group's rate with a 95% confidence interval
(log method), the workforce representation ratio, and the Relative Rate Index of multi-stage flows.
Statistical disclosure control is applied afterwards by :mod:`pipeline.triangulate.sdc`.

The log-method interval of a ratio of two rates a/n1 and c/n2 is
``exp(log(RR) +/- 1.96 * sqrt(1/a - 1/n1 + 1/c - 1/n2))``.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from pipeline.config import ConfigError
from pipeline.settings import lookup
from pipeline.triangulate.schema import MEASURE_COLUMNS, MEASURES_SCHEMA, check_output
from pipeline.vocab import normalise_label

Z95 = 1.959963984540054
UNMAPPED = "unmapped"
REFERENCE_DEFAULT = "White"
MINORITY = "Minority ethnic (all)"
NO_RATE_GROUPS = {"Not stated", UNMAPPED}
KEY = ["measure", "area", "period", "unit"]


def ethnicity_lookup(ethnicity_map: pd.DataFrame) -> dict[str, str]:
    """Turn config/ethnicity_map.csv into {normalised label: analysis group}.

    Raises:
        ConfigError: If a column is missing or one label is mapped to two different groups.
    """
    for col in ("value", "ethnicity_group"):
        if col not in ethnicity_map.columns:
            raise ConfigError(f"config/ethnicity_map.csv has no '{col}' column; it needs value and ethnicity_group.")
    lookup: dict[str, str] = {}
    for value, group in zip(ethnicity_map["value"].astype(str), ethnicity_map["ethnicity_group"].astype(str), strict=True):
        key = normalise_label(value)
        if key in lookup and lookup[key] != group:
            raise ConfigError(
                f"config/ethnicity_map.csv maps '{value}' both to '{lookup[key]}' and to '{group}'. Keep one of the two rows."
            )
        lookup[key] = group
    return lookup


def map_ethnicity(edi: pd.DataFrame, ethnicity_map: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add ``ethnicity_group`` from the ethnicity map; report, never drop, labels it does not know.

    Returns:
        ``(mapped, unmapped)``: every input row with ``ethnicity_group`` (``unmapped`` where the label is
        not in the map), and one row per unknown label: ``ethnicity, n_rows, measures``.
    """
    lookup = ethnicity_lookup(ethnicity_map)
    out = edi.copy()
    out["ethnicity_group"] = [lookup.get(normalise_label(v), UNMAPPED) for v in out["ethnicity"]]
    bad = out[out["ethnicity_group"] == UNMAPPED]
    unmapped = (
        bad.groupby("ethnicity", sort=True)
        .agg(n_rows=("measure", "size"), measures=("measure", lambda s: "; ".join(sorted(set(s)))))
        .reset_index()
    )
    return out, unmapped


def classify_unit(unit: str) -> tuple[str, float]:
    """Say what a unit means: ``("rate", 1000)`` for "per 1,000 population", ``("share", 100)`` for a percent,
    ``("ratio", 1)`` for a published ratio to White, ``("count", 1)`` otherwise."""
    text = str(unit).lower()
    if "ratio" in text:
        return "ratio", 1.0
    m = re.search(r"\bper\s+([\d,]+)", text)
    if m:
        return "rate", float(m.group(1).replace(",", ""))
    if "percent" in text or "%" in text:
        return "share", 100.0
    return "count", 1.0


def _year(period: str) -> int | None:
    m = re.search(r"(19|20)\d\d", str(period))
    return int(m.group(0)) if m else None


def _join(values: pd.Series) -> str:
    return "; ".join(dict.fromkeys(v for v in values.astype(str) if v))


def aggregate_groups(edi: pd.DataFrame) -> pd.DataFrame:
    """Sum rows that fall in the same analysis group (e.g. Census Mixed_Black + Mixed_Asian + Mixed_Other).

    Rows are summed only when they all have counts and no published rate (published rates cannot be
    added); otherwise they stay separate. Unmapped labels are never merged.
    """
    df = edi.copy()
    df["_gkey"] = np.where(df["ethnicity_group"] == UNMAPPED, UNMAPPED + ":" + df["ethnicity"], df["ethnicity_group"])
    parts = []
    for _, g in df.groupby([*KEY, "_gkey"], sort=False, dropna=False):
        summable = (
            len(g) > 1 and g["count"].notna().all() and g["rate"].isna().all()
            and (g["denominator"].notna().all() or g["denominator"].isna().all())
        )
        if not summable:
            parts.append(g)
            continue
        row = g.iloc[[0]].copy()
        row["ethnicity"] = _join(g["ethnicity"])
        row["count"] = g["count"].sum()
        row["denominator"] = g["denominator"].sum() if g["denominator"].notna().all() else np.nan
        row["source"] = _join(g["source"])
        row["notes"] = _join(g["notes"])
        parts.append(row)
    return pd.concat(parts, ignore_index=True).drop(columns="_gkey") if parts else df.drop(columns="_gkey")


def population_table(edi: pd.DataFrame, population_measure: str) -> pd.DataFrame:
    """Population counts by area, census year and analysis group, adding ``Minority ethnic (all)`` = All - White
    where the table does not give it."""
    pop = edi[(edi["measure"] == population_measure) & edi["count"].notna()]
    pop = pop.assign(year=pop["period"].map(_year)).dropna(subset=["year"])
    pop = pop.groupby(["area", "year", "ethnicity_group"], as_index=False)["count"].sum()
    derived = []
    for (area, year), g in pop.groupby(["area", "year"]):
        groups = dict(zip(g["ethnicity_group"], g["count"], strict=True))
        if MINORITY not in groups and "All" in groups and REFERENCE_DEFAULT in groups:
            derived.append({"area": area, "year": year, "ethnicity_group": MINORITY,
                            "count": groups["All"] - groups[REFERENCE_DEFAULT]})
    if derived:
        pop = pd.concat([pop, pd.DataFrame(derived)], ignore_index=True)
    return pop.rename(columns={"count": "population"})


def _nearest_population(pop: pd.DataFrame, area: str, group: str, period: str, max_gap: int) -> tuple[float, int] | None:
    year = _year(period)
    cand = pop[(pop["area"] == area) & (pop["ethnicity_group"] == group)]
    if year is None or cand.empty:
        return None
    cand = cand.assign(gap=(cand["year"] - year).abs()).sort_values(["gap", "year"], ascending=[True, False])
    best = cand.iloc[0]
    if best["gap"] > max_gap:
        return None
    return float(best["population"]), int(best["year"])


def attach_population(edi: pd.DataFrame, pop: pd.DataFrame, measures: list[str], max_gap: int) -> pd.DataFrame:
    """Give rows of ``measures`` that have a count but no denominator the population of their area and group
    from the census nearest in time (within ``max_gap`` years); say which census in ``notes``."""
    out = edi.copy()
    for i in out.index:
        r = out.loc[i]
        if r["measure"] not in measures or pd.notna(r["denominator"]) or pd.isna(r["count"]) or pd.notna(r["rate"]):
            continue
        if r["ethnicity_group"] in NO_RATE_GROUPS or classify_unit(r["unit"])[0] != "rate":
            continue
        found = _nearest_population(pop, r["area"], r["ethnicity_group"], r["period"], max_gap)
        note = (
            f"denominator: Census {found[1]} population of {r['area']}, {r['ethnicity_group']}, all ages"
            if found else f"no census population within {max_gap} years of {r['period']}: no rate"
        )
        if found:
            out.at[i, "denominator"] = found[0]
        out.at[i, "notes"] = _join(pd.Series([r["notes"], note]))
    return out


def attach_flow_denominators(edi: pd.DataFrame, flows: dict[str, list[str]]) -> pd.DataFrame:
    """For multi-stage flows (e.g. youth justice arrests -> charges -> custody), give each later stage the count
    of the stage before (same area, period, group) as its denominator, so the ratio is the Relative Rate Index."""
    out = edi.copy()
    out["_stage_of"] = ""
    for flow, stages in (flows or {}).items():
        for prev, stage in zip(stages, stages[1:], strict=False):
            base = out[out["measure"] == prev].set_index(["area", "period", "ethnicity_group"])["count"]
            base = base[~base.index.duplicated()]
            for i in out.index[(out["measure"] == stage) & out["denominator"].isna() & out["count"].notna()]:
                k = (out.at[i, "area"], out.at[i, "period"], out.at[i, "ethnicity_group"])
                if k in base.index and pd.notna(base[k]) and base[k] > 0:
                    out.at[i, "denominator"] = base[k]
                    out.at[i, "unit"] = f"per 1,000 at the previous stage ({prev})"
                    out.at[i, "_stage_of"] = flow
    return out


def log_ci(a: float, n1: float, c: float, n2: float, z: float = Z95) -> tuple[float, float, float]:
    """Ratio of rates a/n1 over c/n2 and its confidence interval by the log method.

    Returns ``(ratio, low, high)``; the interval is NaN when a count is zero.
    """
    ratio = (a / n1) / (c / n2)
    if a <= 0 or c <= 0:
        return ratio, math.nan, math.nan
    se = math.sqrt(max(1 / a - 1 / n1 + 1 / c - 1 / n2, 0.0))
    return ratio, math.exp(math.log(ratio) - z * se), math.exp(math.log(ratio) + z * se)


def compute_rates(edi: pd.DataFrame) -> pd.DataFrame:
    """Add ``rate`` (count / denominator x the unit's scale, or the published rate) and ``rate_unit``."""
    out = edi.copy()
    kinds = out["unit"].map(classify_unit)
    out["_kind"] = kinds.map(lambda k: k[0])
    scale = kinds.map(lambda k: k[1]).astype(float)
    computable = out["count"].notna() & out["denominator"].notna() & out["_kind"].isin(["rate", "share"])
    out["_computed"] = computable
    out.loc[computable, "rate"] = out.loc[computable, "count"] / out.loc[computable, "denominator"] * scale[computable]
    out["rate_unit"] = out["unit"]
    return out


def disproportionality(rates: pd.DataFrame, reference_group: str, min_numerator: int) -> pd.DataFrame:
    """Ratio of each group's rate to the reference (White) group's rate in the same measure, area, period and unit.

    Computed ratios (counts and denominators on both sides) get a 95% log-method interval
    (``relative_rate``, or ``rri`` for later stages of a flow); ratios of published rates get none
    (``from_published_rates``); published ratios are carried as ``published``.
    """
    out = rates.copy()
    for col in ("reference_rate", "ratio", "ci_low", "ci_high"):
        out[col] = np.nan
    out["reference_group"] = ""
    out["ratio_kind"] = ""
    out["_ref_count"] = np.nan
    is_ratio = out["_kind"] == "ratio"
    out.loc[is_ratio, "ratio"] = out.loc[is_ratio, "rate"]
    out.loc[is_ratio, "rate"] = np.nan
    out.loc[is_ratio, "ratio_kind"] = "published"
    out.loc[is_ratio, "reference_group"] = reference_group
    refs = out[(out["ethnicity_group"] == reference_group) & (out["_kind"] == "rate") & out["rate"].notna()]
    refs = refs.drop_duplicates(KEY)
    ref_index = refs.set_index(KEY)
    for i in out.index[(out["_kind"] == "rate") & out["rate"].notna()]:
        r = out.loc[i]
        if r["ethnicity_group"] in {reference_group, "All", *NO_RATE_GROUPS}:
            continue
        k = tuple(r[c] for c in KEY)
        if k not in ref_index.index:
            continue
        ref = ref_index.loc[k]
        out.at[i, "reference_group"] = reference_group
        out.at[i, "reference_rate"] = ref["rate"]
        out.at[i, "_ref_count"] = ref["count"]
        if r["_computed"] and ref["_computed"]:
            ratio, lo, hi = log_ci(r["count"], r["denominator"], ref["count"], ref["denominator"])
            out.at[i, "ci_low"], out.at[i, "ci_high"] = lo, hi
            out.at[i, "ratio_kind"] = "rri" if r.get("_stage_of", "") else "relative_rate"
        else:
            ratio = r["rate"] / ref["rate"] if ref["rate"] > 0 else np.nan
            out.at[i, "ratio_kind"] = "from_published_rates"
        out.at[i, "ratio"] = ratio
    return out


def representation(rates: pd.DataFrame, pop: pd.DataFrame, workforce_measures: list[str], max_gap: int) -> pd.DataFrame:
    """Representation ratio of workforce measures: the group's share of the workforce / its share of the
    population (all ages) from the nearest census; a 95% log-method interval when the workforce count is known."""
    out = rates.copy()
    for i in out.index[out["measure"].isin(workforce_measures) & (out["_kind"] == "share") & out["rate"].notna()]:
        r = out.loc[i]
        if r["ethnicity_group"] in {"All", *NO_RATE_GROUPS}:
            continue
        grp = _nearest_population(pop, r["area"], r["ethnicity_group"], r["period"], max_gap)
        tot = _nearest_population(pop, r["area"], "All", r["period"], max_gap)
        if not grp or not tot or grp[1] != tot[1]:
            out.at[i, "notes"] = _join(pd.Series([r["notes"], f"no census population within {max_gap} years: no representation ratio"]))
            continue
        pop_share = grp[0] / tot[0] * 100
        out.at[i, "reference_group"] = f"share of population (Census {grp[1]}, all ages)"
        out.at[i, "reference_rate"] = pop_share
        out.at[i, "ratio_kind"] = "representation"
        out.at[i, "_ref_count"] = grp[0]
        if r["_computed"]:
            ratio, lo, hi = log_ci(r["count"], r["denominator"], grp[0], tot[0])
            out.at[i, "ci_low"], out.at[i, "ci_high"] = lo, hi
        else:
            ratio = r["rate"] / pop_share
        out.at[i, "ratio"] = ratio
        out.at[i, "notes"] = _join(pd.Series([
            r["notes"], f"representation against the all-age population (Census {grp[1]}); no working-age figures supplied"
        ]))
    return out


def flag_reliability(measures: pd.DataFrame, min_numerator: int) -> pd.DataFrame:
    """``reliable`` is False when the group's count, or the reference group's count, is below ``min_numerator``.

    Where a published figure gives no count its precision cannot be judged; it stays reliable=True and
    its notes say so.
    """
    out = measures.copy()
    small = (out["count"].notna() & (out["count"] < min_numerator)) | (
        out["_ref_count"].notna() & (out["_ref_count"] < min_numerator)
    )
    out["reliable"] = ~small
    no_counts = out["ratio"].notna() & out["count"].isna()
    out.loc[no_counts, "notes"] = [
        _join(pd.Series([n, "published figure without counts: its precision cannot be judged"]))
        for n in out.loc[no_counts, "notes"]
    ]
    return out


def compute_measures(
    edi: pd.DataFrame, ethnicity_map: pd.DataFrame, params: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the whole measures chain on validated EDI rows (before disclosure control).

    Args:
        edi: Validated tidy EDI rows (see :func:`pipeline.triangulate.schema.validate_edi`).
        ethnicity_map: config/ethnicity_map.csv.
        params: config/triangulation.yaml as a dict.

    Returns:
        ``(measures, unmapped)``: the measures with internal helper columns (prefixed ``_``) still
        present for :mod:`pipeline.triangulate.sdc`, and the unmapped ethnicity labels.
    """
    reference = lookup(params, "reference_group", "triangulation.yaml")
    min_num = int(lookup(params, "reliability.min_numerator", "triangulation.yaml"))
    popcfg = params.get("population_denominator", {}) or {}
    max_gap = int(lookup(params, "population_denominator.max_gap_years", "triangulation.yaml"))
    mapped, unmapped = map_ethnicity(edi, ethnicity_map)
    grouped = aggregate_groups(mapped)
    pop = population_table(grouped, lookup(params, "population_measure", "triangulation.yaml"))
    df = attach_population(grouped, pop, list(popcfg.get("measures", [])), max_gap)
    df = attach_flow_denominators(df, params.get("flows", {}) or {})
    df = compute_rates(df)
    df = disproportionality(df, reference, min_num)
    df = representation(df, pop, list(params.get("workforce_measures", [])), max_gap)
    df = flag_reliability(df, min_num)
    return df, unmapped


def trends(measures: pd.DataFrame) -> pd.DataFrame:
    """First and latest figure of each measure, area, group, unit and source with several periods (suppressed excluded).

    Returns columns ``measure, area, ethnicity_group, rate_unit, n_periods, first_period, last_period,
    first_rate, last_rate, first_ratio, last_ratio, change`` (``change`` of the ratio where there is one, else
    of the rate: ``up``, ``down`` or ``about the same``, i.e. within 10%).
    """
    df = measures[~measures["suppressed"] & (measures["rate"].notna() | measures["ratio"].notna())].copy()
    df["_y"] = df["period"].map(lambda p: _year(p) or 0)
    rows = []
    # Trends only within one source: figures from different sources are not comparable over time.
    for (m, a, g, u, _src), grp in df.groupby(["measure", "area", "ethnicity_group", "rate_unit", "source"], sort=True):
        grp = grp.sort_values(["_y", "period"])
        if grp["period"].nunique() < 2:
            continue
        first, last = grp.iloc[0], grp.iloc[-1]
        basis = "ratio" if pd.notna(first["ratio"]) and pd.notna(last["ratio"]) else "rate"
        a0, a1 = first[basis], last[basis]
        change = "" if pd.isna(a0) or pd.isna(a1) or a0 == 0 else (
            "up" if a1 > a0 * 1.1 else "down" if a1 < a0 / 1.1 else "about the same"
        )
        rows.append({
            "measure": m, "area": a, "ethnicity_group": g, "rate_unit": u, "n_periods": int(grp["period"].nunique()),
            "first_period": first["period"], "last_period": last["period"], "first_rate": first["rate"],
            "last_rate": last["rate"], "first_ratio": first["ratio"], "last_ratio": last["ratio"],
            "change": f"{basis} {change}".strip() if change else "",
        })
    cols = ["measure", "area", "ethnicity_group", "rate_unit", "n_periods", "first_period", "last_period",
            "first_rate", "last_rate", "first_ratio", "last_ratio", "change"]
    return pd.DataFrame(rows, columns=cols)


def finalise(measures: pd.DataFrame) -> pd.DataFrame:
    """Keep the columns of edi_measures (docs/data-model.md) in order, with stable types and a stable row order."""
    out = measures.copy()
    for col in ("suppressed", "reliable"):
        if col not in out.columns:
            out[col] = False
    for col in ("count", "denominator", "rate", "reference_rate", "ratio", "ci_low", "ci_high"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    for col in ("measure", "area", "period", "ethnicity", "ethnicity_group", "rate_unit", "reference_group",
                "ratio_kind", "source", "notes"):
        out[col] = out[col].fillna("").astype(str)
    out["reliable"] = out["reliable"].astype(bool)
    out["suppressed"] = out["suppressed"].astype(bool)
    out = out[MEASURE_COLUMNS].sort_values(
        ["measure", "area", "period", "rate_unit", "ethnicity_group", "ethnicity", "source"], kind="stable"
    ).reset_index(drop=True)
    return check_output(out, MEASURES_SCHEMA, "edi_measures")
