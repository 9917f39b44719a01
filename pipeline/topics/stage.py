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
from pipeline.topics.naming import Namer
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
    fine_topics: pd.DataFrame | None = None


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
        questions: Questions that ask people to judge the draft ("has CJIW listened?"): a topic whose
            statements mostly (``min_share``) answer them, with a cue or not, is comments on the plan
            even when a priority area's codes cover it (answers on listening are coded to the area
            about involving people).
    """

    cues: tuple[str, ...] = ()
    openings: tuple[str, ...] = ()
    min_share: float = 1.01
    max_answer_words: int = 8
    questions: tuple[str, ...] = ()

    def answers_about_the_plan(self, members: pd.DataFrame) -> pd.Series:
        """Whether each statement answers a question that asks people to judge the draft (``questions``)."""
        if not self.questions or "question" not in members:
            return pd.Series(False, index=members.index)
        return members["question"].astype(str).isin(self.questions)

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


def statement_topic_table(modelled: pd.DataFrame, modeller: TopicModeller, themes: np.ndarray | None = None,
                          embeddings: np.ndarray | None = None) -> pd.DataFrame:
    """``statement_topics``: each modelled statement's theme (author's level), fine topic and closeness (0-1).

    Without ``themes`` the theme is the fine topic. ``probability`` is the statement's cosine
    similarity to its theme's centroid (to the fine topic's without ``embeddings``), clipped to 0-1.
    """
    fine = modeller.topics_.astype("int64")
    theme = fine if themes is None else np.asarray(themes, dtype=np.int64)
    prob = modeller.probabilities_.astype(float)
    if themes is not None and embeddings is not None:
        unit = _normalise(embeddings)
        prob = np.zeros(len(theme), dtype=np.float64)
        for t in set(theme.tolist()) - {-1}:
            mask = theme == t
            prob[mask] = np.clip(unit[mask] @ _normalise(unit[mask].mean(axis=0, keepdims=True))[0], 0.0, 1.0)
    out = pd.DataFrame({
        "statement_id": modelled["statement_id"].astype(str).to_numpy(),
        "topic": theme,
        "probability": np.round(prob, 6),
        "fine_topic": fine,
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

    from pipeline.quasi import load_config, screen_quote

    quasi = load_config()
    chosen: list[str] = []
    seen: list[str] = []
    for sid, text in zip(cand["statement_id"].astype(str), cand["text"].astype(str), strict=True):
        if screen_quote(text, quasi).action != "keep":
            continue  # could identify someone (pipeline.quasi, issue 17): never a representative quote
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


#: Values of the ``kind`` column of the topic tables.
KINDS = ("priority_area", "subject", "plan_comments", "welsh", "unassigned", "keywords")


def topic_kinds(members_all: pd.DataFrame, modeller: TopicModeller, covered: dict[int, bool],
                plan_comments: PlanComments) -> dict[int, str]:
    """Kind of each topic: seeded by a priority area (its id), comments on the plan, Welsh, or a subject.

    A topic not covered by a priority area is comments on the plan when at least
    ``plan_comments.min_share`` of its statements judge the draft, and Welsh when at least
    :data:`WELSH_TOPIC_SHARE` of them are Welsh (the English-only model groups them by language).
    """
    from pipeline.topics import themeset

    kinds: dict[int, str] = {}
    for topic in sorted(modeller.keywords_):
        members = members_all[members_all["_topic"] == topic]
        if topic == -1 or members.empty:
            continue
        zs = modeller.zeroshot_topics_.get(topic)
        if zs is not None:
            kinds[topic] = f"zeroshot:{zs}"
        elif ((not covered.get(topic) and (plan_comments.matches(members["text"])
                                           | plan_comments.answers_about_the_plan(members)).mean() >= plan_comments.min_share)
              or plan_comments.answers_about_the_plan(members).mean() >= plan_comments.min_share):
            kinds[topic] = themeset.PLAN_COMMENTS
        elif "language" in members and (members["language"].astype(str) == "cy").mean() >= WELSH_TOPIC_SHARE:
            kinds[topic] = themeset.WELSH
        else:
            kinds[topic] = themeset.SUBJECT
    return kinds


def _coverage(topic: int, sims: np.ndarray, share: np.ndarray | None, zs: int | None, coverage_threshold: float,
              min_code_share: float, keywords_mode: bool) -> tuple[int | None, float, float, bool]:
    """``(nearest area index, similarity, code share, covered)`` of one topic (see :func:`topic_table`)."""
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
    if keywords_mode:
        covered = nearest is not None and evidence
    return nearest, similarity, code_share, bool(covered)


def _theme_rows(
    labels: np.ndarray, members_all: pd.DataFrame, unit: np.ndarray, keywords: dict[int, list[str]],
    zeroshot: dict[int, int], kinds: dict[int, str], fine_of: dict[int, list[int]], areas: PriorityAreas,
    shares: pd.DataFrame | None, coverage_threshold: float, min_code_share: float, mode: str, min_count: int,
    n_representative: int, namer: Namer, min_coherence: float, max_keywords: int = 10,
) -> pd.DataFrame:
    """One row per topic of ``labels`` (fine topics or the author's themes), as :data:`TOPICS_SCHEMA`."""
    area_vectors = _normalise(areas.vectors)
    rows = []
    keywords_mode = mode == "keywords"
    for topic in sorted(set(labels.tolist())):
        mask = labels == topic
        members = members_all[mask]
        centroid = _normalise(unit[mask].mean(axis=0, keepdims=True))[0]
        sims = area_vectors @ centroid if len(area_vectors) else np.zeros(0)
        share = shares.loc[topic].to_numpy() if shares is not None and topic in shares.index else None
        zs = zeroshot.get(topic)
        nearest, similarity, code_share, covered = _coverage(topic, sims, share, zs, coverage_threshold,
                                                             min_code_share, keywords_mode)
        kind = ("keywords" if keywords_mode else "unassigned" if topic == -1 else
                "priority_area" if zs is not None else kinds.get(topic, "subject"))
        if kind == "priority_area" and not covered:
            kind = "subject"
        clean = namer.clean_keywords(keywords.get(topic, []), max_keywords)
        member_sims = unit[mask] @ centroid
        name, description, label = _theme_words(topic, kind, members, member_sims, clean, keywords.get(topic, []),
                                                zs, areas, namer, keywords_mode)
        coh = float(member_sims.mean()) if len(members) else 0.0
        n_org = int(members["organisation"].nunique())
        flags = _theme_flags(topic, n_org, coh, min_coherence) if not keywords_mode else []
        quotes = [] if (topic == -1 and not keywords_mode) else _representatives(
            members, unit, centroid, min_count, n_representative)
        rows.append({
            "topic": int(topic), "label": label, "keywords": "; ".join(clean),
            "size": int(len(members)), "n_organisations": n_org,
            "representative_statement_ids": ";".join(quotes),
            "nearest_code": areas.ids[nearest] if nearest is not None else "",
            "similarity": round(similarity, 6), "code_share": round(code_share, 6), "covered": covered,
            "coverage": f"covered by {areas.ids[nearest]}" if covered else NOT_IN_PLAN,
            "name": name, "description": description, "kind": kind, "coherence": round(coh, 6),
            "single_organisation": bool(n_org == 1 and topic != -1),
            "flags": "; ".join(flags), "fine_topics": ";".join(str(t) for t in fine_of.get(topic, [topic])),
        })
    out = pd.DataFrame(rows, columns=list(TOPICS_SCHEMA.columns))
    out = out.astype({"code_share": "float64"})
    out = out.sort_values("topic", key=lambda s: s.where(s >= 0, np.iinfo(np.int64).max)).reset_index(drop=True)
    return check(out, TOPICS_SCHEMA, "topics.parquet", "This is a bug in the topics stage.")


def _theme_words(topic: int, kind: str, members: pd.DataFrame, member_sims: np.ndarray, clean: list[str],
                 raw_keywords: list[str], zs: int | None, areas: PriorityAreas, namer: Namer,
                 keywords_mode: bool) -> tuple[str, str, str]:
    """A theme's name, one-sentence description and label (the name with its kind's prefix)."""
    if keywords_mode:
        name = f"All {len(members)} statements (too few to find themes)"
        description = "Keywords over all statements: " + ", ".join(clean[:6])
    elif topic == -1:
        name, description = "Unassigned statements (no clear theme)", "Statements unlike every theme."
    else:
        name, description = namer.name(members["text"].astype(str).tolist(), member_sims, clean)
    if kind == "priority_area":
        label = f"{areas.ids[zs]} {areas.names[zs]}: {name}"
    elif kind == "plan_comments":
        label = PLAN_COMMENTS_PREFIX + name
    elif kind == "welsh":
        label = WELSH_PREFIX + name
    elif keywords_mode:
        label = f"{name}: " + make_label(clean or raw_keywords).lower()
    else:
        label = name
    return name, description, label


def _theme_flags(topic: int, n_org: int, coherence: float, min_coherence: float) -> list[str]:
    """What a reader should know before trusting a theme: one organisation only, or mixed subjects."""
    flags = []
    if topic != -1:
        if n_org == 1:
            flags.append("raised by one organisation only")
        if coherence < min_coherence:
            flags.append(f"mixed subjects (coherence {coherence:.2f}): read its statements")
    return flags


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
    namer: Namer | None = None,
    min_coherence: float = 0.5,
) -> pd.DataFrame:
    """The fine topics (the analyst's level): one row per topic with name, keywords, size, quotes, coverage.

    ``nearest_code`` is the priority area that seeded the topic (zero-shot), else, with ``codes``,
    the area coding the largest share of its statements (ties and all-zero shares broken by
    similarity), else the area most similar to its centroid. ``similarity`` and ``code_share``
    are the topic's centroid similarity to, and share of statements coded with, that area
    (``code_share`` is empty without ``codes``).

    A topic is covered when the zero-shot step seeded it, or (with ``codes``) when its
    ``code_share`` reaches ``min_code_share``, or (without ``codes``) when its ``similarity``
    reaches ``coverage_threshold``. Unassigned statements (topic -1) are never a covered theme.

    ``name`` is a shortened representative statement and ``description`` one sentence from its
    keywords and most central statement (:class:`~pipeline.topics.naming.Namer`); ``keywords`` are
    cleaned. ``label`` is the name, prefixed when the topic is not a subject the plan may lack: the
    priority area that seeded it, "Comments on the plan itself: " (``plan_comments``) or "Mostly in
    Welsh (mixed subjects): "; ``kind`` says which. ``coherence`` is the mean similarity of its
    statements to their centroid; ``flags`` says when it is below ``min_coherence`` or when one
    organisation raised it (kept visible: that can be the gap that matters most).
    """
    namer = namer or Namer()
    unit = _normalise(embeddings)
    members_all = modelled.assign(_row=np.arange(len(modelled)), _topic=modeller.topics_)
    shares = topic_code_shares(modelled, modeller.topics_, codes, areas.ids) if codes is not None else None
    covered = _covered_fine(modeller, unit, areas, shares, coverage_threshold, min_code_share)
    kinds = topic_kinds(members_all, modeller, covered, plan_comments)
    return _theme_rows(modeller.topics_, members_all, unit, modeller.keywords_, modeller.zeroshot_topics_, kinds, {},
                       areas, shares, coverage_threshold, min_code_share, modeller.mode_, min_count, n_representative,
                       namer, min_coherence)


