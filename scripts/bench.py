"""Benchmark the pipeline: time and peak memory of each stage, then topics at scale.

Runs every stage on a consultation (default: the bundled sample) into a temporary folder, each as
its own process so its peak memory can be read, with a cold embedding cache and then again warm
(to show what the cache saves); then runs the topics scale benchmark
(``python -m pipeline.topics.bench``: 1,000, 10,000 and 100,000 statements). Prints tables; asserts
nothing. Run with ``make bench`` (or ``python scripts/bench.py --raw data/raw/sample``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = ["ingest", "code", "topics", "triangulate", "report", "notebooks", "plan-check"]
#: Stages that embed text, run a second time to measure them with a warm embedding cache.
WARM = ["code", "topics", "plan-check"]


#: Runs the pipeline's CLI in this child process, then writes the child's own peak RSS (KB) to a file.
_CHILD = (
    "import resource, runpy, sys\n"
    "peak_file = sys.argv.pop(1)\n"
    "sys.argv[0] = 'pipeline'\n"
    "try:\n"
    "    runpy.run_module('pipeline', run_name='__main__')\n"
    "finally:\n"
    "    open(peak_file, 'w').write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\n"
)


def run_stage(stage: str, raw: Path, out: Path, reports: Path) -> tuple[float, float, int]:
    """Run one stage in a child process; return (seconds, the child's peak RSS in MB, exit code)."""
    peak_file = out.parent / f"peak-{stage}.txt"
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-c", _CHILD, str(peak_file), stage, "--raw", str(raw), "--out", str(out),
           "--reports", str(reports)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(f"{stage} failed:\n{proc.stderr[-2000:]}\n")
    peak_kb = float(peak_file.read_text()) if peak_file.exists() else float("nan")
    return seconds, peak_kb / 1024, proc.returncode


def main() -> None:
    """Run the stage benchmark then the topics scale benchmark and print both."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=Path("data/raw/sample"), help="consultation folder to run on")
    parser.add_argument("--skip-scale", action="store_true", help="skip the 1k/10k/100k topics benchmark")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cjiw-bench-") as tmp:
        out, reports = Path(tmp) / "processed", Path(tmp) / "reports"
        rows = []
        for stage in STAGES:
            seconds, peak, rc = run_stage(stage, args.raw, out, reports)
            rows.append((stage, "cold cache" if stage in WARM else "", seconds, peak, rc))
        for stage in WARM:
            seconds, peak, rc = run_stage(stage, args.raw, out, reports)
            rows.append((stage, "warm cache", seconds, peak, rc))
    print(f"\nStages on {args.raw} (each a separate process, 2-core CPU):")
    print(f"{'stage':<12} {'embeddings':<11} {'seconds':>8} {'peak MB*':>9} {'status':>7}")
    for stage, cache, seconds, peak, rc in rows:
        print(f"{stage:<12} {cache:<11} {seconds:>8.1f} {peak:>9.0f} {'ok' if rc == 0 else 'FAILED':>7}")
    print("* peak resident memory of the stage's own process.")
    if not args.skip_scale:
        print("\nTopics at scale:")
        subprocess.run([sys.executable, "-m", "pipeline.topics.bench"], check=False)


if __name__ == "__main__":
    main()
