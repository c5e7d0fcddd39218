"""The command line: ``python -m customer_workbook.sample --customers 20000 --seed 42 --out data/sample``.

``--null`` writes the null company (every planted effect switched off) instead of the sample.
Companies of more than ``--block-customers`` customers are generated and written in blocks of customers,
with the memory of one block (:mod:`.blocks`); the shipped 20,000-customer sample is one block."""
from __future__ import annotations

import argparse
import time

from .blocks import DEFAULT_BLOCK_CUSTOMERS, write_in_blocks
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
    ap.add_argument("--block-customers", type=int, default=DEFAULT_BLOCK_CUSTOMERS,
                    help=f"customers generated and written at a time (default {DEFAULT_BLOCK_CUSTOMERS:,}): "
                         "bounds the memory; a company within one block is the same whatever this is")
    args = ap.parse_args(argv)
    if args.block_customers < 50:
        ap.error("--block-customers must be at least 50")
    t = time.perf_counter()
    out = write_in_blocks(args.out, args.customers, args.seed, args.block_customers, args.format,
                          start=args.start, end=args.end, planted_effects=not args.null)
    files = ", ".join(sorted(p.name for p in out.iterdir() if p.is_file() and not p.name.startswith(".")))
    print(f"wrote {args.customers:,} customers to {out} in {time.perf_counter() - t:.1f}s: {files}")
    return 0
