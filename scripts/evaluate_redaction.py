"""Measure redaction on a labelled sentence set (``make evaluate-redaction``).

Each line of the set is a JSON object ``{"id", "text", "pii": [{"text", "kind"}], "keep": [...]}``
(kinds NAME, HANDLE, EMAIL, PHONE, POSTCODE, PRISON_NUMBER, DATE_OF_BIRTH, NI_NUMBER, ADDRESS).
The sentences are redacted as English answers by :func:`pipeline.ingest.redact.redact` (the NER on,
as ingest runs it), then:

- **recall per kind**: a personal item is caught when none of its words is left in the redacted
  sentence (words of three letters or more, case-sensitive as labelled) more often than the sentence
  holds it outside its personal items. A name with some words left
  and some replaced is a **partial** redaction (a miss; "[NAME]Connor" would be one).
- **precision per kind**: placeholders of that kind that stand for a labelled item, out of all the
  placeholders of that kind inserted (an item written twice in a sentence counts twice).
- **hard-negative precision**: the share of ``keep`` items (places, organisations, prisons, forces,
  public figures, days and months) left intact.

With ``--quasi FILE`` it also scores :func:`pipeline.quasi.screen_quote` on quasi-identifier fixtures
(``{"id", "text", "quasi_identifier": true|false, "why"}``): a flagged quote is one the screen
withholds or cuts. ``--misses`` prints what was missed (use it on the development set only).

Usage::

    python scripts/evaluate_redaction.py data/eval/redaction/eval.jsonl [--quasi data/eval/redaction/quasi.jsonl]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import config  # noqa: E402
from pipeline.ingest.language import add_language  # noqa: E402
from pipeline.ingest.redact import redact  # noqa: E402

#: The set's kinds -> the placeholder ingest writes.
PLACEHOLDER_OF = {"DATE_OF_BIRTH": "DOB"}
STRUCTURED = ("EMAIL", "PHONE", "POSTCODE", "PRISON_NUMBER", "DATE_OF_BIRTH", "NI_NUMBER", "ADDRESS")


def load(path: Path) -> list[dict]:
    """Read a JSON-lines set, skipping blank lines."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W_]+(?:['\u2019\-][^\W_]+)*", text) if len(w) >= 3 or any(c.isdigit() for c in w)]


