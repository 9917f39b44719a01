"""Find people's names (and social-media handles) in answer text, as whole words.

Used by :mod:`pipeline.ingest.redact`. A name is found by any of these, each recorded as its
``source`` so the redaction log can say how sure it is:

- ``title``: a title or rank before a capitalised word ("PC O'Connor", "Sgt Hughes", "Mrs Begum").
- ``context``: a relation or role before a word ("my brother Tyrone", "her key worker, Bethan",
  "my mate tyrone"), an introduction ("my name is X", "call me X"), "X and I" / "me and X", or a
  capitalised word before a verb of speech or action ("Kasia said").
- ``gazetteer``: a capitalised word in the first-name gazetteer (below), not at a place or
  organisation ("Jamal", "Siobhan", "Oluwaseun").
- ``ner``: spaCy's small English model calls it a PERSON (only run on answers that still hold a
  capitalised word the other sources could not explain, to keep ingest fast).
- ``repeat``: the same name again elsewhere in the answer, in any case ("Tyrone ... tyrone").

Every name is extended over a following surname, Welsh patronymic ("Dylan ap Rhys", "Nia ferch
Emyr"), Irish/Arabic particles ("Ali bin Hamad", "Sean Mac Giolla") and hyphenated or apostrophe
forms, and is always replaced as whole words: "O'Connor", "Smith-Jones" and "Tyrone's" (as
"[NAME]'s") never leave part of a name beside the placeholder.

The gazetteer of first names and surnames comes from two packages with clear licences and lawful
sources, read at run time (no download): ``faker`` (MIT; per-country lists of common first and last
names compiled from public name-frequency lists, used here for Latin-script locales from Britain,
Ireland, Poland, Romania, Nigeria (Yoruba, Igbo, Hausa), Ghana (Twi), the Arab world, South Asia,
Iran, Turkey, East Africa and more) and ``names`` (MIT; the 1990 US Census first-name and surname
frequency lists, public domain). The often-cited ``names-dataset`` is not used: it was built from a
leak of Facebook users' data. ``config/redaction.yaml`` adds Welsh, Traveller and other names the
packages lack (``extra_first_names``) and lists the hard negatives that always stay (places,
organisations, prisons, forces, public figures acting publicly, days and months).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

#: Latin-script Faker locales whose first and last names form the gazetteer.
FAKER_LOCALES = (
    "en_GB", "en_IE", "ga_IE", "en_US", "pl_PL", "ro_RO", "cs_CZ", "sk_SK", "lt_LT", "lv_LV", "hu_HU", "bg_BG",
    "pt_PT", "es_ES", "it_IT", "fr_FR", "de_DE", "uk_UA", "ru_RU", "tr_TR", "fa_IR",
    "yo_NG", "ig_NG", "ha_NG", "en_NG", "tw_GH", "en_KE", "sw", "zu_ZA",
    "ar_AA", "ar_SA", "ar_PS", "ar_DZ", "bn_BD", "hi_IN", "en_IN", "en_PK", "gu_IN", "ta_IN", "ne_NP", "si_LK",
    "vi_VN", "id_ID",
)
_LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f'\u2019\-]+$")

#: One word of text: letters, then letters, digits, apostrophes or hyphens inside it.
WORD = re.compile(r"[A-Za-z\u00c0-\u024f](?:[A-Za-z\u00c0-\u024f0-9]|['\u2019\-](?=[A-Za-z\u00c0-\u024f]))*")
_POSSESSIVE = re.compile(r"['\u2019]s$", re.I)
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\"\u201c\u201d(\n\u2022*\-]|\u2013|\u2014)\s*$")
_STOP = frozenset(
    "a an the and or but if of on in at to by for with from into onto off up down out over under as is was be been am are "
    "were it its this that these those there here then than so not no nor too very can will just don should now i me my "
    "we us our you your he him his she her they them their what which who whom whose when where why how all any both each "
    "few more most other some such only own same do does did doing have has had having would could may might must shall "
    "yes yeah nah ok okay oh um uh er erm like innit".split()
)
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")


@dataclass(frozen=True)
class NameSpan:
    """A name (or handle) found in a text: character span, kind, and how it was found."""

    start: int
    end: int
    kind: str  # NAME or HANDLE
    source: str  # title, context, gazetteer, ner, repeat, handle


@lru_cache(maxsize=1)
def package_gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """First names and surnames (lower case) from the ``faker`` and ``names`` packages.

    Returns:
        ``(first_names, surnames)``. Either package missing gives an empty contribution (the
        config's own lists still work); ``make setup`` installs both.
    """
    first: set[str] = set()
    last: set[str] = set()
    for loc in FAKER_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        except (ImportError, AttributeError):
            continue
        for attr in dir(provider):
            if not (attr.startswith("first_names") or attr.startswith("last_names")):
                continue
            values = getattr(provider, attr)
            values = values.keys() if isinstance(values, Mapping) else values
            target = first if attr.startswith("first") else last
            for v in values:
                if isinstance(v, str):
                    for part in v.split():
                        if _LATIN.match(part) and len(part) > 1:
                            target.add(part.lower())
    try:
        import names as census

        folder = Path(census.__file__).parent
        for fname, target in (("dist.male.first", first), ("dist.female.first", first), ("dist.all.last", last)):
            path = folder / fname
            if path.exists():
                with path.open(encoding="utf-8") as fh:
                    for line in fh:
                        word = line.split(" ", 1)[0].strip().lower()
                        if len(word) > 1:
                            target.add(word)
    except ImportError:
        pass
    return frozenset(first), frozenset(last)


def _lower_set(values: Iterable[Any] | None) -> frozenset[str]:
    return frozenset(str(v).lower() for v in (values or []))


def _alt(values: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(v) for v in values), key=len, reverse=True))


@dataclass(frozen=True)
class NameFinder:
    """Name and handle finder built from ``config/redaction.yaml``.

    Args:
        config: The parsed ``config/redaction.yaml``.
    """

    config: Mapping[str, Any]
    first_names: frozenset[str] = field(init=False, repr=False)
    surnames: frozenset[str] = field(init=False, repr=False)
    keep: frozenset[str] = field(init=False, repr=False)
    keep_phrases: tuple[str, ...] = field(init=False, repr=False)
    common_words: frozenset[str] = field(init=False, repr=False)
    _title_re: re.Pattern[str] = field(init=False, repr=False)
    _relation_re: re.Pattern[str] = field(init=False, repr=False)
    _intro_re: re.Pattern[str] = field(init=False, repr=False)
    _and_i_re: re.Pattern[str] = field(init=False, repr=False)
    _me_and_re: re.Pattern[str] = field(init=False, repr=False)
    _verbs: frozenset[str] = field(init=False, repr=False)
    _weak_verbs: frozenset[str] = field(init=False, repr=False)
    _org_words: frozenset[str] = field(init=False, repr=False)
    _particles: frozenset[str] = field(init=False, repr=False)
    _place_preps: frozenset[str] = field(init=False, repr=False)
    _months: frozenset[str] = field(init=False, repr=False)
    _ambiguous: frozenset[str] = field(init=False, repr=False)
    _titles: frozenset[str] = field(init=False, repr=False)
    _handle_ctx_re: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        cfg = self.config
        pf, ps = package_gazetteer()
        extra_first = _lower_set(cfg.get("extra_first_names"))
        extra_last = _lower_set(cfg.get("extra_surnames"))
        not_first = _lower_set(cfg.get("not_first_names"))
        keep_all = [str(a) for a in (cfg.get("allow_list") or [])] + [str(a) for a in (cfg.get("public_figures") or [])]
        keep_words = _lower_set(cfg.get("not_names")) | _lower_set(cfg.get("never_names"))
        months = _lower_set(cfg.get("months"))
        single = (frozenset(a.lower() for a in keep_all if " " not in a) | keep_words) - _lower_set(cfg.get("ambiguous_places"))
        phrases = tuple(sorted({a.lower() for a in keep_all if " " in a}, key=len, reverse=True))
        set_ = object.__setattr__
        set_(self, "first_names", frozenset((pf | extra_first) - not_first))
        set_(self, "surnames", frozenset(ps | extra_last))
        set_(self, "keep", single)
        set_(self, "keep_phrases", phrases)
        set_(self, "common_words", _lower_set(cfg.get("common_words")))
        set_(self, "_months", months)
        set_(self, "_ambiguous", _lower_set(cfg.get("ambiguous_places")))
        set_(self, "_titles", _lower_set(cfg.get("titles")))
        set_(self, "_verbs", _lower_set(cfg.get("person_context")))
        set_(self, "_weak_verbs", _lower_set(cfg.get("person_context_weak")))
        set_(self, "_org_words", _lower_set(cfg.get("organisation_words")))
        set_(self, "_particles", _lower_set(cfg.get("name_particles")))
        set_(self, "_place_preps", _lower_set(cfg.get("place_prepositions")))
        titles = _alt(str(t) for t in cfg.get("titles", []) or ["Mr", "Mrs"])
        relations = _alt(str(t) for t in cfg.get("relations", []) or ["brother", "sister"])
        intros = _alt(str(t) for t in cfg.get("name_intros", []) or ["my name is"])
        word = WORD.pattern
        set_(self, "_title_re", re.compile(rf"(?<![\w\[])(?:{titles})\.?\s+(?P<name>{word})", re.I))
        set_(
            self,
            "_relation_re",
            re.compile(
                rf"(?i:\b(?:my|his|her|their|our|your|me|ma|the|a|our)\s+(?:(?:little|big|older|younger|old|best|"
                rf"eldest|youngest|oldest|step|late|ex|new|own)[\s\-]+)?(?:{relations}))\s*,?\s+(?:(?:called|named|"
                rf"who's|who is)\s+)?(?P<name>{word})"
            ),
        )
        set_(self, "_intro_re", re.compile(rf"(?i:\b(?:{intros}))\s+(?P<name>{word})"))
        set_(self, "_and_i_re", re.compile(rf"(?P<name>{word})\s+(?:and|&|n)\s+(?:I|me|myself)\b(?!['\u2019]\w)"))
        set_(self, "_me_and_re", re.compile(rf"(?i:\b(?:me|I|myself)\s+(?:and|&|n|with))\s+(?P<name>{word})"))
        platforms = _alt(str(t) for t in cfg.get("handle_context", []) or ["snapchat", "instagram"])
        set_(
            self,
            "_handle_ctx_re",
            re.compile(
                rf"(?i:\b(?:{platforms})\b)\s*(?:(?:name|handle|username|account|is|as|was|called|:|-)\s*)*"
                r"(?P<name>(?=[A-Za-z0-9_.]*[0-9_.])[A-Za-z0-9_.]{3,})"
            ),
        )

    # -- helpers ----------------------------------------------------------------------------------

    def is_kept(self, phrase: str) -> bool:
        """True for a place, organisation, prison, force, public figure, month/day or descriptive word."""
        low = _POSSESSIVE.sub("", phrase.strip()).lower()
        if low in self.keep:
            return True
        return any(p == low or (" " in low and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", low)) for p in self.keep_phrases)

    def _inside_kept_phrase(self, text: str, start: int, end: int) -> bool:
        """True when ``text[start:end]`` is part of a multi-word kept name ("Stephen Lawrence", "HMP Parc")."""
        lo = max(0, start - 60)
        window = text[lo : min(len(text), end + 60)].lower()
        for p in self.keep_phrases:
            for m in re.finditer(rf"(?<!\w){re.escape(p)}(?!\w)", window):
                if m.start() + lo <= start and m.end() + lo >= end:
                    return True
        return False

    @staticmethod
    def _core(token: str) -> str:
        return _POSSESSIVE.sub("", token)

    def _looks_like_name_word(self, token: str, allow_lower: bool, strict: bool = True) -> bool:
        core = self._core(token)
        low = core.lower()
        if len(core) < 2 or low in self.keep or low in _STOP or self.is_kept(core):
            return False
        if strict and low in self.common_words:
            return False
        if core[0].isupper():
            return not core.isupper() or len(core) <= 3 and low in self.first_names
        return allow_lower and len(low) > 2 and low not in self.common_words and (low in self.first_names or low in self.surnames)

    def _sentence_initial(self, text: str, start: int) -> bool:
        return bool(_SENTENCE_END.search(text[:start]))

    # -- finding -----------------------------------------------------------------------------------

    def candidates(self, text: str) -> list[NameSpan]:
        """Names and handles found by rules and the gazetteer (no NER)."""
        spans: list[NameSpan] = []
        for m in _HANDLE.finditer(text):
            spans.append(NameSpan(m.start(), m.end(), "HANDLE", "handle"))
        for m in self._handle_ctx_re.finditer(text):
            spans.append(NameSpan(m.start("name"), m.end("name"), "HANDLE", "handle"))
        for m in self._title_re.finditer(text):
            self._add(spans, text, m.start("name"), m.group("name"), "title", allow_lower=True, after_title=True)
        for rx in (self._relation_re, self._intro_re):
            for m in rx.finditer(text):
                self._add(spans, text, m.start("name"), m.group("name"), "context", allow_lower=True)
        for m in self._and_i_re.finditer(text):
            tok = m.group("name")
            if tok[0].isupper() or tok.lower() in self.first_names:
                self._add(spans, text, m.start("name"), tok, "context", allow_lower=True, left=True)
        for m in self._me_and_re.finditer(text):
            self._add(spans, text, m.start("name"), m.group("name"), "context", allow_lower=True, lower_first_only=True)
        tokens = list(WORD.finditer(text))
        for i, m in enumerate(tokens):
            tok = m.group(0)
            core = self._core(tok)
            if not core[:1].isupper() or core.isupper() and len(core) > 3:
                continue
            low = core.lower()
            nxt = tokens[i + 1].group(0).lower() if i + 1 < len(tokens) else ""
            prev = tokens[i - 1].group(0).lower() if i > 0 else ""
            initial = self._sentence_initial(text, m.start())
            if low in self._ambiguous:
                if nxt in self._verbs and not self._place_before(text, m.start()):
                    self._add(spans, text, m.start(), tok, "context", allow_lower=False, left=True)
                continue
            if low in self.first_names:
                if low in self.common_words and (initial or low in self._months):
                    # "Hope is all we have", "Will they listen", "in May": a word first, a name only in context.
                    if nxt not in self._verbs or low in self._months:
                        continue
                if low in self._months and (prev in self._place_preps or prev.isdigit() or nxt[:1].isdigit()):
                    continue
                self._add(spans, text, m.start(), tok, "gazetteer", allow_lower=False, left=True)
            elif not initial and (nxt in self._verbs or nxt in self._weak_verbs) and prev not in self._place_preps and prev not in ("the", "a", "an"):
                # "... and Kasia said", "cos Dwayne was there": a capitalised word doing what people do.
                self._add(spans, text, m.start(), tok, "context", allow_lower=False, left=True)
        return _merge(spans)

    def _add(
        self,
        spans: list[NameSpan],
        text: str,
        start: int,
        token: str,
        source: str,
        *,
        allow_lower: bool,
        after_title: bool = False,
        left: bool = False,
        lower_first_only: bool = False,
    ) -> None:
        core = self._core(token)
        if lower_first_only and not core[:1].isupper() and core.lower() not in self.first_names:
            return
        if not self._looks_like_name_word(token, allow_lower, strict=source == "gazetteer"):
            return
        end = start + len(core)
        if not after_title and self._org_follows(text, end):
            return  # "Hope House", "Grace Academy", "Jamal Road": an organisation or place named after someone
        low = core.lower()
        if self._place_before(text, start) and (low not in self.first_names or low in self._ambiguous) and source != "title":
            return
        end = self._extend_right(text, end)
        if left:
            start = self._extend_left(text, start)
        if self._inside_kept_phrase(text, start, end) or self.is_kept(text[start:end]):
            return
        spans.append(NameSpan(start, end, "NAME", source))

    def _org_follows(self, text: str, end: int) -> bool:
        m = WORD.match(text, end + 1) if end < len(text) and text[end] == " " else None
        return bool(m and self._core(m.group(0)).lower() in self._org_words)

    def _place_before(self, text: str, start: int) -> bool:
        m = re.search(r"(\w+)\s+$", text[max(0, start - 20) : start])
        return bool(m and m.group(1).lower() in self._place_preps)

    def _extend_right(self, text: str, end: int) -> int:
        """Take in a following surname, patronymic or particle + name ("ap Rhys", "bin Hamad", "O'Neill")."""
        while True:
            m = re.match(r"[ \t]+", text[end:])
            if not m:
                return end
            pos = end + m.end()
            w = WORD.match(text, pos)
            if not w:
                return end
            tok = w.group(0)
            core = self._core(tok)
            low = core.lower()
            if low in self._particles:
                m2 = re.match(r"[ \t]+", text[w.end() :])
                w2 = WORD.match(text, w.end() + m2.end()) if m2 else None
                if w2 and w2.group(0)[:1].isupper() and not self.is_kept(w2.group(0)):
                    end = w2.start() + len(self._core(w2.group(0)))
                    if w2.group(0) != self._core(w2.group(0)):
                        return end
                    continue
                return end
            if not core[:1].isupper() or core.isupper() and len(core) > 3:
                return end
            if low in self.keep or low in self._org_words or low in self._verbs or low in self._months:
                return end
            if low in self.common_words and low not in self.surnames:
                return end
            if self.is_kept(core) or self._inside_kept_phrase(text, pos, pos + len(core)):
                return end
            end = pos + len(core)
            if tok != core:  # "Tyrone Davies's" ends the name
                return end

    def _extend_left(self, text: str, start: int) -> int:
        """Take in a preceding capitalised first name ("Kasia Nowak" found from "Nowak said")."""
        m = re.search(rf"({WORD.pattern})[ \t]+$", text[max(0, start - 40) : start])
        if not m:
            return start
        tok = m.group(1)
        low = tok.lower()
        if tok[:1].isupper() and low in self.first_names and low not in self.keep and low not in self.common_words:
            if not self.is_kept(tok):
                return start - len(m.group(0))
        return start

    def _unexplained_words(self, text: str, found: Sequence[NameSpan]) -> Iterable[str]:
        for m in WORD.finditer(text):
            tok = self._core(m.group(0))
            if not tok[:1].isupper() or tok.isupper() or tok in ("I", "I'm", "I've", "I'd", "I'll"):
                continue
            if any(s.start <= m.start() < s.end for s in found):
                continue
            low = tok.lower()
            if low in self.keep or low in self._org_words or low in self._months or low in self._titles:
                continue
            if self._sentence_initial(text, m.start()) or self._org_follows(text, m.start() + len(tok)):
                continue
            if low in self._ambiguous and self._place_before(text, m.start()):
                continue
            if text[max(0, m.start() - 1) : m.start()] == "[" or self._inside_kept_phrase(text, m.start(), m.start() + len(tok)):
                continue
            yield tok

    def unexplained(self, text: str, found: Sequence[NameSpan]) -> bool:
        """True when ``text`` holds a capitalised mid-sentence word that no rule explained (worth the NER)."""
        return next(iter(self._unexplained_words(text, found)), None) is not None

    def leftover_capitals(self, redacted: str, limit: int = 5) -> list[str]:
        """Capitalised mid-sentence words left in redacted text that are not known places or organisations."""
        out: list[str] = []
        for tok in self._unexplained_words(redacted, []):
            if tok not in out:
                out.append(tok)
            if len(out) >= limit:
                break
        return out

    def accept_ner(self, text: str, start: int, end: int, prev_token: str, is_first: bool, n_tokens: int) -> NameSpan | None:
        """Filter a spaCy PERSON entity; returns the whole-word span to redact, or ``None``."""
        ent = text[start:end]
        if "[" in ent or "]" in ent or not ent[:1].isupper():
            return None
        if self.is_kept(ent) or self._inside_kept_phrase(text, start, end):
            return None
        words = [self._core(w) for w in ent.split()]
        if all(w.lower() in self.keep or w.lower() in self.common_words or w.lower() in self._months for w in words):
            return None
        if prev_token.lower() in self._place_preps and words[0].lower() not in self.first_names:
            return None
        if n_tokens == 1 and is_first and words[0].lower() not in self.first_names:
            return None
        if self._org_follows(text, end):
            return None
        start, end = whole_words(text, start, end)
        return NameSpan(start, end, "NAME", "ner")

    def repeats(self, text: str, spans: Sequence[NameSpan]) -> list[NameSpan]:
        """Other occurrences, in any case, of names already found in ``text`` ("Tyrone ... tyrone")."""
        words: set[str] = set()
        for s in spans:
            if s.kind != "NAME":
                continue
            for w in WORD.findall(text[s.start : s.end]):
                low = self._core(w).lower()
                if len(low) > 2 and low not in self._particles and low not in self.keep:
                    words.add(low)
        if not words:
            return []
        out = []
        for m in WORD.finditer(text):
            core = self._core(m.group(0))
            low = core.lower()
            if low not in words or any(s.start <= m.start() < s.end for s in spans):
                continue
            if low in self.common_words and not core[:1].isupper():
                continue  # "my sister Hope ... there's no hope": the word stays
            out.append(NameSpan(m.start(), m.start() + len(core), "NAME", "repeat"))
        return out


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words (apostrophes and hyphens inside a word), leaving a possessive 's."""
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "'\u2019-" and start > 1 and text[start - 2].isalpha()):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] in "'\u2019-" and end + 1 < len(text) and text[end + 1].isalpha()):
        if text[end] in "'\u2019" and text[end + 1 : end + 2].lower() == "s" and not text[end + 2 : end + 3].isalpha():
            break
        end += 1
    return start, end


def _merge(spans: Iterable[NameSpan]) -> list[NameSpan]:
    """Overlapping spans become one (the first source by start wins; HANDLE beats NAME)."""
    out: list[NameSpan] = []
    for s in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if out and s.start < out[-1].end:
            last = out[-1]
            kind = "HANDLE" if "HANDLE" in (last.kind, s.kind) else "NAME"
            out[-1] = NameSpan(last.start, max(last.end, s.end), kind, last.source)
        else:
            out.append(s)
    return out


def merge_spans(spans: Iterable[NameSpan]) -> list[NameSpan]:
    """Public wrapper of the span merge used by :mod:`pipeline.ingest.redact`."""
    return _merge(spans)
