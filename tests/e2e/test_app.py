"""`make app`: Voila serves the notebooks code-free, with live widgets, on the loopback interface."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from customer_workbook.paths import project_root

pytestmark = pytest.mark.notebooks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        assert response.status == 200
        return response.read().decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def voila_url():
    port = free_port()
    voila = Path(sys.executable).with_name("voila")
    proc = subprocess.Popen([str(voila), "notebooks/", "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"],
                            cwd=project_root(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
