"""Train the learned name model (issue 17) and measure it by leaving one training file out.

``python scripts/train_name_model.py`` trains a logistic regression on the candidates
(:mod:`pipeline.ingest.name_model`) of every file in ``name_model.training_files`` of
``config/redaction.yaml`` and writes its weights to ``name_model.file`` (a JSON file, the same bytes
on every run from the same files and settings).

``python scripts/train_name_model.py --lofo`` leaves each training file out in turn: it trains on
the others and scores the left-out file as ``scripts/evaluate_redaction.py`` does (NAME recall and
precision, hard negatives kept), without the model and with it at several thresholds, and prints the
worst file and the mean. Thresholds and feature groups are chosen on these figures, never on a
held-out set. ``--misses`` prints the left-out files' misses with the model (training files only).

Usage::

    python scripts/train_name_model.py [--lofo] [--thresholds 0.3,0.5] [--groups word,lists,...]
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import config  # noqa: E402
from pipeline.ingest.language import detect_languages  # noqa: E402
from pipeline.ingest.name_model import DEFAULT_MODEL, FEATURE_GROUPS, NameModel, candidates  # noqa: E402
from pipeline.ingest.redact import Redactor, _lay_out  # noqa: E402
from scripts.evaluate_redaction import _fmt, score  # noqa: E402 - scored and printed as make evaluate-redaction does

SETS = ROOT / "data" / "eval" / "redaction"
#: Files that must never be read here: the held-out sets the lead measures.
HELD_OUT = frozenset({"eval5.jsonl", "eval6.jsonl", "eval7.jsonl", "eval8.jsonl", "eval10.jsonl", "eval12.jsonl",
                      "eval13.jsonl"})


@dataclass
class Prepared:
    """One training file after the structured rules, the name rules and the NER (no model)."""

    name: str
    rows: list[dict]
    texts: list[str]  # rule-redacted
    spans: list[list]  # the rules' and the NER's NameSpans
    entities: list[list[tuple[int, int, str]] | None]
    gold: list[list[tuple[int, int]]]  # NAME items' character ranges in the rule-redacted text
    other: list[list[tuple[int, int]]]  # other personal items' ranges (left out of training)
    welsh_spans: dict = field(default_factory=dict)  # sentence detected as Welsh -> rules' spans read as Welsh (no NER)


def settings(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """The ``name_model`` settings with their defaults (the defaults live in config/redaction.yaml)."""
    return dict(cfg.get("name_model") or {})


def _ranges(text: str, item: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(rf"(?<![^\W_]){re.escape(item)}(?![^\W_])", text)]


def rules_only(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the configuration with the model switched off."""
    out = copy.deepcopy(dict(cfg))
    out["name_model"] = {**(out.get("name_model") or {}), "enabled": False}
    return out


def prepare(path: Path, redactor: Redactor, ner_everywhere: bool = False) -> Prepared:
    """Read a labelled file and run everything but the model on it (as English answers, as the scorer does).

    Raises:
        SystemExit: ``path`` is a held-out set.
    """
    if path.name in HELD_OUT:
        raise SystemExit(f"{path.name} is held out: never train or tune on it.")
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    texts = [redactor.apply_rules(r["text"])[0] for r in rows]
    spans, entities = redactor.rule_names(texts, ["en"] * len(texts), ner_everywhere)
    gold, other = [], []
    for r, t in zip(rows, texts, strict=True):
        g, o = [], []
        for item in r.get("pii", []):
            (g if item["kind"] == "NAME" else o).extend(_ranges(t, str(item["text"])))
        gold.append(g)
        other.append(o)
    languages = detect_languages([r["text"] for r in rows])
    cy = [i for i, lang in enumerate(languages) if lang == "cy"]
    cy_spans, _ = redactor.rule_names([texts[i] for i in cy], ["cy"] * len(cy), ner_everywhere) if cy else ([], [])
    return Prepared(path.name, rows, texts, spans, entities, gold, other, dict(zip(cy, cy_spans, strict=True)))


def examples(prep: Prepared, finder, groups: Sequence[str]) -> tuple[list[tuple[str, ...]], list[int]]:
    """Candidates' features and labels (1: part of a labelled name); words of other personal items are left out."""
    feats, labels = [], []
    for t, spans, ents, gold, other in zip(prep.texts, prep.spans, prep.entities, prep.gold, prep.other, strict=True):
        for c in candidates(finder, t, spans, ents, "en", groups):
            if any(a < c.end and c.start < b for a, b in other):
                continue
            feats.append(c.features)
            labels.append(int(any(a < c.end and c.start < b for a, b in gold)))
    return feats, labels


