"""CJIW consultation analysis pipeline: ``python -m pipeline --help`` lists the commands.

The shared contract: :mod:`pipeline.catalog` (every table and its schema), :mod:`pipeline.settings`
(the configuration, typed and frozen), :mod:`pipeline.errors` (one error base class, exit codes) and
:mod:`pipeline.runner` (what every stage command does around its ``run(tables, settings)``).
"""

__all__ = ["catalog", "config", "errors", "runner", "settings"]
