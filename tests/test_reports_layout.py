"""Tests for the document model and its two renderers (HTML, Word), the annex workbook and the page layout."""

import io
import re

import pandas as pd
import pytest
from testkit.reports import build_context, make_tables, write_processed

from pipeline.plancheck import report as plan_report
from pipeline.reports import annex, render_docx, render_html, theme_report
from pipeline.reports import tables as T
from pipeline.reports.document import (
    MIN_COLUMN_CM,
    PORTRAIT_CM,
    Document,
    Notes,
    Paragraph,
    Section,
    fit_columns,
    headings,
    table,
)
from pipeline.reports.theme_layout import APPENDIX_TITLE, document


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    return write_processed(tmp_path_factory.mktemp("processed"))


@pytest.fixture(scope="module")
def ctx(processed):
    return build_context(processed, 2)


def _plan_context(language=None):
    coverage = pd.DataFrame([
        {"theme": "Traveller sites and evictions", "kind": "emergent", "status": "not addressed", "n_participants": 7,
         "n_organisations": 2, "share_disagree": 0.5, "closest_action": "2.1 Recruit more officers (0.31)",
         "actions": "", "evidence": "", "missing_part": "", "quotes": "The eviction came at the weekend with bailiffs."},
        {"theme": "PA1 Challenge racism", "kind": "priority_area", "status": "addressed", "n_participants": 3,
         "n_organisations": 1, "share_disagree": 0.2, "closest_action": "",
         "actions": "1.1 Publicly acknowledge institutional racism in every criminal justice organisation in Wales",
         "evidence": "1.1: similarity 0.69; shared terms: institutional racism", "missing_part": "", "quotes": "x"},
    ])
    evidence = pd.DataFrame([{"ref": "1.1", "section": "Priority area 1", "text": "Publicly acknowledge racism.",
                              "area_codes": "PA1", "evidence_status": "consultation evidence found",
                              "n_statements": 9, "n_participants": 6, "n_organisations": 2, "cohorts": "prison",
                              "themes": "PA1 Challenge racism", "quotes": "They never listen to us."}])
    summary = {"n_actions": 1, "n_themes": 2, "status_counts": {"addressed": 1, "not addressed": 1},
               "n_actions_without_evidence": 0}
    params = {"addressed_similarity": 0.55, "term_similarity": 0.45, "partly_similarity": 0.4}
    return plan_report.report_context(coverage, evidence, summary, params, "draft.md", "fixture", 5,
                                      language=language)


def _word_headings(data: bytes) -> list[str]:
    from docx import Document as Docx

    doc = Docx(io.BytesIO(data))
    return [p.text for p in doc.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]


def _html_headings(html: str) -> list[str]:
    import html as h

    return [h.unescape(re.sub(r"<[^>]+>", "", m)) for m in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html, re.S)]


def test_html_and_word_have_the_same_headings_in_the_same_order(ctx):
    doc = document(ctx)
    expected = [text for _, text in headings(doc)]
    assert _html_headings(theme_report.render_html(ctx)) == expected
    assert _word_headings(theme_report.render_docx(ctx)) == expected
    assert expected.index("Summary of headline findings") < expected.index(APPENDIX_TITLE)
    plan = _plan_context()
    assert _html_headings(plan_report.render_html(plan)) == _word_headings(plan_report.render_docx(plan))


def test_main_body_is_short_and_the_full_tables_are_in_the_appendix(ctx):
    doc = document(ctx)
    titles = [s.title for s in doc.sections]
    main = doc.sections[: titles.index(APPENDIX_TITLE)]
    appendix = doc.sections[titles.index(APPENDIX_TITLE):]
    in_main = [b for s in main for b in s.blocks if type(b).__name__ == "Table"]
    in_appendix = [b for s in appendix for b in s.blocks if type(b).__name__ == "Table"]
    assert len(in_appendix) > 3 * max(1, len(in_main))
    for area in ctx["areas"]:
        assert area["sentences"] and area["sentences"][0].startswith(f"{area['n_statements']} statements from")


def test_columns_fit_their_content_and_wide_tables_go_landscape():
    narrow = table("t", ["Area", "People"], [["Gwent", "12"], ["North Wales", "<5"]])
    widths, landscape = fit_columns(narrow)
    assert not landscape and all(w >= MIN_COLUMN_CM for w in widths) and sum(widths) <= PORTRAIT_CM
    wide = table("t", [f"Column {i}" for i in range(11)], [["a long caveat " * 20] + ["1"] * 10])
    widths, landscape = fit_columns(wide)
    assert landscape and min(widths) >= MIN_COLUMN_CM and widths[0] == max(widths)


def test_sources_become_short_names_with_numbered_notes():
    notes = Notes()
    assert notes.cite("BBC news citing Home Office figures: https://www.bbc.co.uk/news/uk-wales-42716406") == \
        "BBC news citing Home Office figures [1]"
    assert notes.cite("BBC news citing Home Office figures: https://www.bbc.co.uk/news/uk-wales-42716406").endswith("[1]")
    assert notes.cite("") == ""
    assert notes.items()[0].startswith("[1] BBC news") and "https://" in notes.items()[0]


