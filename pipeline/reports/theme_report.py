"""The plan author's theme report: one context built from the processed tables, rendered to HTML and Word.

:func:`build_context` gathers every figure (from :mod:`pipeline.reports.tables`), chart (from
:mod:`pipeline.reports.charts`) and safe quote into plain Python values, suppressing small counts;
:func:`render_html` turns it into one self-contained, accessible HTML page (jinja2 template in
``pipeline/reports/templates/``: inline CSS, charts as base64 PNG, no JavaScript, ``lang="en-GB"``)
and :func:`render_docx` into a Word document (python-docx: real headings, tables with header rows,
charts with alt text). Both renderers show exactly the same context, so the two files agree.

Run it with ``python -m pipeline report`` (``make report``); the runner reads and writes the files.
"""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pipeline.reports import charts, style
from pipeline.reports import tables as T
from pipeline.reports.inputs import ReportInputs, load_stance_phrases
from pipeline.topics.schema import PLAN_COMMENTS_PREFIX, WELSH_PREFIX

QUESTION_ORDER = ("listened", "interpreted", "solutions", "other", "unknown")


def slug(text: str) -> str:
    """A lower-case, hyphenated identifier (for anchors and file names)."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "item"


def _fmt(value: Any) -> str:
    if value is None or value is pd.NA:
        return "not known"
    if isinstance(value, float):
        if math.isnan(value):
            return "not known"
        return f"{value:.2f}"
    return str(value)


def share_text(part: int, whole: int, min_count: int) -> str:
    """``part`` of ``whole`` as a percentage, or a dash when ``whole`` is below the threshold."""
    if whole < min_count:
        return "–"
    return f"{round(100 * part / whole)}%"


def count_text(value: int, min_count: int) -> str:
    """A count as shown in the report (``<5`` when suppressed)."""
    return str(T._suppress_value(value, min_count))


def table_view(
    df: pd.DataFrame,
    caption: str,
    labels: Mapping[str, str] | None = None,
    row_header: bool = True,
    note: str = "",
) -> dict[str, Any]:
    """A table as plain values for the templates: caption, column labels, rows of strings, a note.

    The first column is a row header (``<th scope="row">``) when ``row_header`` is true.
    """
    labels = labels or {}
    columns = [labels.get(c, c.replace("_", " ").capitalize()) for c in df.columns]
    rows = [[_fmt(v) for v in row] for row in df.itertuples(index=False, name=None)]
    return {"caption": caption, "columns": columns, "rows": rows, "row_header": row_header, "note": note}


def chart_view(
    chart: charts.Chart, caption: str, note: str = "", labels: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A chart as plain values: title, alt text, base64 PNG, the data table behind it and the PNG bytes."""
    return {
        "title": chart.title,
        "alt": chart.alt,
        "src": "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii"),
        "png": chart.png,
        "table": table_view(chart.data, caption, labels=labels, note=note),
    }


LABELS = {
    "code": "Priority area",
    "name": "Name",
    "priority_area": "Name",
    "n_statements": "Statements",
    "n_people": "People",
    "n_suggestions": "Suggestions",
    "share_disagree": "Share disagreeing",
    "n_returns": "Returns",
    "n_organisations": "Organisations",
    "n_participants": "Participants",
    "n_responses": "Answers",
    "n_returns_without_count": "Returns without a participant number",
    "cohort": "Cohort",
    "police_force_area": "Police force area",
    "engagement_method": "Engagement method",
    "question": "Question",
    "subtheme": "Sub-theme",
    "label": "Theme",
    "keywords": "Key words",
    "size": "Statements",
    "nearest_code": "Nearest priority area",
    "similarity": "Similarity",
    "group": "Group",
    "area": "Area",
    "status": "Status",
    "measure": "Measure",
    "ethnicity": "Ethnicity",
    "reference_group": "Compared with",
    "period": "Period",
    "ratio": "Ratio",
    "ci_low": "95% interval from",
    "ci_high": "95% interval to",
    "reliable": "Reliable",
    "source": "Source",
    "reading": "What it suggests",
    "caveat": "Caveat",
    "reason": "Why not quoted",
    **{s: style.STANCE_LABELS[s] for s in T.STANCES},
}


