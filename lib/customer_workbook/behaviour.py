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

from .advocacy.nps import nps, nps_by_group
from .advocacy.pyramid import (
    ADVOCACY_EVENTS,
    TIERS,
    advocacy_overlap,
    advocacy_tiers,
    engagement_rates,
)
from .base.customers import customer_features
from .contract import REASONS, SATISFACTION_ITEMS
from .segments.cohorts import cohort_retention, cohort_summary
from .segments.lifecycle import (
    HEALTH_WEIGHTS,
    LIFECYCLE_STAGES,
    health_backtest,
    health_score,
    lifecycle_stages,
    multi_category_retention,
)
from .segments.rfm import (
    SEGMENT_ACTIONS,
    SEGMENT_GRID,
    SEGMENTS,
    rfm_scores,
    rfm_segments,
    segment_summary,
    tie_robust_scores,
)
from .stats import wilson_interval

__all__ = [
    "ADVOCACY_EVENTS",
    "HEALTH_WEIGHTS",
    "LIFECYCLE_STAGES",
    "REASON_BEHAVIOUR",
    "REASON_GOALS",
    "SEGMENTS",
    "SEGMENT_ACTIONS",
    "SEGMENT_GRID",
    "TIERS",
    "advocacy_overlap",
    "advocacy_tiers",
    "bandwagon_evidence",
    "bass_curve",
    "cohort_retention",
    "cohort_summary",
    "customer_features",
    "delivery_repeat_curve",
    "dominance_weights",
    "driver_importance",
    "engagement_rates",
    "fit_bass",
    "four_c_to_four_p",
    "group_snapshot",
    "health_backtest",
    "health_score",
    "latest_answers",
    "lifecycle_stages",
    "multi_category_retention",
    "nps",
    "nps_by_group",
    "persona_profiles",
    "product_adoption",
    "reason_evidence",
    "rfm_scores",
    "rfm_segments",
    "segment_summary",
    "spearman_link",
    "survey_drivers",
    "tie_robust_scores",
]

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
