"""Withdraw a participant's or an organisation's answers from every output (``make forget``).

``make forget PARTICIPANT=P-1a2b3c4d`` (a ``participant_ref`` from ``responses.csv``) or
``make forget ORGANISATION="Name"``:

1. records the withdrawal in ``<raw>/.withdrawn`` (kept with the raw returns, ignored by git), so a
   later ``make ingest`` leaves those answers out too (:func:`apply_withdrawals`);
2. removes their answers, statements, codes, topic assignments and review rows from every table
   (``.parquet``, ``.csv``, ``.xlsx``) under ``data/processed/<c>/``, and their texts from the
   embedding cache;
3. deletes the documents under ``reports/<c>/`` (they quote statements) so they are rebuilt;
4. appends a line to ``data/processed/<c>/withdrawals.csv`` saying *that* answers were withdrawn,
   when and how many rows went, never whose;
5. prints the targets to rerun (``make forget`` reruns them: code, topics, triangulate, report,
   notebooks and plan-check).

Usage::

    python -m pipeline.forget --raw data/raw/<c> --out data/processed/<c> --reports reports/<c> --participant P-1a2b3c4d
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.errors import PipelineError  # one error base class (issue 14)

WITHDRAWN_FILE = ".withdrawn"
LEDGER_FILE = "withdrawals.csv"
RERUN = ["code", "topics", "triangulate", "report", "notebooks", "plan-check"]
#: Files under the processed folder that are never filtered (the ledger itself).
_SKIP = {LEDGER_FILE}


class ForgetError(PipelineError, RuntimeError):
    """Nothing to withdraw, or the request is ambiguous."""


@dataclass
class ForgetResult:
    """What :func:`forget` did."""

    n_answers: int
    tables: dict[str, int] = field(default_factory=dict)
    deleted_reports: list[str] = field(default_factory=list)
    cache_rows: int = 0


def read_withdrawals(raw: Path) -> list[tuple[str, str]]:
    """``(kind, value)`` pairs from ``<raw>/.withdrawn`` (kind ``participant_ref`` or ``organisation``)."""
    path = Path(raw) / WITHDRAWN_FILE
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            kind, value = line.split("\t", 1)
            out.append((kind.strip(), value.strip()))
    return out


def withdrawn_mask(df: pd.DataFrame, withdrawals: Iterable[tuple[str, str]]) -> pd.Series:
    """True for rows of ``df`` (with ``participant_ref``/``organisation``) that were withdrawn."""
    mask = pd.Series(False, index=df.index)
    for kind, value in withdrawals:
        if kind in df.columns:
            mask |= df[kind].astype(str) == value
    return mask


def apply_withdrawals(responses: pd.DataFrame, raw: Path) -> tuple[pd.DataFrame, int]:
    """Drop answers withdrawn earlier (``<raw>/.withdrawn``); returns ``(kept, n_removed)``.

    Ingest calls this so that a withdrawn person's answers do not come back on a rerun.
    """
    withdrawals = read_withdrawals(raw)
    if not withdrawals or responses.empty:
        return responses, 0
    mask = withdrawn_mask(responses, withdrawals)
    return responses[~mask].reset_index(drop=True), int(mask.sum())


WITHDRAWN_REASON = "withdrawn at the request of the person or organisation who gave it (see withdrawals.csv)"


def drop_withdrawn(out: Any, raw: Path) -> Any:
    """Move withdrawn answers out of an ingest :class:`~pipeline.ingest.stage.StageOutput` into its rejected items.

    The answers' text and location are not kept: the ledger gets one line per answer saying only that
    it was withdrawn, so that every row read is still accounted for.
    """
    withdrawals = read_withdrawals(raw)
    if not withdrawals or out.responses.empty:
        return out
    mask = withdrawn_mask(out.responses, withdrawals)
    if not mask.any():
        return out
    gone = out.responses[mask]
    cols = list(out.rejected.columns)
    rows = pd.DataFrame(
        {c: (gone[c] if c in gone.columns and c in ("source_file", "organisation")
             else 0 if pd.api.types.is_numeric_dtype(out.rejected[c]) else "") for c in cols},
        index=gone.index,
    )
    if "reason" in rows.columns:
        rows["reason"] = WITHDRAWN_REASON
    if "note" in rows.columns:
        rows["note"] = WITHDRAWN_REASON
    rejected = pd.concat([out.rejected, rows[cols]], ignore_index=True)
    ids = set(gone["response_id"].astype(str))
    dups = out.duplicates[~out.duplicates["response_id_kept"].astype(str).isin(ids)] if "response_id_kept" in out.duplicates else out.duplicates
    changes = {"responses": out.responses[~mask].reset_index(drop=True), "rejected": rejected,
               "duplicates": dups.reset_index(drop=True)}
    log = getattr(out, "redaction_log", None)
    if isinstance(log, pd.DataFrame) and "response_id" in log.columns:
        changes["redaction_log"] = log[~log["response_id"].astype(str).isin(ids)].reset_index(drop=True)
    return replace(out, **changes)


def _row_mask(df: pd.DataFrame, ids: set[str], kind: str, value: str) -> pd.Series:
    mask = pd.Series(False, index=df.index)
    if "response_id" in df.columns:
        mask |= df["response_id"].astype(str).isin(ids)
    for col in ("statement_id", "response_id_kept"):
        if col in df.columns:
            mask |= df[col].astype(str).str.split("-S").str[0].isin(ids)
    if kind in df.columns:
        mask |= df[kind].astype(str) == value
    return mask


def _scrub_id_lists(df: pd.DataFrame, ids: set[str]) -> int:
    """Drop withdrawn statement ids from ``;``-joined id lists (e.g. ``representative_statement_ids``), in place."""
    changed = 0
    for col in [c for c in df.columns if str(c).endswith("_ids")]:
        values = df[col].astype(str).tolist()
        new = [";".join(x for x in v.split(";") if x and x.split("-S")[0] not in ids) for v in values]
        changed += sum(a != b for a, b in zip(values, new, strict=True))
        df[col] = new
    return changed


def _filter_xlsx(path: Path, ids: set[str], kind: str, value: str) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    removed = 0
    for ws in wb.worksheets:
        header_row, cols = None, {}
        for r in range(1, min(ws.max_row, 20) + 1):
            values = [str(c.value).strip().lower() if c.value is not None else "" for c in ws[r]]
            found = {name: i for i, name in enumerate(values) if name in ("statement_id", "response_id", kind)}
            if found:
                header_row, cols = r, found
                break
        if header_row is None:
            continue
        for r in range(ws.max_row, header_row, -1):
            row = [ws.cell(r, i + 1).value for i in range(ws.max_column)]
            hit = False
            for name, i in cols.items():
                cell = "" if row[i] is None else str(row[i])
                if name == kind and cell == value or name != kind and cell.split("-S")[0] in ids:
                    hit = True
            if hit:
                ws.delete_rows(r)
                removed += 1
    if removed:
        wb.save(path)
    return removed


def _filter_cache(out: Path, texts: Iterable[str]) -> int:
    import numpy as np

    from pipeline.nlp.embed import text_key

    removed = 0
    folder = out / "embeddings"
    for keys_path in folder.glob("*.keys.txt"):
        model = keys_path.name[: -len(".keys.txt")]
        vec_path = folder / f"{model}.npy"
        keys = keys_path.read_text(encoding="ascii").split()
        gone = {text_key(t, model) for t in texts}
        keep = [i for i, k in enumerate(keys) if k not in gone]
        if len(keep) == len(keys):
            continue
        removed += len(keys) - len(keep)
        if vec_path.exists():
            vectors = np.load(vec_path)
            np.save(vec_path, vectors[keep] if len(vectors) == len(keys) else vectors[:0])
        keys_path.write_text("\n".join(keys[i] for i in keep), encoding="ascii")
    return removed


def _hit(out: Path, kind: str, value: str) -> tuple[pd.DataFrame, set[str]]:
    """The answers to withdraw (``responses`` rows where ``kind`` is ``value``) and every text of theirs.

    Raises:
        ForgetError: If ingest has not run or no answer matches.
    """
    responses_path = out / "responses.parquet"
    if not responses_path.exists():
        raise ForgetError(f"{responses_path} does not exist: run make ingest first.")
    responses = pd.read_parquet(responses_path)
    hit = responses[responses[kind].astype(str) == value]
    if hit.empty:
        raise ForgetError(f"No answers with {kind} = {value!r} in {responses_path}. Check the value in responses.csv.")
    ids = set(hit["response_id"].astype(str))
    texts = set(hit["text"].astype(str))
    statements_path = out / "statements.parquet"
    if statements_path.exists():
        st = pd.read_parquet(statements_path)
        texts |= set(st.loc[_row_mask(st, ids, kind, value), "text"].astype(str))
    return hit, texts


def _filter_frame(df: pd.DataFrame, ids: set[str], kind: str, value: str) -> tuple[pd.DataFrame | None, int]:
    """``df`` without the withdrawn rows and ids, and how many went (``None`` when nothing changed)."""
    mask = _row_mask(df, ids, kind, value)
    lists = _scrub_id_lists(df, ids)
    if mask.any() or lists:
        return df[~mask], int(mask.sum()) + lists
    return None, 0


def _filter_table(path: Path, ids: set[str], kind: str, value: str) -> int:
    """Remove the withdrawn rows from one table file (parquet, CSV or xlsx); return how many went."""
    if path.suffix == ".parquet":
        kept, n = _filter_frame(pd.read_parquet(path), ids, kind, value)
        if kept is not None:
            kept.reset_index(drop=True).to_parquet(path, index=False)
        return n
    if path.suffix == ".csv":
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError):
            return 0
        kept, n = _filter_frame(df, ids, kind, value)
        if kept is not None:
            kept.to_csv(path, index=False, encoding="utf-8-sig")
        return n
    if path.suffix == ".xlsx":
        return _filter_xlsx(path, ids, kind, value)
    return 0


def _delete_reports(reports: Path) -> list[str]:
    """Delete every document under ``reports`` but its READMEs; return their relative paths."""
    deleted = []
    if reports.exists():
        for path in sorted(reports.rglob("*")):
            if path.is_file() and path.name.lower() != "readme.md":
                deleted.append(path.relative_to(reports).as_posix())
                path.unlink()
    return deleted


def _append_ledger(out: Path, kind: str, result: ForgetResult, now: dt.datetime | None) -> None:
    """Add a line to ``withdrawals.csv`` saying that answers were withdrawn, when and how many (never whose)."""
    ledger = out / LEDGER_FILE
    new = not ledger.exists()
    with ledger.open("a", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        if new:
            w.writerow(["withdrawn_at_utc", "what", "answers_removed", "tables_changed", "reports_deleted"])
        when = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        what = "a participant's answers" if kind == "participant_ref" else "an organisation's answers"
        w.writerow([when, what, result.n_answers, len(result.tables), len(result.deleted_reports)])


def forget(raw: Path, out: Path, reports: Path, participant: str | None = None, organisation: str | None = None,
           now: dt.datetime | None = None) -> ForgetResult:
    """Withdraw one participant's or organisation's answers from every output (see the module docstring).

    Args:
        raw: The consultation's raw folder (``.withdrawn`` is written there).
        out: The processed folder.
        reports: The reports folder.
        participant: A ``participant_ref`` (``P-...``), or ``None``.
        organisation: An organisation name as in ``responses.csv``, or ``None``.
        now: Time stamp for the ledger (default: now, UTC).

    Returns:
        :class:`ForgetResult`.

    Raises:
        ForgetError: If neither or both are given, or no answer matches.
    """
    if bool(participant) == bool(organisation):
        raise ForgetError("Give exactly one of PARTICIPANT=<participant_ref> or ORGANISATION=<name>.")
    kind, value = ("participant_ref", str(participant).strip()) if participant else ("organisation", str(organisation).strip())
    raw, out, reports = Path(raw), Path(out), Path(reports)
    hit, texts = _hit(out, kind, value)
    ids = set(hit["response_id"].astype(str))

    raw.mkdir(parents=True, exist_ok=True)
    with (raw / WITHDRAWN_FILE).open("a", encoding="utf-8") as fh:
        fh.write(f"{kind}\t{value}\n")

    result = ForgetResult(n_answers=len(hit))
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name not in _SKIP and (n := _filter_table(path, ids, kind, value)):
            result.tables[path.relative_to(out).as_posix()] = n
    result.cache_rows = _filter_cache(out, texts)
    result.deleted_reports = _delete_reports(reports)
    _append_ledger(out, kind, result, now)
    return result


def remaining_traces(out: Path, reports: Path, raw: Path) -> list[str]:
    """Tables or documents still holding a withdrawn participant's or organisation's rows or text ids."""
    withdrawals = read_withdrawals(raw)
    found = []
    for path in sorted(Path(out).rglob("*.parquet")):
        df = pd.read_parquet(path)
        if withdrawn_mask(df, withdrawals).any():
            found.append(str(path))
    for path in sorted(Path(reports).rglob("*")) if Path(reports).exists() else []:
        if path.is_file() and path.suffix in (".html", ".csv", ".md", ".txt"):
            body = path.read_text(encoding="utf-8", errors="ignore")
            if any(kind == "participant_ref" and value in body for kind, value in withdrawals):
                found.append(str(path))
    return found


def main(argv: list[str] | None = None) -> int:
    """Command line: withdraw, or with ``--verify`` check that nothing withdrawn remains."""
    ap = argparse.ArgumentParser(description="Withdraw a participant's or organisation's answers from every output.")
    ap.add_argument("--raw", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--reports", type=Path, required=True)
    ap.add_argument("--participant", default="")
    ap.add_argument("--organisation", default="")
    ap.add_argument("--verify", action="store_true", help="only check that no withdrawn rows remain")
    args = ap.parse_args(argv)
    if args.verify:
        left = remaining_traces(args.out, args.reports, args.raw)
        if left:
            print("Withdrawn answers are still in:\n  " + "\n  ".join(left))
            return 1
        print(f"Checked: no withdrawn answers remain under {args.out} or {args.reports}.")
        return 0
    try:
        res = forget(args.raw, args.out, args.reports, args.participant or None, args.organisation or None)
    except ForgetError as exc:
        print(f"forget: {exc}", file=sys.stderr)
        return 2
    print(f"Withdrew {res.n_answers} answer(s): rows removed from {len(res.tables)} table(s), "
          f"{res.cache_rows} cached embedding(s) dropped, {len(res.deleted_reports)} report file(s) deleted.")
    for rel, n in res.tables.items():
        print(f"  {rel}: {n} row(s)")
    print(f"Recorded in {args.raw / WITHDRAWN_FILE} (so a rerun of ingest leaves them out) and {args.out / LEDGER_FILE}.")
    print("Rebuild what depends on them: make " + " ".join(RERUN) + f" RAW={args.raw}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
