"""Benchmarks: `make bench` (or `python bench/run.py --sizes 100000 1000000`).

Generates (or reuses) sample companies of each size under data/generated/, then measures wall time and
peak memory of each step in its own process, and prints one table. Peak memory is the maximum resident
set size of the measured process and everything it waited for (a notebook's kernel included).
The CLV engine's own benchmark (bench/bench_clv.py) runs after, when present.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
GOAL_MEMORY_GIB = 8.0


def measure(args: list[str]) -> tuple[float, float, int]:
    """Run a command; return (wall seconds, peak RSS in MiB, exit code)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code:
        print(proc.stderr.read().decode(errors="replace")[-2000:], file=sys.stderr)
    return seconds, usage.ru_maxrss / 1024, code


def sample_dir(n: int) -> Path:
    return ROOT / "data" / "generated" / f"n{n}"


def notebook_command(notebook: Path, data: str, out: Path, n: int) -> list[str]:
    """Execute one notebook with papermill on ``data`` (batch settings: no widgets)."""
    import papermill

    declared = set(papermill.inspect_notebook(str(notebook)))
    params = {"data_dir": data, "findings_path": str(out / f"{notebook.stem}_n{n}.json"), "interactive": False}
    params = {k: v for k, v in params.items() if k in declared}
    code = (f"import papermill; papermill.execute_notebook({str(notebook)!r}, {str(out / f'{notebook.stem}_n{n}.ipynb')!r}, "
            f"parameters={params!r}, kernel_name='python3', progress_bar=False, cwd={str(ROOT)!r})")
    return [PY, "-c", code]


def steps(n: int, out: Path, only: list[str] | None) -> dict[str, list[str]]:
    """The measured commands for a data set of ``n`` customers: loading, then every notebook."""
    data = str(sample_dir(n))
    commands = {"load + validate (9 tables)": [PY, "-c",
                f"from customer_workbook.data import load_dataset; load_dataset({data!r})"]}
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        if not only or any(notebook.stem.startswith(o) for o in only):
            commands[f"notebook {notebook.stem}"] = notebook_command(notebook, data, out, n)
    return commands


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--notebooks", nargs="*", default=None, help="only notebooks starting with these prefixes")
    parser.add_argument("--skip-clv", action="store_true", help="do not run bench/bench_clv.py")
    args = parser.parse_args()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    rows, failed = [], False
    for n in args.sizes:
        if not (sample_dir(n) / "transactions.parquet").exists():
            print(f"generating {n:,} customers into {sample_dir(n)} ...", flush=True)
            rows.append(("generate sample", n, *measure([PY, "-m", "customer_workbook.sample", "--customers", str(n),
                                                         "--out", str(sample_dir(n))])))
        for name, command in steps(n, out, args.notebooks).items():
            print(f"measuring {name} at {n:,} customers ...", flush=True)
            rows.append((name, n, *measure(command)))
    print(f"\n{'step':32} {'customers':>10} {'wall s':>8} {'peak MiB':>9} {'s / 100k cust':>13}  status")
    for name, n, seconds, peak, code in rows:
        status = "FAILED" if code else ("ok" if peak / 1024 < GOAL_MEMORY_GIB else f"over {GOAL_MEMORY_GIB:g} GiB")
        failed |= bool(code)
        print(f"{name:32} {n:>10,} {seconds:>8.1f} {peak:>9,.0f} {seconds / n * 1e5:>13.2f}  {status}")
    clv = ROOT / "bench" / "bench_clv.py"
    if clv.exists() and not args.skip_clv:
        print("\nCLV engine", flush=True)
        failed |= subprocess.run([PY, str(clv)], cwd=ROOT).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
