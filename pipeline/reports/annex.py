"""The annex workbook: every table of a report, one sheet each, filters on and the header row frozen.

Built from the same :class:`pipeline.reports.document.Document` the HTML and Word files are drawn
from, so it holds exactly the tables they show: each :class:`~pipeline.reports.document.Table` with a
``sheet`` name becomes a sheet (its caption in the first row, then the header row and the values;
numbers stay numbers, suppressed counts stay ``<5``). Column widths follow the content.
"""

from __future__ import annotations

import io
import re

from pipeline.reports.document import Document, Table

__all__ = ["sheet_tables", "workbook"]


def sheet_tables(doc: Document) -> list[Table]:
    """The document's tables that go in the workbook, in reading order, first of each sheet name only."""
    seen, out = set(), []
    for section in doc.sections:
        for block in section.blocks:
            tables = [block] if isinstance(block, Table) else [getattr(block, "table", None)]
            for t in tables:
                if isinstance(t, Table) and t.sheet and t.sheet not in seen:
                    seen.add(t.sheet)
                    out.append(t)
    return out


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    out, i = base, 2
    while out.lower() in used:
        out = f"{base[:28]}_{i}"
        i += 1
    used.add(out.lower())
    return out


def _value(v):
    if v is None:
        return None
    try:
        if v != v:  # NaN, pandas NA
            return None
    except (TypeError, ValueError):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v if isinstance(v, (int, float, str, bool)) else str(v)


def workbook(doc: Document) -> bytes:
    """The .xlsx bytes: a contents sheet, then one sheet per table (filters on, header frozen)."""
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    wb = Workbook()
    contents = wb.active
    contents.title = "contents"
    contents.append([doc.title])
    contents.append(["sheet", "table"])
    used: set[str] = {"contents"}
    for t in sheet_tables(doc):
        ws = wb.create_sheet(_sheet_name(t.sheet, used))
        contents.append([ws.title, t.caption])
        ws.append([t.caption])
        ws["A1"].font = Font(bold=True)
        columns = list(t.data.columns) if t.data is not None else list(t.columns)
        ws.append([str(c) for c in columns])
        rows = t.data.itertuples(index=False, name=None) if t.data is not None else t.rows
        for row in rows:
            ws.append([_value(v) for v in row])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        last = get_column_letter(max(1, len(columns)))
        ws.auto_filter.ref = f"A2:{last}{ws.max_row}"
        ws.freeze_panes = "A3"
        for j, col in enumerate(columns, start=1):
            width = max([len(str(col))] + [len(str(c.value or "")) for c in ws[get_column_letter(j)][2:]])
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, width + 2))
        if t.note:
            ws.append([])
            ws.append([t.note])
    contents.column_dimensions["A"].width = 28
    contents.column_dimensions["B"].width = 80
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
