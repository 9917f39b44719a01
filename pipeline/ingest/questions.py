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

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.vocab import UNKNOWN, normalise_label

log = logging.getLogger(__name__)

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


# ----------------------------------------------------------------------------------------------
# Placing by meaning

#: Words that carry no meaning for placing a question (English and Welsh function words, survey filler).
_STOP = frozenset(
    """a an the and or but of to in on at for by with from as is are was were be been being do does did done
    have has had having you your yours we our us they them their it its this that these those there here what
    which who whom how why when where whether if so not no yes any anything some more most very much many can
    could should would will shall may might must i me my he she his her do feel think please tell about
    y yr ar i o a ac yn ym yng mae oes ydy ydych ydyn chi ni nhw eich ein eu beth sut pam pa wedi bod fod
    like see want say get also just really any
    cjiw criminal justice wales cymru cyfiawnder troseddol plan cynllun draft drafft question cwestiwn""".split()
)


def content_words(text: str) -> frozenset[str]:
    """The meaning-bearing words of a label, crudely stemmed (first five letters), stop words dropped."""
    words = re.findall(r"[a-z\u00e0-\u00ff']+", normalise_label(text))
    return frozenset(w.strip("'")[:5] for w in words if len(w) > 2 and w.strip("'") not in _STOP)


_QUESTION_OPENINGS = frozenset(
    """what how why which who where when whether do does did has have had is are was were should would could can
    will any anything tell describe please beth sut pam pa pwy ble pryd oes a ydy ydych ydyn ydi wyt allech
    dylai dylen""".split()
)


def looks_like_question(label: str) -> bool:
    """True for a label worded as a question: it ends with '?' or opens with a question word."""
    text = str(label).strip()
    words = normalise_label(re.sub(r"^\s*(?:q(?:uestion)?\s*)?\d{1,2}\s*[.):-]?\s*", "", text, flags=re.I)).split()
    return text.endswith("?") or (bool(words) and words[0] in _QUESTION_OPENINGS)


@dataclass(frozen=True)
class Placement:
    """Where a label was placed: the question id, how (``alias``, ``meaning`` or ``none``) and a confidence 0-1."""

    question: str
    method: str
    confidence: float
    best_guess: str = UNKNOWN


