"""Tests for pipeline.ingest.formats: OpenDocument, RTF, HTML and email returns, on tiny hand-written fixtures."""

import pytest
from testkit import ingest_builders as B

from pipeline import config
from pipeline.ingest import formats
from pipeline.ingest.readers import ReadContext, ReturnError, read_return

SETTINGS = config.settings()
CTX = ReadContext.from_config(config.load_yaml("questions.yaml")["questions"], SETTINGS["ingest_layout"],
                              SETTINGS["ingest"], config.load_yaml("vocabularies.yaml"))


def _answers(df):
    return df[(df["note"] == "") & (df["kind"] == "item")]


def test_odt_headings_lists_and_tables(tmp_path):
    df = read_return(B.odt_return(tmp_path / "r.odt"), CTX)
    a = _answers(df)
    assert a[["question", "participant_key", "text"]].values.tolist() == [
        ["listened", "P1", "They came to us twice, which is more than before."],
        ["solutions", "", "Women officers for searches."],
        ["solutions", "", "Interpreters who are not family members."],
        ["other", "P4", "Keep the group funded."],
    ]
    assert df.iloc[0]["note"].startswith("a title")  # the title line is ledgered, not lost


def test_ods_sheet_with_an_email_column(tmp_path):
    df = read_return(B.ods_return(tmp_path / "r.ods"), CTX)
    a = _answers(df)
    assert a["question"].tolist() == ["listened", "solutions", "listened", "solutions"]
    assert a["participant_key"].tolist() == ["A1", "A1", "A2", "A2"]
    meta = df[df["kind"] == "metadata"].set_index("question_label")
    assert meta.loc["Email", "note"].startswith("column 'Email' treated as personal metadata (email)")
    assert meta.loc["Email", "cells"] == "1"
    assert "zara.k@example.org" not in " ".join(df["text"])


def test_rtf_return(tmp_path):
    a = _answers(read_return(B.rtf_return(tmp_path / "r.rtf"), CTX))
    assert a[["question", "participant_key", "text"]].values.tolist() == [
        ["listened", "P1", "They did listen but nothing\u2019s changed since."],
        ["other", "P2", "Keep the Welsh-language sessions."],
    ]


def test_rtf_that_is_not_rtf_is_corrupt(tmp_path):
    path = tmp_path / "r.rtf"
    path.write_text("Q1 Have we listened?\nNo\n", encoding="utf-8")
    with pytest.raises(ReturnError, match="not really a .rtf"):
        read_return(path, CTX)


def test_html_return_ignores_scripts_and_styles(tmp_path):
    df = read_return(B.html_return(tmp_path / "r.html"), CTX)
    a = _answers(df)
    assert a[["question", "text"]].values.tolist() == [
        ["listened", "Nobody asked the women in the hostel."],
        ["solutions", "Interpreters at every stage."],
        ["solutions", "Faster asylum decisions."],
        ["other", "Thank you for coming to us."],
    ]
    assert not df["text"].str.contains("color").any()


def test_email_with_the_return_in_its_body(tmp_path):
    body = ("Hi, here are the notes from last night's group.\n\nQ1 Have we listened?\nP1: Not really.\n"
            "P2: They only listen to the council.\n\nQ3 Solutions\nP1: Fund the youth club.\n\n"
            "> On Monday you wrote:\n> Could you send your notes?\n\nDiolch,\nZara Khan\n07700 900123\n")
    path = B.eml_with_attachment(tmp_path / "notes.eml", body=body)
    df = read_return(path, CTX)
    a = _answers(df)
    assert a[["question", "participant_key", "text"]].values.tolist() == [
        ["listened", "P1", "Not really."],
        ["listened", "P2", "They only listen to the council."],
        ["solutions", "P1", "Fund the youth club."],
    ]
    notes = df.set_index("source_location")["note"]
    assert notes["body;line=11"] == formats.EMAIL_QUOTED
    assert notes["body;line=14"] == formats.EMAIL_SIGNATURE and notes["body;line=15"] == formats.EMAIL_SIGNATURE
    meta = df[df["kind"] == "metadata"]
    assert meta["note"].str.startswith("email header 'From' treated as personal metadata").any()
    assert not meta["text"].str.contains("zara").any()


def test_email_attachment_in_an_unknown_format_is_ledgered(tmp_path):
    odd = tmp_path / "return.pages"
    odd.write_bytes(b"PK\x03\x04 apple pages")
    path = B.eml_with_attachment(tmp_path / "m.eml", odd, body="Q1 Have we listened?\nP1: Yes.\n")
    df = read_return(path, CTX)
    assert df["note"].str.contains("attachment return.pages is in a format ingest cannot read").any()
    assert _answers(df)["text"].tolist() == ["Yes."]


class _FakeAttachment:
    def __init__(self, name, data):
        self.longFilename, self.data, self.hidden, self.contentId = name, data, False, None


class _FakeMsg:
    """What extract-msg's openMsg returns for an Outlook message, reduced to the attributes the reader uses."""

    def __init__(self, attachments):
        self.sender, self.to, self.cc = "Zara Khan <zara.k@example.org>", "consultation@example.org", ""
        self.date, self.subject = "2026-03-03 10:00", "Our return"
        self.body = "Please find our return attached.\n\nKind regards\nZara\n"
        self.attachments = attachments
        self.closed = False

    def close(self):
        self.closed = True


def test_msg_reads_body_headers_and_attachments(tmp_path, monkeypatch):
    extract_msg = pytest.importorskip("extract_msg")
    attachment = B.csv_cp1252(tmp_path / "answers.csv")
    fake = _FakeMsg([_FakeAttachment("answers.csv", attachment.read_bytes())])
    monkeypatch.setattr(extract_msg, "openMsg", lambda path: fake)
    path = tmp_path / "return.msg"
    path.write_bytes(B.OLE_SIGNATURE + b"\x00" * 504)  # an Outlook message is an OLE compound file
    df = read_return(path, CTX)
    a = _answers(df)
    assert a["text"].tolist() == ["\u201cThey didn\u2019t listen at first\u201d but it\u2019s better now",
                                  "Keep coming back to us", "No", ""]  # the blank answer is rejected later
    assert a["source_location"].str.startswith("attachment=answers.csv;").all()
    assert df.loc[df["source_location"] == "body;line=1", "note"].item() == formats.EMAIL_COVERING
    assert fake.closed


def test_msg_that_is_not_outlook_is_corrupt(tmp_path):
    path = tmp_path / "x.msg"
    path.write_text("From: someone\n\nhello", encoding="utf-8")
    with pytest.raises(ReturnError, match="corrupt or is not really a .msg"):
        read_return(path, CTX)
