"""The one runner: what every stage command does around its stage's pure ``run(tables, settings)``.

A stage is declared once as a :class:`Stage`: the catalog tables it reads (required and optional),
an optional loader of inputs that are not processed tables (EDI files, a draft plan), and its
``run`` function, a pure ``(tables, settings) -> StageOutput`` step. :func:`execute` does the rest,
the same way for every stage:

1. reads the inputs through the catalog (:func:`pipeline.catalog.read`; a missing required table is
   a :class:`~pipeline.errors.MissingTableError` naming the make target to run first);
2. calls ``run`` (the stage validates what it reads with its catalog views);
3. validates and writes each output table through the catalog (:func:`pipeline.catalog.write`);
4. records the run (``<stage>.config.yaml``: parameters, settings, input hashes, code version);
5. shows progress on stderr (tqdm; silent when not a terminal).

Errors are :class:`~pipeline.errors.PipelineError` subclasses; the command line maps them to a plain
message and an exit code (:func:`pipeline.errors.handled`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import catalog, config
from pipeline.common import RunPaths
from pipeline.settings import Settings

__all__ = ["Stage", "StageOutput", "Tables", "execute", "read_inputs", "write_documents", "write_outputs"]

log = logging.getLogger("pipeline.runner")

#: Tables by catalog name (``None``: an optional table that is not there).
Tables = dict[str, pd.DataFrame | None]


@dataclass
class StageOutput:
    """What a stage's ``run`` returns.

    Attributes:
        tables: Catalog table name -> the table to validate and write.
        params: The stage's parameters and counts, recorded in ``<stage>.config.yaml``.
        record_dir: Where the run record goes, relative to the processed folder ("" = beside the tables).
        inputs: Files the stage read besides its tables (training files, the codebook), to fingerprint.
        documents: Reports to write: path relative to the consultation's reports folder -> HTML text or bytes.
        files: Other files to write beside the tables (a JSON summary): path relative to the processed folder -> text.
    """

    tables: dict[str, pd.DataFrame]
    params: dict[str, Any] = field(default_factory=dict)
    record_dir: str = ""
    inputs: list[Path] = field(default_factory=list)
    documents: dict[str, str | bytes] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


Loader = Callable[[RunPaths, Settings], tuple[Tables, list[Path]]]


@dataclass(frozen=True)
class Stage:
    """A stage, declared for the runner.

    Attributes:
        name: Its name in the run record (``<name>.config.yaml``) and the progress bar.
        run: The pure step ``run(tables, settings) -> StageOutput``.
        reads: Catalog tables it needs.
        reads_optional: Catalog tables it uses when they exist.
        load: Reads inputs that are not processed tables; returns them and the files read.
    """

    name: str
    run: Callable[[Tables, Settings], StageOutput]
    reads: tuple[str, ...] = ()
    reads_optional: tuple[str, ...] = ()
    load: Loader | None = None


def read_inputs(stage: Stage, out: Path) -> tuple[Tables, list[Path]]:
    """Read a stage's catalog tables from ``out``: required ones must exist, optional ones may not.

    Raises:
        MissingTableError: If a required table is missing (the message says what to run first).
    """
    tables: Tables = {}
    files: list[Path] = []
    for name in stage.reads + stage.reads_optional:
        where = catalog.path(name, out)
        if name in stage.reads_optional and not where.exists():
            tables[name] = None
            continue
        tables[name] = catalog.read(name, out)
        files.append(where)
        log.info("read %s (%d rows)", where, len(tables[name]))
    return tables, files


def write_outputs(output: StageOutput, out: Path) -> list[Path]:
    """Validate and write each output table through the catalog; return the paths written."""
    written: list[Path] = []
    for name, df in output.tables.items():
        written += catalog.write(name, df, out)
    return written


def write_documents(documents: Mapping[str, str | bytes], folder: Path) -> list[Path]:
    """Write each document (relative path -> text or bytes) under ``folder``; return the paths written."""
    written = []
    for relative, content in documents.items():
        where = folder / relative
        where.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            where.write_bytes(content)
        else:
            where.write_text(content, encoding="utf-8")
        log.info("wrote %s", where)
        written.append(where)
    return written


def execute(stage: Stage, paths: RunPaths, settings: Settings, extra: Mapping[str, Any] | None = None) -> StageOutput:
    """Run ``stage`` on one consultation: read, run, validate and write, record (see the module docstring).

    Args:
        stage: The stage's declaration.
        paths: The consultation's folders.
        settings: The run's settings (loaded once, from ``--config``).
        extra: Options of this run (e.g. a command-line flag), recorded with the parameters.

    Returns:
        What the stage returned (its tables as written).
    """
    from tqdm import tqdm

    with tqdm(total=3, desc=stage.name, unit="step", disable=None) as bar:
        tables, files = read_inputs(stage, paths.out)
        if stage.load is not None:
            loaded, more = stage.load(paths, settings)
            tables.update(loaded)
            files += more
        bar.update()
        output = stage.run(tables, settings)
        bar.update()
        paths.out.mkdir(parents=True, exist_ok=True)
        write_outputs(output, paths.out)
        write_documents(output.files, paths.out)
        write_documents(output.documents, paths.reports)
        params = {**output.params, **dict(extra or {})}
        config.write_run_config(paths.out / output.record_dir if output.record_dir else paths.out, stage.name,
                                params, files + output.inputs, settings_used=settings.as_dict())
        bar.update()
    return output
