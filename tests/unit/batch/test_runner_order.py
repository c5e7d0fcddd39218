"""The batch starts the notebooks that took longest last time first (customer_workbook.batch.runner.longest_first)."""
from __future__ import annotations

from pathlib import Path

from customer_workbook.batch import Job, JobResult
from customer_workbook.batch.runner import longest_first


def _job(run: str, stem: str) -> Job:
    return Job(run, Path(f"notebooks/{stem}.ipynb"), {}, Path("reports") / run, 60)


def test_longest_first_with_unknown_durations_at_the_front_in_their_own_order():
    planned = [_job("a", s) for s in ("00_x", "01_y", "02_z", "03_new", "04_w", "05_failed")]
    earlier = {"a": [JobResult("a", "00_x", True, 7.4, "00_x.html"), JobResult("a", "01_y", True, 26.6, "01_y.html"),
                     JobResult("a", "02_z", True, 11.1, "02_z.html"), JobResult("a", "04_w", True, 31.1, "04_w.html"),
                     JobResult("a", "05_failed", False, 90.0, None, error="boom")]}
    order = [job.stem for job in longest_first(planned, earlier)]
    assert order == ["03_new", "05_failed", "04_w", "01_y", "02_z", "00_x"]


def test_without_an_earlier_batch_the_order_is_kept():
    planned = [_job(run, s) for run in ("a", "b") for s in ("00_x", "01_y")]
    assert longest_first(planned, {"a": [], "b": []}) == planned
