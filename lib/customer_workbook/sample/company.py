"""The sample company: a seeded, fictional multi-channel retailer with planted, documented truths.

*Northwind Home & Garden* sells garden, home and DIY products through stores, a web shop and
(from March 2024) a mobile app, across five regions. :func:`generate_sample` simulates three
years of its customers: acquisition through five paid channels, purchases, returns, surveys,
engagement, a randomised retention campaign and a list of leads. Every effect the workbook's
notebooks should find is planted on purpose and written down in ``truth`` (saved as
``truth.json``) and in per-customer hidden labels (``customer_truth``, saved as
``truth_customers.parquet``). ``data/sample/README.md`` describes them in prose.

The simulation is vectorised over customers; it loops only over weeks, categories and a few
products. The same ``n_customers`` and ``seed`` always give identical tables.

Command line::

    python -m customer_workbook.sample --customers 20000 --seed 42 --out data/sample
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import optimize

from ..contract import REASONS, SATISFACTION_ITEMS, TABLES

__all__ = ["SampleCompany", "generate_sample", "write_sample", "main", "COMPANY_NAME", "TRUTH_SCHEMA"]

COMPANY_NAME = "Northwind Home & Garden"
TRUTH_SCHEMA_VERSION = 1

# --------------------------------------------------------------------------------------------
# Planted parameters (all stated again in truth.json)
# --------------------------------------------------------------------------------------------
PERSONAS = ("bargain_hunter", "trend_seeker", "convenience_seeker", "loyal_local", "quality_connoisseur")
BH, TS, CS, LL, QC = range(5)
REGIONS = ("North", "South", "East", "West", "Central")
ACQ_CHANNELS = ("search", "social", "referral", "display", "tv")
SALES_CHANNELS = ("store", "web", "app")
GENDERS = ("female", "male", "other")
INCOME_BANDS = ("low", "middle", "high")
CATEGORIES = ("garden_plants", "garden_tools", "outdoor_living", "home_decor",
              "kitchen", "lighting", "textiles", "diy_tools")
TIERS = ("entry", "core", "premium", "special_service")
ADVOCACY_TIERS = ("lurker", "liker", "lover")
UPLIFT_GROUPS = ("persuadable", "sure_thing", "lost_cause", "sleeping_dog")
PROSPECT_GROUPS = ("prospective", "rejected", "unexplored")

# Key dates (Mondays). Effects only happen if the date lies inside the simulated window.
DATES = {
    "app_launch": "2024-03-04",
    "bass_launch_1": "2024-05-06",
    "bass_launch_2": "2025-02-03",
    "competitor_price_cut": "2025-03-03",
    "delivery_slowdown": "2025-06-02",
    "campaign_send": "2025-09-15",
    "decoy_competitor_event": "2023-10-02",
}

# Purchase process (weekly units). lambda_i = persona_mult * channel_mult * Gamma(r, scale=1/alpha)
GAMMA_R, GAMMA_ALPHA = 1.3, 11.0          # base purchase rate: mean r/alpha = 0.118 orders/week
BETA_A, BETA_B = 1.2, 16.0                # base dropout probability after each order, mean ~0.07
LAMBDA_PERSONA = np.array([1.25, 1.10, 1.00, 1.05, 0.65])
DROPOUT_PERSONA = np.array([1.30, 1.10, 1.00, 0.75, 0.90])
# monthly multiplier of the purchase rate (Jan..Dec), mean 1
SEASON = np.array([0.80, 0.75, 0.90, 1.05, 1.20, 1.15, 1.00, 0.90, 0.85, 0.95, 1.25, 1.50])
SEASON = SEASON / SEASON.mean()
FIRST_ORDER_PROB = 0.85                    # acquired customers buy on their signup day
# Gamma-Gamma-like spend: customer scale nu_i ~ Gamma(q, rate gamma); order size ~ Gamma(p, nu_i)
GG_P, GG_Q, GG_GAMMA = 4.0, 5.0, 4.0
BASE_ORDER_VALUE = np.array([38.0, 60.0, 70.0, 52.0, 150.0])   # persona mean order value target

# Persona definitions
PERSONA_ACQ_MIX = np.array([  # rows: acquisition channel, cols: persona
    [0.30, 0.12, 0.36, 0.10, 0.12],   # search
    [0.24, 0.42, 0.14, 0.06, 0.14],   # social
    [0.12, 0.22, 0.20, 0.22, 0.24],   # referral
    [0.52, 0.14, 0.14, 0.10, 0.10],   # display
    [0.20, 0.05, 0.14, 0.46, 0.15],   # tv
])
BASE_CHANNEL_MIX = np.array([0.28, 0.14, 0.16, 0.14, 0.28])    # initial base (signed up before start)
AGE_MEAN = np.array([34.0, 27.0, 41.0, 61.0, 52.0])
AGE_SD = np.array([8.0, 5.0, 7.0, 8.0, 8.0])
INCOME_MIX = np.array([[0.62, 0.33, 0.05], [0.25, 0.55, 0.20], [0.08, 0.52, 0.40],
                       [0.30, 0.58, 0.12], [0.02, 0.23, 0.75]])
REGION_MIX = np.array([[0.12, 0.34, 0.28, 0.14, 0.12], [0.12, 0.18, 0.18, 0.38, 0.14],
                       [0.18, 0.14, 0.26, 0.22, 0.20], [0.38, 0.08, 0.08, 0.08, 0.38],
                       [0.22, 0.18, 0.16, 0.24, 0.20]])
FEMALE_SHARE = np.array([0.50, 0.58, 0.48, 0.52, 0.45])
LINES_MU = np.array([1.1, 0.6, 0.5, 0.8, 0.4])                 # extra lines per order (Poisson)
STORE_PROB = np.array([0.35, 0.12, 0.08, 0.88, 0.50])            # share of orders in store (pre-app)
APP_SHARE = np.array([0.20, 0.55, 0.45, 0.04, 0.15])            # app share of orders after ramp
EXPRESS_PROB = np.array([0.05, 0.30, 0.80, 0.10, 0.40])         # online orders shipped express
DISCOUNT_PROB = np.array([0.60, 0.18, 0.10, 0.12, 0.03])        # line bought on a discount
RETURN_PROB = np.array([0.045, 0.035, 0.025, 0.012, 0.020])     # line returned
TIER_PREF = np.array([[0.62, 0.34, 0.03, 0.01], [0.22, 0.52, 0.21, 0.05], [0.25, 0.48, 0.19, 0.08],
                      [0.34, 0.52, 0.12, 0.02], [0.04, 0.30, 0.48, 0.18]])
CAT_PREF = np.array([
    # plants tools outdoor decor kitchen light textile diy
    [0.14, 0.08, 0.04, 0.14, 0.24, 0.04, 0.24, 0.08],   # bargain hunter
    [0.04, 0.02, 0.12, 0.32, 0.06, 0.30, 0.12, 0.02],   # trend seeker
    [0.08, 0.08, 0.10, 0.10, 0.30, 0.08, 0.16, 0.10],   # convenience seeker
    [0.30, 0.26, 0.08, 0.04, 0.08, 0.02, 0.04, 0.18],   # loyal local
    [0.08, 0.05, 0.34, 0.16, 0.14, 0.15, 0.04, 0.04],   # quality connoisseur
])
CAT_CONCENTRATION = 2.5                    # customer category mix ~ Dirichlet(2.5 * persona mix)
NEW_PRODUCT_BOOST = np.array([1.0, 4.0, 1.3, 0.7, 1.5])       # weight on products launched in window
EXCLUSIVE_BOOST = np.array([0.8, 1.5, 1.0, 1.0, 4.0])
ADVOCACY_PERSONA = np.array([-0.25, 0.75, 0.20, -0.30, -0.45])  # advocacy propensity offset
# season of categories (rows: month, cols: category)
CAT_SEASON = np.ones((12, 8))
CAT_SEASON[[3, 4, 5], 0] = 1.9; CAT_SEASON[[6, 7], 0] = 1.3; CAT_SEASON[[0, 1, 10, 11], 0] = 0.5
CAT_SEASON[[2, 3, 4, 5], 1] = 1.5; CAT_SEASON[[0, 11], 1] = 0.6
CAT_SEASON[[4, 5, 6, 7], 2] = 1.8; CAT_SEASON[[0, 1, 10, 11], 2] = 0.5
CAT_SEASON[[10, 11], 3] = 1.6
CAT_SEASON[[9, 10, 11], 5] = 1.6
CAT_SEASON[[0, 10, 11], 6] = 1.3
CAT_BASE_PRICE = np.array([14.0, 32.0, 110.0, 28.0, 26.0, 38.0, 24.0, 52.0])
TIER_PRICE = np.array([0.55, 1.0, 2.4, 3.6])
CAT_NAMES = {  # product name stems per category (names only appear in truth.json)
    "garden_plants": ["Rose", "Lavender", "Hydrangea", "Herb Set", "Olive Tree", "Tulip Bulbs", "Fern"],
    "garden_tools": ["Spade", "Pruner", "Hose", "Rake", "Trowel", "Wheelbarrow", "Mower"],
    "outdoor_living": ["Lounge Chair", "Parasol", "Grill", "Fire Pit", "Bench", "Dining Set", "Hammock"],
    "home_decor": ["Vase", "Mirror", "Frame", "Candle", "Clock", "Cushion", "Wall Art"],
    "kitchen": ["Pan", "Knife Set", "Kettle", "Mug Set", "Blender", "Bowl", "Storage Jar"],
    "lighting": ["Lamp", "Pendant", "String Lights", "Lantern", "Spotlight", "Bulb Pack", "Sconce"],
    "textiles": ["Throw", "Towel Set", "Rug", "Curtain", "Bed Linen", "Tablecloth", "Blanket"],
    "diy_tools": ["Drill", "Wall Plugs", "Screwdriver", "Saw", "Sander", "Level", "Tool Box"],
}

# Reasons to choose: latent factor model of the ten why_* items (order as contract.REASONS)
_R = {r: i for i, r in enumerate(REASONS)}
WHY_LOADINGS = np.zeros((10, 4))           # factors: general, brand/personal, social, service
WHY_LOADINGS[:, 0] = 0.3
for r, l in {"personalisation": 0.65, "marketing_packaging": 0.65, "sympathy": 0.45}.items():
    WHY_LOADINGS[_R[r], 1] = l
for r, l in {"social_proof": 0.70, "bandwagon": 0.70, "innovation": 0.40}.items():
    WHY_LOADINGS[_R[r], 2] = l
for r, l in {"fast_brand": 0.60, "sympathy": 0.35, "unique_features": 0.30}.items():
    WHY_LOADINGS[_R[r], 3] = l
WHY_PERSONA_MEAN = np.zeros((5, 10))
for p, d in {
    BH: {"pricing": 1.3, "lack_of_alternatives": 0.3, "marketing_packaging": -0.3, "unique_features": -0.4},
    TS: {"innovation": 1.1, "bandwagon": 0.9, "social_proof": 0.5, "personalisation": 0.2},
    CS: {"fast_brand": 1.2, "personalisation": 0.6, "pricing": -0.2},
    LL: {"lack_of_alternatives": 1.1, "sympathy": 0.8, "innovation": -0.5, "bandwagon": -0.4},
    QC: {"unique_features": 1.2, "marketing_packaging": 0.6, "social_proof": 0.3, "pricing": -0.8},
}.items():
    for r, v in d.items():
        WHY_PERSONA_MEAN[p, _R[r]] = v
WHY_RESPONSE_STYLE_SD = 0.35
NPS_DRIVERS = {"personalisation": 1.00, "fast_brand": 0.80, "social_proof": 0.65}  # NPS points per latent SD
NPS_INTERCEPT, NPS_SAT_COEF, NPS_NOISE_SD = 7.2, 0.45, 1.2
NPS_TIER_BONUS = np.array([0.0, 0.6, 1.4])
NPS_LOCKED_IN = -1.0

# Churn: multiplicative hazard ratios on the per-order dropout probability
HR = {
    "multi_category": 0.60,         # customer has bought in 2+ categories (so far)
    "slow_delivery": 1.80,          # this order took more than 6 days to arrive
    "returned_line": 1.60,          # this order contains a line that is returned later
    "loyalty_latent_per_sd": 0.75,  # exp(-0.288 * L), L = standardised reason-driver score
    "satisfaction_latent_per_sd": 0.78,
    "liker": 0.80, "lover": 0.60,   # engagement tier (lurker = 1)
    "locked_in": 0.35,
    "competitor_cut_bargain_hunter": 1.80,
}
HR_CHANNEL = np.array([1.00, 1.10, 0.75, 1.40, 0.90])
LAMBDA_CHANNEL = np.array([1.00, 0.95, 1.15, 0.85, 1.00])
SPEND_CHANNEL = np.array([1.00, 0.95, 1.10, 0.88, 1.00])
SLOW_DAYS = 6
COMPETITOR_LAMBDA_MULT = 0.70
COMPETITOR_INDEX_DROP = 0.10
SPEED_SAT_SHIFT = -0.95            # latent shift of sat_speed after the slowdown (~ -0.8 points)
PRICING_SAT_SHIFT_BH = -0.6        # bargain hunters' sat_pricing after the competitor cut
APP_RAMP_WEEKS = 12

# Acquisition: Hill curves at the reference size of 20,000 customers (scaled with n/20,000)
HILL = {  # vmax new customers/week, k = half-saturation weekly spend, shape h, current weekly spend
    "search":   dict(vmax=30.0, k=2600.0, shape=1.2, current_spend=2600.0),
    "social":   dict(vmax=24.0, k=2000.0, shape=1.5, current_spend=1800.0),
    "referral": dict(vmax=14.0, k=600.0, shape=1.0, current_spend=500.0),
    "display":  dict(vmax=28.0, k=3000.0, shape=1.8, current_spend=3600.0),
    "tv":       dict(vmax=45.0, k=9000.0, shape=2.5, current_spend=6500.0),
}
SPEND_SD, SPEND_AR = 0.6, 0.5
TV_OFF_WEEKS = 0.2
ACQ_NOISE_SD = 0.10
MARGIN, ANNUAL_DISCOUNT_RATE, CLV_HORIZON_YEARS = 0.35, 0.10, 5

# Advocacy / engagement rates per week (rows lurker, liker, lover)
ENGAGE_RATES = {
    "review": np.array([0.002, 0.015, 0.06]),
    "referral": np.array([0.0003, 0.002, 0.025]),
    "community_post": np.array([0.0005, 0.008, 0.08]),
    "app_session": np.array([0.012, 0.35, 0.25]),
}
APP_SESSION_PERSONA = np.array([0.8, 1.4, 1.2, 0.3, 0.7])
RATING_PROBS = np.array([[0.10, 0.12, 0.23, 0.30, 0.25], [0.02, 0.04, 0.14, 0.40, 0.40],
                         [0.00, 0.00, 0.03, 0.17, 0.80]])

# Cross-sell
N_PAIRS, FOLLOW_SET_PROB, FOLLOW_BUY_PROB, ANCHOR_BOOST = 12, 0.60, 0.70, 3.0
COMPLEMENT = {"garden_plants": "garden_tools", "garden_tools": "garden_plants",
              "outdoor_living": "lighting", "home_decor": "textiles", "kitchen": "home_decor",
              "lighting": "home_decor", "textiles": "home_decor", "diy_tools": "lighting"}

# Bass diffusion products (weekly p, q; m = share of active customers who eventually adopt)
BASS = [
    dict(key="bass_launch_1", name="Solar String Lights Pro", category="lighting", tier="core",
         p=0.002, q=0.40, m=0.22),
    dict(key="bass_launch_2", name="Smart Irrigation Kit", category="garden_tools", tier="premium",
         p=0.002, q=0.30, m=0.15),
]
BASS_PERSONA_WEIGHT = np.array([0.8, 3.0, 1.2, 0.5, 1.5])

# Campaign
CAMPAIGN = "winback_2025_09"
CAMPAIGN_WINDOW_DAYS = 60
CAMPAIGN_POP_SHARE = 0.20            # population = up to 20% of n of the then-active customers
LOST_RECENCY_DAYS, SURE_MIN_ORDERS, DOG_MAX_DISCOUNT = 150, 7, 0.02
PERSUADE_PROB = 0.25                 # treated persuadables: extra purchase with this probability
DOG_PUSH_PROB = 0.27                 # treated sleeping dogs: leave for good with this probability

# Surveys / prospects / data quality
SURVEY_SHARE, SURVEY_TWICE = 0.30, 0.25
SAT_MEAN = {  # item: (mean on 1-5 scale for each persona)
    "location": [3.6, 3.5, 3.5, 4.3, 3.7], "parking": [3.3, 3.3, 3.2, 3.7, 3.5],
    "service": [3.6, 3.8, 3.8, 4.0, 3.9], "pricing": [3.4, 3.6, 3.6, 3.7, 3.4],
    "speed": [3.6, 3.7, 3.9, 3.8, 3.8], "quality": [3.6, 3.9, 3.9, 4.0, 4.2],
}
PROSPECT_SHARE = 0.20
GIFT_PROB = 0.006

# Fake personal data (customers.full_name / email; never loaded by the workbook)
_FIRST_SYL = ["an", "be", "ca", "da", "el", "fi", "ga", "ha", "is", "jo", "ka", "li", "ma", "no", "ol",
              "pe", "ri", "sa", "ta", "vi", "wi", "ya", "zo", "mi"]
_LAST_SYL = ["berg", "ton", "son", "ley", "mar", "wood", "ford", "dale", "holm", "stein", "vik", "lund",
             "field", "brook", "ridge", "well", "worth", "by", "ham", "sen"]
_MID_SYL = ["ar", "el", "or", "an", "ul", "in", "er", "os"]

TRUTH_SCHEMA = {
    "schema_version": "int: version of this layout",
    "company": "name, window (start, end), n_customers, seed, currency, scale (n/20,000)",
    "tables": "row count of every generated table",
    "dates": "the key dates (Mondays) of all planted events",
    "purchase_process": "BG/NBD-like rate and dropout mixtures, persona/channel multipliers, "
                        "monthly seasonality, Gamma-Gamma-like spend parameters",
    "personas": "persona names, shares and their demographic/behaviour/reason profiles",
    "reason_drivers": "true NPS/loyalty drivers with coefficients, correlated non-drivers, expected ranking",
    "advocacy": "lurker/liker/lover shares, engagement rates, locked-in group, spend-advocacy overlap",
    "multi_category": "hazard ratio for 2+ category buyers and realised shares",
    "churn_drivers": "hazard ratios of every observable dropout driver",
    "acquisition": "Hill curves, per-channel CLV, CAC and CLV/CAC at current spend, optimal budget and mix",
    "changes": "list of dated changes: what, when, size, direction, affected segment, where visible",
    "campaign": "randomised retention campaign: design, group rules, shares, designed and realised uplift",
    "cross_sell": "planted follow-up product pairs and category affinities",
    "innovation": "products launched in the window and Bass-diffusion products",
    "prospects": "prospect groups, their shares, failing traits and must-have needs",
    "surveys": "survey response design and realised NPS",
    "data_quality": "deliberate wrinkles: return lines, zero-value lines, personal columns",
    "customer_truth_columns": "meaning of every column of truth_customers.parquet",
}


@dataclass
class SampleCompany:
    """A generated sample company: contract tables, documented truth and hidden customer labels."""

    tables: dict[str, pd.DataFrame]
    truth: dict
    customer_truth: pd.DataFrame
    timings: dict = field(default_factory=dict, repr=False)

    def write(self, out_dir, fmt: str = "parquet") -> Path:
        return _write_company(self, out_dir, fmt)


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def _ids(prefix: str, nums, width: int) -> pa.Array:
    s = pc.utf8_lpad(pc.cast(pa.array(np.asarray(nums, dtype=np.int64)), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), s, "")


def _labels(codes, labels) -> pd.Series:
    """Text labels for integer codes as a pandas string Series (no Python objects per row)."""
    return pd.Series(pa.array(list(labels), pa.string()).take(pa.array(np.asarray(codes, dtype=np.int64))))


def _str_series(arr: pa.Array) -> pd.Series:
    return pd.Series(arr)


def _choice_rows(rng, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cdf[:, -1]
    return np.minimum((cdf < u[:, None]).sum(axis=1), probs.shape[1] - 1)


def _hill(s, vmax, k, shape):
    s = np.maximum(np.asarray(s, dtype=float), 0.0)
    return vmax * s ** shape / (k ** shape + s ** shape)


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return [_jsonable(v) for v in x.tolist()]
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return None if math.isnan(v) else round(v, 6)
    if isinstance(x, (pd.Timestamp,)):
        return x.strftime("%Y-%m-%d")
    return x


def _popcount8(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.uint8)
    return np.unpackbits(x[:, None], axis=1).sum(axis=1)


def _ts(start: pd.Timestamp, seconds: np.ndarray) -> pd.Series:
    base = np.datetime64(start.to_datetime64(), "s")
    return pd.Series((base + seconds.astype("timedelta64[s]")).astype("datetime64[us]"))


def _dates(start: pd.Timestamp, days: np.ndarray) -> pd.Series:
    base = np.datetime64(start.to_datetime64(), "D")
    return pd.Series((base + np.asarray(days, dtype=np.int64).astype("timedelta64[D]")).astype("datetime64[us]"))


# --------------------------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------------------------
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


def _marketing(rng, n_weeks: int, scale: float):
    """Weekly spend per channel (AR(1) log-normal around the current spend) and Hill-curve responses."""
    n_ch = len(ACQ_CHANNELS)
    spend = np.zeros((n_weeks, n_ch))
    new = np.zeros((n_weeks, n_ch), dtype=np.int64)
    for j, ch in enumerate(ACQ_CHANNELS):
        h = HILL[ch]
        e = np.zeros(n_weeks)
        shocks = rng.normal(0, SPEND_SD * math.sqrt(1 - SPEND_AR ** 2), n_weeks)
        e[0] = rng.normal(0, SPEND_SD)
        for t in range(1, n_weeks):      # loop over weeks
            e[t] = SPEND_AR * e[t - 1] + shocks[t]
        s = h["current_spend"] * scale * np.exp(e - SPEND_SD ** 2 / 2)
        if ch == "tv":
            s[rng.random(n_weeks) < TV_OFF_WEEKS] = 0.0
        s = np.round(s, 2)
        mu = _hill(s, h["vmax"] * scale, h["k"] * scale, h["shape"]) * np.exp(rng.normal(-ACQ_NOISE_SD ** 2 / 2, ACQ_NOISE_SD, n_weeks))
        spend[:, j] = s
        new[:, j] = rng.poisson(mu)
    return spend, new


def _fake_names(rng, n):
    f1 = rng.integers(0, len(_FIRST_SYL), n); f2 = rng.integers(0, len(_FIRST_SYL), n)
    l1 = rng.integers(0, len(_MID_SYL), n); l2 = rng.integers(0, len(_LAST_SYL), n)
    first = pc.binary_join_element_wise(pa.array(_FIRST_SYL).take(pa.array(f1)),
                                        pa.array(_FIRST_SYL).take(pa.array(f2)), "")
    first = pc.utf8_capitalize(first)
    last = pc.utf8_capitalize(pc.binary_join_element_wise(
        pa.array(["b", "d", "h", "k", "l", "m", "n", "r", "s", "t"]).take(pa.array(rng.integers(0, 10, n))),
        pa.array(_MID_SYL).take(pa.array(l1)), pa.array(_LAST_SYL).take(pa.array(l2)), ""))
    full = pc.binary_join_element_wise(first, last, " ")
    num = pc.cast(pa.array(rng.integers(1, 100, n)), pa.string())
    dom = pa.array(["example.com", "example.org", "example.net"]).take(pa.array(rng.integers(0, 3, n)))
    email = pc.binary_join_element_wise(pc.utf8_lower(first), ".", pc.utf8_lower(last), num, "@", dom, "")
    return full, email


# --------------------------------------------------------------------------------------------
# the generator
# --------------------------------------------------------------------------------------------
def generate_sample(n_customers: int = 20_000, seed: int = 42, start="2023-01-01", end="2025-12-31") -> SampleCompany:
    """Generate the sample company.

    Parameters
    ----------
    n_customers : total number of customers (the initial base at ``start`` plus everyone the
        marketing channels acquire during the window).
    seed : random seed; the same ``(n_customers, seed, start, end)`` always gives identical output.
    start, end : the simulated window (inclusive). Planted events are at fixed calendar dates
        (see ``DATES``) and only happen if they fall inside the window.
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    n_customers = int(n_customers)
    if n_customers < 50:
        raise ValueError("n_customers must be at least 50")
    start = pd.Timestamp(start).normalize()
    end = pd.Timestamp(end).normalize()
    if end <= start + pd.Timedelta(days=120):
        raise ValueError("the window must be longer than 120 days")
    names = ["products", "pairs", "marketing", "customers", "latent", "sim", "campaign", "engagement",
             "surveys", "prospects", "names", "market", "clv"]
    rngs = {k: np.random.default_rng(s) for k, s in zip(names, np.random.SeedSequence(seed).spawn(len(names)))}
    scale = n_customers / 20_000

    def day_of(ts) -> int:
        return int((pd.Timestamp(ts) - start).days)

    end_day = day_of(end)
    D = {k: day_of(v) for k, v in DATES.items()}
    in_window = {k: 0 <= v <= end_day for k, v in D.items()}
    BIG = 10 ** 7
    app_day = D["app_launch"] if in_window["app_launch"] else BIG
    comp_day = D["competitor_price_cut"] if in_window["competitor_price_cut"] else BIG
    slow_day = D["delivery_slowdown"] if in_window["delivery_slowdown"] else BIG
    send_day = D["campaign_send"] if 365 <= D["campaign_send"] <= end_day - CAMPAIGN_WINDOW_DAYS else BIG

    # weeks: Monday-based blocks covering the window; marketing weeks = blocks fully inside it
    d0 = -start.weekday()
    block_start = np.arange(d0, end_day + 1, 7)
    n_blocks = len(block_start)
    mk_blocks = np.flatnonzero((block_start >= 0) & (block_start + 6 <= end_day))
    block_month = np.array([(start + pd.Timedelta(days=int(d) + 3)).month - 1 for d in block_start])

    # ---------------- products ----------------
    prod = _make_products(rngs["products"], start, end, day_of)
    n_prod = len(prod["cat"])
    pairs = _pick_pairs(rngs["pairs"], prod)
    pair_to = np.full(n_prod, -1)
    for x, y in pairs:
        pair_to[x] = y
    pop_w = prod["popularity"].copy()
    pop_w[[x for x, _ in pairs]] *= ANCHOR_BOOST

    # ---------------- marketing & customers ----------------
    spend, new = _marketing(rngs["marketing"], len(mk_blocks), scale)
    n_acq = int(new.sum())
    if n_acq > 0.8 * n_customers:      # only for unusual windows: thin the acquisitions
        new = rngs["marketing"].binomial(new, 0.8 * n_customers / n_acq)
        n_acq = int(new.sum())
    n_base = n_customers - n_acq
    r = rngs["customers"]
    wk, ch = np.nonzero(new)
    cnt = new[wk, ch]
    acq_channel = np.repeat(ch, cnt)
    acq_day = np.repeat(block_start[mk_blocks][wk], cnt) + r.integers(0, 7, n_acq)
    base_channel = r.choice(5, n_base, p=BASE_CHANNEL_MIX)
    base_day = r.integers(day_of(pd.Timestamp("2016-01-01")) if start.year > 2016 else -7 * 365, d0, n_base)
    channel = np.concatenate([base_channel, acq_channel])
    signup = np.concatenate([base_day, acq_day])
    is_acq = np.concatenate([np.zeros(n_base, bool), np.ones(n_acq, bool)])
    order = np.lexsort((channel, signup))           # customer ids follow signup order
    channel, signup, is_acq = channel[order], signup[order], is_acq[order]
    N = n_customers
    persona = _choice_rows(r, PERSONA_ACQ_MIX[channel])
    age = np.clip(np.round(r.normal(AGE_MEAN[persona], AGE_SD[persona])), 18, 90).astype(np.int64)
    income = _choice_rows(r, INCOME_MIX[persona])
    region = _choice_rows(r, REGION_MIX[persona])
    gu = r.random(N)
    gender = np.where(gu < 0.02, 2, np.where(gu < 0.02 + 0.98 * FEMALE_SHARE[persona], 0, 1))
    timings["customers"] = time.perf_counter() - t0

    # ---------------- latent traits ----------------
    r = rngs["latent"]
    lam = r.gamma(GAMMA_R, 1.0 / GAMMA_ALPHA, N) * LAMBDA_PERSONA[persona] * LAMBDA_CHANNEL[channel]
    p_drop = r.beta(BETA_A, BETA_B, N)
    nu = r.gamma(GG_Q, 1.0 / GG_GAMMA, N)
    zeta = (GG_P / nu) / (GG_P * GG_GAMMA / (GG_Q - 1)) * SPEND_CHANNEL[channel]
    f = r.standard_normal((N, 4)).astype(np.float32)
    uniq = np.sqrt(1 - (WHY_LOADINGS ** 2).sum(axis=1)).astype(np.float32)
    why = f @ WHY_LOADINGS.T.astype(np.float32) + r.standard_normal((N, 10)).astype(np.float32) * uniq
    why += WHY_PERSONA_MEAN[persona].astype(np.float32)
    drv = np.array([NPS_DRIVERS.get(x, 0.0) for x in REASONS], dtype=np.float32)
    loyal_raw = why @ drv
    L = (loyal_raw - loyal_raw.mean()) / loyal_raw.std()
    sat = 0.3 * L + math.sqrt(1 - 0.09) * r.standard_normal(N)
    locked_in = (persona == LL) & (why[:, _R["lack_of_alternatives"]] > 0.9) & np.isin(region, [0, 4])
    adv_score = 0.9 * L + 0.3 * sat + ADVOCACY_PERSONA[persona] + r.normal(0, 0.7, N)
    adv_score[locked_in] = -np.inf
    rank = np.argsort(-adv_score, kind="stable")
    tier_adv = np.zeros(N, dtype=np.int64)
    n_lover = max(1, int(round(0.01 * N))); n_liker = int(round(0.09 * N))
    tier_adv[rank[:n_lover]] = 2
    tier_adv[rank[n_lover:n_lover + n_liker]] = 1
    cat_pref = r.gamma(CAT_CONCENTRATION * CAT_PREF[persona]).astype(np.float32)
    cat_pref /= cat_pref.sum(axis=1, keepdims=True)
    store_p = 1 / (1 + np.exp(-(np.log(STORE_PROB[persona] / (1 - STORE_PROB[persona])) + r.normal(0, 0.8, N))))
    hr_static = (DROPOUT_PERSONA[persona] * HR_CHANNEL[channel]
                 * HR["loyalty_latent_per_sd"] ** L * HR["satisfaction_latent_per_sd"] ** sat
                 * np.array([1.0, HR["liker"], HR["lover"]])[tier_adv]
                 * np.where(locked_in, HR["locked_in"], 1.0))
    timings["latent"] = time.perf_counter() - t0

    # ---------------- weekly simulation ----------------
    r = rngs["sim"]
    alive = np.ones(N, bool)
    dropout_day = np.full(N, BIG, dtype=np.int64)
    cat_mask = np.zeros(N, np.uint8)
    follow = np.full(N, -1, dtype=np.int64)
    bass_adopted = np.zeros((len(BASS), N), bool)
    bass_adopt_day = np.full((len(BASS), N), BIG, dtype=np.int64)
    last_day = np.full(N, -BIG, dtype=np.int64)
    hr_dyn_sum = np.zeros(N); hr_dyn_n = np.zeros(N)
    pending_c = np.zeros(0, np.int64); pending_d = np.zeros(0, np.int64)
    is_new_prod = prod["in_window"].astype(float)
    excl = prod["exclusive"].astype(float)
    max_m = max(int((prod["cat"] == c).sum()) for c in range(8))
    cat_members = np.full((8, max_m), -1, dtype=np.int64)
    for c in range(8):
        m = np.flatnonzero(prod["cat"] == c); cat_members[c, :len(m)] = m
    O = {k: [] for k in ("cust", "sec", "chan", "deliv", "kind")}
    Lz = {k: [] for k in ("order", "cust", "prod", "qty", "disc", "amount", "ret", "gift")}
    n_orders_total = 0
    campaign_rows = None
    bass_launch_day = [D[b["key"]] for b in BASS]
    launch = prod["launch"]

    for b in range(n_blocks):
        bd = int(block_start[b])
        mon = block_month[b]
        # campaign at its send week: define population, groups and randomise before this week's orders
        if bd == send_day:
            campaign_rows = _campaign_setup(rngs["campaign"], N, O, Lz, send_day, alive, dropout_day)
            cc, grp, treated = campaign_rows["idx"], campaign_rows["group"], campaign_rows["treated"]
            pers = cc[(grp == 0) & treated]
            extra = pers[rngs["campaign"].random(len(pers)) < PERSUADE_PROB]
            pending_c = np.concatenate([pending_c, extra])
            pending_d = np.concatenate([pending_d, send_day + rngs["campaign"].integers(1, 56, len(extra))])
            dogs = cc[(grp == 3) & treated]
            gone = dogs[rngs["campaign"].random(len(dogs)) < DOG_PUSH_PROB]
            gone = gone[alive[gone]]
            alive[gone] = False
            dropout_day[gone] = send_day
            campaign_rows["pushed_away"] = np.isin(cc, gone)
        active = alive & (signup < bd)
        act = np.flatnonzero(active)
        rate = lam[act] * SEASON[mon]
        if bd >= comp_day:
            rate = np.where(persona[act] == BH, rate * COMPETITOR_LAMBDA_MULT, rate)
        k = r.poisson(rate)
        has = k > 0
        oc = np.repeat(act[has], k[has])
        od = bd + r.integers(0, 7, len(oc))
        kinds = [np.zeros(len(oc), np.int8)]
        cs, ds = [oc], [od]
        # first orders of customers signing up this week
        newc = np.flatnonzero((signup >= bd) & (signup < bd + 7) & is_acq)
        newc = newc[r.random(len(newc)) < FIRST_ORDER_PROB]
        cs.append(newc); ds.append(signup[newc]); kinds.append(np.ones(len(newc), np.int8))
        # scheduled campaign purchases
        if len(pending_c):
            due = (pending_d >= bd) & (pending_d < bd + 7)
            cs.append(pending_c[due]); ds.append(pending_d[due]); kinds.append(np.full(due.sum(), 3, np.int8))
            pending_c, pending_d = pending_c[~due], pending_d[~due]
        # Bass diffusion adoptions
        bass_extra = []
        for j, bb in enumerate(BASS):
            if bd < bass_launch_day[j] or bass_launch_day[j] > end_day:
                continue
            elig = np.flatnonzero(active & ~bass_adopted[j])
            M = bb["m"] * active.sum()
            A = bass_adopted[j][active].sum()
            mu = max((bb["p"] + bb["q"] * A / max(M, 1)) * (M - A), 0.0)
            n_new = min(int(r.poisson(mu)), len(elig))
            if n_new == 0:
                continue
            w = BASS_PERSONA_WEIGHT[persona[elig]]
            key = np.log(r.random(len(elig))) / w
            chosen = np.sort(elig[np.argpartition(-key, n_new - 1)[:n_new]])  # sorted: the same order on every CPU
            bass_adopted[j, chosen] = True
            dd = bd + r.integers(0, 7, n_new)
            bass_adopt_day[j, chosen] = dd
            cs.append(chosen); ds.append(dd); kinds.append(np.full(n_new, 2, np.int8))
            bass_extra.append((len(np.concatenate(cs)) - n_new, n_new, int(prod["bass_idx"][j])))
        oc = np.concatenate(cs); od = np.concatenate(ds); okind = np.concatenate(kinds)
        no = len(oc)
        if no == 0:
            continue
        op = persona[oc]
        # channel
        ramp = np.where(od >= app_day, np.clip((od - app_day + 7) / (7 * APP_RAMP_WEEKS), 0, 1), 0.0)
        p_app = APP_SHARE[op] * ramp
        u = r.random(no)
        p_store = store_p[oc] * (1 - p_app)
        ochan = np.where(u < p_store, 0, np.where(u < p_store + p_app, 2, 1))
        # delivery days
        online = ochan > 0
        express = r.random(no) < EXPRESS_PROB[op]
        dl = np.where(express, 1 + r.poisson(0.3, no), 2 + r.poisson(1.5, no)).astype(np.float64)
        late = od >= slow_day
        dl = dl + late * np.where(express, r.poisson(0.5, no), 1 + r.poisson(1.0, no))
        dl = np.where(online, dl, 0.0)
        # time of day (seconds)
        tod = np.where(online, (7 + 16 * r.beta(2.2, 1.5, no)) * 3600, (9 + 11 * r.random(no)) * 3600).astype(np.int64)
        osec = od.astype(np.int64) * 86400 + tod
        # lines
        nl = 1 + r.poisson(LINES_MU[op])
        lo = np.repeat(np.arange(no), nl)
        lc = oc[lo]; lp_ = op[lo]
        probs = cat_pref[lc] * CAT_SEASON[mon][None, :].astype(np.float32)
        lcat = _choice_rows(r, probs)
        avail = (launch <= bd + 3).astype(float)
        avail[prod["bass_idx"]] = 0.0
        # per (persona, category) product cdf this week
        w_all = (pop_w[None, :] * TIER_PREF[:, prod["tier"]] * avail[None, :]
                 * (1 + (NEW_PRODUCT_BOOST[:, None] - 1) * is_new_prod[None, :])
                 * (1 + (EXCLUSIVE_BOOST[:, None] - 1) * excl[None, :]))      # (5, n_prod)
        wtab = np.where(cat_members[None] >= 0, w_all[:, np.maximum(cat_members, 0)], 0.0)  # (5, 8, max_m)
        cdf = np.cumsum(wtab, axis=2)
        rows = cdf[lp_, lcat]
        uu = r.random(len(lo)) * rows[:, -1]
        pos = np.minimum((rows < uu[:, None]).sum(axis=1), max_m - 1)
        lprod = cat_members[lcat, pos]
        # extra lines: follow-ups of planted pairs, Bass product, promo gift
        fo = np.flatnonzero((follow[oc] >= 0) & (r.random(no) < FOLLOW_BUY_PROB))
        ex_o = [fo]; ex_p = [follow[oc[fo]]]
        follow[oc] = -1
        for s0, nn, pidx in bass_extra:
            ex_o.append(np.arange(s0, s0 + nn)); ex_p.append(np.full(nn, pidx))
        gift_o = np.flatnonzero(r.random(no) < GIFT_PROB)
        ex_o.append(gift_o); ex_p.append(np.full(len(gift_o), prod["gift"]))
        ex_o = np.concatenate(ex_o); ex_p = np.concatenate(ex_p)
        n_reg = len(lo)
        lo = np.concatenate([lo, ex_o]); lprod = np.concatenate([lprod, ex_p])
        lc = oc[lo]; lp_ = op[lo]
        is_gift = np.zeros(len(lo), bool); is_gift[len(lo) - len(gift_o):] = True
        price = prod["price"][lprod]
        target = zeta[lc] * r.gamma(GG_P, 1.0 / GG_P, len(lo)) * BASE_ORDER_VALUE[lp_] / nl[lo]
        x = target / price
        qty = np.where(x < 1, 1, np.floor(x + r.random(len(lo)))).astype(np.int64)
        qty = np.clip(qty, 1, 12)
        qty[n_reg:] = 1
        disc = np.where(r.random(len(lo)) < DISCOUNT_PROB[lp_],
                        r.choice([0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5], len(lo), p=[.2, .15, .25, .15, .12, .08, .05]),
                        0.0)
        disc[is_gift] = 0.0
        amount = np.round(price * qty * (1 - disc), 2)
        amount[is_gift] = 0.0
        ret = (r.random(len(lo)) < RETURN_PROB[lp_]) & ~is_gift
        # customer state
        np.bitwise_or.at(cat_mask, lc, (1 << prod["cat"][lprod]).astype(np.uint8))
        setf = (pair_to[lprod] >= 0) & (r.random(len(lo)) < FOLLOW_SET_PROB)
        follow[lc[setf]] = pair_to[lprod[setf]]
        np.maximum.at(last_day, oc, od)
        # dropout after each order, hazard from observable behaviour
        o_ret = np.bincount(lo, weights=ret, minlength=no) > 0
        multi = _popcount8(cat_mask[oc]) >= 2
        hr = (hr_static[oc] * np.where(multi, HR["multi_category"], 1.0)
              * np.where(dl > SLOW_DAYS, HR["slow_delivery"], 1.0)
              * np.where(o_ret, HR["returned_line"], 1.0)
              * np.where((op == BH) & (od >= comp_day), HR["competitor_cut_bargain_hunter"], 1.0))
        hr_dyn_sum += np.bincount(oc, weights=hr / hr_static[oc], minlength=N)
        hr_dyn_n += np.bincount(oc, minlength=N)
        drop = r.random(no) < np.minimum(p_drop[oc] * hr, 0.9)
        dc = oc[drop]
        dc = dc[alive[dc]]
        if len(dc):
            alive[dc] = False
            last_in_week = np.full(N, -BIG, dtype=np.int64)
            np.maximum.at(last_in_week, oc, od)
            dropout_day[dc] = last_in_week[dc]
        # collect
        gidx = n_orders_total + np.arange(no)
        O["cust"].append(oc.astype(np.int32)); O["sec"].append(osec); O["chan"].append(ochan.astype(np.int8))
        O["deliv"].append(dl.astype(np.float32)); O["kind"].append(okind)
        Lz["order"].append(gidx[lo].astype(np.int32)); Lz["cust"].append(lc.astype(np.int32))
        Lz["prod"].append(lprod.astype(np.int16))
        Lz["qty"].append(qty.astype(np.int32)); Lz["disc"].append(disc.astype(np.float32))
        Lz["amount"].append(amount); Lz["ret"].append(ret); Lz["gift"].append(is_gift)
        n_orders_total += no
    timings["simulation"] = time.perf_counter() - t0

    O = {k: np.concatenate(v) for k, v in O.items()}
    Lz = {k: np.concatenate(v) for k, v in Lz.items()}
    tables: dict[str, pd.DataFrame] = {}
    cust_ids = _ids("C", np.arange(1, N + 1), max(6, len(str(N))))

    # ---------------- transactions ----------------
    rr = rngs["sim"]
    n_lz = len(Lz["order"])
    ret_idx = np.flatnonzero(Lz["ret"]).astype(np.int32)
    ret_sec = O["sec"][Lz["order"][ret_idx]] + rr.integers(2, 31, len(ret_idx)) * 86400
    ret_sec = (ret_sec // 86400) * 86400 + rr.integers(9 * 3600, 20 * 3600, len(ret_idx))
    line_sec = np.concatenate([O["sec"][Lz["order"]], ret_sec])
    line_src = np.concatenate([np.arange(n_lz, dtype=np.int32), ret_idx])
    del ret_sec
    # orders placed in the window only (a return after the end is simply not yet recorded)
    keep = (line_sec >= 0) & (line_sec < (end_day + 1) * 86400) & (O["sec"][Lz["order"][line_src]] >= 0)
    is_ret = np.arange(len(line_src)) >= n_lz
    line_sec, line_src, is_ret = line_sec[keep], line_src[keep], is_ret[keep]
    del keep
    srt = np.lexsort((is_ret, Lz["order"][line_src], line_sec))
    line_sec, line_src, is_ret = line_sec[srt], line_src[srt], is_ret[srt]
    del srt
    sign = np.where(is_ret, -1, 1).astype(np.int8)
    pos_line = ~is_ret
    del is_ret
    lorder = Lz["order"][line_src]
    # order ids in order of first appearance (= order time)
    n_o = len(O["cust"])
    o_first = np.full(n_o, np.iinfo(np.int64).max)
    np.minimum.at(o_first, lorder[pos_line], line_sec[pos_line])
    in_win_orders = np.flatnonzero(o_first < np.iinfo(np.int64).max)
    ord_sorted = in_win_orders[np.lexsort((in_win_orders, o_first[in_win_orders]))]
    del o_first, in_win_orders
    ord_rank = np.full(n_o, -1, dtype=np.int64)
    ord_rank[ord_sorted] = np.arange(len(ord_sorted))
    n_orders_out = len(ord_sorted)
    order_ids = _ids("O", np.arange(1, n_orders_out + 1), max(7, len(str(n_orders_out))))
    LN = {  # per output line
        "cust": Lz["cust"][line_src], "prod": Lz["prod"][line_src], "order": lorder,
        "amount": Lz["amount"][line_src] * sign, "chan": O["chan"][lorder], "day": line_sec // 86400,
        "pos": pos_line, "deliv": np.where(pos_line, O["deliv"][lorder], 0.0),
    }
    tx = pd.DataFrame({
        "customer_id": _str_series(cust_ids.take(pa.array(LN["cust"]))),
        "date": _ts(start, line_sec),
        "amount": LN["amount"],
        "order_id": _str_series(order_ids.take(pa.array(ord_rank[lorder]))),
        "product_id": _str_series(_ids("P", np.arange(1, n_prod + 1), 4).take(pa.array(LN["prod"]))),
        "quantity": (Lz["qty"][line_src].astype(np.int64) * sign),
        "channel": _labels(LN["chan"], SALES_CHANNELS),
        "discount": np.round(Lz["disc"][line_src].astype(np.float64), 2),
        "delivery_days": LN["deliv"].astype(np.float64),
    })
    del Lz, line_sec, line_src, sign, order_ids, ord_rank
    tables["transactions"] = tx
    timings["transactions"] = time.perf_counter() - t0

    # per-customer realised behaviour (in window, purchases only)
    revenue = np.bincount(LN["cust"], weights=LN["amount"], minlength=N)
    n_orders_c = np.bincount(O["cust"][ord_sorted], minlength=N)
    cats_in_window = np.zeros(N, np.uint8)
    np.bitwise_or.at(cats_in_window, LN["cust"][pos_line], (1 << prod["cat"][LN["prod"][pos_line]]).astype(np.uint8))
    n_cats_window = _popcount8(cats_in_window)

    # ---------------- customers ----------------
    full, email = _fake_names(rngs["names"], N)
    cust = pd.DataFrame({
        "customer_id": _str_series(cust_ids),
        "signup_date": _dates(start, signup),
        "acquisition_channel": _labels(channel, ACQ_CHANNELS),
        "region": _labels(region, REGIONS),
        "age": age,
        "gender": _labels(gender, GENDERS),
        "income_band": _labels(income, INCOME_BANDS),
        "full_name": _str_series(full),
        "email": _str_series(email),
    })
    tables["customers"] = cust

    # ---------------- products ----------------
    tables["products"] = pd.DataFrame({
        "product_id": _str_series(_ids("P", np.arange(1, n_prod + 1), 4)),
        "category": _labels(prod["cat"], CATEGORIES),
        "tier": _labels(prod["tier"], TIERS),
        "launch_date": _dates(start, prod["launch"]),
        "list_price": prod["price"].astype(np.float64),
        "exclusive": prod["exclusive"].astype(bool),
    })

    # ---------------- surveys ----------------
    win_start = np.maximum(signup, 0)
    win_end = np.minimum(np.minimum(dropout_day, BIG) + 60, end_day)
    surveys, survey_info = _surveys(rngs["surveys"], N, persona, why, sat, L, tier_adv, locked_in,
                                    win_start, win_end, comp_day, slow_day, start, cust_ids)
    tables["surveys"] = surveys

    # ---------------- marketing & market ----------------
    mk_weeks = block_start[mk_blocks]
    W, C = len(mk_weeks), len(ACQ_CHANNELS)
    tables["marketing"] = pd.DataFrame({
        "week": _dates(start, np.repeat(mk_weeks, C)),
        "channel": _labels(np.tile(np.arange(C), W), ACQ_CHANNELS),
        "spend": spend.reshape(-1),
        "new_customers": new.reshape(-1).astype(np.int64),
    })
    tables["market"] = _market(rngs["market"], mk_weeks, D, in_window, start)

    # ---------------- engagement ----------------
    eng_end = np.minimum(dropout_day, end_day + 1)
    tables["engagement"] = _engagement(rngs["engagement"], N, tier_adv, locked_in, persona, win_start,
                                       eng_end, app_day, start, cust_ids)

    # ---------------- campaign ----------------
    camp_truth = {"in_window": campaign_rows is not None}
    uplift_group = np.full(N, -1)
    if campaign_rows is not None:
        cc = campaign_rows["idx"]
        o_day = O["sec"] // 86400
        bought = np.zeros(N, bool)
        win = (o_day >= send_day) & (o_day < send_day + CAMPAIGN_WINDOW_DAYS)
        bought[O["cust"][win]] = True
        outcome = bought[cc].astype(np.int64)
        uplift_group[cc] = campaign_rows["group"]
        tables["campaigns"] = pd.DataFrame({
            "customer_id": _str_series(cust_ids.take(pa.array(cc))),
            "campaign": _labels(np.zeros(len(cc), np.int64), [CAMPAIGN]),
            "send_date": _dates(start, np.full(len(cc), send_day)),
            "treated": campaign_rows["treated"].astype(bool),
            "outcome": outcome,
        })
        camp_truth = _campaign_truth(campaign_rows, outcome, start, send_day)
    else:
        tables["campaigns"] = pd.DataFrame({
            "customer_id": pd.Series([], dtype="str"), "campaign": pd.Series([], dtype="str"),
            "send_date": pd.Series([], dtype="datetime64[us]"), "treated": pd.Series([], dtype=bool),
            "outcome": pd.Series([], dtype=np.int64)})

    # ---------------- prospects ----------------
    tables["prospects"], prospect_truth = _prospects(rngs["prospects"], max(50, int(round(PROSPECT_SHARE * N))),
                                                     start, end_day)
    timings["tables"] = time.perf_counter() - t0

    # ---------------- truth ----------------
    clv_truth = _acquisition_truth(rngs["clv"], scale, lam, p_drop, hr_static, hr_dyn_sum, hr_dyn_n,
                                   zeta, persona, channel, is_acq, LN, O)
    customer_truth = pd.DataFrame({
        "customer_id": _str_series(cust_ids),
        "persona": _labels(persona, PERSONAS),
        "advocacy_tier": _labels(tier_adv, ADVOCACY_TIERS),
        "locked_in": locked_in,
        "multi_category": n_cats_window >= 2,
        "n_categories": n_cats_window.astype(np.int64),
        "uplift_group": pd.Series(pa.array(list(UPLIFT_GROUPS) + [None]).take(pa.array(np.where(uplift_group < 0, 4, uplift_group)))),
        "lambda": lam,
        "p_dropout": p_drop,
        "dropout_hazard_multiplier": hr_static,
        "spend_multiplier": zeta,
        "loyalty_latent": L.astype(np.float64),
        "satisfaction_latent": sat,
        "advocacy_score": np.where(np.isfinite(adv_score), adv_score, np.nan),
        "dropout_date": pd.Series(np.where(dropout_day < BIG, (np.datetime64(start.to_datetime64(), "D") + np.minimum(dropout_day, BIG - 1).astype("timedelta64[D]")), np.datetime64("NaT")).astype("datetime64[us]")),
        "alive_at_end": alive,
        "n_orders": n_orders_c.astype(np.int64),
        "revenue": np.round(revenue, 2),
        "bass_adopter": bass_adopted.any(axis=0),
    })
    truth = _build_truth(
        n_customers=N, seed=seed, start=start, end=end, scale=scale, tables=tables, D=D, in_window=in_window,
        persona=persona, channel=channel, age=age, income=income, region=region, tier_adv=tier_adv,
        locked_in=locked_in, revenue=revenue, n_cats=n_cats_window, n_orders_c=n_orders_c, surveys=surveys,
        survey_info=survey_info, clv_truth=clv_truth, camp_truth=camp_truth, prospect_truth=prospect_truth,
        prod=prod, pairs=pairs, bass_adopted=bass_adopted, bass_adopt_day=bass_adopt_day, tx=tx, LN=LN,
        n_orders_out=n_orders_out, O=O, is_acq=is_acq, n_base=n_base, dropout_day=dropout_day,
        BIG=BIG, end_day=end_day, comp_day=comp_day, slow_day=slow_day, app_day=app_day, block_start=block_start,
        mk_blocks=mk_blocks, lam=lam, adv_score=adv_score)
    timings["total"] = time.perf_counter() - t0
    return SampleCompany(tables=tables, truth=_jsonable(truth), customer_truth=customer_truth, timings=timings)


# --------------------------------------------------------------------------------------------
# pieces used by generate_sample
# --------------------------------------------------------------------------------------------
def _campaign_setup(rng, N, O, Lz, send_day, alive, dropout_day):
    """Population and groups of the retention campaign from behaviour observable at send time."""
    oc = np.concatenate(O["cust"]); osec = np.concatenate(O["sec"])
    oday = osec // 86400
    recent = (oday >= send_day - 365) & (oday < send_day)
    n365 = np.bincount(oc[recent], minlength=N)
    last = np.full(N, -10 ** 7, dtype=np.int64)
    np.maximum.at(last, oc[oday < send_day], oday[oday < send_day])
    lorder = np.concatenate(Lz["order"])
    ldisc = np.concatenate(Lz["disc"])
    lgift = np.concatenate(Lz["gift"])
    lrec = recent[lorder] & ~lgift
    lcust = oc[lorder]
    dsum = np.bincount(lcust[lrec], weights=ldisc[lrec], minlength=N)
    dn = np.bincount(lcust[lrec], minlength=N)
    eligible = np.flatnonzero(n365 > 0)
    size = min(len(eligible), int(round(CAMPAIGN_POP_SHARE * N)))
    idx = np.sort(rng.choice(eligible, size, replace=False))
    recency = send_day - last[idx]
    freq = n365[idx]
    mdisc = dsum[idx] / np.maximum(dn[idx], 1)
    group = np.where(recency > LOST_RECENCY_DAYS, 2,
                     np.where(freq >= SURE_MIN_ORDERS, 1, np.where(mdisc < DOG_MAX_DISCOUNT, 3, 0)))
    treated = rng.random(size) < 0.5
    return dict(idx=idx, group=group, treated=treated, recency=recency, freq=freq, mean_discount=mdisc,
                eligible=len(eligible))


def _campaign_truth(rows, outcome, start, send_day):
    g, t = rows["group"], rows["treated"]
    out = {
        "name": CAMPAIGN, "in_window": True,
        "send_date": (start + pd.Timedelta(days=int(send_day))).strftime("%Y-%m-%d"),
        "window_days": CAMPAIGN_WINDOW_DAYS,
        "outcome": "1 if the customer placed an order on or after send_date and before send_date + 60 days",
        "population": {"definition": "random sample of customers with at least one order in the 365 days "
                                     "before send_date (then-active), up to 20% of n_customers",
                       "size": int(len(g)), "eligible": int(rows["eligible"])},
        "treated_share": float(t.mean()),
        "group_rules": {
            "lost_cause": f"no order in the {LOST_RECENCY_DAYS} days before send_date",
            "sure_thing": f"otherwise, {SURE_MIN_ORDERS}+ orders in the 365 days before send_date",
            "sleeping_dog": f"otherwise, mean line discount in the last 365 days below {DOG_MAX_DISCOUNT} "
                            "(full-price buyers put off by a discount mail)",
            "persuadable": "everyone else (recent, not frequent, discount users)",
        },
        "mechanism": {
            "persuadable": f"treated: an extra order within 55 days with probability {PERSUADE_PROB}",
            "sleeping_dog": f"treated: leaves for good at send_date with probability {DOG_PUSH_PROB}",
            "sure_thing": "no effect", "lost_cause": "no effect",
        },
        "groups": {},
    }
    for j, name in enumerate(UPLIFT_GROUPS):
        m = g == j
        y1 = outcome[m & t].mean() if (m & t).any() else float("nan")
        y0 = outcome[m & ~t].mean() if (m & ~t).any() else float("nan")
        if name == "persuadable":
            designed = PERSUADE_PROB * (1 - y0)
        elif name == "sleeping_dog":
            designed = -DOG_PUSH_PROB * y0
        else:
            designed = 0.0
        out["groups"][name] = {"share": float(m.mean()), "n": int(m.sum()), "baseline_rate_control": y0,
                               "rate_treated": y1, "realised_uplift": y1 - y0, "true_uplift": designed}
    out["overall_realised_uplift"] = float(outcome[t].mean() - outcome[~t].mean())
    return out


def _surveys(rng, N, persona, why, sat, L, tier_adv, locked_in, ws, we, comp_day, slow_day, start, cust_ids):
    ok = we - ws >= 1
    resp = np.flatnonzero(ok & (rng.random(N) < SURVEY_SHARE))
    span = we[resp] - ws[resp]
    d1 = ws[resp] + (rng.random(len(resp)) * (span + 1)).astype(np.int64)
    twice = (rng.random(len(resp)) < SURVEY_TWICE) & (span >= 90)
    d2 = ws[resp] + (rng.random(len(resp)) * (span + 1)).astype(np.int64)
    twice &= np.abs(d2 - d1) >= 30
    c = np.concatenate([resp, resp[twice]])
    d = np.concatenate([d1, d2[twice]])
    n = len(c)
    p = persona[c]
    # why items: Likert measures of the latent reasons
    style = rng.normal(0, WHY_RESPONSE_STYLE_SD, (n, 1))       # respondent scale use (halo), not causal
    whyl = np.clip(np.round(3 + 0.9 * why[c] + style + rng.normal(0, 0.6, (n, 10))), 1, 5).astype(np.int64)
    gumbel = -np.log(-np.log(rng.random((n, 10))))
    primary = np.argmax(why[c] + 0.5 * gumbel, axis=1)
    drv = np.array([NPS_DRIVERS.get(x, 0.0) for x in REASONS])
    nps_lat = (NPS_INTERCEPT + why[c] @ drv + NPS_SAT_COEF * sat[c] + NPS_TIER_BONUS[tier_adv[c]]
               + np.where(locked_in[c], NPS_LOCKED_IN, 0.0) + rng.normal(0, NPS_NOISE_SD, n))
    nps = np.clip(np.round(nps_lat), 0, 10).astype(np.int64)
    df = {"customer_id": _str_series(cust_ids.take(pa.array(c))), "date": _dates(start, d), "nps": nps}
    for item in SATISFACTION_ITEMS:
        mu = np.array(SAT_MEAN[item])[p] + 0.6 * sat[c] + rng.normal(0, 0.65, n)
        if item == "speed":
            mu = mu + np.where(d >= slow_day, SPEED_SAT_SHIFT, 0.0)
        if item == "pricing":
            mu = mu + np.where((p == BH) & (d >= comp_day), PRICING_SAT_SHIFT_BH, 0.0)
        df[f"sat_{item}"] = np.clip(np.round(mu), 1, 5).astype(np.int64)
    df["primary_reason"] = _labels(primary, REASONS)
    for j, reason in enumerate(REASONS):
        df[f"why_{reason}"] = whyl[:, j]
    out = pd.DataFrame(df)
    srt = np.lexsort((c, d))
    out = out.iloc[srt].reset_index(drop=True)
    info = {"respondents": int(len(resp)), "answered_twice": int(twice.sum()),
            "persona": p[srt], "primary": primary[srt], "day": d[srt]}
    return out, info


def _market(rng, weeks, D, in_window, start):
    n = len(weeks)
    e = np.zeros(n)
    sh = rng.normal(0, 0.004, n)
    for t in range(1, n):
        e[t] = 0.6 * e[t - 1] + sh[t]
    idx = 1.01 + e
    cut = weeks >= D["competitor_price_cut"]
    idx = np.where(cut, idx * (1 - COMPETITOR_INDEX_DROP), idx)
    event = np.full(n, None, dtype=object)
    launch = np.full(n, None, dtype=object)
    if in_window["competitor_price_cut"]:
        event[weeks == D["competitor_price_cut"]] = ("Rival chain 'Greenfield Depot' cuts prices on its home & "
                                                     "garden range by about 10% (permanent price drop)")
    if in_window["decoy_competitor_event"]:
        event[weeks == D["decoy_competitor_event"]] = "Greenfield Depot opens a flagship showroom in the capital"
    if in_window["app_launch"]:
        launch[weeks == D["app_launch"]] = "Mobile app launched (iOS and Android): ordering, click & collect"
    return pd.DataFrame({
        "week": _dates(start, weeks),
        "competitor_price_index": np.round(idx, 4),
        "competitor_event": pd.Series(pd.array(event, dtype="str")),
        "channel_launch": pd.Series(pd.array(launch, dtype="str")),
    })


def _engagement(rng, N, tier_adv, locked_in, persona, ws, we, app_day, start, cust_ids):
    cs, ds, es, rs = [], [], [], []
    for j, ev in enumerate(("review", "referral", "community_post", "app_session")):
        s = np.maximum(ws, app_day) if ev == "app_session" else ws
        span = np.maximum(we - s, 0)
        rate = ENGAGE_RATES[ev][tier_adv] * np.where(locked_in, 0.5, 1.0)
        if ev == "app_session":
            rate = rate * APP_SESSION_PERSONA[persona]
        k = rng.poisson(rate * span / 7.0)
        c = np.repeat(np.arange(N), k)
        d = np.repeat(s, k) + (rng.random(len(c)) * np.repeat(span, k)).astype(np.int64)
        cs.append(c); ds.append(d); es.append(np.full(len(c), j))
        if ev == "review":
            rs.append(_choice_rows(rng, RATING_PROBS[tier_adv[c]]) + 1)
        else:
            rs.append(np.zeros(len(c), np.int64))
    c = np.concatenate(cs); d = np.concatenate(ds); e = np.concatenate(es); rt = np.concatenate(rs)
    sec = d * 86400 + rng.integers(7 * 3600, 23 * 3600, len(c))
    srt = np.lexsort((e, c, sec))
    c, sec, e, rt = c[srt], sec[srt], e[srt], rt[srt]
    return pd.DataFrame({
        "customer_id": _str_series(cust_ids.take(pa.array(c))),
        "date": _ts(start, sec),
        "event": _labels(e, ("review", "referral", "community_post", "app_session")),
        "rating": pd.arrays.IntegerArray(np.where(e == 0, rt, 0).astype(np.int64), e != 0),
    })


def _prospects(rng, n, start, end_day):
    grp = rng.choice(3, n, p=[0.40, 0.35, 0.25])
    # rejected: which trait fails
    fail = rng.choice(3, n, p=[0.60, 0.30, 0.10])        # 0 need, 1 pay, 2 both
    has_need = np.ones(n, dtype=object); can_pay = np.ones(n, dtype=object)
    has_need[:] = True; can_pay[:] = True
    rej = grp == 1
    has_need[rej & (fail != 1)] = False
    can_pay[rej & (fail != 0)] = False
    une = grp == 2
    miss = rng.choice(3, n, p=[0.45, 0.35, 0.20])        # 0 need unknown, 1 pay unknown, 2 both
    has_need[une & (miss != 1)] = None
    can_pay[une & (miss != 0)] = None
    income = np.where(rej & (fail != 0), rng.choice(3, n, p=[0.85, 0.15, 0.0]), rng.choice(3, n, p=[0.25, 0.5, 0.25]))
    # top must-have need: group-specific
    needs = list(SATISFACTION_ITEMS)
    need_p = {
        "prospective": [0.10, 0.05, 0.15, 0.15, 0.15, 0.40],      # quality first
        "rejected_need": [0.50, 0.20, 0.10, 0.05, 0.10, 0.05],    # location: no store near them
        "rejected_pay": [0.05, 0.05, 0.05, 0.70, 0.10, 0.05],     # pricing
        "unexplored": [0.15, 0.10, 0.15, 0.20, 0.30, 0.10],       # speed
    }
    key = np.where(grp == 0, 0, np.where(grp == 2, 3, np.where(fail == 1, 2, 1)))
    top = _choice_rows(rng, np.array([need_p[k] for k in need_p])[key])
    first_seen = rng.integers(0, end_day + 1, n)
    order = np.argsort(first_seen, kind="stable")
    sources = ("search", "social", "referral", "display", "tv", "events")
    src = rng.choice(6, n, p=[0.3, 0.25, 0.1, 0.15, 0.1, 0.1])
    region = rng.choice(5, n)
    age = np.clip(np.round(rng.normal(42, 14, n)), 18, 90).astype(np.int64)
    o = order
    df = pd.DataFrame({
        "prospect_id": _str_series(_ids("P", np.arange(1, n + 1), max(6, len(str(n))))),
        "first_seen": _dates(start, first_seen[o]),
        "source": _labels(src[o], sources),
        "region": _labels(region[o], REGIONS),
        "age": age[o],
        "income_band": _labels(income[o], INCOME_BANDS),
        "has_need": pd.array(list(has_need[o]), dtype="boolean"),
        "can_pay": pd.array(list(can_pay[o]), dtype="boolean"),
        "top_need": _labels(top[o], needs),
    })
    g = grp[o]; k = key[o]
    truth = {
        "definition": {
            "prospective": "has_need and can_pay both true",
            "rejected": "at least one of has_need / can_pay is false (false wins over missing)",
            "unexplored": "no false, but has_need and/or can_pay missing",
        },
        "shares": {n_: float((g == j).mean()) for j, n_ in enumerate(PROSPECT_GROUPS)},
        "rejected_failing_trait_shares": {"need_only": 0.60, "pay_only": 0.30, "both": 0.10},
        "top_need_by_group": {"prospective": "quality", "rejected (fails on need)": "location",
                              "rejected (fails on ability to pay)": "pricing", "unexplored": "speed"},
        "top_need_distributions": {k_: dict(zip(needs, v)) for k_, v in need_p.items()},
        "realised_top_need_mode": {
            name: str(pd.Series(np.array(needs)[top[o][k == j]]).mode().iloc[0]) if (k == j).any() else None
            for j, name in enumerate(need_p)},
        "rejected_pay_income": "mostly low income (85%)",
    }
    return df, truth


def _acquisition_truth(rng, scale, lam, p_drop, hr_static, hr_dyn_sum, hr_dyn_n, zeta, persona, channel,
                       is_acq, LN, O):
    """Expected CLV per acquisition channel from the planted process, CAC and the value-optimal budget."""
    # realised mean order value per persona, per unit of spend multiplier
    per_order = np.bincount(LN["order"], weights=LN["amount"], minlength=len(O["cust"]))
    has_lines = np.bincount(LN["order"][LN["pos"]], minlength=len(O["cust"])) > 0
    oc = O["cust"][has_lines]
    ov = per_order[has_lines]
    aov_p = np.array([ov[persona[oc] == p].sum() / max(zeta[oc][persona[oc] == p].sum(), 1e-9) for p in range(5)])
    dyn = hr_dyn_sum.sum() / max(hr_dyn_n.sum(), 1)     # mean dynamic hazard multiplier over all orders
    weeks = CLV_HORIZON_YEARS * 52
    delta = (1 + ANNUAL_DISCOUNT_RATE) ** (-1 / 52)
    t = np.arange(1, weeks + 1)
    out = {"margin": MARGIN, "annual_discount_rate": ANNUAL_DISCOUNT_RATE, "horizon_years": CLV_HORIZON_YEARS,
           "clv_definition": ("expected discounted margin over 5 years from acquisition (first-day order with "
                              "probability 0.85, then Poisson(lambda) orders a week until dropout; survival per "
                              "week exp(-lambda * p * hazard), hazard = static multipliers x the realised mean "
                              f"dynamic multiplier {dyn:.3f}); mean over the customers each channel acquired"),
           "reference_scale_note": "vmax, k and spends scale with n_customers/20,000; CLV does not",
           "channels": {}}
    clv = {}
    for j, chn in enumerate(ACQ_CHANNELS):
        m = (channel == j) & is_acq
        if m.sum() < 5:
            m = channel == j
        lam_c = lam[m]; ph = np.minimum(p_drop[m] * hr_static[m] * dyn, 0.9)
        aov = aov_p[persona[m]] * zeta[m]
        # chunked to bound memory
        vals = np.empty(m.sum())
        for s in range(0, len(vals), 20000):
            sl = slice(s, s + 20000)
            surv = np.exp(-np.outer(lam_c[sl] * ph[sl], t))
            vals[sl] = aov[sl] * (FIRST_ORDER_PROB + lam_c[sl] * (surv * delta ** t).sum(axis=1))
        clv[chn] = float(MARGIN * vals.mean())
    cur = np.array([HILL[c]["current_spend"] * scale for c in ACQ_CHANNELS])
    vmax = np.array([HILL[c]["vmax"] * scale for c in ACQ_CHANNELS])
    kk = np.array([HILL[c]["k"] * scale for c in ACQ_CHANNELS])
    hh = np.array([HILL[c]["shape"] for c in ACQ_CHANNELS])
    V = np.array([clv[c] for c in ACQ_CHANNELS])

    def value(s):
        return float((V * _hill(s, vmax, kk, hh)).sum() - np.sum(s))

    # value-maximising weekly budget: each channel separately (multi-start, L-BFGS-B)
    best = np.zeros(5)
    for j in range(5):
        grid = np.linspace(0, 10 * kk[j], 401)
        g = V[j] * _hill(grid, vmax[j], kk[j], hh[j]) - grid
        x0 = grid[np.argmax(g)]
        res = optimize.minimize(lambda s: -(V[j] * _hill(s[0], vmax[j], kk[j], hh[j]) - s[0]), [max(x0, 1.0)],
                                method="L-BFGS-B", bounds=[(0, 20 * kk[j])])
        sj = float(res.x[0])
        best[j] = sj if V[j] * _hill(sj, vmax[j], kk[j], hh[j]) - sj > 0 else 0.0
    # best mix at the current total budget
    B = cur.sum()
    cons = ({"type": "eq", "fun": lambda s: s.sum() - B},)
    starts = [cur, np.full(5, B / 5), best * B / max(best.sum(), 1e-9)]
    fits = [optimize.minimize(lambda s: -value(s), x0, method="SLSQP", bounds=[(0, B)] * 5, constraints=cons)
            for x0 in starts]
    same_budget = np.clip(min((f for f in fits if f.success), key=lambda f: f.fun, default=fits[0]).x, 0, None)
    for j, chn in enumerate(ACQ_CHANNELS):
        n_cur = float(_hill(cur[j], vmax[j], kk[j], hh[j]))
        out["channels"][chn] = {
            "hill_vmax_per_week": float(vmax[j]), "hill_k_spend": float(kk[j]), "hill_shape": float(hh[j]),
            "hill_vmax_at_20k": HILL[chn]["vmax"], "hill_k_at_20k": HILL[chn]["k"],
            "current_weekly_spend": float(cur[j]), "new_customers_per_week_at_current": n_cur,
            "cac_at_current": float(cur[j] / n_cur), "expected_clv": clv[chn],
            "clv_to_cac_at_current": float(clv[chn] / (cur[j] / n_cur)),
            "marginal_value_per_currency_at_current": float(
                V[j] * (_hill(cur[j] * 1.001, vmax[j], kk[j], hh[j]) - _hill(cur[j], vmax[j], kk[j], hh[j])) / (cur[j] * 0.001)),
            "optimal_weekly_spend": float(best[j]),
            "optimal_spend_at_current_total": float(same_budget[j]),
            "lambda_multiplier": float(LAMBDA_CHANNEL[j]), "dropout_multiplier": float(HR_CHANNEL[j]),
            "spend_multiplier": float(SPEND_CHANNEL[j]),
            "persona_mix": dict(zip(PERSONAS, PERSONA_ACQ_MIX[j].tolist())),
        }
    out["ranking_by_clv"] = sorted(ACQ_CHANNELS, key=lambda c: -clv[c])
    out["ranking_by_clv_to_cac_at_current"] = sorted(ACQ_CHANNELS, key=lambda c: -out["channels"][c]["clv_to_cac_at_current"])
    out["current"] = {"weekly_budget": float(B), "weekly_value": value(cur)}
    out["optimum"] = {
        "weekly_budget": float(best.sum()),
        "mix": {c: float(best[j] / max(best.sum(), 1e-9)) for j, c in enumerate(ACQ_CHANNELS)},
        "weekly_spend": {c: float(best[j]) for j, c in enumerate(ACQ_CHANNELS)},
        "weekly_value": value(best),
        "objective": "max sum_c CLV_c * hill_c(spend_c) - sum_c spend_c (weekly value created)",
    }
    out["optimum_at_current_budget"] = {
        "weekly_budget": float(B),
        "mix": {c: float(same_budget[j] / B) for j, c in enumerate(ACQ_CHANNELS)},
        "weekly_value": value(same_budget),
    }
    return out


def _lat_r(a: str, b: str) -> float:
    """Within-persona correlation of two latent reasons implied by the factor loadings."""
    return float(WHY_LOADINGS[_R[a]] @ WHY_LOADINGS[_R[b]])


def _build_truth(**a) -> dict:
    N = a["n_customers"]; start = a["start"]; persona = a["persona"]; tier_adv = a["tier_adv"]
    D = a["D"]; in_window = a["in_window"]; tx = a["tx"]; sv = a["surveys"]; prod = a["prod"]

    def iso(day):
        return (start + pd.Timedelta(days=int(day))).strftime("%Y-%m-%d")

    shares = np.bincount(persona, minlength=5) / N
    personas = {}
    info = a["survey_info"]
    for p, name in enumerate(PERSONAS):
        m = persona == p
        sp = info["persona"] == p
        reason_dist = np.bincount(info["primary"][sp], minlength=10) / max(sp.sum(), 1)
        personas[name] = {
            "share": float(shares[p]),
            "age_mean": float(a["age"][m].mean()) if m.any() else None,
            "income_mix": dict(zip(INCOME_BANDS, INCOME_MIX[p].tolist())),
            "region_mix": dict(zip(REGIONS, REGION_MIX[p].tolist())),
            "purchase_rate_multiplier": float(LAMBDA_PERSONA[p]),
            "dropout_multiplier": float(DROPOUT_PERSONA[p]),
            "base_order_value": float(BASE_ORDER_VALUE[p]),
            "extra_lines_per_order_mean": float(LINES_MU[p]),
            "store_share": float(STORE_PROB[p]), "app_share_after_ramp": float(APP_SHARE[p]),
            "express_delivery_share": float(EXPRESS_PROB[p]),
            "discount_line_share": float(DISCOUNT_PROB[p]), "return_line_share": float(RETURN_PROB[p]),
            "tier_preference": dict(zip(TIERS, TIER_PREF[p].tolist())),
            "category_mix": dict(zip(CATEGORIES, CAT_PREF[p].tolist())),
            "new_product_weight": float(NEW_PRODUCT_BOOST[p]), "exclusive_weight": float(EXCLUSIVE_BOOST[p]),
            "reason_latent_means": {r: float(v) for r, v in zip(REASONS, WHY_PERSONA_MEAN[p]) if v != 0},
            "dominant_reason": REASONS[int(np.argmax(reason_dist))] if sp.any() else None,
            "primary_reason_distribution": dict(zip(REASONS, reason_dist.tolist())),
        }
    # advocacy / spend overlap
    rev = a["revenue"]
    top = rev >= np.quantile(rev, 0.9)
    lovers = tier_adv == 2
    engaged = tier_adv >= 1
    eng = a["tables"]["engagement"]
    eng_counts = eng.groupby("event").size().to_dict()
    # NPS by tier
    cust_tier = pd.Series(np.array(ADVOCACY_TIERS)[tier_adv], index=pd.Index(np.arange(1, N + 1)))
    sv_idx = sv["customer_id"].str.slice(1).astype(np.int64).to_numpy()
    sv_tier = tier_adv[sv_idx - 1]
    nps = sv["nps"].to_numpy()

    def nps_score(x):
        return float(100 * ((x >= 9).mean() - (x <= 6).mean())) if len(x) else None

    # reference driver regression on the generated surveys (OLS of nps on the ten why_* items)
    X = np.column_stack([np.ones(len(sv))] + [sv[f"why_{r}"].to_numpy(float) for r in REASONS])
    beta = np.linalg.lstsq(X, nps.astype(float), rcond=None)[0][1:] if len(sv) > 20 else np.zeros(10)
    corr = [float(np.corrcoef(sv[f"why_{r}"], nps)[0, 1]) if len(sv) > 20 else None for r in REASONS]
    # multi-category realised
    n_cats = a["n_cats"]; n_ord = a["n_orders_c"]
    dd = a["dropout_day"]; BIG = a["BIG"]
    buyers2 = n_ord >= 2
    dropped = dd < BIG
    # changes: realised numbers
    sday = info["day"]
    sp_before = sv["sat_speed"].to_numpy()[sday < a["slow_day"]]
    sp_after = sv["sat_speed"].to_numpy()[sday >= a["slow_day"]]
    LN = a["LN"]
    tx_day = LN["day"]
    online = LN["chan"] != 0
    pos = LN["pos"] & (LN["amount"] > 0)
    dl = LN["deliv"]
    sd = a["slow_day"]
    deliv_before = float(dl[online & pos & (tx_day < sd) & (tx_day >= sd - 182)].mean()) if sd < BIG else None
    deliv_after = float(dl[online & pos & (tx_day >= sd)].mean()) if sd < BIG else None
    app_share_12w = None
    if a["app_day"] < BIG:
        m = pos & (tx_day >= a["app_day"] + 84) & (tx_day < a["app_day"] + 84 + 91)
        app_share_12w = float((LN["chan"][m] == 2).mean()) if m.any() else None
    # bargain hunters' weekly orders per alive customer before / after the competitor cut
    bh_cust = persona[a["O"]["cust"]] == BH
    oday = a["O"]["sec"] // 86400
    cd = a["comp_day"]

    def weekly_orders(mask, lo, hi):
        return float((mask & (oday >= lo) & (oday < hi)).sum() / max((hi - lo) / 7, 1))
    bh_before = weekly_orders(bh_cust, cd - 182, cd) if cd < BIG else None
    bh_after = weekly_orders(bh_cust, cd, cd + 182) if cd < BIG else None
    oth_before = weekly_orders(~bh_cust, cd - 182, cd) if cd < BIG else None
    oth_after = weekly_orders(~bh_cust, cd, cd + 182) if cd < BIG else None
    # bass adoption
    bass = []
    for j, b in enumerate(BASS):
        pid = int(prod["bass_idx"][j]) + 1
        adopt = a["bass_adopt_day"][j]
        ad = adopt[adopt < BIG]
        bass.append({**{k: v for k, v in b.items() if k != "key"}, "product_id": f"P{pid:04d}",
                     "launch_date": DATES[b["key"]], "in_window": in_window[b["key"]],
                     "adopters": int(len(ad)),
                     "peak_adoption_week_after_launch": int(np.bincount((ad - D[b["key"]]) // 7).argmax()) if len(ad) else None,
                     "theoretical_peak_week": float(math.log(b["q"] / b["p"]) / (b["p"] + b["q"])),
                     "model": "weekly new adopters ~ Poisson((p + q*A/M) * (M - A)), M = m * active customers; "
                              "adopters drawn with persona weights " + str(dict(zip(PERSONAS, BASS_PERSONA_WEIGHT.tolist())))})
    pid_str = lambda i: f"P{int(i) + 1:04d}"
    new_products = [pid_str(i) for i in np.flatnonzero(prod["in_window"])]
    camp = a["camp_truth"]
    acq = a["clv_truth"]
    nret = int((tx["amount"] < 0).sum())
    nzero = int((tx["amount"] == 0).sum())
    truth = {
        "schema_version": TRUTH_SCHEMA_VERSION,
        "schema": TRUTH_SCHEMA,
        "company": {"name": COMPANY_NAME, "description": "multi-channel home & garden retailer (stores, web, app)",
                    "start": start.strftime("%Y-%m-%d"), "end": a["end"].strftime("%Y-%m-%d"),
                    "n_customers": N, "seed": a["seed"], "currency": "EUR", "scale": a["scale"],
                    "initial_base": int(a["n_base"]), "acquired_in_window": int(N - a["n_base"]),
                    "generator": "customer_workbook.sample.generate_sample"},
        "tables": {k: int(len(v)) for k, v in a["tables"].items()},
        "dates": {k: {"date": v, "in_window": in_window[k]} for k, v in DATES.items()},
        "purchase_process": {
            "time_unit": "week",
            "purchase_rate": {"distribution": "lambda_i = persona_mult * channel_mult * Gamma(shape r, rate alpha)",
                              "r": GAMMA_R, "alpha": GAMMA_ALPHA, "mean_base": GAMMA_R / GAMMA_ALPHA,
                              "realised_mean_lambda": float(np.mean(a["lam"]))},
            "dropout": {"distribution": "after every order the customer leaves with probability min(0.9, p_i * hazard), "
                                        "p_i ~ Beta(a, b); hazard = product of the churn_drivers",
                        "a": BETA_A, "b": BETA_B, "mean_base": BETA_A / (BETA_A + BETA_B)},
            "persona_rate_multiplier": dict(zip(PERSONAS, LAMBDA_PERSONA.tolist())),
            "persona_dropout_multiplier": dict(zip(PERSONAS, DROPOUT_PERSONA.tolist())),
            "channel_rate_multiplier": dict(zip(ACQ_CHANNELS, LAMBDA_CHANNEL.tolist())),
            "first_order_on_signup_probability": FIRST_ORDER_PROB,
            "monthly_seasonality": dict(zip(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                             "nov", "dec"], SEASON.round(4).tolist())),
            "seasonality_note": "November-December peak (Dec highest) and a May-June garden peak; garden categories "
                                "peak in spring/summer, lighting and decor in Q4 (category_seasonality)",
            "category_seasonality": {c: CAT_SEASON[:, j].round(2).tolist() for j, c in enumerate(CATEGORIES)},
            "spend": {"model": "order value target = persona base value * zeta_i * w; zeta_i = (p/nu_i)/E[p/nu], "
                               "nu_i ~ Gamma(q, rate gamma); w ~ Gamma(p, rate p); lines and quantities are rounded "
                               "to real products, so a fitted Gamma-Gamma is only approximately these values",
                      "p": GG_P, "q": GG_Q, "gamma": GG_GAMMA,
                      "persona_base_order_value": dict(zip(PERSONAS, BASE_ORDER_VALUE.tolist())),
                      "channel_spend_multiplier": dict(zip(ACQ_CHANNELS, SPEND_CHANNEL.tolist()))},
            "realised": {"orders": int(a["n_orders_out"]), "lines": int(len(tx)),
                         "orders_per_buying_customer": float(n_ord[n_ord > 0].mean()),
                         "buying_customers": int((n_ord > 0).sum()),
                         "share_dropped_out_by_end": float(dropped.mean())},
        },
        "personas": {"names": list(PERSONAS), "profiles": personas,
                     "recoverability": "cluster on age, income, store/web/app shares, discount share, mean order "
                                       "value, premium share, category shares and frequency; expect ARI > 0.5 on "
                                       "customers with 2+ orders",
                     "persona_acquisition_mix": {c: dict(zip(PERSONAS, PERSONA_ACQ_MIX[j].tolist()))
                                                 for j, c in enumerate(ACQ_CHANNELS)}},
        "reason_drivers": {
            "true_drivers": NPS_DRIVERS,
            "coefficient_unit": "NPS points per 1 SD of the latent reason (a why_* item is ~ round(3 + 0.9*latent + noise))",
            "nps_model": f"nps = clip(round({NPS_INTERCEPT} + sum(coef * latent) + {NPS_SAT_COEF} * satisfaction "
                         f"+ tier bonus {dict(zip(ADVOCACY_TIERS, NPS_TIER_BONUS.tolist()))} "
                         f"+ {NPS_LOCKED_IN} if locked in + N(0, {NPS_NOISE_SD})), 0, 10)",
            "loyalty": "the same weighted sum (standardised, L) lowers the dropout hazard: HR 0.75 per SD",
            "correlated_not_causal": {
                "marketing_packaging": f"shares a factor with personalisation (latent r = {_lat_r('marketing_packaging', 'personalisation'):.2f})",
                "bandwagon": f"shares a factor with social_proof (latent r = {_lat_r('bandwagon', 'social_proof'):.2f})",
                "sympathy": f"loads on the personalisation and fast_brand factors (latent r = "
                            f"{_lat_r('sympathy', 'personalisation'):.2f} and {_lat_r('sympathy', 'fast_brand'):.2f})",
                "innovation": f"shares a factor with social_proof (latent r = {_lat_r('innovation', 'social_proof'):.2f})"},
            "halo": f"each respondent has a scale-use offset N(0, {WHY_RESPONSE_STYLE_SD}) added to all ten why_* items",
            "expected_top3": list(NPS_DRIVERS),
            "reference_ols_coefficients": dict(zip(REASONS, np.round(beta, 4).tolist())),
            "reference_correlations": dict(zip(REASONS, corr)),
            "latent_loadings": {r: WHY_LOADINGS[i].tolist() for i, r in enumerate(REASONS)},
        },
        "advocacy": {
            "shares_planted": {"lurker": 0.90, "liker": 0.09, "lover": 0.01},
            "shares_realised": {t: float((tier_adv == j).mean()) for j, t in enumerate(ADVOCACY_TIERS)},
            "assignment": "rank of 0.9*L + 0.3*satisfaction + persona offset + N(0, 0.7); top 1% lovers, next 9% likers",
            "persona_offset": dict(zip(PERSONAS, ADVOCACY_PERSONA.tolist())),
            "engagement_rates_per_week": {e: dict(zip(ADVOCACY_TIERS, v.tolist())) for e, v in ENGAGE_RATES.items()},
            "engagement_note": "app_session only after the app launch, scaled by persona "
                               + str(dict(zip(PERSONAS, APP_SESSION_PERSONA.tolist()))) + "; locked-in halved; "
                               "events only between signup (or start) and dropout",
            "engagement_events": {k: int(v) for k, v in eng_counts.items()},
            "locked_in": {"definition": "loyal_local persona, lack_of_alternatives latent > 0.9, region North or Central",
                          "share": float(a["locked_in"].mean()), "dropout_hazard_ratio": HR["locked_in"],
                          "advocacy": "always lurker (never liker/lover); NPS -1.0",
                          "realised_share_dropped": float(dropped[a["locked_in"]].mean()) if a["locked_in"].any() else None,
                          "realised_share_dropped_others": float(dropped[~a["locked_in"]].mean())},
            "top_spenders_vs_advocates": {
                "top_decile_spenders_share_lovers": float(lovers[top].mean()),
                "top_decile_spenders_share_likers_or_lovers": float(engaged[top].mean()),
                "lovers_share_in_top_spend_decile": float(top[lovers].mean()) if lovers.any() else None,
                "spearman_revenue_vs_advocacy_score": float(pd.Series(rev).corr(pd.Series(
                    np.where(np.isfinite(a["adv_score"]), a["adv_score"], np.nan)), method="spearman")),
                "note": "quality connoisseurs spend the most but have the lowest advocacy offset; trend seekers "
                        "are the most likely lovers",
            },
            "nps_by_tier": {t: nps_score(nps[sv_tier == j]) for j, t in enumerate(ADVOCACY_TIERS)},
        },
        "multi_category": {
            "hazard_ratio": HR["multi_category"],
            "definition": "from the order on which a customer has bought in 2+ categories, the per-order dropout "
                          "probability is multiplied by 0.6",
            "share_multi_category_among_buyers": float((n_cats[n_ord > 0] >= 2).mean()),
            "realised_dropout_share_2plus_orders": {
                "single_category": float(dropped[buyers2 & (n_cats == 1)].mean()) if (buyers2 & (n_cats == 1)).any() else None,
                "multi_category": float(dropped[buyers2 & (n_cats >= 2)].mean()) if (buyers2 & (n_cats >= 2)).any() else None},
        },
        "churn_drivers": {
            "model": "per-order dropout probability = min(0.9, p_i * product of hazard ratios)",
            "hazard_ratios": HR,
            "acquisition_channel": dict(zip(ACQ_CHANNELS, HR_CHANNEL.tolist())),
            "persona": dict(zip(PERSONAS, DROPOUT_PERSONA.tolist())),
            "slow_delivery_threshold_days": SLOW_DAYS,
            "observable_proxies": {"multi_category": "distinct categories in transactions",
                                   "slow_delivery": "transactions.delivery_days > 6",
                                   "returned_line": "negative transaction lines",
                                   "loyalty_latent_per_sd": "survey why_personalisation/fast_brand/social_proof, nps",
                                   "satisfaction_latent_per_sd": "survey sat_* items",
                                   "liker/lover": "engagement events (low engagement = higher churn)",
                                   "locked_in": "survey why_lack_of_alternatives, loyal-local profile",
                                   "competitor_cut_bargain_hunter": "price-sensitive behaviour after 2025-03-03"},
        },
        "acquisition": {k: v for k, v in acq.items() if not k.startswith("_")},
        "changes": [
            {"name": "competitor_price_cut", "date": DATES["competitor_price_cut"],
             "in_window": in_window["competitor_price_cut"],
             "what": "a rival cuts prices ~10%: market.competitor_price_index drops from ~1.01 to ~0.91 and stays",
             "affected_segment": "bargain_hunter", "direction": "down",
             "effects": {"purchase_rate_multiplier": COMPETITOR_LAMBDA_MULT,
                         "dropout_hazard_ratio": HR["competitor_cut_bargain_hunter"],
                         "sat_pricing_shift_latent": PRICING_SAT_SHIFT_BH},
             "realised": {"bargain_hunter_orders_per_week_26w_before": bh_before,
                          "bargain_hunter_orders_per_week_26w_after": bh_after,
                          "other_orders_per_week_26w_before": oth_before,
                          "other_orders_per_week_26w_after": oth_after},
             "visible_in": ["market.competitor_price_index", "market.competitor_event",
                            "transactions of bargain hunters", "surveys.sat_pricing (bargain hunters)"]},
            {"name": "delivery_slowdown", "date": DATES["delivery_slowdown"],
             "in_window": in_window["delivery_slowdown"],
             "what": "carrier change: web/app delivery_days rise by ~2 days (standard) and ~0.5 (express); "
                     "sat_speed falls ~0.8 points for all respondents",
             "affected_segment": "all survey respondents (sat_speed); online orders (delivery_days); convenience "
                                 "seekers churn most through the slow-delivery hazard",
             "direction": "down",
             "effects": {"sat_speed_shift_latent": SPEED_SAT_SHIFT, "slow_delivery_hazard_ratio": HR["slow_delivery"]},
             "realised": {"sat_speed_mean_before": float(sp_before.mean()) if len(sp_before) else None,
                          "sat_speed_mean_after": float(sp_after.mean()) if len(sp_after) else None,
                          "online_delivery_days_mean_26w_before": deliv_before,
                          "online_delivery_days_mean_after": deliv_after},
             "visible_in": ["surveys.sat_speed", "transactions.delivery_days"]},
            {"name": "app_launch", "date": DATES["app_launch"], "in_window": in_window["app_launch"],
             "what": f"new sales channel 'app'; its share of orders ramps linearly over {APP_RAMP_WEEKS} weeks to "
                     "the persona's app share (trend 55%, convenience 45%, bargain 20%, quality 15%, loyal 4%)",
             "affected_segment": "trend_seeker and convenience_seeker most", "direction": "up",
             "realised": {"app_share_of_lines_weeks_12_to_25": app_share_12w},
             "visible_in": ["transactions.channel", "market.channel_launch", "engagement app_session"]},
        ],
        "non_changes": {
            "decoy_competitor_event": {"date": DATES["decoy_competitor_event"],
                                       "note": "a competitor event text with NO planted effect on anything"},
            "stable": "apart from seasonality, the changes above, the two Bass launches and the campaign, all rates "
                      "are stationary; marketing spend varies randomly (AR(1)) around a constant level",
        },
        "campaign": camp,
        "cross_sell": {
            "pairs": [{"from": pid_str(x), "to": pid_str(y), "from_name": prod["names"][x], "to_name": prod["names"][y],
                       "from_category": CATEGORIES[prod["cat"][x]], "to_category": CATEGORIES[prod["cat"][y]]}
                      for x, y in a["pairs"]],
            "mechanism": f"buying 'from' sets a pending follow-up with probability {FOLLOW_SET_PROB}; the customer's "
                         f"next order then contains 'to' with probability {FOLLOW_BUY_PROB}; 'from' products are "
                         f"{ANCHOR_BOOST}x more popular than their peers",
            "category_affinity": "persona category mixes (personas.profiles.*.category_mix) create category "
                                 "co-purchase; complement map " + str(COMPLEMENT),
            "expected": "an item-item recommender beats popularity on a time split (hit rate)",
        },
        "innovation": {"launched_in_window": new_products, "bass_products": bass,
                       "trend_seeker_new_product_weight": float(NEW_PRODUCT_BOOST[TS])},
        "prospects": a["prospect_truth"],
        "surveys": {"response_share": SURVEY_SHARE, "answered_twice_share": SURVEY_TWICE,
                    "respondents": info["respondents"], "answered_twice": info["answered_twice"],
                    "nps_overall": nps_score(nps),
                    "primary_reason": "argmax of latent reasons + 0.5 * Gumbel noise",
                    "sat_model": "round(persona mean + 0.6 * satisfaction latent + N(0, 0.65)), clipped to 1-5",
                    "sat_persona_means": SAT_MEAN},
        "data_quality": {
            "return_lines": nret, "return_line_share": float(nret / max(len(tx), 1)),
            "returns_note": "negative amount and quantity, same order_id and product as the purchase, dated 2-30 "
                            "days later, delivery_days 0",
            "zero_value_lines": nzero,
            "zero_value_note": "free promotional gift lines (amount 0, discount 0) added to ~0.6% of orders",
            "personal_columns": ["customers.full_name", "customers.email"],
            "personal_note": "fake names and example.* addresses; not in the contract, so never loaded",
            "contract_violations": "none",
        },
        "customer_truth_columns": {
            "customer_id": "customer", "persona": "planted persona", "advocacy_tier": "lurker / liker / lover",
            "locked_in": "loyal without advocating (no alternatives)",
            "multi_category": "bought in 2+ categories within the window", "n_categories": "distinct categories bought",
            "uplift_group": "campaign group (persuadable, sure_thing, lost_cause, sleeping_dog); null if not in campaign",
            "lambda": "weekly purchase rate (before seasonality and shocks)", "p_dropout": "base per-order dropout probability",
            "dropout_hazard_multiplier": "static hazard multiplier (persona, channel, latents, tier, locked-in)",
            "spend_multiplier": "zeta_i, customer order-value multiplier",
            "loyalty_latent": "L, standardised weighted sum of the true NPS drivers",
            "satisfaction_latent": "latent satisfaction", "advocacy_score": "score ranked into advocacy tiers",
            "dropout_date": "date the customer silently left (NaT if still alive at the end)",
            "alive_at_end": "still a customer on the end date", "n_orders": "orders in the window",
            "revenue": "net revenue in the window", "bass_adopter": "adopted a Bass-diffusion product",
        },
    }
    return truth


# --------------------------------------------------------------------------------------------
# writing and command line
# --------------------------------------------------------------------------------------------
def _atomic(path: Path, writer) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        writer(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _to_parquet(df: pd.DataFrame, path: Path, chunk: int = 1_000_000) -> None:
    """Write a frame to Parquet (zstd) in row-group chunks, so big tables need little extra memory."""
    import pyarrow.parquet as pq

    writer = None
    try:
        for lo in range(0, max(len(df), 1), chunk):
            table = pa.Table.from_pandas(df.iloc[lo:lo + chunk], preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table.cast(writer.schema) if table.schema != writer.schema else table)
    finally:
        if writer is not None:
            writer.close()


def _write_company(company: SampleCompany, out_dir, fmt: str = "parquet") -> Path:
    if fmt not in ("parquet", "csv"):
        raise ValueError("fmt must be 'parquet' or 'csv'")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, df in company.tables.items():
        if fmt == "parquet":
            _atomic(out / f"{name}.parquet", lambda p, df=df: _to_parquet(df, p))
        else:
            _atomic(out / f"{name}.csv", lambda p, df=df: df.to_csv(p, index=False, date_format="%Y-%m-%dT%H:%M:%S"))
    _atomic(out / "truth.json", lambda p: p.write_text(json.dumps(company.truth, indent=2, ensure_ascii=False) + "\n"))
    _atomic(out / "truth_customers.parquet",
            lambda p: _to_parquet(company.customer_truth, p))
    return out


def write_sample(out_dir, n_customers: int = 20_000, seed: int = 42, fmt: str = "parquet", **kw) -> Path:
    """Generate the sample company and write its tables, ``truth.json`` and ``truth_customers.parquet``."""
    return generate_sample(n_customers=n_customers, seed=seed, **kw).write(out_dir, fmt)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m customer_workbook.sample",
                                 description=f"Generate the {COMPANY_NAME} sample data.")
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default="data/sample")
    ap.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    ap.add_argument("--start", default="2023-01-01")
    ap.add_argument("--end", default="2025-12-31")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    company = generate_sample(args.customers, args.seed, start=args.start, end=args.end)
    out = company.write(args.out, args.format)
    rows = ", ".join(f"{k}={len(v):,}" for k, v in company.tables.items())
    print(f"wrote {out} in {time.perf_counter() - t:.1f}s: {rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
