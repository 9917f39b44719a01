"""The theme report laid out once, as a :class:`pipeline.reports.document.Document` (HTML and Word draw it).

Main body, read in one sitting: the summary; the overview charts; each priority area on its own page
(plain sentences from the tables, its chart, quotes, suggestions); the equality data; emergent themes
not in the plan; who was heard; methods. Then **Appendix A** with every full table (the same tables,
one sheet each, are in the annex workbook) and the **notes** listing each source in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.reports.document import Bullets, Chart, Document, Notes, Paragraph, Quote, Quotes, Section, slug
from pipeline.reports.theme_areas import merge_interval
from pipeline.reports.theme_report import view

__all__ = ["APPENDIX_TITLE", "document"]

#: The English title of the appendix (the page-count test finds where the main body ends by it).
APPENDIX_TITLE = "Appendix A: full tables"
ANNEX_NAME = "theme_report_annex.xlsx"


def document(ctx: Mapping[str, Any]) -> Document:
    """The whole theme report, main body then appendix, in the context's language."""
    tr = ctx["tr"]
    doc = Document(
        title=ctx["title"], language=ctx["language"],
        meta=tr("Consultation: {c}. Built from the processed tables of the pipeline.").format(c=ctx["consultation"])
        + " " + ctx["suppression_note"],
        skip_link=tr("Skip to main content"), contents_label=tr("Contents"),
        chart_note=tr("The data table in the appendix gives every value shown in this chart."),
        data_label=tr("Data behind this chart"),
    )
    notes: Notes = ctx.get("notes") or Notes()
    doc.sections += _front(ctx)
    doc.sections += area_sections(ctx)
    doc.sections += _rest(ctx, notes)
    doc.sections += _appendix(ctx, notes)
    doc.sections.append(Section(tr("Notes: sources"), "notes", blocks=[
        Paragraph(tr("Sources are named in short in the tables; here in full, by number.")),
        Bullets(tuple(notes.items()) or (tr("none available"),))]))
    return doc


def _quotes(items, empty: str) -> Quotes:
    return Quotes(tuple(Quote(q["text"], q["who"]) for q in items), empty)


def _front(ctx: Mapping[str, Any]) -> list[Section]:
    tr = ctx["tr"]
    summary = Section(tr("Summary of headline findings"), "summary", new_page=False, blocks=[
        Bullets(tuple(ctx["summary"]), "summary"),
        Paragraph(tr("Each priority area follows on its own page. The full tables are in {appendix} at the end, and "
                     "in the annex workbook {annex}, one sheet per table.").format(
            appendix=tr(APPENDIX_TITLE), annex=ANNEX_NAME), "note")])
    out = [summary]
    if ctx["missing"]:
        out.append(Section(tr("What this report could not include"), "missing", new_page=False,
                           blocks=[Bullets(tuple(ctx["missing"]), "notice")]))
    overview = Section(tr("Overview charts"), "overview")
    if not ctx["overview_charts"]:
        overview.add(Paragraph(tr("No coded statements are available, so there are no charts of what people said."),
                               "notice"))
    for chart in ctx["overview_charts"]:
        overview.add(Chart(chart.title, chart.alt, chart.png, None, width_cm=15.0))
    out.append(overview)
    return out


def _area(ctx: Mapping[str, Any], area: Mapping[str, Any]) -> Section:
    tr = ctx["tr"]
    sec = Section(f"{area['code']} {area['name']}", area["anchor"])
    sec.add(*[Paragraph(s, "lead") for s in area["sentences"]])
    if area["triangulation_missing"]:
        sec.add(Paragraph(tr("Triangulation is not available (the triangulate stage has not been run)."), "notice"))
    sec.add(Chart(area["chart"].title, area["chart"].alt, area["chart"].png, None, width_cm=13.0))
    sec.add(Paragraph(tr("Full tables for this priority area: {appendix}, {code}.").format(
        appendix=tr(APPENDIX_TITLE), code=area["code"]), "note"))
    said = Section(tr("What people said"), f"{area['anchor']}-said", level=3, new_page=False)
    said.add(_quotes(area["quotes"], tr("No quote could be shown safely for this priority area.")))
    sugg = Section(tr("Suggestions for action"), f"{area['anchor']}-suggestions", level=3, new_page=False)
    sugg.add(_quotes(area["suggestions"], tr("No suggestion could be shown safely for this priority area.")))
    sec.blocks.append(_Nested((said, sugg)))
    return sec


class _Nested(tuple):
    """Sub-sections inside a section (flattened by :func:`_flatten`)."""


