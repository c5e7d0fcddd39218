"""The acquisition truth: expected CLV per channel from the planted process, CAC and the value-optimal budget."""
from __future__ import annotations

import numpy as np
from scipy import optimize

from ._arrays import _hill
from .constants import (ACQ_CHANNELS, ANNUAL_DISCOUNT_RATE, CLV_HORIZON_YEARS, FIRST_ORDER_PROB, HILL,
                        HR_CHANNEL, LAMBDA_CHANNEL, MARGIN, PERSONA_ACQ_MIX, PERSONAS, SPEND_CHANNEL)

__all__ = ["acquisition_truth", "null_acquisition_truth"]

ORDER_VALUE_BANDS = 20   # spend-multiplier bands per persona for the expected order value


def acquisition_truth(w, cust, tr, st, lines) -> dict:
    """Expected CLV per acquisition channel, CAC and CLV/CAC at the current spend, the value-optimal budget."""
    aov_c, dyn = _realised_order_value_and_hazard(cust, tr, st, lines)
    out = {"margin": MARGIN, "annual_discount_rate": ANNUAL_DISCOUNT_RATE, "horizon_years": CLV_HORIZON_YEARS,
           "clv_definition": ("expected discounted margin over 5 years from acquisition (first-day order with "
                              "probability 0.85, after which the customer leaves with probability p * hazard as after "
                              "any order; then Poisson(lambda) orders a week until dropout; survival per "
                              "week exp(-lambda * p * hazard), hazard = static multipliers x the realised mean "
                              f"dynamic multiplier {dyn:.3f}); an order is worth the mean realised order value of the "
                              "customer's persona and spend-multiplier band; mean over the customers each channel "
                              "acquired"),
           "reference_scale_note": "vmax, k and spends scale with n_customers/20,000; CLV does not",
           "channels": {}}
    clv = {chn: _channel_clv(j, cust, tr, aov_c, dyn) for j, chn in enumerate(ACQ_CHANNELS)}
    scale = w.scale
    cur = np.array([HILL[c]["current_spend"] * scale for c in ACQ_CHANNELS])
    vmax = np.array([HILL[c]["vmax"] * scale for c in ACQ_CHANNELS])
    kk = np.array([HILL[c]["k"] * scale for c in ACQ_CHANNELS])
    hh = np.array([HILL[c]["shape"] for c in ACQ_CHANNELS])
    V = np.array([clv[c] for c in ACQ_CHANNELS])
    best = _best_spend_per_channel(V, vmax, kk, hh)
    same_budget = _best_mix_at_budget(V, vmax, kk, hh, cur, best)
    for j, chn in enumerate(ACQ_CHANNELS):
        out["channels"][chn] = _channel_entry(j, chn, clv[chn], V, vmax, kk, hh, cur, best, same_budget)
    B = cur.sum()
    out["ranking_by_clv"] = sorted(ACQ_CHANNELS, key=lambda c: -clv[c])
    out["ranking_by_clv_to_cac_at_current"] = sorted(ACQ_CHANNELS, key=lambda c: -out["channels"][c]["clv_to_cac_at_current"])
    out["current"] = {"weekly_budget": float(B), "weekly_value": _value(cur, V, vmax, kk, hh)}
    out["optimum"] = {
        "weekly_budget": float(best.sum()),
        "mix": {c: float(best[j] / max(best.sum(), 1e-9)) for j, c in enumerate(ACQ_CHANNELS)},
        "weekly_spend": {c: float(best[j]) for j, c in enumerate(ACQ_CHANNELS)},
        "weekly_value": _value(best, V, vmax, kk, hh),
        "objective": "max sum_c CLV_c * hill_c(spend_c) - sum_c spend_c (weekly value created)",
    }
    out["optimum_at_current_budget"] = {
        "weekly_budget": float(B),
        "mix": {c: float(same_budget[j] / B) for j, c in enumerate(ACQ_CHANNELS)},
        "weekly_value": _value(same_budget, V, vmax, kk, hh),
    }
    return out


