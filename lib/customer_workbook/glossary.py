"""Human labels for the code names the library uses (reasons to choose, dormancy groups, uplift segments).

One glossary for every text, table, legend and finding a reader sees: ``label("fast_brand")`` gives
"speed (fast brand)". A name the glossary does not know is shown with its underscores as spaces, so a
column name from the user's data reads as words and is never silently renamed into something else.
"""
from __future__ import annotations

__all__ = ["GLOSSARY", "label"]

#: Code name -> label, by family.
GLOSSARY: dict[str, str] = {
    # reasons to choose (step 1 of the method; survey items reason_<name>)
    "innovation": "innovation", "personalisation": "personalisation",
    "lack_of_alternatives": "lack of known alternatives", "sympathy": "sympathy for the brand",
    "marketing_packaging": "marketing and packaging", "unique_features": "unique features",
    "fast_brand": "speed (fast brand)", "pricing": "price", "social_proof": "social proof of quality",
    "bandwagon": "bandwagon effect",
    # dormancy groups (retention.winback)
    "half_sleepy": "half-sleepy",
    # uplift segments (retention.uplift)
    "persuadable": "persuadables", "sure_thing": "sure things", "lost_cause": "lost causes",
    "sleeping_dog": "sleeping dogs",
    # table columns and legend entries of the library whose words alone do not read (abbreviations, symbols)
    "p_alive": "probability still active", "mean_p_alive": "mean probability still active",
    "clv": "CLV", "clv_1y": "CLV, next year", "clv_3y": "CLV, next 3 years", "clv_low": "CLV low",
    "clv_high": "CLV high", "mean_clv_1y": "mean CLV, next year", "mean_clv_3y": "mean CLV, next 3 years",
    "share_clv_1y": "share of CLV, next year", "share_clv_3y": "share of CLV, next 3 years",
    "total_clv_1y": "total CLV, next year", "total_clv_3y": "total CLV, next 3 years",
    "audience_value_1y": "audience value, next year", "cac": "CAC", "cac_low": "CAC low", "cac_high": "CAC high",
    "clv_to_cac": "CLV / CAC", "marginal_cac": "marginal CAC", "marginal_cac_low": "marginal CAC low",
    "marginal_cac_high": "marginal CAC high", "ci_low": "interval low", "ci_high": "interval high",
    "p_value": "p-value", "p_adj": "p-value (adjusted)", "p_adjusted": "p-value (adjusted)",
    "p_holm": "p-value (Holm-adjusted)", "p_vs_top": "p-value against the top", "hedges_g": "effect size (Hedges' g)",
    "pr_auc": "PR-AUC", "roc_auc": "ROC-AUC", "uplift_se": "uplift standard error", "n_acquired": "customers acquired",
    "n_treated": "customers treated", "top3_share": "top-3 share", "vs_rest": "against the rest", "seven_p": "7 Ps",
    "change_id": "change no.", "benefit_cost": "benefit / cost", "nps": "NPS", "aov": "average order value",
    "share_tv": "share TV", "item_item": "item-to-item",
}


def label(name: object) -> str:
    """The reader's label of a code name: the glossary's, else the name with underscores as spaces."""
    text = str(name)
    return GLOSSARY.get(text, text.replace("_", " "))
