"""The topics stage as DataFrame functions: statements in, topic tables out.

:func:`model_topics` is the whole stage: it picks the statements to model, fits a
:class:`~pipeline.topics.model.TopicModeller`, and turns what it learned into the tables of
docs/data-model.md (``topics``, ``statement_topics``) plus ``topic_spread`` (statements per topic by
organisation, cohort and police force area, small counts suppressed) and a summary. Each table is
built by its own small function so that notebooks can reuse them.

Coverage by the plan: a topic is covered by a priority area when the zero-shot step seeded it
with that area, or when at least ``min_code_share`` of its statements carry that area's deductive
code (``codes.parquet`` from the coding stage, the pipeline's best evidence of what the codebook
covers). Without codes it falls back to the cosine similarity of the topic's centroid to the area
(``coverage_threshold``). Both the code share and the similarity are reported.

Disclosure rules applied here: counts below ``min_count`` are suppressed in ``topic_spread``;
representative statements (quotes) come only from topics of at least ``min_count`` statements, and
only from an organisation that contributed at least ``min_count`` of them, so a quote never comes
from a group smaller than the threshold.

Run with ``python -m pipeline topics`` (see pipeline/topics/cli.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pipeline.topics.model import TopicModeller, _normalise
from pipeline.topics.schema import (
    CODES_SCHEMA,
    PLAN_COMMENTS_PREFIX,
    SPREAD_DIMENSIONS,
    SPREAD_SCHEMA,
    STATEMENT_TOPICS_SCHEMA,
    STATEMENTS_SCHEMA,
    TOPICS_SCHEMA,
    WELSH_PREFIX,
    check,
)
from pipeline.vocab import split_multi

NOT_IN_PLAN = "not in the plan"


@dataclass
class PriorityAreas:
    """The codebook's codes as the topics stage needs them: ids, names and description embeddings."""

    ids: list[str]
    names: list[str]
    descriptions: list[str]
    vectors: np.ndarray


def priority_areas(ids: Sequence[str], names: Sequence[str], descriptions: Sequence[str],
                   description_vectors: np.ndarray, example_vectors: Sequence[np.ndarray]) -> PriorityAreas:
    """Represent each priority area by its description plus the centre of its example statements.

    A description is written in the plan's register ("ensure fair treatment at every stage...") and
    sits far from how people speak ("they stop my son every week"); the codebook's example
    statements bridge the two. An area without examples keeps its description alone.

    Args:
        ids, names, descriptions: The codes, in codebook order.
        description_vectors: ``(n_codes, d)`` embeddings of the descriptions.
        example_vectors: Per code, an ``(n_examples, d)`` array (possibly empty).
    """
    desc = _normalise(description_vectors)
    protos = []
    for d, ex in zip(desc, example_vectors, strict=True):
        ex = np.asarray(ex, dtype=np.float32)
        protos.append(d + _normalise(ex.mean(axis=0, keepdims=True))[0] if len(ex) else d)
    return PriorityAreas(list(ids), list(names), list(descriptions), _normalise(np.vstack(protos)))


@dataclass
class TopicsResult:
    """Everything the topics stage produces."""

    topics: pd.DataFrame
    statement_topics: pd.DataFrame
    spread: pd.DataFrame
    skipped: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)


