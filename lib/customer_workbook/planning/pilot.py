"""Start small with the most valuable: the most valuable product line (MVP), service (MVS) and audience
(MVA), and the size of the pilot test that checks the offer.

Customer-level durations are in days (``follow_days``, ``outcome_days``); the pilot's enrolment and
duration are in weeks (Monday-start weeks of :mod:`customer_workbook.base.calendar`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..arrays import group_min
from ..base import week_start
from ..retention.features import DAY, SLOW_DELIVERY_DAYS
from ..stats import SampleSize, minimum_detectable_effect, sample_size_two_proportions, two_proportion_uplift

__all__ = ["PilotDesign", "PilotPlan", "audience_members", "audience_table", "enrolment_curve", "feasible_pilot",
           "order_repeats",
           "pick_pilot", "pilot_plan",
           "product_value_table", "recent_repeat_rate", "sale_lines", "service_labels", "service_value_table", "weekly_reach"]

def _next_order_within(cust_codes: np.ndarray, days: np.ndarray, q_codes: np.ndarray, q_days: np.ndarray,
                       within: float) -> np.ndarray:
    """For each query (customer, day), whether that customer has an order in (day, day + within].

    ``cust_codes``/``days`` are all orders (any order); vectorised with one sorted key array.
    """
    span = float(max(days.max(), q_days.max()) + within + 10)
    keys = np.sort(cust_codes * span + days)
    q = q_codes * span + q_days
    pos = np.searchsorted(keys, q, side="right")
    nxt = keys[np.minimum(pos, len(keys) - 1)]
    return (pos < len(keys)) & (nxt > q) & (nxt <= q + within)


def _pct_rank(s: pd.Series) -> pd.Series:
    return s.rank(pct=True, method="average")


def sale_lines(transactions: pd.DataFrame, products: pd.DataFrame | None = None,
               by: str = "category") -> tuple[np.ndarray, pd.Categorical]:
    """The sale lines (``amount >= 0``, bool of shape (n,)) and the product line of each of them
    (categorical of the sale lines: the products' ``by`` attribute, or the product id with ``by=
    "product_id"`` or without ``products``; ``"unknown"`` for a product without one)."""
    sale = transactions["amount"].to_numpy() >= 0  # column by column: no copy of the whole table
    p_codes, p_ids = pd.factorize(transactions["product_id"][sale])
    labels = pd.Series(pd.Index(p_ids).astype("str"))
    if products is not None and by != "product_id" and by in products:
        attribute = products.drop_duplicates("product_id").set_index("product_id")[by].astype(str)
        labels = labels.map(attribute).fillna("unknown")
    line_codes, line_names = pd.factorize(np.append(labels.to_numpy(dtype=object), "unknown"))
    return sale, pd.Categorical.from_codes(line_codes[p_codes], categories=line_names)  # -1: no product -> unknown


def product_value_table(transactions: pd.DataFrame, orders: pd.DataFrame, products: pd.DataFrame | None = None,
                        by: str = "category", follow_days: int = 180, top: int | None = None) -> pd.DataFrame:
    """Most valuable product (MVP): rank product lines by revenue, retention and cross-sell.

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions with ``product_id``.
    orders : DataFrame
        The run's order table of sale lines (``base.derived(ds).sale_orders``): a repeat is a later order.
    products : DataFrame, optional
        Contract products; with it, ``by`` may be ``"category"`` or ``"tier"``; without it products are
        ranked individually.
    by : str
        Product attribute to group by (``"product_id"`` ranks single products).
    follow_days : int
        Days after a customer's first purchase of the line in which a repeat order (retention) and a
        first purchase in another line (cross-sell) are counted. Only first purchases at least this
        many days before the end of the data count.

    Returns
    -------
    DataFrame, sorted by ``score`` (best first)
        ``product`` (line), ``revenue``, ``revenue_share``, ``buyers``, ``repeat_rate`` (share of new
        buyers of the line who ordered again within ``follow_days``), ``cross_sell_rate`` (share who
        went on to buy another line within ``follow_days``), ``score`` (mean of the three percentile
        ranks, 0-1), ``followed`` (new buyers followed for ``follow_days``: the denominator of both rates).
    """
    sale, line = sale_lines(transactions, products, by)
    end = transactions["date"].max()
    ccode, cust = pd.factorize(transactions["customer_id"][sale])
    cust = pd.Index(cust)
    day0 = transactions["date"].min()
    days = (transactions["date"].to_numpy()[sale] - day0.to_datetime64()) / DAY
    revenue = pd.Series(transactions["amount"].to_numpy()[sale]).groupby(line, observed=True).sum()
    k = len(line.categories)  # first purchase day of each (customer, line) pair that occurs, by customer
    first_day = group_min(ccode.astype(np.int64) * k + line.codes, days, len(cust) * k)
    pair = np.flatnonzero(~np.isnan(first_day))
    firsts = pd.DataFrame({"c": pair // k, "line": pd.Categorical.from_codes(pair % k, categories=line.categories),
                           "d": first_day[pair]})
    buyers = firsts.groupby("line", observed=True).size()
    oc = cust.get_indexer(orders["customer_id"])
    od = ((orders["date"] - day0) / DAY).to_numpy()
    okc = oc >= 0
    eligible = firsts[firsts["d"] <= (end - day0) / DAY - follow_days].copy()
    eligible["repeat"] = _next_order_within(oc[okc], od[okc], eligible["c"].to_numpy(), eligible["d"].to_numpy(),
                                            follow_days)
    # cross-sell: another line first bought in (d, d + follow_days]
    all_first = firsts.sort_values(["c", "d"])
    span = float(firsts["d"].max() + follow_days + 10)
    keys = np.sort(all_first["c"].to_numpy() * span + all_first["d"].to_numpy())
    q = eligible["c"].to_numpy() * span + eligible["d"].to_numpy()
    eligible["cross"] = (np.searchsorted(keys, q + follow_days, side="right") - np.searchsorted(keys, q, side="right")) > 0
    rates = eligible.groupby("line", observed=True).agg(repeat_rate=("repeat", "mean"), cross_sell_rate=("cross", "mean"),
                                                        followed=("repeat", "size"))
    out = pd.DataFrame({"revenue": revenue, "buyers": buyers}).join(rates)
    out.index = out.index.astype("str")
    out["revenue_share"] = out["revenue"] / out["revenue"].sum()
    out = out[out["buyers"] >= 20] if (out["buyers"] >= 20).sum() >= 3 else out
    out["score"] = (_pct_rank(out["revenue"]) + _pct_rank(out["repeat_rate"]) + _pct_rank(out["cross_sell_rate"])) / 3
    out = out.sort_values("score", ascending=False).rename_axis("product").reset_index()
    out["followed"] = out["followed"].fillna(0).astype(int)
    out = out[["product", "revenue", "revenue_share", "buyers", "repeat_rate", "cross_sell_rate", "score", "followed"]]
    return out.head(top) if top else out


def order_repeats(orders: pd.DataFrame, data_end, follow_days: int = 90) -> np.ndarray:
    """Per order (shape (n,)): 1.0 when the customer ordered again within ``follow_days`` days, 0.0 when
    not, NaN for orders less than ``follow_days`` before ``data_end`` (not followed long enough)."""
    day0 = orders["date"].min()
    d = ((orders["date"] - day0) / DAY).to_numpy()
    codes = pd.factorize(orders["customer_id"])[0]
    end = (pd.Timestamp(data_end) - day0) / DAY
    follow = d <= end - follow_days
    return np.where(follow, _next_order_within(codes, d, codes, d, follow_days), np.nan)


def service_labels(orders: pd.DataFrame) -> list[tuple[str, pd.Categorical]]:
    """The services of each order: ``(dimension, label per order)`` for the sales channel (``channel``) and,
    for delivered orders, the delivery speed (fast <= 2 days, standard, slow > :data:`SLOW_DELIVERY_DAYS`);
    a missing label means the order is not that kind of service."""
    dims = []
    if "channel" in orders:
        dims.append(("sales channel", pd.Categorical(orders["channel"])))
    if "delivery_days" in orders:
        dd = orders["delivery_days"].to_numpy(dtype="float64")
        speed = np.select([np.isnan(dd) | (dd <= 0), dd <= 2, dd > SLOW_DELIVERY_DAYS], [-1, 0, 2], default=1)
        dims.append(("delivery speed", pd.Categorical.from_codes(speed, categories=[
            "fast (<= 2 days)", "standard (3-6 days)", f"slow (> {SLOW_DELIVERY_DAYS:g} days)"])))
    return dims


def service_value_table(orders: pd.DataFrame, data_end, follow_days: int = 90) -> pd.DataFrame:
    """Most valuable service (MVS): sales channels and delivery speeds by value and repeat business.

    ``orders`` is the run's order table of sale lines (``base.derived(ds).sale_orders``: what customers
    bought, before returns; it is not modified) and ``data_end`` the date of the last transaction: only
    orders at least ``follow_days`` before it are followed.

    Each order is followed for ``follow_days``: did the customer order again? Services are the sales
    channels (``channel``) and, for delivered orders, the delivery speed (fast <= 2 days, standard,
    slow > :data:`SLOW_DELIVERY_DAYS`).

    Returns
    -------
    DataFrame, sorted within each ``dimension`` by ``score``
        ``dimension`` (sales channel / delivery speed), ``service``, ``orders``, ``order_share``,
        ``revenue``, ``mean_order_value``, ``repeat_rate`` (share of orders followed by another order
        within ``follow_days``), ``score`` (mean percentile rank of revenue and repeat rate within the
        dimension).
    """
    orders = orders.assign(repeat=order_repeats(orders, data_end, follow_days))
    rows = []
    for dim, label in service_labels(orders):
        t = orders.groupby(pd.Series(label, name="service"), observed=True).agg(
            orders=("order_id", "size"), revenue=("amount", "sum"), repeat_rate=("repeat", "mean"),
            followed=("repeat", "count"))
        t.index = t.index.astype("str").rename("service")
        t["order_share"] = t["orders"] / t["orders"].sum()
        t["mean_order_value"] = t["revenue"] / t["orders"]
        t["score"] = (_pct_rank(t["revenue"]) + _pct_rank(t["repeat_rate"])) / 2
        t.insert(0, "dimension", dim)
        rows.append(t.sort_values("score", ascending=False).reset_index())
    cols = ["dimension", "service", "orders", "order_share", "revenue", "mean_order_value", "repeat_rate", "score",
            "followed"]
    return pd.concat(rows, ignore_index=True)[cols] if rows else pd.DataFrame(columns=cols)


def audience_table(value: pd.DataFrame, personas: pd.Series, segment: pd.Series | None = None,
                   churn_p: pd.Series | None = None, campaigns: pd.DataFrame | None = None, min_size: int = 30,
                   extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """Most valuable audience (MVA): segment x persona cells by expected value and responsiveness.

    Parameters
    ----------
    value : DataFrame
        The scorer's table (:func:`customer_workbook.clv.score_customers` ``.table``: ``clv_1y``, ``p_alive``),
        indexed by customer.
    personas : Series
        Persona name per customer (``Personas.assignment`` of :func:`customer_workbook.segments.find_personas`);
        customers without one are put in the persona ``"unassigned"``.
    segment : Series, optional
        Segment per customer (e.g. acquisition channel); ``None`` puts everyone in segment ``"all"``.
    churn_p : Series, optional
        Predicted churn probability per customer (adds ``churn_risk``).
    campaigns : DataFrame, optional
        Contract campaigns (randomised): adds ``uplift`` (treated minus control outcome rate) and its
        standard error ``uplift_se`` per cell: how the audience responded to an offer.
    min_size : int
        Cells with fewer customers are kept but not ranked (``ranked`` False).
    extra : DataFrame, optional
        Per-customer columns to average per cell (e.g. ``discount_line_share``).

    Returns
    -------
    DataFrame, sorted by ``value_per_customer``
        ``segment``, ``persona``, ``customers``, ``value_per_customer`` (mean 12-month CLV),
        ``total_value``, ``p_alive``, ``value_sd`` (standard deviation of the CLV in the cell), optional ``churn_risk``, ``uplift``, ``uplift_se``, extra columns,
        ``ranked``, ``rank``.
    """
    frame = pd.DataFrame({"clv": value["clv_1y"], "p_alive": value["p_alive"]})
    frame["persona"] = personas.reindex(frame.index).fillna("unassigned").astype(str)
    frame["segment"] = segment.reindex(frame.index).fillna("unknown").astype(str) if segment is not None else "all"
    agg = {"customers": ("clv", "size"), "value_per_customer": ("clv", "mean"), "total_value": ("clv", "sum"),
           "p_alive": ("p_alive", "mean"), "value_sd": ("clv", "std")}
    if churn_p is not None:
        frame["churn_risk"] = churn_p.reindex(frame.index)
        agg["churn_risk"] = ("churn_risk", "mean")
    if extra is not None:
        for c in extra.columns:
            frame[c] = extra[c].reindex(frame.index)
            agg[c] = (c, "mean")
    out = frame.groupby(["segment", "persona"]).agg(**agg).reset_index()
    if campaigns is not None and len(campaigns):
        cp = campaigns.assign(treated=campaigns["treated"].astype(bool)).merge(
            frame[["segment", "persona"]], left_on="customer_id", right_index=True)
        cells = []  # one row per audience cell (tens of cells, not customers)
        for (seg, persona), cell in cp.groupby(["segment", "persona"], sort=False):
            measured = two_proportion_uplift(cell["outcome"], cell["treated"])
            cells.append({"segment": seg, "persona": persona, "uplift": measured.uplift, "uplift_se": measured.se,
                          "campaign_n": len(cell)})
        if cells:
            out = out.merge(pd.DataFrame(cells), on=["segment", "persona"], how="left")
    out["ranked"] = out["customers"] >= min_size
    out = out.sort_values(["ranked", "value_per_customer"], ascending=[False, False]).reset_index(drop=True)
    out["rank"] = np.where(out["ranked"], np.arange(1, len(out) + 1), np.nan)
    return out


def pick_pilot(audiences: pd.DataFrame, min_size: int = 30) -> pd.Series:
    """The pilot audience: the ranked cell with the highest value per customer and at least ``min_size``
    customers (the rule of *start small with the most valuable*)."""
    ok = audiences[audiences["customers"] >= min_size]
    if ok.empty:
        raise ValueError(f"No audience has {min_size} customers or more.")
    return ok.sort_values("value_per_customer", ascending=False).iloc[0]


def audience_members(personas: pd.Series, segment: pd.Series | None, persona: str, segment_value: str | None,
                     customers: pd.Index) -> pd.Index:
    """The customers of ``customers`` in one audience cell: persona ``persona`` and, when ``segment`` is
    given, segment ``segment_value`` (``personas``, ``segment``: one value per customer id)."""
    inside = (personas.reindex(customers) == persona).to_numpy()
    if segment is not None:
        inside = inside & (segment.reindex(customers) == segment_value).to_numpy()
    return customers[inside]


def weekly_reach(transactions: pd.DataFrame, members: pd.Index, lookback_days: int = 364) -> float:
    """Distinct ``members`` with a transaction line in a typical week of the last ``lookback_days`` days.

    The mean, over the Monday-start weeks (:func:`customer_workbook.base.week_start`) in which any member
    has a line, of the number of distinct members with a line that week: how many of them the pilot can
    reach (enrol) a week. NaN when no member has a line in the period.
    """
    tx = transactions
    since = tx["date"].max() - pd.Timedelta(days=lookback_days)
    recent = tx[(tx["date"] >= since) & tx["customer_id"].isin(members)]
    return float(recent.groupby(week_start(recent["date"]))["customer_id"].nunique().mean())


def enrolment_curve(transactions: pd.DataFrame, members: pd.Index, lookback_days: int = 364) -> np.ndarray:
    """Distinct ``members`` with a transaction line by the end of each 7-day week of the last ``lookback_days``
    days, shape (ceil(lookback_days / 7),), non-decreasing: how many of them a pilot that enrols customers when
    they order would hold after each week (each customer counted at their first line in the period, so repeat
    orderers count once). The weeks are counted from the start of the period (``data end - lookback_days``).
    """
    tx = transactions
    since = tx["date"].max() - pd.Timedelta(days=lookback_days)
    recent = tx[(tx["date"] >= since) & tx["customer_id"].isin(members)]
    first = recent.groupby("customer_id", observed=True)["date"].min()
    n_weeks = int(np.ceil(lookback_days / 7))
    week = np.minimum(((first - since).dt.days.to_numpy() // 7).astype(int), n_weeks - 1)
    return np.cumsum(np.bincount(week, minlength=n_weeks)).astype(float)


def enrol_weeks(needed: int, reach) -> float:
    """Weeks until ``needed`` distinct customers are enrolled: with ``reach`` a number, that many new customers a
    week (``ceil(needed / reach)``); with ``reach`` an :func:`enrolment_curve`, the first week whose cumulative
    count reaches ``needed``, inf when the curve never does."""
    curve = np.atleast_1d(np.asarray(reach, dtype=float))
    if curve.size == 1 and np.ndim(reach) == 0:
        return float(np.ceil(needed / max(float(reach), 1e-9)))
    hit = np.flatnonzero(curve >= needed)
    return float(hit[0] + 1) if hit.size else float("inf")


def recent_repeat_rate(transactions: pd.DataFrame, members: pd.Index, days: int) -> float:
    """Observed repeat rate of an audience: the share of ``members`` (customer ids, every one a past buyer)
    with a positive-value line in the last ``days`` days of the data (0-1; NaN without members).

    The pilot's baseline when no churn model predicts it: how many of them ordered in a window as long as
    the pilot's outcome window.
    """
    tx = transactions
    since = tx["date"].max() - pd.Timedelta(days=days)
    recent = tx[(tx["date"] > since) & (tx["amount"] > 0) & tx["customer_id"].isin(members)]
    return float(recent["customer_id"].nunique() / len(members)) if len(members) else float("nan")


@dataclass(frozen=True)
class PilotPlan:
    """Size and duration of a pilot test (:func:`pilot_plan`).

    ``size`` is the :class:`~customer_workbook.stats.SampleSize` of the test; ``p_control`` (outcome rate
    without the offer, 0-1), ``mde`` (absolute lift to detect), ``alpha``, ``power`` are its inputs;
    ``audience_size`` (customers), ``weekly_reach`` (distinct customers enrolled in the first week),
    ``enrol_weeks`` (weeks until the test's customers, or the whole audience when it is smaller, have been
    enrolled as distinct customers; inf when not within ``reach_weeks``), ``duration_weeks`` (enrolment plus
    the outcome window; inf likewise), ``feasible`` (the audience holds enough customers),
    ``mde_with_whole_audience`` (the smallest lift the whole audience could detect; NaN when none could),
    ``reachable`` (distinct audience customers enrolled within ``reach_weeks`` weeks) and ``reach_weeks``
    (the span of the enrolment curve; 0 for a constant weekly reach, when ``reachable`` is the audience).
    """

    size: SampleSize
    p_control: float
    mde: float
    alpha: float
    power: float
    audience_size: int
    weekly_reach: float
    enrol_weeks: float
    duration_weeks: float
    feasible: bool
    mde_with_whole_audience: float
    reachable: float = float("nan")
    reach_weeks: int = 0

    @property
    def enrolled_in_time(self) -> bool:
        """True when the test's customers are enrolled within the enrolment curve (finite ``enrol_weeks``)."""
        return bool(np.isfinite(self.enrol_weeks))

    @property
    def n_per_arm(self) -> int:
        """Customers per arm (control size, rounded up)."""
        return self.size.n_control_ceil

    @property
    def total(self) -> int:
        """Customers in both arms."""
        return self.size.total


