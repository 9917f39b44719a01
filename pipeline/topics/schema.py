"""Schemas of the topics stage: the statements it reads and the tables it writes.

Column names follow docs/data-model.md. :func:`check` validates a table with pandera and, on
failure, raises :class:`TopicsSchemaError` whose message names the table, the column and what is
wrong in words an analyst understands.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline.schemas import validate_table

STATEMENT_COLUMNS = ["statement_id", "organisation", "cohort", "police_force_area", "speaker", "text"]
TOPICS_COLUMNS = [
    "topic", "label", "keywords", "size", "n_organisations", "representative_statement_ids",
    "nearest_code", "similarity", "code_share", "covered", "coverage",
    "name", "description", "kind", "coherence", "single_organisation", "flags", "fine_topics",
]
STATEMENT_TOPICS_COLUMNS = ["statement_id", "topic", "probability", "fine_topic"]
CODES_COLUMNS = ["statement_id", "code"]
#: Label prefixes of topics that are not subjects the plan lacks (the reports and plan-check set
#: them apart): clusters of comments on the draft itself, and of Welsh statements grouped by language.
PLAN_COMMENTS_PREFIX = "Comments on the plan itself: "
WELSH_PREFIX = "Mostly in Welsh (mixed subjects): "
SPREAD_COLUMNS = ["topic", "dimension", "group", "n_statements", "suppressed"]
SPREAD_DIMENSIONS = ["organisation", "cohort", "police_force_area"]


class TopicsSchemaError(ValueError):
    """A table read or written by the topics stage does not have the expected shape."""


def _nonblank(what: str) -> pa.Check:
    return pa.Check(lambda s: s.astype(str).str.strip() != "", name=f"{what} is blank")


STATEMENTS_SCHEMA = pa.DataFrameSchema(
    {
        "statement_id": pa.Column(str, [_nonblank("the statement id")], unique=True),
        "organisation": pa.Column(str),
        "cohort": pa.Column(str),
        "police_force_area": pa.Column(str),
        "speaker": pa.Column(str),
        "text": pa.Column(str, nullable=False),
    },
    strict=False,
    coerce=True,
)

#: The deductive codes (``codes.parquet``, written by ``make code``): only the columns this stage uses.
CODES_SCHEMA = pa.DataFrameSchema(
    {
        "statement_id": pa.Column(str, [_nonblank("the statement id")]),
        "code": pa.Column(str, [_nonblank("the code")]),
    },
    strict=False,
    coerce=True,
)

TOPICS_SCHEMA = pa.DataFrameSchema(
    {
        "topic": pa.Column(int, pa.Check.ge(-1, name="a topic number is below -1"), unique=True),
        "label": pa.Column(str, _nonblank("a topic label")),
        "keywords": pa.Column(str),
        "size": pa.Column(int, pa.Check.ge(1, name="a topic has no statements")),
        "n_organisations": pa.Column(int, pa.Check.ge(0)),
        "representative_statement_ids": pa.Column(str),
        "nearest_code": pa.Column(str),
        "similarity": pa.Column(float, pa.Check.in_range(-1.0, 1.0, name="a similarity is outside -1..1")),
        # empty (NaN) when codes.parquet was not available and coverage fell back to similarity
        "code_share": pa.Column(float, pa.Check.in_range(0.0, 1.0, name="a code share is outside 0..1"), nullable=True),
        "covered": pa.Column(bool),
        "coverage": pa.Column(
            str, pa.Check.str_matches(r"^(covered by \S+|not in the plan)$",
                                      name="coverage must read 'covered by PA…' or 'not in the plan'")
        ),
        "name": pa.Column(str, _nonblank("a theme name")),
        "description": pa.Column(str),
        "kind": pa.Column(str, pa.Check.isin(["priority_area", "subject", "plan_comments", "welsh", "unassigned",
                                              "keywords"])),
        "coherence": pa.Column(float, pa.Check.in_range(-1.0, 1.0, name="a coherence is outside -1..1")),
        "single_organisation": pa.Column(bool),
        "flags": pa.Column(str),
        "fine_topics": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
)

STATEMENT_TOPICS_SCHEMA = pa.DataFrameSchema(
    {
        "statement_id": pa.Column(str, unique=True),
        "topic": pa.Column(int, pa.Check.ge(-1)),
        "probability": pa.Column(float, pa.Check.in_range(0.0, 1.0, name="a probability is outside 0..1")),
        "fine_topic": pa.Column(int, pa.Check.ge(-1)),
    },
    strict=True,
    ordered=True,
    coerce=True,
)

SPREAD_SCHEMA = pa.DataFrameSchema(
    {
        "topic": pa.Column(int),
        "dimension": pa.Column(str, pa.Check.isin(SPREAD_DIMENSIONS)),
        "group": pa.Column(str),
        "n_statements": pa.Column("Int64", nullable=True),
        "suppressed": pa.Column(bool),
    },
    checks=[pa.Check(lambda df: df["suppressed"] == df["n_statements"].isna(),
                     name="a suppressed count must be empty and an unsuppressed one filled")],
    strict=True,
    ordered=True,
    coerce=True,
)


def check(df: pd.DataFrame, schema: pa.DataFrameSchema, table: str, fix: str) -> pd.DataFrame:
    """Validate ``df`` against ``schema`` or raise a plain-English :class:`TopicsSchemaError`.

    Args:
        df: The table.
        schema: Its pandera schema.
        table: The table's name as the analyst knows it (e.g. ``statements.parquet``).
        fix: What to do about a failure (e.g. "re-run `make code`").

    Returns:
        The validated (type-coerced) table.
    """
    return validate_table(df, schema, f"The table {table}", fix, TopicsSchemaError)
