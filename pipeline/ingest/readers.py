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
- ``note``: "" for an answer; otherwise why this item is not an answer (the stage ledgers it).

Readers raise :class:`ReturnError`, whose message names the file and says what to do, for a file
that is corrupt, password-protected, empty, of an unknown format, or has no recognisable question.
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

from pipeline.ingest.questions import QuestionMatcher
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
]

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"
_ZIP_SIGNATURE = b"PK"
_PDF_SIGNATURE = b"%PDF"

NOT_AN_ANSWER_METADATA = "a title or 'label: value' line before the first question, not an answer"
NOT_AN_ANSWER_PREAMBLE = "introductory text before the first question (not a participant's answer)"
NOT_AN_ANSWER_SHEET = "sheet {sheet!r} has no question or answer columns, so this row was not read as an answer"


class ReturnError(Exception):
    """A return file cannot be read; the message names the file and says what to do."""


@dataclass(frozen=True)
class ReadContext:
    """What readers need to know: the question aliases and the column names sheets use.

    Build it with :meth:`from_config` from ``config/questions.yaml`` and the ``ingest_layout``
    section of ``config/settings.yaml``.
    """

    matcher: QuestionMatcher
    participant_columns: frozenset[str] = frozenset()
    answer_columns: frozenset[str] = frozenset()
    cohort_columns: frozenset[str] = frozenset()
    area_columns: frozenset[str] = frozenset()
    speaker_columns: frozenset[str] = frozenset()
    header_scan_rows: int = 20
    label_columns: frozenset[str] = field(default_factory=lambda: frozenset({"question", "questions", "cwestiwn", "topic"}))

    @classmethod
    def from_config(cls, questions: Mapping[str, Any], layout: Mapping[str, Any]) -> ReadContext:
        """Build from the ``questions`` mapping and the ``ingest_layout`` settings."""

        def names(key: str) -> frozenset[str]:
            return frozenset(normalise_label(v) for v in layout.get(key, []) or [])

        return cls(
            matcher=QuestionMatcher(questions),
            participant_columns=names("participant_columns"),
            answer_columns=names("answer_columns"),
            cohort_columns=names("cohort_columns"),
            area_columns=names("area_columns"),
            speaker_columns=names("speaker_columns"),
            header_scan_rows=int(layout.get("header_scan_rows", 20)),
        )


# ----------------------------------------------------------------------------------------------
# Shared helpers


def _item(location: str, question: str = UNKNOWN, label: str = "", key: str = "", speaker: str = "participant",
          text: str = "", cohort: str = "", area: str = "", note: str = "") -> dict[str, str]:
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
    }


