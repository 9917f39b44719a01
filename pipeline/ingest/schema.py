"""The tables ingest writes, from the table catalog, with plain-English errors.

``RESPONSES``, ``RETURNS``, ``DUPLICATES`` and ``LEDGER`` describe ``responses.parquet``,
``returns.parquet``, ``duplicates.csv`` and ``ingest_ledger.csv``; their one definition each is in
:mod:`pipeline.catalog` (vocabularies from ``config/``). :func:`validate` checks a table and, on
failure, raises :class:`TableError` naming the table, the column and what is wrong.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline import catalog
from pipeline.catalog import AREAS, COHORTS, DUPLICATE_KINDS, LANGUAGES, METHODS, QUESTIONS, SPEAKERS
from pipeline.errors import TableContractError
from pipeline.schemas import validate_table

__all__ = ["AREAS", "COHORTS", "DUPLICATES", "DUPLICATE_KINDS", "LANGUAGES", "LEDGER", "LEDGER_COLUMNS", "METHODS",
           "QUESTIONS", "RESPONSES", "RESPONSE_COLUMNS", "RETURNS", "RETURN_COLUMNS", "SPEAKERS", "STATUSES",
           "TableError", "validate"]

STATUSES = catalog.LEDGER_STATUSES
RESPONSE_COLUMNS = catalog.columns("responses")
RETURN_COLUMNS = catalog.columns("returns")
LEDGER_COLUMNS = catalog.columns("ingest_ledger")
RESPONSES = catalog.RESPONSES
RETURNS = catalog.RETURNS
DUPLICATES = catalog.DUPLICATES
LEDGER = catalog.LEDGER


class TableError(TableContractError):
    """A table does not match docs/data-model.md; the message says which table, column and problem."""


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; raise :class:`TableError` with a readable message on failure."""
    return validate_table(
        df, schema, f"The {schema.name} table",
        "It must match docs/data-model.md: this is a bug in ingest or a config value outside the vocabularies; "
        "report it with this message.",
        TableError,
    )
