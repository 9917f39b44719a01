"""Measure the emergent themes and the plan check on consultations with a known answer key.

An evaluation consultation is a folder with

* ``answers.csv``: ``answer_id, organisation, cohort, police_force_area, question, participant, text,
  subject_id`` (``subject_id`` empty for answers on no planted subject);
* ``plan.md``: the draft plan (``## Priority area N: ...`` headings, ``N.M We will ...`` actions);
* ``key.csv``: ``subject_id, name, key_words`` (``;``-separated), ``status`` (``gap`` or
  ``answered``), ``answering_action``, ``description``.

For each folder the script writes a raw consultation as an analyst would receive it
(``data/raw/eval_<name>/``: one CSV return per organisation, a row per answer with its participant,
cohort and police force area, a ``returns.csv`` manifest, the plan in ``plans/``), runs
``ingest -> code -> topics -> plan-check`` on it, and reports

* **theme recall**: the planted subjects that appear as their own theme: a theme (of the author's
  level) whose statements are mostly that subject (plurality among the planted subjects'
  statements in it), and whose name or description carries at least one of the subject's key
  words (``recall_any_key_word``) or at least half of them (``recall_half_key_words``);
* **purity**: per theme, the share of its keyed statements that belong to its plurality subject
  (statements of answers on no planted subject are left out), and the size-weighted mean;
* **statuses**: each planted subject's plan-check row (its own theme if it has one, else the theme
  holding most of its statements): recall of "not addressed" over planted gaps, the share of
  answered subjects read "addressed", and the precision of "not addressed" over the rows so marked
  whose plurality subject is planted. Rows marked "not addressed" that are not a planted gap are
  written to ``blind_reader.csv`` (the theme, its statements and the draft's actions) for a person to
  judge whether each is a real gap.

``--sample`` measures the bundled sample instead: its key is rebuilt from the sentence bank that
``scripts/make_sample.py`` composed the answers from (the four planted emergent subjects), and both
drafts are scored (draft 1 through plan-check's comparison with draft 2).

Usage::

    python scripts/eval_plancheck.py /work/eval_drafts/consult/X1 /work/eval_drafts/consult/X2
    python scripts/eval_plancheck.py --sample
    make evaluate-plancheck EVAL_CONSULTATIONS="data/eval/consultations/X1 data/eval/consultations/X2"

Results go to ``data/processed/eval_<name>/evaluation_plancheck.json`` and are printed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
QUESTION_COLUMNS = {"listened": "Q1", "interpreted": "Q2", "solutions": "Q3", "other": "Q4"}
#: The sample's planted emergent subjects (scripts/make_sample.py BANK) and the key words of each.
SAMPLE_SUBJECTS = {
    "INTERP": ("Interpreters and language access", "interpreter;language;translate"),
    "SITES": ("Gypsy/Traveller sites and evictions", "site;eviction;traveller"),
    "ONLINE": ("Online racist abuse on social media", "online;social media;abuse"),
    "MENTAL": ("Mental health and trauma support", "mental health;trauma;counselling"),
}
#: Their status in each sample draft: draft 2 adds an interpreters action (6.4) and a mental health one (7.4).
SAMPLE_STATUS = {
    "draft_plan_v1": {"INTERP": "gap", "SITES": "gap", "ONLINE": "gap", "MENTAL": "gap"},
    "draft_plan_v2": {"INTERP": "answered", "SITES": "gap", "ONLINE": "gap", "MENTAL": "answered"},
}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_") or "unnamed"


# ------------------------------------------------------------------------------------------ preparing
def prepare(folder: Path, raw: Path) -> pd.DataFrame:
    """Write ``folder`` as a raw consultation in ``raw``; return the answers with their file and row."""
    answers = pd.read_csv(folder / "answers.csv", dtype=str, keep_default_na=False)
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "plans").mkdir(exist_ok=True)
    (raw / "plans" / "plan.md").write_text((folder / "plan.md").read_text(encoding="utf-8"), encoding="utf-8")
    manifest, located = [], []
    for org, group in answers.groupby("organisation", sort=True):
        name = f"{slug(org)}.csv"
        rows = []
        for i, a in enumerate(group.itertuples(index=False)):
            row = {"Participant": a.participant, "Cohort": a.cohort, "Police force area": a.police_force_area}
            row.update({col: "" for col in QUESTION_COLUMNS.values()})
            row[QUESTION_COLUMNS.get(a.question, "Q4")] = a.text
            rows.append(row)
            # row 1 is the header, so the i-th answer is on row i + 2
            located.append({"answer_id": a.answer_id, "source_file": name, "row": i + 2})
        pd.DataFrame(rows).to_csv(raw / name, index=False, encoding="utf-8")
        cohorts = sorted({c for c in group["cohort"] if c})
        areas = sorted({c for c in group["police_force_area"] if c})
        manifest.append({"file": name, "organisation": org, "cohort": ";".join(cohorts),
                         "police_force_area": ";".join(areas), "engagement_method": "survey",
                         "n_participants": group["participant"].nunique(), "language": "en", "date_received": ""})
    pd.DataFrame(manifest).to_csv(raw / "returns.csv", index=False, encoding="utf-8")
    return answers.merge(pd.DataFrame(located), on="answer_id", how="left")


STAGES = ("ingest", "code", "topics", "plan-check")
#: ``["--config", DIR]`` when the stages should read another config folder (``--config``).
CONFIG_ARGS: list[str] = []


def run_stages(raw: Path, out: Path, reports: Path, plan: Path | None = None, first: str = "ingest") -> float:
    """Run ingest, code, topics and plan-check (from ``first`` on) as ``make`` would; return the seconds taken."""
    start = time.perf_counter()
    paths = ["--raw", str(raw), "--out", str(out), "--reports", str(reports)]
    for stage in STAGES[STAGES.index(first):]:
        extra = ["--plan", str(plan)] if (stage == "plan-check" and plan is not None) else []
        done = subprocess.run([sys.executable, "-m", "pipeline", stage, *paths, *extra, *CONFIG_ARGS], cwd=ROOT,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{stage} failed on {raw}:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


# ------------------------------------------------------------------------------------------ keys
def statement_subjects(out: Path, answers: pd.DataFrame) -> pd.DataFrame:
    """Each statement with the ``subject_id`` of the answer it came from ("" for none)."""
    responses = pd.read_parquet(out / "responses.parquet")
    statements = pd.read_parquet(out / "statements.parquet")
    responses = responses.assign(row=responses["source_location"].str.extract(r"row=(\d+)")[0].astype(float))
    key = answers.dropna(subset=["row"])[["source_file", "row", "subject_id"]].astype({"row": float})
    responses = responses.merge(key, on=["source_file", "row"], how="left")
    st = statements.merge(responses[["response_id", "subject_id"]], on="response_id", how="left")
    return st.assign(subject_id=st["subject_id"].fillna(""))


def sample_subjects(out: Path) -> pd.DataFrame:
    """The sample's statements with the planted emergent subject whose bank sentence they hold."""
    from rapidfuzz import fuzz, process

    sys.path.insert(0, str(ROOT / "scripts"))
    import make_sample  # noqa: PLC0415 - the sample's own generator holds the key

    sentences, subjects = [], []
    for subject, kinds in make_sample.PARSED.items():
        for items in kinds.values():
            for _tags, text in items:
                sentences.append(re.sub(r"\{\w+\}", "", text).lower())
                subjects.append(subject)
    st = pd.read_parquet(out / "statements.parquet")
    found = []
    for text in st["text"].astype(str).str.lower():
        m = process.extractOne(text, sentences, scorer=fuzz.partial_ratio, score_cutoff=85) if len(text) > 15 else None
        subject = subjects[m[2]] if m else ""
        found.append(subject if subject in SAMPLE_SUBJECTS else "")
    return st.assign(subject_id=found)


