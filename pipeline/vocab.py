"""Controlled vocabularies (cohorts, police force areas, engagement methods, questions).

Maps free text from manifests, spreadsheets and headings onto the ids in
``config/vocabularies.yaml`` and ``config/questions.yaml``. Pure functions; the runner loads
the YAML and passes it in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

UNKNOWN = "unknown"
MULTI_SEP = ";"


def normalise_label(text: str) -> str:
    """Lower-case, fold apostrophes and dashes, drop punctuation, collapse spaces (for matching)."""
    text = str(text).lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def alias_table(vocab: Mapping[str, Any]) -> dict[str, str]:
    """Map each normalised alias (and the id and label themselves) to its vocabulary id."""
    table: dict[str, str] = {}
    for key, spec in vocab.items():
        spec = spec or {}
        for alias in [key, spec.get("label", ""), *spec.get("aliases", [])]:
            if alias:
                table.setdefault(normalise_label(alias), key)
    return table


def map_value(value: Any, vocab: Mapping[str, Any]) -> str:
    """Map one free-text value (possibly several separated by ``;`` ``,`` ``/`` or "and") to vocabulary ids.

    Returns the ids joined by ``;`` in vocabulary order, or ``unknown`` when nothing matches.
    """
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return UNKNOWN
    table = alias_table(vocab)
    whole = normalise_label(value)
    if whole in table:
        return table[whole]
    parts = [normalise_label(p) for p in re.split(r"[;,/|]|\band\b|&", str(value))]
    found = {table[p] for p in parts if p in table}
    if not found:
        return UNKNOWN
    order = list(vocab.keys())
    return MULTI_SEP.join(sorted(found, key=order.index))


def split_multi(value: str) -> list[str]:
    """Split a ``;``-joined vocabulary value into its ids (``unknown`` stays a single id)."""
    return [v for v in str(value).split(MULTI_SEP) if v] or [UNKNOWN]


def explode_multi(values: Iterable[str]) -> list[str]:
    """Flatten several ``;``-joined values into one list of ids (for counting)."""
    return [v for value in values for v in split_multi(value)]
