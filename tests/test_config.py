"""Tests for pipeline.config and pipeline.common: paths, YAML loading, run-config records."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline import config
from pipeline.common import read_table, resolve_paths, write_table


def test_resolve_paths_defaults_to_sample_and_names_consultation_after_raw_folder(tmp_path):
    paths = resolve_paths()
    assert paths.consultation == "sample"
    assert paths.raw == config.RAW_DIR / "sample"
    other = resolve_paths(raw=tmp_path / "spring2026")
    assert other.consultation == "spring2026"
    assert other.out == config.PROCESSED_DIR / "spring2026"


def test_load_yaml_errors_are_plain_english(tmp_path):
    with pytest.raises(config.ConfigError, match="is missing"):
        config.load_yaml(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(config.ConfigError, match="not valid YAML"):
        config.load_yaml(bad)
    listy = tmp_path / "list.yaml"
    listy.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(config.ConfigError, match="mapping"):
        config.load_yaml(listy)


def test_every_config_yaml_loads():
    for path in sorted(config.CONFIG_DIR.glob("*.yaml")):
        assert isinstance(config.load_yaml(path), dict), path


def test_write_run_config_records_params_settings_and_input_hashes(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("hello", encoding="utf-8")
    path = config.write_run_config(tmp_path / "out", "demo", {"threshold": 0.5, "where": Path("x")}, [source])
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert path.name == "demo.config.yaml"
    assert record["params"] == {"threshold": 0.5, "where": "x"}
    assert record["settings"]["disclosure"]["min_count"] == config.settings()["disclosure"]["min_count"]
    # sha256 of b"hello"
    assert record["inputs"][str(source)] == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"


def test_write_and_read_table_round_trip_with_csv_copy(tmp_path):
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    written = write_table(df, tmp_path / "t.parquet")
    assert [p.name for p in written] == ["t.parquet", "t.csv"]
    pd.testing.assert_frame_equal(read_table(tmp_path / "t.parquet", "t", "ingest"), df)


def test_read_table_says_which_make_target_to_run(tmp_path):
    with pytest.raises(SystemExit, match="make code"):
        read_table(tmp_path / "statements.parquet", "the coded statements", "code")
