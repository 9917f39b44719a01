"""Schemas of the coding stage: its input (responses) and its two output tables.

Column names and values follow docs/data-model.md. :func:`validate` runs a pandera schema and turns
any failure into a :class:`CodingSchemaError` whose message names the table, the column and what is
wrong, in plain English.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline.schemas import validate_table

QUESTIONS = ["listened", "interpreted", "solutions", "other", "unknown"]
STANCES = ["agree", "disagree", "mixed", "unclear"]
SOURCES = ["rule", "model", "analyst"]

STATEMENT_COLUMNS = [
    "statement_id", "response_id", "organisation", "cohort", "police_force_area", "engagement_method",
    "participant_ref", "speaker", "language", "question", "question_source", "question_confidence", "text",
    "char_start", "char_end", "stance", "stance_confidence", "is_suggestion", "reviewed", "n_codes",
]
CODE_COLUMNS = ["statement_id", "code", "subtheme", "confidence", "evidence", "source"]


class CodingSchemaError(ValueError):
    """A table read or written by the coding stage does not have the expected shape."""


RESPONSES = pa.DataFrameSchema(
    {
        "response_id": pa.Column(str, pa.Check(lambda s: s.str.len() > 0, name="blank response ids"), unique=True),
        "text": pa.Column(str, nullable=True),
    },
    strict=False,
)

_prob = pa.Check.in_range(0.0, 1.0, name="a value outside 0 to 1")

STATEMENTS = pa.DataFrameSchema(
    {
        "statement_id": pa.Column(str, unique=True),
        "response_id": pa.Column(str),
        **{c: pa.Column(str) for c in ["organisation", "cohort", "police_force_area", "engagement_method",
                                       "participant_ref", "speaker", "language"]},
        "question": pa.Column(str, pa.Check.isin(QUESTIONS, name=f"a question other than {', '.join(QUESTIONS)}")),
        "question_source": pa.Column(str, pa.Check.isin(["ingest", "inferred"], name="a source other than ingest/inferred")),
        "question_confidence": pa.Column(float, _prob),
        "text": pa.Column(str, pa.Check(lambda s: s.str.strip().str.len() > 0, name="an empty statement")),
        "char_start": pa.Column(int, pa.Check.ge(0, name="a negative start")),
        "char_end": pa.Column(int),
        "stance": pa.Column(str, pa.Check.isin(STANCES, name=f"a stance other than {', '.join(STANCES)}")),
        "stance_confidence": pa.Column(float, _prob),
        "is_suggestion": pa.Column(bool),
        "reviewed": pa.Column(bool),
        "n_codes": pa.Column(int, pa.Check.ge(0, name="a negative count")),
    },
    checks=[pa.Check(lambda df: df["char_end"] > df["char_start"], name="a span that ends before it starts")],
    strict=True,
    ordered=True,
)

CODES = pa.DataFrameSchema(
    {
        "statement_id": pa.Column(str),
        "code": pa.Column(str, pa.Check(lambda s: s.str.len() > 0, name="a blank code")),
        "subtheme": pa.Column(str),
        "confidence": pa.Column(float, _prob),
        "evidence": pa.Column(str),
        "source": pa.Column(str, pa.Check.isin(SOURCES, name=f"a source other than {', '.join(SOURCES)}")),
    },
    unique=["statement_id", "code"],
    strict=True,
    ordered=True,
)

_FIX = {
    "responses": "Rerun `make ingest` to rebuild responses.parquet.",
    "statements": "This is a bug in the coding stage: report it with the message above.",
    "codes": "This is a bug in the coding stage: report it with the message above.",
}


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, table: str) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; raise :class:`CodingSchemaError` in plain English on failure."""
    return validate_table(df, schema, f"The {table} table", _FIX.get(table, ""), CodingSchemaError)
