"""Schemas of the triangulation stage: the tidy EDI input format and the two output tables.

The tidy EDI format is described for analysts in docs/edi-format.md; the output tables' schemas are
in the table catalog (:mod:`pipeline.catalog`). :func:`validate_edi` checks
raw EDI rows with a pandera schema and splits them into accepted rows and rejected rows, each
rejected row carrying a plain-English ``reason``; nothing is dropped silently.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline import catalog
from pipeline.catalog import RATIO_KINDS, READINGS
from pipeline.errors import InputDataError, TableContractError
from pipeline.schemas import validate_table

__all__ = ["EDI_COLUMNS", "MEASURES_SCHEMA", "MEASURE_COLUMNS", "NUMERIC_COLUMNS", "RATIO_KINDS", "READINGS",
           "REQUIRED_COLUMNS", "TRIANGULATION_COLUMNS", "TRIANGULATION_SCHEMA", "EdiFormatError", "check_output",
           "validate_edi"]

EDI_COLUMNS = ["measure", "area", "period", "ethnicity", "count", "denominator", "rate", "unit", "source", "notes"]
REQUIRED_COLUMNS = ["measure", "area", "period", "ethnicity", "source"]
NUMERIC_COLUMNS = ["count", "denominator", "rate"]

#: The two output tables' columns and schemas: their one definition is in the table catalog.
MEASURE_COLUMNS = catalog.columns("edi_measures")
TRIANGULATION_COLUMNS = catalog.columns("triangulation")
MEASURES_SCHEMA = catalog.MEASURES
TRIANGULATION_SCHEMA = catalog.TRIANGULATION


class EdiFormatError(InputDataError):
    """An EDI table cannot be read at all (e.g. a required column is missing); the message says how to fix it."""


# Each check's name is the reason a non-programmer reads in edi_rejected.csv.
_RAW_SCHEMA = pa.DataFrameSchema(
    {
        "measure": pa.Column(str, pa.Check(lambda s: s.str.strip() != "", name="the measure is blank")),
        "area": pa.Column(str, pa.Check(lambda s: s.str.strip() != "", name="the area is blank")),
        "period": pa.Column(str, pa.Check(lambda s: s.str.strip() != "", name="the period is blank")),
        "ethnicity": pa.Column(str, pa.Check(lambda s: s.str.strip() != "", name="the ethnicity is blank")),
        "source": pa.Column(
            str, pa.Check(lambda s: s.str.strip() != "", name="the source is blank: every figure must say where it comes from")
        ),
        "count": pa.Column(float, pa.Check(lambda s: s >= 0, name="the count is negative"), nullable=True),
        "denominator": pa.Column(float, pa.Check(lambda s: s > 0, name="the denominator is zero or negative"), nullable=True),
        "rate": pa.Column(float, pa.Check(lambda s: s >= 0, name="the rate is negative"), nullable=True),
    },
    checks=[
        pa.Check(
            lambda df: df["count"].notna() | df["rate"].notna(),
            name="the row has neither a count nor a published rate",
        ),
        pa.Check(
            lambda df: df["denominator"].isna() | df["count"].isna() | (df["count"] <= df["denominator"])
            | df["unit"].str.contains(r"\bper\s", case=False, regex=True),
            name="the count is larger than its denominator for a share (percent) measure",
        ),
    ],
    strict=False,
    coerce=False,
)


def _reason(failure: pd.Series) -> str:
    return str(failure["check"])


def validate_edi(raw: pd.DataFrame, known_areas: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check raw EDI rows and split them into accepted and rejected rows.

    Args:
        raw: EDI rows as read (all columns as text), with a ``file`` column naming where each came from.
        known_areas: Area names accepted (police force areas, All Wales, comparators).

    Returns:
        ``(accepted, rejected)``: accepted rows with ``count``/``denominator``/``rate`` as floats;
        rejected rows as read, plus ``reason`` (plain English, several joined by ``; ``).

    Raises:
        EdiFormatError: If a required column is missing from the table.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        files = ", ".join(sorted(set(raw.get("file", pd.Series(["the EDI table"])).astype(str))))
        raise EdiFormatError(
            f"The EDI table ({files}) has no column {', '.join(missing)}. Every EDI table needs the columns "
            f"{', '.join(EDI_COLUMNS)} (see docs/edi-format.md); rename or add the column and run again."
        )
    df = raw.copy()
    for col in EDI_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    for col in ["measure", "area", "period", "ethnicity", "unit", "source", "notes"]:
        df[col] = df[col].fillna("").astype(str).str.strip()
    reasons: dict[int, list[str]] = {}
    df = df.reset_index(drop=True)
    for col in NUMERIC_COLUMNS:
        text = df[col].fillna("").astype(str).str.replace(",", "", regex=False).str.strip()
        num = pd.to_numeric(text.where(text != ""), errors="coerce")
        for i in df.index[(text != "") & num.isna()]:
            reasons.setdefault(int(i), []).append(f"the {col} '{text[i]}' is not a number")
        df[col] = num.astype(float)
    try:
        _RAW_SCHEMA.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        for _, failure in fc.iterrows():
            if pd.isna(failure["index"]):
                continue
            reasons.setdefault(int(failure["index"]), []).append(_reason(failure))
    bad_area = ~df["area"].isin(known_areas) & (df["area"] != "")
    for i in df.index[bad_area]:
        reasons.setdefault(int(i), []).append(
            f"the area '{df.at[i, 'area']}' is not one of {', '.join(known_areas)} (use the police force area's name)"
        )
    is_bad = df.index.isin(list(reasons))
    rejected = raw.reset_index(drop=True).loc[is_bad].copy()
    rejected["reason"] = ["; ".join(dict.fromkeys(reasons[int(i)])) for i in rejected.index]
    return df.loc[~is_bad].reset_index(drop=True), rejected.reset_index(drop=True)


def check_output(df: pd.DataFrame, schema: pa.DataFrameSchema, table: str) -> pd.DataFrame:
    """Validate an output table; on failure raise an error that names the table, column and problem."""
    return validate_table(
        df, schema, f"The {table} table the triangulation stage produced",
        "It is not in the agreed format (docs/data-model.md). This is a fault in the pipeline, not in your data: "
        "report it with the EDI files you used.",
        TableContractError,
    )
