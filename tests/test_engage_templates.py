"""Return templates: built bilingual from the config, filled by a fixture, read back exactly by ingest (no manifest)."""

from pathlib import Path

import pytest

from pipeline import config
from pipeline.engage import templates
from pipeline.engage import text as T
from pipeline.ingest.runner import ingest_folder

QUESTIONS = config.load_yaml("questions.yaml")["questions"]
VOCAB = config.load_yaml("vocabularies.yaml")
REDACTION = config.load_yaml("redaction.yaml")

HEADER_EN = {"organisation": "Fictional Voices Trust", "cohort": "People in prison; Youth justice",
             "police_force_area": "Gwent", "engagement_method": "Focus group", "n_participants": "9",
             "language": "English", "date_received": "2026-03-02"}
HEADER_CY = {"organisation": "Ymddiriedolaeth Lleisiau Dychmygol", "cohort": "Asylum seekers",
             "police_force_area": "North Wales", "engagement_method": "Interview", "n_participants": "6",
             "language": "Cymraeg", "date_received": "02/03/2026"}
ANSWERS_EN = {
    "listened": [("P1", "They came to our group twice and wrote down everything we said about stop and search."),
                 ("P2", "Nobody asked the women on the wing what they thought of the plan.")],
    "interpreted": [("P1", "The plan understands racism in the police but not in the courts."),
                    ("Facilitator", "The group agreed the challenges about prisons were described well.")],
    "solutions": [("P3", "Put interpreters in every custody suite so people understand their rights.")],
    "other": [("P2", "Thank you for coming to see us in person rather than sending a form.")],
}
ANSWERS_CY = {
    "listened": [("P1", "Do, fe wnaethon nhw wrando arnom ni yn y cyfarfod yn y ganolfan gymunedol."),
                 ("P2", "Dw i ddim yn credu bod neb wedi darllen beth ysgrifennon ni y llynedd.")],
    "interpreted": [("P1", "Mae'r cynllun yn deall yr heriau i bobl sy'n ceisio lloches yn dda iawn.")],
    "solutions": [("P2", "Dylai'r heddlu gael cyfieithwyr ar bob shifft yn y gogledd."),
                  ("P3", "Mae angen hyfforddiant gwrth-hiliaeth i bob swyddog carchar.")],
    "other": [],
}


def fill_word(path: Path, header: dict, answers: dict) -> int:
    """Fill the Word template like an organisation would; returns the number of answers written."""
    doc = templates.word_template(QUESTIONS)
    head, *question_tables = doc.tables
    for row, (key, _label) in zip(head.rows, T.HEADER_FIELDS, strict=True):
        row.cells[1].text = header[key]
    n = 0
    for table, qid in zip(question_tables, QUESTIONS, strict=True):
        for i, (ref, text) in enumerate(answers[qid], start=1):
            row = table.rows[i] if i < len(table.rows) else table.add_row()
            row.cells[0].text, row.cells[1].text = ref, text
            n += 1
    doc.save(str(path))
    return n


def fill_excel(path: Path, header: dict, answers: dict) -> int:
    """Fill the Excel template: header on the About sheet, a row per participant on the Answers sheet."""
    wb = templates.excel_template(QUESTIONS, VOCAB)
    about, sheet = wb[templates.SHEET_ABOUT], wb[templates.SHEET_ANSWERS]
    for r, (key, _label) in enumerate(T.HEADER_FIELDS, start=2):
        about.cell(row=r, column=2, value=header[key])
    refs = sorted({ref for pairs in answers.values() for ref, _ in pairs})
    n = 0
    for r, ref in enumerate(refs, start=2):
        sheet.cell(row=r, column=1, value=ref)
        for c, qid in enumerate(QUESTIONS, start=2):
            for who, text in answers[qid]:
                if who == ref:
                    sheet.cell(row=r, column=c, value=text)
                    n += 1
    wb.save(str(path))
    return n


def _ingest(folder: Path):
    return ingest_folder(folder, QUESTIONS, VOCAB, config.settings(), REDACTION, use_ner=False, progress=False)


def test_templates_are_bilingual_and_have_a_section_per_question():
    doc = templates.word_template(QUESTIONS)
    text = "\n".join(p.text for p in doc.paragraphs)
    for q in templates.question_list(QUESTIONS):
        assert templates.question_heading(q) in text
        assert q["label_cy"] != q["label"], f"question {q['id']} has no Welsh label in config/questions.yaml"
    assert "Sefydliad" in doc.tables[0].rows[0].cells[0].text and "Organisation" in doc.tables[0].rows[0].cells[0].text
    assert "Peidiwch ag ysgrifennu enwau" in text and "Never write anyone's name" in text
    wb = templates.excel_template(QUESTIONS, VOCAB)
    header = [c.value for c in wb[templates.SHEET_ANSWERS][1]]
    assert len(header) == 1 + len(QUESTIONS) and "Cyfeirnod cyfranogwr" in header[0]


