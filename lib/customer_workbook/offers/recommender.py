"""Personal offers: an item-item recommender on what customers bought, its next-best offers, and its
hit rate and recall on a time split against popularity."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from ..base.lines import distinct_ids, plain_index, purchase_lines

__all__ = ["MIN_TEST_CUSTOMERS", "ItemItemModel", "RecommenderEvaluation", "holdout_months_for", "evaluate_recommenders", "fit_item_item", "offers_table", "popular_items", "recommend", "top_pairs"]

#: Fewest test customers (bought before and after the split, something new after it) for a held-out verdict.
MIN_TEST_CUSTOMERS = 30


@dataclass
class ItemItemModel:
    """Item-item co-purchase model: cosine similarity between products' buyer sets.

    ``similarity`` is a dense (n_items, n_items) array with a zero diagonal; ``items`` the product ids
    in its order; ``popularity`` the number of buyers per product (same order).
    """

    items: pd.Index
    similarity: np.ndarray
    popularity: np.ndarray
    until: pd.Timestamp | None = None
    extras: dict = field(default_factory=dict)

    def neighbours(self, product_id: str, k: int = 5) -> pd.Series:
        """The ``k`` products most similar to ``product_id`` (Series: product id -> cosine)."""
        row = self.similarity[self.items.get_loc(product_id)]
        top = np.argsort(-row, kind="stable")[:k]
        return pd.Series(row[top], index=self.items[top], name="cosine")


def _owned_matrix(transactions: pd.DataFrame, customers: pd.Index, items: pd.Index) -> sparse.csr_matrix:
    """Binary (len(customers), len(items)) matrix: 1 where the customer bought the product."""
    buys = transactions if (transactions["amount"].to_numpy() > 0).all() else purchase_lines(transactions)
    rows = customers.get_indexer(buys["customer_id"])
    cols = items.get_indexer(buys["product_id"])
    keep = (rows >= 0) & (cols >= 0)
    m = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.float32), (rows[keep], cols[keep])),
                          shape=(len(customers), len(items)))
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def fit_item_item(transactions: pd.DataFrame, until=None) -> ItemItemModel:
    """Fit the item-item cosine recommender on purchases before ``until``.

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions with ``product_id``.
    until : date-like, optional
        Only lines dated before this day are used (time split); default all.

    Returns
    -------
    ItemItemModel
    """
    tx = transactions[["customer_id", "date", "amount", "product_id"]]
    tx = tx if until is None else tx[tx["date"] < pd.Timestamp(until)]
    buys = purchase_lines(tx)
    item_code, items = pd.factorize(buys["product_id"], sort=True)
    cust_code, customers = pd.factorize(buys["customer_id"])
    x = sparse.csr_matrix((np.ones(len(buys), dtype=np.float32), (cust_code, item_code)),
                          shape=(len(customers), len(items)))
    x.sum_duplicates()
    x.data[:] = 1.0
    items = plain_index(pd.Index(items))
    co = (x.T @ x).toarray().astype(float)
    pop = np.diag(co).copy()
    norm = np.sqrt(np.outer(pop, pop))
    sim = np.divide(co, norm, out=np.zeros_like(co), where=norm > 0)
    np.fill_diagonal(sim, 0.0)
    return ItemItemModel(items=items, similarity=sim, popularity=pop,
                         until=None if until is None else pd.Timestamp(until))


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` highest scores per row, best first. Shape (n_rows, k)."""
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def _score(model: ItemItemModel, owned: sparse.csr_matrix, kind: str) -> np.ndarray:
    tie = model.popularity / (model.popularity.max(initial=0.0) + 1.0) * 1e-6
    if kind == "item_item":
        scores = np.asarray(owned @ model.similarity) + tie
    else:
        scores = np.broadcast_to(model.popularity.astype(float), owned.shape).copy()
    scores[owned.nonzero()] = -np.inf
    return scores


