"""OCR of scans and photos (Tesseract, English and Welsh): a typed scan, a scanned PDF and a flip-chart photo.

The images are drawn with Pillow (tests/fixtures/ingest/builders.py). The tests that read them need the
Tesseract program (``make ocr`` installs it) and skip, saying so, where it is missing; the test that
checks the rejection reason for a missing Tesseract runs everywhere.
"""

import shutil

import pytest
from testkit import ingest_builders as B

from pipeline import config
from pipeline.ingest.readers import ReadContext, ReturnError, read_return
from pipeline.ingest.runner import ingest_folder

SETTINGS = config.settings()
CTX = ReadContext.from_config(config.load_yaml("questions.yaml")["questions"], SETTINGS["ingest_layout"],
                              SETTINGS["ingest"], config.load_yaml("vocabularies.yaml"))
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                     reason="Tesseract OCR is not installed (run `make ocr`)")


def _answers(df):
    return df[(df["note"] == "") & (df["kind"] == "item")]


@needs_tesseract
def test_typed_scan_is_read_with_its_confidence(tmp_path):
    df = _answers(read_return(B.typed_scan_png(tmp_path / "scan.png"), CTX))
    assert df["question"].tolist() == ["listened", "solutions"]
    assert df["text"].tolist() == ["Nobody from the police came to our centre.", "Fund interpreters for every police station."]
    conf = df["ocr_confidence"].astype(float)
    assert ((conf > 50) & (conf <= 100)).all()


@needs_tesseract
def test_scanned_pdf_without_text_layer_is_read_by_ocr(tmp_path):
    df = _answers(read_return(B.scanned_pdf(tmp_path / "scan.pdf"), CTX))
    assert df["text"].tolist() == ["Nobody from the police came to our centre.", "Fund interpreters for every police station."]
    assert df["source_location"].str.startswith("page=1;").all()
    assert (df["ocr_confidence"].astype(float) > 50).all()


@pytest.mark.slow
@needs_tesseract
def test_flipchart_photo_is_read_and_flagged_for_the_analyst(tmp_path):
    B.flipchart_photo_jpg(tmp_path / "flipchart.jpg")
    result = ingest_folder(tmp_path, config.load_yaml("questions.yaml")["questions"], config.load_yaml("vocabularies.yaml"),
                           SETTINGS, config.load_yaml("redaction.yaml"), use_ner=False, progress=False, key="k")
    r = result.responses
    assert r["text"].tolist() == ["More youth clubs", "Stop searching us", "Black teachers"]
    # "WHAT SHOULD CHANGE?" is no alias: it is placed by meaning.
    assert set(r["question"]) == {"solutions"}
    assert r["ocr_confidence"].between(50, 100).all()
    row = result.ledger.iloc[0]
    assert "read by OCR" in row["reason"] and "check every answer against the image" in row["reason"]


def test_missing_tesseract_is_a_reason_saying_how_to_install(tmp_path, monkeypatch):
    pytesseract = pytest.importorskip("pytesseract")
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-tesseract-here"))
    path = B.typed_scan_png(tmp_path / "scan.png")
    with pytest.raises(ReturnError, match="Tesseract OCR is not installed") as info:
        read_return(path, CTX)
    assert "make ocr" in str(info.value) and "tesseract-ocr-cym" in str(info.value) and "scan.png" in str(info.value)


def test_corrupt_photo_is_rejected_plainly(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    if shutil.which("tesseract") is None:
        pytest.skip("Tesseract OCR is not installed (run `make ocr`)")
    with pytest.raises(ReturnError, match="could not be opened as an image"):
        read_return(path, CTX)


@needs_tesseract
def test_iphone_heic_photo_is_read(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    path = tmp_path / "scan.heic"
    B.typed_scan_image().save(path, quality=90)
    df = _answers(read_return(path, CTX))
    assert df["text"].tolist() == ["Nobody from the police came to our centre.", "Fund interpreters for every police station."]
