"""Draw a :class:`pipeline.reports.document.Document` as one self-contained, accessible HTML page.

One jinja2 template (``templates/document.html.j2``) for every report: inline CSS
(``templates/report.css.j2``, built from :mod:`pipeline.reports.style`), charts as base64 PNG with alt
text and their data table, tables with a caption and scoped headers, ``lang`` set to the document's
language, a skip link and a contents list, no JavaScript.
"""

from __future__ import annotations

import base64

from pipeline.reports import style
from pipeline.reports.document import Document, Table

__all__ = ["css", "render", "table_html"]


def _env(autoescape: bool = True):
    from jinja2 import Environment, PackageLoader, StrictUndefined  # noqa: PLC0415

    env = Environment(
        loader=PackageLoader("pipeline.reports", "templates"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    env.globals["kind_of"] = lambda block: type(block).__name__
    return env


def css() -> str:
    """The reports' stylesheet (inline in the HTML), built from :mod:`pipeline.reports.style`."""
    return _env(autoescape=False).get_template("report.css.j2").render(s=style)


def render(doc: Document) -> str:
    """The document as one HTML page."""
    return _env().get_template("document.html.j2").render(doc=doc, css=css())


def table_html(view: Table) -> str:
    """One table as HTML (the same markup as in the reports), e.g. for a notebook cell."""
    return str(_env().get_template("table.html.j2").module.table(view))
