"""The real anchor of the campaign analysis (issue 16): the Hillstrom e-mail test, read by notebooks 03 and 05.

64,000 customers were randomised to a men's e-mail, a women's e-mail or none; the test recorded visits,
conversions and spend in the two weeks after (``REAL_DATA.md``). The lifts are computed here straight from the
raw file, and the notebooks' findings must reproduce them: the rates exactly, the intervals the textbook ones
(normal approximation for rates, Welch for spend) and covering the known lifts, and the segments that respond
the ones a Holm correction over the segments picks.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, run_notebook
from scipy import stats

from gauntlet import real_data

pytestmark = [pytest.mark.notebooks, pytest.mark.gauntlet]

ARMS = {"mens_email": "Mens E-Mail", "womens_email": "Womens E-Mail"}
RATES = {"visited": "visit", "converted": "conversion"}
#: Published per-arm results (REAL_DATA.md): men's / women's / no e-mail.
PUBLISHED = {"visit": (0.183, 0.151, 0.106), "conversion": (0.0125, 0.0088, 0.0057), "spend": (1.42, 1.08, 0.65)}
Z90 = stats.norm.ppf(0.95)


@pytest.fixture(scope="module")
def raw():
    try:
        return real_data._hillstrom()
    except real_data.Unreachable as exc:
        pytest.skip(f"hillstrom: the package index cannot be reached ({exc})")


@pytest.fixture(scope="module")
def hillstrom_dir(tmp_path_factory, raw):
    return real_data.write_hillstrom(tmp_path_factory.mktemp("hillstrom"))


@pytest.fixture(scope="module")
def findings(tmp_path_factory, hillstrom_dir):
    """{notebook: {key: value}} of notebooks 03 and 05 on the Hillstrom tables."""
    out = {}
    for notebook in ("03_strategy", "05_plan_components"):
        run = run_notebook(ROOT / "notebooks" / f"{notebook}.ipynb", tmp_path_factory.mktemp(notebook),
                           data_dir=str(hillstrom_dir))
        out[notebook] = {k: v["value"] for k, v in run["findings"].items()}
    return out


def test_the_raw_data_are_the_published_test(raw):
    for outcome, published in PUBLISHED.items():
        got = [raw.loc[raw["segment"] == s, outcome].mean() for s in ("Mens E-Mail", "Womens E-Mail", "No E-Mail")]
        assert got == pytest.approx(published, abs=0.0005 if outcome != "spend" else 0.005)


def _direct_rate_lift(raw: pd.DataFrame, arm: str, column: str) -> dict:
    """Arm and control rate, lift and its 90% normal-approximation interval, from the raw file."""
    a, c = raw.loc[raw["segment"] == ARMS[arm], column], raw.loc[raw["segment"] == "No E-Mail", column]
    pa, pc = a.mean(), c.mean()
    se = np.sqrt(pa * (1 - pa) / len(a) + pc * (1 - pc) / len(c))
    return {"arm": pa, "control": pc, "lift": pa - pc, "low": pa - pc - Z90 * se, "high": pa - pc + Z90 * se,
            "n_arm": len(a), "n_control": len(c)}


@pytest.mark.parametrize("notebook", ["03_strategy", "05_plan_components"])
def test_each_arm_reproduces_the_rates_and_their_intervals(raw, findings, notebook):
    lifts = findings[notebook]["campaign_arm_lifts"]
    assert set(lifts) == set(ARMS)
    for arm in ARMS:
        for measure, column in RATES.items():
            got, want = lifts[arm][measure], _direct_rate_lift(raw, arm, column)
            for key in ("arm", "control", "lift", "low", "high"):
                assert got[key] == round(want[key], 6), (arm, measure, key)          # exactly, to the stored digits
            assert (got["n_arm"], got["n_control"]) == (want["n_arm"], want["n_control"])
            assert got["low"] <= want["lift"] <= got["high"] and got["low"] > 0       # every e-mail measurably lifts


@pytest.mark.parametrize("notebook", ["03_strategy", "05_plan_components"])
def test_each_arm_reproduces_spend_per_customer_with_welchs_interval(raw, findings, notebook):
    lifts = findings[notebook]["campaign_arm_spend_lifts"]
    control = raw.loc[raw["segment"] == "No E-Mail", "spend"]
    for arm, (published, published_control) in zip(ARMS, [(1.42, 0.65), (1.08, 0.65)]):
        a = raw.loc[raw["segment"] == ARMS[arm], "spend"]
        got = lifts[arm]["spend"]
        low, high = stats.ttest_ind(a, control, equal_var=False).confidence_interval(0.90)
        assert (got["arm"], got["control"]) == (round(a.mean(), 4), round(control.mean(), 4))
        assert (got["lift"], got["low"], got["high"]) == (round(a.mean() - control.mean(), 4), round(low, 4),
                                                          round(high, 4))
        assert got["low"] <= published - published_control <= got["high"]               # covers the published lift


def test_the_responding_segments_are_the_holm_corrected_ones(raw, findings):
    """Notebook 03's segments at the send date: ``lapsing`` (last purchase 5+ months = 150+ days before), else
    ``recent`` (no discount data). A segment responds when its Holm-adjusted p-value (over the 2 segments) < 0.10."""
    segment = np.where(raw["recency"] * 30 >= 150, "lapsing", "recent")
    want: dict = {}
    for arm in ARMS:
        for measure, column in {**RATES, "spend": "spend"}.items():
            p, lifts = [], []
            for s in ("lapsing", "recent"):
                a = raw.loc[(raw["segment"] == ARMS[arm]) & (segment == s), column]
                c = raw.loc[(raw["segment"] == "No E-Mail") & (segment == s), column]
                if column == "spend":
                    p.append(stats.ttest_ind(a, c, equal_var=False).pvalue)
                else:
                    se = np.sqrt(a.mean() * (1 - a.mean()) / len(a) + c.mean() * (1 - c.mean()) / len(c))
                    p.append(2 * stats.norm.sf(abs(a.mean() - c.mean()) / se))
                lifts.append(a.mean() - c.mean())
            order = np.argsort(p)
            holm = np.maximum.accumulate(np.minimum(np.array(p)[order] * np.array([2, 1]), 1.0))[np.argsort(order)]
            want.setdefault(arm, {})[measure] = [s for s, q, d in zip(("lapsing", "recent"), holm, lifts)
                                                 if q < 0.10 and d > 0]
    assert findings["03_strategy"]["campaign_responding_segments"] == want
