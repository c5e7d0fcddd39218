"""End to end: a batch run of the whole series on the small sample, opened in headless Chromium.

Uses the system Chromium (Debian package `chromium`, installed by `.ci/run`) driven by Playwright;
nothing is downloaded. Pages are served from 127.0.0.1 so links resolve as they do for a reader.
Set UPDATE_SCREENSHOT=1 to refresh the README's picture (docs/images/report.png).
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from customer_workbook.batch import main, pdf
from customer_workbook.paths import project_root

pytestmark = pytest.mark.notebooks
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = pdf.CHROMIUM_ARGS  # one set of flags: the browser `make plan` prints with

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
    links = list(dict.fromkeys(links))  # the plan links each report once per decision, the table once more
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


# --------------------------------------------------------------------------- what a reader sees (issue 17)

WIDTHS = {"desktop": 1366, "laptop": 1024}
TOKENS = re.compile(r"\b(nan|NaN|None|inf)\b")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")

# The text of the key findings: the report's block after its heading, or the index's findings column.
KEY_FINDINGS = """() => {
  const heading = document.getElementById('key-findings');
  if (!heading) return Array.from(document.querySelectorAll('td:nth-child(4)')).map(td => td.innerText).join('\\n');
  let text = '';
  for (let el = heading.nextElementSibling; el && !['H1', 'H2', 'NAV'].includes(el.tagName)
       && !el.classList.contains('cw-params'); el = el.nextElementSibling) text += el.innerText + '\\n';
  return text;
}"""

# The text of every table header and heading, one per line (code names must not show there either).
HEADERS = """() => Array.from(document.querySelectorAll('th, h1, h2, h3, h4'))
  .filter(el => el.offsetParent !== null).map(el => el.innerText).join('\\n')"""

# Visible text that overlaps other visible text: the boxes of the lines of every text node, compared pairwise
# (sorted by top edge, so only boxes on the same band are compared); two lines of different text nodes overlap
# when they share more than half a line's height. Returns up to five overlapping pairs.
OVERLAPS = """() => {
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || !node.parentElement || node.parentElement.offsetParent === null) continue;
    const style = getComputedStyle(node.parentElement);
    if (style.visibility !== 'visible' || parseFloat(style.opacity) === 0) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width > 1 && r.height > 1)
      boxes.push({top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right, node,
                  text: node.textContent.trim().slice(0, 30)});
  }
  boxes.sort((a, b) => a.top - b.top);
  const found = [];
  for (let i = 0; i < boxes.length && found.length < 5; i++) {
    for (let j = i + 1; j < boxes.length && boxes[j].top < boxes[i].bottom - 2; j++) {
      const a = boxes[i], b = boxes[j];
      const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      // the lines of one wrapped text node, or tight neighbouring lines, touch: text over text covers half a line
      if (a.node !== b.node && dx > 2 && dy > 0.5 * Math.min(a.bottom - a.top, b.bottom - b.top))
        found.push(`${a.text} / ${b.text}`);
    }
  }
  return found;
}"""

# Tables that reach beyond the window, or are cut off without a frame to scroll in.
CUT_TABLES = """() => Array.from(document.querySelectorAll('table')).filter(t => {
  const box = t.getBoundingClientRect(), style = getComputedStyle(t);
  const scrolls = t.scrollWidth > t.clientWidth + 1;
  const framed = ['auto', 'scroll'].includes(style.overflowX) && parseFloat(style.borderRightWidth) > 0;
  return box.right > window.innerWidth + 1 || (scrolls && !framed);
}).map(t => (t.querySelector('th') || t).innerText.slice(0, 40))"""


def test_index_and_reports_fit_both_widths_and_read_as_words(site, page, tmp_path):
    """The index and every report at a desktop and a laptop width: a screenshot of each, no horizontal
    overflow of the page, no table cut off outside a scrolling frame, no nan / None / inf token, no
    code names (snake_case) in the key findings, table headers or headings, no visible text overlapping other text."""
    print(f"\nscreenshots: {tmp_path}")
    open_clean(page, site + "index.html")
    pages = ["index.html"] + [link.rsplit("/", 1)[-1] for link in
                              page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")]
    problems = []
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        for html in pages:
            open_clean(page, site + html)
            page.screenshot(path=str(tmp_path / f"{name}-{width}px-{html.replace('.html', '')}.png"), full_page=True)
            where = f"{html} at {width} px"
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                problems.append(f"{where}: the page is {scroll_width} px wide")
            cut = page.evaluate(CUT_TABLES)
            if cut:
                problems.append(f"{where}: tables cut off: {cut}")
            tokens = sorted({m.group(0) for m in TOKENS.finditer(page.inner_text("body"))})
            if tokens:
                problems.append(f"{where}: visible {tokens}")
            codes = sorted(set(SNAKE_CASE.findall(page.evaluate(KEY_FINDINGS))))
            if codes:
                problems.append(f"{where}: code names in the key findings: {codes}")
            codes = sorted(set(SNAKE_CASE.findall(page.evaluate(HEADERS))))
            if codes:
                problems.append(f"{where}: code names in table headers or headings: {codes}")
            overlaps = page.evaluate(OVERLAPS)
            if overlaps:
                problems.append(f"{where}: overlapping text: {overlaps}")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert problems == [], "\n".join(problems)


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
    links = list(dict.fromkeys(links))  # the plan links each report once per decision, the table once more
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
