"""The grants register: who was funded, to hear whom, and by when (``data/raw/<c>/grants.csv`` or ``.xlsx``).

One row per funded organisation; columns (matched loosely, English or Welsh headings) are documented
in ``docs/grants-register.md``: ``organisation``, ``cohorts``, ``areas``, ``participants_promised``,
``grant``, ``deadline``, and optionally ``contact`` (a role or team inbox, never a person's name in
the outputs) and ``notes``. :func:`load_register` reads the file (runner side); :func:`normalise_register`
is a pure DataFrame function mapping cohorts and areas onto ``config/vocabularies.yaml``. Ingest skips
the register (:data:`GRANTS_NAMES`), as it skips ``edi/`` and ``plans/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.vocab import UNKNOWN, map_value, normalise_label

#: File names of the grants register at the top of a consultation folder (ingest never reads them as returns).
GRANTS_NAMES = ("grants.csv", "grants.xlsx")

REGISTER_COLUMNS = ["organisation", "cohorts", "areas", "participants_promised", "grant", "deadline", "contact",
                    "notes", "register_issues"]

_ALIASES = {
    "organisation": ["organisation", "organization", "org", "grantee", "organisation name", "sefydliad"],
    "cohorts": ["cohorts", "cohort", "cohorts promised", "groups", "who", "carfan", "carfanau"],
    "areas": ["areas", "area", "police force area", "police force areas", "areas promised", "ardal", "ardaloedd"],
    "participants_promised": ["participants promised", "participants", "promised", "target participants",
                              "n participants", "number of participants", "nifer y cyfranogwyr"],
    "grant": ["grant", "grant gbp", "grant amount", "amount", "award", "grant £", "grant (£)", "grant"],
    "deadline": ["deadline", "due", "due date", "return due", "return deadline", "dyddiad cau"],
    "contact": ["contact", "contact role", "lead contact", "inbox", "cyswllt"],
    "notes": ["notes", "note", "comments", "nodiadau"],
}


class RegisterError(ValueError):
    """The grants register cannot be used; the message says what to fix."""


def find_register(folder: Path) -> Path | None:
    """The grants register in a consultation folder, if there is one."""
    for path in sorted(Path(folder).iterdir()) if Path(folder).is_dir() else []:
        if path.is_file() and path.name.lower() in GRANTS_NAMES:
            return path
    return None


def load_register(path: Path) -> pd.DataFrame:
    """Read the register (CSV in UTF-8 or Windows-1252, or the first sheet of an xlsx) as strings.

    Raises:
        RegisterError: If it cannot be parsed.
    """
    try:
        if path.suffix.lower() == ".xlsx":
            return pd.read_excel(path, dtype=str, keep_default_na=False)
        from pipeline.ingest.readers import read_delimited

        return read_delimited(path)
    except Exception as exc:  # noqa: BLE001 - pandas/openpyxl raise several types for a damaged file
        raise RegisterError(
            f"The grants register {path.name} could not be read ({exc}). Check it opens in Excel with one row per "
            "organisation and the columns in docs/grants-register.md."
        ) from exc


def _date(value: str) -> pd.Timestamp | None:
    value = str(value or "").strip()
    if not value:
        return None
    parsed = pd.to_datetime(value, errors="coerce", dayfirst=not value[:4].isdigit())
    return None if pd.isna(parsed) else parsed.normalize()


def normalise_register(raw: pd.DataFrame, vocab: Mapping[str, Any]) -> pd.DataFrame:
    """Standard columns, cohorts and areas mapped to vocabulary ids, numbers and dates parsed.

    Returns:
        A new frame with :data:`REGISTER_COLUMNS`; ``register_issues`` names what could not be read
        (an unknown cohort, an unreadable deadline), so nothing is dropped silently.

    Raises:
        RegisterError: If no column names the organisations.
    """
    lookup = {normalise_label(a): std for std, aliases in _ALIASES.items() for a in aliases}
    renamed: dict[str, str] = {}
    for col in raw.columns:
        std = lookup.get(normalise_label(col))
        if std and std not in renamed.values():
            renamed[col] = std
    df = raw.rename(columns=renamed)
    if "organisation" not in df.columns:
        raise RegisterError("The grants register has no 'organisation' column. Its columns are: "
                            f"{', '.join(map(str, raw.columns))}. See docs/grants-register.md.")
    rows = [_register_row(rec, vocab) for rec in df.to_dict("records") if str(rec.get("organisation", "")).strip()]
    out = pd.DataFrame(rows, columns=REGISTER_COLUMNS)
    out["participants_promised"] = pd.array(out["participants_promised"].tolist(), dtype="Int64")
    return out


def _register_row(rec: Mapping[str, Any], vocab: Mapping[str, Any]) -> dict[str, Any]:
    issues = []
    out: dict[str, Any] = {"organisation": str(rec["organisation"]).strip()}
    for col, key in (("cohorts", "cohorts"), ("areas", "police_force_areas")):
        value = str(rec.get(col, "") or "").strip()
        out[col] = map_value(value, vocab.get(key, {}))
        if value and out[col] == UNKNOWN:
            issues.append(f"{col} '{value}' is not in config/vocabularies.yaml (add it as an alias under {key})")
    promised = pd.to_numeric(str(rec.get("participants_promised", "")).replace(",", "").strip() or None,
                             errors="coerce")
    out["participants_promised"] = pd.NA if pd.isna(promised) else int(round(promised))
    grant = pd.to_numeric(str(rec.get("grant", "")).replace(",", "").replace("£", "").strip() or None, errors="coerce")
    out["grant"] = None if pd.isna(grant) else float(grant)
    deadline = _date(rec.get("deadline", ""))
    if deadline is None:
        issues.append(f"deadline '{rec.get('deadline', '')}' is not a date: the return cannot be called late")
    out["deadline"] = deadline.date().isoformat() if deadline is not None else ""
    out["contact"] = str(rec.get("contact", "") or "").strip()
    out["notes"] = str(rec.get("notes", "") or "").strip()
    out["register_issues"] = "; ".join(issues)
    return out
