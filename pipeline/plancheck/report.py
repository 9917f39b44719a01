"""The "You said, the plan says" report of a plan check, laid out once and drawn as HTML and as Word.

:func:`report_context` (pure) turns plan-check's tables into what the report shows, applying
:mod:`pipeline.disclosure`: counts below ``min_count`` are written "fewer than N" and no quote is shown
for a theme or action fewer than ``min_count`` people are behind. :func:`document` lays it out as a
:class:`pipeline.reports.document.Document` (fixed text from the message catalogue, :mod:`pipeline.i18n`,
in English or Welsh: ``REPORT_LANG=cy``); :func:`render_html` and :func:`render_docx` draw it with the
reports' two renderers (accessible HTML; Word laid out for A4 with content-fitted columns, wide tables
on landscape pages, header rows that repeat and rows that do not split). The runner
(:mod:`pipeline.plancheck.stage`) writes the files to ``reports/<consultation>/plan_check/``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline import disclosure as D
from pipeline.i18n import Translator, translator
from pipeline.reports.document import Bullets, Document, Paragraph, Section, table
from pipeline.settings import lookup

__all__ = ["document", "people_text", "render_docx", "render_html", "report_context"]

KIND_LABEL = {"priority_area": "priority area", "subtheme": "sub-theme", "emergent": "emergent theme",
              "plan_comments": "comments on the plan"}


def people_text(n_participants, n_organisations, min_count: int, tr: Translator | None = None) -> str:
    """'12 people, 3 organisations', or 'fewer than 5 people' below the disclosure threshold."""
    return D.people_text(n_participants, n_organisations, min_count, tr)


def _quotes(value: Any) -> list[str]:
    return [q for q in str(value or "").split(" || ") if q.strip()]


def _pct(value: Any, tr: Translator) -> str:
    return tr("not shown") if value is None or pd.isna(value) else f"{round(100 * float(value))}%"


def _enough(n: Any, min_count: int) -> bool:
    return n is not None and not pd.isna(n) and int(n) >= min_count


def _theme_item(row: dict, min_count: int, tr: Translator, meaning: dict[str, str]) -> dict[str, Any]:
    n_people = row.get("n_participants")
    item = {
        "theme": row["theme"], "kind": tr(KIND_LABEL.get(row["kind"], row["kind"])), "status": row["status"],
        "status_text": tr(row["status"]),
        "people": people_text(n_people, row.get("n_organisations"), min_count, tr),
        "disagree": _pct(row.get("share_disagree"), tr), "closest": row.get("closest_action", "") or "",
        "actions": row.get("actions", "") or "", "evidence": row.get("evidence", "") or "",
        "quotes": _quotes(row.get("quotes")) if _enough(n_people, min_count) else [], "no_quote": "",
        "meaning": meaning.get(row["status"], ""),
        "missing": str(row.get("missing_part") or "") if row["status"] != "not addressed" else "",
        "description": str(row.get("description") or ""),
    }
    if item["missing"] and not _enough(n_people, min_count):
        item["missing"] = item["missing"].split(" (e.g.")[0]  # no quote from a small group
    if not item["quotes"] and not _enough(n_people, min_count):
        item["no_quote"] = tr("No quote: fewer than {n} people raised it.").format(n=min_count)
    if row["status"] == "partly addressed" and row.get("actions"):
        item["closest"] = row["actions"]
    return item


def _action_item(row: dict, min_count: int, tr: Translator) -> dict[str, Any]:
    if row["evidence_status"] == "no consultation evidence found":
        ev = tr("No consultation evidence found.")
    else:
        n_st = row.get("n_statements")
        st = D.count_text(n_st, min_count, tr, sentence=True) if n_st is not None and not pd.isna(n_st) else \
            tr("fewer than {n}").format(n=min_count)
        ev = tr("{n} statements from {people}").format(
            n=st, people=people_text(row.get("n_participants"), row.get("n_organisations"), min_count, tr))
        if row.get("cohorts"):
            ev += " " + tr("(cohorts: {cohorts})").format(cohorts=row["cohorts"].replace("; ", ", "))
    return {"ref": row["ref"], "text": row["text"], "areas": (row.get("area_codes") or tr("none")).replace(";", ", "),
            "evidence": ev, "themes": row.get("themes") or tr("none"),
            "quotes": _quotes(row.get("quotes")) if _enough(row.get("n_participants"), min_count) else []}


def report_context(
    coverage: pd.DataFrame,
    evidence: pd.DataFrame,
    summary: dict[str, Any],
    params: dict[str, Any],
    plan_name: str,
    consultation: str,
    min_count: int | None = None,
    comparison: pd.DataFrame | None = None,
    previous_name: str | None = None,
    title: str = "You said, the plan says",
    language: str | None = None,
) -> dict[str, Any]:
    """Everything the report shows, disclosure rules applied (quotes only behind >= ``min_count`` people).

    Args:
        coverage: ``theme_coverage`` (counts may already be blanked below ``min_count``).
        evidence: ``action_evidence``.
        summary: :class:`pipeline.plancheck.match.PlanCheck` summary.
        params: The matching settings used (shown in the method section).
        plan_name, previous_name: File names of the drafts.
        consultation: Consultation name.
        min_count: ``disclosure.min_count`` (default: ``config/settings.yaml``'s).
        comparison: ``comparison`` table, or ``None``.
        title: Report title (English; translated).
        language: ``en`` or ``cy`` (default ``$REPORT_LANG``, else English).
    """
    from pipeline.plancheck.match import STATUS_MEANING

    tr = translator(language)
    min_count = D.min_count() if min_count is None else min_count
    meaning = {k: tr(v) for k, v in STATUS_MEANING.items()}
    gaps, addressed, aside = [], [], []
    for row in coverage.to_dict("records"):
        item = _theme_item(row, min_count, tr, meaning)
        {"read apart": aside, "addressed": addressed}.get(row["status"], gaps).append(item)
    sections: dict[str, list[dict]] = {}
    for row in evidence.to_dict("records"):
        sections.setdefault(row["section"] or tr("(no heading)"), []).append(_action_item(row, min_count, tr))
    comp, n_closed, n_opened = None, 0, 0
    if comparison is not None and len(comparison):
        comp = comparison.loc[comparison["change"] != "unchanged"].to_dict("records")
        n_closed = int((comparison["change"] == "gap closed").sum())
        n_opened = int((comparison["change"] == "gap opened").sum())
    return {
        "tr": tr, "title": f"{tr(title)}: {plan_name}", "plan_name": plan_name, "previous_name": previous_name,
        "consultation": consultation, "min_count": min_count, "summary": summary, "params": params,
        "gaps": gaps, "addressed": addressed, "aside": aside, "meanings": meaning,
        "action_sections": [{"name": k, "actions": v} for k, v in sections.items()],
        "comparison": comp, "n_closed": n_closed, "n_opened": n_opened,
    }


def _lines(value: str, max_chars: int = 70) -> str:
    """A " | "-joined list as one short line each (long items cut at a word, with an ellipsis)."""
    out = []
    for item in str(value or "").split(" | "):
        item = item.strip()
        if len(item) > max_chars:
            item = item[: max_chars - 1].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
        if item:
            out.append(item)
    return "\n".join(out)


def _said(quotes: list[str], fallback: str = "") -> str:
    return "\n".join(f"\u201c{q}\u201d" for q in quotes) or fallback


def _front(ctx: dict[str, Any]) -> list[Section]:
    tr, s = ctx["tr"], ctx["summary"]
    counts = s["status_counts"]
    intro = Section(tr("Summary"), "summary", new_page=False, blocks=[
        Paragraph(tr("This is a first pass made by the analysis pipeline to prepare the test and challenge roundtable. "
                     "It finds plan actions worded like what people said; it cannot judge whether an action is good "
                     "enough. Read the evidence before relying on a status."), "notice"),
        Paragraph(tr("The draft has {n} action(s). Of the {themes} theme(s) raised in the consultation, {a} are "
                     "addressed, {p} partly addressed and {na} not addressed. {none} action(s) have no consultation "
                     "evidence behind them.").format(
            n=s["n_actions"], themes=s["n_themes"], a=counts.get("addressed", 0), p=counts.get("partly addressed", 0),
            na=counts.get("not addressed", 0), none=s["n_actions_without_evidence"]))])
    if ctx["gaps"]:
        intro.add(Paragraph(tr("Themes the draft does not address, most important first:")), Bullets(tuple(
            f"{g['theme']} ({g['status_text']}; {g['people']})"
            + (f": \u201c{g['quotes'][0]}\u201d" if g["quotes"] else "") for g in ctx["gaps"][:5])))
    gaps = Section(tr("You said, the plan does not (yet) say"), "gaps", landscape=True, blocks=[
        Paragraph(tr("What each status means:") + " " + "; ".join(
            f"{tr(k)}: {v}" for k, v in ctx["meanings"].items() if k != "read apart") + "."),
        Paragraph(tr("Themes that many people, organisations and cohorts raised, or raised with strong disagreement, "
                     "come first. Numbers below {n} are not shown, and quotes are only given for themes at least {n} "
                     "people raised.").format(n=ctx["min_count"]), "note")])
    if ctx["gaps"]:
        gaps.add(table(tr("Themes not addressed or partly addressed by {plan}").format(plan=ctx["plan_name"]),
                       [tr(c) for c in ("Theme", "Status", "Who raised it", "Disagreeing",
                                        "Closest the plan comes", "What is missing", "What people said")],
                       [[f"{g['theme']} ({g['kind']})", g["status_text"], g["people"], g["disagree"],
                         _lines(g["closest"]), g["missing"], _said(g["quotes"][:1], g["no_quote"])]
                        for g in ctx["gaps"]], sheet="gaps"))
    else:
        gaps.add(Paragraph(tr("Every theme has at least one matching action.")))
    return [intro, gaps]


def _middle(ctx: dict[str, Any]) -> list[Section]:
    tr = ctx["tr"]
    out = [Section(tr("You said, the plan says"), "addressed", landscape=True, new_page=False, blocks=[
        table(tr("Themes addressed by {plan} and the actions that address them").format(plan=ctx["plan_name"]),
              [tr(c) for c in ("Theme", "Who raised it", "Actions", "Why they match", "Not answered")],
              [[f"{a['theme']} ({a['kind']})", a["people"], _lines(a["actions"], 60), _lines(a["evidence"], 90),
                a["missing"]] for a in ctx["addressed"]], sheet="addressed")])]
    if ctx["aside"]:
        out.append(Section(tr("Comments on the plan itself"), "aside", landscape=True, new_page=False, blocks=[
            Paragraph(tr("What people said about the draft rather than about a subject: for the author to answer, "
                         "not a gap an action closes.")),
            table(tr("Comments on the plan itself"), [tr("Theme"), tr("Who raised it"), tr("What people said")],
                  [[a["theme"], a["people"], _said(a["quotes"], a["no_quote"])] for a in ctx["aside"]],
                  sheet="comments")]))
    actions = Section(tr("The plan says: the evidence behind each action"), "actions", landscape=True, new_page=False)
    actions.add(table(tr("Each action of {plan} and the consultation evidence behind it").format(plan=ctx["plan_name"]),
                      [tr(c) for c in ("Action", "Section", "Text", "Evidence", "Themes it answers", "What people said")],
                      [[a["ref"], sec["name"], a["text"], a["evidence"], _lines(a["themes"].replace("; ", " | "), 60),
                        _said(a["quotes"][:1])] for sec in ctx["action_sections"] for a in sec["actions"]],
                      sheet="actions"))
    out.append(actions)
    return out


def _param(params: dict[str, Any], key: str) -> Any:
    """A plan-check setting of the run (``plancheck.yaml``; a key the run's params lack: the default folder's)."""
    return lookup(params, key, "plancheck.yaml")


def _end(ctx: dict[str, Any]) -> list[Section]:
    tr, p, prev = ctx["tr"], ctx["params"], ctx["previous_name"]
    out = []
    if ctx["comparison"]:
        out.append(Section(tr("Changes since {previous}").format(previous=prev), "changes", new_page=False,
                           landscape=True, blocks=[
            Paragraph(tr("{closed} gap(s) closed and {opened} opened.").format(closed=ctx["n_closed"],
                                                                               opened=ctx["n_opened"])),
            table(tr("Themes whose status changed between {previous} and {plan}").format(previous=prev,
                                                                                      plan=ctx["plan_name"]),
                  [tr("Theme"), tr("Change"), tr("In {draft}").format(draft=prev),
                   tr("In {draft}").format(draft=ctx["plan_name"]), tr("Actions now")],
                  [[c["theme"], tr(c["change"]), tr(c["status_previous"]), tr(c["status_current"]),
                    c["actions_current"]] for c in ctx["comparison"]], sheet="changes")]))
    out.append(Section(tr("How this check was made"), "method", new_page=False, landscape=True, blocks=[Paragraph(tr(
        "An emergent theme is judged by its statements, not its name: an action addresses it when it is close in "
        "meaning to what people said (similarity at least {emergent} to the centre of its statements) and speaks to "
        "some of the statements themselves, shares a key word, or sits in the priority area that codes the theme (the "
        "draft's actions are coded by the same coder as the statements).").format(
        emergent=_param(p, "emergent_addressed_similarity"))), Paragraph(tr(
        "Each priority area is compared with each action of the draft. An action addresses it when their meaning is "
        "close (similarity at least {addressed}), or fairly close (at least {term}) and they share a key word or the "
        "action sits in the theme's priority area; it partly addresses it when the similarity is at least {partly} or "
        "they share key words. Counts below {n} are not shown and no quote is given for fewer than {n} people. The "
        "similarity model reads English: Welsh statements should be checked by a Welsh speaker.").format(
        addressed=_param(p, "addressed_similarity"), term=_param(p, "term_similarity"),
        partly=_param(p, "partly_similarity"),
        n=ctx["min_count"]))]))
    return out


def document(ctx: dict[str, Any]) -> Document:
    """The report as one :class:`pipeline.reports.document.Document`."""
    tr, prev = ctx["tr"], ctx["previous_name"]
    meta = tr("Draft checked: {plan}.").format(plan=ctx["plan_name"])
    if prev:
        meta += " " + tr("Compared with the previous draft {previous}.").format(previous=prev)
    meta += " " + tr("Consultation: {c}.").format(c=ctx["consultation"])
    doc = Document(ctx["title"], tr.bcp47, meta, skip_link=tr("Skip to main content"), contents_label=tr("Contents"))
    doc.sections = [*_front(ctx), *_middle(ctx), *_end(ctx)]
    return doc


def render_html(context: dict[str, Any]) -> str:
    """The report as one self-contained HTML page (inline CSS, no scripts, no external files)."""
    from pipeline.reports import render_html as html  # noqa: PLC0415

    return html.render(document(context))


def render_docx(context: dict[str, Any]) -> bytes:
    """The report as a Word document laid out for A4 (headings, fitted columns, repeating header rows)."""
    from pipeline.reports import render_docx as word  # noqa: PLC0415

    return word.render(document(context))
