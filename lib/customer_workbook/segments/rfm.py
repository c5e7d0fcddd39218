"""RFM: recency, frequency and monetary scores (tie-robust quantiles) and the named segments of the 5 x 5
RFM grid, with what to do about each."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SEGMENTS", "SEGMENT_ACTIONS", "SEGMENT_GRID", "RFMScores", "rfm_scores", "rfm_segments", "segment_summary",
           "tie_robust_scores"]


#: Named RFM segments, from best to worst, used as the categories of :func:`rfm_segments`.
SEGMENTS: tuple[str, ...] = ("Champions", "Loyal", "Potential loyalists", "Promising", "New customers",
                             "Need attention", "About to sleep", "At risk", "Can't lose them",
                             "Hibernating", "Lost")

#: Segment of each (R score, FM score) cell of the 5 x 5 RFM grid. Rows: R = 1..5, columns: FM = 1..5.
SEGMENT_GRID: tuple[tuple[str, ...], ...] = (
    ("Lost", "Lost", "At risk", "At risk", "Can't lose them"),                                      # R = 1
    ("Hibernating", "Hibernating", "At risk", "At risk", "At risk"),                               # R = 2
    ("About to sleep", "About to sleep", "Need attention", "Loyal", "Loyal"),                      # R = 3
    ("Promising", "Potential loyalists", "Potential loyalists", "Loyal", "Champions"),            # R = 4
    ("New customers", "Potential loyalists", "Potential loyalists", "Champions", "Champions"),    # R = 5
)

#: What each segment means and what to do with it (shown in the notebook's segment table).
SEGMENT_ACTIONS: dict[str, str] = {
    "Champions": "bought recently, often and much: recognise and involve them",
    "Loyal": "buy often and much, a little less recently: keep them close, cross-sell",
    "Potential loyalists": "recent, middling frequency and spend: build the habit",
    "Promising": "recent, low frequency and spend: help them get value",
    "New customers": "bought very recently for the first time(s): onboard them",
    "Need attention": "middling on everything: a timely, relevant offer",
    "About to sleep": "slipping, low value: cheap reactivation",
    "At risk": "used to buy well, not lately: win them back personally",
    "Can't lose them": "were among the best, gone quiet: close the back door now",
    "Hibernating": "long gone, low value: low-cost reminders only",
    "Lost": "longest gone, lowest value: do not spend on them",
}


def tie_robust_scores(values, n_bins: int = 5, higher_is_better: bool = True) -> np.ndarray:
    """Quantile scores 1..``n_bins`` that give tied values the same score and never drop a bin silently.

    Each value gets ``1 + floor(n_bins * (rank - 1) / n)``, where ``rank`` is its *lowest* 1-based rank
    among equal values (``method="min"``). So every tie group lands wholly in one score, scores stay in
    1..``n_bins``, and when one value covers several quantiles (e.g. 40% of customers with one order)
    the scores it skips are simply unused; :func:`rfm_scores` reports which ones were used.

    Parameters
    ----------
    values : array_like, shape (n,)
        Numbers to score; NaN gets score 0 (unknown).
    n_bins : int
        Number of scores (quantile bins).
    higher_is_better : bool
        When False (recency in days), lower values get higher scores.

    Returns
    -------
    ndarray of int, shape (n,)
    """
    x = pd.Series(np.asarray(values, dtype=float))
    if not higher_is_better:
        x = -x
    valid = x.notna()
    m = int(valid.sum())
    out = np.zeros(len(x), dtype=int)
    if m:
        rank = x[valid].rank(method="min").to_numpy()
        out[valid.to_numpy()] = 1 + np.floor(n_bins * (rank - 1) / m).astype(int)
    return out


@dataclass(frozen=True)
class RFMScores:
    """RFM scores of every customer (:func:`rfm_scores`).

    ``table``: shape (n_customers, 4), index ``customer_id``: ``R``, ``F``, ``M`` (int, 1 = worst,
    ``n_bins`` = best) and ``FM`` (rounded mean of F and M, half up). ``n_bins``: score levels per
    dimension. ``scores_used``: for each of R, F, M the scores that occur, so a level swallowed by
    ties is visible, not silent.
    """

    table: pd.DataFrame
    n_bins: int
    scores_used: dict[str, list[int]]

    def unused(self) -> dict[str, list[int]]:
        """For each of R, F, M the score levels no customer has (ties spanning several quantiles)."""
        return {dim: sorted(set(range(1, self.n_bins + 1)) - set(used)) for dim, used in self.scores_used.items()}


def rfm_scores(features: pd.DataFrame, n_bins: int = 5) -> RFMScores:
    """Recency, frequency and monetary scores (1 = worst, ``n_bins`` = best), robust to ties.

    Score only customers with a paid purchase (``orders > 0``): a customer whose every line is free or a
    return has no recency (NaN), which scores 0 (unknown) and gets no segment in :func:`rfm_segments`.

    Parameters
    ----------
    features
        The per-customer table (:func:`customer_workbook.base.customer_features`; uses
        ``recency_days``, ``orders``, ``revenue``).
    n_bins
        Number of score levels per dimension.

    Returns
    -------
    RFMScores
    """
    scores = pd.DataFrame({
        "R": tie_robust_scores(features["recency_days"], n_bins, higher_is_better=False),
        "F": tie_robust_scores(features["orders"], n_bins),
        "M": tie_robust_scores(features["revenue"], n_bins),
    }, index=features.index)
    scores["FM"] = (scores["F"] + scores["M"] + 1) // 2
    used = {c: sorted(int(v) for v in pd.unique(scores[c])) for c in ("R", "F", "M")}
    return RFMScores(table=scores, n_bins=n_bins, scores_used=used)


def rfm_segments(scores: RFMScores) -> pd.Series:
    """Named segment of each customer from its R and FM scores (see :data:`SEGMENT_GRID`, 5 levels;
    scores on another number of levels are mapped onto 1-5 first).

    Returns a categorical Series (categories :data:`SEGMENTS`, best first) indexed like ``scores.table``.
    A customer with an unknown score (0: no purchase, so no recency) gets no segment (NaN), never the
    segment of score 1.
    """
    table, n_bins = scores.table, scores.n_bins
    known = (table[[c for c in ("R", "F", "M", "FM") if c in table]] >= 1).all(axis=1).to_numpy()
    if n_bins != 5:
        r = np.clip(np.ceil(table["R"].to_numpy() * 5 / n_bins), 1, 5).astype(int)
        fm = np.clip(np.ceil(table["FM"].to_numpy() * 5 / n_bins), 1, 5).astype(int)
    else:
        r, fm = table["R"].to_numpy().clip(1, 5), table["FM"].to_numpy().clip(1, 5)
    grid = np.array(SEGMENT_GRID, dtype=object)
    names = np.where(known, grid[r - 1, fm - 1], None)
    return pd.Series(pd.Categorical(names, categories=SEGMENTS), index=table.index, name="segment")


def segment_summary(segments: pd.Series, revenue: pd.Series) -> pd.DataFrame:
    """Customers and net revenue of every segment, empty segments included (zero rows, not dropped).

    Parameters
    ----------
    segments
        Categorical labels per customer (e.g. from :func:`rfm_segments`); every category is listed.
    revenue
        Net revenue per customer (currency units), same index.

    Returns
    -------
    DataFrame, one row per category
        ``segment``, ``customers``, ``customer_share``, ``revenue``, ``revenue_share``,
        ``revenue_per_customer`` (NaN for an empty segment) and ``what_it_means`` when known.
    """
    seg = segments if isinstance(segments.dtype, pd.CategoricalDtype) else segments.astype("category")
    revenue = revenue.reindex(seg.index).fillna(0.0)
    counts = seg.value_counts(sort=False).reindex(seg.cat.categories, fill_value=0)
    money = revenue.groupby(seg, observed=False).sum().reindex(seg.cat.categories, fill_value=0.0)
    total_rev = float(revenue.sum())
    out = pd.DataFrame({"segment": [str(c) for c in counts.index], "customers": counts.to_numpy(dtype=int),
                        "customer_share": counts.to_numpy() / max(int(counts.sum()), 1),
                        "revenue": money.to_numpy(dtype=float),
                        "revenue_share": money.to_numpy() / total_rev if total_rev else np.nan})
    out["revenue_per_customer"] = out["revenue"] / out["customers"].where(out["customers"] > 0)
    out["what_it_means"] = out["segment"].map(SEGMENT_ACTIONS).fillna("")
    return out
