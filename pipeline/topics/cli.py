"""``python -m pipeline topics`` (``make topics``): declarations only.

The stage is :func:`pipeline.topics.run.run`, run by :mod:`pipeline.runner`: it reads
``statements.parquet`` (and ``codes.parquet`` if there) from ``<out>`` and writes ``topics.parquet``,
``fine_topics.parquet``, ``statement_topics.parquet``, ``topic_spread.parquet`` (+ CSV),
``topics_summary.json``, ``topics_skipped.csv`` and ``topics.config.yaml`` beside them. Its settings are
``topics.*`` in ``config/settings.yaml``.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Annotated

import typer

from pipeline import common as c
from pipeline.errors import handled

MinStatementsOpt = Annotated[int | None, typer.Option(help="Override topics.min_statements: below it, keywords only.")]


@handled
def topics_command(consultation: c.ConsultationOpt = None, raw: c.RawOpt = None, out: c.OutOpt = None,
                   reports: c.ReportsOpt = None, codebook: c.CodebookOpt = None, min_statements: MinStatementsOpt = None,
                   config_dir: c.ConfigOpt = None, verbose: c.VerboseOpt = False) -> None:
    """Find emergent themes in the statements (BERTopic) and mark which ones the plan does not cover.

    Reads statements.parquet (and codes.parquet, if there) from <out> and writes the topic tables beside
    them; the topics are compared with the codebook's priority areas. Writes no report.
    """
    from pipeline.runner import execute
    from pipeline.topics.run import STAGE, run

    paths, settings = c.start_run(verbose, config_dir, consultation, raw, out, reports)
    stage = replace(STAGE, run=partial(run, codebook_path=codebook, cache_dir=paths.out, min_statements=min_statements))
    execute(stage, paths, settings)
