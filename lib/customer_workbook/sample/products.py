"""The product catalogue and the planted cross-sell pairs."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._arrays import _dates, _ids, _labels, _str_series
from .constants import CAT_BASE_PRICE, CAT_NAMES, CATEGORIES, COMPLEMENT, DATES, TIER_PRICE, TIERS

__all__ = ["Catalog", "make_catalog", "products_table"]


@dataclass(frozen=True)
class Catalog:
    """The products (``prod``: arrays by product index), the planted pairs and the derived weights."""

    prod: dict
    n_prod: int
    pairs: list                   # planted cross-sell pairs (x, y) of product indices
    pair_to: np.ndarray           # y of the pair whose x is this product, -1 if none
    pop_w: np.ndarray             # popularity weight (anchors of pairs boosted)
    is_new_prod: np.ndarray       # 1.0 for products launched in the window
    excl: np.ndarray              # 1.0 for exclusive products
    cat_members: np.ndarray       # (8, max_m) product indices per category, -1 padded
    max_m: int


def make_catalog(rng_products, rng_pairs, window) -> Catalog:
    """The catalogue with the window's planted effects (``window.fx``: Bass products, cross-sell pairs)."""
    fx = window.fx
    prod = _make_products(rng_products, window.start, window.end, window.day_of, fx.bass)
    n_prod = len(prod["cat"])
    pairs = _pick_pairs(rng_pairs, prod, fx.n_pairs) if fx.n_pairs else []
    pair_to = np.full(n_prod, -1)
    for x, y in pairs:
        pair_to[x] = y
    pop_w = prod["popularity"].copy()
    if pairs:
        pop_w[[x for x, _ in pairs]] *= fx.anchor_boost
    max_m = max(int((prod["cat"] == c).sum()) for c in range(8))
    cat_members = np.full((8, max_m), -1, dtype=np.int64)
    for c in range(8):
        m = np.flatnonzero(prod["cat"] == c); cat_members[c, :len(m)] = m
    return Catalog(prod=prod, n_prod=n_prod, pairs=pairs, pair_to=pair_to, pop_w=pop_w,
                   is_new_prod=prod["in_window"].astype(float), excl=prod["exclusive"].astype(float),
                   cat_members=cat_members, max_m=max_m)


def products_table(catalog: Catalog, start: pd.Timestamp) -> pd.DataFrame:
    prod = catalog.prod
    return pd.DataFrame({
        "product_id": _str_series(_ids("P", np.arange(1, catalog.n_prod + 1), 4)),
        "category": _labels(prod["cat"], CATEGORIES),
        "tier": _labels(prod["tier"], TIERS),
        "launch_date": _dates(start, prod["launch"]),
        "list_price": prod["price"].astype(np.float64),
        "exclusive": prod["exclusive"].astype(bool),
    })


def _make_products(rng, start: pd.Timestamp, end: pd.Timestamp, day_of, bass):
    per_cat_tiers = [0] * 8 + [1] * 10 + [2] * 5 + [3] * 2
    rows = []
    for c, cat in enumerate(CATEGORIES):
        stems = CAT_NAMES[cat]
        for j, t in enumerate(per_cat_tiers):
            rows.append((c, t, f"{['Basic', 'Classic', 'Premium', 'Service'][t]} {stems[j % len(stems)]} {j + 1}"))
    cat = np.array([r[0] for r in rows])
    tier = np.array([r[1] for r in rows])
    names = [r[2] for r in rows]
    n = len(rows)
    price = CAT_BASE_PRICE[cat] * TIER_PRICE[tier] * rng.lognormal(0, 0.25, n)
    price = np.maximum(np.round(price) - 0.01, 0.99)
    window_days = day_of(end) - 0
    launch = rng.integers(day_of(pd.Timestamp("2015-01-01")), -30, n)
    launched_in_window = rng.random(n) < 0.14
    launch[launched_in_window] = rng.integers(30, window_days - 60, launched_in_window.sum())
    exclusive = rng.random(n) < np.where(tier >= 2, 0.22, 0.06)
    popularity = rng.lognormal(0, 0.7, n)
    # Bass products: append to their category
    bass_idx = []
    for b in bass:
        c = CATEGORIES.index(b["category"])
        t = TIERS.index(b["tier"])
        cat = np.append(cat, c); tier = np.append(tier, t); names.append(b["name"])
        price = np.append(price, np.round(CAT_BASE_PRICE[c] * TIER_PRICE[t] * 1.2) - 0.01)
        launch = np.append(launch, day_of(pd.Timestamp(DATES[b["key"]])))
        exclusive = np.append(exclusive, True); popularity = np.append(popularity, 0.0)
        launched_in_window = np.append(launched_in_window, True)
        bass_idx.append(len(cat) - 1)
    # gift product for zero-value promo lines: a cheap decor item, bought normally too
    gift = int(np.flatnonzero((cat == CATEGORIES.index("home_decor")) & (tier == 0))[0])
    names[gift] = "Scented Candle Mini (also the free promo gift)"
    return dict(cat=cat, tier=tier, names=names, price=price, launch=launch, exclusive=exclusive,
                popularity=popularity, bass_idx=np.array(bass_idx, dtype=np.int64), gift=gift,
                in_window=launched_in_window & (launch >= 0))


def _pick_pairs(rng, prod, n_pairs: int):
    """Planted cross-sell pairs X -> Y (Y tends to be bought on the next order after X)."""
    cat, tier, launch = prod["cat"], prod["tier"], prod["launch"]
    eligible = (tier <= 1) & (launch < -30)
    eligible[prod["bass_idx"]] = False
    eligible[prod["gift"]] = False
    anchor_cats = list(range(8)) + [0, 4, 7, 3]
    used = set()
    pairs = []
    for c in anchor_cats[:n_pairs]:
        cand = [i for i in np.flatnonzero(eligible & (cat == c)) if i not in used]
        x = int(rng.choice(cand)); used.add(x)
        c2 = CATEGORIES.index(COMPLEMENT[CATEGORIES[c]])
        cand2 = [i for i in np.flatnonzero(eligible & (cat == c2)) if i not in used]
        y = int(rng.choice(cand2)); used.add(y)
        pairs.append((x, y))
    return pairs
