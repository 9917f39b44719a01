"""Check a table against its pandera schema, with an error a non-programmer can act on.

Every stage keeps its own schemas and its own exception class; :func:`validate_table` is the one
place that runs a schema (lazily, so every problem is reported at once) and turns pandera's failure
cases into plain English: which table, which column, what is wrong, a few of the offending values
and what to do about it.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

#: pandera's table-level checks, in words.
_TABLE_CHECKS = {
    "column_in_schema": "a column the table should not have",
    "column_in_dataframe": "a missing column",
    "column_ordered": "columns in the wrong order",
}


def validate_table(
    df: pd.DataFrame, schema: pa.DataFrameSchema, table: str, fix: str, error: type[Exception]
) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; on failure raise ``error`` with a plain-English message.

    Args:
        df: The table; it is not modified.
        schema: Its pandera schema.
        table: The table as the message's sentences start with it, e.g. ``"The responses table"``
            or ``"The table statements.parquet"``.
        fix: What to do about a failure, in one or more sentences (e.g. "Re-run `make code`.").
        error: The stage's exception class.

    Returns:
        The validated table (type-coerced where the schema coerces).

    Raises:
        error: If a column is missing (the message lists them) or any check fails (the message
            lists each column and check that failed, how many rows and a few of the values).
    """
    missing = [name for name, column in schema.columns.items() if column.required and name not in df.columns]
    if missing:
        raise error(f"{table} has no column(s) {', '.join(missing)}. {fix}".strip())
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise error(f"{table} is not as expected:\n{_describe(exc.failure_cases)}\n{fix}".strip()) from exc


def _describe(cases: pd.DataFrame) -> str:
    """One line per failed (column, check) of pandera's ``failure_cases``, with a count and examples."""
    lines = []
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=True):
        values = [repr(v) for v in group["failure_case"].astype(str).unique()]
        if check in _TABLE_CHECKS:  # the values are column names: list them all
            lines.append(f"  - {_TABLE_CHECKS[check]}: {', '.join(values)}")
            continue
        examples = ", ".join(values[:3])
        where = f"column {column!r}" if isinstance(column, str) and column else "the table as a whole"
        lines.append(f"  - {where}: {check} ({len(group)} row(s), e.g. {examples})")
    return "\n".join(lines)
