"""More return formats: scans and photos (OCR), OpenDocument, RTF, HTML and email.

Each reader takes a path and a :class:`pipeline.ingest.readers.ReadContext` and returns the raw
items of :data:`pipeline.ingest.readers.RAW_COLUMNS`, like the readers in
:mod:`pipeline.ingest.readers`, whose layout logic they reuse (question headings and speaker lines
for running text, :func:`~pipeline.ingest.readers._grid_items` for tables and sheets):

- **OCR** (``.jpg``, ``.jpeg``, ``.png``, ``.tif``, ``.tiff``, ``.bmp``, ``.gif``, ``.webp``,
  ``.heic`` with pillow-heif, and PDFs without a text layer): Tesseract through pytesseract, in
  English and Welsh (``ingest.ocr_languages``). Every item carries Tesseract's mean word confidence
  (``ocr_confidence``, 0-100) and the ledger asks the analyst to check the text against the image;
  a line below ``ingest.ocr_min_line_confidence`` is ledgered as unreadable, not kept. Without
  Tesseract the file is rejected with a reason saying how to install it (``make ocr``).
- **OpenDocument** ``.odt`` (headings, paragraphs, lists, tables) and ``.ods`` (each sheet a grid), via odfpy.
- **RTF** via striprtf, read as typed notes.
- **HTML** (``.html``, ``.htm``): headings, paragraphs, list items and tables, via lxml.
- **Email** ``.eml`` (standard library) and ``.msg`` (Outlook, via extract-msg): the body is read as
  notes, each attachment in a format ingest reads is read as a return (its items' locations start
  ``attachment=<name>;``), the sender, recipients and date are personal metadata (counted, never
  kept), quoted earlier emails and the sign-off are ledgered as not answers, and when an attachment
  holds the return, a covering note without questions is ledgered as such.

Used by ``python -m pipeline ingest`` through :func:`pipeline.ingest.readers.read_return`.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.ingest.readers import (
    _ZIP_SIGNATURE,
    NOT_AN_ANSWER_METADATA,
    NOT_AN_ANSWER_PREAMBLE,
    RAW_COLUMNS,
    Block,
    ReadContext,
    ReturnError,
    _check_bytes,
    _clean,
    _corrupt,
    _finish,
    _frame,
    _grid_items,
    _item,
    _items_from_blocks,
    _items_from_lines,
    _metadata_item,
    decode_text,
)
from pipeline.vocab import UNKNOWN

OCR_INSTALL = (
    "Install Tesseract OCR with `make ocr` (it runs: apt-get install tesseract-ocr tesseract-ocr-eng "
    "tesseract-ocr-cym), then run ingest again; or type the return up as Word or text"
)
OCR_UNREADABLE = "OCR could not read this line reliably (confidence {conf:.0f}%): check the image and type it up"
OCR_NOTE = "read by OCR (Tesseract {langs}, mean word confidence {conf:.0f}%): check the text against the image"
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".heic", ".heif")
EMAIL_COVERING = "the covering email's text, not an answer (the return is in its attachment)"
EMAIL_QUOTED = "a quoted earlier email, not an answer"
EMAIL_SIGNATURE = "the email's sign-off and signature, not an answer"
_SIGN_OFF_RE = re.compile(
    r"^(?:--\s*|kind regards|best regards|warm regards|regards|best wishes|many thanks|thanks|thank you|"
    r"yours sincerely|yours faithfully|cheers|diolch|diolch yn fawr|cofion|cofion gorau|sent from my \w+)[,.!]?\s*$",
    re.I,
)


# ----------------------------------------------------------------------------------------------
# OCR


def tesseract_languages(path: Path, ctx: ReadContext) -> str:
    """The Tesseract languages to use (``ingest.ocr_languages`` that are installed), or a ReturnError."""
    try:
        import pytesseract
    except ImportError as exc:
        raise ReturnError(
            f"{path.name} is a scan or photo and needs OCR, but the Python package pytesseract is not installed: "
            f"run `make setup`. {OCR_INSTALL}."
        ) from exc
    try:
        installed = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise ReturnError(
            f"{path.name} is a scan or photo and needs OCR, but Tesseract OCR is not installed. {OCR_INSTALL}."
        ) from exc
    wanted = [lang for lang in str(ctx.ocr_setting("languages")).split("+") if lang]
    usable = [lang for lang in wanted if lang in installed]
    if not usable:
        raise ReturnError(
            f"{path.name} needs OCR in {'+'.join(wanted)}, but Tesseract has none of these languages installed. "
            f"{OCR_INSTALL}."
        )
    return "+".join(usable)


def _prepare(image: Any) -> Any:
    """Orient a photo by its EXIF tag, make it grey, stretch its contrast and enlarge a small one."""
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image)
    image = ImageOps.autocontrast(image.convert("L"), cutoff=1)
    if image.width < 1500:
        factor = 1500 / image.width
        image = image.resize((1500, int(image.height * factor)))
    return image


def ocr_lines(image: Any, langs: str, prefix: str = "") -> list[tuple[str, str, float]]:
    """OCR one image into ``(location, line, confidence)``; ``""`` lines mark paragraph breaks.

    Args:
        image: A PIL image.
        langs: Tesseract languages, e.g. ``eng+cym``.
        prefix: Location prefix (``page=2;``).

    Returns:
        Lines in reading order with the mean confidence (0-100) of their words.
    """
    import pytesseract

    data = pytesseract.image_to_data(_prepare(image), lang=langs, output_type=pytesseract.Output.DICT)
    lines: dict[tuple[int, int, int], list[tuple[str, float]]] = {}
    for i, word in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if conf < 0 or not str(word).strip():
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append((str(word), conf))
    out: list[tuple[str, str, float]] = []
    previous: tuple[int, int] | None = None
    for n, (key, words) in enumerate(sorted(lines.items()), start=1):
        if previous is not None and key[:2] != previous:
            out.append((f"{prefix}line={n}", "", 100.0))
        previous = key[:2]
        text = " ".join(w for w, _ in words)
        out.append((f"{prefix}line={n}", text, sum(c for _, c in words) / len(words)))
    return out


def _ocr_items(path: Path, ctx: ReadContext, lines: list[tuple[str, str, float]]) -> pd.DataFrame:
    """Items from OCR lines: the usual notes layout, each item with its lines' mean confidence."""
    if not any(text.strip() for _, text, _ in lines):
        raise ReturnError(
            f"{path.name} was read by OCR but no text was found in it (a blank page, or a photo too blurred or dark "
            "to read). Ask the organisation for a clearer photo or scan, or type the return up."
        )
    min_conf = float(ctx.ocr_setting("min_line_confidence"))
    conf_at = {loc: conf for loc, text, conf in lines if text.strip()}
    order = [loc for loc, text, _ in lines if text.strip()]
    items = _items_from_lines([(loc, text) for loc, text, _ in lines], ctx, markdown=False)
    starts = {loc: i for i, loc in enumerate(order)}
    for n, item in enumerate(items):
        first = starts.get(item["source_location"], 0)
        nxt = next((starts[i["source_location"]] for i in items[n + 1:] if starts.get(i["source_location"], -1) > first),
                   len(order))
        confs = [conf_at[loc] for loc in order[first:max(nxt, first + 1)]]
        conf = sum(confs) / len(confs) if confs else 0.0
        item["ocr_confidence"] = round(conf, 1)
        if conf < min_conf and item["text"] and not item["note"]:
            item["note"] = OCR_UNREADABLE.format(conf=conf)
    return _finish(path, items)


