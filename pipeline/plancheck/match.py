"""Match a draft plan's actions with what the consultation heard: "You said, the plan says".

Pure functions (DataFrames and vectors in, DataFrames out; no file is read or written here):

* :func:`consultation_themes` lists the themes to check: every priority area (``codes.parquet``),
  every sub-theme somebody raised, and every emergent theme (``topics.parquet``, including those
  marked "not in the plan"), each with the statements behind it and its key terms.
* :func:`profile_themes` counts who raised each theme (statements, participants, organisations,
  cohorts) and how strongly they disagreed, and gives each theme a priority weight.
* :func:`match_themes` compares every theme with every plan action (embedding similarity plus
  shared key terms plus the action's priority area) and classifies the theme as ``addressed``,
  ``partly addressed`` or ``not addressed``, with the matching actions and the reasons as evidence.
  Unaddressed themes that many people raised, or raised with strong disagreement, come first.
* :func:`action_evidence` gives every plan action the consultation statements behind it
  (organisations, cohorts, up to two short quotes when at least ``min_count`` people are behind it),
  or "no consultation evidence found".
* :func:`compare_drafts` says which gaps closed and which opened between two drafts.

:func:`check_plan` runs them in order. Vectors come from ``embed`` (texts -> L2-normalised array,
usually ``pipeline.nlp.embed.Embedder(...).encode``), so cosine similarity is a dot product.
The thresholds live in ``config/plancheck.yaml`` with the measurements behind them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# the contract's vocabularies and the one error base (issue 14); THEME_KINDS and PlanCheckError stay importable here
from pipeline.catalog import STATUSES, THEME_KINDS  # noqa: F401
from pipeline.errors import PlanCheckError  # noqa: F401
from pipeline.settings import defaults
from pipeline.topics.schema import PLAN_COMMENTS_PREFIX, WELSH_PREFIX
from pipeline.vocab import split_multi

#: What each status means, shown beside the evidence in the report and the tables.
STATUS_MEANING = {
    "addressed": "an action answers the subject",
    "partly addressed": "an action touches part of the subject; the part it misses is named",
    "not addressed": "no action answers it",
    "read apart": "comments on the draft itself (or statements grouped by language), not a subject an action answers",
}
NO_EVIDENCE = "no consultation evidence found"
EVIDENCE_FOUND = "consultation evidence found"

#: Defaults of the matching settings: config/plancheck.yaml, the one place they are set (see that file for why).
DEFAULT_PARAMS: Mapping[str, Any] = defaults("plancheck.yaml")

Embed = Callable[[Sequence[str]], np.ndarray]




# ------------------------------------------------------------------------------------------------ helpers
def _params(params: dict[str, Any] | None) -> dict[str, Any]:
    out = dict(DEFAULT_PARAMS)
    out.update(params or {})
    return out


def _term_pattern(term: str) -> re.Pattern[str]:
    """Word-boundary pattern of a key term that also accepts a plural (``interpreter(s)``)."""
    term = term.strip().lower()
    stem = term[:-1] if len(term) > 4 and term.endswith("s") and not term.endswith("ss") else term
    return re.compile(r"(?<!\w)" + re.escape(stem) + r"(?:s|es)?(?!\w)")


def shared_terms(terms: Sequence[str], text: str) -> list[str]:
    """The key terms (whole words, plural allowed) that occur in ``text``, in the order given."""
    low = text.lower()
    return [t for t in terms if t and _term_pattern(t).search(low)]


def _clean_terms(terms: Sequence[str], generic: set[str], min_chars: int = 4) -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    seen: dict[str, None] = {}
    for t in terms:
        t = str(t).strip().lower()
        if len(t) < min_chars or t in generic or t in ENGLISH_STOP_WORDS or t.isdigit():
            continue
        seen.setdefault(t, None)
    return list(seen)


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n == 0, 1.0, n)


def section_codes(actions: pd.DataFrame, code_ids: Sequence[str], code_names: Sequence[str]) -> pd.Series:
    """The priority area each row's section heading names ("Priority area 6", "PA6" or the area's name).

    Returns:
        A string Series aligned with ``actions`` ("" where the heading names no area).
    """
    from rapidfuzz import fuzz

    def find(section: str) -> str:
        for part in reversed(section.split(" > ")):
            m = re.search(r"\b(?:PA|priority\s+area|maes\s+blaenoriaeth)\s*(\d+)\b", part, re.IGNORECASE)
            if m and f"PA{m.group(1)}" in code_ids:
                return f"PA{m.group(1)}"
            low = part.lower()
            for cid, name in zip(code_ids, code_names, strict=True):
                if name and fuzz.partial_ratio(name.lower(), low) >= 90:
                    return cid
        return ""

    return actions["section"].fillna("").astype(str).map(find)


# ------------------------------------------------------------------------------------------------ themes
def consultation_themes(
    statements: pd.DataFrame,
    codes: pd.DataFrame,
    codebook,
    topics: pd.DataFrame | None = None,
    statement_topics: pd.DataFrame | None = None,
    params: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """The themes to check the plan against, each with its statements and key terms.

    Args:
        statements: ``statements.parquet`` (``statement_id``, ``speaker``, ``text``, ...).
        codes: ``codes.parquet`` (``statement_id``, ``code``, ``subtheme``).
        codebook: A :class:`pipeline.coding.codebook.Codebook` (codes with names, descriptions,
            terms and sub-themes).
        topics: ``topics.parquet`` or ``None`` (then no emergent themes).
        statement_topics: ``statement_topics.parquet`` (which statements belong to which topic);
            without it a topic's ``representative_statement_ids`` stand in for its members.
        params: Matching settings (``speakers``, ``generic_terms``).

    Returns:
        One row per theme: ``theme_id, kind, code, theme, description, key_terms (list),
        statement_ids (list), consultation_coverage``. Every priority area is listed; a sub-theme
        only when somebody raised it; emergent themes except topic -1 (unassigned statements).
    """
    p = _params(params)
    generic = {str(t).lower() for t in p["generic_terms"]}
    voiced_set = set(statements.loc[statements["speaker"].isin(set(p["speakers"])), "statement_id"])
    c = codes.loc[codes["statement_id"].isin(voiced_set) & (codes["code"] != "uncoded")]
    rows = _codebook_theme_rows(c, codebook, generic, bool(p["include_subthemes"]))
    if topics is not None and len(topics):
        rows += _emergent_theme_rows(topics, statement_topics, voiced_set, generic)
    return pd.DataFrame(rows, columns=["theme_id", "kind", "code", "theme", "description", "key_terms",
                                       "statement_ids", "consultation_coverage"])


def _codebook_theme_rows(c: pd.DataFrame, codebook, generic: set[str], include_subthemes: bool) -> list[dict]:
    """Every priority area, and each sub-theme somebody raised, with the voiced statements coded to it."""
    rows: list[dict] = []
    for code in codebook.codes:
        ids = sorted(set(c.loc[c["code"] == code.id, "statement_id"]))
        terms = [t for ts in code.terms.values() for t in ts]
        rows.append({
            "theme_id": code.id, "kind": "priority_area", "code": code.id, "theme": f"{code.id} {code.name}",
            "description": codebook.describe(code.id), "key_terms": _clean_terms(terms, generic, 3),
            "statement_ids": ids, "consultation_coverage": "a priority area of the plan",
        })
        for sub in (code.subthemes if include_subthemes else []):
            sids = sorted(set(c.loc[c["subtheme"] == sub.id, "statement_id"]))
            if not sids:
                continue
            rows.append({
                "theme_id": sub.id, "kind": "subtheme", "code": code.id, "theme": f"{sub.name} ({code.id})",
                "description": f"{sub.name}: {', '.join(sub.terms)}", "key_terms": _clean_terms(sub.terms, generic, 3),
                "statement_ids": sids, "consultation_coverage": f"a sub-theme of {code.id}",
            })
    return rows


def _emergent_theme_rows(topics: pd.DataFrame, statement_topics: pd.DataFrame | None, voiced_set: set[str],
                         generic: set[str]) -> list[dict]:
    """Each emergent theme (topic -1 left out) with its voiced statements; comments on the plan itself
    and Welsh statements grouped by language are marked to be read apart."""
    members: dict[int, list[str]] = {}
    if statement_topics is not None and len(statement_topics):
        st = statement_topics.loc[statement_topics["statement_id"].isin(voiced_set)]
        members = {int(t): sorted(g["statement_id"]) for t, g in st.groupby("topic")}
    rows: list[dict] = []
    for t in topics.sort_values("topic").itertuples(index=False):
        if int(t.topic) < 0:
            continue
        ids = members.get(int(t.topic))
        if ids is None:
            ids = sorted(s for s in str(t.representative_statement_ids or "").split(";") if s in voiced_set)
        keywords = [k.strip() for k in str(t.keywords or "").split(";")]
        name = str(getattr(t, "name", "") or re.sub(r"^PA\d+ [^:]*:\s*", "", str(t.label)))
        kind = str(getattr(t, "kind", "subject") or "subject")
        label = str(t.label)
        aside = kind in ("plan_comments", "welsh") or label.startswith((PLAN_COMMENTS_PREFIX, WELSH_PREFIX))
        if aside and not label.startswith((PLAN_COMMENTS_PREFIX, WELSH_PREFIX)):
            label = (PLAN_COMMENTS_PREFIX if kind == "plan_comments" else WELSH_PREFIX) + name
        terms = _clean_terms(keywords, generic)
        covered = bool(getattr(t, "covered", False))
        rows.append({
            "theme_id": f"topic:{int(t.topic)}", "kind": "plan_comments" if aside else "emergent",
            # the area that codes most of its statements, when that share is enough to say the
            # plan's area covers it: an action in that area is on the same subject
            "code": str(getattr(t, "nearest_code", "") or "") if covered else "",
            "theme": label if aside else name,
            # coverage rests on the statements: the description is what the report shows, and the
            # theme's vector is the centroid of its statements (theme_vectors)
            "description": str(getattr(t, "description", "") or ", ".join(terms) or name), "key_terms": terms,
            "statement_ids": ids, "consultation_coverage": str(t.coverage),
        })
    return rows


def profile_themes(themes: pd.DataFrame, statements: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Add who raised each theme and how strongly they disagreed, and a priority weight.

    Adds ``n_statements, n_participants`` (distinct organisation + participant_ref; a group
    recorded as one ``G-`` reference counts once), ``n_organisations, organisations, cohorts,
    share_disagree`` (disagree = 1, mixed = 0.5, over all the theme's statements) and
    ``weight = n_participants * (1 + disagreement_weight * share_disagree) + organisation_weight *
    n_organisations + cohort_weight * n_cohorts``: many people, organisations and cohorts, or strong
    disagreement, make a theme weigh more.
    """
    p = _params(params)
    st = statements.set_index("statement_id")
    out = themes.copy()
    prof: list[dict] = []
    for ids in out["statement_ids"]:
        sub = st.loc[[i for i in ids if i in st.index]]
        n = len(sub)
        people = set(zip(sub["organisation"], sub["participant_ref"], strict=True))
        stance = sub["stance"].map({"disagree": 1.0, "mixed": 0.5}).fillna(0.0)
        share = float(stance.mean()) if n else 0.0
        orgs = Counter(sub["organisation"])
        cohorts = Counter(c for v in sub["cohort"] for c in split_multi(v))
        prof.append({
            "n_statements": n, "n_participants": len(people), "n_organisations": len(orgs),
            "organisations": "; ".join(o for o, _ in sorted(orgs.items(), key=lambda kv: (-kv[1], kv[0]))),
            "cohorts": "; ".join(c for c, _ in sorted(cohorts.items(), key=lambda kv: (-kv[1], kv[0]))),
            "n_cohorts": len(cohorts),
            "share_disagree": round(share, 4),
            "weight": round(len(people) * (1.0 + float(p["disagreement_weight"]) * share)
                            + float(p["organisation_weight"]) * len(orgs) + float(p["cohort_weight"]) * len(cohorts), 4),
        })
    return pd.concat([out.reset_index(drop=True), pd.DataFrame(prof)], axis=1)


