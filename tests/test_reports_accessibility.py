"""Accessibility check of the theme report in Python (instead of axe-core): WCAG 2.2 AA basics.

Checks the lang attribute, a skip link to <main>, heading order (one h1, no skipped levels), alt text
on every image, a caption on every table and a scope on every header cell, no scripts, and the contrast
ratio of every text colour / background pair in the inline CSS (4.5:1 for text).
"""


import pytest
from testkit.html_checks import audit, css_pairs
from testkit.reports import build_context, write_processed

from pipeline.reports import style, theme_report


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
