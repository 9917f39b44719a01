"""Turn the public benchmark sets in ../shared/benchmarks/ into the CSV format ``evaluate`` reads.

``python -m pipeline evaluate --gold GOLD.csv [--train TRAIN.csv] [--codebook CODEBOOK.yaml]`` scores a
coder on any CSV with a ``text`` column and a ``codes`` column (code ids joined by ``;``, empty for
none), plus optional ``stance`` and ``question`` columns. This script converts two sets that nobody
on this project wrote (see ``SOURCES.md`` in the shared folder) into that format, with a codebook
YAML (``name``, ``version``, ``codes: [{id, name, description}]``) and a fixed train/test split each:

- ``pxtextmining``: NHS Friends and Family Test comments coded by researchers against a framework of
  categories (one 0/1 column per category). ``text`` = ``FFT answer``; ``codes`` = the categories
  marked 1, as short slug ids. ``Not assigned`` and ``Labelling not possible`` mean "no category",
  so they become an empty ``codes`` and are not in the codebook. Non-answers (blank, "Did not
  answer", "Nothing.", "N/a", "Don't know" ...) are dropped and counted. No ``stance``: the
  labellers' ``Comment sentiment`` (1-5) rates how positive a comment about a health service is,
  across questions as different as "What was good?" and "How could we improve?" (where "Nothing."
  is rated positive); that is not agreement with a question, so mapping it to agree/disagree would
  score the coder against something it is not asked to read. No ``question`` either: the FFT
  questions are not ours. Split 70% train / 30% test by respondent, so one person's comments never
  sit on both sides.
- ``themefinder_gambling``: synthetic consultation responses to two questions, with theme ids per
  question. ``codes`` = theme ids prefixed by question part (``q1_A;q1_D``) so they are unique;
  ``X``/``Y``/``XX``/``XY`` ("None of the Above", "No Reason Given") mean "no theme" and become an
  empty ``codes``. ``stance`` = ``position`` (AGREE -> agree, DISAGREE -> disagree, UNCLEAR ->
  unclear). ``question_part`` is kept for reference (it is not one of our question ids, so it is
  not written as ``question``). Split 50/50 by respondent: every respondent answered both
  questions, so each question is split 50/50 too.

Output (``--out``, default ``data/benchmarks/``; derived, not committed)::

    pxtextmining_train.csv  pxtextmining_test.csv  pxtextmining_codebook.yaml
    themefinder_gambling_train.csv  themefinder_gambling_test.csv  themefinder_gambling_codebook.yaml

Deterministic: the same inputs and seed give byte-identical files.

Run:  .venv/bin/python scripts/prepare_benchmarks.py [--shared DIR] [--out DIR] [--seed N]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
DEFAULT_OUT = ROOT / "data" / "benchmarks"

PX_FILE = "pxtextmining_v6framework_230831.csv"
TF_LABELLED = "themefinder_gambling_XS_labelled.csv"
TF_THEMES = "themefinder_gambling_XS_themes.csv"

PX_TEXT = "FFT answer"
#: The first category column of the pxtextmining framework; every column from it on is a 0/1 category.
PX_FIRST_CATEGORY = "Not assigned"
#: Categories that mean "no category applies": an empty ``codes``, not a code of their own.
PX_NO_CODE = ("Not assigned", "Labelling not possible")
PX_TRAIN_FRACTION = 0.7
#: Answers that say nothing (compared lower-cased, punctuation and spacing removed). Kept short and
#: explicit so anyone can see what was dropped; "Everything." and "Very good." are real answers.
PX_NON_ANSWERS = frozenset(
    {
        "",
        "did not answer",
        "nothing",
        "nothing at all",
        "nothing really",
        "nothing to say",
        "nothing to add",
        "nothing else",
        "not a thing",
        "none",
        "none at all",
        "no",
        "nope",
        "na",
        "n a",
        "nil",
        "not applicable",
        "no comment",
        "no comments",
        "cant think of anything",
        "i cant think of anything",
        "dont know",
        "do not know",
        "not sure",
        "test",
        "as above",
    }
)

TF_NO_CODE = ("X", "Y", "XX", "XY")
TF_STANCE = {"AGREE": "agree", "DISAGREE": "disagree", "UNCLEAR": "unclear"}
TF_TRAIN_FRACTION = 0.5


class BenchmarkError(ValueError):
    """An input file is missing or not in the shape this script expects; the message says what to do."""


def slugify(name: str) -> str:
    """Short lower-case id from a category name: ``"Staff manner & personal attributes"`` -> ``staff_manner_personal_attributes``."""
    slug = re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")
    return slug or "code"


def normalise_answer(text: object) -> str:
    """Lower-case, drop punctuation and squeeze spaces, to recognise non-answers like ``"Nothing. "``."""
    if not isinstance(text, str):
        return ""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower().replace("\u2019", "'").replace("'", "")).split())


def is_non_answer(text: object) -> bool:
    """True when a comment is blank or one of :data:`PX_NON_ANSWERS`."""
    return normalise_answer(text) in PX_NON_ANSWERS


def split_train_test(df: pd.DataFrame, group_col: str, train_fraction: float, seed: int) -> pd.Series:
    """Assign whole groups (e.g. respondents) to ``train`` or ``test``, reproducibly.

    The distinct group ids are sorted, shuffled with ``numpy.random.default_rng(seed)`` and the first
    ``round(train_fraction * n_groups)`` go to train, so the split depends only on the ids and the seed,
    never on row order.

    Args:
        df: Rows to split.
        group_col: Column whose values must not be split across train and test.
        train_fraction: Share of groups for training, between 0 and 1.
        seed: Random seed.

    Returns:
        A Series aligned with ``df`` holding ``"train"`` or ``"test"``.
    """
    if not 0 < train_fraction < 1:
        raise BenchmarkError(f"train_fraction must be between 0 and 1, not {train_fraction}.")
    groups = np.array(sorted(df[group_col].astype(str).unique()), dtype=object)
    order = np.random.default_rng(seed).permutation(len(groups))
    n_train = int(round(train_fraction * len(groups)))
    train_groups = set(groups[order[:n_train]].tolist())
    return df[group_col].astype(str).map(lambda g: "train" if g in train_groups else "test").rename("split")


def _require(df: pd.DataFrame, columns: list[str], table: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise BenchmarkError(
            f"{table} has no column(s) {', '.join(repr(c) for c in missing)}. "
            "Check that the file is the one SOURCES.md describes (it may have been re-exported with other headers)."
        )


def convert_pxtextmining(raw: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, dict, int]:
    """Convert the pxtextmining framework table to evaluate's format.

    Args:
        raw: ``pxtextmining_v6framework_230831.csv`` as read.
        seed: Seed of the train/test split.

    Returns:
        ``(rows, codebook, n_dropped)``: rows with columns ``id, text, codes, split`` (in input order,
        non-answers removed), the codebook mapping, and how many non-answers were dropped.
    """
    _require(raw, [PX_TEXT, PX_FIRST_CATEGORY], "The pxtextmining file")
    categories = raw.columns[list(raw.columns).index(PX_FIRST_CATEGORY) :].tolist()
    keep = ~raw[PX_TEXT].map(is_non_answer)
    n_dropped = int((~keep).sum())
    df = raw.loc[keep].reset_index(drop=True)

    flags = df[categories].apply(pd.to_numeric, errors="coerce").fillna(0).eq(1)
    coded = [c for c in categories if c not in PX_NO_CODE and flags[c].any()]
    ids = {c: slugify(c) for c in coded}
    if len(set(ids.values())) != len(ids):
        raise BenchmarkError(
            "Two pxtextmining categories give the same short id; rename one in the source file."
        )
    codes = flags[coded].apply(lambda row: ";".join(ids[c] for c in coded if row[c]), axis=1)

    id_col = "Comment ID" if "Comment ID" in df.columns else None
    group_col = "Respondent ID" if "Respondent ID" in df.columns else id_col
    out = pd.DataFrame(
        {
            "id": df[id_col].astype(str) if id_col else pd.Series(range(len(df))).astype(str),
            "text": df[PX_TEXT].astype(str).str.strip(),
            "codes": codes.astype(str) if len(df) else pd.Series([], dtype=str),
        }
    )
    groups = df[group_col].fillna(out["id"]) if group_col else out["id"]
    out["split"] = split_train_test(
        out.assign(_g=groups.astype(str).values), "_g", PX_TRAIN_FRACTION, seed
    ).values
    codebook = {
        "name": "pxtextmining v6 framework (NHS Friends and Family Test)",
        "version": 1,
        "codes": [{"id": ids[c], "name": c, "description": c} for c in coded],
    }
    return out, codebook, n_dropped


def convert_themefinder(labelled: pd.DataFrame, themes: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, dict]:
    """Convert themefinder's gambling_XS labelled responses and theme list to evaluate's format.

    Args:
        labelled: ``themefinder_gambling_XS_labelled.csv`` as read.
        themes: ``themefinder_gambling_XS_themes.csv`` as read.
        seed: Seed of the train/test split.

    Returns:
        ``(rows, codebook)``: rows with ``id, text, codes, stance, question_part, split`` and the codebook.
    """
    _require(
        labelled,
        ["question_part", "response_id", "response", "theme_ids", "position"],
        "The themefinder labelled file",
    )
    _require(
        themes,
        ["question_part", "topic_id", "topic_label", "topic_description"],
        "The themefinder themes file",
    )
    themes = themes.sort_values(["question_part", "topic_id"], kind="stable")
    real = themes[~themes["topic_id"].astype(str).isin(TF_NO_CODE)]
    codebook = {
        "name": "themefinder gambling_XS (synthetic consultation on gambling advertising)",
        "version": 1,
        "codes": [
            {"id": f"q{q}_{t}", "name": str(label), "description": str(desc)}
            for q, t, label, desc in real[
                ["question_part", "topic_id", "topic_label", "topic_description"]
            ].itertuples(index=False)
        ],
    }
    known = [c["id"] for c in codebook["codes"]]

    def to_codes(part: object, theme_ids: object) -> str:
        raw_ids = [t.strip() for t in str(theme_ids).split("|")] if isinstance(theme_ids, str) else []
        ids = [f"q{part}_{t}" for t in raw_ids if t and t not in TF_NO_CODE]
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise BenchmarkError(
                f"The themefinder labelled file uses theme id(s) {', '.join(unknown)} that the themes file does not "
                "list. Use the two files from the same themefinder version."
            )
        return ";".join(sorted(set(ids), key=known.index))

    stance = labelled["position"].astype(str).str.strip().str.upper().map(TF_STANCE)
    bad = sorted(set(labelled.loc[stance.isna(), "position"].astype(str)))
    if bad:
        raise BenchmarkError(
            f"The themefinder labelled file has position value(s) {bad}; expected AGREE, DISAGREE or UNCLEAR."
        )
    out = pd.DataFrame(
        {
            "id": "q" + labelled["question_part"].astype(str) + "_" + labelled["response_id"].astype(str),
            "text": labelled["response"].astype(str).str.strip(),
            "codes": [
                to_codes(p, t) for p, t in zip(labelled["question_part"], labelled["theme_ids"], strict=True)
            ],
            "stance": stance.astype(str).values,
            "question_part": labelled["question_part"].astype(str).values,
        }
    )
    out["split"] = split_train_test(
        out.assign(_g=labelled["response_id"].astype(str).values), "_g", TF_TRAIN_FRACTION, seed
    ).values
    return out, codebook


def _write(rows: pd.DataFrame, codebook: dict, out_dir: Path, stem: str) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for split in ("train", "test"):
        part = rows[rows["split"] == split].drop(columns="split")
        path = out_dir / f"{stem}_{split}.csv"
        part.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        n_none = int((part["codes"] == "").sum())
        print(f"wrote {path} ({len(part)} rows, {n_none} with no code)")
    path = out_dir / f"{stem}_codebook.yaml"
    path.write_text(
        yaml.safe_dump(codebook, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8"
    )
    print(f"wrote {path} ({len(codebook['codes'])} codes)")


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise BenchmarkError(
            f"{path} was not found. Point --shared at the folder holding SOURCES.md and the benchmark CSVs."
        )
    return pd.read_csv(path, dtype={"response_id": str})


def main(argv: list[str] | None = None) -> int:
    """Command line: convert both benchmark sets; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="folder holding benchmarks/ (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder to write the CSVs and codebooks (default: %(default)s)",
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="split seed (default: random_state in config/settings.yaml)"
    )
    args = parser.parse_args(argv)
    seed = args.seed
    if seed is None:
        sys.path.insert(0, str(ROOT))
        from pipeline.config import settings

        seed = int(settings().get("random_state", 42))
    bench = args.shared / "benchmarks" if (args.shared / "benchmarks").is_dir() else args.shared
    try:
        px_rows, px_book, n_dropped = convert_pxtextmining(_read_csv(bench / PX_FILE), seed)
        print(
            f"pxtextmining: dropped {n_dropped} non-answers (blank, 'Did not answer', 'Nothing.' ...); kept {len(px_rows)}"
        )
        _write(px_rows, px_book, args.out, "pxtextmining")
        tf_rows, tf_book = convert_themefinder(
            _read_csv(bench / TF_LABELLED), _read_csv(bench / TF_THEMES), seed
        )
        print(f"themefinder_gambling: {len(tf_rows)} responses")
        _write(tf_rows, tf_book, args.out, "themefinder_gambling")
    except BenchmarkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
