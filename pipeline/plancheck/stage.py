"""Plan-check as the runner calls it: :func:`load` the drafts, :func:`run` the check.

:func:`load` reads the draft to check and the one before it (:mod:`pipeline.plancheck.reader`);
:func:`run` codes the drafts' actions with the coder ``make code`` uses
(:func:`pipeline.coding.training.fit_coder`), checks which themes the draft addresses and what
evidence lies behind each action (:mod:`pipeline.plancheck.match`), compares the two drafts, and
returns the tables (``plan_check/``) and the report ("You said, the plan says", HTML and Word).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from pipeline.common import RunPaths
from pipeline.errors import InputDataError
from pipeline.runner import Stage, StageOutput, Tables
from pipeline.settings import Settings

__all__ = ["STAGE", "choose_drafts", "find_drafts", "load", "run"]

log = logging.getLogger("pipeline.plancheck")
COMPARISON_COLUMNS = ["theme_id", "kind", "theme", "status_previous", "status_current", "change", "actions_previous",
                      "actions_current"]


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
    """The draft to check (default: the newest in ``plans_dir`` by name) and the one to compare it with.

    Raises:
        InputDataError: With a plain-English message when no draft can be found.
    """
    drafts = find_drafts(plans_dir)
    if plan is None:
        if not drafts:
            raise InputDataError(
                f"No draft plan was given and {plans_dir} holds none. Put the draft (.docx, .md, .txt or .pdf) in "
                f"{plans_dir}/ or name it with --plan PATH.")
        plan = drafts[-1]
    if previous is None and compare:
        resolved = [d.resolve() for d in drafts]
        if plan.resolve() in resolved:
            i = resolved.index(plan.resolve())
            previous = drafts[i - 1] if i > 0 else None
    return plan, previous if compare else None


def load(paths: RunPaths, settings: Settings, plan: Path | None = None, previous: Path | None = None,
         compare: bool = True) -> tuple[Tables, list[Path]]:
    """The draft (``plan_structure``) and the earlier draft (``previous_structure``, or ``None``) as tables."""
    from pipeline.plancheck.reader import read_plan

    params = settings.yaml("plancheck.yaml")
    plan_path, previous_path = choose_drafts(plan, previous, paths.raw / "plans", compare)
    reader_args = {"action_cues": tuple(params.get("action_cues") or ()) or None,
                   "min_action_words": params.get("min_action_words")}
    reader_args = {k: v for k, v in reader_args.items() if v is not None}
    plan_df = read_plan(plan_path, **reader_args)
    prev_df = read_plan(previous_path, **reader_args) if previous_path else None
    log.info("read %s: %d actions in %d sections", plan_path, (plan_df["kind"] == "action").sum(),
             (plan_df["kind"] == "heading").sum())
    plan_df.attrs["path"] = str(plan_path)
    if prev_df is not None:
        prev_df.attrs["path"] = str(previous_path)
    return {"plan_structure": plan_df, "previous_structure": prev_df}, [plan_path, *([previous_path] if previous_path else [])]


def _action_coder(codebook, embedder, settings: Settings, cache_dir: Path):
    """A function coding a draft's actions with the coder ``make code`` uses (same settings, training, analyst)."""
    from pipeline import catalog
    from pipeline.coding.training import fit_coder

    analyst = catalog.read("analyst_codes", cache_dir) if catalog.path("analyst_codes", cache_dir).exists() else None
    log.info("fitting the coder as `make code` does to code the plan's actions against %s", codebook.name)
    coder = fit_coder(codebook, embedder, settings=settings.as_dict(), analyst=analyst)

    def code_actions(df: pd.DataFrame) -> pd.DataFrame:
        acts = df.loc[df["kind"] == "action"]
        coded = coder.code(acts["text"].astype(str).tolist())
        return pd.DataFrame({
            "action_id": acts["action_id"].tolist(),
            "codes": [";".join(r["code"] for r in rows if r["code"] != "uncoded") for rows in coded],
            "subthemes": [";".join(r["subtheme"] for r in rows if r["subtheme"]) for rows in coded],
        })

    return code_actions


