"""The gauntlet's checks themselves: they catch what issue 15 found in reports, and nothing else."""
import pandas as pd

from gauntlet.invariants import data_names, finding_problems, foreign_name_problems, purchase_problems, text_problems, unit_problems


def _findings(**items):
    return {"findings": {k: {"value": v, "unit": u, "label": k} for k, (v, u) in items.items()}}


def test_findings_without_a_usable_value_are_caught():
    problems = finding_problems(_findings(a=(None, ""), b=("", ""), c=(1.15, "share"), d=({"x": None}, ""),
                                          e=(-0.3, "pp"), f=(0.4, "share"), g=([], ""), h=(-2.0, "pp")))
    assert problems == ["a: None/NaN", "b: empty text", "c: share 1.15 outside [0, 1]", "d: [x] None/NaN",
                        "h: difference of shares -2.0 outside [-1, 1]"]


def test_texts_with_missing_numbers_empty_names_or_sample_text_are_caught():
    bad = ["worth nan (90% interval nan to nan)", "Mean P(alive) is 100%, then nan%.", "lead with ; core range",
           "**** took 30%", "the planted most valuable audience", "value of None"]
    assert all(text_problems([text], on_the_sample=False) for text in bad)
    good = ["None of the customers left.", "financial infrastructure", "a nanny state", "Infinity Café",
            "the shipped sample's archetypes are not used here"]
    assert not [t for t in good if text_problems([t], on_the_sample=False)]
    assert not text_problems(["the planted effect"], on_the_sample=True)
    assert text_problems(["", " \n"], on_the_sample=True) == ["an output that shows nothing (an empty line)"] * 2


def test_data_without_revenue_must_say_so_and_claim_no_money():
    money = {"value_unit": "purchases", "findings": {"clv": {"value": 3.0, "unit": "currency units", "label": "CLV"}}}
    assert unit_problems(money, ["Revenue peaks in May."]) == [
        "clv: in currency units, but the data count purchases", "no note that values are counted in purchases"]
    fine = {"value_unit": "purchases", "findings": {"clv": {"value": 3.0, "unit": "purchases", "label": "CLV"}}}
    assert unit_problems(fine, ["> **Values are counted in purchases.** The data have no revenue column"]) == []
    assert unit_problems({"findings": money["findings"]}, []) == []  # money data: nothing to say


def test_names_the_data_do_not_have_are_caught(tmp_path):
    pd.DataFrame({"customer_id": ["a@x.com", "b@y.org"], "acquisition_channel": ["tv", "search"],
                  "region": ["North", None]}).to_parquet(tmp_path / "customers.parquet")
    pd.DataFrame({"product_id": ["P001"], "category": ["garden_plants"]}).to_csv(tmp_path / "products.csv", index=False)
    assert data_names(tmp_path) == {"tv", "search", "north", "p001", "garden_plants"}  # ids are not names
    foreign = {"tv", "search", "north", "garden_plants", "p001"} - {"search"}
    flagged = [foreign_name_problems(_findings(clv_by_channel=({"tv": 3.0}, "")), [], foreign),
               foreign_name_problems(_findings(best=("Garden_Plants", "")), [], foreign),
               foreign_name_problems(_findings(top=(["p001"], "")), [], foreign),
               foreign_name_problems(_findings(), ["Lead with garden plants."], foreign),
               foreign_name_problems(_findings(), ["| tv | 266 |"], foreign)]
    assert all(len(problems) == 1 for problems in flagged), flagged
    # ordinary words and the library's own terms (tiers, reasons, feature families) are not names of the data
    fine = foreign_name_problems(_findings(effects=({"innovation": 0.1, "high": 0.2}, "")),
                                 ["Customers of high value; 0% premium; the TV-style ad; north-east"], foreign | {"high"})
    assert fine == []


def test_data_without_revenue_never_compare_purchases_with_money():
    def findings(**items):
        return {"value_unit": "purchases", "findings": {k: {"value": 1.0, "label": label, "unit": unit}
                                                        for k, (label, unit) in items.items()}}

    bad = findings(clv_to_cac=("CLV / CAC by channel", ""), winback_gain=("Expected net gain of a win-back", "purchases"),
                   cac=("Marginal CAC at today's spend", "purchases"), clv=("CLV of a new customer", "currency units"),
                   net=("Net revenue", "purchases"))
    assert purchase_problems(bad, ["**Champions** bring 47% of net revenue.", "| revenue_share |",
                                   "Average basket: currency units per order"]) == [
        "clv_to_cac: sets purchases against money ('CLV / CAC by channel')",
        "winback_gain: sets purchases against money ('Expected net gain of a win-back')",
        "cac: money spent recorded in purchases (\"Marginal CAC at today's spend\")",
        "clv: in currency units, but the data count purchases", "net: label in money words ('Net revenue')",
        "money wording: …'**Champions** bring 47% of net revenue.'", "money wording: …'| revenue_share |'",
        "money wording: …'Average basket: currency units per order'"]
    good = findings(clv=("CLV of a new customer", "purchases"), spend=("Weekly spend", "currency units of spend"),
                    at_risk=("Expected 12-month value (margin) at risk", "purchases"))
    assert purchase_problems(good, ["> **Values are counted in purchases.** The data have no revenue column, so ...",
                                    "value analyses count purchases, not currency units",
                                    "**Champions** bring 47% of net purchases."]) == []
    assert purchase_problems({"findings": bad["findings"]}, ["revenue"]) == []  # money data: nothing to check
