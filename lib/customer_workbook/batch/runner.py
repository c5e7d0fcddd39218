"""The batch runner: plan jobs, lock each run folder, run jobs in worker processes, stop them cleanly.

Interrupts. Each notebook runs in its own worker process (``python -m customer_workbook.batch --job``)
started in a new session, so a Ctrl-C in the terminal reaches only this process. On SIGINT or SIGTERM
the runner stops launching queued jobs and asks each running job to stop (a ``<job>.stop`` file, then
SIGTERM to the worker): the worker has nbclient shut its kernel down and still writes its report,
marked interrupted. After :data:`STOP_GRACE` seconds (or at a second signal) whatever is left of each
job's process tree is killed: the tree is collected with psutil while the worker is alive, because
jupyter_client starts kernels in sessions of their own (killing a process group is not enough), and a
last sweep finds any process still carrying this batch's token in its environment. The runner then
writes each run's index with what finished, marks the rest interrupted, and
:class:`BatchInterrupted` tells :func:`main` to exit 130 (SIGINT) or 143 (SIGTERM).

Concurrency. A run folder is written by one batch at a time: ``reports/<run>/.lock`` is held with
``fcntl.flock`` for the whole batch (the kernel drops the lock when the process ends, so a crashed
batch never leaves a stale lock) and removed at the end.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import atomic_write_text, project_root, resolve_path
from .preload import Preload, plan_preloads
from .report import write_index, write_runs_index
from .spec import BatchConfigError, RunSpec, declared_parameters, load_run_specs
from .worker import JOB_ENV, Job, JobResult, disk_full_message, is_disk_full

__all__ = [
    "DEFAULT_CELL_TIMEOUT", "POLL", "STOP_GRACE", "BatchInterrupted", "DiskFullError", "RunLock",
    "RunLockedError", "longest_first", "notebook_parameter_names", "plan_jobs", "run_batch",
]

DEFAULT_CELL_TIMEOUT = 600  # seconds per cell
STOP_GRACE = 10.0  # seconds a job gets to shut its kernel down and write its report after a stop request
POLL = 0.1


class RunLockedError(RuntimeError):
    """Another batch is writing the same run folder."""


class DiskFullError(OSError):
    """The disk holding a run folder is full."""


class BatchInterrupted(Exception):
    """The batch was stopped by a signal; indexes were written. ``results`` covers every job."""

    def __init__(self, signum: int, results: list[JobResult]):
        self.signum = signum
        self.results = results
        super().__init__(f"interrupted by {signal.Signals(signum).name}")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


# --------------------------------------------------------------------------- planning


def notebook_parameter_names(notebook: Path) -> set[str]:
    """Names declared in the notebook's ``parameters`` cell."""
    return set(declared_parameters(notebook))


def plan_jobs(specs: list[RunSpec], out_dir: Path, timeout: int) -> list[Job]:
    """One job per (run, notebook), with only the parameters each notebook declares (the parameter
    files were validated: every parameter is declared by at least one notebook of its run)."""
    jobs = []
    for spec in specs:
        run_dir = out_dir / spec.name
        for nb in spec.notebooks:
            declared = notebook_parameter_names(nb)
            given = {**spec.parameters, **spec.notebook_parameters.get(nb.stem, {})}
            params = {k: v for k, v in given.items() if k in declared}
            params.update({k: v for k, v in {
                "findings_path": str(run_dir / f"{nb.stem}.findings.json"), "interactive": False,
            }.items() if k in declared})
            jobs.append(Job(spec.name, nb, params, run_dir, timeout))
    return jobs


# --------------------------------------------------------------------------- run folder lock


class RunLock:
    """``<run_dir>/.lock`` held with ``flock`` (exclusive, non-blocking) and holding the owner's PID."""

    def __init__(self, run_dir: Path, run: str):
        self.run_dir, self.run, self.path, self.fd = run_dir, run, run_dir / ".lock", None

    def acquire(self) -> "RunLock":
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for _ in range(20):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 200).decode("utf-8", "replace").split()
                os.close(fd)
                pid = holder[0] if holder else "unknown"
                raise RunLockedError(
                    f"run '{self.run}' is being written by another batch (PID {pid}) in {self.run_dir}; "
                    "wait for it to finish, or give this run another run_name") from None
            # the holder before us may have removed the file after we opened it: lock the file in place
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%S')}\n".encode())
                self.fd = fd
                return self
            os.close(fd)
        raise RunLockedError(f"run '{self.run}': could not lock {self.path}")

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)  # while still locked: nobody else holds this inode
        finally:
            os.close(self.fd)
            self.fd = None


