"""Set what people said beside what the equality data show, one row per priority area and police force area.

:func:`triangulate` takes the coded statements (statements.parquet, codes.parquet), the equality
measures (edi_measures, after disclosure control) and config/triangulation.yaml, and returns the
triangulation table of docs/data-model.md. Its ``reading`` is one of: "consistent with the data",
"the data show no disparity here", "no data supplied", "data too small to say", "the data give
context only". Readings say whether the figures point the same way as the concerns people raised;
they never claim that data prove or disprove anyone's experience.

Run through the runner: ``python -m pipeline triangulate`` (see pipeline/triangulate/cli.py).
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd
import pandera.pandas as pa

from pipeline import catalog
from pipeline.disclosure import min_count as disclosure_min_count  # the one threshold
from pipeline.disclosure import pick_texts  # the one quote picker (screens, length, no repeats)
from pipeline.settings import load_vocabularies, lookup
from pipeline.triangulate.schema import TRIANGULATION_COLUMNS, TRIANGULATION_SCHEMA, check_output
from pipeline.vocab import split_multi

#: The police force areas and the whole-country name, from config/vocabularies.yaml.
FORCES = list(load_vocabularies().forces)
ALL_WALES = load_vocabularies().all_wales
#: Priority-area id -> name, from the codebook (the one place the names are written).
PRIORITY_AREAS = load_vocabularies().priority_areas
KIND_RANK = {"relative_rate": 0, "representation": 1, "rri": 2, "from_published_rates": 3, "published": 4, "": 5}
STANCE_RANK = {"disagree": 0, "mixed": 1, "agree": 2, "unclear": 3}
CAUTION = "These figures sit beside what people said; they neither prove nor disprove any one person's experience."

#: The columns triangulation reads of the coded statements and codes: views of their catalog schemas.
STATEMENTS_IN = catalog.view("statements", ["statement_id", "organisation", "participant_ref", "police_force_area",
                                            "cohort", "stance", "text"], coerce=True, nullable=True, values=False)
CODES_IN = catalog.view("codes", ["statement_id", "code"], coerce=True, values=False)


def _check_input(df: pd.DataFrame, schema: pa.DataFrameSchema, table: str, make_target: str) -> None:
    catalog.validate(table, df, schema, f"Triangulation needs it; it may come from an older version of the "
                                        f"pipeline: run `make {make_target}` again.")


def _year(period: str) -> int:
    m = re.search(r"(19|20)\d\d", str(period))
    return int(m.group(0)) if m else 0


def _fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def _label(measure: str) -> str:
    return measure.replace("_", " ")


def pick_quotes(cell: pd.DataFrame, org_sizes: dict[str, int], min_count: int, max_quotes: int, max_chars: int) -> str:
    """Two or three short redacted quotes from different participants, or "" when the group is too small.

    A quote is used only when the cell and the quote's organisation each hold at least ``min_count``
    distinct participants, so that nobody in a small group can be recognised.
    """
    if cell["participant_key"].nunique() < min_count:
        return ""
    ok = cell[cell["organisation"].map(lambda o: org_sizes.get(o, 0) >= min_count)]
    if "speaker" in ok.columns:
        ok = ok.assign(_spk=(ok["speaker"] != "participant").astype(int))
    else:
        ok = ok.assign(_spk=0)
    ok = ok.assign(_st=ok["stance"].map(STANCE_RANK).fillna(9)).sort_values(["_spk", "_st", "statement_id"])
    picked = pick_texts(ok["text"].astype(str).tolist(), max_quotes, max_chars, min_chars=20,
                        keys=ok["participant_key"].tolist())
    quotes = [f"\u201c{t.strip()}\u201d" for t in picked]
    return " | ".join(quotes)


def select_evidence(measures: pd.DataFrame, wanted: list[str], area: str, groups: list[str]) -> dict[str, Any]:
    """Find the headline figure for a priority area in an area: the same force area first, else All Wales.

    Returns a dict with ``row`` (a measures row or None), ``data_area``, ``found`` (measures with any rows
    there) and ``others`` (one short line per other measure with a ratio).
    """
    areas = [area, ALL_WALES] if area in FORCES else [ALL_WALES]
    found: list[tuple[str, str]] = []
    for da in areas:
        for m in wanted:
            if not measures[(measures["measure"] == m) & (measures["area"] == da)].empty:
                found.append((m, da))
    best, best_area, others = None, "", []
    for m, da in found:
        rows = measures[(measures["measure"] == m) & (measures["area"] == da)]
        head = rows[rows["ethnicity_group"].isin(groups)]
        cand = head if not head.empty else rows
        cand = cand.assign(
            _y=cand["period"].map(_year),
            _has=cand["ratio"].notna().astype(int),
            _k=cand["ratio_kind"].map(KIND_RANK).fillna(9),
            _g=cand["ethnicity_group"].map({g: i for i, g in enumerate(groups)}).fillna(99),
        ).sort_values(["_has", "_y", "_k", "_g", "period"], ascending=[False, False, True, True, True])
        top = cand.iloc[0]
        if best is None:
            best, best_area = top, da
        elif pd.notna(top["ratio"]) and not any(o.startswith(_label(m) + " ") for o in others):
            ci = f" ({_fmt(top['ci_low'])}-{_fmt(top['ci_high'])})" if pd.notna(top["ci_low"]) else ""
            others.append(f"{_label(m)} ({da}, {top['period']}): {top['ethnicity_group']} {_fmt(top['ratio'])}x{ci}")
    alternatives = []
    if best is not None and pd.notna(best["ratio"]):
        # The same figure from other sources can disagree (e.g. police.uk records vs Home Office statistics):
        # show the latest of each so that the headline is not read on its own.
        alt = measures[(measures["measure"] == best["measure"]) & (measures["area"] == best_area)
                       & (measures["ethnicity_group"] == best["ethnicity_group"]) & measures["ratio"].notna()
                       & (measures["source"] != best["source"])]
        alt = alt.assign(_y=alt["period"].map(_year)).sort_values(["_y", "period"], ascending=False)
        for _, a in alt.drop_duplicates("source").iterrows():
            ci = f" ({_fmt(a['ci_low'])}-{_fmt(a['ci_high'])})" if pd.notna(a["ci_low"]) else ""
            kind = a["ratio_kind"].replace("_", " ")
            alternatives.append(f"{_fmt(a['ratio'])}x{ci} in {a['period']} ({kind}; {a['source'].split(':')[0]})")
    return {"row": best, "data_area": best_area, "found": found, "others": others, "alternatives": alternatives}


def read_evidence(row: pd.Series | None, direction: str, band: tuple[float, float], min_count: int) -> tuple[str, str]:
    """The plain-English reading of one figure: ``(reading, sentence)``."""
    if row is None:
        return "no data supplied", ""
    where = f"In {row['area']} ({row['period']})"
    what = _label(row["measure"])
    group = row["ethnicity_group"]
    if row["suppressed"] or (pd.notna(row["ratio"]) and not row["reliable"]):
        return "data too small to say", (
            f"{where}, the {what} figures for {group} people rest on counts too small to compare reliably "
            f"(fewer than the reliability threshold, or under {min_count} and suppressed)."
        )
    if pd.isna(row["ratio"]):
        amount = (f"{_fmt(row['rate'], 1)} {row['rate_unit']}" if pd.notna(row["rate"])
                  else f"{int(row['count']):,}" if pd.notna(row["count"]) else "a figure")
        return "the data give context only", (
            f"{where}, {what}: {amount} ({group}). There is no comparison by ethnicity to set beside what people said."
        )
    ratio, lo, hi = row["ratio"], row["ci_low"], row["ci_high"]
    has_ci = pd.notna(lo) and pd.notna(hi)
    if direction == "below":
        disparity = (hi < 1) if has_ci else (ratio < band[0])
    else:
        disparity = (lo > 1) if has_ci else (ratio > band[1])
    ci_text = f" (95% CI {_fmt(lo)} to {_fmt(hi)})" if has_ci else " (no interval: published figures without counts)"
    if row["ratio_kind"] == "representation":
        fact = (f"{where}, {group} people were {_fmt(row['rate'], 1)}% of {what.replace('workforce ', '')}, "
                f"{_fmt(ratio)} times their share of the population{ci_text}.")
    else:
        fact = f"{where}, the {what} rate for {group} people was {_fmt(ratio)} times the White rate{ci_text}."
    if disparity:
        return "consistent with the data", f"{fact} This points the same way as the concerns people raised. {CAUTION}"
    return "the data show no disparity here", (
        f"{fact} The figures do not show a clear disparity here; that does not make anyone's account wrong. {CAUTION}"
    )


def _caveat(row: pd.Series | None, area: str, ev: dict[str, Any], extra: list[str]) -> str:
    parts, data_area, others = list(extra), ev["data_area"], ev["others"]
    if row is not None:
        if data_area != area:
            parts.append(f"All Wales figure: no figure for {area} was supplied")
        if row["ratio_kind"] == "published":
            parts.append("ratio as published (not recomputed; no interval)")
        elif row["ratio_kind"] == "from_published_rates":
            parts.append("ratio computed from published rates (no counts, so no interval)")
        if row["notes"]:
            parts.append(str(row["notes"]))
    if ev.get("alternatives"):
        parts.append(f"other sources for this figure: {'; '.join(ev['alternatives'])}")
    if others:
        parts.append("also: " + "; ".join(others))
    return " | ".join(parts)


def triangulate(
    statements: pd.DataFrame,
    codes: pd.DataFrame,
    measures: pd.DataFrame,
    mapping: dict[str, Any],
    settings: dict[str, Any],
) -> pd.DataFrame:
    """Build the triangulation table.

    Args:
        statements: statements.parquet (docs/data-model.md).
        codes: codes.parquet (long format; ``uncoded`` rows are ignored).
        measures: edi_measures after disclosure control.
        mapping: config/triangulation.yaml as a dict (``codes``, ``headline_groups``, ``quotes``, ...).
        settings: config/settings.yaml as a dict (``disclosure.min_count``).

    Returns:
        One row per priority area x police force area (x cohort where ``by_cohort``) in which people
        made statements; counts of statements or participants below the threshold are blank (<NA>).
    """
    _check_input(statements, STATEMENTS_IN, "statements", "code")
    _check_input(codes, CODES_IN, "codes", "code")
    ctx = {"min_count": disclosure_min_count(settings),
           "max_quotes": int(lookup(mapping, "quotes.max_quotes", "triangulation.yaml")),
           "max_chars": int(lookup(mapping, "quotes.max_chars", "triangulation.yaml")),
           "band": tuple(lookup(mapping, "published_no_disparity_band", "triangulation.yaml")),
           "groups": list(lookup(mapping, "headline_groups", "triangulation.yaml")), "measures": measures}
    code_cfg = mapping.get("codes", {}) or {}
    df, ctx["org_sizes"] = _coded_by_area(statements, codes)
    rows = []
    for code in sorted(df["code"].astype(str).unique()):
        cfg = code_cfg.get(code, {}) or {}
        for (area, cohort), cell in _code_cells(df, code, cfg).groupby(["police_force_area", "cohort_key"], sort=True):
            rows.append(_cell_row(code, cfg, str(area), str(cohort), cell, ctx))
    out = _typed(pd.DataFrame(rows, columns=TRIANGULATION_COLUMNS))
    out = out.sort_values(["code", "police_force_area", "cohort"], kind="stable").reset_index(drop=True)
    return check_output(out, TRIANGULATION_SCHEMA, "triangulation")


def _coded_by_area(statements: pd.DataFrame, codes: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Coded statements, one row per (code, statement, police force area), and each organisation's
    number of participants (the group-size rule for quotes)."""
    st = statements.copy()
    for col in ("organisation", "participant_ref", "police_force_area", "cohort", "stance", "text"):
        st[col] = st[col].fillna("unknown" if col != "text" else "").astype(str)
    st["participant_key"] = st["organisation"] + "|" + st["participant_ref"]
    org_sizes = st.groupby("organisation")["participant_key"].nunique().to_dict()
    coded = codes[codes["code"].astype(str) != "uncoded"][["statement_id", "code"]].drop_duplicates()
    df = coded.merge(st, on="statement_id", how="inner")
    df["police_force_area"] = df["police_force_area"].map(split_multi)
    return df.explode("police_force_area"), org_sizes


