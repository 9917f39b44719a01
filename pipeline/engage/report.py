"""The returns tracker in the theme report's engagement-coverage section (issue 16).

:func:`tracker_blocks` turns the tracker's tables (``tracker/returns_status.csv`` and
``tracker/gap_groups.csv``, read by :func:`pipeline.reports.inputs.load_inputs`) into blocks of the
report's document model: a sentence on returns as of the tracker's date and the plan's own gap
groups, and two tables with small counts suppressed (:mod:`pipeline.disclosure`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from pipeline import disclosure as D


def tracker_sentence(status: pd.DataFrame, gaps: pd.DataFrame | None, tr: Any) -> str:
    """"As of <date>, 8 of 11 funded organisations had sent their return ..." in the document's language."""
    counts = status["status"].value_counts()
    as_of = str(status["as_of"].iloc[0]) if "as_of" in status and len(status) else ""
    text = tr("As of {date}, {received} of {n} funded organisations had sent their return ({late} after the "
              "deadline); {missing} had not.").format(
        date=as_of, n=len(status), received=int(counts.get("received", 0) + counts.get("late", 0)),
        late=int(counts.get("late", 0)), missing=int(counts.get("missing", 0) + counts.get("awaited", 0)))
    if gaps is not None and len(gaps):
        unheard = [g for g, s in zip(gaps["group"], gaps["status"], strict=True) if s != "Heard"]
        text += " " + (tr("Groups the plan itself names as gaps and not yet (well) heard: {groups}.").format(
            groups="; ".join(unheard)) if unheard else tr("Every group the plan itself names as a gap was heard."))
    return text


def tracker_blocks(ctx: dict[str, Any], view: Callable[..., Any]) -> list[Any]:
    """The tracker's blocks for the coverage section ([] when ``make returns-status`` has not been run)."""
    from pipeline.reports.document import Paragraph

    inputs, tr, min_count = ctx["inputs"], ctx["tr"], ctx["min_count"]
    status, gaps = inputs.get("returns_status"), inputs.get("gap_groups")
    if status is None or not len(status):
        return []
    status = status.astype(object).where(status.notna(), "")
    blocks: list[Any] = [Paragraph(tracker_sentence(status, gaps, tr))]
    if gaps is not None and len(gaps):
        shown = D.suppress(gaps[["group", "n_organisations", "n_participants", "status", "promised_by"]],
                           ["n_participants"], min_count).assign(status=[tr(s) for s in gaps["status"]])
        blocks.append(view(shown, tr("The plan's own gap groups: heard or not, and who promised to reach them"), tr,
                           note=ctx["suppression_note"], sheet="plan_gap_groups"))
    table = status[["organisation", "status", "deadline", "date_received", "participants_promised",
                    "participants_reported"]]
    shown = D.suppress(table, ["participants_reported"], min_count).assign(status=[tr(s) for s in table["status"]])
    blocks.append(view(shown, tr("Returns from the funded organisations (returns tracker)"), tr,
                       note=ctx["suppression_note"], sheet="returns_status"))
    return blocks
