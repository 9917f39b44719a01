"""End-to-end scale benchmark: ``python scripts/bench_scale.py N`` (``make bench-scale N=...``).

Writes a synthetic consultation of N answers to ``data/raw/bench-<N>/`` (git ignores it): many
organisations (``max(10, min(200, N // 500))`` unless ``--orgs``), each with one return in its own
format (Microsoft Forms CSV exports, Excel sheets with a row per participant, Word documents with a
heading per question, typed notes), a ``returns.csv`` manifest and the sample's equality data. The
answers are built as :mod:`bench_ingest` builds them (hand-written statements of ``data/gold`` and
``data/train``, English and Welsh, with a quarter of their words swapped, or composed from parts),
each unique, plus 2% exact and 2% near duplicates planted so the duplicate search does real work.

Then it runs ingest, code, topics, triangulate and report, each as its own process (so its peak
memory can be read), with a cold embedding cache, and the organisation notebooks apart; with
``--warm`` it runs the five stages again with the cache filled. For each stage it prints the wall
seconds, CPU seconds, the peak resident memory of the largest process and the throughput, and writes
them all to ``data/processed/bench/<N>.json`` (the generation time too, apart). The machine's load
average is recorded at the start and end: on a shared machine the figures are slower than on a quiet one.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ingest  # noqa: E402  (the answer generator shared with the ingest benchmark)

ROOT = Path(__file__).resolve().parents[1]
STAGES = ["ingest", "code", "topics", "triangulate", "report"]
#: Cohort and police force area of each organisation, in turn (manifest wording).
COHORTS = ["prison", "youth justice", "care experienced", "serious violence", "schools", "Gypsy Roma Traveller",
           "asylum seekers", "community"]
AREAS = ["South Wales", "Gwent", "Dyfed-Powys", "North Wales"]
#: Format of organisation i's return is FORMATS[i % len(FORMATS)]: mostly survey exports, as in real life.
FORMATS = ["csv", "csv", "csv", "xlsx", "csv", "docx", "csv", "xlsx", "txt", "md"]
#: Question headings: a survey's own words (placed by meaning) and the aliases of config/questions.yaml.
FORM_QUESTIONS = bench_ingest.QUESTIONS
ALIAS_QUESTIONS = ["Have we listened?", "Have we interpreted the challenges correctly?", "Have we outlined the solutions?"]


def _training_bank() -> list[str]:
    """The gold and training statements (English and Welsh), each once, as the sentence bank."""
    bank = list(bench_ingest._bank())
    for path in sorted((ROOT / "data" / "train").glob("train_*.csv")):
        with path.open(encoding="utf-8") as fh:
            bank.extend(row["text"] for row in csv.DictReader(fh))
    return sorted(set(bank))


class AnswerMaker:
    """Unique answers (by lower-cased text), with a planted share of exact and near duplicates."""

    def __init__(self, rnd: random.Random, bank: list[str], duplicate_rate: float = 0.02) -> None:
        self.rnd, self.bank, self.duplicate_rate = rnd, bank, duplicate_rate
        self.seen: set[str] = set()
        self.planted = {"exact": 0, "near": 0}

    def fresh(self) -> str:
        """A new answer no earlier answer repeats."""
        for _ in range(50):
            text = " ".join(bench_ingest._answer(self.rnd, self.bank).split())
            if text.lower() not in self.seen:
                self.seen.add(text.lower())
                return text
        raise RuntimeError("could not make a unique answer in 50 tries: the sentence bank is too small")

    def next(self, previous: list[str]) -> str:
        """An answer for the organisation whose earlier answers are ``previous``."""
        roll = self.rnd.random()
        long_enough = [p for p in previous[-50:] if len(p) > 40]
        if long_enough and roll < self.duplicate_rate:
            self.planted["exact"] += 1
            return self.rnd.choice(long_enough)
        if long_enough and roll < 2 * self.duplicate_rate:
            self.planted["near"] += 1
            return bench_ingest._slip(self.rnd.choice(long_enough), self.rnd)
        return self.fresh()


def _participants(maker: AnswerMaker, n_answers: int) -> list[list[str]]:
    """Rows of three answers (one per question) adding up to ``n_answers`` answers."""
    rows: list[list[str]] = []
    previous: list[str] = []
    for r in range((n_answers + 2) // 3):
        width = min(3, n_answers - 3 * r)
        answers = [maker.next(previous) for _ in range(width)]
        previous.extend(answers)
        rows.append(answers)
    return rows


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "Start time", "Completion time", "Email", "Name", *FORM_QUESTIONS])
        for r, answers in enumerate(rows, start=1):
            w.writerow([r, "2026-03-04 10:00", "2026-03-04 10:09", f"p{r}@example.org", f"Person {r}",
                        *answers, *[""] * (3 - len(answers))])


def _write_xlsx(path: Path, rows: list[list[str]]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Responses")
    ws.append(["Participant", *ALIAS_QUESTIONS])
    for r, answers in enumerate(rows, start=1):
        ws.append([f"P{r}", *answers])
    wb.save(path)


def _by_question(rows: list[list[str]]) -> list[list[tuple[int, str]]]:
    return [[(r, a[q]) for r, a in enumerate(rows, start=1) if len(a) > q] for q in range(3)]


def _write_docx(path: Path, rows: list[list[str]], organisation: str) -> None:
    from docx import Document

    doc = Document()
    doc.add_heading(f"{organisation}: feedback on the draft plan", level=1)
    for q, answers in enumerate(_by_question(rows)):
        doc.add_heading(f"Question {q + 1}", level=2)
        for r, text in answers:
            doc.add_paragraph(f"Participant {r}: {text}")
    doc.save(path)


def _write_notes(path: Path, rows: list[list[str]], organisation: str) -> None:
    lines = [organisation.upper(), "Focus group notes - draft Anti-Racism Delivery Plan", ""]
    for q, answers in enumerate(_by_question(rows)):
        lines += [f"{q + 1}. {ALIAS_QUESTIONS[q].upper()}", ""]
        lines += [f"P{r}: {text}" for r, text in answers]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def _org_sizes(rnd: random.Random, n_answers: int, n_orgs: int) -> list[int]:
    """Answers per organisation: uneven (a few large surveys, many small groups), summing to ``n_answers``."""
    weights = [rnd.paretovariate(1.5) for _ in range(n_orgs)]
    sizes = [max(3, int(n_answers * w / sum(weights))) for w in weights]
    sizes[-1] = max(3, sizes[-1] + n_answers - sum(sizes))
    return sizes


def build(folder: Path, n_answers: int, n_orgs: int, seed: int = 42) -> dict[str, object]:
    """Write the synthetic consultation into ``folder``; returns what was written."""
    rnd = random.Random(seed)
    maker = AnswerMaker(rnd, _training_bank())
    folder.mkdir(parents=True, exist_ok=True)
    manifest = ["file,organisation,cohort,police_force_area,engagement_method,n_participants,language,date_received"]
    formats: dict[str, int] = {}
    written = 0
    for o, size in enumerate(_org_sizes(rnd, n_answers, n_orgs)):
        fmt, organisation = FORMATS[o % len(FORMATS)], f"Bench Organisation {o:03d}"
        rows = _participants(maker, size)
        name = f"org{o:03d}_return.{fmt}"
        if fmt == "csv":
            _write_csv(folder / name, rows)
        elif fmt == "xlsx":
            _write_xlsx(folder / name, rows)
        elif fmt == "docx":
            _write_docx(folder / name, rows, organisation)
        else:
            _write_notes(folder / name, rows, organisation)
        method = "survey" if fmt == "csv" else "focus_group" if fmt in ("txt", "md") else "interview"
        manifest.append(f"{name},{organisation},{COHORTS[o % len(COHORTS)]},{AREAS[o % len(AREAS)]},{method},"
                        f"{len(rows)},en,2026-03-{1 + o % 28:02d}")
        formats[fmt] = formats.get(fmt, 0) + 1
        written += size
    (folder / "returns.csv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    shutil.copytree(ROOT / "data" / "raw" / "sample" / "edi", folder / "edi", dirs_exist_ok=True)
    return {"answers": written, "organisations": n_orgs, "files_by_format": formats, "planted_duplicates": maker.planted}


def run_stage(stage: str, raw: Path, out: Path, reports: Path, log_dir: Path) -> dict[str, float]:
    """Run one stage as a child process; wall and CPU seconds, peak RSS (MB) of its largest process, exit code."""
    log_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pipeline", stage, "--raw", str(raw), "--out", str(out), "--reports", str(reports)]
    start = time.perf_counter()
    with (log_dir / f"{stage}.log").open("w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stderr.write(f"{stage} failed (exit {code}); see {log_dir / f'{stage}.log'}\n")
    return {"seconds": round(seconds, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_mb": round(usage.ru_maxrss / 1024), "exit_code": code}


def _rows(path: Path) -> int | None:
    if not path.exists():
        return None
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def _throughput(stage: str, figures: dict[str, float], counts: dict[str, int | None]) -> dict[str, object]:
    unit, n = ("answers", counts["answers"]) if stage == "ingest" else ("statements", counts["statements"])
    if stage == "notebooks":
        unit, n = "organisations", counts["organisations"]
    rate = round(n / figures["seconds"], 1) if n and figures["seconds"] else None
    return {**figures, "items": n, "unit": unit, "per_second": rate}


def run_all(raw: Path, out: Path, reports: Path, stages: list[str], label: str, counts: dict,
            save=None) -> dict[str, dict]:
    """Run ``stages`` in order, printing and returning each one's figures (``save(results)`` after each)."""
    results: dict[str, dict] = {}
    for stage in stages:
        figures = run_stage(stage, raw, out, reports, out / "bench_logs" / label)
        counts.update(answers=_rows(out / "responses.parquet"), statements=_rows(out / "statements.parquet"))
        results[stage] = _throughput(stage, figures, counts)
        r = results[stage]
        print(f"  {label:<5} {stage:<12} {r['seconds']:>8.1f} s  {r['cpu_seconds']:>8.1f} CPU s  "
              f"{r['peak_mb']:>6} MB  {r['per_second'] or 0:>9.1f} {r['unit']}/s"
              + ("" if r["exit_code"] == 0 else "  FAILED"), flush=True)
        if save is not None:
            save(results)
        if r["exit_code"] != 0:
            break
    return results


