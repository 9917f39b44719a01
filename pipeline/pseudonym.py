"""The per-consultation secret key behind participant references (never in git).

A participant reference (``P-1a2b3c4d``) is a keyed hash of organisation, file and the participant's
raw identifier, which may be a name. With a key that anyone can read (it used to be
``ingest_layout.participant_salt`` in ``config/settings.yaml``, in git) a reference could be
recomputed from a guessed name. So the key is a secret of each consultation:

1. the environment variable ``CJIW_PSEUDONYM_KEY`` when it is set (e.g. from a password manager);
2. otherwise the file ``.pseudonym_key`` in the consultation's raw folder (kept with the raw returns;
   ``.gitignore`` ignores it everywhere), created with 256 random bits on the first run and readable
   only by its owner.

Keep the file with the returns: with the same key a rerun gives the same references (the analyst's
coding sheet and withdrawals keep working); delete it and the next run makes new ones that cannot
be linked to the old. Tests pass a fixture key.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from pipeline.errors import PipelineError  # one error base class (issue 14)

KEY_FILE = ".pseudonym_key"
ENV_VAR = "CJIW_PSEUDONYM_KEY"
MIN_KEY_CHARS = 16

log = logging.getLogger("pipeline.pseudonym")


class PseudonymKeyError(PipelineError, RuntimeError):
    """The key given is unusable (too short to be secret)."""


def pseudonym_key(raw_folder: Path | str, environ: Mapping[str, str] | None = None, create: bool = True) -> str:
    """The consultation's secret key: from ``CJIW_PSEUDONYM_KEY``, else ``<raw>/.pseudonym_key`` (made if missing).

    Args:
        raw_folder: The consultation's raw folder (``data/raw/<consultation>``).
        environ: Environment to read (default ``os.environ``).
        create: Create the key file when neither source has a key.

    Returns:
        The key (64 hex characters when generated here).

    Raises:
        PseudonymKeyError: If the key found is shorter than :data:`MIN_KEY_CHARS`, or none exists and
            ``create`` is false.
    """
    env = os.environ if environ is None else environ
    key = str(env.get(ENV_VAR, "") or "").strip()
    source = f"the environment variable {ENV_VAR}"
    path = Path(raw_folder) / KEY_FILE
    if not key and path.exists():
        key = path.read_text(encoding="utf-8").strip()
        source = str(path)
    if not key:
        if not create:
            raise PseudonymKeyError(f"No pseudonym key: set {ENV_VAR} or run ingest once to create {path}.")
        key = secrets.token_hex(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key + "\n")
        log.warning("created a new pseudonym key in %s: keep it with the raw returns, never in git", path)
        return key
    if len(key) < MIN_KEY_CHARS:
        raise PseudonymKeyError(f"The pseudonym key in {source} is too short ({len(key)} characters): use at least "
                        f"{MIN_KEY_CHARS} random characters, or delete it so a new one is made.")
    return key


def with_key(settings: Mapping[str, object], key: str) -> dict:
    """A copy of ``settings`` whose ``ingest_layout.participant_salt`` is ``key`` (what the ingest stage reads)."""
    out = dict(settings)
    layout = dict(out.get("ingest_layout", {}) or {})  # type: ignore[arg-type]
    layout["participant_salt"] = key
    out["ingest_layout"] = layout
    return out
