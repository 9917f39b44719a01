"""Rules that make a set of topics a theme set a reader can trust.

The rules follow i.AI's themefinder (at most 70 themes, each covering at least 5 responses, no two
themes 0.9 or more similar) adapted to clusters of statements:

* :func:`split_incoherent`: a topic whose statements sit far from their centre (coherence, the mean
  cosine similarity of its statements to their centroid, below ``min_coherence``) is split in two
  (Ward on the embeddings) when both halves are big enough and each is more coherent; otherwise it
  stays, flagged.
* :func:`absorb_small`: a topic of fewer than ``min_size`` statements is dissolved; each of its
  statements joins the most similar remaining topic (if at least ``min_similarity``), else stays
  unassigned (-1).
* :func:`merge_similar`: topics of the same kind whose centroids have cosine similarity of
  ``threshold`` (0.9) or more are merged, the most similar pair first, until none is left.
* :func:`author_groups`: the author's level. Comments on the plan itself make one theme, and so do
  Welsh statements grouped by language; topics seeded by a priority area keep one theme per area;
  subject topics are merged (average linkage on their centroids, most similar first) until at most
  ``max_themes`` themes are left. The fine topics stay available to the analyst.

Every function is pure: arrays in, new arrays (or mappings) out; deterministic for given inputs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

#: Kinds of topic. Only topics of the same kind are merged.
SUBJECT, PLAN_COMMENTS, WELSH = "subject", "plan_comments", "welsh"


def _unit(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    n = np.linalg.norm(X, axis=-1, keepdims=True)
    return X / np.where(n == 0, 1.0, n)


def centroids(labels: np.ndarray, unit: np.ndarray) -> dict[int, np.ndarray]:
    """Unit-length mean embedding of each topic (topic -1 excluded)."""
    return {int(t): _unit(unit[labels == t].mean(axis=0)) for t in sorted(set(labels.tolist())) if t != -1}


def coherence(labels: np.ndarray, unit: np.ndarray) -> dict[int, float]:
    """Mean cosine similarity of each topic's statements to their centroid (1 = all alike)."""
    cents = centroids(labels, unit)
    return {t: float((unit[labels == t] @ c).mean()) for t, c in cents.items()}


def _coh(unit: np.ndarray) -> float:
    return float((unit @ _unit(unit.mean(axis=0))).mean())


def split_incoherent(labels: np.ndarray, unit: np.ndarray, min_coherence: float, min_size: int,
                     max_rounds: int = 10, min_gain: float = 0.02, random_state: int = 42) -> np.ndarray:
    """Split topics whose coherence is below ``min_coherence`` (see the module docstring).

    A topic is split in two with k-means (seeded). The split is kept only when both halves have at
    least ``min_size`` statements and their coherence, weighted by size, beats the whole's by
    ``min_gain``; the smaller half gets a new topic number (above the largest). Splitting is
    repeated on the halves, at most ``max_rounds`` times in all.

    Returns:
        New labels (the input is not modified).
    """
    from sklearn.cluster import KMeans

    out = np.asarray(labels, dtype=np.int64).copy()
    unit = np.asarray(unit, dtype=np.float64)
    tried: set[tuple[int, int]] = set()
    for _ in range(max_rounds):
        coh = coherence(out, unit)
        todo = sorted((c, t) for t, c in coh.items() if c < min_coherence and (out == t).sum() >= 2 * min_size
                      and (t, int((out == t).sum())) not in tried)
        if not todo:
            break
        _, t = todo[0]
        idx = np.where(out == t)[0]
        tried.add((t, len(idx)))
        halves = KMeans(n_clusters=2, n_init=10, random_state=random_state).fit_predict(unit[idx])
        a, b = idx[halves == 0], idx[halves == 1]
        if min(len(a), len(b)) < min_size:
            continue
        gain = (len(a) * _coh(unit[a]) + len(b) * _coh(unit[b])) / len(idx) - coh[t]
        if gain < min_gain:
            continue
        # the larger half keeps the number, so a topic's number survives a small split-off
        if len(a) < len(b):
            a, b = b, a
        out[b] = out.max() + 1
    return out


