"""End to end: a batch run of the whole series on the small sample, opened in headless Chromium.

Uses the system Chromium (Debian package `chromium`, installed by `.ci/run`) driven by Playwright;
nothing is downloaded. Pages are served from 127.0.0.1 so links resolve as they do for a reader.
Set UPDATE_SCREENSHOT=1 to refresh the README's picture (docs/images/report.png).
"""
from __future__ import annotations

import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from customer_workbook.batch import main
from customer_workbook.paths import project_root

pytestmark = pytest.mark.notebooks
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]

if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Chromium (see .ci/run) for the browser test")
    pytest.skip("no system Chromium: install the Debian package 'chromium' to run the browser test",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory, small_sample):
    """The reports folder of a full batch run, served on 127.0.0.1; yields the run's base URL."""
    reports = tmp_path_factory.mktemp("browser_reports")
    params = reports / "small.yaml"
    params.write_text(f"run_name: small\ndescription: browser test\nparameters:\n  data_dir: {small_sample}\n")
    assert main([str(params), "--out", str(reports), "--jobs", "2"]) == 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(reports)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/small/"
    server.shutdown()


@pytest.fixture(scope="module")
def page():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.problems = []
        page.on("console", lambda msg: msg.type == "error" and page.problems.append(f"console: {msg.text}"))
        page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
        page.on("requestfailed", lambda req: page.problems.append(f"failed request: {req.url}"))
        # a report is one self-contained file: the browser must ask the server for nothing else (not even
        # /favicon.ico, whose 404 used to arrive at random times)
        page.on("request", lambda req: req.is_navigation_request() or req.url.startswith("data:")
                or page.problems.append(f"extra request: {req.url}"))
        yield page
        browser.close()


def open_clean(page, url: str) -> None:
    page.problems.clear()
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    assert page.problems == [], f"{url}: {page.problems}"


def test_index_links_resolve_and_every_report_reads_cleanly(site, page):
    open_clean(page, site + "index.html")
    shot = project_root() / "docs" / "images" / "report.png"
    if os.environ.get("UPDATE_SCREENSHOT"):
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    notebooks = sorted(p.stem for p in (project_root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(link.rsplit("/", 1)[-1] for link in links) == sorted(f"{n}.html" for n in notebooks)
    for link in links:
        open_clean(page, link)
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])")
        assert images, f"{link}: no figures"
        assert all(done and width > 0 and height > 0 for done, width, height in images), f"{link}: broken image"
        assert page.locator("#key-findings").count() == 1, f"{link}: no key findings block"
        assert page.locator("nav.cw-toc a").count() >= 2, f"{link}: no table of contents"
        leaks = page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count()
        assert leaks == 0, f"{link}: warnings leak into the report"
        text = page.inner_text("body")
        for widget_repr in ("VBox(", "HBox(", "interactive(", "Output()"):
            assert widget_repr not in text, f"{link}: raw widget repr {widget_repr!r}"


# --------------------------------------------------------------------------- hostile data (issue 13)


@pytest.fixture(scope="module")
def hostile_site(hostile_reports):
    """The hostile run of ``tests/e2e/test_report_safety.py`` (a payload in every text value), served on 127.0.0.1."""
    reports = hostile_reports["run_dir"].parent
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(reports)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hostile/"
    server.shutdown()


# Elements a payload from the data would have created, found in the live DOM.
INJECTED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value.trim().toLowerCase();
      if (attr.name.startsWith('on') && value.includes('alert')) found.push(`${el.tagName} ${attr.name}`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attr.name) && value.startsWith('javascript:'))
        found.push(`${el.tagName} ${attr.name}=${value}`);
    }
  }
  for (const s of document.querySelectorAll('script')) if (s.textContent.includes('alert(1)')) found.push('script');
  return found;
}"""


def test_hostile_reports_run_no_script_and_show_the_payloads_as_text(hostile_site, page):
    from hostile import LONG_PAYLOAD, PAYLOADS

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_clean(page, hostile_site + "index.html")
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    notebooks = sorted(p.stem for p in (project_root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(link.rsplit("/", 1)[-1] for link in links) == sorted(f"{n}.html" for n in notebooks)
    seen = page.inner_text("body")
    for link in links:
        open_clean(page, link)
        page.wait_for_timeout(200)  # let any onload / onerror handler fire
        assert page.evaluate(INJECTED) == [], link
        assert page.locator("#key-findings").count() == 1, f"{link}: no key findings block"
        seen += page.inner_text("body")
    assert dialogs == [], dialogs
    for payload in PAYLOADS:
        shown = payload.strip() if payload != LONG_PAYLOAD else LONG_PAYLOAD[:40]
        assert shown in seen, f"payload not visible as text: {payload!r}"
