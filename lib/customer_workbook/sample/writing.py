"""Writing a generated company to disk: Parquet (zstd, in row-group chunks) or CSV, each file written atomically."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa

__all__ = ["write_company"]


def _atomic(path: Path, writer) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        writer(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _to_parquet(df: pd.DataFrame, path: Path, chunk: int = 1_000_000) -> None:
    """Write a frame to Parquet (zstd) in row-group chunks, so big tables need little extra memory."""
    import pyarrow.parquet as pq

    writer = None
    try:
        for lo in range(0, max(len(df), 1), chunk):
            table = pa.Table.from_pandas(df.iloc[lo:lo + chunk], preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table.cast(writer.schema) if table.schema != writer.schema else table)
    finally:
        if writer is not None:
            writer.close()


def write_company(company, out_dir, fmt: str = "parquet") -> Path:
    """Write a :class:`~.company.SampleCompany`: its tables, ``truth.json`` and ``truth_customers.parquet``."""
    if fmt not in ("parquet", "csv"):
        raise ValueError("fmt must be 'parquet' or 'csv'")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, df in company.tables.items():
        if fmt == "parquet":
            _atomic(out / f"{name}.parquet", lambda p, df=df: _to_parquet(df, p))
        else:
            _atomic(out / f"{name}.csv", lambda p, df=df: df.to_csv(p, index=False, date_format="%Y-%m-%dT%H:%M:%S"))
    _atomic(out / "truth.json", lambda p: p.write_text(json.dumps(company.truth, indent=2, ensure_ascii=False) + "\n"))
    _atomic(out / "truth_customers.parquet",
            lambda p: _to_parquet(company.customer_truth, p))
    return out