def _log_result(result, comparison: pd.DataFrame, previous_name: str | None) -> None:
    s = result.summary
    log.info("%d actions; themes: %s; %d actions with no consultation evidence", s["n_actions"],
             ", ".join(f"{v} {k}" for k, v in s["status_counts"].items()), s["n_actions_without_evidence"])
    for theme in s["gaps"][:10]:
        log.info("gap: %s", theme)
    if previous_name:
        for change in ("gap closed", "gap opened"):
            for theme in comparison.loc[comparison["change"] == change, "theme"]:
                log.info("%s since %s: %s", change, previous_name, theme)


def _report(coverage, evidence, comparison, summary, params, plan_name, previous_name, consultation, min_count):
    from pipeline.plancheck.report import render_docx, render_html, report_context

    context = report_context(coverage, evidence, summary, params, plan_name, consultation, min_count,
                             comparison if previous_name else None, previous_name)
    return {"plan_check/you_said_plan_says.html": render_html(context),
            "plan_check/you_said_plan_says.docx": render_docx(context)}


def run(tables: Tables, settings: Settings, *, codebook_path: Path | None = None, cache_dir: Path | None = None,
        consultation: str = "") -> StageOutput:
    """Check the draft in ``tables["plan_structure"]`` against the consultation (see the module docstring)."""
    from pipeline.coding.codebook import load_codebook
    from pipeline.nlp.embed import Embedder
    from pipeline.plancheck.match import DEFAULT_PARAMS, check_plan, compare_drafts, disclosure_safe
    from pipeline.plancheck.schema import ACTION_EVIDENCE, COMPARISON, THEME_COVERAGE, check

    params = {**DEFAULT_PARAMS, **settings.yaml("plancheck.yaml")}
    min_count, cb = int(settings.value("disclosure.min_count")), load_codebook(codebook_path)
    statements, codes, plan_df, prev_df = (tables[k] for k in ("statements", "codes", "plan_structure", "previous_structure"))
    topics = tables.get("topics")
    statement_topics = tables.get("statement_topics") if topics is not None else None
    if topics is None:
        log.warning("topics.parquet is missing: emergent themes are left out of the check (run `make topics` to include them)")
    embedder = Embedder(cache_dir=cache_dir, model_name=settings.value("embedding.model"),
                        batch_size=int(settings.value("embedding.batch_size")))
    code_actions = _action_coder(cb, embedder, settings, cache_dir)
    log.info("%d of %d statements are participants' (the rest, facilitators' notes, are not the consultation's voice)",
             int(statements["speaker"].isin(params.get("speakers", ["participant"])).sum()), len(statements))
    codes_now = code_actions(plan_df)
    def check_draft(df: pd.DataFrame, coded: pd.DataFrame):
        return check_plan(df, statements, codes, cb, embedder.encode, topics, statement_topics, coded, min_count, params)

    result = check_draft(plan_df, codes_now)
    prev_result = check_draft(prev_df, code_actions(prev_df)) if prev_df is not None else None
    evidence = result.evidence.merge(codes_now.rename(columns={"codes": "coder_codes", "subthemes": "coder_subthemes"}),
                                     on="action_id", how="left")
    comparison = (compare_drafts(result.coverage, prev_result.coverage) if prev_result is not None
                  else pd.DataFrame(columns=COMPARISON_COLUMNS)).astype(str)
    plan_path, prev_path = plan_df.attrs.get("path", ""), prev_df.attrs.get("path") if prev_df is not None else None
    previous_name = Path(prev_path).name if prev_path else None
    _log_result(result, comparison, previous_name)
    out = {"theme_coverage": check(THEME_COVERAGE, disclosure_safe(result.coverage, min_count)),
           "action_evidence": check(ACTION_EVIDENCE, disclosure_safe(evidence, min_count)),
           "comparison": check(COMPARISON, comparison), "plan_structure": plan_df}
    documents = _report(out["theme_coverage"], out["action_evidence"], out["comparison"], result.summary, params,
                        Path(plan_path).name, previous_name, consultation, min_count)
    return StageOutput(out, {"plan": plan_path, "previous": prev_path, "min_count": min_count, "plancheck": params,
                             "codebook": cb.to_dict(), "summary": result.summary},
                       record_dir="plan_check", documents=documents)


STAGE = Stage("plan_check", run, reads=("statements", "codes"), reads_optional=("topics", "statement_topics"), load=load)
