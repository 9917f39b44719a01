"""Every figure the reports show, as pure functions of the processed tables (DataFrame -> DataFrame).

The theme report (:mod:`pipeline.reports.theme_report`), the charts and the organisation notebooks
(:mod:`pipeline.reports.organisation`) all take their numbers from here, so a figure is computed once
and the same way everywhere, and the tests can check each against the processed tables.

Counting rules:
- A *statement* is a row of ``statements.parquet``; a statement coded to several priority areas counts
  once under each.
- *People* are distinct ``(organisation, participant_ref)`` pairs; a group whose members a return does
  not separate (a ``G-`` reference) counts as one.
- *Participants* come from ``returns.parquet`` ``n_participants`` (reported by the organisation).
- A row attributed to several cohorts or areas (``a;b``) counts under each of them.
- For display, :func:`suppress` hides counts from 1 to ``min_count - 1`` as ``<min_count``.

Small counts and quotes follow :mod:`pipeline.disclosure` (the one implementation, re-exported here:
:func:`suppress`, :func:`group_sizes`, :func:`select_quotes`).

Not run on its own: used by ``python -m pipeline report`` and ``python -m pipeline notebooks``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from pipeline.disclosure import (  # noqa: F401  (the one implementation, re-exported for the reports)
    PLACEHOLDER,
    compile_patterns,
    group_sizes,
    personal_data_found,
    select_quotes,
    suppress,
    suppress_value,
    suppression_note,
)
from pipeline.vocab import split_multi

STANCES: tuple[str, ...] = ("agree", "disagree", "mixed", "unclear")
QUESTIONS: tuple[str, ...] = ("listened", "interpreted", "solutions", "other", "unknown")
UNCODED = "uncoded"


def count_people(df: pd.DataFrame) -> int:
    """Distinct ``(organisation, participant_ref)`` pairs with a non-empty reference."""
    if df.empty:
        return 0
    refs = df[["organisation", "participant_ref"]].dropna()
    refs = refs[refs["participant_ref"].astype(str).str.len() > 0]
    return int(len(refs.drop_duplicates()))


def explode_column(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per id of a ``;``-joined vocabulary column (a copy; other columns repeated)."""
    out = df.copy()
    out[column] = [split_multi(v) for v in out[column].fillna("unknown")]
    return out.explode(column, ignore_index=True)


# --- participation -----------------------------------------------------------------------------


def participation(returns: pd.DataFrame, by: str) -> pd.DataFrame:
    """Returns, organisations and participants by ``by`` (``cohort``, ``police_force_area`` or ``engagement_method``).

    Args:
        returns: ``returns.parquet``.
        by: The column to group by; ``;``-joined values count under each of their ids.

    Returns:
        Columns ``[by, n_returns, n_organisations, n_participants, n_returns_without_count]``, sorted
        by ``by``. ``n_participants`` sums the reported numbers; returns without one are counted in
        ``n_returns_without_count``.
    """
    cols = [by, "n_returns", "n_organisations", "n_participants", "n_returns_without_count"]
    if returns is None or returns.empty:
        return pd.DataFrame(columns=cols)
    ex = explode_column(returns, by)
    ex["n_participants"] = pd.to_numeric(ex["n_participants"], errors="coerce").astype("Int64")
    out = (
        ex.groupby(by, sort=True)
        .agg(
            n_returns=("source_file", "size"),
            n_organisations=("organisation", "nunique"),
            n_participants=("n_participants", lambda s: int(s.sum(skipna=True))),
            n_returns_without_count=("n_participants", lambda s: int(s.isna().sum())),
        )
        .reset_index()
    )
    return out[cols].astype({c: "int64" for c in cols[1:]})


def total_participants(returns: pd.DataFrame | None) -> int:
    """Participants reported across all returns (returns without a number add nothing)."""
    if returns is None or returns.empty:
        return 0
    return int(pd.to_numeric(returns["n_participants"], errors="coerce").sum(skipna=True))


