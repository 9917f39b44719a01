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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pipeline.topics.schema import PLAN_COMMENTS_PREFIX, WELSH_PREFIX
from pipeline.vocab import split_multi

STATUSES = ("not addressed", "partly addressed", "addressed")
THEME_KINDS = ("priority_area", "subtheme", "emergent")
NO_EVIDENCE = "no consultation evidence found"
EVIDENCE_FOUND = "consultation evidence found"

#: Defaults of the matching settings (config/plancheck.yaml overrides them; see that file for why).
DEFAULT_PARAMS: dict[str, Any] = {
    "addressed_similarity": 0.6,
    "term_similarity": 0.5,
    "partly_similarity": 0.42,
    "term_only_min_terms": 2,
    "description_weight": 0.5,
    "evidence_similarity": 0.5,
    "max_actions_shown": 3,
    "max_quotes": 2,
    "quote_max_chars": 200,
    "disagreement_weight": 1.0,
    "speakers": ["participant"],
    "generic_terms": [],
}

Embed = Callable[[Sequence[str]], np.ndarray]


class PlanCheckError(ValueError):
    """The inputs of plan-check do not fit together; the message says which table and what to do."""


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
    speakers = set(p["speakers"])
    voiced = statements.loc[statements["speaker"].isin(speakers), "statement_id"]
    voiced_set = set(voiced)
    c = codes.loc[codes["statement_id"].isin(voiced_set) & (codes["code"] != "uncoded")]
    rows: list[dict] = []
    for code in codebook.codes:
        ids = sorted(set(c.loc[c["code"] == code.id, "statement_id"]))
        terms = [t for ts in code.terms.values() for t in ts]
        rows.append({
            "theme_id": code.id, "kind": "priority_area", "code": code.id, "theme": f"{code.id} {code.name}",
            "description": codebook.describe(code.id), "key_terms": _clean_terms(terms, generic, 3),
            "statement_ids": ids, "consultation_coverage": "a priority area of the plan",
        })
        for sub in code.subthemes:
            sids = sorted(set(c.loc[c["subtheme"] == sub.id, "statement_id"]))
            if not sids:
                continue
            rows.append({
                "theme_id": sub.id, "kind": "subtheme", "code": code.id, "theme": f"{sub.name} ({code.id})",
                "description": f"{sub.name}: {', '.join(sub.terms)}", "key_terms": _clean_terms(sub.terms, generic, 3),
                "statement_ids": sids, "consultation_coverage": f"a sub-theme of {code.id}",
            })
    if topics is not None and len(topics):
        members: dict[int, list[str]] = {}
        if statement_topics is not None and len(statement_topics):
            st = statement_topics.loc[statement_topics["statement_id"].isin(voiced_set)]
            members = {int(t): sorted(g["statement_id"]) for t, g in st.groupby("topic")}
        for t in topics.sort_values("topic").itertuples(index=False):
            if int(t.topic) < 0:
                continue
            ids = members.get(int(t.topic))
            if ids is None:
                ids = sorted(s for s in str(t.representative_statement_ids or "").split(";") if s in voiced_set)
            keywords = [k.strip() for k in str(t.keywords or "").split(";")]
            label = re.sub(r"^PA\d+ [^:]*:\s*", "", str(t.label))  # zero-shot labels repeat the area's name
            terms = _clean_terms(keywords, generic)
            rows.append({
                "theme_id": f"topic:{int(t.topic)}", "kind": "emergent", "code": "", "theme": label,
                # described by its distinctive keywords only: a generic word in the label or keywords
                # ("consultation" in a topic about site evictions) would pull it towards unrelated actions
                "description": ", ".join(terms) or label, "key_terms": terms,
                "statement_ids": ids, "consultation_coverage": str(t.coverage),
            })
    return pd.DataFrame(rows, columns=["theme_id", "kind", "code", "theme", "description", "key_terms",
                                       "statement_ids", "consultation_coverage"])


def profile_themes(themes: pd.DataFrame, statements: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Add who raised each theme and how strongly they disagreed, and a priority weight.

    Adds ``n_statements, n_participants`` (distinct organisation + participant_ref; a group
    recorded as one ``G-`` reference counts once), ``n_organisations, organisations, cohorts,
    share_disagree`` (disagree = 1, mixed = 0.5, over all the theme's statements) and
    ``weight = n_participants * (1 + disagreement_weight * share_disagree)``: many people, or
    strong disagreement, make a theme weigh more.
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
            "share_disagree": round(share, 4),
            "weight": round(len(people) * (1.0 + float(p["disagreement_weight"]) * share), 4),
        })
    return pd.concat([out.reset_index(drop=True), pd.DataFrame(prof)], axis=1)


def theme_vectors(themes: pd.DataFrame, statements: pd.DataFrame, embed: Embed, params: dict[str, Any] | None = None) -> np.ndarray:
    """One vector per theme: its description blended with the centroid of its statements.

    The description says what the theme is about in the plan's (or the topic model's) words; the
    centroid says it in the participants' words. ``description_weight`` sets the blend.
    """
    p = _params(params)
    w = float(p["description_weight"])
    desc = embed(themes["description"].astype(str).tolist())
    text_of = dict(zip(statements["statement_id"], statements["text"].astype(str), strict=True))
    out = np.zeros_like(desc)
    for i, ids in enumerate(themes["statement_ids"]):
        texts = [text_of[s] for s in ids if s in text_of]
        if texts:
            centroid = _unit(embed(texts).mean(axis=0))
            out[i] = _unit(w * desc[i] + (1 - w) * centroid)
        else:
            out[i] = desc[i]
    return out


