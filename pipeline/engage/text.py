"""The fixed words of the engagement kit, in English, with their Welsh from the message catalogue.

Every message here is looked up in :mod:`pipeline.i18n` (``pipeline/locale/cy/LC_MESSAGES/messages.po``);
:func:`bilingual` puts the English and the Welsh side by side as the return templates do.
"""

from __future__ import annotations

from pipeline.i18n import translator

TEMPLATE_MARKER = "cjiw-return-template"
TEMPLATE_VERSION = "1"

TITLE = "Consultation return: Race Equality (Anti-Racism) Delivery Plan"
ABOUT = "About this return"
GUIDE_HEADING = "What not to write"
PARTICIPANT = "Participant reference (P1, P2 ... never a name)"
ANSWER = "Answer"
QUESTION_N = "Question {n}"
FACILITATOR = "Facilitator"
ADD_ROWS = "Add rows as you need them; one row for each thing a person said."

#: The header of a return: (field, English label). Its values are the return's metadata.
HEADER_FIELDS: list[tuple[str, str]] = [
    ("organisation", "Organisation"),
    ("cohort", "Who took part (cohort)"),
    ("police_force_area", "Police force area"),
    ("engagement_method", "Engagement method"),
    ("n_participants", "Number of participants"),
    ("language", "Language(s) used"),
    ("date_received", "Date completed"),
]

GUIDE: list[str] = [
    "Give each person a reference such as P1, P2, P3 and use the same reference for all their answers. "
    "Never write anyone's name.",
    "Do not write names, addresses, phone numbers, email addresses, dates of birth, prison numbers or anything "
    "else that could identify someone, such as a rare job or detail together with a small place.",
    "Write people's own words where you can. Put the facilitator's own notes against the reference 'Facilitator'.",
    "Fill in the details about this return: organisation, who took part, police force area, how you met and "
    "how many people took part.",
    "Do not change the question headings; add rows as you need them.",
]

#: Every message above, for the catalogue check.
MESSAGES: list[str] = [TITLE, ABOUT, GUIDE_HEADING, PARTICIPANT, ANSWER, QUESTION_N, FACILITATOR, ADD_ROWS,
                       *(label for _, label in HEADER_FIELDS), *GUIDE]


def bilingual(message: str, sep: str = " / ") -> str:
    """``English / Cymraeg`` for a fixed message (the English alone when the catalogue lacks the Welsh)."""
    welsh = translator("cy")(message)
    return message if welsh == message else f"{message}{sep}{welsh}"


def welsh(message: str) -> str:
    """The Welsh of a fixed message (its English when the catalogue lacks it)."""
    return translator("cy")(message)
