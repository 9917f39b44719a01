"""Ingest: turn a consultation folder's feedback returns into one tidy, redacted, validated table.

Run ``python -m pipeline ingest`` (``make ingest``). Modules: ``readers`` (one reader per format,
and the layouts: headings, speaker lines, grids, metadata columns), ``formats`` (OCR of scans and
photos, OpenDocument, RTF, HTML, email), ``questions`` (question aliases, and placing by meaning, with ``minilm``: the embedding model in numpy), ``manifest`` (returns.csv), ``redact`` (personal data),
``language`` (en/cy/other), ``dedupe`` (duplicates), ``stage`` (the DataFrame steps), ``ledger``
(what happened to every file and item), ``schema`` (pandera schemas), ``runner`` (walks the
folder) and ``cli`` (the command).
"""

__all__ = ["cli", "ledger", "manifest", "readers", "redact", "runner", "schema", "stage"]
