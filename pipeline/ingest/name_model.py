"""A learned decision on which words are people's names, on top of the name rules (issue 17).

The rules of :mod:`pipeline.ingest.names` were written on the development sentences and lose 7-12
points of recall on new writing. This module describes every word that could be a name (a
*candidate*: a capitalised word, a lower-case word no everyday dictionary holds, a word of the
name lists, a word the rules or the NER found) by features that carry over to unseen names and
sentence shapes, and a logistic regression trained on the labelled sentence sets
(``scripts/train_name_model.py``) scores it:

- the word itself: capitalised or not, opening a sentence or not, its length, hyphen or apostrophe,
  and whether it is in the first-name or surname gazetteer, the 1934 dictionary, the modern
  vocabulary, the everyday words that are also names, the Welsh function words, the place-name
  shapes, the months, titles, relations or organisation words (and crosses of these);
- its character n-grams (names of an origin the gazetteer lacks share shapes: "-ew", "tes", "oluw");
- the words either side (as written, lower case), the cue classes they belong to (a relation or
  title before, a verb of speech or action after, "and I", "me and"), and whether a neighbour is
  capitalised or already found as a name;
- the spaCy NER label over the word (or that the NER did not run), which rule found it, if any
  (group ``rules``, off in the shipped model), and crosses of the word's list class, NER label and
  neighbour classes (group ``crosses``).

At run time (:meth:`NameModel.apply`) a word outside the rules' spans scoring at least
``threshold`` becomes a ``[NAME]`` with source ``model`` (joined with neighbouring found words, so
"Filmon Tesfay" is one placeholder); optionally (``veto_below``) a span found only by a weak source
(the gazetteer or the NER) whose words all score below that value is dropped. Words the
configuration keeps (places, organisations, public figures, days, months), places that are also names
("Barry"), words after "St"/"Ysgol" or before an organisation word ("Rowan Hotel") and everyday
words the rules took as a name in lower case only ("sky says ... Sky") are never added.
The model is a plain JSON file of feature weights (``pipeline/ingest/data/name_model.json``),
reproduced exactly by ``scripts/train_name_model.py``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError

# names.py loads this module only when a NameFinder is built, so importing it here makes no cycle
from pipeline.ingest.names import (
    _STOP,
    NameFinder,
    NameSpan,
    is_english,
    is_everyday,
    merge_spans,
    world_words,
)

#: Where the shipped model lives (a path in the config is read relative to the project root).
DEFAULT_MODEL = Path(__file__).resolve().parent / "data" / "name_model.json"
ROOT = Path(__file__).resolve().parents[2]
#: Feature groups a model may use (``name_model.features`` in ``config/redaction.yaml``).
FEATURE_GROUPS = ("word", "lists", "char_ngrams", "context_words", "cues", "ner", "rules", "crosses")
#: Sources of a rule span the veto may drop (weak evidence); titles, cues and handles are never dropped.
VETO_SOURCES = frozenset({"gazetteer", "ner"})

_WORDCHARS = "A-Za-z\u00c0-\u024f\u1e00-\u1eff"
_TOKEN = re.compile(rf"[{_WORDCHARS}](?:[{_WORDCHARS}0-9]|['\u2019\-](?=[{_WORDCHARS}]))*")
_SPEECH_AFTER = re.compile(r"\s+(?:and|&|n)\s+(?:I|me|myself)\b")
_ME_AND_BEFORE = re.compile(r"(?i:\b(?:me|I|myself)\s+(?:and|&|n|with))\s+$")


class NameModelError(PipelineError, ValueError):
    """The name model file is missing or unreadable; says which file and what to run."""


@dataclass(frozen=True)
class Candidate:
    """A word that could be (part of) a name, with its features.

    Attributes:
        start: Character offset of the word (without a possessive "'s").
        end: End offset of the word.
        word: The word as the features read it (without a possessive).
        static: Features of the word alone (its shape, lists, character n-grams), each with value 1.
        context: Features of this occurrence (position, neighbours, cues, NER, rules), each with value 1.
        source: The rule source of the span holding the word, or ``""``.
    """

    start: int
    end: int
    word: str
    static: tuple[str, ...]
    context: tuple[str, ...]
    source: str = ""

    @property
    def features(self) -> tuple[str, ...]:
        """All the candidate's features."""
        return self.static + self.context


