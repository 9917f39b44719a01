"""Walk a consultation folder and ingest every return in it; one bad file never stops the others.

:func:`ingest_folder` finds the return files (recursively, skipping the reserved sub-folders
``edi/`` and ``plans/`` and the manifest itself), reads each with its reader, attaches the
manifest's metadata, runs the stage (:func:`pipeline.ingest.stage.process_items`) and builds
the ledger. A file that cannot be read is ledgered with a plain-English reason; so is a manifest
entry whose file is missing and a file the manifest does not name. Nothing here writes files:
``pipeline/ingest/cli.py`` does (``python -m pipeline ingest``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from pipeline import config
from pipeline.engage.register import GRANTS_NAMES
from pipeline.forget import WITHDRAWN_FILE, drop_withdrawn
from pipeline.ingest.ledger import FILE_COLUMNS, build_ledger
from pipeline.ingest.manifest import (
    find_manifest,
    load_manifest,
    metadata_for,
    missing_entries,
    normalise_manifest,
)
from pipeline.ingest.readers import ReadContext, ReturnError, read_return
from pipeline.ingest.schema import (
    DUPLICATES,
    LEDGER,
    RESPONSES,
    RETURN_COLUMNS,
    RETURNS,
    validate,
)
from pipeline.ingest.stage import ITEM_COLUMNS, process_items
from pipeline.ingest.template import template_metadata
from pipeline.pseudonym import KEY_FILE, pseudonym_key, with_key
from pipeline.vocab import UNKNOWN

log = logging.getLogger(__name__)


@dataclass
class IngestResult:
    """The tables ingest writes, plus figures for the run summary."""

    responses: pd.DataFrame
    returns: pd.DataFrame
    duplicates: pd.DataFrame
    ledger: pd.DataFrame
    redactions: dict[str, int] = field(default_factory=dict)
    manifest: Path | None = None
    inputs: list[Path] = field(default_factory=list)
    redaction_log: pd.DataFrame = field(default_factory=pd.DataFrame)


def _skip_reason(rel: Path) -> str | None:
    name = rel.name
    if name.startswith("~$") or name.startswith(".~lock"):
        return "an Office lock file (the document was open when copied), not a return"
    if name.startswith("."):
        return "a hidden system file, not a return"
    if name.lower().startswith("readme"):
        return "a README describing the folder, not a return"
    return None


def list_inputs(folder: Path, manifest: Path | None) -> list[Path]:
    """Every file under ``folder`` that may be a return, sorted by relative path."""
    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(folder)
        if rel.parts[0] in config.RESERVED_SUBFOLDERS:
            continue
        if manifest is not None and path == manifest:
            continue
        if len(rel.parts) == 1 and rel.name in config.MANIFEST_NAMES:
            continue
        if len(rel.parts) == 1 and rel.name in (KEY_FILE, WITHDRAWN_FILE):
            continue  # the consultation's secrets and withdrawals (issue 17), never returns
        if len(rel.parts) == 1 and rel.name.lower() in GRANTS_NAMES:
            continue  # the grants register of the returns tracker (issue 16), never a return
        found.append(path)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def ingest_folder(
    folder: Path,
    questions: Mapping[str, Any],
    vocab: Mapping[str, Any],
    settings: Mapping[str, Any],
    redaction: Mapping[str, Any],
    use_ner: bool = True,
    progress: bool = True,
    key: str | None = None,
    cache_dir: Path | None = None,
) -> IngestResult:
    """Ingest every return in a consultation folder.

    Args:
        folder: The consultation's raw folder (``data/raw/<consultation>``).
        questions: ``config/questions.yaml`` ``questions`` mapping.
        vocab: ``config/vocabularies.yaml``.
        settings: ``config/settings.yaml``.
        redaction: ``config/redaction.yaml``.
        use_ner: Use spaCy NER for names as well as the rules.
        progress: Show a progress bar.
        cache_dir: Folder for the embedding cache of headings placed by meaning (the processed folder),
            used only where the numpy encoder cannot load and sentence-transformers embeds instead
            (:class:`pipeline.ingest.questions.QuestionPlacer`); ``None`` keeps it in memory.
        key: The consultation's pseudonym key; by default ``CJIW_PSEUDONYM_KEY`` or
            ``<folder>/.pseudonym_key``, created on the first run (:mod:`pipeline.pseudonym`).

    Returns:
        :class:`IngestResult`; every table validated against its schema.  Answers withdrawn with
        ``make forget`` (``<folder>/.withdrawn``) are left out, with a line each in the ledger.

    Raises:
        FileNotFoundError: If ``folder`` does not exist.
        pipeline.ingest.manifest.ManifestError: If the manifest exists but cannot be read.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"The folder {folder} does not exist.")
    settings = with_key(settings, key if key is not None else pseudonym_key(folder))
    ctx = ReadContext.from_config(questions, settings.get("ingest_layout", {}), settings.get("ingest", {}), vocab,
                                  cache_dir)
    manifest = _Manifest.find(folder, vocab)
    paths = list_inputs(folder, manifest.path)
    bar = _Progress(len(paths), progress)
    reading = _read_files(folder, paths, manifest, vocab, ctx, lambda: bar.tick("reading", 1))
    items = pd.concat(reading.frames, ignore_index=True) if reading.frames else pd.DataFrame(columns=ITEM_COLUMNS)
    bar.answers(int(((items["kind"] == "item") & (items["note"] == "")).sum()) if len(items) else 0)
    out = drop_withdrawn(process_items(items, vocab, settings, redaction, use_ner=use_ner, progress=bar.tick), folder)
    bar.tick("ledger and checks", 0)
    result = _result(out, reading, manifest.path, paths)
    bar.done()
    return result


