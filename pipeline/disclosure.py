"""Disclosure control: the one implementation of the minimum count, small-count wording and quote picking.

Every output that shows a count or a quote (the theme report's tables and text, the organisation
notebooks, triangulation quotes, plan-check quotes) calls this module, so the rules cannot drift:

- **Minimum count** (:func:`min_count`): ``disclosure.min_count`` in ``config/settings.yaml`` (5).
- **Small counts** (:func:`suppress`, :func:`count_text`, :func:`share_text`, :func:`people_text`):
  a count from 1 to ``min_count - 1`` is shown as ``<5`` in tables and "fewer than 5" in sentences; a
  share of fewer than ``min_count`` is not shown; zero stays 0 (it discloses nobody).
- **Quotes** (:func:`select_quotes` for statement tables, :func:`pick_texts` for plain lists of texts):
  only participants' words, only from groups (organisation x cohort) of at least ``min_count``, never
  when the text matches a redaction-class pattern (``config/report.yaml: redaction_patterns``: personal
  data the redaction may have missed), cut or withheld by the quasi-identifier screen
  (:mod:`pipeline.quasi`), ranked by fewest redaction placeholders then shortest, and never the same
  words twice (exact words, or 90% alike by rapidfuzz's partial ratio).

Not run on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import pandas as pd

from pipeline.i18n import Translator, translator
from pipeline.settings import lookup

__all__ = [
    "PLACEHOLDER",
    "compile_patterns",
    "count_text",
    "group_sizes",
    "load_patterns",
    "min_count",
    "people_text",
    "personal_data_found",
    "pick_texts",
    "screen",
    "select_quotes",
    "share_text",
    "suppress",
    "suppress_value",
    "suppression_note",
]

PLACEHOLDER = re.compile(r"\[(NAME|HANDLE|PHONE|EMAIL|POSTCODE|PRISON_NUMBER|NI_NUMBER|DOB|ADDRESS)\]")
#: Two quotes at least this alike (rapidfuzz partial ratio, 0-100) are the same quote.
NEAR_DUPLICATE = 90
_SKIP_COLUMNS = ["reason", "n_statements"]


def min_count(settings: Mapping[str, Any] | None = None) -> int:
    """The disclosure threshold: ``disclosure.min_count`` of ``settings`` (default ``config/settings.yaml``)."""
    if settings is None:
        from pipeline import config  # noqa: PLC0415

        settings = config.settings()
    value = (settings.get("disclosure") or {}).get("min_count")
    if value is None:
        raise ValueError("config/settings.yaml has no disclosure.min_count: add it (5 is the usual threshold).")
    return int(value)


# --- small counts ---------------------------------------------------------------------------------


def suppress_value(value: object, threshold: int) -> object:
    """``value`` as shown: ``'<threshold'`` when it is a count from 1 to ``threshold - 1``, else unchanged."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return value
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value
    return f"<{threshold}" if 0 < number < threshold else number


def suppress(df: pd.DataFrame, columns: Sequence[str], threshold: int) -> pd.DataFrame:
    """A display copy of ``df`` whose count ``columns`` show 1 to ``threshold - 1`` as ``'<threshold'``.

    Zero stays 0 and missing stays missing; columns ``df`` lacks are ignored. The input is not changed.
    """
    out = df.copy()
    for col in columns:
        if col in out.columns:
            out[col] = pd.Series([suppress_value(v, threshold) for v in out[col]], index=out.index, dtype=object)
    return out


def count_text(value: Any, threshold: int, tr: Translator | None = None, sentence: bool = False) -> str:
    """A count as text: ``<5`` (or "fewer than 5" in a ``sentence``) when small, "not known" when missing."""
    tr = tr or translator("en")
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return tr("not known")
    shown = suppress_value(int(value), threshold)
    if isinstance(shown, str):
        return tr("fewer than {n}").format(n=threshold) if sentence else shown
    return str(shown)


def share_text(part: int, whole: int, threshold: int) -> str:
    """``part`` of ``whole`` as a whole percentage, or a dash when ``whole`` is below the threshold."""
    if whole < threshold or whole <= 0:
        return "\u2013"
    return f"{round(100 * part / whole)}%"


def people_text(n_people: Any, n_organisations: Any, threshold: int, tr: Translator | None = None) -> str:
    """'12 people, 3 organisations', or 'fewer than 5 people' when below the threshold."""
    tr = tr or translator("en")
    if n_people is None or pd.isna(n_people) or int(n_people) < threshold:
        who = tr("fewer than {n} people").format(n=threshold)
    else:
        who = tr("{n} people").format(n=int(n_people))
    n_org = 0 if n_organisations is None or pd.isna(n_organisations) else int(n_organisations)
    if not n_org:
        return who
    return f"{who}, " + tr.plural("{n} organisation", "{n} organisations", n_org).format(n=n_org)


