"""The engagement kit: return templates, the returns tracker, the REFI-QDA round trip and the resource pack (issue 16)."""