def read_image(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read a photo or scan (flip chart, paper form) by OCR."""
    _check_bytes(path, None)
    langs = tesseract_languages(path, ctx)
    from PIL import Image, UnidentifiedImageError

    if path.suffix.lower() in (".heic", ".heif"):
        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
        except ImportError as exc:
            raise ReturnError(
                f"{path.name} is an iPhone photo (HEIC) and the package pillow-heif is not installed: run `make setup`, "
                "or save the photo as JPEG."
            ) from exc
    try:
        with Image.open(path) as image:
            image.load()
            frames = [image.copy()]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ReturnError(
            f"{path.name} could not be opened as an image: it looks corrupt or truncated ({type(exc).__name__}). "
            "Ask the organisation to send the photo or scan again."
        ) from exc
    return _ocr_items(path, ctx, ocr_lines(frames[0], langs))


def read_scanned_pdf(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read a PDF with no text layer (a scanned paper return) by OCR, page by page."""
    langs = tesseract_languages(path, ctx)
    import pdfplumber

    dpi = int(ctx.ocr_setting("pdf_dpi"))
    lines: list[tuple[str, str, float]] = []
    try:
        with pdfplumber.open(path) as pdf:
            for page_no, page in enumerate(pdf.pages, start=1):
                image = page.to_image(resolution=dpi).original
                lines.extend(ocr_lines(image, langs, prefix=f"page={page_no};"))
                lines.append((f"page={page_no};end", "", 100.0))
    except ReturnError:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfium raises several types for a damaged page
        raise _corrupt(path, exc) from exc
    return _ocr_items(path, ctx, lines)


# ----------------------------------------------------------------------------------------------
# OpenDocument


def _odf_text(element: Any) -> str:
    from odf import teletype

    return _clean(teletype.extractText(element))


def _odf_grid(table: Any, max_repeat: int = 200) -> tuple[list[list[str]], frozenset[tuple[int, int]]]:
    """An ODF table as rows of text; covered (merged) cells are blank and marked as merged from above."""
    from odf.namespaces import TABLENS

    grid: list[list[str]] = []
    merged: set[tuple[int, int]] = set()
    for row in table.getElementsByType(_odf_class("TableRow")):
        repeat_rows = int(row.getAttrNS(TABLENS, "number-rows-repeated") or 1)
        cells: list[str] = []
        covered: list[int] = []
        for cell in row.childNodes:
            name = getattr(cell, "qname", ("", ""))[1]
            if name not in ("table-cell", "covered-table-cell"):
                continue
            repeat = int(cell.getAttrNS(TABLENS, "number-columns-repeated") or 1)
            text = _odf_text(cell) if name == "table-cell" else ""
            # Spreadsheets repeat an empty cell to the sheet's edge (1,000+ times): keep such a run as one cell.
            if repeat > max_repeat and not text:
                repeat = 1
            for _ in range(min(repeat, max_repeat)):
                if name == "covered-table-cell":
                    covered.append(len(cells))
                cells.append(text)
        while cells and not cells[-1]:
            cells.pop()
        if not any(cells) and repeat_rows > 1:
            repeat_rows = 1
        for _ in range(min(repeat_rows, max_repeat)):
            r = len(grid)
            grid.append(list(cells))
            merged.update((r, c) for c in covered if r > 0)
    while grid and not any(grid[-1]):
        grid.pop()
    return grid, frozenset(merged)


def _odf_class(name: str) -> Any:
    from odf import table

    return getattr(table, name)


def _open_odf(path: Path) -> Any:
    _check_bytes(path, _ZIP_SIGNATURE)
    from odf.opendocument import load

    try:
        return load(str(path))
    except Exception as exc:  # noqa: BLE001 - odfpy raises zipfile/xml errors for a damaged file
        raise _corrupt(path, exc) from exc


def read_odt(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read an OpenDocument text (LibreOffice Writer): headings, paragraphs, list items and tables, in order."""
    doc = _open_odf(path)
    blocks: list[Block] = []
    counters = {"p": 0, "t": 0}

    def walk(node: Any) -> None:
        for child in node.childNodes:
            name = getattr(child, "qname", ("", ""))[1]
            if name in ("h", "p"):
                counters["p"] += 1
                blocks.append(Block(f"paragraph={counters['p']}", _odf_text(child), styled=name == "h"))
            elif name == "table":
                counters["t"] += 1
                t = counters["t"]
                grid, merged = _odf_grid(child)
                blocks.append(Block(f"table={t}", grid=grid, merged_below=merged, name=f"table {t}",
                                    table_loc=lambda r, c, t=t: f"table={t};row={r + 1};col={c + 1}"))
            elif name in ("list", "list-item", "section", "text"):
                walk(child)

    walk(doc.text)
    return _finish(path, _items_from_blocks(blocks, ctx))


def read_ods(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read an OpenDocument spreadsheet (LibreOffice Calc): each sheet is a grid, as for Excel."""
    from odf.namespaces import TABLENS

    doc = _open_odf(path)
    from pipeline.ingest.readers import _letter

    items: list[dict[str, Any]] = []
    for sheet in doc.spreadsheet.getElementsByType(_odf_class("Table")):
        title = str(sheet.getAttrNS(TABLENS, "name") or "Sheet")
        grid, merged = _odf_grid(sheet)

        def loc(r: int, c: int, title: str = title) -> str:
            return f"sheet={title};row={r + 1};col={_letter(c)}"

        placement = ctx.place(title, meaning=False)
        items.extend(_grid_items(grid, ctx, loc, placement.question, title if placement.question != UNKNOWN else "",
                                 merged, sheet=title))
    return _finish(path, items)


# ----------------------------------------------------------------------------------------------
# RTF and HTML


def read_rtf(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read a Rich Text Format file as typed notes (headings per question, speaker lines)."""
    data = _check_bytes(path, None)
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ReturnError(
            f"{path.name} is corrupt or is not really a .rtf file (its contents do not match its extension). "
            "Open it to check, then ask the organisation to send it again or save it in the right format."
        )
    from striprtf.striprtf import rtf_to_text

    text = rtf_to_text(decode_text(data, path.name), errors="ignore")
    lines = [(f"line={i}", line) for i, line in enumerate(text.splitlines(), start=1)]
    return _finish(path, _items_from_lines(lines, ctx, markdown=False))


_HTML_BLOCKS = {"p", "li", "blockquote", "pre", "dt", "dd", "td", "th", "caption", "address"}
_HTML_SKIP = {"script", "style", "head", "title", "noscript", "template", "svg"}


def html_blocks(html: str) -> list[Block]:
    """Paragraph and table blocks of an HTML document in reading order (headings marked as styled)."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - lxml rejects an empty or odd document: treat it as plain text
        return [Block(f"line={i}", _clean(t)) for i, t in enumerate(html.splitlines(), start=1) if t.strip()]
    blocks: list[Block] = []
    counters = {"p": 0, "t": 0}

    def add_text(text: str, styled: bool = False, bold: bool = False) -> None:
        for part in re.split(r"\n\s*\n", text):
            if part.strip():
                counters["p"] += 1
                blocks.append(Block(f"paragraph={counters['p']}", _clean(part), styled=styled, bold=bold))

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _HTML_SKIP:
            return
        if re.fullmatch(r"h[1-6]", tag):
            add_text(el.text_content(), styled=True)
        elif tag == "table":
            counters["t"] += 1
            t = counters["t"]
            grid = [[_clean(cell.text_content()) for cell in tr if cell.tag in ("td", "th")] for tr in el.iter("tr")]
            blocks.append(Block(f"table={t}", grid=grid, name=f"table {t}",
                                table_loc=lambda r, c, t=t: f"table={t};row={r + 1};col={c + 1}"))
        elif tag in _HTML_BLOCKS:
            children = [c for c in el if isinstance(c.tag, str)]
            bold = bool(children) and all(c.tag in ("b", "strong") for c in children) and not (el.text or "").strip()
            add_text(el.text_content(), bold=bold)
        else:
            if el.text and el.text.strip():
                add_text(el.text)
            for child in el:
                walk(child)
                if child.tail and child.tail.strip():
                    add_text(child.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    return blocks


def read_html(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read a web page or a return saved as HTML: headings, paragraphs, list items and tables."""
    data = _check_bytes(path, None)
    return _finish(path, _items_from_blocks(html_blocks(decode_text(data, path.name)), ctx))


# ----------------------------------------------------------------------------------------------
# Email


def _body_items(text: str, ctx: ReadContext, is_html: bool) -> list[dict[str, Any]]:
    """Items of an email body: quoted replies and the sign-off ledgered, the rest read as notes."""
    if is_html:
        blocks = html_blocks(text)
        text = "\n\n".join(b.text for b in blocks if b.grid is None)
    lines = [(f"body;line={i}", line) for i, line in enumerate(text.splitlines(), start=1)]
    kept: list[tuple[str, str]] = []
    set_aside: list[dict[str, Any]] = []
    signed_off = False
    for loc, line in lines:
        stripped = line.strip()
        if signed_off:
            if stripped:
                set_aside.append(_item(loc, text=stripped, note=EMAIL_SIGNATURE))
            continue
        if stripped.startswith(">") or re.match(r"^(?:On .{5,80} wrote:|-----\s*Original Message\s*-----)$", stripped):
            set_aside.append(_item(loc, text=stripped.lstrip("> "), note=EMAIL_QUOTED))
            continue
        if _SIGN_OFF_RE.match(stripped):
            signed_off = True
            set_aside.append(_item(loc, text=stripped, note=EMAIL_SIGNATURE))
            continue
        kept.append((loc, line))
    return _items_from_lines(kept, ctx, markdown=False) + set_aside


def _attachment_items(name: str, data: bytes, ctx: ReadContext, depth: int) -> list[dict[str, Any]]:
    """Read one attachment as a return (items located ``attachment=<name>;...``)."""
    from pipeline.ingest.readers import accepted_formats, all_readers

    safe = re.sub(r"[^\w.\- ]", "_", Path(name).name) or "attachment"
    loc = f"attachment={safe}"
    if Path(safe).suffix.lower() not in all_readers() or depth > 2:
        return [_item(loc, text=safe, note=f"attachment {safe} is in a format ingest cannot read (accepted: "
                                           f"{accepted_formats()}); save it in one of these and add it to the folder")]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / safe
        path.write_bytes(data)
        try:
            frame = all_readers()[path.suffix.lower()](path, ctx) if depth <= 2 else _frame([])
        except ReturnError as exc:
            return [_item(loc, text=safe, note=f"attachment {safe} could not be read: {exc}")]
    records = frame.to_dict("records")
    for rec in records:
        rec["source_location"] = f"{loc};{rec['source_location']}"
    return records


def _email_items(path: Path, ctx: ReadContext, headers: dict[str, str], body: str, is_html: bool,
                 attachments: Iterable[tuple[str, bytes]], inline: int, depth: int = 0) -> pd.DataFrame:
    items: list[dict[str, Any]] = []
    for name, value in headers.items():
        if not value:
            continue
        kind = "timestamp" if name == "Date" else "subject line" if name == "Subject" else "email address"
        personal = kind == "email address"
        items.append(_metadata_item(
            f"header={name}", name,
            f"email header '{name}' treated as {'personal ' if personal else ''}metadata ({kind}), not an answer"
            + (": never kept as text" if personal else ""), 1))
    if inline:
        items.append(_metadata_item("inline images", "", f"{inline} image(s) inside the email's layout or signature "
                                    "(logos), treated as metadata, not returns", inline))
    attached: list[dict[str, Any]] = []
    for name, data in attachments:
        attached.extend(_attachment_items(name, data, ctx, depth + 1))
    body_items = _body_items(body, ctx, is_html)
    attachment_answers = any(str(i["note"]) == "" and i["kind"] == "item" for i in attached)
    body_placed = any(i["question"] != UNKNOWN and not i["note"] for i in body_items)
    if attachment_answers and not body_placed:
        for i in body_items:
            if i["note"] in ("", NOT_AN_ANSWER_METADATA, NOT_AN_ANSWER_PREAMBLE) and i["text"]:
                i["note"] = EMAIL_COVERING
    items.extend(body_items)
    items.extend(attached)
    if not any(str(i.get("text", "")).strip() or i["kind"] == "metadata" for i in items):
        raise ReturnError(f"{path.name} is an email with no text and no attachment ingest can read.")
    items = [{c: i[c] for c in RAW_COLUMNS} for i in items]
    return _finish(path, items)


def read_eml(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read a saved email (.eml): the body as notes, attachments as returns, headers as personal metadata."""
    import email
    from email import policy

    data = _check_bytes(path, None)
    try:
        msg = email.message_from_bytes(data, policy=policy.default)
    except Exception as exc:  # noqa: BLE001 - the email parser raises several types
        raise _corrupt(path, exc) from exc
    if not msg.keys():
        raise ReturnError(f"{path.name} is not an email (it has no headers). Save the email again from the mail program.")
    headers = {h: str(msg.get(h, "") or "") for h in ("From", "To", "Cc", "Reply-To", "Date", "Subject")}
    part = msg.get_body(preferencelist=("plain", "html"))
    body, is_html = "", False
    if part is not None:
        body = part.get_content()
        is_html = part.get_content_type() == "text/html"
    attachments, inline = [], 0
    for att in msg.iter_attachments():
        name = att.get_filename()
        if att.get_content_maintype() == "image" and (not name or att.get_content_disposition() == "inline"):
            inline += 1
            continue
        if name is None and att.get_content_type() == "message/rfc822":
            name = "forwarded.eml"
        attachments.append((name or "attachment.bin", att.get_payload(decode=True) or att.as_bytes()))
    return _email_items(path, ctx, headers, body, is_html, attachments, inline)


def read_msg(path: Path, ctx: ReadContext) -> pd.DataFrame:
    """Read an Outlook message (.msg) with extract-msg: body, attachments and headers as for .eml."""
    _check_bytes(path, b"\xd0\xcf\x11\xe0")
    import extract_msg

    try:
        msg = extract_msg.openMsg(str(path))
    except Exception as exc:  # noqa: BLE001 - extract-msg raises several types for a damaged file
        raise _corrupt(path, exc) from exc
    try:
        headers = {"From": msg.sender or "", "To": msg.to or "", "Cc": msg.cc or "", "Date": str(msg.date or ""),
                   "Subject": msg.subject or ""}
        body, is_html = msg.body or "", False
        if not body.strip() and getattr(msg, "htmlBody", None):
            html = msg.htmlBody
            body, is_html = (html.decode("utf-8", "replace") if isinstance(html, bytes) else str(html)), True
        attachments, inline = [], 0
        for att in msg.attachments:
            name = getattr(att, "longFilename", None) or getattr(att, "shortFilename", None) or "attachment.bin"
            data = getattr(att, "data", None)
            if not isinstance(data, bytes):
                attachments.append((f"{name} (an attached email).unreadable", b""))
                continue
            if getattr(att, "hidden", False) or (getattr(att, "contentId", None) and name.lower().endswith(IMAGE_EXTENSIONS)):
                inline += 1
                continue
            attachments.append((name, data))
    finally:
        msg.close()
    return _email_items(path, ctx, headers, body, is_html, attachments, inline)


#: Reader for each extension this module adds.
READERS: dict[str, Callable[[Path, ReadContext], pd.DataFrame]] = {
    **{ext: read_image for ext in IMAGE_EXTENSIONS},
    ".odt": read_odt,
    ".ods": read_ods,
    ".rtf": read_rtf,
    ".html": read_html,
    ".htm": read_html,
    ".eml": read_eml,
    ".msg": read_msg,
}

__all__ = ["READERS", "read_image", "read_scanned_pdf", "read_odt", "read_ods", "read_rtf", "read_html", "read_eml",
           "read_msg", "ocr_lines", "tesseract_languages", "html_blocks"]
