"""The planted parameters of the sample company: personas, rates, matrices, dates and the truth schema."""
from __future__ import annotations

import numpy as np

from ..contract import REASONS

__all__ = ["COMPANY_NAME", "TRUTH_SCHEMA_VERSION", "PERSONAS", "BH", "TS", "CS", "LL", "QC", "REGIONS",
           "ACQ_CHANNELS", "SALES_CHANNELS", "GENDERS", "INCOME_BANDS", "CATEGORIES", "TIERS",
           "ADVOCACY_TIERS", "UPLIFT_GROUPS", "PROSPECT_GROUPS", "DATES", "GAMMA_R", "GAMMA_ALPHA", "BETA_A",
           "BETA_B", "LAMBDA_PERSONA", "DROPOUT_PERSONA", "SEASON", "FIRST_ORDER_PROB", "GG_P", "GG_Q",
           "GG_GAMMA", "BASE_ORDER_VALUE", "PERSONA_ACQ_MIX", "BASE_CHANNEL_MIX", "AGE_MEAN", "AGE_SD",
           "INCOME_MIX", "REGION_MIX", "FEMALE_SHARE", "LINES_MU", "STORE_PROB", "APP_SHARE", "EXPRESS_PROB",
           "DISCOUNT_PROB", "RETURN_PROB", "TIER_PREF", "CAT_PREF", "CAT_CONCENTRATION", "NEW_PRODUCT_BOOST",
           "EXCLUSIVE_BOOST", "ADVOCACY_PERSONA", "CAT_SEASON", "CAT_BASE_PRICE", "TIER_PRICE", "CAT_NAMES",
           "REASON_INDEX", "WHY_LOADINGS", "WHY_PERSONA_MEAN", "WHY_RESPONSE_STYLE_SD", "NPS_DRIVERS",
           "NPS_INTERCEPT", "NPS_SAT_COEF", "NPS_NOISE_SD", "NPS_TIER_BONUS", "NPS_LOCKED_IN", "HR",
           "HR_CHANNEL", "LAMBDA_CHANNEL", "SPEND_CHANNEL", "SLOW_DAYS", "COMPETITOR_LAMBDA_MULT",
           "COMPETITOR_INDEX_DROP", "SPEED_SAT_SHIFT", "PRICING_SAT_SHIFT_BH", "APP_RAMP_WEEKS", "HILL",
           "SPEND_SD", "SPEND_AR", "TV_OFF_WEEKS", "ACQ_NOISE_SD", "MARGIN", "ANNUAL_DISCOUNT_RATE",
           "CLV_HORIZON_YEARS", "ENGAGE_RATES", "APP_SESSION_PERSONA", "RATING_PROBS", "N_PAIRS",
           "FOLLOW_SET_PROB", "FOLLOW_BUY_PROB", "ANCHOR_BOOST", "COMPLEMENT", "BASS", "BASS_PERSONA_WEIGHT",
           "CAMPAIGN", "CAMPAIGN_WINDOW_DAYS", "CAMPAIGN_POP_SHARE", "LOST_RECENCY_DAYS", "SURE_MIN_ORDERS",
           "DOG_MAX_DISCOUNT", "PERSUADE_PROB", "DOG_PUSH_PROB", "SURVEY_SHARE", "SURVEY_TWICE", "SAT_MEAN",
           "PROSPECT_SHARE", "GIFT_PROB", "TRUTH_SCHEMA"]


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
REASON_INDEX = {r: i for i, r in enumerate(REASONS)}
WHY_LOADINGS = np.zeros((10, 4))           # factors: general, brand/personal, social, service
WHY_LOADINGS[:, 0] = 0.3
for r, l in {"personalisation": 0.65, "marketing_packaging": 0.65, "sympathy": 0.45}.items():
    WHY_LOADINGS[REASON_INDEX[r], 1] = l
for r, l in {"social_proof": 0.70, "bandwagon": 0.70, "innovation": 0.40}.items():
    WHY_LOADINGS[REASON_INDEX[r], 2] = l
for r, l in {"fast_brand": 0.60, "sympathy": 0.35, "unique_features": 0.30}.items():
    WHY_LOADINGS[REASON_INDEX[r], 3] = l
WHY_PERSONA_MEAN = np.zeros((5, 10))
for p, d in {
    BH: {"pricing": 1.3, "lack_of_alternatives": 0.3, "marketing_packaging": -0.3, "unique_features": -0.4},
    TS: {"innovation": 1.1, "bandwagon": 0.9, "social_proof": 0.5, "personalisation": 0.2},
    CS: {"fast_brand": 1.2, "personalisation": 0.6, "pricing": -0.2},
    LL: {"lack_of_alternatives": 1.1, "sympathy": 0.8, "innovation": -0.5, "bandwagon": -0.4},
    QC: {"unique_features": 1.2, "marketing_packaging": 0.6, "social_proof": 0.3, "pricing": -0.8},
}.items():
    for r, v in d.items():
        WHY_PERSONA_MEAN[p, REASON_INDEX[r]] = v
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

# The layout of truth.json (written into it as "schema"). The null company's truth.json adds the key
# "planted_effects" (false) and empties the effect sections: see null_truth.NULL_TRUTH_SCHEMA.
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
