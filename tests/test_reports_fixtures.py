"""The report tests' hand-written processed tables (:mod:`testkit.reports`) follow the contract, and
:func:`pipeline.reports.inputs.load_inputs` reads them and explains what is missing or wrong."""

from __future__ import annotations

from testkit.reports import make_tables, write_processed

from pipeline.reports.inputs import load_inputs, validate_inputs


def test_fixture_tables_follow_the_contract():
    validate_inputs(make_tables())


def test_load_inputs_reads_present_tables_and_explains_missing_ones(tmp_path):
    write_processed(tmp_path, skip=("topics", "statement_topics"), evaluation=None)
    inputs = load_inputs(tmp_path)
    assert inputs.has("statements", "codes", "returns")
    assert inputs.get("topics") is None
    assert "make topics" in inputs.missing["topics"]
    assert inputs.evaluation is None
    assert inputs.code_names["PA1"]


def test_a_table_that_breaks_the_contract_is_explained_in_plain_english():
    import pytest

    from pipeline.reports.inputs import ReportInputError

    tables = make_tables()
    tables["statements"] = tables["statements"].drop(columns=["stance"])
    tables["codes"].loc[0, "code"] = "Priority 1"
    with pytest.raises(ReportInputError) as info:
        validate_inputs(tables)
    message = str(info.value)
    assert "statements.parquet" in message and "stance" in message and "make code" in message