def suppression_note(threshold: int, tr: Translator | None = None) -> str:
    """The sentence placed under every table or chart that may hide small counts."""
    tr = tr or translator("en")
    return tr(
        "Counts from 1 to {low} are shown as '<{n}' so that no small group of people can be identified."
    ).format(low=threshold - 1, n=threshold)


# --- quotes: screening ----------------------------------------------------------------------------


def compile_patterns(patterns: Mapping[str, str]) -> dict[str, re.Pattern[str]]:
    """Compile redaction-class patterns (name -> regex), in name order."""
    return {name: re.compile(rx) for name, rx in sorted(patterns.items())}


def load_patterns(report_settings: Mapping[str, Any] | None = None) -> dict[str, re.Pattern[str]]:
    """The compiled ``redaction_patterns`` of ``config/report.yaml`` (or of ``report_settings``)."""
    if report_settings is None:
        return _default_patterns()
    return compile_patterns(report_settings.get("redaction_patterns", {}) or {})


@lru_cache(maxsize=1)
def _default_patterns() -> dict[str, re.Pattern[str]]:
    from pipeline import config  # noqa: PLC0415

    return compile_patterns(config.load_yaml("report.yaml").get("redaction_patterns", {}) or {})


@lru_cache(maxsize=1)
def _quasi_config() -> dict[str, Any]:
    from pipeline.quasi import load_config  # noqa: PLC0415

    return load_config()


def personal_data_found(text: str, patterns: Mapping[str, re.Pattern[str]]) -> list[str]:
    """Names of the redaction-class patterns that ``text`` matches (empty when it looks clean)."""
    return [name for name, rx in patterns.items() if rx.search(str(text))]


def screen(text: str, patterns: Mapping[str, re.Pattern[str]] | None = None) -> tuple[str, str]:
    """One quote through both screens: ``(text as shown, reason it may not be shown or "")``.

    The quasi-identifier screen may cut a sentence (the text comes back cut) or withhold the quote;
    a redaction-class pattern withholds it.
    """
    from pipeline.quasi import screen_quote  # noqa: PLC0415

    patterns = _default_patterns() if patterns is None else patterns
    decision = screen_quote(str(text), _quasi_config())
    shown = decision.text if decision.action == "cut" else str(text)
    found = personal_data_found(shown, patterns)
    if found:
        return shown, "looks like it holds personal data (" + ", ".join(found) + ")"
    if decision.action == "withhold":
        return shown, "could identify someone (details that together point at one person)"
    return shown, ""


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", str(text).lower()))


def _is_repeat(text: str, picked: Sequence[str]) -> bool:
    from rapidfuzz import fuzz  # noqa: PLC0415

    words = _words(text)
    return any(words == _words(q) or fuzz.partial_ratio(text.lower(), q.lower()) >= NEAR_DUPLICATE for q in picked)


def pick_texts(
    texts: Sequence[str],
    k: int,
    max_chars: int,
    *,
    min_chars: int = 0,
    keys: Sequence[Any] | None = None,
    patterns: Mapping[str, re.Pattern[str]] | None = None,
) -> list[str]:
    """Up to ``k`` quotes from ``texts`` (given best first): screened, within length, no repeats.

    The caller has already applied the group-size rule (the texts come from enough people). Quotes
    with fewer redaction placeholders come first; otherwise the given order is kept.

    Args:
        texts: Candidate quotes, best first.
        k: Quotes wanted.
        max_chars: Longest quote (after a cut and whitespace tidying).
        min_chars: Shortest quote.
        keys: Optional speaker key per text: at most one quote per key.
        patterns: Redaction-class patterns (default ``config/report.yaml``).
    """
    keys = list(keys) if keys is not None else list(range(len(texts)))
    order = sorted(range(len(texts)), key=lambda i: len(PLACEHOLDER.findall(str(texts[i]))))
    picked: list[str] = []
    seen: set[Any] = set()
    for i in order:
        if len(picked) >= k:
            break
        text, reason = screen(" ".join(str(texts[i]).split()), patterns)
        if reason or not min_chars <= len(text) <= max_chars or keys[i] in seen or _is_repeat(text, picked):
            continue
        seen.add(keys[i])
        picked.append(text)
    return picked


# --- quotes: groups and statement tables ----------------------------------------------------------


def _count_people(df: pd.DataFrame) -> int:
    refs = df[["organisation", "participant_ref"]].dropna()
    refs = refs[refs["participant_ref"].astype(str).str.len() > 0]
    return int(len(refs.drop_duplicates()))


GROUP_COLUMNS = ["organisation", "cohort", "n_statements", "n_people", "n_participants_reported", "group_size",
                 "quotable"]


