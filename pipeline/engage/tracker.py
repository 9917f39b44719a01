"""The returns tracker: which funded organisations have sent their return, and who has not been heard.

Pure DataFrame functions over the grants register (:mod:`pipeline.engage.register`) and ingest's
``returns`` and ``responses`` tables, all as of one date (``as_of``):

- :func:`organisation_status`: one row per funded organisation: ``received`` (by its deadline),
  ``late`` (after it), ``missing`` (deadline passed, nothing in) or ``awaited`` (not yet due);
  participants promised against reported; which questions it answered; cohorts and areas promised
  but not heard.
- :func:`unregistered_returns`: returns from organisations the register does not list (never dropped).
- :func:`cohort_area_coverage`: participants reported per cohort and police force area, beside
  what was promised.
- :func:`gap_groups`: the groups the plan names as its own gaps (``config/engage.yaml``), heard or not.
- :func:`chase_list`: the organisations to contact and what to ask each for, in plain English.

A return whose ``date_received`` falls after ``as_of`` had not arrived on that date and is not counted.
The runner is ``python -m pipeline returns-status`` (:mod:`pipeline.engage.commands`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pipeline.settings import lookup
from pipeline.vocab import UNKNOWN, normalise_label, split_multi

STATUS_COLUMNS = [
    "organisation", "status", "deadline", "date_received", "days_late", "n_returns", "participants_promised",
    "participants_reported", "participants_heard", "questions_answered", "questions_missing", "cohorts_promised",
    "cohorts_not_heard", "areas_promised", "areas_not_heard", "contact", "register_issues", "as_of",
]
QUESTION_IDS = ("listened", "interpreted", "solutions", "other")


def returns_as_of(returns: pd.DataFrame, as_of: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``returns`` into those in by ``as_of`` (or undated) and those received after it.

    Returns:
        ``(in_by, later)``; ``later`` carries a plain-English ``reason``.
    """
    dates = pd.to_datetime(returns["date_received"].replace({"": None, UNKNOWN: None}), errors="coerce")
    later_mask = dates > as_of
    later = returns[later_mask].assign(reason=f"received after the as-of date {as_of.date()}: not counted yet")
    return returns[~later_mask].copy(), later


def _key(name: Any) -> str:
    return normalise_label(str(name))


def _join(values: Sequence[str]) -> str:
    return ";".join(v for v in values if v)


def _status(deadline: str, first_in: pd.Timestamp | None, received: bool, as_of: pd.Timestamp) -> tuple[str, int]:
    """``(status, days_late)`` of one organisation."""
    due = pd.to_datetime(deadline, errors="coerce") if deadline else pd.NaT
    if received:
        if pd.isna(due) or first_in is None or pd.isna(first_in) or first_in <= due:
            return "received", 0
        return "late", int((first_in - due).days)
    if pd.isna(due) or as_of <= due:
        return "awaited", 0
    return "missing", int((as_of - due).days)


