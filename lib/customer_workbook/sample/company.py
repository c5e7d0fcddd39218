"""The sample company as a whole: :func:`generate_sample` draws its parts in order and assembles tables and truths."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._arrays import _ids, _jsonable
from .acquisition import acquisition_truth, null_acquisition_truth
from .campaigns import campaigns_table
from .customers import customers_table, draw_customers
from .effects import effects_for, null_hill
from .engagement import engagement_table
from .market import market_table
from .marketing import marketing_table, simulate_marketing
from .null_truth import build_null_truth
from .products import make_catalog, products_table
from .prospects import prospects_table
from .simulation import simulate
from .surveys import surveys_table
from .traits import draw_traits
from .warmup import BASE_CANDIDATES, warm_up
from .transactions import realised_per_customer, transactions_table
from .truth import Run, build_truth, customer_truth_table
from .window import make_window
from .writing import write_company

__all__ = ["SampleCompany", "generate_sample", "write_sample"]

# independent random streams, one per part of the company (the order fixes each stream's seed; "clv" is unused)
STREAMS = ("products", "pairs", "marketing", "customers", "latent", "sim", "campaign", "engagement",
           "surveys", "prospects", "names", "market", "clv", "warmup")
#: Streams every block of a company generated in blocks shares with its first block (:mod:`.blocks`): the
#: catalogue, its cross-sell pairs and the market; the others are drawn afresh for each block's customers.
SHARED_STREAMS = ("products", "pairs", "market")


def _streams(seed: int, block: int) -> dict[str, np.random.Generator]:
    """The random generators of one block: block 0's are the company's own (bit for bit the sample);
    a later block shares :data:`SHARED_STREAMS` with it and seeds the rest from ``(seed, block)``."""
    own = np.random.SeedSequence(seed).spawn(len(STREAMS))
    mixed = own if block == 0 else [
        shared if name in SHARED_STREAMS else fresh
        for name, shared, fresh in zip(STREAMS, own, np.random.SeedSequence([seed, block]).spawn(len(STREAMS)))]
    return {name: np.random.default_rng(s) for name, s in zip(STREAMS, mixed)}


@dataclass
class SampleCompany:
    """A generated sample company: contract tables, documented truth and hidden customer labels."""

    tables: dict[str, pd.DataFrame]
    truth: dict
    customer_truth: pd.DataFrame
    timings: dict = field(default_factory=dict, repr=False)

    def write(self, out_dir, fmt: str = "parquet") -> Path:
        return write_company(self, out_dir, fmt)


def generate_sample(n_customers: int = 20_000, seed: int = 42, start="2023-01-01", end="2025-12-31",
                    planted_effects: bool = True, *, block: int = 0, first_customer: int = 1,
                    first_order: int = 1, id_width: int = 6) -> SampleCompany:
    """Generate the sample company (or, with ``planted_effects=False``, the null company).

    Parameters
    ----------
    n_customers : total number of customers (the initial base at ``start`` plus everyone the
        marketing channels acquire during the window).
    seed : random seed; the same ``(n_customers, seed, start, end)`` always gives identical output.
    start, end : the simulated window (inclusive). Planted events are at fixed calendar dates
        (see ``DATES``) and only happen if they fall inside the window.
    planted_effects : True (default) plants the documented effects, bit for bit as the shipped sample;
        False gives the null company: the same retailer with every planted effect switched off (no dated
        changes, no drivers, no campaign effect, equal channels, no cross-sell pairs or Bass launches,
        a stationary base; see :mod:`.effects`). Its ``truth.json`` has ``planted_effects: false``.
    block, first_customer, first_order, id_width : for one block of a company generated in blocks
        (:func:`.blocks.write_in_blocks`): the block's number (its random streams, see :func:`_streams`),
        its first customer and order numbers and the digits of customer ids (at least those of ``n_customers``).
        The defaults generate a whole company.
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
    rngs = _streams(seed, block)
    fx = effects_for(planted_effects)
    w = make_window(start, end, n_customers / 20_000, fx)
    catalog = make_catalog(rngs["products"], rngs["pairs"], w)
    spend, new = simulate_marketing(rngs["marketing"], w, n_customers)
    cust, tr, st = _customers_at_start(rngs, w, catalog, new, n_customers)
    timings["customers"] = time.perf_counter() - t0
    st = simulate(rngs["sim"], rngs["campaign"], w, cust, tr, catalog, st)
    timings["simulation"] = time.perf_counter() - t0

    N = cust.N
    cust_ids = _ids("C", np.arange(first_customer, first_customer + N), max(id_width, len(str(N))))
    tables: dict[str, pd.DataFrame] = {}
    tables["transactions"], lines = transactions_table(rngs["sim"], st, w, catalog, cust_ids, first_order)
    st.Lz = None                       # the simulated lines are no longer needed: free their memory
    timings["transactions"] = time.perf_counter() - t0
    tables["customers"] = customers_table(rngs["names"], cust, start, cust_ids)
    tables["products"] = products_table(catalog, start)
    tables["surveys"], survey_info = surveys_table(rngs["surveys"], cust, tr, st, w, cust_ids)
    tables["marketing"] = marketing_table(w, spend, new)
    tables["market"] = market_table(rngs["market"], w)
    tables["engagement"] = engagement_table(rngs["engagement"], cust, tr, st, w, cust_ids)
    tables["campaigns"], camp_truth, uplift_group = campaigns_table(st, w, N, cust_ids)
    tables["prospects"], prospect_truth = prospects_table(rngs["prospects"], N, w)
    timings["tables"] = time.perf_counter() - t0

    revenue, n_orders_c, n_cats = realised_per_customer(lines, st.O, catalog, N)
    run = Run(seed=seed, w=w, cust=cust, tr=tr, st=st, catalog=catalog, tables=tables, lines=lines, revenue=revenue,
              n_orders_c=n_orders_c, n_cats=n_cats, uplift_group=uplift_group, survey_info=survey_info,
              clv_truth=_acquisition_truth(w, cust, tr, st, lines, n_customers), camp_truth=camp_truth,
              prospect_truth=prospect_truth, first_customer=first_customer)
    customer_truth = customer_truth_table(run, cust_ids)
    truth = build_truth(run) if fx.planted else build_null_truth(run)
    timings["total"] = time.perf_counter() - t0
    return SampleCompany(tables=tables, truth=_jsonable(truth), customer_truth=customer_truth, timings=timings)


