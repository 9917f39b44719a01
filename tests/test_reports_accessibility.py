"""Accessibility check of the theme report in Python (instead of axe-core): WCAG 2.2 AA basics.

Checks the lang attribute, a skip link to <main>, heading order (one h1, no skipped levels), alt text
on every image, a caption on every table and a scope on every header cell, no scripts, and the contrast
ratio of every text colour / background pair in the inline CSS (4.5:1 for text).
"""

import re
from html.parser import HTMLParser

import pytest
from test_reports_fixtures import build_context, write_processed

from pipeline.reports import style, theme_report


class Audit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.headings: list[int] = []
        self.images: list[dict] = []
        self.ths: list[dict] = []
        self.tables = 0
        self.captions = 0
        self.first_link = None
        self.ids: set[str] = set()
        self.scripts = 0
        self.style = ""
        self._in_style = False
        self._last_tag = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "html":
            self.lang = a.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "img":
            self.images.append(a)
        elif tag == "th":
            self.ths.append(a)
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            assert self._last_tag == "table", "a caption must be the table's first child"
            self.captions += 1
        elif tag == "a" and self.first_link is None:
            self.first_link = a
        elif tag == "script":
            self.scripts += 1
        elif tag == "style":
            self._in_style = True
        self._last_tag = tag

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data


def audit(html: str) -> Audit:
    parser = Audit()
    parser.feed(html)
    return parser


def css_pairs(css: str) -> list[tuple[str, str, str]]:
    """(selector, text colour, background colour) for every rule that sets a colour or a background."""
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    decls = [(sel.strip(), dict(re.findall(r"([\w-]+)\s*:\s*([^;]+)", body))) for sel, body in rules]
    body = next(d for sel, d in decls if sel == "body" and "color" in d)
    pairs = []
    for sel, d in decls:
        if "color" in d or "background-color" in d:
            fg = d.get("color", body["color"]).strip()
            bg = d.get("background-color", body["background-color"]).strip()
            pairs.append((sel, fg, bg))
    return pairs


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> str:
    return theme_report.render_html(build_context(write_processed(tmp_path_factory.mktemp("processed"))))


def test_language_skip_link_and_no_scripts(html):
    a = audit(html)
    assert a.lang == "en-GB"
    assert a.first_link["href"] == "#main" and "main" in a.ids
    assert a.scripts == 0


def test_headings_are_in_order(html):
    levels = audit(html).headings
    assert levels[0] == 1 and levels.count(1) == 1
    for prev, cur in zip(levels, levels[1:], strict=False):
        assert cur <= prev + 1, f"heading level jumps from h{prev} to h{cur}"


def test_every_image_has_alt_text(html):
    images = audit(html).images
    assert images
    for img in images:
        assert img.get("alt") and len(img["alt"]) > 40


def test_every_table_has_a_caption_and_scoped_headers(html):
    a = audit(html)
    assert a.tables > 10 and a.captions == a.tables
    assert a.ths and all(th.get("scope") in ("col", "row") for th in a.ths)


def test_every_colour_pair_in_the_css_meets_wcag_aa(html):
    pairs = css_pairs(audit(html).style)
    assert len(pairs) > 10
    failures = [
        (sel, fg, bg, round(style.contrast_ratio(fg, bg), 2))
        for sel, fg, bg in pairs
        if style.contrast_ratio(fg, bg) < 4.5
    ]
    assert failures == []


def test_the_checks_can_fail():
    bad = '<html><body><h1>a</h1><h3>b</h3><img src="x.png"><table><tr><th>x</th></tr></table></body></html>'
    a = audit(bad)
    assert (
        a.lang is None
        and a.headings == [1, 3]
        and not a.images[0].get("alt")
        and a.ths[0].get("scope") is None
    )
    assert css_pairs("body { color: #777777; background-color: #FFFFFF; }")[0][1] == "#777777"
    assert style.contrast_ratio("#777777", "#FFFFFF") < 4.5
