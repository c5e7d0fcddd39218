"""Step 1 of the method: understand customer behaviour and why customers choose us (notebook 01).

Every function here is vectorised (no per-customer Python loops) and seeded where it draws random
numbers. The notebook calls them in this order:

1. **Who the customers are** - :func:`customer_features` (one pass over the order lines),
   :func:`rfm_scores` (tie-robust quantile scores), :func:`rfm_segments`, :func:`segment_summary`,
   :func:`cohort_retention` (incomplete recent cells masked) and :func:`cohort_summary`.
2. **Reasons to choose** - :func:`latest_answers`, :func:`dominance_weights` and
   :func:`driver_importance` (general dominance with bootstrap intervals, robust to correlated
   drivers), :func:`reason_evidence` (behaviour that shows a reason), :func:`delivery_repeat_curve`
   (fast brand), :func:`product_adoption` + :func:`fit_bass` + :func:`bandwagon_evidence`.
3. **Personas** - found by :func:`customer_workbook.segments.find_personas` (the one engine);
   :func:`persona_profiles` (problem, pain points, demographics, goals, dominant reasons).
4. **Lifecycle** - :func:`lifecycle_stages`, P(alive) from the one scorer
   (:func:`customer_workbook.clv.score_customers`),
   :func:`health_score`, :func:`health_backtest` and :func:`multi_category_retention`.
5. **Advocacy** - :func:`engagement_rates`, :func:`advocacy_tiers`, :func:`advocacy_overlap`.
6. **NPS** - :func:`nps`, :func:`nps_by_group` (analytic intervals, Holm-adjusted tests vs the rest).
7. **4C to 4P** - :func:`four_c_to_four_p`.

Dates are ``datetime64``; money is in the data's currency units; shares are fractions 0-1.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .arrays import first_occurrences, sorted_unique
from .clv.scoring import score_customers
from .contract import REASONS, SATISFACTION_ITEMS
from .stats import holm, wilson_interval

# --------------------------------------------------------------------------- 1. who the customers are

#: Named RFM segments, from best to worst, used as the categories of :func:`rfm_segments`.
SEGMENTS: tuple[str, ...] = ("Champions", "Loyal", "Potential loyalists", "Promising", "New customers",
                             "Need attention", "About to sleep", "At risk", "Can't lose them",
                             "Hibernating", "Lost")

#: Segment of each (R score, FM score) cell of the 5 x 5 RFM grid. Rows: R = 1..5, columns: FM = 1..5.
SEGMENT_GRID: tuple[tuple[str, ...], ...] = (
    ("Lost", "Lost", "At risk", "At risk", "Can't lose them"),                                      # R = 1
    ("Hibernating", "Hibernating", "At risk", "At risk", "At risk"),                               # R = 2
    ("About to sleep", "About to sleep", "Need attention", "Loyal", "Loyal"),                      # R = 3
    ("Promising", "Potential loyalists", "Potential loyalists", "Loyal", "Champions"),            # R = 4
    ("New customers", "Potential loyalists", "Potential loyalists", "Champions", "Champions"),    # R = 5
)

#: What each segment means and what to do with it (shown in the notebook's segment table).
SEGMENT_ACTIONS: dict[str, str] = {
    "Champions": "bought recently, often and much: recognise and involve them",
    "Loyal": "buy often and much, a little less recently: keep them close, cross-sell",
    "Potential loyalists": "recent, middling frequency and spend: build the habit",
    "Promising": "recent, low frequency and spend: help them get value",
    "New customers": "bought very recently for the first time(s): onboard them",
    "Need attention": "middling on everything: a timely, relevant offer",
    "About to sleep": "slipping, low value: cheap reactivation",
    "At risk": "used to buy well, not lately: win them back personally",
    "Can't lose them": "were among the best, gone quiet: close the back door now",
    "Hibernating": "long gone, low value: low-cost reminders only",
    "Lost": "longest gone, lowest value: do not spend on them",
}


def customer_features(transactions: pd.DataFrame, products: pd.DataFrame | None = None,
                      customers: pd.DataFrame | None = None, as_of=None,
                      new_product_days: int = 365) -> pd.DataFrame:
    """One row per customer with every behaviour measure the step-1 analyses use (one pass over lines).

    Parameters
    ----------
    transactions
        Contract order lines (``customer_id``, ``date``, ``amount``, ``order_id``; optional
        ``product_id``, ``channel``, ``discount``, ``delivery_days``). Negative amounts are returns.
    products
        Optional contract products (``product_id``, ``category``, ``tier``, ``launch_date``, ``exclusive``).
    customers
        Optional contract customers; ``age``, ``income_band``, ``region``, ``gender``,
        ``acquisition_channel`` and ``signup_date`` are copied when present.
    as_of
        Date the recency is measured at (default: the last transaction date). Lines after it are ignored.
    new_product_days
        A line counts as a new-product purchase when bought within this many days of the launch.

    Returns
    -------
    DataFrame, shape (n_customers, n_features)
        Index ``customer_id``. Always: ``first_order``, ``last_order`` (dates), ``orders`` (count of
        orders with a positive line), ``purchase_days`` (distinct days with a positive line), ``lines``,
        ``revenue`` (net, currency units), ``recency_days``, ``tenure_days`` (first order to ``as_of``),
        ``aov`` (net revenue per order), ``lines_per_order``, ``return_share`` (share of lines that are
        returns). When the columns exist: ``share_<channel>``, ``discount_share`` (share of positive
        lines bought on a discount), ``mean_discount``, ``fast_delivery_share`` (online lines delivered
        within 2 days), ``slow_delivery_share`` (lines taking more than 6 days); with products:
        ``n_categories``, ``cat_<category>`` (share of positive lines), ``premium_share`` (premium or
        special-service tiers), ``new_product_share``, ``exclusive_share``; with customers: the
        attribute columns and ``income_level`` (0 low, 1 middle, 2 high).
    """
    tx = transactions
    end = pd.Timestamp(as_of) if as_of is not None else tx["date"].max()
    if as_of is not None:
        tx = tx[tx["date"] <= end + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)]
    codes, ids = pd.factorize(tx["customer_id"], sort=True)
    n = len(ids)
    amount = tx["amount"].to_numpy(dtype=float)
    pos = amount > 0
    cpos = codes[pos]
    n_pos = np.bincount(cpos, minlength=n).astype(float)
    safe_pos = np.where(n_pos > 0, n_pos, np.nan)
    dates = tx["date"].to_numpy()
    order_codes = pd.factorize(tx["order_id"][pos])[0]
    orders = np.bincount(cpos[first_occurrences(order_codes)], minlength=n).astype(float)  # an order: one customer
    day = dates.astype("datetime64[D]").astype(np.int64)
    day_key = sorted_unique(cpos.astype(np.int64) * 1_000_000 + (day[pos] - day.min()))
    frame = pd.DataFrame(index=pd.Index(ids, name="customer_id"))
    by = pd.Series(dates[pos]).groupby(cpos)
    frame["first_order"] = by.min().reindex(range(n)).to_numpy()
    frame["last_order"] = by.max().reindex(range(n)).to_numpy()
    frame["orders"] = orders
    frame["purchase_days"] = np.bincount(day_key // 1_000_000, minlength=n).astype(float)
    frame["lines"] = n_pos
    frame["revenue"] = np.bincount(codes, weights=amount, minlength=n)
    frame["recency_days"] = (end.normalize() - frame["last_order"].dt.normalize()).dt.days.astype(float)
    frame["tenure_days"] = (end.normalize() - frame["first_order"].dt.normalize()).dt.days.astype(float)
    frame["aov"] = frame["revenue"] / frame["orders"].where(frame["orders"] > 0)
    frame["lines_per_order"] = frame["lines"] / frame["orders"].where(frame["orders"] > 0)
    frame["return_share"] = np.bincount(codes, weights=(amount < 0).astype(float), minlength=n) / np.bincount(codes, minlength=n)

    def share(mask: np.ndarray, within: np.ndarray | None = None) -> np.ndarray:
        base = pos if within is None else pos & within
        denom = np.bincount(codes[base], minlength=n).astype(float)
        return np.bincount(codes[base & mask], minlength=n) / np.where(denom > 0, denom, np.nan)

    online = np.ones(len(tx), dtype=bool)
    if "channel" in tx:
        ch_codes, ch_names = pd.factorize(tx["channel"], sort=True)   # integer codes: fast comparisons
        ch_names = [str(name) for name in ch_names]
        for j, name in enumerate(ch_names):
            if (ch_codes[pos] == j).any():
                frame[f"share_{name}"] = share(ch_codes == j)
        if "store" in ch_names:
            online = ch_codes != list(ch_names).index("store")
    if "discount" in tx:
        disc = tx["discount"].to_numpy(dtype=float)
        frame["discount_share"] = share(np.nan_to_num(disc) > 0)
        frame["mean_discount"] = np.bincount(cpos, weights=np.nan_to_num(disc[pos]), minlength=n) / safe_pos
    if "delivery_days" in tx:
        dd = tx["delivery_days"].to_numpy(dtype=float)
        frame["fast_delivery_share"] = share(dd <= 2, within=online & ~np.isnan(dd))
        frame["slow_delivery_share"] = share(dd > 6, within=~np.isnan(dd))
    if products is not None and "product_id" in tx:
        prod = products.drop_duplicates("product_id").set_index("product_id")
        row = prod.index.get_indexer(tx["product_id"])          # product row of each line, -1 if unknown
        known = row >= 0
        safe_row = np.where(known, row, 0)

        def attribute(values: np.ndarray, fill):
            return np.where(known, values[safe_row], fill)

        if "category" in prod:
            p_codes, cat_names = pd.factorize(prod["category"].astype(str), sort=True)
            cat = attribute(p_codes, -1)
            ok = pos & (cat >= 0)
            pairs = sorted_unique(codes[ok].astype(np.int64) * 1024 + cat[ok])
            frame["n_categories"] = np.bincount(pairs // 1024, minlength=n).astype(float)
            for j, name in enumerate(cat_names):
                frame[f"cat_{name}"] = share(cat == j)
        if "tier" in prod:
            premium = prod["tier"].astype(str).isin(["premium", "special_service"]).to_numpy()
            frame["premium_share"] = share(attribute(premium, False).astype(bool))
        if "launch_date" in prod:
            launch = attribute(pd.to_datetime(prod["launch_date"]).to_numpy(), np.datetime64("NaT"))
            age_days = (dates - launch) / np.timedelta64(1, "D")
            frame["new_product_share"] = share((age_days >= 0) & (age_days <= new_product_days))
        if "exclusive" in prod:
            excl = prod["exclusive"].astype("boolean").fillna(False).to_numpy(dtype=bool)
            frame["exclusive_share"] = share(attribute(excl, False).astype(bool))
    if customers is not None:
        cust = customers.set_index("customer_id").reindex(frame.index)
        for col in ("age", "gender", "income_band", "region", "acquisition_channel", "signup_date"):
            if col in cust:
                frame[col] = cust[col].to_numpy()
        if "income_band" in cust:
            frame["income_level"] = cust["income_band"].astype(str).map({"low": 0.0, "middle": 1.0, "high": 2.0}).to_numpy()
    frame.attrs["as_of"] = end
    return frame


def tie_robust_scores(values, n_bins: int = 5, higher_is_better: bool = True) -> np.ndarray:
    """Quantile scores 1..``n_bins`` that give tied values the same score and never drop a bin silently.

    Each value gets ``1 + floor(n_bins * (rank - 1) / n)``, where ``rank`` is its *lowest* 1-based rank
    among equal values (``method="min"``). So every tie group lands wholly in one score, scores stay in
    1..``n_bins``, and when one value covers several quantiles (e.g. 40% of customers with one order)
    the scores it skips are simply unused; :func:`rfm_scores` reports which ones were used.

    Parameters
    ----------
    values : array_like, shape (n,)
        Numbers to score; NaN gets score 0 (unknown).
    n_bins : int
        Number of scores (quantile bins).
    higher_is_better : bool
        When False (recency in days), lower values get higher scores.

    Returns
    -------
    ndarray of int, shape (n,)
    """
    x = pd.Series(np.asarray(values, dtype=float))
    if not higher_is_better:
        x = -x
    valid = x.notna()
    m = int(valid.sum())
    out = np.zeros(len(x), dtype=int)
    if m:
        rank = x[valid].rank(method="min").to_numpy()
        out[valid.to_numpy()] = 1 + np.floor(n_bins * (rank - 1) / m).astype(int)
    return out


def rfm_scores(features: pd.DataFrame, n_bins: int = 5) -> pd.DataFrame:
    """Recency, frequency and monetary scores (1 = worst, ``n_bins`` = best), robust to ties.

    Parameters
    ----------
    features
        From :func:`customer_features` (uses ``recency_days``, ``orders``, ``revenue``).
    n_bins
        Number of score levels per dimension.

    Returns
    -------
    DataFrame, shape (n_customers, 4)
        ``R``, ``F``, ``M`` (int) and ``FM`` (rounded mean of F and M, half up). ``attrs["scores_used"]``
        maps each of R, F, M to the scores that occur, so a collapsed bin is visible, not silent.
    """
    scores = pd.DataFrame({
        "R": tie_robust_scores(features["recency_days"], n_bins, higher_is_better=False),
        "F": tie_robust_scores(features["orders"], n_bins),
        "M": tie_robust_scores(features["revenue"], n_bins),
    }, index=features.index)
    scores["FM"] = (scores["F"] + scores["M"] + 1) // 2
    scores.attrs["scores_used"] = {c: sorted(int(v) for v in pd.unique(scores[c])) for c in ("R", "F", "M")}
    scores.attrs["n_bins"] = n_bins
    return scores


def rfm_segments(scores: pd.DataFrame) -> pd.Series:
    """Named segment of each customer from its R and FM scores (see :data:`SEGMENT_GRID`, 5 levels).

    Returns a categorical Series (categories :data:`SEGMENTS`, best first) indexed like ``scores``.
    """
    n_bins = scores.attrs.get("n_bins", 5)
    if n_bins != 5:
        r = np.clip(np.ceil(scores["R"].to_numpy() * 5 / n_bins), 1, 5).astype(int)
        fm = np.clip(np.ceil(scores["FM"].to_numpy() * 5 / n_bins), 1, 5).astype(int)
    else:
        r, fm = scores["R"].to_numpy().clip(1, 5), scores["FM"].to_numpy().clip(1, 5)
    grid = np.array(SEGMENT_GRID, dtype=object)
    return pd.Series(pd.Categorical(grid[r - 1, fm - 1], categories=SEGMENTS), index=scores.index, name="segment")


def segment_summary(segments: pd.Series, revenue: pd.Series) -> pd.DataFrame:
    """Customers and net revenue of every segment, empty segments included (zero rows, not dropped).

    Parameters
    ----------
    segments
        Categorical labels per customer (e.g. from :func:`rfm_segments`); every category is listed.
    revenue
        Net revenue per customer (currency units), same index.

    Returns
    -------
    DataFrame, one row per category
        ``segment``, ``customers``, ``customer_share``, ``revenue``, ``revenue_share``,
        ``revenue_per_customer`` (NaN for an empty segment) and ``what_it_means`` when known.
    """
    seg = segments if isinstance(segments.dtype, pd.CategoricalDtype) else segments.astype("category")
    revenue = revenue.reindex(seg.index).fillna(0.0)
    counts = seg.value_counts(sort=False).reindex(seg.cat.categories, fill_value=0)
    money = revenue.groupby(seg, observed=False).sum().reindex(seg.cat.categories, fill_value=0.0)
    total_rev = float(revenue.sum())
    out = pd.DataFrame({"segment": [str(c) for c in counts.index], "customers": counts.to_numpy(dtype=int),
                        "customer_share": counts.to_numpy() / max(int(counts.sum()), 1),
                        "revenue": money.to_numpy(dtype=float),
                        "revenue_share": money.to_numpy() / total_rev if total_rev else np.nan})
    out["revenue_per_customer"] = out["revenue"] / out["customers"].where(out["customers"] > 0)
    out["what_it_means"] = out["segment"].map(SEGMENT_ACTIONS).fillna("")
    return out


def _month_index(dates) -> np.ndarray:
    d = pd.DatetimeIndex(dates)
    return (d.year * 12 + d.month - 1).to_numpy()


def cohort_retention(transactions: pd.DataFrame, acquisition: pd.Series | None = None,
                     as_of=None) -> pd.DataFrame:
    """Share of each acquisition-month cohort that buys in each month since acquisition.

    Cells a cohort has not yet lived through completely are NaN (masked), not zero: the last month is
    complete only if the data reach its last day, and cohort c at month k is shown only when month
    c + k is complete. A customer counts as active in a month with at least one positive line.

    Parameters
    ----------
    transactions
        Contract order lines.
    acquisition
        Optional acquisition date per customer (Series indexed by ``customer_id``, e.g. the signup
        date). Only customers acquired on or after the first transaction month are kept, so cohorts
        are not mixed with customers acquired before the data start; customers acquired but never
        buying count in their cohort's size. Default: each customer's first purchase.
    as_of
        Last date of the data (default: the last transaction).

    Returns
    -------
    DataFrame, shape (n_cohorts, n_months)
        Index: cohort month (Timestamp, first day); columns 0, 1, ... months since acquisition; values
        0-1 or NaN. ``attrs["cohort_size"]`` is a Series of cohort sizes; ``attrs["last_complete_month"]``.
    """
    pos = transactions[transactions["amount"] > 0]
    end = pd.Timestamp(as_of) if as_of is not None else transactions["date"].max()
    last_complete = _month_index([end])[0] - (0 if (end + pd.Timedelta(days=1)).day == 1 else 1)
    first_month = _month_index([transactions["date"].min()])[0]
    buy_month = _month_index(pos["date"])
    if acquisition is None:
        acq = pos.groupby("customer_id", observed=True)["date"].min()
    else:
        acq = pd.to_datetime(acquisition).dropna()
        acq = acq[_month_index(acq) >= first_month]
    acq_month = pd.Series(_month_index(acq), index=acq.index)
    cohort_of_line = pos["customer_id"].map(acq_month)
    keep = cohort_of_line.notna().to_numpy()
    cohort = cohort_of_line.to_numpy()[keep].astype(int)
    k = buy_month[keep] - cohort
    cust = pd.factorize(pos["customer_id"])[0][keep]  # integer codes: a fast drop_duplicates
    ok = k >= 0
    active = pd.DataFrame({"cohort": cohort[ok], "k": k[ok], "c": cust[ok]}).drop_duplicates()
    counts = active.groupby(["cohort", "k"]).size().unstack(fill_value=0)
    size = acq_month.value_counts().sort_index()
    size = size[size.index <= last_complete]
    n_months = int(last_complete - size.index.min() + 1) if len(size) else 0
    table = counts.reindex(index=size.index, columns=range(n_months), fill_value=0).astype(float)
    table = table.div(size, axis=0)
    mask = (table.index.to_numpy()[:, None] + np.arange(n_months)[None, :]) > last_complete
    table = table.mask(mask)
    to_ts = lambda m: pd.Timestamp(year=int(m) // 12, month=int(m) % 12 + 1, day=1)  # noqa: E731
    table.index = pd.DatetimeIndex([to_ts(m) for m in table.index], name="cohort")
    table.columns.name = "months_since_acquisition"
    table.attrs["cohort_size"] = pd.Series(size.to_numpy(), index=table.index)
    table.attrs["last_complete_month"] = to_ts(last_complete)
    return table


def cohort_summary(retention: pd.DataFrame, months: Sequence[int] = (1, 3, 6, 12)) -> pd.DataFrame:
    """Size-weighted mean retention at selected months since acquisition, over cohorts that reached them.

    Returns a DataFrame with ``month``, ``retention`` (0-1, NaN when no cohort is old enough) and
    ``cohorts`` (how many cohorts contribute).
    """
    size = retention.attrs.get("cohort_size", pd.Series(1.0, index=retention.index)).astype(float)
    rows = []
    for m in months:
        col = retention[m] if m in retention.columns else pd.Series(np.nan, index=retention.index)
        ok = col.notna()
        w = size[ok]
        rows.append({"month": m, "retention": float((col[ok] * w).sum() / w.sum()) if w.sum() > 0 else np.nan,
                     "cohorts": int(ok.sum())})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- 2. reasons to choose

#: What each reason looks like as a customer goal (used by persona profiles).
REASON_GOALS: dict[str, str] = {
    "innovation": "be first with new, better things",
    "personalisation": "offers that fit me",
    "lack_of_alternatives": "a familiar shop nearby, no effort to compare",
    "sympathy": "buy from people I like",
    "marketing_packaging": "attractive, well-presented products",
    "unique_features": "own what others cannot get",
    "fast_brand": "get it quickly",
    "pricing": "pay less, get a deal",
    "social_proof": "choose what others rate well",
    "bandwagon": "buy what is popular",
}


def latest_answers(surveys: pd.DataFrame) -> pd.DataFrame:
    """Each respondent's most recent survey answer (one row per customer, index ``customer_id``)."""
    latest = surveys.sort_values(["customer_id", "date"], kind="stable").drop_duplicates("customer_id", keep="last")
    return latest.set_index("customer_id")


