"""Write two SYNTHETIC draft delivery plans for the plan-check demo into ``data/raw/sample/plans/``.

The drafts are written for the demo: no real organisation wrote them. ``draft_plan_v1.docx`` is
structured by the seven priority areas with numbered actions. It addresses several of the sample
consultation's themes (stop and search scrutiny, workforce recruitment, anti-racism training,
support for hate crime victims, publishing data, diversion) and deliberately misses others: interpreters and
language access, Gypsy/Traveller site provision and evictions, online racist abuse, mental health
and trauma support (the sample's planted emergent themes) and school exclusions.
``draft_plan_v2.docx`` closes two gaps (an interpreters action, a mental health and trauma action)
and drops the cultural and faith awareness action, so that the draft-to-draft comparison has a gap
that closed and one that opened. A ``README.md`` beside them says all this.

The files are byte-identical on every run (fixed core properties, fixed zip timestamps).

Run (from the repository root)::

    .venv/bin/python scripts/make_sample_plans.py                # writes data/raw/sample/plans/
    .venv/bin/python scripts/make_sample_plans.py /tmp/plans     # somewhere else
"""

from __future__ import annotations

import argparse
import io
import zipfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data" / "raw" / "sample" / "plans"
FIXED_DT = datetime(2026, 4, 1, 9, 0, 0)
FIXED_ZIP_TIME = (2026, 4, 1, 9, 0, 0)

INTRO = [
    "This is a SYNTHETIC draft written for the demonstration of the consultation analysis pipeline. "
    "It is not a plan of Criminal Justice in Wales and no organisation has agreed to it.",
    "Criminal Justice in Wales brings together the police forces, the prison and probation service, "
    "youth justice services, the courts and the Crown Prosecution Service in Wales. This draft sets out "
    "what these organisations will do to become anti-racist, following the consultation with racially "
    "minoritised people carried out by community organisations across the four police force areas.",
    "Each priority area below starts with what people told us and then lists the actions we will take. "
    "We will review this plan every year with the people and organisations who took part.",
]

#: (heading, lead paragraph, actions) per priority area, version 1.
AREAS_V1: list[tuple[str, str, list[str]]] = [
    (
        "Priority area 1: Challenge racism",
        "People told us that racism in the criminal justice system is real and that it must be named and confronted.",
        [
            "Publicly acknowledge institutional racism in every criminal justice organisation in Wales, with a "
            "statement of commitment to anti-racism signed by each chief officer.",
            "Introduce a zero-tolerance policy on racist language and behaviour by staff, with clear consequences, "
            "and report each year on the cases dealt with.",
            "Support victims of racially motivated hate crime with specialist caseworkers in every police force area.",
        ],
    ),
    (
        "Priority area 2: Build an ethnically diverse workforce",
        "People want to see staff who look like them and understand their communities, at every level.",
        [
            "Set recruitment targets so that police, prison and probation staff reflect the ethnic diversity of the "
            "communities they serve, and publish progress every year.",
            "Run positive action recruitment events with racially minoritised communities and remove barriers in "
            "the application and vetting process.",
            "Create mentoring and leadership programmes that help racially minoritised staff progress into senior roles.",
        ],
    ),
    (
        "Priority area 3: Involve, listen and take action",
        "People told us they are tired of being consulted without seeing anything change.",
        [
            "Set up a standing panel of people with lived experience of the criminal justice system, including young "
            "people, to advise on delivering this plan.",
            "Pay and support community organisations to co-produce actions with the people they work with.",
            "Report back to everyone who took part in the consultation, explaining what changed as a result.",
        ],
    ),
    (
        "Priority area 4: Be transparent, accountable and co-ordinated",
        "People want to see the figures and to know who is responsible when things go wrong.",
        [
            "Publish data on stop and search, use of force, arrests and sentencing by ethnicity for each police force "
            "area every six months.",
            "Set up an independent scrutiny panel in each force to review stop and search and use of force, "
            "including body-worn video footage.",
            "Review the complaints process so that racially minoritised people can complain easily and are told the outcome.",
            "The Criminal Justice Board for Wales will co-ordinate delivery across agencies and publish an annual progress report.",
        ],
    ),
    (
        "Priority area 5: Educate the workforce",
        "People said training is often a tick-box exercise that does not change behaviour.",
        [
            "Deliver mandatory anti-racism training to all staff, designed and delivered with people with lived experience.",
            "Provide cultural and faith awareness training for frontline officers and prison staff, and evaluate "
            "whether it changes practice.",
        ],
    ),
    (
        "Priority area 6: Promote fairness",
        "People described being stopped, searched and treated more harshly because of their race.",
        [
            "Reduce disproportionality in stop and search by requiring supervisors to review every search for reasonable grounds.",
            "Examine ethnic disparities in charging and sentencing decisions with the Crown Prosecution Service and "
            "the courts, and act on what we find.",
            "Make sure access to prison jobs, education and release on temporary licence is fair, and monitor it by ethnicity.",
        ],
    ),
    (
        "Priority area 7: Focus on prevention, early intervention and rehabilitation",
        "People want help earlier, before young people are drawn into the justice system.",
        [
            "Expand diversion schemes so that young people from racially minoritised backgrounds are diverted from "
            "the youth justice system at the earliest opportunity.",
            "Fund youth work and mentoring for young people at risk of serious violence, delivered by organisations "
            "rooted in their communities.",
            "Improve resettlement support on release from prison, including help with housing and employment.",
        ],
    ),
]

