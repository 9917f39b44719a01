"""Tests of the bundled SYNTHETIC sample consultation (data/raw/sample/) and its generator.

The sample must be what its README says (every format, every planted quirk and bad file), and
``scripts/make_sample.py`` must be deterministic and reproduce the bundled files.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
import zipfile
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from pipeline.config import ROOT, load_yaml
from pipeline.vocab import UNKNOWN, map_value

SAMPLE = ROOT / "data" / "raw" / "sample"
SCRIPT = ROOT / "scripts" / "make_sample.py"


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_sample", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_sample"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


ms = _load_generator()


@pytest.fixture(scope="module")
def generated():
    """One in-memory generation with the default seed: (files, stats)."""
    return ms.build_sample(ms.DEFAULT_SEED)


def _docx_text(data: bytes) -> str:
    import docx

    doc = docx.Document(io.BytesIO(data))
    parts = [f"[{p.style.name}] {p.text}" for p in doc.paragraphs]
    for t in doc.tables:
        parts += [" | ".join(c.text for c in row.cells) for row in t.rows]
    return "\n".join(parts)


def _xlsx_text(data: bytes) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    parts = []
    for ws in wb.worksheets:
        parts.append(f"## {ws.title} merged={sorted(str(r) for r in ws.merged_cells.ranges)}")
        parts += [repr(row) for row in ws.iter_rows(values_only=True)]
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _text_of(name: str, data: bytes) -> str:
    """Extracted text of any sample file (what a reader would see)."""
    suffix = Path(name).suffix
    if suffix == ".docx" and zipfile.is_zipfile(io.BytesIO(data)):
        return _docx_text(data)
    if suffix == ".xlsx":
        return _xlsx_text(data)
    if suffix == ".pdf":
        return _pdf_text(data)
    if suffix in {".csv", ".txt", ".md"}:
        return data.decode("cp1252" if "sanctuary" in name else "utf-8-sig")
    return data.hex()


# ---- the bundled files are what the README says ---------------------------------------------------


def test_every_listed_file_exists_except_the_missing_one():
    for name in ms.FILE_NOTES:
        assert (SAMPLE / name).exists() == (name != ms.MISSING_FILE), name
    assert (SAMPLE / "returns.csv").is_file()


def test_readme_says_synthetic_and_names_every_file():
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and "No real person" in readme
    for name in ms.FILE_NOTES:
        assert f"`{name}`" in readme, name


def test_manifest_columns_and_values_map_onto_the_vocabularies():
    with open(SAMPLE / "returns.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0].keys()) == ms.MANIFEST_COLUMNS
    vocab = load_yaml("vocabularies.yaml")
    files = {r["file"] for r in rows}
    assert ms.MISSING_FILE in files and ms.UNLISTED_FILE not in files
    assert len({r["organisation"] for r in rows}) == 10
    for r in rows:
        assert map_value(r["cohort"], vocab["cohorts"]) != UNKNOWN, r
        assert map_value(r["police_force_area"], vocab["police_force_areas"]) != UNKNOWN, r
        assert map_value(r["engagement_method"], vocab["engagement_methods"]) != UNKNOWN, r
        assert r["language"] in {"en", "cy", "en;cy"}
        assert r["date_received"].startswith("2026-")
        assert r["n_participants"] == "" or int(r["n_participants"]) > 0
    # Human wording is used somewhere, so vocabulary mapping is exercised.
    assert any(r["police_force_area"] in {"Gwent Police", "South Wales Police", "Newport"} for r in rows)


def test_each_return_format_is_present():
    suffixes = {p.suffix for p in SAMPLE.iterdir() if p.is_file()}
    assert {".docx", ".xlsx", ".csv", ".txt", ".md", ".pdf"} <= suffixes


def test_windows_1252_file_is_not_utf8_and_decodes_as_cp1252():
    data = (SAMPLE / "sanctuary_friends_responses.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp1252")
    assert "\u2019" in text and "\u201c" in text and "\u201d" in text and "\u2013" in text
    assert text.startswith("Ref,Group,Q1 Listened")


def test_survey_export_is_utf8_with_bom():
    data = (SAMPLE / "wrvn_online_survey_export.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "Respondent ID" and len(rows) == ms.ORG["wrvn"].n_participants + 1


def test_resent_file_is_byte_identical():
    assert (SAMPLE / ms.RESENT_FILE).read_bytes() == (SAMPLE / "sanctuary_friends_responses.csv").read_bytes()


def test_bad_files_are_bad_in_the_intended_way():
    assert not zipfile.is_zipfile(SAMPLE / ms.BROKEN_FILE)
    assert (SAMPLE / ms.EMPTY_FILE).stat().st_size == 0
    assert (SAMPLE / ms.UNKNOWN_FORMAT_FILE).read_bytes().startswith(b"\xff\xd8\xff")
    budget = _xlsx_text((SAMPLE / ms.NO_QUESTION_FILE).read_bytes()).lower()
    for alias in ("listened", "interpreted", "solutions", "comments", "q1"):
        assert alias not in budget


def test_word_returns_have_headings_table_and_facilitator_lines():
    llais = _docx_text((SAMPLE / "llais_y_cwm_focus_groups.docx").read_bytes())
    assert "[Heading 2] Have we listened?" in llais
    assert "[Normal] Participant " in llais and "Facilitator summary: " in llais
    drws = _docx_text((SAMPLE / "drws_agored_berwyn_feedback.docx").read_bytes())
    assert "Participant | Question 1: Have we listened?" in drws
    assert "Facilitator notes |" in drws
    pont = _docx_text((SAMPLE / "pont_interviews.docx").read_bytes())
    assert "[Heading 2] Q1. Listened" in pont and "Interviewee " in pont


def test_sheet_per_question_workbook_has_title_merges_and_a_split_answer():
    import openpyxl

    wb = openpyxl.load_workbook(SAMPLE / "teithio_ymlaen_feedback.xlsx")
    assert wb.sheetnames == ["Q1 Listened", "Q2", "Q3 Solutions", "Other"]
    ws = wb["Q2"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A1:C1" in merged and ws["A1"].value.startswith("Feedback from ")
    assert any(r.startswith("A") and r != "A1:C1" for r in merged)  # a Group cell merged down
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    continuation = [i for i, (_g, pid, text) in enumerate(rows) if pid is None and text]
    assert len(continuation) == 1 and rows[continuation[0] - 1][1]  # the row above has a participant


def test_per_participant_workbook_has_exact_and_near_duplicate():
    import openpyxl

    ws = openpyxl.load_workbook(SAMPLE / "cyf_participant_responses.xlsx")["Responses"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Participant ID", "Age group", "Cohort", "Area"]
    cells = [v for row in ws.iter_rows(min_row=2, min_col=5, values_only=True) for v in row
             if isinstance(v, str) and len(v) > 40]
    exact = [t for t in set(cells) if cells.count(t) == 2]
    near = [(a, b) for i, a in enumerate(cells) for b in cells[i + 1:] if a != b and fuzz.ratio(a, b) >= 95]
    assert len(exact) == 1 and len(near) == 1


def test_pdf_has_at_least_two_pages_and_question_headings():
    import pdfplumber

    with pdfplumber.open(SAMPLE / "ail_gyfle_report.pdf") as pdf:
        assert len(pdf.pages) >= 2
        text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "1. Have we listened?" in text and "3. Have we outlined the solutions?" in text


def test_welsh_notes_blanks_and_planted_personal_data_are_present():
    everything = "\n".join(_text_of(p.name, p.read_bytes()) for p in SAMPLE.iterdir() if p.is_file())
    md = (SAMPLE / "menter_eryri_nodiadau.md").read_text(encoding="utf-8")
    assert "## Ydych chi wedi gwrando?" in md and "Facilitator: " in md
    assert "Dim sylw" in everything and "N/A" in everything
    for planted in ["Daniel Price", "PC Jones", "Amara Okafor", "Ms Begum", "07700 900123", "+44 7700 900456",
                    "029 2018 0000", "@example.org", "CF10 1AA", "NP20 2JG", "SA1 1AA", "LL57 2DG", "A1234BC",
                    "QQ 12 34 56 C", "born 14/03/2005", "DOB: 2 May 1999", "12 Heol y Parc"]:
        assert planted in everything, planted
    for not_personal in ["Gwent Police", "Cardiff", "HMP Parc", "South Wales Police"]:
        assert everything.count(not_personal) >= 3, not_personal


# ---- content and scale -----------------------------------------------------------------------------


def test_scale_languages_and_coverage(generated):
    _files, stats = generated
    assert 450 <= stats["answers"] <= 700
    assert 250 <= stats["participants"] <= 350
    assert stats["welsh"] >= 20
    assert set(stats["questions"]) == {"listened", "interpreted", "solutions", "other"}
    for theme in ms.PRIORITY_AREAS:
        assert stats["themes"][theme] >= 20, theme
    for theme in ms.EMERGENT:
        assert stats["themes"][theme] >= 15 and stats["theme_orgs"][theme] >= 3, theme
    welsh_files = [f for f, v in stats["files"].items() if v["welsh"]]
    assert len(welsh_files) >= 2


def test_no_duplicates_other_than_the_planted_ones(generated):
    _files, stats = generated
    texts = [(f, kind, t.lower()) for f, _q, kind, t in stats["texts"] if len(t) >= 15]
    from rapidfuzz import process

    pairs = []
    for i, (_f, kind, t) in enumerate(texts):
        rest = [x[2] for x in texts[i + 1:]]
        for _match, score, j in process.extract(t, rest, scorer=fuzz.ratio, score_cutoff=95, limit=None):
            pairs.append((kind, texts[i + 1 + j][1], score))
    kinds = sorted(k2 for _k1, k2, _s in pairs)
    assert kinds == ["exact_duplicate", "near_duplicate"], pairs


def test_statements_vary_in_length(generated):
    _files, stats = generated
    lengths = [len(t.split()) for _f, _q, _k, t in stats["texts"]]
    assert min(lengths) <= 3 and max(lengths) >= 50
    assert len(set(t for *_x, t in stats["texts"])) >= len(stats["texts"]) - 1  # only the planted exact copy


# ---- the generator is deterministic and reproduces the bundled files ---------------------------------


def test_generator_is_deterministic_on_disk(tmp_path):
    ms.write_sample(tmp_path / "a")
    ms.write_sample(tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        a, b = (tmp_path / "a" / name).read_bytes(), (tmp_path / "b" / name).read_bytes()
        assert a == b, name


def test_a_different_seed_gives_different_content():
    files_a, _ = ms.build_sample(1)
    files_b, _ = ms.build_sample(2)
    assert files_a["cartref_focus_group_notes.txt"] != files_b["cartref_focus_group_notes.txt"]


def test_bundled_sample_matches_the_generator(generated):
    files, _stats = generated
    for name, data in files.items():
        bundled = (SAMPLE / name).read_bytes()
        if Path(name).suffix in {".csv", ".txt", ".md"} or name == ms.BROKEN_FILE:
            assert bundled == data, f"{name} differs: rerun scripts/make_sample.py"
        else:  # Office and PDF bytes may depend on library versions: compare what a reader sees
            assert _text_of(name, bundled) == _text_of(name, data), f"{name} differs: rerun scripts/make_sample.py"
