"""Choose the zero-shot defaults (``coding.zero_shot_z``, ``coding.zero_shot_floor``) on training data only.

A codebook with descriptions and no examples is coded by similarity relative to the other codes
(:meth:`pipeline.coding.coder.CodebookCoder._zero_shot_scores`). Its two settings are chosen here on
labelled *training* statements whose codebooks are reduced to names and descriptions: this
project's coded training files (``data/train/*.csv`` and ``data/gold/train_statements.csv``, against
``config/codebook.yaml``) and the NHS benchmark's training split (``data/benchmarks``). The
evaluation sets and the themefinder gambling set, on which the zero-shot figure is reported, are
never read. Prints the grid and the best pair (highest mean sample F1 over the sets).

Run: ``.venv/bin/python scripts/choose_zero_shot.py``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.coding.codebook import Code, Codebook, load_codebook
from pipeline.coding.coder import CodebookCoder, parse_labels
from pipeline.coding.metrics import multilabel_scores
from pipeline.nlp.embed import Embedder

ROOT = Path(__file__).resolve().parents[1]
ZS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5)
FLOORS = (0.05, 0.1, 0.15, 0.2, 0.25)


def descriptions_only(cb: Codebook) -> Codebook:
    """The same codes with their names and descriptions, nothing else."""
    return Codebook(name=cb.name + " (descriptions only)", codes=[Code(id=c.id, name=c.name, description=c.description)
                                                                  for c in cb.codes])


def sets() -> list[tuple[str, Codebook, pd.DataFrame]]:
    out = []
    own = [ROOT / "data/gold/train_statements.csv", *sorted((ROOT / "data/train").glob("*.csv"))]
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in own if p.exists()]
    out.append(("PA training statements", descriptions_only(load_codebook()), pd.concat(frames, ignore_index=True)))
    bench = ROOT / "data/benchmarks"
    if (bench / "pxtextmining_train.csv").exists():
        df = pd.read_csv(bench / "pxtextmining_train.csv", dtype=str, keep_default_na=False)
        df = df.sample(n=min(800, len(df)), random_state=0)
        out.append(("NHS training split", descriptions_only(load_codebook(bench / "pxtextmining_codebook.yaml")), df))
    return out


def main() -> None:
    emb = Embedder(cache_dir=None, show_progress=False)
    grid = {}
    for name, cb, df in sets():
        gold = [parse_labels(v) for v in df["codes"]]
        texts = df["text"].tolist()
        for z, floor in itertools.product(ZS, FLOORS):
            coder = CodebookCoder(cb, embedder=emb, zero_shot_z=z, zero_shot_floor=floor).fit()
            pred = coder.predict(texts)
            grid.setdefault((z, floor), {})[name] = multilabel_scores(gold, pred, cb.ids)["f1_samples"]
        print(f"{name}: {len(df)} statements, {len(cb.ids)} codes")
    rows = [{"zero_shot_z": z, "zero_shot_floor": f, **v, "mean": round(float(np.mean(list(v.values()))), 4)}
            for (z, f), v in grid.items()]
    table = pd.DataFrame(rows).sort_values("mean", ascending=False)
    print(table.head(12).to_string(index=False))
    best = table.iloc[0]
    print(f"best: zero_shot_z={best['zero_shot_z']} zero_shot_floor={best['zero_shot_floor']} (mean F1 {best['mean']})")


if __name__ == "__main__":
    main()
