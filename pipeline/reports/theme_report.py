"""The plan author's theme report: one context built from the processed tables, laid out once, drawn twice.

:func:`build_context` gathers every figure (from :mod:`pipeline.reports.tables`), chart (from
:mod:`pipeline.reports.charts`) and safe quote (from :mod:`pipeline.disclosure`) into plain values, in
the document's language (:mod:`pipeline.i18n`: ``REPORT_LANG=cy`` or ``--language cy`` for Welsh).
:mod:`pipeline.reports.theme_layout` turns it into one :class:`pipeline.reports.document.Document`:
a main body the author reads in one sitting (a one-page summary, each priority area on at most two
pages opening with plain sentences built from the tables, its chart, quotes and suggestions) and an
appendix with the full tables. :func:`render_html` and :func:`render_docx` draw that document, and
:func:`render_xlsx` writes the annex workbook (one sheet per table), so all three agree.

Run it with ``python -m pipeline report`` (``make report``); the runner reads and writes the files.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline import disclosure as D
from pipeline.i18n import Translator, translator
from pipeline.reports import style
from pipeline.reports import tables as T
from pipeline.reports.document import Table, slug, table
from pipeline.reports.inputs import TABLES, ReportInputs, load_stance_phrases
from pipeline.topics.schema import PLAN_COMMENTS_PREFIX, WELSH_PREFIX

__all__ = ["LABELS", "METHODS_TEXT", "build_context", "render_docx", "render_html", "render_xlsx", "slug",
           "stance_phrase"]

QUESTION_ORDER = ("listened", "interpreted", "solutions", "other", "unknown")

#: Column labels (English; translated through the catalogue).
LABELS = {
    "code": "Priority area", "name": "Name", "priority_area": "Name", "n_statements": "Statements",
    "n_people": "People", "n_suggestions": "Suggestions", "share_disagree": "Share disagreeing",
    "n_returns": "Returns", "n_organisations": "Organisations", "n_participants": "Participants",
    "n_responses": "Answers", "n_returns_without_count": "Returns without a participant number",
    "cohort": "Cohort", "police_force_area": "Police force area", "engagement_method": "Engagement method",
    "question": "Question", "subtheme": "Sub-theme", "label": "Theme", "keywords": "Key words",
    "size": "Statements", "nearest_code": "Nearest priority area", "similarity": "Similarity", "group": "Group",
    "area": "Area", "status": "Status", "measure": "Measure", "ethnicity": "Ethnicity",
    "reference_group": "Compared with", "period": "Period", "ratio": "Ratio", "ci_low": "95% interval from",
    "ci_high": "95% interval to", "reliable": "Reliable", "source": "Source", "reading": "What it suggests",
    "caveat": "Caveat", "reason": "Why not quoted", "coverage": "Coverage",
    **{s: style.STANCE_LABELS[s] for s in T.STANCES},
}

METHODS_TEXT = (
    "Each answer in the returns was split into statements. Each statement was coded against the seven "
    "priority areas of the draft plan (by rules and a sentence-embedding model, with an analyst able to "
    "confirm or correct codes), given the question it answers and its stance towards the draft plan "
    "(agree, disagree, mixed, unclear), and marked when it suggests a concrete action.",
    "Emergent themes were found by topic modelling (BERTopic) of the statements, seeded with the priority "
    "areas; a theme is 'not in the plan' when no priority area seeded it and fewer than 40% of its statements "
    "were coded to any one area. Clusters that judge the draft rather than name a subject are labelled "
    "'Comments on the plan itself', and a cluster of Welsh statements grouped by language 'Mostly in Welsh'.",
    "Personal data were redacted at ingest. Quotes come only from participants in groups of at least the "
    "disclosure threshold, and any quote that still looks like it holds personal data is left out.",
    "Limitations: organisations chose whom to consult and how; participant numbers are as the organisations "
    "reported them; automated coding makes mistakes, so figures are indicative.",
)


def count_text(value: int, min_count: int) -> str:
    """A count as shown in a table (``<5`` when suppressed): :func:`pipeline.disclosure.count_text`."""
    return D.count_text(value, min_count)


def share_text(part: int, whole: int, min_count: int) -> str:
    """``part`` of ``whole`` as a percentage, or a dash below the threshold: :func:`pipeline.disclosure.share_text`."""
    return D.share_text(part, whole, min_count)


def view(df: pd.DataFrame, caption: str, tr: Translator, *, note: str = "", sheet: str = "",
         row_header: bool = True, data: pd.DataFrame | None = None) -> Table:
    """A display table (counts already suppressed) with translated column labels.

    ``sheet`` names it in the annex workbook, which gets ``data`` (the same rows before they were
    reshaped for the page: full sources, separate interval columns) or else the displayed rows.
    """
    columns = [tr(LABELS.get(c, c.replace("_", " ").capitalize())) for c in df.columns]
    data = (df if data is None else data).copy()
    data.columns = [tr(LABELS.get(c, c.replace("_", " ").capitalize())) for c in data.columns]
    return table(caption, columns, df.itertuples(index=False, name=None), note=note, row_header=row_header,
                 sheet=sheet, data=data)


def theme_label(label: str, tr: Translator) -> str:
    """A theme's label with the topics stage's fixed prefixes in the document's language (the rest is data)."""
    for prefix in (PLAN_COMMENTS_PREFIX, WELSH_PREFIX):
        if str(label).startswith(prefix):
            return tr(prefix.rstrip(": ")) + ": " + str(label)[len(prefix):]
    return str(label)


