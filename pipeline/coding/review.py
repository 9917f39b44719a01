"""The review loop: a coding sheet for an analyst, and reading their decisions back.

``make review`` writes ``data/processed/<c>/review/coding_sheet.xlsx``: one row per statement with
its codes, confidence and evidence, the statements the coder would learn most from first
(:func:`pipeline.coding.assess.review_order`: uncertain and spread over subjects), a ``check_names``
column where redaction asks for a human check, and empty columns for the analyst:
``confirm`` (Y/N), ``correct_codes`` (``PA2;PA6`` or ``none``), ``correct_stance``,
``correct_question`` and ``notes``.

``python -m pipeline review --apply SHEET`` reads it back with :func:`apply_review`: a row with
``confirm = Y`` keeps the codes shown; a row with ``correct_codes`` gets those codes. The decisions
are merged into ``analyst_codes.csv`` (they are the truth for those statements on every later run of
``code``), the classifier is retrained on them, and the rest is recoded.

DataFrame functions only; the runner does the xlsx and csv I/O.
"""

from __future__ import annotations

import pandas as pd

from pipeline.coding.codebook import UNCODED
from pipeline.coding.coder import parse_labels
from pipeline.coding.stage import ANALYST_COLUMNS
from pipeline.coding.stance import STANCES
from pipeline.settings import load_vocabularies

SHEET_COLUMNS = [
    "statement_id", "organisation", "question", "text", "codes", "confidence", "evidence", "stance", "check_names",
    "confirm", "correct_codes", "correct_stance", "correct_question", "notes",
]
ANALYST_INPUT = ["confirm", "correct_codes", "correct_stance", "correct_question", "notes"]
QUESTIONS = list(load_vocabularies().answerable_questions)  # config/questions.yaml, then "other"


def review_sheet(statements: pd.DataFrame, codes: pd.DataFrame, priority: pd.Series | None = None,
                 name_checks: pd.Series | None = None) -> pd.DataFrame:
    """One row per statement for review, the ones the coder would learn most from first.

    Args:
        statements: ``statements.parquet``.
        codes: ``codes.parquet``.
        priority: Rank of each ``statement_id`` (0 = code first), e.g. from
            :func:`pipeline.coding.assess.review_order` (uncertain and diverse). Without it, the least
            confident first (a statement's confidence = its lowest code's).
        name_checks: What redaction asks the analyst to check, by ``response_id`` (the ``check``
            column of ``redaction_log.csv``: a name found only by the NER model, a capitalised word
            left that may be a name); shown in ``check_names``.

    Statements already reviewed show their analyst codes and come last.
    """
    g = codes.groupby("statement_id", sort=True)
    per = pd.DataFrame({
        "codes": g["code"].agg(lambda s: ";".join(sorted(s))),
        "confidence": g["confidence"].min().round(3),
        "evidence": g.apply(lambda d: " | ".join(f"{c}: {e}" for c, e in zip(d["code"], d["evidence"], strict=True) if e),
                            include_groups=False),
    }).reset_index()
    df = statements[["statement_id", "response_id", "organisation", "question", "text", "stance", "reviewed"]].merge(
        per, on="statement_id", how="left")
    df["check_names"] = df["response_id"].map(name_checks).fillna("") if name_checks is not None else ""
    keys = ["reviewed", "confidence", "statement_id"]
    if priority is not None:
        df["_priority"] = df["statement_id"].map(priority).fillna(len(df)).astype(float)
        keys = ["reviewed", "_priority", "confidence", "statement_id"]
    df = df.sort_values(keys, kind="mergesort").reset_index(drop=True)
    for col in ANALYST_INPUT:
        df[col] = ""
    return df[SHEET_COLUMNS]


def _decision(row: dict, known: pd.Series, code_ids: list[str]) -> tuple[dict | None, list[dict]]:
    """One review-sheet row as an analyst decision (``None`` when the row is blank or unusable), and the
    problems found in it, each with a plain-English reason."""
    sid = row["statement_id"].strip()
    confirm = row.get("confirm", "").strip().upper()[:1]
    correct = row.get("correct_codes", "").strip()
    stance = row.get("correct_stance", "").strip().lower()
    question = row.get("correct_question", "").strip().lower()
    if not (confirm or correct or stance or question):
        return None, []
    if sid not in known.index:
        return None, [{"statement_id": sid, "reason": "this statement is not in the current statements (was the data re-ingested?)"}]
    labels = None
    if correct:
        labels = parse_labels(correct)
        bad = [c for c in labels if c not in code_ids]
        if bad:
            return None, [{"statement_id": sid, "reason": f"correct_codes uses unknown code(s) {', '.join(bad)}; use {', '.join(code_ids)} or 'none'"}]
    elif confirm == "N" and not (stance or question):
        return None, [{"statement_id": sid, "reason": "confirm is N but correct_codes is empty: say which codes are right ('none' for no code)"}]
    problems = []
    if stance and stance not in STANCES:
        problems.append({"statement_id": sid, "reason": f"correct_stance {stance!r} is not one of {', '.join(STANCES)}"})
        stance = ""
    if question and question not in QUESTIONS:
        problems.append({"statement_id": sid, "reason": f"correct_question {question!r} is not one of {', '.join(QUESTIONS)}"})
        question = ""
    if labels is None:
        # Confirmed, or only stance/question corrected: keep the codes shown.
        labels = [c for c in parse_labels(row["codes"]) if c != UNCODED]
    return {"statement_id": sid, "text": str(known[sid]), "codes": ";".join(labels) or "none",
            "stance": stance, "question": question, "notes": row.get("notes", "")}, problems


def apply_review(sheet: pd.DataFrame, statements: pd.DataFrame, code_ids: list[str],
                 previous: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn a filled-in review sheet into analyst decisions.

    Args:
        sheet: The sheet as read back (all columns text).
        statements: The current statements (to check ids and keep each statement's text).
        code_ids: The codebook's code ids (corrections must use them).
        previous: Decisions already stored (``analyst_codes.csv``); new decisions replace old ones
            for the same statement.

    Returns:
        ``(analyst, problems)``: every decision so far (columns ``ANALYST_COLUMNS``), and the sheet
        rows that could not be used, each with a plain-English ``reason`` (nothing is dropped silently).
    """
    missing = [c for c in ("statement_id", "codes", "confirm", "correct_codes") if c not in sheet.columns]
    if missing:
        raise ValueError(
            f"The review sheet has no column(s) {', '.join(missing)}. Fill in the sheet written by `make review` "
            "without renaming or deleting its columns."
        )
    sheet = sheet.fillna("").astype(str)
    known = statements.set_index("statement_id")["text"]
    decisions, problems = [], []
    for row in sheet.to_dict("records"):
        decision, issues = _decision(row, known, code_ids)
        problems += issues
        if decision is not None:
            decisions.append(decision)
    new = pd.DataFrame(decisions, columns=ANALYST_COLUMNS)
    if previous is not None and len(previous):
        prev = previous.fillna("").astype(str)
        prev = prev[~prev["statement_id"].isin(new["statement_id"])]
        new = pd.concat([prev[ANALYST_COLUMNS], new], ignore_index=True)
    new = new.sort_values("statement_id", kind="mergesort").reset_index(drop=True)
    return new, pd.DataFrame(problems, columns=["statement_id", "reason"])
