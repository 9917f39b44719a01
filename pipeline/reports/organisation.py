"""What one organisation's report shows: the functions the notebook ``notebooks/organisation_report.ipynb`` calls.

The notebook computes nothing itself; each of its cells calls one function here and displays the
result. Every figure comes from :mod:`pipeline.reports.tables` (the same rules as the theme report):
small counts are shown as ``<min_count`` and quotes only come from groups at or above the threshold.

Usage (as in the notebook)::

    from pipeline.reports import organisation as org
    ctx = org.prepare("sample", "Cymru Youth Voice", "data/processed/sample", min_count=5)
    org.show(org.who_took_part(ctx), "Who took part")

Run it for every organisation with ``python -m pipeline notebooks`` (``make notebooks``).
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import config
from pipeline.disclosure import min_count as disclosure_min_count
from pipeline.disclosure import share_text
from pipeline.errors import InputDataError  # one error base class (issue 14)
from pipeline.reports import charts, style
from pipeline.reports import tables as T
from pipeline.reports.inputs import ReportInputs, load_inputs
from pipeline.reports.theme_report import LABELS
from pipeline.settings import lookup


class OrganisationNotFoundError(InputDataError):
    """The organisation named in the notebook's parameters has no statements or returns."""


@dataclass
class OrganisationContext:
    """One organisation's data and the whole consultation's, ready for the notebook's cells."""

    consultation: str
    organisation: str
    min_count: int
    inputs: ReportInputs
    settings: dict[str, Any]
    cohort_labels: dict[str, str]
    coded: pd.DataFrame
    groups: pd.DataFrame
    method_labels: dict[str, str] = field(default_factory=dict)

    @property
    def mine(self) -> pd.DataFrame:
        """This organisation's coded statements."""
        return self.coded[self.coded["organisation"] == self.organisation]


def prepare(
    consultation: str,
    organisation: str,
    processed_dir: str | Path | None = None,
    min_count: int | None = None,
    config_dir: Path | None = None,
) -> OrganisationContext:
    """Load the processed tables and check the organisation is in them.

    Args:
        consultation: Consultation name (``sample``).
        organisation: The organisation's name exactly as in ``statements.parquet``.
        processed_dir: Folder of processed tables; defaults to ``data/processed/<consultation>``.
        min_count: Disclosure threshold; defaults to ``disclosure.min_count`` in ``config/settings.yaml``.
        config_dir: Config folder (defaults to ``config/``).

    Raises:
        OrganisationNotFoundError: If the coded statements are missing or hold nothing from the organisation.
    """
    folder = Path(processed_dir) if processed_dir else config.processed_dir(consultation)
    if min_count is None:
        min_count = disclosure_min_count(config.settings(config_dir))
    inputs = load_inputs(folder, config_dir)
    statements = inputs.get("statements")
    if statements is None:
        raise OrganisationNotFoundError(
            f"There are no coded statements in {folder}: run `make code` before the organisation reports."
        )
    known = sorted(set(statements["organisation"].dropna().astype(str)))
    if organisation not in known:
        raise OrganisationNotFoundError(
            f"The organisation {organisation!r} has no statements in {folder}. "
            f"Organisations found: {', '.join(known) or 'none'}. Check the spelling in the returns manifest."
        )
    vocab = config.load_yaml("vocabularies.yaml", config_dir)
    labels = {k: (v or {}).get("label", k) for k, v in vocab.get("cohorts", {}).items()}
    labels.setdefault("unknown", "Cohort not known")
    methods = {k: (v or {}).get("label", k) for k, v in vocab.get("engagement_methods", {}).items()}
    return OrganisationContext(
        consultation=consultation,
        organisation=organisation,
        min_count=int(min_count),
        inputs=inputs,
        settings=config.load_yaml("report.yaml", config_dir),
        cohort_labels=labels,
        coded=T.coded_statements(statements, inputs.get("codes")),
        groups=T.group_sizes(statements, inputs.get("returns"), int(min_count)),
        method_labels=methods,
    )


def missing_inputs(ctx: OrganisationContext) -> list[str]:
    """Plain-English sentences for every processed table that is not available."""
    return [ctx.inputs.missing[k] for k in sorted(ctx.inputs.missing)]


def who_took_part(ctx: OrganisationContext) -> pd.DataFrame:
    """The organisation's returns: cohort, area, engagement method and participants (suppressed)."""
    returns = ctx.inputs.get("returns")
    cols = ["cohort", "police_force_area", "engagement_method", "n_participants", "n_responses"]
    if returns is None:
        return pd.DataFrame(columns=cols)
    mine = returns[returns["organisation"] == ctx.organisation].sort_values(["cohort", "source_file"])
    out = mine[cols].copy()
    out["cohort"] = ["; ".join(ctx.cohort_labels.get(c, c) for c in T.split_multi(v)) for v in out["cohort"]]
    out["engagement_method"] = ["; ".join(ctx.method_labels.get(m, m) for m in T.split_multi(v))
                                for v in out["engagement_method"]]
    return T.suppress(out.reset_index(drop=True), ["n_participants", "n_responses"], ctx.min_count)


