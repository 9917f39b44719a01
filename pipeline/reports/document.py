"""One document model for HTML and Word: a report is described once and drawn by two thin renderers.

A :class:`Document` is a list of :class:`Section` s, each holding blocks: :class:`Paragraph`,
:class:`Bullets`, :class:`Table`, :class:`Chart` and :class:`Quotes`. The theme report and the
plan-check report build one; :mod:`pipeline.reports.render_html` (jinja2) and
:mod:`pipeline.reports.render_docx` (python-docx) draw it, so the two files cannot drift: the same
headings in the same order (:func:`headings`), the same tables and the same quotes.

Layout is data too: :func:`fit_columns` gives each table column a width from its content (the longest
word sets the minimum, the typical cell length the share of what is left), and says when a table needs
a landscape page. Sources written ``"name: https://..."`` are shortened to their name and numbered
(:class:`Notes`), the full reference listed once in the document's notes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Bullets", "Chart", "Document", "Notes", "Paragraph", "Quote", "Quotes", "Section", "Table",
    "fit_columns", "headings",
]

#: Usable widths (cm) of an A4 page with 2 cm margins, portrait and landscape.
PORTRAIT_CM = 17.0
LANDSCAPE_CM = 25.7
#: Narrowest column allowed (cm): the acceptance test checks the same figure on the PDF.
MIN_COLUMN_CM = 2.0
#: Narrowest column laid out (cm): a little over the minimum, as a word processor's borders take some of it.
FIT_MIN_CM = 2.1
#: Average width (cm) of one character of table text (Arial 9 pt) plus a cell's padding.
CHAR_CM = 0.19
PADDING_CM = 0.4


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``kind`` is ``body``, ``lead``, ``note``, ``notice`` or ``meta``."""

    text: str
    kind: str = "body"


@dataclass(frozen=True)
class Bullets:
    """A bulleted list; ``kind`` is ``plain``, ``summary`` (boxed) or ``notice``."""

    items: tuple[str, ...]
    kind: str = "plain"


@dataclass(frozen=True)
class Table:
    """A table with a caption, column labels, rows of text and an optional note under it.

    ``sheet`` names its sheet in the annex workbook ("" keeps it out); ``data`` holds the rows as
    values (numbers stay numbers) for that workbook; ``numeric`` marks columns aligned right (in Word
    always, in HTML when ``align`` is set, as in notebooks whose stylesheet right-aligns every cell).
    """

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""
    row_header: bool = True
    sheet: str = ""
    data: Any = None
    numeric: tuple[bool, ...] = ()
    align: bool = False


@dataclass(frozen=True)
class Chart:
    """A chart: title, alt text (a sentence a screen reader reads), PNG bytes, the table behind it."""

    title: str
    alt: str
    png: bytes
    table: Table | None = None
    width_cm: float = 16.0


@dataclass(frozen=True)
class Quote:
    """A quote (in the language it was said in) and who said it, in words."""

    text: str
    who: str


@dataclass(frozen=True)
class Quotes:
    """Quotes, or the sentence saying why there are none."""

    items: tuple[Quote, ...]
    empty: str


@dataclass
class Section:
    """A headed part of the document. ``level`` 2 starts a new page in Word; ``landscape`` turns it."""

    title: str
    anchor: str
    level: int = 2
    blocks: list[Any] = field(default_factory=list)
    landscape: bool = False
    new_page: bool = True

    def add(self, *blocks: Any) -> Section:
        """Append blocks (``None`` is skipped) and return the section."""
        self.blocks.extend(b for b in blocks if b is not None)
        return self


@dataclass
class Document:
    """A whole report: title, language, a line under the title and its sections in reading order."""

    title: str
    language: str
    meta: str
    sections: list[Section] = field(default_factory=list)
    skip_link: str = "Skip to main content"
    contents_label: str = "Contents"
    chart_note: str = "The data table below gives every value shown in this chart."
    data_label: str = "Data behind this chart"


