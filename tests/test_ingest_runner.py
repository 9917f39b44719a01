"""End-to-end tests of ingest: a folder of good and bad returns, the CLI, and reruns being identical."""

import shutil

import pandas as pd
import pytest
import typer
from testkit import ingest_builders as B
from typer.testing import CliRunner

from pipeline import config
from pipeline.ingest.cli import ingest_command
from pipeline.ingest.runner import ingest_folder

QUESTIONS = config.load_yaml("questions.yaml")["questions"]
VOCAB = config.load_yaml("vocabularies.yaml")
REDACTION = config.load_yaml("redaction.yaml")

MANIFEST = (
    "file,organisation,cohort,police_force_area,engagement_method,n_participants,language,date_received\n"
    "valleys.docx,Valleys Youth,Youth Justice,Gwent Police,Focus groups,8,en,2026-03-01\n"
    "survey.xlsx,Valleys Youth,youth justice,Newport,survey,2,en,2026-03-02\n"
    "sites.xlsx,Travelling On,Gypsy Roma Traveller,Dyfed-Powys,focus group,3,en;cy,2026-03-03\n"
    "sanctuary.csv,Sanctuary Friends,asylum seekers,South Wales,survey,2,en,2026-03-04\n"
    "sanctuary_resent.csv,Sanctuary Friends,asylum seekers,South Wales,survey,2,en,2026-03-05\n"
    "parc.md,Parc Voices,prisoners,South Wales,Martian séance,6,en,2026-03-06\n"
    "report.pdf,Sanctuary Wales,asylum seekers,Cardiff,interview,5,en,2026-03-07\n"
    "bad.docx,Broken Org,community,All Wales,survey,1,en,2026-03-08\n"
    "gone.docx,Ghost Org,community,All Wales,survey,1,en,2026-03-09\n"
)


@pytest.fixture()
def consultation(tmp_path):
    raw = tmp_path / "raw" / "spring"
    raw.mkdir(parents=True)
    B.docx_headings(raw / "valleys.docx")
    B.xlsx_per_participant(raw / "survey.xlsx")
    B.xlsx_sheet_per_question(raw / "sites.xlsx")
    B.csv_cp1252(raw / "sanctuary.csv")
    shutil.copy(raw / "sanctuary.csv", raw / "sanctuary_resent.csv")
    B.notes_md(raw / "parc.md")
    B.pdf_return(raw / "report.pdf")
    B.corrupt_docx(raw / "bad.docx")
    B.password_xlsx(raw / "locked.xlsx")
    B.empty_txt(raw / "empty.txt")
    B.unknown_format(raw / "minutes.pages")
    B.no_question_docx(raw / "cake.docx")
    (raw / "late").mkdir()
    (raw / "late" / "notes.txt").write_text("Q1 Have we listened?\nP1: They never call Amara Okafor from the project back.\n",
                                            encoding="utf-8")
    (raw / "edi").mkdir()
    (raw / "edi" / "stop_search.csv").write_text("measure,area\nstop,Gwent\n", encoding="utf-8")
    (raw / "README.md").write_text("# Synthetic\n", encoding="utf-8")
    (raw / "returns.csv").write_text(MANIFEST, encoding="utf-8")
    return raw


def _run(folder):
    return ingest_folder(folder, QUESTIONS, VOCAB, config.settings(), REDACTION, progress=False)


def test_folder_ingest_loads_good_files_and_explains_bad_ones(consultation):
    result = _run(consultation)
    ledger = result.ledger
    files = ledger.drop_duplicates("file").set_index("file")
    for name in ["valleys.docx", "survey.xlsx", "sites.xlsx", "sanctuary.csv", "parc.md", "report.pdf", "late/notes.txt",
                 "cake.docx"]:
        assert files.loc[name, "status"] in ("accepted", "partly accepted"), name
    assert "corrupt" in files.loc["bad.docx", "reason"]
    assert "password-protected" in files.loc["locked.xlsx", "reason"]
    assert "empty" in files.loc["empty.txt", "reason"]
    assert "Accepted formats" in files.loc["minutes.pages", "reason"]
    # A file in which no question is recognised is read, its answers 'unknown', with a warning.
    assert "no question recognised in this file" in files.loc["cake.docx", "reason"]
    for name in ["bad.docx", "locked.xlsx", "empty.txt", "minutes.pages"]:
        assert files.loc[name, "status"] == "rejected"
    assert files.loc["gone.docx", "status"] == "missing"
    assert files.loc["sanctuary_resent.csv", "status"] == "skipped"
    assert files.loc["sanctuary_resent.csv", "rows_read"] == files.loc["sanctuary.csv", "rows_read"]
    assert files.loc["sanctuary_resent.csv", "rows_duplicate"] == (
        files.loc["sanctuary.csv", "rows_read"] - files.loc["sanctuary.csv", "rows_metadata"])
    assert "not listed in returns.csv" in files.loc["late/notes.txt", "reason"]
    assert "'Martian séance' is not in config/vocabularies.yaml" in files.loc["parc.md", "reason"]
    assert files.loc["README.md", "status"] == "skipped"
    assert not ledger["file"].str.startswith("edi/").any()
    # Every row read is accounted for, per file and in total.
    totals = ledger.drop_duplicates("file")
    assert (totals["rows_read"] == totals["rows_accepted"] + totals["rows_rejected"] + totals["rows_duplicate"]
            + totals["rows_metadata"]).all()
    assert totals["rows_accepted"].sum() == len(result.responses)
    # Each metadata column has its own ledger line.
    survey = ledger[(ledger["file"] == "survey.xlsx") & (ledger["status"] == "metadata")]
    assert survey["reason"].str.startswith("column 'Participant ID' treated as personal metadata").any()


