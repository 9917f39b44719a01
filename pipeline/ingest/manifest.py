"""The manifest (``returns.csv`` or ``returns.yaml``): who sent each return file, about whom.

One row per return file: ``file``, ``organisation``, ``cohort``, ``police_force_area``,
``engagement_method``, ``n_participants``, ``language``, ``date_received`` (column names are
matched loosely: "Organisation", "Police force area", "Method", "Participants" all work).
Cohort, area and method are mapped onto ``config/vocabularies.yaml`` with
:func:`pipeline.vocab.map_value`; a value that maps to nothing becomes ``unknown`` and the problem
is kept in ``manifest_issues`` for the ledger. :func:`load_manifest` reads the file (runner side);
:func:`normalise_manifest` is a pure DataFrame function. Used by ``python -m pipeline ingest``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from pipeline import config
from pipeline.errors import InputDataError  # one error base class (issue 14)
from pipeline.ingest.readers import ReturnError, read_delimited
from pipeline.vocab import UNKNOWN, map_value, normalise_label

MANIFEST_COLUMNS = [
    "source_file",
    "organisation",
    "cohort",
    "police_force_area",
    "engagement_method",
    "n_participants",
    "language",
    "date_received",
    "manifest_issues",
]

_COLUMN_ALIASES = {
    "source_file": ["file", "filename", "file name", "source file", "source_file", "return", "return file", "path"],
    "organisation": ["organisation", "organization", "org", "organisation name", "grantee", "sefydliad"],
    "cohort": ["cohort", "cohorts", "cohort s", "cohorts engaged", "group", "groups"],
    "police_force_area": ["police force area", "police_force_area", "police force areas", "area", "areas", "force", "police area"],
    "engagement_method": ["engagement method", "engagement_method", "method", "methods"],
    "n_participants": ["n participants", "n_participants", "participants", "number of participants", "no of participants"],
    "language": ["language", "languages", "iaith"],
    "date_received": ["date received", "date_received", "received", "date"],
}


class ManifestError(InputDataError):
    """The manifest cannot be used; the message says what to fix."""


def find_manifest(folder: Path) -> Path | None:
    """The manifest file in a consultation folder, if there is one."""
    for name in config.MANIFEST_NAMES:
        path = folder / name
        if path.is_file():
            return path
    return None


def load_manifest(path: Path) -> pd.DataFrame:
    """Read a manifest (CSV or YAML) as raw strings, columns as written.

    Raises:
        ManifestError: If it cannot be parsed.
    """
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            if isinstance(data, Mapping):
                data = data.get("returns", data.get("files", []))
            if not isinstance(data, list):
                raise ManifestError(f"{path.name} should hold a list of returns (one entry per file).")
            return pd.DataFrame(data).astype(str)
        return read_delimited(path)
    except (yaml.YAMLError, pd.errors.ParserError, ReturnError, UnicodeDecodeError) as exc:
        raise ManifestError(
            f"The manifest {path.name} could not be read ({exc}). Check it opens in Excel with one row per file "
            "and columns file, organisation, cohort, police_force_area, engagement_method, n_participants."
        ) from exc


def normalise_manifest(raw: pd.DataFrame, vocab: Mapping[str, Any]) -> pd.DataFrame:
    """Rename columns to the standard names and map values onto the vocabularies.

    Args:
        raw: The manifest as read (strings).
        vocab: ``config/vocabularies.yaml`` (``cohorts``, ``police_force_areas``, ``engagement_methods``).

    Returns:
        A new frame with :data:`MANIFEST_COLUMNS`; ``manifest_issues`` says which values did not map.

    Raises:
        ManifestError: If no column names the files.
    """
    lookup = {normalise_label(a): std for std, aliases in _COLUMN_ALIASES.items() for a in aliases}
    renamed: dict[str, str] = {}
    for col in raw.columns:
        std = lookup.get(normalise_label(col))
        if std and std not in renamed.values():
            renamed[col] = std
    df = raw.rename(columns=renamed)
    if "source_file" not in df.columns:
        raise ManifestError(
            "The manifest has no column naming the files (expected a column called 'file'). "
            f"Its columns are: {', '.join(map(str, raw.columns))}."
        )
    rows = []
    for rec in df.to_dict("records"):
        issues = []
        out = {"source_file": str(rec.get("source_file", "")).strip().replace("\\", "/")}
        out["organisation"] = str(rec.get("organisation", "") or "").strip() or UNKNOWN
        for col, key in (("cohort", "cohorts"), ("police_force_area", "police_force_areas"),
                         ("engagement_method", "engagement_methods")):
            value = str(rec.get(col, "") or "").strip()
            mapped = map_value(value, vocab.get(key, {}))
            if value and mapped == UNKNOWN and normalise_label(value) != UNKNOWN:
                issues.append(
                    f"manifest {col} '{value}' is not in config/vocabularies.yaml, recorded as unknown "
                    f"(add it as an alias under {key})"
                )
            out[col] = mapped
        out["n_participants"] = pd.to_numeric(str(rec.get("n_participants", "")).strip() or None, errors="coerce")
        out["language"] = _languages(rec.get("language", ""))
        out["date_received"] = str(rec.get("date_received", "") or "").strip()
        out["manifest_issues"] = "; ".join(issues)
        rows.append(out)
    result = pd.DataFrame(rows, columns=MANIFEST_COLUMNS)
    result["n_participants"] = result["n_participants"].round().astype("Int64")
    return result.sort_values("source_file", kind="stable").reset_index(drop=True)


_LANGUAGE_NAMES = {"english": "en", "saesneg": "en", "welsh": "cy", "cymraeg": "cy", "cymraeg welsh": "cy"}


def _languages(value: Any) -> str:
    """'en;cy', 'English and Welsh', 'Cymraeg' -> 'en;cy' / 'cy' (other codes kept as written)."""
    parts = [normalise_label(p) for p in re.split(r"[;,/&]|\band\b", str(value or ""))]
    codes = [_LANGUAGE_NAMES.get(p, p) for p in parts if p]
    return ";".join(dict.fromkeys(codes)) or UNKNOWN


def metadata_for(manifest: pd.DataFrame | None, source_file: str) -> dict[str, Any] | None:
    """The manifest row for a file (by relative path, else by unique file name), or None."""
    if manifest is None or manifest.empty:
        return None
    exact = manifest[manifest["source_file"] == source_file]
    if len(exact):
        return exact.iloc[0].to_dict()
    name = Path(source_file).name.lower()
    by_name = manifest[manifest["source_file"].map(lambda s: Path(s).name.lower()) == name]
    return by_name.iloc[0].to_dict() if len(by_name) == 1 else None


def missing_entries(manifest: pd.DataFrame | None, present: list[str]) -> list[str]:
    """Manifest entries that match no file present in the folder."""
    if manifest is None or manifest.empty:
        return []
    lower_names = [Path(p).name.lower() for p in present]
    missing = []
    for entry in manifest["source_file"]:
        if entry in present:
            continue
        if lower_names.count(Path(entry).name.lower()) == 1:
            continue
        missing.append(entry)
    return missing
