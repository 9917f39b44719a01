"""Cross-validate the coding stage on the training file only (never the gold file).

Method choices for :mod:`pipeline.coding` are made with this script: k-fold cross-validation over
``data/gold/train_statements.csv`` (the codebook's own examples stay in every training fold), so the
gold file stays untouched until the method is fixed.

Usage::

    .venv/bin/python scripts/cv_coder.py                       # codes: k-fold CV with train labels
    .venv/bin/python scripts/cv_coder.py --codebook-only       # codes: fit on the codebook, score all of train
    .venv/bin/python scripts/cv_coder.py --stance              # stance: CV with labels and cue rules
    .venv/bin/python scripts/cv_coder.py --param C=2 --param w_char=0.5   # override CodebookCoder settings
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.coding.codebook import load_codebook  # noqa: E402
from pipeline.coding.coder import CodebookCoder, parse_labels  # noqa: E402
from pipeline.coding.metrics import accuracy, f1_macro, multilabel_scores  # noqa: E402
from pipeline.coding.stance import STANCES, StanceClassifier  # noqa: E402
from pipeline.nlp.embed import Embedder  # noqa: E402

KEEP = ("f1_samples", "f1_micro", "f1_macro", "exact_match")


def _value(v: str):
    try:
        return json.loads(v)
    except json.JSONDecodeError:
        return v


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", default="data/gold/train_statements.csv")
    ap.add_argument("--codebook", default="config/codebook.yaml")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=2, help="Repeated k-fold with different shuffles.")
    ap.add_argument("--codebook-only", action="store_true")
    ap.add_argument("--stance", action="store_true")
    ap.add_argument("--param", action="append", default=[], help="key=value (JSON value) for CodebookCoder.")
    ap.add_argument("--cache", default="/tmp/cv_coder_cache")
    ap.add_argument("--extra", action="append", default=[],
                    help="Another coded training file kept in every training fold (never scored).")
    args = ap.parse_args()

    from sklearn.model_selection import KFold

    df = pd.read_csv(args.train, dtype=str, keep_default_na=False)
    cb = load_codebook(args.codebook)
    emb = Embedder(cache_dir=Path(args.cache), show_progress=False)
    params = {k: _value(v) for k, v in (p.split("=", 1) for p in args.param)}
    texts = list(df["text"])
    gold = [parse_labels(v) for v in df["codes"]]
    langs = list(df["language"])
    cy = np.array([lang == "cy" for lang in langs])
    extra = (pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in args.extra], ignore_index=True)
             .reindex(columns=["text", "codes", "stance", "question", "language"], fill_value="")
             if args.extra else pd.DataFrame(columns=["text", "codes", "stance", "question", "language"]))
    ex_t, ex_c, ex_l = list(extra["text"]), list(extra["codes"]), [v or "en" for v in extra["language"]]
    ex_s, ex_q = list(extra["stance"]), list(extra["question"])

    if args.stance:
        s_true = list(df["stance"])
        q = list(df["question"])
        sc = StanceClassifier(embedder=emb, **params).fit()
        pred, _ = sc.predict(texts, q)
        labs = [s for s in STANCES if s in set(s_true)]
        print(json.dumps({"stance_no_labels": {"accuracy": accuracy(s_true, pred),
                                               "f1_macro": f1_macro(s_true, pred, labs)}}))
        accs, f1s = [], []
        for r in range(args.repeats):
            pred = [""] * len(texts)
            for tr, te in KFold(args.folds, shuffle=True, random_state=r).split(texts):
                m = StanceClassifier(embedder=emb, **params).fit(ex_t + [texts[i] for i in tr],
                                                                 ex_s + [s_true[i] for i in tr], ex_q + [q[i] for i in tr])
                p, _ = m.predict([texts[i] for i in te], [q[i] for i in te])
                for i, v in zip(te, p, strict=True):
                    pred[i] = v
            accs.append(accuracy(s_true, pred))
            f1s.append(f1_macro(s_true, pred, labs))
        print(json.dumps({"stance_cv": {"accuracy": round(float(np.mean(accs)), 4),
                                        "f1_macro": round(float(np.mean(f1s)), 4)}}))
        return

    if args.codebook_only:
        coder = CodebookCoder(cb, embedder=emb, **params).fit()
        t0 = time.perf_counter()
        pred = coder.predict(texts)
        dt = time.perf_counter() - t0
        s = multilabel_scores(gold, pred, cb.ids)
        w = multilabel_scores([g for g, c in zip(gold, cy, strict=True) if c], [p for p, c in zip(pred, cy, strict=True) if c], cb.ids)
        print(json.dumps({"codebook_only": {k: s[k] for k in KEEP} | {"welsh_f1_samples": w["f1_samples"],
                                                                          "predict_s": round(dt, 2)}}))
        return

    res = []
    for r in range(args.repeats):
        pred: list[list[str]] = [[] for _ in texts]
        for tr, te in KFold(args.folds, shuffle=True, random_state=r).split(texts):
            coder = CodebookCoder(cb, embedder=emb, **params).fit(
                ex_t + [texts[i] for i in tr], ex_c + [df["codes"][i] for i in tr], ex_l + [langs[i] for i in tr])
            for i, p in zip(te, coder.predict([texts[i] for i in te]), strict=True):
                pred[i] = p
        s = multilabel_scores(gold, pred, cb.ids)
        w = multilabel_scores([g for g, c in zip(gold, cy, strict=True) if c], [p for p, c in zip(pred, cy, strict=True) if c], cb.ids)
        res.append({k: s[k] for k in KEEP} | {"welsh_f1_samples": w["f1_samples"]})
    mean = {k: round(float(np.mean([r[k] for r in res])), 4) for k in res[0]}
    print(json.dumps({"cv": mean, "params": params}))


if __name__ == "__main__":
    main()