# --- statements and codes -------------------------------------------------------------------------


def coded_statements(statements: pd.DataFrame, codes: pd.DataFrame | None) -> pd.DataFrame:
    """One row per (statement, code): the statements joined with their codes.

    A statement with no row in ``codes`` is kept with code ``uncoded`` (so no statement is lost);
    codes whose statement is unknown are left out and counted by :func:`orphan_codes`.
    """
    keep = ["statement_id", "code", "subtheme", "confidence", "source"]
    if codes is None or codes.empty:
        out = statements.copy()
        out["code"] = UNCODED
        out["subtheme"] = ""
        out["confidence"] = float("nan")
        out["source"] = ""
    else:
        cols = [c for c in keep if c in codes.columns]
        out = statements.merge(codes[cols], on="statement_id", how="left", validate="one_to_many")
        out["code"] = out["code"].fillna(UNCODED)
        out["subtheme"] = out["subtheme"].fillna("") if "subtheme" in out else ""
    out["is_suggestion"] = out["is_suggestion"].fillna(False).astype(bool)
    out["reviewed"] = out["reviewed"].fillna(False).astype(bool)
    return out.sort_values(["code", "statement_id"], kind="stable", ignore_index=True)


def orphan_codes(statements: pd.DataFrame, codes: pd.DataFrame | None) -> int:
    """Rows of ``codes`` whose ``statement_id`` is not in ``statements`` (reported, never shown)."""
    if codes is None or codes.empty:
        return 0
    return int((~codes["statement_id"].isin(statements["statement_id"])).sum())


def code_order(codes: Iterable[str]) -> list[str]:
    """Priority areas in numeric order (PA1, PA2, ... PA10), ``uncoded`` last."""

    def key(code: str) -> tuple[int, int, str]:
        match = re.fullmatch(r"PA(\d+)", str(code))
        return (0, int(match.group(1)), "") if match else (1, 0, str(code))

    return sorted(set(codes), key=key)


def statements_by_code(coded: pd.DataFrame, code_names: Mapping[str, str]) -> pd.DataFrame:
    """Per priority area: statements, people, suggestions and the share of statements that disagree.

    Every code of ``code_names`` appears (with zeros if nothing was coded to it); ``uncoded`` is
    added when present.
    """
    codes = code_order([*code_names, *coded["code"].unique()])
    rows = []
    for code in codes:
        part = coded[coded["code"] == code]
        n = int(part["statement_id"].nunique())
        rows.append(
            {
                "code": code,
                "name": code_names.get(code, "Not coded to a priority area" if code == UNCODED else code),
                "n_statements": n,
                "n_people": count_people(part.drop_duplicates("statement_id")),
                "n_suggestions": int(part.loc[part["is_suggestion"], "statement_id"].nunique()),
                "share_disagree": round(float((part["stance"] == "disagree").mean()), 3)
                if n
                else float("nan"),
            }
        )
    out = pd.DataFrame(rows)
    return out[(out["code"] != UNCODED) | (out["n_statements"] > 0)].reset_index(drop=True)


def by_code_question_stance(coded: pd.DataFrame) -> pd.DataFrame:
    """Statements and people by ``code x question x stance`` (long format, observed combinations only)."""
    cols = ["code", "question", "stance", "n_statements", "n_people"]
    if coded.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for (code, question, stance), part in coded.groupby(["code", "question", "stance"], sort=True):
        rows.append(
            {
                "code": code,
                "question": question,
                "stance": stance,
                "n_statements": int(part["statement_id"].nunique()),
                "n_people": count_people(part),
            }
        )
    out = pd.DataFrame(rows, columns=cols)
    order = {c: i for i, c in enumerate(code_order(out["code"]))}
    return out.sort_values(
        ["code", "question", "stance"],
        key=lambda s: s.map(order) if s.name == "code" else s.map(_vocab_rank(s.name)),
        ignore_index=True,
    )