def recommend(model: ItemItemModel, transactions: pd.DataFrame, customer_ids, k: int = 10,
              kind: str = "item_item", batch: int = 50_000) -> pd.DataFrame:
    """Top-``k`` next-best offers per customer: products similar to what they bought, not yet owned.

    Score of product j for customer c = sum of cosine(j, i) over products i the customer bought
    (``kind="item_item"``), or the number of buyers of j (``kind="popularity"``, the baseline).

    Parameters
    ----------
    model : ItemItemModel
    transactions : DataFrame
        Purchase history used for "what they own" (lines before ``model.until`` when set).
    customer_ids : array_like
        Customers to score; processed in batches of ``batch`` rows to bound memory.
    k : int
        Offers per customer.

    Returns
    -------
    DataFrame, shape (n_customers * k, 4)
        ``customer_id``, ``rank`` (1 = best), ``product_id``, ``score``.
    """
    if kind not in ("item_item", "popularity"):
        raise ValueError("kind must be 'item_item' or 'popularity'")
    customers = pd.Index(pd.unique(pd.Series(customer_ids, dtype="string")))
    hist = transactions[["customer_id", "date", "amount", "product_id"]]
    hist = hist[hist["customer_id"].isin(customers).to_numpy()]
    if model.until is not None:
        hist = hist[hist["date"] < model.until]
    frames = []
    for start in range(0, len(customers), batch):
        chunk = customers[start:start + batch]
        owned = _owned_matrix(hist[hist["customer_id"].isin(chunk)], chunk, model.items)
        scores = _score(model, owned, kind)
        top = _top_k(scores, k)
        frames.append(pd.DataFrame({
            "customer_id": np.repeat(chunk.to_numpy(), top.shape[1]),
            "rank": np.tile(np.arange(1, top.shape[1] + 1), len(chunk)),
            "product_id": model.items.to_numpy()[top.ravel()],
            "score": np.take_along_axis(scores, top, axis=1).ravel()}))
    return pd.concat(frames, ignore_index=True)


def popular_items(model: ItemItemModel, k: int = 10) -> pd.Series:
    """The ``k`` products with most buyers (Series: product id -> buyers)."""
    top = np.argsort(-model.popularity, kind="stable")[:k]
    return pd.Series(model.popularity[top], index=model.items[top], name="buyers")


