"""The one customer-value scorer: fit the customer-base models once per run and score every customer.

Every report that needs the value of an *existing* customer calls :func:`score_customers` (the value of a
*new* customer per channel or persona is :func:`customer_workbook.clv.group_clv`, a population-level
use of the same models). The choices, each a parameter with a stated default:

* **Which customers** - everyone with a purchase in the history before ``as_of`` (lines dated on or after
  ``as_of`` are ignored). Purchases are counted per calendar day and measured in weeks (``freq="D",
  time_unit="W"``, the construction of the published CDNOW analyses); the history ends on the day before
  ``as_of`` (default: the last transaction day, so ``as_of`` is the day after it).
* **Which models** - the purchase model (repeat purchases and P(alive)) is chosen on held-out data among
  BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam, Denizel & Filiztekin 2007; Pareto/NBD on request,
  ``models=``): :func:`~customer_workbook.clv.selection.compare_models` fits each on the history up to a
  calibration date, compares its predicted repeat purchases per customer in the rest with the actual ones and
  with a naive baseline (each customer's past rate), and the best that converged with no parameter at a bound
  is refitted on the whole history. Spend per purchase: Gamma-Gamma (Fader, Hardie & Lee 2005b). All by exact
  maximum likelihood.
* **Fitting sample** - a seeded random sample of at most ``max_fit_customers`` customers (default 50,000:
  parameters are then precise to well under a standard error of the full-base fit, and a million-customer
  base fits in seconds); every customer is scored. The report states how many were fitted.
* **Gamma-Gamma on repeat buyers** - the model describes the mean value of *repeat* purchases (the first
  purchase is left out of ``monetary_value``, it is often atypical), so a one-time buyer carries no
  information about it; they get the population mean spend ``p gamma / (q - 1)``.
* **Value** - ``CLV_h = margin x expected spend x sum_k P(alive) E[orders in month k | alive] / (1+d)^k``
  over ``horizons_months`` (default 12 and 36), ``d`` the monthly rate of ``discount_rate`` a year.

One-time buyers get the chosen model's P(alive): 1 by construction under BG/NBD (nobody drops out before a
repeat purchase; see issue 16), below 1 under MBG/NBD and Pareto/NBD, which let a customer leave after the first
purchase; their expected orders come from the model and their spend is the population mean. Customers whose
first purchase is on the last day of history (T = 0) are scored as newly acquired: P(alive) 1 (``b/(a+b)`` under
MBG/NBD), the population's expected orders and spend.
No customer with a purchase gets NaN; a fit that fails or lands on a bound is flagged in the
:class:`FitReport` (with the warnings it raised), never silenced.

Usage::

    from customer_workbook import clv
    scores = clv.score_customers(ds.transactions, margin=0.35, seed=7)
    scores.table[["p_alive", "expected_orders_1y", "expected_spend", "clv_1y", "clv_3y"]]
    scores.report.sentence()      # "MBG/NBD converged on 19,519 customers; ... Purchase model MBG/NBD, chosen ..."
    scores.report.choice          # ModelChoice: holdout error of each model and of the baseline
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..threads import one_thread
from ._fitting import LOG_BOUND
from ._validation import CLVInputError
from .data import rfm_summary
from .diagnostics import SpendIndependenceCheck, spend_frequency_correlation
from .models import BGNBDModel, GammaGammaModel, MBGNBDModel
from .selection import DEFAULT_MODELS, MODELS, ModelChoice, compare_models
from .value import DAYS_PER_MONTH, customer_lifetime_value, monthly_discount_factors
from ..findings import date_words

__all__ = ["MIN_REPEAT_BUYERS", "ModelFit", "FitReport", "CustomerValue", "score_customers", "horizon_label"]

#: Repeat buyers the spend model (Gamma-Gamma) needs: on seeded tiny bases, 15 repeat buyers gave a fit that passed
#: its checks in 3 of 12 draws, and the spread of mean spends is poorly known below about 30.
MIN_REPEAT_BUYERS = 30


def horizon_label(months: int) -> str:
    """Column suffix of a horizon: ``1y``, ``3y`` for whole years, else ``18m``."""
    return f"{months // 12}y" if months % 12 == 0 else f"{months}m"


@dataclass(frozen=True)
class ModelFit:
    """How one model's fit went.

    Attributes
    ----------
    model : str
        ``"BG/NBD"``, ``"MBG/NBD"``, ``"Pareto/NBD"`` or ``"Gamma-Gamma"``.
    converged : bool
        Gradient ~0 and no parameter at a bound; False also when the fit failed.
    params, standard_errors : dict
        Estimates and their standard errors (empty when the fit failed).
    at_bound : tuple of str
        Parameters at the optimiser bound ``exp(+-15)``: the model does not suit the data.
    n_customers : int
        Customers the model was fitted on.
    warnings : tuple of str
        Every warning the fit raised (recorded, not silenced).
    error : str or None
        Why the fit failed, if it did.
    """

    model: str
    converged: bool
    params: dict = field(default_factory=dict)
    standard_errors: dict = field(default_factory=dict)
    at_bound: tuple = ()
    n_customers: int = 0
    warnings: tuple = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Usable without reservation: converged, no bound, no error."""
        return self.error is None and self.converged and not self.at_bound


