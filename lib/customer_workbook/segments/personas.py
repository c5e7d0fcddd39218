"""Personas: the one engine that groups customers into personas, used by every step of the series.

A **persona** is a group of customers who buy alike. The engine finds them once per run, from what the
data show, and every notebook (01 behaviour, 03 strategy, 04 plan phases, 05 plan components) calls
:func:`find_personas` with the same data and seed, so a customer has the same persona in every report.

How it works
------------
1. **Features** (:func:`persona_features`): per customer, from :func:`customer_workbook.base.customer_features`,
   the columns of :data:`PERSONA_FEATURE_COLUMNS` that exist (order value and purchase rate on a log
   scale, items per order, channel shares, discount, premium, express-delivery, new and exclusive
   product shares) plus every product-category share (``cat_*``) and, when a customers table is given,
   age and income level. Missing values are filled with the column median. Each feature is then
   standardised (mean 0, standard deviation 1) so no single measure dominates.
2. **Who is clustered**: customers with at least ``min_orders`` orders (default 2). A single order says
   too little about habits; those customers are **unassigned**: label ``<NA>``, name ``NaN``
   (:data:`UNASSIGNED` where a text label is needed). Every caller must show them as such, not drop them
   silently.
3. **How many personas** (:func:`choose_k`, the stated criterion): *subsample stability, persona by
   persona* (Ben-Hur, Elisseeff and Guyon 2002; Hennig 2007). For each candidate k, k-means is fitted
   (10 starts, as the final fit) on pairs of independent random subsamples (80% of the customers, at most
   ``stability_sample``) and the two fits' labels of all customers are compared persona by persona: each
   persona of one fit is matched to the persona of the other fit it overlaps most (Jaccard index of the
   two customer sets, 1 = the same customers) and the pair's score is its *worst* persona's match. The
   chosen k is the largest whose mean score is at least ``threshold`` (0.85, Hennig's "highly stable"):
   the most detailed split in which *every* persona reproduces; if none reaches it, the most stable k.
   The adjusted Rand index (ARI) of the whole split and the silhouette are reported beside it. Why the
   worst persona and not the ARI of the whole split: when one extra persona is cut from the tail of
   another (customers who bought mostly one category, say), the two fits agree on almost every customer
   (ARI near 0.9) although the extra persona itself is a different set of customers each time (Jaccard
   near 0.2); the worst-persona score sees it. Why 10 starts: with fewer, a fit sometimes stops in a
   poorer local optimum and the criterion then measures the optimiser instead of the data. Its known
   limit: a persona cut from a dense, skewed tail can still reproduce on large data; read the criterion's
   table (stability, ARI and silhouette by k) when two candidates sit near the threshold.
4. **Fit** (:func:`fit_personas`): seeded k-means (10 starts) on a seeded sample of at most ``fit_sample``
   customers, applied to all clustered customers. Persona numbers are ordered by size (1 = largest).
5. **Names** (:func:`persona_names`): from the traits each persona stands out on *in this data*: the
   features with the largest absolute standardised deviation of its centre, written as "high order
   value · high store share"; a third trait (then a number) is added until every name is unique. No
   fixed archetype is assumed.

The result is a frozen :class:`Personas` with the assignment per customer, the centres, the names, the
chosen k and the criterion's table. With fewer than :data:`MIN_CLUSTERED` customers to cluster there are
no personas: every customer is unassigned, ``k`` is 0, and ``too_few`` (a
:class:`~customer_workbook.segments.enough.TooFew`) says how many there are and how many are needed, so
every report can show the same note instead of failing.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..threads import one_thread
from .enough import TooFew, too_few

__all__ = ["MIN_CLUSTERED", "PERSONA_FEATURE_COLUMNS", "PERSONA_SEED", "UNASSIGNED", "Personas", "choose_k", "find_personas", "fit_personas",
           "persona_features", "persona_names"]

#: Behaviour and attribute columns used for clustering, when present (plus every ``cat_*`` share).
PERSONA_FEATURE_COLUMNS: tuple[str, ...] = ("aov", "lines_per_order", "purchase_rate", "share_store", "share_app",
                                            "discount_share", "premium_share", "fast_delivery_share",
                                            "new_product_share", "exclusive_share", "age", "income_level")

#: Default seed of :func:`find_personas`: every notebook uses it, so all reports share one assignment.
PERSONA_SEED = 42

#: Text shown for customers the engine cannot place (fewer than ``min_orders`` orders).
UNASSIGNED = "unassigned"

#: Fewest customers with ``min_orders`` orders that personas are sought among: below it, stability cannot be
#: measured (each subsample of 80% must hold more customers than the 2 to 8 personas compared).
MIN_CLUSTERED = 10

_TRAIT_LABELS = {
    "aov": "order value", "lines_per_order": "items per order", "purchase_rate": "purchase frequency",
    "discount_share": "discount share", "premium_share": "premium share", "fast_delivery_share": "express delivery",
    "new_product_share": "new-product share", "exclusive_share": "exclusive share", "age": "age",
    "income_level": "income",
}


@dataclass(frozen=True, eq=False)
class Personas:
    """The personas of one run.

    Attributes
    ----------
    labels : Series of Int64
        Persona number (1..k, 1 = largest) of every customer with a purchase, index ``customer_id``;
        ``<NA>`` for unassigned customers (fewer than ``min_orders`` orders).
    names : Series of str
        Name of each persona, indexed by persona number.
    centres : DataFrame, shape (k, n_features)
        Persona centres in standard deviations from the mean of the clustered customers.
    k : int
        The chosen number of personas.
    criterion : DataFrame
        The stability table of :func:`choose_k`: ``k``, ``stability`` (mean worst-persona Jaccard between
        subsample fits), ``stability_min``, ``ari``, ``silhouette``, ``chosen``.
    threshold : float
        The stability a k had to reach.
    min_orders, seed : int
        Orders a customer needs to be clustered; the random seed.
    features : DataFrame
        The unscaled clustering inputs of the clustered customers (:func:`persona_features`).
    too_few : TooFew or None
        Set when fewer than :data:`MIN_CLUSTERED` customers could be clustered: then there are no personas
        (``k`` 0, no names, every customer unassigned) and :meth:`TooFew.note` is what reports show.
    """

    labels: pd.Series
    names: pd.Series
    centres: pd.DataFrame
    k: int
    criterion: pd.DataFrame
    threshold: float
    min_orders: int
    seed: int
    features: pd.DataFrame
    too_few: TooFew | None = None

    @property
    def found(self) -> bool:
        """Whether there are personas (false when the data have too few customers to cluster: ``too_few``)."""
        return self.too_few is None

    @property
    def assignment(self) -> pd.Series:
        """Persona name of every customer with a purchase; ``NaN`` for unassigned customers."""
        return self.labels.map(self.names).astype(object).rename("persona")

    @property
    def clustered(self) -> pd.Series:
        """Persona numbers of the assigned customers only (int)."""
        return self.labels.dropna().astype(int)

    @property
    def stability(self) -> float:
        """Mean worst-persona Jaccard between subsample fits of the chosen k (NaN without personas)."""
        if not self.found:
            return float("nan")
        return float(self.criterion.loc[self.criterion["chosen"], "stability"].iloc[0])

    def counts(self) -> dict[str, int]:
        """Customers per persona name, plus :data:`UNASSIGNED` (a plain dict, safe for findings JSON)."""
        named = self.assignment.fillna(UNASSIGNED).value_counts()
        order = [*self.names.tolist(), UNASSIGNED]
        return {name: int(named.get(name, 0)) for name in order}

    def fingerprint(self) -> str:
        """SHA-256 (first 16 hex digits) of the sorted (customer, persona) pairs, unassigned included.

        Two runs give the same fingerprint exactly when every customer has the same persona name.
        """
        pairs = pd.Series(self.assignment.fillna(UNASSIGNED).to_numpy(), index=self.labels.index.astype(str))
        pairs = pairs.sort_index()
        text = "\n".join(pairs.index + "\t" + pairs.astype(str))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def persona_features(features: pd.DataFrame, min_orders: int = 2) -> pd.DataFrame:
    """The clustering inputs of the customers with at least ``min_orders`` orders (unscaled).

    Parameters
    ----------
    features
        :func:`customer_workbook.base.customer_features` (needs ``orders``, ``tenure_days``, ``aov``).
    min_orders
        Customers with fewer orders are left out (they are the unassigned ones).

    Returns
    -------
    DataFrame, shape (n_kept, n_columns), index ``customer_id``
        The columns of :data:`PERSONA_FEATURE_COLUMNS` that exist plus every ``cat_*`` share; ``aov``
        becomes log order value and ``purchase_rate`` the log of orders per week since the first order
        (both are skewed). Missing values are filled with the column median.
    """
    kept = features[features["orders"] >= min_orders].copy()
    weeks = kept["tenure_days"] / 7.0 + 1.0
    kept["purchase_rate"] = np.log(kept["orders"] / weeks)
    kept["aov"] = np.log(kept["aov"].clip(lower=1.0))
    cols = [c for c in PERSONA_FEATURE_COLUMNS if c in kept] + [c for c in kept.columns if str(c).startswith("cat_")]
    out = kept[cols].astype(float)
    return out.fillna(out.median()).fillna(0.0)


def _standardise(X: pd.DataFrame) -> np.ndarray:
    sd = X.std(ddof=0).replace(0, 1.0).fillna(1.0)
    return ((X - X.mean()) / sd).to_numpy(dtype=float)


def _worst_persona_match(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard index of the persona that two labellings of the same customers reproduce least.

    Each persona of ``a`` is matched to the persona of ``b`` it overlaps most (and each of ``b`` to one of
    ``a``); the Jaccard index of a match is the customers in both over the customers in either. Returns
    the smallest match over the personas of both labellings (1 = every persona is the same customer set).
    """
    both = pd.crosstab(a, b).to_numpy(dtype=float)
    either = both.sum(axis=1, keepdims=True) + both.sum(axis=0, keepdims=True) - both
    jaccard = both / either
    return float(min(jaccard.max(axis=1).min(), jaccard.max(axis=0).min()))


