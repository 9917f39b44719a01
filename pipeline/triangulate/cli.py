"""``python -m pipeline triangulate`` (``make triangulate``): the stage declared in
:mod:`pipeline.triangulate.stage`, run by :mod:`pipeline.runner`.

Reads the tidy EDI tables (``<raw>/edi/*.csv|xlsx``, docs/edi-format.md) and, when ``make code`` has
run, the coded statements; writes edi_measures, edi_trends, edi_rejected, edi_unmapped, triangulation
and triangulate.config.yaml to ``<out>/``.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from pipeline.common import (
    ConfigOpt,
    ConsultationOpt,
    OutOpt,
    RawOpt,
    ReportsOpt,
    VerboseOpt,
    resolve_paths,
    setup_logging,
)
from pipeline.errors import handled

EdiOpt = Annotated[Path | None, typer.Option(help="Folder of tidy EDI tables, CSV or xlsx (default <raw>/edi).")]


@handled
def triangulate_command(consultation: ConsultationOpt = None, raw: RawOpt = None, out: OutOpt = None,
                        reports: ReportsOpt = None, edi: EdiOpt = None, config_dir: ConfigOpt = None,
                        verbose: VerboseOpt = False) -> None:
    """Compute equality measures (rates, ratios with 95% intervals, disclosure control) and set them beside the coded themes."""
    setup_logging(verbose)
    from pipeline.runner import execute
    from pipeline.settings import load_settings
    from pipeline.triangulate.stage import STAGE, load

    paths = resolve_paths(consultation, raw, out, reports)
    edi_dir = Path(edi) if edi else paths.raw / "edi"
    stage = replace(STAGE, load=partial(load, edi_dir=edi_dir))
    execute(stage, paths, load_settings(config_dir), extra={"edi_dir": str(edi_dir)})