def test_folder_ingest_metadata_redaction_and_returns(consultation):
    result = _run(consultation)
    r = result.responses
    valleys = r[r["source_file"] == "valleys.docx"]
    assert set(valleys["cohort"]) == {"youth_justice"} and set(valleys["police_force_area"]) == {"Gwent"}
    late = r[r["source_file"] == "late/notes.txt"]
    assert late[["organisation", "cohort", "engagement_method"]].iloc[0].tolist() == ["unknown"] * 3
    assert late["text"].iloc[0] == "They never call [NAME] from the project back."
    assert not r["text"].str.contains("Okafor").any()
    assert set(r["question"]) <= {"listened", "interpreted", "solutions", "other", "unknown"}
    assert "cy" in set(r["language"])
    returns = result.returns.set_index("source_file")
    assert "sanctuary_resent.csv" not in returns.index and "bad.docx" not in returns.index
    assert returns.loc["valleys.docx", "n_participants"] == 8
    assert returns.loc["late/notes.txt", "organisation"] == "unknown"
    assert returns["n_responses"].sum() == len(r)


def test_folder_without_manifest_still_ingests(tmp_path):
    B.notes_md(tmp_path / "notes.md")
    result = _run(tmp_path)
    assert len(result.responses) > 0
    assert set(result.responses["organisation"]) == {"unknown"}
    assert "no manifest" in result.ledger["reason"].iloc[0]


def test_cli_writes_every_table_and_reruns_identically(consultation, tmp_path):
    app = typer.Typer()
    app.command()(ingest_command)
    out = tmp_path / "processed"
    runner = CliRunner()
    first = runner.invoke(app, ["--raw", str(consultation), "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "Ingest summary" in first.output and "redactions:" in first.output
    for name in ["responses.parquet", "responses.csv", "returns.parquet", "returns.csv", "duplicates.csv",
                 "ingest_ledger.csv", "ingest.config.yaml"]:
        assert (out / name).exists(), name
    tables = {n: pd.read_parquet(out / n) for n in ("responses.parquet", "returns.parquet")}
    ledger = pd.read_csv(out / "ingest_ledger.csv")
    duplicates = pd.read_csv(out / "duplicates.csv")
    second = runner.invoke(app, ["--raw", str(consultation), "--out", str(out)])
    assert second.exit_code == 0, second.output
    for name, table in tables.items():
        pd.testing.assert_frame_equal(table, pd.read_parquet(out / name))
    pd.testing.assert_frame_equal(ledger, pd.read_csv(out / "ingest_ledger.csv"))
    pd.testing.assert_frame_equal(duplicates, pd.read_csv(out / "duplicates.csv"))


def test_cli_missing_folder_is_a_plain_error(tmp_path):
    app = typer.Typer()
    app.command()(ingest_command)
    result = CliRunner().invoke(app, ["--raw", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.skipif(not (config.raw_dir("sample") / "returns.csv").exists(), reason="bundled sample not generated")
def test_bundled_sample_ingests_with_every_kind_redacted():
    result = _run(config.raw_dir("sample"))
    text = " ".join(result.responses["text"])
    for kind in ("NAME", "PHONE", "EMAIL", "POSTCODE", "PRISON_NUMBER", "NI_NUMBER", "DOB", "ADDRESS"):
        assert result.redactions.get(kind, 0) >= 1, kind
    assert "Gwent Police" in text and "Cardiff" in text
    assert not pd.Series(result.responses["text"]).str.contains(
        r"\S+@\S+\.\w+|\b07\d{3}\s?\d{6}\b|\b[A-Z]\d{4}[A-Z]{2}\b"
    ).any()
    assert set(result.responses["question"]) >= {"listened", "interpreted", "solutions", "other"}
    assert {"en", "cy"} <= set(result.responses["language"])
    files = result.ledger.drop_duplicates("file")
    assert (files["rows_read"] == files["rows_accepted"] + files["rows_rejected"] + files["rows_duplicate"]
            + files["rows_metadata"]).all()
    assert {"partly accepted", "rejected", "missing", "skipped"} <= set(files["status"])
