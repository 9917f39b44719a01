"""Reports people read: the plan author's theme report (HTML and Word) and a notebook per organisation.

Modules: ``inputs`` (read and check the processed tables), ``tables`` (every figure), ``charts``
(matplotlib charts with alt text), ``theme_report`` (HTML/DOCX), ``organisation`` (what the
organisation notebook shows), ``notebooks`` (papermill runner), ``cli`` (``python -m pipeline report``
and ``python -m pipeline notebooks``).
"""
