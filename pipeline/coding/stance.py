"""Stance of a statement about its question, and whether it proposes a concrete action.

Stance is about the statement's question: for ``listened``/``interpreted``, does the speaker think
CJIW has listened / understood (``agree``), has not (``disagree``), partly (``mixed``), or can we not
tell (``unclear``); for ``solutions``, are the plan's solutions right and enough. For ``other`` it is
the speaker's view of the plan or the system as far as it shows.

:class:`StanceClassifier` works in two ways:

* **Cue rules** (always available): counts of agreeing cues ("yes", "they have listened",
  "agree", "it's in there", Welsh "ydyn", "cytuno"), disagreeing cues about the plan ("nobody
  listened", "not in the plan", "not enough", "tick box", Welsh "ddim wedi gwrando", "dim sôn"; plain
  negation counts only in a statement that also mentions the plan or listening, since otherwise it
  describes a problem rather than judging the plan) and contrast cues ("but", "however", "partly",
  Welsh "ond", "rhannol"). Contrast with an agreeing cue -> mixed; more disagreeing than agreeing ->
  disagree; the reverse -> agree. With the question known, ``other`` is always unclear and a
  statement with no cue takes :data:`QUESTION_DEFAULT` (agree for the three plan questions); without
  it, no cue -> unclear.
* **Classifier** (when ``fit`` gets labelled statements): logistic regression on embeddings,
  char n-grams and the cue counts, trained on the labels (e.g. a gold file's ``stance`` column or
  analyst corrections).

:func:`is_suggestion` marks statements that propose an action ("should", "need to", "must",
"would be better if", an imperative opening such as "Train ..."; Welsh "dylai", "dylid", "angen",
"rhaid"). Pure functions; used by ``python -m pipeline code``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from pipeline.coding.features import TextFeatures, get_embedder
from pipeline.settings import load_vocabularies

STANCES = ("agree", "disagree", "mixed", "unclear")

CUES: dict[str, list[str]] = {
    # Views of the plan or of CJIW's listening that are positive.
    "agree": [
        "yes", "yeah", "yep", "agree", "i agree", "definitely", "they have listened", "has listened", "have listened",
        "you listened", "they listened", "you heard", "listened to us", "we were heard", "felt heard", "feel heard", "was heard",
        "got it right", "spot on", "accurate", "good plan", "it is good", "it's good", "is good", "positive", "happy",
        "glad", "pleased", "welcome", "well done", "reflects", "captures", "covers", "understood", "they understand",
        "right", "correct", "exactly", "strong", "great", "good", "fine", "true", "thank you", "it's in there",
        "is in there", "in the plan", "gets that", "the plan says", "is there",
        "ydyn", "ydy", "ydw", "do", "cytuno", "da iawn", "yn dda", "da", "cywir", "wedi gwrando", "wedi deall",
        "croesawu", "diolch", "yn y cynllun",
    ],
    # Negative views of the plan or of CJIW's listening: something missing, not heard, not enough.
    "disagree": [
        "nobody listened", "no one listened", "not listened", "never listened", "haven't listened", "hasn't listened",
        "didn't listen", "don't listen", "not heard", "weren't heard", "not in the plan", "not in there",
        "isn't in there", "not mentioned", "isn't mentioned", "nothing about", "not enough", "missing", "misses",
        "missed", "left out", "leaves out", "ignored", "vague", "pointless", "empty", "waste", "wrong", "disagree",
        "doubt", "sceptical", "skeptical", "lip service", "tick box", "tick-box", "box ticking", "same old",
        "won't change", "nothing changes", "nothing will change", "too little", "not far enough", "just words",
        "just a sentence", "not a plan", "doesn't say", "don't say", "doesn't understand", "don't understand",
        "without us", "it isn't", "softened", "no,",
        "ddim wedi gwrando", "heb wrando", "ddim yn deall", "ddim wedi deall", "dim byd yma", "dim sôn", "ar goll",
        "anghytuno", "anghywir", "methu", "gwan", "dim digon", "nac ydyn", "nac ydy", "naddo",
    ],
    # Plain negation: a disagreeing cue only in a statement that also talks about the plan or listening.
    "negation": [
        "no", "not", "n't", "never", "nobody", "no one", "nothing", "none", "ddim", "dim", "byth", "neb", "na", "heb",
    ],
    "plan": [
        "plan", "listen", "listened", "heard", "mentioned", "mentions", "understand", "understood", "in there",
        "the draft", "document", "section", "cynllun", "gwrando", "clywed", "deall", "sôn",
    ],
    "mixed": [
        "but", "however", "partly", "partially", "somewhat", "to an extent", "to some extent", "in some ways",
        "some of", "kind of", "sort of", "not fully", "not completely", "mostly", "although", "though", "yet",
        "mixed", "on the other hand", "in parts", "a bit", "a start", "a good start", "first step", "in theory",
        "ond", "er", "rhannol", "yn rhannol", "i raddau", "braidd", "rhai o",
    ],
}

#: Stance of a statement with no cue, by its question (``other`` is always ``unclear``): in answer
#: to "has CJIW listened / interpreted the challenges / outlined solutions?", a statement that only
#: restates a challenge or proposes an action without objecting to the plan takes the plan's framing.
QUESTION_DEFAULT = {"listened": "agree", "interpreted": "agree", "solutions": "agree", "other": "unclear"}

SUGGESTION = re.compile(
    r"\b(should|shouldn't|need to|needs to|needed|must|have to|has to|ought to|would be better|would help|"
    r"it would be good|would like|i'd like|we'd like|we want|i want|want them to|recommend|suggest|"
    r"please|why not|could they|they could|there should|make sure|instead of|more support|more funding|"
    r"dylai|dylid|dylen|dylem|dylech|angen|rhaid|hoffwn|hoffem|byddai'n well|gwell petai|awgrymu)\b",
    re.IGNORECASE,
)
IMPERATIVES = {
    "train", "publish", "stop", "make", "give", "listen", "hire", "recruit", "invest", "bring", "have", "let", "put",
    "set", "create", "provide", "ensure", "involve", "teach", "fund", "open", "employ", "build", "change", "start",
    "talk", "ask", "include", "support", "use", "treat", "end", "introduce", "offer", "work", "get", "hold",
    "educate", "remove", "reduce", "increase", "visit", "show", "tell", "keep", "consult", "monitor", "review",
    "gwrandewch", "rhowch", "hyfforddwch", "cyhoeddwch", "stopiwch", "gwnewch", "cynhwyswch", "buddsoddwch",
}


def is_suggestion(text: str) -> bool:
    """True when the statement proposes an action (modal/need cue or an imperative opening)."""
    if SUGGESTION.search(text):
        return True
    first = re.findall(r"[a-zA-Zâêîôûŵŷ']+", text[:40].lower())
    return bool(first) and first[0] in IMPERATIVES


def cue_counts(texts: Sequence[str]) -> np.ndarray:
    """Counts of agree, disagree and contrast cues per text, shape ``(n, 3)``.

    Plain negation ("not", "never", Welsh "ddim") counts as one disagreeing cue only when the
    statement also refers to the plan or to being listened to; otherwise it is describing a problem,
    not judging the plan.
    """
    out = np.zeros((len(texts), 3))
    for i, m in enumerate(_cue_lexicon().match(texts)):
        neg = len(m.get("negation", [])) > 0 and len(m.get("plan", [])) > 0
        out[i] = [len(m.get("agree", [])), len(m.get("disagree", [])) + int(neg), len(m.get("mixed", []))]
    return out


@lru_cache(maxsize=1)
def _cue_lexicon():
    from pipeline.coding.lexicon import Lexicon

    return Lexicon({k: {"en": v} for k, v in CUES.items()})


def rule_stance(counts: np.ndarray, questions: Sequence[str] | None = None,
                question_default: dict[str, str] | None = None) -> tuple[list[str], np.ndarray]:
    """Stance from cue counts ``(agree, disagree, contrast)``, with a rough confidence.

    Args:
        counts: Output of :func:`cue_counts`.
        questions: The statements' questions; with them, ``other`` is always ``unclear`` and a
            statement with no cue gets ``question_default[question]``.
        question_default: Stance of a cue-less statement by question (default :data:`QUESTION_DEFAULT`).
    """
    defaults = QUESTION_DEFAULT if question_default is None else question_default
    qs = list(questions) if questions is not None else [None] * len(counts)
    labels, conf = [], []
    for (a, d, m), q in zip(counts, qs, strict=True):
        if q == "other":
            labels.append("unclear")
            conf.append(0.7)
        elif m > 0 and a > 0:
            labels.append("mixed")
            conf.append(0.6)
        elif d >= a and d > 0:
            labels.append("disagree")
            conf.append(min(0.9, 0.5 + 0.1 * (d - a)))
        elif a > d:
            labels.append("agree")
            conf.append(min(0.9, 0.5 + 0.1 * (a - d)))
        elif a == d == 0 and q in defaults:
            labels.append(defaults[q])
            conf.append(0.4)
        else:
            labels.append("unclear")
            conf.append(0.5 if a == d == 0 else 0.4)
    return labels, np.array(conf)


class StanceClassifier:
    """Stance (agree/disagree/mixed/unclear) of statements, by cue rules or a trained classifier.

    Args:
        embedder: Embedding object; ``None`` = in-memory one (only needed once fitted with labels).
        min_labelled: Labelled statements needed (with at least two stances) to train the classifier.
        C: Regularisation of the classifier.
        use_question: Add the statement's question as a feature (stance words mean different things
            for different questions).
        by_question: Also learn one model per question (where it has ``min_labelled`` labelled
            statements with two stances or more) and average it with the shared model: "yes" to
            "has CJIW listened?" and "yes" beside a suggestion are different stances.
        random_state: Seed of the solver.
    """

    def __init__(self, embedder=None, min_labelled: int = 20, C: float = 2.0, use_question: bool = True,
                 by_question: bool = True, random_state: int = 42) -> None:
        self.embedder = embedder
        self.min_labelled = min_labelled
        self.C = C
        self.use_question = use_question
        self.by_question = by_question
        self.random_state = random_state

    def _dense(self, texts, questions):
        dense = np.log1p(cue_counts(texts))
        if self.use_question:
            ids = load_vocabularies().answerable_questions  # config/questions.yaml, then "other"
            q = np.array([[1.0 if qq == k else 0.0 for k in ids]
                          for qq in (questions if questions is not None else ["unknown"] * len(texts))])
            dense = np.hstack([dense, q.reshape(len(texts), len(ids))])
        return dense

    def fit(self, texts: Sequence[str] | None = None, stances: Sequence[str] | None = None,
            questions: Sequence[str] | None = None) -> StanceClassifier:
        """Train on labelled statements when there are enough; otherwise the cue rules are used."""
        self.model_ = None
        texts = [str(t) for t in (texts or [])]
        stances = list(stances or [])
        keep = [i for i, s in enumerate(stances[: len(texts)]) if s in STANCES]
        if len(keep) >= self.min_labelled and len({stances[i] for i in keep}) >= 2:
            from sklearn.linear_model import LogisticRegression

            self.embedder_ = get_embedder(self.embedder)
            tx = [texts[i] for i in keep]
            tq = [questions[i] for i in keep] if questions is not None else None
            self.features_ = TextFeatures(None).fit(tx)
            X = self.features_.transform(tx, embeddings=self.embedder_.encode(tx), dense=self._dense(tx, tq))
            y = np.array([stances[i] for i in keep])
            self.model_ = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000,
                                             random_state=self.random_state).fit(X, y)
            self.question_models_ = {}
            if self.by_question and tq is not None:
                qs = np.array(tq)
                for q in sorted(set(tq)):
                    rows = np.where(qs == q)[0]
                    if len(rows) >= self.min_labelled and len(set(y[rows])) >= 2:
                        self.question_models_[q] = LogisticRegression(
                            C=self.C, class_weight="balanced", max_iter=2000, random_state=self.random_state
                        ).fit(X[rows], y[rows])
        return self

    def predict(self, texts: Sequence[str], questions: Sequence[str] | None = None) -> tuple[list[str], np.ndarray]:
        """Stance and confidence of each text."""
        texts = [str(t) for t in texts]
        if not texts:
            return [], np.zeros(0)
        if getattr(self, "model_", None) is None:
            return rule_stance(cue_counts(texts), questions)
        X = self.features_.transform(texts, embeddings=self.embedder_.encode(texts), dense=self._dense(texts, questions))
        proba = self.model_.predict_proba(X)
        classes = list(self.model_.classes_)
        for q, model in (getattr(self, "question_models_", None) or {}).items():
            rows = [i for i, qq in enumerate(questions or []) if qq == q]
            if rows:
                part = np.zeros((len(rows), len(classes)))
                part[:, [classes.index(c) for c in model.classes_]] = model.predict_proba(X[rows])
                proba[rows] = (proba[rows] + part) / 2
        best = proba.argmax(axis=1)
        return [str(self.model_.classes_[b]) for b in best], proba.max(axis=1)
