"""Benchmark of the topics stage: time and peak memory at 1,000, 10,000 and 100,000 statements.

Run::

    python -m pipeline.topics.bench                      # sizes 1000 10000 100000
    python -m pipeline.topics.bench --sizes 1000 10000   # fewer sizes

The statements are SYNTHETIC, and the output says so. Embedding 100,000 real statements would take
about 14 minutes on two cores, so the benchmark embeds a few hundred distinct template sentences
once (openings x endings over priority-area and off-plan themes; cached in
``data/processed/_bench/embeddings/`` like any consultation, so a rerun embeds nothing) and gives
each synthetic statement its template's embedding plus small random noise, renormalised (cosine
similarity to the template about 0.96), which mimics near-paraphrases. The stage itself then runs
exactly as ``python -m pipeline topics`` does (same settings, codebook, zero-shot topics, KeyBERT
keywords, outlier reduction, tables and schema checks).

Each size runs in its own subprocess, so the peak resident memory (``resource.getrusage``,
``ru_maxrss``) is that size's alone; the time reported is the wall time of
:func:`pipeline.topics.stage.model_topics` (imports and the model load are reported separately).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from itertools import product
from pathlib import Path

from pipeline import config

BENCH_DIR = config.PROCESSED_DIR / "_bench"
NOISE = 0.3  # norm of the noise added to a template's unit embedding (cosine to it ~0.96)

THEMES = {
    "racism": (["The staff were openly racist to us", "Racist abuse from officers", "Hate crime against our community",
                "Racial slurs on the wing", "Discrimination by the guards"],
               ["and nothing was done.", "is never challenged.", "happens every week.", "gets ignored.", "is normal here."]),
    "workforce": (["There are no Black officers", "None of the staff look like us", "The leaders are all white",
                   "Recruit people from our community", "We need role models"],
                  ["in youth justice.", "in the prisons.", "in the courts.", "so we can trust them.", "at every level."]),
    "stopsearch": (["My son is stopped and searched", "Black lads are stopped and searched", "We get pulled over",
                    "Officers search us", "Asian boys are stopped"],
                   ["every week.", "for no reason.", "more than white kids.", "on the way to school.", "because of our skin."]),
    "prevention": (["Youth clubs would keep kids", "Mentoring would keep young people", "Sport and boxing would keep children",
                    "Early help would keep families", "Staying in school would keep kids"],
                   ["out of trouble.", "away from gangs.", "out of county lines.", "away from crime.", "safe."]),
    "listened": (["Nobody came back to tell us", "We were never asked", "They did not listen to us",
                  "The consultation ignored us", "Nothing changed after we spoke"],
                 ["about the plan.", "again this year.", "like always.", "about what happened.", "at all."]),
    "interpreters": (["There was no interpreter in custody", "I waited hours for an interpreter", "My son had to translate for me",
                      "Nobody explained my rights in my language", "They used a phone app to interpret"],
                     ["at the station.", "after my arrest.", "in the cell.", "when I was booked in.", "so I signed blind."]),
    "evictions": (["We were evicted from the site", "The council moved our caravans", "There are no pitches",
                   "The police moved us on", "Our trailers were towed"],
                  ["with nowhere to go.", "in the middle of winter.", "again last month.", "with no notice.", "from the roadside."]),
    "online": (["People send us abuse online", "Racist messages on Instagram", "Hate posts on TikTok",
                "Trolls target our community", "Abusive comments on Facebook"],
               ["every day.", "are never removed.", "are not investigated.", "scare our children.", "keep coming."]),
}
ORGANISATIONS = [f"Organisation {c}" for c in "ABCDEFGHIJ"]
COHORTS = ["prison", "youth_justice", "looked_after_children", "serious_violence", "schools", "gypsy_roma_traveller",
           "asylum_seekers", "community"]
AREAS = ["Dyfed-Powys", "Gwent", "North Wales", "South Wales"]


def templates() -> list[str]:
    """The distinct template sentences (200: 8 themes x 25)."""
    return [f"{o} {e}" for openings, endings in THEMES.values() for o, e in product(openings, endings)]


def synthetic_statements(n: int, base: np.ndarray, seed: int = 42):  # noqa: F821 - numpy imported lazily
    """``n`` synthetic statements and embeddings built from the templates and their embeddings."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    texts = templates()
    pick = rng.integers(0, len(texts), size=n)
    noise = rng.normal(size=(n, base.shape[1])).astype(np.float32) * (NOISE / np.sqrt(base.shape[1]))
    emb = base[pick] + noise
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    df = pd.DataFrame({
        "statement_id": [f"R{i:012x}-S01" for i in range(n)],
        "organisation": rng.choice(ORGANISATIONS, size=n),
        "cohort": rng.choice(COHORTS, size=n),
        "police_force_area": rng.choice(AREAS, size=n),
        "speaker": "participant",
        "text": [texts[i] for i in pick],
    })
    return df, emb.astype(np.float32)