def choose_k(X: pd.DataFrame, k_range: Sequence[int] = range(2, 9), threshold: float = 0.85, n_pairs: int = 10,
             sample_size: int = 5000, seed: int = 0, n_init: int = 10) -> pd.DataFrame:
    """Choose the number of personas by subsample stability: the most detailed split whose every persona reproduces.

    For each k, k-means (``n_init`` starts) is fitted on ``n_pairs`` pairs of random subsamples (80% of the
    customers, at most ``sample_size``) and the two fits' labels of all customers are compared persona by
    persona (:func:`_worst_persona_match`: the Jaccard index of the persona the two fits share least).
    The chosen k is the largest whose mean score is at least ``threshold``; if none reaches it, the most
    stable k (Ben-Hur, Elisseeff and Guyon 2002, "A stability based method for discovering structure in
    clustered data"; Hennig 2007, "Cluster-wise assessment of cluster stability", where 0.85 marks a
    highly stable cluster).

    Parameters
    ----------
    X
        :func:`persona_features` (standardised here).

    Returns
    -------
    DataFrame
        ``k``, ``stability`` (mean worst-persona Jaccard over the pairs), ``stability_min`` (its smallest
        value), ``ari`` (mean adjusted Rand index of the whole split), ``silhouette`` (on at most 3,000
        customers), ``chosen`` (bool, true for one row).
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    Z = _standardise(X)
    n = len(Z)
    size = max(min(sample_size, int(0.8 * n)), 1)
    rng = np.random.default_rng(seed)
    sil_idx = rng.choice(n, min(n, 3000), replace=False)
    rows = []
    with one_thread():
        for k in k_range:
            if k >= size:
                continue
            worst, aris = [], []
            for rep in range(n_pairs):
                a = rng.choice(n, size, replace=False)
                b = rng.choice(n, size, replace=False)
                ka = KMeans(k, n_init=n_init, random_state=seed + 2 * rep).fit(Z[a])
                kb = KMeans(k, n_init=n_init, random_state=seed + 2 * rep + 1).fit(Z[b])
                la, lb = ka.predict(Z), kb.predict(Z)
                worst.append(_worst_persona_match(la, lb))
                aris.append(adjusted_rand_score(la, lb))
            labels = ka.predict(Z[sil_idx])
            sil = silhouette_score(Z[sil_idx], labels) if len(np.unique(labels)) > 1 else np.nan
            rows.append({"k": int(k), "stability": float(np.mean(worst)), "stability_min": float(np.min(worst)),
                         "ari": float(np.mean(aris)), "silhouette": float(sil)})
    table = pd.DataFrame(rows, columns=["k", "stability", "stability_min", "ari", "silhouette"])
    if table.empty:
        raise ValueError(f"Too few customers ({n}) to compare numbers of personas.")
    ok = table[table["stability"] >= threshold]
    chosen = int(ok["k"].max()) if len(ok) else int(table.loc[table["stability"].idxmax(), "k"])
    table["chosen"] = table["k"] == chosen
    return table


def fit_personas(X: pd.DataFrame, k: int, seed: int = 0, fit_sample: int = 50_000) -> tuple[pd.Series, pd.DataFrame]:
    """Seeded k-means on standardised features, fitted on a sample and applied to every row of ``X``.

    Returns
    -------
    labels : Series of int (1..k, 1 = the largest persona), index like ``X``
    centres : DataFrame, shape (k, n_features), in standard deviations from the mean of ``X``
    """
    from sklearn.cluster import KMeans

    Z = _standardise(X)
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(Z), min(fit_sample, len(Z)), replace=False)
    with one_thread():
        raw = KMeans(k, n_init=10, random_state=seed).fit(Z[idx]).predict(Z)
    order = np.argsort(-np.bincount(raw, minlength=k), kind="stable")
    relabel = np.empty(k, dtype=int)
    relabel[order] = np.arange(1, k + 1)
    labels = pd.Series(relabel[raw], index=X.index, name="persona")
    centres = pd.DataFrame(Z, index=X.index, columns=X.columns).groupby(labels.to_numpy()).mean()
    centres.index.name = "persona"
    return labels, centres


def _trait_label(column: str) -> str:
    if column in _TRAIT_LABELS:
        return _TRAIT_LABELS[column]
    if column.startswith("share_"):
        return f"{column[6:].replace('_', ' ')} share"
    if column.startswith("cat_"):
        return f"{column[4:].replace('_', ' ')} share"
    return column.replace("_", " ")


def persona_names(centres: pd.DataFrame, n_traits: int = 2) -> pd.Series:
    """Names from the traits each persona stands out on: "high discount share · low order value".

    The traits of a persona are its features ordered by the absolute standardised deviation of its
    centre; the name joins the first ``n_traits`` as "high <trait>" or "low <trait>". While two personas
    share a name, the next trait is added; a persona that still collides gets its number appended.

    Returns
    -------
    Series of str, indexed like ``centres`` (persona number).
    """
    ranked = {p: row.abs().sort_values(ascending=False, kind="stable").index.tolist() for p, row in centres.iterrows()}

    def name(p, depth: int) -> str:
        row = centres.loc[p]
        words = [f"{'high' if row[c] > 0 else 'low'} {_trait_label(str(c))}" for c in ranked[p][:depth]]
        return " · ".join(words) if words else "all customers"

    depth = {p: min(n_traits, len(ranked[p])) for p in centres.index}
    for _ in range(len(centres.columns) + 1):  # at most one round per feature
        names = {p: name(p, depth[p]) for p in centres.index}
        dup = pd.Series(names).duplicated(keep=False)
        grow = [p for p in dup[dup].index if depth[p] < len(ranked[p])]
        if not grow:
            break
        for p in grow:
            depth[p] += 1
    seen: dict[str, int] = {}
    out = {}
    for p in centres.index:  # one iteration per persona
        base = names[p]
        seen[base] = seen.get(base, 0) + 1
        out[p] = base if list(names.values()).count(base) == 1 else f"{base} ({p})"
    return pd.Series(out, name="name")


def find_personas(dataset, *, seed: int = PERSONA_SEED, min_orders: int = 2, k_range: Sequence[int] = range(2, 9),
                  threshold: float = 0.85, n_pairs: int = 10, stability_sample: int = 5000,
                  fit_sample: int = 50_000, features: pd.DataFrame | None = None) -> Personas:
    """The personas of a data set: features, k by stability, seeded k-means, names from the data.

    Every notebook calls ``find_personas(ds)`` on its loaded and filtered data set, so the assignment is
    the same everywhere.

    Parameters
    ----------
    dataset
        A :class:`customer_workbook.data.Dataset` (its ``products`` and ``customers`` are used when
        present: category shares, premium/new/exclusive shares, age and income).
    seed
        Random seed of the subsamples and of k-means.
    min_orders
        Orders a customer needs to be clustered; the others are unassigned (label ``<NA>``).
    k_range, threshold, n_pairs, stability_sample
        Candidates and settings of the stability criterion (:func:`choose_k`).
    fit_sample
        Customers k-means is fitted on (a seeded sample); everyone clustered is then assigned.
    features
        Precomputed :func:`customer_workbook.base.customer_features` of ``dataset`` (saves a pass over
        the lines); by default computed here.

    Returns
    -------
    Personas
        With no personas (``found`` false, ``too_few`` set, everyone unassigned) when fewer than
        :data:`MIN_CLUSTERED` customers have ``min_orders`` orders.
    """
    from ..base.customers import customer_features

    if features is None:
        tx = dataset.transactions
        products = dataset.products if dataset.has("products") and "product_id" in tx else None
        features = customer_features(tx, products, dataset.customers)
    X = persona_features(features, min_orders=min_orders)
    if few := too_few(len(X), MIN_CLUSTERED, f"customers with {min_orders} or more orders"):
        return _no_personas(features.index, X, few, threshold, min_orders, seed)
    table = choose_k(X, k_range, threshold=threshold, n_pairs=n_pairs, sample_size=stability_sample, seed=seed)
    k = int(table.loc[table["chosen"], "k"].iloc[0])
    labels, centres = fit_personas(X, k, seed=seed, fit_sample=fit_sample)
    full = labels.reindex(features.index).astype("Int64")
    full.index = pd.Index(np.asarray(features.index), name="customer_id")
    return Personas(labels=full, names=persona_names(centres), centres=centres, k=k, criterion=table,
                    threshold=threshold, min_orders=min_orders, seed=seed, features=X)


def _no_personas(customers: pd.Index, X: pd.DataFrame, few: TooFew, threshold: float, min_orders: int,
                 seed: int) -> Personas:
    """The result without personas: every customer unassigned, ``k`` 0, empty names, centres and criterion."""
    labels = pd.Series(pd.NA, index=pd.Index(np.asarray(customers), name="customer_id"), dtype="Int64", name="persona")
    criterion = pd.DataFrame({"k": pd.Series(dtype=int), "stability": pd.Series(dtype=float),
                              "stability_min": pd.Series(dtype=float), "ari": pd.Series(dtype=float),
                              "silhouette": pd.Series(dtype=float), "chosen": pd.Series(dtype=bool)})
    return Personas(labels=labels, names=pd.Series(dtype=str, name="name"), centres=pd.DataFrame(columns=X.columns),
                    k=0, criterion=criterion, threshold=threshold, min_orders=min_orders, seed=seed, features=X,
                    too_few=few)
