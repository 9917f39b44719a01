"""Tests for pipeline.reports.theme_report and the `report` command: HTML and Word agree with the tables."""

import io
import re

import pytest
import typer
import yaml
from testkit.reports import TRAVELLER, build_context, make_tables, write_processed
from typer.testing import CliRunner

from pipeline import config
from pipeline.reports import tables as T
from pipeline.reports import theme_report
from pipeline.reports.cli import report_command


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    return write_processed(tmp_path_factory.mktemp("processed"))


@pytest.fixture(scope="module")
def ctx2(processed):
    """Built with a threshold of 2 so that most counts are visible and can be compared."""
    return build_context(processed, 2)


@pytest.fixture(scope="module")
def ctx5(processed):
    return build_context(processed, 5)


def _row_cells(html, first_cell):
    match = re.search(r'<th scope="row">' + re.escape(first_cell) + r"</th>(.*?)</tr>", html, re.S)
    assert match, first_cell
    return re.findall(r"<td>(.*?)</td>", match.group(1))


def test_html_numbers_equal_the_processed_tables(ctx2):
    t = make_tables()
    html = theme_report.render_html(ctx2)
    cells = None
    for code in ("PA1", "PA3", "PA6", "PA7"):
        ids = set(t["codes"].loc[t["codes"]["code"] == code, "statement_id"])
        part = t["statements"][t["statements"]["statement_id"].isin(ids)]
        area = next(a for a in ctx2["areas"] if a["code"] == code)
        assert area["n_statements"] == str(len(ids))
        assert area["n_people"] == str(len(part[["organisation", "participant_ref"]].drop_duplicates()))
        assert f"{len(ids)} statements from {area['n_people']} people" in html
        # the overview stance table row for this code
        cells = _row_cells(html, code)
        for stance, value in zip(T.STANCES, cells[1:5], strict=True):
            n = int((part["stance"] == stance).sum())
            assert value == (str(n) if n == 0 or n >= 2 else "&lt;2")
    assert "23 participants" in html  # 8 + 3 + 12 from returns.parquet


def test_counts_below_the_threshold_are_suppressed_and_explained(ctx5):
    html = theme_report.render_html(ctx5)
    assert "&lt;5" in html
    assert "Counts from 1 to 4 are shown as" in html
    pa1 = next(a for a in ctx5["areas"] if a["code"] == "PA1")
    assert pa1["n_statements"] == "<5"


def test_no_quote_is_unsafe_or_from_a_small_group(ctx5):
    t = make_tables()
    patterns = T.compile_patterns(config.load_yaml("report.yaml")["redaction_patterns"])
    groups = T.group_sizes(t["statements"], t["returns"], 5)
    small = set(groups.loc[~groups["quotable"], "organisation"])
    small_texts = set(t["statements"].loc[t["statements"]["organisation"].isin(small), "text"])
    quoted = [q["text"] for a in ctx5["areas"] for q in a["quotes"] + a["suggestions"]]
    quoted += [q["text"] for th in ctx5["not_in_plan"] for q in th["quotes"]]
    assert quoted
    for text in quoted:
        assert T.personal_data_found(text, patterns) == []
        assert text not in small_texts
    html = theme_report.render_html(ctx5)
    assert "example.org" not in html and "CF10 1AB" not in html
    assert "transit sites" not in html  # a Traveller suggestion: group of 3, never quoted
    assert TRAVELLER in {g for g in small}


def test_report_sections_coverage_and_methods(ctx5):
    html = theme_report.render_html(ctx5)
    for heading in (
        "Summary of headline findings",
        "Emergent themes not in the plan",
        "Engagement coverage: who was heard and who was not",
        "Methods and limitations",
    ):
        assert f">{heading}</h2>" in html
    assert "Welsh women in English prisons" in html
    assert "Housing and work on release" in html
    assert "f1 samples 0.74" in html
    assert "Home Office stop and search statistics" in html
    assert "Stop and search rates use 2021 Census populations" in html  # the caveat beside the triangulation
    n_reviewed = int(make_tables()["statements"]["reviewed"].sum())
    assert f"{n_reviewed} of 23 statements" in html
    assert "<script" not in html.lower()
    # two overview charts, the equality ratios and one chart per priority area
    assert html.count('src="data:image/png;base64,') == 3 + len(ctx5["areas"])


def test_missing_inputs_are_named_and_nothing_crashes(tmp_path):
    write_processed(
        tmp_path, skip=("topics", "statement_topics", "edi_measures", "triangulation"), evaluation=None
    )
    ctx = build_context(tmp_path, 5)
    html = theme_report.render_html(ctx)
    assert "the topics stage has not been run" in html
    assert "Equality data are not available" in html
    assert "not measured in this run" in html
    empty = tmp_path / "empty"
    empty.mkdir()
    ctx_empty = build_context(empty, 5)
    html_empty = theme_report.render_html(ctx_empty)
    assert (
        "the code stage has not been run" in html_empty and "the ingest stage has not been run" in html_empty
    )
    theme_report.render_docx(ctx_empty)