def select_statements(statements: pd.DataFrame, speakers: Sequence[str] = ("participant",)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split statements into those to model and those skipped (with a reason), sorted by statement id.

    Facilitators' prompts are not participants' voices and blank statements carry no theme; neither
    is dropped silently: they come back in the second frame with a ``reason``.

    Returns:
        ``(modelled, skipped)``; ``skipped`` has columns ``statement_id, reason``.
    """
    df = statements.sort_values("statement_id", kind="stable").reset_index(drop=True)
    blank = df["text"].fillna("").astype(str).str.strip() == ""
    other_speaker = ~df["speaker"].isin(list(speakers)) if speakers else pd.Series(False, index=df.index)
    reason = np.where(blank, "blank text", np.where(other_speaker, "speaker is not " + " or ".join(speakers), ""))
    skipped = pd.DataFrame({"statement_id": df["statement_id"], "reason": reason})
    skipped = skipped[skipped["reason"] != ""].reset_index(drop=True)
    return df[reason == ""].reset_index(drop=True), skipped


@dataclass(frozen=True)
class PlanComments:
    """How to recognise a topic made of comments on the plan itself rather than a subject.

    Answers to "has CJIW listened / interpreted / found the solutions" often cluster by how they
    judge the draft ("Yes, it's honest about the problems", "It feels like a tick-box exercise")
    rather than by subject. Such a topic is not a theme the plan lacks, so its label says so.

    Attributes:
        cues: Words or phrases (case-insensitive, whole words) that refer to the plan or judge it.
        openings: Answer words ("yes", "partly", "naddo") that make a short statement a verdict on
            the plan.
        max_answer_words: A statement starting with an opening counts only up to this many words
            ("Yes, more than I expected."): after "No." a longer one usually goes on to a subject.
        min_share: Share of a topic's statements with a cue or a short answer at which it is a topic
            of comments on the plan (only for topics not covered by a priority area).
    """

    cues: tuple[str, ...] = ()
    openings: tuple[str, ...] = ()
    min_share: float = 1.01
    max_answer_words: int = 8

    def matches(self, texts: pd.Series) -> pd.Series:
        """Whether each text refers to or judges the plan."""
        hit = pd.Series(False, index=texts.index)
        texts = texts.astype(str)
        if self.cues:
            words = "|".join(re.escape(c) for c in sorted(self.cues, key=len, reverse=True))
            hit |= texts.str.contains(rf"(?i)(?<!\w)(?:{words})(?!\w)", regex=True)
        if self.openings:
            words = "|".join(re.escape(c) for c in sorted(self.openings, key=len, reverse=True))
            short = texts.str.count(r"\w+") <= self.max_answer_words
            hit |= short & texts.str.contains(rf"(?i)^\W*(?:{words})(?!\w)", regex=True)
        return hit


#: A topic whose statements are at least this share Welsh gets a label that says so.
WELSH_TOPIC_SHARE = 0.8

#: Words that c-TF-IDF may rank high but that say nothing as a label ("Plans, maybe, yes"): answers,
#: hedges and fillers of spoken feedback, and the stubs left when a tokenizer splits "isn't".
LABEL_SKIP_WORDS = frozenset({
    "yes", "no", "maybe", "ok", "okay", "yeah", "sure", "good", "bad", "big", "little", "bit", "bits", "lot", "lots",
    "loads", "says", "saying", "look", "looks", "real", "really", "actually", "basically", "probably", "isn", "wasn",
    "aren", "weren", "doesn", "didn", "don", "couldn", "wouldn", "shouldn", "haven", "hasn", "won", "people",
})


def _stem(word: str) -> str:
    """A crude stem, enough to see that "asked", "asks" and "ask" are one word in a label."""
    for suffix in ("ings", "ing", "ers", "er", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _label_words(keywords: Sequence[str], k: int = 3, skip: frozenset[str] = LABEL_SKIP_WORDS) -> list[str]:
    chosen: list[str] = []
    used: set[str] = set()
    for word in keywords:
        tokens = word.lower().split()
        if not tokens or all(t in skip or len(t) < 3 or any(ch.isdigit() for ch in t) for t in tokens):
            continue
        stems = {_stem(t) for t in tokens}
        # skip a keyword repeating a word already in the label ("interpreter" after "interpreter custody",
        # "asked" after "asks")
        if stems & used or any(word in c or c in word for c in chosen):
            continue
        chosen.append(word)
        used |= stems
        if len(chosen) == k:
            break
    return chosen


def make_label(keywords: Sequence[str], code: str | None = None, code_name: str | None = None) -> str:
    """A human-readable topic label from its keywords (prefixed by the priority area if seeded by one).

    The label is the first three keywords that are not fillers (:data:`LABEL_SKIP_WORDS`, words of
    fewer than three letters, numbers) nor repeats of an earlier one, the first capitalised. When
    every keyword is a filler the first three keywords are used as they are.
    """
    words = _label_words(keywords) or [w for w in keywords if w.strip()][:3]
    text = ", ".join(words)
    text = text[:1].upper() + text[1:] if text else "(no distinctive words)"
    return f"{code} {code_name}: {text}" if code else text


def statement_topic_table(modelled: pd.DataFrame, modeller: TopicModeller) -> pd.DataFrame:
    """``statement_topics``: each modelled statement's topic and closeness to it (0-1)."""
    out = pd.DataFrame({
        "statement_id": modelled["statement_id"].astype(str).to_numpy(),
        "topic": modeller.topics_.astype("int64"),
        "probability": np.round(modeller.probabilities_.astype(float), 6),
    })
    return check(out, STATEMENT_TOPICS_SCHEMA, "statement_topics.parquet", "This is a bug in the topics stage.")


def _representatives(members: pd.DataFrame, unit: np.ndarray, centroid: np.ndarray, min_count: int, n: int) -> list[str]:
    """The ``n`` statements closest to the topic centre, from organisations with >= min_count in it."""
    if len(members) < min_count or n <= 0:
        return []
    org_counts = members["organisation"].value_counts()
    allowed = members["organisation"].map(org_counts) >= min_count
    cand = members[allowed.to_numpy()].copy()
    if cand.empty:
        return []
    cand["_sim"] = unit[cand["_row"].to_numpy()] @ centroid
    cand = cand.sort_values(["_sim", "statement_id"], ascending=[False, True])
    # The same words said twice (a return sent as notes and as a transcript, curly or straight
    # quotes, "Not really. <the same sentence>") make one quote, not two:
    # rapidfuzz token set ratio >= 90 on the words.
    from rapidfuzz import fuzz

    chosen: list[str] = []
    seen: list[str] = []
    for sid, text in zip(cand["statement_id"].astype(str), cand["text"].astype(str), strict=True):
        words = " ".join(re.findall(r"\w+", text.lower()))
        if any(fuzz.token_set_ratio(words, other) >= 90 for other in seen):
            continue
        chosen.append(sid)
        seen.append(words)
        if len(chosen) == n:
            break
    return chosen


def topic_code_shares(modelled: pd.DataFrame, topics: np.ndarray, codes: pd.DataFrame,
                      area_ids: Sequence[str]) -> pd.DataFrame:
    """Share of each topic's statements coded with each priority area.

    A statement with several codes counts towards each, so a row's shares can add up to more than
    1; ``uncoded`` and codes not in ``area_ids`` count towards none, so they can add up to less.
    The denominator is the topic's size, so a modelled statement missing from ``codes`` counts as
    uncoded (no evidence that the plan covers it).

    Args:
        modelled: The modelled statements (``statement_id``), in the order of ``topics``.
        topics: Topic of each modelled statement.
        codes: ``codes.parquet`` (``statement_id``, ``code``; long format).
        area_ids: The priority areas' codes (columns of the result, in this order).

    Returns:
        A frame indexed by topic (sorted) with one float column per area.
    """
    members = pd.DataFrame({"statement_id": modelled["statement_id"].astype(str).to_numpy(),
                            "topic": np.asarray(topics, dtype=np.int64)})
    sizes = members.groupby("topic", sort=True).size()
    coded = codes[["statement_id", "code"]].astype(str)
    coded = coded[coded["code"].isin(list(area_ids))].drop_duplicates()
    both = members.merge(coded, on="statement_id", how="inner")
    counts = np.zeros((len(sizes), len(area_ids)), dtype=np.float64)
    np.add.at(counts, (sizes.index.get_indexer(both["topic"]), pd.Index(list(area_ids)).get_indexer(both["code"])), 1.0)
    return pd.DataFrame(counts / sizes.to_numpy()[:, None], index=sizes.index, columns=list(area_ids))


def topic_table(
    modelled: pd.DataFrame,
    embeddings: np.ndarray,
    modeller: TopicModeller,
    areas: PriorityAreas,
    coverage_threshold: float,
    min_count: int = 5,
    n_representative: int = 3,
    codes: pd.DataFrame | None = None,
    min_code_share: float = 0.4,
    plan_comments: PlanComments = PlanComments(),
) -> pd.DataFrame:
    """``topics``: one row per topic with label, keywords, size, quotes and coverage by the plan.

    ``nearest_code`` is the priority area that seeded the topic (zero-shot), else, with ``codes``,
    the area coding the largest share of its statements (ties and all-zero shares broken by
    similarity), else the area most similar to its centroid. ``similarity`` and ``code_share``
    are the topic's centroid similarity to, and share of statements coded with, that area
    (``code_share`` is empty without ``codes``).

    A topic is covered when the zero-shot step seeded it, or (with ``codes``) when its
    ``code_share`` reaches ``min_code_share``, or (without ``codes``) when its ``similarity``
    reaches ``coverage_threshold``. Unassigned statements (topic -1) are never a covered theme.

    The label of a topic that is not covered says so when it is mostly comments on the plan
    itself (``plan_comments``: "Comments on the plan itself: ...") or mostly Welsh statements
    ("Mostly in Welsh (mixed subjects): ..."), so neither reads as a subject the plan lacks.
    """
    unit = _normalise(embeddings)
    area_vectors = _normalise(areas.vectors)
    members_all = modelled.assign(_row=np.arange(len(modelled)), _topic=modeller.topics_)
    shares = topic_code_shares(modelled, modeller.topics_, codes, areas.ids) if codes is not None else None
    rows = []
    for topic in sorted(modeller.keywords_):
        members = members_all[members_all["_topic"] == topic]
        if members.empty:
            continue
        centroid = modeller.centroids_[topic]
        sims = area_vectors @ centroid if len(area_vectors) else np.zeros(0)
        share = shares.loc[topic].to_numpy() if shares is not None else None
        zs = modeller.zeroshot_topics_.get(topic)
        if zs is not None:
            nearest = zs
        elif not len(sims):
            nearest = None
        elif share is not None:
            nearest = max(range(len(sims)), key=lambda i: (share[i], sims[i], -i))
        else:
            nearest = int(np.argmax(sims))
        similarity = float(sims[nearest]) if nearest is not None else 0.0
        code_share = float(share[nearest]) if (share is not None and nearest is not None) else float("nan")
        evidence = code_share >= min_code_share if share is not None else similarity >= coverage_threshold
        covered = topic != -1 and nearest is not None and (zs is not None or evidence)
        if modeller.mode_ == "keywords":
            covered = nearest is not None and evidence
        keywords = modeller.keywords_[topic]
        if modeller.mode_ == "keywords":
            label = f"All {len(members)} statements (too few to find themes): " + make_label(keywords).lower()
        elif topic == -1:
            label = "Unassigned statements (no clear theme)"
        elif zs is not None:
            label = make_label(keywords, areas.ids[zs], areas.names[zs])
        else:
            label = make_label(keywords)
            if not covered and len(members) and plan_comments.matches(members["text"]).mean() >= plan_comments.min_share:
                label = PLAN_COMMENTS_PREFIX + label
            # The embedding model is English-only, so Welsh statements tend to cluster by language
            # rather than subject; say so rather than present a language as a theme.
            elif "language" in members and (members["language"].astype(str) == "cy").mean() >= WELSH_TOPIC_SHARE:
                label = WELSH_PREFIX + label
        quotes = [] if (topic == -1 and modeller.mode_ != "keywords") else _representatives(
            members, unit, centroid, min_count, n_representative)
        rows.append({
            "topic": int(topic),
            "label": label,
            "keywords": "; ".join(keywords),
            "size": int(len(members)),
            "n_organisations": int(members["organisation"].nunique()),
            "representative_statement_ids": ";".join(quotes),
            "nearest_code": areas.ids[nearest] if nearest is not None else "",
            "similarity": round(similarity, 6),
            "code_share": round(code_share, 6),
            "covered": bool(covered),
            "coverage": f"covered by {areas.ids[nearest]}" if covered else NOT_IN_PLAN,
        })
    out = pd.DataFrame(rows, columns=[c for c in TOPICS_SCHEMA.columns])
    out = out.astype({"code_share": "float64"})
    out = out.sort_values("topic", key=lambda s: s.where(s >= 0, np.iinfo(np.int64).max)).reset_index(drop=True)
    return check(out, TOPICS_SCHEMA, "topics.parquet", "This is a bug in the topics stage.")


def topic_spread(modelled: pd.DataFrame, statement_topics: pd.DataFrame, min_count: int = 5) -> pd.DataFrame:
    """Tidy counts of statements per topic by organisation, cohort and police force area.

    A row attributed to several cohorts or areas counts once for each. Counts from 1 to
    ``min_count - 1`` are suppressed (``n_statements`` empty, ``suppressed`` True).
    """
    df = modelled[["statement_id", *SPREAD_DIMENSIONS]].merge(statement_topics[["statement_id", "topic"]],
                                                               on="statement_id", how="inner")
    parts = []
    for dim in SPREAD_DIMENSIONS:
        values = df[dim].astype(str).map(split_multi) if dim != "organisation" else df[dim].astype(str).map(lambda v: [v])
        long = pd.DataFrame({"topic": df["topic"].to_numpy(), "group": values.to_numpy()}).explode("group")
        counts = long.groupby(["topic", "group"], sort=True).size().rename("n").reset_index()
        counts.insert(1, "dimension", dim)
        parts.append(counts)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["topic", "dimension", "group", "n"])
    suppressed = out["n"] < min_count
    out = out.assign(
        n_statements=out["n"].astype("Int64").mask(suppressed),
        suppressed=suppressed.to_numpy(),
    ).drop(columns="n")
    out["_dim"] = out["dimension"].map(SPREAD_DIMENSIONS.index)
    out = out.sort_values(["topic", "_dim", "group"]).drop(columns="_dim").reset_index(drop=True)
    return check(out[list(SPREAD_SCHEMA.columns)], SPREAD_SCHEMA, "topic_spread.parquet", "This is a bug in the topics stage.")


