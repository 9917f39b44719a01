"""Decide which coded training files the coder learns from, on training data only (leave one file out).

For each training file F in turn, the coder (settings as in ``config/settings.yaml``) is fitted on the
codebook and the *other* files, with and without a candidate file, and scored on F: sample F1 of the
codes, by language, and stance macro F1. A candidate is worth adding when it raises the mean over the
held-out files (and does not lower Welsh). The evaluation sets in ``data/eval`` are never read.

Run: ``.venv/bin/python scripts/choose_training_files.py --candidate data/train/train_T3.csv``
(several ``--candidate`` options: each is weighed alone, then all together; ``--together`` weighs only
all together). To reproduce a decision after the files were adopted, leave them off the list with
``--without``: ``--candidate data/train/train_T8.csv ... --without train_T8.csv ... --together``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.coding.assess import scores_by  # noqa: E402
from pipeline.coding.codebook import load_codebook  # noqa: E402
from pipeline.coding.coder import parse_labels  # noqa: E402
from pipeline.coding.metrics import f1_macro, multilabel_scores  # noqa: E402
from pipeline.coding.stance import StanceClassifier  # noqa: E402
from pipeline.coding.training import (  # noqa: E402
    coder_params,
    coding_settings,
    fit_on,
    read_labelled,
    stance_training,
    training_files,
)
from pipeline.nlp.embed import Embedder  # noqa: E402


def score(codebook, train: pd.DataFrame, test: pd.DataFrame, emb, params: dict) -> dict:
    """Fit on ``train``, score ``test``: sample F1 overall and by language, stance macro F1."""
    coder = fit_on(codebook, train, None, emb, params)
    pred = coder.predict(test["text"].tolist())
    gold = [parse_labels(v) for v in test["codes"]]
    out = {"f1": multilabel_scores(gold, pred, codebook.ids)["f1_samples"]}
    lang = test["language"].replace("", "en") if "language" in test else pd.Series(["en"] * len(test))
    by_lang = scores_by(test.assign(language=lang.to_numpy()), "language", gold, pred, codebook.ids)
    out.update({f"f1_{r.language}": r.f1_samples for r in by_lang.itertuples() if r.n >= 20})
    if "stance" in test and (test["stance"] != "").any():
        tr = stance_training(codebook, train)
        st = StanceClassifier(embedder=emb).fit(tr["text"].tolist(), tr["stance"].tolist(), tr["question"].tolist())
        has = test["stance"] != ""
        got, _ = st.predict(test.loc[has, "text"].tolist(), test.loc[has, "question"].tolist())
        out["stance_f1"] = f1_macro(test.loc[has, "stance"].tolist(), got)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidate", action="append", default=[], help="training file to weigh adding")
    ap.add_argument("--without", action="append", default=[], help="a listed training file (by name) to leave out")
    ap.add_argument("--together", action="store_true", help="weigh the candidates only all together")
    ap.add_argument("--cache", default="/tmp/choose_training_cache")
    args = ap.parse_args()
    s = coding_settings()
    params = coder_params(s)
    codebook = load_codebook()
    files = {p.name: read_labelled(p, "training") for p in training_files(s) if p.name not in args.without}
    cands = {Path(c).name: read_labelled(Path(c), "candidate") for c in args.candidate}
    emb = Embedder(cache_dir=Path(args.cache), show_progress=False)
    rows = []
    for held, test in files.items():
        base = pd.concat([f for n, f in files.items() if n != held], ignore_index=True)
        options = [("without", None)] + ([] if args.together else [(f"with {n}", f) for n, f in cands.items()])
        if len(cands) > 1:  # and all candidates together
            options.append(("with all candidates", pd.concat(list(cands.values()), ignore_index=True)))
        for label, extra in options:
            train = base if extra is None else pd.concat([base, extra], ignore_index=True)
            r = score(codebook, train.fillna(""), test.fillna(""), emb, params)
            rows.append({"held_out": held, "training": label, "n_train": len(train), **{k: round(v, 4) for k, v in r.items()}})
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    print(table.groupby("training")[[c for c in table.columns if c.startswith(("f1", "stance"))]].mean().round(4).to_string())


if __name__ == "__main__":
    main()
