"""Read a draft plan (.docx, .md, .txt, .pdf) into a table of its headings, paragraphs and actions.

A draft is read in two steps. A format-specific reader turns the file into :class:`Block` s (a
heading with its level, a list item, or a paragraph); :func:`blocks_to_frame` (pure) then turns the
blocks into one row per heading, paragraph and action:

=========  ======================================================================================
column     meaning
=========  ======================================================================================
action_id  ``A`` + 10 hex characters of SHA-1 of the normalised text: the same text gets the same
           id in every draft, which is what lets two drafts be compared (``-2``, ``-3`` are added
           to a text that repeats within a draft)
section    the heading path above the row (``Priority area 6: Promote fairness``; nested headings
           joined with `` > ``); a heading's own section includes itself
text       the text, without its list marker
kind       ``heading``, ``action`` or ``paragraph``
ref        the visible number of an action (``6.2``), else its running number (``#7``); "" otherwise
level      heading level (0 = the document title); 0 for other rows
order      position in the document, from 0
=========  ======================================================================================

**What counts as an action:** every numbered or bulleted item (Word list styles or numbering,
``1.``, ``1.2``, ``a)``, ``-``, ``*``, ``•`` markers) of at least ``min_action_words`` words, and every
sentence of a paragraph that starts with one of ``action_cues`` ("We will ...", "Byddwn yn ...").
A sentence ending in a colon ("We will:") introduces a list and is not an action itself.
A plan with no recognisable action raises :class:`PlanError` with a message saying what was found
and how the file should be laid out.

Usage::

    from pipeline.plancheck.reader import read_plan
    plan = read_plan(Path("data/raw/sample/plans/draft_plan_v1.docx"))
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import InputDataError  # one error base class (issue 14)
from pipeline.settings import defaults

#: File suffixes :func:`read_plan` reads.
PLAN_SUFFIXES = (".docx", ".md", ".markdown", ".txt", ".pdf")
#: Sentence openings that make a paragraph sentence an action (compared case-insensitively), and the fewest
#: words a list item needs to be an action: config/plancheck.yaml (``action_cues``, ``min_action_words``).
DEFAULT_ACTION_CUES = tuple(defaults("plancheck.yaml")["action_cues"])
DEFAULT_MIN_ACTION_WORDS = int(defaults("plancheck.yaml")["min_action_words"])
KINDS = ("heading", "action", "paragraph")
COLUMNS = ["action_id", "section", "text", "kind", "ref", "level", "order"]

_NUMBER = r"(?:\d+(?:\.\d+)+\.?|\d+[.)]|\(\d+\)|[a-zA-Z][.)]|\([a-zA-Z]\)|[ivxIVX]+[.)])"
_BULLET = r"[-*\u2022\u2023\u25aa\u25cf\u25e6\u2013\u2014\u00b7]"
_ITEM_RE = re.compile(rf"^\s*(?:(?:action\s+)?(?P<num>{_NUMBER})|(?P<bullet>{_BULLET}))\s+(?P<text>\S.*)$", re.IGNORECASE)
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[\"'\u2018\u201cA-Z0-9])")
_TERMINAL = ".,;:!?"


class PlanError(InputDataError):
    """A draft plan could not be read into actions; the message says what was found and what to do."""


@dataclass(frozen=True)
class Block:
    """One piece of a document: a heading (``level`` >= 0), a list item or a paragraph."""

    text: str
    kind: str  # "heading", "item" or "paragraph"
    level: int = 0
    number: str = ""


# ------------------------------------------------------------------------------------------------ readers
def read_blocks(path: Path) -> list[Block]:
    """Read a plan file into blocks, choosing the reader by the file's suffix.

    Raises:
        PlanError: If the file is missing, of a format not read here, or cannot be opened.
    """
    path = Path(path)
    if not path.is_file():
        raise PlanError(f"The draft plan {path} does not exist. Check the path given to --plan.")
    suffix = path.suffix.lower()
    try:
        if suffix == ".docx":
            return docx_blocks(path)
        if suffix == ".pdf":
            return pdf_blocks(path)
        if suffix in (".md", ".markdown"):
            return markdown_blocks(_read_text(path))
        if suffix == ".txt":
            return text_blocks(_read_text(path).splitlines())
    except PlanError:
        raise
    except Exception as exc:  # noqa: BLE001 - any library failure means the file cannot be read
        raise PlanError(
            f"The draft plan {path.name} could not be opened ({type(exc).__name__}: {exc}). "
            f"It may be damaged or not really a {suffix} file: open it in Word (or a PDF reader) and save it again."
        ) from exc
    raise PlanError(
        f"The draft plan {path.name} is a {suffix or 'suffix-less'} file; plan-check reads "
        f"{', '.join(PLAN_SUFFIXES)}. Save the draft as a Word document (.docx) and try again."
    )


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def docx_blocks(path: Path) -> list[Block]:
    """Blocks of a Word document: heading styles, list paragraphs (styles or numbering), paragraphs."""
    from docx import Document

    doc = Document(str(path))
    blocks: list[Block] = []
    for para in doc.paragraphs:
        text = " ".join(para.text.split())
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        low = style.lower()
        if low == "title":
            blocks.append(Block(text, "heading", 0))
            continue
        m = re.match(r"heading\s*(\d)", low)
        if m:
            blocks.append(Block(text, "heading", int(m.group(1))))
            continue
        ppr = para._p.pPr
        has_numbering = ppr is not None and ppr.numPr is not None
        if low.startswith("list") or has_numbering:
            item = _ITEM_RE.match(text)
            number = item.group("num") if item and item.group("num") else ""
            blocks.append(Block(item.group("text") if item else text, "item", 0, number.rstrip(".)").strip("()")))
            continue
        blocks.extend(text_blocks([text], headings=False))
    return blocks


def pdf_blocks(path: Path) -> list[Block]:
    """Blocks of a PDF's text layer, read line by line with the plain-text rules."""
    import pdfplumber

    lines: list[str] = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            lines.extend((page.extract_text() or "").splitlines())
            lines.append("")  # a page break ends a paragraph
    if not any(line.strip() for line in lines):
        raise PlanError(
            f"The PDF {path.name} has no text layer (it is probably a scan). Ask for the draft as a Word "
            "document, or run it through text recognition (OCR) first."
        )
    return text_blocks(lines)


