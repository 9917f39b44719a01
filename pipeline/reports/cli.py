"""Commands ``report`` and ``notebooks``: declarations only; the work is in :mod:`pipeline.reports.commands`.

Examples::

    python -m pipeline report                       # the bundled sample
    python -m pipeline report --raw data/raw/spring2026
    python -m pipeline notebooks --organisation "Cymru Youth Voice"
"""

from __future__ import annotations

import typer

from pipeline import common as c

ORGANISATION = typer.Option(
    None, "--organisation", help="Only this organisation (repeat for several); default: every organisation."
)
STRICT = typer.Option(False, "--strict", help="Exit with an error if any organisation's notebook failed.")
LANGUAGE = typer.Option(
    None, "--language", help="Language of the documents' fixed text: en or cy (default: $REPORT_LANG, else en)."
)


def report_command(consultation: c.ConsultationOpt = None, raw: c.RawOpt = None, out: c.OutOpt = None,
                   reports: c.ReportsOpt = None, language: str | None = LANGUAGE, verbose: c.VerboseOpt = False) -> None:
    """Build the plan author's theme report (HTML, Word and the annex workbook) from the processed tables.

    The tables are read from <out> and the report written to <reports>; of <raw> only the name is used.
    """
    from pipeline.reports.commands import theme_report
    c.setup_logging(verbose)
    theme_report(c.resolve_paths(consultation, raw, out, reports), language)


def notebooks_command(consultation: c.ConsultationOpt = None, raw: c.RawOpt = None, out: c.OutOpt = None,
                      reports: c.ReportsOpt = None, organisation: list[str] | None = ORGANISATION,
                      strict: bool = STRICT, verbose: c.VerboseOpt = False) -> None:
    """Run the organisation report notebook for every organisation (executed .ipynb and HTML).

    The tables are read from <out> and the notebooks written to <reports>/organisations/; of <raw> only
    the name is used.
    """
    from pipeline.reports.commands import organisation_notebooks
    c.setup_logging(verbose)
    organisation_notebooks(c.resolve_paths(consultation, raw, out, reports), organisation, strict)
