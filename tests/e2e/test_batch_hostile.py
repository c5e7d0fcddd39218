"""Hostile input for the batch runner: bad parameter files, signals, a second batch, a full disk, markup.

Parameter checks and the full-disk and escaping cases run without kernels, on tiny synthetic notebooks
built in temporary folders. The signal cases start real batches (marked ``notebooks``): notebooks that
sleep until they are stopped.
"""
from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
import pytest

from customer_workbook.batch import (BatchConfigError, JobResult, ParameterFileError, load_run_spec, load_run_specs,
                                     main)
from customer_workbook.batch.worker import JOB_ENV
from customer_workbook.paths import project_root

PARAMETERS_CELL = '''\
data_dir = "data/sample"  # folder of tables
column_map = {}  # {table: {your_column: contract_column}}
date_format = None  # how dates are written
start_date = None  # first day
end_date = None  # last day
business_unit = None  # region
findings_path = None  # set by the batch
interactive = True  # widgets
seed = 42  # random seed
margin = 0.35  # profit margin
levels = [0.5, 1.0, 1.5]  # spend multiples
orders = (2, 4)  # order range
costs = {"platinum": 25.0, "gold": 8.0, "silver": 2.0}  # tier costs
carryover = "auto"  # "auto", True or False
pause = 0.0  # seconds to sleep
marker = ""  # file written when the notebook starts
'''
BODY = '''\
import pathlib, time
from customer_workbook.findings import Findings
if marker:
    pathlib.Path(marker).write_text("started")
time.sleep(pause)
f = Findings("NB", "Title of NB")
f.add("answer", 42, "The answer", headline=True)
f.save(findings_path)
'''


def make_series(folder: Path, names=("00_quick", "01_slow", "02_quick")) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        nb = nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_markdown_cell(f"# {name}\n\n## A section"),
            nbformat.v4.new_code_cell(PARAMETERS_CELL, metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(BODY.replace("NB", name)),
        ])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


@pytest.fixture(scope="module")
def series(tmp_path_factory) -> Path:
    return make_series(tmp_path_factory.mktemp("series") / "notebooks")


