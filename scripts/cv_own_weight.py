"""Choose ``coding.own_weight`` (how much a consultation's own coded statements count) on training data only.

Treats one training file as "this consultation" and the others as generic training, and measures the
learning curve (F1 on held-out statements of that file after 0, 50 and 150 of its statements are
coded) for each weight. The evaluation sets in ``data/eval`` are never read.
Run: ``.venv/bin/python scripts/cv_own_weight.py [--own data/train/train_T2.csv]``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from pipeline.coding.assess import learning_curve
from pipeline.coding.codebook import load_codebook
from pipeline.coding.training import coder_params, coding_settings, fit_on, training_files
from pipeline.nlp.embed import Embedder

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--own", default="data/train/train_T2.csv")
    ap.add_argument("--weights", nargs="+", type=float, default=[1.0, 3.0, 6.0])
    ap.add_argument("--sizes", nargs="+", type=int, default=[0, 50, 150])
    ap.add_argument("--param", action="append", default=[], help="key=value (JSON) for CodebookCoder")
    args = ap.parse_args()
    s = coding_settings()
    cb = load_codebook()
    own_path = (ROOT / args.own).resolve()
    generic = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in training_files(s)
                         if p.resolve() != own_path], ignore_index=True)
    own = pd.read_csv(own_path, dtype=str, keep_default_na=False)
    emb = Embedder(cache_dir=None, show_progress=False)
    for w in args.weights:
        params = coder_params(s) | {"own_weight": w} | {k: json.loads(v) for k, v in (p.split("=", 1) for p in args.param)}

        def fit(part: pd.DataFrame, params=params):
            return fit_on(cb, generic, part, emb, params)

        lc = learning_curve(own, fit, sizes=tuple(args.sizes), folds=3, orders=("random",), random_state=s["random_state"])
        print(f"own_weight={w} {args.param}: " + ", ".join(f"{n} coded F1 {f:.3f}" for n, f in
                                             lc.groupby("n_coded")["f1_samples"].mean().items()), flush=True)


if __name__ == "__main__":
    main()
