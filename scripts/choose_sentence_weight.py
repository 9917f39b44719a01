"""Choose ``coding.sentence_weight`` on training data only, leaving one training file out at a time.

For each ``--own`` file, the coder is fitted on the other training files (as ``make code`` fits it, with
its settings) and scores the left-out file with each weight: a statement of several sentences scores
``(1 - w) x`` its own score plus ``w x`` its best sentence's. The weight only changes prediction, so one fit
serves every weight. The evaluation sets in ``data/eval`` are never read.
Run: ``.venv/bin/python scripts/choose_sentence_weight.py --own data/train/train_T9.csv data/train/train_T4.csv``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from pipeline.coding.codebook import load_codebook
from pipeline.coding.coder import parse_labels
from pipeline.coding.metrics import multilabel_scores
from pipeline.coding.training import coder_params, coding_settings, fit_on, training_files
from pipeline.nlp.embed import Embedder

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Print F1 on each left-out file for each weight."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--own", nargs="+", default=["data/train/train_T9.csv", "data/train/train_T4.csv"])
    ap.add_argument("--weights", nargs="+", type=float, default=[0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0])
    args = ap.parse_args()
    s = coding_settings()
    cb = load_codebook()
    emb = Embedder(cache_dir=None, show_progress=False)
    for name in args.own:
        own_path = (ROOT / name).resolve()
        generic = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in training_files(s)
                             if p.resolve() != own_path], ignore_index=True)
        own = pd.read_csv(own_path, dtype=str, keep_default_na=False)
        coder = fit_on(cb, generic, None, emb, coder_params(s))
        gold = [parse_labels(v) for v in own["codes"]]
        scores = []
        for w in args.weights:
            coder.sentence_weight = w
            pred = coder.predict(own["text"].tolist())
            scores.append(f"w={w:g} F1 {multilabel_scores(gold, pred, coder.ids)['f1_samples']:.3f}")
        print(f"{own_path.name}: " + ", ".join(scores), flush=True)


if __name__ == "__main__":
    main()
