"""The project's errors: one base class, and the one place they become messages and exit codes.

Stage logic raises a subclass of :class:`PipelineError` whose message says, in plain English, what
is wrong and what to do; it never prints, never exits and never raises ``typer.Exit``. The command
line (:func:`handled`, applied to every command in :mod:`pipeline.cli`) turns such an error into
that message on stderr and the exit code of its kind (:data:`EXIT_CODES`).

Kinds, and their exit codes:

=============================  ====  =================================================================
error                          code  meaning
=============================  ====  =================================================================
:class:`PipelineError`         1     anything else the user can act on
:class:`MissingInputError`     2     a folder or file the analyst named does not exist
:class:`InputDataError`        3     an input the analyst supplied cannot be used (returns, manifest,
                                     EDI, plan, coding sheet, labelled CSV)
:class:`MissingTableError`     4     an earlier stage has not been run
:class:`TableContractError`    5     a table breaks the contract (docs/data-model.md): a bug or old outputs
:class:`ConfigError`           6     a file under ``config/`` (or a ``--codebook``) is missing or malformed
=============================  ====  =================================================================
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "EXIT_CODES", "ConfigError", "InputDataError", "MissingInputError", "MissingTableError", "PipelineError", "PlanCheckError",
    "TableContractError", "exit_code", "handled", "message",
]


class PipelineError(Exception):
    """An error the user can act on; its message says what is wrong and what to do."""


class ConfigError(PipelineError, ValueError):
    """A configuration file is missing or malformed; the message says which and how to fix it."""


class InputDataError(PipelineError, ValueError):
    """An input the analyst supplied cannot be used as it is; the message names it and the fix."""


class MissingInputError(InputDataError, FileNotFoundError):
    """A folder or file the analyst named (or the default one) does not exist; the message says where to put it."""


class MissingTableError(PipelineError, FileNotFoundError):
    """A table an earlier stage writes does not exist yet; the message says which make target writes it."""


class TableContractError(PipelineError, ValueError):
    """A table does not follow docs/data-model.md; the message names the table, the column and the problem."""


class PlanCheckError(InputDataError):
    """The inputs of plan-check do not fit together; the message says which table and what to do."""


#: Exit code of each kind of error; the most specific class listed wins.
EXIT_CODES: dict[type[PipelineError], int] = {
    PipelineError: 1,
    MissingInputError: 2,
    InputDataError: 3,
    MissingTableError: 4,
    TableContractError: 5,
    ConfigError: 6,
}


def exit_code(exc: BaseException) -> int:
    """The exit code of ``exc``: that of the nearest class in :data:`EXIT_CODES` in its ancestry, else 1."""
    for cls in type(exc).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return 1


def message(exc: BaseException, command: str | None = None) -> str:
    """The line shown for ``exc``: ``Error[ in <command>]: <its message>``."""
    where = f" in {command}" if command else ""
    return f"Error{where}: {exc}"


F = TypeVar("F", bound=Callable[..., Any])


def handled(func: F, command: str | None = None) -> F:
    """Wrap a command so that a :class:`PipelineError` ends it with its message and exit code.

    Any other exception is a bug and propagates with its traceback. The wrapper keeps ``func``'s
    signature (typer reads the options from it); wrapping twice changes nothing. Use it as a
    decorator on each command (``@handled``) so the command behaves the same however it is registered.
    """
    import typer

    if getattr(func, "handles_pipeline_errors", False):
        return func

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PipelineError as exc:
            typer.echo(message(exc, command), err=True)
            raise typer.Exit(exit_code(exc)) from exc

    wrapper.handles_pipeline_errors = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
