"""Tests for pipeline.forget: a withdrawn participant or organisation leaves no trace in any output."""

import numpy as np
import pandas as pd
import pytest

from pipeline.forget import (
    LEDGER_FILE,
    WITHDRAWN_FILE,
    ForgetError,
    drop_withdrawn,
    forget,
    read_withdrawals,
    remaining_traces,
)
from pipeline.ingest.stage import StageOutput
from pipeline.nlp.embed import text_key

GONE_TEXT = "Tyrone's uncle said the custody suite was freezing."


@pytest.fixture
def consultation(tmp_path):
    raw, out, rep = tmp_path / "raw", tmp_path / "out", tmp_path / "reports"
    for d in (raw, out / "review", out / "embeddings", rep / "organisations"):
        d.mkdir(parents=True)
    responses = pd.DataFrame(
        {
            "response_id": ["R1", "R2", "R3"],
            "organisation": ["Org A", "Org A", "Org B"],
            "participant_ref": ["P-gone", "P-stay", "P-other"],
            "text": [GONE_TEXT, "Stop and search is unfair.", "Nobody listened."],
        }
    )
    responses.to_parquet(out / "responses.parquet", index=False)
    responses.to_csv(out / "responses.csv", index=False, encoding="utf-8-sig")
    statements = pd.DataFrame(
        {
            "statement_id": ["R1-S01", "R2-S01", "R3-S01"],
            "response_id": ["R1", "R2", "R3"],
            "organisation": ["Org A", "Org A", "Org B"],
            "participant_ref": ["P-gone", "P-stay", "P-other"],
            "text": [GONE_TEXT, "Stop and search is unfair.", "Nobody listened."],
        }
    )
    statements.to_parquet(out / "statements.parquet", index=False)
    pd.DataFrame({"statement_id": ["R1-S01", "R2-S01"], "code": ["PA6", "PA6"]}).to_parquet(out / "codes.parquet")
    pd.DataFrame({"statement_id": ["R1-S01", "R3-S01"], "topic": [0, 1]}).to_csv(out / "statement_topics.csv", index=False)
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Coding sheet"])
    ws.append(["statement_id", "text", "codes"])
    for sid, text in zip(statements["statement_id"], statements["text"], strict=True):
        ws.append([sid, text, ""])
    wb.save(out / "review" / "coding_sheet.xlsx")
    model = "all-MiniLM-L6-v2"
    keys = [text_key(t, model) for t in statements["text"]]
    np.save(out / "embeddings" / f"{model}.npy", np.ones((3, 4), dtype=np.float32))
    (out / "embeddings" / f"{model}.keys.txt").write_text("\n".join(keys), encoding="ascii")
    (rep / "theme_report.html").write_text(f"<p>{GONE_TEXT}</p>", encoding="utf-8")
    (rep / "organisations" / "org_a.html").write_text("<p>P-gone</p>", encoding="utf-8")
    return raw, out, rep


def test_withdrawn_participant_leaves_no_trace(consultation):
    raw, out, rep = consultation
    res = forget(raw, out, rep, participant="P-gone")
    assert res.n_answers == 1 and res.cache_rows == 1
    for path in out.rglob("*"):
        if path.suffix in (".csv", ".parquet"):
            body = pd.read_parquet(path).to_csv() if path.suffix == ".parquet" else path.read_text(encoding="utf-8-sig")
            if path.name != LEDGER_FILE:
                assert "Tyrone" not in body and "P-gone" not in body and "R1-S01" not in body, path
    from openpyxl import load_workbook

    cells = [c.value for row in load_workbook(out / "review" / "coding_sheet.xlsx").active.iter_rows() for c in row]
    assert "R1-S01" not in cells and "R2-S01" in cells and "Coding sheet" in cells
    assert len((out / "embeddings" / "all-MiniLM-L6-v2.keys.txt").read_text().split()) == 2
    assert len(np.load(out / "embeddings" / "all-MiniLM-L6-v2.npy")) == 2
    assert not any(p.is_file() for p in rep.rglob("*"))  # documents quoting it are rebuilt, not kept
    assert pd.read_parquet(out / "statements.parquet")["statement_id"].tolist() == ["R2-S01", "R3-S01"]
    ledger = (out / LEDGER_FILE).read_text()
    assert "a participant's answers" in ledger and "P-gone" not in ledger and "Tyrone" not in ledger
    assert read_withdrawals(raw) == [("participant_ref", "P-gone")]
    assert remaining_traces(out, rep, raw) == []


def test_withdrawn_organisation_and_bad_requests(consultation):
    raw, out, rep = consultation
    with pytest.raises(ForgetError):
        forget(raw, out, rep)
    with pytest.raises(ForgetError):
        forget(raw, out, rep, participant="P-nobody")
    forget(raw, out, rep, organisation="Org A")
    assert pd.read_parquet(out / "responses.parquet")["organisation"].tolist() == ["Org B"]
    assert "an organisation's answers" in (out / LEDGER_FILE).read_text()


def test_a_rerun_of_ingest_leaves_withdrawn_answers_out(tmp_path):
    (tmp_path / WITHDRAWN_FILE).write_text("participant_ref\tP-gone\n", encoding="utf-8")
    responses = pd.DataFrame(
        {"response_id": ["R1", "R2"], "source_file": ["a.docx", "a.docx"], "organisation": ["A", "A"],
         "participant_ref": ["P-gone", "P-stay"], "text": [GONE_TEXT, "fine"]}
    )
    rejected = pd.DataFrame({"source_file": ["a.docx"], "source_location": ["row 9"], "reason": ["blank"], "order": [9]})
    dups = pd.DataFrame({"response_id_kept": ["R1"], "duplicate_source_file": ["b.docx"]})
    log = pd.DataFrame({"response_id": ["R1", "R2"], "kind": ["NAME", ""]})
    out = drop_withdrawn(StageOutput(responses, rejected, dups, redaction_log=log), tmp_path)
    assert out.responses["response_id"].tolist() == ["R2"]
    assert len(out.rejected) == 2 and out.rejected["source_location"].tolist() == ["row 9", ""]
    assert "withdrawn" in out.rejected["reason"].iloc[1] and GONE_TEXT not in out.rejected.to_csv()
    assert out.duplicates.empty and out.redaction_log["response_id"].tolist() == ["R2"]