def build_context(
    inputs: ReportInputs,
    settings: Mapping[str, Any],
    vocabularies: Mapping[str, Any],
    min_count: int,
    consultation: str,
) -> dict[str, Any]:
    """Everything the theme report shows, as plain values (counts already suppressed for display).

    Args:
        inputs: The processed tables (:func:`pipeline.reports.inputs.load_inputs`).
        settings: ``config/report.yaml``.
        vocabularies: ``config/vocabularies.yaml`` (for cohort labels).
        min_count: The disclosure threshold (``disclosure.min_count``).
        consultation: The consultation's name.

    Returns:
        A dict for :func:`render_html` and :func:`render_docx`; ``figures`` holds the raw numbers.
    """
    names = inputs.code_names
    cohort_labels = {k: (v or {}).get("label", k) for k, v in vocabularies.get("cohorts", {}).items()}
    cohort_labels.setdefault("unknown", "Cohort not known")
    note = T.suppression_note(min_count)
    q = settings.get("quotes", {})
    patterns = T.compile_patterns(settings.get("redaction_patterns", {}))
    quote_kw = {
        "min_chars": int(q.get("min_chars", 40)),
        "max_chars": int(q.get("max_chars", 300)),
        "speakers": tuple(q.get("speakers", ["participant"])),
    }
    returns, statements, codes = inputs.get("returns"), inputs.get("statements"), inputs.get("codes")
    topics, triangulation, edi = inputs.get("topics"), inputs.get("triangulation"), inputs.get("edi_measures")
    ctx: dict[str, Any] = {
        "title": settings.get("title", "Consultation theme report"),
        "consultation": consultation,
        "min_count": min_count,
        "suppression_note": note,
        "missing": [inputs.missing[k] for k in sorted(inputs.missing)],
        "figures": {},
    }
    have_statements = statements is not None and len(statements) > 0
    coded = T.coded_statements(statements, codes) if have_statements else None
    groups = T.group_sizes(statements, returns, min_count) if have_statements else None

    # Participation
    part_tables = []
    if returns is not None and len(returns):
        for by, caption in (
            ("cohort", "Participants by cohort"),
            ("police_force_area", "Participants by police force area"),
            ("engagement_method", "Participants by engagement method"),
        ):
            t = T.participation(returns, by)
            ctx["figures"][f"participation_{by}"] = t
            shown = T.suppress(t, ["n_participants"], min_count)
            if by == "cohort":
                shown["cohort"] = [cohort_labels.get(c, c) for c in shown["cohort"]]
            part_tables.append(table_view(shown, caption, LABELS, note=note))
    ctx["participation"] = part_tables

    # Overview charts and per-area figures
    overview = []
    areas: list[dict[str, Any]] = []
    skipped_all: list[pd.DataFrame] = []
    if coded is not None:
        by_code = T.statements_by_code(coded, names)
        ctx["figures"]["statements_by_code"] = by_code
        ctx["figures"]["by_code_question_stance"] = T.by_code_question_stance(coded)
        stance = T.stance_by_code(coded, names)
        ctx["figures"]["stance_by_code"] = stance
        overview.append(
            chart_view(
                charts.stance_bars(stance, names, min_count),
                "Statements by priority area and stance",
                note,
                LABELS,
            )
        )
        heat = T.code_by_cohort(coded, names)
        ctx["figures"]["code_by_cohort"] = heat
        overview.append(
            chart_view(
                charts.heatmap(heat, names, cohort_labels, min_count),
                "Statements by priority area (rows) and cohort (columns)",
                note,
                LABELS,
            )
        )
        quotes, skipped = T.select_quotes(
            coded[coded["code"] != T.UNCODED],
            groups,
            patterns,
            n=int(q.get("per_code", 3)),
            by="code",
            **quote_kw,
        )
        skipped_all.append(skipped)
        suggestions, skipped_s = T.select_quotes(
            coded[(coded["code"] != T.UNCODED) & coded["is_suggestion"]],
            groups,
            patterns,
            n=int(settings.get("suggestions", {}).get("per_code", 4)),
            by="code",
            **quote_kw,
        )
        skipped_all.append(skipped_s)
        ctx["figures"]["quotes"] = quotes
        ctx["figures"]["suggestions"] = suggestions
        for row in by_code.itertuples(index=False):
            if row.code == T.UNCODED:
                continue
            areas.append(
                _area_context(
                    row,
                    coded,
                    quotes,
                    suggestions,
                    topics,
                    triangulation,
                    settings,
                    cohort_labels,
                    min_count,
                    note,
                )
            )
    ctx["overview_charts"] = overview
    ctx["areas"] = areas

    # Equality data
    ratios = T.disproportionality(edi)
    ctx["figures"]["disproportionality"] = ratios
    ctx["ratio_chart"] = (
        chart_view(charts.ratio_chart(ratios), "Disproportionality ratios behind the chart", "", LABELS)
        if edi is not None
        else None
    )

    # Emergent themes not in the plan
    themes = T.emergent_themes(topics)
    ctx["figures"]["not_in_plan"] = themes
    theme_items = []
    if topics is not None and have_statements and len(themes):
        cand = T.topic_candidates(themes, statements)
        tq, skipped_t = T.select_quotes(
            cand, groups, patterns, n=int(q.get("per_topic", 2)), by="topic", **quote_kw
        )
        skipped_all.append(skipped_t)
        for r in themes.itertuples(index=False):
            theme_items.append(
                {
                    "label": r.label,
                    "description": str(getattr(r, "description", "") or ""),
                    "flags": str(getattr(r, "flags", "") or ""),
                    "keywords": r.keywords,
                    "size": count_text(int(r.size), min_count),
                    "n_organisations": count_text(int(r.n_organisations), min_count),
                    "nearest": f"{r.nearest_code} {names.get(r.nearest_code, '')}".strip(),
                    "quotes": _quote_items(tq[tq["topic"] == r.topic], cohort_labels),
                }
            )
    ctx["not_in_plan"] = theme_items

    # Coverage
    cov = settings.get("coverage", {})
    few = int(cov.get("few_participants", 10))
    groups_cov = T.coverage_groups(returns, statements, cov.get("expected_groups", []), few)
    areas_cov = T.coverage_areas(returns, cov.get("expected_areas", []), few)
    ctx["figures"]["coverage_groups"] = groups_cov
    ctx["figures"]["coverage_areas"] = areas_cov
    ctx["coverage"] = {
        "few": few,
        "groups": table_view(
            T.suppress(groups_cov, ["n_participants", "n_statements"], min_count),
            "Who was heard: the groups the consultation meant to reach",
            LABELS,
            note=note,
        ),
        "areas": table_view(
            T.suppress(areas_cov, ["n_participants"], min_count),
            "Who was heard: police force areas",
            LABELS,
            note=note,
        ),
        "gaps": [r.group for r in groups_cov.itertuples() if r.status in ("Not heard", "Few participants")],
        "area_gaps": [
            r.area for r in areas_cov.itertuples() if r.status in ("Not heard", "Few participants")
        ],
    }

    # Methods
    methods = T.methods_figures(statements, codes, inputs.evaluation, edi)
    ctx["figures"]["methods"] = methods
    skipped = (
        pd.concat([s for s in skipped_all if len(s)], ignore_index=True)
        .groupby("reason", sort=True)["n_statements"]
        .sum()
        .reset_index()
        if any(len(s) for s in skipped_all)
        else pd.DataFrame(columns=["reason", "n_statements"])
    )
    ctx["figures"]["quotes_skipped"] = skipped
    ctx["methods"] = _methods_context(methods, inputs, skipped, min_count, returns)
    ctx["summary"] = _headlines(ctx, inputs, min_count, returns, coded)
    return ctx


