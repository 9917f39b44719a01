"""The engagement kit's commands on a hand-written consultation folder: files written, as-of date recorded, round trip."""

import json

import pandas as pd
from testkit.engage import CODES, MEASURES, RAW_REGISTER, RESPONSES, RETURNS, STATEMENTS, TRENDS
from typer.testing import CliRunner

from pipeline.cli import app


def _folders(tmp_path):
    raw, out, reports = tmp_path / "raw", tmp_path / "out", tmp_path / "reports"
    raw.mkdir()
    out.mkdir()
    RAW_REGISTER.to_csv(raw / "grants.csv", index=False)
    RESPONSES.assign(organisation=["On Time Trust", "Late Link"]).to_parquet(out / "responses.parquet")
    RETURNS.assign(organisation=["On Time Trust", "Late Link"], date_received=["2026-03-15", "2026-03-19"]).to_parquet(
        out / "returns.parquet")
    STATEMENTS.assign(organisation=["On Time Trust"] * 2 + ["Late Link"] * 2,
                      cohort=["prison"] * 2 + ["asylum_seekers"] * 2).to_parquet(out / "statements.parquet")
    CODES.to_parquet(out / "codes.parquet")
    MEASURES.to_parquet(out / "edi_measures.parquet")
    TRENDS.to_parquet(out / "edi_trends.parquet")
    return ["--raw", str(raw), "--out", str(out), "--reports", str(reports)], out, reports


def test_returns_status_writes_the_tracker_as_of_the_date_given(tmp_path):
    paths, out, _ = _folders(tmp_path)
    result = CliRunner().invoke(app, ["returns-status", *paths, "--as-of", "2026-03-20"])
    assert result.exit_code == 0, result.output
    assert "1 late" in result.output and "missing" in result.output
    summary = json.loads((out / "tracker" / "tracker_summary.json").read_text())
    assert summary["as_of"] == "2026-03-20" and summary["missing"] == 1
    status = pd.read_csv(out / "tracker" / "returns_status.csv")
    assert (status["as_of"] == "2026-03-20").all()
    assert pd.read_excel(out / "tracker" / "returns_status.xlsx", sheet_name=None).keys() >= {"as of", "chase_list"}
    bad = CliRunner().invoke(app, ["returns-status", *paths, "--as-of", "soon"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_qdpx_export_then_import_with_the_commands(tmp_path):
    paths, out, reports = _folders(tmp_path)
    result = CliRunner().invoke(app, ["qdpx", *paths])
    assert result.exit_code == 0, result.output
    project = reports / "qda" / f"{tmp_path.joinpath('raw').name}.qdpx"
    assert project.exists() and (reports / "qda" / "codebook.qdc").exists()
    result = CliRunner().invoke(app, ["qdpx-import", str(project), *paths, "--all", "--no-recode"])
    assert result.exit_code == 0, result.output
    analyst = pd.read_csv(out / "analyst_codes.csv", dtype=str, keep_default_na=False)
    assert dict(zip(analyst["statement_id"], analyst["codes"], strict=True)) == {
        "R1-S01": "PA6", "R1-S02": "none", "R2-S01": "PA1", "R2-S02": "PA1"}


def test_pack_writes_questions_templates_sheets_and_dashboard(tmp_path):
    paths, _, reports = _folders(tmp_path)
    result = CliRunner().invoke(app, ["pack", *paths, "--no-pdf"])
    assert result.exit_code == 0, result.output
    pack = reports / "pack"
    for name in ("index.html", "question_set.en.html", "question_set.cy.html", "return_template.docx",
                 "return_template.xlsx", "trends_dashboard.en.html", "data_sheets/gwent.cy.html",
                 "data_sheets/all-wales.en.html"):
        assert (pack / name).exists(), name
    assert "Gwrando: a yw CJIW wedi gwrando" in (pack / "question_set.cy.html").read_text()
