"""Runner of plan-check: ``python -m pipeline plan-check [--plan DRAFT] [--previous DRAFT]``.

Reads a draft plan and the consultation's coded statements, codes, topics; checks which themes the
draft addresses and what evidence lies behind each action (:mod:`pipeline.plancheck.match`);
compares it with the previous draft; writes

* ``data/processed/<c>/plan_check/theme_coverage.parquet``, ``action_evidence.parquet``,
  ``comparison.parquet``, ``plan_structure.parquet`` (+ CSV copies) and ``plan_check.config.yaml``;
* ``reports/<c>/plan_check/you_said_plan_says.html`` and ``.docx``.

With no ``--plan``, the newest draft in ``<raw>/plans/`` (by name, so ``draft_plan_v2`` after
``draft_plan_v1`` and ``v10`` after ``v9``) is checked and the one before it is the previous draft.
"""

from __future__ import annotations

import logging
import re
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from pipeline import config
from pipeline.common import (
    CodebookOpt,
    ConsultationOpt,
    OutOpt,
    RawOpt,
    ReportsOpt,
    VerboseOpt,
    fail,
    read_table,
    resolve_paths,
    setup_logging,
    write_table,
)

log = logging.getLogger("pipeline.plancheck")
_fail = partial(fail, prefix="plan-check")


def _natural_key(path: Path) -> list:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


def find_drafts(plans_dir: Path) -> list[Path]:
    """Draft plans in a folder, oldest first by (natural) name; README files are not drafts."""
    from pipeline.plancheck.reader import PLAN_SUFFIXES

    if not plans_dir.is_dir():
        return []
    found = [p for p in plans_dir.iterdir()
             if p.is_file() and p.suffix.lower() in PLAN_SUFFIXES and not p.name.lower().startswith(("readme", "~$", "."))]
    return sorted(found, key=_natural_key)


def choose_drafts(plan: Path | None, previous: Path | None, plans_dir: Path, compare: bool) -> tuple[Path, Path | None]:
    """The draft to check and the one to compare it with (see the module docstring).

    Raises:
        typer.Exit: With a plain-English message when no draft can be found.
    """
    drafts = find_drafts(plans_dir)
    if plan is None:
        if not drafts:
            raise typer.Exit(_fail(
                f"No draft plan was given and {plans_dir} holds none. Put the draft (.docx, .md, .txt or .pdf) in "
                f"{plans_dir}/ or name it with --plan PATH."))
        plan = drafts[-1]
    if previous is None and compare:
        resolved = [d.resolve() for d in drafts]
        if plan.resolve() in resolved:
            i = resolved.index(plan.resolve())
            previous = drafts[i - 1] if i > 0 else None
    return plan, previous if compare else None


