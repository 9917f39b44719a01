"""Tests of the coding stage's commands: code, review (sheet and --apply) and evaluate, on tiny inputs."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()

GOLD = pd.DataFrame({
    "text": ["The police stop and search my brother all the time.", "We need a youth club near the estate.",
             "Thank you for the tea.", "Mae angen clwb ieuenctid yma.", "Stop and search happens every week to us."],
    "codes": ["A", "B", "", "B", "A"],
    "question": ["interpreted", "solutions", "other", "solutions", "interpreted"],
    "stance": ["agree", "agree", "unclear", "agree", "agree"],
    "language": ["en", "en", "en", "cy", "en"],
})
TRAIN = pd.DataFrame({
    "text": ["Officers searched us outside the shop.", "They stop young Black lads for nothing.",
             "The police pulled my cousin over again.", "Kids need somewhere to go at night.",
             "Bring back the youth centre.", "More football clubs for teenagers please.", "Nice biscuits."],
    "codes": ["A", "A", "A", "B", "B", "B", ""],
})


@pytest.fixture
def files(tmp_path, small_codebook_spec):
    gold = tmp_path / "gold.csv"
    GOLD.to_csv(gold, index=False)
    train = tmp_path / "train.csv"
    TRAIN.to_csv(train, index=False)
    cb = tmp_path / "codebook.yaml"
    cb.write_text(yaml.safe_dump(small_codebook_spec, allow_unicode=True), encoding="utf-8")
    bare = tmp_path / "bare.yaml"
    bare.write_text("name: bare\ncodes:\n  - id: A\n  - id: B\n", encoding="utf-8")
    return tmp_path, gold, train, cb, bare


KEYS = {"f1_samples", "f1_micro", "f1_macro", "exact_match", "per_code", "question_accuracy", "stance_accuracy",
        "stance_f1_macro", "n", "statements_per_second"}


@pytest.mark.slow
def test_evaluate_with_codebook(files):
    tmp, gold, _, cb, _ = files
    out = tmp / "r.json"
    res = runner.invoke(app, ["evaluate", "--gold", str(gold), "--codebook", str(cb), "--json", str(out)])
    assert res.exit_code == 0, res.output
    r = json.loads(out.read_text())
    assert KEYS <= set(r) and r["n"] == 5
    assert set(r["per_code"]) == {"A", "B"} and set(r["per_code"]["A"]) == {"precision", "recall", "f1", "kappa", "support"}
    assert set(r["by_language"]) == {"en", "cy"}
    assert r["stance_accuracy"] is not None and r["statements_per_second"] > 0
    assert "F1 (sample-averaged)" in res.output


@pytest.mark.slow
def test_evaluate_with_train_only_learns_the_training_codes(files):
    tmp, gold, train, _, _ = files
    out = tmp / "r.json"
    small_gold = tmp / "g2.csv"
    GOLD[["text", "codes"]].to_csv(small_gold, index=False)
    res = runner.invoke(app, ["evaluate", "--gold", str(small_gold), "--train", str(train), "--json", str(out)])
    assert res.exit_code == 0, res.output
    r = json.loads(out.read_text())
    assert r["codebook"] == "codes learned from labels" and r["n_train"] == 7
    assert r["stance_accuracy"] is None and r["stance_f1_macro"] is None and r["question_accuracy"] is None
    assert r["per_code"]["A"]["support"] == 2


@pytest.mark.slow
def test_evaluate_with_codebook_without_descriptions_and_baselines(files):
    tmp, gold, train, _, bare = files
    out = tmp / "r.json"
    res = runner.invoke(app, ["evaluate", "--gold", str(gold), "--train", str(train), "--codebook", str(bare),
                              "--json", str(out), "--baselines"])
    assert res.exit_code == 0, res.output
    r = json.loads(out.read_text())
    assert r["codebook"] == "bare"
    assert "skipped" in r["baselines"]["lexicon"] and "skipped" in r["baselines"]["similarity"]


def test_evaluate_errors_are_plain(files):
    tmp, _, _, cb, bare = files
    bad = tmp / "bad.csv"
    pd.DataFrame({"statement": ["x"]}).to_csv(bad, index=False)
    # a bad input is exit code 3, a missing codebook (configuration) 6 (pipeline.errors.EXIT_CODES)
    res = runner.invoke(app, ["evaluate", "--gold", str(bad), "--codebook", str(cb)])
    assert res.exit_code == 3 and "no column 'text'" in res.output
    res = runner.invoke(app, ["evaluate", "--gold", str(tmp / "missing.csv"), "--codebook", str(cb)])
    assert res.exit_code == 3 and "does not exist" in res.output
    res = runner.invoke(app, ["evaluate", "--gold", str(bad), "--codebook", str(tmp / "nope.yaml")])
    assert res.exit_code in (3, 6) and "does not exist" in res.output and "Traceback" not in res.output


@pytest.mark.slow
def test_code_and_review_round_trip(tmp_path, files):
    _, _, _, cb, _ = files
    out = tmp_path / "processed"
    out.mkdir()
    responses = pd.DataFrame({
        "response_id": ["R1", "R2", "R3", "R4"],
        "organisation": ["Org"] * 4, "source_file": ["a.txt"] * 4, "source_location": ["line=1"] * 4,
        "cohort": ["schools"] * 4, "police_force_area": ["Gwent"] * 4, "engagement_method": ["survey"] * 4,
        "participant_ref": ["P-1", "P-2", "P-3", "P-4"], "question": ["solutions", "unknown", "other", "listened"],
        "question_label": [""] * 4, "speaker": ["participant"] * 4, "language": ["en", "en", "en", "cy"],
        "text": ["The police stop and search my brother every week. It is not fair at all.",
                 "We need a youth club in the village, there is nothing to do.", "",
                 "Does dim clwb ieuenctid yma o gwbl."],
        "n_redactions": [0] * 4,
    })
    responses.to_parquet(out / "responses.parquet", index=False)
    res = runner.invoke(app, ["code", "--out", str(out), "--codebook", str(cb)])
    assert res.exit_code == 0, res.output
    st = pd.read_parquet(out / "statements.parquet")
    codes = pd.read_parquet(out / "codes.parquet")
    assert set(st["response_id"]) == {"R1", "R2", "R4"}
    assert set(codes["statement_id"]) == set(st["statement_id"])
    assert (out / "coding_summary.csv").exists() and (out / "code.config.yaml").exists()
    assert pd.read_csv(out / "coding_skipped.csv")["response_id"].tolist() == ["R3"]
    assert st.loc[st["response_id"] == "R2", "question_source"].item() == "inferred"

    res = runner.invoke(app, ["review", "--out", str(out), "--codebook", str(cb)])
    assert res.exit_code == 0, res.output
    sheet_path = out / "review" / "coding_sheet.xlsx"
    sheet = pd.read_excel(sheet_path, sheet_name="coding", dtype=str, keep_default_na=False)
    assert list(sheet.columns[-5:]) == ["confirm", "correct_codes", "correct_stance", "correct_question", "notes"]
    sid = st.loc[st["response_id"] == "R1", "statement_id"].iloc[0]
    sheet.loc[sheet["statement_id"] == sid, "correct_codes"] = "B"
    with pd.ExcelWriter(sheet_path, engine="openpyxl") as xl:
        sheet.to_excel(xl, sheet_name="coding", index=False)
    res = runner.invoke(app, ["review", "--out", str(out), "--codebook", str(cb), "--apply", str(sheet_path)])
    assert res.exit_code == 0, res.output
    analyst = pd.read_csv(out / "analyst_codes.csv", dtype=str, keep_default_na=False)
    assert analyst[["statement_id", "codes"]].values.tolist() == [[sid, "B"]]
    codes2 = pd.read_parquet(out / "codes.parquet")
    assert codes2.loc[codes2["statement_id"] == sid, ["code", "source"]].values.tolist() == [["B", "analyst"]]
    assert pd.read_parquet(out / "statements.parquet").set_index("statement_id").loc[sid, "reviewed"]
    # a plain rerun of `code` keeps the analyst's decision
    res = runner.invoke(app, ["code", "--out", str(out), "--codebook", str(cb)])
    assert res.exit_code == 0, res.output
    codes3 = pd.read_parquet(out / "codes.parquet")
    assert codes3.loc[codes3["statement_id"] == sid, "source"].tolist() == ["analyst"]


def test_code_without_responses_says_what_to_run(tmp_path):
    res = runner.invoke(app, ["code", "--out", str(tmp_path)])
    assert res.exit_code != 0
    assert "make ingest" in str(res.exception) + res.output


@pytest.mark.slow
def test_evaluate_baselines_on_a_tiny_set_report_figures_not_an_error(files):
    tmp, gold, train, cb, _ = files
    out = tmp / "r.json"
    res = runner.invoke(app, ["evaluate", "--gold", str(gold), "--train", str(train), "--codebook", str(cb),
                              "--json", str(out), "--baselines"])
    assert res.exit_code == 0, res.output
    zs = json.loads(out.read_text())["baselines"]["bertopic_zeroshot"]
    assert "error" not in zs and 0.0 <= zs["f1_samples"] <= 1.0
    assert zs["method"].startswith("zero-shot assignment only")


@pytest.mark.slow
def test_evaluate_by_and_predictions_match_figures_computed_by_hand(files):
    tmp, gold, train, cb, _ = files
    preds_path, out = tmp / "p.csv", tmp / "r.json"
    res = runner.invoke(app, ["evaluate", "--gold", str(gold), "--train", str(train), "--codebook", str(cb),
                              "--by", "language", "--predictions", str(preds_path), "--json", str(out)])
    assert res.exit_code == 0, res.output
    assert f"Learning from: {train}" in res.output
    preds = pd.read_csv(preds_path, dtype=str, keep_default_na=False)
    assert len(preds) == 5 and {"pred_codes", "confidence", "score_A", "score_B", "pred_stance"} <= set(preds.columns)
    # Recompute each language's sample F1 from the written predictions, by hand.
    def f1(g, p):
        g, p = set(filter(None, g.split(";"))), set(filter(None, p.split(";")))
        return 1.0 if not g and not p else 2 * len(g & p) / (len(g) + len(p))
    r = json.loads(out.read_text())
    by = {row["language"]: row for row in r["by"]["language"]}
    for lang in ("en", "cy"):
        part = preds[preds["language"] == lang]
        expected = sum(f1(g, p) for g, p in zip(part["codes"], part["pred_codes"], strict=True)) / len(part)
        assert by[lang]["n"] == len(part) and by[lang]["f1_samples"] == pytest.approx(expected, abs=1e-4)
    assert r["f1_samples_interval"][0] <= r["f1_samples"] <= r["f1_samples_interval"][1]
    res = runner.invoke(app, ["evaluate", "--gold", str(gold), "--codebook", str(cb), "--by", "region"])
    assert res.exit_code != 0 and "no column 'region'" in res.output


def test_evaluate_with_a_descriptions_only_codebook_codes_zero_shot(files):
    tmp, gold, _, _, _ = files
    cb = tmp / "described.yaml"
    cb.write_text(yaml.safe_dump({"name": "described", "codes": [
        {"id": "A", "name": "Police stops", "description": "Being stopped and searched by the police."},
        {"id": "B", "name": "Youth clubs", "description": "Youth clubs and activities for young people."}]}),
        encoding="utf-8")
    out = tmp / "z.json"
    res = runner.invoke(app, ["evaluate", "--gold", str(gold), "--codebook", str(cb), "--no-training", "--json", str(out)])
    assert res.exit_code == 0, res.output
    r = json.loads(out.read_text())
    assert r["calibration"].startswith("zero-shot") and r["n"] == 5
