"""Schemas of the topics stage, from the table catalog: the statements it reads and the tables it writes.

Each table's one schema is in :mod:`pipeline.catalog`; this module names those the topics stage uses
(the input ones as views of the columns it reads, coerced to their types). :func:`check` validates a
table and, on failure, raises :class:`TopicsSchemaError` whose message names the table, the column
and what is wrong in words an analyst understands.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline import catalog
from pipeline.catalog import PLAN_COMMENTS_PREFIX, SPREAD_DIMENSIONS, WELSH_PREFIX
from pipeline.errors import TableContractError

__all__ = [
    "CODES_COLUMNS", "CODES_SCHEMA", "PLAN_COMMENTS_PREFIX", "SPREAD_COLUMNS", "SPREAD_DIMENSIONS", "SPREAD_SCHEMA",
    "STATEMENTS_SCHEMA", "STATEMENT_COLUMNS", "STATEMENT_TOPICS_COLUMNS", "STATEMENT_TOPICS_SCHEMA",
    "TOPICS_COLUMNS", "TOPICS_SCHEMA", "TopicsSchemaError", "WELSH_PREFIX", "check",
]

STATEMENT_COLUMNS = ["statement_id", "organisation", "cohort", "police_force_area", "speaker", "text"]
CODES_COLUMNS = ["statement_id", "code"]
TOPICS_COLUMNS = catalog.columns("topics")
STATEMENT_TOPICS_COLUMNS = catalog.columns("statement_topics")
SPREAD_COLUMNS = catalog.columns("topic_spread")


class TopicsSchemaError(TableContractError):
    """A table read or written by the topics stage does not have the expected shape."""


#: What the topics stage reads of statements.parquet and codes.parquet (written by ``make code``).
STATEMENTS_SCHEMA = catalog.view("statements", STATEMENT_COLUMNS, coerce=True, values=["statement_id"])
CODES_SCHEMA = catalog.view("codes", CODES_COLUMNS, coerce=True)
TOPICS_SCHEMA = catalog.TOPICS
STATEMENT_TOPICS_SCHEMA = catalog.STATEMENT_TOPICS
SPREAD_SCHEMA = catalog.SPREAD


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
    from pipeline.schemas import validate_table

    return validate_table(df, schema, f"The table {table}", fix, TopicsSchemaError)