@dataclass(frozen=True)
class FitReport:
    """What the scorer fitted and how well.

    Attributes
    ----------
    as_of : Timestamp
        Scoring date; the history ends the day before.
    n_scored, n_fitted : int
        Customers scored and customers in the fitting sample (``max_fit_customers`` seeded sample).
    max_fit_customers, seed : int
        The sample-size choice and its seed.
    purchases, spend : ModelFit
        Fits of the chosen purchase model (``model`` names it) on the whole history and of Gamma-Gamma.
    spend_frequency : SpendIndependenceCheck or None
        Correlation of frequency and mean repeat spend (Gamma-Gamma assumes none); None with < 3 repeat buyers.
    n_one_time, n_new : int
        Scored customers without a repeat purchase, and of them those first seen on the last day (T = 0).
    data_warnings : tuple of str
        Warnings raised while building the RFM table (e.g. customers whose lines net to a refund).
    n_not_finite : int
        Customers with a NaN or infinite score (only when a fit failed or sits at a bound).
    scoring_warnings : tuple of str
        Numerical warnings raised while scoring (e.g. overflow at extreme parameters).
    choice : ModelChoice or None
        The holdout comparison of the purchase models and the reason for the one used
        (:func:`~customer_workbook.clv.selection.compare_models`).
    """

    as_of: pd.Timestamp
    n_scored: int
    n_fitted: int
    max_fit_customers: int
    seed: int
    purchases: ModelFit
    spend: ModelFit
    spend_frequency: SpendIndependenceCheck | None
    n_one_time: int
    n_new: int
    data_warnings: tuple = ()
    n_not_finite: int = 0
    scoring_warnings: tuple = ()
    choice: ModelChoice | None = None

    @property
    def ok(self) -> bool:
        """Both models fitted without reservation, every score finite, the spend-frequency check passed and the
        chosen purchase model predicted the held-out purchases better than the naive baseline."""
        return (self.purchases.ok and self.spend.ok and self.n_not_finite == 0
                and (self.spend_frequency is None or self.spend_frequency.passed)
                and self.choice is not None and self.choice.beats_baseline)

    def sentence(self) -> str:
        """One Markdown sentence for a report; text from the data is escaped."""
        from ..escaping import md

        parts = []
        for fit in (self.purchases, self.spend):
            if fit.error is not None:
                parts.append(f"{fit.model} failed ({md(fit.error, 200)})")
                continue
            state = "converged" if fit.converged else "did not converge"
            bound = (f"parameter(s) {', '.join(map(md, fit.at_bound))} at a bound" if fit.at_bound
                     else "no parameter at a bound")
            parts.append(f"{fit.model} {state} on {fit.n_customers:,} customers; {bound}")
        text = "; ".join(parts)
        if self.n_fitted < self.n_scored - self.n_new:
            text += f" (a seeded sample of {self.n_fitted:,} of the {self.n_scored - self.n_new:,} customers)"
        c = self.spend_frequency
        if c is not None:
            text += (f". Spend and frequency {'are independent enough' if c.passed else 'are correlated'} "
                     f"(r = {c.correlation:.2f}) for the spend model")
        if self.n_not_finite:
            text += f". {self.n_not_finite:,} customers could not be scored (no finite value): do not use these values"
        if self.n_not_finite < self.n_scored and self.purchases.model == "BG/NBD":
            text += (f". {self.n_one_time:,} customers without a repeat purchase are scored with P(alive) 1 "
                     "(a BG/NBD property)")
        return text + ". " + self._choice_sentence()

    def _choice_sentence(self) -> str:
        """Which purchase model and why, with the holdout numbers."""
        c = self.choice
        if c is None:
            return "No holdout check was run."
        if not c.checked:
            return f"Purchase model: {c.reason}."
        s = c.chosen_score
        lead = "chosen on held-out data" if s is not None and s.passed else "checked on held-out data"
        text = (f"Purchase model {c.chosen}, {lead}: fitted on the history to {date_words(c.calibration_end)}, "
                f"the models predicted the next {c.holdout_weeks:.0f} weeks; {c.reason}.")
        if s is not None and np.isfinite(s.predicted_total):
            text += (f" Predicted {s.predicted_total:,.0f} repeat purchases against {c.actual_total:,.0f} actual "
                     f"(the naive rate baseline {c.baseline_total:,.0f}).")
        drift = c.drift_sentence()
        return f"{text} {drift}" if drift else text


