"""The command line: ``python -m customer_workbook.sample --customers 20000 --seed 42 --out data/sample``.

``--null`` writes the null company (every planted effect switched off) instead of the sample."""
from __future__ import annotations

import argparse
import time

from .company import generate_sample
from .constants import COMPANY_NAME

__all__ = ["main"]


def main(argv=None) -> int:
    """Generate the sample company and write it (see ``--help``); returns the exit code."""
    ap = argparse.ArgumentParser(prog="python -m customer_workbook.sample",
                                 description=f"Generate the {COMPANY_NAME} sample data.")
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default="data/sample")
    ap.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    ap.add_argument("--start", default="2023-01-01")
    ap.add_argument("--end", default="2025-12-31")
    ap.add_argument("--null", action="store_true",
                    help="the null company: every planted effect switched off (truth.json says planted_effects: false)")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    company = generate_sample(args.customers, args.seed, start=args.start, end=args.end,
                              planted_effects=not args.null)
    out = company.write(args.out, args.format)
    rows = ", ".join(f"{k}={len(v):,}" for k, v in company.tables.items())
    print(f"wrote {out} in {time.perf_counter() - t:.1f}s: {rows}")
    return 0
