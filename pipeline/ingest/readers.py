"""Readers: one small function per return format, each turning a file into raw answer items.

Every reader takes a path and a :class:`ReadContext` (question aliases and the column names a
sheet may use, from ``config/questions.yaml`` and ``config/settings.yaml``) and returns a
DataFrame of *raw items*, one per answer found, with the columns :data:`RAW_COLUMNS`:

- ``source_location``: where in the file (``paragraph=12``, ``table=1;row=3;col=2``,
  ``sheet=Q1;row=7;col=C``, ``row=4;col=B``, ``line=33``, ``page=2;line=14``);
- ``question_label`` / ``question``: the heading or column it sat under and the question id it names
  (``unknown`` when nothing matched);
- ``participant_key``: the raw identifier within the file ("P3", a spreadsheet ID, ``row 7``), or
  ``""`` when the return speaks for a group;
- ``speaker``: ``participant`` or ``facilitator``;
- ``text``: the answer as written ("" for a question left blank; the stage rejects those);
- ``cohort`` / ``area``: what a sheet's own cohort or area column says for that row ("" if none);
- ``note``: "" for an answer; otherwise why this item is not an answer (the stage ledgers it);
- ``question_confidence``: how sure the placement is (1 for an alias, the meaning score, 0 for ``unknown``);
- ``ocr_confidence``: Tesseract's mean word confidence (0-100) for text read by OCR, "" otherwise;
- ``kind``: ``item`` (an answer or a rejected item) or ``metadata`` (a whole metadata column: an ID,
  timestamp, name, email, age, consent... never kept as text; ``note`` says what it is);
- ``cells``: how many cells or lines the item stands for (1, or a metadata column's filled cells), so
  the ledger reconciles cells.

Readers raise :class:`ReturnError`, whose message names the file and says what to do, for a file
that is corrupt, password-protected, empty or of an unknown format. A file with no recognisable
question is still read: its answers are ``unknown`` (the ledger warns). More formats (OCR of scans
and photos, OpenDocument, RTF, email, HTML) are in :mod:`pipeline.ingest.formats`.
``READERS`` maps each accepted extension to its reader; :func:`read_return` dispatches.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.ingest.questions import Placement, QuestionMatcher, QuestionPlacer
from pipeline.settings import lookup
from pipeline.vocab import UNKNOWN, normalise_label

RAW_COLUMNS = [
    "source_location",
    "question_label",
    "question",
    "participant_key",
    "speaker",
    "text",
    "cohort",
    "area",
    "note",
    "question_confidence",
    "ocr_confidence",
    "kind",
    "cells",
]

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"
_ZIP_SIGNATURE = b"PK"
_PDF_SIGNATURE = b"%PDF"

NOT_AN_ANSWER_METADATA = "a title or 'label: value' line before the first question, not an answer"
NOT_AN_ANSWER_PREAMBLE = "introductory text before the first question (not a participant's answer)"
NOT_AN_ANSWER_SHEET = "sheet {sheet!r} has no question or answer columns, so this row was not read as an answer"
NOT_AN_ANSWER_TITLE_ROW = "a title row above the table's header, not an answer"


class ReturnError(Exception):
    """A return file cannot be read; the message names the file and says what to do."""


@dataclass(frozen=True)
class ReadContext:
    """What readers need to know: the questions, the column names sheets use and the OCR settings.

    Build it with :meth:`from_config` from ``config/questions.yaml`` and the ``ingest`` and
    ``ingest_layout`` sections of ``config/settings.yaml``.
    """

    matcher: QuestionMatcher
    participant_columns: frozenset[str] = frozenset()
    answer_columns: frozenset[str] = frozenset()
    cohort_columns: frozenset[str] = frozenset()
    area_columns: frozenset[str] = frozenset()
    speaker_columns: frozenset[str] = frozenset()
    header_scan_rows: int = field(
        default_factory=lambda: int(lookup(None, "ingest_layout.header_scan_rows", "settings.yaml")))
    label_columns: frozenset[str] = field(default_factory=lambda: frozenset({"question", "questions", "cwestiwn", "topic"}))
    placer: QuestionPlacer | None = None
    metadata_columns: Mapping[str, str] = field(default_factory=dict)
    personal_metadata: frozenset[str] = frozenset()
    vocab: Mapping[str, Any] = field(default_factory=dict)
    ocr: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_config(cls, questions: Mapping[str, Any], layout: Mapping[str, Any],
                    ingest: Mapping[str, Any] | None = None, vocab: Mapping[str, Any] | None = None,
                    cache_dir: Path | None = None) -> ReadContext:
        """Build from the ``questions`` mapping, the ``ingest_layout`` and ``ingest`` settings and the vocabularies.

        ``cache_dir`` (the processed folder) keeps the embeddings of labels placed by meaning between runs.
        """

        def names(key: str) -> frozenset[str]:
            return frozenset(normalise_label(v) for v in layout.get(key, []) or [])

        ingest = dict(ingest if ingest is not None else config_section("ingest"))
        placer_args = {k: ingest[f"question_{k}"] for k in ("min_confidence", "min_margin", "embedding_weight",
                                                              "use_embeddings") if f"question_{k}" in ingest}
        metadata = {normalise_label(alias): kind for kind, aliases in (layout.get("metadata_columns") or {}).items()
                    for alias in aliases or []}
        return cls(
            matcher=QuestionMatcher(questions),
            participant_columns=names("participant_columns"),
            answer_columns=names("answer_columns"),
            cohort_columns=names("cohort_columns"),
            area_columns=names("area_columns"),
            speaker_columns=names("speaker_columns"),
            header_scan_rows=int(lookup({"ingest_layout": layout}, "ingest_layout.header_scan_rows", "settings.yaml")),
            placer=QuestionPlacer(questions, cache_dir=cache_dir, **placer_args),
            metadata_columns=metadata,
            personal_metadata=frozenset(layout.get("personal_metadata", []) or []),
            vocab=vocab or {},
            ocr={k[4:]: v for k, v in ingest.items() if k.startswith("ocr_")},
        )

    def ocr_setting(self, key: str) -> Any:
        """An OCR setting (``languages``, ``pdf_dpi``, ``min_line_confidence``): ``ingest.ocr_<key>`` of the settings."""
        return lookup({"ingest": {f"ocr_{k}": v for k, v in self.ocr.items()}}, f"ingest.ocr_{key}", "settings.yaml")

    def place(self, label: Any, strict: bool = False, meaning: bool = True, question_like: bool = False) -> Placement:
        """Place a label on a question: aliases first, then (``meaning``) by meaning; see :class:`QuestionPlacer`."""
        if self.placer is None:
            qid = self.matcher.match(label, strict=strict)
            return Placement(qid, "alias" if qid != UNKNOWN else "none", 1.0 if qid != UNKNOWN else 0.0)
        return self.placer.place(label, strict=strict, meaning=meaning, question_like=question_like)


def config_section(name: str) -> Mapping[str, Any]:
    """A section of ``config/settings.yaml`` (for callers that build a context without passing it)."""
    from pipeline import config

    return config.settings().get(name, {}) or {}


# ----------------------------------------------------------------------------------------------
# Shared helpers


def _item(location: str, question: str = UNKNOWN, label: str = "", key: str = "", speaker: str = "participant",
          text: str = "", cohort: str = "", area: str = "", note: str = "", confidence: float | None = None,
          ocr: float | None = None, kind: str = "item", cells: int = 1) -> dict[str, Any]:
    if confidence is None:
        confidence = 1.0 if question != UNKNOWN else 0.0
    return {
        "source_location": location,
        "question_label": label,
        "question": question,
        "participant_key": key,
        "speaker": speaker,
        "text": text,
        "cohort": cohort,
        "area": area,
        "note": note,
        "question_confidence": round(float(confidence), 3),
        "ocr_confidence": "" if ocr is None else round(float(ocr), 1),
        "kind": kind,
        "cells": int(cells),
    }


def _metadata_item(location: str, label: str, note: str, cells: int) -> dict[str, Any]:
    """A metadata column (or email header): counted in the ledger, its values never kept."""
    return _item(location, label=label, note=note, kind="metadata", cells=cells)


def _frame(items: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(items, columns=RAW_COLUMNS).astype(str) if items else pd.DataFrame(columns=RAW_COLUMNS)


def _clean(value: Any) -> str:
    """Cell or paragraph text with spacing tidied; dates and numbers as plain strings."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\u00a0", " ").replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[ \t]+", " ", text).strip()


