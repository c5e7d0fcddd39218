"""Fixtures of the planning tests."""
import pytest

from customer_workbook.data import load_dataset


@pytest.fixture(scope="module")
def sample_ds(small_sample):
    """The small generated company, loaded (once per test module)."""
    return load_dataset(small_sample)
