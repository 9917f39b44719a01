"""What the engagement kit's commands do (their options are declared in :mod:`pipeline.engage.cli`).

* :func:`returns_status` (``make returns-status``): the returns tracker, from ``<raw>/grants.csv|xlsx``
  and ingest's tables, as of ``--as-of`` (default today). Writes ``<out>/tracker/``:
  ``returns_status.csv``, ``cohort_area_coverage.csv``, ``gap_groups.csv``, ``chase_list.csv``,
  ``unregistered_returns.csv``, ``returns_after_as_of.csv``, ``tracker_summary.json`` (holding the
  as-of date) and ``returns_status.xlsx`` (all of them, one sheet each, for the coordinator).
* :func:`export_qdpx` (``make qdpx``) and :func:`import_qdpx` (``make qdpx-import``): the REFI-QDA
  round trip (:mod:`pipeline.engage.qdpx`, :mod:`pipeline.engage.qdpx_import`).
* :func:`pack` (``make pack``): the resource pack in ``<reports>/pack/`` (:mod:`pipeline.engage.pack`).

Each reads files, calls the pure functions of :mod:`pipeline.engage`, writes files and says what it
did; a problem the user can fix ends the command with a plain message and exit code 1 (:func:`exits_on`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from pipeline import config
from pipeline.common import RunPaths, fail

__all__ = ["TRACKER_TABLES", "build_pack", "engage_settings", "exits_on", "export_qdpx", "import_qdpx", "pack",
           "parse_as_of", "print_pdf", "returns_status", "tracker_tables", "write_tracker"]

log = logging.getLogger("pipeline.engage")

TRACKER_TABLES = ("returns_status", "cohort_area_coverage", "gap_groups", "chase_list", "unregistered_returns",
                  "returns_after_as_of")


@contextmanager
def exits_on(prefix: str, *kinds: type[BaseException]) -> Iterator[None]:
    """End the command with ``<prefix>: <message>`` on stderr and exit code 1 when one of ``kinds`` is raised."""
    try:
        yield
    except kinds as exc:
        raise typer.Exit(fail(str(exc), prefix=prefix)) from exc


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


# ------------------------------------------------------------------------------------------------ returns tracker
def _statements_in_by(out: Path, responses: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame | None:
    """The coded statements of the answers that had arrived by the as-of date (``None`` before ``make code``)."""
    if not (out / "statements.parquet").exists():
        return None
    statements = pd.read_parquet(out / "statements.parquet")
    in_by = responses.loc[responses["source_file"].isin(returns["source_file"]), "response_id"]
    return statements[statements["response_id"].isin(in_by)]


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
    statements = _statements_in_by(out, responses, returns)
    cov = config.load_yaml("report.yaml")["coverage"]
    settings = engage_settings()["tracker"]
    status = T.organisation_status(register, returns, responses, as_of)
    return {
        "register_path": reg_path,
        "returns_status": status,
        "cohort_area_coverage": T.cohort_area_coverage(register, returns, vocab),
        "gap_groups": T.gap_groups(register, returns, statements, cov["expected_groups"],
                                   settings["plan_gap_groups"], int(cov["few_participants"])),
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


def returns_status(paths: RunPaths, as_of: str | None) -> None:
    """Compute and write the returns tracker as of ``as_of`` (``make returns-status``), and say what it found."""
    with exits_on("returns-status", FileNotFoundError, ValueError):
        tables = tracker_tables(paths.raw, paths.out, parse_as_of(as_of))
    folder = paths.out / "tracker"
    written = write_tracker(tables, folder)
    config.write_run_config(folder, "returns-status", {"as_of": tables["summary"]["as_of"],
                                                       "tracker": engage_settings()["tracker"]},
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


# ------------------------------------------------------------------------------------------------ REFI-QDA
def project_input(out: Path, name: str, codebook_path: Path | None) -> Any:
    """The tables a REFI-QDA project is built from (:class:`pipeline.engage.qdpx.ProjectInput`).

    Raises:
        FileNotFoundError: If ``make ingest`` or ``make code`` has not run.
    """
    from pipeline.coding.codebook import load_codebook
    from pipeline.engage.qdpx import ProjectInput

    def optional(table: str) -> pd.DataFrame | None:
        return pd.read_parquet(out / f"{table}.parquet") if (out / f"{table}.parquet").exists() else None

    return ProjectInput(name=name, responses=_read(out / "responses.parquet", "ingest"),
                        statements=_read(out / "statements.parquet", "code"), codes=_read(out / "codes.parquet", "code"),
                        returns=_read(out / "returns.parquet", "ingest"), codebook=load_codebook(codebook_path),
                        topics=optional("topics"), statement_topics=optional("statement_topics"))


def _code_system(data: Any) -> list[Any]:
    from pipeline.engage import qdpx as Q

    return Q.code_system(data.codebook, data.topics, sorted(set(data.statements["stance"]) - {""}))


def export_qdpx(paths: RunPaths, codebook: Path | None) -> None:
    """Write ``<reports>/qda/<consultation>.qdpx`` and ``codebook.qdc`` (``make qdpx``), checked against the schema."""
    from pipeline.engage import qdpx as Q

    with exits_on("qdpx", FileNotFoundError):
        data = project_input(paths.out, paths.consultation, codebook)
    xml, files, spans = Q.build_project(data)
    nodes = _code_system(data)
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


def _read_import(paths: RunPaths, file: Path, codebook: Path | None) -> tuple[Any, Any]:
    """The consultation's project input and the coded project read from ``file``, or a plain exit."""
    from pipeline.engage import qdpx as Q

    if not file.exists():
        raise typer.Exit(fail(f"{file} does not exist: give the path of the .qdpx exported from the QDA tool.",
                              prefix="qdpx-import"))
    try:
        return project_input(paths.out, paths.consultation, codebook), Q.read_project(file.read_bytes())
    except (FileNotFoundError, KeyError, ValueError, OSError) as exc:
        raise typer.Exit(fail(f"could not read {file} ({exc}). Export the project from the QDA tool as REFI-QDA "
                              "(.qdpx) and try again.", prefix="qdpx-import")) from exc


