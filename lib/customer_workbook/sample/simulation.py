"""The weekly order simulation: purchases, first orders, campaign and Bass-diffusion orders, lines and dropout.

It steps through the Monday-based weeks of the window; within a week everything is vectorised over the
customers who order. The random numbers are drawn from one generator in a fixed order, so the same seed
always gives the same orders.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._arrays import _choice_rows, _popcount8
from .campaigns import send_campaign
from .constants import (APP_RAMP_WEEKS, APP_SHARE, BASE_ORDER_VALUE, BASS_PERSONA_WEIGHT, BH, CAT_SEASON,
                        COMPETITOR_LAMBDA_MULT, DISCOUNT_PROB, EXCLUSIVE_BOOST, EXPRESS_PROB, FIRST_ORDER_PROB,
                        FOLLOW_BUY_PROB, FOLLOW_SET_PROB, GG_P, GIFT_PROB, LINES_MU, NEW_PRODUCT_BOOST,
                        RETURN_PROB, SEASON, SLOW_DAYS, TIER_PREF)
from .window import BIG

__all__ = ["SimState", "simulate", "new_state", "simulate_week"]

ORDER_FIELDS = ("cust", "sec", "chan", "deliv", "kind")
LINE_FIELDS = ("order", "cust", "prod", "qty", "disc", "amount", "ret", "gift")


@dataclass
class SimState:
    """What the simulation knows about every customer, and the orders (``O``) and lines (``Lz``) so far.

    During the simulation ``O`` and ``Lz`` hold lists of weekly arrays; :func:`simulate` concatenates them.
    Order kinds: 0 regular, 1 first order at signup, 2 Bass adoption, 3 campaign-induced.
    """

    alive: np.ndarray
    dropout_day: np.ndarray
    cat_mask: np.ndarray           # bit mask of the categories bought so far
    follow: np.ndarray             # pending cross-sell follow-up product, -1 if none
    bass_adopted: np.ndarray       # (number of Bass products, N)
    bass_adopt_day: np.ndarray
    hr_dyn_sum: np.ndarray         # sum of the dynamic hazard multipliers of the customer's orders
    hr_dyn_n: np.ndarray
    pending_c: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))   # scheduled campaign orders
    pending_d: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    O: dict = field(default_factory=lambda: {k: [] for k in ORDER_FIELDS})
    Lz: dict = field(default_factory=lambda: {k: [] for k in LINE_FIELDS})
    n_orders_total: int = 0
    campaign_rows: dict | None = None


def new_state(N: int, n_bass: int) -> SimState:
    """The state before anyone orders: everyone alive, nothing bought, no orders recorded."""
    return SimState(alive=np.ones(N, bool), dropout_day=np.full(N, BIG, dtype=np.int64),
                    cat_mask=np.zeros(N, np.uint8), follow=np.full(N, -1, dtype=np.int64),
                    bass_adopted=np.zeros((n_bass, N), bool),
                    bass_adopt_day=np.full((n_bass, N), BIG, dtype=np.int64),
                    hr_dyn_sum=np.zeros(N), hr_dyn_n=np.zeros(N))


def simulate(r, rng_campaign, w, cust, tr, catalog, st: SimState | None = None) -> SimState:
    """Run every week of the window; ``r`` drives the orders, ``rng_campaign`` the campaign at its send week.

    ``st`` is the state at the start (the sample's warm-up, :mod:`.warmup`); by default everyone is alive
    and has bought nothing. With ``w.fx.weekly_leave`` (the null company) live customers also leave
    silently at the start of a week with that probability."""
    st = new_state(cust.N, len(w.fx.bass)) if st is None else st
    for b in range(len(w.block_start)):
        bd = int(w.block_start[b])
        if w.fx.weekly_leave > 0:
            _silent_leaving(r, st, cust, bd, w.fx.weekly_leave)
        # campaign at its send week: define population, groups and randomise before this week's orders
        if bd == w.send_day:
            send_campaign(rng_campaign, st, cust.N, w.send_day, w.fx)
        simulate_week(r, st, w, cust, tr, catalog, bd, w.block_month[b])
    st.O = {k: np.concatenate(v) for k, v in st.O.items()}
    st.Lz = {k: np.concatenate(v) for k, v in st.Lz.items()}
    return st


def simulate_week(r, st, w, cust, tr, catalog, bd: int, mon: int, record: bool = True) -> None:
    """The orders of the week starting on day ``bd`` (calendar month ``mon``, 0-11) and their consequences.

    With ``record`` false the orders change the customers' state (categories bought, follow-ups, dropout)
    but are not kept: the warm-up before the window."""
    oc, od, okind, bass_extra = _week_orders(r, st, w, cust, tr, catalog, bd, mon)
    if len(oc):
        _simulate_orders(r, st, w, cust, tr, catalog, bd, mon, oc, od, okind, bass_extra, record)


def _silent_leaving(r, st, cust, bd: int, weekly_leave: float) -> None:
    """Live customers (signed up before day ``bd``) leave for good on day ``bd`` with probability ``weekly_leave``."""
    live = np.flatnonzero(st.alive & (cust.signup < bd))
    gone = live[r.random(len(live)) < weekly_leave]
    st.alive[gone] = False
    st.dropout_day[gone] = bd


def _week_orders(r, st, w, cust, tr, catalog, bd, mon):
    """Customers and days of this week's orders: regular, first orders, scheduled campaign orders, Bass."""
    active = st.alive & (cust.signup < bd)
    act = np.flatnonzero(active)
    rate = tr.lam[act] * SEASON[mon]
    if bd >= w.comp_day:
        rate = np.where(cust.persona[act] == BH, rate * COMPETITOR_LAMBDA_MULT, rate)
    k = r.poisson(rate)
    has = k > 0
    oc = np.repeat(act[has], k[has])
    od = bd + r.integers(0, 7, len(oc))
    kinds = [np.zeros(len(oc), np.int8)]
    cs, ds = [oc], [od]
    # first orders of customers signing up this week (the initial base signs up in the warm-up weeks)
    newc = np.flatnonzero((cust.signup >= bd) & (cust.signup < bd + 7))
    newc = newc[r.random(len(newc)) < FIRST_ORDER_PROB]
    cs.append(newc); ds.append(cust.signup[newc]); kinds.append(np.ones(len(newc), np.int8))
    # scheduled campaign purchases
    if len(st.pending_c):
        due = (st.pending_d >= bd) & (st.pending_d < bd + 7)
        cs.append(st.pending_c[due]); ds.append(st.pending_d[due]); kinds.append(np.full(due.sum(), 3, np.int8))
        st.pending_c, st.pending_d = st.pending_c[~due], st.pending_d[~due]
    bass_extra = _bass_adoptions(r, st, w, cust, catalog, bd, active, cs, ds, kinds)
    return np.concatenate(cs), np.concatenate(ds), np.concatenate(kinds), bass_extra


def _bass_adoptions(r, st, w, cust, catalog, bd, active, cs, ds, kinds):
    """Bass-diffusion adopters of this week, appended to the week's orders; their (first, n, product) blocks."""
    bass_extra = []
    for j, bb in enumerate(w.fx.bass):
        launch_day = w.D[bb["key"]]
        if bd < launch_day or launch_day > w.end_day:
            continue
        elig = np.flatnonzero(active & ~st.bass_adopted[j])
        M = bb["m"] * active.sum()
        A = st.bass_adopted[j][active].sum()
        mu = max((bb["p"] + bb["q"] * A / max(M, 1)) * (M - A), 0.0)
        n_new = min(int(r.poisson(mu)), len(elig))
        if n_new == 0:
            continue
        weight = BASS_PERSONA_WEIGHT[cust.persona[elig]]
        key = np.log(r.random(len(elig))) / weight
        chosen = np.sort(elig[np.argpartition(-key, n_new - 1)[:n_new]])  # sorted: the same order on every CPU
        st.bass_adopted[j, chosen] = True
        dd = bd + r.integers(0, 7, n_new)
        st.bass_adopt_day[j, chosen] = dd
        cs.append(chosen); ds.append(dd); kinds.append(np.full(n_new, 2, np.int8))
        bass_extra.append((len(np.concatenate(cs)) - n_new, n_new, int(catalog.prod["bass_idx"][j])))
    return bass_extra


def _simulate_orders(r, st, w, cust, tr, catalog, bd, mon, oc, od, okind, bass_extra, record=True):
    """Channel, delivery, lines and values of this week's orders; then the customers' state and dropout.

    The orders and lines are appended to ``st.O`` and ``st.Lz`` when ``record`` is true."""
    op = cust.persona[oc]
    ochan, dl, osec = _channel_and_delivery(r, w, tr, oc, od, op)
    nl, lo, lprod = _regular_lines(r, tr, catalog, bd, mon, oc, op)
    lo, lprod, is_gift, n_reg = _extra_lines(r, st, catalog, oc, lo, lprod, bass_extra)
    qty, disc, amount, ret = _line_values(r, tr, catalog, oc, op, nl, lo, lprod, is_gift, n_reg)
    _update_customers(r, st, w, tr, catalog, oc, od, op, dl, lo, lprod, ret)
    if not record:
        return
    no = len(oc)
    gidx = st.n_orders_total + np.arange(no)
    O, Lz = st.O, st.Lz
    O["cust"].append(oc.astype(np.int32)); O["sec"].append(osec); O["chan"].append(ochan.astype(np.int8))
    O["deliv"].append(dl.astype(np.float32)); O["kind"].append(okind)
    Lz["order"].append(gidx[lo].astype(np.int32)); Lz["cust"].append(oc[lo].astype(np.int32))
    Lz["prod"].append(lprod.astype(np.int16))
    Lz["qty"].append(qty.astype(np.int32)); Lz["disc"].append(disc.astype(np.float32))
    Lz["amount"].append(amount); Lz["ret"].append(ret); Lz["gift"].append(is_gift)
    st.n_orders_total += no


def _channel_and_delivery(r, w, tr, oc, od, op):
    """Sales channel (0 store, 1 web, 2 app), delivery days and order time in seconds of every order."""
    no = len(oc)
    app_day = w.app_day
    # channel
    ramp = np.where(od >= app_day, np.clip((od - app_day + 7) / (7 * APP_RAMP_WEEKS), 0, 1), 0.0)
    p_app = APP_SHARE[op] * ramp
    u = r.random(no)
    p_store = tr.store_p[oc] * (1 - p_app)
    ochan = np.where(u < p_store, 0, np.where(u < p_store + p_app, 2, 1))
    # delivery days
    online = ochan > 0
    express = r.random(no) < EXPRESS_PROB[op]
    dl = np.where(express, 1 + r.poisson(0.3, no), 2 + r.poisson(1.5, no)).astype(np.float64)
    late = od >= w.slow_day
    dl = dl + late * np.where(express, r.poisson(0.5, no), 1 + r.poisson(1.0, no))
    dl = np.where(online, dl, 0.0)
    # time of day (seconds)
    tod = np.where(online, (7 + 16 * r.beta(2.2, 1.5, no)) * 3600, (9 + 11 * r.random(no)) * 3600).astype(np.int64)
    osec = od.astype(np.int64) * 86400 + tod
    return ochan, dl, osec


def _regular_lines(r, tr, catalog, bd, mon, oc, op):
    """Lines per order, and for each line its order (position in the week) and product."""
    prod, cat_members = catalog.prod, catalog.cat_members
    no = len(oc)
    nl = 1 + r.poisson(LINES_MU[op])
    lo = np.repeat(np.arange(no), nl)
    lc = oc[lo]; lp_ = op[lo]
    probs = tr.cat_pref[lc] * CAT_SEASON[mon][None, :].astype(np.float32)
    lcat = _choice_rows(r, probs)
    avail = (prod["launch"] <= bd + 3).astype(float)
    avail[prod["bass_idx"]] = 0.0
    # per (persona, category) product cdf this week
    w_all = (catalog.pop_w[None, :] * TIER_PREF[:, prod["tier"]] * avail[None, :]
             * (1 + (NEW_PRODUCT_BOOST[:, None] - 1) * catalog.is_new_prod[None, :])
             * (1 + (EXCLUSIVE_BOOST[:, None] - 1) * catalog.excl[None, :]))      # (5, n_prod)
    wtab = np.where(cat_members[None] >= 0, w_all[:, np.maximum(cat_members, 0)], 0.0)  # (5, 8, max_m)
    cdf = np.cumsum(wtab, axis=2)
    rows = cdf[lp_, lcat]
    uu = r.random(len(lo)) * rows[:, -1]
    pos = np.minimum((rows < uu[:, None]).sum(axis=1), catalog.max_m - 1)
    lprod = cat_members[lcat, pos]
    return nl, lo, lprod


def _extra_lines(r, st, catalog, oc, lo, lprod, bass_extra):
    """Extra lines: follow-ups of planted pairs, the Bass product, the promo gift (appended last)."""
    no = len(oc)
    follow = st.follow
    fo = np.flatnonzero((follow[oc] >= 0) & (r.random(no) < FOLLOW_BUY_PROB))
    ex_o = [fo]; ex_p = [follow[oc[fo]]]
    follow[oc] = -1
    for s0, nn, pidx in bass_extra:
        ex_o.append(np.arange(s0, s0 + nn)); ex_p.append(np.full(nn, pidx))
    gift_o = np.flatnonzero(r.random(no) < GIFT_PROB)
    ex_o.append(gift_o); ex_p.append(np.full(len(gift_o), catalog.prod["gift"]))
    ex_o = np.concatenate(ex_o); ex_p = np.concatenate(ex_p)
    n_reg = len(lo)
    lo = np.concatenate([lo, ex_o]); lprod = np.concatenate([lprod, ex_p])
    is_gift = np.zeros(len(lo), bool); is_gift[len(lo) - len(gift_o):] = True
    return lo, lprod, is_gift, n_reg


def _line_values(r, tr, catalog, oc, op, nl, lo, lprod, is_gift, n_reg):
    """Quantity, discount, amount and whether the line is returned later."""
    lc = oc[lo]; lp_ = op[lo]
    price = catalog.prod["price"][lprod]
    target = tr.zeta[lc] * r.gamma(GG_P, 1.0 / GG_P, len(lo)) * BASE_ORDER_VALUE[lp_] / nl[lo]
    x = target / price
    qty = np.where(x < 1, 1, np.floor(x + r.random(len(lo)))).astype(np.int64)
    qty = np.clip(qty, 1, 12)
    qty[n_reg:] = 1
    disc = np.where(r.random(len(lo)) < DISCOUNT_PROB[lp_],
                    r.choice([0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5], len(lo), p=[.2, .15, .25, .15, .12, .08, .05]),
                    0.0)
    disc[is_gift] = 0.0
    amount = np.round(price * qty * (1 - disc), 2)
    amount[is_gift] = 0.0
    ret = (r.random(len(lo)) < RETURN_PROB[lp_]) & ~is_gift
    return qty, disc, amount, ret


def _update_customers(r, st, w, tr, catalog, oc, od, op, dl, lo, lprod, ret):
    """Categories bought, pending follow-ups, and dropout after each order (hazard from observable behaviour)."""
    no, N = len(oc), len(st.alive)
    lc = oc[lo]
    np.bitwise_or.at(st.cat_mask, lc, (1 << catalog.prod["cat"][lprod]).astype(np.uint8))
    setf = (catalog.pair_to[lprod] >= 0) & (r.random(len(lo)) < FOLLOW_SET_PROB)
    st.follow[lc[setf]] = catalog.pair_to[lprod[setf]]
    # dropout after each order, hazard from observable behaviour
    o_ret = np.bincount(lo, weights=ret, minlength=no) > 0
    multi = _popcount8(st.cat_mask[oc]) >= 2
    hr = (tr.hr_static[oc] * np.where(multi, w.fx.hr["multi_category"], 1.0)
          * np.where(dl > SLOW_DAYS, w.fx.hr["slow_delivery"], 1.0)
          * np.where(o_ret, w.fx.hr["returned_line"], 1.0)
          * np.where((op == BH) & (od >= w.comp_day), w.fx.hr["competitor_cut_bargain_hunter"], 1.0))
    st.hr_dyn_sum += np.bincount(oc, weights=hr / tr.hr_static[oc], minlength=N)
    st.hr_dyn_n += np.bincount(oc, minlength=N)
    drop = r.random(no) < np.minimum(tr.p_drop[oc] * hr, 0.9)
    dc = oc[drop]
    dc = dc[st.alive[dc]]
    if len(dc):
        st.alive[dc] = False
        last_in_week = np.full(N, -BIG, dtype=np.int64)
        np.maximum.at(last_in_week, oc, od)
        st.dropout_day[dc] = last_in_week[dc]
