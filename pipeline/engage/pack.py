"""The resource pack sent to each funded organisation (``make pack``): questions, templates, area data sheets, trends.

Pure functions build each page's figures and HTML; :func:`pipeline.engage.commands.build_pack`
writes ``reports/<c>/pack/``:

- ``question_set.<lang>.html``: the questions of ``config/questions.yaml`` in English and in Welsh;
- ``return_template.docx`` / ``.xlsx``: the bilingual return templates (:mod:`pipeline.engage.templates`);
- ``data_sheets/<area>.<lang>.html`` and ``.pdf``: one sheet per police force area and one for Wales,
  from ``edi_measures`` and ``edi_trends``: stop and search, use of force, arrests, custody,
  imprisonment and workforce by ethnicity with rates, ratios and 95% intervals, trends, sources and
  plain-English caveats; counts below ``disclosure.min_count`` are not shown;
- ``trends_dashboard.<lang>.html``: the same measures over time, one chart and table per measure;
- ``index.html``: what is in the pack.

Every page is one self-contained HTML file (inline CSS, images embedded, no JavaScript), with a
language attribute, a skip link, ordered headings and captioned tables, as the reports are. PDFs are
printed by headless Chromium where it is installed (the summary says when it is not).
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pipeline import disclosure as D
from pipeline.i18n import translator

CSS = """
body{font-family:Arial,Helvetica,sans-serif;color:#1A1A1A;background-color:#FFFFFF;line-height:1.5;margin:2em auto;max-width:60em;padding:0 1em}
a{color:#005A9C}
.skip{position:absolute;left:-999px}.skip:focus{left:1em;top:1em;background-color:#FFFFFF;color:#005A9C}
h1,h2,h3{color:#1A1A1A}
table{border-collapse:collapse;width:100%;margin:1em 0;font-size:0.9em}
caption{text-align:left;font-weight:bold;padding:0.3em 0;color:#1A1A1A}
th,td{border:1px solid #767676;padding:0.3em 0.5em;text-align:left;vertical-align:top}
th{background-color:#1B4F72;color:#FFFFFF}
td.num{text-align:right}
.note{color:#4D4D4D;font-size:0.9em}
.caveats{background-color:#F2F2F2;color:#1A1A1A;padding:0.5em 1em;border-left:4px solid #1B4F72}
@media print{.skip{display:none}body{margin:0}}
"""

#: Plain-English caveats every data sheet carries (fixed text: English, Welsh from the catalogue).
CAVEATS = [
    "A ratio compares a group's rate with the rate for White people in the same area: 3 means three times as "
    "likely; 1 means equally likely; below 1, less likely.",
    "The interval is the range the true ratio probably lies in (95%). When it is wide, or includes 1, the "
    "difference may be down to chance.",
    "Most figures count events, not people: one person may be stopped or arrested more than once.",
    "The figures show patterns across many people. They cannot prove or disprove any one person's experience.",
    "Counts under {min_count} are not shown, to protect people's privacy.",
    "Some figures come from news reports of official statistics; check the original release before quoting them.",
]
MESSAGES = [
    "Area data sheet: {area}", "Skip to main content", "Contents", "What the figures mean", "Figures by ethnicity",
    "Trends", "Sources and caveats", "No figures supplied for this area.", "not shown (fewer than {n})",
    "suppressed", "Measure", "Period", "Ethnicity", "Count", "Rate", "Ratio to White (95% interval)",
    "Reliability", "Change over time", "From", "To", "small numbers: treat with caution",
    "Source", "Caveat", "{measure}: figures by ethnicity", "{measure}: change over time", "Trends dashboard",
    "Racial disparity and workforce representation over time, from the equality data of this consultation.",
    "Chart: {measure} over time, by area", "Data behind this chart", "Area", "Value",
    "Consultation questions", "The questions of this consultation", "Resource pack", "In this pack",
    "This sheet is written to help a group tell what is known from the data apart from what people feel. "
    "Read it with the group before the questions.",
    "(figure for {wider}: no figure for this area)", *CAVEATS,
]


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if not isinstance(value, (float, int)):
        return str(value)
    text = f"{float(value):,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _year(period: str) -> int:
    found = re.search(r"(19|20)\d{2}", str(period))
    return int(found.group()) if found else 0


def sheet_rows(measures: pd.DataFrame, area: str, settings: Mapping[str, Any], min_count: int,
               tr: Any) -> pd.DataFrame:
    """The figures of one area's data sheet, one row per measure, period and ethnicity group (display text).

    Counts from 1 to ``min_count - 1``, and rows the triangulate stage suppressed, are not shown.
    A measure with no figure for the area takes the wider areas' (``pack.wider_areas``) for Wales only.
    Columns: ``measure_id, measure, period, ethnicity, count, rate, ratio, reliability, source, caveat``,
    and ``ratio_value`` / ``count_value`` (the numbers behind the text, for checking).
    """
    labels: Mapping[str, str] = settings.get("measures", {})
    skip = set(settings.get("skip_groups", []))
    rows = []
    for mid, label in labels.items():
        m = measures[(measures["measure"] == mid) & (measures["area"] == area) & ~measures["ethnicity_group"].isin(skip)]
        wider = ""
        if m.empty and area == "All Wales":
            for w in settings.get("wider_areas", []):
                m = measures[(measures["measure"] == mid) & (measures["area"] == w)
                             & ~measures["ethnicity_group"].isin(skip)]
                if len(m):
                    wider = tr("(figure for {wider}: no figure for this area)").format(wider=w)
                    break
        for r in m.assign(_y=m["period"].map(_year)).sort_values(["_y", "period", "ethnicity_group"]).to_dict("records"):
            rows.append(_sheet_row(mid, tr(label), r, wider, min_count, tr))
    return pd.DataFrame(rows, columns=["measure_id", "measure", "period", "ethnicity", "count", "rate", "ratio",
                                       "reliability", "source", "caveat", "ratio_value", "count_value"])


def _sheet_row(mid: str, label: str, r: Mapping[str, Any], wider: str, min_count: int, tr: Any) -> dict[str, Any]:
    suppressed = bool(r.get("suppressed"))
    count = r.get("count")
    small = count is not None and not pd.isna(count) and 0 < count < min_count
    if suppressed or small:
        count_text = tr("not shown (fewer than {n})").format(n=min_count) if small else tr("suppressed")
        rate = ratio = ""
    else:
        count_text = _fmt(count, 0) if count is not None and not pd.isna(count) else ""
        rate = f"{_fmt(r.get('rate'))} {r.get('rate_unit', '')}".strip() if not pd.isna(r.get("rate")) else ""
        ratio = _fmt(r.get("ratio"))
        if ratio and not pd.isna(r.get("ci_low")) and not pd.isna(r.get("ci_high")):
            ratio += f" ({_fmt(r['ci_low'])} - {_fmt(r['ci_high'])})"
    return {"measure_id": mid, "measure": label, "period": f"{r['period']} {wider}".strip(),
            "ethnicity": r["ethnicity_group"], "count": count_text, "rate": rate, "ratio": ratio,
            "reliability": "" if r.get("reliable", True) else tr("small numbers: treat with caution"),
            "source": r.get("source", ""), "caveat": r.get("notes", ""),
            "ratio_value": None if suppressed or small else r.get("ratio"),
            "count_value": None if suppressed or small else count}


def trend_rows(trends: pd.DataFrame, area: str, labels: Mapping[str, str], tr: Any) -> pd.DataFrame:
    """An area's trends (``edi_trends``): measure, group, from and to (period, rate, ratio) and the change, in words."""
    t = trends[(trends["area"] == area) & trends["measure"].isin(list(labels))]
    rows = [{"measure": tr(labels[r["measure"]]), "ethnicity": r["ethnicity_group"],
             "from": f"{r['first_period']}: {_fmt(r['first_rate'])}" + (f" (ratio {_fmt(r['first_ratio'])})"
                                                                         if not pd.isna(r["first_ratio"]) else ""),
             "to": f"{r['last_period']}: {_fmt(r['last_rate'])}" + (f" (ratio {_fmt(r['last_ratio'])})"
                                                                     if not pd.isna(r["last_ratio"]) else ""),
             "change": tr(r["change"])} for r in t.to_dict("records")]
    return pd.DataFrame(rows, columns=["measure", "ethnicity", "from", "to", "change"])


def html_table(df: pd.DataFrame, caption: str, headers: Sequence[str], numeric: Sequence[str] = ()) -> str:
    """A captioned table with scoped header cells (the first column of each row is its row header)."""
    head = "".join(f'<th scope="col">{_esc(h)}</th>' for h in headers)
    body = []
    for row in df.itertuples(index=False):
        cells = [f'<th scope="row">{_esc(row[0])}</th>']
        cells += [f'<td class="num">{_esc(v)}</td>' if c in numeric else f"<td>{_esc(v)}</td>"
                  for c, v in zip(df.columns[1:], row[1:], strict=True)]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table><caption>{_esc(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def page(title: str, body: str, tr: Any) -> str:
    """A self-contained accessible page: language, skip link to <main>, one h1, inline CSS, no scripts."""
    return (f'<!DOCTYPE html><html lang="{tr.bcp47}"><head><meta charset="utf-8"><title>{_esc(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head><body>'
            f'<a class="skip" href="#main">{_esc(tr("Skip to main content"))}</a>'
            f'<main id="main"><h1>{_esc(title)}</h1>{body}</main></body></html>')


def data_sheet(measures: pd.DataFrame, trends: pd.DataFrame, area: str, settings: Mapping[str, Any],
               min_count: int, language: str) -> tuple[str, pd.DataFrame]:
    """One area's data sheet as HTML, and the figures it shows."""
    tr = translator(language)
    rows = sheet_rows(measures, area, settings, min_count, tr)
    labels = settings.get("measures", {})
    parts = [f'<p>{_esc(tr("This sheet is written to help a group tell what is known from the data apart from what people feel. Read it with the group before the questions."))}</p>',
             f'<h2>{_esc(tr("What the figures mean"))}</h2><ul class="caveats">'
             + "".join(f"<li>{_esc(tr(c).format(min_count=min_count))}</li>" for c in CAVEATS) + "</ul>",
             f'<h2>{_esc(tr("Figures by ethnicity"))}</h2>']
    if rows.empty:
        parts.append(f'<p>{_esc(tr("No figures supplied for this area."))}</p>')
    headers = [tr(h) for h in ("Period", "Ethnicity", "Count", "Rate", "Ratio to White (95% interval)", "Reliability")]
    for mid in labels:
        m = rows[rows["measure_id"] == mid]
        if len(m):
            table = m[["period", "ethnicity", "count", "rate", "ratio", "reliability"]]
            parts.append(html_table(table, tr("{measure}: figures by ethnicity").format(measure=m["measure"].iloc[0]),
                                    headers, numeric=("count", "ratio")))
    trend = trend_rows(trends, area, labels, tr)
    if len(trend):
        parts.append(f'<h2>{_esc(tr("Trends"))}</h2>')
        parts.append(html_table(trend, tr("Change over time"), [tr(h) for h in ("Measure", "Ethnicity", "From", "To",
                                                                                "Change over time")]))
    sources = rows[["measure", "source", "caveat"]].drop_duplicates()
    if len(sources):
        parts.append(f'<h2>{_esc(tr("Sources and caveats"))}</h2>')
        parts.append(html_table(sources, tr("Sources and caveats"), [tr("Measure"), tr("Source"), tr("Caveat")]))
    return page(tr("Area data sheet: {area}").format(area=area), "".join(parts), tr), rows


def _chart(series: pd.DataFrame, title: str, ylabel: str) -> str:
    """A line chart (PNG, base64) of ``value`` by ``period`` for each ``area``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = ["#0072B2", "#B3470A", "#8A6100", "#5F5F5F", "#006D4F", "#7A3E9D"]
    fig, ax = plt.subplots(figsize=(7, 3.4), dpi=100)
    periods = sorted(series["period"].unique(), key=lambda p: (_year(p), p))
    for i, (area, g) in enumerate(series.groupby("area", sort=True)):
        g = g.set_index("period").reindex(periods)
        ax.plot(range(len(periods)), g["value"], marker="o", color=colours[i % len(colours)], label=area)
    ax.set_xticks(range(len(periods)), periods, fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def dashboard_series(measures: pd.DataFrame, settings: Mapping[str, Any], areas: Sequence[str],
                     min_count: int) -> pd.DataFrame:
    """The dashboard's figures: per measure, area and period, the Black/White ratio, or (workforce) the percentage.

    Figures the triangulate stage suppressed, or counted from fewer than ``min_count`` events, are left out.
    """
    small = measures["count"].between(1, min_count - 1, inclusive="both").fillna(False)
    m = measures[measures["area"].isin(areas) & measures["measure"].isin(list(settings.get("measures", {})))
                 & ~measures["suppressed"].astype(bool) & ~small]
    ratio = m[(m["ethnicity_group"] == "Black") & m["ratio"].notna() & (m["ratio_kind"] != "representation")]
    work = m[(m["ratio_kind"] == "representation") | (m["measure"].str.startswith("workforce") & m["rate"].notna())]
    frames = [ratio.assign(value=ratio["ratio"], kind="ratio"),
              work.assign(value=work["rate"], kind="percent")]
    out = pd.concat(frames, ignore_index=True)[["measure", "area", "period", "value", "kind"]]
    return out.drop_duplicates(["measure", "area", "period", "kind"]).reset_index(drop=True)


def dashboard(measures: pd.DataFrame, settings: Mapping[str, Any], language: str,
              min_count: int | None = None) -> tuple[str, pd.DataFrame]:
    """The trends dashboard as one HTML page (charts with alt text and their data tables), and its figures."""
    tr = translator(language)
    threshold = D.min_count() if min_count is None else min_count
    series = dashboard_series(measures, settings, list(settings.get("areas", [])), threshold)
    parts = [f'<p>{_esc(tr("Racial disparity and workforce representation over time, from the equality data of this consultation."))}</p>']
    for mid, label in settings.get("measures", {}).items():
        s = series[series["measure"] == mid]
        if s.empty or s["period"].nunique() < 1:
            continue
        name = tr(label)
        ylabel = "% of officers" if s["kind"].iloc[0] == "percent" else "Black/White ratio"
        alt = tr("Chart: {measure} over time, by area").format(measure=name) + ". " + "; ".join(
            f"{a}: " + ", ".join(f"{p} {_fmt(v)}" for p, v in zip(g["period"], g["value"], strict=True))
            for a, g in s.groupby("area", sort=True))
        parts.append(f"<h2>{_esc(name)}</h2>")
        parts.append(f'<img src="data:image/png;base64,{_chart(s, name, ylabel)}" alt="{_esc(alt)}">')
        table = s.assign(value=s["value"].map(_fmt))[["area", "period", "value"]]
        parts.append(html_table(table, tr("Data behind this chart") + f": {name}",
                                [tr("Area"), tr("Period"), tr("Value")], numeric=("value",)))
    return page(tr("Trends dashboard"), "".join(parts), tr), series


def question_set(questions: Mapping[str, Any], language: str) -> str:
    """The consultation's questions as a page in one language (Welsh labels from ``label_cy``)."""
    from pipeline.engage.templates import question_list

    tr = translator(language)
    items = "".join(f"<li>{_esc(q['label_cy'] if language == 'cy' else q['label'])}</li>"
                    for q in question_list(questions))
    return page(tr("Consultation questions"), f'<h2>{_esc(tr("The questions of this consultation"))}</h2><ol>{items}</ol>', tr)


def slug(area: str) -> str:
    """A file name for an area (``South Wales`` -> ``south-wales``)."""
    return re.sub(r"[^a-z0-9]+", "-", area.lower()).strip("-")


def pack_index(files: Sequence[str]) -> str:
    """The pack's front page (bilingual): a list of every file in it."""
    tr, cy = translator("en"), translator("cy")
    items = "".join(f'<li><a href="{_esc(f)}">{_esc(f)}</a></li>' for f in sorted(files))
    title = f"{tr('Resource pack')} / {cy('Resource pack')}"
    return page(title, f"<h2>{_esc(tr('In this pack'))} / {_esc(cy('In this pack'))}</h2><ul>{items}</ul>", tr)
