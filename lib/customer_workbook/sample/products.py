"""The product catalogue and the planted cross-sell pairs."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .constants import (BASS, CAT_BASE_PRICE, CAT_NAMES, CATEGORIES, COMPLEMENT, DATES, N_PAIRS, TIER_PRICE,
                        TIERS)

__all__ = ["_make_products", "_pick_pairs"]


def _make_products(rng, start: pd.Timestamp, end: pd.Timestamp, day_of):
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
    for b in BASS:
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
                popularity=popularity, bass_idx=np.array(bass_idx), gift=gift,
                in_window=launched_in_window & (launch >= 0))


def _pick_pairs(rng, prod):
    """Planted cross-sell pairs X -> Y (Y tends to be bought on the next order after X)."""
    cat, tier, launch = prod["cat"], prod["tier"], prod["launch"]
    eligible = (tier <= 1) & (launch < -30)
    eligible[prod["bass_idx"]] = False
    eligible[prod["gift"]] = False
    anchor_cats = list(range(8)) + [0, 4, 7, 3]
    used = set()
    pairs = []
    for c in anchor_cats[:N_PAIRS]:
        cand = [i for i in np.flatnonzero(eligible & (cat == c)) if i not in used]
        x = int(rng.choice(cand)); used.add(x)
        c2 = CATEGORIES.index(COMPLEMENT[CATEGORIES[c]])
        cand2 = [i for i in np.flatnonzero(eligible & (cat == c2)) if i not in used]
        y = int(rng.choice(cand2)); used.add(y)
        pairs.append((x, y))
    return pairs