def import_qdpx(paths: RunPaths, file: Path, codebook: Path | None, take_all: bool, recode: bool) -> None:
    """Read a coded .qdpx (``make qdpx-import``): store its codings as analyst codes, then retrain and recode."""
    from pipeline.engage import qdpx as Q
    from pipeline.engage import qdpx_import as I

    data, project = _read_import(paths, file, codebook)
    sources, offsets = Q.build_sources(data.responses)
    result = I.import_codings(project, _code_system(data), sources, Q.statement_spans(data.statements, offsets),
                              data.statements, data.codes,
                              float(engage_settings()["qdpx"]["min_overlap"]), take_all, file.name)
    _store_import(paths.out, result, file)
    if recode and len(result.decisions):
        from pipeline.coding.commands import run_coding

        run_coding(paths.out, codebook)


def _merge_extra_codes(path: Path, extra_codes: pd.DataFrame) -> None:
    """Add the analyst's codes the codebook lacks to ``path`` (the latest wins per statement and code)."""
    old = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig") if path.exists() else None
    extra = pd.concat([old, extra_codes]) if old is not None else extra_codes
    extra.drop_duplicates(["statement_id", "code"], keep="last").to_csv(path, index=False, encoding="utf-8-sig")


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
        _merge_extra_codes(extra_path, result.extra_codes)
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


# ------------------------------------------------------------------------------------------------ resource pack
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


def _equality_tables(out: Path, problems: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``edi_measures`` and ``edi_trends`` (empty, with a problem noted, before ``make triangulate``)."""
    if (out / "edi_measures.parquet").exists():
        measures = pd.read_parquet(out / "edi_measures.parquet")
    else:  # no equality data yet: questions and templates only, and say so
        measures = pd.DataFrame(columns=["measure", "area", "period", "ethnicity_group", "count", "suppressed", "ratio",
                                         "ratio_kind", "rate"])
        problems.append(f"no equality data ({out / 'edi_measures.parquet'}): the data sheets say 'no figures "
                        "supplied'; put the EDI tables in <raw>/edi/ and run `make triangulate` first")
    trends = pd.read_parquet(out / "edi_trends.parquet") if (out / "edi_trends.parquet").exists() \
        else pd.DataFrame(columns=["area", "measure"])
    return measures, trends


def _write_page(path: Path, page: str, written: list[Path]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    written.append(path)
    return path


def _write_language(folder: Path, lang: str, tables: tuple[pd.DataFrame, pd.DataFrame], settings: dict[str, Any],
                    min_count: int, pdf: bool, written: list[Path], problems: list[str]) -> None:
    """One language's question set, trends dashboard and area data sheets (HTML, and PDF when asked)."""
    from pipeline.engage import pack as P

    measures, trends = tables
    questions = config.load_yaml("questions.yaml")["questions"]
    _write_page(folder / f"question_set.{lang}.html", P.question_set(questions, lang), written)
    _write_page(folder / f"trends_dashboard.{lang}.html", P.dashboard(measures, settings, lang, min_count)[0], written)
    for area in settings.get("areas", []):
        page, _ = P.data_sheet(measures, trends, area, settings, min_count, lang)
        html_path = _write_page(folder / "data_sheets" / f"{P.slug(area)}.{lang}.html", page, written)
        why = print_pdf(html_path, html_path.with_suffix(".pdf")) if pdf else "PDFs not asked for (--no-pdf)"
        if why:
            problems.append(why)
        else:
            written.append(html_path.with_suffix(".pdf"))


def build_pack(paths: Any, pdf: bool = True) -> dict[str, Any]:
    """Write the resource pack into ``<reports>/pack/`` and return its summary (files, areas, problems)."""
    from pipeline import disclosure
    from pipeline.engage import pack as P
    from pipeline.engage.templates import write_templates

    settings = engage_settings()["pack"]
    problems: list[str] = []
    tables = _equality_tables(paths.out, problems)
    min_count = disclosure.min_count()
    folder = paths.reports / "pack"
    written = write_templates(folder, config.load_yaml("questions.yaml")["questions"],
                              config.load_yaml("vocabularies.yaml"))
    for lang in ("en", "cy"):
        _write_language(folder, lang, tables, settings, min_count, pdf, written, problems)
    index = folder / "index.html"
    index.write_text(P.pack_index([p.relative_to(folder).as_posix() for p in written]), encoding="utf-8")
    summary = {"files": len(written) + 1, "areas": settings.get("areas", []), "problems": sorted(set(problems)),
               "min_count": min_count}
    (folder / "pack_summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def pack(paths: RunPaths, pdf: bool) -> None:
    """Build the resource pack (``make pack``) and say what was written and what could not be."""
    with exits_on("pack", FileNotFoundError):
        summary = build_pack(paths, pdf)
    typer.echo(f"Wrote the resource pack to {paths.reports / 'pack'}/ ({summary['files']} files: questions, templates, "
               f"{len(summary['areas'])} area data sheets in English and Welsh, trends dashboard).")
    for why in summary["problems"]:
        typer.echo(f"pack: {why}", err=True)
