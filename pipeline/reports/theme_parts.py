"""The parts of the theme report's context, one function per part (called by ``theme_report.build_context``).

Each function reads the processed tables held in the context, computes its figures with
:mod:`pipeline.reports.tables`, applies :mod:`pipeline.disclosure` and writes plain values (text in
the document's language, :class:`pipeline.reports.document.Table` views, charts) back into the
context. Raw figures go to ``ctx["figures"]`` for the tests and the annex.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline import disclosure as D
from pipeline.i18n import Translator
from pipeline.reports import charts, style
from pipeline.reports import tables as T
from pipeline.reports.document import Chart
from pipeline.reports.inputs import ReportInputs
from pipeline.reports.theme_report import (
    METHODS_TEXT,
    missing_messages,
    plural_phrase,
    stance_phrase,
    theme_label,
    view,
)
from pipeline.settings import lookup
from pipeline.topics.schema import PLAN_COMMENTS_PREFIX, WELSH_PREFIX


def start(inputs: ReportInputs, settings, vocabularies, min_count: int, consultation: str,
          tr: Translator) -> dict[str, Any]:
    """The context's common values: translator, names, quote rules, the tables read."""
    book, subthemes = _codebook_names(inputs.code_names)
    cohort_labels = {k: tr.name(v or {}, "label") or k for k, v in vocabularies.get("cohorts", {}).items()}
    cohort_labels.setdefault("unknown", tr("Cohort not known"))
    statements = inputs.get("statements")
    have = statements is not None and len(statements) > 0
    return {
        "tr": tr, "language": tr.bcp47, "inputs": inputs, "settings": settings,
        "title": tr(lookup(settings, "title", "report.yaml")), "consultation": consultation,
        "min_count": min_count, "suppression_note": D.suppression_note(min_count, tr),
        "missing": missing_messages(inputs, tr), "figures": {}, "cohort_labels": cohort_labels,
        "names": {c: tr.name({"name": n, "name_cy": book.get(c, "")}) for c, n in inputs.code_names.items()},
        "subtheme_names": {k: tr.name(v) for k, v in subthemes.items()},
        "patterns": D.load_patterns(settings),
        "quote_kw": {"min_chars": int(lookup(settings, "quotes.min_chars", "report.yaml")),
                     "max_chars": int(lookup(settings, "quotes.max_chars", "report.yaml")),
                     "speakers": tuple(lookup(settings, "quotes.speakers", "report.yaml"))},
        "coded": T.coded_statements(statements, inputs.get("codes")) if have else None,
        "groups": D.group_sizes(statements, inputs.get("returns"), min_count) if have else None,
        "skipped": [],
    }


def _codebook_names(names: Mapping[str, str]) -> tuple[dict[str, str], dict[str, dict]]:
    """Welsh names of the priority areas (``name_cy`` in ``config/codebook.yaml``) and the sub-themes' names.

    Returns:
        ``(code id -> Welsh name, sub-theme id -> {"name", "name_cy"})``; empty when the codebook is unreadable.
    """
    from pipeline import config  # noqa: PLC0415

    try:
        raw = config.load_yaml("codebook.yaml")
    except Exception:  # noqa: BLE001 - no Welsh names: the English ones are used
        return {}, {}
    codes = raw.get("codes", [])
    items = list(codes.items() if isinstance(codes, dict) else ((c.get("id"), c) for c in codes if isinstance(c, dict)))
    welsh = {str(k): str(v.get("name_cy", "")) for k, v in items if isinstance(v, dict) and v.get("name_cy")}
    subs = {str(s.get("id")): {"name": str(s.get("name", s.get("id"))), "name_cy": s.get("name_cy", "")}
            for _, v in items if isinstance(v, dict) for s in v.get("subthemes", []) or [] if isinstance(s, dict)}
    return welsh, subs


def participation(ctx: dict[str, Any]) -> None:
    """Participants by cohort, police force area and engagement method."""
    tr, min_count, returns = ctx["tr"], ctx["min_count"], ctx["inputs"].get("returns")
    out = []
    if returns is not None and len(returns):
        for by, caption in (("cohort", "Participants by cohort"),
                            ("police_force_area", "Participants by police force area"),
                            ("engagement_method", "Participants by engagement method")):
            t = T.participation(returns, by)
            ctx["figures"][f"participation_{by}"] = t
            shown = D.suppress(t, ["n_participants"], min_count)
            if by == "cohort":
                shown["cohort"] = [ctx["cohort_labels"].get(c, c) for c in shown["cohort"]]
            out.append(view(shown, tr(caption), tr, note=ctx["suppression_note"], sheet=f"participation_{by}"))
    ctx["participation"] = out


