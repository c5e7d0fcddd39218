"""The transactions table from the simulated orders: purchase lines, later return lines, order ids.

Returns are dated 2-30 days after the order; only orders placed in the window are kept, and a return
after the end is simply not yet recorded. Also the per-customer realised behaviour the truth reports.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ._arrays import _ids, _labels, _popcount8, _str_series, _ts
from .constants import SALES_CHANNELS

__all__ = ["Lines", "transactions_table", "realised_per_customer"]


@dataclass(frozen=True)
class Lines:
    """The output lines as arrays (``LN``: cust, prod, order, amount, chan, day, pos, deliv) and the orders kept."""

    LN: dict
    ord_sorted: np.ndarray        # simulated order indices in the window, in output (time) order
    n_orders_out: int


def _line_times(rng, O, Lz, end_day):
    """Seconds and source line of every output line (purchases, then returns), sorted by time; return sign."""
    n_lz = len(Lz["order"])
    ret_idx = np.flatnonzero(Lz["ret"]).astype(np.int32)
    ret_sec = O["sec"][Lz["order"][ret_idx]] + rng.integers(2, 31, len(ret_idx)) * 86400
    ret_sec = (ret_sec // 86400) * 86400 + rng.integers(9 * 3600, 20 * 3600, len(ret_idx))
    line_sec = np.concatenate([O["sec"][Lz["order"]], ret_sec])
    line_src = np.concatenate([np.arange(n_lz, dtype=np.int32), ret_idx])
    del ret_sec
    # orders placed in the window only (a return after the end is simply not yet recorded)
    keep = (line_sec >= 0) & (line_sec < (end_day + 1) * 86400) & (O["sec"][Lz["order"][line_src]] >= 0)
    is_ret = np.arange(len(line_src)) >= n_lz
    line_sec, line_src, is_ret = line_sec[keep], line_src[keep], is_ret[keep]
    del keep
    srt = np.lexsort((is_ret, Lz["order"][line_src], line_sec))
    line_sec, line_src, is_ret = line_sec[srt], line_src[srt], is_ret[srt]
    del srt
    sign = np.where(is_ret, -1, 1).astype(np.int8)
    return line_sec, line_src, sign, ~is_ret


def _order_ranks(n_o, lorder, line_sec, pos_line):
    """Order ids in order of first appearance (= order time): the kept orders and each order's rank."""
    o_first = np.full(n_o, np.iinfo(np.int64).max)
    np.minimum.at(o_first, lorder[pos_line], line_sec[pos_line])
    in_win_orders = np.flatnonzero(o_first < np.iinfo(np.int64).max)
    ord_sorted = in_win_orders[np.lexsort((in_win_orders, o_first[in_win_orders]))]
    del o_first, in_win_orders
    ord_rank = np.full(n_o, -1, dtype=np.int64)
    ord_rank[ord_sorted] = np.arange(len(ord_sorted))
    return ord_sorted, ord_rank


def transactions_table(rng, st, w, catalog, cust_ids, first_order: int = 1) -> tuple[pd.DataFrame, Lines]:
    """The transactions table (``rng`` continues the simulation's generator) and its lines as arrays;
    order ids are numbered from ``first_order`` (a later block of a company generated in blocks)."""
    O, Lz = st.O, st.Lz
    line_sec, line_src, sign, pos_line = _line_times(rng, O, Lz, w.end_day)
    lorder = Lz["order"][line_src]
    ord_sorted, ord_rank = _order_ranks(len(O["cust"]), lorder, line_sec, pos_line)
    n_orders_out = len(ord_sorted)
    last = first_order + n_orders_out - 1
    order_ids = _ids("O", np.arange(first_order, last + 1), max(7, len(str(last))))
    LN = {  # per output line
        "cust": Lz["cust"][line_src], "prod": Lz["prod"][line_src], "order": lorder,
        "amount": Lz["amount"][line_src] * sign, "chan": O["chan"][lorder], "day": line_sec // 86400,
        "pos": pos_line, "deliv": np.where(pos_line, O["deliv"][lorder], 0.0),
    }
    tx = pd.DataFrame({
        "customer_id": _str_series(cust_ids.take(pa.array(LN["cust"]))),
        "date": _ts(w.start, line_sec),
        "amount": LN["amount"],
        "order_id": _str_series(order_ids.take(pa.array(ord_rank[lorder]))),
        "product_id": _str_series(_ids("P", np.arange(1, catalog.n_prod + 1), 4).take(pa.array(LN["prod"]))),
        "quantity": (Lz["qty"][line_src].astype(np.int64) * sign),
        "channel": _labels(LN["chan"], SALES_CHANNELS),
        "discount": np.round(Lz["disc"][line_src].astype(np.float64), 2),
        "delivery_days": LN["deliv"].astype(np.float64),
    })
    return tx, Lines(LN=LN, ord_sorted=ord_sorted, n_orders_out=n_orders_out)


def realised_per_customer(lines: Lines, O, catalog, N):
    """Per customer in the window: net revenue, orders and distinct categories bought (purchases only)."""
    LN, pos_line = lines.LN, lines.LN["pos"]
    revenue = np.bincount(LN["cust"], weights=LN["amount"], minlength=N)
    n_orders_c = np.bincount(O["cust"][lines.ord_sorted], minlength=N)
    cats_in_window = np.zeros(N, np.uint8)
    np.bitwise_or.at(cats_in_window, LN["cust"][pos_line],
                     (1 << catalog.prod["cat"][LN["prod"][pos_line]]).astype(np.uint8))
    return revenue, n_orders_c, _popcount8(cats_in_window)