def model_topics(
    statements: pd.DataFrame,
    embeddings: np.ndarray,
    modeller: TopicModeller,
    areas: PriorityAreas,
    coverage_threshold: float,
    min_count: int = 5,
    n_representative: int = 3,
    speakers: Sequence[str] = ("participant",),
    codes: pd.DataFrame | None = None,
    min_code_share: float = 0.4,
    plan_comments: PlanComments = PlanComments(),
) -> TopicsResult:
    """Run the topics stage on a statements table.

    Args:
        statements: ``statements.parquet`` (see docs/data-model.md); not modified.
        embeddings: One embedding per row of ``statements``, in the same order.
        modeller: An unfitted :class:`TopicModeller` (fitted here on the modelled statements).
        areas: The priority areas (codebook) to compare topics with.
        coverage_threshold: Centroid-to-area similarity at which a topic counts as covered when
            ``codes`` is not given.
        min_count: Disclosure threshold (``disclosure.min_count``).
        n_representative: Quotes per topic.
        speakers: Speakers whose statements are modelled.
        codes: ``codes.parquet`` (deductive codes of the statements), or ``None`` to judge coverage
            by similarity alone; not modified.
        min_code_share: Share of a topic's statements coded with a priority area at which the
            topic counts as covered by it (used with ``codes``).
        plan_comments: How to recognise a topic of comments on the plan itself (labelled so);
            the default recognises none.

    Returns:
        A :class:`TopicsResult`; ``skipped`` lists statements not modelled and why.

    Raises:
        TopicsSchemaError: If ``statements`` lacks a column or has duplicate ids, or ``codes``
            lacks a column.
        ValueError: If the embeddings do not match the statements.
    """
    if "text" in statements.columns:  # a missing text is a blank statement (skipped with a reason), not an error
        statements = statements.assign(text=statements["text"].fillna(""))
    statements = check(statements, STATEMENTS_SCHEMA, "statements.parquet",
                       "Re-run `make code` to rebuild it, or check the file was not edited by hand.")
    if codes is not None:
        codes = check(codes, CODES_SCHEMA, "codes.parquet",
                      "Re-run `make code` to rebuild it, or check the file was not edited by hand.")
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if len(embeddings) != len(statements):
        raise ValueError(f"{len(statements)} statements but {len(embeddings)} embeddings.")
    order = statements["statement_id"].argsort(kind="stable").to_numpy()
    modelled, skipped = select_statements(statements, speakers)
    keep = set(modelled["statement_id"])
    sorted_ids = statements["statement_id"].to_numpy()[order]
    emb = embeddings[order][np.array([s in keep for s in sorted_ids], dtype=bool)]
    modeller.fit(modelled["text"].astype(str).tolist(), emb)
    st = statement_topic_table(modelled, modeller)
    topics = topic_table(modelled, emb, modeller, areas, coverage_threshold, min_count, n_representative,
                         codes=codes, min_code_share=min_code_share, plan_comments=plan_comments)
    spread = topic_spread(modelled, st, min_count)
    summary = summarise(statements, modelled, skipped, topics, modeller, coverage_threshold)
    summary["coverage_basis"] = "deductive codes" if codes is not None else "similarity (no codes.parquet)"
    summary["coverage_min_code_share"] = min_code_share if codes is not None else None
    summary["n_modelled_without_codes"] = (
        int((~modelled["statement_id"].isin(set(codes["statement_id"]))).sum()) if codes is not None else None)
    return TopicsResult(topics=topics, statement_topics=st, spread=spread, skipped=skipped, summary=summary)