def organisation_status(register: pd.DataFrame, returns: pd.DataFrame, responses: pd.DataFrame,
                        as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per organisation in the register (columns :data:`STATUS_COLUMNS`), in register order.

    Args:
        register: The normalised grants register.
        returns: ``returns.parquet`` (already limited to what was in by ``as_of``, see :func:`returns_as_of`).
        responses: ``responses.parquet`` (answers; participants heard are distinct participant references).
        as_of: The date the status is for.
    """
    ret_key = returns["organisation"].map(_key)
    resp = responses[responses["source_file"].isin(returns["source_file"])]
    resp_key = resp["organisation"].map(_key)
    rows = []
    for reg in register.to_dict("records"):
        key = _key(reg["organisation"])
        mine, said = returns[ret_key == key], resp[resp_key == key]
        dates = pd.to_datetime(mine["date_received"].replace({"": None}), errors="coerce")
        first_in = dates.min() if dates.notna().any() else None
        status, days = _status(reg["deadline"], first_in, len(mine) > 0, as_of)
        reported = pd.to_numeric(mine["n_participants"], errors="coerce")
        heard_cohorts = {c for v in mine["cohort"] for c in split_multi(v)}
        heard_areas = {a for v in mine["police_force_area"] for a in split_multi(v)}
        answered = [q for q in QUESTION_IDS if (said["question"] == q).any()]
        people = said.loc[(said["speaker"] == "participant") & (said["participant_ref"] != ""), "participant_ref"]
        rows.append({
            "organisation": reg["organisation"], "status": status, "deadline": reg["deadline"],
            "date_received": first_in.date().isoformat() if first_in is not None else "",
            "days_late": days, "n_returns": len(mine),
            "participants_promised": reg["participants_promised"],
            "participants_reported": int(reported.sum()) if reported.notna().any() else pd.NA,
            "participants_heard": int(people.nunique()),
            "questions_answered": _join(answered),
            "questions_missing": _join([q for q in QUESTION_IDS if q not in answered]) if len(mine) else "",
            "cohorts_promised": reg["cohorts"],
            "cohorts_not_heard": _join([c for c in split_multi(reg["cohorts"]) if c not in heard_cohorts
                                        and c != UNKNOWN]),
            "areas_promised": reg["areas"],
            "areas_not_heard": _join([a for a in split_multi(reg["areas"]) if a not in heard_areas and a != UNKNOWN]),
            "contact": reg.get("contact", ""), "register_issues": reg.get("register_issues", ""),
            "as_of": as_of.date().isoformat(),
        })
    out = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    for col in ("participants_promised", "participants_reported"):
        out[col] = pd.array(out[col].tolist(), dtype="Int64")
    return out


def unregistered_returns(register: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """Returns from organisations the register does not list, each with a reason (so none is lost)."""
    known = set(register["organisation"].map(_key))
    extra = returns[~returns["organisation"].map(_key).isin(known)]
    reasons = ["the return names no organisation (add it to returns.csv or use the return template)"
               if org == UNKNOWN else f"'{org}' is not in the grants register (add it, or correct the name)"
               for org in extra["organisation"]]
    return extra[["organisation", "source_file", "date_received"]].assign(reason=reasons).reset_index(drop=True)


def _long(df: pd.DataFrame, cohort_col: str, area_col: str, value: pd.Series) -> pd.DataFrame:
    rows = [{"cohort": c, "area": a, "value": v}
            for cs, ars, v in zip(df[cohort_col], df[area_col], value, strict=True)
            for c in split_multi(cs) for a in split_multi(ars)]
    return pd.DataFrame(rows, columns=["cohort", "area", "value"])


def cohort_area_coverage(register: pd.DataFrame, returns: pd.DataFrame, vocab: Mapping[str, Any]) -> pd.DataFrame:
    """Per cohort and police force area: organisations promised, returns in, participants reported.

    Every cohort and area of the vocabularies appears (a row of zeros is a gap, not a missing row).
    A return counting under several cohorts or areas counts under each of them.
    """
    promised = _long(register, "cohorts", "areas", pd.Series(1, index=register.index))
    reported = pd.to_numeric(returns["n_participants"], errors="coerce").fillna(0)
    got = _long(returns, "cohort", "police_force_area", reported)
    counted = _long(returns, "cohort", "police_force_area", pd.Series(1, index=returns.index))
    grid = pd.MultiIndex.from_product([list(vocab.get("cohorts", {})) + [UNKNOWN],
                                       list(vocab.get("police_force_areas", {})) + [UNKNOWN]],
                                      names=["cohort", "area"])
    out = pd.DataFrame({
        "organisations_promised": promised.groupby(["cohort", "area"])["value"].sum(),
        "returns_received": counted.groupby(["cohort", "area"])["value"].sum(),
        "participants_reported": got.groupby(["cohort", "area"])["value"].sum(),
    }).reindex(grid).fillna(0).astype(int)
    known = (out.index.get_level_values(0) != UNKNOWN) & (out.index.get_level_values(1) != UNKNOWN)
    out = out[known | (out.sum(axis=1) > 0)]
    labels = {k: (v or {}).get("label", k) for k, v in vocab.get("cohorts", {}).items()}
    out = out.reset_index()
    out.insert(1, "cohort_label", out["cohort"].map(labels).fillna(out["cohort"]))
    return out


def gap_groups(register: pd.DataFrame, returns: pd.DataFrame, statements: pd.DataFrame | None,
               expected_groups: Sequence[Mapping[str, Any]], gap_labels: Sequence[str], few: int) -> pd.DataFrame:
    """The plan's own gap groups: heard or not, and which funded organisations promised to reach them.

    Uses the reports' own group matching (:func:`pipeline.reports.tables.coverage_groups`), so the
    theme report and the tracker agree.
    """
    from pipeline.reports.tables import coverage_groups

    specs = [g for g in expected_groups if g["label"] in gap_labels]
    missing = [label for label in gap_labels if label not in {g["label"] for g in specs}]
    if missing:
        raise ValueError(f"config/engage.yaml tracker.plan_gap_groups names {', '.join(missing)}, which "
                         "config/report.yaml coverage.expected_groups does not define: add them there.")
    table = coverage_groups(returns, statements, specs, few)
    promised = []
    for spec in specs:
        cohorts, words = set(spec.get("cohorts") or []), [k.lower() for k in spec.get("keywords") or []]
        hit = register[[bool(cohorts & set(split_multi(c))) or any(w in f"{o} {n}".lower() for w in words)
                        for c, o, n in zip(register["cohorts"], register["organisation"], register["notes"],
                                           strict=True)]]
        promised.append(_join(sorted(hit["organisation"])))
    return table.assign(promised_by=promised)


def chase_list(status: pd.DataFrame, as_of: pd.Timestamp, settings: Mapping[str, Any]) -> pd.DataFrame:
    """Who to contact and what to ask for: missing and soon-due returns, then gaps in what came in.

    Args:
        status: :func:`organisation_status`.
        as_of: The date of the status.
        settings: ``config/engage.yaml`` ``tracker`` (``due_soon_days``, ``participants_short_share``).
    """
    soon = int(lookup({"tracker": settings}, "tracker.due_soon_days", "engage.yaml"))
    short = float(lookup({"tracker": settings}, "tracker.participants_short_share", "engage.yaml"))
    rows = []
    for r in status.to_dict("records"):
        asks = []
        if r["status"] == "missing":
            asks.append(f"the return was due on {r['deadline']} and has not arrived ({r['days_late']} days overdue)")
        elif r["status"] == "awaited" and r["deadline"] and \
                (pd.Timestamp(r["deadline"]) - as_of).days <= soon:
            asks.append(f"a reminder: the return is due on {r['deadline']}")
        if r["n_returns"]:
            asks += _gaps_in_return(r, short)
        if asks:
            rows.append({"organisation": r["organisation"], "contact": r["contact"], "status": r["status"],
                         "deadline": r["deadline"], "ask_for": "; ".join(asks)})
    order = {"missing": 0, "awaited": 1, "late": 2, "received": 3}
    out = pd.DataFrame(rows, columns=["organisation", "contact", "status", "deadline", "ask_for"])
    return out.sort_values("status", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def _gaps_in_return(r: Mapping[str, Any], short: float) -> list[str]:
    asks = []
    promised, reported = r["participants_promised"], r["participants_reported"]
    if pd.isna(reported):
        asks.append("the number of people who took part (the return does not say)")
    elif not pd.isna(promised) and reported < short * promised:
        asks.append(f"whether more people can take part: {reported} reported of {promised} promised")
    if r["questions_missing"]:
        asks.append(f"answers to the question(s) not answered: {r['questions_missing'].replace(';', ', ')}")
    if r["cohorts_not_heard"]:
        asks.append(f"the views of the group(s) promised but not in the return: {r['cohorts_not_heard'].replace(';', ', ')}")
    if r["areas_not_heard"]:
        asks.append(f"returns from the area(s) promised: {r['areas_not_heard'].replace(';', ', ')}")
    return asks


def summary(status: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, Any]:
    """Counts for the run summary and the theme report (``as_of`` recorded)."""
    counts = status["status"].value_counts()
    return {
        "as_of": as_of.date().isoformat(),
        "organisations": int(len(status)),
        **{s: int(counts.get(s, 0)) for s in ("received", "late", "missing", "awaited")},
        "participants_promised": int(pd.to_numeric(status["participants_promised"], errors="coerce").sum()),
        "participants_reported": int(pd.to_numeric(status["participants_reported"], errors="coerce").sum()),
    }