def _covered_fine(modeller: TopicModeller, unit: np.ndarray, areas: PriorityAreas, shares: pd.DataFrame | None,
                  coverage_threshold: float, min_code_share: float) -> dict[int, bool]:
    area_vectors = _normalise(areas.vectors)
    out = {}
    for topic in sorted(set(modeller.topics_.tolist())):
        centroid = _normalise(unit[modeller.topics_ == topic].mean(axis=0, keepdims=True))[0]
        sims = area_vectors @ centroid if len(area_vectors) else np.zeros(0)
        share = shares.loc[topic].to_numpy() if shares is not None and topic in shares.index else None
        out[int(topic)] = _coverage(topic, sims, share, modeller.zeroshot_topics_.get(topic), coverage_threshold,
                                    min_code_share, modeller.mode_ == "keywords")[3]
    return out


def author_themes(
    modelled: pd.DataFrame,
    embeddings: np.ndarray,
    modeller: TopicModeller,
    fine: pd.DataFrame,
    areas: PriorityAreas,
    coverage_threshold: float,
    min_count: int = 5,
    n_representative: int = 3,
    codes: pd.DataFrame | None = None,
    min_code_share: float = 0.4,
    namer: Namer | None = None,
    min_coherence: float = 0.5,
    max_themes: int = 25,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The author's themes: fine topics grouped so that at most ``max_themes`` remain.

    Comments on the plan itself make one theme, Welsh statements one, each seeded priority area one;
    subject topics are merged, most similar first (:func:`pipeline.topics.themeset.author_groups`).
    A theme's keywords interleave its fine topics' keywords, largest topic first.

    Returns:
        ``(themes, labels)``: the themes table (:data:`TOPICS_SCHEMA`; ``fine_topics`` lists the
        fine topics in each) and each modelled statement's theme.
    """
    from pipeline.topics import themeset

    namer = namer or Namer()
    unit = _normalise(embeddings)
    fine_labels = modeller.topics_
    if modeller.mode_ == "keywords":
        return fine.copy(), fine_labels.copy()
    kind_map = {"plan_comments": themeset.PLAN_COMMENTS, "welsh": themeset.WELSH}
    kinds: dict[int, str] = {}
    for r in fine.itertuples(index=False):
        if r.topic == -1:
            continue
        kinds[int(r.topic)] = (f"area:{r.nearest_code}" if r.kind == "priority_area" else kind_map.get(r.kind, themeset.SUBJECT))
    group = themeset.author_groups(fine_labels, unit.astype(np.float64), kinds, max_themes)
    group[-1] = -1
    labels = np.array([group[int(t)] for t in fine_labels], dtype=np.int64)
    # renumber by size (largest first, ties by smallest fine topic), -1 stays
    ids = sorted(set(labels.tolist()) - {-1}, key=lambda t: (-int((labels == t).sum()), t))
    renum = {old: new for new, old in enumerate(ids)}
    renum[-1] = -1
    labels = np.array([renum[int(t)] for t in labels], dtype=np.int64)
    fine_of: dict[int, list[int]] = {}
    for t, g in group.items():
        fine_of.setdefault(renum[g], []).append(t)
    keywords, zeroshot, theme_kinds = _merged_theme_parts(fine_of, fine.set_index("topic")["size"].to_dict(), modeller,
                                                          kinds)
    members_all = modelled.assign(_row=np.arange(len(modelled)), _topic=labels)
    shares = topic_code_shares(modelled, labels, codes, areas.ids) if codes is not None else None
    table = _theme_rows(labels, members_all, unit, keywords, zeroshot, theme_kinds, fine_of, areas, shares,
                        coverage_threshold, min_code_share, modeller.mode_, min_count, n_representative, namer,
                        min_coherence)
    return table, labels


def _merged_theme_parts(fine_of: dict[int, list[int]], sizes: dict[int, int], modeller: TopicModeller,
                        kinds: dict[int, str]) -> tuple[dict, dict, dict]:
    """Each author theme's keywords (its fine topics' keywords interleaved, largest topic first), its
    zero-shot area (when all its fine topics share one) and its kind. Sorts ``fine_of``'s lists in place."""
    from pipeline.topics import themeset

    raw_kw = {t: modeller.keywords_.get(t, []) for t in sizes}
    keywords, zeroshot, theme_kinds = {}, {}, {}
    for theme, members in fine_of.items():
        members = sorted(members, key=lambda t: (-sizes.get(t, 0), t))
        fine_of[theme] = members
        merged = [w for tier in zip_longest_all([raw_kw.get(t, []) for t in members]) for w in tier]
        keywords[theme] = list(dict.fromkeys(merged))
        zs = [modeller.zeroshot_topics_.get(t) for t in members]
        if zs and all(z is not None for z in zs) and len(set(zs)) == 1:
            zeroshot[theme] = zs[0]
        k = {kinds.get(t, themeset.SUBJECT) for t in members if t != -1}
        theme_kinds[theme] = {themeset.PLAN_COMMENTS: "plan_comments", themeset.WELSH: "welsh"}.get(
            next(iter(k)) if len(k) == 1 else themeset.SUBJECT, "subject")
    return keywords, zeroshot, theme_kinds