# ------------------------------------------------------------------------------------------ scoring
def _stems(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", str(text).lower())
    return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words}


def carries(text: str, key_word: str) -> bool:
    """Whether ``text`` holds the key word (every word of it, plural or singular, as a word stem prefix)."""
    have = _stems(text)
    return all(any(h.startswith(k[: max(4, len(k) - 2)]) for h in have) for k in _stems(key_word))


def score(st: pd.DataFrame, topics: pd.DataFrame, statement_topics: pd.DataFrame, coverage: pd.DataFrame,
          key: pd.DataFrame, status_col: str = "status") -> dict:
    """The figures of the module docstring for one consultation and one draft."""
    voiced = st[st["speaker"] == "participant"][["statement_id", "subject_id", "text"]]
    m = statement_topics.merge(voiced, on="statement_id", how="inner")
    planted = set(key["subject_id"])
    keyed = m[m["subject_id"].isin(planted)]
    themes = topics.set_index("topic")
    plurality, purity_rows = {}, []
    for t, g in keyed.groupby("topic"):
        if t == -1:
            continue
        counts = g["subject_id"].value_counts()
        plurality[t] = counts.index[0]
        purity_rows.append({"topic": int(t), "name": themes.loc[t, "name"], "n_keyed": int(len(g)),
                            "plurality_subject": counts.index[0], "purity": round(float(counts.iloc[0] / len(g)), 4)})
    purity = pd.DataFrame(purity_rows)
    weighted_purity = float((purity["purity"] * purity["n_keyed"]).sum() / purity["n_keyed"].sum()) if len(purity) else 0.0
    by_theme = coverage.set_index("theme_id")
    subjects = []
    for k in key.itertuples(index=False):
        words = [w.strip() for w in str(k.key_words).split(";") if w.strip()]
        own = [t for t, s in plurality.items() if s == k.subject_id]
        named_any, named_half, best = None, None, None
        for t in sorted(own, key=lambda t: -int(((keyed["topic"] == t) & (keyed["subject_id"] == k.subject_id)).sum())):
            text = f"{themes.loc[t, 'name']} {themes.loc[t, 'description']}"
            n_hit = sum(carries(text, w) for w in words)
            if n_hit and named_any is None:
                named_any = t
            if words and n_hit >= len(words) / 2 and named_half is None:
                named_half = t
        mine = keyed[keyed["subject_id"] == k.subject_id]
        holder = named_any if named_any is not None else (own[0] if own else (
            int(mine["topic"].value_counts().index[0]) if len(mine) else None))
        best = holder
        row = by_theme.loc[f"topic:{best}"] if best is not None and f"topic:{best}" in by_theme.index else None
        subjects.append({
            "subject_id": k.subject_id, "name": k.name, "key_words": k.key_words, "planted_status": getattr(k, status_col),
            "n_statements": int(len(mine)), "own_theme": own[0] if own else None,
            "named_any_key_word": named_any is not None, "named_half_key_words": named_half is not None,
            "theme": int(best) if best is not None else None,
            "theme_name": themes.loc[best, "name"] if best is not None and best in themes.index else "",
            "theme_share_of_subject": round(float((mine["topic"] == best).mean()), 4) if len(mine) and best is not None else 0.0,
            "plan_check_status": row["status"] if row is not None else "no row",
            "closest_action": row.get("closest_action", "") if row is not None else "",
        })
    subj = pd.DataFrame(subjects)
    gaps = subj[subj["planted_status"] == "gap"]
    answered = subj[subj["planted_status"] == "answered"]
    not_addr = coverage[coverage["status"] == "not addressed"]
    gap_themes = {f"topic:{t}" for t, s in plurality.items()
                  if s in set(key.loc[key[status_col] == "gap", "subject_id"])}
    tp = not_addr["theme_id"].isin(gap_themes)
    return {
        "n_statements": int(len(voiced)), "n_keyed_statements": int(voiced["subject_id"].isin(planted).sum()),
        "n_themes": int((topics["topic"] != -1).sum()),
        "theme_recall_any_key_word": round(float(subj["named_any_key_word"].mean()), 4),
        "theme_recall_half_key_words": round(float(subj["named_half_key_words"].mean()), 4),
        "purity_weighted": round(weighted_purity, 4),
        "gap_recall_not_addressed": round(float((gaps["plan_check_status"] == "not addressed").mean()), 4) if len(gaps) else None,
        "answered_read_addressed": round(float((answered["plan_check_status"] == "addressed").mean()), 4) if len(answered) else None,
        "n_rows_not_addressed": int(len(not_addr)), "n_rows_not_addressed_planted_gap": int(tp.sum()),
        "precision_not_addressed_planted_only": round(float(tp.mean()), 4) if len(not_addr) else None,
        "subjects": subj.to_dict("records"), "purity": purity.to_dict("records"),
        "not_addressed_other": not_addr.loc[~tp, "theme_id"].tolist(),
    }