class _Progress:
    """One bar for the whole run: a unit per file read, then a unit per answer through language detection
    and redaction, and one per remaining step (its total grows once the answers are known)."""

    def __init__(self, n_files: int, show: bool) -> None:
        self.n_files = n_files
        self.bar = tqdm(total=n_files + 3, desc="ingest: reading", unit="step", disable=not show)

    def answers(self, n_answers: int) -> None:
        """Count ``n_answers`` answers twice (language detection, redaction) in the bar's total."""
        self.bar.total = self.n_files + 2 * n_answers + 3
        self.bar.refresh()

    def tick(self, step: str, n: int) -> None:
        """``n`` more units (files read, answers) went through ``step``; ``n == 0`` as a step starts."""
        self.bar.set_description(f"ingest: {step}")
        self.bar.update(n)

    def done(self) -> None:
        """Fill and close the bar."""
        self.bar.update(self.bar.total - self.bar.n)
        self.bar.set_description("ingest: done")
        self.bar.close()


@dataclass(frozen=True)
class _Manifest:
    """The manifest's path (``None`` when there is none) and its normalised entries."""

    path: Path | None
    table: Any

    @classmethod
    def find(cls, folder: Path, vocab: Mapping[str, Any]) -> _Manifest:
        """Find and read the folder's manifest (``returns.csv``), logging what was found."""
        path = find_manifest(folder)
        table = normalise_manifest(load_manifest(path), vocab) if path else None
        if path:
            log.info("read manifest %s (%d entries)", path, len(table))
        else:
            log.warning("no manifest (returns.csv) in %s: metadata will be 'unknown'", folder)
        return cls(path, table)


@dataclass
class _Reading:
    """What reading the files gave: a ledger row per file, each read file's items and its metadata."""

    files: list[dict[str, Any]] = field(default_factory=list)
    frames: list[pd.DataFrame] = field(default_factory=list)
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)


