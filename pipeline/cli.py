"""``python -m pipeline`` (installed as ``cjiw-pipeline``): gathers the stage commands, each declared in
``pipeline/<stage>/cli.py``; those import only light libraries at the top, so ``--help`` stays fast.
"""

from __future__ import annotations

import importlib

import typer

from pipeline.distributed import scheduler_option
from pipeline.errors import handled

app = typer.Typer(help="Consultation analysis pipeline for the CJIW Anti-Racism Delivery Plan.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)

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
    ("returns-status", "pipeline.engage.cli", "returns_status_command"),  # engagement kit (issue 16)
    ("qdpx", "pipeline.engage.cli", "qdpx_command"),
    ("qdpx-import", "pipeline.engage.cli", "qdpx_import_command"),
    ("pack", "pipeline.engage.cli", "pack_command"),
]


def _register() -> None:
    """Add each command, wrapped so that the project's errors end it with a plain message and exit code."""
    for name, module, attr in COMMANDS:
        func = getattr(importlib.import_module(module), attr)
        app.command(name)(handled(func, name))


_register()


# --scheduler (Dask, issue 15) is an option of every command, given before it; ingest never uses it.
app.callback(help="Consultation analysis pipeline for the CJIW Anti-Racism Delivery Plan.")(scheduler_option)


def main() -> None:
    """Entry point of ``python -m pipeline`` and the ``cjiw-pipeline`` script."""
    app()