def main(argv: list[str] | None = None) -> None:
    """Build the consultation, run the stages, print the figures and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of answers")
    parser.add_argument("--orgs", type=int, default=None, help="organisations (default max(10, min(200, N // 500)))")
    parser.add_argument("--warm", action="store_true", help="run the five stages again with the embedding cache filled")
    parser.add_argument("--no-notebooks", action="store_true", help="skip the organisation notebooks")
    parser.add_argument("--keep", action="store_true", help="keep an existing data/raw/bench-<N> and processed folder")
    parser.add_argument("--stages", nargs="+", choices=STAGES, default=STAGES, help="run only these stages (in order)")
    args = parser.parse_args(argv)
    n_orgs = args.orgs or max(10, min(200, args.n // 500))
    raw, out = ROOT / "data" / "raw" / f"bench-{args.n}", ROOT / "data" / "processed" / "bench" / str(args.n)
    reports = ROOT / "reports" / "bench" / str(args.n)
    if not args.keep:
        for folder in (raw, out, reports):
            shutil.rmtree(folder, ignore_errors=True)
    report: dict[str, object] = {"n": args.n, "cpus": os.cpu_count(), "load_average_start": os.getloadavg()[0],
                                 "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    start = time.perf_counter()
    built = build(raw, args.n, n_orgs) if not (args.keep and raw.exists()) else {"answers": args.n, "organisations": n_orgs}
    report["generate"] = {**built, "seconds": round(time.perf_counter() - start, 1)}
    print(f"generated {built['answers']} answers from {n_orgs} organisations in {report['generate']['seconds']} s")
    counts: dict[str, int | None] = {"organisations": n_orgs}
    path = ROOT / "data" / "processed" / "bench" / f"{args.n}.json"

    def save(key: str):
        def _save(results: dict) -> None:
            report[key] = results
            path.write_text(json.dumps({**report, "counts": counts, "complete": False}, indent=2), encoding="utf-8")
        return _save

    report["cold"] = run_all(raw, out, reports, args.stages, "cold", counts, save("cold"))
    if args.warm:
        report["warm"] = run_all(raw, out, reports, args.stages, "warm", counts, save("warm"))
    if not args.no_notebooks:
        report["notebooks"] = run_all(raw, out, reports, ["notebooks"], "apart", counts)["notebooks"]
    report["counts"], report["complete"] = counts, True
    for key in ("cold", "warm"):
        if key in report:
            report[f"{key}_total_seconds"] = round(sum(r["seconds"] for r in report[key].values()), 1)
    report["load_average_end"] = os.getloadavg()[0]
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"total (cold, five stages): {report['cold_total_seconds']} s; load average {report['load_average_start']:.1f}"
          f" at the start, {report['load_average_end']:.1f} at the end (machine shared); wrote {path}")


if __name__ == "__main__":
    main()
