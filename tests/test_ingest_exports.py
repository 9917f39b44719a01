"""Survey-platform exports and facilitators' notes: no answer lost, metadata never in the text, questions placed.

Each fixture is built in its platform's column layout (tests/fixtures/ingest/builders.py) and run through
the whole ingest (:func:`pipeline.ingest.runner.ingest_folder`), so the ledger is checked too. The
questions are worded as the platforms' forms word them, not as config/questions.yaml's aliases: most are
placed by meaning (the embedding model is loaded, hence ``slow``).
"""

import pytest
from testkit import ingest_builders as B

from pipeline import config
from pipeline.ingest.runner import ingest_folder

pytestmark = pytest.mark.slow

QUESTIONS = config.load_yaml("questions.yaml")["questions"]
VOCAB = config.load_yaml("vocabularies.yaml")
REDACTION = config.load_yaml("redaction.yaml")
ALL_ANSWERS = [a for row in B.SURVEY_ANSWERS for a in row]


def _ingest(folder):
    return ingest_folder(folder, QUESTIONS, VOCAB, config.settings(), REDACTION, use_ner=False, progress=False, key="test-key")


def _file_row(ledger, name):
    return ledger[ledger["file"] == name].iloc[0]


@pytest.mark.parametrize(
    ("builder", "name", "metadata_columns", "expected_questions"),
    [
        ("ms_forms_xlsx", "forms.xlsx", ["ID", "Start time", "Completion time", "Email", "Name"],
         ["listened", "interpreted", "solutions"]),
        ("google_forms_csv", "google.csv", ["Timestamp", "Email address", "How old are you?"],
         ["listened", "interpreted", "solutions"]),
        ("smartsurvey_csv", "smartsurvey.csv", ["UserNo", "Name", "IP Address", "Unique ID", "Started", "Ended"],
         ["listened", "interpreted", "solutions"]),
        ("citizen_space_xlsx", "citizenspace.xlsx",
         ["Response ID", "Submitted on", "What is your name?", "What is your email address?",
          "Are you responding as an individual or on behalf of an organisation?", "May we publish your response?"],
         ["listened", "interpreted", "solutions"]),
    ],
)
def test_survey_export_keeps_every_answer_and_no_metadata(tmp_path, builder, name, metadata_columns, expected_questions):
    getattr(B, builder)(tmp_path / name)
    result = _ingest(tmp_path)
    responses, ledger = result.responses, result.ledger
    # Every answer is kept (9 = 3 respondents x 3 questions), word for word.
    assert sorted(responses["text"]) == sorted(ALL_ANSWERS)
    # ... and placed on its question, by the column it sat in.
    by_text = responses.set_index("text")["question"]
    for row in B.SURVEY_ANSWERS:
        assert [by_text[a] for a in row] == expected_questions
    assert (responses["question_confidence"] > 0).all()
    # No value from a metadata column reaches the text.
    text = " ".join(responses["text"])
    for value in B.PLANTED_METADATA:
        assert value not in text
    assert not responses["text"].isin(["Individual", "Organisation", "16-18", "19-25"]).any()
    # Each metadata column is listed in the ledger, and the cells reconcile.
    meta = ledger[(ledger["file"] == name) & (ledger["status"] == "metadata")]
    for column in metadata_columns:
        assert meta["reason"].str.startswith(f"column '{column}' ").any(), column
    row = _file_row(ledger, name)
    assert row["status"] == "accepted"
    assert row["rows_read"] == row["rows_accepted"] + row["rows_rejected"] + row["rows_duplicate"] + row["rows_metadata"]
    assert row["rows_accepted"] == 9 and row["rows_metadata"] == meta["rows_metadata"].sum() > 0
    # Respondents are told apart (pseudonymously) by the export's identifier.
    assert responses["participant_ref"].nunique() == 3
    assert responses["participant_ref"].str.startswith("P-").all()


def test_ms_forms_personal_columns_are_named_personal(tmp_path):
    B.ms_forms_xlsx(tmp_path / "forms.xlsx")
    ledger = _ingest(tmp_path).ledger
    reasons = ledger.loc[ledger["status"] == "metadata", "reason"].tolist()
    assert any(r.startswith("column 'Email' treated as personal metadata") for r in reasons)
    assert any(r.startswith("column 'Start time' treated as metadata (timestamp)") for r in reasons)


