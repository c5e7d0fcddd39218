"""A big sample company written in blocks of customers, with bounded memory (``make data N=10000000``).

:func:`generate_sample` simulates all customers at once, so its memory grows with them (about 0.9 GB per
100,000). :func:`write_in_blocks` instead generates the company as blocks of at most ``block_customers``
customers and appends each block to the files (a Parquet row group, or rows appended to a CSV file)
before drawing the next, so memory stays that of one block whatever the size:

- **one block** (``n_customers <= block_customers``, e.g. the shipped 20,000-customer sample at the default
  block size): exactly :func:`write_sample`, bit for bit;
- **several blocks**: block 0 is drawn from the company's own random streams; every later block shares
  its catalogue, cross-sell pairs and market (``SHARED_STREAMS``) and draws its customers, their orders,
  surveys, engagement, campaign and marketing from streams seeded by ``(seed, block)``. Customer and order
  ids run on across blocks. ``products``, ``market`` and ``prospects`` come from block 0; ``marketing``
  sums the blocks' spend and new customers per week and channel. Each table is in time order within a
  block. ``truth_customers.parquet`` covers everyone; ``truth.json`` is block 0's (the planted parameters
  hold for all blocks; its realised figures describe block 0) with a ``generated_in_blocks`` section.

The same ``(n_customers, seed, block_customers)`` always gives the same files; another block size gives
another (equally valid) company.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .. import progress
from .company import generate_sample, write_sample

__all__ = ["DEFAULT_BLOCK_CUSTOMERS", "block_sizes", "write_in_blocks"]

#: Customers per block by default: about 1.7 GB of memory per block; the shipped sample is one block.
DEFAULT_BLOCK_CUSTOMERS = 200_000
#: The fewest customers :func:`generate_sample` accepts, so the smallest block.
MIN_BLOCK_CUSTOMERS = 50
#: Tables taken from block 0 only (the same catalogue and market for all; one list of leads).
FIRST_BLOCK_TABLES = ("products", "market", "prospects")
#: Columns that identify a row of the marketing table, summed over blocks.
MARKETING_KEYS = ["week", "channel"]


def block_sizes(n_customers: int, block_customers: int) -> list[int]:
    """``n_customers`` split into the fewest blocks of at most ``block_customers``, sizes within one (and
    never below the generator's minimum of 50 customers a block)."""
    n_blocks = max(1, min(math.ceil(n_customers / block_customers), n_customers // MIN_BLOCK_CUSTOMERS))
    size, extra = divmod(n_customers, n_blocks)
    return [size + (1 if b < extra else 0) for b in range(n_blocks)]


class _Appender:
    """One output file written block by block: Parquet row groups (the first block's schema) or CSV rows."""

    def __init__(self, path: Path, fmt: str):
        self.path, self.fmt, self.writer, self.rows = path, fmt, None, 0
        self.tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")

    def append(self, frame: pd.DataFrame) -> None:
        if self.fmt == "csv":
            frame.to_csv(self.tmp, index=False, mode="a", header=self.rows == 0, date_format="%Y-%m-%dT%H:%M:%S")
        else:
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self.writer is None:
                self.writer = pq.ParquetWriter(self.tmp, table.schema, compression="zstd")
            self.writer.write_table(table.cast(self.writer.schema) if table.schema != self.writer.schema else table)
        self.rows += len(frame)

    def close(self, keep: bool) -> None:
        """Close the file and move it in place (``keep``) or remove it."""
        if self.writer is not None:
            self.writer.close()
        if keep:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


def _blocks_note(sizes: list[int], block_customers: int) -> dict:
    return {"customers": sum(sizes), "blocks": len(sizes), "block_customers": block_customers,
            "customers_per_block": sizes,
            "note": "generated in blocks of customers (customer_workbook.sample.blocks): the planted parameters "
                    "hold for every block; the realised figures of this file describe block 0 "
                    f"({sizes[0]:,} customers); truth_customers.parquet covers everyone"}


def write_in_blocks(out_dir, n_customers: int, seed: int = 42, block_customers: int = DEFAULT_BLOCK_CUSTOMERS,
                    fmt: str = "parquet", **kw) -> Path:
    """Generate and write a company of ``n_customers`` in blocks (see the module docstring); ``kw`` go to
    :func:`generate_sample` (``start``, ``end``, ``planted_effects``). Files appear only when complete."""
    if fmt not in ("parquet", "csv"):
        raise ValueError("fmt must be 'parquet' or 'csv'")
    sizes = block_sizes(int(n_customers), int(block_customers))
    if len(sizes) == 1:
        with progress.step(f"Generating and writing {n_customers:,} customers"):
            return write_sample(out_dir, n_customers=n_customers, seed=seed, fmt=fmt, **kw)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, _Appender] = {}
    marketing, truth, ok = None, None, False
    first_customer, first_order = 1, 1
    try:
        for b in progress.blocks(range(len(sizes)), f"Generating {n_customers:,} customers", len(sizes)):
            company = generate_sample(sizes[b], seed, block=b, first_customer=first_customer, first_order=first_order,
                                      id_width=max(6, len(str(n_customers))), **kw)
            for name, frame in company.tables.items():
                if name == "marketing":
                    marketing = frame if marketing is None else _add_marketing(marketing, frame)
                elif b == 0 or name not in FIRST_BLOCK_TABLES:
                    files.setdefault(name, _Appender(out / f"{name}.{fmt}", fmt)).append(frame)
            files.setdefault("truth_customers", _Appender(out / "truth_customers.parquet", "parquet")).append(
                company.customer_truth)
            truth = company.truth if truth is None else truth
            first_customer += sizes[b]
            first_order += int(company.tables["transactions"]["order_id"].nunique())
            del company
        files.setdefault("marketing", _Appender(out / f"marketing.{fmt}", fmt)).append(marketing)
        ok = True
    finally:
        for appender in files.values():
            appender.close(keep=ok)
    truth = {**truth, "generated_in_blocks": _blocks_note(sizes, int(block_customers))}
    tmp = out / f".truth.json.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, out / "truth.json")
    return out


def _add_marketing(total: pd.DataFrame, block: pd.DataFrame) -> pd.DataFrame:
    """The marketing table of two blocks together: spend and new customers added per week and channel."""
    index = total.set_index(MARKETING_KEYS)
    summed = index.add(block.set_index(MARKETING_KEYS), fill_value=0).reindex(index.index)
    summed = summed.reset_index()[list(total.columns)]
    return summed.astype(total.dtypes.to_dict())
