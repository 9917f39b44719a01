"""Run the organisation notebook once per organisation with papermill, and export each to HTML.

:func:`run_notebooks` executes ``notebooks/organisation_report.ipynb`` for every organisation (a
progress bar; one failing organisation does not stop the others), writes the executed notebook and an
HTML export with the code cells hidden (nbconvert, ``exclude_input=True``) to
``reports/<consultation>/organisations/<org-slug>.ipynb|.html``, and returns a summary of which
succeeded or failed and why. The kernel is ipykernel's ``python3``: jupyter_client runs it with the
same Python that runs papermill (the project's ``.venv``).

Run it with ``python -m pipeline notebooks`` (``make notebooks``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline import config
from pipeline.disclosure import min_count as disclosure_min_count
from pipeline.reports.theme_report import slug
from pipeline.settings import lookup

log = logging.getLogger(__name__)

SUMMARY_COLUMNS = ["organisation", "slug", "status", "notebook", "html", "error"]


def organisation_slugs(organisations: Sequence[str]) -> dict[str, str]:
    """A distinct file-name slug for each organisation (``-2``, ``-3`` added when two slugs collide)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(organisations):
        base = slug(name)
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        out[name] = candidate
    return out


def list_organisations(statements: pd.DataFrame | None, returns: pd.DataFrame | None = None) -> list[str]:
    """Organisations with statements or returns, sorted (``unknown`` included: the runner reports it)."""
    names: set[str] = set()
    for df in (statements, returns):
        if df is not None and "organisation" in df:
            names |= set(df["organisation"].dropna().astype(str))
    return sorted(names)


def export_html(notebook_path: Path, html_path: Path) -> Path:
    """Export an executed notebook to HTML with the code cells hidden."""
    import nbformat  # noqa: PLC0415
    from nbconvert import HTMLExporter  # noqa: PLC0415

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(notebook_path, as_version=4))
    html_path.write_text(body, encoding="utf-8")
    return html_path


def _error_text(exc: BaseException) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    return f"{ename}: {evalue}".strip()[:500]


def _run_one(name: str, slug_: str, template: str, output_dir: str, parameters: dict, kernel: str,
             cell_timeout: int) -> dict[str, str]:
    """Execute and export one organisation's notebook; a failure is returned in the row, never raised."""
    import papermill as pm  # noqa: PLC0415

    nb_path, html_path = Path(output_dir) / f"{slug_}.ipynb", Path(output_dir) / f"{slug_}.html"
    row = {"organisation": name, "slug": slug_, "status": "failed", "notebook": str(nb_path), "html": "", "error": ""}
    try:
        pm.execute_notebook(template, str(nb_path), parameters={**parameters, "organisation": name},
                            kernel_name=kernel, cwd=str(config.ROOT), progress_bar=False,
                            execution_timeout=cell_timeout)
        export_html(nb_path, html_path)
        row.update(status="succeeded", html=str(html_path))
        log.info("organisation %r: wrote %s and %s", name, nb_path, html_path)
    except Exception as exc:  # noqa: BLE001 - one organisation's failure must not stop the others
        row["error"] = _error_text(exc)
        log.error("organisation %r failed: %s (see %s)", name, row["error"], nb_path)
    return row


def notebook_jobs(n_jobs: int | None, n_organisations: int) -> int:
    """Notebooks run at once: ``n_jobs``, else the cores this process may use; never more than the organisations."""
    from pipeline.parallel import usable_cores

    return max(1, min(int(n_jobs) if n_jobs else usable_cores(), max(n_organisations, 1)))


def run_notebooks(
    organisations: Sequence[str],
    consultation: str,
    processed_dir: Path,
    output_dir: Path,
    template: Path | None = None,
    kernel: str | None = None,
    min_count: int | None = None,
    cell_timeout: int | None = None,
    progress: bool = True,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Execute the organisation notebook for each organisation; one failure does not stop the rest.

    The notebooks run in parallel, one per core (each in its own process with its own kernel), so
    200 organisations take about 1/cores of the time they take one after another.

    Args:
        organisations: Organisation names exactly as in ``statements.parquet``.
        consultation: Consultation name (passed to the notebook).
        processed_dir: Folder of processed tables (passed to the notebook).
        output_dir: Folder for ``<org-slug>.ipynb`` and ``<org-slug>.html``.
        template: The parameterised notebook (default: ``notebooks.template`` of ``config/report.yaml``).
        kernel: Jupyter kernel name (default: ``notebooks.kernel`` of ``config/report.yaml``).
        min_count: Disclosure threshold, passed to the notebook (default: ``disclosure.min_count``).
        cell_timeout: Seconds one cell may run (default: ``notebooks.cell_timeout`` of ``config/report.yaml``).
        progress: Show a tqdm progress bar.
        n_jobs: Notebooks run at once (default: the cores this process may use; 1 = one after another).

    Returns:
        One row per organisation, sorted by name: ``organisation, slug, status (succeeded|failed),
        notebook, html, error``.
    """
    from tqdm import tqdm  # noqa: PLC0415

    template = Path(template or config.ROOT / lookup(None, "notebooks.template", "report.yaml"))
    kernel = kernel or lookup(None, "notebooks.kernel", "report.yaml")
    cell_timeout = int(cell_timeout or lookup(None, "notebooks.cell_timeout", "report.yaml"))
    min_count = disclosure_min_count() if min_count is None else min_count
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    slugs = organisation_slugs(organisations)
    parameters = {"consultation": consultation, "processed_dir": str(Path(processed_dir).resolve()),
                  "output_dir": str(output_dir.resolve()), "min_count": int(min_count)}
    names = sorted(organisations)
    args = [(name, slugs[name], str(template), str(output_dir), parameters, kernel, cell_timeout) for name in names]
    with tqdm(total=len(names), desc="organisation notebooks", unit="org", disable=not progress) as bar:
        rows = _execute_all(args, notebook_jobs(n_jobs, len(names)), bar.update)
    return pd.DataFrame([rows[name] for name in names], columns=SUMMARY_COLUMNS)


def _execute_all(args: list[tuple], jobs: int, done) -> dict[str, dict[str, str]]:
    """Run :func:`_run_one` for each argument tuple, ``jobs`` at a time (spawned processes); rows by organisation."""
    from concurrent.futures import ProcessPoolExecutor, as_completed  # noqa: PLC0415

    rows: dict[str, dict[str, str]] = {}
    if jobs == 1:
        for a in args:
            rows[a[0]] = _run_one(*a)
            done()
        return rows
    import multiprocessing as mp  # noqa: PLC0415

    with ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn")) as pool:
        futures = {pool.submit(_run_one, *a): a[0] for a in args}
        for future in as_completed(futures):
            rows[futures[future]] = future.result()
            done()
    return rows
