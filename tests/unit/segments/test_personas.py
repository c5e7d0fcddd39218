"""The one persona engine (``customer_workbook.segments.personas``).

Tolerances (stated here, checked below):
* planted groups: on three well-separated synthetic behaviour groups the engine, with its default criterion
  (worst-persona Jaccard at least 0.85 over 10 subsample pairs), finds k = 3 and recovers them (adjusted Rand
  index at least 0.98; measured 0.993). Each group can also be cut in two along its spread of purchase
  frequency: the whole split then agrees well between subsamples (ARI 0.94 at k = 6, above the old ARI
  threshold of 0.90 that this test had to raise to 0.95) but the cut personas do not (worst-persona
  Jaccard 0.45), which is what the criterion checks;
* the shipped sample (``data/sample``): the engine's groups match the planted personas
  (``truth_customers.parquet``, column ``persona``) on the customers it assigns (2+ orders) with an
  adjusted Rand index of at least ``SAMPLE_ARI_MIN`` = 0.75. Measured: 0.795 (k = 5, seed 42), so the
  margin is 0.05;
* generated companies of 1,500 customers (seeds 1-8): 5 personas on at least 7 (measured 8; the former ARI
  criterion found 6) and ARI at least 0.75 where 5 are found (measured 0.80 to 0.85);
* each engine persona on the shipped sample is mostly one planted persona: the majority share is at least
  ``SAMPLE_PURITY_MIN`` = 0.75 (measured 0.80 to 0.97; the lowest is the lighting/young persona).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from conftest import ROOT
from customer_workbook.data import load_dataset
from customer_workbook.segments import (MIN_CLUSTERED, UNASSIGNED, Personas, choose_k, find_personas, fit_personas, persona_features,
                                       persona_names)

SAMPLE_ARI_MIN = 0.75
SAMPLE_PURITY_MIN = 0.75
ARCHETYPES = ("bargain hunter", "trend seeker", "convenience seeker", "loyal local", "quality connoisseur")


def _write(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def _groups(n_per: int = 150, n_single: int = 40, seed: int = 0, channels=("store", "web", "app")) -> tuple[pd.DataFrame, pd.Series]:
    """Three behaviour groups (order value, channel, discount, frequency) plus one-order customers."""
    rng = np.random.default_rng(seed)
    profiles = [  # (mean order value, channel, discount probability, orders)
        (20.0, channels[0 % len(channels)], 0.0, (6, 9)),
        (200.0, channels[1 % len(channels)], 0.0, (2, 4)),
        (60.0, channels[2 % len(channels)], 1.0, (3, 6)),
    ]
    rows, truth = [], {}
    start = pd.Timestamp("2024-01-01")
    for g, (value, channel, p_disc, (lo, hi)) in enumerate(profiles):
        for i in range(n_per):
            cid = f"g{g}-{i:04d}"
            truth[cid] = g
            for o in range(rng.integers(lo, hi + 1)):
                rows.append((cid, start + pd.Timedelta(days=int(rng.integers(0, 700))), value * rng.lognormal(0, 0.15),
                             f"{cid}-o{o}", channel, 0.2 if rng.random() < p_disc else 0.0))
    for i in range(n_single):
        rows.append((f"s-{i:04d}", start + pd.Timedelta(days=int(rng.integers(0, 700))), 50.0, f"s-{i:04d}-o0",
                     channels[0], 0.0))
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id", "channel", "discount"])
    return tx, pd.Series(truth, name="group")


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    tx, truth = _groups()
    folder = _write(tmp_path_factory.mktemp("groups"), {"transactions": tx})
    return find_personas(load_dataset(folder), k_range=range(2, 7)), truth


def test_returns_a_frozen_result_with_everything_it_found(planted):
    personas, _ = planted
    assert isinstance(personas, Personas)
    with pytest.raises(AttributeError):
        personas.k = 4
    assert personas.centres.shape[0] == personas.k == len(personas.names)
    assert set(personas.criterion.columns) >= {"k", "stability", "stability_min", "ari", "silhouette", "chosen"}
    assert personas.criterion["chosen"].sum() == 1


def test_k_by_the_stability_criterion_and_groups_recovered(planted):
    personas, truth = planted
    table = personas.criterion
    assert personas.k == table.loc[table["stability"] >= personas.threshold, "k"].max() == 3
    got = personas.clustered
    assert adjusted_rand_score(truth.reindex(got.index.astype(str)), got) >= 0.98   # measured 0.993
    assert got.value_counts().sort_index().is_monotonic_decreasing          # persona 1 is the largest


def test_customers_with_one_order_are_unassigned(planted):
    personas, truth = planted
    singles = [c for c in personas.labels.index if str(c).startswith("s-")]
    assert len(singles) == 40 and personas.labels.loc[singles].isna().all()
    assert personas.assignment.loc[singles].isna().all()
    assert personas.labels.drop(singles).notna().all()
    counts = personas.counts()
    assert counts[UNASSIGNED] == 40 and sum(counts.values()) == len(personas.labels)


def test_names_are_unique_and_built_from_the_traits_that_stand_out(planted):
    personas, _ = planted
    names = personas.names
    assert names.is_unique
    for p, name in names.items():
        row = personas.centres.loc[p]
        words = name.split(" · ")
        assert all(re.fullmatch(r"(high|low) .+", w) for w in words), name
        top = row.abs().idxmax()
        assert words[0].startswith("high" if row[top] > 0 else "low")
    assert any("order value" in n for n in names) and any("discount share" in n for n in names)


def test_duplicate_names_get_another_trait():
    centres = pd.DataFrame({"aov": [2.0, 2.0, -1.0], "discount_share": [1.0, 1.0, 0.0], "age": [0.5, -0.5, 0.0]},
                           index=[1, 2, 3])
    names = persona_names(centres)
    assert names.is_unique
    assert names[1] == "high order value · high discount share · high age"
    assert names[2] == "high order value · high discount share · low age"


def test_same_seed_same_personas(planted, tmp_path):
    tx, _ = _groups()
    ds = load_dataset(_write(tmp_path, {"transactions": tx}))
    again = find_personas(ds, k_range=range(2, 7))
    assert again.fingerprint() == planted[0].fingerprint()
    pd.testing.assert_series_equal(again.labels, planted[0].labels)


def test_transactions_only_without_channel_or_discount(tmp_path):
    tx, truth = _groups()
    ds = load_dataset(_write(tmp_path, {"transactions": tx[["customer_id", "date", "amount", "order_id"]]}))
    personas = find_personas(ds, k_range=range(2, 6), n_pairs=2)
    assert personas.k >= 2 and personas.names.is_unique
    assert set(personas.features.columns) == {"aov", "lines_per_order", "purchase_rate"}
    assert personas.labels.isna().sum() == 40


def test_one_channel_data(tmp_path):
    tx, truth = _groups(channels=("web",))
    ds = load_dataset(_write(tmp_path, {"transactions": tx}))
    personas = find_personas(ds, k_range=range(2, 6), n_pairs=2)
    assert personas.k >= 2 and personas.names.is_unique
    assert not any("store" in n or "app" in n for n in personas.names)
    assert np.isfinite(personas.centres.to_numpy()).all()


def test_demographics_are_used_when_present(tmp_path):
    tx, truth = _groups()
    ids = pd.unique(tx["customer_id"])
    customers = pd.DataFrame({"customer_id": ids, "age": np.where(pd.Series(ids).str.startswith("g0"), 70, 30)})
    ds = load_dataset(_write(tmp_path, {"transactions": tx, "customers": customers}))
    personas = find_personas(ds, k_range=range(2, 6), n_pairs=2)
    assert "age" in personas.features.columns


def _repeaters(n_repeat: int, n_single: int = 30, seed: int = 0) -> pd.DataFrame:
    """``n_repeat`` customers with three orders of different values and ``n_single`` with one."""
    rng = np.random.default_rng(seed)
    rows = [(f"r{i:03d}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(d)), float(rng.gamma(2.0, 30.0)), f"r{i}-{o}",
             "web" if i % 2 else "store", 0.0)
            for i in range(n_repeat) for o, d in enumerate(rng.choice(600, 3, replace=False))]
    rows += [(f"s{i:03d}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=i), 40.0, f"s{i}", "web", 0.0) for i in range(n_single)]
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount", "order_id", "channel", "discount"])


def test_too_few_customers_give_no_personas_and_say_how_many(tmp_path):
    ds = load_dataset(_write(tmp_path, {"transactions": _repeaters(MIN_CLUSTERED - 1)}))
    personas = find_personas(ds)
    assert isinstance(personas, Personas) and not personas.found and personas.k == 0
    assert personas.too_few.have == MIN_CLUSTERED - 1 and personas.too_few.need == MIN_CLUSTERED
    assert personas.labels.isna().all() and len(personas.labels) == MIN_CLUSTERED - 1 + 30
    assert personas.counts() == {UNASSIGNED: MIN_CLUSTERED - 1 + 30} and personas.clustered.empty
    assert personas.names.empty and personas.criterion.empty and np.isnan(personas.stability)
    assert personas.assignment.isna().all() and len(personas.fingerprint()) == 16
    assert len(personas.features) == MIN_CLUSTERED - 1                   # who would have been clustered
    note = personas.too_few.note("personas")
    assert f"too few customers with 2 or more orders ({MIN_CLUSTERED - 1}; at least {MIN_CLUSTERED} needed)" in note
    fewer = find_personas(ds, min_orders=3)                              # the count follows min_orders
    assert "customers with 3 or more orders" in fewer.too_few.what


def test_personas_are_sought_from_the_minimum_on(tmp_path):
    ds = load_dataset(_write(tmp_path, {"transactions": _repeaters(MIN_CLUSTERED)}))
    personas = find_personas(ds, k_range=range(2, 4), n_pairs=2)
    assert personas.found and personas.too_few is None and personas.k >= 2
    assert len(personas.clustered) == MIN_CLUSTERED


def test_no_sample_archetype_in_the_library():
    """Names come from the data: the shipped sample's archetypes appear only in its generator."""
    lib = ROOT / "lib" / "customer_workbook"
    generator = lib / "sample"
    for path in lib.rglob("*.py"):
        if generator in path.parents:
            continue
        text = path.read_text().lower().replace("_", " ")
        found = [a for a in ARCHETYPES if a in text]
        assert not found, f"{path.relative_to(ROOT)} names {found}"