def what_was_said(ctx: OrganisationContext) -> pd.DataFrame:
    """Statements by priority area and question, one column per stance (suppressed)."""
    long = T.by_code_question_stance(ctx.mine)
    if long.empty:
        return pd.DataFrame(columns=["code", "name", "question", *T.STANCES, "n_statements"])
    wide = long.pivot_table(
        index=["code", "question"], columns="stance", values="n_statements", aggfunc="sum", fill_value=0
    )
    wide = wide.reindex(columns=list(T.STANCES), fill_value=0).reset_index()
    wide.columns.name = None
    wide["n_statements"] = wide[list(T.STANCES)].sum(axis=1)
    order = {c: i for i, c in enumerate(T.code_order(wide["code"]))}
    qorder = {q: i for i, q in enumerate(T.QUESTIONS)}
    wide = wide.sort_values(
        ["code", "question"], key=lambda s: s.map(order if s.name == "code" else qorder), ignore_index=True
    )
    wide.insert(
        1, "name", [ctx.inputs.code_names.get(c, "Not coded to a priority area") for c in wide["code"]]
    )
    wide["question"] = [style.QUESTION_LABELS.get(q, q) for q in wide["question"]]
    return T.suppress(wide, [*T.STANCES, "n_statements"], ctx.min_count)


def stance_chart(ctx: OrganisationContext) -> charts.Chart:
    """Stacked bars of this organisation's statements by stance per priority area."""
    return charts.stance_bars(
        T.stance_by_code(ctx.mine, ctx.inputs.code_names), ctx.inputs.code_names, ctx.min_count
    )


def emergent_themes(ctx: OrganisationContext) -> pd.DataFrame:
    """The emergent themes this organisation's statements fall in, with whether the plan covers them."""
    st, topics = ctx.inputs.get("statement_topics"), ctx.inputs.get("topics")
    cols = ["label", "keywords", "n_statements", "coverage"]
    if st is None or topics is None:
        return pd.DataFrame(columns=cols)
    ids = set(ctx.mine["statement_id"])
    mine = st[st["statement_id"].isin(ids) & (st["topic"] != -1)]
    counts = mine.groupby("topic").size().rename("n_statements").reset_index()
    out = counts.merge(topics, on="topic", how="left").sort_values(
        ["n_statements", "topic"], ascending=[False, True]
    )
    return T.suppress(out[cols].reset_index(drop=True), ["n_statements"], ctx.min_count)


def _quote_frame(ctx: OrganisationContext, suggestions: bool) -> pd.DataFrame:
    cand = ctx.mine.drop_duplicates("statement_id")
    if suggestions:
        cand = cand[cand["is_suggestion"]]
    picked, _ = T.select_quotes(
        cand,
        ctx.groups,
        T.compile_patterns(ctx.settings.get("redaction_patterns", {})),
        n=int(lookup(ctx.settings, "quotes.per_organisation", "report.yaml")),
        min_chars=int(lookup(ctx.settings, "quotes.min_chars", "report.yaml")),
        max_chars=int(lookup(ctx.settings, "quotes.max_chars", "report.yaml")),
        speakers=tuple(lookup(ctx.settings, "quotes.speakers", "report.yaml")),
    )
    codes = ctx.mine.groupby("statement_id")["code"].agg(lambda s: ", ".join(T.code_order(s)))
    out = picked.assign(priority_areas=picked["statement_id"].map(codes))
    out["cohort"] = ["; ".join(ctx.cohort_labels.get(c, c) for c in T.split_multi(v)) for v in out["cohort"]]
    out["question"] = [style.QUESTION_LABELS.get(x, x) for x in out["question"]]
    return out[["text", "priority_areas", "cohort", "question", "stance"]].reset_index(drop=True)


def suggestions(ctx: OrganisationContext) -> pd.DataFrame:
    """Suggestions for action made by this organisation's participants (safe quotes only)."""
    return _quote_frame(ctx, suggestions=True)


def quotes(ctx: OrganisationContext) -> pd.DataFrame:
    """A few redacted quotes from this organisation's participants (safe quotes only)."""
    return _quote_frame(ctx, suggestions=False)


def n_suggestions(ctx: OrganisationContext) -> str:
    """How many of this organisation's statements suggest an action (suppressed)."""
    n = int(ctx.mine.drop_duplicates("statement_id")["is_suggestion"].sum())
    return str(T.suppress_value(n, ctx.min_count))


