"""Tests for pipeline.ingest.readers: each format on tiny hand-written returns, and bad files."""

import pytest
from testkit import ingest_builders as B

from pipeline import config
from pipeline.ingest.readers import (
    NOT_AN_ANSWER_METADATA,
    NOT_AN_ANSWER_TITLE_ROW,
    RAW_COLUMNS,
    ReadContext,
    ReturnError,
    decode_text,
    parse_speaker,
    read_return,
)

CTX = ReadContext.from_config(config.load_yaml("questions.yaml")["questions"], config.settings()["ingest_layout"])


def _answers(df):
    return df[(df["note"] == "") & (df["kind"] == "item")]


def _items(df):
    return df[df["kind"] == "item"]


def test_docx_headings_paragraphs_and_table(tmp_path):
    df = read_return(B.docx_headings(tmp_path / "a.docx"), CTX)
    assert list(df.columns) == RAW_COLUMNS
    by_loc = df.set_index("source_location")
    # The date line above the first question is ledgered as not an answer.
    assert by_loc.loc["paragraph=2", "note"] == NOT_AN_ANSWER_METADATA
    assert by_loc.loc["paragraph=4", ["question", "participant_key", "speaker"]].tolist() == ["listened", "P1", "participant"]
    assert by_loc.loc["paragraph=5", "speaker"] == "facilitator"
    assert by_loc.loc["paragraph=7", "question"] == "interpreted"  # Welsh heading
    # A question heading with nothing under it becomes a blank item (rejected later, never lost).
    assert by_loc.loc["paragraph=8", ["question", "text"]].tolist() == ["solutions", ""]
    table = df[df["source_location"].str.startswith("table=1")]
    assert table["question"].tolist() == ["interpreted", "other"]
    assert table["text"].tolist() == ["The police stop us more because of our skin.", "N/A"]


def test_xlsx_one_row_per_participant(tmp_path):
    full = read_return(B.xlsx_per_participant(tmp_path / "b.xlsx"), CTX)
    df = _items(full)
    assert len(df) == 6  # 2 participants x 3 questions; the empty row is not an answer
    # The participant, cohort and area columns are metadata, counted cell by cell and never kept as text.
    meta = full[full["kind"] == "metadata"]
    assert meta["question_label"].tolist() == ["Participant ID", "Cohort", "Area"]
    assert meta["cells"].astype(int).tolist() == [2, 2, 2] and set(meta["text"]) == {""}
    first = df[df["participant_key"] == "YJ-01"]
    assert first["question"].tolist() == ["listened", "interpreted", "solutions"]
    assert set(first["cohort"]) == {"Youth justice"} and set(first["area"]) == {"Gwent"}
    assert df.iloc[0]["source_location"] == "sheet=Survey;row=2;col=D"
    blank = df[(df["participant_key"] == "YJ-02") & (df["question"] == "interpreted")]
    assert blank["text"].tolist() == [""]


def test_xlsx_sheet_per_question_title_row_merged_cells_and_split_answer(tmp_path):
    df = _items(read_return(B.xlsx_sheet_per_question(tmp_path / "c.xlsx"), CTX))
    q1 = df[(df["note"] == "") & df["source_location"].str.startswith("sheet=Q1")]
    assert set(q1["question"]) == {"listened"}
    assert q1["participant_key"].tolist() == ["GRT-1", "GRT-2", "GRT-3"]
    # The answer continued in the next row (participant cell merged) is joined to its answer.
    assert q1["text"].iloc[1] == "My cousin was stopped three times in one week and nobody wrote it down."
    welsh = df[df["source_location"].str.startswith("sheet=Atebion")]
    # The title row above the header is ledgered as not an answer, never silently skipped.
    assert welsh["note"].tolist() == [NOT_AN_ANSWER_TITLE_ROW, ""]
    welsh = welsh[welsh["note"] == ""]
    assert welsh["question"].tolist() == ["solutions"]
    # An answer split over two cells (blank header to its right) is joined too.
    assert welsh["text"].iloc[0].endswith("ac sy'n deall ein diwylliant.")


def test_csv_cp1252_with_semicolons_and_curly_quotes(tmp_path):
    df = _items(read_return(B.csv_cp1252(tmp_path / "d.csv"), CTX))
    assert df["question"].tolist() == ["listened", "other", "listened", "other"]
    assert df["text"].iloc[0] == "\u201cThey didn\u2019t listen at first\u201d but it\u2019s better now"
    assert df["participant_key"].tolist() == ["1", "1", "2", "2"]