def test_docx_has_headings_header_rows_and_alt_text(ctx5):
    from docx import Document

    doc = Document(io.BytesIO(theme_report.render_docx(ctx5)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Summary of headline findings" in headings and "Methods and limitations" in headings
    assert any(h.startswith("PA6") for h in headings)
    assert len(doc.tables) > 10
    for table in doc.tables:
        assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader"), "every table has a header row"
    descrs = [shape._inline.docPr.get("descr") for shape in doc.inline_shapes]
    assert len(descrs) == 3 + len(ctx5["areas"]) and all(d and len(d) > 40 for d in descrs)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "example.org" not in text


def test_report_command_writes_html_docx_and_its_config(tmp_path, processed):
    app = typer.Typer()
    app.command()(report_command)
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        app, ["--out", str(processed), "--reports", str(out), "--consultation", "fixture"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "theme_report.html").stat().st_size > 10_000
    assert (out / "theme_report.docx").stat().st_size > 10_000
    record = yaml.safe_load((out / "report.config.yaml").read_text())
    assert record["params"]["min_count"] == 5
    assert any(k.endswith("statements.parquet") for k in record["inputs"])
    missing = CliRunner().invoke(app, ["--out", str(tmp_path / "nope"), "--reports", str(out)])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_report_command_explains_a_broken_table(tmp_path):
    tables = make_tables()
    tables["statements"] = tables["statements"].drop(columns=["stance"])
    folder = write_processed(tmp_path / "p", tables)
    app = typer.Typer()
    app.command()(report_command)
    result = CliRunner().invoke(app, ["--out", str(folder), "--reports", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert "statements.parquet" in result.output and "stance" in result.output


def test_headlines_keep_comments_on_the_plan_and_unnamed_returns_apart(tmp_path):
    from pipeline.topics.schema import PLAN_COMMENTS_PREFIX

    tables = make_tables()
    topics = tables["topics"].copy()
    topics.loc[topics["topic"] == 2, "label"] = PLAN_COMMENTS_PREFIX + "Tick-box, exercise"
    returns = tables["returns"].copy()
    returns.loc[returns.index[0], "organisation"] = "unknown"
    n_named = returns.loc[returns["organisation"] != "unknown", "organisation"].nunique()
    summary = build_context(write_processed(tmp_path, {**tables, "topics": topics, "returns": returns}), 2)["summary"]
    text = "\n".join(summary)
    assert f"{n_named} organisations sent {len(returns)} returns (1 naming no organisation)" in text
    assert "1 emergent theme is not in the plan: Traveller sites and evictions." in text
    assert "1 further group of statements is comments on the plan itself: Tick-box, exercise." in text


def test_methods_count_ledger_files_apart_from_the_items_within_them(tmp_path):
    import pandas as pd

    tables = make_tables()
    row = {"format": "docx", "rows_accepted": 0, "rows_rejected": 0, "rows_duplicate": 0, "rows_read": 0}
    ledger = pd.DataFrame([
        {**row, "file": "a.docx", "status": "partly accepted", "rows_read": 3, "rows_accepted": 1, "rows_rejected": 2,
         "reason": "2 item(s) not accepted (listed below)"},
        {**row, "file": "a.docx", "status": "rejected", "rows_read": 1, "rows_rejected": 1, "reason": "blank (row=2)"},
        {**row, "file": "a.docx", "status": "rejected", "rows_read": 1, "rows_rejected": 1, "reason": "N/A (row=3)"},
        {**row, "file": "b.jpg", "status": "rejected", "reason": "not a format ingest reads"},
    ])
    ctx = build_context(write_processed(tmp_path, {**tables, "ingest_ledger": ledger}), 2)
    assert ctx["methods"]["ledger"] == (
        "Ingest ledger: 2 file(s): 1 partly accepted, 1 rejected; "
        "2 item(s) within files not accepted, each with its reason.")


def test_stances_are_named_by_what_they_mean_for_their_question():
    from pipeline.reports.theme_report import _plural, stance_phrase

    assert stance_phrase("listened", "disagree") == "says CJIW has not listened"
    assert stance_phrase("solutions", "disagree") == "thinks the solutions are wrong or not enough"
    assert stance_phrase("unknown", "agree") == "Agree"  # a question the codebook lacks: the plain label
    assert _plural(stance_phrase("listened", "agree")) == "say CJIW has listened"
    assert _plural(stance_phrase("interpreted", "unclear")).startswith("do not say")
