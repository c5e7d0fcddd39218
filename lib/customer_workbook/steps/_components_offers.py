"""Notebook 05, sections 3 and 4 (re-exported by :mod:`customer_workbook.steps.components`): next-best offers
and the randomised campaign's uplift, each behind its model gate.

* The recommender is tested on a time split whose held-out months adapt to the history
  (:func:`~customer_workbook.offers.holdout_months_for`: at most half of it, at least two months of data);
  its hit rate is reported only when it can be informative (more products than offers, at least
  :data:`~customer_workbook.offers.MIN_TEST_CUSTOMERS` test customers) and personal offers are made only when
  it beats best-sellers (``RecommenderEvaluation.beats_baseline``).
* The uplift model is fitted only on a test large enough for it
  (:func:`~customer_workbook.retention.uplift.uplift_data_problem`) and applied to the base only when its
  held-out ranking beats random targeting (:func:`~customer_workbook.retention.uplift.check_uplift_model`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import plots, privacy
from ..base import derived
from ..escaping import md
from ..offers import (MIN_TEST_CUSTOMERS, evaluate_recommenders, fit_item_item, holdout_months_for, offers_table,
                      popular_items, recommend, top_pairs)
from ..retention.uplift import (MIN_EFFECT_ARM, base_targeting, check_uplift_model, fit_uplift, qini_coefficient, qini_curve,
                                segment_effects, uplift_at_k, uplift_data_problem, uplift_features, uplift_segments)
from ..stats import two_proportion_uplift
from ..value_unit import counts_purchases, skip_money_comparison
from ._strategy_campaign import arm_part
from .section import Draft, Section, counted
from ..findings import date_words, pp

__all__ = ["copurchase_offers", "next_best_offers", "randomised_campaign", "targeting_the_base"]


def _observation_end(ds) -> pd.Timestamp:
    return ds.transactions["date"].max().normalize()


def _pp(x: float) -> str:
    """A difference of shares as signed percentage points."""
    return f"{100 * x:+.1f} pp"


# --------------------------------------------------------------------------- 3. offers


def next_best_offers(ds, k: int, holdout_months: int, seed: int) -> Section:
    """Section 3: the co-purchase recommender against best-sellers on a time split (result ``evaluation``,
    None without ``transactions.product_id``, with too short a history or too few test customers)."""
    draft = Draft()
    if "product_id" not in ds.transactions:
        draft.skip("Next-best offers", ["transactions.product_id"], "Add `product_id` to transactions.")
        return draft.done(evaluation=None)
    end, start = _observation_end(ds), ds.transactions["date"].min().normalize()
    months = holdout_months_for(start, end, holdout_months)
    if months < 1:
        draft.say(f"> **Not shown: next-best offers.** Testing the recommender needs at least two months of history "
                  f"(one to learn from, one to test on); the data cover {(end - start).days + 1:,} days.")
        return draft.done(evaluation=None)
    split_date = end - pd.DateOffset(months=months)
    ev = evaluate_recommenders(ds.transactions, split_date, k=k, seed=seed)
    held = ("" if months == holdout_months else f" (the last {months} months: `recommender_holdout_months` is "
            f"{holdout_months}, but at most half of the history is held out)")
    if ev.test_customers < MIN_TEST_CUSTOMERS:
        draft.say(f"> **Not shown: next-best offers.** Only {ev.test_customers:,} customers bought before "
                  f"{date_words(split_date)} and something new after it{held}; a fair test needs at least "
                  f"{MIN_TEST_CUSTOMERS}. More history or a longer `recommender_holdout_months` helps.")
        return draft.done(evaluation=None)
    if not ev.informative:
        draft.say(f"> **Not shown: the recommender's hit rate.** With {ev.n_products:,} products and {k} offers per "
                  f"customer, every product a customer does not own yet is offered, so the hit rate "
                  f"({ev.table.loc['item_item', 'hit_rate']:.0%}) cannot tell a recommender from a list of everything. "
                  "Set `recommend_k` below the number of products to test it.")
        return draft.done(evaluation=ev)
    _record_evaluation(draft, ev, k, split_date, held)
    return draft.done(evaluation=ev)


def _record_evaluation(draft: Draft, ev, k: int, split_date: pd.Timestamp, held: str) -> None:
    """Findings, figure and sentence of an informative evaluation; headlined only when it beats best-sellers."""
    ii, pop = ev.table.loc["item_item"], ev.table.loc["popularity"]
    win = ev.beats_baseline
    draft.add("recommender_hit_rate", round(float(ii["hit_rate"]), 3), f"Recommender hit rate at {k}", headline=win,
              unit="share")
    draft.add("recommender_recall", round(float(ii["recall"]), 3), f"Recommender recall at {k}", unit="share")
    draft.add("popularity_hit_rate", round(float(pop["hit_rate"]), 3), f"Best-seller hit rate at {k}", unit="share")
    draft.add("popularity_recall", round(float(pop["recall"]), 3), f"Best-seller recall at {k}", unit="share")
    if np.isfinite(ev.lift):
        draft.add("recommender_lift", round(ev.lift, 2), "Recall of the recommender ÷ recall of best-sellers", headline=win)
    draft.show(plots.plot_recommender_eval(ev.table, k))
    ratio = f"**{ev.lift:.1f}×** that of best-sellers" if np.isfinite(ev.lift) else "above zero where best-sellers find nothing"
    verdict = ("" if win else
               f" The difference in recall per customer ({_pp(ev.recall_gain_low)} to {_pp(ev.recall_gain_high)}, 90% "
               "interval) is not clearly above zero: **the recommender does not beat best-sellers here**, so no personal "
               "offers are made from it below; offer the best-sellers and test again with more data.")
    draft.say(
        f"Trained on purchases before {date_words(split_date)}{held} and tested on {ev.test_customers:,} customers who "
        f"bought again after it, the co-purchase recommender puts at least one product the customer really bought next "
        f"into its top {k} for **{ii['hit_rate']:.0%}** of them, against {pop['hit_rate']:.0%} for best-sellers; its "
        f"recall is {ratio} ({ii['recall']:.0%} vs {pop['recall']:.0%}).{verdict}")


def copurchase_offers(ds, evaluation, values: pd.DataFrame | None, show_customer_ids: bool = False) -> Section:
    """Section 3, continued: the strongest co-purchase pairs and the offers for the 15 most valuable
    customers, from a model fitted on all purchases (result ``model``: None without an ``evaluation``, or when
    the recommender did not beat best-sellers; the offers need trusted ``values`` too)."""
    draft = Draft()
    if evaluation is None:
        return draft.done(model=None)
    model = fit_item_item(ds.transactions)
    products = ds.products if ds.has("products") else None
    pairs = top_pairs(model, 12, products)
    pairs = pairs[pairs["cosine"] > 0]
    if len(pairs):
        draft.add("top_copurchase_pairs", [f"{a}→{b}" for a, b in zip(pairs["product_a"], pairs["product_b"])],
                  "Strongest co-purchase pairs")
        draft.say("**The strongest co-purchase pairs** (candidates for bundles and for the offer shown at checkout):")
        draft.show(plots.styled_table(pairs, {"cosine": "{:.2f}"}))
    if "category_a" in pairs and len(pairs):  # product categories are known
        share_cross = (pairs["category_a"] != pairs["category_b"]).mean()
        draft.say(f"{share_cross:.0%} of the strongest pairs join two different product categories: the cross-sell "
                  "paths the offers follow." if share_cross > 0 else
                  "All of the strongest pairs stay within one product category: bundles rather than cross-sell paths.")
    if not evaluation.beats_baseline or values is None:
        best = ", ".join(md(p) for p in popular_items(model, 3).index)
        why = ("the recommender was not shown to beat best-sellers on the held-out months" if not evaluation.beats_baseline
               else "the customer-value model did not fit, so the most valuable customers are not known")
        draft.say(f"> **Not shown: personal offers for the most valuable customers**, because {why}. "
                  f"The best-sellers to offer instead: {best}.")
        return draft.done(model=model if evaluation.beats_baseline else None, pairs=pairs)
    offers = recommend(model, ds.transactions, values["clv_3y"].nlargest(15).index, k=3)
    draft.say("**Offers for the 15 most valuable customers** (three each, best first"
              + ("" if show_customer_ids else "; customers shown by pseudonym") + "):")
    view = offers_table(offers, products, values)
    view["customer_id"] = privacy.pseudonymise(view["customer_id"], show_customer_ids)
    draft.show(plots.styled_table(view.rename(columns={"customer_id": "customer"}), {"clv_1y": "{:,.0f}"}))
    return draft.done(model=model, pairs=pairs)


# --------------------------------------------------------------------------- 4. uplift


def randomised_campaign(ds, uplift_threshold: float, seed: int) -> Section:
    """Section 4: what the largest randomised campaign changed on average, and whom it moved - the cross-fitted
    uplift model against response-model targeting, and the observed uplift per predicted segment. Results:
    ``fit`` (None without ``campaigns``, with too small a test, or when the model does not beat random
    targeting), ``check``, ``qini``, ``segments``, ``effects`` and the measured average ``effect`` (NaN when none)."""
    draft = Draft()
    none = dict(fit=None, check=None, qini=float("nan"), segments=None, effects=None, effect=float("nan"))
    if not ds.has("campaigns"):
        draft.skip("Closing the back door (uplift)", ["campaigns"],
                   "Run a randomised test (a random control group that gets no offer) to learn whom an offer moves.")
        return draft.done(**none)
    name = ds.campaigns["campaign"].value_counts().index[0]
    camp = ds.campaigns[ds.campaigns["campaign"] == name].set_index("customer_id")
    send_date = camp["send_date"].min()
    average = two_proportion_uplift(camp["outcome"].to_numpy(dtype=float), camp["treated"].to_numpy(dtype=bool))
    head = f"In campaign **{md(name)}** ({counted(len(camp), 'customer')}, sent {date_words(send_date)})"
    if min(average.n_treated, average.n_control) < MIN_EFFECT_ARM or not average.se > 0:
        draft.say(f"> **Not shown: the campaign's effect.** {head} {counted(average.n_treated, 'customer')} got the offer and "
                  f"{average.n_control:,} were held out: measuring an effect needs at least {MIN_EFFECT_ARM} customers "
                  "in each group, and buyers and non-buyers among them.")
        return draft.done(**none)
    draft.add("campaign_name", name, "Campaign analysed")
    draft.add("campaign_overall_uplift", round(float(average.uplift), 4), "Average effect of the campaign on buying",
              unit="pp")
    measured = average.low > 0 or average.high < 0
    draft.say(f"{head} the offer changed buying by **{_pp(average.uplift)}** on average ({average.level:.0%} interval "
              f"{_pp(average.low)} to {_pp(average.high)}): "
              + ("a measured effect." if measured else "within chance, **no measurable average effect**."))
    arm_part(draft, camp.reset_index())  # a test with several arms or outcomes: each arm against the control
    problem = uplift_data_problem(camp["treated"], camp["outcome"])
    if problem is not None:
        draft.say(f"> **Not shown: whom the campaign moved**, because {problem}. A larger randomised test helps.")
        return draft.done(**{**none, "effect": float(average.uplift)})
    feats = uplift_features(ds.transactions, camp.index, send_date)
    fit = fit_uplift(feats, camp["treated"].reindex(feats.index), camp["outcome"].reindex(feats.index), seed=seed)
    return _uplift_model(draft, fit, uplift_threshold, float(average.uplift))


def _uplift_model(draft: Draft, fit, uplift_threshold: float, effect: float) -> Section:
    """The uplift model's held-out quality and, when it beats random targeting, its segments."""
    pred = fit.predictions
    t, y = pred["treated"], pred["outcome"]
    check = check_uplift_model(pred)
    qini_uplift, qini_response = (qini_coefficient(pred[c], t, y) for c in ("uplift", "response"))
    draft.show(plots.plot_qini({f"uplift model (normalised Qini {qini_uplift:.2f})": qini_curve(pred["uplift"], t, y),
                                f"response model (normalised Qini {qini_response:.2f})": qini_curve(pred["response"], t, y)}))
    draft.add("qini_uplift_model", round(qini_uplift, 3), "Normalised Qini of the uplift model (held out)",
              headline=check.passed)
    draft.add("qini_response_model", round(qini_response, 3), "Normalised Qini of response-model targeting (held out)")
    if not check.passed:
        draft.say(f"> **Not shown: uplift segments and targeting the base.** The uplift model was fitted, but "
                  f"{check.sentence()} (normalised Qini {qini_uplift:.2f}; response model {qini_response:.2f}). "
                  "Decide on the average effect above; a larger test would show whether some customers respond more.")
        return draft.done(fit=None, check=check, qini=float("nan"), segments=None, effects=None, effect=effect)
    segs = uplift_segments(pred["p_control"], pred["uplift"], uplift_threshold)
    effects = segment_effects(pred, segs)
    draft.show(plots.styled_table(effects, {"customers": "{:,}", "share": "{:.0%}", "predicted_uplift": pp,
                                            "treated_rate": "{:.1%}", "control_rate": "{:.1%}", "observed_uplift": pp,
                                            "uplift_se": lambda v: f"{100 * v:.1f} pp", "uplift_low": pp,
                                            "uplift_high": pp}))
    u30, r30 = (uplift_at_k(pred[c], t, y, 0.3) for c in ("uplift", "response"))
    draft.add("uplift_at_30", round(u30, 4), "Observed uplift in the top 30% by the uplift model", unit="pp")
    draft.add("response_uplift_at_30", round(r30, 4), "Observed uplift in the top 30% by the response model", unit="pp")
    draft.add("uplift_segment_sizes", {r["segment"]: int(r["customers"]) for _, r in effects.iterrows()},
              "Campaign customers per predicted uplift segment")
    observed = {r["segment"]: round(r["observed_uplift"], 4) for _, r in effects.iterrows()
                if np.isfinite(r["observed_uplift"])}
    draft.add("uplift_segment_observed", observed, "Observed uplift per predicted segment (held out)", unit="pp")
    draft.say(f"The uplift model passes its check: {check.sentence()}. Ranked by it, the top 30% show an observed "
              f"uplift of **{_pp(u30)}** (response-model targeting: {_pp(r30)}); normalised Qini {qini_uplift:.2f} "
              f"against {qini_response:.2f}." + _segment_text(effects))
    return draft.done(fit=fit, check=check, qini=qini_uplift, segments=segs, effects=effects, effect=effect)