def _subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of every predictor subset from a (p+1, p+1) correlation matrix (outcome last); shape (2**p,)."""
    p = corr.shape[0] - 1
    rxx, rxy = corr[:p, :p], corr[:p, p]
    r2 = np.zeros(2 ** p)
    for size in range(1, p + 1):
        combos = np.array(list(itertools.combinations(range(p), size)))
        sub = rxx[combos[:, :, None], combos[:, None, :]]
        vec = rxy[combos]
        sol = np.linalg.solve(sub + 1e-10 * np.eye(size), vec[..., None])[..., 0]
        r2[(1 << combos).sum(axis=1)] = np.einsum("ij,ij->i", vec, sol)
    return r2


def dominance_weights(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """General dominance weights: each driver's average gain in R² over all subsets of the others.

    The weights are the Shapley decomposition of the full model's R² (they sum to it), so correlated
    drivers share the variance they explain together instead of one taking all and the other a
    negative coefficient (Budescu 1993; Azen & Budescu 2003).

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Driver scores (p <= 15: the method fits all 2**p subsets).
    y : ndarray, shape (n,)
        Outcome.

    Returns
    -------
    ndarray, shape (p,)
        Share of the outcome's variance attributed to each driver (R² units; sums to the full R²).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.shape[1] > 15:
        raise ValueError("dominance analysis fits 2**p models; use at most 15 drivers")
    return _dominance_from_corr(_weighted_corr(np.column_stack([X, y]), np.ones(len(y))))