def group_sizes(statements: pd.DataFrame, returns: pd.DataFrame | None, threshold: int) -> pd.DataFrame:
    """Size of every group (organisation x cohort) and whether it is large enough to quote from.

    The group's participants are the numbers its returns report; where no return reports one, its
    distinct people in ``statements`` (a ``G-`` reference counts once, so this errs on the side of
    caution). A group may be quoted when both its participants and its statements reach ``threshold``.

    Returns:
        Columns :data:`GROUP_COLUMNS`.
    """
    rows = []
    for (org, cohort), part in statements.groupby(["organisation", "cohort"], sort=True, dropna=False):
        reported: Any = pd.NA
        if returns is not None and not returns.empty:
            match = returns[(returns["organisation"] == org) & (returns["cohort"] == cohort)]
            numbers = pd.to_numeric(match["n_participants"], errors="coerce").dropna()
            if len(numbers):
                reported = int(numbers.sum())
        n_people = _count_people(part)
        size = int(reported) if reported is not pd.NA else n_people
        n_statements = int(part["statement_id"].nunique())
        rows.append({"organisation": org, "cohort": cohort, "n_statements": n_statements, "n_people": n_people,
                     "n_participants_reported": reported, "group_size": size,
                     "quotable": bool(size >= threshold and n_statements >= threshold)})
    out = pd.DataFrame(rows, columns=GROUP_COLUMNS)
    out["n_participants_reported"] = out["n_participants_reported"].astype("Int64")
    return out


def _reasons(c: pd.DataFrame, patterns, speakers, min_chars: int, max_chars: int) -> tuple[list[str], list[str]]:
    shown, reasons = [], []
    for text, speaker, group_ok in zip(c["text"], c["speaker"], c["_ok"], strict=True):
        text, why = screen(text, patterns)
        shown.append(text)
        if speaker not in speakers:
            why = "said by a facilitator, not a participant"
        elif not group_ok:
            why = "from a group below the disclosure threshold"
        elif not why and len(text) < min_chars:
            why = f"shorter than {min_chars} characters"
        elif not why and len(text) > max_chars:
            why = f"longer than {max_chars} characters"
        reasons.append(why)
    return shown, reasons


def select_quotes(
    candidates: pd.DataFrame,
    groups: pd.DataFrame,
    patterns: Mapping[str, re.Pattern[str]] | None = None,
    *,
    n: int,
    by: str | None = None,
    min_chars: int | None = None,
    max_chars: int | None = None,
    speakers: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pick up to ``n`` safe, short, varied quotes from statement rows (per value of ``by``, or overall).

    A statement is eligible when its speaker is in ``speakers``, its group (organisation x cohort) is
    ``quotable`` in ``groups``, it passes :func:`screen` and its length is within ``[min_chars,
    max_chars]``. Eligible statements are ordered by fewest redaction placeholders, then shortest,
    then id; organisations take turns so one organisation does not supply every quote; the same
    words are quoted once. ``min_chars``, ``max_chars`` and ``speakers`` default to ``quotes`` of
    ``config/report.yaml``.

    Returns:
        ``(quotes, skipped)``: the quotes (``[by,] statement_id, organisation, cohort, question, stance,
        text``) and how many distinct statements were not eligible and why (``reason, n_statements``).
    """
    min_chars = int(lookup(None, "quotes.min_chars", "report.yaml")) if min_chars is None else min_chars
    max_chars = int(lookup(None, "quotes.max_chars", "report.yaml")) if max_chars is None else max_chars
    speakers = tuple(lookup(None, "quotes.speakers", "report.yaml")) if speakers is None else speakers
    key = [by] if by else []
    cols = [*key, "statement_id", "organisation", "cohort", "question", "stance", "text"]
    if candidates is None or candidates.empty:
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=_SKIP_COLUMNS)
    c = candidates.drop_duplicates([*key, "statement_id"]).copy()
    quotable = groups.loc[groups["quotable"], ["organisation", "cohort"]].assign(_ok=True)
    c = c.merge(quotable, on=["organisation", "cohort"], how="left")
    c["_ok"] = c["_ok"].astype("boolean").fillna(False).astype(bool)
    c["text"], c["_reason"] = _reasons(c.assign(text=c["text"].fillna("").astype(str)), patterns, speakers,
                                       min_chars, max_chars)
    skipped = (c[c["_reason"] != ""].drop_duplicates("statement_id").groupby("_reason", sort=True).size()
               .rename("n_statements").rename_axis("reason").reset_index())
    ok = c[c["_reason"] == ""].copy()
    ok["_placeholders"] = ok["text"].map(lambda t: len(PLACEHOLDER.findall(t)))
    ok["_len"] = ok["text"].str.len()
    ok = ok.sort_values([*key, "_placeholders", "_len", "statement_id"], kind="stable")
    ok["_turn"] = ok.groupby([*key, "organisation"], sort=False).cumcount()
    ok = ok.sort_values([*key, "_turn", "_placeholders", "_len", "statement_id"], kind="stable")
    ok["_words"] = ok["text"].map(_words)  # the same words from two people (or sent twice) make one quote
    ok = ok.drop_duplicates([*key, "_words"])
    picked = ok.groupby(key, sort=True).head(n) if key else ok.head(n)
    return picked[cols].reset_index(drop=True), skipped
