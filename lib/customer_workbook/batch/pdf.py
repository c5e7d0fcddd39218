"""Print a run to one PDF: the plan page (the run's index) first, then every report as an appendix.

Pages are printed by headless Chromium (the Debian package ``chromium``, the browser the tests drive) through
Playwright, each report on its own A4 pages with its backgrounds, and joined with pypdf. Run it after a batch::

    python -m customer_workbook.batch.pdf reports/sample          # writes reports/sample/plan.pdf
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

__all__ = ["CHROMIUM_ARGS", "PdfError", "chromium_path", "print_run"]

#: Flags for a headless Chromium that asks the network for nothing (no sandbox: CI runs as root).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


class PdfError(RuntimeError):
    """The run cannot be printed: no browser, or no run in the folder."""


def chromium_path() -> str:
    """The system Chromium's path; :class:`PdfError` saying how to install it when there is none."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise PdfError("printing needs Chromium: install the Debian package 'chromium' (apt-get install chromium)")
    return path


def _pages(run_dir: Path) -> list[Path]:
    """The run's index, then each report that was written, in notebook order."""
    index = run_dir / "index.html"
    if not index.exists():
        raise PdfError(f"{run_dir}: no index.html - run the batch first (make reports)")
    results = json.loads((run_dir / "results.json").read_text()) if (run_dir / "results.json").exists() else []
    reports = [run_dir / r["html"] for r in sorted(results, key=lambda r: r["notebook"]) if r.get("html")]
    return [index, *[p for p in reports if p.exists()]]


def print_run(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write ``plan.pdf`` (or ``out``) for the run in ``run_dir``: the index with the plan, then the reports.
    Returns the PDF's path; the file is replaced only when every page printed."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfWriter

    run_dir = Path(run_dir).resolve()
    pages, out = _pages(run_dir), Path(out) if out else run_dir / "plan.pdf"
    writer, parts = PdfWriter(), []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                for i, html in enumerate(pages):
                    page.goto(html.as_uri(), wait_until="load")
                    parts.append(out.with_name(f".{out.stem}.part{i}.pdf"))
                    page.pdf(path=str(parts[-1]), format="A4", print_background=True,
                             margin={"top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"})
            finally:
                browser.close()
        for part in parts:
            writer.append(str(part))
        tmp = out.with_name(f".{out.name}.tmp")
        with open(tmp, "wb") as fh:
            writer.write(fh)
        tmp.replace(out)
    finally:
        for part in parts:
            part.unlink(missing_ok=True)
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m customer_workbook.batch.pdf RUN_DIR [OUT]``: print a run; 1 with a message on failure."""
    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 2:
        print("usage: python -m customer_workbook.batch.pdf RUN_DIR [OUT.pdf]", file=sys.stderr)
        return 2
    try:
        path = print_run(*args)
    except PdfError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
