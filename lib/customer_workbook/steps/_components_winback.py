"""Notebook 05, section 2: dormancy against each customer's own rhythm, and whether waking each group pays
(see :mod:`.components`). The response to a win-back is measured by a randomised campaign in the data when
there is one (its lapsed customers' uplift), and assumed (a parameter, with a sensitivity range) otherwise."""
from __future__ import annotations

from functools import partial

import pandas as pd

from .. import plots
from ..base import derived
from ..escaping import md
from ..retention.campaigns import campaign_segments, campaign_uplift
from ..retention.uplift import MIN_EFFECT_ARM
from ..retention.winback import (DORMANCY_ORDER, WinbackResponse, assumed_response, dormancy_groups, measured_response,
                                 winback_economics)
from ..value_unit import counts_purchases, skip_money_comparison
from .section import Draft, Section
from ..glossary import label

__all__ = ["dormant_customers", "winback_view"]


def winback_view(values: pd.DataFrame, groups: pd.Series, mean_discount: pd.Series | None,
                 cost_per_contact: float, response_rate: float | WinbackResponse, voucher_cost: float) -> Section:
    """The win-back economics per dormant group at the given costs and response rate (a table; the
    ``economics`` result is the :class:`~customer_workbook.retention.winback.WinbackEconomics`)."""
    draft = Draft()
    economics = winback_economics(values, groups, mean_discount, response_rate=response_rate,
                                  cost_per_contact=cost_per_contact, voucher_cost=voucher_cost)
    shown = economics.table.assign(group=economics.table["group"].map(label))  # "half-sleepy", not half_sleepy
    draft.show(plots.styled_table(shown, {"customers": "{:,}", "mean_p_alive": "{:.0%}", "mean_clv_1y": "{:,.0f}",
                                                    "voucher_share": "{:.0%}", "expected_wakes": "{:,.0f}",
                                                    "gain_per_contact": "{:,.2f}", "total_gain": "{:,.0f}",
                                                    "total_gain_low": "{:,.0f}", "total_gain_high": "{:,.0f}"}))
    return draft.done(economics=economics)


def dormant_customers(ds, customer_value, thresholds, response_rate: float, cost_per_contact: float,
                      voucher_cost: float) -> Section:
    """Section 2: dormancy against each customer's own rhythm, and whether waking each group pays.

    ``customer_value`` is the scorer's result (section 1's ``customer_value``): dormancy uses its purchase
    history, P(alive) and the win-back economics its values, only when the fit passed (``report.ok``).
    Results: ``dormancy``, ``winback``, ``mean_discount`` and ``explore`` (a function of ``cost_per_contact``,
    ``response_rate``, ``voucher_cost`` returning :func:`winback_view`; None without trusted values)."""
    draft = Draft()
    values = customer_value.table
    dormancy = dormancy_groups(values, thresholds=tuple(thresholds))
    table = derived(ds).customers
    mean_discount = table["mean_discount"] if "mean_discount" in table else None
    sizes = dormancy.group.value_counts().reindex(list(DORMANCY_ORDER)).fillna(0).astype(int)
    draft.add("dormant_group_sizes", sizes.to_dict(), "Customers per dormancy group", headline=True)
    draft.add("dormant_median_gap_days", round(dormancy.median_gap_days, 1), "Median gap between purchase days", unit="days")
    rhythm = (f"Against their own rhythm (the median gap between purchase days is {dormancy.median_gap_days:.0f} days), "
              f"{sizes['active']:,} customers are on time, **{sizes['half_sleepy']:,} half-sleepy**, **{sizes['sleepy']:,} "
              f"sleepy** and **{sizes['sleeping']:,} sleeping**.")
    if not customer_value.report.ok or sizes["active"] == 0:
        why = ("the customer-value model did not fit (section 1)" if not customer_value.report.ok else
               "no customer is on time, so there is no value of an active customer to win back")
        draft.say(rhythm + f"\n\n> **Not shown: P(alive) per group and whether a win-back pays**, because {why}.")
        return draft.done(dormancy=dormancy, winback=None, mean_discount=mean_discount, explore=None)
    p_alive = values["p_alive"].groupby(dormancy.group, observed=True).mean()
    draft.add("dormant_p_alive", {k: round(float(v), 3) for k, v in p_alive.items()}, "Mean P(alive) per dormancy group",
              unit="share")
    draft.show(plots.plot_dormancy(values["p_alive"], dormancy.group, order=DORMANCY_ORDER))
    if counts_purchases(ds):
        draft.say(rhythm + " Mean P(alive) is " + ", ".join(f"{p_alive[g]:.0%} for the {g.replace('_', '-')}"
                                                           for g in DORMANCY_ORDER if g in p_alive.index) + ".")
        skip_money_comparison(draft, "Whether a win-back pays", "the purchases a woken customer brings",
                              "the cost of the contact and the voucher")
        return draft.done(dormancy=dormancy, winback=None, mean_discount=mean_discount, explore=None)
    explore = partial(winback_view, values, dormancy.group, mean_discount)
    response = _campaign_response(ds, values["p_alive"]) or assumed_response(response_rate)
    view = explore(cost_per_contact=cost_per_contact, response_rate=response, voucher_cost=voucher_cost)
    draft.show(*view.parts)
    winback = view["economics"]
    wt = winback.table
    draft.add("winback_response", {"rate": round(response.rate, 4), "low": round(response.low, 4),
                                   "high": round(response.high, 4), "measured": response.measured,
                                   **({"reference_p_alive": round(response.reference_p_alive, 3)}
                                      if response.reference_p_alive > 0 else {})},
              "Win-back response: measured uplift among lapsed customers of a randomised campaign, or the assumed "
              "response among live customers (then low/high is a sensitivity range)",
              unit="pp" if response.measured else "share")  # a measured uplift is a difference of shares
    draft.add("winback_gain", {r["group"]: round(r["total_gain"], 0) for _, r in wt.iterrows()},
              "Expected net gain of a win-back per dormancy group", unit="currency units")
    draft.add("winback_gain_range", {r["group"]: [round(r["total_gain_low"], 0), round(r["total_gain_high"], 0)]
                                     for _, r in wt.iterrows()},
              "Range of the net gain per group, from the response's range", unit="currency units")
    draft.add("winback_worth_it", {r["group"]: bool(r["worth_it"]) for _, r in wt.iterrows()},
              "Is a win-back worth its cost, per group")
    p = [f"{p_alive[g]:.0%} for the {g.replace('_', '-')}" for g in DORMANCY_ORDER if g in p_alive.index]
    draft.say(f"{rhythm} Mean P(alive) is {', '.join(p)}. " + _winback_text(winback, cost_per_contact, voucher_cost))
    return draft.done(dormancy=dormancy, winback=winback, mean_discount=mean_discount, explore=explore)