def test_word_is_accessible_and_laid_out_for_the_page(ctx):
    from docx import Document as Docx
    from docx.oxml.ns import qn

    doc = Docx(io.BytesIO(theme_report.render_docx(ctx)))
    assert doc.core_properties.language == "en-GB"
    assert doc.styles["Normal"].element.xpath(".//w:lang/@w:val") == ["en-GB"]
    for t in doc.tables:
        rows = t._tbl.tr_lst
        assert rows[0].xpath("./w:trPr/w:tblHeader")
        assert all(r.xpath("./w:trPr/w:cantSplit") for r in rows[1:])
        widths = [int(c.get(qn("w:w"))) / 567 for c in t._tbl.tblGrid.gridCol_lst]
        assert min(widths) >= MIN_COLUMN_CM - 0.01
    assert all(s._inline.docPr.get("descr") for s in doc.inline_shapes)
    orientations = {s.orientation for s in doc.sections}
    assert len(orientations) == 2  # portrait body, landscape pages for the wide tables


def test_annex_workbook_holds_every_table_with_filters_frozen_headers_and_the_tables_figures(ctx):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(theme_report.render_xlsx(ctx)))
    sheets = annex.sheet_tables(document(ctx))
    assert [ws.title for ws in wb.worksheets[1:]] == [t.sheet[:31] for t in sheets]
    html = theme_report.render_html(ctx)
    assert html.count("<table>") == len(sheets)  # every table of the HTML report, once
    for ws in wb.worksheets[1:]:
        assert ws.auto_filter.ref and ws.freeze_panes == "A3"
    ws = wb["participation_cohort"]
    header = [c.value for c in ws[2]]
    got = {r[0]: r[header.index("Participants")] for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
    want = T.participation(make_tables()["returns"], "cohort")
    labels = ctx["cohort_labels"]
    for row in want.itertuples(index=False):
        n = int(row.n_participants)
        assert got[labels.get(row.cohort, row.cohort)] == (n if n == 0 or n >= 2 else "<2")


def test_welsh_documents_have_welsh_fixed_text(processed):
    from pipeline import i18n

    ctx_cy = build_context(processed, 2, language="cy")
    html = theme_report.render_html(ctx_cy)
    assert '<html lang="cy-GB">' in html and "Crynodeb o&#39;r prif ganfyddiadau" in html
    english = [m for m in i18n.translator("cy").messages() if len(m) > 25 and "{" not in m]
    import html as h

    text = h.unescape(re.sub(r"<[^>]+>", " ", html))
    left = [m for m in english if m in text]
    assert left == [], left
    plan = plan_report.render_html(_plan_context("cy"))
    assert "Dywedoch chi, nid yw&#39;r cynllun yn dweud (eto)" in plan
    plan_text = h.unescape(re.sub(r"<[^>]+>", " ", plan))
    assert [m for m in english if m in plan_text] == []


def test_the_renderers_draw_any_document():
    doc = Document("Title", "en-GB", "meta", sections=[
        Section("One", "one", blocks=[Paragraph("Hello")]), Section("Two", "two", level=3, new_page=False)])
    assert _html_headings(render_html.render(doc)) == ["Title", "One", "Two"]
    assert _word_headings(render_docx.render(doc)) == ["Title", "One", "Two"]


def test_every_fixed_word_of_the_welsh_documents_comes_from_the_catalogue(processed, monkeypatch):
    """Render the Welsh theme and plan-check reports with a translator that records every message the
    catalogue lacks; what is left must be data (quotes, theme names, organisations), never fixed text."""
    from pipeline import i18n

    missed: set[str] = set()
    original = i18n.Translator.__call__

    def recording(self, message):
        out = original(self, message)
        if self.language == "cy" and out == message and re.search(r"[A-Za-z]{3}", message):
            missed.add(message)
        return out

    monkeypatch.setattr(i18n.Translator, "__call__", recording)
    monkeypatch.setattr(i18n.Translator, "gettext", recording)
    ctx_cy = build_context(processed, 2, language="cy")
    theme_report.render_html(ctx_cy)
    theme_report.render_docx(ctx_cy)
    plan_ctx = _plan_context("cy")
    plan_report.render_html(plan_ctx)
    # Welsh already (a label from the vocabularies' Welsh names, perhaps recased) is not a miss
    welsh = {(v if isinstance(v, str) else v[0]).lower() for v in i18n.translator("cy")._messages.values()}
    data = {str(v) for t in make_tables().values() for col in t.columns if t[col].dtype == object or
            str(t[col].dtype).startswith("str") for v in t[col].dropna()}
    fixed = sorted(m for m in missed if m.lower() not in welsh and m not in data and not any(m in d for d in data))
    assert fixed == [], fixed
