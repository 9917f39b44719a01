"""What the coder learns from, and the one place a coder is built the way ``make code`` builds it.

Every stage that codes text (``code``, ``review --apply``, ``evaluate`` without ``--train``, and
plan-check's coding of a draft's actions) calls :func:`fit_coder`, so they cannot drift apart: the
same settings (``coding`` in ``config/settings.yaml``), the same training files
(``coding.training_files``) and the same analyst decisions.

Pure functions apart from reading the training CSVs named in the settings; errors are
:class:`TrainingDataError` (a ``ValueError``) with a plain-English message the CLI shows as it is.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pipeline import config
from pipeline.errors import InputDataError  # one error base class (issue 14)
from pipeline.settings import lookup

log = logging.getLogger(__name__)

#: Columns of the frame :func:`training_data` returns (blank where a source lacks one).
TRAINING_COLUMNS = ["text", "codes", "stance", "question", "language"]
#: Settings of ``coding`` in config/settings.yaml that are :class:`CodebookCoder` arguments.
CODER_KEYS = ("C", "w_emb", "w_char", "w_dense", "w_word", "cv_folds", "min_analyst_for_cv", "knn", "knn_k",
              "fallback_ratio", "max_codes", "analyst_weight", "own_weight", "min_own_for_cv", "zero_shot_z", "zero_shot_floor",
              "sentence_weight", "n_jobs")


class TrainingDataError(InputDataError):
    """A training file named in the settings cannot be used; the message says which and what to do."""


def coding_settings(settings: dict | None = None) -> dict:
    """The ``coding`` block of the settings, with the seed, the disclosure minimum and the embedding model.

    A setting the given dict lacks takes its value from ``config/settings.yaml`` (:func:`pipeline.settings.lookup`):
    the defaults are written there only.

    Args:
        settings: Loaded ``config/settings.yaml`` (default: :func:`pipeline.config.settings`).
    """
    s = config.settings() if settings is None else settings
    coding = copy.deepcopy({**lookup(None, "coding", "settings.yaml"), **(s.get("coding") or {})})
    return {"random_state": lookup(s, "random_state", "settings.yaml"),
            "min_count": lookup(s, "disclosure.min_count", "settings.yaml"),
            "model": lookup(s, "embedding.model", "settings.yaml"),
            "batch_size": lookup(s, "embedding.batch_size", "settings.yaml"), **coding}


def coder_params(s: dict) -> dict:
    """The :class:`~pipeline.coding.coder.CodebookCoder` arguments in a :func:`coding_settings` dict."""
    params = {k: s[k] for k in CODER_KEYS if k in s}
    if "threshold_bounds" in s:
        params["threshold_bounds"] = tuple(s["threshold_bounds"])
    params["random_state"] = s["random_state"]
    return params


def training_files(s: dict) -> list[Path]:
    """The coded CSVs named in ``coding.training_files`` (relative to the project folder)."""
    return [Path(n) if Path(n).is_absolute() else config.ROOT / n for n in (s.get("training_files") or [])]


def read_labelled(path: Path, what: str) -> pd.DataFrame:
    """Read a coded CSV as strings (an empty ``codes`` cell stays ``""``, never NaN)."""
    if not path.exists():
        raise TrainingDataError(f"The {what} file {path} does not exist.")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file, said plainly
        raise TrainingDataError(f"Could not read the {what} file {path} as CSV ({exc}).") from exc
    log.info("read %s (%d rows)", path, len(df))
    return df


def training_data(files: Iterable[Path], analyst: pd.DataFrame | None,
                  code_ids: set[str]) -> tuple[pd.DataFrame, pd.DataFrame, list[Path]]:
    """What the coder and the stance classifier learn from: the training files, and the analyst's decisions.

    A training file that uses codes the codebook lacks (it was coded against another codebook) is
    left out with a warning, so that running with ``--codebook`` does not need the settings edited.

    Args:
        files: Coded CSVs (``text``, ``codes``; optional ``stance``, ``question``, ``language``), e.g.
            the statements an analyst coded for an earlier consultation on the same codebook.
        analyst: ``analyst_codes.csv`` (this consultation's review decisions), or ``None``.
        code_ids: The codebook's codes.

    Returns:
        The generic training statements and this consultation's analyst decisions (each with
        :data:`TRAINING_COLUMNS`), and the files used.

    Raises:
        TrainingDataError: A named file is missing or lacks ``text``/``codes``.
    """
    from pipeline.coding.coder import parse_labels

    frames, used = [], []
    for path in files:
        if not path.exists():
            raise TrainingDataError(
                f"config/settings.yaml (coding.training_files) names {path}, which does not exist: "
                "restore the file or take it off the list.")
        df = read_labelled(path, "training")
        if not {"text", "codes"} <= set(df.columns):
            raise TrainingDataError(
                f"The training file {path} needs the columns 'text' and 'codes' (ids separated by ';', empty for "
                f"none); it has {', '.join(df.columns)}. Fix the file or take it off coding.training_files.")
        foreign = sorted({c for v in df["codes"] for c in parse_labels(v)} - code_ids)
        if foreign:
            log.warning("left out the training file %s: it uses code(s) %s that the codebook does not have "
                        "(it was coded against another codebook; see coding.training_files in config/settings.yaml)",
                        path, ", ".join(foreign))
            continue
        frames.append(df.reindex(columns=TRAINING_COLUMNS, fill_value=""))
        used.append(path)
    generic = (pd.concat(frames, ignore_index=True).fillna("").astype(str) if frames
               else pd.DataFrame(columns=TRAINING_COLUMNS))
    own = (analyst.reindex(columns=TRAINING_COLUMNS, fill_value="").fillna("").astype(str).reset_index(drop=True)
           if analyst is not None else pd.DataFrame(columns=TRAINING_COLUMNS))
    return generic, own, used


def stance_training(codebook, coded: pd.DataFrame | None) -> pd.DataFrame:
    """What the stance classifier learns from: coded statements with a stance, then the codebook's stance examples.

    Args:
        codebook: The codebook (its questions' ``stance_examples``).
        coded: Coded statements with ``text``, ``stance``, ``question`` (e.g. ``coder.training_data_``).

    Returns:
        A frame with ``text``, ``stance`` and ``question``.
    """
    rows = [{"text": t, "stance": st, "question": q.id}
            for q in codebook.questions for st, texts in q.stance_examples.items() for t in texts]
    frames = [pd.DataFrame(rows, columns=["text", "stance", "question"])]
    if coded is not None and len(coded):
        frames.insert(0, coded.reindex(columns=["text", "stance", "question"], fill_value="").fillna(""))
    return pd.concat(frames, ignore_index=True).astype(str)


def _languages(frame: pd.DataFrame) -> list[str]:
    return [lang or "en" for lang in frame["language"]] if "language" in frame else ["en"] * len(frame)


def fit_on(codebook, generic: pd.DataFrame | None, own: pd.DataFrame | None, embedder=None, params: dict | None = None):
    """A coder fitted on generic coded statements and this consultation's own (each ``text``, ``codes``, ``language``).

    Args:
        codebook: The codebook.
        generic: Coded statements from elsewhere (training files), or ``None``.
        own: Statements coded by this consultation's analyst (they set its conventions), or ``None``.
        embedder: The embedder to share.
        params: :class:`~pipeline.coding.coder.CodebookCoder` arguments (default: :func:`coder_params`
            of the settings).
    """
    from pipeline.coding.coder import CodebookCoder

    empty = pd.DataFrame(columns=TRAINING_COLUMNS)
    generic = empty if generic is None else generic
    own = empty if own is None else own
    params = coder_params(coding_settings()) if params is None else params
    return CodebookCoder(codebook, embedder=embedder, **params).fit(
        generic["text"].tolist(), generic["codes"].tolist(), _languages(generic),
        own_texts=own["text"].tolist(), own_labels=own["codes"].tolist(), own_languages=_languages(own))


def fit_coder(codebook, embedder=None, settings: dict | None = None, analyst: pd.DataFrame | None = None,
              files: Iterable[Path] | None = None):
    """The coder ``make code`` uses: the codebook, the training files and the analyst's decisions.

    Args:
        codebook: A :class:`~pipeline.coding.codebook.Codebook`.
        embedder: The embedder to share (e.g. with the consultation's cache); ``None`` makes one.
        settings: Loaded settings (default: ``config/settings.yaml``).
        analyst: This consultation's analyst decisions (``analyst_codes.csv``), which set its conventions.
        files: Training files instead of ``coding.training_files`` (``[]`` for none).

    Returns:
        A fitted :class:`~pipeline.coding.coder.CodebookCoder`, with ``training_data_`` (the
        statements, :data:`TRAINING_COLUMNS`), ``training_files_`` and ``n_generic_``/``n_analyst_``
        recording what it learned from (the stance classifier learns from the same statements).

    Raises:
        TrainingDataError: A training file cannot be used, or the codes do not fit the codebook.
    """
    s = coding_settings(settings)
    generic, own, used = training_data(training_files(s) if files is None else files, analyst, set(codebook.ids))
    try:
        coder = fit_on(codebook, generic, own, embedder, coder_params(s))
    except ValueError as exc:
        hint = (" Check the codes in coding.training_files (config/settings.yaml) and analyst_codes.csv: they must be "
                "the codebook's." if len(generic) + len(own) else "")
        raise TrainingDataError(str(exc) + hint) from exc
    coder.training_data_ = pd.concat([generic, own], ignore_index=True)
    coder.training_files_ = [str(f) for f in used]
    coder.n_generic_ = len(generic)
    coder.n_analyst_ = len(own)
    return coder
