"""Fixtures shared by several test modules (test modules never import each other).

* :mod:`testkit.reports`: hand-written processed tables for the report tests;
* :mod:`testkit.html_checks`: the accessibility audit, CSS colour pairs and headless Chromium;
* :mod:`testkit.engage`: the engagement kit's tables;
* :mod:`testkit.ingest_builders`: tiny hand-written returns, generated into a temporary folder.

Fixtures that need pytest (temporary folders, environment) are in ``tests/conftest.py``.
"""