def _check_bytes(path: Path, expect: bytes | None) -> bytes:
    """Reject empty, encrypted or obviously corrupt files before a parser sees them."""
    data = path.read_bytes()
    if not data.strip():
        raise ReturnError(f"{path.name} is empty (it holds no text). Ask the organisation to send the return again.")
    if expect == _ZIP_SIGNATURE and data.startswith(_OLE_SIGNATURE):
        raise ReturnError(
            f"{path.name} looks password-protected (it is an encrypted Office file). "
            "Ask the organisation for a copy without a password, or open it, remove the password and save it again."
        )
    if expect is not None and not data.startswith(expect):
        raise ReturnError(
            f"{path.name} is corrupt or is not really a {path.suffix} file (its contents do not match its extension). "
            "Open it to check, then ask the organisation to send it again or save it in the right format."
        )
    return data


def _corrupt(path: Path, exc: Exception) -> ReturnError:
    return ReturnError(
        f"{path.name} could not be opened: it looks corrupt ({type(exc).__name__}). "
        "Try opening it in Word/Excel; ask the organisation to send it again."
    )


def read_delimited(path: Path) -> pd.DataFrame:
    """A small delimited text table (manifest, grants register) as strings: any encoding
    :func:`decode_text` reads, the delimiter sniffed, blanks kept as empty strings."""
    text = decode_text(path.read_bytes(), path.name)
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=None, engine="python")


def decode_text(data: bytes, name: str) -> str:
    """Decode text bytes: UTF-8 (with or without BOM), else the detected charset (e.g. cp1252)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # Returns from Welsh organisations that are not UTF-8 are almost always Windows-1252 (Excel's
    # "CSV" on Windows). Detection on a short file can guess an exotic encoding, so a Western
    # guess is preferred, then cp1252 itself, then whatever the detector thinks best.
    results = from_bytes(data)
    western = {"cp1252", "latin_1", "iso8859_15", "cp1250", "mac_roman"}
    for match in results:
        if match.encoding in western:
            return str(match)
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    best = results.best()
    if best is not None and best.encoding:
        return str(best)
    raise ReturnError(
        f"{name} is not readable text (unknown character encoding). Save it again as UTF-8 text and resend it."
    )


_FACILITATOR = (
    r"facilitator(?:'?s)?(?: summary| note| notes| comment)?|summary|facilitator summary|note taker|notetaker|"
    r"interviewer|hwylusydd|crynodeb|staff|youth worker|worker|moderator"
)
# Participant numbers run to five digits: a notes file may list more than 999 speakers ("P1000:", "P12345:").
_PARTICIPANT = (
    r"p\s?\d{1,5}|(?:participant|interviewee|respondent|person|young person|yp|cyfranogwr|person ifanc)(?:\s*\d{1,5}|\s+[a-z]\b)?"
)
_SPEAKER_RE = re.compile(rf"^\s*(?:\*\*)?(?P<who>{_FACILITATOR}|{_PARTICIPANT})(?:\*\*)?\s*[:\-\u2013\u2014]\s*(?P<text>.*)$", re.I)
_BULLET_RE = re.compile(r"^\s*(?:[-*\u2022\u2013\u25cf\u25aa]|\d{1,2}[.)])\s+(?P<text>.+)$")
_QNUM_RE = re.compile(r"^\s*(?:#+\s*)?(?P<q>(?:q|question|cwestiwn)\s*\d{1,2})\b\s*[:.)\-\u2013]?\s*(?P<rest>.*)$", re.I)
_META_RE = re.compile(r"^[A-Z][A-Za-z /()'-]{1,30}:\s*\S")
_QUOTE_START = ('"', "\u201c", "'", "\u2018")
_PAGE_FOOTER_RE = re.compile(r"^(?:page\s*)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?$", re.I)


def parse_speaker(line: str) -> tuple[str, str, str] | None:
    """Split 'Facilitator: ...' / 'P1: ...' / 'Participant 3: ...' into (speaker, key, text)."""
    m = _SPEAKER_RE.match(line)
    if not m:
        return None
    who = m.group("who").strip()
    text = m.group("text").strip()
    if re.fullmatch(_FACILITATOR, who, re.I):
        return "facilitator", "", text
    number = re.search(r"\d+", who)
    if number:
        return "participant", "P" + number.group(0), text
    letter = re.search(r"\s([A-Za-z])$", who)
    # A bare 'Participant:' speaks for someone the notes do not identify: a group-level answer.
    return "participant", ("P" + letter.group(1).upper()) if letter else "", text


def _split_speaker(text: str) -> tuple[str, str, str]:
    parsed = parse_speaker(text)
    return parsed if parsed else ("participant", "", text)


# ----------------------------------------------------------------------------------------------
# Line-based returns: .txt/.md notes and PDF text


def _question_heading(line: str, ctx: ReadContext, markdown: bool,
                      meaning: bool = True) -> tuple[Placement, str, str] | None:
    """If a line is a question heading, return (placement, label, trailing answer text).

    ``meaning`` lets a plain line ending in '?' be a heading by meaning (not only by alias); readers
    turn it off once an alias has named a heading, so a participant's own question stays an answer.
    """
    stripped = line.strip()
    if markdown and stripped.startswith("#"):
        label = stripped.lstrip("#").strip()
        return ctx.place(label, question_like=True), label, ""
    m = _QNUM_RE.match(stripped)
    if m:
        rest = m.group("rest").strip()
        placement = ctx.place(m.group("q"), meaning=False)
        if not rest or ctx.matcher.is_question(rest) or rest.endswith("?"):
            return placement, stripped, ""
        return placement, m.group("q"), rest
    if len(stripped) > 150 or parse_speaker(stripped) is not None:
        return None
    if ctx.matcher.is_question(stripped.rstrip(":"), strict=True):
        return ctx.place(stripped.rstrip(":"), strict=True), stripped, ""
    # A short question-like line ("2. Have we correctly interpreted the challenges?") may use looser wording,
    # or other words with the same meaning ("What would make things better?").
    if stripped.endswith("?") and not stripped.startswith(_QUOTE_START):
        placement = ctx.place(stripped, meaning=meaning and len(stripped) <= 120
                              and not stripped.startswith(("-", "*", "\u2022")))
        if placement.question != UNKNOWN:
            return placement, stripped, ""
    return None


def _facilitator_question(text: str, ctx: ReadContext) -> Placement | None:
    """A facilitator's line that asks one of the questions ("Facilitator: What should change?")."""
    if "?" not in text or len(text) > 200:
        return None
    asked = text[: text.rindex("?") + 1]
    # The question is the last sentence that ends with '?' ("We read the summary. Has CJIW listened?").
    asked = re.split(r"(?<=[.!:])\s+", asked)[-1].strip()
    placement = ctx.place(asked)
    return placement if placement.question != UNKNOWN else None


