"""The "You said, the plan says" report of a plan check, as self-contained HTML and as Word (.docx).

:func:`report_context` (pure) turns plan-check's tables into what the report shows, applying the
disclosure rule: counts below ``min_count`` are written "fewer than N" and no quote is shown for a
theme or action fewer than ``min_count`` people are behind. :func:`render_html` fills this package's
own jinja2 template (no JavaScript, ``lang``, headings in order, tables with a caption and ``th scope``,
dark text on white); :func:`render_docx` writes the same content with Word heading styles and
tables whose first row repeats as a header. The runner (:mod:`pipeline.plancheck.cli`) writes the
files to ``reports/<consultation>/plan_check/``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd

TEMPLATE_DIR = Path(__file__).parent / "templates"
KIND_LABEL = {"priority_area": "priority area", "subtheme": "sub-theme", "emergent": "emergent theme",
              "plan_comments": "comments on the plan"}


def people_text(n_participants, n_organisations, min_count: int) -> str:
    """'12 people, 3 organisations', or 'fewer than 5 people' below the disclosure threshold."""
    if n_participants is None or pd.isna(n_participants) or int(n_participants) < min_count:
        who = f"fewer than {min_count} people"
    else:
        who = f"{int(n_participants)} people"
    n_org = 0 if n_organisations is None or pd.isna(n_organisations) else int(n_organisations)
    return f"{who}, {n_org} organisation{'s' if n_org != 1 else ''}" if n_org else who


def _quotes(value: Any) -> list[str]:
    return [q for q in str(value or "").split(" || ") if q.strip()]


def _pct(value: Any) -> str:
    return "not shown" if value is None or pd.isna(value) else f"{round(100 * float(value))}%"


def report_context(
    coverage: pd.DataFrame,
    evidence: pd.DataFrame,
    summary: dict[str, Any],
    params: dict[str, Any],
    plan_name: str,
    consultation: str,
    min_count: int = 5,
    comparison: pd.DataFrame | None = None,
    previous_name: str | None = None,
    title: str = "You said, the plan says",
) -> dict[str, Any]:
    """Everything the report shows, disclosure rules applied (quotes only behind >= ``min_count`` people).

    Args:
        coverage: ``theme_coverage`` (counts may already be blanked below ``min_count``).
        evidence: ``action_evidence``.
        summary: :class:`pipeline.plancheck.match.PlanCheck` summary.
        params: The matching settings used (shown in the method section).
        plan_name, previous_name: File names of the drafts.
        consultation: Consultation name.
        min_count: ``disclosure.min_count``.
        comparison: ``comparison`` table, or ``None``.
        title: Report title.
    """
    def safe_quotes(row) -> list[str]:
        n = row.get("n_participants")
        return _quotes(row.get("quotes")) if n is not None and not pd.isna(n) and int(n) >= min_count else []

    from pipeline.plancheck.match import STATUS_MEANING

    gaps, addressed, aside = [], [], []
    for row in coverage.to_dict("records"):
        item = {
            "theme": row["theme"], "kind": KIND_LABEL.get(row["kind"], row["kind"]), "status": row["status"],
            "people": people_text(row.get("n_participants"), row.get("n_organisations"), min_count),
            "disagree": _pct(row.get("share_disagree")), "closest": row.get("closest_action", ""),
            "actions": row.get("actions", ""), "evidence": row.get("evidence", ""), "quotes": safe_quotes(row),
            "no_quote": "", "meaning": STATUS_MEANING.get(row["status"], ""),
            "missing": str(row.get("missing_part") or "") if row["status"] != "not addressed" else "",
            "description": str(row.get("description") or ""),
        }
        n_people = row.get("n_participants")
        if item["missing"] and (n_people is None or pd.isna(n_people) or int(n_people) < min_count):
            item["missing"] = item["missing"].split(" (e.g.")[0]  # no quote from a small group
        if not item["quotes"]:
            n = row.get("n_participants")
            small = n is None or pd.isna(n) or int(n) < min_count
            item["no_quote"] = f"No quote: fewer than {min_count} people raised it." if small else ""
        if row["status"] == "read apart":
            aside.append(item)
        elif row["status"] == "addressed":
            addressed.append(item)
        else:
            if row["status"] == "partly addressed" and row.get("actions"):
                item["closest"] = row["actions"]
            gaps.append(item)
    sections: dict[str, list[dict]] = {}
    for row in evidence.to_dict("records"):
        if row["evidence_status"] == "no consultation evidence found":
            ev = "No consultation evidence found."
        else:
            n_st = row.get("n_statements")
            st = f"fewer than {min_count}" if n_st is None or pd.isna(n_st) or int(n_st) < min_count else str(int(n_st))
            ev = f"{st} statements from {people_text(row.get('n_participants'), row.get('n_organisations'), min_count)}"
            if row.get("cohorts"):
                ev += f" (cohorts: {row['cohorts'].replace('; ', ', ')})"
        sections.setdefault(row["section"] or "(no heading)", []).append({
            "ref": row["ref"], "text": row["text"], "areas": (row.get("area_codes") or "none").replace(";", ", "),
            "evidence": ev, "themes": row.get("themes") or "none", "quotes": safe_quotes(row),
        })
    comp = None
    n_closed = n_opened = 0
    if comparison is not None and len(comparison):
        changed = comparison.loc[comparison["change"] != "unchanged"]
        comp = changed.to_dict("records")
        n_closed = int((comparison["change"] == "gap closed").sum())
        n_opened = int((comparison["change"] == "gap opened").sum())
    return {
        "title": f"{title}: {plan_name}", "plan_name": plan_name, "previous_name": previous_name,
        "consultation": consultation, "min_count": min_count, "summary": summary, "params": params,
        "gaps": gaps, "addressed": addressed, "aside": aside, "meanings": STATUS_MEANING,
        "action_sections": [{"name": k, "actions": v} for k, v in sections.items()],
        "comparison": comp, "n_closed": n_closed, "n_opened": n_opened,
    }


def render_html(context: dict[str, Any]) -> str:
    """The report as one self-contained HTML page (inline CSS, no scripts, no external files)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    return env.get_template("you_said_plan_says.html.j2").render(**context)


