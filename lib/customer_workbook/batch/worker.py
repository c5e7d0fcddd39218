"""One notebook job: execute it with papermill and write its HTML report, in a process of its own.

The batch runner starts ``python -m customer_workbook.batch --job <job.json>`` per notebook, each in
a new session, so a Ctrl-C in the terminal reaches only the runner, which then decides what to stop.
A job asked to stop (the runner writes ``<job>.stop`` and sends SIGTERM) ends its notebook: while a
cell runs, nbclient's own SIGTERM handler shuts the kernel down and the execution fails; at any other
moment our handler turns the signal into :class:`JobInterrupted`. Either way the job still writes its
HTML, marked interrupted and showing the output up to the cell that was running, then its result
file, and it kills any process it started that is still alive (a kernel that did not shut down).
"""
from __future__ import annotations

import errno
import json
import os
import signal
import sys
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..paths import atomic_write_text, project_root

__all__ = [
    "DISK_FULL_ERRNOS", "JOB_ENV", "KERNEL", "KERNEL_ARGUMENTS", "STATUSES", "Job", "JobInterrupted",
    "JobResult", "disk_full_message", "is_disk_full", "kill_own_children", "main", "run_job", "shown_path",
]

KERNEL = "python3"
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]  # no start-up chatter from every kernel in batch logs
DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
STATUSES = ("ok", "failed", "interrupted")
#: Environment variable set for every job (and so for its kernel): ``<batch token> <run folder>``,
#: how the runner finds any process of its own that outlived its parent.
JOB_ENV = "CUSTOMER_WORKBOOK_BATCH_JOB"


class JobInterrupted(BaseException):
    """The runner asked this job to stop (SIGTERM)."""


@dataclass
class Job:
    run: str
    notebook: Path
    parameters: dict
    out_dir: Path
    timeout: int

    @property
    def stem(self) -> str:
        return self.notebook.stem

    @property
    def staging(self) -> Path:
        return self.out_dir / ".staging"

    @property
    def job_file(self) -> Path:
        return self.staging / f"{self.stem}.job.json"

    @property
    def result_file(self) -> Path:
        return self.staging / f"{self.stem}.result.json"

    @property
    def stop_file(self) -> Path:
        return self.staging / f"{self.stem}.stop"

    def to_json(self) -> str:
        return json.dumps({"run": self.run, "notebook": str(self.notebook), "parameters": self.parameters,
                           "out_dir": str(self.out_dir), "timeout": self.timeout}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "Job":
        d = json.loads(text)
        return cls(d["run"], Path(d["notebook"]), d["parameters"], Path(d["out_dir"]), int(d["timeout"]))


@dataclass
class JobResult:
    """What became of one notebook. ``status`` is ok, failed or interrupted; ``ok`` is kept for
    readers of older ``results.json`` files. ``html`` is None when no report could be written."""

    run: str
    notebook: str
    ok: bool
    seconds: float
    html: str | None
    findings: str | None = None
    error: str | None = None
    status: str = field(default="")

    def __post_init__(self):
        if self.status not in STATUSES:
            self.status = "ok" if self.ok else "failed"
        self.ok = self.status == "ok"

    @classmethod
    def from_dict(cls, d: dict) -> "JobResult":
        """A result read back from ``results.json`` (also one written by an older version)."""
        names = {f.name for f in fields(cls)}
        d = {k: v for k, v in d.items() if k in names}
        d.setdefault("ok", d.get("status") == "ok")
        d.setdefault("seconds", 0.0)
        d.setdefault("html", None)
        return cls(**d)

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- disk full


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS


def shown_path(path: Path) -> str:
    """``path`` relative to the project root when inside it (``reports/<run>``), else absolute."""
    try:
        return str(Path(path).resolve().relative_to(project_root().resolve()))
    except ValueError:
        return str(path)


def disk_full_message(run_dir: Path) -> str:
    return f"the disk holding {shown_path(run_dir)} is full: free space and rerun"


def _disk_full_in_kernel(error: str) -> bool:
    return any(f"[Errno {n}]" in error for n in DISK_FULL_ERRNOS)


# --------------------------------------------------------------------------- signals

_STATE = {"phase": "start", "stop": False}


def _on_signal(signum, frame):
    _STATE["stop"] = True
    if _STATE["phase"] in ("start", "execute"):
        raise JobInterrupted(signum)
    # while writing the report: finish it (a few seconds), it is the record of what ran


def _install_handlers() -> None:
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)


def _stop_requested(job: Job) -> bool:
    return _STATE["stop"] or job.stop_file.exists()


# --------------------------------------------------------------------------- one job


