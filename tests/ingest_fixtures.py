"""Shared by the ingest tests: ``B``, the return builders of ``tests/fixtures/ingest/builders.py``.

The builders file is loaded by its path: ``tests/fixtures`` is not a package, and importing it as
one could clash with an installed package called ``fixtures``.
"""

import importlib.util
from pathlib import Path


def _load_builders():
    path = Path(__file__).parent / "fixtures" / "ingest" / "builders.py"
    spec = importlib.util.spec_from_file_location("ingest_builders", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


B = _load_builders()
