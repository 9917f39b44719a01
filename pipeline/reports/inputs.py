"""Read and check the processed tables the reports are built from.

This is the reports' reading boundary, shared by the two runners (``pipeline/reports/commands.py`` and the
organisation notebook, which is a runner too): :func:`load_inputs` reads whatever tables exist in
``data/processed/<consultation>/`` and :func:`validate_inputs` checks them against the contract in
``docs/data-model.md`` with pandera. A table that is missing (its stage has not been run) is not an
error: it is recorded in :attr:`ReportInputs.missing` and the reports say so in plain English.

Usage::

    from pipeline.reports.inputs import load_inputs
    inputs = load_inputs(Path("data/processed/sample"))
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from pipeline import catalog, config
from pipeline.errors import TableContractError
from pipeline.reports.tables import TRIANGULATION_COLUMNS
from pipeline.schemas import validate_table
from pipeline.settings import load_vocabularies

log = logging.getLogger(__name__)

#: table name -> (file name, what it is, the stage and make target that produce it)
TABLES: dict[str, tuple[str, str, str]] = {
    "responses": ("responses.parquet", "the ingested answers", "ingest"),
    "returns": ("returns.parquet", "the list of returns and their participant numbers", "ingest"),
    "ingest_ledger": ("ingest_ledger.csv", "the ingest ledger", "ingest"),
    "statements": ("statements.parquet", "the coded statements", "code"),
    "codes": ("codes.parquet", "the priority-area codes of each statement", "code"),
    "topics": ("topics.parquet", "the emergent themes", "topics"),
    "statement_topics": ("statement_topics.parquet", "the statements' emergent themes", "topics"),
    "edi_measures": ("edi_measures.parquet", "the equality (EDI) measures", "triangulate"),
    "triangulation": ("triangulation.parquet", "the triangulation with equality data", "triangulate"),
    # The returns tracker (issue 16, pipeline.engage): shown in the engagement-coverage section.
    "returns_status": ("tracker/returns_status.csv", "the returns tracker", "returns-status"),
    "gap_groups": ("tracker/gap_groups.csv", "the plan's own gap groups (returns tracker)", "returns-status"),
}


class ReportInputError(TableContractError):
    """A processed table does not follow the data contract; the message says which, what and what to do."""


def _view(name: str, cols: tuple[str, ...], values: tuple[str, ...] = (), filled: tuple[str, ...] = ()) -> pa.DataFrameSchema:
    """What the reports read of a table: its catalog schema's columns (issue 14), empty values allowed
    except in ``filled``, value checks kept only for ``values``."""
    return catalog.view(name, cols, coerce=True, nullable=[c for c in cols if c not in filled], values=values)


#: The reports' checks of the tables they read: views of each table's one schema in pipeline.catalog.
SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "responses": _view("responses", ("response_id", "organisation", "cohort", "police_force_area", "participant_ref",
                                     "text")),
    "returns": _view("returns", ("organisation", "source_file", "cohort", "police_force_area", "engagement_method",
                                 "n_participants"), values=("n_participants",)),
    "ingest_ledger": _view("ingest_ledger", ("file", "status")),
    "statements": _view("statements", ("statement_id", "organisation", "cohort", "police_force_area",
                                       "engagement_method", "participant_ref", "speaker", "text", "is_suggestion",
                                       "reviewed", "question", "stance"), values=("question", "stance"),
                        filled=("statement_id",)),
    "codes": _view("codes", ("statement_id", "code", "subtheme", "source"), values=("code",),
                   filled=("statement_id", "code")),
    "topics": _view("topics", ("topic", "label", "keywords", "size", "n_organisations",
                               "representative_statement_ids", "nearest_code", "similarity", "coverage")),
    "statement_topics": _view("statement_topics", ("statement_id", "topic")),
    "edi_measures": _view("edi_measures", ("measure", "area", "period", "ethnicity", "ratio", "ci_low", "ci_high",
                                           "reference_group", "reliable", "suppressed", "source")),
    "triangulation": _view("triangulation", ("code", *TRIANGULATION_COLUMNS)),
}


@dataclass
class ReportInputs:
    """Everything a report is built from; any table may be ``None`` (its stage was not run).

    Attributes:
        tables: Table name (see :data:`TABLES`) -> DataFrame, or ``None`` when the file is missing.
        missing: Table name -> a plain-English sentence saying what is missing and what to run.
        evaluation: The coding evaluation figures (``evaluation.json``), or ``None`` if not measured.
        independent: The coder on the independent evaluation sets (``data/eval/results/summary.json``,
            written by ``make evaluate-sets``), or ``None``.
        code_names: Priority-area id -> name (``PA1`` -> "Challenge racism").
    """

    tables: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    evaluation: dict[str, Any] | None = None
    independent: dict[str, Any] | None = None
    code_names: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> pd.DataFrame | None:
        """The table called ``name`` or ``None``."""
        return self.tables.get(name)

    def has(self, *names: str) -> bool:
        """Whether every named table is present and has at least one row."""
        return all(self.tables.get(n) is not None and len(self.tables[n]) > 0 for n in names)


def missing_message(name: str) -> str:
    """The sentence a report shows when table ``name`` is missing."""
    file_name, what, stage = TABLES[name]
    return f"{what.capitalize()} ({file_name}): not available, because the {stage} stage has not been run (run `make {stage}`)."


def validate_inputs(tables: dict[str, pd.DataFrame | None]) -> dict[str, pd.DataFrame | None]:
    """Check every present table against the data contract.

    Args:
        tables: Table name -> DataFrame (or ``None`` for a missing table).

    Returns:
        The same tables (validated, unchanged).

    Raises:
        ReportInputError: Naming the table, the column and what is wrong, and what to do.
    """
    for name, df in tables.items():
        if df is None or name not in SCHEMAS:
            continue
        file_name, _, stage = TABLES[name]
        validate_table(
            df, SCHEMAS[name], f"The table {file_name}",
            f"It does not follow the data contract (docs/data-model.md). It is written by the {stage} stage: "
            f"re-run `make {stage}` with the current code, then build the reports again.",
            ReportInputError,
        )
    return tables


def load_code_names(config_dir: Path | None = None) -> dict[str, str]:
    """Priority-area names from the codebook, the one place they are written.

    The codebook (``pipeline.coding.codebook``) is read; if it cannot be parsed, the names are read
    from ``config/codebook.yaml`` directly (:func:`pipeline.settings.load_vocabularies`).
    """
    try:
        from pipeline.coding.codebook import load_codebook  # noqa: PLC0415 - optional, written by another stage

        book = load_codebook()
        names = {str(c.id): str(c.name) for c in book.codes}
        if names:
            return dict(sorted(names.items()))
    except Exception as exc:  # noqa: BLE001 - any failure falls back to the YAML below
        log.debug("codebook module not usable (%s); reading the YAML instead", exc)
    try:
        raw = config.load_yaml("codebook.yaml", config_dir)
        codes = raw.get("codes", raw)
        items = codes.items() if isinstance(codes, dict) else ((c.get("id"), c) for c in codes)
        names = {str(k): str(v.get("name", k)) for k, v in items if isinstance(v, dict) and k}
        names = {k: v for k, v in names.items() if k.startswith("PA")}
        if names:
            return dict(sorted(names.items()))
    except Exception as exc:  # noqa: BLE001
        log.debug("config/codebook.yaml not usable (%s); using config/report.yaml", exc)
    return dict(sorted(load_vocabularies(config_dir).priority_areas.items()))  # the codebook's names (issue 14)


@lru_cache(maxsize=1)
def load_stance_phrases() -> dict[str, dict[str, str]]:
    """What each stance means for each question, from the codebook ("says CJIW has not listened")."""
    from pipeline.coding.codebook import DEFAULT_STANCE_PHRASES, load_codebook  # noqa: PLC0415

    try:
        book = load_codebook()
    except Exception as exc:  # noqa: BLE001 - reports still build, with the plain wording
        log.warning("codebook not usable for stance wording (%s): plain wording used", exc)
        return {}
    return {q.id: {s: q.stance_phrase(s) for s in DEFAULT_STANCE_PHRASES} for q in book.questions}


def load_inputs(processed: Path, config_dir: Path | None = None) -> ReportInputs:
    """Read every processed table that exists in ``processed`` and validate it.

    Args:
        processed: The consultation's processed folder (``data/processed/<consultation>``).
        config_dir: Config folder (defaults to ``config/``).

    Returns:
        The inputs, with missing tables listed in plain English.

    Raises:
        ReportInputError: If a present table breaks the data contract.
    """
    processed = Path(processed)
    tables: dict[str, pd.DataFrame | None] = {}
    missing: dict[str, str] = {}
    for name, (file_name, _, _) in TABLES.items():
        path = processed / file_name
        if not path.exists():
            tables[name] = None
            missing[name] = missing_message(name)
            log.warning("%s", missing[name])
            continue
        tables[name] = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
        log.info("read %s (%d rows)", path, len(tables[name]))
    validate_inputs(tables)
    evaluation = None
    eval_path = processed / "evaluation.json"
    if eval_path.exists():
        try:
            evaluation = json.loads(eval_path.read_text(encoding="utf-8"))
            log.info("read %s", eval_path)
        except json.JSONDecodeError as exc:
            log.warning(
                "%s is not valid JSON (%s): coding agreement will be shown as not measured", eval_path, exc
            )
    independent = None
    summary = config.DATA_DIR / "eval" / "results" / "summary.json"
    if summary.exists():
        try:
            independent = json.loads(summary.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            log.warning("%s is not valid JSON (%s): the independent sets' figures are left out", summary, exc)
    return ReportInputs(
        tables=tables, missing=missing, evaluation=evaluation, independent=independent, code_names=load_code_names(config_dir)
    )