def _vocab_rank(column: str) -> dict[str, int]:
    vocab = QUESTIONS if column == "question" else STANCES
    return {v: i for i, v in enumerate(vocab)}


def question_stance_table(coded: pd.DataFrame, code: str) -> pd.DataFrame:
    """For one priority area: rows = question, columns = statements per stance plus totals and people."""
    part = coded[coded["code"] == code]
    rows = []
    for question in QUESTIONS:
        q = part[part["question"] == question]
        if q.empty:
            continue
        row = {"question": question}
        for stance in STANCES:
            row[stance] = int(q.loc[q["stance"] == stance, "statement_id"].nunique())
        row["n_statements"] = int(q["statement_id"].nunique())
        row["n_people"] = count_people(q)
        rows.append(row)
    return pd.DataFrame(rows, columns=["question", *STANCES, "n_statements", "n_people"])


def _statements_per_code(
    coded: pd.DataFrame, code_names: Mapping[str, str], column: str, values: Sequence[str]
) -> pd.DataFrame:
    """Distinct statements per ``code x value of column`` (wide: one column per value), every priority area included."""
    codes = [c for c in code_order([*code_names, *coded["code"].unique()]) if c != UNCODED]
    rows = []
    for code in codes:
        part = coded[coded["code"] == code]
        rows.append(
            {
                "code": code,
                **{v: int(part.loc[part[column] == v, "statement_id"].nunique()) for v in values},
            }
        )
    return pd.DataFrame(rows, columns=["code", *values])


def stance_by_code(coded: pd.DataFrame, code_names: Mapping[str, str]) -> pd.DataFrame:
    """Statements per ``code x stance`` (wide: one column per stance), every priority area included."""
    return _statements_per_code(coded, code_names, "stance", STANCES)


def code_by_cohort(coded: pd.DataFrame, code_names: Mapping[str, str]) -> pd.DataFrame:
    """Statements per ``code x cohort`` (wide: one column per cohort id, sorted); multi-cohort rows count in each."""
    ex = explode_column(coded[coded["code"] != UNCODED], "cohort")
    return _statements_per_code(ex, code_names, "cohort", sorted(ex["cohort"].unique()))


def subthemes(coded: pd.DataFrame, code: str, n: int) -> pd.DataFrame:
    """The ``n`` sub-themes of a priority area with the most statements (ties by name)."""
    part = coded[(coded["code"] == code) & (coded["subtheme"].fillna("").astype(str).str.len() > 0)]
    cols = ["subtheme", "n_statements", "n_people"]
    if part.empty:
        return pd.DataFrame(columns=cols)
    rows = [
        {"subtheme": s, "n_statements": int(g["statement_id"].nunique()), "n_people": count_people(g)}
        for s, g in part.groupby("subtheme", sort=True)
    ]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["n_statements", "subtheme"], ascending=[False, True], ignore_index=True).head(n)


# --- quotes ---------------------------------------------------------------------------------------


# --- emergent themes ------------------------------------------------------------------------------


def emergent_themes(topics: pd.DataFrame | None, not_in_plan_only: bool = True) -> pd.DataFrame:
    """Emergent themes (topics other than -1), largest first; with ``not_in_plan_only`` only those 'not in the plan'."""
    cols = [
        "topic",
        "label",
        "keywords",
        "size",
        "n_organisations",
        "nearest_code",
        "similarity",
        "coverage",
        "representative_statement_ids",
    ]
    if topics is None or topics.empty:
        return pd.DataFrame(columns=cols)
    # the topics stage's name, one-sentence description and flags, when it wrote them
    cols += [c for c in ("name", "description", "flags") if c in topics.columns]
    t = topics[topics["topic"] != -1]
    if not_in_plan_only:
        t = t[t["coverage"].astype(str).str.lower().eq("not in the plan")]
    return t.sort_values(["size", "topic"], ascending=[False, True])[cols].reset_index(drop=True)


