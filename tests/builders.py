"""Small builders shared by the unit tests of step 5's concepts (offers, retention, advocacy, planning)."""
from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd

from customer_workbook.paths import project_root

SAMPLE = project_root() / "data" / "sample"


def lines(rows) -> pd.DataFrame:
    """Transactions from (customer, date, amount, product[, order]) tuples; one order per customer and day
    unless given."""
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "product_id", "order_id"][: len(rows[0])])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["customer_id"] = frame["customer_id"].astype("string")
    if "order_id" not in frame:
        frame["order_id"] = frame["customer_id"] + "-" + frame["date"].dt.strftime("%Y%m%d")
    return frame


def pair_world(seed: int = 0, n: int = 400) -> pd.DataFrame:
    """Customers who buy A also buy B later; item Z is the best-seller. Test period: buyers of A get B."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        cid = f"C{i:04d}"
        rows.append((cid, "2024-01-05", 10.0, "Z"))
        first = ["A", "C", "E"][i % 3]
        follow = {"A": "B", "C": "D", "E": "F"}[first]
        rows.append((cid, "2024-02-01", 10.0, first))
        if i < n // 2:  # history: half the customers already show the pair before the split
            rows.append((cid, "2024-03-01", 10.0, follow))
        else:  # test: the rest buy the follow-up after the split
            rows.append((cid, "2024-08-01", 10.0, follow))
        rows.append((cid, "2024-08-02", 10.0, rng.choice(["G", "H", "Z"])))
    return lines(rows)


def rfm(freq, rec_weeks, T_weeks, p_alive=None, clv=None) -> pd.DataFrame:
    """A scorer-like table (weeks) with ``p_alive`` and ``clv_1y``."""
    n = len(freq)
    return pd.DataFrame({"frequency": freq, "recency": rec_weeks, "T": T_weeks,
                         "p_alive": p_alive if p_alive is not None else np.linspace(0.9, 0.1, n),
                         "clv_1y": clv if clv is not None else np.full(n, 100.0)},
                        index=pd.Index([f"c{i}" for i in range(n)], name="customer_id"))


@functools.lru_cache(maxsize=1)
def shipped():
    """The shipped sample: (Dataset, truth.json, truth_customers indexed by customer_id), loaded once."""
    from customer_workbook import data

    ds = data.load_dataset(SAMPLE)
    truth = json.loads((SAMPLE / "truth.json").read_text())
    labels = pd.read_parquet(SAMPLE / "truth_customers.parquet").set_index("customer_id")
    return ds, truth, labels


def fd_gradient(model, z, data, h=1e-6) -> np.ndarray:
    """Central finite-difference gradient of a CLV model's negative log-likelihood at ``z`` (to check its
    analytic gradient)."""
    out = np.empty_like(z)
    for i in range(z.size):
        e = np.zeros_like(z)
        e[i] = h
        out[i] = (model._negll(z + e, data)[0] - model._negll(z - e, data)[0]) / (2 * h)
    return out