def _ngrams(low: str, n_min: int = 2, n_max: int = 4) -> list[str]:
    padded = f"^{low}$"
    out = []
    for n in range(n_min, n_max + 1):
        out.extend(f"c{n}={padded[i:i + n]}" for i in range(len(padded) - n + 1))
    return out


_SENTENCE_GAP = re.compile("[.!?;:\n(\"\u201c]")
_DASH_GAP = re.compile("[\\-\u2013\u2014]")


def _gap_kind(gap: str) -> str:
    """What lies between two words: ``","``, ``"."`` (a sentence end or bracket), ``"-"``, or ``" "``."""
    if gap == " ":
        return " "
    if _SENTENCE_GAP.search(gap):
        return "."
    if "," in gap:
        return ","
    if _DASH_GAP.search(gap):
        return "-"
    return " "


#: Most words whose word-alone features are kept per finder (the cache is emptied when full).
_CACHE_LIMIT = 200_000


def word_features(finder: NameFinder, core: str, groups: frozenset[str]) -> tuple[tuple[str, ...], str, str]:
    """The features of a word alone (cached per finder): ``(features, lexical class, shape)``.

    Args:
        finder: The rules' name finder (its word lists).
        core: The word without a possessive.
        groups: Feature groups in use.
    """

    cache = finder.__dict__.setdefault("_word_feature_cache", {})
    key = (core, groups)
    hit = cache.get(key)
    if hit is not None:
        return hit
    low = core.lower()
    allcaps = core.isupper()
    shape = "A" if allcaps else "C" if core[:1].isupper() else "l"
    f: list[str] = []
    lex = ""
    if "word" in groups:
        ln = len(core)
        f += [f"shape={shape}", f"len={'s' if ln <= 3 else 'm' if ln <= 5 else 'l' if ln <= 8 else 'x'}"]
        if "-" in core:
            f.append("hyphen")
        if "'" in core or "\u2019" in core:
            f.append("apos")
    if "lists" in groups:
        first = low in finder.first_names
        sur = low in finder.surnames
        web2 = is_english(low, modern=False)
        every = is_everyday(low)
        flags = {
            "first": first, "sur": sur, "web2": web2, "everyday": every,
            "common": low in finder.common_words, "welsh": low in finder._welsh,
            "speak": low in finder._text_speak, "toponym": finder._toponym(low),
            "month": low in finder._months, "title": low in finder._titles,
            "org": low in finder._org_words, "relation": low in finder._relation_words,
            "ambiguous": low in finder._ambiguous, "particle": low in finder._particles,
            "world": low in world_words(),
        }
        f += [f"is_{k}" for k, v in flags.items() if v]
        lex = f"{'F' if first else ''}{'S' if sur else ''}{'E' if every else 'W' if web2 else 'U'}"
        f.append(f"lex={lex}")
    if "char_ngrams" in groups and low.isalpha() and not allcaps:
        f += _ngrams(low)
    out = (tuple(f), lex, shape)
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = out
    return out


