"""Benchmark: BG/NBD fit and scoring at scale, against the archived `lifetimes` reference.

Run from the repository root::

    python bench/bench_clv.py                       # 100k and 1M customers
    python bench/bench_clv.py --sizes 100000        # one size
    python bench/bench_clv.py --no-reference        # skip lifetimes

Synthetic customers are drawn from the BG/NBD process (seeded) with CDNOW-like parameters,
daily resolution, recency and T in weeks, ages of 1-546 days. For each size it reports wall
time (best of --repeats) and peak traced memory (tracemalloc, separate run) for our fit and
for scoring (P(alive), expected purchases in 52 weeks, 12-month CLV), and the same fit with
lifetimes 0.11.3, which needs old pandas/numpy: the script builds a throwaway virtual
environment in /tmp/cw-lifetimes-venv and runs it as a subprocess. If that cannot be built
(no network, no Python 3.11 wheels) the reference column is skipped with a message.
Targets: fit < 0.5 s for 1M customers on 2 cores, >= 25x faster than lifetimes, parameters
equal to 1e-4 relative; scoring < 2 s.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from customer_workbook import clv  # noqa: E402

TRUE = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
NAMES = ("r", "alpha", "a", "b")
REF_VENV = Path("/tmp/cw-lifetimes-venv")
REF_PINS = ["lifetimes==0.11.3", "pandas==1.5.3", "numpy==1.26.4", "scipy==1.11.4", "setuptools<70"]

REF_SCRIPT = r"""
import json, sys, time, tracemalloc, warnings
import numpy as np
warnings.filterwarnings("ignore")
from lifetimes import BetaGeoFitter
d = np.load(sys.argv[1])
x, tx, T = d["frequency"], d["recency"], d["T"]
times = []
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter(); m = BetaGeoFitter().fit(x, tx, T); times.append(time.perf_counter() - t0)
tracemalloc.start(); BetaGeoFitter().fit(x, tx, T); peak = tracemalloc.get_traced_memory()[1]; tracemalloc.stop()
print(json.dumps({"time": min(times), "peak": peak, "params": [float(m.params_[k]) for k in ("r", "alpha", "a", "b")]}))
"""


def simulate(n: int, seed: int = 2024):
    rng = np.random.default_rng(seed)
    T = rng.integers(1, 547, n) / 7.0
    return clv.simulate_bgnbd(n, **TRUE, T=T, seed=seed + 1, resolution=1 / 7)


def timed(func, repeats: int):
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak, out


def ensure_reference_env() -> tuple[Path | None, str]:
    py = REF_VENV / "bin" / "python"
    check = [str(py), "-c", "import lifetimes, pandas; print(lifetimes.__version__, pandas.__version__)"]
    if py.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return py, "existing environment"
    base = getattr(sys, "_base_executable", sys.executable)
    try:
        subprocess.run([base, "-m", "venv", "--clear", str(REF_VENV)], check=True, capture_output=True, timeout=300)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *REF_PINS], check=True, capture_output=True,
                       timeout=900)
        subprocess.run(check, check=True, capture_output=True, timeout=120)
    except (subprocess.SubprocessError, OSError) as exc:
        err = getattr(exc, "stderr", b"") or b""
        tail = err.decode(errors="replace").strip().splitlines()[-1:] if err else [str(exc)]
        return None, f"could not build {REF_VENV} with {' '.join(REF_PINS)}: {tail[0] if tail else exc}"
    return py, "built"


def run_reference(py: Path, sim, repeats: int):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data.npz")
        np.savez(path, **{c: sim[c].to_numpy(float) for c in ("frequency", "recency", "T")})
        script = os.path.join(tmp, "ref.py")
        Path(script).write_text(REF_SCRIPT)
        proc = subprocess.run([str(py), script, path, str(repeats)], capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr else "reference run failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per measurement (best is reported)")
    ap.add_argument("--no-reference", action="store_true", help="skip the lifetimes reference")
    ap.add_argument("--json", type=Path, default=None,
                    help="also write each size's fit time, lifetimes' time and the speed-up here (bench/run.py)")
    args = ap.parse_args(argv)

    ref_py, ref_note = (None, "skipped (--no-reference)") if args.no_reference else ensure_reference_env()
    print(f"cores: {os.cpu_count()}  |  numpy {np.__version__}  |  reference: {ref_note}")
    rows = []
    for n in args.sizes:
        sim = simulate(n)
        fit_t, fit_mem, model = timed(lambda: clv.BGNBDModel().fit(sim, time_unit="W"), args.repeats)

        def score():
            pa = model.probability_alive(sim)
            ex = model.expected_purchases(52.0, sim)
            value = clv.customer_lifetime_value(model, 35.0, sim, horizon_months=12, discount_rate=0.01)
            return pa, ex, value

        score_t, score_mem, _ = timed(score, args.repeats)
        ours = np.array([model.params_[k] for k in NAMES])
        row = {"n": n, "rows": model.n_unique_rows_, "fit_t": fit_t, "fit_mem": fit_mem, "score_t": score_t,
               "score_mem": score_mem, "params": ours, "ref": None, "ref_msg": ""}
        if ref_py is not None:
            try:
                row["ref"] = run_reference(ref_py, sim, 1)
            except (RuntimeError, subprocess.SubprocessError, ValueError) as exc:
                row["ref_msg"] = f"reference failed: {exc}"
        else:
            row["ref_msg"] = f"reference skipped: {ref_note}"
        rows.append(row)

    head = (f"{'customers':>10} {'unique rows':>11} | {'fit s':>7} {'fit MB':>7} | {'lifetimes s':>11} "
            f"{'lifetimes MB':>12} {'speed-up':>8} {'max rel diff':>12} | {'score s':>7} {'score MB':>8}")
    print("\nBG/NBD fit (ours vs lifetimes 0.11.3) and scoring (P(alive) + E[purchases 52 wk] + 12-month CLV)")
    print(head)
    print("-" * len(head))
    for row in rows:
        ref = row["ref"]
        if ref:
            diff = np.max(np.abs(row["params"] - np.array(ref["params"])) / np.abs(np.array(ref["params"])))
            refcols = (f"{ref['time']:>11.3f} {ref['peak'] / 2**20:>12.1f} {ref['time'] / row['fit_t']:>7.1f}x "
                       f"{diff:>12.2e}")
        else:
            refcols = f"{'-':>11} {'-':>12} {'-':>8} {'-':>12}"
        print(f"{row['n']:>10,} {row['rows']:>11,} | {row['fit_t']:>7.3f} {row['fit_mem'] / 2**20:>7.1f} | {refcols} | "
              f"{row['score_t']:>7.3f} {row['score_mem'] / 2**20:>8.1f}")
    for row in rows:
        p = ", ".join(f"{k}={v:.5f}" for k, v in zip(NAMES, row["params"], strict=True))
        line = f"n={row['n']:,}: ours {p}"
        if row["ref"]:
            line += "; lifetimes " + ", ".join(f"{k}={v:.5f}" for k, v in zip(NAMES, row["ref"]["params"], strict=True))
        print(line + (f"  [{row['ref_msg']}]" if row["ref_msg"] else ""))
    print("true parameters: " + ", ".join(f"{k}={v}" for k, v in TRUE.items()))
    if args.json is not None:
        args.json.write_text(json.dumps([{
            "n": row["n"], "fit_t": row["fit_t"], "ref_t": row["ref"]["time"] if row["ref"] else None,
            "speedup": row["ref"]["time"] / row["fit_t"] if row["ref"] else None, "ref_msg": row["ref_msg"]}
            for row in rows], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