def blind_reader_rows(coverage: pd.DataFrame, theme_ids: list[str], statement_topics: pd.DataFrame, st: pd.DataFrame,
                      plan_text: str, consultation: str) -> pd.DataFrame:
    """What a blind reader needs to judge each "not addressed" row that is not a planted gap.

    ``plan_text`` names the draft the reader reads beside the rows (its path).
    """
    text_of = dict(zip(st["statement_id"], st["text"].astype(str), strict=True))
    rows = []
    for tid in theme_ids:
        row = coverage.set_index("theme_id").loc[tid]
        ids = []
        if tid.startswith("topic:"):
            ids = statement_topics.loc[statement_topics["topic"] == int(tid.split(":")[1]), "statement_id"].tolist()
        rows.append({"consultation": consultation, "draft_plan": plan_text, "theme_id": tid, "theme": row["theme"],
                     "statements": " || ".join(text_of[s] for s in ids[:15] if s in text_of),
                     "closest_action": row.get("closest_action", ""), "judgement (real gap? yes/no)": ""})
    return pd.DataFrame(rows)


def theme_similarity(out: Path) -> float | None:
    """The highest cosine similarity between two of the author's themes (from the cached embeddings)."""
    from pipeline.nlp.embed import Embedder
    from pipeline.topics.stage import max_pairwise_similarity

    st = pd.read_parquet(out / "statement_topics.parquet").merge(
        pd.read_parquet(out / "statements.parquet")[["statement_id", "text"]], on="statement_id")
    st = st[st["topic"] != -1]
    return max_pairwise_similarity(st["topic"].to_numpy(), Embedder(cache_dir=out).encode(st["text"].tolist()))


