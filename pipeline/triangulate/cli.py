"""Runner of the triangulation stage: ``python -m pipeline triangulate`` (``make triangulate``).

Reads the tidy EDI tables (``<raw>/edi/*.csv|xlsx``, format in docs/edi-format.md), computes the
equality measures with disclosure control, and, when the coded statements exist, the triangulation
table. Writes to ``<out>/``: edi_measures.parquet/.csv, edi_trends.parquet/.csv, edi_rejected.csv,
edi_unmapped.csv, triangulation.parquet/.csv and triangulate.config.yaml.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Annotated

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

log = logging.getLogger("pipeline.triangulate")
_fail = partial(fail, prefix="triangulate")
KNOWN_FORCE_AREAS = ["Dyfed-Powys", "Gwent", "North Wales", "South Wales", "All Wales"]


def read_edi_folder(edi_dir: Path) -> tuple[pd.DataFrame, list[Path]]:
    """Read every CSV and xlsx sheet in ``edi_dir`` as text, with a ``file`` column (``name`` or ``name#sheet``)."""
    frames, files = [], []
    for path in sorted(edi_dir.glob("*")):
        suffix = path.suffix.lower()
        if path.name.startswith(("~", ".")) or suffix not in (".csv", ".xlsx"):
            continue
        files.append(path)
        if suffix == ".csv":
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            frames.append(df.assign(file=path.name))
        else:
            for sheet, df in pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False).items():
                frames.append(df.assign(file=f"{path.name}#{sheet}"))
        log.info("read %s", path)
    if not frames:
        return pd.DataFrame(columns=["file"]), files
    raw = pd.concat(frames, ignore_index=True).fillna("")
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    return raw, files


def triangulate_command(
    consultation: ConsultationOpt = None,
    raw: RawOpt = None,
    out: OutOpt = None,
    reports: ReportsOpt = None,
    edi: Annotated[Path | None, typer.Option(help="Folder of tidy EDI tables, CSV or xlsx (default <raw>/edi).")] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Compute equality measures (rates, ratios with 95% intervals, disclosure control) and set them beside the coded themes."""
    setup_logging(verbose)
    from pipeline.triangulate.measures import compute_measures, finalise, trends
    from pipeline.triangulate.schema import EdiFormatError, validate_edi
    from pipeline.triangulate.sdc import apply_suppression
    from pipeline.triangulate.triangulate import triangulate

    paths = resolve_paths(consultation, raw, out, reports)
    edi_dir = Path(edi) if edi else paths.raw / "edi"
    try:
        params = config.load_yaml("triangulation.yaml")
        settings = config.settings()
        map_path = config.CONFIG_DIR / "ethnicity_map.csv"
        if not map_path.exists():
            raise config.ConfigError(f"{map_path} is missing. Restore it from git (git checkout -- {map_path}).")
        ethnicity_map = pd.read_csv(map_path, dtype=str, keep_default_na=False)
    except config.ConfigError as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    min_count = int(settings.get("disclosure", {}).get("min_count", 5))

    if not edi_dir.is_dir():
        log.warning("No EDI folder at %s: every priority area will read 'no data supplied'. "
                    "Put tidy EDI tables there (docs/edi-format.md).", edi_dir)
    raw_edi, edi_files = read_edi_folder(edi_dir) if edi_dir.is_dir() else (pd.DataFrame(columns=["file"]), [])
    areas = KNOWN_FORCE_AREAS + list(params.get("comparator_areas", []) or [])
    try:
        accepted, rejected = validate_edi(raw_edi, areas) if len(raw_edi) else (raw_edi, raw_edi.assign(reason=""))
    except EdiFormatError as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    paths.out.mkdir(parents=True, exist_ok=True)
    rejected.to_csv(paths.out / "edi_rejected.csv", index=False, encoding="utf-8-sig")
    log.info("EDI rows: %d read, %d accepted, %d rejected (listed in %s)",
             len(raw_edi), len(accepted), len(rejected), paths.out / "edi_rejected.csv")
    for r in rejected.head(20).itertuples():
        log.warning("rejected EDI row in %s: %s", r.file, r.reason)

    if len(accepted):
        measures, unmapped = compute_measures(accepted, ethnicity_map, params)
        measures = finalise(apply_suppression(measures, min_count, params))
    else:
        measures, unmapped = finalise(_empty_measures()), pd.DataFrame(columns=["ethnicity", "n_rows", "measures"])
    unmapped.to_csv(paths.out / "edi_unmapped.csv", index=False, encoding="utf-8-sig")
    for r in unmapped.itertuples():
        log.warning("ethnicity '%s' is not in config/ethnicity_map.csv (%d rows of %s): kept as 'unmapped', no ratio. "
                    "Add it to the map to use it.", r.ethnicity, r.n_rows, r.measures)
    log.info("measures: %d rows, %d suppressed, %d ratios (%d with a 95%% interval), %d flagged unreliable",
             len(measures), int(measures["suppressed"].sum()), int(measures["ratio"].notna().sum()),
             int(measures["ci_low"].notna().sum()), int((measures["ratio"].notna() & ~measures["reliable"]).sum()))
    write_table(measures, paths.out / "edi_measures.parquet")
    write_table(trends(measures), paths.out / "edi_trends.parquet")

    st_path, codes_path = paths.out / "statements.parquet", paths.out / "codes.parquet"
    inputs = [*edi_files, config.CONFIG_DIR / "triangulation.yaml", map_path]
    if st_path.exists() and codes_path.exists():
        statements, codes = pd.read_parquet(st_path), pd.read_parquet(codes_path)
        log.info("read %s (%d rows) and %s (%d rows)", st_path, len(statements), codes_path, len(codes))
        try:
            table = triangulate(statements, codes, measures, params, settings)
        except ValueError as exc:
            raise typer.Exit(_fail(str(exc))) from exc
        write_table(table, paths.out / "triangulation.parquet")
        for reading, n in table["reading"].value_counts().sort_index().items():
            log.info("triangulation: %d rows read '%s'", n, reading)
        inputs += [st_path, codes_path]
    else:
        log.warning("No coded statements in %s: the equality measures are written, but triangulation needs "
                    "`make code` first (statements.parquet and codes.parquet).", paths.out)
    config.write_run_config(paths.out, "triangulate", {
        "edi_dir": str(edi_dir), "min_count": min_count, "triangulation": params,
        "ethnicity_map": str(map_path), "rows_rejected": len(rejected), "unmapped_labels": len(unmapped),
    }, inputs)


def _empty_measures() -> pd.DataFrame:
    from pipeline.triangulate.schema import MEASURE_COLUMNS

    return pd.DataFrame({c: pd.Series(dtype=float if c in ("count", "denominator", "rate", "reference_rate", "ratio",
                                                            "ci_low", "ci_high") else object) for c in MEASURE_COLUMNS})