def _read_files(folder: Path, paths: list[Path], manifest: _Manifest, vocab: Mapping[str, Any], ctx: ReadContext,
                step: Callable[[], None]) -> _Reading:
    """Read every file (``step()`` after each); files the manifest lists but the folder lacks get a row too."""
    from pipeline.config import file_sha256
    from pipeline.ingest.dedupe import find_duplicate_files

    rels = [p.relative_to(folder).as_posix() for p in paths]
    hashes = {rel: file_sha256(p) for rel, p in zip(rels, paths, strict=True)}
    duplicate_of = find_duplicate_files({rel: h for rel, h in hashes.items() if _skip_reason(Path(rel)) is None})
    reading = _Reading()
    for path, rel in zip(paths, rels, strict=True):
        step()
        fmt = path.suffix.lower().lstrip(".") or "none"
        skip = _skip_reason(Path(rel))
        if skip:
            reading.files.append(_file_row(rel, fmt, "skipped", skip))
            continue
        meta, notes = _file_metadata(path, rel, manifest, vocab, ctx)
        raw, error = _read_one(path, rel, fmt, ctx)
        if error is not None:
            reading.files.append(error)
            continue
        reading.meta[rel] = meta
        file_columns = {"source_file": rel, "file_sha256": hashes[rel], "format": fmt,
                        "duplicate_of": duplicate_of.get(rel, "")}
        reading.frames.append(_items_frame(raw, file_columns, meta))
        reading.files.append(_read_row(raw, rel, fmt, notes, duplicate_of.get(rel, ""), ctx))
    for entry in missing_entries(manifest.table, rels):
        name = manifest.path.name
        reading.files.append(_file_row(entry, Path(entry).suffix.lower().lstrip(".") or "none", "missing",
                                       f"{name} lists {entry} but there is no such file in the folder {folder.name}/: "
                                       f"put the file in the folder, or correct or remove its line in {name}"))
    return reading


def _file_metadata(path: Path, rel: str, manifest: _Manifest, vocab: Mapping[str, Any],
                   ctx: ReadContext) -> tuple[dict[str, Any], list[str]]:
    """A file's metadata (from the manifest, else a return template's header) and the ledger notes about it."""
    notes: list[str] = []
    meta = metadata_for(manifest.table, rel)
    if meta is None:  # a filled-in return template carries its own header (issue 16)
        meta = template_metadata(path, vocab, ctx)
    if meta is not None and manifest.table is None:
        notes.append(meta["manifest_issues"])
    elif manifest.table is None:
        notes.append("no manifest (returns.csv) in the folder: organisation, cohort, area and method recorded "
                     "as 'unknown'; add a returns.csv naming each file to fill them in")
    elif meta is None:
        notes.append(f"not listed in {manifest.path.name}: organisation, cohort, area and method recorded as "
                     f"'unknown'; add a line for {rel} to {manifest.path.name}")
    elif meta.get("manifest_issues"):
        notes.append(meta["manifest_issues"])
    return meta or {}, notes


def _read_one(path: Path, rel: str, fmt: str, ctx: ReadContext) -> tuple[pd.DataFrame | None, dict[str, Any] | None]:
    """``(items, None)``, or ``(None, ledger row)`` when the file cannot be read (never raises)."""
    try:
        raw = read_return(path, ctx)
    except ReturnError as exc:
        log.warning("rejected %s: %s", rel, exc)
        return None, _file_row(rel, fmt, "error", str(exc))
    except Exception as exc:  # noqa: BLE001 - one unreadable file must never stop the others
        log.exception("unexpected error reading %s", rel)
        return None, _file_row(rel, fmt, "error",
                               f"{path.name} could not be read ({type(exc).__name__}: {exc}). Open it to check it "
                               "is a normal return; if it is, report this message")
    log.debug("read %s: %d items", rel, len(raw))
    return raw, None


def _items_frame(raw: pd.DataFrame, file_columns: Mapping[str, str], meta: Mapping[str, Any]) -> pd.DataFrame:
    """A file's items with the file-level columns (:data:`ITEM_COLUMNS`)."""
    frame = raw.assign(
        **file_columns,
        organisation=str(meta.get("organisation", UNKNOWN)),
        manifest_cohort=str(meta.get("cohort", UNKNOWN)),
        manifest_area=str(meta.get("police_force_area", UNKNOWN)),
        engagement_method=str(meta.get("engagement_method", UNKNOWN)),
        order=range(len(raw)),
    )
    return frame[ITEM_COLUMNS]


