"""``python -m pipeline plan-check [--plan DRAFT] [--previous DRAFT]``: declarations only.

The stage is :mod:`pipeline.plancheck.stage`, run by :mod:`pipeline.runner`: tables to
``<out>/plan_check/`` (theme_coverage, action_evidence, comparison, plan_structure, + CSV, and
plan_check.config.yaml), the report to ``<reports>/plan_check/you_said_plan_says.html|docx``. With no
``--plan``, the newest draft in ``<raw>/plans/`` (by name) is checked against the one before it.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from pipeline import common as c
from pipeline.errors import handled

PlanOpt = Annotated[Path | None, typer.Option(help="The draft plan to check (.docx, .md, .txt, .pdf); default: the newest draft in <raw>/plans/ by name.")]
PreviousOpt = Annotated[Path | None, typer.Option(help="An earlier draft to compare with; default: the draft before --plan in <raw>/plans/, if any.")]
CompareOpt = Annotated[bool, typer.Option("--compare/--no-compare", help="Compare with the previous draft when there is one.")]


@handled
def plan_check_command(plan: PlanOpt = None, previous: PreviousOpt = None, compare: CompareOpt = True,
                       consultation: c.ConsultationOpt = None, raw: c.RawOpt = None, out: c.OutOpt = None,
                       reports: c.ReportsOpt = None, codebook: c.CodebookOpt = None, config_dir: c.ConfigOpt = None,
                       verbose: c.VerboseOpt = False) -> None:
    """Test and challenge: check a draft plan against what people said ("You said, the plan says").

    The drafts are in <raw>/plans/; statements, codes and topics are read from <out>; the tables go to
    <out>/plan_check/ and the report to <reports>/plan_check/.
    """
    c.setup_logging(verbose)
    from pipeline.plancheck.stage import STAGE, load, run
    from pipeline.runner import execute
    from pipeline.settings import load_settings

    paths = c.resolve_paths(consultation, raw, out, reports)
    stage = replace(STAGE, load=partial(load, plan=plan, previous=previous, compare=compare),
                    run=partial(run, codebook_path=codebook, cache_dir=paths.out, consultation=paths.consultation))
    execute(stage, paths, load_settings(config_dir))