def max_pairwise_similarity(labels: np.ndarray, embeddings: np.ndarray) -> float | None:
    """The highest cosine similarity between two themes' centroids (themefinder keeps it below 0.9)."""
    from pipeline.topics import themeset

    cents = themeset.centroids(np.asarray(labels), _normalise(embeddings).astype(np.float64))
    if len(cents) < 2:
        return None
    C = np.vstack([cents[t] for t in sorted(cents)])
    S = C @ C.T
    np.fill_diagonal(S, -1.0)
    return round(float(S.max()), 4)


def zip_longest_all(lists: Sequence[Sequence[str]]) -> list[list[str]]:
    """Round-robin tiers: the first item of each list, then the second of each, and so on."""
    n = max((len(x) for x in lists), default=0)
    return [[x[i] for x in lists if i < len(x)] for i in range(n)]


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
    namer: Namer | None = None,
    min_coherence: float = 0.5,
    max_themes: int = 25,
) -> TopicsResult:
    """Run the topics stage on a statements table.

    Args:
        statements: ``statements.parquet`` (see docs/data-model.md); not modified.
        embeddings: One embedding per row of ``statements``, in the same order.
        modeller: An unfitted :class:`TopicModeller` (fitted here on the modelled statements).
        areas: The priority areas (codebook) to compare topics with.
        coverage_threshold: Centroid-to-area similarity that covers a topic when ``codes`` is not given.
        min_count: Disclosure threshold (``disclosure.min_count``).
        n_representative: Quotes per topic.
        speakers: Speakers whose statements are modelled.
        codes: ``codes.parquet``, or ``None`` to judge coverage by similarity alone; not modified.
        min_code_share: Share of a topic's statements coded with a priority area at which the
            topic counts as covered by it (used with ``codes``).
        plan_comments: How to recognise a topic of comments on the plan itself (default: none).
        namer: Names themes and cleans their keywords (default: no vocabulary, no spaCy).
        min_coherence: Coherence below which a theme is flagged as mixing subjects.
        max_themes: At most this many themes at the author's level (``topics``); the fine topics
            are in ``fine_topics``.

    Returns:
        A :class:`TopicsResult`; ``topics`` holds the author's themes, ``fine_topics`` the fine
        level, ``skipped`` the statements not modelled and why.

    Raises:
        TopicsSchemaError: If ``statements`` or ``codes`` lacks a column, or an id repeats.
        ValueError: If the embeddings do not match the statements.
    """
    statements, codes, embeddings = _checked_inputs(statements, codes, embeddings)
    modelled, skipped = select_statements(statements, speakers)
    emb = _rows_of(statements, embeddings, set(modelled["statement_id"]))
    modeller.fit(modelled["text"].astype(str).tolist(), emb)
    namer = namer or Namer()
    fine = topic_table(modelled, emb, modeller, areas, coverage_threshold, min_count, n_representative,
                       codes=codes, min_code_share=min_code_share, plan_comments=plan_comments, namer=namer,
                       min_coherence=min_coherence)
    topics, theme_labels = author_themes(modelled, emb, modeller, fine, areas, coverage_threshold, min_count,
                                         n_representative, codes, min_code_share, namer, min_coherence, max_themes)
    st = statement_topic_table(modelled, modeller, theme_labels, emb)
    spread = topic_spread(modelled, st, min_count)
    summary = summarise(statements, modelled, skipped, topics, modeller, coverage_threshold)
    summary.update(_theme_summary(fine, topics, theme_labels, emb, modeller, modelled, codes, min_code_share, max_themes))
    return TopicsResult(topics=topics, statement_topics=st, spread=spread, skipped=skipped, summary=summary,
                        fine_topics=fine)


