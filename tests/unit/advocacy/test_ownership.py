"""customer_workbook.advocacy.ownership: power users and what a referral is worth."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.advocacy import PowerUsers, advocacy_scores, power_users


def test_power_users_and_referral_value():
    ids = [f"c{i}" for i in range(100)]
    counts = pd.DataFrame(0.0, index=pd.Index(ids, name="customer_id"),
                          columns=["review", "referral", "community_post", "app_session"])
    counts.loc["c0", "review"] = 10
    counts.loc["c1", "referral"] = 2
    scores = advocacy_scores(counts)
    values = pd.DataFrame({"clv_1y": np.r_[50.0, np.ones(99)], "p_alive": 0.5}, index=pd.Index(ids))
    channel = pd.Series(["referral"] * 10 + ["search"] * 90, index=ids)
    out = power_users(scores, values, channel, top_share=0.01)
    assert isinstance(out, PowerUsers)
    assert out.n_power_users == 1 and list(out.ids) == ["c0"]
    assert out.content_share == pytest.approx(10 / 12)
    assert out.value_share == pytest.approx(50 / 149)
    assert out.referral_clv == pytest.approx((50 + 9) / 10) and out.other_clv == pytest.approx(1.0)
    assert 0.3 < out.referral_clv_p < 0.5  # one large value among ten: not measurably more (Welch)
    summary = out.summary.set_index("group")
    assert summary.loc["power users", "customers"] == 1 and summary.loc["everyone else", "customers"] == 99
    without = power_users(scores, values)
    assert without.referral_clv is None and without.other_clv is None


def test_power_users_without_trusted_values():
    """No customer value (the model did not fit): power users and their content share, no value columns."""
    ids = [f"c{i}" for i in range(100)]
    counts = pd.DataFrame(0.0, index=pd.Index(ids, name="customer_id"), columns=["review", "referral", "community_post"])
    counts.loc["c0", "review"] = 10
    counts.loc["c1", "referral"] = 2
    out = power_users(advocacy_scores(counts), None, pd.Series("referral", index=ids))
    assert list(out.ids) == ["c0"] and out.content_share == pytest.approx(10 / 12)
    assert np.isnan(out.value_share) and np.isnan(out.spearman_value_advocacy) and out.referral_clv is None
    assert "mean_clv_1y" not in out.summary and "mean_p_alive" not in out.summary