# ------------------------------------------------------------------------------------------------ matching
def match_pairs(
    themes: pd.DataFrame,
    actions: pd.DataFrame,
    theme_vecs: np.ndarray,
    action_vecs: np.ndarray,
    params: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Every (theme, action) pair that matches at all, with its strength and the reason.

    ``actions`` needs ``action_id, ref, text, area_codes`` (``;``-joined priority areas of the action:
    the one its heading names and the ones the coder gave it). A pair is

    * ``strong`` when the similarity reaches ``addressed_similarity``; or it reaches
      ``term_similarity`` and the action shares a key term with the theme or sits in the theme's
      priority area; or the theme is a priority area and the action sits in it;
    * ``weak`` when the similarity reaches ``partly_similarity``; or the action sits in the theme's
      priority area and shares a key term with it; or it shares at least ``term_only_min_terms``
      key terms with the theme.

    Returns:
        ``theme_id, action_id, ref, similarity, shared_terms, same_area, strength, reason``.
    """
    p = _params(params)
    hi, mid, lo = float(p["addressed_similarity"]), float(p["term_similarity"]), float(p["partly_similarity"])
    sims = theme_vecs @ action_vecs.T if len(themes) and len(actions) else np.zeros((len(themes), len(actions)))
    areas = [set(split_multi(a)) - {"unknown"} if a else set() for a in actions["area_codes"].fillna("")]
    rows: list[dict] = []
    for i, th in enumerate(themes.itertuples(index=False)):
        for j, ac in enumerate(actions.itertuples(index=False)):
            sim = float(sims[i, j])
            terms = shared_terms(th.key_terms, ac.text)
            same = bool(th.code) and th.code in areas[j]
            if sim >= hi or (sim >= mid and (terms or same)) or (th.kind == "priority_area" and same):
                strength = "strong"
            elif sim >= lo or (same and terms) or len(terms) >= int(p["term_only_min_terms"]):
                strength = "weak"
            else:
                continue
            why = [f"similarity {sim:.2f}"]
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
    for tid in out["theme_id"]:
        m = pairs.loc[pairs["theme_id"] == tid]
        strong = m.loc[m["strength"] == "strong"]
        use = strong if len(strong) else m
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


def pick_quotes(texts: Sequence[str], k: int, max_chars: int) -> list[str]:
    """Up to ``k`` quotes from ``texts`` (best first), each at most ``max_chars``, no two nearly the same."""
    from rapidfuzz import fuzz

    picked: list[str] = []
    for t in texts:
        t = " ".join(str(t).split())
        if not t or len(t) > max_chars:
            continue
        if any(fuzz.partial_ratio(t.lower(), q.lower()) >= 90 for q in picked):
            continue
        picked.append(t)
        if len(picked) >= k:
            break
    return picked


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
    actions = actions.assign(area_codes=area)

    voiced = statements.loc[statements["speaker"].isin(p["speakers"])].sort_values("statement_id").reset_index(drop=True)
    themes = consultation_themes(voiced, codes, codebook, topics, statement_topics, p)
    themes = profile_themes(themes, voiced, p)
    t_vecs = theme_vectors(themes, voiced, embed, p)
    a_vecs = embed(actions["text"].astype(str).tolist())
    pairs = match_pairs(themes, actions, t_vecs, a_vecs, p)
    coverage = classify_themes(themes, pairs, actions, p)
    closest = closest_actions(themes, actions, t_vecs, a_vecs)
    coverage["closest_action"] = coverage["theme_id"].map(closest)
    # Quotes beside a theme: only when at least min_count people raised it.
    text_of = dict(zip(voiced["statement_id"], voiced["text"].astype(str), strict=True))
    quotes = {}
    for th in themes.itertuples(index=False):
        if th.n_participants >= min_count and th.statement_ids:
            vecs = embed([text_of[s] for s in th.statement_ids])
            cand = sorted(zip((vecs @ t_vecs[list(themes["theme_id"]).index(th.theme_id)]).tolist(), th.statement_ids, strict=True),
                          key=lambda x: (-x[0], x[1]))
            picked = pick_quotes([text_of[s] for _, s in cand], int(p["max_quotes"]), int(p["quote_max_chars"]))
            quotes[th.theme_id] = " || ".join(picked)
    coverage["quotes"] = coverage["theme_id"].map(quotes).fillna("")
    s_vecs = embed(voiced["text"].astype(str).tolist()) if len(voiced) else np.zeros((0, a_vecs.shape[1]))
    evidence = action_evidence(actions, voiced, a_vecs, s_vecs, pairs, themes, min_count, p)
    summary = {
        "n_actions": int(len(actions)),
        "n_themes": int(len(coverage)),
        "status_counts": {s: int((coverage["status"] == s).sum()) for s in STATUSES},
        "n_actions_without_evidence": int((evidence["evidence_status"] == NO_EVIDENCE).sum()),
        "gaps": coverage.loc[coverage["status"] != "addressed", "theme"].tolist(),
    }
    return PlanCheck(coverage=coverage, evidence=evidence, pairs=pairs, summary=summary)


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
