"""Triangulation stage: equality (EDI) measures with disclosure control, set beside the coded themes.

Run ``python -m pipeline triangulate`` (``make triangulate``); see docs/edi-format.md for the EDI input format.
"""

__all__ = ["cli", "measures", "schema", "sdc", "stage", "triangulate"]