def headings(doc: Document) -> list[tuple[int, str]]:
    """Every heading of the document, ``(level, text)`` in order (the title is level 1)."""
    return [(1, doc.title)] + [(s.level, s.title) for s in doc.sections]


def slug(text: str) -> str:
    """A lower-case, hyphenated identifier (for anchors and file names)."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "item"


class Notes:
    """Numbered source notes: a long source becomes "short name [n]", the full text listed once."""

    def __init__(self) -> None:
        self._items: dict[str, int] = {}

    def cite(self, source: str, max_chars: int = 40) -> str:
        """The short form of ``source`` with its note number ("" for an empty source)."""
        source = str(source or "").strip()
        if not source:
            return ""
        number = self._items.setdefault(source, len(self._items) + 1)
        name = re.split(r":\s*https?://|\s*\(|;", source, maxsplit=1)[0].strip() or source
        name = re.sub(r"https?://(www\.)?", "", name)
        if len(name) > max_chars:
            name = name[: max_chars - 1].rsplit(" ", 1)[0] + "\u2026"
        return f"{name} [{number}]"

    def items(self) -> list[str]:
        """The notes in number order, each "[n] full source"."""
        return [f"[{n}] {s}" for s, n in sorted(self._items.items(), key=lambda kv: kv[1])]


def _longest_word(text: str) -> int:
    return max((len(w) for w in str(text).split()), default=0)


def fit_columns(table: Table, max_cm: float = LANDSCAPE_CM) -> tuple[list[float], bool]:
    """Column widths (cm) from the content, and whether the table needs a landscape page.

    Each column gets at least :data:`FIT_MIN_CM` and room for its longest word (capped at 3.5 cm,
    past which a word breaks); what is left of the page is shared in proportion to each column's
    typical length (the 90th percentile of its cells' lengths, header included, capped at 60
    characters). A table whose minimum widths or natural widths do not fit a portrait page goes
    landscape.
    """
    n = len(table.columns)
    cells = [[str(table.columns[j])] + [str(r[j]) for r in table.rows] for j in range(n)]
    minimum = [max(FIT_MIN_CM, min(3.5, _longest_word(" ".join(c)) * CHAR_CM + PADDING_CM)) for c in cells]
    natural = []
    for c in cells:
        lengths = sorted(len(x) for x in c)
        typical = lengths[min(len(lengths) - 1, math.ceil(0.9 * (len(lengths) - 1)))]
        natural.append(max(minimum[len(natural)], min(60, typical) * CHAR_CM + PADDING_CM))
    landscape = sum(minimum) > PORTRAIT_CM or sum(natural) > PORTRAIT_CM * 1.6
    page = min(max_cm, LANDSCAPE_CM if landscape else PORTRAIT_CM)
    if sum(natural) <= page:
        return natural, landscape
    spare = max(page - sum(minimum), 0.0)
    extra = [max(nat - mn, 0.0) for nat, mn in zip(natural, minimum, strict=True)]
    total = sum(extra) or 1.0
    return [mn + spare * e / total for mn, e in zip(minimum, extra, strict=True)], landscape


def table(
    caption: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    note: str = "",
    row_header: bool = True,
    sheet: str = "",
    data: Any = None,
) -> Table:
    """A :class:`Table` from any cell values (``None``/NaN shown as "", floats to two decimals)."""
    text_rows = tuple(tuple(_cell(v) for v in r) for r in rows)
    numeric = tuple(
        bool(text_rows) and all(re.fullmatch(r"[<\d.,%\u2013-]*", r[j] or "") for r in text_rows)
        for j in range(len(columns))
    )
    return Table(caption, tuple(str(c) for c in columns), text_rows, note, row_header, sheet, data, numeric)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    try:
        if value != value:  # NaN and pandas' NA
            return ""
    except (TypeError, ValueError):
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