def markdown_blocks(text: str) -> list[Block]:
    """Blocks of a Markdown draft: ``#`` headings, list items, paragraphs."""
    lines = text.splitlines()
    blocks: list[Block] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            blocks.extend(text_blocks(buffer, headings=False))
            buffer.clear()

    for i, line in enumerate(lines):
        m = _MD_HEADING_RE.match(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if m:
            flush()
            blocks.append(Block(_strip_md(m.group(2)), "heading", len(m.group(1))))
        elif line.strip() and re.fullmatch(r"\s*(=+|-+)\s*", nxt) and not _ITEM_RE.match(line):
            flush()  # setext heading: the underline comes next
            blocks.append(Block(_strip_md(line.strip()), "heading", 1 if nxt.strip()[0] == "=" else 2))
        elif re.fullmatch(r"\s*(=+|-+)\s*", line) and blocks and blocks[-1].kind == "heading" and not buffer:
            continue
        else:
            buffer.append(_strip_md(line))
    flush()
    return blocks


def _strip_md(text: str) -> str:
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<!\w)[*_](\S.*?)[*_](?!\w)", r"\1", text)
    return re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)


def text_blocks(lines: Sequence[str], headings: bool = True) -> list[Block]:
    """Blocks of plain-text lines (also used for PDF lines and Markdown bodies).

    A line with a list marker starts an item; a following line without a blank line between, that
    is neither an item nor a heading, continues it (wrapped text). With ``headings``, a short line
    (at most 12 words) that starts with a capital or a digit, has no closing punctuation and does
    not continue an unfinished sentence is a heading (level 1, or 2 when it is numbered ``1.2``).
    Other lines are gathered into paragraphs, which blank lines end.
    """
    blocks: list[Block] = []
    current: dict | None = None  # {"kind", "parts", "number"}

    def flush() -> None:
        nonlocal current
        if current is not None:
            text = " ".join(" ".join(current["parts"]).split())
            if text:
                blocks.append(Block(text, current["kind"], 0, current["number"]))
        current = None

    for raw in lines:
        line = raw.strip()
        if not line:
            flush()
            continue
        item = _ITEM_RE.match(line)
        open_sentence = current is not None and current["parts"] and current["parts"][-1][-1] not in _TERMINAL
        if headings and not open_sentence and _looks_like_heading(line):
            flush()
            number = item.group("num") if item and item.group("num") else ""
            level = 2 if re.match(r"\d+\.\d+", number) else 1
            blocks.append(Block(item.group("text") if item else line, "heading", level))
            continue
        if item:
            flush()
            number = (item.group("num") or "").rstrip(".)").strip("()")
            current = {"kind": "item", "parts": [item.group("text")], "number": number}
            continue
        if current is None:
            current = {"kind": "paragraph", "parts": [], "number": ""}
        current["parts"].append(line)
    flush()
    return blocks


def _looks_like_heading(line: str) -> bool:
    words = line.split()
    if not words or len(words) > 12 or line[-1] in _TERMINAL:
        return False
    item = _ITEM_RE.match(line)
    if item and item.group("bullet"):
        return False
    body = item.group("text") if item else line
    # A numbered heading is short ("1. Challenge racism"); a numbered action reads as a sentence.
    if item and len(body.split()) > 6:
        return False
    return body[:1].isupper() or body[:1].isdigit()


# ------------------------------------------------------------------------------------------------ blocks -> table
def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def action_key(text: str) -> str:
    """Stable id of a text: ``A`` + 10 hex characters of SHA-1 of its normalised words."""
    return "A" + hashlib.sha1(_normalise(text).encode("utf-8")).hexdigest()[:10]


def _is_cue(sentence: str, cues: Iterable[str]) -> bool:
    low = sentence.lower().lstrip("\"'\u2018\u201c ")
    return any(low.startswith(c.lower() + " ") for c in cues) and not sentence.rstrip().endswith(":")