def _execute(job: Job, executed: Path) -> tuple[str, str | None]:
    """Execute one notebook into ``executed``; return (status, error description or None)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    for attempt in (1, 2):
        try:
            _STATE["phase"] = "execute"
            papermill.execute_notebook(
                str(job.notebook), str(executed), parameters=job.parameters, kernel_name=KERNEL, language="python",
                cwd=str(project_root()), execution_timeout=job.timeout, progress_bar=False, log_output=False,
                extra_arguments=KERNEL_ARGUMENTS, shutdown_kernel="immediate")
            return "ok", None
        except JobInterrupted:
            return "interrupted", "the batch was interrupted while this notebook ran"
        except PapermillExecutionError as exc:
            if _stop_requested(job):
                return "interrupted", "the batch was interrupted while this notebook ran"
            error = f"cell In [{exc.exec_count}]: {exc.ename}: {exc.evalue}"
            if _disk_full_in_kernel(error):
                error = f"{disk_full_message(job.out_dir)} ({error})"
            return "failed", error
        except Exception as exc:  # kernel start race, dead kernel, timeout, full disk ...
            if _stop_requested(job):
                return "interrupted", "the batch was interrupted while this notebook ran"
            if is_disk_full(exc):
                return "failed", f"{disk_full_message(job.out_dir)} ({exc.strerror})"
            if attempt == 1 and "Address already in use" in str(exc):
                continue
            return "failed", f"{type(exc).__name__}: {exc}"
        finally:
            _STATE["phase"] = "render"
            if threading.current_thread() is threading.main_thread():
                _install_handlers()  # nbclient leaves SIGTERM at its default (terminate) when it is done
    return "failed", "unreachable"


def run_job(job: Job) -> JobResult:
    """Execute one notebook and write its HTML report (also on failure or interrupt).

    The report and the executed notebook replace the previous ones only when complete; on a full disk
    nothing partial is left (papermill's executed notebook in ``.staging`` is removed) and the result
    says so.
    """
    from ..findings import load_findings
    from .report import render_report

    started = time.perf_counter()
    stem = job.stem
    job.staging.mkdir(parents=True, exist_ok=True)
    findings_path = job.out_dir / f"{stem}.findings.json"
    executed = job.staging / f"{stem}.ipynb"
    try:
        findings_path.unlink(missing_ok=True)  # never show last run's findings next to this run's report
        if _stop_requested(job):
            raise JobInterrupted(signal.SIGTERM)
        status, error = _execute(job, executed)
    except JobInterrupted:
        status, error = "interrupted", "the batch was interrupted before this notebook started"
    if status == "ok" and not executed.exists():
        status, error = "failed", "papermill wrote no executed notebook"
    disk_full = error is not None and disk_full_message(job.out_dir) in error
    findings = None
    if findings_path.exists():
        try:
            findings = load_findings(findings_path)
        except (ValueError, OSError):
            findings = None
    html_name = None
    try:
        if disk_full:
            raise OSError(errno.ENOSPC, "No space left on device")
        try:
            page = render_report(executed, job, findings, error, status)
        except (ValueError, KeyError, AttributeError) as exc:  # an executed notebook cut short or corrupt
            status = "failed" if status == "ok" else status
            error = f"{error + '; ' if error else ''}the executed notebook cannot be read ({type(exc).__name__})"
            page = render_report(job.staging / f"{stem}.unreadable.ipynb", job, findings, error, status)
        html_name = atomic_write_text(job.out_dir / f"{stem}.html", page).name
        if executed.exists():
            (job.out_dir / "executed").mkdir(exist_ok=True)
            os.replace(executed, job.out_dir / "executed" / f"{stem}.ipynb")
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        if not disk_full:
            error = f"{disk_full_message(job.out_dir)} ({exc.strerror})"
        disk_full = True
        status = "failed" if status == "ok" else status
    if disk_full:
        html_name = None
        executed.unlink(missing_ok=True)  # papermill's staging copy may be cut short
    return JobResult(job.run, stem, status == "ok", round(time.perf_counter() - started, 1), html_name,
                     findings_path.name if findings else None, error, status)


def kill_own_children(grace: float = 2.0) -> None:
    """Stop every process this one started that is still alive (a kernel that outlived its client)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        return
    children = psutil.Process().children(recursive=True)
    for child in children:
        try:
            child.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(children, timeout=grace)
    for child in alive:
        try:
            child.kill()
        except psutil.Error:
            pass


def _watch_parent(interval: float = 1.0) -> None:
    """Stop this job if the runner dies without stopping it (``kill -9``, out of memory): the job is in
    a session of its own, so nothing else would ever tell it."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                _STATE["stop"] = True
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=watch, name="watch-runner", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    """``python -m customer_workbook.batch --job <job.json>``: run the job, write its result file."""
    argv = sys.argv[1:] if argv is None else argv
    _install_handlers()
    _watch_parent()
    job_file = Path(argv[0])
    job = Job.from_json(job_file.read_text(encoding="utf-8"))
    try:
        try:
            result = run_job(job)
        except JobInterrupted:
            result = JobResult(job.run, job.stem, False, 0.0, None, None,
                               "the batch was interrupted before this notebook's report was written", "interrupted")
        _STATE["phase"] = "render"
        try:
            atomic_write_text(job.result_file, json.dumps(result.to_dict(), indent=1) + "\n")
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            print(f"error: {disk_full_message(job.out_dir)}", file=sys.stderr, flush=True)
            return 3
    finally:
        kill_own_children()
    return 0


