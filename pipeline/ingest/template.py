"""Reading a filled-in return template back (Word or Excel) exactly, header included.

A template written by :mod:`pipeline.engage.templates` is marked in its document properties
(``keywords = cjiw-return-template``) and lists its question ids in order. For such a file
:func:`read_template` places every answer on its question by the template's own numbering (no
guessing, ``question_confidence`` 1), takes the participant reference from the first column, and
counts each filled header cell as metadata (never kept as text). :func:`template_metadata` turns the
header into the same fields a manifest row has, so a manifest is optional for templates.

Anything written outside the tables is still read: under a question it is an answer to that
question; before the first question it is ledgered as introductory text. Fixed template text
(title, guide, headings) is recognised and not counted. A file that is not a template gives ``None``
and the ordinary reader reads it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.ingest.readers import (
    NOT_AN_ANSWER_PREAMBLE,
    ReadContext,
    _clean,
    _corrupt,
    _finish,
    _item,
    _letter,
    _metadata_item,
    _split_speaker,
)
from pipeline.vocab import UNKNOWN, map_value, normalise_label

_QUESTION_RE = re.compile(r"^\s*Q(?P<n>\d{1,2})\s*[.:)]")
_MARKER = "cjiw-return-template"
_FACILITATOR_REFS = frozenset({"facilitator", "hwylusydd", "facilitator hwylusydd"})


@dataclass
class Parsed:
    """A template's content: its question ids, header cells and items (answers and notes)."""

    questions: list[str]
    header: list[tuple[str, str, str]] = field(default_factory=list)  # (field, value, location)
    items: list[dict[str, Any]] = field(default_factory=list)


def _fixed_text() -> tuple[dict[str, str], frozenset[str]]:
    """Header labels -> field, and every fixed line of the template (normalised), from the engagement texts."""
    from pipeline.engage import text as T

    labels: dict[str, str] = {}
    for key, label in T.HEADER_FIELDS:
        for form in (label, T.welsh(label), T.bilingual(label), key):
            labels[normalise_label(form)] = key
    fixed = [T.TITLE, T.ABOUT, T.GUIDE_HEADING, T.ADD_ROWS, T.PARTICIPANT, T.ANSWER, *T.GUIDE]
    forms = {normalise_label(f) for m in fixed for f in (m, T.welsh(m), T.bilingual(m), T.bilingual(m, "\n"))}
    return labels, frozenset(forms)


def marked_questions(keywords: str | None, comments: str | None) -> list[str] | None:
    """The question ids a template's properties list, or None when the file is not a template."""
    if _MARKER not in str(keywords or "") and _MARKER not in str(comments or ""):
        return None
    found = re.search(r"questions:\s*([\w|]+)", str(comments or ""))
    return found.group(1).split("|") if found else []


def _question_for(heading: str, questions: list[str], ctx: ReadContext) -> tuple[str, float]:
    """A question heading's id: by the template's number, else placed like any heading."""
    m = _QUESTION_RE.match(heading)
    if m and 0 < int(m.group("n")) <= len(questions):
        return questions[int(m.group("n")) - 1], 1.0
    if m:  # a template whose properties were lost: its number names the question ("Q2" is an alias)
        placement = ctx.place(f"Q{m.group('n')}", meaning=False)
        if placement.question != UNKNOWN:
            return placement.question, placement.confidence
    placement = ctx.place(heading, question_like=True)
    return placement.question, placement.confidence


def _looks_like_template(first_column: list[Any], labels: Mapping[str, str]) -> bool:
    """Whether a table's (or sheet's) first column holds at least four of the template's header labels."""
    found = {labels.get(normalise_label(getattr(c, "text", None) or getattr(c, "value", None) or "")) for c in first_column}
    return len(found - {None}) >= 4


def _answer_item(location: str, qid: str, label: str, ref: str, answer: str, confidence: float) -> dict[str, Any]:
    ref = _clean(ref)
    if normalise_label(ref) in _FACILITATOR_REFS:
        return _item(location, qid, label, "", "facilitator", answer, confidence=confidence)
    if not ref:
        speaker, key, body = _split_speaker(answer)
        return _item(location, qid, label, key, speaker, body, confidence=confidence)
    return _item(location, qid, label, ref, "participant", answer, confidence=confidence)


