"""Commands of the engagement kit (issue 16): ``returns-status``, ``qdpx``, ``qdpx-import`` and ``pack``.

Declarations only; the work is in :mod:`pipeline.engage.commands` (which says what each one writes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline import common as c

Opt = typer.Option
AsOfOpt = Annotated[str | None, Opt("--as-of", help="Status as of this date, YYYY-MM-DD (default today).")]
CodebookOpt = Annotated[Path | None, Opt(help="Codebook YAML (default config/codebook.yaml).")]


def returns_status_command(consultation: c.ConsultationOpt = None, raw: c.RawOpt = None, out: c.OutOpt = None,
                           reports: c.ReportsOpt = None, as_of: AsOfOpt = None, verbose: c.VerboseOpt = False) -> None:
    """The returns tracker: received / late / missing per funded organisation, coverage of cohorts and areas, a chase list."""
    from pipeline.engage.commands import returns_status
    c.setup_logging(verbose)
    returns_status(c.resolve_paths(consultation, raw, out, reports), as_of)


def qdpx_command(consultation: c.ConsultationOpt = None, raw: c.RawOpt = None, out: c.OutOpt = None,
                 reports: c.ReportsOpt = None, codebook: CodebookOpt = None, verbose: c.VerboseOpt = False) -> None:
    """Export the coding as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti or MAXQDA, and the codebook as .qdc."""
    from pipeline.engage.commands import export_qdpx
    c.setup_logging(verbose)
    export_qdpx(c.resolve_paths(consultation, raw, out, reports), codebook)


def qdpx_import_command(
    file: Annotated[Path, typer.Argument(help="A .qdpx project coded in a QDA tool.")],
    consultation: c.ConsultationOpt = None, raw: c.RawOpt = None, out: c.OutOpt = None, reports: c.ReportsOpt = None,
    codebook: CodebookOpt = None,
    take_all: Annotated[bool, Opt("--all", help="Take every coding as the analyst's, not only those changed or added in the QDA tool.")] = False,
    recode: Annotated[bool, Opt(help="Retrain and recode after storing the decisions (as review --apply does).")] = True,
    verbose: c.VerboseOpt = False,
) -> None:
    """Read a .qdpx coded in NVivo, ATLAS.ti or MAXQDA: its codings become analyst codes (the truth), then retrain and recode."""
    from pipeline.engage.commands import import_qdpx
    c.setup_logging(verbose)
    import_qdpx(c.resolve_paths(consultation, raw, out, reports), file, codebook, take_all, recode)


def pack_command(consultation: c.ConsultationOpt = None, raw: c.RawOpt = None, out: c.OutOpt = None,
                 reports: c.ReportsOpt = None,
                 pdf: Annotated[bool, Opt(help="Print the area data sheets to PDF with headless Chromium.")] = True,
                 verbose: c.VerboseOpt = False) -> None:
    """Build the resource pack for the funded organisations: questions, return templates, area data sheets, trends dashboard."""
    from pipeline.engage.commands import pack
    c.setup_logging(verbose)
    pack(c.resolve_paths(consultation, raw, out, reports), pdf)
