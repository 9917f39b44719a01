"""Shared test set-up: a fixture pseudonym key, so no test creates a key file beside its fixtures."""

import pytest

#: The fixture key every test ingests with (never a real consultation's key).
FIXTURE_KEY = "test-fixture-pseudonym-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def _pseudonym_key(monkeypatch):
    monkeypatch.setenv("CJIW_PSEUDONYM_KEY", FIXTURE_KEY)