def _customers_at_start(rngs, w, catalog, new, n_customers: int):
    """Customers, traits and simulation state on the window's first day.

    The sample's initial base comes out of the warm-up (:mod:`.warmup`); the null company's is drawn
    from its steady state directly (:mod:`.effects`) and starts from an empty state."""
    n_acq = int(new.sum())
    n_drawn = n_customers
    if w.fx.planted:
        n_drawn = n_acq + int(np.ceil(BASE_CANDIDATES * (n_customers - n_acq)))
    cust = draw_customers(rngs["customers"], w, new, n_drawn)
    tr = draw_traits(rngs["latent"], cust, w.fx)
    if not w.fx.planted:
        return cust, tr, None
    return warm_up(rngs["warmup"], w, cust, tr, catalog, n_customers - n_acq)


def _acquisition_truth(w, cust, tr, st, lines, n_customers: int) -> dict:
    if w.fx.planted:
        return acquisition_truth(w, cust, tr, st, lines)
    return null_acquisition_truth(w, cust, tr, st, lines, null_hill(n_customers, len(w.mk_blocks), w.fx))


def write_sample(out_dir, n_customers: int = 20_000, seed: int = 42, fmt: str = "parquet", **kw) -> Path:
    """Generate the sample company and write its tables, ``truth.json`` and ``truth_customers.parquet``.

    ``kw`` go to :func:`generate_sample` (``start``, ``end``, ``planted_effects``)."""
    return generate_sample(n_customers=n_customers, seed=seed, **kw).write(out_dir, fmt)
