"""Topics stage: emergent themes in the statements (BERTopic), compared with the codebook.

Run ``python -m pipeline topics`` (``make topics``); see :mod:`pipeline.topics.stage`.
"""

__all__ = ["cli", "model", "naming", "run", "schema", "stage"]