def _worker(n: int, cache: Path) -> dict:
    t0 = time.perf_counter()

    from pipeline.coding.codebook import load_codebook
    from pipeline.nlp.embed import Embedder, load_model
    from pipeline.topics.model import TopicModeller
    from pipeline.topics.run import load_stop_words
    from pipeline.topics.stage import model_topics, priority_areas

    cfg = config.settings()
    tcfg = cfg["topics"]
    embedder = Embedder(cache_dir=cache, show_progress=False)
    base = embedder.encode(templates())
    cb = load_codebook()
    descriptions = [cb.describe(c.id) for c in cb.codes]
    areas = priority_areas(cb.ids, [c.name for c in cb.codes], descriptions, embedder.encode(descriptions),
                           [embedder.encode(c.examples.get("en", [])) for c in cb.codes])
    model = load_model()
    df, emb = synthetic_statements(n, base, seed=int(cfg["random_state"]))
    setup_s = time.perf_counter() - t0
    modeller = TopicModeller(
        min_statements=int(tcfg["min_statements"]), zeroshot_topic_list=descriptions,
        zeroshot_min_similarity=float(tcfg["zeroshot_min_similarity"]), embedding_model=model,
        representation=str(tcfg["representation"]), n_keywords=int(tcfg["n_keywords"]),
        stop_words=load_stop_words(config.CONFIG_DIR / tcfg["welsh_stop_words"]),
        outlier_threshold=float(tcfg["outlier_min_similarity"]), umap_sample_size=int(tcfg["umap_sample_size"]),
        random_state=int(cfg["random_state"]), encode=embedder.encode,
    )
    t1 = time.perf_counter()
    result = model_topics(df, emb, modeller, areas, float(tcfg["coverage_min_similarity"]),
                          int(cfg["disclosure"]["min_count"]), int(tcfg["n_representative"]))
    stage_s = time.perf_counter() - t1
    s = result.summary
    return {
        "n": n, "stage_seconds": round(stage_s, 1), "setup_seconds": round(setup_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
        "newly_embedded": embedder.n_computed, "n_topics": s["n_topics"], "not_in_plan": s["n_topics_not_in_plan"],
        "unassigned_share": s["unassigned_share"], "umap_fit_sample": s["parameters"].get("umap_fit_sample"),
        "min_cluster_size": s["parameters"].get("min_cluster_size"), "fallbacks": s["fallbacks"],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--worker``, one size of it) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000], help="Numbers of statements.")
    parser.add_argument("--cache", type=Path, default=BENCH_DIR, help="Folder of the template embedding cache.")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        print(json.dumps(_worker(args.worker, args.cache)))
        return 0

    from pipeline.common import setup_logging
    from pipeline.nlp.embed import Embedder

    setup_logging(False)
    emb = Embedder(cache_dir=args.cache, show_progress=False)
    emb.encode(templates())  # embeds once; later runs and the workers read the cache
    print("Topics stage benchmark. SYNTHETIC statements: each is one of "
          f"{len(templates())} template sentences (real all-MiniLM-L6-v2 embeddings, cached in {args.cache}/embeddings)"
          f" plus random noise of norm {NOISE} (renormalised), so nothing is embedded per statement.", flush=True)
    print(f"{'statements':>10} {'stage s':>8} {'peak MB':>8} {'topics':>6} {'off-plan':>8} {'unassigned':>10}  notes", flush=True)
    rows = []
    for n in args.sizes:
        proc = subprocess.run([sys.executable, "-m", "pipeline.topics.bench", "--worker", str(n), "--cache", str(args.cache)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(f"{n:>10} failed:\n{proc.stderr[-2000:]}", flush=True)
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(r)
        notes = (f"setup {r['setup_seconds']} s; UMAP fitted on {r['umap_fit_sample']}; min_cluster_size "
                 f"{r['min_cluster_size']}; newly embedded {r['newly_embedded']}")
        print(f"{n:>10} {r['stage_seconds']:>8} {r['peak_rss_mb']:>8.0f} {r['n_topics']:>6} {r['not_in_plan']:>8} "
              f"{r['unassigned_share']:>10.1%}  {notes}", flush=True)
        for f in r["fallbacks"]:
            print(f"{'':>10} fallback: {f}", flush=True)
    return 0 if len(rows) == len(args.sizes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