# --------------------------------------------------------------------------- process trees


def _tree(pid: int) -> list:
    """psutil processes of ``pid`` and all its descendants (empty if it is gone)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        return [proc] + proc.children(recursive=True)
    except psutil.Error:
        return []


def _kill(procs: list) -> None:
    import psutil

    for p in procs:
        try:
            p.kill()  # psutil checks the process is still the one we saw (no PID reuse)
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=2)


def _sweep(token: str) -> None:
    """Kill any process whose environment carries this batch's token (a kernel that lost its worker)."""
    import psutil

    me = os.getpid()
    found = []
    for p in psutil.process_iter(["pid"]):
        if p.info["pid"] == me:
            continue
        try:
            if token in p.environ().get(JOB_ENV, ""):
                found.append(p)
        except (psutil.Error, OSError):
            continue
    _kill(found)


@dataclass
class _Running:
    job: Job
    proc: subprocess.Popen
    tree: list = field(default_factory=list)
    refreshed: float = 0.0
    stop_sent: float | None = None


class _Signals:
    """Turn SIGINT/SIGTERM into flags for the polling loop (main thread only)."""

    def __init__(self):
        self.first: int | None = None
        self.count = 0
        self.saved: dict = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.saved[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame):
        self.count += 1
        if self.first is None:
            self.first = signum
            # os.write, not print: a handler must not re-enter a buffered stream the main thread is using
            os.write(2, f"\n{signal.Signals(signum).name}: stopping the batch (running notebooks write their "
                        "reports marked interrupted; signal again to stop at once)\n".encode())

    def __exit__(self, *exc):
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)


def _launch(job: Job, token: str) -> _Running:
    job.staging.mkdir(parents=True, exist_ok=True)
    for leftover in (job.result_file, job.stop_file):
        leftover.unlink(missing_ok=True)
    atomic_write_text(job.job_file, job.to_json())
    env = {**os.environ, JOB_ENV: f"{token} {job.out_dir}"}
    proc = subprocess.Popen([sys.executable, "-m", "customer_workbook.batch", "--job", str(job.job_file)],
                            cwd=str(project_root()), env=env, stdin=subprocess.DEVNULL, start_new_session=True)
    return _Running(job, proc, refreshed=0.0)