def _read_row(raw: pd.DataFrame, rel: str, fmt: str, notes: list[str], duplicate_of: str,
              ctx: ReadContext) -> dict[str, Any]:
    """The ledger row of a file read: cells read, answers with no question placed, and an OCR warning."""
    answers = (raw["note"] == "") & (raw["kind"] == "item")
    n_unknown = int(((raw["question"] == UNKNOWN) & answers).sum())
    ocr = pd.to_numeric(raw.loc[answers, "ocr_confidence"].replace("", None), errors="coerce").dropna()
    if len(ocr):
        notes = [*notes, f"read by OCR (Tesseract {ctx.ocr.get('languages', 'eng+cym')}), mean word confidence "
                         f"{ocr.mean():.0f}% (lowest answer {ocr.min():.0f}%): check every answer against the image "
                         "before quoting it (responses.ocr_confidence)"]
    n_cells = int(pd.to_numeric(raw["cells"], errors="coerce").fillna(1).sum())
    return _file_row(rel, fmt, "read", "; ".join(notes), duplicate_of, n_cells, n_unknown)


def _result(out: Any, reading: _Reading, manifest_path: Path | None, paths: list[Path]) -> IngestResult:
    """Build the ledger and the returns table and validate every table against its schema."""
    files_df = pd.DataFrame(reading.files, columns=FILE_COLUMNS)
    ledger = build_ledger(files_df, out.responses, out.rejected, out.duplicates, out.metadata)
    returns = build_returns(files_df, reading.meta, out.responses)
    return IngestResult(
        responses=validate(out.responses, RESPONSES),
        returns=validate(returns, RETURNS),
        duplicates=validate(out.duplicates, DUPLICATES),
        ledger=validate(ledger, LEDGER),
        redactions=out.redactions,
        manifest=manifest_path,
        inputs=paths + ([manifest_path] if manifest_path else []),
        redaction_log=out.redaction_log,
    )


def _file_row(rel: str, fmt: str, status: str, reason: str, duplicate_of: str = "", rows_read: int = 0,
              n_unknown: int = 0) -> dict[str, Any]:
    return {"source_file": rel, "format": fmt, "read_status": status, "reason": reason,
            "duplicate_of": duplicate_of, "rows_read": rows_read, "n_unknown_question": n_unknown}


def build_returns(files: pd.DataFrame, meta: Mapping[str, Mapping[str, Any]], responses: pd.DataFrame) -> pd.DataFrame:
    """One row per return file that contributed answers (accepted or partly accepted)."""
    counts = responses.groupby("source_file").size()
    # Each file's languages, looked up once (not a scan of every response per file).
    by_file = {f: sorted(set(v.dropna())) for f, v in responses.groupby("source_file")["language"]}
    rows = []
    for rec in files.sort_values("source_file").itertuples(index=False):
        n = int(counts.get(rec.source_file, 0))
        if rec.read_status != "read" or rec.duplicate_of or n == 0:
            continue
        m = meta.get(rec.source_file, {})
        languages = by_file.get(rec.source_file, [])
        detected = ";".join(languages) if languages else UNKNOWN
        manifest_language = str(m.get("language", "") or "")
        rows.append(
            {
                "organisation": str(m.get("organisation", UNKNOWN)),
                "source_file": rec.source_file,
                "format": rec.format,
                "cohort": str(m.get("cohort", UNKNOWN)),
                "police_force_area": str(m.get("police_force_area", UNKNOWN)),
                "engagement_method": str(m.get("engagement_method", UNKNOWN)),
                "n_participants": m.get("n_participants", pd.NA),
                "language": manifest_language if manifest_language and manifest_language != UNKNOWN else detected,
                "date_received": str(m.get("date_received", "") or ""),
                "n_responses": n,
            }
        )
    df = pd.DataFrame(rows, columns=RETURN_COLUMNS)
    df["n_participants"] = pd.array(df["n_participants"].tolist(), dtype="Int64")
    df["n_responses"] = df["n_responses"].astype("int64")
    return df.astype({c: "str" for c in RETURN_COLUMNS if c not in ("n_participants", "n_responses")})
