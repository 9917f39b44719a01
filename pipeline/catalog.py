"""The table catalog: every table the stages pass on, where it lives and its one pandera schema.

This is the contract between the stages in code; ``docs/data-model.md`` describes it for people
and a test (``tests/test_catalog.py``) checks the two agree. Each table is described once, by a
:class:`Table`: its file under the consultation's processed folder, the stage (make target) that
writes it, and its schema (the writer validates against it in full). A stage that reads a table
checks the columns it uses with :func:`view`, a projection of the same schema, so a rule about a
column is written once and holds for the writer and every reader.

Vocabularies (questions, cohorts, police force areas, engagement methods, languages) come from
``config/`` through :mod:`pipeline.settings`, never typed here.

Usage::

    from pipeline import catalog
    catalog.validate("statements", df)                        # the writer: the whole contract
    catalog.view("statements", ["statement_id", "text"])      # a reader's check of its columns
    catalog.path("codes", out_dir)                            # data/processed/<c>/codes.parquet
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from pipeline.errors import TableContractError
from pipeline.schemas import validate_table
from pipeline.settings import SPEAKERS, STANCES, load_vocabularies

__all__ = [
    "TABLES", "Table", "columns", "path", "read", "table", "validate", "view", "write",
    "QUESTIONS", "COHORTS", "AREAS", "METHODS", "LANGUAGES", "STANCES", "SPEAKERS",
    "PLAN_COMMENTS_PREFIX", "WELSH_PREFIX", "THEME_KINDS", "STATUSES",
]

_VOCAB = load_vocabularies()
QUESTIONS: list[str] = list(_VOCAB.questions)
COHORTS: list[str] = list(_VOCAB.cohorts)
AREAS: list[str] = list(_VOCAB.police_force_areas)
METHODS: list[str] = list(_VOCAB.engagement_methods)
LANGUAGES: list[str] = list(_VOCAB.languages)
CODE_SOURCES = ["rule", "model", "analyst"]
LEDGER_STATUSES = ["accepted", "partly accepted", "rejected", "missing", "skipped", "metadata"]
DUPLICATE_KINDS = ["exact_file", "exact_answer", "near_answer"]
#: Label prefixes of topics that are not subjects the plan lacks (the reports and plan-check set
#: them apart): clusters of comments on the draft itself, and of Welsh statements grouped by language.
PLAN_COMMENTS_PREFIX = "Comments on the plan itself: "
WELSH_PREFIX = "Mostly in Welsh (mixed subjects): "
TOPIC_KINDS = ["priority_area", "subject", "plan_comments", "welsh", "unassigned", "keywords"]
SPREAD_DIMENSIONS = ["organisation", "cohort", "police_force_area"]
RATIO_KINDS = ["relative_rate", "from_published_rates", "published", "representation", "rri", ""]
READINGS = [
    "consistent with the data",
    "the data show no disparity here",
    "no data supplied",
    "data too small to say",
    "the data give context only",
]
#: Plan-check: how far the draft addresses a theme, and the kinds of theme it checks.
STATUSES = ("not addressed", "partly addressed", "addressed", "read apart")
THEME_KINDS = ("priority_area", "subtheme", "emergent", "plan_comments")
EVIDENCE_STATUSES = ["consultation evidence found", "no consultation evidence found"]
CHANGES = ["gap closed", "gap opened", "better", "worse", "new theme", "theme gone", "unchanged"]


def _multi(allowed: Sequence[str]) -> pa.Check:
    """Each ';'-joined part is in the vocabulary."""
    allowed_set = set(allowed)
    return pa.Check(
        lambda s: s.map(lambda v: all(p in allowed_set for p in str(v).split(";"))),
        element_wise=False,
        error=f"every value must be one of {list(allowed)} (several joined by ';')",
    )


def _nonblank(what: str) -> pa.Check:
    return pa.Check(lambda s: s.astype(str).str.strip() != "", name=f"{what} is blank")


def _isin(values: Sequence[str], what: str) -> pa.Check:
    return pa.Check.isin(list(values), name=f"a {what} other than {', '.join(values)}")


_prob = pa.Check.in_range(0.0, 1.0, name="a value outside 0 to 1")


def _table(name: str, columns: dict[str, pa.Column], **kwargs) -> pa.DataFrameSchema:
    """A schema whose table has exactly these columns, in this order."""
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name=name, **kwargs)


# --- ingest --------------------------------------------------------------------------------------

RESPONSES = _table("responses", {
    "response_id": pa.Column(str, pa.Check.str_matches(r"^R[0-9a-f]{12}$"), unique=True),
    "organisation": pa.Column(str, pa.Check.str_length(min_value=1)),
    "source_file": pa.Column(str, pa.Check.str_length(min_value=1)),
    "source_location": pa.Column(str, pa.Check.str_length(min_value=1)),
    "cohort": pa.Column(str, _multi(COHORTS)),
    "police_force_area": pa.Column(str, _multi(AREAS)),
    "engagement_method": pa.Column(str, pa.Check.isin(METHODS)),
    "participant_ref": pa.Column(str, pa.Check.str_matches(r"^[PG]-[0-9a-f]{6,}$")),
    "question": pa.Column(str, pa.Check.isin(QUESTIONS)),
    "question_label": pa.Column(str),
    "speaker": pa.Column(str, pa.Check.isin(SPEAKERS)),
    "language": pa.Column(str, pa.Check.isin(LANGUAGES)),
    "text": pa.Column(str, pa.Check.str_length(min_value=1)),
    "n_redactions": pa.Column("int64", pa.Check.ge(0)),
    "question_confidence": pa.Column("float64", pa.Check.in_range(0, 1)),
    "ocr_confidence": pa.Column("float64", pa.Check.in_range(0, 100), nullable=True),
})

RETURNS = _table("returns", {
    "organisation": pa.Column(str),
    "source_file": pa.Column(str, unique=True),
    "format": pa.Column(str),
    "cohort": pa.Column(str, _multi(COHORTS)),
    "police_force_area": pa.Column(str, _multi(AREAS)),
    "engagement_method": pa.Column(str, _multi(METHODS)),
    "n_participants": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    "language": pa.Column(str),
    "date_received": pa.Column(str),
    "n_responses": pa.Column("int64", pa.Check.ge(0)),
})

DUPLICATES = _table("duplicates", {
    "response_id_kept": pa.Column(str),
    "duplicate_source_file": pa.Column(str),
    "duplicate_source_location": pa.Column(str),
    "kind": pa.Column(str, pa.Check.isin(DUPLICATE_KINDS)),
    "similarity": pa.Column(float, pa.Check.in_range(0, 100)),
})

LEDGER = _table("ingest_ledger", {
    "file": pa.Column(str),
    "format": pa.Column(str),
    "status": pa.Column(str, pa.Check.isin(LEDGER_STATUSES)),
    **{c: pa.Column("int64", pa.Check.ge(0))
       for c in ("rows_read", "rows_accepted", "rows_rejected", "rows_duplicate", "rows_metadata")},
    "reason": pa.Column(str),
})

# --- coding --------------------------------------------------------------------------------------

STATEMENTS = _table("statements", {
    "statement_id": pa.Column(str, _nonblank("the statement id"), unique=True),
    "response_id": pa.Column(str),
    **{c: pa.Column(str) for c in ["organisation", "cohort", "police_force_area", "engagement_method",
                                   "participant_ref", "speaker", "language"]},
    "question": pa.Column(str, _isin(QUESTIONS, "question")),
    "question_source": pa.Column(str, pa.Check.isin(["ingest", "inferred"], name="a source other than ingest/inferred")),
    "question_confidence": pa.Column(float, _prob),
    "text": pa.Column(str, pa.Check(lambda s: s.str.strip().str.len() > 0, name="an empty statement")),
    "char_start": pa.Column(int, pa.Check.ge(0, name="a negative start")),
    "char_end": pa.Column(int),
    "stance": pa.Column(str, _isin(STANCES, "stance")),
    "stance_confidence": pa.Column(float, _prob),
    "is_suggestion": pa.Column(bool),
    "reviewed": pa.Column(bool),
    "n_codes": pa.Column(int, pa.Check.ge(0, name="a negative count")),
}, checks=[pa.Check(lambda df: df["char_end"] > df["char_start"], name="a span that ends before it starts")])

CODES = _table("codes", {
    "statement_id": pa.Column(str, _nonblank("the statement id")),
    "code": pa.Column(str, _nonblank("the code")),
    "subtheme": pa.Column(str),
    "confidence": pa.Column(float, _prob),
    "evidence": pa.Column(str),
    "source": pa.Column(str, _isin(CODE_SOURCES, "source")),
}, unique=["statement_id", "code"])

# --- topics --------------------------------------------------------------------------------------

TOPICS = _table("topics", {
    "topic": pa.Column(int, pa.Check.ge(-1, name="a topic number is below -1"), unique=True),
    "label": pa.Column(str, _nonblank("a topic label")),
    "keywords": pa.Column(str),
    "size": pa.Column(int, pa.Check.ge(1, name="a topic has no statements")),
    "n_organisations": pa.Column(int, pa.Check.ge(0)),
    "representative_statement_ids": pa.Column(str),
    "nearest_code": pa.Column(str),
    "similarity": pa.Column(float, pa.Check.in_range(-1.0, 1.0, name="a similarity is outside -1..1")),
    # empty (NaN) when codes.parquet was not available and coverage fell back to similarity
    "code_share": pa.Column(float, pa.Check.in_range(0.0, 1.0, name="a code share is outside 0..1"), nullable=True),
    "covered": pa.Column(bool),
    "coverage": pa.Column(str, pa.Check.str_matches(r"^(covered by \S+|not in the plan)$",
                                                    name="coverage must read 'covered by PA…' or 'not in the plan'")),
    "name": pa.Column(str, _nonblank("a theme name")),
    "description": pa.Column(str),
    "kind": pa.Column(str, pa.Check.isin(TOPIC_KINDS)),
    "coherence": pa.Column(float, pa.Check.in_range(-1.0, 1.0, name="a coherence is outside -1..1")),
    "single_organisation": pa.Column(bool),
    "flags": pa.Column(str),
    "fine_topics": pa.Column(str),
}, coerce=True)

STATEMENT_TOPICS = _table("statement_topics", {
    "statement_id": pa.Column(str, unique=True),
    "topic": pa.Column(int, pa.Check.ge(-1)),
    "probability": pa.Column(float, pa.Check.in_range(0.0, 1.0, name="a probability is outside 0..1")),
    "fine_topic": pa.Column(int, pa.Check.ge(-1)),
}, coerce=True)

SPREAD = _table("topic_spread", {
    "topic": pa.Column(int),
    "dimension": pa.Column(str, pa.Check.isin(SPREAD_DIMENSIONS)),
    "group": pa.Column(str),
    "n_statements": pa.Column("Int64", nullable=True),
    "suppressed": pa.Column(bool),
}, checks=[pa.Check(lambda df: df["suppressed"] == df["n_statements"].isna(),
                    name="a suppressed count must be empty and an unsuppressed one filled")], coerce=True)

# --- triangulation -------------------------------------------------------------------------------

_float_na = {"nullable": True}
MEASURES = _table("edi_measures", {
    "measure": pa.Column(str), "area": pa.Column(str), "period": pa.Column(str), "ethnicity": pa.Column(str),
    "ethnicity_group": pa.Column(str),
    "count": pa.Column(float, pa.Check.ge(0), nullable=True),
    "denominator": pa.Column(float, **_float_na),
    "rate": pa.Column(float, **_float_na),
    "rate_unit": pa.Column(str),
    "reference_group": pa.Column(str),
    "reference_rate": pa.Column(float, **_float_na),
    "ratio": pa.Column(float, **_float_na),
    "ci_low": pa.Column(float, **_float_na),
    "ci_high": pa.Column(float, **_float_na),
    "ratio_kind": pa.Column(str, pa.Check.isin(RATIO_KINDS)),
    "reliable": pa.Column(bool),
    "suppressed": pa.Column(bool),
    "source": pa.Column(str, pa.Check(lambda s: s.str.strip() != "", name="source is blank")),
    "notes": pa.Column(str),
})

TRIANGULATION = _table("triangulation", {
    "code": pa.Column(str), "code_name": pa.Column(str), "police_force_area": pa.Column(str), "cohort": pa.Column(str),
    # below disclosure.min_count these are withheld (<NA>)
    "n_statements": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    "n_participants": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    "share_disagree": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
    "quotes": pa.Column(str), "measure": pa.Column(str), "ethnicity": pa.Column(str), "period": pa.Column(str),
    "ratio": pa.Column(float, **_float_na), "ci_low": pa.Column(float, **_float_na),
    "ci_high": pa.Column(float, **_float_na),
    "source": pa.Column(str),
    "reading": pa.Column(str, pa.Check.isin(READINGS)),
    "caveat": pa.Column(str),
    # additions to the first data model: the sentence behind `reading`, and which figure it rests on
    "reading_detail": pa.Column(str), "data_area": pa.Column(str),
    "ratio_kind": pa.Column(str, pa.Check.isin(RATIO_KINDS)),
    "reliable": pa.Column(bool),
})

# --- plan-check ----------------------------------------------------------------------------------

_str = pa.Column(str, nullable=False, coerce=True)
_count = pa.Column("int64", pa.Check.ge(0), coerce=True)

PLAN = pa.DataFrameSchema({
    "action_id": pa.Column(str, unique=True), "section": _str, "text": _str,
    "kind": pa.Column(str, pa.Check.isin(["heading", "action", "paragraph"])), "ref": _str, "order": _count,
}, name="plan_structure")
THEME_COVERAGE = pa.DataFrameSchema({
    "rank": _count, "theme_id": pa.Column(str, unique=True), "kind": pa.Column(str, pa.Check.isin(THEME_KINDS)),
    "theme": _str, "status": pa.Column(str, pa.Check.isin(STATUSES)), "n_actions": _count,
    "n_statements": pa.Column("Int64", nullable=True), "n_participants": pa.Column("Int64", nullable=True),
    "share_disagree": pa.Column(float, pa.Check.in_range(0, 1), nullable=True), "actions": _str, "evidence": _str,
    "quotes": _str,
}, name="theme_coverage")
ACTION_EVIDENCE = pa.DataFrameSchema({
    "action_id": pa.Column(str, unique=True), "ref": _str, "text": _str,
    "evidence_status": pa.Column(str, pa.Check.isin(EVIDENCE_STATUSES)),
    "n_statements": pa.Column("Int64", nullable=True), "n_participants": pa.Column("Int64", nullable=True),
    "quotes": _str,
}, name="action_evidence")
COMPARISON = pa.DataFrameSchema({
    "theme_id": pa.Column(str, unique=True), "status_previous": _str, "status_current": _str,
    "change": pa.Column(str, pa.Check.isin(CHANGES)),
}, name="comparison")


# --- the catalog ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Table:
    """One table of the contract.

    Attributes:
        name: The table's name (``statements``).
        file: Its path under the consultation's processed folder (``statements.parquet``).
        stage: The make target that writes it (``code``); also what to run when it is missing.
        what: What it holds, in a few words ("the coded statements").
        schema: Its pandera schema, or ``None`` for a table checked only by its column list.
        column_names: The columns of a table without a schema, in order.
        csv_copy: Whether a ``.csv`` copy is written beside the parquet file.
    """

    name: str
    file: str
    stage: str
    what: str
    schema: pa.DataFrameSchema | None = None
    column_names: tuple[str, ...] = ()
    csv_copy: bool = False

    @property
    def columns(self) -> list[str]:
        """The table's columns, in order."""
        return list(self.schema.columns) if self.schema is not None else list(self.column_names)