def null_acquisition_truth(w, cust, tr, st, lines, hill: dict) -> dict:
    """The null company's channels: one Hill curve (``hill``, per channel at the reference size), the same
    customers and so one expected CLV (over everyone acquired), the same CAC; no ranking, no better mix."""
    aov_c, dyn = _realised_order_value_and_hazard(cust, tr, st, lines)
    leave = -np.log1p(-w.fx.weekly_leave)
    m = cust.is_acq if cust.is_acq.sum() >= 5 else np.ones(cust.N, bool)
    clv = _channel_clv(0, cust, tr, aov_c, dyn, m=m, leave=leave)
    h = hill[ACQ_CHANNELS[0]]
    vmax, k, cur = h["vmax"] * w.scale, h["k"] * w.scale, h["current_spend"] * w.scale
    n_cur = float(_hill(cur, vmax, k, h["shape"]))
    entry = {"hill_vmax_per_week": vmax, "hill_k_spend": k, "hill_shape": h["shape"], "current_weekly_spend": cur,
             "new_customers_per_week_at_current": n_cur, "cac_at_current": cur / n_cur, "expected_clv": clv,
             "clv_to_cac_at_current": clv / (cur / n_cur), "lambda_multiplier": 1.0, "dropout_multiplier": 1.0,
             "spend_multiplier": 1.0, "persona_mix": dict(zip(PERSONAS, w.fx.persona_acq_mix[0].tolist()))}
    V, vm, kk, hh = np.full(5, clv), np.full(5, vmax), np.full(5, k), np.full(5, h["shape"])
    best, cur_all = _best_spend_per_channel(V, vm, kk, hh), np.full(5, cur)
    return {"margin": MARGIN, "annual_discount_rate": ANNUAL_DISCOUNT_RATE, "horizon_years": CLV_HORIZON_YEARS,
            "channels_equal": True,
            "current": {"weekly_budget": float(cur_all.sum()), "weekly_value": _value(cur_all, V, vm, kk, hh)},
            "optimum": {"weekly_budget": float(best.sum()), "mix": dict.fromkeys(ACQ_CHANNELS, 0.2),
                        "weekly_spend": dict(zip(ACQ_CHANNELS, best.tolist())),
                        "weekly_value": _value(best, V, vm, kk, hh),
                        "note": "the same spend in every channel: only the total budget can be improved"},
            "clv_definition": "as in the sample, over everyone acquired in the window, with the silent leaving "
                              "hazard added to the survival",
            "note": "every channel has the same Hill curve, spend level, persona mix and multipliers: no channel "
                    "is better than another, so any ranking or reallocation found is noise",
            "expected_clv": clv, "channels": {c: dict(entry) for c in ACQ_CHANNELS},
            "ranking_by_clv": [], "ranking_by_clv_to_cac_at_current": []}


def _realised_order_value_and_hazard(cust, tr, st, lines):
    """Each customer's expected order value (currency units, shape (N,)) and the mean dynamic hazard multiplier.

    An order's value is not proportional to the spend multiplier: a line's quantity is at least one, so customers
    with a low multiplier buy more than their share. The expected value is the mean realised order value of the
    customer's persona and spend-multiplier band (20 quantile bands of the multiplier over the persona's orders)."""
    LN, O, persona, zeta = lines.LN, st.O, cust.persona, tr.zeta
    per_order = np.bincount(LN["order"], weights=LN["amount"], minlength=len(O["cust"]))
    has_lines = np.bincount(LN["order"][LN["pos"]], minlength=len(O["cust"])) > 0
    oc = O["cust"][has_lines]
    ov = per_order[has_lines]
    aov = np.zeros(len(zeta))
    for p in range(len(PERSONAS)):
        of, cm = persona[oc] == p, persona == p
        if not of.any():
            continue
        edges = np.unique(np.quantile(zeta[oc][of], np.linspace(0, 1, ORDER_VALUE_BANDS + 1)))
        band = np.clip(np.searchsorted(edges, zeta[oc][of], side="right") - 1, 0, max(len(edges) - 2, 0))
        means = np.bincount(band, weights=ov[of]) / np.maximum(np.bincount(band), 1)
        cband = np.clip(np.searchsorted(edges, zeta[cm], side="right") - 1, 0, len(means) - 1)
        aov[cm] = means[cband]
    dyn = st.hr_dyn_sum.sum() / max(st.hr_dyn_n.sum(), 1)     # mean dynamic hazard multiplier over all orders
    return aov, dyn


