"""Place a heading, column name or label on one of the consultation's questions.

Matching uses the aliases in ``config/questions.yaml`` (English and Welsh), compared after
:func:`pipeline.vocab.normalise_label` (case, punctuation and spacing ignored):

1. the whole label is an alias ("Q1", "Have we listened?", "Ydych chi wedi gwrando?", "1.");
2. the label starts with an alias ("Q2: what did we get wrong", "Listened - comments");
3. the label contains a *distinctive* alias phrase ("3. Have we outlined the solutions?").

Bare-number aliases ("1") only ever match a whole label such as "1" or "1.", never a label that
merely starts with a digit. Anything that matches nothing is ``unknown``: readers keep the answer
and the ledger shows how many answers were not placed. Used by the readers; run through
``python -m pipeline ingest``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.vocab import UNKNOWN, normalise_label

#: A "distinctive" alias for containment matching has at least this many words, or this many characters.
_DISTINCTIVE_WORDS = 2
_DISTINCTIVE_CHARS = 8


@dataclass(frozen=True)
class QuestionMatcher:
    """Map labels onto question ids using the aliases of ``config/questions.yaml``.

    Args:
        questions: The ``questions`` mapping of ``config/questions.yaml`` (id -> {label, aliases}).
    """

    questions: Mapping[str, Any]
    _aliases: tuple[tuple[str, str], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        pairs: dict[str, str] = {}
        for qid, spec in self.questions.items():
            spec = spec or {}
            for alias in [qid, spec.get("label", ""), *spec.get("aliases", [])]:
                norm = normalise_label(alias)
                if norm:
                    pairs.setdefault(norm, qid)
        # Longest aliases first, so "other comments" wins over "comments" and "q1" never shadows a phrase.
        ordered = tuple(sorted(pairs.items(), key=lambda kv: (-len(kv[0]), kv[0])))
        object.__setattr__(self, "_aliases", ordered)

    @property
    def ids(self) -> list[str]:
        """The question ids in config order."""
        return list(self.questions.keys())

    def match(self, label: Any, strict: bool = False) -> str:
        """Return the question id a label names, or ``unknown``.

        Args:
            label: A heading, column name or label.
            strict: Only whole-label matches and starts-with matches of distinctive or numbered
                aliases (for lines of running text, where "the challenges" inside a sentence or a
                line opening "Other points..." must not start a new question).
        """
        norm = normalise_label(label) if label is not None else ""
        if not norm:
            return UNKNOWN
        # "1. Have we listened?" -> also try "have we listened" (the number alone is not trusted).
        candidates = [norm]
        numbered = re.match(r"^\d{1,2} (.+)$", norm)
        if numbered:
            candidates.append(numbered.group(1))
        for alias, qid in self._aliases:
            if any(c == alias for c in candidates):
                return qid
        for alias, qid in self._aliases:
            if alias.isdigit():
                continue
            if strict and not (_distinctive(alias) or re.search(r"\d", alias)):
                continue  # a line starting "Other points raised..." is text, not the "Other" heading
            if any(c.startswith(alias + " ") for c in candidates):
                return qid
        if strict:
            return UNKNOWN
        for alias, qid in self._aliases:
            if alias.isdigit() or not _distinctive(alias):
                continue
            if re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", norm):
                return qid
        return UNKNOWN

    def is_question(self, label: Any, strict: bool = False) -> bool:
        """True when the label names one of the questions."""
        return self.match(label, strict=strict) != UNKNOWN


def _distinctive(alias: str) -> bool:
    return len(alias.split()) >= _DISTINCTIVE_WORDS or len(alias) >= _DISTINCTIVE_CHARS
