"""pipeline.runner: a stage declared once is read, run, validated, written and recorded the same way."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from pipeline.common import RunPaths
from pipeline.errors import MissingTableError, TableContractError
from pipeline.runner import Stage, StageOutput, execute
from pipeline.settings import load_settings


def _paths(tmp_path) -> RunPaths:
    return RunPaths("t", tmp_path / "raw", tmp_path / "out", tmp_path / "reports")


def _codes(code: str = "PA1") -> pd.DataFrame:
    return pd.DataFrame({"statement_id": ["R1-S01"], "code": [code], "subtheme": [""], "confidence": [0.9],
                         "evidence": [""], "source": ["model"]})


def _skipped_run(tables, settings):
    seen = tables["codes"]
    skipped = pd.DataFrame({"response_id": ["R1"], "reason": [f"{len(seen)} code row(s) seen"]})
    return StageOutput({"coding_skipped": skipped}, {"n": len(seen)}, files={"note.json": "{}"},
                       documents={"x/doc.html": "<p>hi</p>"})


def test_execute_reads_runs_writes_and_records(tmp_path):
    paths = _paths(tmp_path)
    paths.out.mkdir(parents=True)
    _codes().to_parquet(paths.out / "codes.parquet", index=False)
    stage = Stage("demo", _skipped_run, reads=("codes",), reads_optional=("topics",))
    execute(stage, paths, load_settings(), extra={"flag": True})
    assert pd.read_csv(paths.out / "coding_skipped.csv")["reason"].tolist() == ["1 code row(s) seen"]
    assert (paths.out / "note.json").read_text() == "{}"
    assert (paths.reports / "x" / "doc.html").read_text() == "<p>hi</p>"
    record = yaml.safe_load((paths.out / "demo.config.yaml").read_text())
    assert record["params"] == {"n": 1, "flag": True}
    assert list(record["inputs"]) == [str(paths.out / "codes.parquet")]
    assert record["settings"]["disclosure"]["min_count"] == 5


def test_a_missing_required_table_says_what_to_run(tmp_path):
    with pytest.raises(MissingTableError, match="make code"):
        execute(Stage("demo", _skipped_run, reads=("codes",)), _paths(tmp_path), load_settings())


def test_outputs_are_validated_before_they_are_written(tmp_path):
    def bad(tables, settings):
        return StageOutput({"codes": _codes(code="")})

    with pytest.raises(TableContractError, match="codes.parquet"):
        execute(Stage("demo", bad), _paths(tmp_path), load_settings())
    assert not (_paths(tmp_path).out / "codes.parquet").exists()
