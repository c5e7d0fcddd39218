"""customer_workbook.offers.products: the product-line hierarchy and movement between product tiers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import lines

from customer_workbook.offers import TierMigration, product_hierarchy, tier_migration

PRODUCTS = pd.DataFrame({"product_id": ["E", "C", "P", "S"], "tier": ["entry", "core", "premium", "special_service"],
                         "list_price": [1.0, 2.0, 3.0, 4.0]})


def test_product_hierarchy_and_migration():
    tx = lines([("a", "2024-01-01", 10.0, "E"), ("a", "2024-09-01", 50.0, "P"),   # up
                ("b", "2024-01-01", 50.0, "C"), ("b", "2024-09-01", 5.0, "E"),    # down
                ("c", "2024-01-01", 5.0, "C"), ("c", "2024-09-01", 5.0, "C"),     # same
                ("d", "2024-01-01", 5.0, "S")])                                   # one period only
    h = product_hierarchy(tx, PRODUCTS).set_index("tier")
    assert list(h.index) == ["entry", "core", "premium", "special_service"]
    assert h["revenue_share"].sum() == pytest.approx(1.0) and h.loc["core", "revenue"] == 60.0
    assert h.loc["core", "buyers"] == 2 and h.loc["premium", "mean_list_price"] == 3.0
    m = tier_migration(tx, PRODUCTS, "2024-06-01")
    assert isinstance(m, TierMigration) and m.customers == 3 and m.split_date == pd.Timestamp("2024-06-01")
    assert m.up_share == pytest.approx(1 / 3) and m.down_share == pytest.approx(1 / 3)
    assert m.matrix.loc["core", "entry"] == pytest.approx(0.5) and m.matrix.loc["entry", "premium"] == 1.0
    assert m.matrix.loc["special_service"].sum() == 0  # nobody started there


def test_main_tier_ties_go_up_and_returns_are_ignored():
    tx = lines([("a", "2024-01-01", 10.0, "E"), ("a", "2024-01-02", 10.0, "C"),    # tie before: core
                ("a", "2024-09-01", 10.0, "C"), ("a", "2024-09-02", -10.0, "C"),  # a return does not count
                ("a", "2024-09-03", 5.0, "E")])
    m = tier_migration(tx, PRODUCTS, "2024-06-01")
    assert m.matrix.loc["core", "core"] == 1.0 and m.up_share == 0 and m.down_share == 0
    empty = tier_migration(tx.iloc[:0], PRODUCTS, "2024-06-01")
    assert empty.customers == 0 and np.isnan(empty.up_share)