def plan_check_command(
    plan: Annotated[Path | None, typer.Option(help="The draft plan to check (.docx, .md, .txt, .pdf); default: the newest draft in <raw>/plans/ by name.")] = None,
    previous: Annotated[Path | None, typer.Option(help="An earlier draft to compare with; default: the draft before --plan in <raw>/plans/, if any.")] = None,
    compare: Annotated[bool, typer.Option("--compare/--no-compare", help="Compare with the previous draft when there is one.")] = True,
    consultation: ConsultationOpt = None,
    raw: RawOpt = None,
    out: OutOpt = None,
    reports: ReportsOpt = None,
    codebook: CodebookOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Test and challenge: check a draft plan against what people said ("You said, the plan says").

    The drafts are in <raw>/plans/; statements, codes and topics are read from <out>; the tables go to
    <out>/plan_check/ and the report to <reports>/plan_check/.
    """
    setup_logging(verbose)
    from pipeline.coding.codebook import CodebookError, load_codebook
    from pipeline.plancheck.match import PlanCheckError
    from pipeline.plancheck.reader import PlanError

    paths = resolve_paths(consultation, raw, out, reports)
    try:
        cfg = config.settings()
        params = config.load_yaml("plancheck.yaml")
        cb = load_codebook(codebook)
    except (config.ConfigError, CodebookError) as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    min_count = int(cfg.get("disclosure", {}).get("min_count", 5))
    plan_path, previous_path = choose_drafts(plan, previous, paths.raw / "plans", compare)

    import pandas as pd

    try:
        statements = read_table(paths.out / "statements.parquet", "the coded statements", "code")
        codes = read_table(paths.out / "codes.parquet", "the statements' codes", "code")
    except SystemExit as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    topics = statement_topics = None
    inputs = [paths.out / "statements.parquet", paths.out / "codes.parquet", plan_path]
    if (paths.out / "topics.parquet").exists():
        topics = read_table(paths.out / "topics.parquet", "the emergent themes", "topics")
        inputs.append(paths.out / "topics.parquet")
        if (paths.out / "statement_topics.parquet").exists():
            statement_topics = read_table(paths.out / "statement_topics.parquet", "the statements' topics", "topics")
            inputs.append(paths.out / "statement_topics.parquet")
    else:
        log.warning("%s is missing: emergent themes are left out of the check (run `make topics` to include them)",
                    paths.out / "topics.parquet")

    from pipeline.plancheck.reader import read_plan

    reader_args = {"action_cues": tuple(params.get("action_cues") or ()) or None,
                   "min_action_words": int(params.get("min_action_words", 4))}
    reader_args = {k: v for k, v in reader_args.items() if v is not None}
    try:
        plan_df = read_plan(plan_path, **reader_args)
        prev_df = read_plan(previous_path, **reader_args) if previous_path else None
    except PlanError as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    if previous_path:
        inputs.append(previous_path)
    log.info("read %s: %d actions in %d sections", plan_path, (plan_df["kind"] == "action").sum(), (plan_df["kind"] == "heading").sum())

    from pipeline.coding.training import TrainingDataError, fit_coder
    from pipeline.nlp.embed import Embedder
    from pipeline.plancheck.match import DEFAULT_PARAMS, check_plan, compare_drafts, disclosure_safe
    from pipeline.plancheck.schema import ACTION_EVIDENCE, COMPARISON, THEME_COVERAGE, check

    params = {**DEFAULT_PARAMS, **params}
    embedder = Embedder(cache_dir=paths.out, model_name=cfg.get("embedding", {}).get("model", "all-MiniLM-L6-v2"),
                        batch_size=int(cfg.get("embedding", {}).get("batch_size", 64)))
    # The draft's actions are coded by the coder `make code` uses: same settings, same training files,
    # same analyst decisions (pipeline.coding.training.fit_coder).
    analyst_path = paths.out / "analyst_codes.csv"
    analyst = pd.read_csv(analyst_path, dtype=str, keep_default_na=False, encoding="utf-8-sig") if analyst_path.exists() else None
    log.info("fitting the coder as `make code` does to code the plan's actions against %s", cb.name)
    try:
        coder = fit_coder(cb, embedder, settings=cfg, analyst=analyst)
    except TrainingDataError as exc:
        raise typer.Exit(_fail(str(exc))) from exc

    def code_actions(df: pd.DataFrame) -> pd.DataFrame:
        acts = df.loc[df["kind"] == "action"]
        coded = coder.code(acts["text"].astype(str).tolist())
        return pd.DataFrame({
            "action_id": acts["action_id"].tolist(),
            "codes": [";".join(r["code"] for r in rows if r["code"] != "uncoded") for rows in coded],
            "subthemes": [";".join(r["subtheme"] for r in rows if r["subtheme"]) for rows in coded],
        })

    n_voiced = int(statements["speaker"].isin(params.get("speakers", ["participant"])).sum())
    log.info("%d of %d statements are participants' (the rest, facilitators' notes, are not the consultation's voice)",
             n_voiced, len(statements))
    try:
        codes_now = code_actions(plan_df)
        result = check_plan(plan_df, statements, codes, cb, embedder.encode, topics, statement_topics,
                            codes_now, min_count, params)
        prev_result = None
        if prev_df is not None:
            prev_result = check_plan(prev_df, statements, codes, cb, embedder.encode, topics, statement_topics,
                                     code_actions(prev_df), min_count, params)
    except PlanCheckError as exc:
        raise typer.Exit(_fail(str(exc))) from exc

    evidence = result.evidence.merge(codes_now.rename(columns={"codes": "coder_codes", "subthemes": "coder_subthemes"}),
                                     on="action_id", how="left")
    comparison = compare_drafts(result.coverage, prev_result.coverage) if prev_result is not None else pd.DataFrame(
        columns=["theme_id", "kind", "theme", "status_previous", "status_current", "change", "actions_previous", "actions_current"])
    coverage_out = check(THEME_COVERAGE, disclosure_safe(result.coverage, min_count))
    evidence_out = check(ACTION_EVIDENCE, disclosure_safe(evidence, min_count))
    comparison = check(COMPARISON, comparison.astype({c: "str" for c in comparison.columns}))

    tables = paths.out / "plan_check"
    write_table(coverage_out, tables / "theme_coverage.parquet")
    write_table(evidence_out, tables / "action_evidence.parquet")
    write_table(comparison, tables / "comparison.parquet")
    write_table(plan_df, tables / "plan_structure.parquet")
    config.write_run_config(tables, "plan_check", {
        "plan": str(plan_path), "previous": str(previous_path) if previous_path else None, "min_count": min_count,
        "plancheck": params, "codebook": cb.to_dict(), "summary": result.summary,
    }, inputs=inputs)

    from pipeline.plancheck.report import render_docx, render_html, report_context

    context = report_context(coverage_out, evidence_out, result.summary, params, plan_path.name, paths.consultation,
                             min_count, comparison if prev_result is not None else None,
                             previous_path.name if previous_path else None)
    rdir = paths.reports / "plan_check"
    rdir.mkdir(parents=True, exist_ok=True)
    (rdir / "you_said_plan_says.html").write_text(render_html(context), encoding="utf-8")
    (rdir / "you_said_plan_says.docx").write_bytes(render_docx(context))
    log.info("wrote %s and %s", rdir / "you_said_plan_says.html", rdir / "you_said_plan_says.docx")

    s = result.summary
    log.info("%d actions; themes: %s; %d actions with no consultation evidence", s["n_actions"],
             ", ".join(f"{v} {k}" for k, v in s["status_counts"].items()), s["n_actions_without_evidence"])
    for theme in s["gaps"][:10]:
        log.info("gap: %s", theme)
    if prev_result is not None:
        for change in ("gap closed", "gap opened"):
            for theme in comparison.loc[comparison["change"] == change, "theme"]:
                log.info("%s since %s: %s", change, previous_path.name, theme)
