"""A big company generated and written in blocks of customers (customer_workbook.sample.blocks)."""
from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from customer_workbook import data
from customer_workbook.sample import write_sample
from customer_workbook.sample.blocks import DEFAULT_BLOCK_CUSTOMERS, block_sizes, write_in_blocks
from customer_workbook.sample.cli import main

FILES = ("transactions", "customers", "products", "surveys", "marketing", "market", "engagement", "campaigns",
         "prospects", "truth_customers")


def test_block_sizes_are_the_fewest_blocks_within_one_customer_of_each_other():
    assert block_sizes(20_000, DEFAULT_BLOCK_CUSTOMERS) == [20_000]  # the shipped sample: one block
    assert block_sizes(1000, 300) == [250, 250, 250, 250]
    assert block_sizes(1001, 500) == [334, 334, 333]
    assert block_sizes(120, 50) == [60, 60]  # no block under the generator's minimum of 50


def test_one_block_is_the_whole_company_byte_for_byte(tmp_path):
    """The shipped sample's path: data/sample (20,000 customers) is within the default block."""
    write_sample(tmp_path / "whole", n_customers=400, seed=5)
    main(["--customers", "400", "--seed", "5", "--out", str(tmp_path / "cli"), "--block-customers", "400"])
    for name in [*FILES, "truth"]:
        suffix = "json" if name == "truth" else "parquet"
        assert (tmp_path / "cli" / f"{name}.{suffix}").read_bytes() == (tmp_path / "whole" / f"{name}.{suffix}").read_bytes()


@pytest.fixture(scope="module")
def blocked(tmp_path_factory):
    out = tmp_path_factory.mktemp("blocked")
    write_in_blocks(out, 900, seed=3, block_customers=300)
    return out


def test_blocks_are_row_groups_of_one_company_with_ids_running_on(blocked):
    assert {name: pq.ParquetFile(blocked / f"{name}.parquet").num_row_groups for name in FILES} == {
        **{name: 3 for name in FILES}, "products": 1, "market": 1, "prospects": 1, "marketing": 1}
    customers = pd.read_parquet(blocked / "customers.parquet")
    lines = pd.read_parquet(blocked / "transactions.parquet")
    truth = pd.read_parquet(blocked / "truth_customers.parquet")
    assert customers["customer_id"].tolist() == [f"C{i:06d}" for i in range(1, 901)]
    assert truth["customer_id"].tolist() == customers["customer_id"].tolist()
    assert set(lines["customer_id"]) <= set(customers["customer_id"])
    assert lines.groupby("order_id")["customer_id"].nunique().max() == 1  # no order id shared across blocks
    blocks = lines["customer_id"].str.slice(1).astype(int).sub(1) // 300
    assert blocks.groupby(lines["order_id"]).nunique().max() == 1 and blocks.nunique() == 3
    assert set(lines["product_id"]) <= set(pd.read_parquet(blocked / "products.parquet")["product_id"])
    marketing = pd.read_parquet(blocked / "marketing.parquet")
    assert not marketing.duplicated(["week", "channel"]).any()
    note = json.loads((blocked / "truth.json").read_text())["generated_in_blocks"]
    assert note["customers"] == 900 and note["customers_per_block"] == [300, 300, 300]


def test_a_blocked_company_meets_the_contract_and_is_reproducible(blocked, tmp_path):
    ds = data.load_dataset(blocked)
    assert len(ds.customers) == 900 and ds.transactions["customer_id"].nunique() > 800
    write_in_blocks(tmp_path, 900, seed=3, block_customers=300)
    for name in FILES:
        assert (tmp_path / f"{name}.parquet").read_bytes() == (blocked / f"{name}.parquet").read_bytes(), name


def test_csv_blocks_append_rows_under_one_header(tmp_path):
    write_in_blocks(tmp_path, 200, seed=1, block_customers=100, fmt="csv")
    customers = pd.read_csv(tmp_path / "customers.csv")
    assert len(customers) == 200 and customers["customer_id"].is_unique
    assert not list(tmp_path.glob(".*tmp*"))


def test_the_command_line_regenerates_the_shipped_sample_byte_for_byte(tmp_path):
    from customer_workbook.paths import project_root

    main(["--out", str(tmp_path)])
    shipped = project_root() / "data" / "sample"
    for name in [*FILES, "truth"]:
        suffix = "json" if name == "truth" else "parquet"
        assert (tmp_path / f"{name}.{suffix}").read_bytes() == (shipped / f"{name}.{suffix}").read_bytes(), name