def _count(word: str, text: str, ignore_case: bool) -> int:
    flags = re.I if ignore_case else 0
    return len(re.findall(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", text, flags))


def _occurrences(item: str, text: str) -> int:
    return max(1, len(re.findall(re.escape(item), text)))


def score(rows: list[dict], redacted: list[str]) -> dict:
    """Recall, precision, partial names and hard-negative precision (see the module docstring)."""
    gold = Counter()
    caught = Counter()
    partial = Counter()
    tp = Counter()
    predicted = Counter()
    keep_total = keep_ok = 0
    misses: list[dict] = []
    for row, red in zip(rows, redacted, strict=True):
        text = row["text"]
        keeps = [str(k) for k in row.get("keep", [])]
        by_kind = Counter()
        for item in row.get("pii", []):
            kind = item["kind"]
            value = str(item["text"])
            n = _occurrences(value, text)
            gold[kind] += n
            parts = _words(value) or [value]
            left = []
            for w in parts:
                # case-sensitive, as the sets are written: "Hope said there's no hope" labels only "Hope".
                # The word may stay as often as the sentence has it outside its personal items ("probation"
                # in "(probation, Wrexham) - callum.sinclair.probation@gmail.com" is the role, not the email).
                outside = _count(w, text, False) - sum(
                    _count(w, str(p["text"]), False) * _occurrences(str(p["text"]), text) for p in row["pii"])
                if _count(w, red, False) > max(outside, 0):
                    left.append(w)
            if not left:
                caught[kind] += n
                by_kind[PLACEHOLDER_OF.get(kind, kind)] += n
            else:
                if len(left) < len(parts):
                    partial[kind] += n
                misses.append({"id": row.get("id"), "kind": kind, "item": value, "left": left, "redacted": red})
        for ph in re.findall(r"\[([A-Z_]+)\]", red):
            predicted[ph] += 1
        for ph, n in by_kind.items():
            tp[ph] += n
        for k in keeps:
            keep_total += 1
            if _count(k, red, False) >= _count(k, text, False):
                keep_ok += 1
            else:
                misses.append({"id": row.get("id"), "kind": "KEEP", "item": k, "left": [], "redacted": red})
    kinds = sorted(gold)
    per_kind = {}
    for kind in kinds:
        ph = PLACEHOLDER_OF.get(kind, kind)
        per_kind[kind] = {
            "items": gold[kind],
            "recall": caught[kind] / gold[kind] if gold[kind] else None,
            "partial": partial[kind],
            "precision": min(tp[ph], predicted[ph]) / predicted[ph] if predicted[ph] else None,
        }
    structured = [k for k in kinds if k in STRUCTURED]
    s_gold = sum(gold[k] for k in structured)
    return {
        "sentences": len(rows),
        "per_kind": per_kind,
        "structured_recall": sum(caught[k] for k in structured) / s_gold if s_gold else None,
        "hard_negatives": keep_total,
        "hard_negative_precision": keep_ok / keep_total if keep_total else None,
        "misses": misses,
    }


def score_quasi(rows: list[dict]) -> dict:
    """Share of quasi-identifier fixtures the screen withholds or cuts, and of clean ones it leaves."""
    from pipeline.quasi import screen_quote

    cfg = config.load_yaml("redaction.yaml").get("quasi_identifiers", {})
    tp = fn = fp = tn = 0
    misses = []
    for row in rows:
        decision = screen_quote(str(row["text"]), cfg)
        flagged = decision.action != "keep"
        if row["quasi_identifier"] and flagged:
            tp += 1
        elif row["quasi_identifier"]:
            fn += 1
            misses.append({"id": row.get("id"), "kind": "QUASI missed", "text": row["text"]})
        elif flagged:
            fp += 1
            misses.append({"id": row.get("id"), "kind": "QUASI over-flagged", "text": row["text"], "reason": decision.reason})
        else:
            tn += 1
    return {
        "quotes": len(rows),
        "recall": tp / (tp + fn) if tp + fn else None,
        "precision": tp / (tp + fp) if tp + fp else None,
        "clean_kept": tn / (tn + fp) if tn + fp else None,
        "misses": misses,
    }


def _fmt(x) -> str:
    return "  n/a" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    """Print the figures; exit 0."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("set", type=Path, help="JSON-lines sentence set")
    ap.add_argument("--quasi", type=Path, default=None, help="JSON-lines quasi-identifier fixtures")
    ap.add_argument("--no-ner", action="store_true", help="no spaCy NER (whatever spacy_ner in config/redaction.yaml says)")
    ap.add_argument("--ner", action="store_true", help="with spaCy's NER (as spacy_ner: true in config/redaction.yaml)")
    ap.add_argument("--no-model", action="store_true",
                    help="without the learned name model (as name_model.enabled: false in config/redaction.yaml)")
    ap.add_argument("--all-english", action="store_true",
                    help="redact every sentence as English (before 2026-12-01 the figures were measured so)")
    ap.add_argument("--misses", action="store_true", help="print every miss (development set only)")
    ap.add_argument("--json", type=Path, default=None, help="write the figures to this file")
    args = ap.parse_args(argv)

    rows = load(args.set)
    cfg = config.load_yaml("redaction.yaml")
    if args.no_model:
        cfg = {**cfg, "name_model": {**(cfg.get("name_model") or {}), "enabled": False}}
    if args.ner:
        cfg = {**cfg, "spacy_ner": True}
    model_on = bool((cfg.get("name_model") or {}).get("enabled"))
    ner_on = not args.no_ner and bool(cfg.get("spacy_ner"))
    t0 = time.perf_counter()
    df = pd.DataFrame({"text": [r["text"] for r in rows]})
    # as ingest does: each sentence's language is detected first, and a Welsh one is redacted as Welsh
    # (no NER, no learned model); --all-english redacts every sentence as English
    df = df.assign(language="en") if args.all_english else add_language(df)
    redacted = redact(df, cfg, use_ner=not args.no_ner)["text"].tolist()
    seconds = time.perf_counter() - t0
    res = score(rows, redacted)
    res["seconds"] = round(seconds, 2)
    res["name_model"] = model_on
    res["spacy_ner"] = ner_on
    res["welsh_sentences"] = int((df["language"] == "cy").sum())
    print(f"Redaction on {args.set} ({res['sentences']} sentences, {seconds:.1f} s, NER {'on' if ner_on else 'off'}, "
          f"name model {'on' if model_on else 'off'}; {res['welsh_sentences']} read as Welsh"
          f"{', every sentence redacted as English' if args.all_english else ''})")
    print(f"{'kind':<15}{'items':>7}{'recall':>9}{'precision':>11}{'partial':>9}")
    for kind, m in res["per_kind"].items():
        print(f"{kind:<15}{m['items']:>7}{_fmt(m['recall']):>9}{_fmt(m['precision']):>11}{m['partial']:>9}")
    print(f"structured kinds recall: {_fmt(res['structured_recall'])}")
    print(f"hard negatives kept: {_fmt(res['hard_negative_precision'])} of {res['hard_negatives']}")
    if args.quasi:
        q = score_quasi(load(args.quasi))
        res["quasi"] = q
        print(f"quasi-identifier screen on {args.quasi} ({q['quotes']} quotes): recall {_fmt(q['recall'])}, "
              f"precision {_fmt(q['precision'])}, clean quotes kept {_fmt(q['clean_kept'])}")
    if args.misses:
        for m in res["misses"] + res.get("quasi", {}).get("misses", []):
            print(json.dumps(m, ensure_ascii=False))
    if args.json:
        out = {k: v for k, v in res.items() if k != "misses"}
        if "quasi" in out:
            out["quasi"] = {k: v for k, v in out["quasi"].items() if k != "misses"}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