def _checked_inputs(statements: pd.DataFrame, codes: pd.DataFrame | None, embeddings: np.ndarray):
    """The statements and codes checked against their schemas (a missing text is a blank statement,
    skipped later with a reason), and the embeddings as float32, one per statement."""
    if "text" in statements.columns:
        statements = statements.assign(text=statements["text"].fillna(""))
    statements = check(statements, STATEMENTS_SCHEMA, "statements.parquet",
                       "Re-run `make code` to rebuild it, or check the file was not edited by hand.")
    if codes is not None:
        codes = check(codes, CODES_SCHEMA, "codes.parquet",
                      "Re-run `make code` to rebuild it, or check the file was not edited by hand.")
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if len(embeddings) != len(statements):
        raise ValueError(f"{len(statements)} statements but {len(embeddings)} embeddings.")
    return statements, codes, embeddings


def _rows_of(statements: pd.DataFrame, embeddings: np.ndarray, keep: set[str]) -> np.ndarray:
    """The embeddings of the statements in ``keep``, in statement-id order (the order of the modelled table)."""
    order = statements["statement_id"].argsort(kind="stable").to_numpy()
    sorted_ids = statements["statement_id"].to_numpy()[order]
    return embeddings[order][np.array([s in keep for s in sorted_ids], dtype=bool)]


def _theme_summary(fine, topics, theme_labels, emb, modeller: TopicModeller, modelled, codes, min_code_share: float,
                   max_themes: int) -> dict[str, Any]:
    """The theme-set figures of the run (fine topics, flags, most similar pair, coverage basis)."""
    return {
        "n_fine_topics": int((fine["topic"] != -1).sum()),
        "max_themes": max_themes,
        "theme_rules": dict(getattr(modeller, "theme_rules_", {})),
        "n_flagged_mixed": int(topics["flags"].str.contains("mixed subjects").sum()),
        "n_single_organisation": int(topics["single_organisation"].sum()),
        "max_theme_similarity": max_pairwise_similarity(theme_labels, emb),
        "coverage_basis": "deductive codes" if codes is not None else "similarity (no codes.parquet)",
        "coverage_min_code_share": min_code_share if codes is not None else None,
        "n_modelled_without_codes": (
            int((~modelled["statement_id"].isin(set(codes["statement_id"]))).sum()) if codes is not None else None),
    }


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
