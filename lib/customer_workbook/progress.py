"""Progress of the slow steps (loading, the derived tables, the sample generator): one small API.

>>> from customer_workbook import progress
>>> with progress.step("Building the per-customer table", rows=len(lines)):
...     table = customer_features(lines)
>>> for block in progress.blocks(range(10), "Writing customers", total=10, unit="block"):
...     write(block)

Where it shows:

- **batch logs** (a batch job or its notebook's kernel, a pipe, ``make data`` into a file): one plain
  line per step when it ends, with its duration, e.g. ``[progress] Building the per-customer table
  (1,234,567 rows): 3.2 s``. Inside a notebook's kernel the line goes to the kernel's own standard
  error (the batch's log), never into the report.
- **interactively** (a terminal, or JupyterLab outside a batch): a ``tqdm.auto`` line or bar that
  ends with the duration.

``CUSTOMER_WORKBOOK_PROGRESS`` overrides the choice: ``lines``, ``bar`` or ``off``.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["ENV_MODE", "MODES", "Step", "blocks", "mode", "step"]

#: Environment variable that forces a mode (one of :data:`MODES`).
ENV_MODE = "CUSTOMER_WORKBOOK_PROGRESS"
MODES = ("lines", "bar", "off")
#: Set by the batch runner for every job and its kernel (:data:`customer_workbook.batch.worker.JOB_ENV`).
_BATCH_ENV = "CUSTOMER_WORKBOOK_BATCH_JOB"
T = TypeVar("T")


@dataclass
class Step:
    """One measured step: its label, rows (or None) and, once it ended, its duration in seconds."""

    label: str
    rows: int | None = None
    seconds: float | None = None

    @property
    def text(self) -> str:
        """``label (n rows)``: how the step is named in a line or a bar."""
        return self.label if self.rows is None else f"{self.label} ({self.rows:,} rows)"


def _in_kernel() -> bool:
    """Whether this process is a Jupyter kernel (IPython's ZMQ shell)."""
    shell = sys.modules.get("IPython")
    try:
        return shell is not None and type(shell.get_ipython()).__name__ == "ZMQInteractiveShell"
    except Exception:
        return False


def mode() -> str:
    """``lines`` in batch logs, ``bar`` interactively, or what ``$CUSTOMER_WORKBOOK_PROGRESS`` says."""
    forced = os.environ.get(ENV_MODE, "").strip().lower()
    if forced in MODES:
        return forced
    if os.environ.get(_BATCH_ENV):
        return "lines"
    if _in_kernel():
        return "bar"
    try:
        return "bar" if sys.stderr.isatty() else "lines"
    except (AttributeError, ValueError):
        return "lines"


def _log_line(text: str) -> None:
    """Write one line to the process's real standard error: in a kernel, the copy ipykernel keeps of it
    (the batch's log), so the line never becomes a cell output of the report."""
    line = f"[progress] {text}\n"
    fd = getattr(sys.stderr, "_original_stdstream_copy", None)
    try:
        if fd is not None:
            os.write(fd, line.encode("utf-8", "replace"))
        else:
            sys.stderr.write(line)
            sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _bar(total: int | None, desc: str, unit: str):
    from tqdm.auto import tqdm

    fmt = ("{desc}: {elapsed}" if total is None
           else "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit} [{elapsed}<{remaining}]")
    return tqdm(total=total, desc=desc, unit=unit, bar_format=fmt, leave=True)


@contextmanager
def step(label: str, rows: int | None = None) -> Iterator[Step]:
    """Measure the block inside as one step named ``label`` (with ``rows`` when given): a line with its
    duration in batch logs, a tqdm line interactively. The step is reported even when the block raises."""
    current = Step(label, None if rows is None else int(rows))
    shown = mode()
    bar = _bar(None, current.text, "step") if shown == "bar" else None
    started = time.perf_counter()
    try:
        yield current
    finally:
        current.seconds = time.perf_counter() - started
        if bar is not None:
            bar.set_description_str(f"{current.text}: done in {current.seconds:.1f} s")
            bar.close()
        elif shown == "lines":
            _log_line(f"{current.text}: {current.seconds:.1f} s")


def blocks(items: Iterable[T], label: str, total: int | None = None, unit: str = "block") -> Iterator[T]:
    """Yield ``items`` (blocks of work) with a bar interactively, or one line per item in batch logs
    (``label: 3/10 blocks, 12.5 s``, the time since the first block started)."""
    shown = mode()
    bar = _bar(total, label, unit) if shown == "bar" else None
    started = time.perf_counter()
    done = 0
    try:
        for item in items:
            yield item
            done += 1
            if bar is not None:
                bar.update(1)
            elif shown == "lines":
                of = f"/{total}" if total is not None else ""
                _log_line(f"{label}: {done}{of} {unit}s, {time.perf_counter() - started:.1f} s")
    finally:
        if bar is not None:
            bar.close()