def evaluate_folder(folder: Path, first: str = "ingest") -> dict:
    name = folder.name
    raw, out, reports = ROOT / "data/raw" / f"eval_{name}", ROOT / "data/processed" / f"eval_{name}", ROOT / "reports" / f"eval_{name}"
    answers = prepare(folder, raw)
    seconds = run_stages(raw, out, reports, raw / "plans" / "plan.md", first=first)
    key = pd.read_csv(folder / "key.csv", dtype=str, keep_default_na=False)
    st = statement_subjects(out, answers)
    result = score(st, pd.read_parquet(out / "topics.parquet"), pd.read_parquet(out / "statement_topics.parquet"),
                   pd.read_parquet(out / "plan_check" / "theme_coverage.parquet"), key)
    result.update({"consultation": name, "seconds": round(seconds, 1), "n_answers": int(len(answers)),
                   "max_theme_similarity": theme_similarity(out)})
    blind = blind_reader_rows(pd.read_parquet(out / "plan_check" / "theme_coverage.parquet"), result["not_addressed_other"],
                              pd.read_parquet(out / "statement_topics.parquet"), st, str(folder / "plan.md"), name)
    blind.to_csv(out / "blind_reader.csv", index=False, encoding="utf-8-sig")
    (out / "evaluation_plancheck.json").write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return result


