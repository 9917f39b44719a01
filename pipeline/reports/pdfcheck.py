"""Check a Word document as a reader would: convert it to PDF with LibreOffice, count pages, measure tables.

:func:`to_pdf` runs LibreOffice headless (Debian ``libreoffice-writer-nogui``; ``make setup`` installs
it). :func:`measure` reads the PDF with pdfplumber: pages, pages before the appendix (the main body),
the narrowest table column and the tallest table row as measured on the page (tables are found by
their ruled lines). :func:`save_images` writes one PNG per page for a person to look at.

Run on a document::

    python -m pipeline.reports.pdfcheck reports/sample/theme_report.docx --appendix "Appendix A: full tables" \\
        --images reports/sample/pages
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Layout", "measure", "soffice", "save_images", "to_pdf"]

CM_PER_POINT = 2.54 / 72


def soffice() -> str | None:
    """The LibreOffice executable, or ``None`` when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: Path, out_dir: Path, timeout: int = 300) -> Path:
    """Convert ``docx`` to PDF in ``out_dir`` with LibreOffice headless; returns the PDF's path.

    Raises:
        RuntimeError: If LibreOffice is missing or the conversion fails.
    """
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice is not installed: run `make setup` (Debian package libreoffice-writer-nogui).")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:  # a private profile, so parallel runs do not clash
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir",
             str(out_dir), str(docx)], capture_output=True, text=True, timeout=timeout, check=False)
    pdf = out_dir / (Path(docx).stem + ".pdf")
    if result.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"LibreOffice could not convert {docx}: {result.stderr.strip() or result.stdout.strip()}")
    return pdf


@dataclass(frozen=True)
class Layout:
    """What a reader would see: page counts and the extremes of the tables' layout."""

    pages: int
    main_body_pages: int
    landscape_pages: int
    narrowest_column_cm: float
    tallest_row_share: float
    tables: int


def _tables(page) -> list:
    return page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"})


def measure(pdf_path: Path, appendix_title: str | None = None) -> Layout:
    """Measure a PDF (see the module docstring). The main body ends where ``appendix_title`` heads a page."""
    import pdfplumber  # noqa: PLC0415

    narrowest, tallest, n_tables, landscape = float("inf"), 0.0, 0, 0
    main = None
    with pdfplumber.open(pdf_path) as pdf:
        for i, page in enumerate(pdf.pages):
            landscape += page.width > page.height
            text = page.extract_text() or ""
            if appendix_title and main is None and appendix_title in text.split("\n")[0:3]:
                main = i
            for t in _tables(page):
                n_tables += 1
                first = [c for c in t.rows[0].cells if c] if t.rows else []
                narrowest = min([narrowest, *((c[2] - c[0]) * CM_PER_POINT for c in first)])
                tallest = max([tallest, *((r.bbox[3] - r.bbox[1]) / page.height for r in t.rows)])
        pages = len(pdf.pages)
    return Layout(pages, pages if main is None else main, landscape,
                  round(narrowest, 2) if n_tables else 0.0, round(tallest, 3), n_tables)


def save_images(pdf_path: Path, out_dir: Path, resolution: int = 40) -> list[Path]:
    """One PNG per page of the PDF in ``out_dir`` (``page-001.png`` ...)."""
    import pdfplumber  # noqa: PLC0415

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    with pdfplumber.open(pdf_path) as pdf:
        for i, page in enumerate(pdf.pages, start=1):
            path = out_dir / f"page-{i:03d}.png"
            page.to_image(resolution=resolution).save(path)
            paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    """Print the layout of a .docx (converted with LibreOffice) and optionally save its page images."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docx", type=Path)
    parser.add_argument("--appendix", default=None, help="heading that starts the appendix (ends the main body)")
    parser.add_argument("--images", type=Path, default=None, help="folder for one PNG per page")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = to_pdf(args.docx, Path(tmp))
        layout = measure(pdf, args.appendix)
        if args.images:
            save_images(pdf, args.images)
    print(layout)  # noqa: T201 - a command-line report


if __name__ == "__main__":
    main()