def _t(name: str, file: str, stage: str, what: str, schema=None, cols: Iterable[str] = (), csv: bool = False) -> Table:
    return Table(name, file, stage, what, schema, tuple(cols), csv)


#: Every table the stages write, by name, in pipeline order.
TABLES: dict[str, Table] = {t.name: t for t in [
    _t("responses", "responses.parquet", "ingest", "the ingested answers", RESPONSES, csv=True),
    _t("returns", "returns.parquet", "ingest", "the list of returns and their participant numbers", RETURNS, csv=True),
    _t("duplicates", "duplicates.csv", "ingest", "the duplicate answers set aside", DUPLICATES),
    _t("ingest_ledger", "ingest_ledger.csv", "ingest", "the ingest ledger", LEDGER),
    _t("redaction_log", "redaction_log.csv", "ingest", "the redaction log", cols=(
        "response_id", "check", "n_replaced", "kind", "source", "confidence", "before", "placeholder", "after")),
    _t("statements", "statements.parquet", "code", "the coded statements", STATEMENTS, csv=True),
    _t("codes", "codes.parquet", "code", "the priority-area codes of each statement", CODES, csv=True),
    _t("coding_skipped", "coding_skipped.csv", "code", "the responses that gave no statement",
       cols=("response_id", "reason")),
    _t("coding_summary", "coding_summary.csv", "code", "the counts of statements by code and group", cols=(
        "code", "question", "stance", "cohort", "police_force_area", "n_statements", "n_participants", "suppressed")),
    _t("analyst_codes", "analyst_codes.csv", "review-apply", "the analyst's coding decisions", cols=(
        "statement_id", "text", "codes", "stance", "question", "notes")),
    _t("topics", "topics.parquet", "topics", "the emergent themes", TOPICS, csv=True),
    _t("fine_topics", "fine_topics.parquet", "topics", "the finer emergent topics", TOPICS, csv=True),
    _t("statement_topics", "statement_topics.parquet", "topics", "the statements' emergent themes",
       STATEMENT_TOPICS, csv=True),
    _t("topic_spread", "topic_spread.parquet", "topics", "the spread of the themes over groups", SPREAD, csv=True),
    _t("topics_skipped", "topics_skipped.csv", "topics", "the statements not modelled",
       cols=("statement_id", "reason")),
    _t("edi_measures", "edi_measures.parquet", "triangulate", "the equality (EDI) measures", MEASURES, csv=True),
    _t("triangulation", "triangulation.parquet", "triangulate", "the triangulation with equality data",
       TRIANGULATION, csv=True),
    _t("edi_trends", "edi_trends.parquet", "triangulate", "the change of each measure across periods", cols=(
        "measure", "area", "ethnicity_group", "rate_unit", "n_periods", "first_period", "last_period", "first_rate",
        "last_rate", "first_ratio", "last_ratio", "change"), csv=True),
    _t("edi_rejected", "edi_rejected.csv", "triangulate", "the EDI rows refused, as read, with the reason",
       cols=("file", "reason")),
    _t("edi_unmapped", "edi_unmapped.csv", "triangulate", "the ethnicity labels the map does not know",
       cols=("ethnicity", "n_rows", "measures")),
    _t("quote_screen", "quote_screen.csv", "report", "the quotes a report would cut or withhold",
       cols=("statement_id", "action", "reason", "text_shown", "organisation", "cohort")),
    _t("plan_structure", "plan_check/plan_structure.parquet", "plan-check", "the draft plan as read", PLAN, csv=True),
    _t("theme_coverage", "plan_check/theme_coverage.parquet", "plan-check", "how far the plan covers each theme",
       THEME_COVERAGE, csv=True),
    _t("action_evidence", "plan_check/action_evidence.parquet", "plan-check", "the evidence behind each action",
       ACTION_EVIDENCE, csv=True),
    _t("comparison", "plan_check/comparison.parquet", "plan-check", "the comparison with an earlier draft",
       COMPARISON, csv=True),
]}


