"""One glossary of human labels (customer_workbook.glossary)."""
from customer_workbook.glossary import GLOSSARY, label
from customer_workbook.retention.winback import DORMANCY_ORDER


def test_every_code_name_reads_as_words():
    assert label("fast_brand") == "speed (fast brand)" and label("half_sleepy") == "half-sleepy"
    assert all("_" not in label(name) for name in [*GLOSSARY, *DORMANCY_ORDER])
    assert label("my_own_column") == "my own column" and label(3) == "3"


def test_table_headers_and_figure_legends_and_category_ticks_read_through_the_glossary():
    import re

    import matplotlib.pyplot as plt
    import pandas as pd

    from customer_workbook import plots

    frame = pd.DataFrame({"revenue_at_stake": [1200.0], "p_alive": [0.4], "fast_brand": ["x"], "clv_to_cac": [2.5]})
    html = plots.styled_table(frame).to_html()
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    assert headers == ["revenue at stake", "probability still active", "speed (fast brand)", "CLV / CAC"]
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="fast_brand")
    ax.bar(["sleeping_dog", "special_service"], [1, 2])
    ax.legend()
    fig = plots.finish(fig)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["speed (fast brand)"]
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["sleeping dogs", "special service"]


def test_a_heat_map_names_its_rows_through_the_glossary():
    import numpy as np
    import pandas as pd

    from customer_workbook import plots

    centres = pd.DataFrame(np.eye(2), index=[1, 2], columns=["share_store", "fast_brand"])
    fig = plots.plot_persona_heatmap(centres)
    fig.canvas.draw()
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["share store", "speed (fast brand)"]