def fit(feats: Sequence[Sequence[str]], labels: Sequence[int], c_value: float, min_count: int,
        weights: Sequence[float] | None = None) -> dict[str, float]:
    """Logistic regression (L2, lbfgs, one thread: deterministic) on features seen at least ``min_count`` times.

    Returns:
        Feature -> weight, rounded to 6 decimals, sorted by name; ``bias`` holds the intercept.
    """
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    counts = Counter(f for fs in feats for f in set(fs))
    vocab = sorted(f for f, n in counts.items() if n >= min_count and f != "bias")
    index = {f: i for i, f in enumerate(vocab)}
    rows, cols = [], []
    for r, fs in enumerate(feats):
        for f in sorted(set(fs)):
            j = index.get(f)
            if j is not None:
                rows.append(r)
                cols.append(j)
    x = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(feats), len(vocab)))
    from threadpoolctl import threadpool_limits

    model = LogisticRegression(C=c_value, solver="lbfgs", max_iter=5000, tol=1e-8)
    # One BLAS thread: threaded sums add in an order that depends on the machine's load, which moved the
    # sixth decimal of a weight (seen: 0.646487 against 0.646482) and once the fourth. In one thread the
    # model file is the same byte for byte on every run.
    with threadpool_limits(1):
        model.fit(x, np.asarray(labels), sample_weight=None if weights is None else np.asarray(weights, dtype=float))
    weights = {"bias": round(float(model.intercept_[0]), 6)}
    for f, w in zip(vocab, model.coef_[0], strict=True):
        w = round(float(w), 6)
        if w != 0.0:
            weights[f] = w
    return dict(sorted(weights.items()))


def redacted_texts(prep: Prepared, finder, model: NameModel | None, welsh: str = "english") -> list[str]:
    """The file's sentences redacted with ``model`` (or without, ``None``).

    ``welsh`` says how a sentence detected as Welsh is read: ``english`` as an English one (rules, NER and
    model), ``rules`` as ingest reads Welsh (rules only), ``model`` (rules and the model, no NER).
    """
    out = []
    for i, (t, spans, ents) in enumerate(zip(prep.texts, prep.spans, prep.entities, strict=True)):
        if welsh != "english" and i in prep.welsh_spans:
            done = finder.complete(t, prep.welsh_spans[i], None, "cy", model=model if welsh == "model" else None)
        else:
            done = finder.complete(t, spans, ents, "en", model=model)
        out.append(_lay_out(t, done)[0])
    return out


def measure(prep: Prepared, finder, model: NameModel | None, welsh: str = "english") -> dict[str, Any]:
    """NAME recall and precision and hard negatives kept, as ``scripts/evaluate_redaction.py`` scores them."""
    res = score(prep.rows, redacted_texts(prep, finder, model, welsh))
    name = res["per_kind"].get("NAME", {})
    return {"recall": name.get("recall"), "precision": name.get("precision"), "partial": name.get("partial"),
            "hard_negatives": res["hard_negative_precision"], "items": name.get("items"), "misses": res["misses"]}