# --------------------------------------------------------------------------- the parts: k, fit, features


BLOB_COLUMNS = ["age", "aov", "discount_share", "share_store", "share_app", "premium_share", "cat_kitchen", "cat_garden"]


def _blobs(n_per=500, k=3, seed=0):
    """Three separated Gaussian clusters of equal size in eight dimensions."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=6, size=(k, len(BLOB_COLUMNS)))
    X = np.vstack([c + rng.normal(size=(n_per, len(BLOB_COLUMNS))) for c in centres])
    return pd.DataFrame(X, columns=BLOB_COLUMNS), np.repeat(np.arange(k), n_per)


def test_choose_k_finds_the_planted_number_and_fit_recovers_clusters():
    from sklearn.metrics import adjusted_rand_score

    X, truth = _blobs()
    table = choose_k(X, range(2, 6), threshold=0.95, n_pairs=3, sample_size=800, seed=0)
    assert table.loc[table["chosen"], "k"].item() == 3
    labels, centres = fit_personas(X, 3, seed=0)
    assert adjusted_rand_score(truth, labels) == pytest.approx(1.0)
    assert labels.value_counts().sort_index().is_monotonic_decreasing       # persona 1 is the largest
    assert centres.shape == (3, len(BLOB_COLUMNS))
    names = persona_names(centres)
    assert names.is_unique and all(" · " in name for name in names)


def test_persona_features_filters_and_transforms():
    f = pd.DataFrame({"orders": [1.0, 2.0, 4.0], "tenure_days": [0.0, 70.0, 70.0], "aov": [10.0, 0.5, 100.0],
                      "age": [30.0, np.nan, 50.0], "cat_garden": [1.0, 0.5, 0.0]}, index=["a", "b", "c"])
    X = persona_features(f, min_orders=2)
    assert list(X.index) == ["b", "c"]
    assert X.loc["b", "aov"] == 0.0 and X.loc["b", "age"] == 50.0                # clipped log, median fill
    assert X.loc["c", "purchase_rate"] == pytest.approx(np.log(4 / 11))


# --------------------------------------------------------------------------- the shipped sample


@pytest.fixture(scope="module")
def shipped():
    sample = ROOT / "data" / "sample"
    personas = find_personas(load_dataset(sample))
    truth = pd.read_parquet(sample / "truth_customers.parquet").set_index("customer_id")["persona"].astype(str)
    truth.index = truth.index.astype(str)
    return personas, truth


def test_engine_matches_the_planted_personas_on_the_shipped_sample(shipped):
    personas, truth = shipped
    assert personas.k == 5
    got = personas.clustered
    ari = adjusted_rand_score(truth.reindex(got.index.astype(str)), got)
    assert ari >= SAMPLE_ARI_MIN, ari
    purity = pd.crosstab(personas.assignment.dropna(), truth, normalize="index").max(axis=1)
    assert (purity >= SAMPLE_PURITY_MIN).all(), purity


def test_five_personas_on_generated_companies_of_1500_customers(tmp_path):
    """A simulation check of the criterion: the sample generator at the fixture's size (1,500 customers),
    seeds 1-8 (the fixture is seed 7). Measured with the worst-persona criterion: 5 personas on all 8, ARI with
    the planted personas 0.80 to 0.85. The former ARI criterion (4 k-means starts, 5 pairs) found 5 on 6 of them
    (4 on seed 7: optimiser noise at k = 5; 6 on seed 8: a cut of the DIY-share tail)."""
    from customer_workbook.sample import write_sample

    found = {}
    for seed in range(1, 9):
        folder = tmp_path / f"seed{seed}"
        write_sample(folder, n_customers=1500, seed=seed)
        personas = find_personas(load_dataset(folder, outside_window="drop"))
        truth = pd.read_parquet(folder / "truth_customers.parquet").set_index("customer_id")["persona"]
        got = personas.clustered
        found[seed] = (personas.k, round(adjusted_rand_score(truth.loc[got.index], got), 3))
    assert sum(k == 5 for k, _ in found.values()) >= 7, found
    assert all(ari >= 0.75 for k, ari in found.values() if k == 5), found