def candidates(finder: NameFinder, text: str, spans: Sequence[NameSpan],
               entities: Sequence[tuple[int, int, str]] | None, language: str = "en",
               groups: Iterable[str] = FEATURE_GROUPS, found_words: bool = True) -> list[Candidate]:
    """Every word of ``text`` that could be a name, with its features.

    Args:
        finder: The rules' :class:`~pipeline.ingest.names.NameFinder` (its word lists are features).
        text: The rule-redacted answer (structured placeholders such as ``[PHONE]`` in place).
        spans: Names and handles the rules and the NER found in ``text``.
        entities: The NER's ``(start, end, label)`` entities, or ``None`` where it did not run.
        language: ``en`` also takes lower-case words as candidates.
        groups: Feature groups to describe each word with (:data:`FEATURE_GROUPS`).
        found_words: Also describe words inside the names already found (for training and the veto).

    Returns:
        Candidates in text order; words in a handle, a kept word or phrase, or a placeholder are left out.
    """
    return _Describer(finder, text, spans, entities, language, frozenset(groups)).candidates(found_words)


class _Describer:
    """The candidates of one text and their features (see :func:`candidates`)."""

    def __init__(self, finder: NameFinder, text: str, spans: Sequence[NameSpan],
                 entities: Sequence[tuple[int, int, str]] | None, language: str, groups: frozenset[str]) -> None:
        self.finder, self.text, self.entities, self.language, self.groups = finder, text, entities, language, groups
        self.toks = [(m.start(), m.group(0)) for m in _TOKEN.finditer(text)]
        self.names = [s for s in spans if s.kind == "NAME"]
        self.handles = [s for s in spans if s.kind != "NAME"]
        self._kept: list[tuple[int, int]] | None = None  # kept phrases, found on first need (a costly search)
        # "MY NAME IS ADEBOLA AKINWUMI": in a text written in capitals every word is read as capitalised
        upper = sum(map(str.isupper, text))
        self.caps_text = upper >= 12 and upper >= 4 * sum(map(str.islower, text))

    def span_of(self, pos: int) -> NameSpan | None:
        """The found name holding offset ``pos``, if any."""
        for s in self.names:
            if s.start <= pos < s.end:
                return s
        return None

    def candidates(self, found_words: bool) -> list[Candidate]:
        """Describe every word that passes :meth:`_may_be_name` (and found words when ``found_words``)."""
        out: list[Candidate] = []
        stop = _STOP
        for i, (start, tok) in enumerate(self.toks):
            if start > 0 and self.text[start - 1] == "[" and tok.isupper() and not self.caps_text:
                continue  # a placeholder ("[PHONE]")
            core = self.finder._core(tok)
            low = core.lower()
            if len(core) < 2 or low == "i" or low.startswith(("i'", "i\u2019")):
                continue
            span = self.span_of(start) if self.names else None
            if span is None and not self.caps_text and core[:1].islower() and (low in stop or is_everyday(low)):
                continue  # most words: a lower-case everyday or function word (the quick test of _may_be_name)
            if span is None and not self._may_be_name(start, core, low):
                continue
            if span is not None and not found_words:
                continue
            out.append(self.describe(i, core, span))
        return out

    def _may_be_name(self, start: int, core: str, low: str) -> bool:
        """A word outside the found names worth describing: not a kept word, a function word or (in lower case)
        an everyday word."""
        finder = self.finder
        cap = core[:1].isupper()
        if core.isupper() and len(core) > 3 and not self.caps_text:
            return False
        if low in _STOP and low not in finder.first_names or low in finder._discourse:
            return False  # function words; "Look, ...", "Listen, ...": words that open speech, never a name
        if not cap or self.caps_text:
            if self.language != "en" and not cap or len(low) < 3:
                return False
            if is_everyday(low) or low in finder._verbs or low in finder._weak_verbs or low in finder.common_words:
                return False  # "went", "said" (also a first name), "hope": lower-case everyday words
        if low in finder.keep or finder.is_kept(core) or low in finder._ambiguous:
            return False  # kept words; words that are names only in a cue the rules know ("Hope said", "my uncle Barry")
        if low in finder.common_words and any(self.text[s.start : s.end] == low for s in self.names):
            return False  # "sky says ... watch Sky": the rules took the word as a name in lower case only
        end = start + len(core)
        if finder._org_prefix_before(self.text, start) or finder._org_follows(self.text, end):
            return False  # "St Ezana's", "Ysgol Plasmawr", "Rowan Hotel": a place named after someone
        if self._kept is None:
            self._kept = [(m.start(), m.end()) for m in finder._phrase_re.finditer(self.text)] if finder._phrase_re else []
        if any(a <= start and end <= b for a, b in self._kept):
            return False
        return not any(h.start <= start < h.end for h in self.handles)

    def _neighbour(self, j: int) -> str:
        """The word at token ``j`` in lower case (``<PHONE>`` for a placeholder, ``<s>``/``</s>`` past the ends)."""
        if j < 0:
            return "<s>"
        if j >= len(self.toks):
            return "</s>"
        start, tok = self.toks[j]
        return f"<{tok}>" if self.text[start - 1 : start] == "[" else tok.lower()

    def describe(self, i: int, core: str, span: NameSpan | None) -> Candidate:
        """The features of the word at token ``i``."""
        groups, text = self.groups, self.text
        start, tok = self.toks[i]
        end = start + len(core)
        initial = self.finder._sentence_initial(text, start)
        static, lex, shape = word_features(self.finder, core.title() if self.caps_text else core, groups)
        f: list[str] = ["bias"]
        if "word" in groups:
            f.append(f"shape_init={shape}{int(initial)}")
            if tok != core:
                f.append("possessive")
            if self.caps_text:
                f.append("caps_text")
        if "lists" in groups:
            f.append(f"lex_shape={lex}{shape}{int(initial)}")
        prev = self.toks[i - 1] if i > 0 else None
        nxt = self.toks[i + 1] if i + 1 < len(self.toks) else None
        pgap = _gap_kind(text[prev[0] + len(prev[1]) : start]) if prev else "."
        ngap = _gap_kind(text[start + len(tok) : nxt[0]]) if nxt else "."
        plow, nlow = self._neighbour(i - 1), self._neighbour(i + 1)
        if "context_words" in groups:
            f += [f"p1={plow if pgap == ' ' else pgap}", f"n1={nlow if ngap == ' ' else ngap}",
                  f"p1w={plow}", f"n1w={nlow}", f"p2={self._neighbour(i - 2)}_{plow}", f"n2={nlow}_{self._neighbour(i + 2)}"]
            if tok != core:
                f.append(f"poss_n1={nlow}")
        pc = nc = ""
        if "cues" in groups:
            pc, nc = self._cues(f, start, end, pgap, ngap, plow, nlow, prev, nxt)
        label = "off"
        if "ner" in groups:
            if self.entities is not None:
                label = next((lab for a, b, lab in self.entities if a <= start < b), "none")
            f += [f"ner={label}", f"ner_shape={label}{shape}"]
        rule = span.source if span else "none"
        if "rules" in groups:
            f.append(f"rule={rule}")
        if "crosses" in groups:
            init = int(initial)
            f += [f"x_lex_ner={lex}|{label}", f"x_lex_pc={lex}|{pc}", f"x_lex_nc={lex}|{nc}", f"x_ner_pc={label}|{pc}",
                  f"x_ner_nc={label}|{nc}", f"x_init_lex_nc={init}|{lex}|{nc}", f"x_shape_pc_nc={shape}{init}|{pc}|{nc}"]
            if "rules" in groups:
                f += [f"x_rule_ner={rule}|{label}", f"x_rule_lex={rule}|{lex}"]
        return Candidate(start, end, core, static, tuple(f), span.source if span else "")

    def _cues(self, f: list[str], start: int, end: int, pgap: str, ngap: str, plow: str, nlow: str,
              prev: tuple[int, str] | None, nxt: tuple[int, str] | None) -> tuple[str, str]:
        """Add the cue features to ``f``; return one class for the word before and one for the word after."""
        finder = self.finder
        f += [f"pgap={pgap}", f"ngap={ngap}"]
        pcs: list[str] = []
        ncs: list[str] = []
        if prev and pgap in (" ", ","):
            pcore = finder._core(prev[1])
            pl = pcore.lower()
            pcs = [name for name, hit in (
                ("p_relation", pl in finder._relation_words), ("p_title", pl in finder._titles),
                ("p_place_prep", pl in finder._place_preps), ("p_det", pl in ("the", "a", "an")),
                ("org_prefix", pl in finder._org_prefixes),
                ("p_found", pgap == " " and bool(self.names) and self.span_of(prev[0]) is not None),
                ("p_cap", pcore[:1].isupper() and not finder._sentence_initial(self.text, prev[0])),
                ("p_first", pl in finder.first_names)) if hit]
        if nxt and ngap in (" ", ","):
            ncore = finder._core(nxt[1])
            nl = ncore.lower()
            ncs = [name for name, hit in (
                ("n_speech", nl in finder._speech), ("n_verb", nl in finder._verbs), ("n_org", nl in finder._org_words),
                ("n_found", ngap == " " and bool(self.names) and self.span_of(nxt[0]) is not None),
                ("n_weak", nl in finder._weak_verbs), ("n_cap", ncore[:1].isupper()),
                ("n_sur", nl in finder.surnames)) if hit]
        f += pcs + ncs
        if _SPEECH_AFTER.match(self.text, end):
            f.append("and_i")
        if pgap == " " and plow in ("and", "&", "n", "with") and _ME_AND_BEFORE.search(self.text[max(0, start - 20) : start]):
            f.append("me_and")
        strength = finder._person_next(self.text, end, nlow if ngap == " " else "")
        if strength:
            f.append(f"person_next={strength}")
        pc = pcs[0] if pcs else f"gap{pgap}"
        nc = ncs[0] if ncs else ("strong" if strength == "strong" else f"gap{ngap}")
        return pc, nc


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@dataclass(frozen=True)
class NameModel:
    """Feature weights of a logistic regression over name candidates, and how to use them.

    Args:
        weights: Feature name -> weight (the intercept is the weight of ``bias``).
        groups: The feature groups the model was trained with.
        threshold: A word outside the rules' spans scoring at least this is a name.
        veto_below: Drop a gazetteer- or NER-only span whose words all score below this (``None``: never).
        adjacent_threshold: A word next to a name (only a space between) scoring at least this joins it, so
            "Amna [NAME]" becomes one "[NAME]" (``None``: ``threshold`` alone).
        veto_world_sources: Sources whose spans the veto may also drop when every word of them is a word of a
            country, territory or language name (:func:`~pipeline.ingest.names.world_words`).
    """

    weights: Mapping[str, float]
    groups: tuple[str, ...] = FEATURE_GROUPS
    threshold: float = 0.5
    veto_below: float | None = None
    veto_sources: frozenset[str] = VETO_SOURCES
    ner_everywhere: bool = False
    meta: Mapping[str, Any] = field(default_factory=dict)
    adjacent_threshold: float | None = None
    veto_world_sources: frozenset[str] = frozenset()
    _static_sums: dict[str, float] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, path: str | Path, threshold: float = 0.5, veto_below: float | None = None,
             veto_sources: Iterable[str] = VETO_SOURCES, ner_everywhere: bool = False,
             adjacent_threshold: float | None = None, veto_world_sources: Iterable[str] = ()) -> NameModel:
        """Read a model file written by ``scripts/train_name_model.py``.

        Raises:
            NameModelError: The file is missing or not a model file.
        """
        p = Path(path)
        if not p.is_absolute():
            p = ROOT / p
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            weights = {str(k): float(v) for k, v in data["weights"].items()}
            groups = tuple(str(g) for g in data["groups"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise NameModelError(
                f"The name model {p} is missing or unreadable ({exc}). Run `python scripts/train_name_model.py` "
                "to rebuild it, or set name_model.enabled: false in config/redaction.yaml."
            ) from exc
        unknown = sorted(set(groups) - set(FEATURE_GROUPS))
        if unknown:
            raise NameModelError(f"The name model {p} uses unknown feature groups {unknown}; retrain it.")
        meta = {k: v for k, v in data.items() if k != "weights"}
        return cls(weights, groups, float(threshold), None if veto_below is None else float(veto_below),
                   frozenset(veto_sources), bool(ner_everywhere), meta,
                   None if adjacent_threshold is None else float(adjacent_threshold), frozenset(veto_world_sources))

    def score(self, features: Iterable[str]) -> float:
        """Probability that a candidate with these features is a name."""
        w = self.weights
        return _sigmoid(sum(w.get(f, 0.0) for f in features))

    def score_candidate(self, cand: Candidate) -> float:
        """Probability that ``cand`` is a name (the sum over its word-alone features is cached per word)."""
        w = self.weights
        cache = self._static_sums
        part = cache.get(cand.word)
        if part is None:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            part = cache[cand.word] = sum(w.get(f, 0.0) for f in cand.static)
        return _sigmoid(part + sum(w.get(f, 0.0) for f in cand.context))

    def scores(self, cands: Sequence[Candidate]) -> list[float]:
        """:meth:`score_candidate` of each candidate."""
        return [self.score_candidate(c) for c in cands]

    def _may_veto(self, text: str, span: NameSpan) -> bool:
        """A span the veto may drop: from a weak source, or from ``veto_world_sources`` and made only of words
        of country, territory or language names ("speaks Kurmanji and Sorani", "from Hong Kong")."""
        if span.source in self.veto_sources:
            return True
        if span.source not in self.veto_world_sources:
            return False
        words = re.findall(r"[^\W\d_]+", text[span.start : span.end])
        world = world_words()
        return bool(words) and all(w.lower() in world for w in words)

    def apply(self, finder: NameFinder, text: str, spans: Sequence[NameSpan],
              entities: Sequence[tuple[int, int, str]] | None, language: str = "en") -> list[NameSpan]:
        """The rules' spans, less vetoed weak ones, plus words the model takes for names.

        Args:
            finder: The rules' name finder.
            text: The rule-redacted text.
            spans: The rules' and the NER's spans for ``text``.
            entities: The NER's entities for ``text`` (``None`` when it did not run).
            language: The answer's language.

        Returns:
            Merged whole-word spans; words the model adds have source ``model`` and are joined to a
            found name or another added word with only spaces between them.
        """

        cands = candidates(finder, text, spans, entities, language, self.groups,
                           found_words=self.veto_below is not None)
        if not cands:
            return list(spans)
        probs = self.scores(cands)
        kept = list(spans)
        if self.veto_below is not None:
            best: dict[tuple[int, int], float] = {}
            for c, p in zip(cands, probs, strict=True):
                if c.source:
                    s = next(s for s in spans if s.kind == "NAME" and s.start <= c.start < s.end)
                    best[(s.start, s.end)] = max(best.get((s.start, s.end), 0.0), p)
            kept = [s for s in spans if not (s.kind == "NAME" and self._may_veto(text, s)
                                            and best.get((s.start, s.end), 1.0) < self.veto_below)]
        new = [(c, p) for c, p in zip(cands, probs, strict=True) if not c.source]  # words outside the rules' names
        added = [NameSpan(c.start, c.end, "NAME", "model") for c, p in new
                 if p >= self.threshold and not _owned(text, c.start, spans) and not _reduplicated(text, c.start, c.end)]
        if self.adjacent_threshold is not None and self.adjacent_threshold < self.threshold:
            added += _next_to_names(text, kept + added, [c for c, p in new if self.adjacent_threshold <= p < self.threshold])
        if not added:
            return kept
        return join_adjacent(text, merge_spans([*kept, *added]))


_POSSESSIVE_GAP = re.compile(r"['\u2019]s?[ \t]+$")


def _owned(text: str, start: int, spans: Sequence[NameSpan]) -> bool:
    """The word follows a found name's possessive ("[NAME]'s Salt and Sand", "Gruffydd's Garage"): a thing the
    person owns or made, not a second name."""
    m = _POSSESSIVE_GAP.search(text, max(0, start - 4), start)
    return m is not None and any(s.kind == "NAME" and s.end == m.start() for s in spans)


_LINKS = r"(?:and|or|by|to|after|for|upon|&|n)"


def _reduplicated(text: str, start: int, end: int) -> bool:
    """The word is repeated across a link word ("Half and half.", "Bit by bit", "Again and again"): an idiom,
    never a person's name."""
    word = re.escape(text[start:end])
    after = re.match(rf"\s+{_LINKS}\s+{word}(?![^\W\d_])", text[end:], re.I)
    before = re.search(rf"(?<![^\W\d_]){word}\s+{_LINKS}\s+$", text[:start], re.I)
    return after is not None or before is not None


def _next_to_names(text: str, names: Sequence[NameSpan], weak: Sequence[Candidate]) -> list[NameSpan]:
    """The ``weak`` candidates with only a space or two between them and a name, repeated along a chain
    ("Nguyễn Văn [NAME]": both words join)."""
    ends = {s.end for s in names if s.kind == "NAME"}
    starts = {s.start for s in names if s.kind == "NAME"}
    out: list[NameSpan] = []
    todo = sorted(weak, key=lambda c: c.start)
    grew = True
    while todo and grew:
        grew = False
        for c in list(todo):
            after = any(text[e : c.start].strip(" \t") == "" and 0 < c.start - e <= 2 for e in ends if e <= c.start)
            before = any(text[c.end : b].strip(" \t") == "" and 0 < b - c.end <= 2 for b in starts if b >= c.end)
            if after or before:
                out.append(NameSpan(c.start, c.end, "NAME", "model"))
                ends.add(c.end)
                starts.add(c.start)
                todo.remove(c)
                grew = True
    return out


def join_adjacent(text: str, spans: Sequence[NameSpan]) -> list[NameSpan]:
    """Join name spans with only spaces or tabs between them when either was added by the model.

    "Filmon" (model) and "Tesfay" (rules) become one span, so one ``[NAME]`` stands for one name.
    """

    out: list[NameSpan] = []
    for s in spans:
        if (out and s.kind == "NAME" and out[-1].kind == "NAME" and "model" in (s.source, out[-1].source)
                and text[out[-1].end : s.start].strip(" \t") == "" and s.start - out[-1].end <= 2):
            last = out[-1]
            source = last.source if last.source != "model" else s.source
            out[-1] = NameSpan(last.start, s.end, "NAME", source)
        else:
            out.append(s)
    return out


def model_from_config(config: Mapping[str, Any]) -> NameModel | None:
    """The model ``config['name_model']`` asks for, or ``None`` when it is switched off.

    Raises:
        NameModelError: It is switched on and the file is missing or unreadable.
    """
    cfg = config.get("name_model") or {}
    if not cfg or not cfg.get("enabled", False):
        return None
    path = cfg.get("file") or DEFAULT_MODEL
    from pipeline.settings import lookup

    def setting(key: str) -> Any:  # a key the given config lacks takes config/redaction.yaml's value
        return lookup(config, f"name_model.{key}", "redaction.yaml")

    # veto_below may be null on purpose (never drop), so it is read as given
    return NameModel.load(path, threshold=float(setting("threshold")), veto_below=cfg.get("veto_below"),
                          veto_sources=setting("veto_sources"), ner_everywhere=bool(setting("ner_everywhere")),
                          adjacent_threshold=cfg.get("adjacent_threshold"),
                          veto_world_sources=setting("veto_world_sources") or ())


__all__ = ["DEFAULT_MODEL", "FEATURE_GROUPS", "Candidate", "NameModel", "NameModelError", "candidates", "join_adjacent",
           "model_from_config", "word_features"]