def train(preps: Sequence[Prepared], finder, groups: Sequence[str], c_value: float, min_count: int,
          file_weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """Weights trained on every file of ``preps`` (each file's examples weighted by ``file_weights``, default 1)."""
    feats: list[tuple[str, ...]] = []
    labels: list[int] = []
    weights: list[float] = []
    for p in preps:
        f, y = examples(p, finder, groups)
        feats += f
        labels += y
        weights += [float((file_weights or {}).get(p.name, 1.0))] * len(y)
    return fit(feats, labels, c_value, min_count, weights)


def model_file(weights: Mapping[str, float], groups: Sequence[str], opts: Mapping[str, Any], files: Sequence[str]) -> str:
    """The JSON text of a model file (stable: the same weights give the same bytes)."""
    data = {
        "about": "Logistic-regression weights of the learned name model (pipeline/ingest/name_model.py, issue 17); "
                 "written by scripts/train_name_model.py, do not edit by hand.",
        "training_files": list(files),
        "groups": list(groups),
        "C": opts["C"],
        "min_count": opts["min_count"],
        "file_weights": dict(opts.get("file_weights") or {}),
        "weights": dict(weights),
    }
    return json.dumps(data, indent=0, ensure_ascii=False, sort_keys=False) + "\n"


def lofo(preps: Sequence[Prepared], finder, groups: Sequence[str], opts: Mapping[str, Any], thresholds: Sequence[float],
         veto: float | None, show_misses: bool, welsh: str = "english", extra: Sequence[Prepared] = ()) -> dict[str, Any]:
    """Leave each file out in turn; print and return the figures without and with the model.

    ``extra`` files are always trained on and never left out, so that runs with and without candidate
    files score the same left-out files (``--extra``).
    """
    table: dict[str, dict[str, dict[str, Any]]] = {}
    for i, held in enumerate(preps):
        rest = [p for j, p in enumerate(preps) if j != i] + list(extra)
        weights = train(rest, finder, groups, opts["C"], opts["min_count"], opts["file_weights"])
        table[held.name] = {"rules": measure(held, finder, None, welsh)}
        for th in thresholds:
            m = NameModel(weights, tuple(groups), th, veto, frozenset(opts["veto_sources"]),
                          adjacent_threshold=opts.get("adjacent_threshold"),
                          veto_world_sources=frozenset(opts.get("veto_world_sources") or ()))
            table[held.name][f"{th:g}"] = measure(held, finder, m, welsh)
    keys = ["rules", *(f"{th:g}" for th in thresholds)]
    print(f"groups={','.join(groups)} C={opts['C']} min_count={opts['min_count']} veto_below={veto}")
    print(f"{'file':<16}{'setting':>9}{'items':>7}{'recall':>9}{'precision':>11}{'partial':>9}{'hard neg':>10}")
    for name, res in table.items():
        for k in keys:
            r = res[k]
            print(f"{name:<16}{k:>9}{r['items']:>7}{_fmt(r['recall']):>9}{_fmt(r['precision']):>11}{r['partial']:>9}"
                  f"{_fmt(r['hard_negatives']):>10}")
    summary = {}
    for k in keys:
        rec = [res[k]["recall"] for res in table.values()]
        pre = [res[k]["precision"] for res in table.values()]
        hn = [res[k]["hard_negatives"] for res in table.values()]
        summary[k] = {"recall_worst": min(rec), "recall_mean": sum(rec) / len(rec), "precision_worst": min(pre),
                      "precision_mean": sum(pre) / len(pre), "hard_worst": min(hn), "hard_mean": sum(hn) / len(hn)}
        s = summary[k]
        print(f"{'worst / mean':<16}{k:>9}{'':>7}  recall {_fmt(s['recall_worst'])} / {_fmt(s['recall_mean'])}"
              f"  precision {_fmt(s['precision_worst'])} / {_fmt(s['precision_mean'])}"
              f"  hard neg {_fmt(s['hard_worst'])} / {_fmt(s['hard_mean'])}")
    if show_misses:
        for name, res in table.items():
            k = keys[1] if len(keys) > 1 else "rules"
            for miss in res[k]["misses"]:
                print(name, json.dumps(miss, ensure_ascii=False))
    return {"per_file": {n: {k: {m: v for m, v in r.items() if m != "misses"} for k, r in res.items()}
                         for n, res in table.items()}, "summary": summary}


def main(argv: list[str] | None = None) -> int:
    """Train and write the model, or with ``--lofo`` print leave-one-file-out figures; exit 0."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lofo", action="store_true", help="leave each training file out and score it")
    ap.add_argument("--thresholds", default=None, help="comma-separated thresholds for --lofo (default: the config's)")
    ap.add_argument("--groups", default=None, help=f"feature groups (default: the config's; any of {','.join(FEATURE_GROUPS)})")
    ap.add_argument("--veto", type=float, default=None, help="veto_below for --lofo (default: the config's)")
    ap.add_argument("--adjacent", type=float, default=None,
                    help="adjacent_threshold for --lofo (default: the config's; negative: none)")
    ap.add_argument("--veto-world", default=None, help="veto_world_sources for --lofo (default: the config's; 'none': none)")
    ap.add_argument("--veto-sources", default=None, help="sources the veto may drop (default: the config's)")
    ap.add_argument("--ner-everywhere", type=int, default=None, help="1/0: NER labels for every candidate (default: config)")
    ap.add_argument("--file-weight", type=float, default=None, help="weight of --weighted-files' examples")
    ap.add_argument("--weighted-files", default=None, help="files --file-weight applies to")
    ap.add_argument("--C", type=float, default=None, help="inverse regularisation strength (default: the config's)")
    ap.add_argument("--files", default=None, help="comma-separated training files (default: the config's)")
    ap.add_argument("--extra", default="", help="with --lofo, comma-separated candidate files always trained on, never "
                                                "left out (weigh adding them against the same left-out files)")
    ap.add_argument("--misses", action="store_true", help="with --lofo, print the left-out files' misses")
    ap.add_argument("--out", type=Path, default=None, help="model file to write (default: the config's)")
    ap.add_argument("--json", type=Path, default=None, help="with --lofo, write the figures to this file")
    ap.add_argument("--welsh", choices=["english", "rules", "model"], default="english",
                    help="with --lofo, how a left-out sentence detected as Welsh is read: as English (rules, NER, model), "
                         "as ingest reads Welsh (rules only), or rules and the model")
    args = ap.parse_args(argv)

    cfg = config.load_yaml("redaction.yaml")
    opts = settings(cfg)
    groups = [g.strip() for g in (args.groups or ",".join(opts.get("features") or FEATURE_GROUPS)).split(",") if g.strip()]
    bad = sorted(set(groups) - set(FEATURE_GROUPS))
    if bad:
        raise SystemExit(f"unknown feature groups {bad}; choose from {', '.join(FEATURE_GROUPS)}")
    files = [f.strip() for f in (args.files or ",".join(opts.get("training_files") or [])).split(",") if f.strip()]
    sources = args.veto_sources.split(",") if args.veto_sources else opts["veto_sources"]
    adjacent = args.adjacent if args.adjacent is not None else opts.get("adjacent_threshold")
    opts = {"C": float(args.C if args.C is not None else opts["C"]), "min_count": int(opts["min_count"]),
            "adjacent_threshold": None if adjacent is None or adjacent < 0 else float(adjacent),
            "veto_world_sources": ([] if args.veto_world == "none" else args.veto_world.split(",")) if args.veto_world
            else list(opts.get("veto_world_sources") or []),
            "veto_sources": sources, "file_weights": dict(opts.get("file_weights") or {})}
    if args.file_weight is not None:
        opts["file_weights"] = {f: args.file_weight for f in (args.weighted_files or "train1.jsonl,train2.jsonl").split(",")}
    missing = [f for f in files if not (SETS / f).exists()]
    if missing:
        print(f"training files not found (left out): {', '.join(missing)}", file=sys.stderr)
    files = [f for f in files if f not in missing]
    if not files:
        raise SystemExit("no training files: set name_model.training_files in config/redaction.yaml")
    if args.welsh == "model":  # the finder runs the model on the languages name_model.languages names
        cfg = {**cfg, "name_model": {**cfg["name_model"], "languages": sorted({*cfg["name_model"].get("languages", []), "cy"})}}
    t0 = time.perf_counter()
    # a model without NER features learns from what the rules alone find (NER spans would be candidates' sources)
    redactor = Redactor(rules_only(cfg), use_ner="ner" in groups)
    everywhere = bool(args.ner_everywhere if args.ner_everywhere is not None else cfg["name_model"].get("ner_everywhere"))
    preps = [prepare(SETS / f, redactor, everywhere) for f in files]
    extra = [f.strip() for f in args.extra.split(",") if f.strip()]
    extra_preps = [prepare(SETS / f, redactor, everywhere) for f in extra]
    finder = redactor.names
    print(f"prepared {len(files)} files in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if args.lofo:
        ths = [float(x) for x in (args.thresholds or str(cfg["name_model"].get("threshold", 0.5))).split(",")]
        veto = args.veto if args.veto is not None else (cfg.get("name_model") or {}).get("veto_below")
        res = lofo(preps, finder, groups, opts, ths, veto, args.misses, args.welsh, extra_preps)
        if args.json:
            args.json.write_text(json.dumps(res, indent=2), encoding="utf-8")
        return 0
    weights = train(preps, finder, groups, opts["C"], opts["min_count"], opts["file_weights"])
    out = args.out or Path((cfg.get("name_model") or {}).get("file") or DEFAULT_MODEL)
    out = out if out.is_absolute() else ROOT / out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(model_file(weights, groups, opts, files), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: {len(weights)} weights from "
          f"{', '.join(files)} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
