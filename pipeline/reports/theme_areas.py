"""One priority area of the theme report: its figures, its plain-English opening and its tables.

:func:`area` builds what the area's pages show: a few sentences written from the tables (every count
and share through :mod:`pipeline.disclosure`), a chart of its statements by question and stance, quotes
and suggestions; and for the appendix its full tables. :func:`methods_context` writes the methods
section's sentences.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline import disclosure as D
from pipeline.i18n import Translator
from pipeline.reports import charts, style
from pipeline.reports import tables as T
from pipeline.reports.document import Chart, Notes, slug
from pipeline.reports.theme_parts import quote_items
from pipeline.reports.theme_report import plural_phrase, view
from pipeline.settings import lookup


def area(ctx: dict[str, Any], row, quotes: pd.DataFrame, suggestions: pd.DataFrame) -> dict[str, Any]:
    """Everything one priority area shows (see the module docstring)."""
    tr, coded, min_count, code = ctx["tr"], ctx["coded"], ctx["min_count"], row.code
    name = ctx["names"].get(code, row.name)
    qs = T.question_stance_table(coded, code)
    labels = {q: tr(style.QUESTION_LABELS.get(q, q)) for q in T.QUESTIONS}
    chart = charts.question_stance_bars(qs, labels, min_count,
                                        tr("{code}: statements by question and stance").format(code=code), tr)
    tri = T.triangulation_for_code(ctx["inputs"].get("triangulation"), code)
    share = D.share_text(round(row.share_disagree * row.n_statements) if row.n_statements else 0,
                         row.n_statements, min_count)
    return {
        "code": code, "name": name, "anchor": slug(f"{code}-{name}"),
        "n_statements": D.count_text(row.n_statements, min_count),
        "n_people": D.count_text(row.n_people, min_count),
        "n_suggestions": D.count_text(row.n_suggestions, min_count), "share_disagree": share,
        "sentences": _opening(ctx, row, qs) + equality_sentences(ctx, _full_rows(ctx, code)),
        "chart": Chart(chart.title, chart.alt, chart.png, None),
        "tables": _tables(ctx, code, qs, labels, tri),
        "quotes": quote_items(ctx, quotes[quotes["code"] == code]),
        "suggestions": quote_items(ctx, suggestions[suggestions["code"] == code]),
        "topics_missing": ctx["inputs"].get("topics") is None,
        "triangulation_missing": ctx["inputs"].get("triangulation") is None,
    }


def _opening(ctx: dict[str, Any], row, qs: pd.DataFrame) -> list[str]:
    tr, min_count = ctx["tr"], ctx["min_count"]
    n = lambda v: D.count_text(int(v), min_count, tr, sentence=True)  # noqa: E731
    out = [tr("{n} statements from {people} people; {share} of them disagree with the draft plan, and {suggestions} "
              "suggest an action.").format(
        people=n(row.n_people), n=n(row.n_statements),
        share=D.share_text(round(row.share_disagree * row.n_statements) if row.n_statements else 0,
                           row.n_statements, min_count),
        suggestions=n(row.n_suggestions))]
    main = qs[qs["question"].isin(["listened", "interpreted", "solutions"])]
    if len(main) and int(main["n_statements"].max()) >= min_count:
        q = main.sort_values(["n_statements", "question"], ascending=[False, True]).iloc[0]
        out.append(tr("Most of them answered \u201c{question}\u201d: {agree} {agree_phrase} and {disagree} "
                      "{disagree_phrase}.").format(
            question=tr(style.QUESTION_LABELS[q.question]),
            agree=D.share_text(int(q.agree), int(q.n_statements), min_count),
            agree_phrase=plural_phrase(q.question, "agree", tr),
            disagree=D.share_text(int(q.disagree), int(q.n_statements), min_count),
            disagree_phrase=plural_phrase(q.question, "disagree", tr)))
    subs = T.subthemes(ctx["coded"], row.code, 3)
    subs = subs[subs["n_statements"] >= min_count]
    if len(subs):
        names = ctx["subtheme_names"]
        listed = "; ".join(f"{names.get(s.subtheme, s.subtheme)} ({int(s.n_statements)})" for s in subs.itertuples())
        out.append(tr("The sub-themes raised most (statements): {list}.").format(list=listed))
    return out


def _full_rows(ctx: dict[str, Any], code: str) -> pd.DataFrame:
    full = ctx["inputs"].get("triangulation")
    if full is None or full.empty:
        return pd.DataFrame(columns=["ratio"])
    return full[full["code"] == code]


def _reference(ctx: dict[str, Any], r) -> str:
    edi = ctx["inputs"].get("edi_measures")
    if edi is not None and "reference_group" in edi.columns:
        hit = edi[(edi["measure"] == r.measure) & (edi["area"] == r.police_force_area)
                  & (edi["ethnicity"] == r.ethnicity) & (edi["period"] == r.period)]
        ref = hit["reference_group"].dropna().astype(str)
        if len(ref) and ref.iloc[0]:
            return ref.iloc[0]
    return ctx["tr"]("the comparison group")


def equality_sentences(ctx: dict[str, Any], tri: pd.DataFrame, n: int = 3) -> list[str]:
    """Up to ``n`` sentences setting the equality data beside what people said (largest ratios first)."""
    tr, min_count = ctx["tr"], ctx["min_count"]
    if tri.empty:
        return []
    with_ratio = tri[tri["ratio"].notna() & (tri["police_force_area"] != "unknown")]
    if with_ratio.empty:
        readings = sorted({tr(x) for x in tri["reading"].dropna().astype(str) if x})
        return [tr("Equality data: {readings}.").format(readings="; ".join(readings))] if readings else []
    ordered = with_ratio.assign(_ci=with_ratio["ci_low"].isna()).sort_values(
        ["_ci", "ratio"], ascending=[True, False], kind="stable").head(n)
    out = []
    for r in ordered.itertuples(index=False):
        ratio = f"{float(r.ratio):.1f}" if float(r.ratio) >= 0.95 else f"{float(r.ratio):.2f}"
        interval = (tr(" (95% interval {lo}-{hi})").format(lo=f"{r.ci_low:.1f}", hi=f"{r.ci_high:.1f}")
                    if pd.notna(r.ci_low) else "")
        measure = tr(str(r.measure).replace("_", " "))
        kind = str(getattr(r, "ratio_kind", ""))
        if kind == "representation":
            text = tr("{area}: {ethnicity} people's share of {measure} was {ratio} times their share of the "
                      "population ({period}){interval}.")
        else:
            text = tr("{area}: {ethnicity} people were subject to {measure} {ratio} times as often as {reference} "
                      "people ({period}){interval}.")
        text = text.format(area=r.police_force_area, ethnicity=r.ethnicity, measure=measure, ratio=ratio,
                           period=r.period, interval=interval, reference=_reference(ctx, r))
        people = D.count_text(r.n_participants, min_count, tr, sentence=True) if pd.notna(r.n_participants) else \
            tr("fewer than {n}").format(n=min_count)
        text += " " + tr("{people} people raised this priority area there; reading: {reading}.").format(
            people=people, reading=tr(str(r.reading)))
        out.append(text)
    return out


def _tables(ctx: dict[str, Any], code: str, qs: pd.DataFrame, labels, tri: pd.DataFrame) -> list:
    tr, min_count, note = ctx["tr"], ctx["min_count"], ctx["suppression_note"]
    out = []
    shown = D.suppress(qs, [*T.STANCES, "n_statements", "n_people"], min_count)
    shown["question"] = [labels.get(x, x) for x in shown["question"]]
    out.append(view(shown, tr("{code}: statements by question and stance").format(code=code), tr, note=note,
                    sheet=f"{code}_question_stance"))
    subs = T.subthemes(ctx["coded"], code, int(lookup(ctx["settings"], "subthemes.per_code", "report.yaml")))
    if len(subs):
        subs = D.suppress(subs, ["n_statements", "n_people"], min_count).assign(
            subtheme=[ctx["subtheme_names"].get(s, s) for s in subs["subtheme"]])
        out.append(view(subs, tr("{code}: main sub-themes").format(code=code), tr, note=note,
                        sheet=f"{code}_subthemes"))
    tops = T.topics_for_code(ctx["inputs"].get("topics"), code,
                             int(lookup(ctx["settings"], "topics.per_code", "report.yaml")))
    if len(tops):
        tops = D.suppress(tops[["label", "keywords", "size", "coverage"]], ["size"], min_count)
        out.append(view(tops, tr("{code}: emergent themes nearest this priority area").format(code=code), tr,
                        note=note, sheet=f"{code}_themes"))
    if len(tri):
        out.append(triangulation_view(ctx, code, tri))
    return out


def triangulation_view(ctx: dict[str, Any], code: str, tri: pd.DataFrame):
    """The triangulation table of one area, reshaped for the page: sources as short names with notes."""
    tr, min_count = ctx["tr"], ctx["min_count"]
    notes: Notes = ctx.setdefault("notes", Notes())
    shown = D.suppress(tri, ["n_statements", "n_participants"], min_count)
    for col in ("n_statements", "n_participants"):  # the triangulate stage leaves small counts blank
        shown[col] = [f"<{min_count}" if pd.isna(v) else v for v in shown[col]]
    shown["measure"] = [tr(str(m).replace("_", " ")) if m else "" for m in shown["measure"]]
    shown["reading"] = [tr(str(x)) for x in shown["reading"]]
    data = shown.copy()
    shown["source"] = [notes.cite(s) for s in shown["source"]]
    shown["caveat"] = [notes.cite(c, 50) for c in shown["caveat"]]
    shown = merge_interval(shown.drop(columns=["share_disagree"]), tr)
    return view(shown, tr("{code}: what the equality data says").format(code=code), tr,
                note=ctx["suppression_note"], sheet=f"{code}_equality", data=data)


def merge_interval(df: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """``ratio, ci_low, ci_high`` shown as ``ratio`` and one "95% interval" column (fewer, wider columns)."""
    interval = [f"{lo:.2f}\u2013{hi:.2f}" if pd.notna(lo) and pd.notna(hi) else "" for lo, hi in
                zip(df["ci_low"], df["ci_high"], strict=True)]
    out = df.drop(columns=["ci_low", "ci_high"])
    out.insert(list(out.columns).index("ratio") + 1, "interval", interval)
    out["ratio"] = [f"{r:.2f}" if pd.notna(r) else "" for r in out["ratio"]]
    return out.rename(columns={"interval": tr("95% interval")})


def methods_context(ctx: dict[str, Any], methods: dict, skipped: pd.DataFrame) -> dict[str, Any]:
    """The methods section's sentences and the table of statements not quoted."""
    tr, inputs, min_count = ctx["tr"], ctx["inputs"], ctx["min_count"]
    returns = inputs.get("returns")
    share = methods.get("share_reviewed")
    reviewed = (tr("{n} of {total} statements ({share}%) were reviewed by a person.").format(
        n=methods["n_reviewed"], total=methods["n_statements"], share=round(100 * share))
        if share is not None else tr("No coded statements were available, so nothing was reviewed."))
    sources = ", ".join(f"{k}: {v}" for k, v in methods.get("code_sources", {}).items()) or tr("none")
    shown = D.suppress(skipped, ["n_statements"], min_count).assign(reason=[_reason(tr, r)
                                                                             for r in skipped["reason"]])
    return {
        "agreement": _agreement(tr, methods, inputs.independent),
        "reviewed": reviewed,
        "code_sources": tr("Codes by source (rule, model or analyst): {sources}.").format(sources=sources),
        "inferred": tr("{n} statements had their question inferred from the text because the return did not "
                       "say.").format(n=methods.get("n_inferred_question", 0)),
        "edi_sources": methods.get("edi_sources", []),
        "ledger": _ledger_text(tr, inputs.get("ingest_ledger")),
        "skipped": view(shown, tr("Statements not quoted, and why"), tr, note=ctx["suppression_note"],
                        sheet="quotes_not_shown") if len(skipped) else None,
        "returns_without_count": int(pd.to_numeric(returns["n_participants"], errors="coerce").isna().sum())
        if returns is not None else None,
    }


