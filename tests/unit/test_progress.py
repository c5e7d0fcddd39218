"""Progress of slow steps (customer_workbook.progress): a line per step in batch logs, a bar interactively."""
from __future__ import annotations

import re

import pytest

from customer_workbook import progress


@pytest.fixture(autouse=True)
def no_forced_mode(monkeypatch):
    monkeypatch.delenv(progress.ENV_MODE, raising=False)
    monkeypatch.delenv("CUSTOMER_WORKBOOK_BATCH_JOB", raising=False)


def test_batch_jobs_and_pipes_get_lines_and_the_environment_can_force_a_mode(monkeypatch):
    assert progress.mode() == "lines"  # pytest's stderr is not a terminal
    monkeypatch.setenv("CUSTOMER_WORKBOOK_BATCH_JOB", "token reports/x")
    assert progress.mode() == "lines"
    for forced in progress.MODES:
        monkeypatch.setenv(progress.ENV_MODE, forced)
        assert progress.mode() == forced


def test_a_step_prints_one_line_with_its_rows_and_duration(capsys):
    with progress.step("Building the per-customer table", rows=1234567) as step:
        pass
    err = capsys.readouterr().err
    assert re.fullmatch(r"\[progress\] Building the per-customer table \(1,234,567 rows\): \d+\.\d s\n", err), err
    assert step.seconds is not None and step.seconds >= 0


def test_a_step_that_fails_is_still_reported(capsys):
    with pytest.raises(ZeroDivisionError), progress.step("Dividing"):
        1 / 0
    assert "Dividing: " in capsys.readouterr().err


def test_interactive_sessions_get_a_tqdm_line_ending_with_the_duration(monkeypatch, capsys):
    monkeypatch.setenv(progress.ENV_MODE, "bar")
    with progress.step("Loading"):
        pass
    err = capsys.readouterr().err
    assert "Loading: done in" in err and "[progress]" not in err


def test_blocks_yield_every_item_with_a_line_each_and_nothing_when_off(monkeypatch, capsys):
    assert list(progress.blocks(range(3), "Writing customers", total=3)) == [0, 1, 2]
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(",")[0] for line in lines] == [f"[progress] Writing customers: {i}/3 blocks" for i in (1, 2, 3)]
    monkeypatch.setenv(progress.ENV_MODE, "off")
    assert list(progress.blocks(range(2), "Quiet")) == [0, 1]
    with progress.step("Quiet step"):
        pass
    assert capsys.readouterr().err == ""
