"""What to offer whom (step 5 of the method): personal offers, the product line, the assortment and the
people who are not customers yet.

- :mod:`.recommender`: item-item next-best offers, evaluated on a time split against popularity.
- :mod:`.products`: the product-line hierarchy (entry, core, premium, special service) and movement up it.
- :mod:`.assortment`: choice or convenience - assortment breadth against how often customers come back.
- :mod:`.prospects`: prospective, rejected and unexplored non-customers and their must-have needs.
"""
from .assortment import ChoiceVsConvenience, choice_vs_convenience
from .products import TierMigration, product_hierarchy, tier_migration
from .prospects import classify_prospects, must_have_needs
from .recommender import (MIN_TEST_CUSTOMERS, ItemItemModel, RecommenderEvaluation, evaluate_recommenders,
                          fit_item_item, holdout_months_for, offers_table, popular_items, recommend, top_pairs)

__all__ = ["MIN_TEST_CUSTOMERS", "ChoiceVsConvenience", "ItemItemModel", "RecommenderEvaluation", "TierMigration", "choice_vs_convenience",
           "classify_prospects", "evaluate_recommenders", "fit_item_item", "holdout_months_for", "must_have_needs", "offers_table",
           "popular_items", "product_hierarchy", "recommend", "tier_migration", "top_pairs"]
