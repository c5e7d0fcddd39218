"""The 90% intervals of the value of a new customer per channel (customer_workbook.clv.group_clv) cover the truth
at close to their nominal rate over repeated seeded sample companies (issue 16).

Each company is generated with :func:`customer_workbook.sample.generate_sample` (3,000 customers, about 1,200
acquired in the window, 100-450 per channel) and has its own truth (``truth["acquisition"]["channels"][c]
["expected_clv"]``, the mean over the customers that channel acquired). An interval covers when
``clv_low <= truth <= clv_high``; channels valued with the pooled model (no interval) and channels whose
interval is hidden (too many failed refits) do not count.

Measured (n_boot 30, seeds 1-20): 79 of 86 intervals cover, **91.9%** (4.7% of the truths fall below the
interval, 3.5% above; no refit failed); CLV / truth averages 1.027 (0.82-1.32) for the channels with a model of
their own. With the default quantile interpolation of numpy the same draws covered 84.9% (73 of 86; the 5% and
95% quantiles of 30 draws then span 84% of further draws), hence the "weibull" plotting positions of
``new_customers._percentile``; with 100 draws they covered 95.3%. Over seeds 1-40 (the slow test): 162 of
172 intervals cover, **94.2%** (3.5% below, 2.3% above); 28 channels were valued with the pooled model (no
interval), none had a failed refit.
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
    """Fast variant, seeds 1-6: 23 of 25 intervals cover (92%); every channel with a model of its own has an
    interval (no refit failed), and its point estimate is within 0.82-1.25 of the truth."""
    found = _intervals(range(1, 7))
    rate, n = _coverage(found)
    assert n >= 20 and rate >= 0.75, (rate, n)
    own = found[found["model"] == "own"]
    assert own["low"].notna().all() and (own["failed"] == 0).all()
    ratio = own["clv"] / own["truth"]
    assert ratio.between(0.75, 1.35).all(), ratio.round(3).tolist()


@pytest.mark.slow
def test_intervals_cover_the_truth_at_close_to_their_nominal_rate():
    """Seeds 1-40: 162 of 172 intervals cover (94.2%), within 0.80-0.97 around the nominal 0.90, and the misses
    fall on both sides (3.5% below, 2.3% above: no bias)."""
    found = _intervals(range(1, 41))
    rate, n = _coverage(found)
    assert n >= 140 and 0.80 <= rate <= 0.97, (rate, n)
    shown = found[found["low"].notna()]
    below, above = (shown["truth"] < shown["low"]).mean(), (shown["truth"] > shown["high"]).mean()
    assert max(below, above) <= 0.12, (below, above)
    assert (found.loc[found["model"] == "own", "clv"] / found.loc[found["model"] == "own", "truth"]).mean() \
        == pytest.approx(1.0, abs=0.05)
