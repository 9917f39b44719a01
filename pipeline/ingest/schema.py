"""Pandera schemas for the tables ingest writes (see docs/data-model.md), with plain-English errors.

``RESPONSES``, ``RETURNS``, ``DUPLICATES`` and ``LEDGER`` describe ``responses.parquet``,
``returns.parquet``, ``duplicates.csv`` and ``ingest_ledger.csv``. :func:`validate` checks a table
and, on failure, raises :class:`TableError` naming the table, the column and what is wrong.
Other stages may import ``RESPONSES`` to check their input.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline.schemas import validate_table

QUESTIONS = ["listened", "interpreted", "solutions", "other", "unknown"]
COHORTS = [
    "prison", "youth_justice", "looked_after_children", "serious_violence", "schools",
    "gypsy_roma_traveller", "asylum_seekers", "community", "unknown",
]
AREAS = ["Dyfed-Powys", "Gwent", "North Wales", "South Wales", "All Wales", "unknown"]
METHODS = ["focus_group", "interview", "survey", "unknown"]
LANGUAGES = ["en", "cy", "other"]
SPEAKERS = ["participant", "facilitator"]
STATUSES = ["accepted", "partly accepted", "rejected", "missing", "skipped", "metadata"]
DUPLICATE_KINDS = ["exact_file", "exact_answer", "near_answer"]

RESPONSE_COLUMNS = [
    "response_id", "organisation", "source_file", "source_location", "cohort", "police_force_area",
    "engagement_method", "participant_ref", "question", "question_label", "speaker", "language", "text",
    "n_redactions", "question_confidence", "ocr_confidence",
]
RETURN_COLUMNS = [
    "organisation", "source_file", "format", "cohort", "police_force_area", "engagement_method",
    "n_participants", "language", "date_received", "n_responses",
]
LEDGER_COLUMNS = [
    "file", "format", "status", "rows_read", "rows_accepted", "rows_rejected", "rows_duplicate", "rows_metadata",
    "reason",
]


def _multi(allowed: list[str]) -> pa.Check:
    """Each ';'-joined part is in the vocabulary."""
    allowed_set = set(allowed)
    return pa.Check(
        lambda s: s.map(lambda v: all(p in allowed_set for p in str(v).split(";"))),
        element_wise=False,
        error=f"every value must be one of {allowed} (several joined by ';')",
    )


def _table(name: str, columns: dict[str, pa.Column]) -> pa.DataFrameSchema:
    """A schema whose table has exactly these columns, in this order."""
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name=name)


RESPONSES = _table(
    "responses",
    {
        "response_id": pa.Column(str, pa.Check.str_matches(r"^R[0-9a-f]{12}$"), unique=True),
        "organisation": pa.Column(str, pa.Check.str_length(min_value=1)),
        "source_file": pa.Column(str, pa.Check.str_length(min_value=1)),
        "source_location": pa.Column(str, pa.Check.str_length(min_value=1)),
        "cohort": pa.Column(str, _multi(COHORTS)),
        "police_force_area": pa.Column(str, _multi(AREAS)),
        "engagement_method": pa.Column(str, pa.Check.isin(METHODS)),
        "participant_ref": pa.Column(str, pa.Check.str_matches(r"^[PG]-[0-9a-f]{6,}$")),
        "question": pa.Column(str, pa.Check.isin(QUESTIONS)),
        "question_label": pa.Column(str),
        "speaker": pa.Column(str, pa.Check.isin(SPEAKERS)),
        "language": pa.Column(str, pa.Check.isin(LANGUAGES)),
        "text": pa.Column(str, pa.Check.str_length(min_value=1)),
        "n_redactions": pa.Column("int64", pa.Check.ge(0)),
        "question_confidence": pa.Column("float64", pa.Check.in_range(0, 1)),
        "ocr_confidence": pa.Column("float64", pa.Check.in_range(0, 100), nullable=True),
    },
)

RETURNS = _table(
    "returns",
    {
        "organisation": pa.Column(str),
        "source_file": pa.Column(str, unique=True),
        "format": pa.Column(str),
        "cohort": pa.Column(str, _multi(COHORTS)),
        "police_force_area": pa.Column(str, _multi(AREAS)),
        "engagement_method": pa.Column(str, _multi(METHODS)),
        "n_participants": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "language": pa.Column(str),
        "date_received": pa.Column(str),
        "n_responses": pa.Column("int64", pa.Check.ge(0)),
    },
)

DUPLICATES = _table(
    "duplicates",
    {
        "response_id_kept": pa.Column(str),
        "duplicate_source_file": pa.Column(str),
        "duplicate_source_location": pa.Column(str),
        "kind": pa.Column(str, pa.Check.isin(DUPLICATE_KINDS)),
        "similarity": pa.Column(float, pa.Check.in_range(0, 100)),
    },
)

LEDGER = _table(
    "ingest_ledger",
    {
        "file": pa.Column(str),
        "format": pa.Column(str),
        "status": pa.Column(str, pa.Check.isin(STATUSES)),
        "rows_read": pa.Column("int64", pa.Check.ge(0)),
        "rows_accepted": pa.Column("int64", pa.Check.ge(0)),
        "rows_rejected": pa.Column("int64", pa.Check.ge(0)),
        "rows_duplicate": pa.Column("int64", pa.Check.ge(0)),
        "rows_metadata": pa.Column("int64", pa.Check.ge(0)),
        "reason": pa.Column(str),
    },
)


class TableError(ValueError):
    """A table does not match docs/data-model.md; the message says which table, column and problem."""


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; raise :class:`TableError` with a readable message on failure."""
    return validate_table(
        df, schema, f"The {schema.name} table",
        "It must match docs/data-model.md: this is a bug in ingest or a config value outside the vocabularies; "
        "report it with this message.",
        TableError,
    )
