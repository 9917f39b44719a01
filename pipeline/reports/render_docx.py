"""Draw a :class:`pipeline.reports.document.Document` as Word (python-docx), laid out for A4.

- Real heading styles (Title for the title, Heading 1/2 for sections), the document language set on
  the core properties and on every style's run properties (``w:lang``), so Word and screen readers
  read Welsh as Welsh.
- Each top-level section starts on a new page; a section marked ``landscape`` gets its own landscape
  page section, and a table too wide for portrait is put on a landscape page of its own.
- Tables: column widths from their content (:func:`pipeline.reports.document.fit_columns`), 9 pt text,
  a header row marked as a header (``w:tblHeader``: it repeats on each page and screen readers announce
  it), rows that do not split across pages (``w:cantSplit``), numbers right-aligned.
- Pictures carry their alt text (``descr``) and title.
"""

from __future__ import annotations

import io
from typing import Any

from pipeline.reports.document import (
    LANDSCAPE_CM,
    PORTRAIT_CM,
    Bullets,
    Chart,
    Document,
    Paragraph,
    Quotes,
    Table,
    fit_columns,
)

__all__ = ["render"]


def render(doc: Document) -> bytes:
    """The document as the bytes of a .docx file."""
    from docx import Document as Docx  # noqa: PLC0415

    word = Docx()
    _setup(word, doc)
    word.add_paragraph(doc.title, style="Title")
    word.add_paragraph(doc.meta)
    landscape = False
    for i, section in enumerate(doc.sections):
        if i and ((section.level <= 2 and section.new_page) or section.landscape != landscape):
            _new_page(word, section.landscape)
            landscape = section.landscape
        word.add_heading(section.title, level=max(1, section.level - 1))
        for block in section.blocks:
            landscape = _block(word, block, landscape, section.landscape)
    buf = io.BytesIO()
    word.save(buf)
    return buf.getvalue()


def _setup(word, doc: Document) -> None:
    from docx.oxml import OxmlElement  # noqa: PLC0415
    from docx.oxml.ns import qn  # noqa: PLC0415
    from docx.shared import Cm, Pt  # noqa: PLC0415

    word.core_properties.title = doc.title
    word.core_properties.language = doc.language
    sec = word.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(2.0))
    word.styles["Normal"].font.name = "Arial"
    word.styles["Normal"].font.size = Pt(10.5)
    for style in word.styles:
        r_pr = getattr(style.element, "get_or_add_rPr", None)
        if r_pr is None:
            continue
        lang = OxmlElement("w:lang")
        for attr in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(attr), doc.language)
        r_pr().append(lang)


def _new_page(word, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT, WD_SECTION  # noqa: PLC0415
    from docx.shared import Cm  # noqa: PLC0415

    sec = word.add_section(WD_SECTION.NEW_PAGE)
    sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = (Cm(29.7), Cm(21.0)) if landscape else (Cm(21.0), Cm(29.7))


def _block(word, block: Any, landscape: bool, section_landscape: bool) -> bool:
    """Draw one block; returns whether the page is now landscape."""
    if isinstance(block, Paragraph):
        p = word.add_paragraph(block.text)
        if block.kind in ("note", "meta"):
            for run in p.runs:
                run.italic = True
    elif isinstance(block, Bullets):
        for item in block.items:
            word.add_paragraph(item, style="List Bullet")
    elif isinstance(block, Table):
        widths, wide = fit_columns(block)
        if wide and not landscape:
            _new_page(word, True)
            landscape = True
        elif not wide and landscape and not section_landscape:
            _new_page(word, False)
            landscape = False
        _table(word, block, widths)
    elif isinstance(block, Chart):
        _chart(word, block, landscape)
    elif isinstance(block, Quotes):
        _quotes(word, block)
    return landscape


def _flag(row, name: str) -> None:
    from docx.oxml import OxmlElement  # noqa: PLC0415
    from docx.oxml.ns import qn  # noqa: PLC0415

    el = OxmlElement(name)
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _table(word, view: Table, widths: list[float]) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT  # noqa: PLC0415
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415
    from docx.shared import Pt  # noqa: PLC0415

    cap = word.add_paragraph(view.caption, style="Caption")
    cap.paragraph_format.keep_with_next = True
    t = word.add_table(rows=1, cols=len(view.columns))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.LEFT
    t.autofit = False
    _flag(t.rows[0], "w:tblHeader")
    for j, label in enumerate(view.columns):
        cell = t.rows[0].cells[j]
        run = cell.paragraphs[0].add_run(label)
        run.bold, run.font.size = True, Pt(9)
    from docx.table import _Cell  # noqa: PLC0415 - cells straight from the row (row.cells walks the whole grid)

    for values in view.rows:
        row = t.add_row()
        _flag(row, "w:cantSplit")
        for j, (tc, value) in enumerate(zip(row._tr.tc_lst, values, strict=True)):
            para = _Cell(tc, t).paragraphs[0]
            para.add_run(value).font.size = Pt(9)
            if view.numeric and view.numeric[j] and j:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _widths(t, widths)
    if view.note:
        note = word.add_paragraph(view.note)
        for run in note.runs:
            run.italic, run.font.size = True, Pt(9)


def _widths(t, widths: list[float]) -> None:
    """Fix the column widths (the grid LibreOffice reads and each cell's width Word reads), layout fixed."""
    from docx.oxml import OxmlElement  # noqa: PLC0415
    from docx.oxml.ns import qn  # noqa: PLC0415
    from docx.shared import Cm  # noqa: PLC0415

    tbl_pr = t._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(sum(widths) * 567)))
    width.set(qn("w:type"), "dxa")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(width)
    for grid_col, w in zip(t._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_col.w = Cm(w)
    for tr in t._tbl.tr_lst:
        for tc, w in zip(tr.tc_lst, widths, strict=True):
            tc.width = Cm(w)


def _chart(word, chart: Chart, landscape: bool) -> None:
    from docx.shared import Cm  # noqa: PLC0415

    width = min(chart.width_cm, (LANDSCAPE_CM if landscape else PORTRAIT_CM) - 0.5)
    word.add_picture(io.BytesIO(chart.png), width=Cm(width))
    inline = word.inline_shapes[-1]._inline
    inline.docPr.set("descr", chart.alt)
    inline.docPr.set("title", chart.title)
    word.paragraphs[-1].paragraph_format.keep_with_next = True
    cap = word.add_paragraph(chart.title, style="Caption")
    cap.paragraph_format.keep_with_next = False
    if chart.table is not None:
        _table(word, chart.table, fit_columns(chart.table)[0])


def _quotes(word, quotes: Quotes) -> None:
    from docx.shared import Pt  # noqa: PLC0415

    if not quotes.items:
        word.add_paragraph(quotes.empty)
    for q in quotes.items:
        p = word.add_paragraph(style="Quote")
        p.add_run(f"\u201c{q.text}\u201d")
        p.paragraph_format.keep_with_next = True
        who = word.add_paragraph(q.who)
        for run in who.runs:
            run.font.size = Pt(9)