def _quotes(ctx: dict[str, Any], candidates: pd.DataFrame, n: int, by: str) -> pd.DataFrame:
    quotes, skipped = D.select_quotes(candidates, ctx["groups"], ctx["patterns"], n=n, by=by, **ctx["quote_kw"])
    ctx["skipped"].append(skipped)
    return quotes


def quote_items(ctx: dict[str, Any], quotes: pd.DataFrame) -> list[dict[str, str]]:
    """Quotes as the document shows them: the words, and who said it in the document's language."""
    tr, labels = ctx["tr"], ctx["cohort_labels"]
    out = []
    for r in quotes.itertuples(index=False):
        who = "; ".join(labels.get(c, c) for c in str(r.cohort).split(";"))
        question = tr(style.QUESTION_LABELS.get(r.question, r.question))
        out.append({"text": r.text, "who": f"{who}; {question}; {stance_phrase(r.question, r.stance, tr)}"})
    return out


def statements(ctx: dict[str, Any]) -> None:
    """Overview charts and one part per priority area."""
    tr, coded, names, min_count = ctx["tr"], ctx["coded"], ctx["names"], ctx["min_count"]
    ctx["overview_charts"], ctx["areas"] = [], []
    if coded is None:
        return
    by_code = T.statements_by_code(coded, names)
    ctx["figures"]["statements_by_code"] = by_code
    ctx["figures"]["by_code_question_stance"] = T.by_code_question_stance(coded)
    stance = T.stance_by_code(coded, names)
    heat = T.code_by_cohort(coded, names)
    ctx["figures"].update(stance_by_code=stance, code_by_cohort=heat)
    ctx["overview_charts"] = [
        _chart(charts.stance_bars(stance, names, min_count, tr),
               tr("Statements by priority area and stance"), ctx, "stance_by_code"),
        _chart(charts.heatmap(heat, names, ctx["cohort_labels"], min_count, tr),
               tr("Statements by priority area (rows) and cohort (columns)"), ctx, "code_by_cohort"),
    ]
    pas = coded[coded["code"] != T.UNCODED]
    quotes = _quotes(ctx, pas, int(lookup(ctx["settings"], "quotes.per_code", "report.yaml")), "code")
    suggestions = _quotes(ctx, pas[pas["is_suggestion"]],
                          int(lookup(ctx["settings"], "suggestions.per_code", "report.yaml")), "code")
    ctx["figures"].update(quotes=quotes, suggestions=suggestions)
    from pipeline.reports.theme_areas import area  # noqa: PLC0415

    for row in by_code.itertuples(index=False):
        if row.code != T.UNCODED:
            ctx["areas"].append(area(ctx, row, quotes, suggestions))


def _chart(chart: charts.Chart, caption: str, ctx: dict[str, Any], sheet: str, labels=None) -> Chart:
    data = chart.data.copy()
    if "priority_area" in data.columns:
        data["priority_area"] = [ctx["names"].get(c, n) for c, n in zip(data["code"], data["priority_area"],
                                                                        strict=True)]
    tbl = view(data, caption, ctx["tr"], note=ctx["suppression_note"], sheet=sheet)
    return Chart(chart.title, chart.alt, chart.png, tbl)


def equality(ctx: dict[str, Any]) -> None:
    """Disproportionality ratios: the headline ones in a chart, all of them in the appendix."""
    tr, edi = ctx["tr"], ctx["inputs"].get("edi_measures")
    ratios = T.disproportionality(edi)
    ctx["figures"]["disproportionality"] = ratios
    ctx["ratio_chart"] = None
    ctx["ratio_table"] = None
    if edi is None:
        return
    head = headline_ratios(ratios)
    title = tr("The {n} largest disproportionality ratios with a 95% interval (latest period)").format(n=len(head))
    chart = charts.ratio_chart(head, tr, title)
    ctx["ratio_chart"] = Chart(chart.title, chart.alt, chart.png, None)
    ctx["ratio_table"] = ratios


def headline_ratios(ratios: pd.DataFrame, n: int = 12) -> pd.DataFrame:
    """The ``n`` largest reliable ratios with an interval, latest period of each measure, area and group."""
    if ratios.empty:
        return ratios
    ok = ratios[ratios["reliable"].fillna(False).astype(bool) & ratios["ci_low"].notna()]
    latest = ok.sort_values("period", kind="stable").drop_duplicates(["measure", "area", "ethnicity"], keep="last")
    return latest.sort_values(["ratio", "measure"], ascending=[False, True], kind="stable").head(n)