def _reason(tr: Translator, reason: str) -> str:
    """A reason a statement was not quoted, in the document's language (its number or pattern names kept)."""
    import re  # noqa: PLC0415

    for pattern, msgid in ((r"shorter than (\d+) characters", "shorter than {n} characters"),
                           (r"longer than (\d+) characters", "longer than {n} characters"),
                           (r"looks like it holds personal data \((.*)\)", "looks like it holds personal data ({n})")):
        match = re.fullmatch(pattern, str(reason))
        if match:
            return tr(msgid).format(n=match.group(1))
    return tr(str(reason))


def _agreement(tr: Translator, methods: dict, independent) -> str:
    ev = methods.get("evaluation")
    if ev:
        parts = ", ".join(f"{k.replace('_', ' ')} {float(v):.2f}" for k, v in ev.items() if k.startswith("f1"))
        n = ev.get("n")
        text = (tr("Measured agreement of the coder with hand-coded statements ({n} statements, not used in "
                   "training): {parts} (F1 is 1 for perfect agreement; these statements are written like the "
                   "codebook's examples).").format(n=n, parts=parts) if n else
                tr("Measured agreement of the coder with hand-coded statements: {parts} (F1 is 1 for perfect "
                   "agreement; these statements are written like the codebook's examples).").format(parts=parts))
    else:
        text = tr("Agreement with hand-coded statements: not measured in this run.")
    sets = [r for r in (independent or {}).get("sets", []) if r.get("intercoder")]
    if sets:
        f1 = [r["f1"] for r in sets]
        human = [r["intercoder"]["human_f1"] for r in sets]
        text += " " + tr("On {n} independent sets written as returns really read (transcripts, survey fragments, "
                         "text-speak, Welsh), by writers who never saw the codebook, the coder scored F1 {low}-{high}, "
                         "where two blind coders agreed with each other at {hlow}-{hhigh}: read its codes as a first "
                         "pass for a person to check.").format(
            n=len(sets), low=f"{min(f1):.2f}", high=f"{max(f1):.2f}", hlow=f"{min(human):.2f}",
            hhigh=f"{max(human):.2f}")
    return text


def _ledger_text(tr: Translator, ledger) -> str:
    if ledger is None or not len(ledger):
        return tr("The ingest ledger is not available.")
    # The ledger holds one row per file, then one per item of that file that was not accepted.
    files = ledger.drop_duplicates("file", keep="first")
    n_items = len(ledger) - len(files)
    counts = ", ".join(f"{n} {tr(s)}" for s, n in files["status"].value_counts().sort_index().items())
    text = tr("Ingest ledger: {n} file(s): {counts}").format(n=len(files), counts=counts)
    if n_items:
        text += tr("; {n} item(s) within files not accepted, each with its reason").format(n=n_items)
    return text + "."