def _segment_text(effects: pd.DataFrame) -> str:
    """What the persuadables and the sleeping dogs did, each only when predicted and measured."""
    rows = effects.set_index("segment")
    text = ""
    if "persuadable" in rows.index and np.isfinite(rows.loc["persuadable", "observed_uplift"]):
        r = rows.loc["persuadable"]
        text += f" The customers predicted to be persuadable bought {_pp(r['observed_uplift'])} more when contacted."
    else:
        text += " No campaign customer is predicted to be persuadable."
    if "sleeping_dog" in rows.index and np.isfinite(rows.loc["sleeping_dog", "observed_uplift"]):
        r = rows.loc["sleeping_dog"]
        text += (f" The predicted sleeping dogs: {_pp(r['observed_uplift'])}"
                 + (" — the campaign pushed them away." if r["uplift_high"] < 0 else
                    f" (interval {_pp(r['uplift_low'])} to {_pp(r['uplift_high'])}: not a measured harm)."))
    return text


def targeting_the_base(ds, fit, dormancy, margin: float, cost_per_contact: float, uplift_threshold: float) -> Section:
    """Section 4, continued: the campaign's uplift model applied to every customer who is not sleeping, and
    the money at stake (results ``targeting``, ``scored``; nothing without a ``fit`` that passed its check).
    Every amount is in the campaign's own unit: the margin of one order in its window (``margin`` times the
    mean order), never a customer's yearly value, which the campaign's outcome does not measure."""
    draft = Draft()
    if fit is None:
        return draft.done(targeting=None, scored=None)
    value_per_response = margin * float(derived(ds).orders["amount"].mean())  # margin of one mean (net) order
    active_ids = dormancy.table.index[dormancy.group != "sleeping"]
    scored = fit.score(uplift_features(ds.transactions, active_ids, _observation_end(ds) + pd.Timedelta(days=1)))
    targeting = base_targeting(scored, value_per_response, cost_per_contact, uplift_threshold)
    money = ["margin_at_risk", "profit_if_contacted"]
    shown = targeting.table.drop(columns=money) if counts_purchases(ds) else targeting.table
    draft.show(plots.styled_table(shown, {"customers": "{:,}", "mean_uplift": pp, "incremental_buyers": "{:,.0f}",
                                          "orders_at_risk": "{:,.0f}", "margin_at_risk": "{:,.0f}",
                                          "profit_if_contacted": "{:,.0f}"}))
    t = targeting.table.set_index("segment")
    n_persuadable, n_dogs = targeting.customers("persuadable"), targeting.customers("sleeping_dog")
    draft.add("uplift_base_segments", {s: int(n) for s, n in t["customers"].items()},
              "Current customers per predicted uplift segment", headline=True)
    text = (f"Applied to the {len(scored):,} customers who are not sleeping, the model finds **{n_persuadable:,} "
            f"persuadables** to contact and **{n_dogs:,} sleeping dogs** to leave alone. ")
    if counts_purchases(ds):  # the segments hold; their profit sets purchases against the contact cost
        draft.say(text)
        skip_money_comparison(draft, "Value at stake of targeting the persuadables", "the purchases an offer adds",
                              "the cost of a contact")
        return draft.done(targeting=None, scored=None)  # the plan and the cards get no money row
    if n_persuadable == 0:
        everyone = float(t["profit_if_contacted"].sum())
        text += (f"No predicted uplift reaches the `uplift_threshold` of {_pp(uplift_threshold)} (the largest is "
                 f"{_pp(float(scored['uplift'].max()))}): lower it to target the customers the offer moves most. "
                 f"Contacting everyone would {'gain' if everyone > 0 else 'lose'} about {abs(everyone):,.0f} per campaign.")
        draft.say(text)
        return draft.done(targeting=targeting, scored=scored)
    draft.add("value_at_stake", round(targeting.value_at_stake, 0),
              "Value at stake: targeting persuadables only vs contacting everyone", headline=True, unit="currency units")
    text += (f"One incremental purchase is worth {value_per_response:,.2f} in margin and a contact costs "
             f"{cost_per_contact:,.2f}: sending the offer to the persuadables only instead of to everyone is worth "
             f"**{targeting.value_at_stake:,.0f}** per campaign (each prediction valued at the uplift measured on "
             f"the campaign's held-out customers with a like prediction)")
    draft.say(text + _sleeping_dog_text(draft, t, n_dogs) + ".")
    return draft.done(targeting=targeting, scored=scored)


def _sleeping_dog_text(draft: Draft, t: pd.DataFrame, n_dogs: int) -> str:
    """The orders a blanket offer would cost among the predicted sleeping dogs, in the campaign's unit (orders in
    its window and their margin), recorded and worded only when there are some."""
    orders = float(t["orders_at_risk"].get("sleeping_dog", 0.0)) if n_dogs else 0.0
    if not orders > 0:
        return ""
    at_risk = float(t.loc["sleeping_dog", "margin_at_risk"])
    draft.add("margin_at_risk_sleeping_dogs", round(at_risk, 0),
              "Margin of the orders a blanket offer would cost among the predicted sleeping dogs, per campaign "
              "(orders in the campaign's window)", unit="currency units")
    return (f", and it spares the sleeping dogs: mailed, they would place about {orders:,.0f} fewer orders in the "
            f"campaign's window, **{at_risk:,.0f}** of margin per campaign (the campaign's own unit, one order's margin "
            "each; not their yearly value)")
