"""Shared language tools: sentence embeddings with an on-disk cache (:mod:`pipeline.nlp.embed`)."""

__all__ = ["embed"]
