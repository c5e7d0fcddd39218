"""Closing the back door: who a retention offer persuades, who buys anyway and who it pushes away.

A two-model uplift learner, cross-fitted so every prediction is out of sample, judged on randomised
campaign data (Qini, uplift at k, measured uplift per predicted segment) and applied to the base."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..stats import two_proportion_uplift
from ..threads import one_thread

__all__ = ["UPLIFT_GROUPS", "UpliftFit", "UpliftTargeting", "base_targeting", "fit_uplift", "qini_coefficient", "qini_curve",
           "segment_effects", "uplift_at_k", "uplift_features", "uplift_segments", "uplift_value"]

#: Uplift groups: whom to target, whom to leave alone.
UPLIFT_GROUPS = ("persuadable", "sure_thing", "lost_cause", "sleeping_dog")


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
    all rows, for scoring customers outside the campaign.
    """

    predictions: pd.DataFrame
    models: tuple
    features: list[str]

    def score(self, features: pd.DataFrame) -> pd.DataFrame:
        """``p_treated``, ``p_control`` and ``uplift`` for new customers (same feature columns)."""
        x = features[self.features].to_numpy(dtype=float)
        with one_thread():
            pt = self.models[0].predict_proba(x)[:, 1]
            pc = self.models[1].predict_proba(x)[:, 1]
        return pd.DataFrame({"p_treated": pt, "p_control": pc, "uplift": pt - pc}, index=features.index)


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
    return UpliftFit(predictions=preds, models=models, features=list(features.columns))


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


def base_targeting(scored: pd.DataFrame, values: pd.DataFrame, value_per_response: float, cost_per_contact: float,
                   uplift_threshold: float = 0.05, base_threshold: float = 0.5) -> UpliftTargeting:
    """Apply the uplift model to the current base: who to contact, who to leave alone, and the money.

    For each predicted segment: expected profit if contacted = sum(uplift) × ``value_per_response``
    − customers × ``cost_per_contact``. Customers whose predicted uplift is negative are expected to
    be *lost* when contacted; their loss is valued at their 1-year CLV.

    Returns
    -------
    UpliftTargeting
        ``table``: one row per segment present, in :data:`UPLIFT_GROUPS` order: ``segment``, ``customers``,
        ``mean_uplift``, ``incremental_buyers``, ``clv_at_risk`` (1-year CLV of those the contact would push
        away, currency units), ``profit_if_contacted`` (currency units) and ``decision``; ``value_at_stake``
        (profit of contacting persuadables only minus profit of contacting everyone, currency units) and
        each customer's ``segments``.
    """
    seg = uplift_segments(scored["p_control"], scored["uplift"], uplift_threshold, base_threshold)
    f = scored.assign(segment=seg, clv_1y=values["clv_1y"].reindex(scored.index).fillna(0.0).to_numpy())
    f["loss"] = np.clip(-f["uplift"], 0, None) * f["clv_1y"]
    g = f.groupby("segment")
    out = pd.DataFrame({"customers": g.size(), "mean_uplift": g["uplift"].mean(), "incremental_buyers": g["uplift"].sum(),
                        "clv_at_risk": g["loss"].sum()})
    out["profit_if_contacted"] = out["incremental_buyers"] * value_per_response - out["customers"] * cost_per_contact
    decision = {"persuadable": "contact: the offer changes what they do", "sure_thing": "leave alone: they buy anyway",
                "lost_cause": "leave alone: the offer does not move them",
                "sleeping_dog": "do not contact: the offer pushes them away"}
    out = out.reindex([g for g in UPLIFT_GROUPS if g in out.index])
    out["decision"] = [decision[i] for i in out.index]
    everyone = out["profit_if_contacted"].sum()
    persuadable = out["profit_if_contacted"].get("persuadable", 0.0)
    return UpliftTargeting(out.rename_axis("segment").reset_index(), float(persuadable - everyone),
                     pd.Series(seg, index=scored.index, name="segment"))
