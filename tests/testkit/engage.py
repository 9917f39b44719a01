"""Hand-written tables for the engagement kit's tests: equality measures and trends (the resource pack),
a small coded consultation (the REFI-QDA round trip) and a grants register (the returns tracker)."""

import pandas as pd


def measure_row(measure, area, period, group, count, denominator, ratio=None, low=None, high=None, suppressed=False,
         reliable=True, unit="per 1,000 population"):
    rate = None if count is None or denominator is None else 1000 * count / denominator
    return {"measure": measure, "area": area, "period": period, "ethnicity": group, "ethnicity_group": group,
            "count": count, "denominator": denominator, "rate": rate, "rate_unit": unit,
            "reference_group": "White" if ratio else "", "reference_rate": None, "ratio": ratio, "ci_low": low,
            "ci_high": high, "ratio_kind": "relative_rate" if ratio else "", "reliable": reliable,
            "suppressed": suppressed, "source": f"fixture source for {measure}", "notes": f"fixture caveat {measure}"}


MEASURES = pd.DataFrame([
    measure_row("stop_and_search", "Gwent", "2020", "Black", 199, 8758, 3.593576, 3.120131, 4.138861),
    measure_row("stop_and_search", "Gwent", "2020", "White", 3493, 552430),
    measure_row("stop_and_search", "Gwent", "2021", "Black", 100, 8758, 3.124180, 2.558683, 3.814657),
    measure_row("stop_and_search", "Gwent", "2021", "White", 2019, 552430),
    measure_row("use_of_force", "Gwent", "2019/20", "Other", 3, 4983, 0.21, 0.07, 0.66, reliable=False),
    measure_row("use_of_force", "Gwent", "2019/20", "Mixed", None, None, suppressed=True),
    measure_row("use_of_force", "Gwent", "2019/20", "White", 8105, 552430),
    measure_row("youth_custody", "England and Wales", "2021", "Black", 40, 10000, 9.0),
    measure_row("stop_and_search", "South Wales", "2021", "Black", 300, 20000, 2.1, 1.9, 2.31),
])
TRENDS = pd.DataFrame([{"measure": "stop_and_search", "area": "Gwent", "ethnicity_group": "Black",
                        "rate_unit": "per 1,000 population", "n_periods": 2, "first_period": "2020",
                        "last_period": "2021", "first_rate": 22.72, "last_rate": 11.42, "first_ratio": 3.59,
                        "last_ratio": 3.12, "change": "ratio down"}])


# A coded consultation of two answers, four statements.
A1 = "The police stopped me four times this month. Nobody explained why."
A2 = "Hate crime reports go nowhere. We need an independent panel to check them."
RESPONSES = pd.DataFrame({
    "response_id": ["R1", "R2"], "source_file": ["a.docx", "b.csv"], "question": ["listened", "solutions"],
    "participant_ref": ["P-aaaa", "P-bbbb"], "speaker": ["participant", "participant"], "text": [A1, A2],
})
STATEMENTS = pd.DataFrame({
    "statement_id": ["R1-S01", "R1-S02", "R2-S01", "R2-S02"], "response_id": ["R1", "R1", "R2", "R2"],
    "text": [A1[:44], A1[45:], A2[:29], A2[30:]], "char_start": [0, 45, 0, 30],
    "char_end": [44, len(A1), 29, len(A2)], "stance": ["disagree", "disagree", "unclear", "agree"],
    "is_suggestion": [False, False, False, True],
})
CODES = pd.DataFrame({
    "statement_id": ["R1-S01", "R1-S02", "R2-S01", "R2-S02"], "code": ["PA6", "uncoded", "PA1", "PA1"],
    "subtheme": ["", "", "PA1.hate_crime", ""], "confidence": [0.9, 0.2, 0.8, 0.7],
    "evidence": [""] * 4, "source": ["model"] * 4,
})
RETURNS = pd.DataFrame({
    "organisation": ["Org A", "Org B"], "source_file": ["a.docx", "b.csv"], "cohort": ["prison", "prison;community"],
    "police_force_area": ["Gwent", "All Wales"], "engagement_method": ["interview", "survey"],
    "n_participants": pd.array([4, pd.NA], dtype="Int64"), "language": ["en", "en"], "date_received": ["2026-03-01", ""],
})


#: A grants register as a coordinator might keep it (column names and values in their own words).
RAW_REGISTER = pd.DataFrame({
    "Organisation": ["On Time Trust", "Late Link", "Silent Society", "Future Forum"],
    "Cohorts": ["People in prison", "Asylum seekers", "Youth justice", "Schools"],
    "Police force area": ["Gwent", "South Wales", "North Wales", "Dyfed-Powys"],
    "Participants promised": ["10", "20", "8", "12"],
    "Grant (£)": ["£4,000", "5000", "3000", "2500"],
    "Deadline": ["2026-03-16", "16/03/2026", "2026-03-16", "2026-04-30"],
    "Contact": ["grants inbox", "grants inbox", "grants inbox", ""],
})
