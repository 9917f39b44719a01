"""Coding stage: segment answers into statements and code them against the codebook (``python -m pipeline code``)."""
