"""pipeline.errors: one base class; kinds mapped to exit codes and plain messages in one place."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from pipeline.coding.codebook import CodebookError
from pipeline.coding.training import TrainingDataError
from pipeline.errors import (
    EXIT_CODES,
    ConfigError,
    InputDataError,
    MissingInputError,
    MissingTableError,
    PipelineError,
    TableContractError,
    exit_code,
    handled,
)
from pipeline.ingest.manifest import ManifestError
from pipeline.plancheck.match import PlanCheckError


def test_each_kind_has_its_own_code():
    assert len(set(EXIT_CODES.values())) == len(EXIT_CODES)
    assert exit_code(ConfigError("x")) == 6 and exit_code(MissingInputError("x")) == 2
    assert exit_code(MissingTableError("x")) == 4 and exit_code(TableContractError("x")) == 5
    assert exit_code(PlanCheckError("x")) == exit_code(InputDataError("x")) == 3
    assert exit_code(ValueError("x")) == 1


def test_stage_errors_share_the_base_and_keep_their_old_bases():
    for cls in (CodebookError, TrainingDataError, ManifestError, PlanCheckError):
        assert issubclass(cls, PipelineError) and issubclass(cls, ValueError)
    assert issubclass(CodebookError, ConfigError)


def _app(exc: Exception) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @handled
    def fails(name: str = "x") -> None:
        """A command that fails."""
        raise exc

    return app


def test_a_pipeline_error_is_a_plain_message_and_its_exit_code():
    result = CliRunner().invoke(_app(MissingTableError("statements.parquet does not exist. Run `make code` first.")), [])
    assert result.exit_code == 4
    assert "Error: statements.parquet does not exist. Run `make code` first." in result.output
    assert "Traceback" not in result.output


def test_a_bug_is_not_hidden():
    result = CliRunner().invoke(_app(KeyError("bug")), [])
    assert isinstance(result.exception, KeyError)


def test_wrapping_twice_changes_nothing():
    def command() -> None:
        """Nothing."""

    once = handled(command)
    assert handled(once) is once and once.__wrapped__ is command
