"""Plan check ("test and challenge"): compare a draft delivery plan with what the consultation heard.

* :mod:`pipeline.plancheck.reader` reads a draft (.docx, .md, .txt, .pdf) into sections and actions;
* :mod:`pipeline.plancheck.match` finds, for every consultation theme, the actions that address it,
  and for every action, the consultation evidence behind it, and compares two drafts;
* :mod:`pipeline.plancheck.report` renders the "You said, the plan says" report (HTML and DOCX);
* :mod:`pipeline.plancheck.stage` is the stage the runner runs, :mod:`pipeline.plancheck.cli` its command:
  ``python -m pipeline plan-check --plan DRAFT.docx``.
"""

__all__ = ["cli", "match", "reader", "report", "schema", "stage"]
