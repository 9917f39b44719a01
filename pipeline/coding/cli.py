"""Commands ``code``, ``review``, ``evaluate``: declarations only; the work is in :mod:`pipeline.coding.commands`
(``code`` runs :func:`pipeline.coding.stage.run` through :mod:`pipeline.runner`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline import common as c
from pipeline.config import GOLD_DIR
from pipeline.errors import handled

Opt = typer.Option
ApplyOpt = Annotated[Path | None, Opt("--apply", help="A filled-in coding sheet to read back: its decisions become the truth, the classifier is retrained and the rest recoded.")]


@handled
def code_command(consultation: c.ConsultationOpt = None, raw: c.RawOpt = None, out: c.OutOpt = None, reports: c.ReportsOpt = None,
                 codebook: c.CodebookOpt = None, config_dir: c.ConfigOpt = None, verbose: c.VerboseOpt = False) -> None:
    """Split answers into statements and code them against the priority areas, with question, stance and evidence."""
    from pipeline.coding.commands import run_code
    run_code(*c.start_run(verbose, config_dir, consultation, raw, out, reports), codebook)


@handled
def review_command(consultation: c.ConsultationOpt = None, raw: c.RawOpt = None, out: c.OutOpt = None, reports: c.ReportsOpt = None,
                   codebook: c.CodebookOpt = None, apply: ApplyOpt = None, config_dir: c.ConfigOpt = None, verbose: c.VerboseOpt = False) -> None:
    """Write the coding sheet for an analyst to check (the statements the coder would learn most from first), or apply a filled-in one."""
    from pipeline.coding.commands import apply_review_sheet, write_review_sheet
    paths, settings = c.start_run(verbose, config_dir, consultation, raw, out, reports)
    if apply is not None:
        apply_review_sheet(paths, settings, apply, codebook)
        return
    path = write_review_sheet(paths, settings, codebook)
    typer.echo(f"Wrote {path}. Fill in the yellow columns, save, then run: python -m pipeline review --out {paths.out} --apply {path}")


@handled
def evaluate_command(
    gold: Annotated[Path, Opt(help="CSV of hand-coded statements: `text` and `codes` (ids separated by ';', empty for none); optional `question`, `stance`, `language`, `is_suggestion`.")] = GOLD_DIR / "gold_statements.csv",
    train: Annotated[list[Path] | None, Opt(help="CSV of coded statements in the same form, learned from (repeatable). Default: coding.training_files in config/settings.yaml, as `make code` uses.")] = None,
    no_training: Annotated[bool, Opt("--no-training", help="Learn from the codebook alone (its examples, or its descriptions when it has none).")] = False,
    codebook: Annotated[Path | None, Opt(help="Codebook YAML. Default: config/codebook.yaml, or with --train the codes the training file uses.")] = None,
    json_out: Annotated[Path | None, Opt("--json", help="Write the figures to this JSON file.")] = None,
    predictions: Annotated[Path | None, Opt(help="Write one row per statement to this CSV: gold, predicted codes, confidence and each code's score.")] = None,
    by: Annotated[list[str] | None, Opt(help="Also give the figures by this column (repeatable), e.g. cohort, register, language.")] = None,
    learning_curve: Annotated[bool, Opt("--learning-curve", help="Also measure F1 on held-out statements after 0, 25, 50, 100, 150 of the set's own statements are coded (5-fold), in random and review-sheet order.")] = False,
    baselines: Annotated[bool, Opt("--baselines", help="Also score the lexicon, similarity and BERTopic zero-shot baselines.")] = False,
    verbose: c.VerboseOpt = False,
) -> None:
    """Code a labelled CSV and report agreement with its codes (F1 with a bootstrap interval, per-code kappa, question and stance)."""
    from pipeline.coding.commands import evaluate
    c.setup_logging(verbose)
    evaluate(gold, train, no_training, codebook, json_out, predictions, by, learning_curve, baselines)