@dataclass(frozen=True)
class CustomerValue:
    """Scores of every customer and the fit behind them (:func:`score_customers`).

    Attributes
    ----------
    table : DataFrame
        Index ``customer_id`` (text); ``frequency`` (repeat purchase days), ``recency`` and ``T`` (weeks),
        ``monetary_value`` (mean repeat purchase, currency units), ``p_alive`` (0-1), ``expected_orders_1y``
        (expected purchase days in the next 12 months), ``expected_spend`` (per order, currency units) and
        ``clv_<h>`` per horizon (discounted margin, currency units, e.g. ``clv_1y``, ``clv_3y``).
    report : FitReport
    purchase_model : BGNBDModel, MBGNBDModel, ParetoNBDModel or None
        The chosen purchase model refitted on the whole history.
    spend_model : GammaGammaModel or None
    margin, discount_rate : float
        Profit margin (share of revenue) and yearly discount rate used.
    horizons_months : tuple of int
    holdout : DataFrame or None
        Calibration customers with ``frequency_holdout`` (actual), ``predicted_<model>`` and ``baseline``
        holdout repeat purchases (None when the history was too short for a holdout check).
    calibration_models : dict
        The candidate models fitted on the calibration period, by name (for calibration/tracking plots).
    """

    table: pd.DataFrame
    report: FitReport
    purchase_model: BGNBDModel | None
    spend_model: GammaGammaModel | None
    margin: float
    discount_rate: float
    horizons_months: tuple
    holdout: pd.DataFrame | None = None
    calibration_models: dict = field(default_factory=dict)

    def clv(self, months: int = 12) -> pd.Series:
        """CLV column of one horizon (months)."""
        return self.table[f"clv_{horizon_label(int(months))}"]

    def score(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Score any batch of customers with the fitted models: ``rows`` holds ``frequency``, ``recency``,
        ``T`` (weeks) and ``monetary_value`` (the CLV statistics, as in :attr:`table`); returns them with the
        score columns of :attr:`table` added. Vectorised, and each row depends only on itself and the
        models, so a large base can be scored in pieces, e.g. in a Spark pandas UDF::

            value = score_customers(sample_lines)        # fit once, on the driver
            scores = stats.mapInPandas(lambda parts: (value.score(p) for p in parts), schema)
        """
        new = (rows["T"] == 0).to_numpy()
        return _score(rows, new, self.purchase_model, self.spend_model, self.margin, self.discount_rate,
                      self.horizons_months)


def _fit(model, rows, name: str, **kw):
    """Fit ``model`` on ``rows`` recording warnings; (model or None, ModelFit)."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        try:
            model.fit(rows, **kw)
            error = None
        except (ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
            error = str(exc)
    messages = tuple(dict.fromkeys(str(w.message) for w in caught))
    if error is not None or model.params_ is None:
        return None, ModelFit(name, False, warnings=messages, error=error or "no estimate")
    z = np.log(model.params_.to_numpy())
    at_bound = tuple(n for n, v in zip(model.param_names, z, strict=True) if abs(v) >= LOG_BOUND - 1e-6)
    return model, ModelFit(name, bool(model.converged_), model.params, model.standard_errors_.to_dict(), at_bound,
                           int(model.n_customers_ or 0), messages)


def _rfm(transactions: pd.DataFrame, as_of: pd.Timestamp):
    """RFM table (days as purchase periods, weeks as unit) of history before ``as_of``, integer-coded ids."""
    tx = transactions.loc[(transactions["date"] < as_of).to_numpy()]
    if tx.empty:
        raise CLVInputError(f"no transactions before {as_of:%Y-%m-%d}")
    codes, ids = pd.factorize(tx["customer_id"])  # integers sort and compare much faster than text
    coded = pd.DataFrame({"customer_id": codes, "date": tx["date"].to_numpy(), "amount": tx["amount"].to_numpy()})
    end = as_of - pd.Timedelta(days=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        periods = _with_new(coded, end)
    index = pd.Index(np.asarray(ids, dtype=object)[periods.index.to_numpy()], name="customer_id").astype(str)
    periods.index = index
    return periods, tuple(dict.fromkeys(str(w.message) for w in caught if "T = 0" not in str(w.message)))


def _with_new(coded: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """``rfm_summary`` plus the customers it leaves out because their first purchase is on ``end`` (T = 0)."""
    rfm = rfm_summary(coded, end, freq="D", time_unit="W").table
    first = coded.loc[coded["amount"].to_numpy() > 0].groupby("customer_id")["date"].min().dt.normalize()
    new = first.index[(first == end.normalize()).to_numpy()].difference(rfm.index)
    if len(new):
        extra = pd.DataFrame({"frequency": 0, "recency": 0.0, "T": 0.0, "monetary_value": 0.0}, index=new)
        rfm = pd.concat([rfm, extra.astype(rfm.dtypes.to_dict())])
    return rfm


def score_customers(transactions: pd.DataFrame, as_of=None, *, margin: float = 1.0, discount_rate: float = 0.10,
                    horizons_months=(12, 36), max_fit_customers: int = 50_000, seed: int = 0,
                    models=DEFAULT_MODELS) -> CustomerValue:
    """Choose the purchase model on held-out data, fit it + Gamma-Gamma and score every customer before ``as_of``.

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions: ``customer_id``, ``date``, ``amount`` (currency units; negative = return).
    as_of : date-like, optional
        Scoring date; history is every line dated before it. Default: the day after the last transaction day.
    margin : float
        Profit margin as a share of revenue (1.0 = revenue value).
    discount_rate : float
        Yearly discount rate (0.10 = 10% a year), applied monthly.
    horizons_months : tuple of int
        CLV horizons in months; one ``clv_<h>`` column each (``clv_1y`` for 12, ``clv_3y`` for 36).
    max_fit_customers : int
        The models are fitted on a seeded random sample of at most this many customers (T > 0); all are scored.
    seed : int
        Seed of the fitting sample.
    models : sequence of str
        Candidate purchase models (names of :data:`~customer_workbook.clv.selection.MODELS`), compared on a
        calibration/holdout split (:func:`~customer_workbook.clv.selection.compare_models`); the best that passes
        its fit checks is refitted on the whole history. The first is used when the history is too short.

    Returns
    -------
    CustomerValue
        ``table`` (one row per customer, no NaN) and ``report`` (:class:`FitReport`). When a model cannot be
        fitted, its scores are NaN and the report says why - check ``report.ok``.
    """
    last = pd.Timestamp(transactions["date"].max()).normalize()
    as_of = last + pd.Timedelta(days=1) if as_of is None else pd.Timestamp(as_of).normalize()
    horizons = tuple(int(h) for h in horizons_months)
    rfm, data_warnings = _rfm(transactions, as_of)
    new = (rfm["T"] == 0).to_numpy()
    old = rfm.loc[~new]
    fit_rows = old if len(old) <= max_fit_customers else old.sample(n=max_fit_customers, random_state=seed)
    with one_thread():
        choice, holdout, calibration_models = compare_models(transactions, as_of, tuple(models), fit=_fit,
                                                             max_fit_customers=max_fit_customers, seed=seed)
        bg, bg_fit = _fit(MODELS[choice.chosen](), fit_rows, choice.chosen, time_unit="W")
        repeaters = fit_rows.loc[fit_rows["frequency"] > 0]
        gg, gg_fit = (_fit(GammaGammaModel(), repeaters, "Gamma-Gamma") if len(repeaters) >= MIN_REPEAT_BUYERS else
                      (None, ModelFit("Gamma-Gamma", False, error=f"only {len(repeaters):,} repeat buyers; the spend "
                                      f"model needs at least {MIN_REPEAT_BUYERS}")))
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            check = spend_frequency_correlation(repeaters) if len(repeaters) >= 3 else None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            table = _score(rfm, new, bg, gg, margin, discount_rate, horizons)
    scores = table.drop(columns=list(rfm.columns)).to_numpy(dtype=float)
    report = FitReport(as_of, len(rfm), len(fit_rows), int(max_fit_customers), int(seed), bg_fit, gg_fit, check,
                       int((rfm["frequency"] == 0).sum()), int(new.sum()), data_warnings,
                       int((~np.isfinite(scores)).any(axis=1).sum()),
                       tuple(dict.fromkeys(str(w.message) for w in caught)), choice)
    return CustomerValue(table, report, bg, gg, float(margin), float(discount_rate), horizons, holdout,
                         calibration_models)


def _score(rfm, new, bg, gg, margin, discount_rate, horizons) -> pd.DataFrame:
    """Per-customer scores; the T = 0 customers valued as newly acquired ones (population expectations)."""
    out = rfm.copy()
    year_weeks = 12 * DAYS_PER_MONTH / 7.0
    n = len(out)
    spend_ok = gg is not None and float(gg.params_["q"]) > 1
    if bg is None:
        out["p_alive"], out["expected_orders_1y"] = np.nan, np.nan
    else:
        # newly acquired customers: alive for sure, except in the MBG/NBD (dropout after the first purchase)
        p = np.full(n, bg.params["b"] / (bg.params["a"] + bg.params["b"]) if isinstance(bg, MBGNBDModel) else 1.0)
        orders = np.full(n, float(np.asarray(bg.expected_purchases_population(year_weeks))))
        old = out.loc[~new]
        p[~new] = np.asarray(bg.probability_alive(old), dtype=float)
        orders[~new] = np.asarray(bg.expected_purchases(year_weeks, old), dtype=float)
        out["p_alive"], out["expected_orders_1y"] = p, orders
    out["expected_spend"] = np.asarray(gg.expected_average_spend(out), dtype=float) if spend_ok else np.nan
    for h in horizons:
        col = f"clv_{horizon_label(h)}"
        if bg is None or not spend_ok:
            out[col] = np.nan
            continue
        value = np.empty(n)
        old = out.loc[~new]
        value[~new] = np.asarray(customer_lifetime_value(bg, gg, old, horizon_months=h, discount_rate=discount_rate,
                                                         rate_period="year", margin=margin), dtype=float)
        if new.any():  # population curve of a new customer, same discounting
            factors = monthly_discount_factors(h, discount_rate, "year")
            cum = np.asarray(bg.expected_purchases_population(DAYS_PER_MONTH / 7.0 * np.arange(1, h + 1)), dtype=float)
            value[new] = margin * gg.population_mean_spend() * float(np.diff(cum, prepend=0.0) @ factors)
        out[col] = value
    return out