@dataclass
class _LineItems:
    """What :func:`_items_from_lines` knows while it reads down the lines, and the items so far.

    Attributes:
        question, label, confidence: The question the lines now answer, as placed.
        seen_question: A question has been named (lines before it are preamble or metadata).
        by_heading: A heading has named a question; from then on headings (not facilitators' prompts) set it.
        by_alias: An alias has named a heading; from then on other '?' lines are headings only by alias.
        current: The item that a wrapped line continues, if any.
        heading_item: A blank item for the last question heading, added if nothing answers it.
        answered: Whether the last question heading has had an answer.
    """

    ctx: ReadContext
    items: list[dict[str, Any]] = field(default_factory=list)
    question: str = UNKNOWN
    label: str = ""
    confidence: float = 0.0
    seen_question: bool = False
    by_heading: bool = False
    by_alias: bool = False
    current: dict[str, Any] | None = None
    heading_item: dict[str, Any] | None = None
    answered: bool = True

    def close_heading(self) -> None:
        """A question heading with nothing under it yields a blank item (the question was left unanswered)."""
        if not self.answered and self.heading_item is not None:
            self.items.append(self.heading_item)

    def heading(self, location: str, heading: tuple[Placement, str, str]) -> None:
        """A question heading: the lines after it answer its question (``rest``: an answer on the same line)."""
        self.close_heading()
        self.current = None
        placement, self.label, rest = heading
        self.question, self.confidence = placement.question, placement.confidence
        self.seen_question = self.seen_question or self.question != UNKNOWN
        self.by_heading = self.by_heading or self.question != UNKNOWN
        self.by_alias = self.by_alias or placement.method == "alias"
        self.answered = self.question == UNKNOWN
        self.heading_item = _item(location, self.question, self.label, confidence=self.confidence)
        if rest:
            self.answered = True
            speaker, key, text = _split_speaker(rest)
            self.current = _item(location, self.question, self.label, key, speaker, text, confidence=self.confidence)
            self.items.append(self.current)

    def facilitator(self, said: str) -> None:
        """A facilitator's line: when it asks one of the questions, the answers that follow it are placed on it."""
        asked = _facilitator_question(said, self.ctx)
        if asked is not None:
            self.close_heading()
            self.answered = True
            self.question, self.label, self.confidence = asked.question, said, asked.confidence
            self.seen_question = True

    def line(self, location: str, line: str, parsed: tuple[str, str, str] | None, bullet: re.Match[str] | None) -> None:
        """A line that starts an item (a speaker label, a bullet, or a new paragraph)."""
        text = bullet.group("text") if bullet and parsed is None else line
        speaker, key, text = _split_speaker(text)
        note = ""
        if not self.seen_question and parsed is None:
            meta = _META_RE.match(line) or _looks_like_title(line)
            note = NOT_AN_ANSWER_METADATA if meta else NOT_AN_ANSWER_PREAMBLE
        self.current = _item(location, self.question, self.label, key, speaker, text, note=note,
                             confidence=self.confidence)
        self.items.append(self.current)
        self.answered = True
        if note == NOT_AN_ANSWER_METADATA:
            self.current = None  # a title or 'label: value' line stands alone; an introduction paragraph may wrap


def _items_from_lines(lines: Iterable[tuple[str, str]], ctx: ReadContext, markdown: bool) -> list[dict[str, Any]]:
    """Group (location, line) pairs into items under question headings.

    A blank line ends an item; a speaker label, bullet or heading starts a new one; other lines
    continue the current item (wrapped text). A question heading with nothing under it yields a
    blank item, so the ledger shows the question was left unanswered. In notes without question
    headings, a facilitator's line that asks one of the questions ("Facilitator: Has CJIW listened
    to you?", or the same question in other words) places the answers that follow it.
    """
    state = _LineItems(ctx)
    for location, raw in lines:
        line = raw.strip()
        if not line:
            state.current = None
            continue
        heading = _question_heading(line, ctx, markdown, meaning=not state.by_alias)
        if heading is not None:
            state.heading(location, heading)
            continue
        parsed = parse_speaker(line)
        bullet = _BULLET_RE.match(line)
        if parsed is None and bullet is None and state.current is not None:
            state.current["text"] = f"{state.current['text']} {line}".strip()
            continue
        if parsed is not None and parsed[0] == "facilitator" and not state.by_heading:
            state.facilitator(parsed[2])
        state.line(location, line, parsed, bullet)
    state.close_heading()
    return state.items


