"""Runners of the engagement kit: ``returns-status``, ``pack``, ``qdpx`` and ``qdpx-import`` (issue 16).

Thin: each reads files, calls the pure functions of :mod:`pipeline.engage`, and writes files.

* ``returns-status`` (``make returns-status``): the returns tracker, from ``<raw>/grants.csv|xlsx`` and
  ingest's tables, as of ``--as-of`` (default today). Writes ``<out>/tracker/``: ``returns_status.csv``,
  ``cohort_area_coverage.csv``, ``gap_groups.csv``, ``chase_list.csv``, ``unregistered_returns.csv``,
  ``returns_after_as_of.csv``, ``tracker_summary.json`` (holding the as-of date) and
  ``returns_status.xlsx`` (all of them, one sheet each, for the coordinator).
* ``pack`` (``make pack``), ``qdpx`` and ``qdpx-import``: see their functions.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from functools import partial
from pathlib import Path
from typing import Annotated, Any

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
)

log = logging.getLogger("pipeline.engage")
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Status as of this date, YYYY-MM-DD (default today).")]

TRACKER_TABLES = ("returns_status", "cohort_area_coverage", "gap_groups", "chase_list", "unregistered_returns",
                  "returns_after_as_of")


def engage_settings() -> dict[str, Any]:
    """``config/engage.yaml``."""
    return config.load_yaml("engage.yaml")


def parse_as_of(value: str | None) -> pd.Timestamp:
    """The as-of date (today when ``None``).

    Raises:
        ValueError: If it is not a date.
    """
    if not value:
        return pd.Timestamp(dt.date.today())
    parsed = pd.to_datetime(value, errors="coerce")
    if pd.isna(parsed):
        raise ValueError(f"--as-of {value!r} is not a date: write it as YYYY-MM-DD, e.g. --as-of 2026-03-16")
    return parsed.normalize()


def _read(path: Path, what: str) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run `make {what}` first.")
    return pd.read_parquet(path)


def tracker_tables(raw: Path, out: Path, as_of: pd.Timestamp) -> dict[str, Any]:
    """Every table of the tracker, computed from the files of one consultation (no writing)."""
    from pipeline.engage import register as R
    from pipeline.engage import tracker as T

    reg_path = R.find_register(raw)
    if reg_path is None:
        raise FileNotFoundError(
            f"There is no grants register in {raw}/: add grants.csv (or grants.xlsx) with one row per funded "
            "organisation (columns in docs/grants-register.md).")
    vocab = config.load_yaml("vocabularies.yaml")
    register = R.normalise_register(R.load_register(reg_path), vocab)
    returns, later = T.returns_as_of(_read(out / "returns.parquet", "ingest"), as_of)
    responses = _read(out / "responses.parquet", "ingest")
    statements = pd.read_parquet(out / "statements.parquet") if (out / "statements.parquet").exists() else None
    if statements is not None:  # only what had arrived by the as-of date
        in_by = responses.loc[responses["source_file"].isin(returns["source_file"]), "response_id"]
        statements = statements[statements["response_id"].isin(in_by)]
    cov = config.load_yaml("report.yaml").get("coverage", {})
    settings = engage_settings().get("tracker", {})
    status = T.organisation_status(register, returns, responses, as_of)
    return {
        "register_path": reg_path,
        "returns_status": status,
        "cohort_area_coverage": T.cohort_area_coverage(register, returns, vocab),
        "gap_groups": T.gap_groups(register, returns, statements, cov.get("expected_groups", []),
                                   settings.get("plan_gap_groups", []), int(cov.get("few_participants", 10))),
        "chase_list": T.chase_list(status, as_of, settings),
        "unregistered_returns": T.unregistered_returns(register, returns),
        "returns_after_as_of": later[["organisation", "source_file", "date_received", "reason"]],
        "summary": T.summary(status, as_of),
    }


def write_tracker(tables: dict[str, Any], folder: Path) -> list[Path]:
    """Write the tracker's CSVs, its xlsx workbook and ``tracker_summary.json`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TRACKER_TABLES:
        path = folder / f"{name}.csv"
        tables[name].to_csv(path, index=False, encoding="utf-8-sig")
        written.append(path)
    summary = {**tables["summary"], "register": str(tables["register_path"])}
    (folder / "tracker_summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    with pd.ExcelWriter(folder / "returns_status.xlsx") as xl:
        pd.DataFrame({"item": list(summary), "value": [str(v) for v in summary.values()]}).to_excel(
            xl, sheet_name="as of", index=False)
        for name in TRACKER_TABLES:
            tables[name].to_excel(xl, sheet_name=name[:31], index=False)
    return [*written, folder / "tracker_summary.json", folder / "returns_status.xlsx"]


def returns_status_command(
    consultation: ConsultationOpt = None,
    raw: RawOpt = None,
    out: OutOpt = None,
    reports: ReportsOpt = None,
    as_of: AsOfOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """The returns tracker: received / late / missing per funded organisation, coverage of cohorts and areas, a chase list."""
    setup_logging(verbose)
    paths = resolve_paths(consultation, raw, out, reports)
    _fail = partial(fail, prefix="returns-status")
    try:
        when = parse_as_of(as_of)
        tables = tracker_tables(paths.raw, paths.out, when)
    except (FileNotFoundError, ValueError) as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    folder = paths.out / "tracker"
    written = write_tracker(tables, folder)
    config.write_run_config(folder, "returns-status", {"as_of": tables["summary"]["as_of"],
                                                       "tracker": engage_settings().get("tracker", {})},
                            inputs=[tables["register_path"], paths.out / "returns.parquet"])
    s = tables["summary"]
    typer.echo(f"Returns as of {s['as_of']}: {s['organisations']} organisations funded; {s['received']} received on "
               f"time, {s['late']} late, {s['missing']} missing, {s['awaited']} not yet due; participants "
               f"{s['participants_reported']} reported of {s['participants_promised']} promised.")
    gaps = tables["gap_groups"]
    not_heard = gaps.loc[gaps["status"] != "Heard", "group"].tolist()
    if not_heard:
        typer.echo("Plan's own gap groups not (well) heard: " + "; ".join(not_heard))
    typer.echo(f"Chase list: {len(tables['chase_list'])} organisation(s). Tables in {folder}/ ({len(written)} files).")


def _project_input(out: Path, name: str, codebook_path: Path | None) -> Any:
    from pipeline.coding.codebook import load_codebook
    from pipeline.engage.qdpx import ProjectInput

    def optional(table: str) -> pd.DataFrame | None:
        return pd.read_parquet(out / f"{table}.parquet") if (out / f"{table}.parquet").exists() else None

    return ProjectInput(name=name, responses=_read(out / "responses.parquet", "ingest"),
                        statements=_read(out / "statements.parquet", "code"), codes=_read(out / "codes.parquet", "code"),
                        returns=_read(out / "returns.parquet", "ingest"), codebook=load_codebook(codebook_path),
                        topics=optional("topics"), statement_topics=optional("statement_topics"))


def qdpx_command(
    consultation: ConsultationOpt = None,
    raw: RawOpt = None,
    out: OutOpt = None,
    reports: ReportsOpt = None,
    codebook: Annotated[Path | None, typer.Option(help="Codebook YAML (default config/codebook.yaml).")] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Export the coding as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti or MAXQDA, and the codebook as .qdc."""
    setup_logging(verbose)
    from pipeline.engage import qdpx as Q

    paths = resolve_paths(consultation, raw, out, reports)
    try:
        data = _project_input(paths.out, paths.consultation, codebook)
    except FileNotFoundError as exc:
        raise typer.Exit(fail(str(exc), prefix="qdpx")) from exc
    xml, files, spans = Q.build_project(data)
    nodes = Q.code_system(data.codebook, data.topics, sorted(set(data.statements["stance"]) - {""}))
    qdc = Q.codebook_xml(nodes, "cjiw-pipeline")
    errors = Q.validate(xml, "project") + Q.validate(qdc, "codebook")
    if errors:
        raise typer.Exit(fail("the export does not match the REFI-QDA schema: " + "; ".join(errors[:5]), prefix="qdpx"))
    # Under reports/ (not data/processed/): the project holds answers' text in a zip, and `make forget`
    # deletes everything under reports/<c>/, so a withdrawn person's words never stay in an old export.
    folder = paths.reports / "qda"
    project_path = folder / f"{paths.consultation}.qdpx"
    Q.write_qdpx(project_path, xml, files)
    (folder / "codebook.qdc").write_bytes(qdc)
    config.write_run_config(folder, "qdpx", {"sources": len(files), "selections": len(spans)},
                            inputs=[paths.out / "statements.parquet", paths.out / "codes.parquet"])
    typer.echo(f"Wrote {project_path} ({len(files)} sources, {len(spans)} coded selections, "
               f"{sum(1 for root in nodes for n in root.walk() if n.codable)} codes) and {folder / 'codebook.qdc'}. "
               f"Open it in NVivo, ATLAS.ti or MAXQDA (import a REFI-QDA project); after coding, export it as .qdpx "
               f"and run: make qdpx-import FILE=<that file>")


def qdpx_import_command(
    file: Annotated[Path, typer.Argument(help="A .qdpx project coded in a QDA tool.")],
    consultation: ConsultationOpt = None,
    raw: RawOpt = None,
    out: OutOpt = None,
    reports: ReportsOpt = None,
    codebook: Annotated[Path | None, typer.Option(help="Codebook YAML (default config/codebook.yaml).")] = None,
    take_all: Annotated[bool, typer.Option("--all", help="Take every coding as the analyst's, not only those changed or added in the QDA tool.")] = False,
    recode: Annotated[bool, typer.Option(help="Retrain and recode after storing the decisions (as review --apply does).")] = True,
    verbose: VerboseOpt = False,
) -> None:
    """Read a .qdpx coded in NVivo, ATLAS.ti or MAXQDA: its codings become analyst codes (the truth), then retrain and recode."""
    setup_logging(verbose)
    from pipeline.engage import qdpx as Q
    from pipeline.engage import qdpx_import as I

    paths = resolve_paths(consultation, raw, out, reports)
    _fail = partial(fail, prefix="qdpx-import")
    if not file.exists():
        raise typer.Exit(_fail(f"{file} does not exist: give the path of the .qdpx exported from the QDA tool."))
    try:
        data = _project_input(paths.out, paths.consultation, codebook)
        project = Q.read_project(file.read_bytes())
    except (FileNotFoundError, KeyError, ValueError, OSError) as exc:
        raise typer.Exit(_fail(f"could not read {file} ({exc}). Export the project from the QDA tool as REFI-QDA "
                               "(.qdpx) and try again.")) from exc
    nodes = Q.code_system(data.codebook, data.topics, sorted(set(data.statements["stance"]) - {""}))
    sources, offsets = Q.build_sources(data.responses)
    result = I.import_codings(project, nodes, sources, Q.statement_spans(data.statements, offsets), data.statements,
                              data.codes, float(engage_settings().get("qdpx", {}).get("min_overlap", 0.5)),
                              take_all, file.name)
    _store_import(paths.out, result, file)
    if recode and len(result.decisions):
        from pipeline.coding.commands import run_coding

        run_coding(paths.out, codebook)


def _store_import(out: Path, result: Any, file: Path) -> None:
    from pipeline.engage import qdpx_import as I

    analyst_path = out / "analyst_codes.csv"
    previous = (pd.read_csv(analyst_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
                if analyst_path.exists() else None)
    merged = I.merge_decisions(previous, result.decisions)
    if len(result.decisions):
        merged.to_csv(analyst_path, index=False, encoding="utf-8-sig")
    folder = out / "qda"
    folder.mkdir(parents=True, exist_ok=True)
    extra_path = folder / "analyst_extra_codes.csv"
    if len(result.extra_codes):
        old = (pd.read_csv(extra_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
               if extra_path.exists() else None)
        extra = pd.concat([old, result.extra_codes]) if old is not None else result.extra_codes
        extra.drop_duplicates(["statement_id", "code"], keep="last").to_csv(extra_path, index=False, encoding="utf-8-sig")
    result.problems.to_csv(folder / "qdpx_import_problems.csv", index=False, encoding="utf-8-sig")
    s = result.summary
    (folder / "qdpx_import_summary.json").write_text(json.dumps({**s, "file": str(file)}, indent=2), encoding="utf-8")
    typer.echo(f"Read {file.name}: {s['selections']} coded selections over {s['statements_covered']} statements; "
               f"{s['decisions']} stored as analyst decisions in {analyst_path} ({len(merged)} in all).")
    if s["new_codes"]:
        typer.echo(f"Codes the codebook lacks, kept as the analyst's extra codes in {extra_path} (add them to "
                   f"config/codebook.yaml to have the coder learn them): {', '.join(s['new_codes'])}")
    if len(result.problems):
        typer.echo(f"{len(result.problems)} item(s) not imported or left as they were, each with its reason: "
                   f"{folder / 'qdpx_import_problems.csv'}")


def print_pdf(html_path: Path, pdf_path: Path, timeout: int = 120) -> str:
    """Print an HTML page to PDF with headless Chromium; returns "" or why it could not."""
    import shutil
    import subprocess
    import tempfile

    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        return "headless Chromium is not installed (apt-get install -y chromium): the HTML sheets are there, no PDFs"
    with tempfile.TemporaryDirectory() as profile:
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}",
                 "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}"]
        try:
            subprocess.run([browser, *flags, html_path.resolve().as_uri()], capture_output=True, timeout=timeout,
                           check=False)
        except subprocess.TimeoutExpired:
            return f"Chromium took over {timeout} s to print {html_path.name}"
    return "" if pdf_path.exists() and pdf_path.stat().st_size > 0 else f"Chromium did not print {html_path.name}"


def build_pack(paths: Any, pdf: bool = True) -> dict[str, Any]:
    """Write the resource pack into ``<reports>/pack/`` and return its summary (files, areas, problems)."""
    from pipeline import disclosure
    from pipeline.engage import pack as P
    from pipeline.engage.templates import write_templates

    settings = engage_settings().get("pack", {})
    questions = config.load_yaml("questions.yaml")["questions"]
    vocab = config.load_yaml("vocabularies.yaml")
    problems: list[str] = []
    if (paths.out / "edi_measures.parquet").exists():
        measures = pd.read_parquet(paths.out / "edi_measures.parquet")
    else:  # no equality data yet: questions and templates only, and say so
        measures = pd.DataFrame(columns=["measure", "area", "period", "ethnicity_group", "count", "suppressed", "ratio",
                                         "ratio_kind", "rate"])
        problems.append(f"no equality data ({paths.out / 'edi_measures.parquet'}): the data sheets say 'no figures "
                        "supplied'; put the EDI tables in <raw>/edi/ and run `make triangulate` first")
    trends = pd.read_parquet(paths.out / "edi_trends.parquet") if (paths.out / "edi_trends.parquet").exists() \
        else pd.DataFrame(columns=["area", "measure"])
    min_count = disclosure.min_count()
    folder = paths.reports / "pack"
    written = write_templates(folder, questions, vocab)
    for lang in ("en", "cy"):
        written.append(folder / f"question_set.{lang}.html")
        written[-1].write_text(P.question_set(questions, lang), encoding="utf-8")
        page, _ = P.dashboard(measures, settings, lang, min_count)
        written.append(folder / f"trends_dashboard.{lang}.html")
        written[-1].write_text(page, encoding="utf-8")
        for area in settings.get("areas", []):
            page, _ = P.data_sheet(measures, trends, area, settings, min_count, lang)
            html_path = folder / "data_sheets" / f"{P.slug(area)}.{lang}.html"
            html_path.parent.mkdir(parents=True, exist_ok=True)
            html_path.write_text(page, encoding="utf-8")
            written.append(html_path)
            why = print_pdf(html_path, html_path.with_suffix(".pdf")) if pdf else "PDFs not asked for (--no-pdf)"
            if why:
                problems.append(why)
            else:
                written.append(html_path.with_suffix(".pdf"))
    index = folder / "index.html"
    index.write_text(P.pack_index([p.relative_to(folder).as_posix() for p in written]), encoding="utf-8")
    summary = {"files": len(written) + 1, "areas": settings.get("areas", []), "problems": sorted(set(problems)),
               "min_count": min_count}
    (folder / "pack_summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def pack_command(
    consultation: ConsultationOpt = None,
    raw: RawOpt = None,
    out: OutOpt = None,
    reports: ReportsOpt = None,
    pdf: Annotated[bool, typer.Option(help="Print the area data sheets to PDF with headless Chromium.")] = True,
    verbose: VerboseOpt = False,
) -> None:
    """Build the resource pack for the funded organisations: questions, return templates, area data sheets, trends dashboard."""
    setup_logging(verbose)
    paths = resolve_paths(consultation, raw, out, reports)
    try:
        summary = build_pack(paths, pdf)
    except FileNotFoundError as exc:
        raise typer.Exit(fail(str(exc), prefix="pack")) from exc
    typer.echo(f"Wrote the resource pack to {paths.reports / 'pack'}/ ({summary['files']} files: questions, templates, "
               f"{len(summary['areas'])} area data sheets in English and Welsh, trends dashboard).")
    for why in summary["problems"]:
        typer.echo(f"pack: {why}", err=True)