def compare_with_consultation(ctx: OrganisationContext) -> pd.DataFrame:
    """Per priority area: the share of this organisation's statements and of all statements, and disagreement."""
    mine = T.statements_by_code(ctx.mine, ctx.inputs.code_names)
    whole = T.statements_by_code(ctx.coded, ctx.inputs.code_names)
    n_mine = max(int(ctx.mine["statement_id"].nunique()), 1)
    n_all = max(int(ctx.coded["statement_id"].nunique()), 1)
    out = mine[["code", "name", "n_statements", "share_disagree"]].merge(
        whole[["code", "n_statements", "share_disagree"]], on="code", how="outer", suffixes=("", "_all")
    )
    out = out.fillna({"n_statements": 0, "n_statements_all": 0})
    rows = []
    for r in out.itertuples(index=False):
        rows.append(
            {
                "code": r.code,
                "name": r.name if isinstance(r.name, str) else ctx.inputs.code_names.get(r.code, r.code),
                "this_organisation": _share(int(r.n_statements), n_mine, ctx.min_count),
                "whole_consultation": _share(int(r.n_statements_all), n_all, ctx.min_count),
                "disagree_this_organisation": _pct(r.share_disagree, int(r.n_statements), ctx.min_count),
                "disagree_whole_consultation": _pct(
                    r.share_disagree_all, int(r.n_statements_all), ctx.min_count
                ),
            }
        )
    order = {c: i for i, c in enumerate(T.code_order(out["code"]))}
    return pd.DataFrame(rows).sort_values("code", key=lambda s: s.map(order), ignore_index=True)


def _share(part: int, whole: int, min_count: int) -> str:
    shown = T.suppress_value(part, min_count)
    if isinstance(shown, str):
        return f"{shown} statements"
    return f"{round(100 * part / whole)}% ({part})"


def _pct(share: float, n: int, min_count: int) -> str:
    if share != share:
        return "–"
    return share_text(round(share * n), n, min_count)


COMPARE_LABELS = {
    "this_organisation": "Share of this organisation's statements",
    "whole_consultation": "Share of all statements",
    "disagree_this_organisation": "Disagreeing (this organisation)",
    "disagree_whole_consultation": "Disagreeing (whole consultation)",
}


def _missing(value: Any) -> bool:
    """True for None, NaN and pandas' NA (whose truth value cannot be tested directly)."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _numeric_cell(value: Any) -> bool:
    """A count, share or suppressed count ("<5", "12%", "50% (6)", "<5 statements", "–")."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return True
    text = str(value).strip()
    return text == "–" or bool(re.fullmatch(r"<?\s*-?[\d.,]+%?(?:\s*\([\d,]+\))?(?:\s+statements?)?", text))


def to_html(df: pd.DataFrame, caption: str) -> str:
    """An accessible HTML table (caption, ``th scope``) of ``df`` with readable column names.

    Drawn by the reports' one table renderer (:func:`pipeline.reports.render_html.table_html`).
    """
    from dataclasses import replace  # noqa: PLC0415

    from pipeline.reports.document import table  # noqa: PLC0415
    from pipeline.reports.render_html import table_html  # noqa: PLC0415

    labels = {**LABELS, **COMPARE_LABELS, "text": "What was said", "priority_areas": "Priority areas"}
    # Jupyter's stylesheet right-aligns every cell; words read better left-aligned, counts right-aligned.
    numeric = tuple(bool(len(df)) and all(_missing(v) or _numeric_cell(v) for v in df[c]) for c in df.columns)
    rows = [["" if _missing(v) else str(v) for v in row] for row in df.itertuples(index=False, name=None)]
    view = table(caption, [labels.get(c, c.replace("_", " ").capitalize()) for c in df.columns], rows,
                 row_header=False)
    return table_html(replace(view, numeric=numeric, align=True))


def show(df: pd.DataFrame, caption: str, empty: str = "Nothing to show.") -> None:
    """Display a table in the notebook (or a sentence when it is empty)."""
    from IPython.display import HTML, Markdown, display  # noqa: PLC0415

    display(Markdown(f"*{empty}*") if df.empty else HTML(to_html(df, caption)))


def show_chart(chart: charts.Chart) -> None:
    """Display a chart with its alt text and the data behind it."""
    from IPython.display import HTML, display  # noqa: PLC0415

    src = base64.b64encode(chart.png).decode("ascii")
    display(
        HTML(
            f'<figure><img src="data:image/png;base64,{src}" alt="{html.escape(chart.alt)}" style="max-width:100%">'
            f"<figcaption>{html.escape(chart.alt)}</figcaption></figure>"
            + to_html(chart.data, f"Data behind the chart: {chart.title}")
        )
    )


def show_text(markdown: str) -> None:
    """Display a paragraph of Markdown."""
    from IPython.display import Markdown, display  # noqa: PLC0415

    display(Markdown(markdown))


def heading(ctx: OrganisationContext) -> str:
    """The report's opening paragraph (Markdown)."""
    lines = [
        f"# {ctx.settings.get('organisation_title', 'What your participants told us')}: {ctx.organisation}",
        f"Consultation: {ctx.consultation}. {T.suppression_note(ctx.min_count)} "
        "Quotes are only taken from groups at least that large, and never when they look like they hold personal data.",
    ]
    lines += [f"- {m}" for m in missing_inputs(ctx)]
    return "\n\n".join(lines)
