"""Plan-check's tables, from the table catalog, with errors a non-programmer can act on.

Inputs: the plan table (:mod:`pipeline.plancheck.reader`), ``statements.parquet``, ``codes.parquet``,
``topics.parquet`` and ``statement_topics.parquet``; outputs: ``theme_coverage.parquet``,
``action_evidence.parquet`` and ``comparison.parquet`` (docs/data-model.md). Each table's one schema
is in :mod:`pipeline.catalog`; plan-check checks the columns it reads of the other stages' tables
(coerced to their types). This module does not import :mod:`pipeline.plancheck.match`.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline import catalog
from pipeline.catalog import STATUSES, THEME_KINDS
from pipeline.errors import PlanCheckError
from pipeline.schemas import validate_table

__all__ = ["ACTION_EVIDENCE", "CODES", "COMPARISON", "PLAN", "STATEMENTS", "STATEMENT_TOPICS", "STATUSES",
           "THEME_COVERAGE", "THEME_KINDS", "TOPICS", "PlanCheckError", "check", "validate_inputs"]

PLAN = catalog.PLAN
STATEMENTS = catalog.view("statements", ["statement_id", "organisation", "participant_ref", "cohort", "speaker",
                                         "stance", "text"], coerce=True, values=["statement_id"])
CODES = catalog.view("codes", ["statement_id", "code", "subtheme"], coerce=True, values=False)
TOPICS = catalog.view("topics", ["topic", "label", "keywords", "representative_statement_ids", "coverage"],
                      coerce=True, values=False)
STATEMENT_TOPICS = catalog.view("statement_topics", ["statement_id", "topic"], coerce=True, values=False)
THEME_COVERAGE = catalog.THEME_COVERAGE
ACTION_EVIDENCE = catalog.ACTION_EVIDENCE
COMPARISON = catalog.COMPARISON

_FIX = {
    "plan_structure": "check the draft plan file",
    "statements": "re-run `make code` to rebuild it",
    "codes": "re-run `make code` to rebuild it",
    "topics": "re-run `make topics` to rebuild it",
    "statement_topics": "re-run `make topics` to rebuild it",
}


def check(schema: pa.DataFrameSchema, df: pd.DataFrame) -> pd.DataFrame:
    """Validate ``df``; on failure raise :class:`PlanCheckError` naming the table, the column and the fix."""
    fix = _FIX.get(schema.name, "this is a bug in plan-check: please report it with the command you ran")
    what = "the draft plan table" if schema.name == "plan_structure" else catalog.table(schema.name).file.split("/")[-1]
    return validate_table(df, schema, f"The table {what}" if schema.name != "plan_structure" else f"The {what}",
                          f"To fix it, {fix}.", PlanCheckError)


def validate_inputs(plan, statements, codes, topics=None, statement_topics=None) -> None:
    """Validate every input table of :func:`pipeline.plancheck.match.check_plan`."""
    check(PLAN, plan)
    check(STATEMENTS, statements)
    check(CODES, codes)
    if topics is not None:
        check(TOPICS, topics)
    if statement_topics is not None:
        check(STATEMENT_TOPICS, statement_topics)