def _frame(items: list[dict[str, str]]) -> pd.DataFrame:
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
_PARTICIPANT = (
    r"p\s?\d{1,3}|(?:participant|interviewee|respondent|person|young person|yp|cyfranogwr|person ifanc)(?:\s*\d{1,3}|\s+[a-z]\b)?"
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


def _question_heading(line: str, ctx: ReadContext, markdown: bool) -> tuple[str, str, str] | None:
    """If a line is a question heading, return (question, label, trailing answer text)."""
    stripped = line.strip()
    if markdown and stripped.startswith("#"):
        label = stripped.lstrip("#").strip()
        return ctx.matcher.match(label), label, ""
    m = _QNUM_RE.match(stripped)
    if m:
        rest = m.group("rest").strip()
        qid = ctx.matcher.match(m.group("q"))
        if not rest or ctx.matcher.is_question(rest) or rest.endswith("?"):
            return qid, stripped, ""
        return qid, m.group("q"), rest
    if len(stripped) > 150 or parse_speaker(stripped) is not None:
        return None
    if ctx.matcher.is_question(stripped.rstrip(":"), strict=True):
        return ctx.matcher.match(stripped.rstrip(":"), strict=True), stripped, ""
    # A short question-like line ("2. Have we correctly interpreted the challenges?") may use looser wording.
    if stripped.endswith("?") and not stripped.startswith(_QUOTE_START) and ctx.matcher.is_question(stripped):
        return ctx.matcher.match(stripped), stripped, ""
    return None


def _items_from_lines(lines: Iterable[tuple[str, str]], ctx: ReadContext, markdown: bool) -> list[dict[str, str]]:
    """Group (location, line) pairs into items under question headings.

    A blank line ends an item; a speaker label, bullet or heading starts a new one; other lines
    continue the current item (wrapped text). A question heading with nothing under it yields a
    blank item, so the ledger shows the question was left unanswered.
    """
    items: list[dict[str, str]] = []
    question, label = UNKNOWN, ""
    seen_question = False
    current: dict[str, str] | None = None
    heading_item: dict[str, str] | None = None
    answered = True

    def close_heading() -> None:
        if not answered and heading_item is not None:
            items.append(heading_item)

    for location, raw in lines:
        line = raw.strip()
        if not line:
            current = None
            continue
        heading = _question_heading(line, ctx, markdown)
        if heading is not None:
            close_heading()
            current = None
            question, label, rest = heading
            seen_question = seen_question or question != UNKNOWN
            answered = question == UNKNOWN
            heading_item = _item(location, question, label)
            if rest:
                answered = True
                speaker, key, text = _split_speaker(rest)
                current = _item(location, question, label, key, speaker, text)
                items.append(current)
            continue
        parsed = parse_speaker(line)
        bullet = _BULLET_RE.match(line)
        if parsed is None and bullet is None and current is not None:
            current["text"] = f"{current['text']} {line}".strip()
            continue
        text = bullet.group("text") if bullet and parsed is None else line
        speaker, key, text = _split_speaker(text)
        note = ""
        if not seen_question and parsed is None:
            meta = _META_RE.match(line) or _looks_like_title(line)
            note = NOT_AN_ANSWER_METADATA if meta else NOT_AN_ANSWER_PREAMBLE
        current = _item(location, question, label, key, speaker, text, note=note)
        items.append(current)
        answered = True
        if note == NOT_AN_ANSWER_METADATA:
            current = None  # a title or 'label: value' line stands alone; an introduction paragraph may wrap
    close_heading()
    return items


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
        raise ReturnError(
            f"{path.name} has no text layer (it may be a scanned image). "
            "Ask the organisation for the original Word or text version of the return."
        )
    return _finish(path, _items_from_lines(lines, ctx, markdown=False))


# ----------------------------------------------------------------------------------------------
# Grids: spreadsheet sheets, CSV files and Word tables


def _column_role(cell: str, ctx: ReadContext, context_question: str) -> tuple[str, str]:
    """Role of a header cell: participant/cohort/area/speaker/label/answer/question/extra."""
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
    if context_question != UNKNOWN and norm in ctx.answer_columns:
        return "answer", context_question
    qid = ctx.matcher.match(cell)
    if qid != UNKNOWN:
        return "question", qid
    if norm in ctx.answer_columns:
        return "answer", UNKNOWN
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
        n_answer = sum(k in ("question", "answer") for k in kinds)
        n_known = sum(k not in ("extra", "other") for k in kinds)
        if n_answer and (n_known >= 2 or len(filled) >= 2):
            return r, roles, context_question, context_label
    return None, None, context_question, context_label


def _speaker_value(value: str) -> str:
    norm = normalise_label(value)
    return "facilitator" if re.search(_FACILITATOR, norm) else "participant"


def _grid_items(
    grid: list[list[Any]],
    ctx: ReadContext,
    loc: Callable[[int, int], str],
    context_question: str = UNKNOWN,
    context_label: str = "",
    merged_below: frozenset[tuple[int, int]] = frozenset(),
    sheet: str = "",
) -> list[dict[str, str]]:
    """Items from a grid (rows of cells), whatever its layout.

    Layouts: a header row with a column per question (one row per participant); a header with a
    participant and an answer column under a title/sheet naming the question; a 'Question | Answer'
    table with a question per row. An answer split over two cells is joined: a cell under a blank
    header continues the answer to its left, and a row whose participant cell is empty (or merged
    with the row above) continues that participant's answers.
    """
    rows = [[_clean(c) for c in row] for row in grid]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    if not any(any(r) for r in rows):
        return []
    header, roles, context_question, context_label = _find_header(rows, ctx, context_question, context_label)
    if header is None:
        return _question_per_row(rows, ctx, loc, 0, None, sheet)
    kinds = [k for k, _ in roles]
    if "label" in kinds and not any(k == "question" for k in kinds):
        return _question_per_row(rows, ctx, loc, header + 1, kinds.index("label"), sheet)
    col = {k: kinds.index(k) for k in ("participant", "cohort", "area", "speaker") if k in kinds}
    answer_cols = [c for c, (k, _) in enumerate(roles) if k in ("question", "answer")]
    # Cells under a blank header continue the answer column to their left (an answer split over two cells).
    extras: dict[int, list[int]] = {}
    for c in answer_cols:
        extras[c] = []
        nxt = c + 1
        while nxt < width and kinds[nxt] == "extra":
            extras[c].append(nxt)
            nxt += 1
    per_question_sheet = context_question != UNKNOWN and any(k == "answer" for k in kinds)
    items: list[dict[str, str]] = []
    last: dict[int, dict[str, str]] = {}
    carried: dict[int, str] = {}
    for r in range(header + 1, len(rows)):
        row = list(rows[r])
        if not any(row):
            continue
        # A merged cell (e.g. a 'Group' or 'Area' cell spanning its group's rows) applies to every row it covers.
        for k in ("cohort", "area", "speaker"):
            c = col.get(k)
            if c is None:
                continue
            if not row[c] and (r, c) in merged_below:
                row[c] = carried.get(c, "")
            carried[c] = row[c]
        key = row[col["participant"]] if "participant" in col else ""
        texts = {c: " ".join(row[x] for x in [c, *extras[c]] if row[x]) for c in answer_cols}
        continues = (
            "participant" in col
            and not key
            and last
            and ((r, col["participant"]) in merged_below or per_question_sheet)
        )
        if continues:
            for c, text in texts.items():
                if text and c in last:
                    last[c]["text"] = f"{last[c]['text']} {text}".strip()
            continue
        if not any(texts.values()) and not key:
            continue
        cohort = row[col["cohort"]] if "cohort" in col else ""
        area = row[col["area"]] if "area" in col else ""
        speaker = _speaker_value(row[col["speaker"]]) if "speaker" in col else "participant"
        pkey = key or f"row {r + 1}"
        last = {}
        for c in answer_cols:
            kind, qid = roles[c]
            label = rows[header][c] if kind == "question" else (context_label or rows[header][c])
            parsed = parse_speaker(texts[c])
            if parsed is not None:
                item = _item(loc(r, c), qid, label, parsed[1] or pkey, parsed[0], parsed[2], cohort, area)
            else:
                item = _item(loc(r, c), qid, label, pkey, speaker, texts[c], cohort, area)
            items.append(item)
            last[c] = item
    return items


def _question_per_row(rows: list[list[str]], ctx: ReadContext, loc: Callable[[int, int], str], start: int,
                      label_col: int | None, sheet: str) -> list[dict[str, str]]:
    """'Question | Answer' layout: the label column names the question, other cells are answers."""
    items: list[dict[str, str]] = []
    width = len(rows[0]) if rows else 0
    found_question = False
    for r in range(start, len(rows)):
        row = rows[r]
        if not any(row):
            continue
        lc = label_col if label_col is not None else next((c for c in range(width) if row[c]), 0)
        qid = ctx.matcher.match(row[lc])
        if qid == UNKNOWN and label_col is None:
            continue
        found_question = found_question or qid != UNKNOWN
        answers = [c for c in range(lc + 1, width) if row[c]]
        if not answers:
            items.append(_item(loc(r, lc), qid, row[lc]))
        for c in answers:
            speaker, key, text = _split_speaker(row[c])
            items.append(_item(loc(r, c), qid, row[lc], key, speaker, text))
    if not found_question:
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
    items: list[dict[str, str]] = []
    question, label = UNKNOWN, ""
    seen_question = False
    pending_heading: dict[str, str] | None = None
    n_para = n_table = 0
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            n_para += 1
            para = Paragraph(child, document)
            text = _clean(para.text)
            if not text:
                continue
            location = f"paragraph={n_para}"
            if _is_docx_heading(para, text, ctx):
                if pending_heading is not None:
                    items.append(pending_heading)
                qnum = _QNUM_RE.match(text)
                question = ctx.matcher.match(text) if not qnum else ctx.matcher.match(qnum.group("q"))
                label = text
                seen_question = seen_question or question != UNKNOWN
                pending_heading = _item(location, question, label) if question != UNKNOWN else None
                continue
            pending_heading = None
            speaker, key, body = _split_speaker(text)
            note = ""
            if not seen_question and parse_speaker(text) is None:
                meta = _META_RE.match(text) or _looks_like_title(text)
                note = NOT_AN_ANSWER_METADATA if meta else NOT_AN_ANSWER_PREAMBLE
            items.append(_item(location, question, label, key, speaker, body, note=note))
        elif tag == "tbl":
            n_table += 1
            table = Table(child, document)
            grid, merged_below = _docx_grid(table)
            t = n_table
            table_items = _grid_items(
                grid, ctx, lambda r, c, t=t: f"table={t};row={r + 1};col={c + 1}", question, label, merged_below,
                sheet=f"table {t}",
            )
            if table_items:
                pending_heading = None
            items.extend(table_items)
    if pending_heading is not None:
        items.append(pending_heading)
    return _finish(path, items)


def _is_docx_heading(para: Any, text: str, ctx: ReadContext) -> bool:
    style = (para.style.name if para.style is not None else "") or ""
    if style.lower().startswith(("heading", "title", "pennawd", "teitl")):
        return True
    if len(text) > 150:
        return False
    runs = [r for r in para.runs if r.text.strip()]
    if runs and all(r.bold for r in runs) and parse_speaker(text) is None:
        return True
    if _QNUM_RE.match(text):
        rest = _QNUM_RE.match(text).group("rest")
        return not rest or rest.endswith("?") or ctx.matcher.is_question(rest)
    return ctx.matcher.is_question(text, strict=True) and parse_speaker(text) is None


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


def _finish(path: Path, items: list[dict[str, str]]) -> pd.DataFrame:
    """Check the file had something recognisable, then return its items as a frame."""
    if not items or not any(i["text"].strip() or i["question"] != UNKNOWN for i in items):
        raise ReturnError(
            f"{path.name} has no answers in it (no text was found). Check it is the right file and ask for it again."
        )
    answers = [i for i in items if not i["note"]]
    _mark_summaries(answers)
    if not any(i["question"] != UNKNOWN for i in answers):
        raise ReturnError(
            f"{path.name} has no recognisable question: none of its headings, column names or labels matches a "
            "question in config/questions.yaml. Add question headings to the return (e.g. 'Q1 Have we listened?'), "
            "or add the wording it uses as an alias in config/questions.yaml."
        )
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


def accepted_formats() -> str:
    """The accepted extensions, for messages."""
    return ", ".join(sorted(READERS))


def read_return(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read one return with the reader for its extension.

    Raises:
        ReturnError: For an unknown extension (naming the accepted ones) or a file the reader cannot use.
    """
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ReturnError(
            f"{path.name} is in a format ingest cannot read ({path.suffix or 'no extension'}). "
            f"Accepted formats: {accepted_formats()}. Save it as one of these (e.g. Word .docx or Excel .xlsx) "
            "and put it back in the folder."
        )
    return reader(path, ctx)