def evaluate_sample(first: str = "ingest") -> list[dict]:
    raw, out, reports = ROOT / "data/raw/sample", ROOT / "data/processed/sample", ROOT / "reports/sample"
    seconds = run_stages(raw, out, reports, first=first)
    st = sample_subjects(out)
    coverage = pd.read_parquet(out / "plan_check" / "theme_coverage.parquet")
    comparison = pd.read_parquet(out / "plan_check" / "comparison.parquet")
    previous = coverage[["theme_id"]].merge(comparison[["theme_id", "status_previous"]], on="theme_id", how="left")
    previous = coverage.assign(status=previous["status_previous"].to_numpy())
    results = []
    for draft, cov in (("draft_plan_v2", coverage), ("draft_plan_v1", previous)):
        key = pd.DataFrame([{"subject_id": s, "name": n, "key_words": k, "status": SAMPLE_STATUS[draft][s]}
                            for s, (n, k) in SAMPLE_SUBJECTS.items()])
        r = score(st, pd.read_parquet(out / "topics.parquet"), pd.read_parquet(out / "statement_topics.parquet"), cov, key)
        r.update({"consultation": f"sample/{draft}", "seconds": round(seconds, 1),
                  "max_theme_similarity": theme_similarity(out)})
        results.append(r)
    (out / "evaluation_plancheck.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return results


def summary_line(r: dict) -> str:
    return (f"{r['consultation']}: {r['n_themes']} themes; theme recall (any key word) {r['theme_recall_any_key_word']}, "
            f"(half the key words) {r['theme_recall_half_key_words']}; purity {r['purity_weighted']}; "
            f"gaps read 'not addressed' {r['gap_recall_not_addressed']}; answered read 'addressed' "
            f"{r['answered_read_addressed']}; 'not addressed' rows {r['n_rows_not_addressed']}, of which planted gaps "
            f"{r['n_rows_not_addressed_planted_gap']} (precision before the blind reader "
            f"{r['precision_not_addressed_planted_only']}); most similar two themes {r.get('max_theme_similarity')}; "
            f"{r.get('seconds')} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, help="evaluation consultations (answers.csv, plan.md, key.csv)")
    parser.add_argument("--sample", action="store_true", help="measure the bundled sample (key rebuilt from its bank)")
    parser.add_argument("--from-stage", choices=STAGES, default="ingest",
                        help="start from this stage (the earlier outputs are reused)")
    parser.add_argument("--config", type=Path, help="config folder the stages read (default: config/)")
    args = parser.parse_args(argv)
    if args.config:
        CONFIG_ARGS[:] = ["--config", str(args.config.resolve())]
    if not args.folders and not args.sample:
        parser.error("name at least one folder, or --sample")
    results = evaluate_sample(args.from_stage) if args.sample else []
    for folder in args.folders:
        results.append(evaluate_folder(folder, args.from_stage))
    for r in results:
        print(summary_line(r))
        for s in r["subjects"]:
            print(f"   {s['subject_id']:>8} {s['planted_status']:8} -> {s['plan_check_status']:16} own theme: "
                  f"{s['own_theme']!s:4} named: {s['named_any_key_word']!s:5} | {s['theme_name'][:70]}")
    folders = [r for r in results if not r["consultation"].startswith("sample/")]
    if len(folders) > 1:
        gaps = sum(sum(s["planted_status"] == "gap" for s in r["subjects"]) for r in folders)
        found = sum(sum(s["planted_status"] == "gap" and s["plan_check_status"] == "not addressed" for s in r["subjects"])
                    for r in folders)
        rows = sum(r["n_rows_not_addressed"] for r in folders)
        tp = sum(r["n_rows_not_addressed_planted_gap"] for r in folders)
        print(f"all folders: recall of 'not addressed' {found}/{gaps} = {found / max(gaps, 1):.3f}; precision before the "
              f"blind reader {tp}/{rows} = {tp / max(rows, 1):.3f} (the other rows are in each blind_reader.csv)")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
