"""pipeline.catalog: one schema per table, the data model page generated from it, reading and writing."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pipeline import catalog
from pipeline.config import ROOT
from pipeline.errors import MissingTableError, PipelineError, TableContractError

DOC = ROOT / "docs" / "data-model.md"


def test_data_model_page_matches_the_catalog():
    text = DOC.read_text(encoding="utf-8")
    assert catalog.DOC_START in text, "docs/data-model.md lacks the generated part: run python -m pipeline.catalog --write"
    generated = catalog.DOC_START + text.split(catalog.DOC_START, 1)[1].split(catalog.DOC_END, 1)[0] + catalog.DOC_END
    assert generated == catalog.markdown(), "docs/data-model.md is out of date: run python -m pipeline.catalog --write"


def test_prose_of_the_data_model_names_every_table_and_column():
    prose = DOC.read_text(encoding="utf-8").split(catalog.DOC_START, 1)[0]
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", prose))
    missing = [f"{t.name}.{c}" for t in catalog.TABLES.values() for c in t.columns if c not in words]
    files = [t.file for t in catalog.TABLES.values() if t.file.split("/")[-1].split(".")[0] not in words]
    assert not missing and not files, f"not described in docs/data-model.md: {missing + files}"


def test_each_schema_belongs_to_its_tables_only():
    seen = {}
    for entry in catalog.TABLES.values():
        if entry.schema is not None:
            seen.setdefault(id(entry.schema), []).append(entry.name)
    shared = [names for names in seen.values() if len(names) > 1]
    assert shared == [["topics", "fine_topics"]]  # fine topics have the themes' columns, by design


def test_stage_modules_use_the_catalog_schemas():
    from pipeline.coding import schema as coding
    from pipeline.ingest import schema as ingest
    from pipeline.plancheck import schema as plancheck
    from pipeline.topics import schema as topics
    from pipeline.triangulate import schema as triangulate

    assert coding.STATEMENTS is catalog.STATEMENTS and coding.CODES is catalog.CODES
    assert ingest.RESPONSES is catalog.RESPONSES and ingest.LEDGER is catalog.LEDGER
    assert topics.TOPICS_SCHEMA is catalog.TOPICS and triangulate.TRIANGULATION_SCHEMA is catalog.TRIANGULATION
    assert plancheck.THEME_COVERAGE is catalog.THEME_COVERAGE
    # readers' checks are views: the same column objects' rules
    assert topics.CODES_SCHEMA.columns["code"].checks == catalog.CODES.columns["code"].checks
    assert ingest.STATUSES == catalog.LEDGER_STATUSES


def test_vocabularies_come_from_config():
    from pipeline.settings import load_vocabularies

    vocab = load_vocabularies()
    assert catalog.QUESTIONS == list(vocab.questions) and catalog.QUESTIONS[-1] == "unknown"
    assert catalog.AREAS == list(vocab.police_force_areas)
    assert "All Wales" not in vocab.forces and vocab.all_wales == "All Wales"


def _codes(**over):
    row = {"statement_id": "R1-S01", "code": "PA1", "subtheme": "", "confidence": 0.9, "evidence": "", "source": "model"}
    row.update(over)
    return pd.DataFrame([row])


def test_validate_in_plain_english():
    catalog.validate("codes", _codes())
    with pytest.raises(TableContractError, match=r"(?s)codes\.parquet.*source.*make code") as err:
        catalog.validate("codes", _codes(source="guess"))
    assert isinstance(err.value, PipelineError)
    with pytest.raises(TableContractError, match="has no column"):
        catalog.validate("codes", _codes().drop(columns="evidence"))


def test_view_checks_only_the_named_columns():
    df = _codes().drop(columns=["evidence", "confidence"])
    schema = catalog.view("codes", ["statement_id", "code"])
    assert catalog.validate("codes", df, schema) is not None
    with pytest.raises(TableContractError, match="blank"):
        catalog.validate("codes", _codes(code=" "), schema)
    lenient = catalog.view("codes", ["code"], values=False, nullable=True)
    catalog.validate("codes", pd.DataFrame({"code": [" ", None]}), lenient)
    with pytest.raises(KeyError, match="no column"):
        catalog.view("codes", ["nonsense"])


def test_read_and_write(tmp_path):
    with pytest.raises(MissingTableError, match="make code"):
        catalog.read("codes", tmp_path)
    written = catalog.write("codes", _codes(), tmp_path)
    assert [p.name for p in written] == ["codes.parquet", "codes.csv"]
    pd.testing.assert_frame_equal(catalog.read("codes", tmp_path), _codes())
    with pytest.raises(TableContractError):
        catalog.write("codes", _codes(confidence=2.0), tmp_path)
    skipped = pd.DataFrame({"response_id": ["R1"], "reason": ["no text left after redaction"]})
    assert catalog.write("coding_skipped", skipped, tmp_path) == [tmp_path / "coding_skipped.csv"]
    pd.testing.assert_frame_equal(catalog.read("coding_skipped", tmp_path), skipped)
    assert catalog.path("theme_coverage", tmp_path) == tmp_path / "plan_check" / "theme_coverage.parquet"
    with pytest.raises(KeyError, match="the tables are"):
        catalog.table("nonsense")


def test_a_csv_table_with_a_schema_reads_back_typed(tmp_path):
    dup = pd.DataFrame({"response_id_kept": ["R1"], "duplicate_source_file": ["a.csv"],
                        "duplicate_source_location": ["row=2"], "kind": ["near_answer"], "similarity": [96.5]})
    catalog.write("duplicates", dup, tmp_path)
    back = catalog.read("duplicates", tmp_path)
    catalog.validate("duplicates", back)
    assert back["similarity"].tolist() == [96.5]


def test_an_empty_csv_table_reads_back_with_its_types(tmp_path):
    empty = pd.DataFrame({c: pd.Series(dtype="float64" if c == "similarity" else "str")
                          for c in catalog.columns("duplicates")})
    catalog.write("duplicates", empty, tmp_path)
    catalog.validate("duplicates", catalog.read("duplicates", tmp_path))
