"""customer_workbook.clv.concentration: how much value a top group holds, and value by segment."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_workbook.clv import segment_value, value_concentration


def test_value_concentration_hand_computed():
    v = pd.Series(np.arange(1, 11, dtype=float))  # total 55
    conc = value_concentration(v, (0.1, 0.2, 0.5))
    assert conc[0.1] == pytest.approx(10 / 55)
    assert conc[0.2] == pytest.approx(19 / 55)
    assert conc[0.5] == pytest.approx(40 / 55)
    assert np.isnan(value_concentration(pd.Series([0.0, 0.0]), (0.5,))[0.5])


def test_segment_value_shares_sum_to_one():
    values = pd.DataFrame({"clv_1y": [10.0, 20.0, 30.0, 40.0], "clv_3y": [1.0, 1.0, 1.0, 1.0]},
                          index=pd.Index(["a", "b", "c", "d"], name="customer_id"))
    seg = pd.Series({"a": "x", "b": "x", "c": "y"})
    out = segment_value(values, seg).set_index("segment")
    assert out.loc["unknown", "total_clv_1y"] == 40.0
    assert out.loc["x", "mean_clv_1y"] == 15.0
    assert out["share_clv_1y"].sum() == pytest.approx(1.0)
    assert list(out.index)[0] == "unknown"  # sorted by total value