def _looks_like_title(line: str) -> bool:
    """A short line without sentence punctuation before any question: a title, not an answer."""
    return line.startswith("---") or (len(line) <= 80 and not line.rstrip().endswith((".", "!", "?", '"', "\u201d")))


def read_text(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read .txt/.md focus-group notes: '#'/'Q1:' headings, 'Facilitator:'/'P1:' lines."""
    data = _check_bytes(path, None)
    text = decode_text(data, path.name)
    lines = [(f"line={i}", line) for i, line in enumerate(text.splitlines(), start=1)]
    items = _items_from_lines(lines, ctx, markdown=True)
    return _finish(path, items)


def read_pdf(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read a PDF's text layer line by line (pdfplumber); headings are found by question alias."""
    _check_bytes(path, _PDF_SIGNATURE)
    import pdfplumber

    lines: list[tuple[str, str]] = []
    try:
        with pdfplumber.open(path) as pdf:
            for page_no, page in enumerate(pdf.pages, start=1):
                page_lines = page.extract_text_lines() or []
                heights = sorted(ln["bottom"] - ln["top"] for ln in page_lines) or [10.0]
                gap_limit = 0.9 * heights[len(heights) // 2]
                previous_bottom = None
                for line_no, ln in enumerate(page_lines, start=1):
                    # A vertical gap wider than about a line's height is a paragraph break.
                    if previous_bottom is not None and ln["top"] - previous_bottom > gap_limit:
                        lines.append((f"page={page_no};line={line_no}", ""))
                    previous_bottom = ln["bottom"]
                    if _PAGE_FOOTER_RE.match(ln["text"].strip()):
                        continue
                    lines.append((f"page={page_no};line={line_no}", ln["text"]))
                # A paragraph may run on to the next page; a sentence end closes it.
                last = next((t for _, t in reversed(lines) if t.strip()), "")
                if last.rstrip().endswith((".", "!", "?", '"', "\u201d", ":")):
                    lines.append((f"page={page_no};end", ""))
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types; all mean "cannot open"
        if "password" in type(exc).__name__.lower() or "encrypt" in str(exc).lower() or "password" in str(exc).lower():
            raise ReturnError(
                f"{path.name} looks password-protected. Ask the organisation for a copy without a password."
            ) from exc
        raise _corrupt(path, exc) from exc
    if not any(text.strip() for _, text in lines):
        # No text layer: a scanned paper return. Read it by OCR (Tesseract), flagged for the analyst.
        from pipeline.ingest.formats import read_scanned_pdf

        return read_scanned_pdf(path, ctx)
    return _finish(path, _items_from_lines(lines, ctx, markdown=False))


# ----------------------------------------------------------------------------------------------
# Grids: spreadsheet sheets, CSV files and Word tables


_NUMBER_RE = re.compile(r"^[\u00a3$\u20ac]?\s*[-+]?[\d,]*\.?\d+\s*%?$")
_DATE_RE = re.compile(
    r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:\s*[AP]M)?)?$|^\d{1,2}:\d{2}(?::\d{2})?$",
    re.I,
)
#: Metadata kinds whose words may appear inside a longer column heading ("What is your email address?").
_CONTAINED_KINDS = ("email", "name", "contact", "age", "consent", "equality", "respondent")
#: Survey-system columns that identify a respondent (a participant key when there is no participant column).
_RESPONDENT_IDS = frozenset({"response id", "unique id", "userno", "user no", "respondent id", "id"})
#: Participant columns that hold a person's name (a weaker identifier than an ID).
_NAME_COLUMNS = frozenset({"name", "full name", "your name", "person", "young person", "interviewee", "respondent"})


def _is_number_or_date(value: str) -> bool:
    v = value.strip()
    return bool(_NUMBER_RE.match(v) or _DATE_RE.match(v))


def _short_values(values: list[str], max_words: int = 5, share: float = 0.8) -> bool:
    filled = [v for v in values if v]
    return bool(filled) and sum(len(v.split()) <= max_words for v in filled) >= share * len(filled)


def _metadata_kind(norm: str, ctx: ReadContext, values: list[str] | None) -> str | None:
    """The metadata kind a heading names: whole heading, heading starting with a name, or (short values) inside it."""
    if norm in ctx.metadata_columns:
        return ctx.metadata_columns[norm]
    if values is None:
        return None
    starts = [a for a in ctx.metadata_columns if norm.startswith(a + " ")]
    if starts and _short_values(values, 8):
        return ctx.metadata_columns[max(starts, key=len)]
    contained = [a for a, k in ctx.metadata_columns.items()
                 if k in _CONTAINED_KINDS and re.search(rf"(?<!\w){re.escape(a)}(?!\w)", norm)]
    if contained and _short_values(values):
        return ctx.metadata_columns[max(contained, key=len)]
    return None


def _column_role(cell: str, ctx: ReadContext, context_question: str,
                 values: list[str] | None = None) -> tuple[str, str]:
    """Role of a header cell: participant/cohort/area/speaker/label/metadata/answer/question/extra/other.

    Without ``values`` (while looking for the header row) only names are used; with the column's
    values, a heading that names metadata inside longer words, or with numbers or dates under it,
    is metadata too. ``metadata`` roles carry their kind as the second element.
    """
    norm = normalise_label(cell)
    if not norm:
        return "extra", ""
    if norm in ctx.participant_columns:
        return "participant", ""
    if norm in ctx.cohort_columns:
        return "cohort", ""
    if norm in ctx.area_columns:
        return "area", ""
    if norm in ctx.speaker_columns:
        return "speaker", ""
    if norm in ctx.label_columns:
        return "label", ""
    if norm in ctx.metadata_columns:
        return "metadata", ctx.metadata_columns[norm]
    if context_question != UNKNOWN and norm in ctx.answer_columns:
        return "answer", context_question
    qid = ctx.matcher.match(cell)
    if qid != UNKNOWN:
        return "question", qid
    if norm in ctx.answer_columns:
        return "answer", UNKNOWN
    if values is not None:
        kind = _metadata_kind(norm, ctx, values)
        if kind is not None:
            return "metadata", kind
        for role, names in (("area", ctx.area_columns), ("cohort", ctx.cohort_columns)):
            if any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", norm) for n in names) and _short_values(values):
                return "metadata", f"{role} (a question about it: the manifest's {role} is used)"
    return "other", ""


