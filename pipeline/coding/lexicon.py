"""Lexicon matching: find a codebook's terms (English and Welsh) in statements.

Terms are matched as whole token sequences, case-insensitively, with spaCy's ``PhraseMatcher``
(``attr="LOWER"``) over a blank tokenizer, so "Stop and Search" matches "stop and search" but
"racist" does not match inside "anti-racist" unless that is a term too. Two cheap expansions make the
lexicon carry more without an analyst listing every form:

* English plurals: a term's last word also matches with ``s``/``es`` added.
* Welsh initial mutations: a Welsh term's first word also matches in its soft, nasal and aspirate
  mutated forms and with h- before a vowel ("gwrando" -> "wrando", "cyfiawnder" -> "gyfiawnder",
  "nghyfiawnder", "chyfiawnder"), since Welsh changes the first consonant after many words.

Pure functions and a small class; used by :mod:`pipeline.coding.coder` and its baselines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

SOFT = {"p": "b", "t": "d", "c": "g", "b": "f", "d": "dd", "g": "", "m": "f", "ll": "l", "rh": "r"}
NASAL = {"p": "mh", "t": "nh", "c": "ngh", "b": "m", "d": "n", "g": "ng"}
ASPIRATE = {"p": "ph", "t": "th", "c": "ch"}
VOWELS = "aeiouwyâêîôûŵŷ"


def welsh_mutations(word: str) -> set[str]:
    """The mutated forms of a Welsh word (the word itself not included).

    >>> sorted(welsh_mutations("trais"))
    ['drais', 'nhrais', 'thrais']
    """
    w = word.lower()
    out: set[str] = set()
    for table in (SOFT, NASAL, ASPIRATE):
        for radical in sorted(table, key=len, reverse=True):
            if w.startswith(radical):
                if radical in ("ll", "rh") or not w.startswith(("ll", "rh")):
                    out.add(table[radical] + w[len(radical) :])
                break
    if w[:1] in VOWELS:
        out.add("h" + w)
    out.discard(w)
    return {v for v in out if len(v) >= 3}


def expand_term(term: str, language: str) -> set[str]:
    """A term and the variants the lexicon also accepts (plural forms; Welsh mutations)."""
    term = " ".join(term.lower().split())
    forms = {term}
    words = term.split(" ")
    if language == "en" and words[-1].isalpha() and len(words[-1]) > 2 and not words[-1].endswith("s"):
        forms.add(" ".join([*words[:-1], words[-1] + "s"]))
        if words[-1].endswith(("ch", "sh", "x")):
            forms.add(" ".join([*words[:-1], words[-1] + "es"]))
    if language == "cy":
        for variant in welsh_mutations(words[0]):
            forms.add(" ".join([variant, *words[1:]]))
    return forms


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy

    return spacy.blank("en")


class Lexicon:
    """Match each code's terms in texts.

    Args:
        terms: ``{code_id: {language: [terms]}}``; subtheme terms can be given as extra entries
            with the subtheme id as the key.
    """

    def __init__(self, terms: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
        from spacy.matcher import PhraseMatcher

        self.keys = list(terms)
        nlp = _tokenizer()
        self._matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._label_of: dict[int, tuple[str, str]] = {}
        self.n_patterns = 0
        for key in self.keys:
            for lang, items in terms[key].items():
                for term in items:
                    for form in sorted(expand_term(term, lang)):
                        label = f"{key}\x00{term}"
                        self._matcher.add(label, [nlp.make_doc(form)])
                        self._label_of[nlp.vocab.strings[label]] = (key, term)
                        self.n_patterns += 1

    def match(self, texts: Iterable[str]) -> list[dict[str, list[str]]]:
        """For each text, ``{key: [terms matched, in order of appearance, unique]}``.

        Overlapping matches of the same key keep only the longest (so "stop and search" does not
        also count as "search").
        """
        nlp = _tokenizer()
        results: list[dict[str, list[str]]] = []
        for doc in nlp.pipe(texts):
            found: dict[str, list[tuple[int, int, str]]] = {}
            for match_id, start, end in self._matcher(doc):
                key, term = self._label_of[match_id]
                found.setdefault(key, []).append((start, end, term))
            out: dict[str, list[str]] = {}
            for key, spans in found.items():
                kept: list[tuple[int, int, str]] = []
                for start, end, term in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
                    if all(end <= k[0] or start >= k[1] for k in kept):
                        kept.append((start, end, term))
                terms = [t for _, _, t in sorted(kept)]
                out[key] = list(dict.fromkeys(terms))
            results.append(out)
        return results


def codebook_lexicon(codebook) -> Lexicon:
    """The lexicon of a codebook's codes: each code's terms plus its subthemes' terms, by code."""
    terms: dict[str, dict[str, list[str]]] = {}
    for code in codebook.codes:
        by_lang = {lang: list(items) for lang, items in code.terms.items()}
        for sub in code.subthemes:
            for t in sub.terms:
                # Subtheme terms carry no language tag; Welsh-looking ones get the mutations too.
                lang = "cy" if any(ch in t for ch in "ŵŷ") or t.split(" ")[0] in _welsh_words(code) else "en"
                by_lang.setdefault(lang, []).append(t)
        terms[code.id] = {lang: list(dict.fromkeys(v)) for lang, v in by_lang.items()}
    return Lexicon(terms)


def subtheme_lexicon(codebook) -> Lexicon:
    """A lexicon keyed by subtheme id (``PA6.stop_search``), for naming the subtheme of a coded statement."""
    terms = {sub.id: {"en": list(sub.terms), "cy": list(sub.terms)} for code in codebook.codes for sub in code.subthemes}
    return Lexicon(terms)


def _welsh_words(code) -> set[str]:
    return {t.split(" ")[0] for t in code.terms.get("cy", [])}