def stance_phrase(question: str, stance: str) -> str:
    """A stance in words a reader understands, for its question ("says CJIW has not listened")."""
    return load_stance_phrases().get(question, {}).get(stance) or style.STANCE_LABELS.get(stance, stance)


def _plural(phrase: str) -> str:
    """A stance phrase said of several people ("says CJIW has listened" -> "say CJIW has listened")."""
    first, _, rest = phrase.partition(" ")
    verb = {"says": "say", "thinks": "think", "does": "do", "is": "are", "agrees": "agree", "disagrees": "disagree"}
    return " ".join(x for x in (verb.get(first, first), rest) if x)


def _quote_items(quotes: pd.DataFrame, cohort_labels: Mapping[str, str]) -> list[dict[str, str]]:
    return [
        {
            "text": r.text,
            "who": "; ".join(cohort_labels.get(c, c) for c in str(r.cohort).split(";")),
            "question": style.QUESTION_LABELS.get(r.question, r.question),
            "stance": stance_phrase(r.question, r.stance),
        }
        for r in quotes.itertuples(index=False)
    ]


def _area_context(
    row, coded, quotes, suggestions, topics, triangulation, settings, cohort_labels, min_count, note
) -> dict[str, Any]:
    code = row.code
    qs = T.question_stance_table(coded, code)
    qs_shown = T.suppress(qs, [*T.STANCES, "n_statements", "n_people"], min_count)
    qs_shown["question"] = [style.QUESTION_LABELS.get(x, x) for x in qs_shown["question"]]
    subs = T.subthemes(coded, code, int(settings.get("subthemes", {}).get("per_code", 5)))
    tops = T.topics_for_code(topics, code, int(settings.get("topics", {}).get("per_code", 3)))
    tri = T.triangulation_for_code(triangulation, code)
    tri_shown = T.suppress(tri, ["n_statements", "n_participants"], min_count)
    # The triangulate stage leaves counts below the threshold blank: show them as suppressed.
    for col in ("n_statements", "n_participants"):
        tri_shown[col] = [f"<{min_count}" if pd.isna(v) else v for v in tri_shown[col]]
    return {
        "code": code,
        "name": row.name,
        "anchor": slug(f"{code}-{row.name}"),
        "n_statements": count_text(row.n_statements, min_count),
        "n_people": count_text(row.n_people, min_count),
        "n_suggestions": count_text(row.n_suggestions, min_count),
        "share_disagree": share_text(
            round(row.share_disagree * row.n_statements) if row.n_statements else 0,
            row.n_statements,
            min_count,
        ),
        "question_stance": table_view(
            qs_shown, f"{code}: statements by question and stance", LABELS, note=note
        ),
        "subthemes": table_view(
            T.suppress(subs, ["n_statements", "n_people"], min_count),
            f"{code}: main sub-themes",
            LABELS,
            note=note,
        )
        if len(subs)
        else None,
        "topics": table_view(
            T.suppress(tops[["label", "keywords", "size", "coverage"]], ["size"], min_count),
            f"{code}: emergent themes nearest this priority area",
            LABELS,
            note=note,
        )
        if len(tops)
        else None,
        "topics_missing": topics is None,
        "quotes": _quote_items(quotes[quotes["code"] == code], cohort_labels),
        "suggestions": _quote_items(suggestions[suggestions["code"] == code], cohort_labels),
        "triangulation": table_view(tri_shown, f"{code}: what the equality data says", LABELS, note=note)
        if len(tri)
        else None,
        "triangulation_missing": triangulation is None,
    }