def stance_phrase(question: str, stance: str, tr: Translator | None = None) -> str:
    """A stance in words a reader understands, for its question ("says CJIW has not listened")."""
    tr = tr or translator("en")
    return tr(load_stance_phrases().get(question, {}).get(stance) or style.STANCE_LABELS.get(stance, stance))


def _plural(phrase: str) -> str:
    """A stance phrase said of several people ("says CJIW has listened" -> "say CJIW has listened")."""
    first, _, rest = phrase.partition(" ")
    verb = {"says": "say", "thinks": "think", "does": "do", "is": "are", "agrees": "agree", "disagrees": "disagree"}
    return " ".join(x for x in (verb.get(first, first), rest) if x)


def plural_phrase(question: str, stance: str, tr: Translator) -> str:
    """A stance said of several people, in the document's language."""
    english = load_stance_phrases().get(question, {}).get(stance) or style.STANCE_LABELS.get(stance, stance)
    return tr(_plural(english))


def build_context(
    inputs: ReportInputs,
    settings: Mapping[str, Any],
    vocabularies: Mapping[str, Any],
    min_count: int,
    consultation: str,
    language: str | None = None,
) -> dict[str, Any]:
    """Everything the theme report shows, as plain values (counts already suppressed for display).

    Args:
        inputs: The processed tables (:func:`pipeline.reports.inputs.load_inputs`).
        settings: ``config/report.yaml``.
        vocabularies: ``config/vocabularies.yaml`` (for cohort labels).
        min_count: The disclosure threshold (``disclosure.min_count``).
        consultation: The consultation's name.
        language: ``en`` or ``cy`` (default ``$REPORT_LANG``, else English).

    Returns:
        A dict for :mod:`pipeline.reports.theme_layout`; ``figures`` holds the raw numbers.
    """
    from pipeline.reports import theme_parts as P  # noqa: PLC0415

    tr = translator(language)
    ctx = P.start(inputs, settings, vocabularies, min_count, consultation, tr)
    P.participation(ctx)
    P.statements(ctx)
    P.equality(ctx)
    P.emergent(ctx)
    P.coverage(ctx)
    P.methods(ctx)
    ctx["summary"] = P.headlines(ctx)
    return ctx


def missing_messages(inputs: ReportInputs, tr: Translator) -> list[str]:
    """One sentence per missing input table, in the document's language."""
    out = []
    for name in sorted(inputs.missing):
        file_name, what, stage = TABLES[name]
        out.append(tr("{what} ({file}): not available, because the {stage} stage has not been run "
                      "(run `make {stage}`).").format(what=tr(what).capitalize(), file=file_name, stage=stage))
    return out


def render_html(context: Mapping[str, Any]) -> str:
    """The report as one self-contained HTML page (inline CSS, embedded PNGs, no JavaScript)."""
    from pipeline.reports import render_html as html  # noqa: PLC0415
    from pipeline.reports.theme_layout import document  # noqa: PLC0415

    return html.render(document(context))


def render_docx(context: Mapping[str, Any]) -> bytes:
    """The report as a Word document laid out for A4 (see :mod:`pipeline.reports.render_docx`)."""
    from pipeline.reports import render_docx as word  # noqa: PLC0415
    from pipeline.reports.theme_layout import document  # noqa: PLC0415

    return word.render(document(context))


def render_xlsx(context: Mapping[str, Any]) -> bytes:
    """The annex workbook: every table of the report, one sheet each (:mod:`pipeline.reports.annex`)."""
    from pipeline.reports.annex import workbook  # noqa: PLC0415
    from pipeline.reports.theme_layout import document  # noqa: PLC0415

    return workbook(document(context))
