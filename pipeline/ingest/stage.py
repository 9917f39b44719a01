"""The ingest stage's DataFrame -> DataFrame steps, from raw reader items to ``responses``.

Steps, each a pure function (inputs are never modified):

1. :func:`normalise_items` - attach each file's manifest metadata (a sheet's own cohort/area
   column wins where it maps onto the vocabularies), tidy the text, give every row a stable
   ``response_id`` (SHA-1 of the file's SHA-256, location and speaker) and a pseudonymous
   ``participant_ref`` (salted hash of organisation, file and the raw participant key: the raw key,
   which may be a name, is never written).
2. :func:`split_file_duplicates` - rows of a file that repeats another byte for byte.
3. :func:`split_metadata` - metadata columns (IDs, timestamps, emails...), counted, never kept as text;
   :func:`split_rejected` - blank/"N/A"/"Dim sylw" answers and non-answers (titles, metadata).
4. :func:`pipeline.ingest.language.add_language` then :func:`pipeline.ingest.redact.redact`.
5. :func:`pipeline.ingest.dedupe.dedupe_answers` - exact and near-duplicate answers, each organisation's
   in turn, on all cores (:func:`dedupe_by_organisation`).

:func:`process_items` chains them and returns :class:`StageOutput`. Run via
``python -m pipeline ingest``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipeline.ingest.dedupe import DUPLICATE_COLUMNS, dedupe_answers
from pipeline.ingest.language import add_language
from pipeline.ingest.redact import count_kinds, redact, redaction_log_table
from pipeline.ingest.schema import RESPONSE_COLUMNS
from pipeline.vocab import UNKNOWN, map_value, normalise_label

BLANK_REASON = 'blank or "no comment" answer'

#: Columns of the ``items`` frame the runner builds (reader columns plus file-level ones).
ITEM_COLUMNS = [
    "source_file", "file_sha256", "format", "duplicate_of", "organisation", "manifest_cohort", "manifest_area",
    "engagement_method", "source_location", "question_label", "question", "participant_key", "speaker", "text",
    "cohort", "area", "note", "question_confidence", "ocr_confidence", "kind", "cells", "order",
]


@dataclass
class StageOutput:
    """What :func:`process_items` returns."""

    responses: pd.DataFrame
    rejected: pd.DataFrame
    duplicates: pd.DataFrame
    redactions: dict[str, int] = field(default_factory=dict)
    metadata: pd.DataFrame = field(default_factory=pd.DataFrame)
    redaction_log: pd.DataFrame = field(default_factory=pd.DataFrame)


def _hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def response_id(file_sha256: str, source_location: str, speaker: str) -> str:
    """``R`` + 12 hex characters of SHA-1(file SHA-256, location, speaker): stable across runs."""
    return "R" + _hash(file_sha256, source_location, speaker)[:12]


def participant_ref(organisation: str, source_file: str, key: str, salt: str) -> str:
    """Pseudonymous participant reference.

    ``P-`` + 8 hex characters for an identified participant, ``G-`` for a group (empty key). The
    raw key is scoped by file because "P1" in one focus group is not "P1" in another.
    """
    if not key:
        return "G-" + _hash(salt, organisation, source_file, "group")[:8]
    return "P-" + _hash(salt, organisation, source_file, key.strip().lower())[:8]


def _map_or(value: str, vocab: Mapping[str, Any], fallback: str) -> str:
    mapped = map_value(value, vocab) if str(value).strip() else UNKNOWN
    return mapped if mapped != UNKNOWN else fallback


def normalise_items(items: pd.DataFrame, vocab: Mapping[str, Any], salt: str) -> pd.DataFrame:
    """Resolve metadata, tidy text, assign ``response_id`` and ``participant_ref``.

    Args:
        items: Raw items with :data:`ITEM_COLUMNS` (one frame for all files).
        vocab: ``config/vocabularies.yaml``.
        salt: ``settings.ingest_layout.participant_salt``.

    Returns:
        A new frame sorted by (source_file, order) with the response columns plus ``note``,
        ``duplicate_of``, ``format`` and ``order``.
    """
    df = items.sort_values(["source_file", "order"], kind="stable").reset_index(drop=True)
    out = pd.DataFrame(
        {
            "response_id": [
                response_id(h, loc, sp)
                for h, loc, sp in zip(df["file_sha256"], df["source_location"], df["speaker"], strict=True)
            ],
            "organisation": df["organisation"].astype(str),
            "source_file": df["source_file"].astype(str),
            "source_location": df["source_location"].astype(str),
            "cohort": [
                _map_or(v, vocab.get("cohorts", {}), m)
                for v, m in zip(df["cohort"], df["manifest_cohort"], strict=True)
            ],
            "police_force_area": [
                _map_or(v, vocab.get("police_force_areas", {}), m)
                for v, m in zip(df["area"], df["manifest_area"], strict=True)
            ],
            "engagement_method": df["engagement_method"].astype(str),
            "participant_ref": [
                participant_ref(o, f, k, salt)
                for o, f, k in zip(df["organisation"], df["source_file"], df["participant_key"], strict=True)
            ],
            "question": df["question"].astype(str),
            "question_label": df["question_label"].astype(str),
            "speaker": df["speaker"].astype(str),
            "language": "other",
            "text": df["text"].astype(str).map(_tidy),
            "n_redactions": 0,
            "note": df["note"].astype(str),
            "duplicate_of": df["duplicate_of"].astype(str),
            "format": df["format"].astype(str),
            "order": df["order"].astype("int64"),
            "question_confidence": pd.to_numeric(df["question_confidence"], errors="coerce").fillna(0.0).astype("float64"),
            "ocr_confidence": pd.to_numeric(df["ocr_confidence"].replace("", None), errors="coerce").astype("float64"),
            "kind": df["kind"].astype(str),
            "cells": pd.to_numeric(df["cells"], errors="coerce").fillna(1).astype("int64"),
        }
    )
    out["n_redactions"] = out["n_redactions"].astype("int64")
    return out


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).replace("\u00a0", " ")).strip()


def split_metadata(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(items, metadata)``: metadata columns (IDs, timestamps, emails, ...) are counted in the ledger, never kept."""
    is_meta = df["kind"].astype(str) == "metadata"
    return df[~is_meta].reset_index(drop=True), df[is_meta].reset_index(drop=True)