def _independent_text(summary: Mapping | None) -> str:
    """One sentence on the coder's agreement on the independent evaluation sets, from their summary."""
    sets = [r for r in (summary or {}).get("sets", []) if r.get("intercoder")]
    if not sets:
        return ""
    f1 = [r["f1"] for r in sets]
    human = [r["intercoder"]["human_f1"] for r in sets]
    return (f" On {len(sets)} independent sets written as returns really read (transcripts, survey fragments, "
            f"text-speak, Welsh), by writers who never saw the codebook, the coder scored F1 {min(f1):.2f}-{max(f1):.2f}, "
            f"where two blind coders agreed with each other at {min(human):.2f}-{max(human):.2f}: "
            "read its codes as a first pass for a person to check.")


def _methods_context(
    methods, inputs: ReportInputs, skipped: pd.DataFrame, min_count: int, returns
) -> dict[str, Any]:
    ev = methods.get("evaluation")
    if ev:
        parts = [f"{k.replace('_', ' ')} {float(v):.2f}" for k, v in ev.items() if k.startswith("f1")]
        n = ev.get("n")
        agreement = (
            "Measured agreement of the coder with hand-coded statements"
            + (f" ({n} statements, not used in training)" if n else "")
            + ": " + ", ".join(parts)
            + " (F1 is 1 for perfect agreement; these statements are written like the codebook's examples)."
        )
    else:
        agreement = "Agreement with hand-coded statements: not measured in this run."
    agreement += _independent_text(inputs.independent)
    share = methods.get("share_reviewed")
    reviewed = (
        f"{methods['n_reviewed']} of {methods['n_statements']} statements ({round(100 * share)}%) were reviewed by a person."
        if share is not None
        else "No coded statements were available, so nothing was reviewed."
    )
    sources = ", ".join(f"{k}: {v}" for k, v in methods.get("code_sources", {}).items()) or "none"
    ledger = inputs.get("ingest_ledger")
    if ledger is not None and len(ledger):
        # The ledger holds one row per file, then one per item of that file that was not accepted.
        files = ledger.drop_duplicates("file", keep="first")
        n_items = len(ledger) - len(files)
        ledger_text = (
            f"Ingest ledger: {len(files)} file(s): "
            + ", ".join(f"{n} {s}" for s, n in files["status"].value_counts().sort_index().items())
            + (f"; {n_items} item(s) within files not accepted, each with its reason" if n_items else "")
            + "."
        )
    else:
        ledger_text = "The ingest ledger is not available."
    return {
        "agreement": agreement,
        "reviewed": reviewed,
        "code_sources": f"Codes by source (rule, model or analyst): {sources}.",
        "inferred": (
            f"{methods.get('n_inferred_question', 0)} statements had their question inferred from the text because the return did not say."
        ),
        "edi_sources": methods.get("edi_sources", []),
        "ledger": ledger_text,
        "skipped": table_view(
            T.suppress(skipped, ["n_statements"], min_count),
            "Statements not quoted, and why",
            LABELS,
            note=T.suppression_note(min_count),
        )
        if len(skipped)
        else None,
        "returns_without_count": int(pd.to_numeric(returns["n_participants"], errors="coerce").isna().sum())
        if returns is not None
        else None,
    }