def table(name: str) -> Table:
    """The catalog entry of table ``name``.

    Raises:
        KeyError: If no table has that name (the message lists the names).
    """
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"No table called {name!r} in the catalog; the tables are {', '.join(TABLES)}.") from None


def columns(name: str) -> list[str]:
    """The columns of table ``name``, in order."""
    return table(name).columns


def path(name: str, out_dir: Path) -> Path:
    """Where table ``name`` lives under a consultation's processed folder ``out_dir``."""
    return Path(out_dir) / table(name).file


def view(name: str, cols: Iterable[str], *, coerce: bool = False, nullable: bool | Iterable[str] = False,
         values: bool | Iterable[str] = True) -> pa.DataFrameSchema:
    """The checks of the named columns of a table, for a stage that reads only those.

    The columns keep the checks, types and uniqueness of the table's one schema; the table may hold
    other columns, in any order.

    Args:
        name: The table.
        cols: The columns the reader uses.
        coerce: Convert the columns to the schema's types (for readers of older or hand-made tables).
        nullable: Accept empty values, in every column (``True``) or in the columns named (for readers
            that show what is there and say what is missing).
        values: Keep the value checks of every column (``True``) or of the columns named; the
            others are checked only for presence, type and uniqueness (for a reader that accounts
            for odd values itself, e.g. coding skips an empty answer with a reason).

    Raises:
        KeyError: If the table has no schema or a column is not in it (a bug in the reader).
    """
    entry = table(name)
    if entry.schema is None:
        raise KeyError(f"The table {name} has no schema to take a view of.")
    unknown = [c for c in cols if c not in entry.schema.columns]
    if unknown:
        raise KeyError(f"The table {name} has no column(s) {', '.join(unknown)} in its schema.")
    cols = list(cols)
    empty_ok = set(cols) if nullable is True else set(nullable or ())
    checked = set(cols) if values is True else set(values or ())
    picked = {}
    for c in cols:
        column = entry.schema.columns[c]
        if c in empty_ok or c not in checked:
            column = pa.Column(**{**column.properties, "nullable": column.nullable or c in empty_ok,
                                  "checks": column.checks if c in checked else []})
        picked[c] = column
    return pa.DataFrameSchema(picked, strict=False, ordered=False, coerce=coerce, name=name)


