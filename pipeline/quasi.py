"""Screen quotes for quasi-identifiers: details that together point at one person.

Redaction removes names, numbers and addresses, but a quote can still identify someone in a small
community through a combination of details. Before any quote is shown (theme report,
organisation reports, topic quotes, triangulation, plan-check), :func:`screen_quote` looks for:

- **a rare role plus a place**: "the only Black officer in Aberystwyth", "the first Somali
  magistrate in Newport", "the only Traveller girl at my school";
- **an age plus a small place**: "a 15-year-old lad from Pwllheli", "I'm 16 and live in Tywyn"
  (the large places in ``large_places`` do not count);
- **a named school or youth club plus an incident**: "excluded from Ysgol Glan Taf", "got
  searched outside St Teilo's High", "the stabbing at Splott youth club".

A quote with such a combination is **cut** (the sentences holding it become "[…]") when what is left
is still a quote of at least ``min_chars_after_cut`` characters, otherwise **withheld**. Every
decision, with its reason, goes into a table for the analyst (:func:`screen_table`). The word lists
are in ``config/redaction.yaml`` under ``quasi_identifiers``. It is a screen, not a guarantee: an
analyst still reads every quote before publication.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from pipeline.settings import lookup

CUT = "[\u2026]"
DECISION_COLUMNS = ["statement_id", "action", "reason", "text_shown"]


@dataclass(frozen=True)
class QuasiDecision:
    """What to do with one quote: ``keep``, ``cut`` (``text`` is the cut quote) or ``withhold``."""

    action: str
    text: str
    reason: str = ""


def _alt(values: Iterable[Any]) -> str:
    return "|".join(sorted((re.escape(str(v)) for v in values if str(v)), key=len, reverse=True))


@lru_cache(maxsize=8)
def _compiled(key: tuple) -> dict[str, Any]:
    cfg = dict(key)
    groups = _alt(cfg.get("group_words", ()))
    roles = _alt(cfg.get("role_words", ()))
    rare = _alt(cfg.get("rare_markers", ("only", "first")))
    places = _alt(cfg.get("places", ()))
    settings = _alt(cfg.get("setting_words", ("school", "youth club", "academy", "college")))
    streets = _alt(cfg.get("street_words", ("Road", "Street", "Close")))
    incidents = _alt(cfg.get("incident_words", ("excluded", "arrested", "searched", "stabbed")))
    months = _alt(cfg.get("months", ("January", "February")))
    word = r"[A-Z][\w'\u2019\-]*"
    words = rf"{word}(?:[\s\-](?:y\s+|yr\s+|'r\s+|of\s+)?{word}){{0,3}}"
    return {
        # "the only Black officer", "the first Somali magistrate", "the one Traveller site", "only one Sikh family"
        "unique": re.compile(
            rf"(?i:\b(?:the|an?|one)\s+(?:{rare})\s+(?:[\w\-]+\s+){{0,3}}?(?:(?:{groups})|(?:{roles}))s?\b"
            rf"|\bonly\s+one\s+(?:[\w\-]+\s+){{0,2}}?(?:(?:{groups})|(?:{roles}))s?\b"
            rf"|\bthe\s+one\s+(?:(?:{groups})\s+)+(?:{roles}|site|family|shop|stall|church|mosque)s?\b"
            rf"|\b(?:oldest|youngest)\s+(?:[\w\-]+\s+){{0,3}}?(?:ever|in|on|at|of)\b)"
        ),
        # "there's only me", "the only one": unique, but only with a named place or an age
        "only_me": re.compile(r"(?i:\bthere'?s\s+only\s+(?:me|us|him|her|one)\b|\bthe\s+only\s+one\b)"),
        # "I'm the Kurdish barber on ...", "my brother was the one who died ...", "I was the 17-year-old from ..."
        "self": re.compile(
            r"(?i:\b(?:i'm|i\s+am|im|i\s+was|i'd\s+be|as|being|(?:my|our)\s+\w+(?:'s|\s+is|\s+was))\s+the\s+"
            r"(?:[\w'\-]+\s+){0,5}?(?:who|whose|that|at|on|in|from|with|of)\b)"
        ),
        "group": re.compile(rf"(?i:\b(?:{groups})s?\b)"),
        "place": re.compile(rf"\b(?:{places})\b|\b(?i:in|at|from|near|outside|to|on|round)\s+(?:the\s+)?(?P<cap>{words})"),
        "large": frozenset(str(p).lower() for p in cfg.get("large_places", ())),
        "not_place": frozenset(str(w).lower() for w in cfg.get("not_places", ())),
        "age": re.compile(
            r"(?i:\b\d{1,2}\s*(?:-\s*)?(?:years?|yrs?|yo)(?:\s*-?\s*old)?\b|\baged?\s+\d{1,2}\b"
            r"|\b(?:i'm|i\s+am|im|he's|she's|he\s+is|she\s+is|was)\s+\d{1,2}\b|\b\d{1,3}\s+this\s+year\b"
            r"|\bin\s+(?:my|his|her)\s+(?:teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b"
            r"|\b(?:eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen)[\s\-]year[\s\-]old\b|\byear\s+\d{1,2}\b)"
        ),
        # a named school, club, site, street, prison, custody suite or market
        "setting": re.compile(
            rf"\b(?:Ysgol|Coleg|HMP|HMYOI|YOI|St\.?|Saint)\s+{words}"
            rf"|\b{words}\s+(?i:{settings})\b|\b{words}\s+(?:{streets})\b"
        ),
        "incident": re.compile(rf"(?i:\b(?:{incidents}))"),
        "date": re.compile(
            rf"\b(?:(?:last|this|in|on|since|every)\s+)?(?:{months})\b|\b(?:19|20)\d{{2}}\b"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)\b|(?i:\b(?:bonfire\s+night|new\s+year'?s|christmas\s+day|eid|results\s+day"
            rf"|last\s+(?:spring|summer|autumn|winter|week|month|year)))\b"
        ),
    }


def _key(cfg: Mapping[str, Any]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in cfg.items()))


def _places(sentence: str, c: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """``(small, large)`` places named in a sentence."""
    small, large = [], []
    for m in c["place"].finditer(sentence):
        place = (m.group("cap") or m.group(0)).strip()
        low = place.lower()
        first = low.split()[0] if low else ""
        if not place or first in c["not_place"] or low in c["not_place"] or place.startswith("["):
            continue
        (large if low in c["large"] or first in c["large"] else small).append(place)
    return small, large


def _findings(sentence: str, c: Mapping[str, Any]) -> list[str]:
    found = []
    small, large = _places(sentence, c)
    setting = c["setting"].search(sentence)
    unique = c["unique"].search(sentence)
    self_id = c["self"].search(sentence)
    age = c["age"].search(sentence)
    incident = c["incident"].search(sentence)
    date = c["date"].search(sentence)
    group = c["group"].search(sentence)
    named = bool(small or large or setting)
    only_me = c["only_me"].search(sentence)
    if unique and (named or group or age):
        found.append(f"a rare role or unique detail with a place or group (\u201c{unique.group(0).strip()}\u201d)")
    elif only_me and (named or age):
        found.append(f"a unique detail with a place (\u201c{only_me.group(0).strip()}\u201d)")
    elif self_id and (small or setting or (large and (group or age or incident or date))):
        found.append("a description that fits one person, with a place")
    if age and (small or setting):
        found.append(f"an age with a small place or named setting (\u201c{age.group(0).strip()}\u201d)")
    if setting and (incident or date) and not setting.group(0).startswith("["):
        found.append("a named school, club, site, street or prison with an incident or date")
    elif small and incident and date:
        found.append("a small place with a dated incident")
    return found


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return [p for p in parts if p]


def screen_quote(text: str, config: Mapping[str, Any], min_chars_after_cut: int | None = None) -> QuasiDecision:
    """Decide whether a quote may be shown as it is, cut, or withheld.

    Args:
        text: The (already redacted) quote.
        config: ``config/redaction.yaml`` ``quasi_identifiers`` section.
        min_chars_after_cut: Shortest quote worth showing after a cut (default: ``config``'s, else
            ``config/redaction.yaml``'s ``quasi_identifiers.min_chars_after_cut``).

    Returns:
        :class:`QuasiDecision`; ``reason`` names the combination found, in plain English.
    """
    c = _compiled(_key(config))
    if min_chars_after_cut is None:
        min_chars_after_cut = lookup({"quasi_identifiers": config}, "quasi_identifiers.min_chars_after_cut", "redaction.yaml")
    limit = int(min_chars_after_cut)
    sentences = _sentences(str(text))
    flagged: list[tuple[int, list[str]]] = [(i, f) for i, s in enumerate(sentences) if (f := _findings(s, c))]
    whole = _findings(str(text), c) if not flagged else []
    if not flagged and not whole:
        return QuasiDecision("keep", str(text))
    reasons = sorted({r for _, f in flagged for r in f} | set(whole))
    reason = "; ".join(reasons)
    if whole:
        return QuasiDecision("withhold", "", reason + " (across sentences)")
    bad = {i for i, _ in flagged}
    kept = []
    for i, s in enumerate(sentences):
        if i in bad:
            if not kept or kept[-1] != CUT:
                kept.append(CUT)
        else:
            kept.append(s)
    cut = " ".join(kept)
    rest = " ".join(s for i, s in enumerate(sentences) if i not in bad)
    if len(rest) >= limit and not _findings(rest, c):
        return QuasiDecision("cut", cut, reason)
    return QuasiDecision("withhold", "", reason)


def screen_frame(
    quotes: pd.DataFrame, config: Mapping[str, Any], text_col: str = "text"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply :func:`screen_quote` to every row: ``(shown, decisions)``.

    Args:
        quotes: Candidate quotes (with ``text_col`` and, ideally, ``statement_id``).
        config: ``quasi_identifiers`` section of ``config/redaction.yaml``.
        text_col: The column holding the quote.

    Returns:
        ``shown``: a new frame without the withheld rows and with cut quotes cut; ``decisions``:
        one row per quote that was cut or withheld (:data:`DECISION_COLUMNS`).
    """
    decisions = [screen_quote(t, config) for t in quotes[text_col].fillna("").astype(str)]
    out = quotes.copy()
    out[text_col] = [d.text if d.action == "cut" else t for d, t in zip(decisions, quotes[text_col], strict=True)]
    keep = [d.action != "withhold" for d in decisions]
    ids = quotes["statement_id"].astype(str).tolist() if "statement_id" in quotes.columns else [str(i) for i in quotes.index]
    rows = [
        {"statement_id": sid, "action": d.action, "reason": d.reason, "text_shown": d.text}
        for sid, d in zip(ids, decisions, strict=True)
        if d.action != "keep"
    ]
    return out[keep], pd.DataFrame(rows, columns=DECISION_COLUMNS)


def screen_table(statements: pd.DataFrame, config: Mapping[str, Any], text_col: str = "text") -> pd.DataFrame:
    """The analyst's table: every statement that would be cut or withheld if quoted, with the reason.

    Args:
        statements: Statements (``statement_id``, ``text``; ``organisation`` and ``cohort`` kept when present).
        config: ``quasi_identifiers`` section of ``config/redaction.yaml``.
        text_col: The column holding the text.

    Returns:
        :data:`DECISION_COLUMNS` plus ``organisation`` and ``cohort`` when present, withheld first.
    """
    uniq = statements.drop_duplicates("statement_id") if "statement_id" in statements.columns else statements
    _, decisions = screen_frame(uniq, config, text_col)
    extra = [c for c in ("organisation", "cohort") if c in uniq.columns]
    if extra and "statement_id" in uniq.columns:
        decisions = decisions.merge(uniq[["statement_id", *extra]].astype({"statement_id": str}), on="statement_id", how="left")
    return decisions.sort_values(["action", "statement_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def screen_texts(texts: Sequence[str], config: Mapping[str, Any]) -> list[str]:
    """The texts that may be shown, in order: withheld ones dropped, cut ones cut (for simple quote pickers)."""
    out = []
    for t in texts:
        d = screen_quote(str(t), config)
        if d.action != "withhold":
            out.append(d.text)
    return out


def load_config() -> dict[str, Any]:
    """The ``quasi_identifiers`` section of ``config/redaction.yaml`` (empty mapping when absent)."""
    from pipeline import config as cfg

    return dict(cfg.load_yaml("redaction.yaml").get("quasi_identifiers", {}) or {})