def render_docx(context: dict[str, Any]) -> bytes:
    """The report as a Word document (heading styles in order, tables with a repeating header row)."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document()
    doc.core_properties.title = context["title"]
    doc.core_properties.language = "en-GB"
    doc.add_heading(context["title"], level=0)
    prev = context["previous_name"]
    doc.add_paragraph(f"Draft checked: {context['plan_name']}" + (f", compared with {prev}" if prev else "")
                      + f". Consultation: {context['consultation']}.")
    doc.add_paragraph("This is a first pass made by the analysis pipeline to prepare the test and challenge roundtable. "
                      "It finds plan actions worded like what people said; it cannot judge whether an action is good "
                      "enough. Read the evidence before relying on a status.")

    def table(caption: str, header: list[str], rows: list[list[str]]) -> None:
        doc.add_paragraph(caption, style="Caption")
        t = doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, header, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        tr_pr = t.rows[0]._tr.get_or_add_trPr()
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        tr_pr.append(flag)
        for r in rows:
            cells = t.add_row().cells
            for cell, text in zip(cells, r, strict=True):
                cell.text = str(text)

    s = context["summary"]
    doc.add_heading("Summary", level=1)
    doc.add_paragraph(
        f"The draft has {s['n_actions']} action(s). Of the {s['n_themes']} theme(s) raised in the consultation, "
        f"{s['status_counts']['addressed']} are addressed, {s['status_counts']['partly addressed']} partly addressed and "
        f"{s['status_counts']['not addressed']} not addressed. {s['n_actions_without_evidence']} action(s) have no "
        "consultation evidence behind them.")
    doc.add_heading("You said, the plan does not (yet) say", level=1)
    if context["gaps"]:
        doc.add_paragraph("; ".join(f"{k}: {v}" for k, v in context["meanings"].items() if k != "read apart") + ".")
        table(f"Themes not addressed or partly addressed by {context['plan_name']}, most important first",
              ["Theme", "Status", "Who raised it", "Disagreeing", "Closest the plan comes", "What is missing",
               "What people said"],
              [[g["theme"], g["status"], g["people"], g["disagree"], g["closest"], g["missing"],
                "\n".join(f"\u201c{q}\u201d" for q in g["quotes"]) or g["no_quote"]] for g in context["gaps"]])
    else:
        doc.add_paragraph("Every theme has at least one matching action.")
    doc.add_heading("You said, the plan says", level=1)
    table(f"Themes addressed by {context['plan_name']} and the actions that address them",
          ["Theme", "Kind", "Who raised it", "Actions", "Why they match", "Not answered"],
          [[a["theme"], a["kind"], a["people"], a["actions"], a["evidence"], a["missing"]] for a in context["addressed"]])
    if context["aside"]:
        doc.add_heading("Comments on the plan itself", level=1)
        doc.add_paragraph("What people said about the draft rather than about a subject: for the author to answer, "
                          "not a gap an action closes.")
        table("Comments on the plan itself",
              ["Theme", "Who raised it", "What people said"],
              [[a["theme"], a["people"], "\n".join(f"\u201c{q}\u201d" for q in a["quotes"]) or a["no_quote"]]
               for a in context["aside"]])
    doc.add_heading("The plan says: the evidence behind each action", level=1)
    for sec in context["action_sections"]:
        doc.add_heading(sec["name"], level=2)
        table(f"Actions under \u201c{sec['name']}\u201d and the consultation evidence behind them",
              ["Action", "Text", "Priority areas", "Evidence", "Themes it answers", "What people said"],
              [[a["ref"], a["text"], a["areas"], a["evidence"], a["themes"], "\n".join(f"\u201c{q}\u201d" for q in a["quotes"])]
               for a in sec["actions"]])
    if context["comparison"]:
        doc.add_heading(f"Changes since {prev}", level=1)
        doc.add_paragraph(f"{context['n_closed']} gap(s) closed and {context['n_opened']} opened.")
        table(f"Themes whose status changed between {prev} and {context['plan_name']}",
              ["Theme", "Change", f"In {prev}", f"In {context['plan_name']}", "Actions now"],
              [[c["theme"], c["change"], c["status_previous"], c["status_current"], c["actions_current"]]
               for c in context["comparison"]])
    p = context["params"]
    doc.add_heading("How this check was made", level=1)
    doc.add_paragraph(
        "An emergent theme is judged by its statements, not its name: an action addresses it when it is close in "
        f"meaning to what people said (similarity at least {p.get('emergent_addressed_similarity', 0.5)} to the "
        "centre of its statements) and speaks to some of the statements themselves, shares a key word, or sits in the "
        "priority area that codes the theme (the draft's actions are coded by the same coder as the statements). "
        "Each priority area is compared with each action of the draft. An action addresses it when their meaning is "
        f"close (similarity at least {p['addressed_similarity']}), or fairly close (at least {p['term_similarity']}) "
        "and they share a key word or the action sits in the theme's priority area; it partly addresses it when the "
        f"similarity is at least {p['partly_similarity']} or they share key words. Counts below "
        f"{context['min_count']} are not shown and no quote is given for fewer than {context['min_count']} people. "
        "The similarity model reads English: Welsh statements should be checked by a Welsh speaker.")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