def _headlines(ctx, inputs: ReportInputs, min_count: int, returns, coded) -> list[str]:
    out = []
    if returns is not None and len(returns):
        n_part = T.total_participants(returns)
        unknown = int(pd.to_numeric(returns["n_participants"], errors="coerce").isna().sum())
        org = returns["organisation"].astype(str)
        # ingest writes "unknown" where a return names no organisation: that is not an organisation
        n_unnamed = int((org == "unknown").sum())
        line = (
            f"{org[org != 'unknown'].nunique()} organisations sent {len(returns)} returns"
            + (f" ({n_unnamed} naming no organisation)" if n_unnamed else "")
            + f", reporting {count_text(n_part, min_count)} participants"
        )
        out.append(
            line + (f" ({unknown} of the returns did not say how many took part)." if unknown else ".")
        )
    if coded is not None:
        by_code = ctx["figures"]["statements_by_code"]
        n_statements = int(coded["statement_id"].nunique())
        out.append(f"{n_statements} statements were coded against the seven priority areas.")
        pas = by_code[by_code["code"] != T.UNCODED]
        if len(pas) and pas["n_statements"].max() > 0:
            top = pas.sort_values(["n_statements", "code"], ascending=[False, True]).iloc[0]
            out.append(
                f"Most was said about {top.code} {top['name']}: {count_text(int(top.n_statements), min_count)} statements "
                f"from {count_text(int(top.n_people), min_count)} people."
            )
            big = pas[pas["n_statements"] >= min_count]
            if len(big):
                worst = big.sort_values(["share_disagree", "code"], ascending=[False, True]).iloc[0]
                out.append(
                    f"The largest share of disagreement was on {worst.code} {worst['name']}: "
                    f"{round(100 * worst.share_disagree)}% of its statements disagreed with the draft plan."
                )
        stmts = coded.drop_duplicates("statement_id")
        for question in ("listened", "interpreted", "solutions"):
            part = stmts[stmts["question"] == question]
            if len(part):
                agree = int((part["stance"] == "agree").sum())
                disagree = int((part["stance"] == "disagree").sum())
                out.append(
                    f"{style.QUESTION_LABELS[question]}: of {count_text(len(part), min_count)} statements, "
                    f"{share_text(agree, len(part), min_count)} {_plural(stance_phrase(question, 'agree'))} and "
                    f"{share_text(disagree, len(part), min_count)} {_plural(stance_phrase(question, 'disagree'))}."
                )
        n_sugg = int(stmts["is_suggestion"].sum())
        out.append(f"{count_text(n_sugg, min_count)} statements suggested a concrete action.")
    if ctx["not_in_plan"]:
        # The topics stage labels clusters that are comments on the draft, or Welsh statements grouped
        # by language, so they are not read as subjects the plan lacks.
        prefixes = ((PLAN_COMMENTS_PREFIX, "comments on the plan itself"),
                    (WELSH_PREFIX, "Welsh-language statements on mixed subjects"))
        subjects = [t["label"] for t in ctx["not_in_plan"] if not str(t["label"]).startswith(tuple(p for p, _ in prefixes))]
        if subjects:
            out.append(f"{len(subjects)} emergent theme{'s are' if len(subjects) > 1 else ' is'} not in the plan: "
                       f"{'; '.join(subjects)}.")
        for prefix, what in prefixes:
            other = [str(t["label"])[len(prefix):] for t in ctx["not_in_plan"] if str(t["label"]).startswith(prefix)]
            if other:
                out.append(f"{len(other)} further group{'s' if len(other) > 1 else ''} of statements "
                           f"{'are' if len(other) > 1 else 'is'} {what}: {'; '.join(other)}.")
    gaps = ctx["coverage"]["gaps"] + ctx["coverage"]["area_gaps"]
    if gaps:
        out.append("Few or no participants were heard from: " + "; ".join(gaps) + ".")
    if inputs.missing:
        out.append(
            f"{len(inputs.missing)} input tables were not available, so parts of this report are empty (see below)."
        )
    return out