def _code_cells(df: pd.DataFrame, code: str, cfg: dict[str, Any]) -> pd.DataFrame:
    """One priority area's statements (narrowed by its ``keywords``), by cohort where ``by_cohort``."""
    sub = df[df["code"] == code]
    if cfg.get("keywords"):
        pattern = "|".join(re.escape(k) for k in cfg["keywords"])
        sub = sub[sub["text"].str.contains(pattern, case=False, regex=True)]
    if cfg.get("by_cohort"):
        return sub.assign(cohort_key=sub["cohort"].map(split_multi)).explode("cohort_key")
    return sub.assign(cohort_key="all")


def _cell_row(code: str, cfg: dict[str, Any], area: str, cohort: str, cell: pd.DataFrame, ctx: dict[str, Any]) -> dict:
    """The triangulation row of one priority area x force area (x cohort): counts, quotes and evidence."""
    min_count = ctx["min_count"]
    n_st = cell["statement_id"].nunique()
    n_p = cell["participant_key"].nunique()
    one = cell.drop_duplicates("statement_id")
    wanted = list(cfg.get("measures", []) or [])
    ev = select_evidence(ctx["measures"], wanted, area, ctx["groups"]) if wanted else {
        "row": None, "data_area": "", "found": [], "others": [], "alternatives": []}
    reading, detail = read_evidence(ev["row"], cfg.get("direction", "above"), ctx["band"], min_count)
    extra = []
    if not wanted:
        extra.append("no equality measure is mapped to this priority area in config/triangulation.yaml")
    elif ev["row"] is None:
        where = f"{area} or All Wales" if area in FORCES else "All Wales"
        detail = f"No figures for {', '.join(_label(m) for m in wanted)} in {where} were supplied."
    if n_p < min_count:
        extra.append(f"fewer than {min_count} participants: counts and quotes withheld")
    r = ev["row"]

    def num(col: str) -> float:
        return float(r[col]) if r is not None and pd.notna(r[col]) else math.nan

    return {
        "code": code, "code_name": str(cfg.get("name") or PRIORITY_AREAS.get(code, "")), "police_force_area": area,
        "cohort": cohort, "n_statements": n_st if n_st >= min_count else pd.NA,
        "n_participants": n_p if n_p >= min_count else pd.NA,
        "share_disagree": float((one["stance"] == "disagree").mean()) if n_p >= min_count else math.nan,
        "quotes": pick_quotes(one, ctx["org_sizes"], min_count, ctx["max_quotes"], ctx["max_chars"]),
        "measure": r["measure"] if r is not None else "", "ethnicity": r["ethnicity_group"] if r is not None else "",
        "period": r["period"] if r is not None else "", "ratio": num("ratio"), "ci_low": num("ci_low"),
        "ci_high": num("ci_high"), "source": r["source"] if r is not None else "", "reading": reading,
        "caveat": _caveat(r, area, ev, extra), "reading_detail": detail, "data_area": ev["data_area"],
        "ratio_kind": r["ratio_kind"] if r is not None else "", "reliable": bool(r["reliable"]) if r is not None else False,
    }


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    """The triangulation table's column types (nullable counts, floats, text, a flag)."""
    for col in ("n_statements", "n_participants"):
        out[col] = out[col].astype("Int64")
    for col in ("share_disagree", "ratio", "ci_low", "ci_high"):
        out[col] = out[col].astype(float)
    for col in ("code", "code_name", "police_force_area", "cohort", "quotes", "measure", "ethnicity", "period",
                "source", "reading", "caveat", "reading_detail", "data_area", "ratio_kind"):
        out[col] = out[col].astype(str)
    out["reliable"] = out["reliable"].astype(bool)
    return out

