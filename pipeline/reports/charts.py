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


def stance_bars(table: pd.DataFrame, code_names: Mapping[str, str], min_count: int) -> Chart:
    """Horizontal stacked bars of statements by stance for each priority area.

    Args:
        table: :func:`pipeline.reports.tables.stance_by_code` (``code`` plus one column per stance).
        code_names: Priority-area names for the axis labels.
        min_count: Segments with fewer statements than this are not drawn (shown as '<n' in the table).
    """
    title = "What people said about each priority area, by stance"
    display = suppress(table, STANCES, min_count)
    display.insert(1, "priority_area", [code_names.get(c, c) for c in table["code"]])
    if table.empty or int(table[list(STANCES)].to_numpy().sum()) == 0:
        return _empty_chart(title, "No coded statements to show.", display)
    if int(table[list(STANCES)].to_numpy().max()) < min_count:
        return _empty_chart(
            title, f"Every count is below {min_count}, so none is drawn: see the table.", display
        )
    plt = _pyplot()
    rows = table.iloc[::-1].reset_index(drop=True)
    labels = [f"{c} {code_names.get(c, '')}".strip() for c in rows["code"]]
    fig, ax = plt.subplots(figsize=(10, 0.62 * len(rows) + 1.8))
    left = [0] * len(rows)
    for stance in STANCES:
        values = [int(v) if int(v) >= min_count else 0 for v in rows[stance]]
        ax.barh(
            labels,
            values,
            left=left,
            color=style.STANCE_COLOURS[stance],
            hatch=style.STANCE_HATCHES[stance],
            edgecolor="white",
            linewidth=0.8,
            label=style.STANCE_LABELS[stance],
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlabel("Statements")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(ncols=4, loc="upper left", bbox_to_anchor=(0, -0.12 - 0.6 / max(len(rows), 1)), frameon=False)
    ax.set_title(title, loc="left")
    png = _png(fig)
    totals = table.set_index("code")[list(STANCES)].sum(axis=1)
    most = totals.idxmax()
    disagree_share = {
        c: (r["disagree"] / totals[c]) if totals[c] else 0 for c, r in table.set_index("code").iterrows()
    }
    most_disagree = max(disagree_share, key=lambda c: (disagree_share[c], c))
    alt = (
        f"Stacked bar chart of statements by stance (agree, disagree, mixed, unclear) for {len(table)} priority areas. "
        f"{most} {code_names.get(most, '')} drew the most statements; "
        f"{most_disagree} {code_names.get(most_disagree, '')} had the largest share of disagreement. "
        f"Segments under {min_count} statements are not drawn. The table below gives every value."
    )
    return Chart(png, alt, display, title)


def heatmap(
    table: pd.DataFrame, code_names: Mapping[str, str], cohort_labels: Mapping[str, str], min_count: int
) -> Chart:
    """A priority area x cohort heat map of statement counts (suppressed cells grey and marked '<n').

    Args:
        table: :func:`pipeline.reports.tables.code_by_cohort` (``code`` plus one column per cohort).
        code_names: Priority-area names.
        cohort_labels: Cohort id -> readable label.
        min_count: Disclosure threshold.
    """
    title = "Statements by priority area and cohort"
    cohorts = [c for c in table.columns if c != "code"]
    display = suppress(table, cohorts, min_count).rename(
        columns={c: cohort_labels.get(c, c) for c in cohorts}
    )
    if table.empty or not cohorts:
        return _empty_chart(title, "No coded statements to show.", display)
    if int(table[cohorts].to_numpy().max()) < min_count:
        return _empty_chart(
            title, f"Every count is below {min_count}, so none is drawn: see the table.", display
        )
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
    fig.colorbar(image, ax=ax, label="Statements", shrink=0.8)
    png = _png(fig)
    col_totals = table[cohorts].sum()
    alt = (
        f"Heat map of statements for {len(table)} priority areas (rows) and {len(cohorts)} cohorts (columns); "
        f"darker cells mean fewer statements, yellow cells more. "
        f"Most statements came from {cohort_labels.get(col_totals.idxmax(), col_totals.idxmax())}. "
        f"Cells under {min_count} are grey and marked '<{min_count}'. The table below gives every value."
    )
    return Chart(png, alt, display, title)


def ratio_chart(table: pd.DataFrame) -> Chart:
    """Disproportionality ratios with confidence intervals (a dot-and-whisker chart, log scale).

    Args:
        table: :func:`pipeline.reports.tables.disproportionality` output.
    """
    title = "Disproportionality ratios in the equality data, with 95% intervals"
    cols = list(RATIO_COLUMNS)
    display = table[cols].copy() if not table.empty else pd.DataFrame(columns=cols)
    if table.empty:
        return _empty_chart(title, "No equality data ratios are available.", display)
    plt = _pyplot()
    rows = table.iloc[::-1].reset_index(drop=True)
    labels = [
        f"{r.measure}: {r.ethnicity} vs {r.reference_group}, {r.area} ({r.period})" for r in rows.itertuples()
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
    ax.set_xlabel("Ratio to the reference group (1 = no difference; log scale)")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, loc="left")
    png = _png(fig)
    top = table.loc[table["ratio"].idxmax()]
    n_unreliable = int((~table["reliable"].astype(bool)).sum())
    alt = (
        f"Dot and whisker chart of {len(table)} disproportionality ratios with 95% confidence intervals on a log scale; "
        f"the dashed line at 1 means no difference. The highest is {top['measure']} for {top['ethnicity']} people in "
        f"{top['area']}: {float(top['ratio']):.1f} times the {top['reference_group']} rate. "
        f"{n_unreliable} ratio(s) are flagged unreliable (hollow grey dots). The table below gives every value."
    )
    return Chart(png, alt, display, title)
