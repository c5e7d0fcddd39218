"""Notebook 00, the data overview: one function per section, each returning the :class:`Section` it shows."""
from __future__ import annotations

import calendar as _months

from ..base import derived
from ..findings import date_words
from ..base.coverage import coverage, table_summary
from ..base.metrics import SEASONAL_MIN_WEEKS, channel_shares, seasonality_index, weekly_volumes
from ..clv import value_concentration
from ..contract import TABLES
from ..data import Dataset
from ..escaping import md
from ..plots import plot_histogram, plot_shares_over_time, plot_weekly_volumes, styled_table
from ..plots.titles import histogram_title
from ..value_unit import MONEY, value_noun, value_unit
from .section import Draft, Section

__all__ = ["channel_mix", "how_clean", "orders_per_customer", "table_coverage", "tables_supplied",
           "volumes_over_time", "what_the_data_covers"]


def tables_supplied(ds: Dataset) -> Section:
    """Section 1: which contract tables were supplied (rows, columns, dates, file name)."""
    draft = Draft()
    draft.show(styled_table(table_summary(ds), {"rows": "{:,}"}))
    draft.add("tables_supplied", [t for t in TABLES if ds.has(t)], "Tables supplied")
    draft.add("tables_missing", ds.missing, "Optional tables not supplied")
    note = (f"Not supplied: {', '.join(f'`{t}`' for t in ds.missing)}; the sections that need them will say so."
            if ds.missing else "All nine contract tables are present, so every section of the series can run.")
    draft.say(f"**{len(TABLES) - len(ds.missing)} of {len(TABLES)} tables supplied.** {note}")
    return draft.done()


def what_the_data_covers(ds: Dataset) -> Section:
    """Section 2: customers, orders, revenue and the span of time the transactions cover."""
    cov, draft, unit = coverage(ds), Draft(), value_unit(ds)
    draft.add("n_customers", cov.n_customers, "Customers with transactions", headline=True)
    draft.add("n_orders", cov.n_orders, "Orders", headline=True)
    draft.add("net_revenue", round(cov.net_revenue, 2), "Net revenue", headline=True, unit=unit)
    draft.add("first_date", cov.first_date, "First transaction")
    draft.add("last_date", cov.last_date, "Last transaction")
    draft.add("months_covered", cov.months_covered, "Months covered", headline=True)
    worth = (f"worth **{cov.net_revenue:,.0f}** in net revenue" if unit == MONEY else
             f"counted as **{cov.net_revenue:,.0f} {unit}** net of returns (the data have no revenue column)")
    draft.say(f"The data holds **{cov.n_customers:,} customers** who placed **{cov.n_orders:,} orders** "
              f"({cov.n_lines:,} order lines) {worth}, from "
              f"{date_words(cov.first_date)} to {date_words(cov.last_date)} ({cov.months_covered:.0f} months).")
    return draft.done(coverage=cov)


def how_clean(ds: Dataset) -> Section:
    """Section 3: the loader's data-quality notes, and how much of the value comes back as returns."""
    draft, tx = Draft(), ds.transactions
    quality = ds.quality.to_frame()
    if quality.empty:
        draft.say("No data-quality notes: nothing unusual was found.")
    else:
        draft.show(styled_table(quality, {"rows": "{:,}", "share": "{:.1%}"}))
    returns = tx["amount"] < 0
    gross = tx.loc[~returns, "amount"].sum()
    line_share = draft.add("return_line_share", round(float(returns.mean()), 4),
                           "Share of order lines that are returns", unit="share")
    if not returns.any():
        draft.add("returned_value_share", 0.0, "Returned value as a share of gross revenue", unit="share")
        draft.say("No order line is a return: no line has a negative amount.")
    elif gross > 0:
        value_share = draft.add("returned_value_share", round(float(-tx.loc[returns, "amount"].sum() / gross), 4),
                                "Returned value as a share of gross revenue", unit="share")
        draft.say(f"{line_share:.1%} of order lines are returns, worth {value_share:.1%} of gross {value_noun(ds)}.")
    else:
        draft.say(f"{line_share:.1%} of order lines are returns; no line has a positive amount, so returns "
                  f"cannot be set against gross {value_noun(ds)}.")
    return draft.done()