def _row(section: str, text: str, kind: str, ref: str = "", level: int = 0) -> dict:
    return {"section": section, "text": text, "kind": kind, "ref": ref, "level": level}


def _heading_row(block: Block, path: list[tuple[int, str]]) -> tuple[dict, list[tuple[int, str]]]:
    """A heading's row and the path of headings below which what follows sits (a level-0 heading resets it)."""
    if block.level == 0:
        return _row(block.text, block.text, "heading", level=block.level), []
    path = [p for p in path if p[0] < block.level] + [(block.level, block.text)]
    return _row(" > ".join(h for _, h in path), block.text, "heading", level=block.level), path


def _paragraph_rows(text: str, section: str, action_cues: Sequence[str], min_action_words: int,
                    n_actions: int) -> tuple[list[dict], int]:
    """A paragraph's rows: its cue sentences are actions (numbered on from ``n_actions``), the rest paragraph text."""
    rows: list[dict] = []
    pending: list[str] = []
    for sentence in _SENTENCE_SPLIT_RE.split(text):
        if _is_cue(sentence, action_cues) and len(sentence.split()) >= min_action_words:
            if pending:
                rows.append(_row(section, " ".join(pending), "paragraph"))
                pending = []
            n_actions += 1
            rows.append(_row(section, sentence.strip(), "action", f"#{n_actions}"))
        else:
            pending.append(sentence.strip())
    if pending:
        rows.append(_row(section, " ".join(pending), "paragraph"))
    return rows, n_actions


def _no_actions_error(rows: list[dict], source: str) -> PlanError:
    n_head = sum(r["kind"] == "heading" for r in rows)
    n_para = sum(r["kind"] == "paragraph" for r in rows)
    return PlanError(
        f"No actions were recognised in {source}: it has {n_head} heading(s) and {n_para} paragraph(s) "
        "but no numbered or bulleted items and no sentences starting 'We will'. plan-check needs the "
        "plan's actions as a numbered or bulleted list under each priority area's heading (for example "
        "'1.1 Publish stop and search data by ethnicity every six months'), or as sentences starting "
        "'We will ...'. Lay the draft out that way and run plan-check again."
    )


def _plan_table(rows: list[dict]) -> pd.DataFrame:
    """The rows as the plan table: each with its ``action_id`` (repeated texts numbered ``-2``, ...) and ``order``."""
    frame = pd.DataFrame(rows, columns=["section", "text", "kind", "ref", "level"])
    ids: list[str] = []
    seen: dict[str, int] = {}
    for text in frame["text"]:
        key = action_key(text)
        seen[key] = seen.get(key, 0) + 1
        ids.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    frame.insert(0, "action_id", ids)
    frame["order"] = range(len(frame))
    frame["level"] = frame["level"].astype("int64")
    frame["order"] = frame["order"].astype("int64")
    return frame[COLUMNS]


def blocks_to_frame(
    blocks: Sequence[Block],
    action_cues: Sequence[str] = DEFAULT_ACTION_CUES,
    min_action_words: int = DEFAULT_MIN_ACTION_WORDS,
    source: str = "the draft plan",
) -> pd.DataFrame:
    """Turn blocks into the plan table (see the module docstring), in document order.

    Args:
        blocks: The document's blocks, in order.
        action_cues: Sentence openings that make a paragraph sentence an action.
        min_action_words: List items shorter than this are kept as paragraphs (a list of names is not an action).
        source: How to name the plan in an error message (usually its file name).

    Returns:
        One row per heading, paragraph and action.

    Raises:
        PlanError: If no action was recognised.
    """
    rows: list[dict] = []
    path: list[tuple[int, str]] = []  # (level, heading) of the headings above
    n_actions = 0
    for block in blocks:
        if block.kind == "heading":
            row, path = _heading_row(block, path)
            rows.append(row)
            continue
        section = " > ".join(h for _, h in path)
        if block.kind == "item" and len(block.text.split()) >= min_action_words:
            n_actions += 1
            rows.append(_row(section, block.text, "action", block.number or f"#{n_actions}"))
            continue
        # A paragraph (or a very short item): its cue sentences are actions, the rest stays paragraph text.
        more, n_actions = _paragraph_rows(block.text, section, action_cues, min_action_words, n_actions)
        rows += more
    if n_actions == 0:
        raise _no_actions_error(rows, source)
    return _plan_table(rows)


def read_plan(
    path: Path, action_cues: Sequence[str] = DEFAULT_ACTION_CUES, min_action_words: int = DEFAULT_MIN_ACTION_WORDS
) -> pd.DataFrame:
    """Read a draft plan file into the plan table (headings, paragraphs and actions).

    Raises:
        PlanError: If the file cannot be read or holds no recognisable action.
    """
    path = Path(path)
    blocks = read_blocks(path)
    if not blocks:
        raise PlanError(f"The draft plan {path.name} is empty: it holds no text. Check that the right file was given.")
    return blocks_to_frame(blocks, action_cues, min_action_words, source=path.name)
