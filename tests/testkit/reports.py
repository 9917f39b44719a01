"""Hand-written processed tables for the report tests (following docs/data-model.md).

Four organisations: a youth justice group large enough to quote (8 participants), a Gypsy, Roma and
Traveller group too small to quote (3 participants), a prison survey (12 participants) and a
community group whose return gives no participant number (one group reference: never quotable).
Two statements of quotable groups hold personal data that redaction missed (an email, a postcode).
The report tests import :func:`make_tables`, :func:`write_processed` and :func:`build_context` from here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline import config
from pipeline.reports import theme_report
from pipeline.reports.inputs import TABLES, load_inputs

YOUTH = "Cymru Youth Voice"
TRAVELLER = "Traveller Support Wales"
PRISON = "Prison Link Cymru"
COMMUNITY = "Community Hub Newport"

RETURNS = [
    # organisation, source_file, format, cohort, area, method, n_participants
    (YOUTH, "youth/focus_group.docx", "docx", "youth_justice", "South Wales", "focus_group", 8),
    (TRAVELLER, "grt/interviews.xlsx", "xlsx", "gypsy_roma_traveller", "North Wales", "interview", 3),
    (PRISON, "prison/survey.csv", "csv", "prison", "Gwent;South Wales", "survey", 12),
    (COMMUNITY, "community/notes.txt", "txt", "community", "Dyfed-Powys", "focus_group", None),
]

# organisation, participant_ref, question, stance, is_suggestion, codes "PA6:subtheme|PA1:", text, speaker
STATEMENTS = [
    (
        YOUTH,
        "P-a1",
        "listened",
        "agree",
        False,
        "PA3:being heard",
        "I felt that people finally listened to what we said in the group.",
        "participant",
    ),
    (
        YOUTH,
        "P-a2",
        "listened",
        "disagree",
        False,
        "PA3:being heard",
        "Nobody came back to tell us what happened after the last consultation.",
        "participant",
    ),
    (
        YOUTH,
        "P-a3",
        "interpreted",
        "agree",
        False,
        "PA6:stop and search",
        "Stop and search happens to us far more than to our white friends.",
        "participant",
    ),
    (
        YOUTH,
        "P-a4",
        "interpreted",
        "mixed",
        False,
        "PA6:stop and search|PA1:racist language",
        "Some officers are fine but others use racist words when they stop us.",
        "participant",
    ),
    (
        YOUTH,
        "P-a5",
        "solutions",
        "disagree",
        True,
        "PA2:recruitment",
        "They should recruit youth workers who look like us and come from our area.",
        "participant",
    ),
    (
        YOUTH,
        "P-a6",
        "solutions",
        "agree",
        True,
        "PA7:diversion",
        "Give us youth clubs and mentoring before anyone ends up in court, that is what works.",
        "participant",
    ),
    (
        YOUTH,
        "P-a7",
        "other",
        "unclear",
        False,
        "PA6:stop and search",
        "If you want to talk more email me at jo.bloggs@example.org about the stops.",
        "participant",
    ),
    (YOUTH, "P-a8", "other", "unclear", False, "uncoded", "Yes.", "participant"),
    (
        YOUTH,
        "G-fac",
        "listened",
        "agree",
        False,
        "PA3:being heard",
        "The facilitator noted that the group felt broadly listened to overall.",
        "facilitator",
    ),
    (
        TRAVELLER,
        "P-b1",
        "listened",
        "disagree",
        False,
        "PA3:being heard",
        "We are never asked anything and nobody from the police visits our site.",
        "participant",
    ),
    (
        TRAVELLER,
        "P-b2",
        "interpreted",
        "disagree",
        False,
        "PA1:racist language",
        "People still call us names and the police do nothing about it at all.",
        "participant",
    ),
    (
        TRAVELLER,
        "P-b3",
        "solutions",
        "agree",
        True,
        "PA7:sites",
        "Proper transit sites would stop so many of the evictions and arrests.",
        "participant",
    ),
    (
        TRAVELLER,
        "P-b1",
        "other",
        "disagree",
        False,
        "PA1:racist language",
        "Racism against Travellers is still treated as acceptable in this country.",
        "participant",
    ),
    (
        TRAVELLER,
        "P-b2",
        "solutions",
        "agree",
        True,
        "PA5:cultural awareness",
        "Train officers about our culture so they understand how we live.",
        "participant",
    ),
    (
        PRISON,
        "P-c1",
        "listened",
        "agree",
        False,
        "PA3:being heard",
        "It is good that someone asked people inside what they think for once.",
        "participant",
    ),
    (
        PRISON,
        "P-c2",
        "interpreted",
        "disagree",
        False,
        "PA6:adjudications",
        "Black prisoners get more adjudications and nobody looks at the numbers.",
        "participant",
    ),
    (
        PRISON,
        "P-c3",
        "interpreted",
        "agree",
        False,
        "PA6:adjudications",
        "The plan is right that discipline inside is not handed out fairly to everyone.",
        "participant",
    ),
    (
        PRISON,
        "P-c4",
        "solutions",
        "agree",
        True,
        "PA7:resettlement",
        "Help with housing and work on release would stop people coming back.",
        "participant",
    ),
    (
        PRISON,
        "P-c5",
        "solutions",
        "mixed",
        True,
        "PA4:complaints",
        "Complaints should go to someone independent, not the wing staff who we complain about.",
        "participant",
    ),
    (
        PRISON,
        "P-c6",
        "other",
        "disagree",
        False,
        "PA5:training",
        "My cell is at the block near CF10 1AB and staff training never covers racism.",
        "participant",
    ),
    (
        PRISON,
        "P-c7",
        "other",
        "agree",
        False,
        "PA2:recruitment|PA5:training",
        "More staff from minority backgrounds would change how things feel on the wings.",
        "participant",
    ),
    (
        COMMUNITY,
        "G-d1",
        "listened",
        "mixed",
        False,
        "PA3:being heard",
        "The group said they were heard but did not see changes in their community yet.",
        "participant",
    ),
    (
        COMMUNITY,
        "G-d1",
        "solutions",
        "agree",
        True,
        "PA4:data",
        "Publish the data on stop and search by ethnicity for each area every year please.",
        "participant",
    ),
]


def _sid(i: int) -> str:
    return f"R{i:012x}-S01"


def make_tables() -> dict[str, pd.DataFrame]:
    """The processed tables of a tiny consultation, following docs/data-model.md exactly."""
    returns = pd.DataFrame(
        [
            {
                "organisation": o,
                "source_file": f,
                "format": fmt,
                "cohort": c,
                "police_force_area": a,
                "engagement_method": m,
                "n_participants": n,
                "language": "en",
                "date_received": "2026-03-01",
                "n_responses": sum(1 for s in STATEMENTS if s[0] == o),
            }
            for o, f, fmt, c, a, m, n in RETURNS
        ]
    )
    returns["n_participants"] = returns["n_participants"].astype("Int64")
    by_org = {r[0]: r for r in RETURNS}
    stmt_rows, code_rows, resp_rows = [], [], []
    for i, (org, ref, question, stance, sugg, codes, text, speaker) in enumerate(STATEMENTS):
        _, source_file, _, cohort, area, method, _ = by_org[org]
        sid = _sid(i)
        common = {
            "organisation": org,
            "cohort": cohort,
            "police_force_area": area,
            "engagement_method": method,
            "participant_ref": ref,
            "speaker": speaker,
            "language": "en",
        }
        resp_rows.append(
            {
                "response_id": sid[:13],
                "source_file": source_file,
                "source_location": f"line={i + 1}",
                **common,
                "question": question,
                "question_label": question.capitalize(),
                "text": text,
                "n_redactions": 0,
            }
        )
        parsed = [c.split(":") if ":" in c else [c, ""] for c in codes.split("|")]
        stmt_rows.append(
            {
                "statement_id": sid,
                "response_id": sid[:13],
                **common,
                "question": question,
                "question_source": "ingest" if i % 5 else "inferred",
                "question_confidence": 1.0 if i % 5 else 0.7,
                "text": text,
                "char_start": 0,
                "char_end": len(text),
                "stance": stance,
                "stance_confidence": 0.8,
                "is_suggestion": sugg,
                "reviewed": i % 4 == 0,
                "n_codes": sum(1 for c, _ in parsed if c != "uncoded"),
            }
        )
        for code, sub in parsed:
            code_rows.append(
                {
                    "statement_id": sid,
                    "code": code,
                    "subtheme": sub,
                    "confidence": 0.9 if code != "uncoded" else 0.0,
                    "evidence": "",
                    "source": "model" if i % 3 else "rule",
                }
            )
    statements = pd.DataFrame(stmt_rows)
    topics = pd.DataFrame(
        [
            {
                "topic": -1,
                "label": "Unassigned",
                "keywords": "",
                "size": 4,
                "n_organisations": 3,
                "representative_statement_ids": "",
                "nearest_code": "",
                "similarity": 0.0,
                "covered": False,
                "coverage": "",
            },
            {
                "topic": 0,
                "label": "stop and search",
                "keywords": "stop; search; officers",
                "size": 6,
                "n_organisations": 2,
                "representative_statement_ids": f"{_sid(2)};{_sid(3)};{_sid(6)}",
                "nearest_code": "PA6",
                "similarity": 0.61,
                "covered": True,
                "coverage": "covered by PA6",
            },
            {
                "topic": 1,
                "label": "Traveller sites and evictions",
                "keywords": "sites; evictions; transit",
                "size": 3,
                "n_organisations": 1,
                "representative_statement_ids": f"{_sid(11)};{_sid(9)}",
                "nearest_code": "PA7",
                "similarity": 0.22,
                "covered": False,
                "coverage": "not in the plan",
            },
            {
                "topic": 2,
                "label": "Housing and work on release",
                "keywords": "housing; release; work",
                "size": 7,
                "n_organisations": 2,
                "representative_statement_ids": f"{_sid(17)};{_sid(20)}",
                "nearest_code": "PA7",
                "similarity": 0.25,
                "covered": False,
                "coverage": "not in the plan",
            },
        ]
    )
    statement_topics = pd.DataFrame(
        [
            {"statement_id": _sid(i), "topic": t, "probability": 0.7}
            for i, t in [(2, 0), (3, 0), (6, 0), (11, 1), (9, 1), (17, 2), (20, 2)]
        ]
    )
    edi = pd.DataFrame(
        [
            (
                "stop_search",
                "South Wales",
                "2024/25",
                "Black",
                "Black",
                420,
                10000,
                42.0,
                "per 1,000",
                "White",
                10.0,
                4.2,
                3.5,
                5.0,
                "rate ratio",
                True,
                False,
                "Home Office stop and search statistics",
                "",
            ),
            (
                "stop_search",
                "Gwent",
                "2024/25",
                "Asian",
                "Asian",
                30,
                2000,
                15.0,
                "per 1,000",
                "White",
                7.0,
                2.1,
                0.9,
                4.8,
                "rate ratio",
                False,
                False,
                "Home Office stop and search statistics",
                "small numbers",
            ),
            (
                "custody",
                "North Wales",
                "2024/25",
                "Mixed",
                "Mixed",
                3,
                900,
                None,
                "per 1,000",
                "White",
                5.0,
                None,
                None,
                None,
                "rate ratio",
                False,
                True,
                "Police custody records",
                "suppressed",
            ),
        ],
        columns=[
            "measure",
            "area",
            "period",
            "ethnicity",
            "ethnicity_group",
            "count",
            "denominator",
            "rate",
            "rate_unit",
            "reference_group",
            "reference_rate",
            "ratio",
            "ci_low",
            "ci_high",
            "ratio_kind",
            "reliable",
            "suppressed",
            "source",
            "notes",
        ],
    )
    triangulation = pd.DataFrame(
        [
            {
                "code": "PA6",
                "code_name": "Promote fairness",
                "police_force_area": "South Wales",
                "cohort": "",
                "n_statements": 5,
                "n_participants": 4,
                "share_disagree": 0.2,
                "quotes": "",
                "measure": "stop_search",
                "ethnicity": "Black",
                "period": "2024/25",
                "ratio": 4.2,
                "ci_low": 3.5,
                "ci_high": 5.0,
                "source": "Home Office stop and search statistics",
                "reading": "Participants' accounts of being stopped more often agree with the data.",
                "caveat": "Stop and search rates use 2021 Census populations as denominators.",
            },
        ]
    )
    ledger = pd.DataFrame(
        [
            {
                "file": r[1],
                "format": r[2],
                "status": "accepted",
                "rows_read": 5,
                "rows_accepted": 5,
                "rows_rejected": 0,
                "rows_duplicate": 0,
                "reason": "",
            }
            for r in RETURNS
        ]
    )
    return {
        "responses": pd.DataFrame(resp_rows),
        "returns": returns,
        "ingest_ledger": ledger,
        "statements": statements,
        "codes": pd.DataFrame(code_rows),
        "topics": topics,
        "statement_topics": statement_topics,
        "edi_measures": edi,
        "triangulation": triangulation,
    }


EVALUATION = {"f1_samples": 0.74, "f1_micro": 0.71, "per_code": {"PA1": 0.7}}


def write_processed(
    folder: Path,
    tables: dict[str, pd.DataFrame] | None = None,
    skip: tuple[str, ...] = (),
    evaluation: dict | None = EVALUATION,
) -> Path:
    """Write the fixture tables to ``folder`` as the stages would (parquet; the ledger as CSV)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in (tables or make_tables()).items():
        if name in skip:
            continue
        path = folder / TABLES[name][0]
        if path.suffix == ".csv":
            df.to_csv(path, index=False)
        else:
            df.to_parquet(path, index=False)
    if evaluation is not None:
        (folder / "evaluation.json").write_text(json.dumps(evaluation), encoding="utf-8")
    return folder


def build_context(folder: Path, min_count: int = 5, language: str | None = "en") -> dict:
    """The theme report's context built from the processed tables in ``folder``, with the real config."""
    return theme_report.build_context(
        load_inputs(folder), config.load_yaml("report.yaml"), config.load_yaml("vocabularies.yaml"), min_count,
        "fixture", language,
    )
