"""The gauntlet's checks themselves: they catch what issue 15 found in reports, and nothing else."""
from gauntlet.invariants import finding_problems, text_problems, unit_problems


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


def test_data_without_revenue_must_say_so_and_claim_no_money():
    money = {"value_unit": "purchases", "findings": {"clv": {"value": 3.0, "unit": "currency units", "label": "CLV"}}}
    assert unit_problems(money, ["Revenue peaks in May."]) == [
        "clv: in currency units, but the data count purchases", "no note that values are counted in purchases"]
    fine = {"value_unit": "purchases", "findings": {"clv": {"value": 3.0, "unit": "purchases", "label": "CLV"}}}
    assert unit_problems(fine, ["> **Values are counted in purchases.** The data have no revenue column"]) == []
    assert unit_problems({"findings": money["findings"]}, []) == []  # money data: nothing to say
