"""Paths and configuration for the consultation analysis pipeline.

Every path the pipeline uses is decided here, in one place; everything an analyst may want
to change (question aliases, vocabularies, codebook, thresholds) is YAML under ``config/``
at the top of the repository. Stages never read these files themselves: the runner
(``pipeline.cli``) loads them and passes plain values in.

Run ``python -m pipeline --help`` to see the commands that use these settings.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import ConfigError  # the one error base class (pipeline.errors)

#: The repository root (the folder holding ``pyproject.toml``).
ROOT = Path(__file__).resolve().parents[1]
#: Analyst-editable configuration (YAML and CSV). Override with ``CJIW_CONFIG_DIR``.
CONFIG_DIR = Path(os.environ.get("CJIW_CONFIG_DIR", ROOT / "config"))
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
REPORTS_DIR = ROOT / "reports"
NOTEBOOKS_DIR = ROOT / "notebooks"
GOLD_DIR = DATA_DIR / "gold"
#: The bundled, synthetic demo consultation.
SAMPLE_CONSULTATION = "sample"

#: Sub-folders of a consultation folder that hold inputs other than returns; ingest skips them.
RESERVED_SUBFOLDERS = ("edi", "plans")
#: Name of the manifest file inside a consultation folder.
MANIFEST_NAMES = ("returns.csv", "returns.yaml", "returns.yml", "manifest.csv")


__all__ = ["CONFIG_DIR", "ConfigError", "ROOT", "load_yaml", "processed_dir", "raw_dir", "reports_dir", "settings",
           "write_run_config"]


def raw_dir(consultation: str) -> Path:
    """Folder of one consultation's raw inputs (returns, ``edi/``, ``plans/``)."""
    return RAW_DIR / consultation


def processed_dir(consultation: str) -> Path:
    """Folder of one consultation's processed tables."""
    return PROCESSED_DIR / consultation


def reports_dir(consultation: str) -> Path:
    """Folder of one consultation's reports."""
    return REPORTS_DIR / consultation


def load_yaml(name: str | Path, config_dir: Path | None = None) -> dict[str, Any]:
    """Load one YAML file from the config folder (or an explicit path).

    Args:
        name: File name inside ``config_dir`` (e.g. ``"settings.yaml"``) or a path.
        config_dir: Folder to look in; defaults to :data:`CONFIG_DIR`.

    Returns:
        The parsed mapping.

    Raises:
        ConfigError: If the file is missing or is not a YAML mapping.
    """
    path = Path(name)
    if not path.is_absolute() and not path.exists():
        path = (config_dir or CONFIG_DIR) / name
    if not path.exists():
        raise ConfigError(f"Configuration file {path} is missing. Restore it from git (git checkout -- {path}).")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML ({exc}). Check the indentation near the line it names.") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path} should hold a mapping of settings (key: value), not {type(data).__name__}.")
    return data


@lru_cache(maxsize=1)
def _settings_cached(config_dir: str) -> dict[str, Any]:
    return load_yaml("settings.yaml", Path(config_dir))


def settings(config_dir: Path | None = None) -> dict[str, Any]:
    """Return ``config/settings.yaml`` (thresholds, seeds, model names) as a dict (a fresh copy)."""
    return json.loads(json.dumps(_settings_cached(str(config_dir or CONFIG_DIR))))


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (used for stable ids and for recording inputs)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def write_run_config(out_dir: Path, stage: str, params: dict[str, Any], inputs: list[Path] | None = None,
                     settings_used: dict[str, Any] | None = None) -> Path:
    """Record the configuration a stage ran with, beside its outputs.

    Writes ``<out_dir>/<stage>.config.yaml`` holding the stage's parameters, the settings file in
    force, the inputs' SHA-256 and the code version. The file holds no timestamps inside the
    parameters so that two runs with the same inputs and config write the same parameters; the
    run time is kept under ``run`` only.

    Args:
        out_dir: Folder the stage wrote its outputs to.
        stage: Stage name (``ingest``, ``code``, ...).
        params: The stage's own parameters (plain YAML-serialisable values).
        inputs: Input files to fingerprint.
        settings_used: The settings the run used (default: ``settings.yaml`` of :data:`CONFIG_DIR`).

    Returns:
        The path written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    record = {
        "stage": stage,
        "params": params,
        "settings": settings_used if settings_used is not None else settings(),
        "inputs": {str(p): file_sha256(p) for p in sorted(inputs or []) if Path(p).is_file()},
        "code": {"package_version": _package_version(), "git_commit": _git_commit(), "python": platform.python_version()},
        "run": {"finished_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")},
    }
    path = out_dir / f"{stage}.config.yaml"
    path.write_text(yaml.safe_dump(_plain(record), sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _plain(obj: Any) -> Any:
    """Turn paths, tuples and numpy scalars into plain YAML types."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [_plain(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "item") and callable(obj.item):
        return obj.item()
    return obj


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("cjiw-pipeline")
    except Exception:  # noqa: BLE001 - not installed (running from a checkout)
        return "unknown"
