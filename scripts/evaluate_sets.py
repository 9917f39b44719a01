"""Measure the coder on the independent evaluation sets in ``data/eval/`` (``make evaluate-sets``).

Each set ``data/eval/set_<X>.csv`` was written and coded by a writer who never saw the codebook,
the coder, ``data/gold`` or the other sets; ``set_<X>_coder2.csv`` holds a second blind coder's codes
for 160 of its statements (``data/eval/README.md``). For every set this prints and writes
(``data/eval/results/``):

* the coder's sample F1 as shipped (codebook + ``coding.training_files``, exactly as ``make code``),
  with a bootstrap 95% interval, and codebook only;
* on the second-coded statements: the coder's F1 and the two people's F1 (inter-coder agreement),
  and the same for stance (macro F1);
* F1 by cohort, register and language (pooled over the sets too);
* F1 on the most confident 50/80/100% of statements;
* the learning curve: F1 on held-out statements after 0, 25, 50, 100, 150 of the set's own
  statements are coded by "the analyst" (3-fold), in random order and in review-sheet order.

Nothing here is tuned: settings come from ``config/settings.yaml``, chosen by cross-validation on the
training files (``scripts/cv_coder.py``). Run: ``.venv/bin/python scripts/evaluate_sets.py [--no-curve]``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.coding.assess import bootstrap_interval, learning_curve, scores_by
from pipeline.coding.codebook import load_codebook
from pipeline.coding.evaluate import evaluate_frame
from pipeline.coding.metrics import f1_macro, multilabel_scores, sample_f1
from pipeline.coding.training import coder_params, coding_settings, fit_on, training_data, training_files
from pipeline.nlp.embed import Embedder

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "data" / "eval"
OUT = EVAL / "results"
STANCES = ["agree", "disagree", "mixed", "unclear"]


def _labels(values) -> list[list[str]]:
    from pipeline.coding.coder import parse_labels

    return [parse_labels(v) for v in values]


def intercoder(gold: pd.DataFrame, preds: pd.DataFrame, second: pd.DataFrame) -> dict:
    """Agreement on the second-coded statements: writer vs second coder, and writer vs the coder."""
    m = gold.merge(second, on="statement_id", suffixes=("", "_2")).merge(
        preds[["statement_id", "pred_codes", "pred_stance"]], on="statement_id")
    g, h, c = _labels(m["codes"]), _labels(m["codes_2"]), _labels(m["pred_codes"])
    human = sample_f1(g, h)
    coder = sample_f1(g, c)
    return {
        "n": len(m),
        "human_f1": round(float(np.mean(human)), 4), "human_interval": list(bootstrap_interval(human)),
        "coder_f1": round(float(np.mean(coder)), 4), "coder_interval": list(bootstrap_interval(coder)),
        "human_stance_f1_macro": f1_macro(m["stance"].tolist(), m["stance_2"].tolist(), STANCES),
        "coder_stance_f1_macro": f1_macro(m["stance"].tolist(), m["pred_stance"].tolist(), STANCES),
    }


def run_set(path: Path, codebook, generic: pd.DataFrame | None, embedder, s: dict, curve: bool) -> tuple[dict, pd.DataFrame]:
    """All the figures for one set."""
    gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    params = coder_params(s)
    seed = params.pop("random_state")
    t0 = time.perf_counter()
    shipped, preds = evaluate_frame(gold, codebook, generic, embedder=embedder, coder_params=params, random_state=seed,
                                    by=[c for c in ("cohort", "register", "language") if c in gold.columns])
    alone, _ = evaluate_frame(gold, codebook, None, embedder=embedder, coder_params=params, random_state=seed)
    res = {"set": path.stem, "n": len(gold), "f1": shipped["f1_samples"], "f1_interval": shipped["f1_samples_interval"],
           "f1_codebook_only": alone["f1_samples"], "stance_f1_macro": shipped["stance_f1_macro"],
           "stance_accuracy": shipped["stance_accuracy"], "question_accuracy": shipped["question_accuracy"],
           "selective": shipped["selective"], "by": shipped.get("by", {}),
           "per_code": {k: v["f1"] for k, v in shipped["per_code"].items()}}
    second = path.with_name(path.stem + "_coder2.csv")
    if second.exists():
        res["intercoder"] = intercoder(gold, preds, pd.read_csv(second, dtype=str, keep_default_na=False))
    if curve:
        def fit(own: pd.DataFrame):
            return fit_on(codebook, generic, own, embedder, coder_params(s))

        # 3 folds, so the pool an analyst codes from (2/3 of a set, 173-180 statements) holds 150.
        lc = learning_curve(gold, fit, folds=3, random_state=seed)
        res["learning_curve"] = lc.groupby(["order", "n_coded"], as_index=False)["f1_samples"].mean().round(4).to_dict(
            orient="records")
    res["seconds"] = round(time.perf_counter() - t0, 1)
    preds.insert(0, "set", path.stem)
    return res, preds


def chart(results: list[dict], path: Path) -> None:
    """The learning curves as one PNG (random order dashed, review order solid)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    for i, r in enumerate(x for x in results if x.get("learning_curve")):
        colour = f"C{i}"
        lc = pd.DataFrame(r["learning_curve"])
        for order, style in (("review", "-"), ("random", "--")):
            part = lc[lc["order"] == order]
            ax.plot(part["n_coded"], part["f1_samples"], style, color=colour, marker="o",
                    label=f"{r['set']} ({order} order)")
        if "intercoder" in r:
            ax.axhline(r["intercoder"]["human_f1"], color=colour, linestyle=":", linewidth=1)
    ax.set_xlabel("statements of the consultation coded by the analyst")
    ax.set_ylabel("F1 on the other statements (sample-averaged)")
    ax.set_title("Learning curve on the independent sets (dotted: two people's agreement)")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)


