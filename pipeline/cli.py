"""Command line of the consultation analysis pipeline.

Each stage keeps its command in ``pipeline/<stage>/cli.py`` (a thin runner: it reads files, calls
the stage's DataFrame functions, writes files); this module only gathers them under one
``python -m pipeline`` (also installed as ``cjiw-pipeline``). Run ``python -m pipeline --help``.

Stage command modules import only light libraries at the top so that ``--help`` stays fast;
heavy ones (spaCy, torch, BERTopic) are imported inside the functions that need them.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    help="Consultation analysis pipeline for the CJIW Anti-Racism Delivery Plan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: (command name, module, attribute): the commands, in pipeline order.
COMMANDS: list[tuple[str, str, str]] = [
    ("ingest", "pipeline.ingest.cli", "ingest_command"),
    ("code", "pipeline.coding.cli", "code_command"),
    ("review", "pipeline.coding.cli", "review_command"),
    ("evaluate", "pipeline.coding.cli", "evaluate_command"),
    ("topics", "pipeline.topics.cli", "topics_command"),
    ("triangulate", "pipeline.triangulate.cli", "triangulate_command"),
    ("report", "pipeline.reports.cli", "report_command"),
    ("notebooks", "pipeline.reports.cli", "notebooks_command"),
    ("plan-check", "pipeline.plancheck.cli", "plan_check_command"),
]


def _register() -> None:
    for name, module, attr in COMMANDS:
        func = getattr(importlib.import_module(module), attr)
        app.command(name)(func)


_register()


def main() -> None:
    """Entry point of ``python -m pipeline`` and the ``cjiw-pipeline`` script."""
    app()
