"""What ``python -m pipeline report`` and ``notebooks`` do (their options are declared in :mod:`pipeline.reports.cli`).

:func:`theme_report` reads the processed tables of a consultation and writes ``reports/<c>/theme_report.html``
(one self-contained accessible page), ``theme_report.docx`` and ``theme_report_annex.xlsx``;
:func:`organisation_notebooks` runs the organisation notebook for every organisation into
``reports/<c>/organisations/``. Both record their settings in ``reports/<c>/<command>.config.yaml``.
Any processed table may be missing: the reports say so. A problem the user can fix ends the command
with a plain message on stderr and exit code 1.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import typer

from pipeline import config
from pipeline.common import RunPaths, fail

__all__ = ["load_report_inputs", "organisation_notebooks", "theme_report", "write_quote_screen"]

log = logging.getLogger("pipeline.reports")


def load_report_inputs(out: Path) -> Any:
    """The processed tables the reports read (:func:`pipeline.reports.inputs.load_inputs`), or a plain exit."""
    from pipeline.reports.inputs import ReportInputError, load_inputs

    if not out.is_dir():
        raise typer.Exit(
            fail(f"The processed folder {out} does not exist: run `make ingest` and the later stages first.")
        )
    try:
        return load_inputs(out)
    except (ReportInputError, config.ConfigError) as exc:
        raise typer.Exit(fail(str(exc))) from None


def _min_count() -> int:
    from pipeline.disclosure import min_count  # the one place the threshold is read

    return min_count(config.settings())


def write_quote_screen(out: Path) -> None:
    """``<out>/quote_screen.csv``: every statement a report would cut or withhold as identifying (issue 17)."""
    import pandas as pd

    from pipeline.quasi import load_config, screen_table

    path = out / "statements.parquet"
    if path.exists():
        table = screen_table(pd.read_parquet(path), load_config())
        table.to_csv(out / "quote_screen.csv", index=False, encoding="utf-8-sig")
        log.info("wrote %s (%d statements cut or withheld if quoted)", out / "quote_screen.csv", len(table))


def _context(paths: RunPaths, inputs: Any, settings: dict[str, Any], min_count: int,
             language: str | None) -> dict[str, Any]:
    from pipeline.i18n import UnknownLanguageError
    from pipeline.reports import theme_report as R

    try:
        return R.build_context(inputs, settings, config.load_yaml("vocabularies.yaml"), min_count, paths.consultation,
                               language)
    except UnknownLanguageError as exc:
        raise typer.Exit(fail(str(exc))) from None


def _write_documents(context: dict[str, Any], folder: Path) -> list[Path]:
    """The theme report as HTML, Word and the annex workbook, in ``folder``."""
    from pipeline.reports import theme_report as R

    folder.mkdir(parents=True, exist_ok=True)
    html_path, docx_path, xlsx_path = (folder / f"theme_report{s}" for s in (".html", ".docx", "_annex.xlsx"))
    html_path.write_text(R.render_html(context), encoding="utf-8")
    docx_path.write_bytes(R.render_docx(context))
    xlsx_path.write_bytes(R.render_xlsx(context))
    for p in (html_path, docx_path, xlsx_path):
        log.info("wrote %s", p)
    return [html_path, docx_path, xlsx_path]


def theme_report(paths: RunPaths, language: str | None) -> None:
    """Build the plan author's theme report (``make report``), record the run and say what was written."""
    inputs = load_report_inputs(paths.out)
    settings = config.load_yaml("report.yaml")
    min_count = _min_count()
    context = _context(paths, inputs, settings, min_count, language)
    html_path, docx_path, xlsx_path = _write_documents(context, paths.reports)
    write_quote_screen(paths.out)
    for row in context["figures"]["quotes_skipped"].itertuples(index=False):
        log.info("not quoted: %d statement(s) %s", row.n_statements, row.reason)
    for message in context["missing"]:
        log.warning("%s", message)
    config.write_run_config(
        paths.reports, "report",
        {"consultation": paths.consultation, "processed": str(paths.out), "min_count": min_count,
         "language": context["tr"].language, "report": settings},
        inputs=sorted(p for p in paths.out.glob("*") if p.suffix in (".parquet", ".csv", ".json")),
    )
    typer.echo(
        f"Theme report written: {html_path}, {docx_path} and {xlsx_path} "
        f"({len(context['areas'])} priority areas; {len(context['missing'])} input table(s) missing)."
    )


def _organisations(paths: RunPaths, inputs: Any, organisation: list[str] | None) -> list[str]:
    """The organisations asked for, else every organisation in the tables, or a plain exit when there is none."""
    from pipeline.reports.notebooks import list_organisations

    if inputs.get("statements") is None:
        raise typer.Exit(fail(f"There are no coded statements in {paths.out}: run `make code` first."))
    names = list(organisation) if organisation else list_organisations(inputs.get("statements"), inputs.get("returns"))
    if not names:
        raise typer.Exit(fail("No organisations were found in the processed tables: nothing to do."))
    return names


def organisation_notebooks(paths: RunPaths, organisation: list[str] | None, strict: bool) -> None:
    """Run the organisation notebook for each organisation (``make notebooks``) and say which failed.

    Exits with code 1 when every notebook failed, or any failed and ``strict``.
    """
    from pipeline.reports.notebooks import run_notebooks

    names = _organisations(paths, load_report_inputs(paths.out), organisation)
    settings = config.load_yaml("report.yaml")["notebooks"]  # template, kernel, cell_timeout: set there only
    template = config.ROOT / settings["template"]
    out_dir = paths.reports / "organisations"
    summary = run_notebooks(names, paths.consultation, paths.out, out_dir, template=template,
                            kernel=settings["kernel"], min_count=_min_count(),
                            cell_timeout=int(settings["cell_timeout"]))
    summary_path = out_dir / "notebooks_summary.csv"
    summary.to_csv(summary_path, index=False, encoding="utf-8-sig")
    log.info("wrote %s", summary_path)
    config.write_run_config(paths.reports, "notebooks", {"consultation": paths.consultation, "processed": str(paths.out),
                                                          "organisations": names, "notebooks": settings},
                            inputs=[template])
    failed = summary[summary["status"] != "succeeded"]
    typer.echo(f"Organisation reports: {len(summary) - len(failed)} succeeded, {len(failed)} failed ({out_dir}).")
    for row in failed.itertuples(index=False):
        typer.echo(f"  FAILED {row.organisation}: {row.error}", err=True)
    if len(failed) and (strict or len(failed) == len(summary)):
        raise typer.Exit(1)
