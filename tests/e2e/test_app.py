"""`make app`: Voila serves the app copies of the notebooks code-free, with live widgets, on the loopback interface.

The app here is pointed at the small sample (``python -m customer_workbook.widgets OUT --data-dir ...``)
and its own cache folder, so the pages render in seconds. The browser test uses the system Chromium
(Debian package `chromium`) through Playwright with the flags of `make plan` (batch.pdf.CHROMIUM_ARGS).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from customer_workbook.batch import pdf
from customer_workbook.paths import project_root
from customer_workbook.widgets import write_app_copies

pytestmark = pytest.mark.notebooks
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
EXPLORED = "02_changes"  # its explorer: two drop-downs (metric, customer group) over one output area


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        assert response.status == 200
        return response.read().decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def voila_url(tmp_path_factory, small_sample):
    """Voila on the app copies of the notebooks, pointed at the small sample, with an empty cache folder."""
    folder = tmp_path_factory.mktemp("app")
    write_app_copies("notebooks", folder / "app", parameters={"data_dir": str(small_sample)})
    port = free_port()
    voila = Path(sys.executable).with_name("voila")
    env = {**os.environ, "CUSTOMER_WORKBOOK_CACHE_DIR": str(folder / "cache"), "CUSTOMER_WORKBOOK_CACHE": "1"}
    proc = subprocess.Popen([str(voila), str(folder / "app"), "--no-browser", f"--port={port}",
                             "--Voila.ip=127.0.0.1"], cwd=project_root(), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                fetch(url + "/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_app_home_page_answers(voila_url):
    assert "Voil" in fetch(voila_url + "/", timeout=10)  # the notebook list is filled in by the browser


def test_app_renders_a_notebook_without_code(voila_url):
    page = fetch(voila_url + "/voila/render/00_data_overview.ipynb", timeout=180)
    assert "Data overview" in page
    assert "load_dataset(" not in page, "code must be hidden"


@pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium (Debian package 'chromium')")
def test_moving_an_explorer_control_redraws_its_output(voila_url):
    """Issue 17: load one app page, move a control of an explorer, and the output area changes."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=pdf.CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{voila_url}/voila/render/{EXPLORED}.ipynb", timeout=180_000)
            picker = page.locator(".widget-dropdown select").first
            picker.wait_for(timeout=180_000)
            output = page.locator(".widget-output").first
            output.locator("img").first.wait_for(timeout=60_000)  # the explorer's first figure is drawn
            before = output.inner_html()
            options = picker.locator("option").all_inner_texts()
            assert len(options) > 1, "the metric drop-down offers a choice"
            picker.select_option(label=options[1])
            page.wait_for_function("([el, old]) => el.innerHTML !== old && el.querySelector('img')",
                                   arg=[output.element_handle(), before], timeout=60_000)
            if os.environ.get("APP_SCREENSHOT"):
                page.screenshot(path=os.environ["APP_SCREENSHOT"], full_page=True)
        finally:
            browser.close()