def _find_header(rows: list[list[str]], ctx: ReadContext, context_question: str, context_label: str):
    """Scan the top rows for the header; single-cell title rows above it may name the question."""
    for r, row in enumerate(rows[: ctx.header_scan_rows]):
        filled = [c for c in row if c]
        if len(filled) == 1 and ctx.matcher.is_question(filled[0]):
            context_question, context_label = ctx.matcher.match(filled[0]), filled[0]
            continue
        roles = [_column_role(c, ctx, context_question) for c in row]
        kinds = [k for k, _ in roles]
        # A bare number ("1", an ID in a data row) names a question only in a 'Question | Answer' table.
        n_answer = sum(k in ("question", "answer") and not _is_number_or_date(c) for k, c in zip(kinds, row, strict=True))
        n_known = sum(k not in ("extra", "other") for k in kinds)
        if n_answer and (n_known >= 2 or len(filled) >= 2):
            return r, roles, context_question, context_label
    return None, None, context_question, context_label


def _fallback_header(rows: list[list[str]], ctx: ReadContext) -> int | None:
    """A header row no alias names: the first row of two or more text cells with rows below it.

    Survey exports name questions in their own words (Microsoft Forms: ID, Start time, ..., "Do you
    feel ... listened to you?"), so a row of headings is recognised by its shape: at least two cells,
    none a bare number or date, and a filled row after it.
    """
    for r, row in enumerate(rows[: ctx.header_scan_rows]):
        filled = [c for c in row if c]
        if len(filled) < 2 or any(_is_number_or_date(c) for c in filled):
            continue
        if any(any(later) for later in rows[r + 1:]):
            return r
    return None


def _speaker_value(value: str) -> str:
    norm = normalise_label(value)
    return "facilitator" if re.search(_FACILITATOR, norm) else "participant"


def _roles_by_values(rows: list[list[str]], header: int, roles: list[tuple[str, str]], ctx: ReadContext,
                     context_question: str, values: list[list[str]]) -> tuple[list[tuple[str, str]], dict[int, float]]:
    """Name-only roles refined with each column's values; an unnamed text column is a question placed by meaning."""
    out: list[tuple[str, str]] = []
    confidence: dict[int, float] = {}
    for c, (kind, qid) in enumerate(roles):
        cell = rows[header][c]
        if kind == "other":
            kind, qid = _column_role(cell, ctx, context_question, values[c])
        if kind == "other":
            filled = [v for v in values[c] if v]
            if filled and all(_is_number_or_date(v) for v in filled):
                kind, qid = "metadata", "numbers or dates"
            else:
                placement = ctx.place(cell)
                kind, qid = "question", placement.question
                confidence[c] = placement.confidence
        elif kind in ("question", "answer"):
            confidence[c] = 1.0 if qid != UNKNOWN else 0.0
        out.append((kind, qid))
    return out, confidence


def _settle_unheaded(out: list[tuple[str, str]], confidence: dict[int, float], values: list[list[str]]) -> None:
    """Columns with no heading, in place: one continues the answer column to its left (an answer split over
    two cells); one that follows no answer column is an answer of its own (text) or metadata (numbers or dates).
    """
    left = ""
    for c, (kind, _) in enumerate(out):
        if kind != "extra":
            left = kind
            continue
        filled = [v for v in values[c] if v]
        if left in ("question", "answer") or not filled:
            continue
        if all(_is_number_or_date(v) for v in filled):
            out[c] = ("metadata", "numbers or dates")
            left = "metadata"
        else:
            out[c] = ("question", UNKNOWN)
            confidence[c] = 0.0
            left = "question"


def _choose_participant(out: list[tuple[str, str]], headings: list[str]) -> None:
    """Keep one column as each row's participant, in place; the other identifying columns become metadata.

    The order: an ID or reference first, then a survey system's respondent number, then a name, an email,
    a name asked as a question.
    """
    def rank(c: int) -> int | None:
        kind, what = out[c]
        head = normalise_label(headings[c])
        if kind == "participant":
            return 2 if head in _NAME_COLUMNS else 0
        if kind == "metadata" and head in _RESPONDENT_IDS:
            return 1
        if kind == "metadata" and what == "participant identifier":
            return 2 if head in _NAME_COLUMNS else 0
        return {"email": 3, "name": 4}.get(what) if kind == "metadata" else None

    ranked = sorted((r, c) for c in range(len(headings)) if (r := rank(c)) is not None)
    for n, (_, c) in enumerate(ranked):
        if n == 0:
            out[c] = ("participant", "")
        elif out[c][0] == "participant" or out[c][1] == "participant identifier":
            out[c] = ("metadata", "participant identifier")


def _administrative(out: list[tuple[str, str]], headings: list[str], context_question: str) -> str:
    """Why a sheet is an administrative table (no question placed, mostly metadata), or ""."""
    kinds = [k for k, _ in out]
    placed = [c for c, (k, q) in enumerate(out) if k in ("question", "answer") and (q != UNKNOWN or k == "answer")]
    n_meta = sum(k == "metadata" for k in kinds)
    n_free = sum(k == "question" for k in kinds)
    if placed or not n_free or n_meta < n_free or context_question != UNKNOWN:
        return ""
    named = [headings[c] for c, k in enumerate(kinds) if k == "metadata"]
    return ("an administrative table (" + ", ".join(named[:4]) + (", ..." if len(named) > 4 else "")
            + "), not answers to the consultation's questions")


def _refine_roles(rows: list[list[str]], header: int, roles: list[tuple[str, str]], ctx: ReadContext,
                  context_question: str) -> tuple[list[tuple[str, str]], dict[int, float], str]:
    """Decide every column: name-only roles refined with the column's values, questions placed by meaning.

    Returns the roles, the placement confidence of each answer column and, for a sheet that is an
    administrative table (no question, mostly metadata), a reason ("" otherwise).
    """
    width = len(rows[header])
    values = [[rows[r][c] for r in range(header + 1, len(rows))] for c in range(width)]
    out, confidence = _roles_by_values(rows, header, roles, ctx, context_question, values)
    _settle_unheaded(out, confidence, values)
    _choose_participant(out, rows[header])
    admin = _administrative(out, rows[header], context_question)
    if admin:
        out = [("metadata", "administrative") if k == "question" else (k, q) for k, q in out]
        confidence = {}
    return out, confidence, admin


def _metadata_note(label: str, kind: str, role: str, ctx: ReadContext, n: int, admin: str = "") -> str:
    label = label or "(no heading)"
    if admin:
        return f"column '{label}' treated as metadata, not an answer: the sheet is {admin} ({n} cell(s))"
    if role == "participant":
        return (f"column '{label}' treated as personal metadata (the participant's identifier), not an answer: "
                f"{n} cell(s), kept only as the pseudonymous participant_ref")
    if role in ("cohort", "area"):
        what = "cohort" if role == "cohort" else "police force area"
        return f"column '{label}' read as each participant's {what}, not an answer ({n} cell(s))"
    if role == "speaker":
        return f"column '{label}' read as who spoke (participant or facilitator), not an answer ({n} cell(s))"
    personal = kind.split(" ")[0] in ctx.personal_metadata or kind == "participant identifier"
    what = "personal metadata" if personal else "metadata"
    tail = ", never kept as text" if personal else ""
    return f"column '{label}' treated as {what} ({kind}), not an answer: {n} cell(s){tail}"


