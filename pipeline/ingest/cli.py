"""``python -m pipeline ingest``: turn a consultation folder's returns into one tidy, redacted table.

Declarations only: the stage is :func:`pipeline.ingest.stage.load` (every return under ``<raw>``,
read, normalised and redacted before anything is written) and :func:`pipeline.ingest.stage.run`, run
by :mod:`pipeline.runner`, which writes ``responses.parquet`` (+ csv), ``returns.parquet`` (+ csv),
``duplicates.csv``, ``ingest_ledger.csv``, ``redaction_log.csv`` and ``ingest.config.yaml`` to ``<out>``::

    python -m pipeline ingest                          # the bundled sample
    python -m pipeline ingest --raw data/raw/spring2026
"""

from __future__ import annotations

import typer

from pipeline import common as c
from pipeline.errors import handled


@handled
def ingest_command(consultation: c.ConsultationOpt = None, raw: c.RawOpt = None, out: c.OutOpt = None,
                   reports: c.ReportsOpt = None, config_dir: c.ConfigOpt = None, verbose: c.VerboseOpt = False) -> None:
    """Read every return in a consultation folder into responses.parquet, redacted, with a ledger.

    The returns are read from <raw> and the tables written to <out>; with --verbose every file and step
    is logged.
    """
    from pipeline.ingest.stage import load, run, summary
    from pipeline.runner import Stage, execute

    paths, settings = c.start_run(verbose, config_dir, consultation, raw, out, reports)
    done = execute(Stage("ingest", run, load=load), paths, settings)
    responses = done.tables["responses"]
    typer.echo(summary(responses, done.tables["ingest_ledger"], responses.attrs.get("redactions", {}),
                       int(settings.value("disclosure.min_count"))))
