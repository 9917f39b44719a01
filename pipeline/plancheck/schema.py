"""pandera schemas of plan-check's inputs and outputs, with errors a non-programmer can act on.

Inputs: the plan table (:mod:`pipeline.plancheck.reader`), ``statements.parquet``, ``codes.parquet``,
``topics.parquet`` and ``statement_topics.parquet`` (docs/data-model.md). Outputs:
``theme_coverage.parquet``, ``action_evidence.parquet`` and ``comparison.parquet``.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline.plancheck.match import STATUSES, THEME_KINDS, PlanCheckError
from pipeline.schemas import validate_table

_str = pa.Column(str, nullable=False, coerce=True)
_int = pa.Column("int64", pa.Check.ge(0), coerce=True)

PLAN = pa.DataFrameSchema({
    "action_id": pa.Column(str, unique=True), "section": _str, "text": _str,
    "kind": pa.Column(str, pa.Check.isin(["heading", "action", "paragraph"])), "ref": _str, "order": _int,
}, name="the draft plan table")
STATEMENTS = pa.DataFrameSchema({
    "statement_id": pa.Column(str, unique=True), "organisation": _str, "participant_ref": _str, "cohort": _str,
    "speaker": _str, "stance": _str, "text": _str,
}, name="statements.parquet")
CODES = pa.DataFrameSchema({"statement_id": _str, "code": _str, "subtheme": _str}, name="codes.parquet")
TOPICS = pa.DataFrameSchema({
    "topic": pa.Column("int64", coerce=True), "label": _str, "keywords": _str,
    "representative_statement_ids": _str, "coverage": _str,
}, name="topics.parquet")
STATEMENT_TOPICS = pa.DataFrameSchema({"statement_id": _str, "topic": pa.Column("int64", coerce=True)},
                                      name="statement_topics.parquet")

THEME_COVERAGE = pa.DataFrameSchema({
    "rank": _int, "theme_id": pa.Column(str, unique=True), "kind": pa.Column(str, pa.Check.isin(THEME_KINDS)),
    "theme": _str, "status": pa.Column(str, pa.Check.isin(STATUSES)), "n_actions": _int,
    "n_statements": pa.Column("Int64", nullable=True), "n_participants": pa.Column("Int64", nullable=True),
    "share_disagree": pa.Column(float, pa.Check.in_range(0, 1), nullable=True), "actions": _str, "evidence": _str, "quotes": _str,
}, name="theme_coverage.parquet")
ACTION_EVIDENCE = pa.DataFrameSchema({
    "action_id": pa.Column(str, unique=True), "ref": _str, "text": _str,
    "evidence_status": pa.Column(str, pa.Check.isin(["consultation evidence found", "no consultation evidence found"])),
    "n_statements": pa.Column("Int64", nullable=True), "n_participants": pa.Column("Int64", nullable=True),
    "quotes": _str,
}, name="action_evidence.parquet")
COMPARISON = pa.DataFrameSchema({
    "theme_id": pa.Column(str, unique=True), "status_previous": _str, "status_current": _str,
    "change": pa.Column(str, pa.Check.isin(["gap closed", "gap opened", "better", "worse", "new theme", "theme gone", "unchanged"])),
}, name="comparison.parquet")

_FIX = {
    "the draft plan table": "check the draft plan file",
    "statements.parquet": "re-run `make code` to rebuild it",
    "codes.parquet": "re-run `make code` to rebuild it",
    "topics.parquet": "re-run `make topics` to rebuild it",
    "statement_topics.parquet": "re-run `make topics` to rebuild it",
}


def check(schema: pa.DataFrameSchema, df: pd.DataFrame) -> pd.DataFrame:
    """Validate ``df``; on failure raise :class:`PlanCheckError` naming the table, the column and the fix."""
    fix = _FIX.get(schema.name, "this is a bug in plan-check: please report it with the command you ran")
    return validate_table(df, schema, f"The table {schema.name}", f"To fix it, {fix}.", PlanCheckError)


def validate_inputs(plan, statements, codes, topics=None, statement_topics=None) -> None:
    """Validate every input table of :func:`pipeline.plancheck.match.check_plan`."""
    check(PLAN, plan)
    check(STATEMENTS, statements)
    check(CODES, codes)
    if topics is not None:
        check(TOPICS, topics)
    if statement_topics is not None:
        check(STATEMENT_TOPICS, statement_topics)