def split_file_duplicates(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(rest, file_duplicates)``: rows of files that repeat another file byte for byte."""
    is_dup = df["duplicate_of"].astype(str) != ""
    return df[~is_dup].reset_index(drop=True), df[is_dup].reset_index(drop=True)


def blank_test(blank_answers: list[str], min_chars: int) -> Callable[[str], bool]:
    """:func:`is_blank` for one list of blank answers, normalised once (not once per answer)."""
    normalised = frozenset(normalise_label(b) for b in blank_answers)
    exact = frozenset(b for b in blank_answers if isinstance(b, str))

    def test(text: str) -> bool:
        stripped = str(text).strip()
        return len(re.sub(r"\W", "", stripped)) < min_chars or normalise_label(stripped) in normalised or stripped in exact

    return test


def is_blank(text: str, blank_answers: list[str], min_chars: int) -> bool:
    """True for an empty, too-short or "no comment" answer ("N/A", "Dim sylw", "-")."""
    return blank_test(blank_answers, min_chars)(text)


def split_rejected(df: pd.DataFrame, blank_answers: list[str], min_chars: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(accepted, rejected)``; ``rejected`` has a ``reason`` column in plain English."""
    notes = df["note"].astype(str)
    blank = df["text"].map(blank_test(blank_answers, min_chars))
    rejected = df[(notes != "") | blank].copy()
    rejected["reason"] = [n if n else BLANK_REASON for n in rejected["note"].astype(str)]
    accepted = df[(notes == "") & ~blank].reset_index(drop=True)
    return accepted, rejected.reset_index(drop=True)


def _chunked(df: pd.DataFrame, step, size: int, tick) -> pd.DataFrame:
    """Apply a row-wise step to ``df`` in chunks of ``size`` rows, calling ``tick(n)`` after each."""
    if len(df) <= size:
        out = step(df)
        tick(len(df))
        return out
    parts = []
    for start in range(0, len(df), size):
        parts.append(step(df.iloc[start:start + size]))
        tick(min(size, len(df) - start))
    return pd.concat(parts)


def process_items(
    items: pd.DataFrame,
    vocab: Mapping[str, Any],
    settings: Mapping[str, Any],
    redaction_config: Mapping[str, Any],
    use_ner: bool = True,
    progress: Callable[[str, int], None] | None = None,
) -> StageOutput:
    """Run every step from raw items to the responses table.

    Args:
        items: Raw items of every readable file (:data:`ITEM_COLUMNS`).
        vocab: ``config/vocabularies.yaml``.
        settings: ``config/settings.yaml`` (``ingest`` and ``ingest_layout`` sections).
        redaction_config: ``config/redaction.yaml``.
        use_ner: Use spaCy NER for names as well as the rules.
        progress: Called as ``progress(step, n)`` when ``n`` more answers have been through ``step``
            (``language``, ``redaction``), and ``progress(step, 0)`` as each other step starts.

    Returns:
        :class:`StageOutput` with ``responses`` (the contract columns), ``rejected`` (rows with a
        ``reason``), ``duplicates`` (``duplicates.csv``), ``metadata`` (metadata columns, counted
        by cell, with a ``reason``) and redaction counts by kind.
    """
    tick = progress or (lambda step, n: None)
    ingest, layout = settings.get("ingest", {}), settings.get("ingest_layout", {})
    tick("normalise", 0)
    accepted, rejected, metadata, file_dups = sort_items(items, vocab, ingest, layout)
    size = max(1, int(ingest.get("chunk_size", 2000)))
    accepted = _chunked(accepted, add_language, size, lambda n: tick("language", n))
    accepted = redact(accepted, redaction_config, use_ner=use_ner, progress=lambda n: tick("redaction", n))
    if accepted.empty:
        tick("redaction", 0)
    redactions = count_kinds(accepted["redaction_kinds"].tolist())
    tick("duplicates", 0)
    kept, answer_dups = dedupe_by_organisation(
        accepted, float(ingest.get("near_duplicate_ratio", 95)), int(layout.get("duplicate_min_chars", 30))
    )
    return StageOutput(responses=responses_table(kept), rejected=rejected,
                       duplicates=duplicates_table(answer_dups, file_dups, kept), redactions=redactions,
                       metadata=metadata, redaction_log=redaction_log_table(kept))


#: Below this many answers :func:`dedupe_by_organisation` runs in one process.
PARALLEL_DEDUPE_MIN_ROWS = 2000
#: What forked de-duplication workers inherit (the answers, the settings), set just before the pool forks.
_DEDUPE_STATE: dict[str, Any] = {}


def _dedupe_worker(positions: list[int]) -> tuple[list[int], list[dict[str, object]]]:
    """De-duplicate one organisation's answers (rows ``positions`` of the inherited frame).

    Returns the positions set aside and the duplicates table's records, each with ``_pos``, its row's position.
    """
    state = _DEDUPE_STATE
    part = state["df"].iloc[positions]
    _, dups = dedupe_answers(part, state["near_ratio"], state["min_chars"])
    where = dict(zip(part["response_id"].astype(str), positions, strict=True))
    records = dups.to_dict("records")
    for rec in records:
        rec["_pos"] = where[str(rec["response_id"])]
    return [rec["_pos"] for rec in records], records


def dedupe_by_organisation(df: pd.DataFrame, near_ratio: float, min_chars: int,
                           n_jobs: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`pipeline.ingest.dedupe.dedupe_answers`, with the organisations shared among worker processes.

    Answers are compared only within an organisation, so each organisation's answers are de-duplicated on
    their own (largest organisations first, one forked worker per core) and the results put back in the
    answers' order: the same ``(kept, duplicates)`` as :func:`dedupe_answers` on the whole frame. Below
    :data:`PARALLEL_DEDUPE_MIN_ROWS` answers, or with one organisation or one core, it runs in this process.

    Args:
        df: Answers, as for :func:`dedupe_answers` (``response_id`` unique).
        near_ratio: rapidfuzz ratio (0-100) at or above which two answers are near-duplicates.
        min_chars: Answers with fewer normalised characters are never treated as duplicates.
        n_jobs: Worker processes (default: the cores this process may use).
    """
    import multiprocessing as mp

    from pipeline.parallel import forked_pool, usable_cores

    groups = list(pd.Series(range(len(df))).groupby(df["organisation"].astype(str).to_numpy(), sort=False))
    cores = usable_cores()
    jobs = min(int(n_jobs) if n_jobs else cores, cores, len(groups))
    if (len(df) < PARALLEL_DEDUPE_MIN_ROWS or jobs < 2 or "fork" not in mp.get_all_start_methods()
            or df["response_id"].duplicated().any()):
        return dedupe_answers(df, near_ratio, min_chars)
    tasks = sorted((rows.tolist() for _, rows in groups), key=len, reverse=True)
    drop: set[int] = set()
    records: list[dict[str, object]] = []
    values = {"df": df, "near_ratio": near_ratio, "min_chars": min_chars}
    with forked_pool(jobs, _DEDUPE_STATE, values) as pool:
        for dropped, recs in pool.imap_unordered(_dedupe_worker, tasks):
            drop.update(dropped)
            records.extend(recs)
    records.sort(key=lambda rec: rec["_pos"])  # dedupe_answers lists them in the answers' order
    for rec in records:
        del rec["_pos"]
    kept = df.iloc[[i for i in range(len(df)) if i not in drop]].reset_index(drop=True)
    return kept, pd.DataFrame(records, columns=[*DUPLICATE_COLUMNS, "response_id"])


def sort_items(items: pd.DataFrame, vocab: Mapping[str, Any], ingest: Mapping[str, Any],
               layout: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Normalise the items and sort them into ``(accepted, rejected, metadata, file_duplicates)``.

    Args:
        items: Raw items (:data:`ITEM_COLUMNS`).
        vocab: ``config/vocabularies.yaml``.
        ingest: The ``ingest`` settings (``blank_answers``, ``min_answer_chars``).
        layout: The ``ingest_layout`` settings (``participant_salt``, ``more_blank_answers``).
    """
    df = normalise_items(items, vocab, str(layout.get("participant_salt", "")))
    df, metadata = split_metadata(df)
    metadata = metadata.assign(reason=metadata["note"].astype(str))
    rest, file_dups = split_file_duplicates(df)
    blanks = [*ingest.get("blank_answers", []), *layout.get("more_blank_answers", [])]
    accepted, rejected = split_rejected(rest, blanks, int(ingest.get("min_answer_chars", 2)))
    return accepted, rejected, metadata, file_dups


def duplicates_table(answer_dups: pd.DataFrame, file_dups: pd.DataFrame, kept: pd.DataFrame) -> pd.DataFrame:
    """``duplicates.csv``: duplicate answers, then the rows of duplicated files, sorted by source file.

    A row of a duplicated file has the same ``response_id`` as the row it repeats (same bytes, same
    location); that row is followed through answer-level de-duplication to the row actually kept.
    """
    kept_ids = set(kept["response_id"])
    dup_to_kept = dict(zip(answer_dups["response_id"], answer_dups["response_id_kept"], strict=True))
    file_records = [
        {
            "response_id_kept": dup_to_kept.get(rid, rid) if dup_to_kept.get(rid, rid) in kept_ids else "",
            "duplicate_source_file": f,
            "duplicate_source_location": loc,
            "kind": "exact_file",
            "similarity": 100.0,
        }
        for rid, f, loc in zip(file_dups["response_id"], file_dups["source_file"], file_dups["source_location"],
                               strict=True)
    ]
    duplicates = pd.concat(
        [answer_dups[DUPLICATE_COLUMNS], pd.DataFrame(file_records, columns=DUPLICATE_COLUMNS)], ignore_index=True
    )
    duplicates = duplicates.astype({"similarity": "float64"}).sort_values(
        "duplicate_source_file", kind="stable"
    ).reset_index(drop=True)
    return duplicates.astype({c: "str" for c in DUPLICATE_COLUMNS if c != "similarity"})


def responses_table(kept: pd.DataFrame) -> pd.DataFrame:
    """The contract columns of the kept answers, typed as the schema expects (also when empty)."""
    responses = kept[RESPONSE_COLUMNS].reset_index(drop=True)
    # Empty frames come back with object columns; the schemas (and parquet readers) expect strings.
    numeric = {"n_redactions": "int64", "question_confidence": "float64", "ocr_confidence": "float64"}
    return responses.astype({c: numeric.get(c, "str") for c in RESPONSE_COLUMNS})


# --- the stage as the runner calls it (pipeline.runner) -------------------------------------------

def _questions(settings) -> dict:
    from pipeline.errors import ConfigError

    questions = settings.yaml("questions.yaml").get("questions")
    if not questions:
        raise ConfigError("config/questions.yaml has no 'questions' section. Restore it from git.")
    return questions


def load(paths, settings) -> tuple[dict, list]:
    """Read, normalise and redact every return under ``paths.raw`` (:func:`pipeline.ingest.runner.ingest_folder`).

    Returns:
        The ingest tables (``responses``, ``returns``, ``duplicates``, ``ingest_ledger``,
        ``redaction_log``; ``responses.attrs`` holds the manifest path and the redaction counts) and
        the files read.

    Raises:
        MissingInputError: If the folder does not exist.
    """
    from pipeline.errors import MissingInputError
    from pipeline.ingest.runner import ingest_folder

    if not paths.raw.is_dir():
        raise MissingInputError(f"The folder {paths.raw} does not exist. Put the returns in data/raw/<consultation>/ "
                                "or point --raw at their folder.")
    questions = _questions(settings)
    result = ingest_folder(paths.raw, questions, settings.yaml("vocabularies.yaml"), settings.as_dict(),
                           settings.yaml("redaction.yaml"), cache_dir=paths.out)
    result.responses.attrs.update(manifest=str(result.manifest) if result.manifest else None,
                                  redactions=dict(result.redactions), raw=str(paths.raw), out=str(paths.out))
    return ({"responses": result.responses, "returns": result.returns, "duplicates": result.duplicates,
             "ingest_ledger": result.ledger, "redaction_log": result.redaction_log}, list(result.inputs))


def run(tables: dict, settings):
    """Pass the ingested tables on to be validated and written, with the parameters to record."""
    from pipeline.runner import StageOutput

    attrs = tables["responses"].attrs
    names = ("responses", "returns", "duplicates", "ingest_ledger", "redaction_log")
    return StageOutput({n: tables[n] for n in names}, {
        "raw": attrs.get("raw"), "out": attrs.get("out"), "manifest": attrs.get("manifest"),
        "questions": _questions(settings), "redaction": settings.yaml("redaction.yaml")})


def _count(n: int, min_count: int) -> str:
    return str(n) if n == 0 or n >= min_count else f"<{min_count}"


def summary(responses: pd.DataFrame, ledger: pd.DataFrame, redactions: Mapping[str, int], min_count: int = 5) -> str:
    """Plain-text run summary; participant counts below ``min_count`` are shown as '<min_count'."""
    from pipeline.vocab import explode_multi

    file_rows = ledger.groupby("file", sort=False).head(1)
    status_counts = file_rows["status"].value_counts()
    lines = [
        "",
        "Ingest summary",
        f"  files: {ledger['file'].nunique()} ("
        + ", ".join(f"{status_counts.get(s, 0)} {s}" for s in ("accepted", "partly accepted", "rejected", "missing", "skipped"))
        + ")",
        f"  answers accepted: {len(responses)} from {responses['organisation'].nunique()} organisation(s); "
        f"{int((responses['question'] == 'unknown').sum())} not placed on a question",
        f"  items rejected: {int(file_rows['rows_rejected'].sum())}; duplicates set aside: "
        f"{int(file_rows['rows_duplicate'].sum())}",
    ]
    people = responses.drop_duplicates(["organisation", "participant_ref"])
    for col, title in (("cohort", "participants by cohort"), ("police_force_area", "participants by area")):
        counts = pd.Series(explode_multi(people[col].tolist())).value_counts().sort_index()
        lines.append(f"  {title}: " + ", ".join(f"{k} {_count(int(v), min_count)}" for k, v in counts.items()))
    lines.append("    (a group whose members the return does not separate counts once)")
    lines.append("  redactions: " + (", ".join(f"{k} {v}" for k, v in redactions.items()) if redactions else "none"))
    for rec in file_rows[file_rows["status"].isin(["rejected", "missing"])].itertuples(index=False):
        lines.append(f"  ! {rec.file}: {rec.reason}")
    lines.append("  See ingest_ledger.csv for every file and every item not accepted.")
    return "\n".join(lines)