def volumes_over_time(ds: Dataset) -> Section:
    """Section 4: weekly orders, active and new customers and revenue, and the seasonal rhythm of revenue."""
    tables, draft = derived(ds), Draft()
    weekly = weekly_volumes(tables.orders, tables.full_weeks)
    draft.show(plot_weekly_volumes(weekly, value_unit(ds)))
    if weekly.empty:
        draft.say("The data cover no full week (Monday to Sunday), so there are no weekly volumes to draw.")
        return draft.done(weekly=weekly)
    season = seasonality_index(weekly)
    typical = (f"A typical week brings {weekly['orders'].mean():,.0f} orders from "
               f"{weekly['active_customers'].mean():,.0f} customers, {weekly['new_customers'].mean():,.0f} of them "
               "buying for the first time.")
    if season.empty:
        draft.add("weekly_orders_mean", round(float(weekly["orders"].mean()), 1), "Mean orders per week")
        draft.say(typical)
        draft.say(f"> **Not shown: the busiest month** because a seasonal rhythm needs at least {SEASONAL_MIN_WEEKS} "
                  f"full weeks of {value_noun(ds)} (two years, so every calendar month is seen twice); the data cover "
                  f"{len(weekly)}. With less, a one-off spike such as a launch or an acquisition campaign would pass "
                  "for the season.")
        return draft.done(weekly=weekly)
    peak, low = _months.month_name[season.idxmax()], _months.month_name[season.idxmin()]
    rises, is_ = ("Revenue peaks", "is") if value_noun(ds) == "revenue" else ("Purchases peak", "are")
    draft.add("peak_month", peak, "Busiest month (revenue)", headline=True)
    draft.add("peak_month_index", round(float(season.max()), 2),
              "Revenue in the busiest month relative to an average month")
    draft.add("weekly_orders_mean", round(float(weekly["orders"].mean()), 1), "Mean orders per week")
    draft.say(f"{rises} in **{peak}** at {season.max():.2f}× an average month and {is_} lowest in {low} "
              f"({season.min():.2f}×). " + typical)
    return draft.done(weekly=weekly)


def channel_mix(ds: Dataset) -> Section:
    """Section 5: the share of orders per sales channel, month by month (skipped without channels)."""
    draft, orders = Draft(), derived(ds).orders
    if "channel" not in orders:
        draft.skip("Channel mix", ["transactions.channel"], "Add a `channel` column to transactions to see it.")
        return draft.done()
    shares = channel_shares(orders)
    complete = shares.iloc[:-1] if len(shares) > 2 else shares  # the last month is usually partial
    draft.show(plot_shares_over_time(complete))  # its title states the largest channel's last share
    latest = complete.iloc[-1]
    draft.add("channel_share_latest", {str(k): round(float(v), 3) for k, v in latest.items()},
              "Share of orders by channel in the last full month", headline=True, unit="share")
    draft.say("In the last full month, " + ", ".join(f"**{md(k)}** took {v:.0%}" for k, v in latest.items())
              + " of orders.")
    return draft.done(shares=shares)


def orders_per_customer(ds: Dataset) -> Section:
    """Section 6: how many orders each customer placed, and how concentrated net revenue is."""
    draft, customers = Draft(), derived(ds).customers
    per_customer = customers["orders"]
    one_timers = draft.add("one_time_buyer_share", round(float((per_customer == 1).mean()), 3),
                           "Share of customers who ordered once", headline=True, unit="share")
    draft.show(plot_histogram(per_customer, histogram_title(per_customer, "customers ordered", "Orders per customer"),
                              "orders over the whole period", log_y=True))
    top20 = value_concentration(customers["revenue"], (0.2,)).iloc[0]
    if top20 == top20:
        draft.add("top20_revenue_share", round(float(top20), 3), "Share of revenue from the top 20% of customers",
                  headline=True, unit="share")
        concentration = f"the top 20% of customers bring **{top20:.0%}** of net {value_noun(ds)}"
    else:
        concentration = f"net {value_noun(ds)} is not positive, so its concentration is not shown"
    draft.say(f"{one_timers:.0%} of customers ordered only once; {concentration}. "
              f"Median orders per customer: {per_customer.median():.0f}.")
    return draft.done(orders=per_customer)


def table_coverage(ds: Dataset) -> Section:
    """Section 7: the share of customers that the survey and engagement tables describe."""
    cov, draft = coverage(ds), Draft()
    for table, share in (("surveys", cov.survey_share), ("engagement", cov.engagement_share)):
        if share is None:
            draft.skip(f"{table.capitalize()} coverage", [table])
            continue
        draft.add(f"{table}_coverage", round(share, 3), f"Share of customers present in {table}", unit="share")
        draft.say(f"The **{table}** table covers {share:.0%} of customers ({len(ds.tables[table]):,} rows).")
    return draft.done()
