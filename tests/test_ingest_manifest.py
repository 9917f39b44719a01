"""Tests for pipeline.ingest.manifest: reading returns.csv and mapping its values."""

import pandas as pd
import pytest

from pipeline import config
from pipeline.ingest.manifest import (
    ManifestError,
    find_manifest,
    load_manifest,
    metadata_for,
    missing_entries,
    normalise_manifest,
)

VOCAB = config.load_yaml("vocabularies.yaml")


def test_columns_are_matched_loosely_and_values_mapped(tmp_path):
    path = tmp_path / "returns.csv"
    path.write_text(
        "File;Organisation;Cohorts;Police force area;Method;Participants\n"
        "a.docx;Org A;Care experienced; Gwent Police;Focus groups;14\n"
        "sub/b.xlsx;Org B;schools, prison;Gwynedd;questionnaire;\n"
        "c.csv;Org C;aliens;Mars;telepathy;3\n",
        encoding="utf-8",
    )
    assert find_manifest(tmp_path) == path
    m = normalise_manifest(load_manifest(path), VOCAB)
    a = metadata_for(m, "a.docx")
    assert (a["cohort"], a["police_force_area"], a["engagement_method"]) == ("looked_after_children", "Gwent", "focus_group")
    assert a["n_participants"] == 14
    b = metadata_for(m, "sub/b.xlsx")
    assert b["cohort"] == "prison;schools" and b["police_force_area"] == "North Wales"
    assert pd.isna(b["n_participants"])
    c = metadata_for(m, "c.csv")
    assert c["cohort"] == "unknown"
    assert "cohort 'aliens' is not in config/vocabularies.yaml" in c["manifest_issues"]
    assert "engagement_method 'telepathy'" in c["manifest_issues"]


def test_files_are_found_by_name_and_missing_entries_listed(tmp_path):
    manifest = normalise_manifest(pd.DataFrame({"file": ["a.docx", "gone.docx"], "organisation": ["A", "G"]}), VOCAB)
    assert metadata_for(manifest, "returns/a.docx")["organisation"] == "A"  # moved into a sub-folder
    assert metadata_for(manifest, "other.docx") is None
    assert missing_entries(manifest, ["returns/a.docx"]) == ["gone.docx"]


def test_manifest_without_a_file_column_is_a_plain_error():
    with pytest.raises(ManifestError, match="no column naming the files"):
        normalise_manifest(pd.DataFrame({"organisation": ["A"]}), VOCAB)