def topics_for_code(topics: pd.DataFrame | None, code: str, n: int) -> pd.DataFrame:
    """The ``n`` largest emergent themes whose nearest priority area is ``code``."""
    t = emergent_themes(topics, not_in_plan_only=False)
    return t[t["nearest_code"] == code].head(n).reset_index(drop=True)


def topic_candidates(topics: pd.DataFrame, statements: pd.DataFrame) -> pd.DataFrame:
    """The representative statements of each topic (for :func:`select_quotes` with ``by='topic'``)."""
    rows = [
        {"topic": int(r.topic), "statement_id": sid}
        for r in topics.itertuples(index=False)
        for sid in str(r.representative_statement_ids or "").split(";")
        if sid
    ]
    pairs = pd.DataFrame(rows, columns=["topic", "statement_id"])
    return pairs.merge(statements, on="statement_id", how="inner")


# --- engagement coverage --------------------------------------------------------------------------


def coverage_groups(
    returns: pd.DataFrame | None,
    statements: pd.DataFrame | None,
    expected_groups: Sequence[Mapping],
    few: int,
) -> pd.DataFrame:
    """Who the consultation meant to hear, and how many it did (from the returns and statements).

    A group is matched by returns whose cohort is one of its ``cohorts`` or whose file name or
    organisation contains one of its ``keywords``.

    Returns:
        ``group, n_returns, n_organisations, n_participants, n_statements, status`` in config order;
        status is "Not heard", "Few participants" (fewer than ``few``), "Heard" or "Heard (number of
        participants not reported)".
    """
    rows = []
    for spec in expected_groups:
        cohorts = set(spec.get("cohorts") or [])
        keywords = [k.lower() for k in spec.get("keywords") or []]
        r_mask = _match(returns, cohorts, keywords, ("source_file", "organisation"))
        s_mask = _match(statements, cohorts, keywords, ("organisation",))
        matched = returns[r_mask] if returns is not None else pd.DataFrame()
        numbers = pd.to_numeric(matched.get("n_participants", pd.Series(dtype=float)), errors="coerce")
        n_part = int(numbers.sum(skipna=True))
        n_stat = int(statements.loc[s_mask, "statement_id"].nunique()) if statements is not None else 0
        if len(matched) == 0 and n_stat == 0:
            status = "Not heard"
        elif numbers.isna().all() and len(matched) > 0:
            status = "Heard (number of participants not reported)"
        elif n_part < few:
            status = "Few participants"
        else:
            status = "Heard"
        rows.append(
            {
                "group": spec["label"],
                "n_returns": int(len(matched)),
                "n_organisations": int(matched["organisation"].nunique()) if len(matched) else 0,
                "n_participants": n_part,
                "n_statements": n_stat,
                "status": status,
            }
        )
    return pd.DataFrame(
        rows, columns=["group", "n_returns", "n_organisations", "n_participants", "n_statements", "status"]
    )


def _match(
    df: pd.DataFrame | None, cohorts: set[str], keywords: list[str], text_cols: Sequence[str]
) -> pd.Series:
    if df is None or df.empty:
        return pd.Series(dtype=bool)
    mask = pd.Series(
        [bool(cohorts & set(split_multi(v))) for v in df["cohort"].fillna("unknown")], index=df.index
    )
    for col in text_cols:
        if col in df.columns and keywords:
            low = df[col].fillna("").astype(str).str.lower()
            mask |= low.map(lambda t: any(k in t for k in keywords))
    return mask


