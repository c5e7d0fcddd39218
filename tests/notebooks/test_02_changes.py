"""Notebook 02 (relevant changes) recovers the planted changes of the sample company and runs without the
optional tables it can do without."""
from __future__ import annotations

import json
import math
import shutil

import pandas as pd
import pytest

from conftest import ROOT, execute_notebook, values
from customer_workbook import changes, data
from customer_workbook.findings import date_words

pytestmark = pytest.mark.notebooks

TOLERANCE = pd.Timedelta(weeks=2)
CONSEQUENCE = pd.Timedelta(weeks=13)


def register_frame(found: dict, key: str = "change_register") -> pd.DataFrame:
    reg = pd.DataFrame(found[key])
    reg["date"] = pd.to_datetime(reg["date"])
    return reg


def assert_register_counts_each_change_once(found: dict) -> None:
    """One register line per distinct change, each with a finite revenue at stake, and the exercise total is
    the sum of the measured ones (measured lines first): the signals of one change (two metrics at one date, a
    break nested in a ramp) are not added."""
    reg, signals = register_frame(found), register_frame(found, "change_signals")
    assert reg["change_id"].is_unique and len(reg) == found["n_changes"]
    assert set(signals["change_id"]) == set(reg["change_id"]) and len(signals) >= len(reg)
    assert all(isinstance(r.get("revenue_at_stake"), float) and math.isfinite(r["revenue_at_stake"])
               for r in found["change_register"])
    measured = [r["at_stake_measured"] for r in found["change_register"]]
    assert measured == sorted(measured, reverse=True)  # an unmeasured amount never ranks above a measured one
    total = sum(r["revenue_at_stake"] for r in found["change_register"] if r["at_stake_measured"])
    if any(measured):
        assert found["exercise_revenue_at_stake_total"] == pytest.approx(total, abs=0.01)
    assert found["revenue_at_stake_total"] == pytest.approx(total, abs=0.01)  # measured amounts only
    for _, day in signals.groupby("date"):  # the same date seen in several metrics is one change
        assert day["change_id"].nunique() == 1


def near(reg: pd.DataFrame, date: str) -> pd.DataFrame:
    return reg[(reg["date"] - pd.Timestamp(date)).abs() <= TOLERANCE]


def group_members(data_dir, label: str) -> pd.Index:
    """Customers of a register group label such as 'price sensitivity: high discount use'."""
    segments = changes.customer_segments(data.load_dataset(data_dir))
    seg = next(k for k, v in changes.SEGMENTATION_LABELS.items() if label.startswith(v + ": "))
    group = label.split(": ", 1)[1]
    return segments.index[segments[seg] == group]


def bass_waves(truth: dict) -> list[tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]]:
    """``(launch, peak, end)`` of every planted Bass-diffusion launch in the window.

    Each adopter places an extra order holding the new product as an extra line (``truth["innovation"]``), so
    orders, active customers and the average basket rise while adoption builds and fall back as it fades. The
    Bass adoption curve is symmetric about its peak week ``ln(q/p) / (p + q)`` (truth: ``theoretical_peak_week``),
    so the wave ends about twice that many weeks after the launch."""
    out = []
    for b in truth.get("innovation", {}).get("bass_products", []):
        if b.get("in_window"):
            launch, weeks = pd.Timestamp(b["launch_date"]), float(b["theoretical_peak_week"])
            out.append((launch, launch + pd.Timedelta(weeks=weeks), launch + pd.Timedelta(weeks=2 * weeks)))
    return out


def in_bass_wave(r, waves) -> bool:
    """A register line that is a Bass wave's footprint: orders, active customers or the basket up between the
    launch and the peak of adoption, or down between the peak and the end of the wave (+/- 2 weeks)."""
    if r["metric"] not in ("orders", "active_customers", "avg_basket"):
        return False
    return any(launch <= r["date"] <= peak + TOLERANCE if r["direction"] == "up"
               else peak - TOLERANCE <= r["date"] <= end + TOLERANCE for launch, peak, end in waves)


def app_adopters_share(data_dir, truth_customers: pd.DataFrame, label: str) -> float:
    """Share of trend and convenience seekers (the app's planted adopters) in a register group."""
    persona = truth_customers.set_index("customer_id")["persona"]
    return float(persona.reindex(group_members(data_dir, label)).isin(["trend_seeker", "convenience_seeker"]).mean())


