"""One glossary of human labels (customer_workbook.glossary)."""
from customer_workbook.glossary import GLOSSARY, label
from customer_workbook.retention.winback import DORMANCY_ORDER


def test_every_code_name_reads_as_words():
    assert label("fast_brand") == "speed (fast brand)" and label("half_sleepy") == "half-sleepy"
    assert all("_" not in label(name) for name in [*GLOSSARY, *DORMANCY_ORDER])
    assert label("my_own_column") == "my own column" and label(3) == "3"