def coverage_areas(returns: pd.DataFrame | None, expected_areas: Sequence[str], few: int) -> pd.DataFrame:
    """Participants per expected police force area, with a status as in :func:`coverage_groups`."""
    part = participation(returns, "police_force_area") if returns is not None else pd.DataFrame()
    rows = []
    for area in expected_areas:
        hit = part[part["police_force_area"] == area] if len(part) else part
        n_ret = int(hit["n_returns"].sum()) if len(hit) else 0
        n_part = int(hit["n_participants"].sum()) if len(hit) else 0
        unknown = int(hit["n_returns_without_count"].sum()) if len(hit) else 0
        if n_ret == 0:
            status = "Not heard"
        elif unknown == n_ret:
            status = "Heard (number of participants not reported)"
        elif n_part < few:
            status = "Few participants"
        else:
            status = "Heard"
        rows.append({"area": area, "n_returns": n_ret, "n_participants": n_part, "status": status})
    return pd.DataFrame(rows, columns=["area", "n_returns", "n_participants", "status"])


# --- triangulation, EDI and methods ---------------------------------------------------------------


#: The columns of a priority area's triangulation table (:func:`triangulation_for_code`).
TRIANGULATION_COLUMNS: tuple[str, ...] = (
    "police_force_area",
    "n_statements",
    "n_participants",
    "share_disagree",
    "measure",
    "ethnicity",
    "ratio",
    "ci_low",
    "ci_high",
    "source",
    "reading",
    "caveat",
)

#: The columns of the disproportionality ratios table (:func:`disproportionality`).
RATIO_COLUMNS: tuple[str, ...] = (
    "measure",
    "area",
    "period",
    "ethnicity",
    "reference_group",
    "ratio",
    "ci_low",
    "ci_high",
    "reliable",
    "source",
)


def triangulation_for_code(triangulation: pd.DataFrame | None, code: str) -> pd.DataFrame:
    """The triangulation rows of one priority area, sorted by area, measure and ethnicity."""
    cols = list(TRIANGULATION_COLUMNS)
    if triangulation is None or triangulation.empty:
        return pd.DataFrame(columns=cols)
    t = triangulation[triangulation["code"] == code]
    return t.sort_values(["police_force_area", "measure", "ethnicity"], kind="stable")[cols].reset_index(
        drop=True
    )


def disproportionality(edi: pd.DataFrame | None) -> pd.DataFrame:
    """Ratios with confidence intervals that may be shown (not suppressed, ratio present), sorted."""
    cols = list(RATIO_COLUMNS)
    if edi is None or edi.empty:
        return pd.DataFrame(columns=cols)
    e = edi[~edi["suppressed"].fillna(False).astype(bool) & edi["ratio"].notna()]
    return e.sort_values(["measure", "area", "ethnicity", "period"], kind="stable")[cols].reset_index(
        drop=True
    )


def methods_figures(
    statements: pd.DataFrame | None,
    codes: pd.DataFrame | None,
    evaluation: Mapping | None,
    edi: pd.DataFrame | None,
) -> dict:
    """Figures for the methods section: statements reviewed by a person, code sources, agreement, data sources."""
    out: dict = {
        "n_statements": 0,
        "n_reviewed": 0,
        "share_reviewed": None,
        "code_sources": {},
        "evaluation": None,
    }
    if statements is not None and len(statements):
        reviewed = statements["reviewed"].fillna(False).astype(bool)
        out.update(
            n_statements=int(len(statements)),
            n_reviewed=int(reviewed.sum()),
            share_reviewed=round(float(reviewed.mean()), 3),
            n_inferred_question=int(
                (statements.get("question_source", pd.Series(dtype=str)) == "inferred").sum()
            ),
        )
    if codes is not None and len(codes):
        coded = codes[codes["code"] != UNCODED]
        out["code_sources"] = {str(k): int(v) for k, v in coded["source"].value_counts().sort_index().items()}
    if evaluation:
        out["evaluation"] = {
            k: evaluation[k]
            for k in ("f1_samples", "f1_micro", "f1_macro", "n")
            if k in evaluation
        }
    out["edi_sources"] = (
        sorted({str(s) for s in edi["source"].dropna()}) if edi is not None and len(edi) else []
    )
    return out
