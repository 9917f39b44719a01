"""Tests of pipeline.plancheck.reader (reading draft plans) and the runner's draft choice. Fast: no model."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.plancheck.reader import PlanError, action_key, read_plan
from pipeline.plancheck.stage import choose_drafts, find_drafts

MD_PLAN = """# Draft delivery plan

Some introduction. We will review this plan every year with the communities.

## Priority area 6: Promote fairness

People told us about stop and search.

We will:

1. Publish stop and search figures by ethnicity every six months.
2. Set up an independent panel to scrutinise stop and search.

## Priority area 5: Educate the workforce

- Deliver **anti-racism training** to all staff.
- Leeds
"""


def actions(df):
    return df.loc[df["kind"] == "action"].reset_index(drop=True)


def test_markdown_plan_sections_and_actions(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text(MD_PLAN, encoding="utf-8")
    plan = read_plan(path)
    acts = actions(plan)
    assert acts["text"].tolist() == [
        "We will review this plan every year with the communities.",
        "Publish stop and search figures by ethnicity every six months.",
        "Set up an independent panel to scrutinise stop and search.",
        "Deliver anti-racism training to all staff.",
    ]
    assert acts["ref"].tolist() == ["#1", "1", "2", "#4"]
    assert acts.loc[1, "section"] == "Draft delivery plan > Priority area 6: Promote fairness"
    # "We will:" introduces the list; a one-word bullet is not an action; the non-cue sentence stays a paragraph.
    paragraphs = plan.loc[plan["kind"] == "paragraph", "text"].tolist()
    assert "We will:" in paragraphs and "Leeds" in paragraphs and "Some introduction." in paragraphs
    assert plan["order"].tolist() == list(range(len(plan)))


def test_text_plan_headings_and_wrapped_items(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(
        "PRIORITY AREA 7: PREVENTION\n\n"
        "1.1 Expand diversion schemes for young people from racially minoritised\n"
        "backgrounds across Wales.\n"
        "1.2 Fund youth work in every police force area.\n\n"
        "Interpreters\n\n"
        "* Provide a qualified interpreter in custody.\n",
        encoding="utf-8",
    )
    plan = read_plan(path)
    acts = actions(plan)
    assert acts["text"].tolist()[0] == (
        "Expand diversion schemes for young people from racially minoritised backgrounds across Wales."
    )
    assert acts["ref"].tolist() == ["1.1", "1.2", "#3"]
    assert acts["section"].tolist() == ["PRIORITY AREA 7: PREVENTION"] * 2 + ["Interpreters"]


def test_docx_plan_heading_styles_and_lists(tmp_path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_heading("Draft plan", level=0)
    doc.add_heading("Priority area 2: Workforce", level=1)
    doc.add_paragraph("Set recruitment targets for every force.", style="List Number")
    doc.add_paragraph("Mentor minoritised staff into senior roles.", style="List Bullet")
    doc.add_heading("Language", level=2)
    doc.add_paragraph("Background text. We will provide interpreters at every police station.")
    path = tmp_path / "plan.docx"
    doc.save(path)
    plan = read_plan(path)
    acts = actions(plan)
    assert acts["text"].tolist() == [
        "Set recruitment targets for every force.",
        "Mentor minoritised staff into senior roles.",
        "We will provide interpreters at every police station.",
    ]
    assert acts["section"].tolist()[2] == "Priority area 2: Workforce > Language"
    assert plan.loc[plan["kind"] == "heading", "level"].tolist() == [0, 1, 2]


def test_pdf_plan(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in ["Priority area 4: Transparency", "", "1. Publish use of force data by ethnicity.",
                 "2. Publish complaints outcomes every quarter."]:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "plan.pdf"
    pdf.output(str(path))
    acts = actions(read_plan(path))
    assert acts["text"].tolist() == ["Publish use of force data by ethnicity.", "Publish complaints outcomes every quarter."]
    assert set(acts["section"]) == {"Priority area 4: Transparency"}


def test_plan_without_actions_gets_plain_english_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n\nThe plan is being drafted. It will cover seven areas.\n", encoding="utf-8")
    with pytest.raises(PlanError) as err:
        read_plan(path)
    msg = str(err.value)
    assert "No actions were recognised in notes.md" in msg
    assert "1 heading(s) and 1 paragraph(s)" in msg
    assert "We will" in msg and "numbered or bulleted" in msg


def test_unreadable_inputs_get_plain_english_errors(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="does not exist"):
        read_plan(tmp_path / "missing.docx")
    odd = tmp_path / "plan.odt"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(PlanError, match="Save the draft as a Word document"):
        read_plan(odd)
    broken = tmp_path / "broken.docx"
    broken.write_text("not a zip file", encoding="utf-8")
    with pytest.raises(PlanError, match="could not be opened"):
        read_plan(broken)


def test_action_ids_are_stable_and_unique(tmp_path: Path) -> None:
    a = tmp_path / "a.md"
    b = tmp_path / "b.md"
    a.write_text("# X\n\n- Publish the data every year.\n- Train all staff on racism.\n", encoding="utf-8")
    b.write_text("# Y\n\n- Train all staff on racism!\n- Publish the data every year.\n- Publish the data every year.\n",
                 encoding="utf-8")
    ida = dict(zip(actions(read_plan(a))["text"], actions(read_plan(a))["action_id"], strict=True))
    idb = actions(read_plan(b))["action_id"].tolist()
    assert idb[0] == action_key("Train all staff on racism.")  # punctuation does not change the id
    assert idb[1] == ida["Publish the data every year."]
    assert idb[2] == idb[1] + "-2"


def test_drafts_are_chosen_by_natural_name_order(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    for name in ("draft_v2.md", "draft_v10.md", "draft_v9.docx", "README.md"):
        (plans / name).write_text("- x y z w\n", encoding="utf-8")
    assert [p.name for p in find_drafts(plans)] == ["draft_v2.md", "draft_v9.docx", "draft_v10.md"]
    plan, previous = choose_drafts(None, None, plans, compare=True)
    assert (plan.name, previous.name) == ("draft_v10.md", "draft_v9.docx")
    plan, previous = choose_drafts(plans / "draft_v2.md", None, plans, compare=True)
    assert previous is None
    assert choose_drafts(None, None, plans, compare=False)[1] is None
