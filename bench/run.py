"""Benchmarks against the targets of issue 18: `make bench` (or `python bench/run.py --only reports clv`).

Each target is measured in processes of its own and printed with the measured figure, the target and
their ratio (measured / target for times and memory, so at most 1 meets it; the speed-up over target for
the CLV fit, so at least 1 meets it):

- ``reports``: ``make reports`` on the shipped sample (the whole series, the batch's default workers),
  with a warm venv and an empty cache (``--warm-cache``: the project's build/cache/): <= 30 s;
- ``series-1m``: the whole series on 1,000,000 customers (data/generated/n1000000): <= 3 min, peak <= 6 GiB;
- ``series-10m``: the same on 10,000,000 customers: <= 20 min, peak <= 16 GiB;
- ``clv``: the BG/NBD fit on 1,000,000 customers against lifetimes 0.11.3 (bench/bench_clv.py): >= 50x.

A series whose data are absent is printed as "not measured: run make data N=...". Peak memory is the
largest sum of the resident memory of the measured process and all its descendants (notebook workers
and their kernels), sampled every quarter second. The machine's cores, memory and load average are
printed at the start and the end (other work on the machine slows every figure down).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
GIB = 2 ** 30
PARTS = ("reports", "series-1m", "series-10m", "clv")
SERIES = {"series-1m": (1_000_000, 180.0, 6.0), "series-10m": (10_000_000, 1200.0, 16.0)}
REPORTS_TARGET_S = 30.0
CLV_TARGET_SPEEDUP = 50.0


@dataclass
class Row:
    """One line of the table: what was measured, the figure, the target and how they compare."""

    target: str
    measured: str
    goal: str
    ratio: float | None
    meets: bool | None
    note: str = ""


def machine(when: str) -> str:
    """Cores, memory and load average, for the header and footer of the table."""
    import psutil

    mem = psutil.virtual_memory()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{when}: {os.cpu_count()} cores, {mem.total / GIB:.1f} GiB memory ({mem.available / GIB:.1f} GiB "
            f"available), load average {load} (1, 5, 15 min)")


def measure(args: list[str], env: dict | None = None, log: Path | None = None) -> tuple[float, float, int]:
    """Run a command; return (wall seconds, peak GiB of its whole process tree, exit code)."""
    import psutil

    started = time.perf_counter()
    out = open(log, "w") if log else subprocess.DEVNULL
    proc = subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    peak, done = [0], threading.Event()

    def sample():
        root = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                procs = [root] + root.children(recursive=True)
                peak[0] = max(peak[0], sum(_rss(p) for p in procs))
            except psutil.Error:
                pass
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    done.set()
    sampler.join()
    if log:
        out.close()
    return time.perf_counter() - started, peak[0] / GIB, code


def _rss(p) -> int:
    try:
        return p.memory_info().rss
    except Exception:
        return 0


def _time_row(name: str, seconds: float, target: float, code: int, log: Path) -> Row:
    ok = code == 0
    return Row(name, f"{seconds:.1f} s", f"<= {target:g} s", seconds / target, ok and seconds <= target,
               "" if ok else f"FAILED (exit {code}, see {log.relative_to(ROOT)})")


def bench_reports(out: Path, warm_cache: bool) -> list[Row]:
    """``make reports`` on the shipped sample, timed (into bench/results/, not reports/)."""
    with tempfile.TemporaryDirectory(prefix="cw-bench-cache-") as cache:
        env = {} if warm_cache else {"CUSTOMER_WORKBOOK_CACHE_DIR": cache}
        log = out / "reports.log"
        seconds, peak, code = measure([PY, "-m", "customer_workbook.batch", "params/sample.yaml", "--out",
                                       str(out / "reports")], env, log)
    row = _time_row(f"make reports, shipped sample ({'warm' if warm_cache else 'empty'} cache)", seconds,
                    REPORTS_TARGET_S, code, log)
    row.note = (row.note + f" peak {peak:.1f} GiB").strip()
    return [row]


def bench_series(part: str, out: Path, data_root: Path) -> list[Row]:
    """The whole series on a generated company, timed and its peak memory measured, once."""
    n, target_s, target_gib = SERIES[part]
    data = data_root / f"n{n}"
    label = f"whole series, {n:,} customers"
    if not (data / "transactions.parquet").exists():
        missing = f"not measured: run make data N={n} (no {data})"
        return [Row(label, "-", f"<= {target_s:g} s", None, None, missing),
                Row(f"{label}: peak memory", "-", f"<= {target_gib:g} GiB", None, None, missing)]
    params = out / f"{part}.yaml"
    params.write_text(f"run_name: bench-n{n}\nparameters:\n  data_dir: {data}\n")
    log = out / f"{part}.log"
    seconds, peak, code = measure([PY, "-m", "customer_workbook.batch", str(params), "--out", str(out)], log=log)
    return [_time_row(label, seconds, target_s, code, log),
            Row(f"{label}: peak memory", f"{peak:.1f} GiB", f"<= {target_gib:g} GiB", peak / target_gib,
                code == 0 and peak <= target_gib)]


def bench_clv(out: Path) -> list[Row]:
    """The CLV fit at 1M customers against lifetimes 0.11.3 (bench_clv.py, one timed run each)."""
    result = out / "clv.json"
    result.unlink(missing_ok=True)
    log = out / "clv.log"
    _, _, code = measure([PY, str(ROOT / "bench" / "bench_clv.py"), "--sizes", "1000000", "--repeats", "1",
                          "--json", str(result)], log=log)
    label = "CLV fit, 1,000,000 customers, vs lifetimes 0.11.3"
    goal = f">= {CLV_TARGET_SPEEDUP:g}x faster"
    if code or not result.exists():
        return [Row(label, "-", goal, None, None, f"FAILED (exit {code}, see {log.relative_to(ROOT)})")]
    row = json.loads(result.read_text())[0]
    if row.get("speedup") is None:
        return [Row(label, f"ours {row['fit_t']:.2f} s", goal, None, None, f"not measured: {row['ref_msg']}")]
    speedup = row["speedup"]
    return [Row(label, f"{speedup:.0f}x (ours {row['fit_t']:.2f} s, lifetimes {row['ref_t']:.1f} s)", goal,
                speedup / CLV_TARGET_SPEEDUP, speedup >= CLV_TARGET_SPEEDUP)]


def print_table(rows: list[Row]) -> None:
    print(f"\n{'target':52} {'measured':44} {'goal':18} {'ratio':>6}  result")
    for r in rows:
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}"
        result = {True: "meets", False: "misses", None: "-"}[r.meets]
        print(f"{r.target:52} {r.measured:44} {r.goal:18} {ratio:>6}  {result}{'  ' + r.note if r.note else ''}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS), help="the parts to run")
    parser.add_argument("--data-root", type=Path, default=ROOT / "data" / "generated",
                        help="folder of the generated companies n<N>/ (default: data/generated)")
    parser.add_argument("--warm-cache", action="store_true", help="reports: use the project's build/cache/")
    args = parser.parse_args(argv)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    print(machine("start"), flush=True)
    rows: list[Row] = []
    for part in PARTS:
        if part not in args.only:
            continue
        print(f"measuring {part} ...", flush=True)
        if part == "reports":
            rows += bench_reports(out, args.warm_cache)  # its results.json orders the next run, as in reports/
        elif part == "clv":
            rows += bench_clv(out)
        else:
            rows += bench_series(part, out, args.data_root)
    print_table(rows)
    print(machine("end"))
    return 1 if any(r.note.startswith("FAILED") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
