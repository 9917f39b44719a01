"""Time and peak memory of ingest at scale: ``python scripts/bench_ingest.py N [--orgs K] [--no-ner]``.

Writes a synthetic consultation of about N answers to a temporary folder and ingests it with the
project's settings (redaction with spaCy NER included unless ``--no-ner``), printing the wall and CPU
time of each step (CPU seconds include the worker processes of redaction and de-duplication), the process's peak memory
(max RSS) and the load average. The answers are survey-export rows (Microsoft Forms
layout: ID, Start time, Completion time, Email, Name, then three questions in the form's own words)
spread over K organisations' files; each answer is 1-3 sentences, 70% from the ~530 hand-written statements of
data/gold/ with a quarter of their words swapped for other words of those statements (the same points
in other words), 30% composed from parts (about 80,000 combinations), with about 2% exact and 2% near duplicates (a one-letter slip) and a few planted emails and
phone numbers, so language detection, redaction and the near-duplicate search do real work.
Nothing is written under data/. Used for the README's ingest figures.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

SENTENCES = [
    "The police stop us more than anyone else on the estate.",
    "Nobody from the council ever came to our centre to ask us anything.",
    "We need interpreters at the police station, not family members.",
    "Youth workers who look like us would make a real difference.",
    "The plan talks about training but not about racism itself.",
    "Publish the stop and search figures every month so we can see them.",
    "My cousin was searched three times in one week and nobody recorded it.",
    "Schools exclude Black boys far more often and that leads to trouble.",
    "There is nothing for young people to do in the evenings any more.",
    "Complaints go nowhere and you never hear back about them.",
    "It was good to be asked but the timescale was far too short.",
    "Online abuse is where most of the racism happens now.",
    "Mental health support has a waiting list of more than a year.",
    "Traveller sites keep getting closed and families are moved on.",
    "Give us a named person we can contact about the plan.",
    "Mae angen swyddogion sy'n siarad Cymraeg ac sy'n deall ein diwylliant.",
    "Dydyn nhw ddim yn gwrando ar bobl ifanc yn yr ardal yma o gwbl.",
    "Recruit more officers from the communities they police.",
    "Victims get treated like suspects when they report a crime.",
    "The plan is honest about the problems but vague about what happens next.",
]
QUESTIONS = [
    "Do you feel Criminal Justice in Wales has listened to you?",
    "Do you think they have understood the problems you face?",
    "What should they do differently?",
]


OPENERS = ["", "Honestly, ", "To be fair, ", "In my experience ", "For us, ", "I think ", "Where I live ", "Last year "]
PEOPLE = ["my brother", "a friend from school", "my neighbour", "my son", "our youth worker", "my aunt", "a lad I know",
          "the family next door", "my cousin", "a woman at the mosque", "the boys on our street", "my daughter"]
EVENTS = ["was stopped by the police", "waited months for a reply", "was moved off the site", "got abuse online",
          "was excluded from school", "had no interpreter", "made a complaint", "was treated like a suspect",
          "asked for help", "lost their place at college", "was searched outside the shop", "reported a hate crime"]
PLACES = ["in Newport", "in Cardiff", "near Swansea", "in Wrexham", "at the station", "in town", "on the estate",
          "at school", "in the city centre", "near the park", "in Llanelli", "on the bus"]
AFTER = ["and nothing happened.", "and nobody explained why.", "and it made things worse.", "and we gave up.",
         "and it still affects them.", "and the plan does not mention it.", "twice in one month.", "last winter."]


def _bank() -> list[str]:
    """Hand-written statements (the training and gold sets, about 530) as the sentence bank."""
    import csv

    root = Path(__file__).resolve().parents[1] / "data" / "gold"
    bank: list[str] = []
    for name in ("train_statements.csv", "gold_statements.csv"):
        with (root / name).open(encoding="utf-8") as fh:
            bank.extend(row["text"] for row in csv.DictReader(fh))
    return bank or SENTENCES


@functools.lru_cache(maxsize=1)
def _vocabulary(bank: tuple[str, ...]) -> list[str]:
    return sorted({w for t in bank for w in t.split()})


def _sentence(rnd: random.Random, bank: list[str]) -> str:
    if rnd.random() < 0.7:
        # People make the same points in their own words: a bank statement with a quarter of its words
        # swapped for other words of the bank.
        words = rnd.choice(bank).split()
        vocab = _vocabulary(tuple(bank))
        return " ".join(rnd.choice(vocab) if rnd.random() < 0.25 else w for w in words)
    return (f"{rnd.choice(OPENERS)}{rnd.choice(PEOPLE)} {rnd.choice(EVENTS)} {rnd.choice(PLACES)} "
            f"{rnd.choice(AFTER)}").strip().capitalize()


def _answer(rnd: random.Random, bank: list[str]) -> str:
    words = [_sentence(rnd, bank) for _ in range(rnd.randint(1, 3))]
    if rnd.random() < 0.01:
        words.append(f"Email me at person{rnd.randint(1, 999)}@example.org.")
    if rnd.random() < 0.01:
        words.append(f"Ring 07700 900{rnd.randint(100, 999)}.")
    return " ".join(words)


def _slip(text: str, rnd: random.Random) -> str:
    i = rnd.randrange(len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def build(folder: Path, n_answers: int, n_orgs: int, seed: int = 42) -> int:
    """Write the synthetic consultation; returns the number of answer cells written."""
    import csv

    rnd = random.Random(seed)
    bank = _bank()
    per_org = max(1, n_answers // n_orgs)
    manifest = ["file,organisation,cohort,police_force_area,engagement_method,n_participants,language,date_received"]
    written = 0
    for o in range(n_orgs):
        name = f"org{o:03d}_export.csv"
        rows = per_org // 3
        manifest.append(f"{name},Org {o},community,South Wales,survey,{rows},en,2026-03-01")
        previous: list[str] = []
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["ID", "Start time", "Completion time", "Email", "Name", *QUESTIONS])
            for r in range(rows):
                answers = []
                for _ in QUESTIONS:
                    roll = rnd.random()
                    if previous and roll < 0.02:
                        answers.append(rnd.choice(previous))
                    elif previous and roll < 0.04:
                        answers.append(_slip(rnd.choice(previous), rnd))
                    else:
                        answers.append(_answer(rnd, bank))
                previous.extend(answers[-1:])
                w.writerow([r + 1, "2026-03-04 10:00", "2026-03-04 10:09", f"p{r}@example.org", f"Person {r}", *answers])
                written += 3
    (folder / "returns.csv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    return written


def cpu_seconds() -> float:
    """CPU seconds of this process (all threads) and of its finished worker processes (those of redaction and de-duplication)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of answers")
    parser.add_argument("--orgs", type=int, default=10, help="organisations (one export each)")
    parser.add_argument("--no-ner", action="store_true", help="redact by rules only (no spaCy NER)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from pipeline import config
    from pipeline.ingest import runner as runner_module
    from pipeline.ingest import stage as stage_module

    steps: dict[str, float] = {}
    cpus: dict[str, float] = {}
    original = stage_module.process_items

    def timed_process_items(*a, **kw):
        progress = kw.get("progress")
        last = {"step": None, "t": time.perf_counter()}

        last["cpu"] = cpu_seconds()

        def tick(step: str, n: int) -> None:
            # A tick with n > 0 reports work on `step` just done; a tick with n == 0 starts `step`.
            now, cpu = time.perf_counter(), cpu_seconds()
            owner = step if n else last["step"]
            if owner is not None:
                steps[owner] = steps.get(owner, 0.0) + now - last["t"]
                cpus[owner] = cpus.get(owner, 0.0) + cpu - last["cpu"]
            last["step"], last["t"], last["cpu"] = step, now, cpu
            if progress:
                progress(step, n)

        kw["progress"] = tick
        out = original(*a, **kw)
        tick("(end)", 0)
        return out

    original_sort = stage_module.sort_items

    def timed_sort_items(*a, **kw):
        # Normalising and sorting the items runs before the first "language" tick, which would count it.
        t, cpu = time.perf_counter(), cpu_seconds()
        out = original_sort(*a, **kw)
        steps["normalise"] = steps.get("normalise", 0.0) + time.perf_counter() - t
        cpus["normalise"] = cpus.get("normalise", 0.0) + cpu_seconds() - cpu
        return out

    runner_module.process_items = timed_process_items
    stage_module.sort_items = timed_sort_items
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        written = build(folder, args.n, args.orgs)
        load_start = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), cpu_seconds()
        result = runner_module.ingest_folder(
            folder, config.load_yaml("questions.yaml")["questions"], config.load_yaml("vocabularies.yaml"),
            config.settings(), config.load_yaml("redaction.yaml"), use_ner=not args.no_ner, progress=False, key="bench",
        )
        total, cpu_total = time.perf_counter() - t0, cpu_seconds() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    files = result.ledger.drop_duplicates("file")
    print(f"answers written: {written}; accepted {len(result.responses)}, duplicates {int(files['rows_duplicate'].sum())}, "
          f"rejected {int(files['rows_rejected'].sum())}, metadata cells {int(files['rows_metadata'].sum())}")
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"ingest: {total:.1f} s wall, {cpu_total:.1f} s CPU (all threads and worker processes), peak memory "
          f"{peak_mb:.0f} MB (largest worker {child_mb:.0f} MB; redaction {'rules only' if args.no_ner else 'rules + NER'}); "
          f"load average {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    if "normalise" in steps and "language" in steps:
        steps["language"] -= steps["normalise"]
        cpus["language"] -= cpus["normalise"]
    reading, reading_cpu = total - sum(steps.values()), cpu_total - sum(cpus.values())
    print(f"  reading files and placing questions: {reading:.1f} s wall, {reading_cpu:.1f} s CPU")
    for step, seconds in steps.items():
        if step != "(end)":
            print(f"  {step}: {seconds:.1f} s wall, {cpus[step]:.1f} s CPU")


if __name__ == "__main__":
    main()
