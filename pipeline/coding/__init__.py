"""Coding stage: segment answers into statements and code them against the codebook (``python -m pipeline code``)."""

__all__ = ["cli", "codebook", "coder", "commands", "evaluate", "metrics", "review", "schema", "stage", "training"]
