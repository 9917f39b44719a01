"""Schemas of the coding stage, from the table catalog: its input (responses) and its two output tables.

The tables' one schema each is in :mod:`pipeline.catalog`; this module names the ones the coding
stage uses. :func:`validate` runs a schema and turns any failure into a :class:`CodingSchemaError`
whose message names the table, the column and what is wrong, in plain English.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline import catalog
from pipeline.errors import TableContractError

__all__ = ["CODE_COLUMNS", "CODES", "CodingSchemaError", "QUESTIONS", "RESPONSES", "SOURCES", "STANCES",
           "STATEMENTS", "STATEMENT_COLUMNS", "validate"]

QUESTIONS = catalog.QUESTIONS
STANCES = list(catalog.STANCES)
SOURCES = catalog.CODE_SOURCES
STATEMENT_COLUMNS = catalog.columns("statements")
CODE_COLUMNS = catalog.columns("codes")


class CodingSchemaError(TableContractError):
    """A table read or written by the coding stage does not have the expected shape."""


#: What the coding stage reads of responses.parquet (ids and text; empty text is skipped with a reason).
RESPONSES = catalog.view("responses", ["response_id", "text"], nullable=["text"], values=False)
STATEMENTS = catalog.STATEMENTS
CODES = catalog.CODES

_FIX = {
    "responses": "Rerun `make ingest` to rebuild responses.parquet.",
    "statements": "This is a bug in the coding stage: report it with the message above.",
    "codes": "This is a bug in the coding stage: report it with the message above.",
}


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, table: str) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; raise :class:`CodingSchemaError` in plain English on failure."""
    return catalog.validate(table, df, schema, _FIX.get(table, ""), CodingSchemaError)
