"""Split answers into statements: sentences, with very short ones kept together with a neighbour.

A statement is the unit that is coded. It is one sentence, or a few sentences grouped so that a
fragment ("Yes." / "Not really.") keeps the context that gives it meaning. Every statement keeps
its ``response_id`` and its character span in the answer, so ``text[char_start:char_end]`` of the
response is exactly the statement's text and each code can be traced to the words of the return.

Sentence boundaries come from spaCy's rule-based ``sentencizer`` on a blank pipeline (about
40,000 docs/s): ``spacy.blank("en")`` for English and ``spacy.blank("xx")`` (multi-language) for
Welsh, which spaCy has no language class for.

Part of ``python -m pipeline code``; pure functions, no file I/O.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from pipeline.settings import lookup

#: Columns carried from each response onto its statements.
CARRIED = (
    "organisation",
    "cohort",
    "police_force_area",
    "engagement_method",
    "participant_ref",
    "speaker",
    "language",
    "question",
)


@lru_cache(maxsize=4)
def _sentencizer(lang: str):
    import spacy

    nlp = spacy.blank("xx" if lang == "cy" else "en")
    nlp.add_pipe("sentencizer")
    return nlp


def sentence_spans(text: str, language: str = "en") -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``, trimmed of surrounding white space.

    Line breaks also end a sentence (answers are often lists, one point a line).
    """
    nlp = _sentencizer("cy" if language == "cy" else "en")
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            for sent in nlp(line).sents:
                start = offset + sent.start_char
                end = offset + sent.end_char
                chunk = text[start:end]
                lstrip = len(chunk) - len(chunk.lstrip())
                rstrip = len(chunk) - len(chunk.rstrip())
                if end - rstrip > start + lstrip:
                    spans.append((start + lstrip, end - rstrip))
        offset += len(line)
    return _openers_forward(text, spans)


#: Characters that open what follows them; the sentencizer leaves them at the end of the sentence before.
_OPENERS = "[(\u201c\u2018"


def _openers_forward(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Give an opening bracket or quote left at a sentence's end to the next sentence.

    The sentencizer splits "... in school. [NAME] told me" after the "[", which leaves "NAME] told me"
    (a broken placeholder a theme could be named by).
    """
    out = list(spans)
    for i in range(len(out) - 1):
        start, end = out[i]
        n = 0
        while end - n - 1 > start and text[end - n - 1] in _OPENERS and text[end - n - 2].isspace():
            n += 1
        if n:
            cut = len(text[start : end - n].rstrip())
            out[i] = (start, start + cut)
            out[i + 1] = (end - n, out[i + 1][1])
    return [(a, b) for a, b in out if b > a]


def group_spans(text: str, spans: list[tuple[int, int]], min_words: int | None = None,
                max_words: int | None = None) -> list[tuple[int, int]]:
    """Merge sentences shorter than ``min_words`` words with a neighbour.

    A short sentence joins the following one (an opening "Yes." belongs with its reason); a short
    last sentence joins the one before. A merge never makes a statement longer than ``max_words``.

    Args:
        text: The answer.
        spans: Sentence spans (from :func:`sentence_spans`), in order.
        min_words: Sentences with fewer words are grouped with a neighbour (default: ``coding.min_words``
            of ``config/settings.yaml``).
        max_words: Upper bound on a grouped statement's words (default: ``coding.max_words``).

    Returns:
        Statement spans covering the same sentences, in order.
    """
    min_words, max_words = _word_limits(min_words, max_words)

    def words(span: tuple[int, int]) -> int:
        return len(text[span[0] : span[1]].split())

    out: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for span in spans:
        if pending is not None:
            merged = (pending[0], span[1])
            if words(merged) <= max_words:
                span = merged
            else:
                out.append(pending)
            pending = None
        if words(span) < min_words:
            pending = span
        else:
            out.append(span)
    if pending is not None:
        if out and words((out[-1][0], pending[1])) <= max_words:
            out[-1] = (out[-1][0], pending[1])
        else:
            out.append(pending)
    return out


def _word_limits(min_words: int | None, max_words: int | None) -> tuple[int, int]:
    """The given word limits, or ``coding.min_words`` / ``coding.max_words`` of ``config/settings.yaml``."""
    return (int(lookup(None, "coding.min_words", "settings.yaml")) if min_words is None else min_words,
            int(lookup(None, "coding.max_words", "settings.yaml")) if max_words is None else max_words)


def segment_responses(responses: pd.DataFrame, min_words: int | None = None,
                      max_words: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split every response into statements.

    Args:
        responses: ``responses.parquet`` rows (needs ``response_id`` and ``text``; the columns in
            :data:`CARRIED` are carried when present, else set to ``unknown``).
        min_words: Sentences shorter than this are grouped with a neighbour (default: ``coding.min_words``).
        max_words: Grouping never makes a statement longer than this (default: ``coding.max_words``).

    Returns:
        ``(statements, skipped)``: statements with ``statement_id, response_id``, the carried columns,
        ``text, char_start, char_end``; and the responses that gave no statement (blank text), with a
        ``reason``.
    """
    min_words, max_words = _word_limits(min_words, max_words)
    rows: list[dict] = []
    skipped: list[dict] = []
    for rec in responses.to_dict("records"):
        text = rec.get("text")
        text = "" if text is None or (isinstance(text, float) and text != text) else str(text)
        language = str(rec.get("language") or "en")
        spans = group_spans(text, sentence_spans(text, language), min_words, max_words) if text.strip() else []
        if not spans:
            skipped.append({"response_id": rec["response_id"], "reason": "the answer has no text"})
            continue
        for i, (start, end) in enumerate(spans, start=1):
            row = {"statement_id": f"{rec['response_id']}-S{i:02d}", "response_id": rec["response_id"]}
            for col in CARRIED:
                value = rec.get(col)
                row[col] = "unknown" if value is None or (isinstance(value, float) and value != value) else str(value)
            row.update(text=text[start:end], char_start=start, char_end=end)
            rows.append(row)
    columns = ["statement_id", "response_id", *CARRIED, "text", "char_start", "char_end"]
    statements = pd.DataFrame(rows, columns=columns)
    statements["char_start"] = statements["char_start"].astype("int64")
    statements["char_end"] = statements["char_end"].astype("int64")
    return statements, pd.DataFrame(skipped, columns=["response_id", "reason"])