def _parse_docx(path: Path, ctx: ReadContext) -> Parsed | None:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several types for a damaged file
        raise _corrupt(path, exc) from exc
    qids = marked_questions(document.core_properties.keywords, document.core_properties.comments)
    labels, fixed = _fixed_text()
    if qids is None and _looks_like_template(document.tables[0].column_cells(0) if document.tables else [], labels):
        qids = []  # saved by a tool that dropped the properties (e.g. Google Docs): the header table shows it
    if qids is None:
        return None
    parsed = Parsed(qids)
    qid, label, conf = UNKNOWN, "", 0.0
    n_para = n_table = 0
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            n_para += 1
            line = _clean(Paragraph(child, document).text)
            if not line or normalise_label(line) in fixed:
                continue
            if _QUESTION_RE.match(line):
                (qid, conf), label = _question_for(line, qids, ctx), line
                continue
            loc = f"paragraph={n_para}"
            if qid == UNKNOWN and not label:
                parsed.items.append(_item(loc, text=line, note=NOT_AN_ANSWER_PREAMBLE))
            else:
                parsed.items.append(_answer_item(loc, qid, label, "", line, conf))
        elif tag == "tbl":
            n_table += 1
            rows = [[_clean(c.text) for c in row.cells] for row in Table(child, document).rows]
            _docx_table(parsed, rows, n_table, labels, fixed, (qid, label, conf))
    return parsed


def _docx_table(parsed: Parsed, rows: list[list[str]], t: int, labels: Mapping[str, str],
                fixed: frozenset[str], where: tuple[str, str, float]) -> None:
    """A Word table: the header table (label | value) or a question's (reference | answer) table."""
    qid, label, conf = where
    for r, row in enumerate(rows):
        if not any(row):
            continue
        first = normalise_label(row[0])
        if first in labels and len(row) >= 2:
            if row[1]:
                parsed.header.append((labels[first], row[1], f"table={t};row={r + 1};col=2"))
            continue
        if first in fixed:
            continue  # the column headings of an answer table
        ref, answer = (row[0], " ".join(dict.fromkeys(c for c in row[1:] if c))) if len(row) > 1 else ("", row[0])
        parsed.items.append(_answer_item(f"table={t};row={r + 1};col=2", qid, label, ref, answer, conf))


def _parse_xlsx(path: Path, ctx: ReadContext) -> Parsed | None:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zipfile/openpyxl raise several types for a damaged file
        raise _corrupt(path, exc) from exc
    qids = marked_questions(wb.properties.keywords, wb.properties.description)
    labels, fixed = _fixed_text()
    if qids is None and _looks_like_template([row[0] for row in wb.worksheets[0].iter_rows(max_col=1)], labels):
        qids = []
    if qids is None:
        wb.close()
        return None
    parsed = Parsed(qids)
    for ws in wb.worksheets:
        grid = [[_clean(v) for v in row] for row in ws.iter_rows(values_only=True)]
        header = grid[0] if grid else []
        if len(header) > 1 and any(_QUESTION_RE.match(h) for h in header[1:]):
            _xlsx_answers(parsed, grid, ws.title, ctx)
            continue
        for r, row in enumerate(grid):
            first = normalise_label(row[0]) if row else ""
            if first in labels and len(row) > 1:
                if row[1]:
                    parsed.header.append((labels[first], row[1], f"sheet={ws.title};row={r + 1};col=B"))
                continue
            for c, cell in enumerate(row):
                if cell and normalise_label(cell) not in fixed:
                    parsed.items.append(_item(f"sheet={ws.title};row={r + 1};col={_letter(c)}", text=cell,
                                              note=NOT_AN_ANSWER_PREAMBLE))
    wb.close()
    return parsed


