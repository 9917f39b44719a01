"""Detect each answer's language: ``en`` (English), ``cy`` (Welsh) or ``other``.

The detector is lingua restricted to English and Welsh (built once per process): on short
answers this is far more accurate than a detector loaded with every language, and the question
it answers is the one that matters here (which answers are in Welsh).

How ``other`` is decided: lingua, restricted to two languages, can only say "English" or "Welsh"
or "neither". An answer is ``other`` when lingua gives neither language any confidence, which is
what happens for text in another script (Arabic, Cyrillic, Tigrinya, ...) or with no letters at
all (e.g. "10/10"). Latin-script text in a third language (e.g. Polish) is labelled with whichever
of English/Welsh it resembles more; the plan author's Welsh-language summary only needs ``cy``.
Very short answers are ambiguous ("No", "Do", "Dim" are words in both languages and lingua splits
them about 50/50), so an answer is ``cy`` only when lingua's Welsh confidence is at least
:data:`WELSH_MIN_CONFIDENCE` (0.65); "Ydw", "Naddo", "Diolch", "Dim o gwbl" all clear it easily.
Placeholders such as ``[NAME]`` are ignored. Used by ``python -m pipeline ingest``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import pandas as pd

_PLACEHOLDER_RE = re.compile(r"\[[A-Z_]+\]")
#: lingua's Welsh confidence (0-1) needed to call an answer Welsh.
WELSH_MIN_CONFIDENCE = 0.65


@lru_cache(maxsize=1)
def detector():
    """The lingua detector for English and Welsh (built once)."""
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.WELSH).build()


def detect_language(text: str, welsh_min_confidence: float = WELSH_MIN_CONFIDENCE) -> str:
    """Return ``en``, ``cy`` or ``other`` for one text."""
    from lingua import Language

    clean = _PLACEHOLDER_RE.sub(" ", str(text))
    if not re.search(r"[A-Za-z\u00c0-\u024f]", clean):
        return "other"
    values = {c.language: c.value for c in detector().compute_language_confidence_values(clean)}
    en, cy = values.get(Language.ENGLISH, 0.0), values.get(Language.WELSH, 0.0)
    if en == 0.0 and cy == 0.0:
        return "other"
    return "cy" if cy > en and cy >= welsh_min_confidence else "en"


def detect_languages(texts: Iterable[str], welsh_min_confidence: float = WELSH_MIN_CONFIDENCE) -> list[str]:
    """Languages of many texts (in order), as :func:`detect_language` decides them one by one.

    The texts are given to lingua in one batch, which it scores on all CPU cores.
    """
    from lingua import Language

    clean = [_PLACEHOLDER_RE.sub(" ", str(t)) for t in texts]
    has_letters = [bool(re.search(r"[A-Za-z\u00c0-\u024f]", c)) for c in clean]
    scored = detector().compute_language_confidence_values_in_parallel([c for c, ok in zip(clean, has_letters, strict=True) if ok])
    out: list[str] = []
    it = iter(scored)
    for ok in has_letters:
        if not ok:
            out.append("other")
            continue
        values = {c.language: c.value for c in next(it)}
        en, cy = values.get(Language.ENGLISH, 0.0), values.get(Language.WELSH, 0.0)
        if en == 0.0 and cy == 0.0:
            out.append("other")
        else:
            out.append("cy" if cy > en and cy >= welsh_min_confidence else "en")
    return out


def add_language(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with a ``language`` column detected from ``text``."""
    out = df.copy()
    out["language"] = detect_languages(out["text"].astype(str).tolist())
    return out
