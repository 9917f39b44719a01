"""Statistical disclosure control for the equality measures.

Primary suppression hides every count below ``disclosure.min_count`` (zeros included) together with
everything that would let a reader work it back out (its rate, its ratio, a denominator below the
threshold). Secondary suppression then hides one more cell wherever a total and its other parts
would reveal a suppressed cell by subtraction (e.g. All - White - Asian - Mixed - Other = Black,
or All Wales - three forces = the fourth). A ratio whose reference (White) count is suppressed is
hidden too, since ratio x the group's rate would give the reference rate back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.settings import lookup

HIDE = ["count", "rate", "ratio", "ci_low", "ci_high", "reference_rate"]


def primary_suppression(measures: pd.DataFrame, min_count: int) -> pd.DataFrame:
    """Mark rows whose count, or count-like denominator, is below ``min_count`` as ``suppressed``."""
    out = measures.copy()
    small_count = out["count"].notna() & (out["count"] < min_count)
    small_denominator = out["denominator"].notna() & (out["denominator"] < min_count)
    out["suppressed"] = small_count | small_denominator
    out["_why"] = np.where(out["suppressed"], f"count below {min_count}", "")
    return out


def _relations(params_groups: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    return [(total, list(parts)) for total, parts in (params_groups or {}).items()]


def secondary_suppression(
    measures: pd.DataFrame,
    additive_groups: dict[str, list[str]],
    additive_areas: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """Suppress complementary cells so that no suppressed count can be recovered from a total.

    For each total (e.g. ``All`` over ethnicity groups, ``All Wales`` over force areas) shown with its
    parts in the same measure, period and unit: if exactly one part is hidden (suppressed or absent)
    and it is suppressed, the smallest other shown part is suppressed too (or, if none, the total).
    Repeats until nothing changes.
    """
    out = measures.copy()
    dims = [("ethnicity_group", ["measure", "area", "period", "rate_unit"], _relations(additive_groups)),
            ("area", ["measure", "ethnicity_group", "period", "rate_unit"], _relations(additive_areas or {}))]
    changed = True
    while changed:
        changed = False
        for dim, keys, relations in dims:
            for _, cell in out[out["count"].notna() | out["suppressed"]].groupby(keys, sort=False):
                by_value = {v: idx for v, idx in zip(cell[dim], cell.index, strict=True)}
                for total, parts in relations:
                    if total not in by_value or out.at[by_value[total], "suppressed"]:
                        continue
                    present = [by_value[p] for p in parts if p in by_value]
                    hidden = [i for i in present if out.at[i, "suppressed"]] + [None] * (len(parts) - len(present))
                    if len(hidden) != 1 or hidden[0] is None:
                        continue
                    shown = [i for i in present if not out.at[i, "suppressed"]]
                    target = min(shown, key=lambda i: (out.at[i, "count"], str(out.at[i, dim]))) if shown else by_value[total]
                    out.at[target, "suppressed"] = True
                    out.at[target, "_why"] = "hidden so that a suppressed cell cannot be worked out from the total"
                    changed = True
    return out


def apply_suppression(measures: pd.DataFrame, min_count: int, params: dict) -> pd.DataFrame:
    """Primary and secondary suppression, then blank every figure a suppressed cell would reveal.

    Args:
        measures: Output of :func:`pipeline.triangulate.measures.compute_measures`.
        min_count: ``disclosure.min_count`` from config/settings.yaml.
        params: config/triangulation.yaml (``additive_groups``, ``additive_areas``, ``reference_group``).

    Returns:
        The measures with ``suppressed`` set, suppressed figures blanked (NaN), ``reliable`` False where
        suppressed, and the reason added to ``notes``.
    """
    out = primary_suppression(measures, min_count)
    out = secondary_suppression(out, params.get("additive_groups", {}), params.get("additive_areas", {}))
    sup = out["suppressed"]
    out.loc[sup, HIDE] = np.nan
    small_den = out["denominator"].notna() & (out["denominator"] < min_count)
    out.loc[small_den, "denominator"] = np.nan
    # A ratio against a suppressed reference count would give that count back.
    reference = lookup(params, "reference_group", "triangulation.yaml")
    ref_sup = out[(out["ethnicity_group"] == reference) & out["suppressed"]][["measure", "area", "period", "rate_unit"]]
    ref_keys = set(map(tuple, ref_sup.to_numpy()))
    hit = pd.Series(
        [(m, a, p, u) in ref_keys and k in ("relative_rate", "rri", "from_published_rates")
         for m, a, p, u, k in zip(out["measure"], out["area"], out["period"], out["rate_unit"], out["ratio_kind"], strict=True)],
        index=out.index,
    )
    out.loc[hit, ["ratio", "ci_low", "ci_high", "reference_rate"]] = np.nan
    out.loc[hit, "_why"] = "ratio hidden: the reference group's count is suppressed"
    out.loc[sup | hit, "reliable"] = False
    out["notes"] = [
        "; ".join(x for x in (n, f"suppressed: {w}" if w else "") if x) for n, w in zip(out["notes"], out["_why"], strict=True)
    ]
    return out.drop(columns="_why")
