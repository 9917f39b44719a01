"""The triangulation stage as the runner calls it: :func:`load` its raw inputs, :func:`run` it.

:func:`run` is a pure step: from the tidy EDI rows (and, when ``make code`` has run, the coded
statements and codes) it returns the stage's tables: ``edi_rejected`` (every EDI row refused, with
its reason), ``edi_unmapped``, ``edi_measures`` (after disclosure control), ``edi_trends`` and
``triangulation``. Only :func:`load` touches files (the EDI folder); the runner
(:mod:`pipeline.runner`) reads and writes the processed tables.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from pipeline.common import RunPaths
from pipeline.runner import Stage, StageOutput, Tables
from pipeline.settings import Settings

__all__ = ["STAGE", "load", "read_edi_folder", "run"]

log = logging.getLogger("pipeline.triangulate")
_FLOATS = ("count", "denominator", "rate", "reference_rate", "ratio", "ci_low", "ci_high")


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


def load(paths: RunPaths, settings: Settings, edi_dir: Path | None = None) -> tuple[Tables, list[Path]]:
    """The raw EDI rows of ``edi_dir`` (default ``<raw>/edi``) and the config files the stage uses.

    Returns:
        ``({"edi_raw": rows}, files read)``; no EDI folder gives no rows (every priority area then
        reads "no data supplied"), with a warning.
    """
    edi_dir = Path(edi_dir) if edi_dir else paths.raw / "edi"
    files = [settings.file("triangulation.yaml"), settings.file("ethnicity_map.csv")]
    if not edi_dir.is_dir():
        log.warning("No EDI folder at %s: every priority area will read 'no data supplied'. "
                    "Put tidy EDI tables there (docs/edi-format.md).", edi_dir)
        return {"edi_raw": pd.DataFrame(columns=["file"])}, files
    raw, edi_files = read_edi_folder(edi_dir)
    return {"edi_raw": raw}, [*edi_files, *files]


def _empty_measures() -> pd.DataFrame:
    from pipeline.triangulate.schema import MEASURE_COLUMNS

    return pd.DataFrame({c: pd.Series(dtype=float if c in _FLOATS else object) for c in MEASURE_COLUMNS})


def _measures(accepted: pd.DataFrame, settings: Settings, params: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Equality measures after disclosure control, and the ethnicity labels the map lacks."""
    from pipeline.triangulate.measures import compute_measures, finalise
    from pipeline.triangulate.sdc import apply_suppression

    if not len(accepted):
        return finalise(_empty_measures()), pd.DataFrame(columns=["ethnicity", "n_rows", "measures"])
    ethnicity_map = pd.read_csv(settings.file("ethnicity_map.csv"), dtype=str, keep_default_na=False)
    measures, unmapped = compute_measures(accepted, ethnicity_map, params)
    measures = finalise(apply_suppression(measures, settings.value("disclosure.min_count"), params))
    for r in unmapped.itertuples():
        log.warning("ethnicity '%s' is not in config/ethnicity_map.csv (%d rows of %s): kept as 'unmapped', no ratio. "
                    "Add it to the map to use it.", r.ethnicity, r.n_rows, r.measures)
    return measures, unmapped


def _log_measures(raw: pd.DataFrame, accepted: pd.DataFrame, rejected: pd.DataFrame, measures: pd.DataFrame) -> None:
    log.info("EDI rows: %d read, %d accepted, %d rejected (listed in edi_rejected.csv)",
             len(raw), len(accepted), len(rejected))
    for r in rejected.head(20).itertuples():
        log.warning("rejected EDI row in %s: %s", r.file, r.reason)
    log.info("measures: %d rows, %d suppressed, %d ratios (%d with a 95%% interval), %d flagged unreliable",
             len(measures), int(measures["suppressed"].sum()), int(measures["ratio"].notna().sum()),
             int(measures["ci_low"].notna().sum()), int((measures["ratio"].notna() & ~measures["reliable"]).sum()))


def run(tables: Tables, settings: Settings) -> StageOutput:
    """Measures from the EDI rows, and the triangulation when the coded statements are there.

    Args:
        tables: ``edi_raw`` (EDI rows as read, with ``file``), and ``statements`` and ``codes`` or ``None``.
        settings: The run's settings (``disclosure.min_count``, ``triangulation.yaml``, the police force areas).

    Returns:
        The stage's tables; ``triangulation`` only when statements and codes were given.

    Raises:
        EdiFormatError: If an EDI table lacks a required column.
    """
    from pipeline.triangulate.measures import trends
    from pipeline.triangulate.schema import validate_edi
    from pipeline.triangulate.triangulate import triangulate

    params = settings.yaml("triangulation.yaml")
    raw = tables["edi_raw"]
    areas = [*settings.vocab.forces, settings.vocab.all_wales, *(params.get("comparator_areas", []) or [])]
    accepted, rejected = validate_edi(raw, areas) if len(raw) else (raw, raw.assign(reason=""))
    measures, unmapped = _measures(accepted, settings, params)
    _log_measures(raw, accepted, rejected, measures)
    out = {"edi_rejected": rejected, "edi_unmapped": unmapped, "edi_measures": measures, "edi_trends": trends(measures)}
    if tables.get("statements") is not None and tables.get("codes") is not None:
        out["triangulation"] = triangulate(tables["statements"], tables["codes"], measures, params, settings.as_dict())
        for reading, n in out["triangulation"]["reading"].value_counts().sort_index().items():
            log.info("triangulation: %d rows read '%s'", n, reading)
    else:
        log.warning("No coded statements: the equality measures are written, but triangulation needs "
                    "`make code` first (statements.parquet and codes.parquet).")
    return StageOutput(out, {
        "min_count": settings.value("disclosure.min_count"), "triangulation": params,
        "ethnicity_map": str(settings.config_dir / "ethnicity_map.csv"), "rows_rejected": len(rejected),
        "unmapped_labels": len(unmapped),
    })


STAGE = Stage("triangulate", run, reads_optional=("statements", "codes"), load=load)
