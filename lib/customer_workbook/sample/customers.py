"""Customers: who signs up when through which channel, their persona and demographics, and fake personal data."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._arrays import _choice_rows, _dates, _labels, _str_series
from .constants import (ACQ_CHANNELS, AGE_MEAN, AGE_SD, FEMALE_SHARE, GENDERS, INCOME_BANDS, INCOME_MIX,
                        REGION_MIX, REGIONS)
from .effects import steady_state_tilt

__all__ = ["Customers", "draw_customers", "customers_table"]


@dataclass(frozen=True)
class Customers:
    """The customers in id order (= signup order): arrays of codes, one entry per customer."""

    N: int
    n_base: int                   # customers who signed up before the window
    channel: np.ndarray           # acquisition channel
    signup: np.ndarray            # signup day
    is_acq: np.ndarray            # acquired in the window
    persona: np.ndarray
    age: np.ndarray
    income: np.ndarray
    region: np.ndarray
    gender: np.ndarray


def draw_customers(r, window, new, n_customers: int) -> Customers:
    """The initial base plus the customers the marketing weeks acquired, with persona and demographics.

    In the null company (``window.fx``) the base is the steady state: its personas are tilted by their
    expected lifetime and its signups lie an exponential time (the mean lifetime) before the start."""
    fx = window.fx
    n_acq = int(new.sum())
    n_base = n_customers - n_acq
    wk, ch = np.nonzero(new)
    cnt = new[wk, ch]
    acq_channel = np.repeat(ch, cnt)
    acq_day = np.repeat(window.block_start[window.mk_blocks][wk], cnt) + r.integers(0, 7, n_acq)
    base_channel, base_day = _base_signups(r, window, n_base)
    channel = np.concatenate([base_channel, acq_channel])
    signup = np.concatenate([base_day, acq_day])
    is_acq = np.concatenate([np.zeros(n_base, bool), np.ones(n_acq, bool)])
    order = np.lexsort((channel, signup))           # customer ids follow signup order
    channel, signup, is_acq = channel[order], signup[order], is_acq[order]
    N = n_customers
    mix = fx.persona_acq_mix[channel]
    if not fx.planted:
        mix[~is_acq] = steady_state_tilt(fx)[0]
    persona = _choice_rows(r, mix)
    age = np.clip(np.round(r.normal(AGE_MEAN[persona], AGE_SD[persona])), 18, 90).astype(np.int64)
    income = _choice_rows(r, INCOME_MIX[persona])
    region = _choice_rows(r, REGION_MIX[persona])
    gu = r.random(N)
    gender = np.where(gu < 0.02, 2, np.where(gu < 0.02 + 0.98 * FEMALE_SHARE[persona], 0, 1))
    return Customers(N=N, n_base=n_base, channel=channel, signup=signup, is_acq=is_acq, persona=persona, age=age,
                     income=income, region=region, gender=gender)


def _base_signups(r, window, n_base: int) -> tuple[np.ndarray, np.ndarray]:
    """Acquisition channel and signup day (< the first simulated day) of the initial base."""
    fx, d0 = window.fx, window.d0
    base_channel = r.choice(5, n_base, p=fx.base_channel_mix)
    if fx.planted:
        first = window.day_of(pd.Timestamp("2016-01-01")) if window.start.year > 2016 else -7 * 365
        return base_channel, r.integers(first, d0, n_base)
    weeks_before = r.exponential(steady_state_tilt(fx)[1], n_base)
    return base_channel, d0 - 1 - np.floor(7 * weeks_before).astype(np.int64)


def customers_table(rng_names, cust: Customers, start: pd.Timestamp, cust_ids) -> pd.DataFrame:
    full, email = _fake_names(rng_names, cust.N)
    return pd.DataFrame({
        "customer_id": _str_series(cust_ids),
        "signup_date": _dates(start, cust.signup),
        "acquisition_channel": _labels(cust.channel, ACQ_CHANNELS),
        "region": _labels(cust.region, REGIONS),
        "age": cust.age,
        "gender": _labels(cust.gender, GENDERS),
        "income_band": _labels(cust.income, INCOME_BANDS),
        "full_name": _str_series(full),
        "email": _str_series(email),
    })


# Fake personal data (customers.full_name / email; never loaded by the workbook)
_FIRST_SYL = ["an", "be", "ca", "da", "el", "fi", "ga", "ha", "is", "jo", "ka", "li", "ma", "no", "ol",
              "pe", "ri", "sa", "ta", "vi", "wi", "ya", "zo", "mi"]
_LAST_SYL = ["berg", "ton", "son", "ley", "mar", "wood", "ford", "dale", "holm", "stein", "vik", "lund",
             "field", "brook", "ridge", "well", "worth", "by", "ham", "sen"]
_MID_SYL = ["ar", "el", "or", "an", "ul", "in", "er", "os"]


def _fake_names(rng, n):
    f1 = rng.integers(0, len(_FIRST_SYL), n); f2 = rng.integers(0, len(_FIRST_SYL), n)
    l1 = rng.integers(0, len(_MID_SYL), n); l2 = rng.integers(0, len(_LAST_SYL), n)
    first = pc.binary_join_element_wise(pa.array(_FIRST_SYL).take(pa.array(f1)),
                                        pa.array(_FIRST_SYL).take(pa.array(f2)), "")
    first = pc.utf8_capitalize(first)
    last = pc.utf8_capitalize(pc.binary_join_element_wise(
        pa.array(["b", "d", "h", "k", "l", "m", "n", "r", "s", "t"]).take(pa.array(rng.integers(0, 10, n))),
        pa.array(_MID_SYL).take(pa.array(l1)), pa.array(_LAST_SYL).take(pa.array(l2)), ""))
    full = pc.binary_join_element_wise(first, last, " ")
    num = pc.cast(pa.array(rng.integers(1, 100, n)), pa.string())
    dom = pa.array(["example.com", "example.org", "example.net"]).take(pa.array(rng.integers(0, 3, n)))
    email = pc.binary_join_element_wise(pc.utf8_lower(first), ".", pc.utf8_lower(last), num, "@", dom, "")
    return full, email