def emergent(ctx: dict[str, Any]) -> None:
    """Emergent themes not in the plan, each with its description, counts and quotes."""
    tr, min_count, names = ctx["tr"], ctx["min_count"], ctx["names"]
    topics, statements = ctx["inputs"].get("topics"), ctx["inputs"].get("statements")
    themes = T.emergent_themes(topics)
    ctx["figures"]["not_in_plan"] = themes
    ctx["not_in_plan"] = []
    if topics is None or ctx["coded"] is None or not len(themes):
        return
    tq = _quotes(ctx, T.topic_candidates(themes, statements),
                 int(lookup(ctx["settings"], "quotes.per_topic", "report.yaml")), "topic")
    for r in themes.itertuples(index=False):
        ctx["not_in_plan"].append({
            "label": theme_label(r.label, tr), "raw_label": str(r.label),
            "description": str(getattr(r, "description", "") or ""), "flags": str(getattr(r, "flags", "") or ""),
            "keywords": r.keywords,
            "facts": tr("Key words: {keywords}. {size} statements from {orgs} organisations; nearest priority "
                        "area: {nearest}.").format(
                keywords=r.keywords, size=D.count_text(int(r.size), min_count),
                orgs=D.count_text(int(r.n_organisations), min_count),
                nearest=f"{r.nearest_code} {names.get(r.nearest_code, '')}".strip()),
            "quotes": quote_items(ctx, tq[tq["topic"] == r.topic]),
        })


def coverage(ctx: dict[str, Any]) -> None:
    """Who was heard: the groups and areas the consultation meant to reach."""
    tr, min_count = ctx["tr"], ctx["min_count"]
    returns, statements = ctx["inputs"].get("returns"), ctx["inputs"].get("statements")
    cov = ctx["settings"].get("coverage", {})
    few = int(lookup(ctx["settings"], "coverage.few_participants", "report.yaml"))
    groups = T.coverage_groups(returns, statements, cov.get("expected_groups", []), few)
    areas = T.coverage_areas(returns, cov.get("expected_areas", []), few)
    ctx["figures"].update(coverage_groups=groups, coverage_areas=areas)
    g_shown = D.suppress(groups, ["n_participants", "n_statements"], min_count).assign(
        status=[tr(s) for s in groups["status"]], group=[tr(g) for g in groups["group"]])
    a_shown = D.suppress(areas, ["n_participants"], min_count).assign(status=[tr(s) for s in areas["status"]])
    gaps = [tr(r.group) for r in groups.itertuples() if r.status in ("Not heard", "Few participants")]
    gaps += [r.area for r in areas.itertuples() if r.status in ("Not heard", "Few participants")]
    sentence = (tr("Few (fewer than {few}) or no participants were heard from: {gaps}. Consider filling these gaps "
                   "before the plan is finalised.").format(few=few, gaps="; ".join(gaps)) if gaps else
                tr("Every expected group and area was heard from by at least {few} participants.").format(few=few))
    ctx["coverage"] = {
        "few": few, "gaps": gaps, "sentence": sentence,
        "groups": view(g_shown, tr("Who was heard: the groups the consultation meant to reach"), tr,
                       note=ctx["suppression_note"], sheet="coverage_groups"),
        "areas": view(a_shown, tr("Who was heard: police force areas"), tr, note=ctx["suppression_note"],
                      sheet="coverage_areas"),
    }
    # --- The returns tracker (issue 16, engagement kit; pipeline/engage/report.py) -------------------
    from pipeline.engage.report import tracker_blocks  # noqa: PLC0415

    ctx["coverage"]["tracker"] = tracker_blocks(ctx, view)


def methods(ctx: dict[str, Any]) -> None:
    """The methods section's figures and sentences, and the table of statements not quoted."""
    from pipeline.reports.theme_areas import methods_context  # noqa: PLC0415

    tr, inputs = ctx["tr"], ctx["inputs"]
    figures = T.methods_figures(inputs.get("statements"), inputs.get("codes"), inputs.evaluation,
                                inputs.get("edi_measures"))
    ctx["figures"]["methods"] = figures
    parts = [s for s in ctx["skipped"] if len(s)]
    skipped = (pd.concat(parts, ignore_index=True).groupby("reason", sort=True)["n_statements"].sum().reset_index()
               if parts else pd.DataFrame(columns=["reason", "n_statements"]))
    ctx["figures"]["quotes_skipped"] = skipped
    ctx["methods"] = methods_context(ctx, figures, skipped)
    ctx["methods_text"] = [tr(p) for p in METHODS_TEXT]


def headlines(ctx: dict[str, Any]) -> list[str]:
    """The summary's sentences (every count through :mod:`pipeline.disclosure`)."""
    tr, min_count, coded = ctx["tr"], ctx["min_count"], ctx["coded"]
    returns = ctx["inputs"].get("returns")
    out = _participation_line(tr, returns, min_count)
    if coded is not None:
        out += _coding_lines(ctx)
    out += _theme_lines(ctx)
    if ctx["coverage"]["gaps"]:
        out.append(tr("Few or no participants were heard from: {gaps}.").format(gaps="; ".join(ctx["coverage"]["gaps"])))
    if ctx["missing"]:
        out.append(tr("{n} input tables were not available, so parts of this report are empty (see below).")
                   .format(n=len(ctx["missing"])))
    return out


