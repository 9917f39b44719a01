"""Find duplicate returns and answers, keep each once, and list what was set aside.

Three kinds (the ``kind`` column of ``duplicates.csv``):

- ``exact_file``: the same file sent twice (same SHA-256). The later file by path is the
  duplicate; all its rows are set aside and point at the row they repeat in the original.
- ``exact_answer``: the same answer (after :func:`pipeline.vocab.normalise_label`) appearing
  twice within one organisation's returns, e.g. pasted into two places.
- ``near_answer``: two answers within one organisation whose normalised texts are at least
  ``near_duplicate_ratio`` similar (rapidfuzz ratio, 0-100), e.g. re-typed with a typo fixed.

Answers shorter than ``min_chars`` normalised characters are never duplicates: many people
really do answer "No" or "Not really". The first answer in (source_file, row order) is kept.
Pure DataFrame functions, used by the ingest stage (``python -m pipeline ingest``).
"""

from __future__ import annotations

import pandas as pd

from pipeline.vocab import normalise_label

DUPLICATE_COLUMNS = [
    "response_id_kept",
    "duplicate_source_file",
    "duplicate_source_location",
    "kind",
    "similarity",
]


def find_duplicate_files(hashes: dict[str, str]) -> dict[str, str]:
    """Map each duplicate file to the original it repeats (earliest path with the same SHA-256).

    Args:
        hashes: source_file -> SHA-256 of its bytes.
    """
    first: dict[str, str] = {}
    duplicate_of: dict[str, str] = {}
    for path in sorted(hashes):
        digest = hashes[path]
        if digest in first:
            duplicate_of[path] = first[digest]
        else:
            first[digest] = path
    return duplicate_of


def dedupe_answers(df: pd.DataFrame, near_ratio: float, min_chars: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep each answer once within an organisation.

    Args:
        df: Answers with ``response_id``, ``organisation``, ``source_file``, ``source_location``, ``text``,
            in the order to prefer (the first of a group is kept).
        near_ratio: rapidfuzz ratio (0-100) at or above which two answers are near-duplicates.
        min_chars: Answers with fewer normalised characters are never treated as duplicates.

    Returns:
        ``(kept, duplicates)``: kept rows (same columns as ``df``) and the duplicates table
        (:data:`DUPLICATE_COLUMNS` plus ``response_id``, the set-aside row's own id).
    """
    from rapidfuzz import fuzz

    norm = df["text"].astype(str).map(normalise_label).tolist()
    orgs = df["organisation"].astype(str).tolist()
    ids = df["response_id"].astype(str).tolist()
    drop: set[int] = set()
    records: list[dict[str, object]] = []
    kept_by_org: dict[str, list[int]] = {}
    exact_seen: dict[tuple[str, str], int] = {}
    for i, text in enumerate(norm):
        if len(text) < min_chars:
            continue
        org = orgs[i]
        key = (org, text)
        if key in exact_seen:
            drop.add(i)
            records.append(_record(ids[exact_seen[key]], df, i, "exact_answer", 100.0))
            continue
        match, score = None, 0.0
        for j in kept_by_org.get(org, []):
            # A cheap length check first: ratio cannot reach the threshold if lengths differ too much.
            shorter, longer = sorted((len(norm[j]), len(text)))
            if 200.0 * shorter / (shorter + longer) < near_ratio:
                continue
            s = fuzz.ratio(norm[j], text, score_cutoff=near_ratio)
            if s > score:
                match, score = j, s
        if match is not None:
            drop.add(i)
            records.append(_record(ids[match], df, i, "near_answer", round(float(score), 1)))
            continue
        exact_seen[key] = i
        kept_by_org.setdefault(org, []).append(i)
    kept = df.iloc[[i for i in range(len(df)) if i not in drop]].reset_index(drop=True)
    return kept, pd.DataFrame(records, columns=[*DUPLICATE_COLUMNS, "response_id"])


def _record(kept_id: str, df: pd.DataFrame, i: int, kind: str, similarity: float) -> dict[str, object]:
    return {
        "response_id_kept": kept_id,
        "duplicate_source_file": str(df["source_file"].iloc[i]),
        "duplicate_source_location": str(df["source_location"].iloc[i]),
        "kind": kind,
        "similarity": similarity,
        "response_id": str(df["response_id"].iloc[i]),
    }