def absorb_small(labels: np.ndarray, unit: np.ndarray, min_size: int, min_similarity: float) -> np.ndarray:
    """Dissolve topics of fewer than ``min_size`` statements into the most similar remaining topic.

    A statement less similar than ``min_similarity`` to every remaining topic's centroid becomes
    unassigned (-1). If no topic is big enough, nothing changes (there is nothing to join).
    """
    out = np.asarray(labels, dtype=np.int64).copy()
    sizes = {int(t): int((out == t).sum()) for t in set(out.tolist()) if t != -1}
    big = sorted(t for t, n in sizes.items() if n >= min_size)
    small = sorted(t for t, n in sizes.items() if n < min_size)
    if not small or not big:
        return out
    cents = centroids(out, unit)
    C = np.vstack([cents[t] for t in big])
    for t in small:
        idx = np.where(out == t)[0]
        sims = unit[idx] @ C.T
        best = sims.argmax(axis=1)
        out[idx] = np.where(sims.max(axis=1) >= min_similarity, np.array(big)[best], -1)
    return out


def merge_similar(labels: np.ndarray, unit: np.ndarray, threshold: float = 0.9,
                  kinds: Mapping[int, str] | None = None) -> tuple[np.ndarray, list[tuple[int, int, float]]]:
    """Merge topics whose centroids are ``threshold`` or more similar, most similar pair first.

    Only topics of the same kind (``kinds``; all the same when ``None``) are merged. The merged
    topic keeps the smaller number. After each merge the centroid is recomputed, so the result has
    no pair of topics of the same kind at or above ``threshold``.

    Returns:
        ``(labels, merges)``; ``merges`` lists ``(kept, absorbed, similarity)`` in order.
    """
    out = np.asarray(labels, dtype=np.int64).copy()
    kinds = dict(kinds or {})
    merges: list[tuple[int, int, float]] = []
    while True:
        cents = centroids(out, unit)
        ids = sorted(cents)
        if len(ids) < 2:
            break
        C = np.vstack([cents[t] for t in ids])
        S = C @ C.T
        np.fill_diagonal(S, -2.0)
        best = None
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                if kinds.get(ids[i], SUBJECT) != kinds.get(ids[j], SUBJECT):
                    continue
                if S[i, j] >= threshold and (best is None or S[i, j] > best[2] + 1e-12):
                    best = (ids[i], ids[j], float(S[i, j]))
        if best is None:
            break
        out[out == best[1]] = best[0]
        merges.append(best)
    return out, merges


def author_groups(labels: np.ndarray, unit: np.ndarray, kinds: Mapping[int, str], max_themes: int = 25) -> dict[int, int]:
    """Map each fine topic to a theme of the author's level (see the module docstring).

    Args:
        labels: Fine topic of each statement (-1 unassigned).
        unit: Unit-length statement embeddings.
        kinds: Kind of each fine topic: :data:`SUBJECT`, :data:`PLAN_COMMENTS`, :data:`WELSH` or a
            priority-area id for topics seeded by that area.
        max_themes: At most this many themes at the author's level (when the kinds that are never
            merged leave room; they always stay apart).

    Returns:
        ``{fine topic: author theme}``; author themes are numbered by the smallest fine topic in
        them, so the numbering is deterministic.
    """
    cents = centroids(np.asarray(labels), unit)
    fine = sorted(cents)
    group: dict[int, int] = {}
    by_kind: dict[str, list[int]] = {}
    for t in fine:
        by_kind.setdefault(kinds.get(t, SUBJECT), []).append(t)
    for kind, ts in by_kind.items():
        if kind != SUBJECT:  # comments on the plan, Welsh, one priority area: one theme each
            for t in ts:
                group[t] = min(ts)
    subjects = by_kind.get(SUBJECT, [])
    room = max(1, max_themes - (len(by_kind) - (1 if subjects else 0)))
    clusters = {t: [t] for t in subjects}
    sizes = {t: int((np.asarray(labels) == t).sum()) for t in subjects}
    while len(clusters) > room:
        keys = sorted(clusters)
        best = None
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                # average linkage over the fine topics' centroids, weighted by size
                wa = np.array([sizes[t] for t in clusters[a]], dtype=np.float64)
                wb = np.array([sizes[t] for t in clusters[b]], dtype=np.float64)
                sim = float(np.average(np.vstack([cents[t] for t in clusters[a]])
                                       @ np.vstack([cents[t] for t in clusters[b]]).T,
                                       weights=np.outer(wa, wb)))
                if best is None or sim > best[2] + 1e-12:
                    best = (a, b, sim)
        a, b, _ = best
        clusters[a] = sorted(clusters[a] + clusters.pop(b))
    for members in clusters.values():
        for t in members:
            group[t] = min(members)
    return group