def _participation_line(tr: Translator, returns, min_count: int) -> list[str]:
    if returns is None or not len(returns):
        return []
    n_part = T.total_participants(returns)
    unknown = int(pd.to_numeric(returns["n_participants"], errors="coerce").isna().sum())
    org = returns["organisation"].astype(str)
    n_unnamed = int((org == "unknown").sum())  # ingest writes "unknown" where a return names no organisation
    line = tr("{orgs} organisations sent {returns} returns").format(orgs=org[org != "unknown"].nunique(),
                                                                    returns=len(returns))
    if n_unnamed:
        line += " " + tr("({n} naming no organisation)").format(n=n_unnamed)
    line += tr(", reporting {n} participants").format(n=D.count_text(n_part, min_count, tr, sentence=True))
    if unknown:
        return [line + " " + tr("({n} of the returns did not say how many took part).").format(n=unknown)]
    return [line + "."]


def _coding_lines(ctx: dict[str, Any]) -> list[str]:
    tr, min_count, coded, names = ctx["tr"], ctx["min_count"], ctx["coded"], ctx["names"]
    by_code = ctx["figures"]["statements_by_code"]
    out = [tr("{n} statements were coded against the seven priority areas.").format(
        n=int(coded["statement_id"].nunique()))]
    pas = by_code[by_code["code"] != T.UNCODED]
    if len(pas) and pas["n_statements"].max() > 0:
        top = pas.sort_values(["n_statements", "code"], ascending=[False, True]).iloc[0]
        out.append(tr("Most was said about {area}: {n} statements from {people} people.").format(
            area=f"{top.code} {names.get(top.code, top['name'])}",
            n=D.count_text(int(top.n_statements), min_count, tr, sentence=True),
            people=D.count_text(int(top.n_people), min_count, tr, sentence=True)))
        big = pas[pas["n_statements"] >= min_count]
        if len(big):
            worst = big.sort_values(["share_disagree", "code"], ascending=[False, True]).iloc[0]
            out.append(tr("The largest share of disagreement was on {area}: {share}% of its statements disagreed "
                          "with the draft plan.").format(area=f"{worst.code} {names.get(worst.code, worst['name'])}",
                                                         share=round(100 * worst.share_disagree)))
    stmts = coded.drop_duplicates("statement_id")
    for question in ("listened", "interpreted", "solutions"):
        part = stmts[stmts["question"] == question]
        if len(part):
            agree, disagree = int((part["stance"] == "agree").sum()), int((part["stance"] == "disagree").sum())
            out.append(tr("{question}: of {n} statements, {agree} {agree_phrase} and {disagree} {disagree_phrase}.")
                       .format(question=tr(style.QUESTION_LABELS[question]),
                               n=D.count_text(len(part), min_count, tr, sentence=True),
                               agree=D.share_text(agree, len(part), min_count),
                               agree_phrase=plural_phrase(question, "agree", tr),
                               disagree=D.share_text(disagree, len(part), min_count),
                               disagree_phrase=plural_phrase(question, "disagree", tr)))
    n_sugg = int(stmts["is_suggestion"].sum())
    out.append(tr("{n} statements suggested a concrete action.").format(
        n=D.count_text(n_sugg, min_count, tr, sentence=True)))
    return out


def _theme_lines(ctx: dict[str, Any]) -> list[str]:
    tr, themes = ctx["tr"], ctx["not_in_plan"]
    if not themes:
        return []
    prefixes = ((PLAN_COMMENTS_PREFIX, "comments on the plan itself"),
                (WELSH_PREFIX, "Welsh-language statements on mixed subjects"))
    subjects = [t["label"] for t in themes if not t["raw_label"].startswith(tuple(p for p, _ in prefixes))]
    out = []
    if subjects:
        out.append(tr.plural("{n} emergent theme is not in the plan: {themes}.",
                             "{n} emergent themes are not in the plan: {themes}.", len(subjects))
                   .format(n=len(subjects), themes="; ".join(subjects)))
    for prefix, what in prefixes:
        other = [t["raw_label"][len(prefix):] for t in themes if t["raw_label"].startswith(prefix)]
        if other:
            out.append(tr.plural("{n} further group of statements is {what}: {themes}.",
                                 "{n} further groups of statements are {what}: {themes}.", len(other))
                       .format(n=len(other), what=tr(what), themes="; ".join(other)))
    return out

