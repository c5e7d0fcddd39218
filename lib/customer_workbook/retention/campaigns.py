"""The randomised retention campaign: what an offer changed, for whom, and what an extra order is worth.

A retention campaign that sent its offer to a random part of its population (the *treated*) and held
back the rest (the *control*) measures the offer's causal effect: the *uplift*, the treated minus the
control rate of buying again (:func:`customer_workbook.stats.two_proportion_uplift`, the one home of
uplift and its error). :func:`campaign_segments` describes each campaign customer by behaviour observable
at send time and puts them in a targeting segment; :func:`campaign_uplift` measures the uplift overall
and per segment; :func:`arm_lifts` reads a test with several arms (``arm``) and several outcomes (``outcome``
= converted, ``visited``, ``spend``): each arm against the control for each outcome, overall or per segment
with the segments' p-values Holm-corrected, and :func:`responding_segments` says which segments respond;
:func:`extra_order_value` values what the campaign's outcome is, an extra order (its margin), so conquest and
relations are compared on what each spend buys (:func:`customer_workbook.acquisition.conquest_vs_relations`).
Reference: Radcliffe & Surry (2011), "Real-world
uplift modelling with significance-based uplift trees".

Units: rates and uplifts are shares (0-1); durations in days; money in currency units.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..base import order_table
from ..data import Dataset
from ..stats import holm, two_proportion_uplift, welch_mean_difference

__all__ = ["CAMPAIGN_OUTCOMES", "CONTROL_ARM", "arm_lifts", "campaign_arms", "campaign_outcomes", "campaign_segments",
           "campaign_uplift", "extra_order_value", "has_arms_or_outcomes", "measured_segments", "responding_segments",
           "retention_value_by_group"]

#: The outcomes a campaign table can hold: column -> (what it measures, kind). ``rate`` outcomes are 0/1 and
#: compared as a difference of proportions, ``mean`` outcomes (currency units) as a difference of means (Welch).
CAMPAIGN_OUTCOMES: dict[str, tuple[str, str]] = {"visited": ("visited", "rate"), "outcome": ("converted", "rate"),
                                                 "spend": ("spend", "mean")}
#: The arm of every untreated customer, whatever the ``arm`` column says.
CONTROL_ARM = "control"


def campaign_segments(ds: Dataset, campaign: str | None = None, lapsed_days: int = 150,
                      frequent_orders: int = 7, full_price_discount: float = 0.02, max_customers: int = 100_000,
                      seed: int = 0) -> pd.DataFrame:
    """Observable behaviour of each campaign customer at send time, and a targeting segment.

    Segments (first rule that applies): ``lapsing`` (no order in the last ``lapsed_days``), ``frequent``
    (``frequent_orders``+ orders in the last 365 days), ``full-price`` (mean line discount below
    ``full_price_discount``; only with a ``discount`` column), ``discount users`` (everyone else; ``recent``
    without a ``discount`` column, where nobody is known to use discounts).
    A campaign with more than ``max_customers`` customers is analysed on a seeded random sample of them
    (randomisation keeps the sample's uplift unbiased). The behaviour is measured *as of the send date*
    (the order table of the 365 days before it, :func:`customer_workbook.base.order_table`), not read from
    the run's per-customer table, which describes customers at the end of the data.

    Returns
    -------
    DataFrame
        One row per campaign customer: ``customer_id``, ``campaign``, ``send_date``, ``treated`` (bool),
        ``outcome`` (0/1), ``days_since_last`` (days; 366 without an order in the year before sending),
        ``orders_365d`` (orders in the 365 days before sending), ``mean_discount`` (0-1, NaN without a
        ``discount`` column), ``segment``.
    """
    camp = ds.require("campaigns")
    if campaign is None:
        campaign = camp["campaign"].astype(str).value_counts().index[0]
    c = camp.loc[camp["campaign"].astype(str) == campaign].copy()
    if len(c) > max_customers:
        c = c.iloc[np.sort(np.random.default_rng(seed).choice(len(c), max_customers, replace=False))]
    c["customer_id"] = c["customer_id"].astype(str)
    send = c["send_date"].min()
    tx = ds.transactions
    dates = tx["date"].to_numpy()
    recent = (dates < np.datetime64(send)) & (dates >= np.datetime64(send - pd.Timedelta(days=365)))
    hist = tx.loc[recent]
    hist = hist.loc[hist["customer_id"].isin(pd.Index(c["customer_id"]))]
    orders = order_table(hist)
    per = orders.groupby("customer_id", observed=True).agg(last=("date", "max"), orders_365d=("order_id", "size"))
    c = c.merge(per, left_on="customer_id", right_index=True, how="left")
    c["days_since_last"] = (send - c["last"]).dt.days.fillna(366).to_numpy()
    c["orders_365d"] = c["orders_365d"].fillna(0).astype(int)
    if "discount" in hist:
        disc = hist.loc[hist["amount"] > 0].groupby("customer_id", observed=True)["discount"].mean()
        c["mean_discount"] = c["customer_id"].map(disc).astype(float)
    else:
        c["mean_discount"] = np.nan
    rest = "discount users" if "discount" in hist else "recent"
    seg = np.where(c["days_since_last"] >= lapsed_days, "lapsing",
                   np.where(c["orders_365d"] >= frequent_orders, "frequent",
                            np.where(c["mean_discount"].fillna(1.0) < full_price_discount, "full-price", rest)))
    c["segment"] = seg
    c["treated"] = c["treated"].astype(bool)
    return c.drop(columns=["last"]).reset_index(drop=True)


def campaign_uplift(segments: pd.DataFrame, by: str | None = "segment", alpha: float = 0.10) -> pd.DataFrame:
    """Uplift (treated minus control outcome rate) with a normal-approximation interval, per group.

    Every row is :func:`customer_workbook.stats.two_proportion_uplift` of the group's customers; groups
    with an empty arm are left out. ``segments`` is :func:`campaign_segments` output (``treated``,
    ``outcome`` and the column ``by``). Several segments are compared, so ``p_holm`` adjusts the segments'
    p-values together (:func:`customer_workbook.stats.holm`; the ``all`` row keeps its own p-value): a
    segment's uplift is *measured* when ``p_holm`` is below ``alpha`` (:func:`measured_segments`).

    Returns
    -------
    DataFrame
        ``group``, ``n``, ``n_treated``, ``rate_treated``, ``rate_control``, ``uplift``, ``se``, ``uplift_low``,
        ``uplift_high`` (level ``1 - alpha``), ``p_value`` (two-sided), ``p_holm``, first row ``all``.
    """
    groups = [("all", segments)]
    if by is not None:
        groups += [(str(g), f) for g, f in segments.groupby(by, sort=True)]
    rows = []
    for name, f in groups:
        u = two_proportion_uplift(f["outcome"], f["treated"], level=1 - alpha)
        if u.n_treated == 0 or u.n_control == 0:
            continue
        rows.append({"group": name, "n": len(f), "n_treated": u.n_treated, "rate_treated": u.rate_treated,
                     "rate_control": u.rate_control, "uplift": u.uplift, "se": u.se, "uplift_low": u.low,
                     "uplift_high": u.high, "p_value": u.p_value})
    out = pd.DataFrame(rows, columns=["group", "n", "n_treated", "rate_treated", "rate_control", "uplift", "se",
                                      "uplift_low", "uplift_high", "p_value"])
    seg = (out["group"] != "all").to_numpy()
    out["p_holm"] = out["p_value"].astype(float)
    out.loc[seg, "p_holm"] = holm(out.loc[seg, "p_value"].to_numpy(dtype=float))
    return out


def campaign_arms(rows: pd.DataFrame) -> np.ndarray:
    """The arm of each campaign row (array of str): :data:`CONTROL_ARM` for untreated rows, the ``arm`` column's
    text for treated rows (``"treated"`` without an ``arm`` column or where it is blank)."""
    treated = rows["treated"].to_numpy(dtype=bool)
    arm = rows["arm"].astype(object).where(rows["arm"].notna(), "treated") if "arm" in rows else \
        pd.Series("treated", index=rows.index)
    arm = arm.astype(str).str.strip().replace("", "treated").to_numpy(dtype=object)
    return np.where(treated, arm, CONTROL_ARM).astype(str)


def campaign_outcomes(rows: pd.DataFrame) -> list[str]:
    """The outcome columns of :data:`CAMPAIGN_OUTCOMES` present in ``rows``, in that order."""
    return [c for c in CAMPAIGN_OUTCOMES if c in rows]


def has_arms_or_outcomes(rows: pd.DataFrame) -> bool:
    """True when a campaign has more than the treated flag and one outcome: an ``arm`` column or extra outcomes."""
    return "arm" in rows or len(campaign_outcomes(rows)) > 1


def _lift(values: np.ndarray, treated: np.ndarray, kind: str, level: float) -> dict:
    """One arm against control: difference of proportions (``rate``) or of means with Welch's interval (``mean``)."""
    if kind == "rate":
        u = two_proportion_uplift(values, treated, level=level)
        return {"n_arm": u.n_treated, "n_control": u.n_control, "arm_value": u.rate_treated,
                "control_value": u.rate_control, "lift": u.uplift, "se": u.se, "low": u.low, "high": u.high,
                "p_value": u.p_value}
    d = welch_mean_difference(values, treated, level=level)
    return {"n_arm": d.n_treated, "n_control": d.n_control, "arm_value": d.mean_treated,
            "control_value": d.mean_control,
            "lift": d.difference, "se": d.se, "low": d.low, "high": d.high, "p_value": d.p_value}


def arm_lifts(rows: pd.DataFrame, by: str | None = None, level: float = 0.90) -> pd.DataFrame:
    """Each arm's lift against the control for each outcome, overall or per group of ``by``.

    ``rows``: campaign rows (``treated``, ``outcome``, optional ``arm``, ``visited``, ``spend``; e.g.
    :func:`campaign_segments` output). Rates are shares (0-1), spend in currency units per customer. Groups
    with fewer than 2 customers in the arm or the control are left out. With ``by``, ``p_holm`` adjusts the
    groups' p-values together (:func:`customer_workbook.stats.holm`) within each arm and outcome: a group
    *responds* when its ``p_holm`` is below ``1 - level`` (:func:`responding_segments`); without ``by`` it is
    the p-value itself.

    Returns
    -------
    DataFrame
        ``arm``, ``outcome`` (column name), ``measure`` (``visited``, ``converted``, ``spend``), ``kind``
        (``rate``/``mean``), ``group`` (``all`` without ``by``), ``n_arm``, ``n_control``, ``arm_value``, ``control_value``, ``lift``, ``se``,
        ``low``, ``high`` (interval at ``level``), ``p_value`` (two-sided), ``p_holm``.
    """
    arms = campaign_arms(rows)
    groups = np.full(len(rows), "all", dtype=object) if by is None else rows[by].astype(str).to_numpy()
    columns = {col: rows[col].to_numpy(dtype=float) for col in campaign_outcomes(rows)}
    out = []
    for arm in sorted(set(arms) - {CONTROL_ARM}):
        for col, all_values in columns.items():
            measure, kind = CAMPAIGN_OUTCOMES[col]
            block = []
            for group in sorted(set(groups)):
                keep = (groups == group) & np.isin(arms, [arm, CONTROL_ARM])
                treated = arms[keep] == arm
                if treated.sum() < 2 or (~treated).sum() < 2:
                    continue
                block.append({"arm": arm, "outcome": col, "measure": measure, "kind": kind, "group": group,
                              **_lift(all_values[keep], treated, kind, level)})
            if block:
                p = np.array([b["p_value"] for b in block], dtype=float)
                for b, adjusted in zip(block, holm(p) if by is not None else p):
                    b["p_holm"] = float(adjusted)
            out += block
    return pd.DataFrame(out, columns=["arm", "outcome", "measure", "kind", "group", "n_arm", "n_control", "arm_value",
                                      "control_value", "lift", "se", "low", "high", "p_value", "p_holm"])


def responding_segments(lifts: pd.DataFrame, alpha: float = 0.10, sign: int = 1) -> pd.DataFrame:
    """The rows of :func:`arm_lifts` (``by`` a segment) whose lift is measurably above zero (``sign=1``) or below
    it (``sign=-1``) after the Holm correction over the segments: ``p_holm`` below ``alpha``."""
    keep = (lifts["p_holm"] < alpha) & (np.sign(lifts["lift"]) == sign)
    return lifts.loc[keep]


def measured_segments(uplift: pd.DataFrame, alpha: float = 0.10, sign: int = 1) -> pd.DataFrame:
    """The segment rows of :func:`campaign_uplift` whose uplift is measurably above zero (``sign=1``) or below
    it (``sign=-1``): Holm-adjusted p-value below ``alpha`` (the ``all`` row is not a segment)."""
    keep = (uplift["group"] != "all") & (uplift["p_holm"] < alpha) & (np.sign(uplift["uplift"]) == sign)
    return uplift.loc[keep]


def extra_order_value(ds: Dataset, segments: pd.DataFrame, margin: float = 0.35) -> pd.Series:
    """Value (currency units) of one extra order from each campaign customer: ``margin`` times the customer's
    mean sales-order value before the send date.

    The campaign's outcome is an order within its window, so an extra buyer is valued as an extra order, not
    as a customer saved for life (that would need a test whose outcome is staying). Measured from the history,
    without a model. Returns a Series by ``customer_id`` (customers with no order before sending are absent).
    """
    send = segments["send_date"].min()
    orders = order_table(ds.transactions[ds.transactions["date"] < send], sales_only=True)
    mean = orders.groupby("customer_id", observed=True)["amount"].mean()
    mean.index = mean.index.astype(str)
    ids = pd.Index(segments["customer_id"].astype(str).unique())
    return (margin * mean.reindex(ids)).dropna().rename("extra_order_value")


def retention_value_by_group(segments: pd.DataFrame, values: pd.Series, by: str = "segment") -> dict[str, float]:
    """Mean of a per-customer value (e.g. :func:`extra_order_value`) per campaign group, plus ``"all"``; a group
    without any valued customer is left out."""
    v = segments["customer_id"].astype(str).map(values)
    out = {str(g): float(x) for g, x in v.groupby(segments[by]).mean().items() if np.isfinite(x)}
    if v.notna().any():
        out["all"] = float(v.mean())
    return out