def summarise(statements, modelled, skipped, topics, modeller: TopicModeller, coverage_threshold: float) -> dict[str, Any]:
    """A plain summary of the run (written as topics_summary.json and logged)."""
    themed = topics[topics["topic"] != -1]
    return {
        "mode": modeller.mode_,
        "message": modeller.message_,
        "n_statements": int(len(statements)),
        "n_modelled": int(len(modelled)),
        "n_skipped": int(len(skipped)),
        "skipped_by_reason": {str(k): int(v) for k, v in skipped["reason"].value_counts().sort_index().items()},
        "n_topics": int(len(themed)),
        "n_topics_seeded_by_priority_areas": int(len(modeller.zeroshot_topics_)),
        "n_topics_not_in_plan": int((~themed["covered"]).sum()),
        "topics_not_in_plan": themed.loc[~themed["covered"], "label"].tolist(),
        "unassigned_share_before_outlier_reduction": round(float(modeller.outlier_share_before_), 4),
        "unassigned_share": round(float(modeller.outlier_share_), 4),
        "n_unassigned": int((modeller.topics_ == -1).sum()),
        "coverage_threshold": coverage_threshold,
        "parameters": modeller.params_ if hasattr(modeller, "params_") else {},
        "fallbacks": list(modeller.fallbacks_),
        "n_extra_texts_for_keywords": int(getattr(modeller, "n_embedded_", 0)),
    }