def _weighted_corr(Z: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Correlation matrix of the columns of ``Z`` (n, k) with each row counted ``counts`` (n,) times.

    With bootstrap counts this equals the correlation of the resampled rows, without copying them.
    A constant column has no correlation: its entries are 0 (1 on the diagonal).
    """
    total = counts.sum()
    mean = counts @ Z / total
    cov = (Z * counts[:, None]).T @ Z / total - np.outer(mean, mean)
    var = np.diag(cov)
    sd = np.where(var > 1e-12 * (1.0 + mean ** 2), np.sqrt(np.clip(var, 0.0, None)), 0.0)  # rounding, not spread
    scale = np.outer(sd, sd)
    corr = np.divide(cov, scale, out=np.zeros_like(cov), where=scale > 0)
    np.fill_diagonal(corr, 1.0)
    return corr


def _dominance_from_corr(corr: np.ndarray) -> np.ndarray:
    """General dominance weights from a (p+1, p+1) correlation matrix (outcome last); shape (p,)."""
    p = corr.shape[0] - 1
    r2 = _subset_r2(corr)
    masks = np.arange(2 ** p)
    sizes = np.array([bin(m).count("1") for m in masks])
    weights = np.zeros(p)
    for i in range(p):
        without = masks[(masks >> i) & 1 == 0]
        k = sizes[without]
        w = 1.0 / (p * np.array([math.comb(p - 1, int(s)) for s in range(p)]))[k]
        weights[i] = np.sum(w * (r2[without | (1 << i)] - r2[without]))
    return weights


def driver_importance(drivers: pd.DataFrame, outcome: pd.Series, n_boot: int = 200, seed: int = 0,
                      level: float = 0.90) -> pd.DataFrame:
    """Relative importance of correlated drivers by dominance analysis, with bootstrap intervals.

    Parameters
    ----------
    drivers
        One column per driver (e.g. the ten ``why_*`` agreement items, 1-5), one row per respondent.
    outcome
        Outcome per respondent (e.g. NPS answer 0-10, or a loyalty score), same index.
    n_boot
        Bootstrap resamples of respondents for the intervals (0: none).
    seed
        Random seed of the bootstrap.
    level
        Coverage of the percentile intervals.

    Returns
    -------
    DataFrame, one row per driver, sorted by importance
        ``driver``, ``importance`` (R² share, see :func:`dominance_weights`), ``share`` (of the total
        R²), ``low`` / ``high`` (bootstrap interval of ``importance``), ``rank_low`` / ``rank_high``
        (bootstrap interval of the rank), ``top3_share`` (share of resamples in which the driver is in
        the top three), ``performance`` (mean score), ``top2box`` (share scoring 4 or 5 on a 1-5 item)
        and ``correlation`` with the outcome. ``attrs``: ``r2``, ``n``, ``n_boot``.
    """
    frame = drivers.join(outcome.rename("__y"), how="inner").dropna()
    names = [str(c) for c in drivers.columns]
    X = frame[drivers.columns].to_numpy(dtype=float)
    y = frame["__y"].to_numpy(dtype=float)
    n, p = X.shape
    if n < p + 2:
        raise ValueError(f"driver analysis needs more respondents than drivers (got {n} for {p} drivers)")
    point = dominance_weights(X, y)
    boots = np.empty((n_boot, p))
    rng = np.random.default_rng(seed)
    Z = np.column_stack([X, y])
    for b in range(n_boot):  # a resample = how often each respondent is drawn (n draws with replacement)
        counts = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        boots[b] = _dominance_from_corr(_weighted_corr(Z, counts))
    alpha = (1 - level) / 2
    ranks = (-boots).argsort(axis=1).argsort(axis=1) + 1 if n_boot else np.empty((0, p))
    out = pd.DataFrame({
        "driver": names, "importance": point, "share": point / point.sum() if point.sum() > 0 else np.nan,
        "low": np.quantile(boots, alpha, axis=0) if n_boot else np.nan,
        "high": np.quantile(boots, 1 - alpha, axis=0) if n_boot else np.nan,
        "rank_low": np.quantile(ranks, alpha, axis=0) if n_boot else np.nan,
        "rank_high": np.quantile(ranks, 1 - alpha, axis=0) if n_boot else np.nan,
        "top3_share": (ranks <= 3).mean(axis=0) if n_boot else np.nan,
        "performance": X.mean(axis=0),
        "top2box": (X >= 4).mean(axis=0),
        "correlation": [np.corrcoef(X[:, j], y)[0, 1] if X[:, j].std() > 0 else np.nan for j in range(p)],
    }).sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
    out.insert(1, "rank", np.arange(1, p + 1))
    out.attrs.update(r2=float(point.sum()), n=int(n), n_boot=int(n_boot), level=level)
    return out


def survey_drivers(answers: pd.DataFrame) -> pd.DataFrame:
    """The ten ``why_<reason>`` agreement items of :func:`latest_answers`, columns renamed to the reasons."""
    cols = [f"why_{r}" for r in REASONS if f"why_{r}" in answers]
    return answers[cols].rename(columns=lambda c: c[4:])


def spearman_link(behaviour: pd.Series, stated: pd.Series) -> dict:
    """Spearman correlation between a behaviour measure and a stated survey item, on common customers.

    Returns ``{"rho", "p_value", "n"}`` (NaN when fewer than 10 pairs or no variation).
    """
    both = pd.concat([behaviour.rename("b"), stated.rename("s")], axis=1, join="inner").dropna()
    if len(both) < 10 or both["b"].nunique() < 2 or both["s"].nunique() < 2:
        return {"rho": np.nan, "p_value": np.nan, "n": int(len(both))}
    res = stats.spearmanr(both["b"], both["s"])
    return {"rho": float(res.statistic), "p_value": float(res.pvalue), "n": int(len(both))}


#: Behaviour that can show each reason: (feature column, description). Reasons missing here are survey-only.
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
        From :func:`customer_features` (behaviour measures per customer).
    answers
        Optional :func:`latest_answers`; when given, each measure is correlated (Spearman) with the
        customer's agreement with the matching ``why_*`` item.
    bandwagon
        Optional :func:`bandwagon_evidence`; adds the imitation-to-innovation ratio of launches.

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
    for reason in REASONS:
        row = {"reason": reason, "behaviour": "survey only: no behaviour for it in the data contract",
               "base_mean": np.nan, "rho": np.nan, "p_value": np.nan, "n": 0}
        if reason in REASON_BEHAVIOUR and REASON_BEHAVIOUR[reason][0] in feats:
            col, text = REASON_BEHAVIOUR[reason]
            row.update(behaviour=text, base_mean=float(feats[col].mean()))
            if answers is not None and f"why_{reason}" in answers:
                row.update(spearman_link(feats[col], answers[f"why_{reason}"].astype(float)))
        if reason == "bandwagon" and bandwagon is not None and len(bandwagon):
            best = bandwagon.iloc[0]
            row.update(behaviour=f"adoption curve of launches: imitation q / innovation p = {best['q_over_p']:.0f} "
                                 f"for {best['product_id']} (adoption speeds up with adopters when q > p)",
                       base_mean=float(best["q_over_p"]))
        rows.append(row)
    out = pd.DataFrame(rows)
    out["agrees"] = (out["rho"] > 0) & (out["p_value"] < 0.05)
    return out


def delivery_repeat_curve(transactions: pd.DataFrame, horizon_days: int = 90, max_days: int = 8,
                          as_of=None) -> pd.DataFrame:
    """Repeat-purchase rate by delivery time: does a fast delivery bring the customer back? (fast brand)

    For every delivered (non-store) order placed at least ``horizon_days`` before the end, the
    customer "repeats" when they order again within ``horizon_days``. Orders are bucketed by their
    slowest line's ``delivery_days`` (``max_days`` and more pooled).

    Returns
    -------
    DataFrame
        ``delivery_days`` (int bucket), ``orders``, ``repeat_rate`` (0-1), ``low`` / ``high`` (95% Wilson
        interval). ``attrs["slope"]``: change in repeat rate per extra day (least squares, weighted by orders).
    """
    end = pd.Timestamp(as_of) if as_of is not None else transactions["date"].max()
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
    orders = orders[orders["delivery"].notna()]
    orders = orders[orders["date"] <= end - pd.Timedelta(days=horizon_days)]
    gap = (orders["next_date"] - orders["date"]).dt.days
    orders["repeat"] = (gap <= horizon_days).fillna(False).astype(float)
    orders["bucket"] = np.clip(np.round(orders["delivery"].to_numpy()), 0, max_days).astype(int)
    g = orders.groupby("bucket")["repeat"].agg(["size", "mean"])
    low, high = wilson_interval(g["mean"].to_numpy() * g["size"].to_numpy(), g["size"].to_numpy())
    out = pd.DataFrame({"delivery_days": g.index.to_numpy(), "orders": g["size"].to_numpy(),
                        "repeat_rate": g["mean"].to_numpy(), "low": low, "high": high})
    out.attrs["slope"] = (float(np.polyfit(out["delivery_days"], out["repeat_rate"], 1, w=np.sqrt(out["orders"]))[0])
                          if len(out) >= 2 else np.nan)
    out.attrs["horizon_days"] = horizon_days
    return out


def product_adoption(transactions: pd.DataFrame, launch_date, product_id: str, as_of=None) -> pd.DataFrame:
    """Weekly new adopters (first purchase by a customer) of one product since its launch.

    Returns a DataFrame indexed by ``week`` (0 = launch week) with ``new_adopters`` and
    ``cumulative``; only complete weeks up to ``as_of`` (default: last transaction) are kept.
    """
    end = pd.Timestamp(as_of) if as_of is not None else transactions["date"].max()
    launch = pd.Timestamp(launch_date)
    lines = transactions[(transactions["product_id"] == product_id) & (transactions["amount"] > 0)]
    first = lines.groupby("customer_id", observed=True)["date"].min()
    week = ((first - launch).dt.days // 7).to_numpy()
    n_weeks = max(int((end - launch).days // 7), 0)
    week = week[(week >= 0) & (week < n_weeks)]
    counts = np.bincount(week.astype(int), minlength=n_weeks)[:n_weeks]
    return pd.DataFrame({"new_adopters": counts, "cumulative": np.cumsum(counts)},
                        index=pd.RangeIndex(n_weeks, name="week"))


def bass_curve(p: float, q: float, m: float, n_weeks: int) -> np.ndarray:
    """Expected new adopters per week of the discrete Bass model ``(p + q A/m)(m - A)``; shape (n_weeks,)."""
    out = np.empty(n_weeks)
    cum = 0.0
    for t in range(n_weeks):  # a recursion in time (weeks), not over customers
        out[t] = min(max((p + q * cum / m) * (m - cum), 0.0), m)
        cum += out[t]
    return out


def fit_bass(new_adopters: Sequence[float]) -> dict:
    """Fit the Bass diffusion model to weekly new adopters by least squares.

    ``p`` (innovation: adoption independent of others) and ``q`` (imitation: adoption driven by the
    number who have adopted) are per week; ``m`` is the market potential (adopters). ``q > p`` means
    adoption accelerates with adopters - the bandwagon effect.

    Returns ``{"p", "q", "m", "q_over_p", "peak_week", "r2"}``.
    """
    y = np.asarray(new_adopters, dtype=float)
    n = len(y)
    total = max(y.sum(), 1.0)

    def resid(theta):
        p, q, m = np.exp(theta)
        return bass_curve(p, q, m, n) - y

    best = None
    for p0, q0, mult in itertools.product((0.002, 0.02), (0.1, 0.4), (1.1, 2.0)):
        res = optimize.least_squares(resid, np.log([p0, q0, total * mult]), method="trf",
                                     bounds=(np.log([1e-6, 1e-6, total]), np.log([1.0, 5.0, total * 50])))
        if best is None or res.cost < best.cost:
            best = res
    p, q, m = np.exp(best.x)
    fitted = bass_curve(p, q, m, n)
    ss = np.sum((y - y.mean()) ** 2)
    return {"p": float(p), "q": float(q), "m": float(m), "q_over_p": float(q / p),
            "peak_week": int(np.argmax(fitted)), "r2": float(1 - np.sum((y - fitted) ** 2) / ss) if ss > 0 else np.nan}


def bandwagon_evidence(transactions: pd.DataFrame, products: pd.DataFrame, min_adopters: int = 100,
                       max_products: int = 5) -> pd.DataFrame:
    """Bass fits of the products launched inside the data window with the most adopters.

    Returns one row per product (most adopters first): ``product_id``, ``launch_date``, ``adopters``,
    ``p``, ``q``, ``m``, ``q_over_p``, ``peak_week``, ``r2``. Empty when no launch has ``min_adopters``.
    """
    start = transactions["date"].min()
    launched = products[products["launch_date"].notna() & (products["launch_date"] >= start)]
    if launched.empty:
        return pd.DataFrame(columns=["product_id", "launch_date", "adopters", "p", "q", "m", "q_over_p", "peak_week", "r2"])
    lines = transactions[transactions["product_id"].isin(launched["product_id"]) & (transactions["amount"] > 0)]
    adopters = lines.groupby("product_id", observed=True)["customer_id"].nunique()
    adopters = adopters[adopters >= min_adopters].sort_values(ascending=False).head(max_products)
    rows = []
    launch = launched.set_index("product_id")["launch_date"]
    for pid, count in adopters.items():
        curve = product_adoption(transactions, launch[pid], pid)
        if len(curve) < 8:
            continue
        rows.append({"product_id": pid, "launch_date": launch[pid], "adopters": int(count), **fit_bass(curve["new_adopters"])})
    return pd.DataFrame(rows, columns=["product_id", "launch_date", "adopters", "p", "q", "m", "q_over_p", "peak_week", "r2"])


# --------------------------------------------------------------------------- 3. personas
# The personas themselves come from the one engine, :mod:`customer_workbook.segments.personas`; this
# section profiles them (problem, pain points, demographics, goals, reasons).

_CATEGORY_NEED = {
    "garden_plants": "a garden that grows", "garden_tools": "tools to keep the garden", "outdoor_living": "outdoor living space",
    "home_decor": "a home that looks good", "kitchen": "a kitchen that works", "lighting": "the right light",
    "textiles": "a comfortable home", "diy_tools": "repairs and projects done",
}


def persona_profiles(features: pd.DataFrame, labels: pd.Series, names: pd.Series,
                     answers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The readable profile of each persona: size, problem, pain points, demographics, goals, reasons.

    Parameters
    ----------
    features
        :func:`customer_features` of all customers (profiles use every column available).
    labels, names
        Persona number per clustered customer (``Personas.clustered``) and name per persona number
        (``Personas.names``), from :func:`customer_workbook.segments.find_personas`.
    answers
        Optional :func:`latest_answers`: adds dominant reasons (items agreed with most, relative to
        the base), satisfaction pain points and persona NPS.

    Returns
    -------
    DataFrame, one row per persona
        ``persona``, ``name``, ``customers``, ``share``, ``revenue_share``, ``problem`` (the need
        behind the purchases), ``pain_points``, ``demographics``, ``goals``, ``dominant_reasons``,
        ``behaviour``; plus numbers used by other steps: ``aov``, ``orders``, ``discount_share``, ...
    """
    f = features.loc[labels.index].copy()
    f["persona"] = labels
    total_rev = float(features.loc[labels.index, "revenue"].sum())
    base = features.loc[labels.index]
    cat_cols = [c for c in f.columns if c.startswith("cat_")]
    rows = []
    if answers is not None:
        ans = answers.join(labels, how="inner")
        why_cols = [f"why_{r}" for r in REASONS if f"why_{r}" in answers]
        sat_cols = [f"sat_{s}" for s in SATISFACTION_ITEMS if f"sat_{s}" in answers]
        why_base = ans[why_cols].mean()
        sat_base = ans[sat_cols].mean()
    for persona, grp in f.groupby("persona"):  # one iteration per persona
        row = {"persona": int(persona), "name": names.get(persona, f"persona {persona}"), "customers": len(grp),
               "share": len(grp) / len(f), "revenue_share": float(grp["revenue"].sum() / total_rev) if total_rev else np.nan,
               "orders": float(grp["orders"].mean()), "aov": float(grp["aov"].median())}
        cats = grp[cat_cols].mean().sort_values(ascending=False) if cat_cols else pd.Series(dtype=float)
        top = [c[4:] for c in cats.index[:2]]
        row["problem"] = (" and ".join(_CATEGORY_NEED.get(c, c.replace("_", " ")) for c in top)
                          + f" ({', '.join(c.replace('_', ' ') for c in top)}: {cats.iloc[:2].sum():.0%} of lines)") if top else ""
        pains = []
        if "return_share" in grp and grp["return_share"].mean() > 1.2 * base["return_share"].mean():
            pains.append(f"returns {grp['return_share'].mean():.1%} of lines (base {base['return_share'].mean():.1%})")
        if "slow_delivery_share" in grp and grp["slow_delivery_share"].mean() > 1.2 * base["slow_delivery_share"].mean():
            pains.append(f"{grp['slow_delivery_share'].mean():.0%} of deliveries slower than 6 days")
        demo = []
        if "age" in grp:
            demo.append(f"age {grp['age'].median():.0f}")
        for col, word in (("income_band", "income"), ("region", "")):
            if col in grp and grp[col].notna().any():
                mix = grp[col].astype(str).value_counts(normalize=True)
                demo.append(f"{mix.index[0]}{' ' + word if word else ''} {mix.iloc[0]:.0%}")
        row["demographics"] = ", ".join(demo)
        beh = [f"{row['orders']:.1f} orders", f"order value {row['aov']:.0f}"]
        for col, word in (("discount_share", "lines discounted"), ("share_store", "in store"), ("share_app", "in the app"),
                          ("premium_share", "premium")):
            if col in grp:
                beh.append(f"{grp[col].mean():.0%} {word}")
                row[col] = float(grp[col].mean())
        row["behaviour"] = ", ".join(beh)
        reasons: list[str] = []
        if answers is not None:
            a = ans[ans["persona"] == persona]
            row["respondents"] = len(a)
            if len(a) >= 5:
                lift = (a[why_cols].mean() - why_base).sort_values(ascending=False)
                reasons = [c[4:] for c in lift.index[:2] if lift[c] > 0]
                sat_gap = (a[sat_cols].mean() - sat_base).sort_values()
                pains += [f"rates {c[4:]} {sat_gap[c]:+.1f} vs base" for c in sat_gap.index[:1] if sat_gap[c] < -0.05]
                row["nps"] = float(nps(a["nps"])["nps"]) if "nps" in a else np.nan
        row["dominant_reasons"] = ", ".join(reasons)
        row["goals"] = "; ".join(REASON_GOALS[r] for r in reasons) if reasons else ""
        row["pain_points"] = "; ".join(pains) if pains else "none stands out"
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- 4. lifecycle and health

#: Lifecycle stages of the method, in order.
LIFECYCLE_STAGES: tuple[str, ...] = ("acquisition", "adoption", "cross-sell", "advocacy")


def lifecycle_stages(features: pd.DataFrame, tiers: pd.Series | None = None) -> pd.Series:
    """Lifecycle stage of every customer: the furthest stage reached.

    * ``acquisition`` - bought once (or only on one day): acquired, value not yet shown;
    * ``adoption`` - came back (2+ purchase days): getting value from what they bought;
    * ``cross-sell`` - adopted and buys from 2+ product categories (needs ``n_categories``);
    * ``advocacy`` - recommends us actively: a lover in :func:`advocacy_tiers`, when tiers are given
      (likers engage but rarely recommend, so they stay in their buying stage).

    Returns a categorical Series (categories :data:`LIFECYCLE_STAGES`) indexed like ``features``.
    """
    stage = np.where(features["purchase_days"] >= 2, 1, 0)
    if "n_categories" in features:
        stage = np.where((stage == 1) & (features["n_categories"] >= 2), 2, stage)
    if tiers is not None:
        adv = (tiers.reindex(features.index).astype(str) == "lover").to_numpy()
        stage = np.where(adv, 3, stage)
    return pd.Series(pd.Categorical.from_codes(stage, categories=LIFECYCLE_STAGES), index=features.index,
                     name="stage")


#: Weights of the health-score components (they are renormalised over the components available).
HEALTH_WEIGHTS: dict[str, float] = {"p_alive": 0.4, "breadth": 0.2, "rate": 0.2, "engagement": 0.2}


def health_score(features: pd.DataFrame, p_alive: pd.Series, engagement_rate: pd.Series | None = None,
                 weights: dict[str, float] | None = None) -> pd.DataFrame:
    """A 0-100 loyalty / health score per customer from adoption behaviour.

    Components (each turned into a percentile rank 0-1 so they are comparable):
    ``p_alive`` (still buying, from BG/NBD), ``breadth`` (product categories bought, the cross-sell
    signal), ``rate`` (orders per week of tenure) and ``engagement`` (events per week, when given).
    The score is 100 x the weighted mean of the ranks; ``p_alive`` enters as a probability, not a
    rank, so a customer who has almost surely left scores low whatever else they did.

    Returns a DataFrame with the components and ``health`` (0-100), indexed like ``features``.
    """
    w = dict(HEALTH_WEIGHTS if weights is None else weights)
    comp = pd.DataFrame(index=features.index)
    comp["p_alive"] = p_alive.reindex(features.index).fillna(0.0)
    if "n_categories" in features:
        comp["breadth"] = features["n_categories"].rank(pct=True)
    comp["rate"] = (features["orders"] / (features["tenure_days"] / 7.0 + 1.0)).rank(pct=True)
    if engagement_rate is not None:
        comp["engagement"] = engagement_rate.reindex(features.index).fillna(0.0).rank(pct=True)
    used = {k: v for k, v in w.items() if k in comp}
    total = sum(used.values())
    comp["health"] = 100.0 * sum(comp[k] * v for k, v in used.items()) / total
    return comp


def health_backtest(transactions: pd.DataFrame, products: pd.DataFrame | None = None,
                    engagement: pd.DataFrame | None = None, holdout_days: int = 180,
                    max_customers: int | None = 100_000, seed: int = 0) -> dict:
    """Does the health score spot risk? Score customers at ``end - holdout_days`` and check who bought after.

    On bases larger than ``max_customers`` a seeded random sample of customers is scored (an AUC on
    100,000 customers is precise to about 0.003; this keeps 1M-customer runs within minutes).

    Returns ``{"cutoff", "auc", "n", "active_share_top", "active_share_bottom"}``: the AUC of the
    score for "bought in the holdout" (0.5 = useless, 1 = perfect) and the holdout active share in
    the top and bottom quintiles of the score.
    """
    from sklearn.metrics import roc_auc_score

    end = transactions["date"].max()
    cutoff = (end - pd.Timedelta(days=holdout_days)).normalize()
    calib = transactions[transactions["date"] < cutoff]
    ids = pd.unique(calib["customer_id"])
    if max_customers is not None and len(ids) > max_customers:
        keep = pd.Index(np.random.default_rng(seed).choice(ids, max_customers, replace=False))
        calib = calib[calib["customer_id"].isin(keep)]
    feats = customer_features(calib, products, as_of=cutoff - pd.Timedelta(days=1))
    feats = feats[feats["orders"] > 0]
    rate = None
    if engagement is not None:
        rate = engagement_rates(engagement[engagement["date"] < cutoff], feats)["events_per_week"]
    p_alive = score_customers(calib, as_of=cutoff, seed=seed).table["p_alive"]
    score = health_score(feats, p_alive, rate)["health"]
    later = transactions[(transactions["date"] >= cutoff) & (transactions["amount"] > 0)]
    bought = score.index.isin(later["customer_id"].unique())
    q = score.rank(pct=True)
    return {"cutoff": cutoff, "auc": float(roc_auc_score(bought, score)), "n": int(len(score)),
            "active_share_top": float(bought[(q > 0.8).to_numpy()].mean()),
            "active_share_bottom": float(bought[(q <= 0.2).to_numpy()].mean())}


def multi_category_retention(transactions: pd.DataFrame, products: pd.DataFrame, cutoff,
                             min_orders: int = 2, max_orders: int = 4, level: float = 0.95) -> dict:
    """Do multi-category customers stay longer? A stratified comparison that can be checked.

    Customers with ``min_orders``..``max_orders`` orders before ``cutoff`` are split into single- and
    multi-category buyers (categories bought before the cutoff); "retained" means at least one order
    on or after the cutoff. The comparison is made within each order count (so buying more often does
    not masquerade as buying more widely) and pooled with Mantel-Haenszel weights.

    Returns
    -------
    dict
        ``table`` (DataFrame per order count: customers and retention of each group), ``single_rate``,
        ``multi_rate`` (pooled, 0-1), ``difference`` (multi - single, MH risk difference), ``low`` /
        ``high`` (its interval at ``level``), ``p_value`` (Cochran-Mantel-Haenszel test, two-sided),
        ``risk_ratio``, ``n``.
    """
    cutoff = pd.Timestamp(cutoff)
    pos = transactions[transactions["amount"] > 0]
    before = pos[pos["date"] < cutoff]
    feats = customer_features(before, products)
    sel = feats[(feats["orders"] >= min_orders) & (feats["orders"] <= max_orders)]
    after_ids = pd.Index(pos.loc[pos["date"] >= cutoff, "customer_id"].unique())
    d = pd.DataFrame({"orders": sel["orders"].astype(int), "multi": sel["n_categories"] >= 2,
                      "retained": sel.index.isin(after_ids)}, index=sel.index)
    g = d.groupby(["orders", "multi"])["retained"].agg(["size", "sum"]).unstack("multi", fill_value=0)
    rows, num, den, var_num, cmh_num, cmh_var = [], 0.0, 0.0, 0.0, 0.0, 0.0
    for k in g.index:  # one iteration per order count (a handful of strata)
        n1, x1 = float(g.loc[k, ("size", True)]) if ("size", True) in g else 0.0, float(g.loc[k, ("sum", True)]) if ("sum", True) in g else 0.0
        n0, x0 = float(g.loc[k, ("size", False)]) if ("size", False) in g else 0.0, float(g.loc[k, ("sum", False)]) if ("sum", False) in g else 0.0
        rows.append({"orders_before_cutoff": int(k), "single_customers": int(n0), "single_retained": x0 / n0 if n0 else np.nan,
                     "multi_customers": int(n1), "multi_retained": x1 / n1 if n1 else np.nan})
        if n0 == 0 or n1 == 0:
            continue
        n = n0 + n1
        w = n0 * n1 / n
        p1, p0 = x1 / n1, x0 / n0
        num += w * (p1 - p0)
        den += w
        var_num += w ** 2 * (p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
        m1, m0 = x1 + x0, n - (x1 + x0)
        cmh_num += x1 - n1 * m1 / n
        cmh_var += n1 * n0 * m1 * m0 / (n ** 2 * (n - 1)) if n > 1 else 0.0
    if den == 0:
        raise ValueError("no order-count stratum has both single- and multi-category customers")
    diff = num / den
    se = math.sqrt(var_num) / den
    z = stats.norm.ppf(0.5 + level / 2)
    chi2 = cmh_num ** 2 / cmh_var if cmh_var > 0 else 0.0
    single = float(d.loc[~d["multi"], "retained"].mean()) if (~d["multi"]).any() else np.nan
    multi = float(d.loc[d["multi"], "retained"].mean()) if d["multi"].any() else np.nan
    return {"table": pd.DataFrame(rows), "single_rate": single, "multi_rate": multi, "difference": float(diff),
            "low": float(diff - z * se), "high": float(diff + z * se), "p_value": float(stats.chi2.sf(chi2, 1)),
            "risk_ratio": multi / single if single else np.nan, "n": int(len(d)), "cutoff": cutoff, "level": level}


# --------------------------------------------------------------------------- 5. advocacy pyramid

ADVOCACY_EVENTS: tuple[str, ...] = ("review", "referral", "community_post")
TIERS: tuple[str, ...] = ("lurker", "liker", "lover")


def engagement_rates(engagement: pd.DataFrame, features: pd.DataFrame, min_weeks: float = 52.0) -> pd.DataFrame:
    """Engagement events per week of each customer's observed life.

    A customer is observed from their first record (purchase or engagement) to their last; dividing
    by at least ``min_weeks`` keeps a short life with one lucky review from looking like a fan.

    Returns a DataFrame indexed like ``features`` with counts per event, ``advocacy_per_week``
    (reviews + referrals + community posts per week), ``events_per_week`` (all events) and ``weeks``.
    """
    e = engagement[engagement["customer_id"].isin(features.index)]
    counts = (e.groupby([e["customer_id"], e["event"].astype(str)], observed=True).size()
              .unstack(fill_value=0).reindex(features.index, fill_value=0))  # crosstab is far slower at 1M
    for ev in ("review", "referral", "community_post", "app_session"):
        if ev not in counts:
            counts[ev] = 0
    g = e.groupby("customer_id", observed=True)["date"]
    first = pd.concat([features["first_order"], g.min().reindex(features.index)], axis=1).min(axis=1)
    last = pd.concat([features["last_order"], g.max().reindex(features.index)], axis=1).max(axis=1)
    weeks = np.maximum((last - first).dt.days.to_numpy(dtype=float) / 7.0, min_weeks)
    out = counts.astype(float)
    out["weeks"] = weeks
    out["advocacy_per_week"] = out[list(ADVOCACY_EVENTS)].sum(axis=1) / weeks
    out["events_per_week"] = counts.sum(axis=1).to_numpy() / weeks
    return out


def advocacy_tiers(rates: pd.DataFrame, lover_min_per_year: float = 4.0, liker_min_per_year: float = 3.0) -> pd.Series:
    """Advocacy pyramid tier of each customer from engagement rates (:func:`engagement_rates`).

    * ``lover`` - actively recommends: at least ``lover_min_per_year`` reviews, referrals or community
      posts a year;
    * ``liker`` - engaged (any event, app sessions included) at least ``liker_min_per_year`` times a
      year, but advocates less;
    * ``lurker`` - everyone else: buys, rarely engages.

    Returns a categorical Series (categories :data:`TIERS`).
    """
    adv = rates["advocacy_per_week"].to_numpy() * 52.0
    eng = rates["events_per_week"].to_numpy() * 52.0
    code = np.where(adv >= lover_min_per_year, 2, np.where(eng >= liker_min_per_year, 1, 0))
    return pd.Series(pd.Categorical.from_codes(code, categories=TIERS), index=rates.index, name="tier")


def advocacy_overlap(tiers: pd.Series, revenue: pd.Series, rates: pd.DataFrame, loyalty: pd.Series | None = None,
                     top_share: float = 0.10) -> dict:
    """Loyalty is not advocacy, and top spenders are not top advocates: the overlap numbers.

    Parameters
    ----------
    tiers
        From :func:`advocacy_tiers`.
    revenue
        Net revenue per customer (currency units).
    rates
        From :func:`engagement_rates` (``advocacy_per_week`` is the advocacy score).
    loyalty
        Optional loyalty measure (e.g. the health score); its top ``top_share`` are "most loyal".
    top_share
        Share of customers counted as "top" (0.10 = top decile).

    Returns
    -------
    dict
        ``top_spenders_lover_share``, ``top_spenders_liker_or_lover_share``, ``lovers_in_top_spenders``,
        ``top_overlap`` (share of top spenders who are also top advocates), ``spearman_revenue_advocacy``,
        ``base_lover_share``, ``base_liker_or_lover_share``; with ``loyalty``: ``loyal_lurker_share``
        (share of the most loyal who are lurkers) and ``loyal_lover_share``.
    """
    idx = tiers.index
    rev = revenue.reindex(idx).fillna(0.0)
    adv = rates["advocacy_per_week"].reindex(idx).fillna(0.0)
    t = tiers.astype(str)
    top_spend = rev.rank(pct=True, method="first") > 1 - top_share
    top_adv = adv.rank(pct=True, method="first") > 1 - top_share
    lovers = t == "lover"
    engaged = t.isin(["liker", "lover"])
    out = {
        "top_spenders_lover_share": float(lovers[top_spend].mean()),
        "top_spenders_liker_or_lover_share": float(engaged[top_spend].mean()),
        "lovers_in_top_spenders": float(top_spend[lovers].mean()) if lovers.any() else np.nan,
        "top_overlap": float(top_adv[top_spend].mean()),
        "spearman_revenue_advocacy": float(stats.spearmanr(rev, adv).statistic) if len(idx) > 2 else np.nan,
        "base_lover_share": float(lovers.mean()),
        "base_liker_or_lover_share": float(engaged.mean()),
        "top_share": top_share,
    }
    if loyalty is not None:
        loyal = loyalty.reindex(idx).rank(pct=True, method="first") > 1 - top_share
        out["loyal_lurker_share"] = float((t[loyal] == "lurker").mean())
        out["loyal_lover_share"] = float(lovers[loyal].mean())
    return out


# --------------------------------------------------------------------------- 6. NPS


def nps(scores, level: float = 0.95) -> dict:
    """Net Promoter Score with its analytic confidence interval.

    Promoters answer 9-10, passives 7-8, detractors 0-6; NPS = 100 x (promoter share - detractor
    share), in points (-100..100). The interval uses the multinomial variance
    ``(p + d - (p - d)**2) / n`` of the difference of two shares, computed with one pseudo-answer
    added to each of the three groups (shares ``(count + 1) / (n + 3)``, an Agresti-Caffo-style
    adjustment) so that small or unanimous groups do not get a zero-width interval.

    Returns ``{"nps", "low", "high", "se", "promoters", "passives", "detractors", "n"}`` (shares 0-1,
    NPS, bounds and standard error in points; NaN when there are no answers).
    """
    s = pd.Series(scores).dropna().to_numpy(dtype=float)
    n = len(s)
    if n == 0:
        return {"nps": np.nan, "low": np.nan, "high": np.nan, "se": np.nan, "promoters": np.nan,
                "passives": np.nan, "detractors": np.nan, "n": 0}
    p, d = float(np.mean(s >= 9)), float(np.mean(s <= 6))
    pa, da = (p * n + 1) / (n + 3), (d * n + 1) / (n + 3)
    se = 100.0 * math.sqrt(max(pa + da - (pa - da) ** 2, 0.0) / (n + 3))
    z = stats.norm.ppf(0.5 + level / 2)
    value = 100.0 * (p - d)
    return {"nps": value, "low": value - z * se, "high": value + z * se, "se": se, "promoters": p,
            "passives": 1 - p - d, "detractors": d, "n": n}


def nps_by_group(scores: pd.Series, groups: pd.Series, level: float = 0.95, min_n: int = 1,
                 min_n_test: int = 30) -> pd.DataFrame:
    """NPS of every group with its interval, tested against the rest of the respondents.

    Each group's NPS is compared with the NPS of everyone else (difference of two independent NPS,
    normal approximation). p-values are Holm-adjusted over the groups; ``significant`` is False when
    the difference could be noise, which the notebook flags.

    Parameters
    ----------
    scores
        NPS answers 0-10 per respondent (index ``customer_id``).
    groups
        Group label per customer (segment, persona, tier...); respondents without one are dropped.
    level, min_n
        Interval level and the smallest group to report.
    min_n_test
        Groups with fewer respondents are not tested (p-value NaN, ``significant`` False): the normal
        approximation does not hold for them.

    Returns
    -------
    DataFrame
        ``group``, ``n``, ``nps``, ``low``, ``high``, ``promoters``, ``detractors``, ``vs_rest`` (points),
        ``p_value`` (raw), ``p_adjusted`` (Holm), ``significant``.
    """
    both = pd.concat([scores.rename("s"), groups.rename("g")], axis=1, join="inner").dropna()
    rows = []
    labels = groups.cat.categories if isinstance(groups.dtype, pd.CategoricalDtype) else sorted(both["g"].unique())
    for g in labels:  # one iteration per group
        inside = both["g"] == g
        if inside.sum() < min_n:
            continue
        a, b = nps(both.loc[inside, "s"], level), nps(both.loc[~inside, "s"], level)
        diff = a["nps"] - b["nps"]
        se = math.sqrt(a["se"] ** 2 + b["se"] ** 2) if b["n"] else np.nan
        pval = float(2 * stats.norm.sf(abs(diff) / se)) if se and se > 0 and a["n"] >= min_n_test else np.nan
        rows.append({"group": str(g), "n": a["n"], "nps": a["nps"], "low": a["low"], "high": a["high"],
                     "promoters": a["promoters"], "detractors": a["detractors"], "vs_rest": diff, "p_value": pval})
    out = pd.DataFrame(rows)
    if out.empty:
        return out.assign(p_adjusted=[], significant=[])
    out["p_adjusted"] = holm(out["p_value"].to_numpy())
    out["significant"] = (out["p_adjusted"] < (1 - level)).fillna(False).astype(bool)
    return out




# --------------------------------------------------------------------------- 7. from 4C to 4P


def four_c_to_four_p(profiles: pd.DataFrame, features: pd.DataFrame, labels: pd.Series,
                     rates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Turn the customer's view (4C) measured per persona into the firm's levers (4P).

    * Solution -> Product: what they buy (top categories, premium share) -> which range to lead with.
    * Cost -> Price: order value and discount use vs the base -> deals, everyday price or full price with added value.
    * Convenience -> Place: main channel and delivery speed -> store, app or web and delivery promise.
    * Communication -> Promotion: acquisition channel and engagement -> where and how to talk to them.

    Returns a DataFrame, one row per persona: ``persona``, ``name``, the four C measures and the four P levers.
    """
    f = features.loc[labels.index].copy()
    f["persona"] = labels
    base = f
    means = f.groupby("persona").mean(numeric_only=True)
    base_mean = base.mean(numeric_only=True)
    rows = []
    cat_cols = [c for c in f.columns if c.startswith("cat_")]
    share_cols = [c for c in f.columns if c.startswith("share_")]
    for _, prof in profiles.iterrows():  # one iteration per persona
        p = prof["persona"]
        m = means.loc[p]
        cats = [c[4:].replace("_", " ") for c in m[cat_cols].sort_values(ascending=False).index[:2]] if cat_cols else []
        prem = m.get("premium_share", np.nan)
        solution = f"{' and '.join(cats)}" + (f"; {prem:.0%} premium" if pd.notna(prem) else "")
        product = f"lead with {' and '.join(cats)}" + (
            "; stock the premium and exclusive range" if pd.notna(prem) and prem > 1.3 * base_mean.get("premium_share", 0)
            else "; core range, bundles across categories")
        disc = m.get("discount_share", np.nan)
        cost = f"order value {m['aov']:.0f} (base {base_mean['aov']:.0f})" + (f"; {disc:.0%} of lines on discount" if pd.notna(disc) else "")
        if pd.notna(disc) and disc > 1.5 * base_mean.get("discount_share", 0):
            price = "targeted deals and bundles; reward repeat buying rather than blanket discounts"
        elif m["aov"] > 1.3 * base_mean["aov"]:
            price = "hold full price; add service and exclusivity instead of discounts"
        else:
            price = "fair everyday price; loyalty rewards for repeat orders"
        if share_cols:
            chan = m[share_cols].sort_values(ascending=False)
            main = chan.index[0][6:]
            convenience = f"{chan.iloc[0]:.0%} of lines via {main}"
            fast = m.get("fast_delivery_share", np.nan)
            if pd.notna(fast):
                convenience += f"; {fast:.0%} of online lines within 2 days"
            place = {"store": "the local store: stock, staff and opening hours", "app": "the app, with fast delivery",
                     "web": "the web shop, with reliable delivery"}.get(main, f"the {main} channel")
            if pd.notna(fast) and fast > 1.3 * base_mean.get("fast_delivery_share", 0) and main != "store":
                place += "; promise express delivery"
        else:
            convenience, place = "channel not recorded", "n/a"
        comm = []
        if "acquisition_channel" in f:
            acq = f.loc[f["persona"] == p, "acquisition_channel"].astype(str).value_counts(normalize=True)
            acq = acq[acq.index != "nan"]
            if len(acq):
                comm.append(f"most often acquired via {acq.index[0]} ({acq.iloc[0]:.0%})")
        if rates is not None:
            r = rates.reindex(f.index[f["persona"] == p])
            comm.append(f"{r['advocacy_per_week'].mean() * 52:.2f} reviews/referrals/posts a year")
        communication = "; ".join(comm) if comm else "not measured"
        promo = f"reach them through {acq.index[0]}" if comm and "acquisition_channel" in f and len(acq) else "use the channels they buy in"
        if rates is not None:
            r_all = rates.reindex(f.index)["advocacy_per_week"].mean()
            if r["advocacy_per_week"].mean() > 1.3 * r_all:
                promo += "; feed their community and reviews (SPOQ)"
        rows.append({"persona": p, "name": prof["name"], "solution (C)": solution, "product (P)": product,
                     "cost (C)": cost, "price (P)": price, "convenience (C)": convenience, "place (P)": place,
                     "communication (C)": communication, "promotion (P)": promo})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- explorer support


def group_snapshot(kind: str, group: str, frame: pd.DataFrame, scores: pd.DataFrame,
                   answers: pd.DataFrame | None = None) -> dict:
    """What the explorer shows for one segment or persona: profile numbers, RFM scores and NPS.

    Parameters
    ----------
    kind
        Column of ``frame`` holding the grouping (e.g. ``"segment"`` or ``"persona_name"``).
    group
        The group to show.
    frame
        Per-customer frame with ``kind``, ``orders``, ``revenue``, ``aov``, ``recency_days``.
    scores
        :func:`rfm_scores` for the same customers.
    answers
        Optional :func:`latest_answers` for the NPS.

    Returns ``{"profile": DataFrame (metric, group, base), "scores": DataFrame of the group's RFM
    scores, "nps": dict from :func:`nps` or None}``.
    """
    inside = frame[kind].astype(str) == str(group)
    sub, base = frame[inside], frame
    metrics = [("customers", len(sub), len(base)), ("share of customers", inside.mean(), 1.0),
               ("share of revenue", sub["revenue"].sum() / base["revenue"].sum() if base["revenue"].sum() else np.nan, 1.0),
               ("orders per customer", sub["orders"].mean(), base["orders"].mean()),
               ("median order value", sub["aov"].median(), base["aov"].median()),
               ("median days since last order", sub["recency_days"].median(), base["recency_days"].median())]
    profile = pd.DataFrame(metrics, columns=["metric", str(group), "all customers"])
    result = {"profile": profile, "scores": scores.loc[sub.index], "nps": None}
    if answers is not None and "nps" in answers:
        result["nps"] = nps(answers["nps"].reindex(sub.index).dropna())
    return result