def test_facilitator_notes_place_every_answer_on_the_paraphrased_question(tmp_path):
    B.facilitator_notes_txt(tmp_path / "dropin.txt")
    result = _ingest(tmp_path)
    r = result.responses
    participants = r[r["speaker"] == "participant"].set_index("text")["question"]
    assert participants.to_dict() == {
        "Not to people like us, they only talk to the big charities.": "listened",
        "A bit more than last time, to be fair.": "listened",
        "No. They think it's about training when it's about how officers treat us.": "interpreted",
        "Put interpreters in every custody suite.": "solutions",
        "Tell us what happened after we complained.": "solutions",
    }
    # The facilitator's questions are kept as the facilitator's lines, placed too.
    assert r.loc[r["speaker"] == "facilitator", "question"].tolist() == ["listened", "interpreted", "solutions"]
    row = _file_row(result.ledger, "dropin.txt")
    assert row["status"] == "partly accepted"  # the title line is ledgered as not an answer
    assert row["rows_read"] == row["rows_accepted"] + row["rows_rejected"]


def test_file_with_no_question_is_ingested_with_a_warning(tmp_path):
    (tmp_path / "thoughts.csv").write_text(
        "Ref,Your thoughts on policing\n1,The police should come to our mosque and listen.\n2,Stop and search feels targeted.\n",
        encoding="utf-8",
    )
    result = _ingest(tmp_path)
    assert len(result.responses) == 2
    assert set(result.responses["question"]) == {"unknown"}
    assert "no question recognised in this file" in _file_row(result.ledger, "thoughts.csv")["reason"]


def test_administrative_sheet_is_metadata_not_answers(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Budget"
    ws.append(["Session date", "Venue", "Attendees", "Cost (GBP)", "Notes"])
    ws.append(["2026-02-10", "Carmarthen site", 8, 120, "Lunch provided"])
    ws.append(["2026-02-17", "Llanelli hall", 7, 185.5, "Hall hire and travel"])
    wb.save(tmp_path / "budget.xlsx")
    result = _ingest(tmp_path)
    assert result.responses.empty
    row = _file_row(result.ledger, "budget.xlsx")
    assert row["status"] == "rejected" and row["rows_metadata"] == 10 == row["rows_read"]
    assert "everything in it is metadata" in row["reason"]
    notes = result.ledger[(result.ledger["file"] == "budget.xlsx") & (result.ledger["status"] == "metadata")]
    assert notes["reason"].str.contains("administrative table").all()


def test_email_with_an_export_attached_reads_the_attachment(tmp_path):
    attachment = B.ms_forms_xlsx(tmp_path / "forms_export.xlsx")
    (tmp_path / "mail").mkdir()
    B.eml_with_attachment(tmp_path / "mail" / "return.eml", attachment)
    attachment.unlink()
    result = _ingest(tmp_path)
    r = result.responses
    assert sorted(r["text"]) == sorted(ALL_ANSWERS)
    assert r["source_location"].str.startswith("attachment=forms_export.xlsx;").all()
    ledger = result.ledger[result.ledger["file"] == "mail/return.eml"]
    assert ledger["reason"].str.contains("email header 'From' treated as personal metadata").any()
    assert ledger["reason"].str.contains("covering email").any()
    assert ledger["reason"].str.contains("sign-off and signature").any()
    assert "Zara Khan" not in " ".join(r["text"]) and "zara.k@example.org" not in " ".join(r["text"])
    row = ledger.iloc[0]
    assert row["rows_read"] == row["rows_accepted"] + row["rows_rejected"] + row["rows_duplicate"] + row["rows_metadata"]


def test_written_tables_never_hold_metadata_values(tmp_path):
    B.ms_forms_xlsx(tmp_path / "forms.xlsx")
    result = _ingest(tmp_path)
    for table in (result.responses, result.returns, result.ledger, result.duplicates):
        flat = " ".join(str(v) for v in table.to_numpy().ravel().tolist())
        for value in ["zara.k@example.org", "Zara Khan", "Tomos Pritchard"]:
            assert value not in flat
    assert result.responses["question_confidence"].dtype == "float64"