def pilot_plan(audience_size: int, weekly_reach: float, p_control: float, mde: float, outcome_days: int,
               alpha: float = 0.05, power: float = 0.8) -> PilotPlan:
    """Size and duration of the pilot test in one audience.

    Customers enter the test when they can be reached, e.g. when they place an order, and are followed for
    ``outcome_days`` days, counted as whole weeks. ``weekly_reach`` is either an :func:`enrolment_curve`
    (distinct audience customers reached by the end of each week: a customer who orders every week is
    enrolled once) or a number of new distinct customers a week. Enrolment lasts until the test's customers
    (at most the audience) are enrolled (:func:`enrol_weeks`; inf when the curve never gets there). The size
    comes from :func:`customer_workbook.stats.sample_size_two_proportions`.
    """
    size = sample_size_two_proportions(p_control, mde, alpha, power)
    enrol = enrol_weeks(min(size.total, audience_size), weekly_reach)
    curve = np.atleast_1d(np.asarray(weekly_reach, dtype=float))
    scalar = np.ndim(weekly_reach) == 0
    return PilotPlan(size, p_control, mde, alpha, power, int(audience_size), float(curve[0]), enrol,
                     enrol + float(np.ceil(outcome_days / 7)), bool(size.total <= audience_size),
                     minimum_detectable_effect(p_control, audience_size // 2, alpha, power),  # whole customers per arm
                     float(audience_size) if scalar else float(curve[-1]), 0 if scalar else int(curve.size))


@dataclass(frozen=True)
class PilotDesign:
    """The pilot the plan runs (:func:`feasible_pilot`): never larger than its audience, and enrolled in time.

    ``plan``: the :class:`PilotPlan` run (``None`` when no design fits); ``requested``: the plan as asked
    for (the lift ``mde`` in the first audience); ``choice``: ``"as planned"`` (the first audience holds
    the requested test and enrols it in time), ``"wider audience"`` (the first ``audiences_used`` candidate
    audiences together hold and enrol it), ``"larger lift"`` (the customers of the first audience who enrol in
    time, split in two arms, sized for the smallest lift they can detect: ``plan.mde``) or ``"none"`` (not
    even they can detect a lift); ``audiences_used``: how many candidate audiences the pilot draws on (1 unless
    widened).
    """

    plan: PilotPlan | None
    requested: PilotPlan
    choice: str
    audiences_used: int

    @property
    def changed(self) -> bool:
        """True when the plan does not run the requested test."""
        return self.choice != "as planned"

    @property
    def enrolling(self) -> int:
        """Customers of the first audience who enrol within the enrolment curve (all of them with a constant
        weekly reach): the most a pilot there can hold in the time available."""
        ask = self.requested
        return int(min(ask.audience_size, ask.reachable)) if ask.reachable == ask.reachable else ask.audience_size


def _runs(plan: PilotPlan) -> bool:
    """The plan's audience holds its customers and enrols them within the enrolment curve."""
    return plan.feasible and plan.enrolled_in_time


def feasible_pilot(audiences: list[tuple[int, float, float]], mde: float, outcome_days: int,
                   alpha: float = 0.05, power: float = 0.8) -> PilotDesign:
    """A pilot that its audience can hold and enrol in the time available.

    ``audiences`` are the candidate audiences, narrowest first, each ``(customers, weekly reach,
    baseline rate)``, the reach a number or an :func:`enrolment_curve` (:func:`pilot_plan`): the first is the pilot
    audience and each next one widens it (the first plus the next cells, highest value first). The requested
    test (lift ``mde``) runs in the first audience when it holds enough customers and enrols them within the
    curve (a year of orders); else in the narrowest wider one that does; else it runs on the customers of the
    first audience who enrol in time (:attr:`PilotDesign.enrolling`), sized for the smallest lift they can
    detect (:func:`customer_workbook.stats.minimum_detectable_effect`). A design that cannot enrol is never
    returned: every customer enters once, when they order, and the last year's orders are all the evidence of
    who will.
    """
    first = audiences[0]
    requested = pilot_plan(first[0], first[1], first[2], mde, outcome_days, alpha, power)
    if _runs(requested):
        return PilotDesign(requested, requested, "as planned", 1)
    for used, (size, reach, base) in enumerate(audiences[1:], start=2):
        wider = pilot_plan(size, reach, base, mde, outcome_days, alpha, power)
        if _runs(wider):
            return PilotDesign(wider, requested, "wider audience", used)
    enrolling = PilotDesign(None, requested, "none", 1).enrolling
    lift = minimum_detectable_effect(first[2], enrolling // 2, alpha, power)  # whole customers per arm
    if not lift == lift:  # NaN: no lift the customers who enrol could detect
        return PilotDesign(None, requested, "none", 1)
    at_size = pilot_plan(first[0], first[1], first[2], float(np.ceil(lift * 1000) / 1000), outcome_days, alpha,
                         power)
    return PilotDesign(at_size if _runs(at_size) else None, requested, "larger lift" if _runs(at_size) else "none", 1)
