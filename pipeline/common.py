"""Small helpers every stage's runner shares: command-line options, run paths, logging, failing, table I/O.

Stage logic never calls these to read or write; only the thin runners in ``pipeline/*/cli.py`` do.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from pipeline import config

log = logging.getLogger("pipeline")

# The options every stage command takes (``--consultation``/``--raw``/``--out``/``--reports``, see
# :func:`resolve_paths`, and ``--verbose``), and ``--codebook``, with help that holds for each command.
ConsultationOpt = Annotated[str | None, typer.Option(
    help="Consultation name: the folder under data/raw/, data/processed/ and reports/ "
         "(default: the --raw folder's name, else the bundled sample).")]
RawOpt = Annotated[Path | None, typer.Option(help="Folder of the consultation's raw inputs (default data/raw/<consultation>).")]
OutOpt = Annotated[Path | None, typer.Option(help="Folder of processed tables (default data/processed/<consultation>).")]
ReportsOpt = Annotated[Path | None, typer.Option(
    help="Folder for reports (default reports/<consultation>); used only by the commands that write reports.")]
CodebookOpt = Annotated[Path | None, typer.Option(help="Codebook YAML (default config/codebook.yaml).")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Log debugging detail.")]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", help="Folder of the configuration (settings.yaml and the rest; default config/).")]


@dataclass(frozen=True)
class RunPaths:
    """Where one consultation's inputs, processed tables and reports live."""

    consultation: str
    raw: Path
    out: Path
    reports: Path


def resolve_paths(
    consultation: str | None = None, raw: Path | None = None, out: Path | None = None, reports: Path | None = None
) -> RunPaths:
    """Work out a run's folders from ``--consultation``/``--raw``/``--out``/``--reports``.

    With only ``raw`` given, the consultation is named after its folder; with nothing given it is
    the bundled ``sample``.
    """
    name = consultation or (Path(raw).name if raw else config.SAMPLE_CONSULTATION)
    return RunPaths(
        consultation=name,
        raw=Path(raw) if raw else config.raw_dir(name),
        out=Path(out) if out else config.processed_dir(name),
        reports=Path(reports) if reports else config.reports_dir(name),
    )


def start_run(verbose: bool, config_dir: Path | None, consultation: str | None = None, raw: Path | None = None,
              out: Path | None = None, reports: Path | None = None):
    """What every stage command does first: set up logging, work out the folders, load the settings once.

    Returns:
        ``(RunPaths, Settings)``.
    """
    from pipeline.settings import load_settings

    setup_logging(verbose)
    return resolve_paths(consultation, raw, out, reports), load_settings(config_dir)


def setup_logging(verbose: bool = False) -> None:
    """Log ``INFO`` (or ``DEBUG`` with ``verbose``) to stderr in a plain, readable format."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    for noisy in ("numba", "matplotlib", "urllib3", "filelock", "sentence_transformers", "httpx", "fontTools", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def fail(message: str, prefix: str | None = None) -> int:
    """Tell the user what went wrong, on stderr, and return the exit code 1 (for ``raise typer.Exit(fail(...))``).

    Args:
        message: What went wrong and what to do about it, in plain English.
        prefix: Put before the message with a colon (e.g. the command's name), if given.
    """
    typer.echo(f"{prefix}: {message}" if prefix else message, err=True)
    return 1


def write_table(df: pd.DataFrame, path: Path, csv: bool = True) -> list[Path]:
    """Write ``df`` to ``path`` (parquet) and, with ``csv``, a CSV copy beside it for Excel users.

    Rows keep their order; the index is not written. Returns the paths written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_parquet(path, index=False)
    written = [path]
    if csv:
        csv_path = path.with_suffix(".csv")
        df.to_csv(csv_path, index=False, encoding="utf-8-sig")
        written.append(csv_path)
    for p in written:
        log.info("wrote %s (%d rows)", p, len(df))
    return written


def read_table(path: Path, what: str, make_target: str) -> pd.DataFrame:
    """Read a processed parquet table, or stop with a plain-English message saying what to run first."""
    if not path.exists():
        raise SystemExit(f"{path} does not exist: {what} has not been produced yet. Run `make {make_target}` first.")
    log.info("read %s", path)
    return pd.read_parquet(path)