def _rest(ctx: Mapping[str, Any], notes: Notes) -> list[Section]:
    tr = ctx["tr"]
    eq = Section(tr("Equality data: disproportionality"), "equality-data")
    if ctx["ratio_chart"] is not None:
        eq.add(Paragraph(tr("How many times as often one group meets a measure as the comparison group (1 means no "
                            "difference). The chart shows the largest reliable ratios; every ratio is in the appendix."
                            )), Chart(ctx["ratio_chart"].title, ctx["ratio_chart"].alt, ctx["ratio_chart"].png, None))
    else:
        eq.add(Paragraph(tr("Equality data are not available (the triangulate stage has not been run)."), "notice"))
    themes = Section(tr("Emergent themes not in the plan"), "not-in-plan")
    if not ctx["not_in_plan"]:
        themes.add(Paragraph(tr("No emergent theme was found outside the plan, or the topics stage has not been run.")))
    subs = []
    for i, t in enumerate(ctx["not_in_plan"]):
        sub = Section(t["label"], f"theme-{i + 1}-{slug(t['label'])[:40]}", level=3, new_page=False)
        if t["description"]:
            sub.add(Paragraph(t["description"] + (f" ({t['flags']})" if t["flags"] else "")))
        sub.add(Paragraph(t["facts"], "meta"), _quotes(t["quotes"], tr("No quote could be shown safely for this theme.")))
        subs.append(sub)
    themes.blocks.append(_Nested(subs))
    cov = ctx["coverage"]
    coverage = Section(tr("Engagement coverage: who was heard and who was not"), "coverage",
                       blocks=[Paragraph(cov["sentence"]), cov["groups"], cov["areas"],
                               *cov.get("tracker", [])])  # the returns tracker (issue 16)
    m = ctx["methods"]
    for s in m["edi_sources"]:
        notes.cite(s)
    methods = Section(tr("Methods and limitations"), "methods", blocks=[
        *[Paragraph(p) for p in ctx["methods_text"]],
        Bullets((m["agreement"], m["reviewed"], m["code_sources"], m["inferred"], m["ledger"],
                 tr("Equality data sources: {n}, listed in full in the notes at the end.").format(
                     n=len(m["edi_sources"])) if m["edi_sources"] else tr("Equality data sources: none available.")))])
    return _flatten([eq, themes, coverage, methods])


def _appendix(ctx: Mapping[str, Any], notes: Notes) -> list[Section]:
    tr = ctx["tr"]
    head = Section(tr(APPENDIX_TITLE), "appendix-a", blocks=[Paragraph(
        tr("Every table behind the report. The annex workbook {annex} holds the same tables, one sheet each, with "
           "filters on.").format(annex=ANNEX_NAME))])
    charts = Section(tr("Data behind the charts"), "appendix-charts", level=3, new_page=False,
                     blocks=[c.table for c in ctx["overview_charts"] if c.table is not None])
    ratios = ctx.get("ratio_table")
    if ratios is not None and len(ratios):
        data = ratios.assign(measure=[tr(str(m).replace("_", " ")) for m in ratios["measure"]])
        shown = merge_interval(data.assign(source=[notes.cite(s) for s in ratios["source"]]), tr)
        charts.add(view(shown, tr("Disproportionality ratios behind the chart"), tr, sheet="disproportionality",
                        data=data))
    out = [head, charts]
    for a in ctx["areas"]:
        sec = Section(f"{a['code']} {a['name']}", f"appendix-{a['anchor']}", level=3, new_page=False,
                      blocks=list(a["tables"]))
        if not any(t.sheet.endswith("_themes") for t in a["tables"]):
            sec.add(Paragraph(tr("Emergent themes are not available (the topics stage has not been run).")
                              if a["topics_missing"] else tr("No emergent theme is nearest this priority area.")))
        out.append(sec)
    part = Section(tr("Participation"), "participation", level=3, new_page=False, blocks=list(ctx["participation"]))
    if not ctx["participation"]:
        part.add(Paragraph(tr("The list of returns is not available (the ingest stage has not been run)."), "notice"))
    out.append(part)
    if ctx["methods"]["skipped"] is not None:
        out.append(Section(tr("Statements not quoted, and why"), "not-quoted", level=3, new_page=False,
                           blocks=[ctx["methods"]["skipped"]]))
    for sec in out:
        sec.landscape = True  # the appendix's wide tables flow on landscape pages without turning back
    return out


def _flatten(sections: list[Section]) -> list[Section]:
    """Sections with their nested sub-sections placed after them, in reading order."""
    out = []
    for sec in sections:
        nested = [b for b in sec.blocks if isinstance(b, _Nested)]
        sec.blocks = [b for b in sec.blocks if not isinstance(b, _Nested)]
        out.append(sec)
        for group in nested:
            out.extend(group)
    return out


def area_sections(ctx: Mapping[str, Any]) -> list[Section]:
    """The priority areas' sections with their sub-sections (for callers building part of the report)."""
    return _flatten([_area(ctx, a) for a in ctx["areas"]])

