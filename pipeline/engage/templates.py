"""Return templates: a bilingual Word and Excel form an organisation fills in and ingest reads back exactly.

Both templates carry a header (organisation, cohort, police force area, engagement method, number of
participants, language, date), one section (Word) or column (Excel) per question of
``config/questions.yaml``, a participant-reference column in place of names, and a short guide on
what not to write. Every fixed word is English and Welsh side by side (:mod:`pipeline.engage.text`).

The document properties mark the file as a template and list the question ids in order
(``keywords = cjiw-return-template``, ``comments``/``description = questions: listened|...``), so
:mod:`pipeline.ingest.template` places every answer without guessing, even if the question
wording in the config changes later.

:func:`question_list` is a pure function of the questions mapping; :func:`word_template` and
:func:`excel_template` build the documents in memory; :func:`write_templates` saves them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.engage import text as T

#: Blank answer rows per question in the Word template (the form says to add more).
WORD_ROWS = 8
#: Blank participant rows in the Excel template.
EXCEL_ROWS = 60
SHEET_ABOUT = "About - Amdanoch"
SHEET_ANSWERS = "Answers - Atebion"
SHEET_GUIDE = "Guide - Canllaw"


def question_list(questions: Mapping[str, Any]) -> list[dict[str, str]]:
    """The questions in config order: ``id``, ``number``, ``label`` (English), ``label_cy`` (Welsh, or English)."""
    out = []
    for n, (qid, spec) in enumerate(questions.items(), start=1):
        spec = spec or {}
        label = str(spec.get("label", qid))
        out.append({"id": qid, "number": str(n), "label": label, "label_cy": str(spec.get("label_cy") or label)})
    return out


def question_heading(q: Mapping[str, str]) -> str:
    """``Q1. <English> / C1. <Welsh>``: the heading of a question's section or column."""
    return f"Q{q['number']}. {q['label']} / C{q['number']}. {q['label_cy']}"


def marker_comment(questions: list[dict[str, str]]) -> str:
    """The property text that lists the question ids in the template's order."""
    return f"{T.TEMPLATE_MARKER} v{T.TEMPLATE_VERSION}; questions: " + "|".join(q["id"] for q in questions)


def header_rows(values: Mapping[str, str] | None = None) -> list[tuple[str, str, str]]:
    """``(field, bilingual label, value)`` for each header field (values empty unless given)."""
    values = values or {}
    return [(key, T.bilingual(label), str(values.get(key, ""))) for key, label in T.HEADER_FIELDS]


def word_template(questions: Mapping[str, Any], values: Mapping[str, str] | None = None) -> Any:
    """The Word return template as a ``docx.Document`` (``values`` pre-fill the header, e.g. the organisation)."""
    import docx

    qs = question_list(questions)
    doc = docx.Document()
    props = doc.core_properties
    props.title, props.keywords, props.comments = T.TITLE, T.TEMPLATE_MARKER, marker_comment(qs)
    props.language = "en-GB"
    doc.add_heading(T.bilingual(T.TITLE, "\n"), level=0)
    doc.add_heading(T.bilingual(T.GUIDE_HEADING), level=1)
    for line in T.GUIDE:
        doc.add_paragraph(line, style="List Bullet")
        doc.add_paragraph(T.welsh(line), style="List Bullet")
    doc.add_heading(T.bilingual(T.ABOUT), level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for _, label, value in header_rows(values):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    for q in qs:
        doc.add_heading(question_heading(q), level=1)
        doc.add_paragraph(T.bilingual(T.ADD_ROWS))
        answers = doc.add_table(rows=1, cols=2)
        answers.style = "Table Grid"
        answers.rows[0].cells[0].text = T.bilingual(T.PARTICIPANT)
        answers.rows[0].cells[1].text = T.bilingual(T.ANSWER)
        for _ in range(WORD_ROWS):
            answers.add_row()
    return doc


def _vocab_choices(vocab: Mapping[str, Any], key: str) -> list[str]:
    return [str((spec or {}).get("label") or name) for name, spec in (vocab.get(key) or {}).items()]


def excel_template(questions: Mapping[str, Any], vocab: Mapping[str, Any],
                   values: Mapping[str, str] | None = None) -> Any:
    """The Excel return template as an ``openpyxl.Workbook``: About, Answers and Guide sheets.

    The area and method cells offer the vocabularies' labels as a drop-down (any text is still accepted).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    qs = question_list(questions)
    wb = Workbook()
    wb.properties.title, wb.properties.keywords = T.TITLE, T.TEMPLATE_MARKER
    wb.properties.description = marker_comment(qs)
    about = wb.active
    about.title = SHEET_ABOUT
    about.append([T.bilingual(T.ABOUT), ""])
    about["A1"].font = Font(bold=True, size=14)
    for r, (key, label, value) in enumerate(header_rows(values), start=2):
        about.append([label, value])
        choices = {"police_force_area": "police_force_areas", "engagement_method": "engagement_methods"}.get(key)
        if choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(_vocab_choices(vocab, choices)) + '"',
                                allow_blank=True, showErrorMessage=False)
            about.add_data_validation(dv)
            dv.add(f"B{r}")
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 55, 50
    answers = wb.create_sheet(SHEET_ANSWERS)
    answers.append([T.bilingual(T.PARTICIPANT)] + [question_heading(q) for q in qs])
    for cell in answers[1]:
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    answers.freeze_panes = "B2"
    answers.column_dimensions["A"].width = 24
    for c in range(len(qs)):
        answers.column_dimensions[chr(ord("B") + c)].width = 60
    guide = wb.create_sheet(SHEET_GUIDE)
    guide.append([T.bilingual(T.GUIDE_HEADING)])
    for line in T.GUIDE:
        guide.append([line])
        guide.append([T.welsh(line)])
    guide.column_dimensions["A"].width = 120
    return wb


def write_templates(folder: Path, questions: Mapping[str, Any], vocab: Mapping[str, Any]) -> list[Path]:
    """Save ``return_template.docx`` and ``return_template.xlsx`` in ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    docx_path, xlsx_path = folder / "return_template.docx", folder / "return_template.xlsx"
    word_template(questions).save(str(docx_path))
    excel_template(questions, vocab).save(str(xlsx_path))
    return [docx_path, xlsx_path]
