"""Tests of pipeline.coding.training: what the coder learns from, and the one way a coder is built."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from pipeline.coding.training import TRAINING_COLUMNS, TrainingDataError, coder_params, training_data

PA = {f"PA{i}" for i in range(1, 8)}


def test_training_files_are_learned_from_and_a_file_for_another_codebook_is_left_out(tmp_path, caplog):
    ours = tmp_path / "ours.csv"
    ours.write_text("text,codes,stance\nStop searching us.,PA6,disagree\nThanks for coming.,,unclear\n", encoding="utf-8")
    other = tmp_path / "other.csv"
    other.write_text("text,codes\nGambling adverts everywhere.,q2_A\n", encoding="utf-8")
    analyst = pd.DataFrame({"statement_id": ["S1"], "text": ["Hire Black officers."], "codes": ["PA2"],
                            "stance": [""], "question": ["solutions"]})
    with caplog.at_level(logging.WARNING, logger="pipeline.coding"):
        generic, own, used = training_data([ours, other], analyst, PA)
    assert used == [ours]
    assert list(generic.columns) == TRAINING_COLUMNS and list(own.columns) == TRAINING_COLUMNS
    assert generic["text"].tolist() == ["Stop searching us.", "Thanks for coming."]
    assert generic["codes"].tolist() == ["PA6", ""]
    assert generic["question"].tolist() == ["", ""]  # blank where the file has no such column
    assert own["text"].tolist() == ["Hire Black officers."] and own["question"].tolist() == ["solutions"]
    assert "left out the training file" in caplog.text and "q2_A" in caplog.text


def test_a_missing_training_file_is_a_plain_error(tmp_path):
    with pytest.raises(TrainingDataError, match="take it off the list") as err:
        training_data([tmp_path / "gone.csv"], None, {"PA1"})
    assert "gone.csv" in str(err.value) and "coding.training_files" in str(err.value)


def test_a_training_file_without_codes_is_a_plain_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("text\nhello\n", encoding="utf-8")
    with pytest.raises(TrainingDataError, match="needs the columns 'text' and 'codes'"):
        training_data([bad], None, PA)


def test_coder_params_takes_only_coder_settings():
    params = coder_params({"random_state": 7, "C": 2.0, "min_words": 5, "threshold_bounds": [0.2, 0.8]})
    assert params == {"C": 2.0, "threshold_bounds": (0.2, 0.8), "random_state": 7}