def assert_planted_changes(found: dict, data_dir, truth: dict, truth_customers: pd.DataFrame,
                           app_share: float = 0.55) -> None:
    """Every planted change is in the register with the right date (+/- 2 weeks), direction and group.

    ``app_share``: the smallest share of trend and convenience seekers in the group named for the app launch."""
    reg = register_frame(found)
    persona = truth_customers.set_index("customer_id")["persona"]
    planted = {c["name"]: c for c in truth["changes"] if c["in_window"]}

    # (a) competitor price cut: the price index falls, and the group that reacts is mostly bargain hunters
    cut = near(reg, planted["competitor_price_cut"]["date"])
    row = cut[cut["metric"] == "competitor_price_index"].iloc[0]
    assert row["direction"] == "down" and row["related_event"]
    members = group_members(data_dir, row["affected_group"])
    assert persona.reindex(members).eq("bargain_hunter").mean() > 0.6  # base rate 0.28
    assert row["revenue_at_stake"] < 0

    # (b) delivery slowdown: speed satisfaction down for all respondents, delivery time up: one change
    slow = near(register_frame(found, "change_signals"), planted["delivery_slowdown"]["date"])
    assert slow["change_id"].nunique() == 1 and len(near(reg, planted["delivery_slowdown"]["date"])) == 1
    speed = slow[slow["metric"] == "sat_speed"].iloc[0]
    assert speed["direction"] == "down" and speed["affected_group"] == "all customers"
    assert speed["ci_low"] < -0.5  # planted about -0.85 points
    assert (slow.loc[slow["metric"] == "delivery_days", "direction"] == "up").all()

    # (c) app launch: a new channel ramping up, adopted most by trend and convenience seekers
    app = near(reg, planted["app_launch"]["date"])
    row = app[app["metric"] == "share_app"].iloc[0]
    assert row["direction"] == "up" and 0.2 < row["change"] < 0.35  # 27% of lines in weeks 12-25
    assert app_adopters_share(data_dir, truth_customers, row["affected_group"]) > app_share  # base 0.36-0.38

    # the decoy competitor event is not a change, and at most one change is spurious; within a quarter after a
    # planted change with a churn effect, a fall of orders or active customers counts as its consequence, and
    # so does a shift of the average basket either way (churn changes the mix of who still buys); a Bass
    # launch's adoption wave is planted too (bass_waves): its rise and its fall back are no false alarm
    decoy = truth["non_changes"]["decoy_competitor_event"]["date"]
    assert near(reg, decoy).empty
    assert any(e.startswith(date_words(decoy)) for e in found["events_without_effect"])  # as the reader sees it
    dates = [pd.Timestamp(c["date"]) for c in planted.values()]
    churn_dates = [pd.Timestamp(c["date"]) for c in planted.values() if "dropout_hazard_ratio" in c.get("effects", {})
                   or "slow_delivery_hazard_ratio" in c.get("effects", {})]

    waves = bass_waves(truth)

    def explained(r) -> bool:
        if any(abs(r["date"] - d) <= TOLERANCE for d in dates) or in_bass_wave(r, waves):
            return True
        consequence = (r["metric"] in ("orders", "active_customers") and r["direction"] == "down") \
            or r["metric"] == "avg_basket"
        return consequence and any(pd.Timedelta(0) < r["date"] - d <= CONSEQUENCE for d in churn_dates)

    spurious = reg[~reg.apply(explained, axis=1)]
    assert spurious["change_id"].nunique() <= 1, spurious[["metric", "date", "change"]]


def assert_exercise_1_names_the_registers_dates(found: dict) -> None:
    """Exercise 1 (penalty doubled) names the kept change points at the dates the register shows (its signals), not
    at the dates a fresh run would move them to, and counts what it names."""
    signals = {f"{r['metric']} {pd.Timestamp(r['date']):%Y-%m-%d}" for r in found["change_signals"]}
    survivors = found["exercise_strict_survivors"]
    assert set(survivors) <= signals, sorted(set(survivors) - signals)
    assert found["exercise_strict_kept"] == len(survivors) <= found["n_kept_breaks"]


def test_changes_on_the_shipped_sample(shipped_run):
    found = values(shipped_run("02_changes")[1])
    truth = json.loads((ROOT / "data/sample/truth.json").read_text())
    truth_customers = pd.read_parquet(ROOT / "data/sample/truth_customers.parquet")
    assert_planted_changes(found, ROOT / "data/sample", truth, truth_customers)
    assert_register_counts_each_change_once(found)
    assert_exercise_1_names_the_registers_dates(found)
    assert found["new_channel"] == "app" and found["new_channel_launch"] == "2024-03-04"
    assert abs(found["new_channel_ramp_weeks"] - 12) <= 2
    assert found["new_channel_took_from"]["web"] < 0 and found["new_channel_took_from"]["store"] < 0
    assert found["n_too_small"] + found["n_temporary"] >= 1  # the practical and lasting gates do some work
    # the price cut lowers the pricing satisfaction of bargain hunters only (planted: -0.6 latent for them), while
    # the others' rises a little, so all customers' series does not break: the register finds it inside one
    # group at the cut's date (changes.group_only_changes), a group mostly of bargain hunters, and counts it
    # with the cut
    persona = truth_customers.set_index("customer_id")["persona"]
    cut_date = pd.Timestamp(truth_change(truth, "competitor_price_cut")["date"])
    group_only = found["group_only_changes"]
    pricing = [g for k, g in group_only.items() if k.startswith("sat_pricing ")
               and abs(pd.Timestamp(k.split(" ")[1]) - cut_date) <= TOLERANCE]
    assert len(pricing) == 1
    assert persona.reindex(group_members(ROOT / "data/sample", pricing[0])).eq("bargain_hunter").mean() > 0.6
    signal = near(register_frame(found, "change_signals"), str(cut_date.date()))
    signal = signal[signal["metric"] == "sat_pricing"].iloc[0]
    assert signal["direction"] == "down" and signal["group_change"] < -0.2  # planted -0.6 latent
    cut = register_frame(found)
    assert "sat_pricing" in cut.loc[cut["metric"] == "competitor_price_index", "metrics"].iloc[0]
    assert found["false_alarm_rate"] == changes.FALSE_ALARM_RATE