def main() -> None:
    """Evaluate every set, print the table and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-curve", action="store_true", help="skip the learning curves (the slow part)")
    parser.add_argument("--sets", nargs="*", help="set names (default: every data/eval/set_*.csv)")
    args = parser.parse_args()
    s = coding_settings()
    codebook = load_codebook()
    generic, _, used = training_data(training_files(s), None, set(codebook.ids))
    generic = generic if len(generic) else None
    embedder = Embedder(cache_dir=None, model_name=s["model"], batch_size=s["batch_size"], show_progress=False)
    paths = [p for p in sorted(EVAL.glob("set_*.csv")) if not p.stem.endswith("_coder2")
             and (not args.sets or p.stem in args.sets)]
    print(f"coder as shipped: config/codebook.yaml + {', '.join(str(p.relative_to(ROOT)) for p in used) or 'no training file'}")
    results, preds = [], []
    for p in paths:
        r, pr = run_set(p, codebook, generic, embedder, s, curve=not args.no_curve)
        results.append(r)
        preds.append(pr)
        ic = r.get("intercoder", {})
        print(f"{r['set']}: n={r['n']} F1 {r['f1']:.3f} ({r['f1_interval'][0]:.3f}-{r['f1_interval'][1]:.3f}); "
              f"codebook only {r['f1_codebook_only']:.3f}; stance macro F1 {r['stance_f1_macro']:.3f}; "
              f"second-coded n={ic.get('n', 0)}: coder {ic.get('coder_f1', float('nan')):.3f}, "
              f"two people {ic.get('human_f1', float('nan')):.3f}; stance coder {ic.get('coder_stance_f1_macro', float('nan')):.3f}, "
              f"two people {ic.get('human_stance_f1_macro', float('nan')):.3f} [{r['seconds']} s]", flush=True)
        for row in r.get("learning_curve", []):
            print(f"    {row['order']:<7} {row['n_coded']:>4} coded: F1 {row['f1_samples']:.3f}")
    allp = pd.concat(preds, ignore_index=True)
    pooled = {}
    for col in ("language", "cohort", "register"):
        if col in allp.columns:
            pooled[col] = scores_by(allp, col, _labels(allp["codes"]), _labels(allp["pred_codes"]), codebook.ids,
                                    allp["pred_stance"].tolist()).to_dict(orient="records")
    overall = multilabel_scores(_labels(allp["codes"]), _labels(allp["pred_codes"]), codebook.ids)
    summary = {"training_files": [str(p.relative_to(ROOT)) for p in used], "sets": results, "pooled": pooled,
               "pooled_f1": overall["f1_samples"], "worst_set": min(results, key=lambda r: r["f1"])["set"]}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    allp.to_csv(OUT / "predictions.csv", index=False, encoding="utf-8-sig")
    for col, rows in pooled.items():
        print(f"pooled by {col}: " + "; ".join(f"{r[col]} n={r['n']} F1 {r['f1_samples']:.3f}" for r in rows))
    print(f"worst set: {summary['worst_set']}; pooled F1 {overall['f1_samples']:.3f}")
    if not args.no_curve:
        chart(results, ROOT / "docs" / "learning_curve.png")
        print(f"wrote {ROOT / 'docs' / 'learning_curve.png'}")
    print(f"wrote {OUT / 'summary.json'} and {OUT / 'predictions.csv'}")


if __name__ == "__main__":
    main()
