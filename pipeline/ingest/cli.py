"""``python -m pipeline ingest``: turn a consultation folder's returns into one tidy, redacted table.

Reads every return under ``data/raw/<consultation>/`` (Word, Excel, CSV, text/Markdown notes,
PDF, OpenDocument, RTF, HTML, email, and scans and photos by OCR) with the manifest ``returns.csv``
if there is one, and writes to
``data/processed/<consultation>/``: ``responses.parquet`` (+ ``.csv``), ``returns.parquet``
(+ ``.csv``), ``duplicates.csv``, ``ingest_ledger.csv`` and ``ingest.config.yaml``. Text is
redacted before anything is written. Examples::

    python -m pipeline ingest                          # the bundled sample
    python -m pipeline ingest --raw data/raw/spring2026
"""

from __future__ import annotations

import logging

import pandas as pd
import typer

from pipeline import config
from pipeline.common import (
    ConsultationOpt,
    OutOpt,
    RawOpt,
    ReportsOpt,
    VerboseOpt,
    fail,
    resolve_paths,
    setup_logging,
    write_table,
)
from pipeline.vocab import explode_multi

log = logging.getLogger("pipeline.ingest")


def ingest_command(
    consultation: ConsultationOpt = None,
    raw: RawOpt = None,
    out: OutOpt = None,
    reports: ReportsOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Read every return in a consultation folder into responses.parquet, redacted, with a ledger.

    The returns are read from <raw> and the tables written to <out>; with --verbose every file and step
    is logged.
    """
    setup_logging(verbose)
    from pipeline.ingest.ledger import LedgerError
    from pipeline.ingest.manifest import ManifestError
    from pipeline.ingest.redact import RedactionError
    from pipeline.ingest.runner import ingest_folder
    from pipeline.ingest.schema import TableError
    from pipeline.pseudonym import PseudonymKeyError

    paths = resolve_paths(consultation, raw, out, reports)
    if not paths.raw.is_dir():
        fail(f"The folder {paths.raw} does not exist. Put the returns in data/raw/<consultation>/ "
             "or point --raw at their folder.")
        raise typer.Exit(code=2)
    try:
        settings = config.settings()
        questions = config.load_yaml("questions.yaml")["questions"]
        vocab = config.load_yaml("vocabularies.yaml")
        redaction = config.load_yaml("redaction.yaml")
        result = ingest_folder(paths.raw, questions, vocab, settings, redaction, cache_dir=paths.out)
    except (config.ConfigError, ManifestError, RedactionError, LedgerError, TableError, PseudonymKeyError) as exc:
        raise typer.Exit(fail(str(exc), "Ingest stopped")) from exc
    except KeyError as exc:
        raise typer.Exit(fail(f"config/questions.yaml has no '{exc.args[0]}' section. Restore it from git.",
                              "Ingest stopped")) from exc

    out_dir = paths.out
    write_table(result.responses, out_dir / "responses.parquet")
    write_table(result.returns, out_dir / "returns.parquet")
    for name, table in (("duplicates.csv", result.duplicates), ("ingest_ledger.csv", result.ledger),
                        ("redaction_log.csv", result.redaction_log)):
        path = out_dir / name
        table.to_csv(path, index=False, encoding="utf-8-sig")
        log.info("wrote %s (%d rows)", path, len(table))
    config.write_run_config(
        out_dir,
        "ingest",
        {"raw": str(paths.raw), "out": str(out_dir), "manifest": str(result.manifest) if result.manifest else None,
         "questions": questions, "redaction": redaction},
        result.inputs,
    )
    typer.echo(summary(result, int(settings.get("disclosure", {}).get("min_count", 5))))


def _count(n: int, min_count: int) -> str:
    return str(n) if n == 0 or n >= min_count else f"<{min_count}"


def summary(result, min_count: int = 5) -> str:
    """Plain-text run summary; participant counts below ``min_count`` are shown as '<min_count'."""
    ledger, responses = result.ledger, result.responses
    files = ledger.drop_duplicates("file", keep="first")
    file_rows = ledger.groupby("file", sort=False).head(1)
    status_counts = file_rows["status"].value_counts()
    lines = [
        "",
        "Ingest summary",
        f"  files: {len(files)} ("
        + ", ".join(f"{status_counts.get(s, 0)} {s}" for s in ("accepted", "partly accepted", "rejected", "missing", "skipped"))
        + ")",
        f"  answers accepted: {len(responses)} from {responses['organisation'].nunique()} organisation(s); "
        f"{int((responses['question'] == 'unknown').sum())} not placed on a question",
        f"  items rejected: {int(file_rows['rows_rejected'].sum())}; duplicates set aside: "
        f"{int(file_rows['rows_duplicate'].sum())}",
    ]
    people = responses.drop_duplicates(["organisation", "participant_ref"])
    for col, title in (("cohort", "participants by cohort"), ("police_force_area", "participants by area")):
        counts = pd.Series(explode_multi(people[col].tolist())).value_counts().sort_index()
        lines.append(f"  {title}: " + ", ".join(f"{k} {_count(int(v), min_count)}" for k, v in counts.items()))
    lines.append("    (a group whose members the return does not separate counts once)")
    red = result.redactions
    lines.append("  redactions: " + (", ".join(f"{k} {v}" for k, v in red.items()) if red else "none"))
    rejected = file_rows[file_rows["status"].isin(["rejected", "missing"])]
    for rec in rejected.itertuples(index=False):
        lines.append(f"  ! {rec.file}: {rec.reason}")
    lines.append("  See ingest_ledger.csv for every file and every item not accepted.")
    return "\n".join(lines)