def _campaign_response(ds, p_alive: pd.Series) -> WinbackResponse | None:
    """The win-back response a randomised campaign in the data measured among lapsed customers (it replaces the
    assumed rate), or None. Its reference P(alive) is the mean P(alive) of the campaign's lapsing customers in
    ``p_alive`` (NaN when none of them is there: the uplift then applies flat)."""
    if not ds.has("campaigns"):
        return None
    segments = campaign_segments(ds)
    lapsing = pd.Index(segments.loc[segments["segment"] == "lapsing", "customer_id"].astype(str))
    mine = p_alive.loc[p_alive.index.astype(str).isin(lapsing)]
    reference = float(mine.mean()) if len(mine) else float("nan")  # none of them scored: the uplift applies flat
    return measured_response(campaign_uplift(segments), min_arm=MIN_EFFECT_ARM, reference_p_alive=reference)


def _winback_text(winback, cost_per_contact: float, voucher_cost: float) -> str:
    """Which groups a win-back pays for, on which response (measured or assumed), with the range of the gain."""
    r, wt = winback.response, winback.table
    worth = wt[wt["worth_it"]]
    basis = (f"The response is {r.source}, and it replaces the assumed rate. " + _scaling_text(r) if r.measured
             else f"The response is {r.source}: no randomised test in the data measures it.")  # code-written
    text = (f"{basis} With a contact cost of {cost_per_contact:,.2f} and vouchers at {voucher_cost:,.2f}, a win-back "
            "pays for " + (f"**{', '.join(md(g.replace('_', '-')) for g in worth['group'])}** customers, a net gain "
                           f"of {worth['total_gain'].sum():,.0f} ({'90% range' if r.measured else 'sensitivity range'} "
                           f"{worth['total_gain_low'].sum():,.0f} to {worth['total_gain_high'].sum():,.0f})"
                           if len(worth) else "**no group**"))
    if len(worth) and worth["total_gain_low"].sum() < 0:
        text += "; the range includes a loss, so the case rests on the central estimate"
    return text + (f". The value of a woken customer is taken as the mean next-year value of an active one "
                   f"({winback.value_if_woken:,.0f}), an assumption.")


def _scaling_text(r: WinbackResponse) -> str:
    """How the measured uplift is spread over the dormancy groups, in words."""
    if not (r.reference_p_alive > 0):
        return "It is applied flat to every dormancy group."
    return (f"Only live customers can answer, so each group gets the uplift times its mean P(alive) relative to that "
            f"of the campaign's lapsing customers ({r.reference_p_alive:.0%} at the end of the data), an assumption.")