def _xlsx_answers(parsed: Parsed, grid: list[list[str]], title: str, ctx: ReadContext) -> None:
    """The Answers sheet: a row per participant, a column per question."""
    columns = {c: (h, *_question_for(h, parsed.questions, ctx)) for c, h in enumerate(grid[0]) if c and h}
    for r, row in enumerate(grid[1:], start=2):
        ref = row[0] if row else ""
        for c, (heading, qid, conf) in columns.items():
            answer = row[c] if c < len(row) else ""
            if answer or (ref and not any(row[1:])):
                parsed.items.append(_answer_item(f"sheet={title};row={r};col={_letter(c)}", qid, heading, ref,
                                                 answer, conf))
                if not answer:
                    break  # a reference with no answers at all is one blank item, not one per question


def parse_template(path: Path, ctx: ReadContext) -> Parsed | None:
    """Parse a Word or Excel return template, or None when ``path`` is not one."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _parse_docx(path, ctx)
    if suffix in (".xlsx", ".xlsm"):
        return _parse_xlsx(path, ctx)
    return None


def read_template(path: Path, ctx: ReadContext) -> pd.DataFrame | None:
    """Raw items (see :data:`pipeline.ingest.readers.RAW_COLUMNS`) of a filled template, or None if not a template.

    A file that cannot be opened as a Word or Excel package gives None too: the ordinary reader then
    says what is wrong with it (empty, password-protected, corrupt).
    """
    try:
        with path.open("rb") as fh:
            if fh.read(2) != b"PK":
                return None
        parsed = parse_template(path, ctx)
    except Exception:  # noqa: BLE001 - a damaged package is the ordinary reader's to explain
        return None
    if parsed is None:
        return None
    meta = [_metadata_item(loc, key, f"template header {key.replace('_', ' ')} {value!r}: recorded as the "
                                      "return's metadata, not an answer", 1) for key, value, loc in parsed.header]
    return _finish(path, meta + parsed.items)


def header_metadata(header: list[tuple[str, str, str]], vocab: Mapping[str, Any]) -> dict[str, Any]:
    """A template's header as a manifest row (organisation, cohort, area, method, participants, language, date).

    Values are mapped onto ``config/vocabularies.yaml`` as the manifest's are; one that maps to nothing
    becomes ``unknown`` and is named in ``manifest_issues``.
    """
    from pipeline.ingest.manifest import _languages

    values = {key: value for key, value, _ in header}
    out: dict[str, Any] = {"organisation": values.get("organisation", "").strip() or UNKNOWN}
    issues = []
    for col, key in (("cohort", "cohorts"), ("police_force_area", "police_force_areas"),
                     ("engagement_method", "engagement_methods")):
        value = values.get(col, "").strip()
        out[col] = map_value(value, vocab.get(key, {}))
        if value and out[col] == UNKNOWN:
            issues.append(f"template header {col.replace('_', ' ')} '{value}' is not in config/vocabularies.yaml, "
                          f"recorded as unknown (add it as an alias under {key})")
    n = re.search(r"\d+", values.get("n_participants", ""))
    out["n_participants"] = int(n.group()) if n else pd.NA
    out["language"] = _languages(values.get("language", ""))
    out["date_received"] = values.get("date_received", "").strip()
    missing = [k.replace("_", " ") for k in ("organisation", "cohort", "police_force_area") if not values.get(k)]
    if missing:
        issues.append(f"the template's header leaves {', '.join(missing)} blank: recorded as unknown; "
                      "ask the organisation, or add a line for the file to returns.csv")
    out["manifest_issues"] = "; ".join(["metadata read from the return template's header", *issues])
    return out


def template_metadata(path: Path, vocab: Mapping[str, Any], ctx: ReadContext | None = None) -> dict[str, Any] | None:
    """The header of a return template as manifest fields, or None if ``path`` is not a readable template."""
    if path.suffix.lower() not in (".docx", ".xlsx", ".xlsm"):
        return None
    try:
        parsed = parse_template(path, ctx or ReadContext.from_config({}, {}, {}, vocab))
    except Exception:  # noqa: BLE001 - the reader reports a damaged file; here it is simply not a template
        return None
    return header_metadata(parsed.header, vocab) if parsed is not None else None