@pytest.mark.parametrize("fmt,header,answers", [
    ("docx", HEADER_EN, ANSWERS_EN), ("docx", HEADER_CY, ANSWERS_CY),
    ("xlsx", HEADER_EN, ANSWERS_EN), ("xlsx", HEADER_CY, ANSWERS_CY),
])
def test_a_filled_template_ingests_exactly_without_a_manifest(tmp_path, fmt, header, answers):
    fill = fill_word if fmt == "docx" else fill_excel
    n = fill(tmp_path / f"return.{fmt}", header, answers)
    result = _ingest(tmp_path)
    responses = result.responses
    assert len(responses) == n
    assert (responses["question_confidence"] == 1.0).all()
    expected = sorted((qid, text) for qid, pairs in answers.items() for _, text in pairs)
    assert sorted(zip(responses["question"], responses["text"], strict=True)) == expected
    ret = result.returns.iloc[0]
    assert ret["organisation"] == header["organisation"]
    assert ret["cohort"] == {"People in prison; Youth justice": "prison;youth_justice",
                             "Asylum seekers": "asylum_seekers"}[header["cohort"]]
    assert ret["police_force_area"] == header["police_force_area"]
    assert int(ret["n_participants"]) == int(header["n_participants"])
    assert ret["date_received"] == header["date_received"]
    assert (responses["organisation"] == header["organisation"]).all()
    facilitator = responses[responses["speaker"] == "facilitator"]
    assert len(facilitator) == sum(ref == "Facilitator" for pairs in answers.values() for ref, _ in pairs)
    # participants are pseudonymous references, one per reference written
    refs = {ref for pairs in answers.values() for ref, _ in pairs if ref != "Facilitator"}
    assert responses.loc[responses["speaker"] == "participant", "participant_ref"].nunique() == len(refs)
    ledger = result.ledger
    file_row = ledger[ledger["file"] == f"return.{fmt}"].iloc[0]
    assert "template" in file_row["reason"] and "no manifest" not in file_row["reason"]


def test_text_outside_the_tables_is_placed_and_a_blank_header_is_reported(tmp_path):
    doc = templates.word_template(QUESTIONS)
    heading = next(p for p in doc.paragraphs if p.text.startswith("Q3."))
    para = doc.add_paragraph("placeholder")
    heading._p.addnext(para._p)  # typed straight under the question, not in its table
    para.text = "P4: Community panels should check every stop and search record."
    doc.save(str(tmp_path / "typed.docx"))
    result = _ingest(tmp_path)
    row = result.responses.iloc[0]
    assert (row["question"], row["text"]) == ("solutions", "Community panels should check every stop and search record.")
    reason = result.ledger.iloc[0]["reason"]
    assert "leaves organisation, cohort, police force area blank" in reason
    assert result.returns.iloc[0]["organisation"] == "unknown"


def test_an_ordinary_word_file_is_not_taken_for_a_template(tmp_path):
    import docx

    doc = docx.Document()
    doc.add_heading("Q1. Have we listened?", level=1)
    doc.add_paragraph("P1: Yes, they came twice.")
    doc.save(str(tmp_path / "plain.docx"))
    result = _ingest(tmp_path)
    assert "template" not in result.ledger.iloc[0]["reason"]
    assert result.responses.iloc[0]["question"] == "listened"


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_template_that_lost_its_properties_is_still_read_as_one(tmp_path, fmt):
    """Google Docs or Sheets may drop the document properties: the header table still shows it is a template."""
    import docx
    import openpyxl

    fill = fill_word if fmt == "docx" else fill_excel
    path = tmp_path / f"return.{fmt}"
    n = fill(path, HEADER_EN, ANSWERS_EN)
    if fmt == "docx":
        doc = docx.Document(str(path))
        doc.core_properties.keywords, doc.core_properties.comments = "", ""
        doc.save(str(path))
    else:
        wb = openpyxl.load_workbook(path)
        wb.properties.keywords, wb.properties.description = None, None
        wb.save(path)
    result = _ingest(tmp_path)
    assert len(result.responses) == n and (result.responses["question"] != "unknown").all()
    expected = sorted((qid, text) for qid, pairs in ANSWERS_EN.items() for _, text in pairs)
    assert sorted(zip(result.responses["question"], result.responses["text"], strict=True)) == expected
    assert result.returns.iloc[0]["organisation"] == HEADER_EN["organisation"]
