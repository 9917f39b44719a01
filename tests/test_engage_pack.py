"""The resource pack: area data sheets equal the EDI tables, hide small counts, pass the reports' accessibility checks."""

import math

import pandas as pd
import pytest
from testkit.engage import MEASURES, TRENDS, measure_row
from testkit.html_checks import CHROMIUM, audit, chromium, console_messages, css_pairs

from pipeline import config
from pipeline.engage import pack
from pipeline.i18n import translator
from pipeline.reports import style

SETTINGS = config.load_yaml("engage.yaml")["pack"]
MIN_COUNT = 5


@pytest.fixture(scope="module", params=["en", "cy"])
def sheet(request):
    return pack.data_sheet(MEASURES, TRENDS, "Gwent", SETTINGS, MIN_COUNT, request.param), request.param


def test_the_sheets_figures_equal_the_tables_and_small_counts_are_hidden(sheet):
    (html, rows), _lang = sheet
    assert set(rows["measure_id"]) == {"stop_and_search", "use_of_force"}  # only Gwent's figures
    shown = rows.dropna(subset=["ratio_value"])
    source = MEASURES[(MEASURES["area"] == "Gwent") & MEASURES["ratio"].notna() & (MEASURES["count"] >= MIN_COUNT)]
    assert sorted(shown["ratio_value"]) == sorted(source["ratio"])
    assert "3.59 (3.12 - 4.14)" in html and "3.12 (2.56 - 3.81)" in html and "3,493" in html
    small = rows[rows["ethnicity"] == "Other"].iloc[0]
    assert small["ratio"] == "" and small["rate"] == "" and math.isnan(small["count_value"] or math.nan)
    assert "0.21" not in html  # the ratio from 3 events is not shown either
    assert rows[rows["ethnicity"] == "Mixed"].iloc[0]["count"] in ("suppressed", "wedi'i atal")
    assert "fixture source for stop_and_search" in html and "fixture caveat use_of_force" in html


def test_the_welsh_sheet_is_in_welsh_and_wales_takes_the_wider_figure():
    html, _ = pack.data_sheet(MEASURES, TRENDS, "Gwent", SETTINGS, MIN_COUNT, "cy")
    assert 'lang="cy-GB"' in html and "Taflen ddata ardal: Gwent" in html and "cymhareb i lawr" in html
    _, wales = pack.data_sheet(MEASURES, TRENDS, "All Wales", SETTINGS, MIN_COUNT, "en")
    assert wales["period"].iloc[0].startswith("2021 (figure for England and Wales")
    _, south = pack.data_sheet(MEASURES, TRENDS, "South Wales", SETTINGS, MIN_COUNT, "en")
    assert not any("England and Wales" in p for p in south["period"])  # wider figures only on the Wales sheet


def test_the_sheet_passes_the_reports_accessibility_checks(sheet):
    (html, _), lang = sheet
    a = audit(html)
    assert a.lang == translator(lang).bcp47 and a.first_link["href"] == "#main" and "main" in a.ids
    assert a.scripts == 0 and a.headings[0] == 1 and a.headings.count(1) == 1
    assert all(cur <= prev + 1 for prev, cur in zip(a.headings, a.headings[1:], strict=False))
    assert a.tables >= 3 and a.captions == a.tables and all(th.get("scope") in ("col", "row") for th in a.ths)
    failures = [(s, fg, bg) for s, fg, bg in css_pairs(a.style) if style.contrast_ratio(fg, bg) < 4.5]
    assert failures == []


def test_the_dashboard_has_charts_with_alt_text_and_their_data():
    small = pd.DataFrame([measure_row("stop_and_search", "Gwent", "2022", "Black", 4, 8758, 0.9, 0.3, 2.4)])
    html, series = pack.dashboard(pd.concat([MEASURES, small]), SETTINGS, "en", MIN_COUNT)
    a = audit(html)
    assert len(a.images) == 1 and "Gwent: 2020 3.59, 2021 3.12" in a.images[0]["alt"]
    assert a.captions == a.tables == 1 and a.scripts == 0
    assert sorted(series["value"]) == sorted([3.593576, 3.124180, 2.1])  # not the ratio from 4 stops


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (apt-get install -y chromium)")
def test_the_sheet_renders_in_headless_chromium_and_prints_to_pdf(sheet, tmp_path):
    from pipeline.engage.commands import print_pdf

    (html, _), lang = sheet
    path = tmp_path / f"gwent.{lang}.html"
    path.write_text(html, encoding="utf-8")
    result = chromium(path.as_uri(), tmp_path / "profile", "--dump-dom")
    assert "3.59 (3.12 - 4.14)" in result.stdout and console_messages(result.stderr) == []
    assert print_pdf(path, tmp_path / "gwent.pdf") == ""
    assert (tmp_path / "gwent.pdf").read_bytes()[:4] == b"%PDF"
