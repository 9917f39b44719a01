"""Tests for pipeline.reports.charts: PNG bytes, alt text, the data behind each chart, determinism."""

import pandas as pd
from testkit.reports import make_tables

from pipeline.reports import charts, style
from pipeline.reports import tables as T

NAMES = {f"PA{i}": f"Area {i}" for i in range(1, 8)}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _stance(n):
    return pd.DataFrame(
        [{"code": f"PA{i}", "agree": n * i, "disagree": n, "mixed": 2, "unclear": 0} for i in range(1, 8)]
    )


def test_stance_bars_return_png_alt_text_and_suppressed_data():
    chart = charts.stance_bars(_stance(6), NAMES, 5)
    assert chart.png.startswith(PNG_MAGIC) and len(chart.png) > 5000
    assert "PA7 Area 7 drew the most statements" in chart.alt
    assert "Segments under 5" in chart.alt
    assert list(chart.data["mixed"]) == ["<5"] * 7  # 2 is suppressed in the table behind the chart
    assert list(chart.data["agree"]) == [6 * i for i in range(1, 8)]
    assert chart.data["priority_area"].iloc[0] == "Area 1"


def test_charts_are_deterministic():
    a = charts.stance_bars(_stance(6), NAMES, 5)
    b = charts.stance_bars(_stance(6), NAMES, 5)
    assert a.png == b.png
    c = charts.stance_bars(_stance(7), NAMES, 5)
    assert a.png != c.png


def test_heatmap_greys_out_small_cells_and_labels_them():
    table = pd.DataFrame({"code": ["PA1", "PA2"], "prison": [12, 3], "schools": [0, 9]})
    chart = charts.heatmap(table, NAMES, {"prison": "People in prison", "schools": "School pupils"}, 5)
    assert chart.png.startswith(PNG_MAGIC)
    assert "Most statements came from People in prison" in chart.alt
    assert list(chart.data["People in prison"]) == [12, "<5"]
    assert list(chart.data["School pupils"]) == [0, 9]


def test_ratio_chart_from_edi_measures():
    ratios = T.disproportionality(make_tables()["edi_measures"])
    chart = charts.ratio_chart(ratios)
    assert chart.png.startswith(PNG_MAGIC)
    assert "stop search for Black people in South Wales: 4.2 times the White rate" in chart.alt
    assert "1 ratio(s) are flagged unreliable" in chart.alt
    assert len(chart.data) == 2


def test_empty_or_all_suppressed_inputs_give_a_message_not_a_crash():
    empty = charts.ratio_chart(T.disproportionality(None))
    assert empty.png.startswith(PNG_MAGIC) and "No equality data" in empty.alt
    small = charts.stance_bars(_stance(1).assign(agree=1), NAMES, 5)
    assert "below 5" in small.alt


def test_palette_marks_reach_three_to_one_on_white():
    for colour in style.STANCE_COLOURS.values():
        assert style.contrast_ratio(colour, "#FFFFFF") >= 3.0
    assert round(style.contrast_ratio("#000000", "#FFFFFF"), 1) == 21.0
    assert style.readable_text_on("#00204D") == "#FFFFFF"
    assert style.readable_text_on("#FFE945") == style.TEXT