def _collect(running: _Running, interrupted: bool) -> JobResult:
    """The result of a finished worker (or a stand-in if it wrote none); kill what it left behind."""
    job = running.job
    leftovers = [p for p in running.tree[1:] if _alive(p)]
    if leftovers:
        _kill(leftovers)
    try:
        return JobResult.from_dict(json.loads(job.result_file.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    if interrupted or running.stop_sent is not None:
        return _no_report(job, "interrupted", "the batch was interrupted before this notebook's report was written")
    return _no_report(job, "failed", f"the notebook's worker process ended with code {running.proc.returncode} "
                                     "without writing a result")


def _alive(p) -> bool:
    try:
        return p.is_running() and p.status() != "zombie"
    except Exception:
        return False


def _no_report(job: Job, status: str, error: str) -> JobResult:
    """A result for a job that left no report of its own: a small HTML page saying what happened, so
    the index never links an older report as if it were this run's."""
    from .report import render_report

    html = None
    try:
        page = render_report(job.staging / f"{job.stem}.missing.ipynb", job, None, error, status)
        html = atomic_write_text(job.out_dir / f"{job.stem}.html", page).name
        (job.out_dir / f"{job.stem}.findings.json").unlink(missing_ok=True)
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        error = disk_full_message(job.out_dir)
    return JobResult(job.run, job.stem, False, 0.0, html, None, error, status)


def _not_started(job: Job, earlier: dict[str, JobResult]) -> JobResult:
    """A queued job the interrupt kept from starting: the earlier report, if any, stays as it is."""
    before = earlier.get(job.stem)
    if before is not None and before.html and (job.out_dir / before.html).exists():
        return JobResult(job.run, job.stem, False, 0.0, before.html, before.findings,
                         f"not run: the batch was interrupted before it started (the report is from an earlier "
                         f"run, status {before.status})", "interrupted")
    return JobResult(job.run, job.stem, False, 0.0, None, None,
                     "not run: the batch was interrupted before it started", "interrupted")


def _run_jobs(planned: list[Job], workers: int, signals: _Signals, token: str,
              earlier: dict[str, dict[str, JobResult]], stop_grace: float) -> list[JobResult]:
    queue = deque(planned)
    running: list[_Running] = []
    results: list[JobResult] = []
    total = len(planned)

    def report(result: JobResult) -> None:
        results.append(result)
        status = result.status if result.status != "failed" else f"FAILED ({result.error})"
        print(f"[{len(results)}/{total}] {result.run}/{result.notebook}: {status} in {result.seconds:.1f} s",
              flush=True)

    stopping_since = None
    try:
        while queue or running:
            now = time.monotonic()
            if signals.first is not None and stopping_since is None:
                stopping_since = now
                for job in queue:
                    report(_not_started(job, earlier.get(job.run, {})))
                queue.clear()
                for r in running:
                    r.tree = _tree(r.proc.pid) or r.tree
                    try:
                        r.job.stop_file.touch()
                    except OSError:
                        pass
                    try:
                        r.proc.send_signal(signal.SIGTERM)
                    except ProcessLookupError:
                        pass
                    r.stop_sent = now
            while queue and len(running) < workers and signals.first is None:
                running.append(_launch(queue.popleft(), token))
            for r in list(running):
                if r.proc.poll() is not None:
                    running.remove(r)
                    report(_collect(r, signals.first is not None))
                elif now - r.refreshed > 1.0:  # the tree, collected while the worker is alive
                    r.tree = _tree(r.proc.pid) or r.tree
                    r.refreshed = now
            if stopping_since is not None and running and (signals.count > 1 or now - stopping_since > stop_grace):
                for r in running:
                    _kill([p for p in (_tree(r.proc.pid) + r.tree) if _alive(p)])
                    r.proc.wait()
                continue
            time.sleep(POLL)
    finally:
        for r in running:  # only on an unexpected error in this loop: leave nothing behind
            _kill([p for p in (_tree(r.proc.pid) + r.tree) if _alive(p)])
        _sweep(token)
    return results


# --------------------------------------------------------------------------- the pre-load


def _preload_one(item: Preload, token: str, signals: _Signals) -> dict:
    """Run one pre-load in a process of its own; its result (``status``, ``error``), or ``interrupted``."""
    item.file.parent.mkdir(parents=True, exist_ok=True)
    item.result_file.unlink(missing_ok=True)
    atomic_write_text(item.file, json.dumps(item.parameters, indent=1))
    env = {**os.environ, JOB_ENV: f"{token} {item.jobs[0].out_dir}"}
    proc = subprocess.Popen([sys.executable, "-m", "customer_workbook.batch", "--preload", str(item.file)],
                            cwd=str(project_root()), env=env, stdin=subprocess.DEVNULL, start_new_session=True)
    tree: list = []
    while proc.poll() is None:
        if signals.first is not None:
            _kill([p for p in (_tree(proc.pid) + tree) if _alive(p)])
            proc.wait()
            return {"status": "interrupted", "error": None}
        tree = _tree(proc.pid) or tree
        time.sleep(POLL)
    _kill([p for p in tree[1:] if _alive(p)])
    try:
        return json.loads(item.result_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"status": "error", "error": f"the pre-load process ended with code {proc.returncode}"}


def _preload(planned: list[Job], token: str, signals: _Signals) -> dict[tuple[str, str], str]:
    """Load each run's data once before its notebooks (:mod:`.preload`); ``{(run, notebook): message}``
    for the jobs whose data failed validation (they are not started)."""
    from ..cache import enabled

    if not enabled():
        return {}
    invalid: dict[tuple[str, str], str] = {}
    for item in plan_preloads(planned):
        if signals.first is not None:
            break
        print(f"Loading the data of run {item.run} once for {len(item.jobs)} notebook(s)", flush=True)
        result = _preload_one(item, token, signals)
        if result.get("status") == "invalid":
            message = f"the data failed validation, so no notebook of this run started: {result['error']}"
            invalid.update({(job.run, job.stem): message for job in item.jobs})
    return invalid


# --------------------------------------------------------------------------- the batch


def _earlier_results(run_dir: Path) -> list[JobResult]:
    """The results of the run's previous batch (``results.json``), tolerating older or broken files."""
    path = run_dir / "results.json"
    if not path.exists():
        return []
    try:
        return [JobResult.from_dict(r) for r in json.loads(path.read_text(encoding="utf-8"))]
    except (ValueError, TypeError, KeyError, AttributeError):
        print(f"warning: {path} is unreadable; the index lists only this batch's notebooks", file=sys.stderr)
        return []


def _with_earlier_results(run_dir: Path, results: list[JobResult], earlier: list[JobResult] | None = None
                          ) -> list[JobResult]:
    """Add the earlier results of notebooks this batch did not execute (e.g. ``--notebooks 05``), so the
    index keeps listing every report still in the folder (and notebooks that had none)."""
    earlier = _earlier_results(run_dir) if earlier is None else earlier
    done = {r.notebook for r in results}
    kept = [r for r in earlier if r.notebook not in done and (r.html is None or (run_dir / r.html).exists())]
    for r in kept:
        if r.findings and not (run_dir / r.findings).exists():
            r.findings = None
    return results + kept


def longest_first(planned: list[Job], earlier: dict[str, list[JobResult]]) -> list[Job]:
    """The jobs in the order to start them: those that took longest in the run's previous batch first (with
    two workers the short ones then fill the gaps, and the batch ends sooner); notebooks without a previous
    duration (new, or an earlier batch that failed them) first of all, in their own order."""
    took = {(run, r.notebook): r.seconds for run, rs in earlier.items() for r in rs if r.status == "ok"}
    return sorted(planned, key=lambda job: -took.get((job.run, job.stem), float("inf")))


def _assemble_customer_list(run_dir: Path) -> None:
    """Join the notebooks' per-customer columns into the run's scored customer list, now that all have run
    (:func:`customer_workbook.planning.customer_list.assemble`; imported here to keep the runner light)."""
    from ..planning.customer_list import assemble

    if (run_dir / "private").is_dir():
        assemble(run_dir / "private")


def run_batch(param_files: list[str | Path], out_dir: str | Path = "reports", jobs: int | None = None,
              timeout: int = DEFAULT_CELL_TIMEOUT, only: list[str] | None = None,
              notebooks_dir: str | Path = "notebooks", stop_grace: float = STOP_GRACE, preload: bool = True
              ) -> list[JobResult]:
    """Run every (parameter file, notebook) pair, in parallel, and write reports and indexes.

    ``only`` restricts to notebooks whose name starts with one of the given prefixes (e.g. ``["00"]``);
    ``notebooks_dir`` is the folder of the series. ``preload`` loads each run's data once before its
    notebooks start (:mod:`.preload`; ``False``: each notebook loads for itself). Returns one :class:`JobResult` per notebook run.
    Raises :class:`BatchConfigError` (nothing ran), :class:`RunLockedError`, :class:`DiskFullError`, or
    :class:`BatchInterrupted` after writing the indexes of an interrupted batch.
    """
    specs = load_run_specs(list(param_files), notebooks_dir)
    if only:
        matched = set()
        for spec in specs:
            kept = [nb for nb in spec.notebooks if any(nb.stem.startswith(o) for o in only)]
            matched |= {o for o in only for nb in kept if nb.stem.startswith(o)}
            spec.notebooks = kept
        unmatched = [o for o in only if o not in matched]
        if unmatched:
            raise BatchConfigError([f"--notebooks {' '.join(unmatched)}: no notebook of "
                                    f"{'this run' if len(specs) == 1 else 'these runs'} starts with that"])
    out_dir = resolve_path(out_dir)
    planned = plan_jobs(specs, out_dir, timeout)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(planned) or 1))
    locks: list[RunLock] = []
    token = uuid.uuid4().hex
    current_run = None
    try:
        for spec in specs:
            current_run = out_dir / spec.name
            locks.append(RunLock(out_dir / spec.name, spec.name).acquire())
        earlier = {spec.name: _earlier_results(out_dir / spec.name) for spec in specs}
        planned = longest_first(planned, earlier)
        print(f"Running {len(planned)} notebook(s) in {len(specs)} run(s) with {workers} worker(s)", flush=True)
        with _Signals() as signals:
            invalid = _preload(planned, token, signals) if preload else {}
            results = [_no_report(job, "failed", invalid[job.run, job.stem]) for job in planned
                       if (job.run, job.stem) in invalid]
            for result in results:
                print(f"{result.run}/{result.notebook}: FAILED (the data failed validation)", flush=True)
            results += _run_jobs([job for job in planned if (job.run, job.stem) not in invalid], workers, signals,
                                 token, {run: {r.notebook: r for r in rs} for run, rs in earlier.items()}, stop_grace)
            for spec in specs:
                current_run = run_dir = out_dir / spec.name
                write_index(run_dir, spec, _with_earlier_results(run_dir, [r for r in results if r.run == spec.name],
                                                                 earlier[spec.name]))
                _assemble_customer_list(run_dir)
                shutil.rmtree(run_dir / ".staging", ignore_errors=True)
            current_run = out_dir
            write_runs_index(out_dir)
            interrupted_by = signals.first
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFullError(exc.errno, disk_full_message(current_run or out_dir)) from exc
        raise
    finally:
        for lock in locks:
            lock.release()
    if interrupted_by is not None:
        raise BatchInterrupted(interrupted_by, results)
    return results