class QuestionPlacer:
    """Place a heading, column name or facilitator's question on a question: aliases first, then by meaning.

    Meaning is the best of two comparisons with each question's texts in English and Welsh (its
    label, its aliases of two or more words and its ``meaning`` paraphrases in
    ``config/questions.yaml``): the cosine similarity of sentence embeddings (all-MiniLM-L6-v2,
    offline, run in numpy by :mod:`pipeline.ingest.minilm`: loading it takes well under a second, against
    about 10 s for sentence-transformers), and the share of the label's content words found in the
    question's texts. ``confidence = embedding_weight * cosine + (1 - embedding_weight) * overlap``
    for the best question; below ``min_confidence``, or less than ``min_margin`` ahead of the next
    question (a label that could be either), the label is ``unknown``. Results are cached
    per label, and the model is loaded only when a label needs it.

    Args:
        questions: ``config/questions.yaml`` ``questions``.
        min_confidence: Confidence (0-1) needed to place a label by meaning.
        min_margin: How far the best question's confidence must be ahead of the second's.
        embedding_weight: Weight of the embedding similarity against word overlap.
        use_embeddings: ``False`` compares words only (no model is loaded).
        cache_dir: Where the embedding cache lives (the consultation's processed folder; see
            :class:`pipeline.nlp.embed.Embedder`), used only when the numpy encoder cannot load and
            sentence-transformers embeds instead.
    """

    def __init__(
        self,
        questions: Mapping[str, Any],
        min_confidence: float = 0.45,
        min_margin: float = 0.05,
        embedding_weight: float = 0.7,
        use_embeddings: bool = True,
        cache_dir: Any = None,
    ) -> None:
        self.matcher = QuestionMatcher(questions)
        self.min_confidence = float(min_confidence)
        self.min_margin = float(min_margin)
        self.embedding_weight = float(embedding_weight) if use_embeddings else 0.0
        self.use_embeddings = use_embeddings
        texts: list[tuple[str, str]] = []
        for qid, spec in questions.items():
            spec = spec or {}
            for text in [spec.get("label", ""), *spec.get("aliases", []), *spec.get("meaning", [])]:
                if text and len(normalise_label(text).split()) >= 2:
                    texts.append((qid, str(text)))
        self._texts = texts
        self._words = [content_words(t) for _, t in texts]
        self._vectors = None
        self._cache: dict[str, Placement] = {}
        self.cache_dir = cache_dir
        self._embedder = None

    @property
    def ids(self) -> list[str]:
        """The question ids in config order."""
        return self.matcher.ids

    def _embed(self, texts: list[str]):
        """Embed with all-MiniLM-L6-v2 in numpy (:mod:`pipeline.ingest.minilm`, loaded on first need, once per
        process); where its files cannot be read that way, with sentence-transformers (:class:`Embedder`)."""
        if self._embedder is None:
            from pipeline.ingest.minilm import MiniLMUnavailableError, load_minilm

            try:
                self._embedder = load_minilm()
            except MiniLMUnavailableError as exc:
                from pipeline.nlp.embed import Embedder

                log.info("placing headings by meaning with sentence-transformers (%s)", exc)
                self._embedder = Embedder(cache_dir=self.cache_dir, show_progress=False)
        return self._embedder.encode(texts)

    def by_meaning(self, label: str) -> Placement:
        """Compare a label with every question's texts by meaning (no aliases)."""
        import numpy as np

        norm = normalise_label(label)
        words = content_words(label)
        # A single word ("Notes", "Interview") says too little to be placed by meaning: aliases only.
        if not norm or not self._texts or len(norm.split()) < 2:
            return Placement(UNKNOWN, "none", 0.0)
        ids = [q for q, _ in self._texts]
        overlap = np.array([len(words & w) / len(words) if words else 0.0 for w in self._words])
        if self.use_embeddings:
            if self._vectors is None:
                self._vectors = self._embed([t for _, t in self._texts])
            cosine = self._vectors @ self._embed([str(label)])[0]
        else:
            cosine = np.zeros(len(ids))
        score = self.embedding_weight * np.clip(cosine, 0, 1) + (1 - self.embedding_weight) * overlap
        best: dict[str, float] = {}
        for qid, s in zip(ids, score, strict=True):
            best[qid] = max(best.get(qid, 0.0), float(s))
        ranked = sorted(best, key=lambda q: -best[q])
        qid = ranked[0]
        conf = round(best[qid], 3)
        second = best[ranked[1]] if len(ranked) > 1 else 0.0
        if conf < self.min_confidence or best[qid] - second < self.min_margin:
            return Placement(UNKNOWN, "none", conf, qid)
        return Placement(qid, "meaning", conf, qid)

    def place(self, label: Any, strict: bool = False, meaning: bool = True, question_like: bool = False) -> Placement:
        """Aliases first (as :meth:`QuestionMatcher.match`), then meaning when ``meaning`` is true.

        Args:
            label: A heading, column name or question.
            strict: Alias matching for lines of running text (see :meth:`QuestionMatcher.match`).
            meaning: Also compare by meaning when no alias matches.
            question_like: Compare by meaning only a label worded as a question (it ends with '?' or opens
                with a question word: "What...", "Has...", "Beth..."), so a document's title is never taken
                for a question.
        """
        qid = self.matcher.match(label, strict=strict)
        if qid != UNKNOWN:
            return Placement(qid, "alias", 1.0, qid)
        if not meaning or label is None or not str(label).strip():
            return Placement(UNKNOWN, "none", 0.0)
        if question_like and not looks_like_question(str(label)):
            return Placement(UNKNOWN, "none", 0.0)
        key = normalise_label(label)
        if key not in self._cache:
            self._cache[key] = self.by_meaning(str(label))
        return self._cache[key]

    # The matcher's interface, so readers can use either.
    def match(self, label: Any, strict: bool = False) -> str:
        """Aliases only (see :meth:`QuestionMatcher.match`)."""
        return self.matcher.match(label, strict=strict)

    def is_question(self, label: Any, strict: bool = False) -> bool:
        """True when an alias names one of the questions."""
        return self.matcher.is_question(label, strict=strict)