# --- rendering ------------------------------------------------------------------------------------


def css() -> str:
    """The report's stylesheet (inline in the HTML), built from :mod:`pipeline.reports.style`."""
    from jinja2 import Environment, PackageLoader  # noqa: PLC0415

    env = Environment(loader=PackageLoader("pipeline.reports", "templates"), autoescape=False)
    return env.get_template("report.css.j2").render(s=style)


def render_html(context: Mapping[str, Any], template: str = "theme_report.html.j2") -> str:
    """Render the context to one self-contained HTML page (inline CSS, embedded PNGs, no JavaScript)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape  # noqa: PLC0415

    env = Environment(
        loader=PackageLoader("pipeline.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template(template).render(ctx=context, css=css(), methods_text=METHODS_TEXT)


def render_docx(context: Mapping[str, Any]) -> bytes:
    """Render the context to a Word document (headings, header rows, charts with alt text)."""
    from docx import Document  # noqa: PLC0415
    from docx.shared import Inches, Pt  # noqa: PLC0415

    doc = Document()
    doc.core_properties.title = context["title"]
    doc.core_properties.language = "en-GB"
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    doc.add_heading(context["title"], level=1)
    doc.add_paragraph(f"Consultation: {context['consultation']}. {context['suppression_note']}")

    doc.add_heading("Summary of headline findings", level=2)
    for line in context["summary"]:
        doc.add_paragraph(line, style="List Bullet")
    if context["missing"]:
        doc.add_heading("What this report could not include", level=2)
        for line in context["missing"]:
            doc.add_paragraph(line, style="List Bullet")

    doc.add_heading("Overview", level=2)
    for chart in context["overview_charts"]:
        _docx_chart(doc, chart, Inches)

    for area in context["areas"]:
        doc.add_heading(f"{area['code']} {area['name']}", level=2)
        doc.add_paragraph(
            f"{area['n_statements']} statements from {area['n_people']} people; "
            f"{area['n_suggestions']} suggestions; share disagreeing: {area['share_disagree']}."
        )
        doc.add_heading("Statements and people by question and stance", level=3)
        _docx_table(doc, area["question_stance"])
        doc.add_heading("Main sub-themes", level=3)
        if area["subthemes"]:
            _docx_table(doc, area["subthemes"])
        else:
            doc.add_paragraph("No sub-themes were coded.")
        doc.add_heading("Emergent themes", level=3)
        if area["topics"]:
            _docx_table(doc, area["topics"])
        else:
            doc.add_paragraph(
                "Emergent themes are not available (the topics stage has not been run)."
                if area["topics_missing"]
                else "No emergent theme is nearest this priority area."
            )
        doc.add_heading("What people said", level=3)
        _docx_quotes(doc, area["quotes"], "No quote could be shown safely for this priority area.")
        doc.add_heading("Suggestions for action", level=3)
        _docx_quotes(doc, area["suggestions"], "No suggestion could be shown safely for this priority area.")
        doc.add_heading("What the equality data says", level=3)
        if area["triangulation"]:
            _docx_table(doc, area["triangulation"])
        else:
            doc.add_paragraph(
                "Triangulation is not available (the triangulate stage has not been run)."
                if area["triangulation_missing"]
                else "No equality measure is linked to this priority area."
            )

    doc.add_heading("Equality data: disproportionality", level=2)
    if context["ratio_chart"]:
        _docx_chart(doc, context["ratio_chart"], Inches)
    else:
        doc.add_paragraph("Equality data are not available (the triangulate stage has not been run).")

    doc.add_heading("Emergent themes not in the plan", level=2)
    if not context["not_in_plan"]:
        doc.add_paragraph(
            "No emergent theme was found outside the plan, or the topics stage has not been run."
        )
    for theme in context["not_in_plan"]:
        doc.add_heading(theme["label"], level=3)
        if theme.get("description"):
            doc.add_paragraph(theme["description"] + (f" ({theme['flags']})" if theme.get("flags") else ""))
        doc.add_paragraph(
            f"Key words: {theme['keywords']}. {theme['size']} statements from {theme['n_organisations']} organisations; "
            f"nearest priority area: {theme['nearest']}."
        )
        _docx_quotes(doc, theme["quotes"], "No quote could be shown safely for this theme.")

    doc.add_heading("Engagement coverage: who was heard and who was not", level=2)
    cov = context["coverage"]
    doc.add_paragraph(_coverage_sentence(cov))
    _docx_table(doc, cov["groups"])
    _docx_table(doc, cov["areas"])
    for t in context["participation"]:
        _docx_table(doc, t)

    doc.add_heading("Methods and limitations", level=2)
    m = context["methods"]
    for line in (*METHODS_TEXT, m["agreement"], m["reviewed"], m["code_sources"], m["inferred"], m["ledger"]):
        doc.add_paragraph(line)
    doc.add_paragraph("Equality data sources: " + ("; ".join(m["edi_sources"]) or "none available") + ".")
    if m["skipped"]:
        _docx_table(doc, m["skipped"])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


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


def _coverage_sentence(cov: Mapping[str, Any]) -> str:
    gaps = cov["gaps"] + cov["area_gaps"]
    if not gaps:
        return f"Every expected group and area was heard from by at least {cov['few']} participants."
    return (
        "Few (fewer than "
        + str(cov["few"])
        + ") or no participants were heard from: "
        + "; ".join(gaps)
        + ". Consider filling these gaps before the plan is finalised."
    )


def _docx_table(doc, view: Mapping[str, Any]) -> None:
    from docx.oxml import OxmlElement  # noqa: PLC0415
    from docx.oxml.ns import qn  # noqa: PLC0415

    doc.add_paragraph(view["caption"], style="Caption")
    table = doc.add_table(rows=1, cols=len(view["columns"]))
    table.style = "Table Grid"
    header = table.rows[0]
    # Mark the first row as a header row that repeats on each page (screen readers announce it).
    tr_pr = header._tr.get_or_add_trPr()
    tbl_header = OxmlElement("w:tblHeader")
    tbl_header.set(qn("w:val"), "true")
    tr_pr.append(tbl_header)
    for cell, label in zip(header.cells, view["columns"], strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(label).bold = True
    for row in view["rows"]:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    if view.get("note"):
        doc.add_paragraph(view["note"])


def _docx_chart(doc, chart: Mapping[str, Any], inches) -> None:
    doc.add_heading(chart["title"], level=3)
    doc.add_picture(io.BytesIO(chart["png"]), width=inches(6.3))
    inline = doc.inline_shapes[-1]._inline
    inline.docPr.set("descr", chart["alt"])
    inline.docPr.set("title", chart["title"])
    doc.add_paragraph(chart["alt"])
    _docx_table(doc, chart["table"])


def _docx_quotes(doc, quotes: Sequence[Mapping[str, str]], empty: str) -> None:
    if not quotes:
        doc.add_paragraph(empty)
    for q in quotes:
        p = doc.add_paragraph(style="Quote")
        p.add_run(f"“{q['text']}”")
        doc.add_paragraph(f"{q['who']}; {q['question']}; {q['stance']}")