def theme_vectors(themes: pd.DataFrame, statements: pd.DataFrame, embed: Embed, params: dict[str, Any] | None = None,
                  vectors: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """One vector per theme: the centroid of its statements, blended with the description for the
    codebook's themes.

    A priority area's description says what it is about in the plan's words; the centroid says it in
    the participants' words (``description_weight`` sets the blend). An emergent theme is its
    statements' centroid alone: its coverage must not rest on its name. ``vectors`` (statement id ->
    vector, e.g. from :func:`statement_vectors`) are used when given, else the statements' texts are
    embedded.
    """
    p = _params(params)
    w = float(p["description_weight"])
    desc = embed(themes["description"].astype(str).tolist())
    if vectors is None:
        vectors = statement_vectors(statements, embed(statements["text"].astype(str).tolist()), embed, 0.0)
    out = np.zeros_like(desc)
    for i, (ids, kind) in enumerate(zip(themes["statement_ids"], themes["kind"], strict=True)):
        vecs = [vectors[s] for s in ids if s in vectors]
        if vecs:
            centroid = _unit(np.mean(vecs, axis=0))
            # an emergent theme is what its statements say, not what its name says
            out[i] = centroid if kind in ("emergent", "plan_comments") else _unit(w * desc[i] + (1 - w) * centroid)
        else:
            out[i] = desc[i]
    return out


def statement_vectors(statements: pd.DataFrame, embeddings: np.ndarray, embed: Embed, context_weight: float,
                      max_words: int | None = None, back_weight: float = 0.0,
                      long_weight: float = 0.0) -> dict[str, np.ndarray]:
    """Each statement's vector (``embeddings``, one per row), read in its whole answer when ``context_weight`` > 0.

    "It's in the plan." or "Nothing about that in there." match an action only through the rest of
    their answer (:func:`pipeline.nlp.context.in_context`, ``context_weight``, ``context_max_words`` and,
    for longer statements, ``context_long_weight`` in ``plancheck.yaml``); ``embed`` embeds those answers. A statement that points back ("That's not in
    there.") is also read beside the sentence before it (``back_weight``, ``back_reference_weight`` in
    ``plancheck.yaml``; the openers are ``context.back_reference_openers`` of ``settings.yaml``).
    """
    from pipeline.nlp.context import in_context

    if not len(statements):
        return {}
    vecs = in_context(statements, embeddings, embed, context_weight, max_words, back_weight, None, long_weight)
    return dict(zip(statements["statement_id"], vecs, strict=True))


def _context_vectors(statements: pd.DataFrame, embeddings: np.ndarray, embed: Embed,
                     p: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """:func:`statement_vectors` with the context settings of the run's params (``plancheck.yaml``)."""
    return statement_vectors(statements, embeddings, embed, float(p["context_weight"]), int(p["context_max_words"]),
                             float(p["back_reference_weight"]), float(p["context_long_weight"]))


# ------------------------------------------------------------------------------------------------ matching
def match_pairs(
    themes: pd.DataFrame,
    actions: pd.DataFrame,
    theme_vecs: np.ndarray,
    action_vecs: np.ndarray,
    params: dict[str, Any] | None = None,
    statement_shares: np.ndarray | None = None,
    statement_top: np.ndarray | None = None,
) -> pd.DataFrame:
    """Every (theme, action) pair that matches at all, with its strength and the reason.

    ``statement_shares`` (themes x actions) is the share of each theme's statements at least
    ``statement_similarity`` similar to the action: how much of what people said the action speaks to;
    ``statement_top`` the mean similarity of the ``top_statements`` statements closest to the action
    (some of what people said is answered closely). ``actions`` needs ``action_id, ref, text,
    area_codes`` (``;``-joined priority areas of the action: the one its heading names and the ones
    the coder gave it). The rules that make a pair ``strong`` or ``weak`` are in :func:`_pair_strength`.

    Returns:
        ``theme_id, action_id, ref, similarity, shared_terms, same_area, strength, reason``.
    """
    p = _params(params)
    sims = theme_vecs @ action_vecs.T if len(themes) and len(actions) else np.zeros((len(themes), len(actions)))
    shares = statement_shares if statement_shares is not None else np.zeros_like(sims)
    tops = statement_top if statement_top is not None else np.zeros_like(sims)
    areas = [set(split_multi(a)) - {"unknown"} if a else set() for a in actions["area_codes"].fillna("")]
    rows: list[dict] = []
    for i, th in enumerate(themes.itertuples(index=False)):
        for j, ac in enumerate(actions.itertuples(index=False)):
            sim, share = float(sims[i, j]), float(shares[i, j])
            terms = shared_terms(th.key_terms, ac.text)
            same = bool(th.code) and th.code in areas[j]
            # Comments on the draft are read apart unless an action clearly answers what they raise
            # ("we never hear back" is comment on the plan and a subject 3.2 answers): only a strong
            # match counts for them, so they never become a gap or a partial match.
            strength = _pair_strength("emergent" if th.kind == "plan_comments" else th.kind, sim, share,
                                      float(tops[i, j]), terms, same, p)
            if strength is None or (th.kind == "plan_comments" and strength != "strong"):
                continue
            why = [f"similarity {sim:.2f}"]
            if th.kind in ("emergent", "plan_comments"):
                why.append(f"speaks to {share:.0%} of the statements")
            if terms:
                why.append("shared terms: " + ", ".join(terms))
            if same:
                why.append(f"action in {th.code}")
            rows.append({"theme_id": th.theme_id, "action_id": ac.action_id, "ref": ac.ref, "similarity": round(sim, 4),
                         "shared_terms": "; ".join(terms), "same_area": same, "strength": strength, "reason": "; ".join(why)})
    cols = ["theme_id", "action_id", "ref", "similarity", "shared_terms", "same_area", "strength", "reason"]
    out = pd.DataFrame(rows, columns=cols)
    out["strength_rank"] = out["strength"].map({"strong": 0, "weak": 1})
    out = out.sort_values(["theme_id", "strength_rank", "similarity", "action_id"], ascending=[True, True, False, True])
    return out.drop(columns="strength_rank").reset_index(drop=True)


def _pair_strength(kind: str, sim: float, share: float, top: float, terms: list[str], same: bool,
                   p: dict[str, Any]) -> str | None:
    """``"strong"``, ``"weak"`` or ``None`` for one (theme, action) pair.

    An emergent theme (a careful reader reads its statements, not its name) matches an action

    * ``strong`` when the action is ``emergent_sure_similarity`` similar to the theme's statements'
      centroid; or ``emergent_addressed_similarity`` similar and it speaks to at least
      ``min_statement_share`` of the statements, or shares a key term, or sits in the priority area
      whose codes cover the theme;
    * ``weak`` when its closest statements are ``emergent_top_similarity`` similar to it on average;
      or it is ``emergent_partly_similarity`` similar and speaks to ``emergent_partly_share`` of the
      statements; or it sits in the theme's priority area and is ``emergent_area_similarity``
      similar; or it shares ``term_only_min_terms`` key terms and is ``emergent_term_min_similarity``
      similar.

    The codebook's themes (priority areas, sub-themes) match ``strong`` when the similarity reaches
    ``addressed_similarity``; or it reaches ``term_similarity`` and the action shares a key term with
    the theme or sits in the theme's priority area; or the theme is a priority area and the action
    sits in it; ``weak`` when the similarity reaches ``partly_similarity``; or the action sits in the
    theme's priority area and shares a key term with it; or it shares at least
    ``term_only_min_terms`` key terms with the theme.
    """
    if kind == "emergent":
        if sim >= float(p["emergent_sure_similarity"]) or (
                sim >= float(p["emergent_addressed_similarity"])
                and (share >= float(p["min_statement_share"]) or terms or same)):
            return "strong"
        if (top >= float(p["emergent_top_similarity"])
                or (sim >= float(p["emergent_partly_similarity"]) and share >= float(p["emergent_partly_share"]))
                or (same and sim >= float(p["emergent_area_similarity"]))
                or (len(terms) >= int(p["term_only_min_terms"]) and sim >= float(p["emergent_term_min_similarity"]))):
            return "weak"
        return None
    if sim >= float(p["addressed_similarity"]) or (sim >= float(p["term_similarity"]) and (terms or same)) or (
            kind == "priority_area" and same):
        return "strong"
    if sim >= float(p["partly_similarity"]) or (same and terms) or len(terms) >= int(p["term_only_min_terms"]):
        return "weak"
    return None


def classify_themes(themes: pd.DataFrame, pairs: pd.DataFrame, actions: pd.DataFrame,
                    params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Each theme's status and the actions behind it, most important gaps first.

    A theme is ``addressed`` when at least one action matches it strongly, ``partly addressed`` when
    only weak matches exist, ``not addressed`` otherwise. Rows are ordered by status (gaps first),
    then subjects before clusters of comments on the plan itself and of Welsh statements (labels
    starting :data:`~pipeline.topics.schema.PLAN_COMMENTS_PREFIX` or ``WELSH_PREFIX``), then by
    ``weight`` (many people, strong disagreement), then by theme id; ``rank`` numbers them.

    Returns:
        The themes (without their statement lists) plus ``status, n_actions, actions`` (refs and
        opening words of up to ``max_actions_shown`` actions), ``action_ids``, ``best_similarity``,
        ``evidence`` (why the best actions match), ``closest_action`` (for a gap: the nearest action).
    """
    p = _params(params)
    k = int(p["max_actions_shown"])
    text_of = dict(zip(actions["action_id"], actions["text"].astype(str), strict=True))
    out = themes.drop(columns=["statement_ids", "description"]).copy()
    out["key_terms"] = out["key_terms"].map(lambda ts: "; ".join(ts))
    status, n_act, shown, ids, best, evidence = [], [], [], [], [], []
    for tid, kind in zip(out["theme_id"], out["kind"], strict=True):
        m = pairs.loc[pairs["theme_id"] == tid]
        strong = m.loc[m["strength"] == "strong"]
        use = strong if len(strong) else m
        if kind == "plan_comments":
            status.append("addressed" if len(strong) else "read apart")
        else:
            status.append("addressed" if len(strong) else ("partly addressed" if len(m) else "not addressed"))
        n_act.append(len(use))
        top = use.head(k)
        shown.append(" | ".join(f"{r.ref} {_short(text_of[r.action_id], 90)}" for r in top.itertuples()))
        ids.append(";".join(use["action_id"]))
        best.append(round(float(m["similarity"].max()), 4) if len(m) else np.nan)
        evidence.append(" | ".join(f"{r.ref}: {r.reason}" for r in top.itertuples()))
    out["status"] = status
    out["n_actions"] = pd.array(n_act, dtype="int64")
    out["actions"] = shown
    out["action_ids"] = ids
    out["best_similarity"] = best
    out["evidence"] = evidence
    out["meaning"] = out["status"].map(STATUS_MEANING)
    order = out["status"].map({s: i for i, s in enumerate(STATUSES)})
    # Clusters of comments on the draft, and of Welsh statements grouped by language, are not subjects
    # an action answers: within a status they come after the subjects.
    aside = out["theme"].astype(str).str.startswith((PLAN_COMMENTS_PREFIX, WELSH_PREFIX)).astype(int)
    out = (out.assign(_o=order, _aside=aside)
           .sort_values(["_o", "_aside", "weight", "theme_id"], ascending=[True, True, False, True])
           .drop(columns=["_o", "_aside"]))
    out.insert(0, "rank", range(1, len(out) + 1))
    return out.reset_index(drop=True)


def closest_actions(themes: pd.DataFrame, actions: pd.DataFrame, theme_vecs: np.ndarray, action_vecs: np.ndarray) -> pd.Series:
    """For each theme, the nearest action and its similarity (shown beside a gap: "the closest the plan comes")."""
    if not len(actions):
        return pd.Series([""] * len(themes), index=themes["theme_id"])
    sims = theme_vecs @ action_vecs.T
    j = sims.argmax(axis=1)
    refs, texts = actions["ref"].tolist(), actions["text"].astype(str).tolist()
    return pd.Series([f"{refs[b]} {_short(texts[b], 90)} ({sims[i, b]:.2f})" for i, b in enumerate(j)], index=themes["theme_id"])


def missing_part(texts: Sequence[str], sims: np.ndarray, key_terms: Sequence[str], action_text: str,
                 threshold: float, quote: bool = True, max_chars: int = 200) -> str:
    """What the matched actions leave out of a theme, in words: "the matching actions speak to none of 60%
    of its statements, about evictions, sites (e.g. "...")".

    A statement is answered when it is at least ``threshold`` similar to one of the actions (columns
    of ``sims``). The missing part is the share of unanswered statements, the theme's key terms they
    use that no matched action mentions, and (when ``quote``) the first of them as an example.
    Returns "" when every statement is answered.
    """
    texts = list(texts)
    if not texts:
        return ""
    answered = sims.max(axis=1) >= threshold if sims.size else np.zeros(len(texts), dtype=bool)
    left = [t for t, a in zip(texts, answered, strict=True) if not a]
    if not left:
        return ""
    terms = [t for t in key_terms if not shared_terms([t], action_text) and any(shared_terms([t], x) for x in left)]
    out = f"the matching actions speak to none of {len(left) / len(texts):.0%} of its statements"
    if terms:
        out += ", about " + ", ".join(terms[:4])
    if quote:
        with_terms = [x for x in left if shared_terms(terms, x)] or left
        example = pick_quotes(with_terms, 1, max_chars)
        if example:
            out += f" (e.g. \u201c{example[0]}\u201d)"
    return out


def pick_quotes(texts: Sequence[str], k: int, max_chars: int) -> list[str]:
    """Up to ``k`` quotes from ``texts`` (best first): :func:`pipeline.disclosure.pick_texts`, the one picker."""
    from pipeline.disclosure import pick_texts

    return pick_texts(texts, k, max_chars)


def _short(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    if len(text) <= n:
        return text
    cut = text[: n - 1].rsplit(" ", 1)[0]
    return cut + "\u2026"


# ------------------------------------------------------------------------------------------------ actions
def action_evidence(
    actions: pd.DataFrame,
    statements: pd.DataFrame,
    action_vecs: np.ndarray,
    statement_vecs: np.ndarray,
    pairs: pd.DataFrame,
    themes: pd.DataFrame,
    min_count: int = 5,
    params: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """The consultation evidence behind every plan action.

    A statement supports an action when their similarity reaches ``evidence_similarity``. Quotes
    (the most similar statements, at most ``quote_max_chars``) are given only when at least
    ``min_count`` participants are behind the action, so nobody in a small group can be recognised.

    Args:
        actions: The plan's actions (``action_id, section, ref, text, area_codes``).
        statements: Participants' statements (``statement_id, organisation, participant_ref, cohort, text``).
        action_vecs, statement_vecs: Their vectors, row for row.
        pairs: :func:`match_pairs` output (the themes each action answers).
        themes: The themes (``theme_id, theme``).
        min_count: ``disclosure.min_count``.
        params: Matching settings.

    Returns:
        One row per action: ``action_id, ref, section, text, area_codes, evidence_status,
        n_statements, n_participants, n_organisations, organisations, cohorts, themes, quotes,
        best_similarity``.
    """
    p = _params(params)
    thr = float(p["evidence_similarity"])
    sims = action_vecs @ statement_vecs.T if len(statements) else np.zeros((len(actions), 0))
    theme_name = dict(zip(themes["theme_id"], themes["theme"], strict=True))
    strong = pairs.loc[pairs["strength"] == "strong"]
    rows: list[dict] = []
    for j, ac in enumerate(actions.itertuples(index=False)):
        hit = np.where(sims[j] >= thr)[0] if sims.shape[1] else np.array([], dtype=int)
        hit = hit[np.lexsort((statements["statement_id"].to_numpy()[hit], -sims[j, hit]))] if len(hit) else hit
        sub = statements.iloc[hit]
        people = set(zip(sub["organisation"], sub["participant_ref"], strict=True))
        orgs = Counter(sub["organisation"])
        cohorts = Counter(c for v in sub["cohort"] for c in split_multi(v))
        quotes: list[str] = []
        if len(people) >= min_count:
            quotes = pick_quotes(sub["text"].astype(str).tolist(), int(p["max_quotes"]), int(p["quote_max_chars"]))
        answered = strong.loc[strong["action_id"] == ac.action_id, "theme_id"]
        rows.append({
            "action_id": ac.action_id, "ref": ac.ref, "section": ac.section, "text": ac.text,
            "area_codes": ac.area_codes,
            "evidence_status": EVIDENCE_FOUND if len(sub) else NO_EVIDENCE,
            "n_statements": len(sub), "n_participants": len(people), "n_organisations": len(orgs),
            "organisations": "; ".join(o for o, _ in sorted(orgs.items(), key=lambda kv: (-kv[1], kv[0]))),
            "cohorts": "; ".join(c for c, _ in sorted(cohorts.items(), key=lambda kv: (-kv[1], kv[0]))),
            "themes": "; ".join(theme_name.get(t, t) for t in answered),
            "quotes": " || ".join(quotes),
            "best_similarity": round(float(sims[j].max()), 4) if sims.shape[1] else np.nan,
        })
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------------ drafts
def compare_drafts(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Which gaps closed and which opened between the previous draft and this one.

    Args:
        current: :func:`classify_themes` output for this draft.
        previous: The same for the previous draft (checked against the same consultation).

    Returns:
        One row per theme in either: ``theme_id, kind, theme, status_previous, status_current,
        change, actions_previous, actions_current``; ``change`` is ``gap closed`` (now addressed),
        ``gap opened`` (was addressed, no longer), ``better`` / ``worse`` (between not and partly),
        ``unchanged``, or ``new theme`` / ``theme gone`` when only one side has it. Closed and opened
        gaps come first.
    """
    cols = ["theme_id", "kind", "theme", "status", "actions", "weight"]
    merged = previous[cols].merge(current[cols], on="theme_id", how="outer", suffixes=("_previous", "_current"))
    rank = {s: i for i, s in enumerate(STATUSES)}

    def change(r) -> str:
        a, b = r["status_previous"], r["status_current"]
        if pd.isna(a):
            return "new theme"
        if pd.isna(b):
            return "theme gone"
        if a == b:
            return "unchanged"
        if b == "addressed":
            return "gap closed"
        if a == "addressed":
            return "gap opened"
        return "better" if rank[b] > rank[a] else "worse"

    merged["change"] = merged.apply(change, axis=1) if len(merged) else pd.Series(dtype="str")
    merged["kind"] = merged["kind_current"].fillna(merged["kind_previous"])
    merged["theme"] = merged["theme_current"].fillna(merged["theme_previous"])
    merged["weight"] = merged["weight_current"].fillna(merged["weight_previous"])
    order = {"gap closed": 0, "gap opened": 1, "better": 2, "worse": 3, "new theme": 4, "theme gone": 5, "unchanged": 6}
    merged = merged.assign(_o=merged["change"].map(order)).sort_values(["_o", "weight", "theme_id"], ascending=[True, False, True])
    out = merged[["theme_id", "kind", "theme", "status_previous", "status_current", "change", "actions_previous", "actions_current"]]
    return out.fillna("").reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ all together
@dataclass
class PlanCheck:
    """What :func:`check_plan` found."""

    coverage: pd.DataFrame
    evidence: pd.DataFrame
    pairs: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)


def check_plan(
    plan: pd.DataFrame,
    statements: pd.DataFrame,
    codes: pd.DataFrame,
    codebook,
    embed: Embed,
    topics: pd.DataFrame | None = None,
    statement_topics: pd.DataFrame | None = None,
    action_codes: pd.DataFrame | None = None,
    min_count: int = 5,
    params: dict[str, Any] | None = None,
) -> PlanCheck:
    """Check one draft plan against the consultation.

    Args:
        plan: :func:`pipeline.plancheck.reader.read_plan` output.
        statements, codes: The coded statements (``statements.parquet``, ``codes.parquet``).
        codebook: The codebook the statements were coded with.
        embed: Texts -> L2-normalised vectors.
        topics, statement_topics: The emergent themes (optional).
        action_codes: ``action_id, codes`` (``;``-joined priority areas the coder gave each action),
            optional; an action's heading also places it in a priority area.
        min_count: ``disclosure.min_count`` (quotes only behind at least this many participants).
        params: Matching settings (``config/plancheck.yaml``).

    Returns:
        A :class:`PlanCheck`: ``coverage`` (one row per theme), ``evidence`` (one row per action),
        ``pairs`` (every theme-action match) and a ``summary``.
    """
    from pipeline.plancheck.schema import validate_inputs

    p = _params(params)
    validate_inputs(plan, statements, codes, topics, statement_topics)
    actions = _placed_actions(plan, codebook, action_codes)
    voiced = statements.loc[statements["speaker"].isin(p["speakers"])].sort_values("statement_id").reset_index(drop=True)
    themes = consultation_themes(voiced, codes, codebook, topics, statement_topics, p)
    themes = profile_themes(themes, voiced, p)
    a_vecs = embed(actions["text"].astype(str).tolist())
    # each statement embedded once: for the themes, the statement-to-action matches and the evidence
    s_vecs = embed(voiced["text"].astype(str).tolist()) if len(voiced) else np.zeros((0, a_vecs.shape[1]))
    vec_of = _context_vectors(voiced, s_vecs, embed, p)
    t_vecs = theme_vectors(themes, voiced, embed, p, vec_of)
    text_of = dict(zip(voiced["statement_id"], voiced["text"].astype(str), strict=True))
    stmt_sims, shares, tops = _statement_matches(themes, vec_of, a_vecs, p)
    pairs = match_pairs(themes, actions, t_vecs, a_vecs, p, statement_shares=shares, statement_top=tops)
    coverage = classify_themes(themes, pairs, actions, p)
    missing = _missing_parts(themes, actions, pairs, stmt_sims, text_of, min_count, p)
    coverage["missing_part"] = coverage["theme_id"].map(missing).fillna("")
    closest = closest_actions(themes, actions, t_vecs, a_vecs)
    coverage["closest_action"] = coverage["theme_id"].map(closest)
    coverage["quotes"] = coverage["theme_id"].map(_theme_quotes(themes, t_vecs, text_of, embed, min_count, p)).fillna("")
    evidence = action_evidence(actions, voiced, a_vecs, s_vecs, pairs, themes, min_count, p)
    summary = {
        "n_actions": int(len(actions)),
        "n_themes": int(len(coverage)),
        "status_counts": {s: int((coverage["status"] == s).sum()) for s in STATUSES},
        "n_actions_without_evidence": int((evidence["evidence_status"] == NO_EVIDENCE).sum()),
        "gaps": coverage.loc[coverage["status"] != "addressed", "theme"].tolist(),
    }
    return PlanCheck(coverage=coverage, evidence=evidence, pairs=pairs, summary=summary)


def _placed_actions(plan: pd.DataFrame, codebook, action_codes: pd.DataFrame | None) -> pd.DataFrame:
    """The plan's actions with ``area_codes``: the priority area its heading names, then the coder's."""
    actions = plan.loc[plan["kind"] == "action"].reset_index(drop=True)
    heading_code = section_codes(actions, codebook.ids, [c.name for c in codebook.codes])
    coder = {}
    if action_codes is not None and len(action_codes):
        coder = dict(zip(action_codes["action_id"], action_codes["codes"].fillna(""), strict=True))
    area = []
    for aid, h in zip(actions["action_id"], heading_code, strict=True):
        codes_ = [h] if h else []
        codes_ += [c for c in str(coder.get(aid, "")).split(";") if c and c not in codes_ and c != "uncoded"]
        area.append(";".join(codes_))
    return actions.assign(area_codes=area)


def _statement_matches(themes: pd.DataFrame, vec_of: dict[str, np.ndarray], a_vecs: np.ndarray,
                       p: dict[str, Any]) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Per theme, its statements' similarity to every action; the share of statements at least
    ``statement_similarity`` similar to each action; the mean of the ``top_statements`` closest."""
    n_a = a_vecs.shape[0]
    stmt_sims = []
    for ids in themes["statement_ids"]:
        vecs = [vec_of[s] for s in ids if s in vec_of]
        stmt_sims.append(np.asarray(vecs) @ a_vecs.T if vecs and n_a else np.zeros((0, n_a)))
    thr, k = float(p["statement_similarity"]), int(p["top_statements"])
    shares = np.array([(S >= thr).mean(axis=0) if len(S) else np.zeros(n_a) for S in stmt_sims]).reshape(len(themes), n_a)
    tops = np.array([np.sort(S, axis=0)[-k:].mean(axis=0) if len(S) else np.zeros(n_a) for S in stmt_sims]
                    ).reshape(len(themes), n_a)
    return stmt_sims, shares, tops


def _missing_parts(themes: pd.DataFrame, actions: pd.DataFrame, pairs: pd.DataFrame, stmt_sims: list[np.ndarray],
                   text_of: dict[str, str], min_count: int, p: dict[str, Any]) -> dict[str, str]:
    """For each emergent theme some action matches, the part of it those actions miss."""
    missing = {}
    ids = list(actions["action_id"])
    for i, th in enumerate(themes.itertuples(index=False)):
        matched = pairs.loc[pairs["theme_id"] == th.theme_id, "action_id"].tolist()
        if th.kind != "emergent" or not matched:
            continue
        cols = [ids.index(a) for a in matched]
        texts = [text_of[s] for s in th.statement_ids if s in text_of]
        missing[th.theme_id] = missing_part(texts, stmt_sims[i][:, cols], th.key_terms,
                                            " ".join(actions["text"].astype(str).iloc[cols]),
                                            float(p["statement_similarity"]), quote=th.n_participants >= min_count,
                                            max_chars=int(p["quote_max_chars"]))
    return missing


def _theme_quotes(themes: pd.DataFrame, t_vecs: np.ndarray, text_of: dict[str, str], embed: Embed, min_count: int,
                  p: dict[str, Any]) -> dict[str, str]:
    """Quotes beside a theme, closest to its centre first: only when at least ``min_count`` people raised it."""
    quotes = {}
    for i, th in enumerate(themes.itertuples(index=False)):
        if th.n_participants >= min_count and th.statement_ids:
            vecs = embed([text_of[s] for s in th.statement_ids])
            cand = sorted(zip((vecs @ t_vecs[i]).tolist(), th.statement_ids, strict=True), key=lambda x: (-x[0], x[1]))
            picked = pick_quotes([text_of[s] for _, s in cand], int(p["max_quotes"]), int(p["quote_max_chars"]))
            quotes[th.theme_id] = " || ".join(picked)
    return quotes


def disclosure_safe(table: pd.DataFrame, min_count: int = 5) -> pd.DataFrame:
    """A copy for writing: counts of statements or participants below ``min_count`` become blank
    (nullable ``Int64``), and the disagreement share and quotes of a group that small are blanked,
    so no small group can be singled out. The working ``weight`` column is dropped."""
    out = table.drop(columns=[c for c in ("weight",) if c in table.columns]).copy()
    small = out["n_participants"] < min_count if "n_participants" in out else pd.Series(False, index=out.index)
    for col in ("n_statements", "n_participants"):
        if col in out:
            vals = out[col].astype("Int64")
            out[col] = vals.mask((vals < min_count) | small)
    if "share_disagree" in out:
        out["share_disagree"] = out["share_disagree"].astype("float64").mask(small)
    if "quotes" in out:
        out["quotes"] = out["quotes"].mask(small, "")
    return out
