"""What to offer each customer (step 5 of the method, personal offers).

- :mod:`.recommender`: item-item next-best offers, evaluated on a time split against popularity.
"""
from .recommender import (ItemItemModel, evaluate_recommenders, fit_item_item, offers_table, popular_items,
                          recommend, top_pairs)

__all__ = ["ItemItemModel", "evaluate_recommenders", "fit_item_item", "offers_table", "popular_items", "recommend",
           "top_pairs"]
