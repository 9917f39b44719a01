"""Tests of scripts/prepare_benchmarks.py on tiny hand-written copies of the benchmark files."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import yaml

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "prepare_benchmarks.py"
_spec = importlib.util.spec_from_file_location("prepare_benchmarks", SCRIPT)
pb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pb)

# Five FFT rows: two non-answers, one "Not assigned" (no code), one single- and one double-coded.
PX_CSV = textwrap.dedent(
    """\
    Comment ID,Respondent ID,FFT answer,Comment sentiment,Not assigned,Staff manner & personal attributes,Timeliness of care,Parking,Labelling not possible
    C1 - Q1,R1,Did not answer,,,,,,1
    C2 - Q1,R2,Nothing. ,1,,,,,
    C3 - Q1,R3,The nurse was rude and I waited four hours.,5,,1,1,,
    C4 - Q1,R4,Because it is true.,3,1,,,,
    C5 - Q2,R3,Lovely staff.,1,,1,,,
    """
)

TF_LABELLED = textwrap.dedent(
    """\
    question_part,question_text,response_id,response,theme_ids,theme_labels,theme_stances,position,evidence_rich
    1,Ban ads?,1001,Ban them all. My son got hooked.,A|B,Ban|Harm,POSITIVE|NEGATIVE,AGREE,YES
    1,Ban ads?,1002,Adults can choose for themselves.,C,Freedom,NEGATIVE,DISAGREE,NO
    1,Ban ads?,1003,Not sure what to think.,Y,No reason,NEUTRAL,UNCLEAR,NO
    2,Alternatives?,1001,Teach probability in schools.,A,Education,POSITIVE,AGREE,NO
    2,Alternatives?,1002,Something else entirely.,XX,None,POSITIVE,AGREE,NO
    2,Alternatives?,1003,Deposit limits and education.,B|A,Limits|Education,POSITIVE|POSITIVE,AGREE,YES
    """
)

TF_THEMES = textwrap.dedent(
    """\
    question_part,topic_id,topic_label,topic_description
    1,A,Ban Support,Support for a complete ban.
    1,B,Harm Testimonies,Stories of gambling harm.
    1,C,Freedom,Personal freedom arguments.
    1,X,None of the Above,Other topic.
    1,Y,No Reason Given,No substantive answer.
    2,A,Education,Education programmes.
    2,B,Financial Limits,Deposit and loss limits.
    2,XX,None of the Above,Other topic.
    2,XY,No Reason Given,No substantive answer.
    """
)


@pytest.fixture()
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "shared" / "benchmarks"
    folder.mkdir(parents=True)
    (folder / pb.PX_FILE).write_text(PX_CSV, encoding="utf-8")
    (folder / pb.TF_LABELLED).write_text(TF_LABELLED, encoding="utf-8")
    (folder / pb.TF_THEMES).write_text(TF_THEMES, encoding="utf-8")
    return tmp_path / "shared"


def test_slugify_and_non_answers() -> None:
    assert pb.slugify("Staff listening, understanding & involving patients") == (
        "staff_listening_understanding_involving_patients"
    )
    for blank in ["Did not answer", "Nothing. ", "N/a", "Can\u2019t think of anything.", "", None]:
        assert pb.is_non_answer(blank), blank
    for real in ["Everything.", "Very good.", "Nothing was explained to me.", "None of the staff listened."]:
        assert not pb.is_non_answer(real), real


def test_pxtextmining_conversion(shared: Path) -> None:
    raw = pd.read_csv(shared / "benchmarks" / pb.PX_FILE)
    rows, codebook, n_dropped = pb.convert_pxtextmining(raw, seed=42)
    assert n_dropped == 2
    assert rows["id"].tolist() == ["C3 - Q1", "C4 - Q1", "C5 - Q2"]
    assert rows["codes"].tolist() == [
        "staff_manner_personal_attributes;timeliness_of_care",
        "",
        "staff_manner_personal_attributes",
    ]
    assert rows["text"].tolist()[0] == "The nurse was rude and I waited four hours."
    assert "stance" not in rows.columns
    # Only categories that occur, never the "no category" columns, are in the codebook.
    assert codebook["version"] == 1
    assert [c["id"] for c in codebook["codes"]] == ["staff_manner_personal_attributes", "timeliness_of_care"]
    assert codebook["codes"][1] == {
        "id": "timeliness_of_care",
        "name": "Timeliness of care",
        "description": "Timeliness of care",
    }
    # One respondent's comments stay on one side of the split.
    assert (
        rows.loc[rows["id"] == "C3 - Q1", "split"].item() == rows.loc[rows["id"] == "C5 - Q2", "split"].item()
    )


def test_themefinder_conversion(shared: Path) -> None:
    folder = shared / "benchmarks"
    rows, codebook = pb.convert_themefinder(
        pd.read_csv(folder / pb.TF_LABELLED, dtype={"response_id": str}),
        pd.read_csv(folder / pb.TF_THEMES),
        seed=42,
    )
    assert rows["id"].tolist() == ["q1_1001", "q1_1002", "q1_1003", "q2_1001", "q2_1002", "q2_1003"]
    assert rows["codes"].tolist() == ["q1_A;q1_B", "q1_C", "", "q2_A", "", "q2_A;q2_B"]
    assert rows["stance"].tolist() == ["agree", "disagree", "unclear", "agree", "agree", "agree"]
    assert [c["id"] for c in codebook["codes"]] == ["q1_A", "q1_B", "q1_C", "q2_A", "q2_B"]
    assert codebook["codes"][0] == {
        "id": "q1_A",
        "name": "Ban Support",
        "description": "Support for a complete ban.",
    }
    # Split by respondent: each respondent's two answers fall on the same side.
    by_resp = rows.assign(resp=rows["id"].str[3:]).groupby("resp")["split"].nunique()
    assert (by_resp == 1).all()


def test_themefinder_unknown_theme_is_a_plain_error(shared: Path) -> None:
    folder = shared / "benchmarks"
    labelled = pd.read_csv(folder / pb.TF_LABELLED, dtype={"response_id": str})
    labelled.loc[0, "theme_ids"] = "A|Q"
    with pytest.raises(pb.BenchmarkError, match="q1_Q"):
        pb.convert_themefinder(labelled, pd.read_csv(folder / pb.TF_THEMES), seed=42)


def test_split_is_deterministic_and_grouped() -> None:
    df = pd.DataFrame({"g": [f"R{i % 40}" for i in range(200)]})
    first = pb.split_train_test(df, "g", 0.7, seed=42)
    again = pb.split_train_test(df.iloc[::-1], "g", 0.7, seed=42).sort_index()
    assert first.equals(again)  # row order does not matter
    assert (df.assign(s=first).groupby("g")["s"].nunique() == 1).all()
    assert df.assign(s=first).drop_duplicates("g")["s"].eq("train").sum() == 28
    other = pb.split_train_test(df, "g", 0.7, seed=7)
    assert not first.equals(other)
    with pytest.raises(pb.BenchmarkError):
        pb.split_train_test(df, "g", 1.0, seed=42)


def test_main_writes_files_and_counts(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert pb.main(["--shared", str(shared), "--out", str(out), "--seed", "42"]) == 0
    printed = capsys.readouterr().out
    assert "dropped 2 non-answers" in printed
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "pxtextmining_codebook.yaml",
        "pxtextmining_test.csv",
        "pxtextmining_train.csv",
        "themefinder_gambling_codebook.yaml",
        "themefinder_gambling_test.csv",
        "themefinder_gambling_train.csv",
    ]
    px = pd.concat(
        [pd.read_csv(out / f"pxtextmining_{s}.csv", keep_default_na=False) for s in ("train", "test")]
    )
    assert len(px) == 3 and set(px.columns) == {"id", "text", "codes"}
    tf_train = pd.read_csv(out / "themefinder_gambling_train.csv", keep_default_na=False)
    tf_test = pd.read_csv(out / "themefinder_gambling_test.csv", keep_default_na=False)
    assert len(tf_train) + len(tf_test) == 6
    assert set(tf_train.columns) == {"id", "text", "codes", "stance", "question_part"}
    assert f"({len(tf_train)} rows" in printed
    book = yaml.safe_load((out / "themefinder_gambling_codebook.yaml").read_text(encoding="utf-8"))
    assert book["name"].startswith("themefinder") and len(book["codes"]) == 5
    # Same inputs, same seed -> byte-identical files.
    snapshot = {p.name: p.read_bytes() for p in out.iterdir()}
    assert pb.main(["--shared", str(shared), "--out", str(out), "--seed", "42"]) == 0
    assert snapshot == {p.name: p.read_bytes() for p in out.iterdir()}


def test_main_missing_input_is_a_plain_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert pb.main(["--shared", str(tmp_path), "--out", str(tmp_path / "out")]) == 1
    assert "was not found" in capsys.readouterr().err
