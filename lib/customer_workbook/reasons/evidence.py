"""Does behaviour show the reasons customers state? Traces of each reason in the transactions.

Several reasons to choose leave traces in behaviour: price sensitivity as buying on discount,
innovation as early purchases of new products, unique features as exclusive products, a fast brand as
quick deliveries (and customers coming back after them), inertia as buying in the local store, social
proof as joining on a referral. Bandwagon evidence comes from :mod:`.adoption`. Where the survey is
available each measure is correlated with the matching stated reason (:func:`.drivers.spearman_link`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from ..contract import REASONS
from ..stats import wilson_interval
from .drivers import spearman_link

__all__ = ["REASON_BEHAVIOUR", "RepeatCurve", "delivery_repeat_curve", "reason_evidence"]


#: Behaviour that can show each reason: (column of the per-customer table, description). Reasons missing
#: here are survey-only. Columns from :func:`customer_workbook.base.customer_features` (``referred`` is
#: derived from ``acquisition_channel``).
REASON_BEHAVIOUR: dict[str, tuple[str, str]] = {
    "pricing": ("discount_share", "share of lines bought on a discount (discount sensitivity)"),
    "innovation": ("new_product_share", "share of lines that are products within a year of launch (new-product uptake)"),
    "unique_features": ("exclusive_share", "share of lines that are exclusive products"),
    "fast_brand": ("fast_delivery_share", "share of online lines delivered within 2 days"),
    "lack_of_alternatives": ("share_store", "share of lines bought in the local store (little comparison online)"),
    "social_proof": ("referred", "joined through a referral (a recommendation from someone they know)"),
}


def reason_evidence(features: pd.DataFrame, answers: pd.DataFrame | None = None,
                    bandwagon: pd.DataFrame | None = None) -> pd.DataFrame:
    """Which reasons to choose the behaviour data can show, and whether stated and shown agree.

    Parameters
    ----------
    features
        The per-customer table (:func:`customer_workbook.base.derived` ``.customers``).
    answers
        Optional :func:`.drivers.latest_answers`; when given, each measure is correlated (Spearman)
        with the customer's agreement with the matching ``why_*`` item.
    bandwagon
        Optional :func:`.adoption.bandwagon_evidence`; adds the imitation-to-innovation ratio of launches.

    Returns
    -------
    DataFrame, one row per reason (all ten)
        ``reason``, ``behaviour`` (what is measured, or why nothing can be), ``base_mean`` (mean of the
        measure over customers), ``rho`` / ``p_value`` / ``n`` (link with the stated reason) and
        ``agrees`` (True when rho > 0 at p < 0.05).
    """
    feats = features.copy()
    if "acquisition_channel" in feats:
        feats["referred"] = (feats["acquisition_channel"].astype(str) == "referral").astype(float)
    rows = []
    for reason in REASONS:  # ten reasons
        row = {"reason": reason, "behaviour": "survey only: no behaviour for it in the data contract",
               "base_mean": np.nan, "rho": np.nan, "p_value": np.nan, "n": 0}
        if reason in REASON_BEHAVIOUR and REASON_BEHAVIOUR[reason][0] in feats:
            col, text = REASON_BEHAVIOUR[reason]
            row.update(behaviour=text, base_mean=float(feats[col].mean()))
            if answers is not None and f"why_{reason}" in answers:
                row.update(asdict(spearman_link(feats[col], answers[f"why_{reason}"].astype(float))))
        if reason == "bandwagon" and bandwagon is not None and len(bandwagon):
            best = bandwagon.iloc[0]
            row.update(behaviour=f"adoption curve of launches: imitation q / innovation p = {best['q_over_p']:.0f} "
                                 f"for {best['product_id']} (adoption speeds up with adopters when q > p)",
                       base_mean=float(best["q_over_p"]))
        rows.append(row)
    out = pd.DataFrame(rows)
    out["agrees"] = (out["rho"] > 0) & (out["p_value"] < 0.05)
    return out


@dataclass(frozen=True)
class RepeatCurve:
    """Repeat-purchase rate by delivery time (:func:`delivery_repeat_curve`).

    ``table``: ``delivery_days`` (int bucket), ``orders``, ``repeat_rate`` (0-1), ``low`` / ``high`` (95%
    Wilson interval); ``slope``: change in repeat rate per extra delivery day (least squares weighted by
    the square root of the orders; NaN with fewer than two buckets); ``horizon_days``: the repeat window.
    """

    table: pd.DataFrame
    slope: float
    horizon_days: int


def _delivered_orders(transactions: pd.DataFrame) -> pd.DataFrame:
    """Sale orders with the customer's next order date and the slowest delivered line's ``delivery`` (days).

    Built from the lines rather than :func:`customer_workbook.base.order_table`, which keeps the
    delivery time of an order's first line only: here the slowest line of the order counts.
    """
    pos = transactions[transactions["amount"] > 0]
    delivered = pos["delivery_days"].notna()
    if "channel" in pos:  # store purchases are taken home at once: only deliveries say something about speed
        delivered &= pos["channel"] != "store"
    order_code = pd.factorize(pos["order_id"])[0]        # integer keys: one fast groupby
    orders = pd.DataFrame({"customer_id": pd.factorize(pos["customer_id"])[0], "date": pos["date"].to_numpy(),
                           "delivery": pos["delivery_days"].where(delivered).to_numpy(dtype=float)}).groupby(
        order_code).agg(customer_id=("customer_id", "first"), date=("date", "min"), delivery=("delivery", "max"))
    orders = orders.sort_values(["customer_id", "date"], kind="stable")
    same = orders["customer_id"].to_numpy()[1:] == orders["customer_id"].to_numpy()[:-1]
    nxt = np.full(len(orders), np.datetime64("NaT"), dtype="datetime64[ns]")
    nxt[:-1] = np.where(same, orders["date"].to_numpy()[1:], np.datetime64("NaT"))
    orders["next_date"] = nxt
    return orders


def delivery_repeat_curve(transactions: pd.DataFrame, horizon_days: int = 90, max_days: int = 8,
                          as_of=None) -> RepeatCurve:
    """Repeat-purchase rate by delivery time: does a fast delivery bring the customer back? (fast brand)

    For every delivered (non-store) order placed at least ``horizon_days`` before the end (``as_of``,
    default the last transaction), the customer "repeats" when they order again within
    ``horizon_days``. Orders are bucketed by their slowest line's ``delivery_days`` (``max_days`` and
    more pooled).
    """
    end = pd.Timestamp(as_of) if as_of is not None else transactions["date"].max()
    orders = _delivered_orders(transactions)
    orders = orders[orders["delivery"].notna()]
    orders = orders[orders["date"] <= end - pd.Timedelta(days=horizon_days)]
    gap = (orders["next_date"] - orders["date"]).dt.days
    orders["repeat"] = (gap <= horizon_days).fillna(False).astype(float)
    orders["bucket"] = np.clip(np.round(orders["delivery"].to_numpy()), 0, max_days).astype(int)
    g = orders.groupby("bucket")["repeat"].agg(["size", "mean"])
    low, high = wilson_interval(g["mean"].to_numpy() * g["size"].to_numpy(), g["size"].to_numpy())
    out = pd.DataFrame({"delivery_days": g.index.to_numpy(), "orders": g["size"].to_numpy(),
                        "repeat_rate": g["mean"].to_numpy(), "low": low, "high": high})
    slope = (float(np.polyfit(out["delivery_days"], out["repeat_rate"], 1, w=np.sqrt(out["orders"])).item(0))
             if len(out) >= 2 else np.nan)
    return RepeatCurve(table=out, slope=slope, horizon_days=horizon_days)
