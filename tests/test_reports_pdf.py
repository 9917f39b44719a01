"""The Word documents as a reader sees them: converted to PDF by LibreOffice, pages counted, tables measured.

Skipped, saying why, where LibreOffice is not installed (``make test`` installs the Debian package
``libreoffice-writer-nogui``). Page images are saved beside the PDFs in the test's temporary folder.
"""

from pathlib import Path

import pandas as pd
import pytest
from testkit.reports import build_context, write_processed

from pipeline import config
from pipeline.reports import pdfcheck, theme_report
from pipeline.reports.document import MIN_COLUMN_CM
from pipeline.reports.theme_layout import APPENDIX_TITLE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(pdfcheck.soffice() is None, reason="LibreOffice is not installed (make test installs "
                       "the Debian package libreoffice-writer-nogui; it needs root and apt-get)"),
]

SAMPLE = Path(config.ROOT) / "data" / "processed" / "sample"


def _first_lines(pdf: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return [(p.extract_text() or "").split("\n")[0] for p in doc.pages]


def _check(docx_bytes: bytes, folder: Path, name: str, appendix: str | None = None) -> pdfcheck.Layout:
    docx = folder / f"{name}.docx"
    docx.write_bytes(docx_bytes)
    pdf = pdfcheck.to_pdf(docx, folder)
    layout = pdfcheck.measure(pdf, appendix)
    images = pdfcheck.save_images(pdf, folder / f"{name}_pages")
    assert len(images) == layout.pages > 0
    assert layout.tables > 0
    assert layout.narrowest_column_cm >= MIN_COLUMN_CM, layout
    assert layout.tallest_row_share <= 0.5, layout
    return layout


def test_fixture_theme_report_reads_well_on_the_page(tmp_path):
    ctx = build_context(write_processed(tmp_path / "processed"), 2)
    layout = _check(theme_report.render_docx(ctx), tmp_path, "theme_report", APPENDIX_TITLE)
    assert layout.main_body_pages < layout.pages  # the appendix was found
    assert layout.landscape_pages >= 1


def test_the_measure_fails_on_a_table_of_narrow_columns(tmp_path):
    from docx import Document

    doc = Document()
    table = doc.add_table(rows=2, cols=12)
    table.style = "Table Grid"
    for cell in table.rows[1].cells:
        cell.text = "A caveat paragraph that wraps letter by letter " * 3
    buf = tmp_path / "bad.docx"
    doc.save(buf)
    layout = pdfcheck.measure(pdfcheck.to_pdf(buf, tmp_path))
    assert layout.narrowest_column_cm < MIN_COLUMN_CM


@pytest.mark.skipif(not (SAMPLE / "statements.parquet").exists(), reason="the sample has not been processed (make all)")
def test_sample_theme_report_main_body_is_at_most_25_pages(tmp_path):
    from pipeline.reports.inputs import load_inputs

    ctx = theme_report.build_context(load_inputs(SAMPLE), config.load_yaml("report.yaml"),
                                     config.load_yaml("vocabularies.yaml"), 5, "sample", "en")
    layout = _check(theme_report.render_docx(ctx), tmp_path, "theme_report", APPENDIX_TITLE)
    assert layout.main_body_pages <= 25, layout
    # each priority area starts a page and the next part starts at most two pages later
    firsts = _first_lines(tmp_path / "theme_report.pdf")[: layout.main_body_pages]
    starts = [firsts.index(next(f for f in firsts if f.startswith(f"{a['code']} "))) for a in ctx["areas"]]
    nxt = starts[1:] + [firsts.index(next(f for f in firsts if f.startswith(ctx["tr"]("Equality data"))))]
    assert all(0 < b - a <= 2 for a, b in zip(starts, nxt, strict=True)), (starts, nxt)


@pytest.mark.skipif(not (SAMPLE / "plan_check" / "theme_coverage.parquet").exists(),
                    reason="plan-check has not been run on the sample (make plan-check)")
def test_sample_plan_check_report_is_at_most_10_pages(tmp_path):
    from pipeline.plancheck.report import render_docx, report_context

    d = SAMPLE / "plan_check"
    cov, ev = pd.read_parquet(d / "theme_coverage.parquet"), pd.read_parquet(d / "action_evidence.parquet")
    comp = pd.read_parquet(d / "comparison.parquet") if (d / "comparison.parquet").exists() else None
    summary = {"n_actions": len(ev), "n_themes": len(cov), "status_counts": cov["status"].value_counts().to_dict(),
               "n_actions_without_evidence": int((ev["evidence_status"] == "no consultation evidence found").sum())}
    params = config.load_yaml("plancheck.yaml")
    ctx = report_context(cov, ev, summary, params.get("matching", params), "draft_plan_v2.docx", "sample", 5,
                         comp, "draft_plan_v1.docx" if comp is not None else None, language="en")
    layout = _check(render_docx(ctx), tmp_path, "you_said_plan_says")
    assert layout.pages <= 10, layout
