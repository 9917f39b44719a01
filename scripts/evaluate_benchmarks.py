"""Score the coder on public benchmark sets that nobody on this project wrote.

Expects ``scripts/prepare_benchmarks.py`` to have written ``data/benchmarks/`` (``make evaluate-benchmarks``
runs both). For each set it runs ``python -m pipeline evaluate`` on the held-out test split:

- with the set's codebook alone (names and descriptions only: no labelled examples), and
- with the training split as analyst-coded examples (``--train``), and
- for themefinder, zero-shot per question: each question's themes (names and descriptions only),
  no training statement, coded by similarity relative to the other themes,

writes each result to ``data/benchmarks/<set>__<mode>.json`` and prints one summary table.
Run: ``python scripts/evaluate_benchmarks.py [--sets themefinder_gambling pxtextmining]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "data" / "benchmarks"
SETS = ("themefinder_gambling", "pxtextmining")


def evaluate(name: str, mode: str) -> dict | None:
    """Run one evaluation and return its JSON result (None if it failed)."""
    out = BENCH / f"{name}__{mode}.json"
    cmd = [sys.executable, "-m", "pipeline", "evaluate", "--gold", str(BENCH / f"{name}_test.csv"),
           "--codebook", str(BENCH / f"{name}_codebook.yaml"), "--json", str(out)]
    if mode == "with_training":
        cmd += ["--train", str(BENCH / f"{name}_train.csv")]
    else:
        cmd += ["--no-training"]
    print(f"\n$ {' '.join(cmd[1:])}", flush=True)
    if subprocess.run(cmd, check=False).returncode != 0:
        print(f"{name} ({mode}) failed: see the messages above.", file=sys.stderr)
        return None
    return json.loads(out.read_text(encoding="utf-8"))


def zero_shot_by_question(name: str = "themefinder_gambling") -> list[tuple[str, str, dict]]:
    """Zero-shot on each question of a themefinder set: that question's themes (names and descriptions
    only), its test responses, no training statement (``--no-training``)."""
    import pandas as pd
    import yaml

    book = yaml.safe_load((BENCH / f"{name}_codebook.yaml").read_text(encoding="utf-8"))
    test = pd.read_csv(BENCH / f"{name}_test.csv", dtype=str, keep_default_na=False)
    rows = []
    for part in sorted(test["question_part"].unique()):
        sub = dict(book, name=f"{book['name']} question {part}",
                   codes=[c for c in book["codes"] if c["id"].startswith(f"q{part}_")])
        cb_path = BENCH / f"{name}_q{part}_codebook.yaml"
        cb_path.write_text(yaml.safe_dump(sub, sort_keys=False, allow_unicode=True), encoding="utf-8")
        gold = BENCH / f"{name}_q{part}_test.csv"
        test[test["question_part"] == part].to_csv(gold, index=False)
        out = BENCH / f"{name}_q{part}__zero_shot.json"
        cmd = [sys.executable, "-m", "pipeline", "evaluate", "--gold", str(gold), "--codebook", str(cb_path),
               "--no-training", "--json", str(out)]
        print(f"\n$ {' '.join(cmd[1:])}", flush=True)
        if subprocess.run(cmd, check=False).returncode == 0:
            rows.append((f"{name} q{part}", "zero_shot", json.loads(out.read_text(encoding="utf-8"))))
    return rows


def main() -> None:
    """Evaluate each benchmark set in both modes and print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS, help="benchmark sets to run")
    args = parser.parse_args()
    missing = [s for s in args.sets if not (BENCH / f"{s}_test.csv").exists()]
    if missing:
        sys.exit(f"{BENCH} lacks {', '.join(missing)}: run `python scripts/prepare_benchmarks.py` first.")
    rows = []
    for name in args.sets:
        for mode in ("codebook_only", "with_training"):
            result = evaluate(name, mode)
            if result:
                rows.append((name, mode, result))
    if "themefinder_gambling" in args.sets:
        rows += zero_shot_by_question()
    print(f"\n{'set':<22} {'mode':<14} {'n':>5} {'F1 samples':>10} {'F1 micro':>9} {'F1 macro':>9} {'stance acc':>10} {'stmts/s':>8}")
    for name, mode, r in rows:
        stance = "-" if r.get("stance_accuracy") is None else f"{r['stance_accuracy']:.3f}"
        print(f"{name:<22} {mode:<14} {r['n']:>5} {r['f1_samples']:>10.3f} {r['f1_micro']:>9.3f} "
              f"{r['f1_macro']:>9.3f} {stance:>10} {r['statements_per_second']:>8.0f}")


if __name__ == "__main__":
    main()
