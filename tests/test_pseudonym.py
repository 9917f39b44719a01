"""Tests for pipeline.pseudonym: the participant key is a per-consultation secret, never in git."""

import stat
import subprocess
from pathlib import Path

import pytest

from pipeline import config
from pipeline.ingest.stage import participant_ref
from pipeline.pseudonym import ENV_VAR, KEY_FILE, PseudonymKeyError, pseudonym_key, with_key

ROOT = Path(__file__).parents[1]


def test_key_is_made_once_with_the_raw_returns_and_kept_private(tmp_path):
    key = pseudonym_key(tmp_path, environ={})
    path = tmp_path / KEY_FILE
    assert len(key) == 64 and path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert pseudonym_key(tmp_path, environ={}) == key  # the same key on the next run


def test_environment_variable_wins_and_short_keys_are_refused(tmp_path):
    assert pseudonym_key(tmp_path, environ={ENV_VAR: "x" * 20}) == "x" * 20
    assert not (tmp_path / KEY_FILE).exists()
    with pytest.raises(PseudonymKeyError):
        pseudonym_key(tmp_path, environ={ENV_VAR: "short"})
    with pytest.raises(PseudonymKeyError):
        pseudonym_key(tmp_path / "none", environ={}, create=False)


def test_references_differ_between_keys_so_a_guessed_name_cannot_be_checked(tmp_path):
    a = participant_ref("Org", "file.docx", "Tyrone Davies", pseudonym_key(tmp_path / "a", environ={}))
    b = participant_ref("Org", "file.docx", "Tyrone Davies", pseudonym_key(tmp_path / "b", environ={}))
    assert a != b and a.startswith("P-")
    settings = with_key({"ingest_layout": {"x": 1}}, "k" * 20)
    assert settings["ingest_layout"] == {"x": 1, "participant_salt": "k" * 20}


def test_no_key_in_settings_and_key_files_ignored_by_git():
    assert "participant_salt" not in config.settings().get("ingest_layout", {})
    out = subprocess.run(["git", "check-ignore", "-q", f"data/raw/sample/{KEY_FILE}"], cwd=ROOT, check=False)
    assert out.returncode == 0
