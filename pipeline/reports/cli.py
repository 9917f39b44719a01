"""Runners of the reports: ``python -m pipeline report`` and ``python -m pipeline notebooks``.

``report`` reads the processed tables of a consultation and writes ``reports/<c>/theme_report.html``
(one self-contained accessible page) and ``theme_report.docx``; ``notebooks`` runs the organisation
notebook for every organisation into ``reports/<c>/organisations/``. Both record their settings in
``reports/<c>/<command>.config.yaml``. Any processed table may be missing: the reports say so.

Examples::

    python -m pipeline report                       # the bundled sample
    python -m pipeline report --raw data/raw/spring2026
    python -m pipeline notebooks --organisation "Cymru Youth Voice"
"""

from __future__ import annotations

import logging
from pathlib import Path

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
)

log = logging.getLogger(__name__)

ORGANISATION = typer.Option(
    None, "--organisation", help="Only this organisation (repeat for several); default: every organisation."
)
STRICT = typer.Option(False, "--strict", help="Exit with an error if any organisation's notebook failed.")
LANGUAGE = typer.Option(
    None, "--language", help="Language of the documents' fixed text: en or cy (default: $REPORT_LANG, else en)."
)


def _load(out: Path):
    from pipeline.reports.inputs import ReportInputError, load_inputs  # noqa: PLC0415

    if not out.is_dir():
        raise typer.Exit(
            fail(f"The processed folder {out} does not exist: run `make ingest` and the later stages first.")
        )
    try:
        return load_inputs(out)
    except (ReportInputError, config.ConfigError) as exc:
        raise typer.Exit(fail(str(exc))) from None


def _min_count() -> int:
    from pipeline.disclosure import min_count  # noqa: PLC0415 - the one place the threshold is read

    return min_count(config.settings())


def _write_quote_screen(out) -> None:
    """``<out>/quote_screen.csv``: every statement a report would cut or withhold as identifying (issue 17)."""
    import pandas as pd  # noqa: PLC0415

    from pipeline.quasi import load_config, screen_table  # noqa: PLC0415

    path = out / "statements.parquet"
    if path.exists():
        table = screen_table(pd.read_parquet(path), load_config())
        table.to_csv(out / "quote_screen.csv", index=False, encoding="utf-8-sig")
        log.info("wrote %s (%d statements cut or withheld if quoted)", out / "quote_screen.csv", len(table))


def report_command(
    consultation: ConsultationOpt = None,
    raw: RawOpt = None,
    out: OutOpt = None,
    reports: ReportsOpt = None,
    language: str | None = LANGUAGE,
    verbose: VerboseOpt = False,
) -> None:
    """Build the plan author's theme report (HTML, Word and the annex workbook) from the processed tables.

    The tables are read from <out> and the report written to <reports>; of <raw> only the name is used.
    """
    from pipeline.reports import theme_report  # noqa: PLC0415

    setup_logging(verbose)
    paths = resolve_paths(consultation, raw, out, reports)
    inputs = _load(paths.out)
    settings = config.load_yaml("report.yaml")
    min_count = _min_count()
    from pipeline.i18n import UnknownLanguageError  # noqa: PLC0415

    try:
        context = theme_report.build_context(
            inputs, settings, config.load_yaml("vocabularies.yaml"), min_count, paths.consultation, language
        )
    except UnknownLanguageError as exc:
        raise typer.Exit(fail(str(exc))) from None
    paths.reports.mkdir(parents=True, exist_ok=True)
    html_path = paths.reports / "theme_report.html"
    docx_path = paths.reports / "theme_report.docx"
    html_path.write_text(theme_report.render_html(context), encoding="utf-8")
    docx_path.write_bytes(theme_report.render_docx(context))
    xlsx_path = paths.reports / "theme_report_annex.xlsx"
    xlsx_path.write_bytes(theme_report.render_xlsx(context))
    for p in (html_path, docx_path, xlsx_path):
        log.info("wrote %s", p)
    _write_quote_screen(paths.out)
    skipped = context["figures"]["quotes_skipped"]
    for row in skipped.itertuples(index=False):
        log.info("not quoted: %d statement(s) %s", row.n_statements, row.reason)
    for message in context["missing"]:
        log.warning("%s", message)
    config.write_run_config(
        paths.reports,
        "report",
        {
            "consultation": paths.consultation,
            "processed": str(paths.out),
            "min_count": min_count,
            "language": context["tr"].language,
            "report": settings,
        },
        inputs=sorted(p for p in paths.out.glob("*") if p.suffix in (".parquet", ".csv", ".json")),
    )
    typer.echo(
        f"Theme report written: {html_path}, {docx_path} and {xlsx_path} "
        f"({len(context['areas'])} priority areas; {len(context['missing'])} input table(s) missing)."
    )


def notebooks_command(
    consultation: ConsultationOpt = None,
    raw: RawOpt = None,
    out: OutOpt = None,
    reports: ReportsOpt = None,
    organisation: list[str] | None = ORGANISATION,
    strict: bool = STRICT,
    verbose: VerboseOpt = False,
) -> None:
    """Run the organisation report notebook for every organisation (executed .ipynb and HTML).

    The tables are read from <out> and the notebooks written to <reports>/organisations/; of <raw> only
    the name is used.
    """
    from pipeline.reports.notebooks import list_organisations, run_notebooks  # noqa: PLC0415

    setup_logging(verbose)
    paths = resolve_paths(consultation, raw, out, reports)
    inputs = _load(paths.out)
    if inputs.get("statements") is None:
        raise typer.Exit(fail(f"There are no coded statements in {paths.out}: run `make code` first."))
    names = list(organisation) if organisation else list_organisations(inputs.get("statements"), inputs.get("returns"))
    if not names:
        raise typer.Exit(fail("No organisations were found in the processed tables: nothing to do."))
    settings = config.load_yaml("report.yaml").get("notebooks", {})
    template = config.ROOT / settings.get("template", "notebooks/organisation_report.ipynb")
    out_dir = paths.reports / "organisations"
    summary = run_notebooks(names, paths.consultation, paths.out, out_dir, template=template,
                            kernel=settings.get("kernel", "python3"), min_count=_min_count(),
                            cell_timeout=int(settings.get("cell_timeout", 600)))
    summary_path = out_dir / "notebooks_summary.csv"
    summary.to_csv(summary_path, index=False, encoding="utf-8-sig")
    log.info("wrote %s", summary_path)
    config.write_run_config(paths.reports, "notebooks", {"consultation": paths.consultation, "processed": str(paths.out),
                                                          "organisations": names, "notebooks": settings},
                            inputs=[template])
    failed = summary[summary["status"] != "succeeded"]
    typer.echo(
        f"Organisation reports: {len(summary) - len(failed)} succeeded, {len(failed)} failed ({out_dir})."
    )
    for row in failed.itertuples(index=False):
        typer.echo(f"  FAILED {row.organisation}: {row.error}", err=True)
    if len(failed) and (strict or len(failed) == len(summary)):
        raise typer.Exit(1)
