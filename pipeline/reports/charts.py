"""The reports' charts, drawn with matplotlib (Agg), each with alt text and the data table behind it.

Every function takes a figure table from :mod:`pipeline.reports.tables` and returns a :class:`Chart`:
PNG bytes, alt text that states what the chart shows (not just its title), and the table it was drawn
from (already suppressed for display). Colours come from :mod:`pipeline.reports.style` (colour-blind
safe, at least 3:1 against white, plus hatching); fonts are large; counts below the disclosure
threshold are not drawn. Output is deterministic: the same table gives the same bytes.

Not run on its own: used by ``python -m pipeline report`` and the organisation notebooks.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from pipeline.i18n import Translator, translator
from pipeline.reports import style
from pipeline.reports.tables import RATIO_COLUMNS, STANCES, suppress

FONT_SIZE = 13


@dataclass(frozen=True)
class Chart:
    """A chart ready to embed: PNG bytes, alt text and the data table behind it."""

    png: bytes
    alt: str
    data: pd.DataFrame
    title: str


def _pyplot():
    import matplotlib  # noqa: PLC0415 - heavy import kept out of `--help`

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    plt.rcParams.update(
        {
            "font.size": FONT_SIZE,
            "axes.titlesize": FONT_SIZE + 2,
            "axes.labelsize": FONT_SIZE,
            "xtick.labelsize": FONT_SIZE - 1,
            "ytick.labelsize": FONT_SIZE - 1,
            "legend.fontsize": FONT_SIZE - 1,
            "text.color": style.TEXT,
            "axes.labelcolor": style.TEXT,
            "xtick.color": style.TEXT,
            "ytick.color": style.TEXT,
            "axes.edgecolor": style.MUTED_TEXT,
            "svg.hashsalt": "cjiw",
            "hatch.color": "#FFFFFF",
        }
    )
    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    # No Software/date metadata, so identical inputs give identical bytes.
    fig.savefig(
        buf, format="png", dpi=110, bbox_inches="tight", facecolor="white", metadata={"Software": None}
    )
    import matplotlib.pyplot as plt  # noqa: PLC0415

    plt.close(fig)
    return buf.getvalue()


def _empty_chart(title: str, message: str, data: pd.DataFrame) -> Chart:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 1.6))
    ax.axis("off")
    ax.text(0.0, 0.5, message, fontsize=FONT_SIZE, va="center")
    return Chart(_png(fig), f"{title}: {message}", data, title)


def _stacked(rows: pd.DataFrame, labels: list[str], min_count: int, title: str, tr: Translator) -> bytes:
    """Horizontal bars stacked by stance, one per row of ``rows`` (drawn bottom-up in the given order)."""
    plt = _pyplot()
    rows = rows.iloc[::-1].reset_index(drop=True)
    labels = labels[::-1]
    fig, ax = plt.subplots(figsize=(10, 0.62 * len(rows) + 1.8))
    left = [0] * len(rows)
    for stance in STANCES:
        values = [int(v) if int(v) >= min_count else 0 for v in rows[stance]]
        ax.barh(labels, values, left=left, color=style.STANCE_COLOURS[stance], hatch=style.STANCE_HATCHES[stance],
                edgecolor="white", linewidth=0.8, label=tr(style.STANCE_LABELS[stance]))
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlabel(tr("Statements"))
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(ncols=4, loc="upper left", bbox_to_anchor=(0, -0.12 - 0.6 / max(len(rows), 1)), frameon=False)
    ax.set_title(title, loc="left")
    return _png(fig)


def _too_small(table: pd.DataFrame, title: str, display: pd.DataFrame, min_count: int, tr: Translator) -> Chart | None:
    if table.empty or int(table[list(STANCES)].to_numpy().sum()) == 0:
        return _empty_chart(title, tr("No coded statements to show."), display)
    if int(table[list(STANCES)].to_numpy().max()) < min_count:
        message = tr("Every count is below {n}, so none is drawn: see the table.").format(n=min_count)
        return _empty_chart(title, message, display)
    return None


def stance_bars(
    table: pd.DataFrame, code_names: Mapping[str, str], min_count: int, tr: Translator | None = None
) -> Chart:
    """Horizontal stacked bars of statements by stance for each priority area.

    Args:
        table: :func:`pipeline.reports.tables.stance_by_code` (``code`` plus one column per stance).
        code_names: Priority-area names for the axis labels.
        min_count: Segments with fewer statements than this are not drawn (shown as '<n' in the table).
        tr: The document's translator (English by default).
    """
    tr = tr or translator("en")
    title = tr("What people said about each priority area, by stance")
    display = suppress(table, STANCES, min_count)
    display.insert(1, "priority_area", [code_names.get(c, c) for c in table["code"]])
    empty = _too_small(table, title, display, min_count, tr)
    if empty is not None:
        return empty
    labels = [f"{c} {code_names.get(c, '')}".strip() for c in table["code"]]
    png = _stacked(table, labels, min_count, title, tr)
    totals = table.set_index("code")[list(STANCES)].sum(axis=1)
    most = totals.idxmax()
    disagree_share = {
        c: (r["disagree"] / totals[c]) if totals[c] else 0 for c, r in table.set_index("code").iterrows()
    }
    most_disagree = max(disagree_share, key=lambda c: (disagree_share[c], c))
    alt = tr(
        "Stacked bar chart of statements by stance (agree, disagree, mixed, unclear) for {n} priority areas. "
        "{most} drew the most statements; {most_disagree} had the largest share of disagreement. "
        "Segments under {min} statements are not drawn. The table gives every value."
    ).format(n=len(table), most=f"{most} {code_names.get(most, '')}".strip(),
             most_disagree=f"{most_disagree} {code_names.get(most_disagree, '')}".strip(), min=min_count)
    return Chart(png, alt, display, title)


def question_stance_bars(
    table: pd.DataFrame, question_labels: Mapping[str, str], min_count: int, title: str, tr: Translator | None = None
) -> Chart:
    """One priority area's statements by question, stacked by stance (a small chart for its page).

    Args:
        table: :func:`pipeline.reports.tables.question_stance_table` (``question`` plus one column per stance).
        question_labels: Question id -> label in the document's language.
        min_count: Segments with fewer statements than this are not drawn.
        title: The chart's title.
        tr: The document's translator.
    """
    tr = tr or translator("en")
    display = suppress(table, [*STANCES, "n_statements", "n_people"], min_count)
    empty = _too_small(table, title, display, min_count, tr)
    if empty is not None:
        return empty
    labels = [question_labels.get(q, q) for q in table["question"]]
    png = _stacked(table, labels, min_count, title, tr)
    totals = table.set_index("question")[list(STANCES)].sum(axis=1)
    most = totals.idxmax()
    alt = tr(
        "Stacked bar chart of this priority area's statements by question and stance (agree, disagree, mixed, "
        "unclear). Most were about {question}. Segments under {min} statements are not drawn. The appendix table "
        "gives every value."
    ).format(question=question_labels.get(most, most), min=min_count)
    return Chart(png, alt, display, title)


def heatmap(
    table: pd.DataFrame,
    code_names: Mapping[str, str],
    cohort_labels: Mapping[str, str],
    min_count: int,
    tr: Translator | None = None,
) -> Chart:
    """A priority area x cohort heat map of statement counts (suppressed cells grey and marked '<n').

    Args:
        table: :func:`pipeline.reports.tables.code_by_cohort` (``code`` plus one column per cohort).
        code_names: Priority-area names.
        cohort_labels: Cohort id -> readable label.
        min_count: Disclosure threshold.
        tr: The document's translator (English by default).
    """
    tr = tr or translator("en")
    title = tr("Statements by priority area and cohort")
    cohorts = [c for c in table.columns if c != "code"]
    display = suppress(table, cohorts, min_count).rename(
        columns={c: cohort_labels.get(c, c) for c in cohorts}
    )
    if table.empty or not cohorts:
        return _empty_chart(title, tr("No coded statements to show."), display)
    if int(table[cohorts].to_numpy().max()) < min_count:
        message = tr("Every count is below {n}, so none is drawn: see the table.").format(n=min_count)
        return _empty_chart(title, message, display)
    plt = _pyplot()
    import numpy as np  # noqa: PLC0415

    values = table[cohorts].to_numpy(dtype=float)
    shown = np.where((values > 0) & (values < min_count), np.nan, values)
    cmap = plt.get_cmap("cividis").with_extremes(bad=style.SUPPRESSED_FILL)
    fig, ax = plt.subplots(figsize=(1.5 * len(cohorts) + 4, 0.6 * len(table) + 2.5))
    vmax = max(float(np.nanmax(shown)) if np.isfinite(shown).any() else 1.0, 1.0)
    image = ax.imshow(np.ma.masked_invalid(shown), cmap=cmap, vmin=0, vmax=vmax, aspect="auto")
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if math.isnan(shown[i, j]):
                text, colour = f"<{min_count}", style.TEXT
            else:
                text = str(int(values[i, j]))
                colour = style.readable_text_on(tuple(image.cmap(image.norm(shown[i, j]))[:3]))
            ax.text(j, i, text, ha="center", va="center", color=colour, fontsize=FONT_SIZE - 1)
    ax.set_xticks(range(len(cohorts)), [cohort_labels.get(c, c) for c in cohorts], rotation=30, ha="right")
    ax.set_yticks(range(len(table)), [f"{c} {code_names.get(c, '')}".strip() for c in table["code"]])
    ax.set_title(title, loc="left")
    fig.colorbar(image, ax=ax, label=tr("Statements"), shrink=0.8)
    png = _png(fig)
    col_totals = table[cohorts].sum()
    alt = tr(
        "Heat map of statements for {n} priority areas (rows) and {k} cohorts (columns); darker cells mean fewer "
        "statements, yellow cells more. Most statements came from {top}. Cells under {min} are grey and marked "
        "'<{min}'. The table gives every value."
    ).format(n=len(table), k=len(cohorts), top=cohort_labels.get(col_totals.idxmax(), col_totals.idxmax()),
             min=min_count)
    return Chart(png, alt, display, title)


def ratio_chart(table: pd.DataFrame, tr: Translator | None = None, title: str | None = None) -> Chart:
    """Disproportionality ratios with confidence intervals (a dot-and-whisker chart, log scale).

    Args:
        table: :func:`pipeline.reports.tables.disproportionality` output (or the rows to draw).
        tr: The document's translator (English by default).
        title: The chart's title (default: all ratios).
    """
    tr = tr or translator("en")
    title = title or tr("Disproportionality ratios in the equality data, with 95% intervals")
    cols = list(RATIO_COLUMNS)
    display = table[cols].copy() if not table.empty else pd.DataFrame(columns=cols)
    if table.empty:
        return _empty_chart(title, tr("No equality data ratios are available."), display)
    plt = _pyplot()
    rows = table.iloc[::-1].reset_index(drop=True)
    labels = [
        tr("{measure}: {ethnicity} vs {reference}, {area} ({period})").format(
            measure=tr(str(r.measure).replace("_", " ")), ethnicity=r.ethnicity, reference=r.reference_group,
            area=r.area, period=r.period)
        for r in rows.itertuples()
    ]
    fig, ax = plt.subplots(figsize=(10, 0.55 * len(rows) + 1.8))
    for i, r in enumerate(rows.itertuples()):
        reliable = bool(r.reliable)
        colour = style.STANCE_COLOURS["agree"] if reliable else style.STANCE_COLOURS["unclear"]
        if pd.notna(r.ci_low) and pd.notna(r.ci_high):
            ax.plot([r.ci_low, r.ci_high], [i, i], color=colour, linewidth=2.5)
        ax.plot(
            [r.ratio],
            [i],
            marker="o",
            markersize=9,
            color=colour,
            markerfacecolor=colour if reliable else "white",
            markeredgewidth=2,
        )
    ax.axvline(1.0, color=style.MUTED_TEXT, linestyle="--", linewidth=1.2)
    ax.set_xscale("log")
    ax.set_yticks(range(len(rows)), labels)
    ax.set_xlabel(tr("Ratio to the reference group (1 = no difference; log scale)"))
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, loc="left")
    png = _png(fig)
    top = table.loc[table["ratio"].idxmax()]
    n_unreliable = int((~table["reliable"].astype(bool)).sum())
    alt = tr(
        "Dot and whisker chart of {n} disproportionality ratios with 95% confidence intervals on a log scale; the "
        "dashed line at 1 means no difference. The highest is {measure} for {ethnicity} people in {area}: {ratio} "
        "times the {reference} rate. {unreliable} ratio(s) are flagged unreliable (hollow grey dots). The table "
        "gives every value."
    ).format(n=len(table), measure=tr(str(top["measure"]).replace("_", " ")), ethnicity=top["ethnicity"],
             area=top["area"], ratio=f"{float(top['ratio']):.1f}", reference=top["reference_group"],
             unreliable=n_unreliable)
    return Chart(png, alt, display, title)
