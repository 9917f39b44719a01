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

import math

import numpy as np
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


def _grams(text: str, q: int = 3) -> set[str]:
    return {text[i:i + q] for i in range(max(1, len(text) - q + 1))}


_BUCKETS = 36
_BUCKET_OF = np.array([c - 97 if 97 <= c <= 122 else 26 if 48 <= c <= 57 else 27 if c == 32 else 28 + c % 8
                       for c in range(128)], dtype=np.int64)


def _char_counts(text: str) -> np.ndarray:
    """How many of each character (a-z, digits, space, others in 8 buckets) a normalised text holds."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    buckets = np.where(codes < 128, _BUCKET_OF[np.minimum(codes, 127)], 28 + codes % 8)
    return np.bincount(buckets, minlength=_BUCKETS).astype(np.int32)


def _trigram_ranks(grams: list[set[str]], orgs: list[str]) -> dict[str, dict[str, int]]:
    """Each organisation's trigrams ranked rarest first (by frequency within the organisation, then the trigram).

    One global order per organisation, as prefix filtering needs.
    """
    from collections import Counter

    freq: dict[str, Counter[str]] = {}
    for org, g in zip(orgs, grams, strict=True):
        freq.setdefault(org, Counter()).update(g)
    return {org: {g: r for r, (g, _) in enumerate(sorted(c.items(), key=lambda kv: (kv[1], kv[0])))}
            for org, c in freq.items()}


def _max_edits(length: int, near_ratio: float) -> int:
    """The most edits that can separate a text of ``length`` from one within ``near_ratio`` of it.

    Indel distance to any text within near_ratio is at most share * (len + longest partner length), and
    a partner is at most len * (200 / near_ratio - 1) long.
    """
    if near_ratio <= 0:
        return length
    longest = length * (200.0 / near_ratio - 1.0)
    return int((1.0 - near_ratio / 100.0) * (length + longest))


class _KeptIndex:
    """The answers kept so far, indexed for the near-duplicate search of :func:`dedupe_answers`.

    Kept answers are indexed by (organisation, trigram, length band): a near-duplicate's length is within
    a factor (200 - near_ratio) / near_ratio of the answer's, so only neighbouring bands are read. Each
    band also keeps the positions of all its answers, for when rare trigrams do not narrow the search.
    Character counts (``hist``): each insertion or deletion changes one count by one, so two answers whose
    counts differ by more than the edits allowed cannot be near-duplicates (checked in numpy before rapidfuzz).
    """

    def __init__(self, norm: list[str], near_ratio: float) -> None:
        self.norm = norm
        self.near_ratio = near_ratio
        self.step = math.log((200.0 - near_ratio) / near_ratio) if 0 < near_ratio < 100 else 0.0
        self.hist = np.stack([_char_counts(t) for t in norm]) if norm else np.zeros((0, _BUCKETS), dtype=np.int32)
        self.index: dict[tuple[str, str, int], list[int]] = {}
        self.by_band: dict[tuple[str, int], tuple[np.ndarray, int]] = {}

    def band(self, length: int) -> int:
        return int(math.log(length) / self.step) if self.step else 0

    def candidates(self, i: int, org: str, prefix: list[str], b: int, max_edits: int) -> np.ndarray:
        """Positions of the kept answers that could be near-duplicates of answer ``i``, in order."""
        window = [self.by_band[(org, nb)] for nb in (b - 1, b, b + 1) if (org, nb) in self.by_band]
        n_window = sum(n for _, n in window)
        hits = ([h for g in prefix for nb in (b - 1, b, b + 1) if (h := self.index.get((org, g, nb)))]
                if n_window > 256 else [])
        if n_window > 256 and sum(map(len, hits)) <= n_window // 4:
            # Few kept answers share a rare trigram: compare with those only.
            found: set[int] = set()
            for h in hits:
                found.update(h)
            ordered = np.fromiter(sorted(found), dtype=np.int64, count=len(found))
        else:
            # Answers built from the same phrases share even their rarest trigrams: then every kept answer
            # of a similar length is checked, in numpy, which is cheaper than gathering the index's lists.
            ordered = np.sort(np.concatenate([buf[:n] for buf, n in window])) if window else np.zeros(0, np.int64)
        if len(ordered) > 8:
            ordered = ordered[np.abs(self.hist[ordered] - self.hist[i]).sum(axis=1) <= max_edits]
        return ordered

    def best(self, text: str, ordered: np.ndarray) -> tuple[int | None, float]:
        """The kept answer most similar to ``text`` at ``near_ratio`` or above (the earliest wins a tie)."""
        from rapidfuzz import fuzz, process

        if not len(ordered):
            return None, 0.0
        # rapidfuzz compares the rest in C (its score cutoff skips answers of too different a length at once).
        owners = ordered.tolist()
        found = process.extractOne(text, [self.norm[j] for j in owners], scorer=fuzz.ratio, processor=None,
                                   score_cutoff=self.near_ratio)
        return (owners[found[2]], found[1]) if found is not None else (None, 0.0)

    def add(self, i: int, org: str, prefix: list[str], b: int) -> None:
        """Index kept answer ``i`` under its prefix trigrams and in its length band."""
        for g in prefix:
            self.index.setdefault((org, g, b), []).append(i)
        buf, n = self.by_band.get((org, b), (np.zeros(64, dtype=np.int64), 0))
        if n == len(buf):
            buf = np.concatenate([buf, np.zeros(len(buf), dtype=np.int64)])
        buf[n] = i
        self.by_band[(org, b)] = (buf, n + 1)


def dedupe_answers(df: pd.DataFrame, near_ratio: float, min_chars: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep each answer once within an organisation.

    Near-duplicates are found without comparing every answer with every kept one: an answer is compared
    (rapidfuzz ratio) only with kept answers of its organisation that share at least one of its rarest
    character trigrams (prefix filtering). The filter loses no pair: for two texts whose ratio reaches
    ``near_ratio`` the edit distance is bounded, each edit changes at most three trigrams, so a text's
    ``k`` rarest trigrams, for ``k`` one more than that bound allows to change, must include one of the
    other's; both texts index that many of theirs. Candidates whose character counts differ by more than
    the edits allowed are dropped before rapidfuzz compares the rest. When answers share even their rarest
    trigrams (the same phrases over and over), every kept answer of a similar length is compared instead,
    in C. The result is the same as the exhaustive search (first kept answer with the best score wins).

    Args:
        df: Answers with ``response_id``, ``organisation``, ``source_file``, ``source_location``, ``text``,
            in the order to prefer (the first of a group is kept).
        near_ratio: rapidfuzz ratio (0-100) at or above which two answers are near-duplicates.
        min_chars: Answers with fewer normalised characters are never treated as duplicates.

    Returns:
        ``(kept, duplicates)``: kept rows (same columns as ``df``) and the duplicates table
        (:data:`DUPLICATE_COLUMNS` plus ``response_id``, the set-aside row's own id).
    """
    norm = df["text"].astype(str).map(normalise_label).tolist()
    orgs = df["organisation"].astype(str).tolist()
    cols = tuple(df[c].astype(str).tolist() for c in ("response_id", "source_file", "source_location"))
    drop: set[int] = set()
    records: list[dict[str, object]] = []
    exact_seen: dict[tuple[str, str], int] = {}
    grams = [_grams(t) if len(t) >= min_chars else set() for t in norm]
    rank = _trigram_ranks(grams, orgs)
    kept_index = _KeptIndex(norm, near_ratio)
    for i, text in enumerate(norm):
        if len(text) < min_chars:
            continue
        org = orgs[i]
        key = (org, text)
        if key in exact_seen:
            drop.add(i)
            records.append(_record(cols, exact_seen[key], i, "exact_answer", 100.0))
            continue
        max_edits = _max_edits(len(text), near_ratio)  # each edit changes <= 3 trigrams
        prefix = sorted(grams[i], key=rank[org].__getitem__)[: 3 * max_edits + 1]
        b = kept_index.band(len(text))
        match, score = kept_index.best(text, kept_index.candidates(i, org, prefix, b, max_edits))
        if match is not None:
            drop.add(i)
            records.append(_record(cols, match, i, "near_answer", round(float(score), 1)))
            continue
        exact_seen[key] = i
        kept_index.add(i, org, prefix, b)
    kept = df.iloc[[i for i in range(len(df)) if i not in drop]].reset_index(drop=True)
    return kept, pd.DataFrame(records, columns=[*DUPLICATE_COLUMNS, "response_id"])


def _record(cols: tuple[list[str], list[str], list[str]], kept: int, i: int, kind: str,
            similarity: float) -> dict[str, object]:
    """A row of the duplicates table: answer ``i`` set aside as repeating kept answer ``kept``.

    Args:
        cols: The answers' ``response_id``, ``source_file`` and ``source_location``, as lists.
    """
    ids, files, locations = cols
    return {"response_id_kept": ids[kept], "duplicate_source_file": files[i], "duplicate_source_location": locations[i],
            "kind": kind, "similarity": similarity, "response_id": ids[i]}