def _channel_clv(j, cust, tr, aov_c, dyn, m=None, leave: float = 0.0) -> float:
    """Expected discounted margin over the horizon, mean over the customers channel ``j`` acquired.

    A customer buys on the signup day with probability ``FIRST_ORDER_PROB`` and, like after any order, may
    leave right after it; whoever is still there buys at rate lambda and leaves after each order with the
    probability ``ph``. ``m`` (a customer mask) replaces the channel's customers; ``leave`` is an extra
    weekly leaving hazard independent of orders (the null company's silent leaving)."""
    weeks = CLV_HORIZON_YEARS * 52
    delta = (1 + ANNUAL_DISCOUNT_RATE) ** (-1 / 52)
    t = np.arange(1, weeks + 1)
    if m is None:
        m = (cust.channel == j) & cust.is_acq
        if m.sum() < 5:
            m = cust.channel == j
    lam_c = tr.lam[m]; ph = np.minimum(tr.p_drop[m] * tr.hr_static[m] * dyn, 0.9)
    aov = aov_c[m]
    # chunked to bound memory
    vals = np.empty(m.sum())
    for s in range(0, len(vals), 20000):
        sl = slice(s, s + 20000)
        surv = np.exp(-np.outer(lam_c[sl] * ph[sl] + leave, t))
        alive_after_signup = 1 - FIRST_ORDER_PROB * ph[sl]      # the first order may be the last, as any other
        vals[sl] = aov[sl] * (FIRST_ORDER_PROB + alive_after_signup * lam_c[sl] * (surv * delta ** t).sum(axis=1))
    return float(MARGIN * vals.mean())


def _value(s, V, vmax, kk, hh) -> float:
    """Weekly value created by the spends ``s``: CLV of the customers they buy minus the spend."""
    return float((V * _hill(s, vmax, kk, hh)).sum() - np.sum(s))


def _best_spend_per_channel(V, vmax, kk, hh) -> np.ndarray:
    """Value-maximising weekly budget: each channel separately (multi-start, L-BFGS-B)."""
    best = np.zeros(5)
    for j in range(5):
        grid = np.linspace(0, 10 * kk[j], 401)
        g = V[j] * _hill(grid, vmax[j], kk[j], hh[j]) - grid
        x0 = grid[np.argmax(g)]
        res = optimize.minimize(lambda s: -(V[j] * _hill(s[0], vmax[j], kk[j], hh[j]) - s[0]), [max(x0, 1.0)],
                                method="L-BFGS-B", bounds=[(0, 20 * kk[j])])
        sj = float(res.x[0])
        best[j] = sj if V[j] * _hill(sj, vmax[j], kk[j], hh[j]) - sj > 0 else 0.0
    return best


def _best_mix_at_budget(V, vmax, kk, hh, cur, best) -> np.ndarray:
    """Best mix at the current total budget (SLSQP from three starts)."""
    B = cur.sum()
    cons = ({"type": "eq", "fun": lambda s: s.sum() - B},)
    starts = [cur, np.full(5, B / 5), best * B / max(best.sum(), 1e-9)]
    fits = [optimize.minimize(lambda s: -_value(s, V, vmax, kk, hh), x0, method="SLSQP", bounds=[(0, B)] * 5,
                              constraints=cons)
            for x0 in starts]
    return np.clip(min((f for f in fits if f.success), key=lambda f: f.fun, default=fits[0]).x, 0, None)


def _channel_entry(j, chn, clv, V, vmax, kk, hh, cur, best, same_budget) -> dict:
    n_cur = float(_hill(cur[j], vmax[j], kk[j], hh[j]))
    return {
        "hill_vmax_per_week": float(vmax[j]), "hill_k_spend": float(kk[j]), "hill_shape": float(hh[j]),
        "hill_vmax_at_20k": HILL[chn]["vmax"], "hill_k_at_20k": HILL[chn]["k"],
        "current_weekly_spend": float(cur[j]), "new_customers_per_week_at_current": n_cur,
        "cac_at_current": float(cur[j] / n_cur), "expected_clv": clv,
        "clv_to_cac_at_current": float(clv / (cur[j] / n_cur)),
        "marginal_value_per_currency_at_current": float(
            V[j] * (_hill(cur[j] * 1.001, vmax[j], kk[j], hh[j]) - _hill(cur[j], vmax[j], kk[j], hh[j])) / (cur[j] * 0.001)),
        "optimal_weekly_spend": float(best[j]),
        "optimal_spend_at_current_total": float(same_budget[j]),
        "lambda_multiplier": float(LAMBDA_CHANNEL[j]), "dropout_multiplier": float(HR_CHANNEL[j]),
        "spend_multiplier": float(SPEND_CHANNEL[j]),
        "persona_mix": dict(zip(PERSONAS, PERSONA_ACQ_MIX[j].tolist())),
    }
