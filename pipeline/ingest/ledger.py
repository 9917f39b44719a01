"""The ingest ledger: what happened to every input file and every answer that was not accepted.

``ingest_ledger.csv`` has one row per input file (accepted, partly accepted, rejected, missing,
skipped) followed by one row per metadata column of that file (status ``metadata``: "column 'Email'
treated as personal metadata, not an answer") and one row per rejected item (a blank or "N/A"
answer, a title or 'label: value' line). Counts are of cells, lines and paragraphs, and reconcile per
row: ``rows_read == rows_accepted + rows_rejected + rows_duplicate + rows_metadata``;
:func:`reconcile` raises if they do not (which would mean ingest lost or invented something). Reasons are plain English and say what to do. Pure DataFrame functions, used by
``python -m pipeline ingest``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.errors import PipelineError  # one error base class (issue 14)
from pipeline.ingest.schema import LEDGER_COLUMNS

#: Columns of the per-file table the runner builds.
FILE_COLUMNS = ["source_file", "format", "read_status", "reason", "duplicate_of", "rows_read", "n_unknown_question"]


class LedgerError(PipelineError, RuntimeError):
    """Counts do not reconcile: a bug, since every row read must be accepted, rejected or a duplicate."""


def _file_status(rec: Any, a: int, r: int, d: int, m: int) -> tuple[str, list[str]]:
    """A file's status and the reasons behind it, from its read status and its counts.

    Args:
        rec: The file's row of the per-file table (:data:`FILE_COLUMNS`).
        a: Answers accepted; ``r`` items rejected; ``d`` duplicates set aside; ``m`` metadata cells.
    """
    reasons = [rec.reason] if rec.reason else []
    if rec.read_status in ("error", "skipped", "missing"):
        return {"error": "rejected"}.get(rec.read_status, rec.read_status), reasons
    if rec.duplicate_of:
        reasons.insert(
            0,
            f"identical to {rec.duplicate_of} (the same file sent twice): its {d} item(s) are counted as "
            f"duplicates and kept once, from {rec.duplicate_of}",
        )
        return "skipped", reasons
    if a == 0 and m and not r:
        reasons.insert(0, "no answers: everything in it is metadata (listed below), not answers to the questions; "
                          "check it is a return and ask for the return itself")
        return "rejected", reasons
    if a == 0:
        reasons.insert(0, "no usable answers: every item was blank or not an answer; check the file and ask for it again")
        return "rejected", reasons
    if r:
        reasons.insert(0, f"{r} item(s) not accepted (listed below)")
    if d:
        reasons.append(f"{d} answer(s) repeated another answer and were kept once (see duplicates.csv)")
    return ("partly accepted" if r else "accepted"), reasons


def _accepted_notes(rec: Any, a: int, m: int) -> list[str]:
    """Notes on an accepted file: metadata cells counted, and answers not placed on a question."""
    notes = []
    if m:
        notes.append(f"{m} metadata cell(s) (IDs, times, names, emails, cohort...) counted, not kept as answers")
    if rec.n_unknown_question and rec.n_unknown_question >= a:
        notes.append(
            "warning: no question recognised in this file, so all its answers are question 'unknown' (the coder "
            "infers their question); add its headings' wording to config/questions.yaml to place them"
        )
    elif rec.n_unknown_question:
        notes.append(
            f"{rec.n_unknown_question} answer(s) could not be placed on a question (question 'unknown'); "
            "add the heading's wording to config/questions.yaml to place them"
        )
    return notes


def _item_rows(f: str, fmt: str, items: pd.DataFrame, status: str, cells: bool) -> list[dict[str, object]]:
    """One ledger row per metadata column (``cells``: counted by cell) or per rejected item of file ``f``."""
    rows = []
    for item in items[items["source_file"] == f].itertuples(index=False):
        n = int(item.cells) if cells else 1
        rows.append({"file": f, "format": fmt, "status": status, "rows_read": n, "rows_accepted": 0,
                     "rows_rejected": 0 if cells else 1, "rows_duplicate": 0, "rows_metadata": n if cells else 0,
                     "reason": f"{item.reason} ({item.source_location})"})
    return rows


def build_ledger(
    files: pd.DataFrame, responses: pd.DataFrame, rejected: pd.DataFrame, duplicates: pd.DataFrame,
    metadata: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Assemble the ledger from the per-file table and the stage's outputs.

    Args:
        files: One row per input file (:data:`FILE_COLUMNS`); ``read_status`` is ``read``, ``error``,
            ``skipped`` or ``missing``; ``reason`` holds notes already known (read error, manifest problems).
        responses: Accepted answers (``source_file``).
        rejected: Rejected items (``source_file``, ``format``, ``source_location``, ``reason``).
        duplicates: The duplicates table (``duplicate_source_file``).
        metadata: Metadata columns (``source_file``, ``source_location``, ``cells``, ``reason``), if any.

    Returns:
        The ledger (:data:`pipeline.ingest.schema.LEDGER_COLUMNS`), reconciled.
    """
    accepted = responses.groupby("source_file").size()
    n_rejected = rejected.groupby("source_file").size() if len(rejected) else pd.Series(dtype="int64")
    n_dup = duplicates.groupby("duplicate_source_file").size() if len(duplicates) else pd.Series(dtype="int64")
    if metadata is None or not len(metadata):
        metadata = pd.DataFrame(columns=["source_file", "source_location", "cells", "reason"])
    n_meta = metadata.groupby("source_file")["cells"].sum() if len(metadata) else pd.Series(dtype="int64")
    rows: list[dict[str, object]] = []
    for rec in files.sort_values("source_file", kind="stable").itertuples(index=False):
        f = rec.source_file
        a, r, d = int(accepted.get(f, 0)), int(n_rejected.get(f, 0)), int(n_dup.get(f, 0))
        m = int(n_meta.get(f, 0))
        status, reasons = _file_status(rec, a, r, d, m)
        if status in ("accepted", "partly accepted"):
            reasons += _accepted_notes(rec, a, m)
        rows.append(
            {"file": f, "format": rec.format, "status": status, "rows_read": int(rec.rows_read), "rows_accepted": a,
             "rows_rejected": r, "rows_duplicate": d, "rows_metadata": m, "reason": "; ".join(reasons)}
        )
        if m:
            rows += _item_rows(f, rec.format, metadata, "metadata", cells=True)
        if r:
            rows += _item_rows(f, rec.format, rejected, "rejected", cells=False)
    ledger = pd.DataFrame(rows, columns=LEDGER_COLUMNS)
    for col in ("rows_read", "rows_accepted", "rows_rejected", "rows_duplicate", "rows_metadata"):
        ledger[col] = ledger[col].astype("int64")
    reconcile(ledger)
    return ledger.astype({"file": "str", "format": "str", "status": "str", "reason": "str"})


def reconcile(ledger: pd.DataFrame) -> None:
    """Check ``rows_read == rows_accepted + rows_rejected + rows_duplicate + rows_metadata`` on every row.

    Raises:
        LedgerError: Naming the files whose counts do not add up.
    """
    total = ledger["rows_accepted"] + ledger["rows_rejected"] + ledger["rows_duplicate"]
    if "rows_metadata" in ledger:
        total = total + ledger["rows_metadata"]
    bad = ledger[ledger["rows_read"] != total]
    if len(bad):
        detail = "; ".join(
            f"{r.file}: read {r.rows_read}, accepted {r.rows_accepted} + rejected {r.rows_rejected} "
            f"+ duplicates {r.rows_duplicate} + metadata {getattr(r, 'rows_metadata', 0)}"
            for r in bad.itertuples(index=False)
        )
        raise LedgerError(f"The ingest ledger does not reconcile (rows were lost or counted twice): {detail}.")