@dataclass
class _Columns:
    """A grid's columns once decided: the header row, each column's role, and which cells join an answer.

    Attributes:
        rows: The grid, every row as wide as the widest.
        header: The header row's index.
        roles: ``(kind, question or what)`` of each column.
        confidence: Placement confidence of each answer column.
        loc: Location of a cell (row, column) as the ledger names it.
    """

    rows: list[list[str]]
    header: int
    roles: list[tuple[str, str]]
    confidence: dict[int, float]
    loc: Callable[[int, int], str]
    kinds: list[str] = field(init=False)
    col: dict[str, int] = field(init=False)
    answer_cols: list[int] = field(init=False)
    extras: dict[int, list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.kinds = [k for k, _ in self.roles]
        self.col = {k: self.kinds.index(k) for k in ("participant", "cohort", "area", "speaker") if k in self.kinds}
        self.answer_cols = [c for c, k in enumerate(self.kinds) if k in ("question", "answer")]
        # Cells under a blank header continue the answer column to their left (an answer split over two cells).
        self.extras = {}
        for c in self.answer_cols:
            self.extras[c] = []
            nxt = c + 1
            while nxt < len(self.kinds) and self.kinds[nxt] == "extra":
                self.extras[c].append(nxt)
                nxt += 1

    def cell(self, row: list[str], kind: str) -> str:
        """The row's value in the column of ``kind`` ("" when there is no such column)."""
        return row[self.col[kind]] if kind in self.col else ""


def _title_items(cols: _Columns, context_label: str) -> list[dict[str, Any]]:
    """Title rows above the header (other than the one naming the question), ledgered as not answers."""
    items = []
    for r in range(cols.header):
        title = " | ".join(c for c in cols.rows[r] if c)
        if title and title != context_label:
            items.append(_item(cols.loc(r, 0), text=title, note=NOT_AN_ANSWER_TITLE_ROW))
    return items


def _carry_merged(cols: _Columns, row: list[str], r: int, carried: dict[int, str],
                  merged_below: frozenset[tuple[int, int]]) -> None:
    """A merged cell (e.g. a 'Group' or 'Area' cell spanning its group's rows) applies to every row it covers."""
    for k in ("cohort", "area", "speaker"):
        c = cols.col.get(k)
        if c is None:
            continue
        if not row[c] and (r, c) in merged_below:
            row[c] = carried.get(c, "")
        carried[c] = row[c]


def _row_answers(cols: _Columns, r: int, row: list[str], texts: dict[int, str], key: str,
                 context_label: str) -> dict[int, dict[str, Any]]:
    """One item per answer column of row ``r`` (a speaker label in the cell names who said it)."""
    cohort, area = cols.cell(row, "cohort"), cols.cell(row, "area")
    speaker = _speaker_value(row[cols.col["speaker"]]) if "speaker" in cols.col else "participant"
    pkey = key or f"row {r + 1}"
    out = {}
    for c in cols.answer_cols:
        kind, qid = cols.roles[c]
        label = cols.rows[cols.header][c] if kind == "question" else (context_label or cols.rows[cols.header][c])
        conf = cols.confidence.get(c)
        parsed = parse_speaker(texts[c])
        if parsed is not None:
            out[c] = _item(cols.loc(r, c), qid, label, parsed[1] or pkey, parsed[0], parsed[2], cohort, area,
                           confidence=conf)
        else:
            out[c] = _item(cols.loc(r, c), qid, label, pkey, speaker, texts[c], cohort, area, confidence=conf)
    return out


def _answer_items(cols: _Columns, context_question: str, context_label: str,
                  merged_below: frozenset[tuple[int, int]]) -> list[dict[str, Any]]:
    """The answers below the header, one item per answer cell; a row whose participant cell is empty (or
    merged with the row above) continues the previous participant's answers."""
    per_question_sheet = context_question != UNKNOWN and "answer" in cols.kinds
    items: list[dict[str, Any]] = []
    last: dict[int, dict[str, Any]] = {}
    carried: dict[int, str] = {}
    for r in range(cols.header + 1, len(cols.rows)):
        row = list(cols.rows[r])
        if not any(row):
            continue
        _carry_merged(cols, row, r, carried, merged_below)
        key = cols.cell(row, "participant")
        texts = {c: " ".join(row[x] for x in [c, *cols.extras[c]] if row[x]) for c in cols.answer_cols}
        continues = ("participant" in cols.col and not key and last
                     and ((r, cols.col["participant"]) in merged_below or per_question_sheet))
        if continues:
            for c, text in texts.items():
                if text and c in last:
                    last[c]["text"] = f"{last[c]['text']} {text}".strip()
            continue
        if not any(texts.values()) and not key:
            continue
        last = _row_answers(cols, r, row, texts, key, context_label)
        items.extend(last.values())
    return items


def _column_metadata_items(cols: _Columns, ctx: ReadContext, admin: str) -> list[dict[str, Any]]:
    """Every column that is not an answer column, accounted for cell by cell as one metadata item."""
    attached = {x for xs in cols.extras.values() for x in xs}
    items = []
    for c, (kind, what) in enumerate(cols.roles):
        if kind in ("question", "answer") or c in attached:
            continue
        n = sum(1 for r in range(cols.header + 1, len(cols.rows)) if cols.rows[r][c])
        if not n:
            continue
        if kind in ("extra", "label", "other"):
            kind, what = "metadata", "an unnamed column"
        heading = cols.rows[cols.header][c]
        items.append(_metadata_item(cols.loc(cols.header, c), heading,
                                    _metadata_note(heading, what, kind, ctx, n, admin), n))
    return items


def _grid_items(
    grid: list[list[Any]],
    ctx: ReadContext,
    loc: Callable[[int, int], str],
    context_question: str = UNKNOWN,
    context_label: str = "",
    merged_below: frozenset[tuple[int, int]] = frozenset(),
    sheet: str = "",
) -> list[dict[str, Any]]:
    """Items from a grid (rows of cells), whatever its layout.

    Layouts: a header row with a column per question (one row per participant); a header with a
    participant and an answer column under a title/sheet naming the question; a 'Question | Answer'
    table with a question per row. An answer split over two cells is joined: a cell under a blank
    header continues the answer to its left, and a row whose participant cell is empty (or merged
    with the row above) continues that participant's answers.

    Every column ends somewhere: a question or answer column gives answers (a heading no alias
    names is placed by meaning, else ``unknown``); ID, timestamp, name, email, age, consent,
    cohort, area and columns of numbers or dates give one ``metadata`` item each (counted by cell,
    values never kept); title rows above the header are ledgered as not answers.
    """
    rows = [[_clean(c) for c in row] for row in grid]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    if not any(any(r) for r in rows):
        return []
    header, roles, context_question, context_label = _find_header(rows, ctx, context_question, context_label)
    if header is None:
        by_row = _question_per_row(rows, ctx, loc, 0, None, sheet)
        if any(i["question"] != UNKNOWN for i in by_row):
            return by_row
        header = _fallback_header(rows, ctx)
        if header is None:
            return by_row
        roles = [_column_role(c, ctx, context_question) for c in rows[header]]
    kinds = [k for k, _ in roles]
    if "label" in kinds and not any(k == "question" for k in kinds):
        return _question_per_row(rows, ctx, loc, header + 1, kinds.index("label"), sheet)
    roles, confidence, admin = _refine_roles(rows, header, roles, ctx, context_question)
    cols = _Columns(rows, header, roles, confidence, loc)
    return [*_title_items(cols, context_label), *_answer_items(cols, context_question, context_label, merged_below),
            *_column_metadata_items(cols, ctx, admin)]


def _question_per_row(rows: list[list[str]], ctx: ReadContext, loc: Callable[[int, int], str], start: int,
                      label_col: int | None, sheet: str) -> list[dict[str, Any]]:
    """'Question | Answer' layout: the label column names the question, other cells are answers."""
    items: list[dict[str, Any]] = []
    width = len(rows[0]) if rows else 0
    found_question = False
    for r in range(start, len(rows)):
        row = rows[r]
        if not any(row):
            continue
        lc = label_col if label_col is not None else next((c for c in range(width) if row[c]), 0)
        if label_col is None and _is_number_or_date(row[lc]):
            continue  # without a 'Question' heading, a bare number is more likely a row's ID than question 1
        placement = ctx.place(row[lc], meaning=label_col is not None)
        qid = placement.question
        if qid == UNKNOWN and label_col is None:
            continue
        found_question = found_question or qid != UNKNOWN
        answers = [c for c in range(lc + 1, width) if row[c]]
        if not answers:
            items.append(_item(loc(r, lc), qid, row[lc], confidence=placement.confidence))
        for c in answers:
            speaker, key, text = _split_speaker(row[c])
            items.append(_item(loc(r, c), qid, row[lc], key, speaker, text, confidence=placement.confidence))
    if not found_question and label_col is None:
        # Nothing here is laid out as questions: keep the rows visible in the ledger, not as answers.
        return [
            _item(loc(r, 0), text=" | ".join(c for c in row if c), note=NOT_AN_ANSWER_SHEET.format(sheet=sheet))
            for r, row in enumerate(rows)
            if any(row)
        ]
    return items


def _letter(c: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(c + 1)


def read_xlsx(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read an Excel workbook: each sheet is a grid (see :func:`_grid_items`); the sheet name may name the question."""
    _check_bytes(path, _ZIP_SIGNATURE)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zipfile/openpyxl raise several types for a damaged file
        raise _corrupt(path, exc) from exc
    items: list[dict[str, str]] = []
    for ws in wb.worksheets:
        grid = [[cell.value for cell in row] for row in ws.iter_rows()]
        merged_below = frozenset(
            (r - 1, c - 1)
            for rng in ws.merged_cells.ranges
            for r in range(rng.min_row + 1, rng.max_row + 1)
            for c in range(rng.min_col, rng.max_col + 1)
        )
        title = ws.title

        def loc(r: int, c: int, title: str = title) -> str:
            return f"sheet={title};row={r + 1};col={_letter(c)}"

        qid = ctx.matcher.match(title)
        items.extend(_grid_items(grid, ctx, loc, qid, title if qid != UNKNOWN else "", merged_below, sheet=title))
    wb.close()
    return _finish(path, items)


def read_csv(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read a CSV (UTF-8, UTF-8 with BOM, or a detected encoding such as cp1252; delimiter sniffed)."""
    data = _check_bytes(path, None)
    text = decode_text(data, path.name)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    grid = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    items = _grid_items(grid, ctx, lambda r, c: f"row={r + 1};col={_letter(c)}", sheet=path.name)
    return _finish(path, items)


@dataclass
class Block:
    """One piece of a document in reading order: a paragraph (``grid`` is None) or a table.

    ``styled`` marks a paragraph whose style is a heading or title; ``bold`` one whose text is all bold.
    """

    location: str
    text: str = ""
    styled: bool = False
    bold: bool = False
    grid: list[list[Any]] | None = None
    merged_below: frozenset[tuple[int, int]] = frozenset()
    table_loc: Callable[[int, int], str] | None = None
    name: str = ""


def _is_heading(block: Block, ctx: ReadContext) -> bool:
    text = block.text
    if block.styled:
        return True
    if len(text) > 150:
        return False
    if block.bold and parse_speaker(text) is None:
        return True
    qnum = _QNUM_RE.match(text)
    if qnum:
        rest = qnum.group("rest")
        return not rest or rest.endswith("?") or ctx.matcher.is_question(rest)
    return ctx.matcher.is_question(text, strict=True) and parse_speaker(text) is None


def _items_from_blocks(blocks: Iterable[Block], ctx: ReadContext) -> list[dict[str, Any]]:
    """Items from a document's paragraphs and tables (Word, OpenDocument text, HTML), in order.

    A heading (styled, all bold, numbered or naming a question) sets the question of the paragraphs
    and tables under it: by alias, else by meaning (``unknown`` when neither places it). Paragraphs
    before the first question are ledgered as titles or introduction; in a document whose headings
    are not questions, a facilitator's line asking a question places what follows.
    """
    items: list[dict[str, Any]] = []
    question, label, confidence = UNKNOWN, "", 0.0
    seen_question = False
    by_heading = False
    pending_heading: dict[str, Any] | None = None
    for block in blocks:
        if block.grid is not None:
            table_items = _grid_items(block.grid, ctx, block.table_loc, question, label, block.merged_below,
                                      sheet=block.name)
            if table_items:
                pending_heading = None
            items.extend(table_items)
            continue
        text = block.text
        if not text:
            continue
        if _is_heading(block, ctx):
            if pending_heading is not None:
                items.append(pending_heading)
            qnum = _QNUM_RE.match(text)
            placement = ctx.place(qnum.group("q"), meaning=False) if qnum else ctx.place(text, question_like=True)
            question, label, confidence = placement.question, text, placement.confidence
            seen_question = seen_question or question != UNKNOWN
            by_heading = by_heading or question != UNKNOWN
            pending_heading = _item(block.location, question, label, confidence=confidence) if question != UNKNOWN else None
            continue
        pending_heading = None
        parsed = parse_speaker(text)
        if parsed is not None and parsed[0] == "facilitator" and not by_heading:
            asked = _facilitator_question(parsed[2], ctx)
            if asked is not None:
                question, label, confidence = asked.question, parsed[2], asked.confidence
                seen_question = True
        speaker, key, body = _split_speaker(text)
        note = ""
        if not seen_question and parsed is None:
            meta = _META_RE.match(text) or _looks_like_title(text)
            note = NOT_AN_ANSWER_METADATA if meta else NOT_AN_ANSWER_PREAMBLE
        items.append(_item(block.location, question, label, key, speaker, body, note=note, confidence=confidence))
    if pending_heading is not None:
        items.append(pending_heading)
    return items


def read_docx(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read a Word document: headings and the paragraphs under them, and any tables, in order."""
    _check_bytes(path, _ZIP_SIGNATURE)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several types for a damaged file
        raise _corrupt(path, exc) from exc
    blocks: list[Block] = []
    style_names: dict[str | None, str] = {}
    n_para = n_table = 0
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            n_para += 1
            para = Paragraph(child, document)
            # Looked up once per style id: python-docx finds a paragraph's default style by scanning every
            # style, which took half the reading time of a 2,000-paragraph document.
            sid = child.style
            if sid not in style_names:
                style_names[sid] = (para.style.name if para.style is not None else "") or ""
            style = style_names[sid]
            runs = [r for r in para.runs if r.text.strip()]
            blocks.append(Block(f"paragraph={n_para}", _clean(para.text),
                                styled=style.lower().startswith(("heading", "title", "pennawd", "teitl")),
                                bold=bool(runs) and all(r.bold for r in runs)))
        elif tag == "tbl":
            n_table += 1
            grid, merged_below = _docx_grid(Table(child, document))
            t = n_table
            blocks.append(Block(f"table={t}", grid=grid, merged_below=merged_below, name=f"table {t}",
                                table_loc=lambda r, c, t=t: f"table={t};row={r + 1};col={c + 1}"))
    return _finish(path, _items_from_blocks(blocks, ctx))


def _docx_grid(table: Any) -> tuple[list[list[str]], frozenset[tuple[int, int]]]:
    """A Word table as rows of text; merged cells appear once (top-left), the rest blank."""
    grid: list[list[str]] = []
    seen: dict[int, tuple[int, int]] = {}
    alive: list[Any] = []  # keep each cell element referenced so id() values are not reused
    merged_below: set[tuple[int, int]] = set()
    for r, row in enumerate(table.rows):
        cells: list[str] = []
        for c, cell in enumerate(row.cells):
            alive.append(cell._tc)
            ident = id(cell._tc)
            if ident in seen:
                if seen[ident][0] < r:
                    merged_below.add((r, c))
                cells.append("")
            else:
                seen[ident] = (r, c)
                cells.append(cell.text)
        grid.append(cells)
    return grid, frozenset(merged_below)


def _mark_summaries(answers: list[dict[str, str]]) -> None:
    """In a report of verbatim quotes, unquoted unlabelled paragraphs are the organisation's own voice.

    When most unlabelled answers open with a quotation mark, the ones that do not are summaries
    written by the organisation (speaker ``facilitator``), not participants' words.
    """
    unlabelled = [i for i in answers if not i["participant_key"] and i["speaker"] == "participant" and i["text"]]
    quoted = [i for i in unlabelled if i["text"].lstrip().startswith(_QUOTE_START)]
    if len(unlabelled) >= 4 and len(quoted) >= 0.5 * len(unlabelled):
        for i in unlabelled:
            if not i["text"].lstrip().startswith(_QUOTE_START):
                i["speaker"] = "facilitator"


def _finish(path: Path, items: list[dict[str, Any]]) -> pd.DataFrame:
    """Check the file had something in it, then return its items as a frame.

    A file in which no question is recognised is still read: its introduction paragraphs and
    unlaid-out sheet rows become answers with question ``unknown`` (titles and 'label: value'
    lines stay ledgered as not answers), and the ledger warns that nothing was placed.
    """
    if not items or not any(i["text"].strip() or i["question"] != UNKNOWN or i["kind"] == "metadata" for i in items):
        raise ReturnError(
            f"{path.name} has no answers in it (no text was found). Check it is the right file and ask for it again."
        )
    answers = [i for i in items if not i["note"] and i["kind"] == "item"]
    if not any(i["question"] != UNKNOWN for i in answers):
        for i in items:
            if i["kind"] == "item" and (i["note"] == NOT_AN_ANSWER_PREAMBLE or i["note"].startswith("sheet ")
                                        and i["note"].endswith("not read as an answer")):
                i["note"] = ""
        answers = [i for i in items if not i["note"] and i["kind"] == "item"]
    _mark_summaries(answers)
    return _frame(items)


#: Reader for each accepted file extension (lower case).
READERS: dict[str, Callable[[Path, ReadContext], pd.DataFrame]] = {
    ".docx": read_docx,
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
    ".csv": read_csv,
    ".txt": read_text,
    ".md": read_text,
    ".pdf": read_pdf,
}


def all_readers() -> dict[str, Callable[[Path, ReadContext], pd.DataFrame]]:
    """Every reader by extension: the ones here plus :data:`pipeline.ingest.formats.READERS`."""
    from pipeline.ingest.formats import READERS as MORE

    return {**READERS, **MORE}


def accepted_formats() -> str:
    """The accepted extensions, for messages."""
    return ", ".join(sorted(all_readers()))


def read_return(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read one return with the reader for its extension.

    Raises:
        ReturnError: For an unknown extension (naming the accepted ones) or a file the reader cannot use.
    """
    if path.suffix.lower() in (".docx", ".xlsx", ".xlsm"):
        from pipeline.ingest.template import read_template  # a filled-in return template (issue 16)

        items = read_template(path, ctx)
        if items is not None:
            return items
    reader = all_readers().get(path.suffix.lower())
    if reader is None:
        raise ReturnError(
            f"{path.name} is in a format ingest cannot read ({path.suffix or 'no extension'}). "
            f"Accepted formats: {accepted_formats()}. Save it as one of these (e.g. Word .docx or Excel .xlsx) "
            "and put it back in the folder."
        )
    return reader(path, ctx)