def test_decode_text_handles_bom_and_cp1252():
    assert decode_text("\ufeffQ1,caf\u00e9".encode(), "x.csv") == "Q1,caf\u00e9"
    assert decode_text("it\u2019s".encode("cp1252"), "x.csv") == "it\u2019s"


def test_markdown_notes_speakers_and_wrapped_lines(tmp_path):
    df = read_return(B.notes_md(tmp_path / "e.md"), CTX)
    answers = _answers(df)
    assert answers.iloc[0]["speaker"] == "facilitator"
    p3 = answers[answers["participant_key"] == "P3"]
    assert p3["text"].tolist() == ["They did listen this time, fair play, but nothing changes after."]
    bullets = answers[answers["question"] == "solutions"]
    assert bullets["text"].tolist() == ["More staff from our communities.", "Proper interpreters."]
    assert set(bullets["participant_key"]) == {""}  # unlabelled lines speak for the group
    assert answers[answers["question"] == "other"]["text"].tolist() == ["N/A"]


def test_notes_with_four_and_five_digit_participants_keep_one_answer_each(tmp_path):
    # A notes file with more than 999 speakers: "P1000:" once read as wrapped text of P999's answer.
    path = tmp_path / "many.txt"
    path.write_text(
        "Q1: Have we listened?\n"
        "P999: Nobody listens to us.\n"
        "P1000: They listened this time.\n"
        "P12345: Not in here.\n"
        "Participant 1001: Sometimes.\n",
        encoding="utf-8",
    )
    answers = _answers(read_return(path, CTX))
    assert answers["participant_key"].tolist() == ["P999", "P1000", "P12345", "P1001"]
    assert answers["text"].tolist() == ["Nobody listens to us.", "They listened this time.", "Not in here.", "Sometimes."]
    assert set(answers["question"]) == {"listened"}


def test_parse_speaker_variants():
    assert parse_speaker("Facilitator: what do you think?") == ("facilitator", "", "what do you think?")
    assert parse_speaker("Facilitator summary: most agreed") == ("facilitator", "", "most agreed")
    assert parse_speaker("Participant 3: no") == ("participant", "P3", "no")
    assert parse_speaker("Interviewee 10: yes") == ("participant", "P10", "yes")
    assert parse_speaker("Participant: a bit") == ("participant", "", "a bit")
    assert parse_speaker("P14:") == ("participant", "P14", "")
    assert parse_speaker("They said: nothing") is None


def test_pdf_headings_and_paragraphs(tmp_path):
    df = read_return(B.pdf_return(tmp_path / "f.pdf"), CTX)
    answers = _answers(df)
    assert answers["question"].tolist() == ["listened", "interpreted"]
    assert answers["source_location"].iloc[0].startswith("page=1;line=")
    assert "interpreters at the police station" in answers["text"].iloc[1]
    assert df.iloc[0]["note"] == NOT_AN_ANSWER_METADATA  # the report's title


@pytest.mark.parametrize(
    ("builder", "name", "message"),
    [
        ("corrupt_docx", "bad.docx", "looks corrupt"),
        ("password_xlsx", "locked.xlsx", "looks password-protected"),
        ("empty_txt", "empty.txt", "is empty"),
        ("unknown_format", "notes.pages", "Accepted formats: .bmp, .csv, .docx"),
        ("unknown_format", "notes.odt", "looks corrupt"),
    ],
)
def test_bad_files_raise_plain_english_errors(tmp_path, builder, name, message):
    path = getattr(B, builder)(tmp_path / name)
    with pytest.raises(ReturnError, match=message) as info:
        read_return(path, CTX)
    assert name in str(info.value)


def test_text_with_wrong_extension_is_corrupt(tmp_path):
    path = tmp_path / "return.docx"
    path.write_text("Q1 Have we listened?\nNo.\n", encoding="utf-8")
    with pytest.raises(ReturnError, match="corrupt or is not really a .docx"):
        read_return(path, CTX)


def test_file_with_no_recognised_question_is_read_with_unknown_answers(tmp_path):
    df = read_return(B.no_question_docx(tmp_path / "cake.docx"), CTX)
    answers = _answers(df)
    assert answers["text"].tolist() == ["We had a lovely afternoon with the group and lots of cake."]
    assert answers["question"].tolist() == ["unknown"]
