"""Closing the back door: who a retention offer persuades, who buys anyway and who it pushes away.

A two-model uplift learner, cross-fitted so every prediction is out of sample, judged on randomised
campaign data (Qini, uplift at k, measured uplift per predicted segment) and applied to the base."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..stats import two_proportion_uplift
from ..threads import one_thread

__all__ = ["UPLIFT_DECISIONS", "CALIBRATION_BINS", "MIN_ARM_CUSTOMERS", "MIN_ARM_OUTCOMES", "MIN_EFFECT_ARM", "UPLIFT_GROUPS",
           "UpliftCheck", "UpliftFit", "UpliftTargeting", "base_targeting", "calibrated_uplift", "check_uplift_model",
           "fit_uplift", "qini_coefficient", "qini_curve", "segment_effects", "uplift_at_k", "uplift_calibration",
           "uplift_data_problem", "uplift_features", "uplift_segments", "uplift_value"]

#: Uplift groups: whom to target, whom to leave alone.
UPLIFT_GROUPS = ("persuadable", "sure_thing", "lost_cause", "sleeping_dog")
#: What to do with each uplift group of a retention offer.
UPLIFT_DECISIONS = {"persuadable": "contact: the offer changes what they do", "sure_thing": "leave alone: they buy anyway",
                    "lost_cause": "leave alone: the offer does not move them",
                    "sleeping_dog": "do not contact: the offer pushes them away"}
#: Fewest customers in each arm (treated, control) for the uplift model: with five-fold cross-fitting each
#: arm's training folds then hold 200 customers, enough for one split into the learner's leaves of 100.
MIN_ARM_CUSTOMERS = 250
#: Fewest buyers and non-buyers in each arm (a model of a rare or universal outcome learns nothing).
MIN_ARM_OUTCOMES = 20
#: Fewest customers in each arm for a campaign's average effect: its interval uses the normal approximation.
MIN_EFFECT_ARM = 30
#: Equal bins of held-out predicted uplift whose measured uplift calibrates the model's scores (fifths: about 800
#: campaign customers each in a test of 4,000, 100 in the smallest test the model accepts).
CALIBRATION_BINS = 5


def uplift_features(transactions: pd.DataFrame, customer_ids, as_of) -> pd.DataFrame:
    """Behaviour observable before ``as_of`` (the send date), per customer, for uplift models.

    Built from the raw lines rather than the run's per-customer table (:func:`customer_workbook.base.derived`)
    because it is measured as of an earlier date than the data's end: nothing on or after ``as_of`` may leak in.

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions (``discount`` and ``channel`` used when present).
    customer_ids : array_like
        Customers to describe (e.g. a campaign's population).
    as_of : date-like
        Only lines dated strictly before this day are used.

    Returns
    -------
    DataFrame, shape (n_customers, 7-8), indexed by ``customer_id``
        ``days_since_last`` (days; 9999 when never bought), ``orders_90d``, ``orders_150d``,
        ``orders_365d`` (orders = distinct order timestamps), ``spend_365d`` (currency units), ``mean_discount_365d`` (0-1),
        ``tenure_days`` (since the first purchase in the data) and, with ``channel``,
        ``online_share_365d`` (0-1).
    """
    as_of = pd.Timestamp(as_of)
    ids = pd.Index(pd.unique(pd.Series(customer_ids, dtype="string")), name="customer_id")
    n = len(ids)
    row = ids.get_indexer(transactions["customer_id"])  # integer customer codes; -1 = not asked for
    when = transactions["date"].to_numpy()
    amount = transactions["amount"].to_numpy(dtype=float)
    keep = (row >= 0) & (when < as_of.to_datetime64()) & (amount > 0)
    row, when, amount = row[keep], when[keep], amount[keep]
    age = ((as_of.to_datetime64() - when) // np.timedelta64(1, "D")).astype(np.int64)

    def per_customer(values, mask=None, how="sum"):
        r, v = (row, values) if mask is None else (row[mask], values[mask])
        total = np.bincount(r, weights=v, minlength=n)
        if how == "mean":
            count = np.bincount(r, minlength=n)
            return np.divide(total, count, out=np.zeros(n), where=count > 0)
        return total

    out = pd.DataFrame(index=ids)
    last = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(last, row, age)
    first = np.zeros(n, dtype=np.int64)
    np.maximum.at(first, row, age)
    bought = np.bincount(row, minlength=n) > 0
    out["days_since_last"] = np.where(bought, last, 9999).astype(float)
    # an order = a distinct (customer, order timestamp): integer keys, no hashing of text order ids
    first_line = ~pd.DataFrame({"c": row, "t": when.view("int64")}).duplicated().to_numpy()
    for days in (90, 150, 365):
        out[f"orders_{days}d"] = per_customer(np.ones(len(row)), first_line & (age < days))
    year = age < 365
    out["spend_365d"] = per_customer(amount, year)
    if "discount" in transactions:
        disc = transactions["discount"].to_numpy(dtype=float, na_value=0.0)[keep]
        out["mean_discount_365d"] = per_customer(disc, year, "mean")
    out["tenure_days"] = np.where(bought, first, 0).astype(float)
    if "channel" in transactions:
        online = transactions["channel"].isin(["web", "app"]).to_numpy(dtype=float, na_value=0.0)[keep]
        out["online_share_365d"] = per_customer(online, year, "mean")
    return out


@dataclass(frozen=True)
class UpliftFit:
    """A cross-fitted two-model (T-learner) uplift fit.

    ``predictions``: per customer ``p_treated`` and ``p_control`` (probability of the outcome with and
    without the treatment, out of fold), ``uplift`` (their difference) and ``response`` (the baseline
    response-model score, P(outcome | treated)). ``models``: (treated model, control model) refitted on
    all rows, for scoring customers outside the campaign. ``calibration``: the measured uplift of the
    held-out customers in each bin of predicted uplift (:func:`uplift_calibration`; None: scores are not
    calibrated).
    """

    predictions: pd.DataFrame
    models: tuple
    features: list[str]
    calibration: pd.DataFrame | None = None

    def score(self, features: pd.DataFrame) -> pd.DataFrame:
        """``p_treated``, ``p_control`` and ``uplift`` for new customers (same feature columns) and, with a
        ``calibration``, ``measured_uplift``: the uplift measured on the campaign's held-out customers whose
        predicted uplift fell in the same bin (:func:`calibrated_uplift`)."""
        x = features[self.features].to_numpy(dtype=float)
        with one_thread():
            pt = self.models[0].predict_proba(x)[:, 1]
            pc = self.models[1].predict_proba(x)[:, 1]
        out = pd.DataFrame({"p_treated": pt, "p_control": pc, "uplift": pt - pc}, index=features.index)
        if self.calibration is not None:
            out["measured_uplift"] = calibrated_uplift(self.calibration, out["uplift"])
        return out


def _learner(seed: int):
    from sklearn.ensemble import HistGradientBoostingClassifier

    # shallow, heavily pooled trees: uplift is a small difference of two noisy probabilities
    return HistGradientBoostingClassifier(max_depth=2, learning_rate=0.05, max_iter=100, min_samples_leaf=100,
                                          random_state=seed)


def fit_uplift(features: pd.DataFrame, treated, outcome, n_folds: int = 5, seed: int = 0) -> UpliftFit:
    """Two-model uplift: one outcome model for treated, one for control customers, cross-fitted.

    Each fold's customers are scored by models trained on the other folds (stratified by treatment
    and outcome), so every uplift in ``predictions`` is a held-out prediction on randomised data.

    Parameters
    ----------
    features : DataFrame, shape (n, p)
        Numeric features observable before the treatment (:func:`uplift_features`).
    treated : array_like of bool, shape (n,)
        Randomised assignment.
    outcome : array_like of int, shape (n,)
        1 if the customer responded (bought) in the campaign window.
    n_folds : int
    seed : int

    Returns
    -------
    UpliftFit
    """
    from sklearn.model_selection import StratifiedKFold

    with one_thread():
        return _fit_uplift(features, treated, outcome, n_folds, seed, StratifiedKFold)


def _fit_uplift(features, treated, outcome, n_folds, seed, StratifiedKFold) -> UpliftFit:
    x = features.to_numpy(dtype=float)
    t = np.asarray(treated, dtype=bool)
    y = np.asarray(outcome, dtype=int)
    pt, pc = np.empty(len(y)), np.empty(len(y))
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    for i, (train, test) in enumerate(folds.split(x, 2 * t + y)):
        tr_t, tr_c = train[t[train]], train[~t[train]]
        pt[test] = _learner(seed + i).fit(x[tr_t], y[tr_t]).predict_proba(x[test])[:, 1]
        pc[test] = _learner(seed + i).fit(x[tr_c], y[tr_c]).predict_proba(x[test])[:, 1]
    preds = pd.DataFrame({"treated": t, "outcome": y, "p_treated": pt, "p_control": pc, "uplift": pt - pc,
                          "response": pt}, index=features.index)
    models = (_learner(seed).fit(x[t], y[t]), _learner(seed).fit(x[~t], y[~t]))
    return UpliftFit(predictions=preds, models=models, features=list(features.columns),
                     calibration=uplift_calibration(preds))


def uplift_calibration(predictions: pd.DataFrame, bins: int = CALIBRATION_BINS) -> pd.DataFrame:
    """Measured uplift of held-out customers per bin of predicted uplift: what the model's scores are worth.

    A two-model learner's uplift is a difference of two noisy probabilities, so its extremes overstate: on
    the shipped sample the customers it predicts persuadable at +13 pp carry +9 pp of planted uplift, and its
    sleeping dogs -12 pp against -4 pp. The randomised campaign measures, without that bias, the uplift of
    the customers who fall in each of ``bins`` equal bins of cross-fitted predicted uplift (treated rate
    minus control rate).

    Parameters
    ----------
    predictions : DataFrame
        :attr:`UpliftFit.predictions` (``treated``, ``outcome``, ``uplift``, cross-fitted).
    bins : int
        Number of bins (fewer when predictions tie).

    Returns
    -------
    DataFrame, one row per bin in order of predicted uplift
        ``upper`` (the bin's upper edge of predicted uplift; +inf for the last bin), ``customers`` and
        ``measured_uplift`` (rate, -1 to 1; a bin without treated or control customers takes the campaign's
        average uplift).
    """
    u = predictions["uplift"].to_numpy(dtype=float)
    t = predictions["treated"].to_numpy(dtype=bool)
    y = predictions["outcome"].to_numpy(dtype=float)
    edges = np.unique(np.quantile(u, np.linspace(0.0, 1.0, bins + 1)[1:-1]))
    b, k = np.searchsorted(edges, u), len(edges) + 1
    n_t, n_c = np.bincount(b[t], minlength=k), np.bincount(b[~t], minlength=k)
    r_t = np.divide(np.bincount(b[t], weights=y[t], minlength=k), n_t, out=np.full(k, np.nan), where=n_t > 0)
    r_c = np.divide(np.bincount(b[~t], weights=y[~t], minlength=k), n_c, out=np.full(k, np.nan), where=n_c > 0)
    average = two_proportion_uplift(y, t).uplift
    measured = np.where(np.isfinite(r_t - r_c), r_t - r_c, average)
    return pd.DataFrame({"upper": np.r_[edges, np.inf], "customers": n_t + n_c, "measured_uplift": measured})


def calibrated_uplift(calibration: pd.DataFrame, uplift) -> np.ndarray:
    """Each predicted uplift replaced by the measured uplift of its bin of :func:`uplift_calibration` (rates)."""
    edges = calibration["upper"].to_numpy(dtype=float)[:-1]
    return calibration["measured_uplift"].to_numpy(dtype=float)[np.searchsorted(edges, np.asarray(uplift, dtype=float))]


def uplift_data_problem(treated, outcome) -> str | None:
    """Why a randomised test is too small for the uplift model (Markdown words), or None when it is not.

    The model needs :data:`MIN_ARM_CUSTOMERS` customers in each arm and :data:`MIN_ARM_OUTCOMES` buyers and
    non-buyers in each arm.
    """
    t = np.asarray(treated, dtype=bool)
    y = np.asarray(outcome, dtype=float) > 0
    arms = {"treated": (int(t.sum()), int(y[t].sum())), "control": (int((~t).sum()), int(y[~t].sum()))}
    small = [f"{name}: {n:,} customers, {b:,} buyers" for name, (n, b) in arms.items()
             if n < MIN_ARM_CUSTOMERS or min(b, n - b) < MIN_ARM_OUTCOMES]
    if not small:
        return None
    return (f"the uplift model needs at least {MIN_ARM_CUSTOMERS} customers in each arm of the test, with at least "
            f"{MIN_ARM_OUTCOMES} buyers and {MIN_ARM_OUTCOMES} non-buyers in each ({'; '.join(small)})")


@dataclass(frozen=True)
class UpliftCheck:
    """Does the cross-fitted uplift model rank customers better than chance? (:func:`check_uplift_model`)

    The held-out customers are split by predicted uplift into the top ``top_share`` and the rest; random
    targeting would give both the same observed uplift. The model passes when the top group's observed
    uplift exceeds the rest's and the ``level`` interval of the difference lies above zero.

    Attributes
    ----------
    top_share : float
        Share of customers in the top group (0-1).
    top_uplift, rest_uplift : float
        Observed uplift (treated rate minus control rate, -1 to 1) in the top group and in the rest.
    difference, low, high : float
        ``top_uplift - rest_uplift`` and its interval at ``level`` (normal approximation, -2 to 2).
    level : float
    """

    top_share: float
    top_uplift: float
    rest_uplift: float
    difference: float
    low: float
    high: float
    level: float

    @property
    def passed(self) -> bool:
        """The model's top group gained more from the offer than the rest, beyond chance."""
        return bool(np.isfinite(self.low) and self.low > 0)

    def sentence(self) -> str:
        """What the check found, in words from its numbers."""
        verdict = ("so the model finds the customers the offer moves" if self.passed else
                   "a difference within chance, so the model does not rank customers better than random targeting")
        return (f"on held-out predictions, the top {self.top_share:.0%} by predicted uplift gained "
                f"{100 * self.top_uplift:+.1f} pp from the offer against {100 * self.rest_uplift:+.1f} pp for the rest "
                f"({self.level:.0%} interval of the difference {100 * self.low:+.1f} to {100 * self.high:+.1f} pp): {verdict}")


def check_uplift_model(predictions: pd.DataFrame, top_share: float = 0.3, level: float = 0.90) -> UpliftCheck:
    """Held-out check of an uplift ranking: observed uplift in the top ``top_share`` by ``uplift`` vs the rest.

    Parameters
    ----------
    predictions : DataFrame
        :attr:`UpliftFit.predictions` (``treated``, ``outcome``, ``uplift``, cross-fitted).
    top_share : float
        Share of customers in the top group (0-1).
    level : float
        Confidence level of the interval of the difference.

    Returns
    -------
    UpliftCheck
    """
    from scipy import stats

    u = predictions["uplift"].to_numpy(dtype=float)
    top = np.zeros(len(u), dtype=bool)
    top[np.argsort(-u, kind="stable")[: max(int(round(top_share * len(u))), 1)]] = True
    t, y = predictions["treated"].to_numpy(dtype=bool), predictions["outcome"].to_numpy(dtype=float)
    a, b = two_proportion_uplift(y[top], t[top], level), two_proportion_uplift(y[~top], t[~top], level)
    diff, se = a.uplift - b.uplift, float(np.hypot(a.se, b.se))
    z = stats.norm.ppf(0.5 + level / 2)
    return UpliftCheck(float(top_share), float(a.uplift), float(b.uplift), float(diff), float(diff - z * se),
                       float(diff + z * se), float(level))


def qini_curve(score, treated, outcome) -> pd.DataFrame:
    """Qini curve: incremental responders when targeting customers in order of ``score``.

    ``Q(n) = R_t(n) - R_c(n) * N_t(n) / N_c(n)``: responders among the treated in the top ``n``, minus
    control responders scaled to the same number of treated. Ties in ``score`` are broken by a stable sort.

    Returns
    -------
    DataFrame, shape (n + 1, 2)
        ``share_targeted`` (0-1) and ``incremental`` (responders), starting at (0, 0).
    """
    s = np.asarray(score, dtype=float)
    t = np.asarray(treated, dtype=bool)
    y = np.asarray(outcome, dtype=float)
    order = np.argsort(-s, kind="stable")
    t, y = t[order], y[order]
    nt, nc = np.cumsum(t), np.cumsum(~t)
    rt, rc = np.cumsum(y * t), np.cumsum(y * ~t)
    q = rt - np.divide(rc * nt, nc, out=np.zeros(len(y)), where=nc > 0)
    return pd.DataFrame({"share_targeted": np.r_[0.0, np.arange(1, len(y) + 1) / len(y)], "incremental": np.r_[0.0, q]})


def qini_coefficient(score, treated, outcome) -> float:
    """Normalised Qini: (area of the model's Qini curve − random) / (area of the perfect curve − random).

    1 is a perfect ranking, 0 is random targeting, negative is worse than random. The perfect ranking
    puts treated responders first and control responders last (it allows for customers the
    treatment harms), so the measure is comparable across data sets.
    """
    t = np.asarray(treated, dtype=bool)
    y = np.asarray(outcome, dtype=float)

    def area(sc):
        c = qini_curve(sc, t, y)
        return float(np.trapezoid(c["incremental"], c["share_targeted"])), float(c["incremental"].iloc[-1])

    model, total = area(score)
    perfect, _ = area(y * t - y * ~t)
    random = total / 2.0
    return (model - random) / (perfect - random)


def uplift_at_k(score, treated, outcome, k: float = 0.3) -> float:
    """Observed uplift (treated response rate − control response rate) in the top ``k`` share by ``score``."""
    s = np.asarray(score, dtype=float)
    t = np.asarray(treated, dtype=bool)
    y = np.asarray(outcome, dtype=float)
    top = np.argsort(-s, kind="stable")[: max(int(round(k * len(s))), 1)]
    return two_proportion_uplift(y[top], t[top]).uplift


def uplift_segments(p_control, uplift, uplift_threshold: float = 0.05, base_threshold: float = 0.5) -> np.ndarray:
    """Label customers from predicted effects.

    Rules: ``persuadable`` uplift >= +t; ``sleeping_dog`` uplift <= −t (the campaign pushes them
    away); otherwise ``sure_thing`` when P(outcome | control) >= ``base_threshold`` (they buy anyway)
    and ``lost_cause`` below it.

    Returns
    -------
    ndarray of str, shape (n,)
    """
    u = np.asarray(uplift, dtype=float)
    pc = np.asarray(p_control, dtype=float)
    return np.select([u >= uplift_threshold, u <= -uplift_threshold, pc >= base_threshold],
                     ["persuadable", "sleeping_dog", "sure_thing"], "lost_cause").astype(object)


def uplift_value(predictions: pd.DataFrame, segments, value_per_response: float, cost_per_contact: float) -> pd.DataFrame:
    """Money at stake under three targeting policies, from held-out predicted effects.

    Per targeted customer the expected profit is ``uplift * value_per_response - cost_per_contact``.
    Policies: contact everyone, contact the ``persuadable`` segment only, contact the top of the
    response model (as many customers as there are persuadables). Realised values use the observed
    randomised outcomes inside each policy's audience (treated rate − control rate).

    Returns
    -------
    DataFrame, 3 rows
        ``policy``, ``customers`` targeted, ``predicted_uplift`` and ``observed_uplift`` (rates, 0-1),
        ``expected_profit`` (currency units, from the observed uplift).
    """
    seg = np.asarray(segments, dtype=object)
    n_target = int((seg == "persuadable").sum())
    by_response = np.zeros(len(seg), dtype=bool)
    by_response[np.argsort(-predictions["response"].to_numpy(), kind="stable")[:n_target]] = True
    policies = {"everyone": np.ones(len(seg), dtype=bool), "persuadables only": seg == "persuadable",
                "response model (same number)": by_response}
    rows = []
    t = predictions["treated"].to_numpy(dtype=bool)
    y = predictions["outcome"].to_numpy(dtype=float)
    for name, mask in policies.items():
        obs = two_proportion_uplift(y[mask], t[mask]).uplift
        n = int(mask.sum())
        rows.append({"policy": name, "customers": n, "predicted_uplift": float(predictions["uplift"].to_numpy()[mask].mean()),
                     "observed_uplift": float(obs), "expected_profit": float(n * (obs * value_per_response - cost_per_contact))})
    return pd.DataFrame(rows)


def segment_effects(predictions: pd.DataFrame, segments) -> pd.DataFrame:
    """Predicted and observed effect per predicted uplift segment (held-out, randomised data).

    Returns
    -------
    DataFrame, one row per segment of :data:`UPLIFT_GROUPS` present: ``customers``, ``share`` (0-1),
    ``predicted_uplift``, ``treated_rate``, ``control_rate``, ``observed_uplift`` (rates, 0-1), and the
    observed uplift's standard error ``uplift_se`` and 90% interval ``uplift_low`` / ``uplift_high``
    (:func:`customer_workbook.stats.two_proportion_uplift`).
    """
    f = predictions.assign(segment=np.asarray(segments, dtype=object))
    rows = []
    for name in UPLIFT_GROUPS:
        g = f[f["segment"] == name]
        if g.empty:
            continue
        tr, co = g.loc[g["treated"], "outcome"], g.loc[~g["treated"], "outcome"]
        measured = two_proportion_uplift(g["outcome"], g["treated"])
        rows.append({"segment": name, "customers": len(g), "share": len(g) / len(f),
                     "predicted_uplift": float(g["uplift"].mean()),
                     "treated_rate": float(tr.mean()) if len(tr) else np.nan,
                     "control_rate": float(co.mean()) if len(co) else np.nan,
                     "observed_uplift": measured.uplift, "uplift_se": measured.se,
                     "uplift_low": measured.low, "uplift_high": measured.high})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class UpliftTargeting:
    """The uplift model applied to the current base (:func:`base_targeting`).

    Attributes
    ----------
    table : DataFrame
        One row per predicted segment (see :func:`base_targeting`).
    value_at_stake : float
        Profit of contacting persuadables only minus profit of contacting everyone (currency units).
    segments : Series
        Predicted segment of each scored customer (indexed like the scores).
    """

    table: pd.DataFrame
    value_at_stake: float
    segments: pd.Series

    def customers(self, segment: str) -> int:
        """Customers predicted to be in ``segment`` (0 when none)."""
        return int(self.table.set_index("segment")["customers"].get(segment, 0))


def base_targeting(scored: pd.DataFrame, value_per_response: float, cost_per_contact: float,
                   uplift_threshold: float = 0.05, base_threshold: float = 0.5) -> UpliftTargeting:
    """Apply the uplift model to the current base: who to contact, who to leave alone, and the money.

    Customers are segmented by predicted uplift (:func:`uplift_segments`). Their expected uplift is the
    ``measured_uplift`` of the scores when present (:meth:`UpliftFit.score`: measured on the campaign's
    held-out customers with a like prediction, without the overstatement of the predicted extremes), else the
    predicted ``uplift``. For each segment: expected profit if contacted = sum(expected uplift) ×
    ``value_per_response`` − customers × ``cost_per_contact``. A customer whose expected uplift is negative
    would buy less when contacted: the campaign's outcome (one order in its window) they would not place is
    ``orders_at_risk``, valued in the same unit as the campaign (``value_per_response``, the margin of one
    order) as ``margin_at_risk``; not in next-year customer value, which the campaign's outcome does not measure.

    Returns
    -------
    UpliftTargeting
        ``table``: one row per segment present, in :data:`UPLIFT_GROUPS` order: ``segment``, ``customers``,
        ``mean_uplift`` (expected, as above), ``incremental_buyers``, ``orders_at_risk`` (orders a contact would
        lose, per campaign), ``margin_at_risk`` (their margin, currency units), ``profit_if_contacted`` (currency
        units) and ``decision``; ``value_at_stake`` (profit of contacting persuadables only minus profit of
        contacting everyone, currency units) and each customer's ``segments``.
    """
    seg = uplift_segments(scored["p_control"], scored["uplift"], uplift_threshold, base_threshold)
    f = scored.assign(segment=seg, expected=scored["measured_uplift"] if "measured_uplift" in scored else scored["uplift"])
    f["lost"] = np.clip(-f["expected"], 0, None)  # orders in the campaign window a contact takes away
    g = f.groupby("segment")
    out = pd.DataFrame({"customers": g.size(), "mean_uplift": g["expected"].mean(), "incremental_buyers": g["expected"].sum(),
                        "orders_at_risk": g["lost"].sum()})
    out["margin_at_risk"] = out["orders_at_risk"] * value_per_response
    out["profit_if_contacted"] = out["incremental_buyers"] * value_per_response - out["customers"] * cost_per_contact
    out = out.reindex([g for g in UPLIFT_GROUPS if g in out.index])
    out["decision"] = [UPLIFT_DECISIONS[i] for i in out.index]
    everyone = out["profit_if_contacted"].sum()
    persuadable = out["profit_if_contacted"].get("persuadable", 0.0)
    return UpliftTargeting(out.rename_axis("segment").reset_index(), float(persuadable - everyone),
                     pd.Series(seg, index=scored.index, name="segment"))
