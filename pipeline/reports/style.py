"""Colours of the reports and the WCAG contrast arithmetic that checks them.

One place for the palette the charts, the HTML and the Word report share, chosen to be safe for
colour-blind readers (Okabe-Ito hues, darkened where needed so that every chart mark reaches WCAG
2.2's 3:1 non-text contrast on white) and for the contrast functions the accessibility tests use.
Imported by :mod:`pipeline.reports.charts` and :mod:`pipeline.reports.theme_report`; not run on its own.
"""

from __future__ import annotations

import re

#: Stance colours (Okabe-Ito blue / vermillion, a dark orange and a dark grey), each at least 3:1 on white.
STANCE_COLOURS: dict[str, str] = {
    "agree": "#0072B2",
    "disagree": "#B3470A",
    "mixed": "#8A6100",
    "unclear": "#5F5F5F",
}
#: Hatches so the stances can also be told apart without colour (and in greyscale print).
STANCE_HATCHES: dict[str, str] = {"agree": "", "disagree": "//", "mixed": "..", "unclear": "xx"}
STANCE_ORDER: tuple[str, ...] = ("agree", "disagree", "mixed", "unclear")
STANCE_LABELS: dict[str, str] = {
    "agree": "Agree",
    "disagree": "Disagree",
    "mixed": "Mixed",
    "unclear": "Unclear",
}
QUESTION_LABELS: dict[str, str] = {
    "listened": "Listened",
    "interpreted": "Interpreted the challenges",
    "solutions": "Solutions",
    "other": "Other comments",
    "unknown": "Question not known",
}

TEXT = "#1A1A1A"
BACKGROUND = "#FFFFFF"
MUTED_TEXT = "#4D4D4D"
ACCENT = "#005A9C"
#: Neutral fill for suppressed (hidden) cells of a chart.
SUPPRESSED_FILL = "#D9D9D9"

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def hex_to_rgb(colour: str) -> tuple[float, float, float]:
    """Parse ``#rgb`` or ``#rrggbb`` into three floats between 0 and 1.

    Raises:
        ValueError: If the string is not a hex colour.
    """
    match = _HEX.match(colour.strip())
    if not match:
        raise ValueError(f"{colour!r} is not a hex colour such as #1A1A1A.")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def relative_luminance(colour: str | tuple[float, float, float]) -> float:
    """WCAG 2.2 relative luminance of a colour (0 for black, 1 for white)."""
    rgb = hex_to_rgb(colour) if isinstance(colour, str) else colour

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str | tuple, background: str | tuple) -> float:
    """WCAG contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def readable_text_on(background: str | tuple) -> str:
    """The text colour (near-black or white) with the higher contrast on ``background``."""
    return TEXT if contrast_ratio(TEXT, background) >= contrast_ratio("#FFFFFF", background) else "#FFFFFF"