def validate(name: str, df: pd.DataFrame, schema: pa.DataFrameSchema | None = None, fix: str | None = None,
             error: type[Exception] = TableContractError) -> pd.DataFrame:
    """Validate ``df`` as table ``name`` (in full, or against ``schema``, e.g. a :func:`view`).

    Args:
        name: The table.
        df: The frame; it is not modified.
        schema: The schema to check against (default: the table's own, in full).
        fix: What to do about a failure (default: rerun the stage that writes the table).
        error: The exception class to raise (a :class:`~pipeline.errors.PipelineError` by default).

    Returns:
        The validated (and, where the schema coerces, type-converted) table.
    """
    entry = table(name)
    schema = schema if schema is not None else entry.schema
    fix = fix if fix is not None else (
        f"It is written by the {entry.stage} stage: re-run `make {entry.stage}` with the current code "
        "(docs/data-model.md describes the table).")
    if schema is None:
        missing = [c for c in entry.column_names if c not in df.columns]
        if missing:
            raise error(f"The table {entry.file} has no column(s) {', '.join(missing)}. {fix}")
        return df
    return validate_table(df, schema, f"The table {entry.file}", fix, error)


def read(name: str, out_dir: Path) -> pd.DataFrame:
    """Read table ``name`` from ``out_dir`` (parquet, or CSV for the tables kept as CSV).

    Raises:
        MissingTableError: If the file does not exist (the message says which make target writes it).
    """
    from pipeline.errors import MissingTableError

    entry, where = table(name), path(name, out_dir)
    if not where.exists():
        raise MissingTableError(f"{where} does not exist ({entry.what}): the {entry.stage} stage has not been run "
                                f"yet. Run `make {entry.stage}` first.")
    if where.suffix == ".csv":  # as text, except the columns a schema types (counts, similarities)
        if entry.schema is None:
            return pd.read_csv(where, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        types = {c: ("str" if _dtype(col) == "str" else str(col.dtype)) for c, col in entry.schema.columns.items()}
        df = pd.read_csv(where, dtype={c: t for c, t in types.items() if t == "str"}, keep_default_na=False,
                         encoding="utf-8-sig")
        return df.astype({c: t for c, t in types.items() if c in df.columns}) if df.empty else df
    return pd.read_parquet(where)


def write(name: str, df: pd.DataFrame, out_dir: Path, *, check: bool = True) -> list[Path]:
    """Validate ``df`` as table ``name`` and write it (with a CSV copy where the catalog says so).

    Returns:
        The paths written.
    """
    from pipeline.common import write_table

    entry, where = table(name), path(name, out_dir)
    if check:
        df = validate(name, df)  # as validated (coerced where the schema coerces)
    if where.suffix == ".csv":
        where.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(where, index=False, encoding="utf-8-sig")
        return [where]
    return write_table(df, where, csv=entry.csv_copy)


# --- the data model, generated ---------------------------------------------------------------------

#: The markers around the generated part of docs/data-model.md.
DOC_START = "<!-- catalog:start (generated by `python -m pipeline.catalog --write`; do not edit by hand) -->"
DOC_END = "<!-- catalog:end -->"


def _dtype(column: pa.Column) -> str:
    text = str(column.dtype)
    return {"string[pyarrow]": "str", "str": "str", "string": "str", "int64": "int", "float64": "float",
            "bool": "bool", "Int64": "int (nullable)"}.get(text, text)


def _rule(check: pa.Check) -> str:
    """A check in words: what a value must be, or (for a named custom check) what is refused."""
    stats = check.statistics or {}
    if "allowed_values" in stats:
        return "one of " + ", ".join(f"`{v}`" for v in stats["allowed_values"])
    if "pattern" in stats:
        return f"matches `{stats['pattern']}`"
    if check.name == "str_length":
        return f"at least {stats.get('min_value')} character(s)"
    if check.name == "greater_than_or_equal_to":
        return f">= {stats['min_value']}"
    if check.name == "in_range":
        return f"{stats['min_value']} to {stats['max_value']}"
    if check.error and not str(check.error).startswith(str(check.name)):
        return str(check.error)
    return f"refused: {check.name}"


def _rules(column: pa.Column) -> str:
    rules = [_rule(check).replace("|", "/") for check in column.checks]
    if column.unique:
        rules.append("unique")
    if column.nullable:
        rules.append("may be empty")
    return "; ".join(rules)


def markdown() -> str:
    """The tables and their columns as Markdown, for docs/data-model.md (between :data:`DOC_START` and :data:`DOC_END`)."""
    lines = [DOC_START, "", "## Every table, column by column", "",
             "Generated from `pipeline/catalog.py`, the one schema of each table; `tests/test_catalog.py` fails "
             "when this part is out of date.", ""]
    for entry in TABLES.values():
        lines += [f"### `{entry.name}`: `{entry.file}`", "",
                  f"{entry.what[0].upper()}{entry.what[1:]}; written by `make {entry.stage}`"
                  f"{' (with a CSV copy)' if entry.csv_copy else ''}.", ""]
        if entry.schema is None:
            lines += ["Columns: " + ", ".join(f"`{c}`" for c in entry.columns) + ".", ""]
            continue
        lines += ["| column | type | checks |", "|---|---|---|"]
        lines += [f"| {name} | {_dtype(col)} | {_rules(col)} |" for name, col in entry.schema.columns.items()]
        lines.append("")
    return "\n".join(lines + [DOC_END])


def write_doc(doc: Path) -> bool:
    """Replace the generated part of ``doc`` (appending it if absent); return whether the file changed."""
    text = doc.read_text(encoding="utf-8")
    block = markdown()
    if DOC_START in text and DOC_END in text:
        head, rest = text.split(DOC_START, 1)
        new = head + block + rest.split(DOC_END, 1)[1]
    else:
        new = text.rstrip("\n") + "\n\n" + block + "\n"
    if new != text:
        doc.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # pragma: no cover - python -m pipeline.catalog [--write]
    import sys

    from pipeline.config import ROOT

    if "--write" in sys.argv:
        changed = write_doc(ROOT / "docs" / "data-model.md")
        print("docs/data-model.md " + ("updated" if changed else "already up to date"))
    else:
        print(markdown())
