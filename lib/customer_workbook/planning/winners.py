"""Is the most valuable product line, service or audience clearly the most valuable?

The tables of :mod:`.pilot` rank every option, so one always comes first, also when the options are equal.
These functions test the first against the others with the rules of
:mod:`customer_workbook.stats.separation` (false-alarm rate ``alpha``, two-sided, Holm-corrected):

* :func:`product_separation`: the first product line against the runner-up on the three measures it is
  ranked by (revenue, repeat rate and cross-sell rate of new buyers);
* :func:`service_separation`: the first sales channel (or delivery speed) against the runner-up on revenue
  and the repeat rate of its orders (customers as clusters);
* :func:`audience_ties`: every ranked audience against the one worth most per customer.

Every ranked table carries intervals beside its estimates: :func:`product_intervals` (Wilson intervals of
the repeat and cross-sell rates), :func:`service_intervals` (repeat rates, customers as clusters) and
:func:`audience_ties` (mean value per customer).

Revenue in the data's currency units, rates as shares (0-1), durations in days.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..stats import SEPARATION_ALPHA, Separation, clustered_proportion, paired_total_difference, separate_runner_up
from ..stats import tied_with_top, wilson_interval
from .pilot import order_repeats, sale_lines, service_labels

__all__ = ["audience_ties", "product_intervals", "product_separation", "service_intervals", "service_separation"]


_Z95 = 1.959963984540054  # two-sided 95% normal quantile


def _rate_se(rate: float, n: float) -> float:
    """Standard error of a proportion of ``n`` independent customers (NaN without any)."""
    return float(np.sqrt(rate * (1 - rate) / n)) if n > 0 else float("nan")


def product_separation(transactions: pd.DataFrame, table: pd.DataFrame, products: pd.DataFrame | None = None,
                       by: str = "category", alpha: float = SEPARATION_ALPHA) -> Separation | None:
    """The first product line of ``table`` (:func:`~customer_workbook.planning.product_value_table`, same
    ``products`` and ``by``) against the second: revenue (paired over customers, who buy both), repeat and
    cross-sell rates (shares of each line's followed new buyers). ``None`` with fewer than two lines."""
    if len(table) < 2:
        return None
    first, second = table.iloc[0], table.iloc[1]
    sale, line = sale_lines(transactions, products, by)
    names = np.asarray(line.astype(str))
    codes = pd.factorize(transactions["customer_id"][sale])[0]
    amount = transactions["amount"].to_numpy()[sale]
    revenue, revenue_se = paired_total_difference(codes, amount, names == str(first["product"]),
                                                  names == str(second["product"]))
    diffs, ses = {"revenue": revenue}, {"revenue": revenue_se}
    for rate in ("repeat_rate", "cross_sell_rate"):
        diffs[rate] = float(first[rate] - second[rate])
        ses[rate] = float(np.hypot(_rate_se(first[rate], first["followed"]), _rate_se(second[rate], second["followed"])))
    return separate_runner_up(diffs, ses, alpha)


def service_separation(orders: pd.DataFrame, data_end, table: pd.DataFrame, follow_days: int = 90,
                       dimension: str = "sales channel", alpha: float = SEPARATION_ALPHA) -> Separation | None:
    """The first service of ``dimension`` in ``table`` (:func:`~customer_workbook.planning.service_value_table`
    of the same ``orders``, ``data_end`` and ``follow_days``) against the second: revenue (paired over
    customers) and repeat rate within ``follow_days`` (each customer's orders one cluster; the two rates'
    errors are added as if independent, which overstates the error when the same customers use both).
    Only sales channels are compared (``dimension`` "sales channel"). ``None`` with fewer than two."""
    rows = table[table["dimension"] == dimension]
    if len(rows) < 2 or dimension != "sales channel" or "channel" not in orders:
        return None
    first, second = str(rows.iloc[0]["service"]), str(rows.iloc[1]["service"])
    channel = orders["channel"].astype(str).to_numpy()
    codes = pd.factorize(orders["customer_id"])[0]
    revenue, revenue_se = paired_total_difference(codes, orders["amount"].to_numpy(), channel == first,
                                                  channel == second)
    repeat = order_repeats(orders, data_end, follow_days)
    followed = ~np.isnan(repeat)
    k = int(codes.max()) + 1
    rates = []
    for name in (first, second):
        mask = followed & (channel == name)
        rates.append(clustered_proportion(np.bincount(codes[mask], weights=repeat[mask], minlength=k),
                                          np.bincount(codes[mask], minlength=k)))
    (r1, s1), (r2, s2) = rates
    return separate_runner_up({"revenue": revenue, "repeat_rate": r1 - r2},
                        {"revenue": revenue_se, "repeat_rate": float(np.hypot(s1, s2))}, alpha)


def audience_ties(audiences: pd.DataFrame, alpha: float = SEPARATION_ALPHA) -> pd.DataFrame:
    """The ranked cells of ``audiences`` (:func:`~customer_workbook.planning.audience_table`) with
    ``value_low``, ``value_high`` (the 95% normal interval of the mean value per customer), ``p_vs_top``
    (Holm-adjusted p-value of the difference in mean 12-month value from the first cell; NaN for the first)
    and ``tied`` (not separated from the first at ``alpha``, the first included), in the table's order
    (value per customer, highest first)."""
    ranked = audiences[audiences["ranked"]].copy()
    se = ranked["value_sd"].to_numpy(dtype=float) / np.sqrt(ranked["customers"].to_numpy(dtype=float))
    mean = ranked["value_per_customer"].to_numpy(dtype=float)
    tied, p = tied_with_top(mean, se, alpha)
    return ranked.assign(value_low=mean - _Z95 * se, value_high=mean + _Z95 * se, p_vs_top=p, tied=tied)


def product_intervals(table: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """``table`` (:func:`~customer_workbook.planning.product_value_table`) with Wilson intervals of the
    repeat and cross-sell rates over each line's ``followed`` new buyers: ``repeat_low``, ``repeat_high``,
    ``cross_sell_low``, ``cross_sell_high`` (shares 0-1; NaN for a line without followed buyers)."""
    n = table["followed"].to_numpy(dtype=float)
    out = table.copy()
    for rate, name in (("repeat_rate", "repeat"), ("cross_sell_rate", "cross_sell")):
        low, high = wilson_interval(np.round(table[rate].fillna(0).to_numpy(dtype=float) * n), n, level)
        out[f"{name}_low"], out[f"{name}_high"] = low, high
    return out


def service_intervals(orders: pd.DataFrame, data_end, table: pd.DataFrame, follow_days: int = 90) -> pd.DataFrame:
    """``table`` (:func:`~customer_workbook.planning.service_value_table` of the same ``orders``,
    ``data_end`` and ``follow_days``) with the 95% interval of each service's repeat rate, ``repeat_low``
    and ``repeat_high`` (shares clipped to 0-1; each customer's orders one cluster,
    :func:`~customer_workbook.stats.clustered_proportion`; NaN without followed orders or with one customer)."""
    repeat = order_repeats(orders, data_end, follow_days)
    followed = ~np.isnan(repeat)
    codes = pd.factorize(orders["customer_id"])[0]
    k = int(codes.max()) + 1 if len(codes) else 0
    labels = {dim: np.where(label.codes >= 0, np.asarray(label.categories.astype(str), dtype=object)[label.codes], None)
              for dim, label in service_labels(orders)}
    low, high = np.full(len(table), np.nan), np.full(len(table), np.nan)
    for i, row in enumerate(table.itertuples()):  # a handful of services
        if row.dimension not in labels:
            continue
        mask = followed & (labels[row.dimension] == row.service)
        rate, se = clustered_proportion(np.bincount(codes[mask], weights=repeat[mask], minlength=k),
                                        np.bincount(codes[mask], minlength=k))
        low[i], high[i] = max(rate - _Z95 * se, 0.0), min(rate + _Z95 * se, 1.0)
    return table.assign(repeat_low=low, repeat_high=high)