INTERPRETERS = (
    "Guarantee access to a qualified, independent interpreter in police custody, at court and when reporting a "
    "crime, and never use family members or children as interpreters."
)
MENTAL_HEALTH = (
    "Provide trauma-informed mental health support for people in custody and for young people in the youth "
    "justice system, working with local health boards."
)
CULTURAL = AREAS_V1[4][2][1]

CLOSING = [
    "How we will measure progress",
    "Each action will have a lead organisation, a timescale and a measure of success. Progress will be reported "
    "to the Criminal Justice Board for Wales every quarter and published on the Criminal Justice in Wales website.",
]


def areas_v2() -> list[tuple[str, str, list[str]]]:
    """Version 2: adds the interpreters and mental health actions, drops the cultural awareness action."""
    out = []
    for heading, lead, actions in AREAS_V1:
        actions = [a for a in actions if a != CULTURAL]
        if heading.startswith("Priority area 6"):
            actions = [*actions, INTERPRETERS]
        if heading.startswith("Priority area 7"):
            actions = [*actions, MENTAL_HEALTH]
        out.append((heading, lead, actions))
    return out


def build_docx(version: int, areas: list[tuple[str, str, list[str]]]) -> bytes:
    """The draft as .docx bytes, with fixed core properties and zip timestamps."""
    from docx import Document

    doc = Document()
    title = f"Anti-Racism Delivery Plan for Criminal Justice in Wales: draft {version} (SYNTHETIC)"
    doc.add_heading(title, level=0)
    doc.add_heading("Introduction", level=1)
    for para in INTRO:
        doc.add_paragraph(para)
    for n, (heading, lead, actions) in enumerate(areas, start=1):
        doc.add_heading(heading, level=1)
        doc.add_paragraph(lead)
        doc.add_paragraph("We will:")
        for k, action in enumerate(actions, start=1):
            # Visible numbers ("1.2") in the text, as plan authors write them, in a numbered-list style.
            doc.add_paragraph(f"{n}.{k} {action}", style="List Number")
    doc.add_heading(CLOSING[0], level=1)
    doc.add_paragraph(CLOSING[1])
    props = doc.core_properties
    props.author = "Sample generator (synthetic)"
    props.title = title
    props.created = FIXED_DT
    props.modified = FIXED_DT
    props.last_modified_by = "Sample generator (synthetic)"
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return _rezip(buf.getvalue())


def _rezip(data: bytes) -> bytes:
    """Re-zip with fixed timestamps and a fixed member order so reruns write identical bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


README = """# Sample draft plans (SYNTHETIC)

**These drafts are synthetic.** `scripts/make_sample_plans.py` wrote them for the plan-check demo
(`python -m pipeline plan-check`); no organisation wrote or agreed to them. Regenerate with
`.venv/bin/python scripts/make_sample_plans.py` (reruns write identical bytes).

| file | what it is |
|---|---|
| `draft_plan_v1.docx` | A first draft, one Heading 1 per priority area, numbered actions ("1.1 ..."). Addresses stop and search scrutiny, workforce recruitment, anti-racism training, support for hate crime victims, publishing data, diversion. **Misses on purpose:** interpreters and language access; Gypsy/Traveller site provision and evictions; online racist abuse; mental health and trauma support (the sample consultation's planted emergent themes); school exclusions. |
| `draft_plan_v2.docx` | A second draft: adds an interpreters action (6.4) and a trauma-informed mental health action (7.4), closing two gaps, and drops the cultural and faith awareness training action (5.2), opening one. |

plan-check takes the newest draft by name as the plan and the one before it as the previous draft.
"""


def main(argv: list[str] | None = None) -> None:
    """Write the two drafts and the README."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT, help="Folder to write to.")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "draft_plan_v1.docx").write_bytes(build_docx(1, AREAS_V1))
    (args.out / "draft_plan_v2.docx").write_bytes(build_docx(2, areas_v2()))
    (args.out / "README.md").write_text(README, encoding="utf-8")
    print(f"wrote draft_plan_v1.docx, draft_plan_v2.docx and README.md to {args.out}")


if __name__ == "__main__":
    main()