def top_pairs(model: ItemItemModel, n: int = 12, products: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``n`` product pairs bought by the most overlapping sets of customers (highest cosine).

    Returns
    -------
    DataFrame: ``product_a``, ``product_b``, ``cosine`` (0-1) and, with ``products``, their categories.
    """
    sim = np.triu(model.similarity, k=1)
    flat = np.argsort(-sim, axis=None, kind="stable")[:n]
    a, b = np.unravel_index(flat, sim.shape)
    out = pd.DataFrame({"product_a": model.items[a], "product_b": model.items[b], "cosine": sim[a, b]})
    if products is not None and "category" in products:
        cat = products.set_index("product_id")["category"]
        out["category_a"] = cat.reindex(out["product_a"]).to_numpy()
        out["category_b"] = cat.reindex(out["product_b"]).to_numpy()
    return out


def offers_table(recs: pd.DataFrame, products: pd.DataFrame | None = None, values: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer with the offers in rank order (``offers`` text) and, when given, the
    products' categories and tiers and the customer's 1-year CLV."""
    r = recs.copy()
    label = r["product_id"].astype("string")
    if products is not None:
        info = products.set_index("product_id")
        extra = [c for c in ("category", "tier") if c in info]
        if extra:
            label = label + " (" + info[extra].astype("string").agg(", ".join, axis=1).reindex(r["product_id"]).to_numpy() + ")"
    r["label"] = label.to_numpy()
    out = r.sort_values(["customer_id", "rank"]).groupby("customer_id", sort=False)["label"].agg("; ".join).rename("offers")
    out = out.to_frame()
    if values is not None:
        out.insert(0, "clv_1y", values["clv_1y"].reindex(out.index))
        out = out.sort_values("clv_1y", ascending=False)
    return out.rename_axis("customer_id").reset_index()


@dataclass(frozen=True)
class RecommenderEvaluation:
    """Held-out accuracy of the recommender against popularity (:func:`evaluate_recommenders`).

    Attributes
    ----------
    table : DataFrame, 2 rows (``item_item``, ``popularity``)
        ``hit_rate``, ``recall``, ``precision`` (0-1) and ``test_customers``.
    model : ItemItemModel
        The model fitted on purchases before ``split_date``.
    lift : float
        Recall of item-item divided by recall of popularity (inf when popularity finds nothing).
    split_date : Timestamp
    k : int
        Offers per customer.
    n_products : int
        Products the model knows (bought before the split).
    recall_gain_low, recall_gain_high : float
        90% interval of the mean per-customer difference in recall, item-item minus popularity (paired on the
        same test customers; NaN without test customers).
    """

    table: pd.DataFrame
    model: ItemItemModel
    lift: float
    split_date: pd.Timestamp
    k: int
    n_products: int = 0
    recall_gain_low: float = float("nan")
    recall_gain_high: float = float("nan")

    @property
    def test_customers(self) -> int:
        """Customers the evaluation was measured on."""
        return int(self.table.loc["item_item", "test_customers"])

    @property
    def informative(self) -> bool:
        """The hit rate can tell recommenders apart: the catalogue holds more products than the ``k`` offers
        (otherwise every product a customer does not own is offered) and at least :data:`MIN_TEST_CUSTOMERS`
        customers were tested."""
        return self.n_products > self.k and self.test_customers >= MIN_TEST_CUSTOMERS

    @property
    def beats_baseline(self) -> bool:
        """Informative, and the recommender's recall beats best-sellers' beyond chance (interval above 0)."""
        return self.informative and bool(self.recall_gain_low > 0)


def holdout_months_for(start, end, holdout_months: int) -> int:
    """Months at the end of the history to test a recommender on: ``holdout_months``, but at most half of the
    history (rounded to whole months) so the model learns from at least as long as it is tested on; 0 when
    the data cover less than two months (the minimum: one month to learn from and one to test on)."""
    span = round((pd.Timestamp(end) - pd.Timestamp(start)).days / (365.25 / 12))  # whole months of data
    return int(max(min(int(holdout_months), span // 2), 0))


def evaluate_recommenders(transactions: pd.DataFrame, split_date, k: int = 10, max_customers: int = 20_000,
                          seed: int = 0) -> RecommenderEvaluation:
    """Offline evaluation on a time split: train before ``split_date``, test on what was bought after.

    Test customers bought before and after the split; their relevant items are the products bought
    after the split that they did not own before. ``hit_rate`` = share of test customers with at
    least one relevant item in their top ``k``; ``recall`` = mean share of each customer's relevant
    items found in the top ``k``; ``precision`` = mean share of the ``k`` offers that were relevant.

    Parameters
    ----------
    transactions : DataFrame
        Contract transactions with ``product_id``.
    split_date : date-like
    k : int
    max_customers : int
        Test customers are sampled down to this many (seeded) to bound time and memory.
    seed : int

    Returns
    -------
    RecommenderEvaluation
    """
    split = pd.Timestamp(split_date)
    model = fit_item_item(transactions, until=split)
    lines = purchase_lines(transactions[["customer_id", "date", "amount", "product_id"]])
    is_before = (lines["date"] < split).to_numpy()
    before, after = lines[is_before], lines[~is_before]
    test = distinct_ids(before["customer_id"]).intersection(distinct_ids(after["customer_id"]))
    if len(test) > max_customers:
        rng = np.random.default_rng(seed)
        test = test[np.sort(rng.choice(len(test), max_customers, replace=False))]
    owned = _owned_matrix(before, test, model.items)
    later = _owned_matrix(after, test, model.items)
    relevant = (later - later.multiply(owned)).tocsr()
    relevant.eliminate_zeros()
    n_rel = np.asarray(relevant.sum(axis=1)).ravel()
    has = n_rel > 0
    if not has.any():  # nothing new bought after the split by anyone known before it: no test
        nan = float("nan")
        out = pd.DataFrame({"hit_rate": nan, "recall": nan, "precision": nan, "test_customers": 0},
                           index=pd.Index(["item_item", "popularity"], name="method"))
        return RecommenderEvaluation(out, model, nan, split, k, len(model.items))
    rel_dense = relevant[has].toarray() > 0
    rows, recalls = [], []
    for kind in ("item_item", "popularity"):
        top = _top_k(_score(model, owned[has], kind), k)
        hits = np.take_along_axis(rel_dense, top, axis=1).sum(axis=1)
        recalls.append(hits / n_rel[has])
        rows.append({"method": kind, "hit_rate": float((hits > 0).mean()), "recall": float(recalls[-1].mean()),
                     "precision": float((hits / top.shape[1]).mean()), "test_customers": int(has.sum())})
    out = pd.DataFrame(rows).set_index("method")
    base = out.loc["popularity", "recall"]
    lift = float(out.loc["item_item", "recall"] / base) if base > 0 else float("inf")
    gain = recalls[0] - recalls[1]
    half = 1.645 * float(gain.std(ddof=1)) / np.sqrt(len(gain)) if len(gain) > 1 else float("nan")
    return RecommenderEvaluation(out, model, lift, split, k, len(model.items), float(gain.mean() - half),
                                 float(gain.mean() + half))
