"""Small helpers every stage's runner shares: paths of a run, logging, table I/O.

Stage logic never calls these to read or write; only the thin runners in ``pipeline/*/cli.py`` do.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import config

log = logging.getLogger("pipeline")


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