def truth_change(truth: dict, name: str) -> dict:
    return next(c for c in truth["changes"] if c["name"] == name)


def app_adopters_base(data_dir, truth_customers: pd.DataFrame) -> float:
    """Share of trend and convenience seekers among the customers the register can group."""
    persona = truth_customers.set_index("customer_id")["persona"]
    members = changes.customer_segments(data.load_dataset(data_dir)).index
    return float(persona.reindex(members).isin(["trend_seeker", "convenience_seeker"]).mean())


@pytest.fixture(scope="module")
def small_found(tmp_path_factory, small_sample) -> dict:
    return values(execute_notebook("02_changes", tmp_path_factory.mktemp("nb02_small"), data_dir=str(small_sample),
                                   interactive=False))


def test_changes_on_the_small_sample(small_found, small_sample):
    """At 1,500 customers the app launch's group is one enriched in the app's planted adopters (more trend and
    convenience seekers than among all customers); which of two close age bands wins is noise at this size
    (see the xfail test below)."""
    found = small_found
    truth = json.loads((small_sample / "truth.json").read_text())
    truth_customers = pd.read_parquet(small_sample / "truth_customers.parquet")
    assert_planted_changes(found, small_sample, truth, truth_customers,
                           app_share=app_adopters_base(small_sample, truth_customers))
    assert_register_counts_each_change_once(found)
    assert_exercise_1_names_the_registers_dates(found)
    assert found["n_changes"] >= 3


@pytest.mark.xfail(strict=True, reason=(
    "measured on the small sample (1,500 customers, seed 7): the app share rose against the rest by +0.142 for "
    "age band 30-44 (546 customers, 50% trend/convenience seekers, 95% CI from +0.099) and by +0.141 for under 30 "
    "(262 customers, 56%, CI from +0.083); the planted excess (persona app shares x their orders) is +0.135 and "
    "+0.160, a gap of 0.025 against a standard error of about 0.03, so the better group cannot be told apart "
    "at this size (on the 20,000-customer sample: under 30, +0.199 against +0.123, 64% trend/convenience)"))
def test_app_group_mostly_adopters_on_the_small_sample(small_found, small_sample):
    reg = register_frame(small_found)
    truth = json.loads((small_sample / "truth.json").read_text())
    truth_customers = pd.read_parquet(small_sample / "truth_customers.parquet")
    row = near(reg, truth_change(truth, "app_launch")["date"])
    row = row[row["metric"] == "share_app"].iloc[0]
    assert app_adopters_share(small_sample, truth_customers, row["affected_group"]) > 0.55


def test_changes_without_market_and_surveys(tmp_path, small_sample):
    reduced = tmp_path / "reduced"
    reduced.mkdir()
    for table in ("transactions", "customers"):
        shutil.copy(small_sample / f"{table}.parquet", reduced / f"{table}.parquet")
    result = execute_notebook("02_changes", tmp_path, data_dir=str(reduced), interactive=False)
    skipped = {s["section"] for s in result["skipped"]}
    assert {"NPS and satisfaction items", "Competitor price index", "Market events"} <= skipped
    found = values(result)
    reg = register_frame(found)
    assert not reg["metric"].isin(["competitor_price_index", "sat_speed"]).any()
    assert not near(reg, "2024-03-04").empty  # the app launch needs only transactions


def test_the_report_ends_in_its_decision_written_from_the_register(shipped_run):
    """Step 2 decides what change to respond to first (the register's top line, with its value at stake when
    measured) and what the plan should watch (the register's changes); the key findings lead with it."""
    items = shipped_run("02_changes")[1]["findings"]
    (d,) = items["decisions"]["value"]
    register = items["change_register"]["value"]
    top = register[0]
    assert d["step"] == 2 and d["for_whom"] == top["affected_group"]
    assert d["action"].endswith(items["top_change"]["value"].split(", driven by")[0])
    if top["at_stake_measured"]:
        assert d["value"] == pytest.approx(top["revenue_at_stake"], abs=0.01) and d["basis"] == "estimated"
        assert d["value_low"] <= d["value"] <= d["value_high"]
    assert len(d["indicators"]) == min(5, len(register))
    assert next(k for k, v in items.items() if v["headline"]) == "decision_changes_to_act_on"
