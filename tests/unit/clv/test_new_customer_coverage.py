"""The 90% intervals of the value of a new customer per channel (customer_workbook.clv.group_clv) cover the truth
at close to their nominal rate over repeated seeded sample companies (issue 16).

Each company is generated with :func:`customer_workbook.sample.generate_sample` (3,000 customers, about 1,200
acquired in the window, 100-450 per channel) and has its own truth (``truth["acquisition"]["channels"][c]
["expected_clv"]``, the mean over the customers that channel acquired). An interval covers when
``clv_low <= truth <= clv_high``; channels valued with the pooled model (no interval) and channels whose
interval is hidden (too many failed refits) do not count.

Measured (n_boot 30, purchase model chosen on held-out data, the truth counting the chance of leaving right after
the first order and each customer's expected order value per persona and spend-multiplier band): over seeds 1-40,
190 of 200 intervals cover, **95.0%** (3.0% of the truths fall below the interval, 2.0% above); no refit failed;
every channel was valued with a model of its own; CLV / truth averages 1.013 (per channel 0.959-1.033). Before the
order-value band (truth proportional to the spend multiplier): 184 of 200, 92.0%, 4.0% below and 4.0% above.

How it got there (seeds 1-20): with numpy's default quantile interpolation the same draws covered 84.9% (73 of
86: the 5% and 95% quantiles of 30 draws span 84% of further draws), hence the "weibull" plotting positions of
``new_customers._percentile`` (91.9%; 100 draws gave 95.3%). Then BG/NBD fits whose ``a`` and ``b`` run off
together were valued as the same-dropout limit instead of with the pooled model (14 pooled channels of 100
became 1; the pooled referral values had been 0.55-0.77 of the truth).
"""
from __future__ import annotations

import pandas as pd
import pytest

N_CUSTOMERS = 3000
N_BOOT = 30


def _intervals(seeds) -> pd.DataFrame:
    """One row per valued channel and seed: ``seed``, ``group``, ``model``, ``clv``, ``low``, ``high``, ``truth``,
    ``failed``."""
    from customer_workbook import clv
    from customer_workbook.sample import generate_sample

    rows = []
    for seed in seeds:
        company = generate_sample(n_customers=N_CUSTOMERS, seed=seed)
        tx, customers = company.tables["transactions"], company.tables["customers"]
        new = customers["signup_date"] >= tx["date"].min().normalize()  # acquisition.acquired_customers' rule
        acquired = pd.DataFrame({"customer_id": customers.loc[new, "customer_id"].astype(str),
                                 "channel": customers.loc[new, "acquisition_channel"].astype(str)})
        result = clv.group_clv(tx, acquired, n_boot=N_BOOT, seed=seed)
        truth = company.truth["acquisition"]["channels"]
        rows += [{"seed": seed, "group": r.group, "model": r.model, "clv": r.clv, "low": r.clv_low,
                  "high": r.clv_high, "truth": truth[r.group]["expected_clv"], "failed": result.failed.get(r.group, 0)}
                 for r in result.table.itertuples()]
    return pd.DataFrame(rows)


def _coverage(found: pd.DataFrame) -> tuple[float, int]:
    shown = found[found["low"].notna()]
    return float(((shown["low"] <= shown["truth"]) & (shown["truth"] <= shown["high"])).mean()), len(shown)


def test_intervals_cover_the_truth_on_a_few_companies():
    """Fast variant, seeds 1-6: 30 of 30 intervals cover; every channel has a model of its own and an
    interval (no refit failed), and its point estimate is within 0.86-1.22 of the truth."""
    found = _intervals(range(1, 7))
    rate, n = _coverage(found)
    assert n >= 25 and rate >= 0.75, (rate, n)
    own = found[found["model"] == "own"]
    assert own["low"].notna().all() and (own["failed"] == 0).all()
    ratio = own["clv"] / own["truth"]
    assert ratio.between(0.75, 1.35).all(), ratio.round(3).tolist()


@pytest.mark.slow
def test_intervals_cover_the_truth_at_close_to_their_nominal_rate():
    """Seeds 1-40: 190 of 200 intervals cover (95.0%), within 0.80-0.97 around the nominal 0.90, and the misses
    fall on both sides (3.0% below, 2.0% above: no bias)."""
    found = _intervals(range(1, 41))
    rate, n = _coverage(found)
    assert n >= 180 and 0.80 <= rate <= 0.97, (rate, n)
    shown = found[found["low"].notna()]
    below, above = (shown["truth"] < shown["low"]).mean(), (shown["truth"] > shown["high"]).mean()
    assert max(below, above) <= 0.12, (below, above)
    assert (found.loc[found["model"] == "own", "clv"] / found.loc[found["model"] == "own", "truth"]).mean() \
        == pytest.approx(1.0, abs=0.05)