def spec_file(tmp_path: Path, text: str, name: str = "run.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text.replace("DATA", str(tmp_path)), encoding="utf-8")
    return path


def problems_of(path: Path, series: Path) -> str:
    with pytest.raises(ParameterFileError) as info:
        load_run_spec(path, series)
    message = str(info.value)
    assert message.startswith(f"{path}:"), "the message names the file first"
    return message


# --------------------------------------------------------------------------- accepted files


def test_dates_quoted_or_unquoted_become_text_and_types_are_kept(tmp_path, series):
    path = spec_file(tmp_path, """\
run_name: north-2025
description: Northern region
parameters:
  data_dir: DATA
  start_date: 2025-01-01
  end_date: "2025-12-31"
  business_unit: North
  seed: 7
  margin: 1
  levels: [1, 2.5]
  orders: [1, 3]
  costs: {gold: 9}
  carryover: false
  column_map: {transactions: {Client: customer_id}}
  date_format: {transactions: {date: "%d/%m/%Y"}, surveys: "%Y-%m-%d"}
notebook_parameters:
  01_slow: {pause: 2, end_date: 2025-06-30}
""")
    spec = load_run_spec(path, series)
    assert spec.name == "north-2025" and spec.description == "Northern region"
    assert spec.parameters == {
        "data_dir": str(tmp_path), "start_date": "2025-01-01", "end_date": "2025-12-31", "business_unit": "North",
        "seed": 7, "margin": 1, "levels": [1, 2.5], "orders": [1, 3], "costs": {"gold": 9}, "carryover": False,
        "column_map": {"transactions": {"Client": "customer_id"}},
        "date_format": {"transactions": {"date": "%d/%m/%Y"}, "surveys": "%Y-%m-%d"}}
    assert spec.notebook_parameters == {"01_slow": {"pause": 2, "end_date": "2025-06-30"}}
    assert [p.stem for p in spec.notebooks] == ["00_quick", "01_slow", "02_quick"]


def test_nulls_and_an_empty_file_are_accepted(tmp_path, series):
    spec = load_run_spec(spec_file(tmp_path, "parameters:\n  start_date: null\n  business_unit: ~\n"), series)
    assert spec.name == "run" and spec.parameters == {"start_date": None, "business_unit": None}
    empty = load_run_spec(spec_file(tmp_path, "", "empty.yaml"), series)
    assert empty.name == "empty" and empty.parameters == {} and len(empty.notebooks) == 3


# --------------------------------------------------------------------------- unknown keys, closest names


def test_unknown_top_level_key_names_line_and_closest_key(tmp_path, series):
    message = problems_of(spec_file(tmp_path, "run_name: x\nparamters: {}\n"), series)
    assert "line 2: unknown key 'paramters' at the top level; did you mean 'parameters'?" in message


def test_unknown_parameter_is_an_error_with_the_closest_name(tmp_path, series):
    message = problems_of(spec_file(tmp_path, "parameters:\n  data_dir: DATA\n  busines_unit: North\n"), series)
    assert "line 3: parameters.busines_unit: unknown parameter 'busines_unit': no notebook declares it; " \
           "did you mean 'business_unit'?" in message


def test_unknown_notebook_in_overrides_names_the_closest_notebook(tmp_path, series):
    message = problems_of(spec_file(tmp_path, "notebook_parameters:\n  01_slo: {pause: 1}\n"), series)
    assert "line 2: notebook_parameters: unknown notebook '01_slo'; did you mean '01_slow'?" in message


def test_unknown_parameter_inside_an_override(tmp_path, series):
    message = problems_of(spec_file(tmp_path, "notebook_parameters:\n  01_slow:\n    paus: 1\n"), series)
    assert "line 3: notebook_parameters.01_slow.paus: unknown parameter 'paus'" in message
    assert "did you mean 'pause'?" in message


def test_unknown_notebook_in_the_notebooks_list(tmp_path, series):
    message = problems_of(spec_file(tmp_path, "notebooks: [00_quick, 02_quik]\n"), series)
    assert "line 1: notebooks: notebook '02_quik' not found" in message and "did you mean '02_quick'?" in message


def test_parameter_of_a_notebook_outside_the_run_is_an_error(tmp_path, series):
    make_series(tmp_path / "nbs", ["00_quick"])
    (tmp_path / "nbs" / "01_other.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("only_here = 1", metadata={"tags": ["parameters"]})])))
    path = spec_file(tmp_path, "notebooks: [00_quick]\nparameters:\n  only_here: 2\n")
    message = problems_of(path, tmp_path / "nbs")
    assert "line 3: parameters.only_here: declared only by 01_other, which this run does not include" in message


def test_parameters_set_by_the_runner_are_refused(tmp_path, series):
    message = problems_of(spec_file(tmp_path, "parameters:\n  findings_path: x.json\n  interactive: true\n"), series)
    assert "line 2: parameters.findings_path: set by the batch runner" in message
    assert "line 3: parameters.interactive: set by the batch runner" in message


# --------------------------------------------------------------------------- wrong types


@pytest.mark.parametrize("line, expected", [
    ("seed: abc", "parameters.seed: expected a whole number, got the text 'abc'"),
    ("seed: 1.5", "parameters.seed: expected a whole number, got the number 1.5"),
    ("margin: true", "parameters.margin: expected a number, got the boolean true"),
    ("margin: .nan", "parameters.margin: expected a finite number"),
    ("business_unit: no", "parameters.business_unit: expected text, got the boolean false; if you meant the text, "
                          "put it in quotes"),
    ("levels: [1, x]", "parameters.levels: item 2: expected a number, got the text 'x'"),
    ("orders: [1, 2, 3]", "parameters.orders: expected a list of 2 whole numbers, got a list of 3"),
    ("costs: {gold: 1, platnum: 2}", "parameters.costs: unknown key 'platnum'; did you mean 'platinum'?"),
    ("carryover: maybe", "parameters.carryover: expected true or false or \"auto\", got the text 'maybe'"),
    ("column_map: {transactons: {a: b}}", "'transactons' is not a table of the data contract; "
                                          "did you mean 'transactions'?"),
    ("column_map: {transactions: {a: 1}}", "expected text, got the number 1"),
    ("date_format: 12", "parameters.date_format: expected text or a mapping of table to a format"),
    ("data_dir: [a]", "parameters.data_dir: expected text, got a list of 1"),
])
def test_wrong_types_name_file_line_parameter_and_expectation(tmp_path, series, line, expected):
    message = problems_of(spec_file(tmp_path, f"parameters:\n  {line}\n"), series)
    assert f"line 2: {expected}" in message or expected in message
    assert "line 2:" in message


def test_date_format_is_checked_against_the_contract_before_the_run(tmp_path, series):
    message = problems_of(spec_file(tmp_path, "parameters:\n  date_format: {transactions: {week: '%d/%m/%Y'}}\n"),
                          series)
    assert "line 2: parameters.date_format: date_format names ['week'] in table 'transactions'" in message
    assert "its date columns are ['date']" in message


@pytest.mark.parametrize("value, expected", [
    ("2025-02-30", "'2025-02-30' is not a real date (expected YYYY-MM-DD)"),
    ('"2025-02-30"', "'2025-02-30' is not a real date (expected YYYY-MM-DD)"),
    ('"01/02/2025"', "expected a date as YYYY-MM-DD, got the text '01/02/2025'"),
    ("2025-01-01 10:00:00", "expected a date (YYYY-MM-DD), got the date and time 2025-01-01 10:00:00"),
    ("20250101", "expected a date (YYYY-MM-DD), got the number 20250101"),
])
def test_bad_dates(tmp_path, series, value, expected):
    message = problems_of(spec_file(tmp_path, f"parameters:\n  start_date: {value}\n"), series)
    assert f"line 2: parameters.start_date: {expected}" in message


def test_start_after_end_is_an_error_also_through_an_override(tmp_path, series):
    message = problems_of(spec_file(tmp_path, "parameters:\n  start_date: 2025-12-31\n  end_date: 2025-01-01\n"),
                          series)
    assert "line 2: start_date 2025-12-31 is after end_date 2025-01-01" in message
    path = spec_file(tmp_path, "parameters:\n  end_date: 2025-06-30\nnotebook_parameters:\n"
                               "  01_slow: {start_date: 2025-07-01}\n")
    assert "start_date 2025-07-01 is after end_date 2025-06-30" in problems_of(path, series)


# --------------------------------------------------------------------------- YAML itself


def test_yaml_syntax_error_names_the_line(tmp_path, series):
    message = problems_of(spec_file(tmp_path, "run_name: x\nparameters:\n  seed: [1, 2\n  margin: 3\n"), series)
    assert "YAML syntax error" in message and "line 4" in message


def test_alias_bomb_is_refused_quickly_without_expanding(tmp_path, series):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{cur}: &{cur} [{','.join(['*' + prev] * 9)}]")
    path = spec_file(tmp_path, "\n".join(lines) + "\nparameters:\n  levels: *i\n")
    started = time.perf_counter()
    message = problems_of(path, series)
    assert time.perf_counter() - started < 1.0
    assert "refused: " in message and "expands to more than" in message


def test_recursive_alias_is_refused(tmp_path, series):
    message = problems_of(spec_file(tmp_path, "parameters:\n  levels: &x [1, *x]\n"), series)
    assert "line 2: a YAML alias refers to the node that contains it" in message


def test_duplicate_keys_are_errors_not_last_one_wins(tmp_path, series):
    message = problems_of(spec_file(tmp_path, "parameters:\n  seed: 1\n  seed: 2\n"), series)
    assert "line 3: key 'parameters.seed' is given twice (also on line 2)" in message


def test_not_a_mapping_and_several_documents(tmp_path, series):
    assert "expected a mapping with the keys run_name" in problems_of(spec_file(tmp_path, "- a\n- b\n"), series)
    message = problems_of(spec_file(tmp_path, "run_name: a\n---\nrun_name: b\n", "two.yaml"), series)
    assert "line 2" in message and "expected a single document" in message


def test_oversized_and_non_utf8_files_are_refused(tmp_path, series):
    big = tmp_path / "big.yaml"
    big.write_text("description: " + "x" * 300_000 + "\n")
    assert "a parameter file is at most" in problems_of(big, series)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("description: caf\xe9\n".encode("latin-1"))
    assert "is not UTF-8 text" in problems_of(latin, series)


# --------------------------------------------------------------------------- run names


@pytest.mark.parametrize("value, expected", [
    ("../escape", "run_name '../escape' must contain only letters, digits, '-' and '_'"),
    ("'a b'", "run_name 'a b' must contain only letters, digits"),
    ("2025", "run_name: expected text, got the number 2025; put it in quotes"),
    ("'-x'", "run_name '-x' must contain only letters, digits, '-' and '_', start with a letter or digit"),
])
def test_bad_run_names(tmp_path, series, value, expected):
    assert f"line 1: {expected}" in problems_of(spec_file(tmp_path, f"run_name: {value}\n"), series)


def test_duplicate_run_names_across_files_name_both_files(tmp_path, series):
    a = spec_file(tmp_path, "run_name: same\n", "a.yaml")
    b = spec_file(tmp_path, "run_name: same\n", "b.yaml")
    with pytest.raises(BatchConfigError, match="run name 'same' is used by 2 parameter files") as info:
        load_run_specs([a, b], series)
    assert str(a) in str(info.value) and str(b) in str(info.value)


def test_every_problem_of_a_file_is_listed_and_nothing_runs(tmp_path, series, capsys):
    path = spec_file(tmp_path, """\
run_name: ok-name
paramters: {}
parameters:
  seed: x
  start_date: 2025-13-01
  busines_unit: North
""")
    out = tmp_path / "reports"
    code = main([str(path), "--out", str(out), "--notebooks-dir", str(series)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists(), "nothing may run or be written"
    assert f"{path}: 4 problem(s) in this batch parameter file:" in err
    for expected in ("line 2: unknown key 'paramters'", "line 4: parameters.seed: expected a whole number",
                     "line 5: parameters.start_date: '2025-13-01' is not a real date",
                     "line 6: parameters.busines_unit: unknown parameter"):
        assert expected in err


def test_shipped_docstring_example_is_valid():
    """The module docstring's example uses parameters the series declares (top_n never existed)."""
    import customer_workbook.batch as batch

    example = batch.__doc__.split("::", 1)[1].split("\n\n")[1]
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"docstring-{os.getpid()}.yaml"
    path.write_text("\n".join(line[4:] for line in example.splitlines()))
    try:
        spec = load_run_spec(path)
    finally:
        path.unlink()
    assert spec.parameters["start_date"] == "2025-01-01" and "top_n" not in json.dumps(spec.notebook_parameters)


# --------------------------------------------------------------------------- full disk and escaping (no kernels)


def _fake_papermill(monkeypatch, partial_then_error=None):
    import papermill

    def execute_notebook(input_path, output_path, parameters=None, **kwargs):
        nb = nbformat.read(input_path, as_version=4)
        if partial_then_error:
            Path(output_path).write_text(nbformat.writes(nb)[:50])
            raise partial_then_error
        nbformat.write(nb, output_path)
        return nb
    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)


def _job(tmp_path, series):
    from customer_workbook.batch.worker import Job

    return Job("full", series / "00_quick.ipynb", {"findings_path": str(tmp_path / "full" / "00_quick.findings.json")},
               tmp_path / "full", 60)


def _leftovers(run_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(run_dir)) for p in run_dir.rglob("*")
                  if p.is_file() and (p.suffix in (".tmp", ".ipynb", ".html") or p.name.startswith(".")))


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_full_disk_while_writing_the_report_leaves_no_partial_report(tmp_path, series, monkeypatch, code):
    from customer_workbook.batch.worker import run_job

    _fake_papermill(monkeypatch)

    def no_space(fd):
        raise OSError(code, os.strerror(code))
    monkeypatch.setattr(os, "fsync", no_space)  # the atomic writer fails after writing its temporary file
    result = run_job(_job(tmp_path, series))
    assert result.status == "failed" and result.html is None
    assert result.error.startswith(f"the disk holding {tmp_path / 'full'} is full: free space and rerun")
    assert _leftovers(tmp_path / "full") == []


def test_full_disk_in_papermill_removes_its_partial_executed_notebook(tmp_path, series, monkeypatch):
    from customer_workbook.batch.worker import run_job

    _fake_papermill(monkeypatch, partial_then_error=OSError(errno.ENOSPC, "No space left on device"))
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left")))
    result = run_job(_job(tmp_path, series))
    assert "is full: free space and rerun" in result.error and result.html is None
    assert _leftovers(tmp_path / "full") == []


def test_full_disk_while_writing_the_index_exits_1_with_a_clear_message(tmp_path, series, monkeypatch, capsys):
    import customer_workbook.batch.runner as runner

    monkeypatch.setattr(runner, "_run_jobs", lambda planned, *a, **k: [
        JobResult(j.run, j.stem, True, 1.0, f"{j.stem}.html", None, None) for j in planned])
    real_fsync = os.fsync

    def fsync(fd):
        if os.readlink(f"/proc/self/fd/{fd}").split("/")[-1].startswith(".index.html"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)
    monkeypatch.setattr(os, "fsync", fsync)
    path = spec_file(tmp_path, "run_name: disk\n")
    code = main([str(path), "--out", str(tmp_path / "reports"), "--notebooks-dir", str(series)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"error: the disk holding {tmp_path / 'reports' / 'disk'} is full: free space and rerun" in err
    assert not (tmp_path / "reports" / "disk" / "index.html").exists()
    assert _leftovers(tmp_path / "reports") == []


def test_index_and_report_blocks_escape_every_value(tmp_path):
    from customer_workbook.batch.report import _findings_cell, index_page
    from customer_workbook.batch.worker import Job

    payload = "<script>alert(1)</script>[x](javascript:alert(2))\n\n<img src=x onerror=alert(3)>"
    run_dir = tmp_path / "r"
    run_dir.mkdir()
    (run_dir / "00_a.findings.json").write_text(json.dumps({"title": payload, "findings": {
        "k": {"label": payload, "value": payload, "unit": "", "headline": True}}, "skipped": []}))
    results = [JobResult("r", "00_a", True, 1.0, "00_a.html", "00_a.findings.json", None),
               JobResult("r", "01_<b>", False, 1.0, None, None, payload, "failed")]
    page = index_page(run_dir, "r", payload, results)
    cell = _findings_cell(Job("r", Path("00_a.ipynb"), {"business_unit": payload}, run_dir, 1),
                          {"skipped": [{"section": payload, "missing": [payload]}]}, payload,
                          [("section-1", payload)], "failed").source
    for html in (page, cell):
        assert "<script" not in html and "<img" not in html and "<b>t" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(3)&gt;" in html
    assert "01_&lt;b&gt;" in page
    # no blank line inside an HTML block: Markdown never gets to turn [x](javascript:...) into a link
    assert all(part.startswith("<") and "\n\n" not in part for part in cell.split("\n\n"))


def test_results_of_an_older_version_are_read_back():
    old = {"run": "r", "notebook": "00_a", "ok": False, "seconds": 2.0, "html": "00_a.html", "findings": None,
           "error": "x"}
    assert JobResult.from_dict(old).status == "failed"
    assert JobResult.from_dict({**old, "ok": True, "error": None}).status == "ok"


# --------------------------------------------------------------------------- signals (real kernels)


def our_processes(marker: str) -> list[str]:
    """Live processes whose command line or batch environment mentions ``marker`` (a tmp path)."""
    found = []
    for p in psutil.process_iter(["pid", "cmdline", "status"]):
        try:
            if p.info["status"] == psutil.STATUS_ZOMBIE or p.pid == os.getpid():
                continue
            text = " ".join(p.info["cmdline"] or []) + " " + p.environ().get(JOB_ENV, "")
        except (psutil.Error, OSError):
            continue
        if marker in text:
            found.append(f"{p.pid}: {' '.join(p.info['cmdline'] or [])[:200]}")
    return found


def assert_no_orphans(marker: str) -> None:
    deadline = time.monotonic() + 5
    while (left := our_processes(marker)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == [], f"processes left behind: {left}"


def start_batch(params: Path, out: Path, series: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "customer_workbook.batch", str(params), "--out", str(out),
                             "--notebooks-dir", str(series), *extra], cwd=project_root(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


def statuses(run_dir: Path) -> dict[str, str]:
    return {r["notebook"]: r["status"] for r in json.loads((run_dir / "results.json").read_text())}


@dataclass
class Stopped:
    """A batch stopped by a signal, as it was right after it exited (later tests rerun the same run)."""

    code: int
    output: str
    base: Path
    run_dir: Path
    statuses: dict
    index: str
    reports: dict
    files: list


def stopped(proc: subprocess.Popen, signum: int, base: Path, run: str) -> Stopped:
    proc.send_signal(signum)
    output, _ = proc.communicate(timeout=40)
    run_dir = base / "reports" / run
    return Stopped(proc.returncode, output, base, run_dir, statuses(run_dir), (run_dir / "index.html").read_text(),
                   {p.stem: p.read_text() for p in run_dir.glob("*.html") if p.name != "index.html"},
                   sorted(p.name for p in run_dir.iterdir()))


@pytest.fixture(scope="module")
def interrupted_run(tmp_path_factory, series) -> Stopped:
    """00 finishes, 01 is stopped by SIGINT while its cell sleeps, 02 never starts (one job at a time)."""
    base = tmp_path_factory.mktemp("sigint")
    marker = base / "01_started"
    params = base / "run.yaml"
    params.write_text(f"run_name: stopped\nparameters:\n  data_dir: {base}\n"
                      f"notebook_parameters:\n  01_slow: {{pause: 120, marker: {marker}}}\n")
    proc = start_batch(params, base / "reports", series, "--jobs", "1")
    wait_for(marker, proc)
    return stopped(proc, signal.SIGINT, base, "stopped")


@pytest.mark.notebooks
def test_sigint_exits_130_and_marks_the_rest_interrupted(interrupted_run):
    run = interrupted_run
    assert run.code == 130, run.output
    assert run.statuses == {"00_quick": "ok", "01_slow": "interrupted", "02_quick": "interrupted"}
    assert "interrupted: the batch was interrupted while this notebook ran" in run.index
    assert "interrupted: not run: the batch was interrupted before it started" in run.index
    assert "This report was interrupted." in run.reports["01_slow"]
    assert "02_quick" not in run.reports
    assert ".staging" not in run.files and ".lock" not in run.files


@pytest.mark.notebooks
def test_sigint_leaves_no_orphan_process(interrupted_run):
    assert_no_orphans(str(interrupted_run.base))


@pytest.mark.notebooks
def test_partial_rerun_after_an_interrupt(interrupted_run, series):
    run_dir = interrupted_run.run_dir
    assert main([str(interrupted_run.base / "run.yaml"), "--out", str(run_dir.parent), "--notebooks-dir",
                 str(series), "--notebooks", "02"]) == 0
    assert statuses(run_dir) == {"00_quick": "ok", "01_slow": "interrupted", "02_quick": "ok"}
    index = (run_dir / "index.html").read_text()
    assert all(f"href='{n}.html'" in index for n in ("00_quick", "01_slow", "02_quick"))


@pytest.fixture(scope="module")
def terminated_run(tmp_path_factory, series):
    """A batch stopped by SIGTERM, and a second batch started on the same run while it ran."""
    base = tmp_path_factory.mktemp("sigterm")
    marker = base / "started"
    params = base / "run.yaml"
    params.write_text(f"run_name: busy\nnotebooks: [01_slow]\nparameters:\n  data_dir: {base}\n"
                      f"  pause: 120\n  marker: {marker}\n")
    proc = start_batch(params, base / "reports", series)
    wait_for(marker, proc)
    second = subprocess.run([sys.executable, "-m", "customer_workbook.batch", str(params), "--out",
                             str(base / "reports"), "--notebooks-dir", str(series)],
                            cwd=project_root(), capture_output=True, text=True, timeout=60)
    return stopped(proc, signal.SIGTERM, base, "busy"), second, proc.pid


@pytest.mark.notebooks
def test_sigterm_exits_143_with_the_index_written_and_no_orphan(terminated_run):
    run, _, _ = terminated_run
    assert run.code == 143, run.output
    assert run.statuses == {"01_slow": "interrupted"}
    assert "This report was interrupted." in run.reports["01_slow"]
    assert_no_orphans(str(run.base))


@pytest.mark.notebooks
def test_a_second_batch_on_the_same_run_is_refused(terminated_run):
    run, second, pid = terminated_run
    assert second.returncode == 2
    assert (f"error: run 'busy' is being written by another batch (PID {pid}) in {run.run_dir}; "
            "wait for it to finish, or give this run another run_name") in second.stderr
    assert "ok" not in run.statuses.values()


@pytest.mark.notebooks
def test_full_rerun_after_an_interrupt(terminated_run, series):
    run, _, _ = terminated_run
    params = run.base / "again.yaml"
    params.write_text(f"run_name: busy\nnotebooks: [01_slow]\nparameters:\n  data_dir: {run.base}\n")
    assert main([str(params), "--out", str(run.run_dir.parent), "--notebooks-dir", str(series)]) == 0
    assert statuses(run.run_dir) == {"01_slow": "ok"}
    page = (run.run_dir / "01_slow.html").read_text()
    assert "Key findings" in page and "interrupted" not in page and "could not be produced" not in page
    assert_no_orphans(str(run.base))


@pytest.mark.notebooks
def test_a_killed_runner_leaves_no_orphan_and_no_stale_lock(tmp_path, series):
    """kill -9 of the runner: its jobs notice, stop their kernels and exit; the next batch runs."""
    marker = tmp_path / "started"
    params = spec_file(tmp_path, f"run_name: killed\nnotebooks: [01_slow]\nparameters:\n  data_dir: DATA\n"
                                 f"  pause: 120\n  marker: {marker}\n")
    proc = start_batch(params, tmp_path / "reports", series)
    wait_for(marker, proc)
    proc.kill()
    proc.communicate(timeout=20)
    deadline = time.monotonic() + 20
    while our_processes(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert_no_orphans(str(tmp_path))
    run_dir = tmp_path / "reports" / "killed"
    assert (run_dir / ".lock").exists(), "the lock file stays, but no process holds its lock"
    from customer_workbook.batch.runner import RunLock

    RunLock(run_dir, "killed").acquire().release()  # the next batch gets the lock
    assert not (run_dir / ".lock").exists()


def test_notebooks_prefix_matching_nothing_is_refused(tmp_path, series, capsys):
    path = spec_file(tmp_path, "run_name: x\n")
    assert main([str(path), "--out", str(tmp_path / "r"), "--notebooks-dir", str(series), "--notebooks", "9"]) == 2
    assert "error: --notebooks 9: no notebook of this run starts with that" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_yaml_tags_outside_plain_data_are_refused(tmp_path, series):
    message = problems_of(spec_file(tmp_path, "parameters:\n  marker: !!binary aGVsbG8=\n"), series)
    assert "line 2: parameters.marker: expected text, got bytes" in message
    assert "could not determine a constructor" in problems_of(
        spec_file(tmp_path, "parameters:\n  marker: !!python/object:os.system x\n", "evil.yaml"), series)


def test_value_maps_are_checked_like_the_loader_before_the_run():
    from customer_workbook.batch.parameters import NONE_DEFAULT_TYPES, Invalid

    status_map, event_map = NONE_DEFAULT_TYPES["status_map"][0], NONE_DEFAULT_TYPES["event_map"][0]
    assert status_map({"storniert": "cancelled"}) == {"storniert": "cancelled"}
    assert event_map({}) == {}
    with pytest.raises(Invalid, match="did you mean 'review'"):
        event_map({"5 star": "reveiw"})
    with pytest.raises(Invalid, match="not an allowed value of 'status'"):
        status_map({"x": "gone"})
    with pytest.raises(Invalid, match="text"):
        status_map(["cancelled"])
