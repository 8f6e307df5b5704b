"""FAN_IN, FAN_OUT and CYCLE: fire on the pattern, stay silent on look-alikes and past bounds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
from polars.testing import assert_series_equal
from txbuild import at, frame, tx

from finflow.detect.cycles import cycles
from finflow.detect.graph import fan, neighbour_gap, pair_figures
from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules

RULES = load_rules(known=set(DETECTORS)).rules


def fan_out_rows(n: int, spread_days: float) -> list[dict[str, object]]:
    step = spread_days / max(n - 1, 1)
    return [tx(at(days=i * step), "1:SRC", f"2:D{i}", 900 + 150 * i) for i in range(n)]


def test_fan_out_fires_on_five_payees_in_window_and_names_evidence(tmp_path: Path) -> None:
    alerts = fan(frame(tmp_path, fan_out_rows(5, 2)), RULES["FAN_OUT"], "out")
    assert len(alerts) == 1
    assert alerts[0]["primary"] == "1:SRC"
    assert alerts[0]["metrics"]["new_counterparties"] == 5
    assert len(alerts[0]["evidence_txn_ids"]) == 5


def test_fan_out_is_silent_below_the_minimum(tmp_path: Path) -> None:
    assert fan(frame(tmp_path, fan_out_rows(4, 2)), RULES["FAN_OUT"], "out") == []


def test_fan_out_is_silent_when_payments_are_spread_beyond_the_window(tmp_path: Path) -> None:
    # 5 payees over 8 days never has 5 inside one 4-day window
    assert fan(frame(tmp_path, fan_out_rows(5, 8)), RULES["FAN_OUT"], "out") == []


def test_fan_out_ignores_a_payroll_run_larger_than_the_pattern(tmp_path: Path) -> None:
    payroll = [tx(at(hours=1), "1:EMPLOYER", f"2:E{i}", 2100, channel="ach") for i in range(40)]
    assert fan(frame(tmp_path, payroll), RULES["FAN_OUT"], "out") == []


def test_fan_out_ignores_self_transfers(tmp_path: Path) -> None:
    rows = [tx(at(hours=i), "1:SRC", "1:SRC", 100 + i) for i in range(8)]
    assert fan(frame(tmp_path, rows), RULES["FAN_OUT"], "out") == []


def test_fan_in_fires_on_many_payers_into_one_account(tmp_path: Path) -> None:
    rows = [tx(at(hours=i * 3), f"3:P{i}", "4:SINK", 700 + 150 * i) for i in range(6)]
    alerts = fan(frame(tmp_path, rows), RULES["FAN_IN"], "in")
    assert [a["primary"] for a in alerts] == ["4:SINK"]
    assert alerts[0]["metrics"]["new_counterparties"] == 6


def test_fan_in_counts_distinct_payers_not_payments(tmp_path: Path) -> None:
    rows = [tx(at(hours=i), f"3:P{i % 2}", "4:SINK", 500) for i in range(10)]
    assert fan(frame(tmp_path, rows), RULES["FAN_IN"], "in") == []


def cycle_rows(hops: int, ratio: float = 0.98, gap_hours: float = 5) -> list[dict[str, object]]:
    names = [f"{i}:N{i}" for i in range(hops)]
    amount, rows = 10_000.0, []
    for i in range(hops):
        rows.append(tx(at(hours=i * gap_hours), names[i], names[(i + 1) % hops], amount))
        amount *= ratio
    return rows


def test_cycle_fires_on_a_time_ordered_round_trip(tmp_path: Path) -> None:
    alerts = cycles(frame(tmp_path, cycle_rows(4)), RULES["CYCLE"])
    assert len(alerts) == 1
    assert alerts[0]["metrics"]["max_hops"] == 4
    assert len(alerts[0]["evidence_txn_ids"]) == 4


def test_cycle_is_silent_when_the_return_leg_comes_before_the_outgoing_one(tmp_path: Path) -> None:
    rows = cycle_rows(3)
    rows[-1]["booked_at"] = at(hours=-1)  # closing payment precedes the first: not a round trip
    assert cycles(frame(tmp_path, rows), RULES["CYCLE"]) == []


def test_cycle_is_silent_when_amounts_do_not_follow_the_money(tmp_path: Path) -> None:
    assert cycles(frame(tmp_path, cycle_rows(4, ratio=0.5)), RULES["CYCLE"]) == []


def test_cycle_respects_the_window_and_the_hop_bound(tmp_path: Path) -> None:
    slow = cycle_rows(3, gap_hours=24 * 6)  # 12 days end to end > 10-day window
    assert cycles(frame(tmp_path, slow), RULES["CYCLE"]) == []
    short = replace(RULES["CYCLE"], params={**RULES["CYCLE"].params, "max_hops": 3})
    assert cycles(frame(tmp_path, cycle_rows(4)), short) == []
    assert len(cycles(frame(tmp_path, cycle_rows(3)), short)) == 1


def test_fan_out_is_silent_when_many_payees_are_usual_for_the_account(tmp_path: Path) -> None:
    # pays five new people every few days all month: the window is not a burst
    rows = [
        tx(at(days=d, hours=i), "1:BUSY", f"2:D{d}_{i}", 900)
        for d in range(0, 28, 2)
        for i in range(5)
    ]
    assert fan(frame(tmp_path, rows), RULES["FAN_OUT"], "out") == []


def test_fan_out_does_not_count_regular_payees(tmp_path: Path) -> None:
    rows = fan_out_rows(5, 2)
    rows += [tx(at(days=10 + i), "1:SRC", f"2:D{i}", 50) for i in range(2)]  # paid again later
    assert fan(frame(tmp_path, rows), RULES["FAN_OUT"], "out") == []


def test_fan_out_needs_a_material_total(tmp_path: Path) -> None:
    amounts = [200, 300, 400, 500, 599]  # 1,999 in all
    small = [tx(at(hours=i), "1:SRC", f"2:D{i}", a) for i, a in enumerate(amounts)]
    assert fan(frame(tmp_path, small), RULES["FAN_OUT"], "out") == []
    small[0]["amount_paid"] = small[0]["amount_received"] = small[0]["amount_gbp"] = 201
    assert len(fan(frame(tmp_path, small), RULES["FAN_OUT"], "out")) == 1


def test_cycle_ignores_a_loan_and_its_repayment(tmp_path: Path) -> None:
    assert cycles(frame(tmp_path, cycle_rows(2)), RULES["CYCLE"]) == []


def test_cycle_needs_value_lost_not_gained(tmp_path: Path) -> None:
    assert cycles(frame(tmp_path, cycle_rows(3, ratio=1.0)), RULES["CYCLE"]) != []
    assert cycles(frame(tmp_path, cycle_rows(3, ratio=1.03)), RULES["CYCLE"]) == []


def test_fan_in_is_silent_for_a_fixed_price_collection(tmp_path: Path) -> None:
    # Six tenants or club members paying one price (within 3%) is not funds being gathered.
    amounts = [1000, 1000, 1010, 990, 1000, 2500]
    rows = [tx(at(hours=i * 3), f"3:P{i}", "4:CLUB", a) for i, a in enumerate(amounts)]
    assert fan(frame(tmp_path, rows), RULES["FAN_IN"], "in") == []


def test_fan_in_same_price_share_boundary(tmp_path: Path) -> None:
    # 2 of 6 at one price (0.33 < 0.4) still fires; 3 of 6 (0.5) is a fixed-price collection.
    two = [700, 1000, 1010, 1400, 1900, 2500]
    rows = [tx(at(hours=i * 3), f"3:P{i}", "4:SINK", a) for i, a in enumerate(two)]
    alerts = fan(frame(tmp_path, rows), RULES["FAN_IN"], "in")
    assert len(alerts) == 1
    assert alerts[0]["metrics"]["share_at_a_shared_price"] < 0.4
    three = [700, 1000, 1010, 1020, 1900, 2500]
    rows = [tx(at(hours=i * 3), f"3:P{i}", "4:SINK", a) for i, a in enumerate(three)]
    assert fan(frame(tmp_path, rows), RULES["FAN_IN"], "in") == []


def test_fan_in_amount_variation_boundary(tmp_path: Path) -> None:
    # Rents of roughly one size (variation 0.10) are a collection; 0.21 is funds gathered.
    rule = RULES["FAN_IN"]
    rent = [850, 1000, 1150, 900, 1100, 1000]
    rows = [tx(at(hours=i * 3), f"3:T{i}", "4:LANDLORD", a) for i, a in enumerate(rent)]
    assert fan(frame(tmp_path, rows), rule, "in") == []
    varied = [700, 1000, 1300, 800, 1200, 1000]
    rows = [tx(at(hours=i * 3), f"3:T{i}", "4:SINK", a) for i, a in enumerate(varied)]
    alerts = fan(frame(tmp_path, rows), rule, "in")
    assert len(alerts) == 1
    assert alerts[0]["metrics"]["amount_variation"] > rule.params["min_amount_cv"]


def test_fan_in_is_silent_for_a_landlord_with_flats_at_two_rents(tmp_path: Path) -> None:
    rents = [700, 705, 700, 1100, 1096, 1105]  # every payment has a twin within 1%
    rows = [tx(at(hours=i * 3), f"3:T{i}", "4:LANDLORD", a) for i, a in enumerate(rents)]
    assert fan(frame(tmp_path, rows), RULES["FAN_IN"], "in") == []


def test_fan_out_is_silent_for_one_big_payment_among_small_change(tmp_path: Path) -> None:
    # A deposit on a car plus a few small new payees (variation 1.7) is spending, not a split;
    # comparable parts (variation 0.57) are.
    rule = RULES["FAN_OUT"]
    spending = [9000, 40, 60, 25, 80, 30]
    rows = [tx(at(hours=i * 3), "1:SRC", f"2:D{i}", a) for i, a in enumerate(spending)]
    assert fan(frame(tmp_path, rows), rule, "out") == []
    split = [3000, 400, 600, 2500, 800, 1300]
    rows = [tx(at(hours=i * 3), "1:SRC", f"2:D{i}", a) for i, a in enumerate(split)]
    alerts = fan(frame(tmp_path, rows), rule, "out")
    assert len(alerts) == 1
    assert alerts[0]["metrics"]["amount_variation"] < rule.params["max_amount_cv"]


BURST = [700, 1000, 1300, 850, 1500]  # differing amounts, 5,350 in all


def rent_day(landlords: int, tenants: int = 6) -> list[dict[str, object]]:
    """`landlords` accounts each receiving rents of differing sizes from `tenants` tenants on
    the 1st, and ordinary one-off payments on other days (days 1-13 and 20-27)."""
    rows = []
    for k in range(landlords):
        for i in range(tenants):
            rows.append(tx(at(hours=i), f"3:T{k}_{i}", f"4:L{k}", 700 + 150 * i))
    rows += [tx(at(days=d), f"5:X{d}", f"6:Y{d}", 80) for d in [*range(1, 14), *range(20, 28)]]
    return rows


def test_fan_in_is_silent_for_landlords_on_rent_day(tmp_path: Path) -> None:
    # Ten accounts hearing from six one-off payers each on the same day (and nobody doing so on
    # the other days) is a collection day: a rent day the file shows only once. A real burst
    # into one account on another day still fires.
    rule = RULES["FAN_IN"]
    sink = [tx(at(days=15, hours=i * 3), f"7:P{i}", "8:SINK", a) for i, a in enumerate(BURST)]
    alerts = fan(frame(tmp_path, rent_day(10) + sink), rule, "in")
    assert [a["primary"] for a in alerts] == ["8:SINK"]


def test_fan_in_collection_day_needs_enough_accounts(tmp_path: Path) -> None:
    # Nine landlords on one day (below collection_day_min_accounts 10) are bursts, and fire.
    rule = RULES["FAN_IN"]
    assert rule.params["collection_day_min_accounts"] == 10
    alerts = fan(frame(tmp_path, rent_day(9)), rule, "in")
    assert len(alerts) == 9
    relaxed = replace(rule, params={**rule.params, "collection_day_min_accounts": 9})
    assert fan(frame(tmp_path, rent_day(9)), relaxed, "in") == []


def shops_paid(customers_each: int) -> list[dict[str, object]]:
    """A person paying five shops for the first time within two days; each shop also takes
    payments from `customers_each` other customers over the month."""
    rows = [tx(at(hours=i * 9), "1:PERSON", f"2:SHOP{i}", a) for i, a in enumerate(BURST)]
    for i in range(5):
        rows += [tx(at(days=3 + c), f"9:C{i}_{c}", f"2:SHOP{i}", 25) for c in range(customers_each)]
    return rows


def test_fan_out_is_silent_for_a_person_paying_shops(tmp_path: Path) -> None:
    # Shops dealing with 7 counterparties, more than 6 x the usual account's 1, are everyday
    # payees (busy_counterparty_factor); with 6 counterparties each they are not busy.
    rule = RULES["FAN_OUT"]
    assert rule.params["busy_counterparty_factor"] == 6
    assert fan(frame(tmp_path, shops_paid(6)), rule, "out") == []
    alerts = fan(frame(tmp_path, shops_paid(5)), rule, "out")
    assert [a["primary"] for a in alerts] == ["1:PERSON"]


def usual_newcomers(others: int) -> list[dict[str, object]]:
    """A burst of five new payers on days 12-13, and `others` one-off payers on other days
    between day 0 and day 27 (the account's usual rate of new counterparties)."""
    days = [0, 27, 3, 24, 6, 20, 9, 17, 26][:others]  # the first two fix the 28-day span
    rows = [tx(at(days=12, hours=i * 6), f"3:B{i}", "4:SINK", a) for i, a in enumerate(BURST)]
    return rows + [tx(at(days=d), f"5:O{d}", "4:SINK", 300) for d in days]


def test_fan_in_is_silent_for_a_burst_the_account_sees_by_chance(tmp_path: Path) -> None:
    # Nine newcomers over the other 24 days: 1.5 per 4-day window, so five in one window has a
    # chance of about 0.02 (> max_chance 0.003) and is not unusual for this account; with four
    # (0.7 per window, chance 0.0006) it is.
    rule = RULES["FAN_IN"]
    assert fan(frame(tmp_path, usual_newcomers(9)), rule, "in") == []
    alerts = fan(frame(tmp_path, usual_newcomers(4)), rule, "in")
    assert len(alerts) == 1
    assert alerts[0]["metrics"]["chance_at_usual_rate"] <= rule.params["max_chance"]
    loose = replace(rule, params={**rule.params, "max_chance": 0.05})
    assert len(fan(frame(tmp_path, usual_newcomers(9)), loose, "in")) == 1


def test_neighbour_gap_matches_the_per_group_shift() -> None:
    rows = pl.DataFrame(
        {
            "hub": ["a", "a", "a", "a", "b", "b", "c", "c"],
            "win": [1, 1, 1, 2, 1, 1, 1, 1],
            "v": [1.0, 1.5, 4.0, 2.0, 3.0, 3.0, 7.0, 9.5],
        }
    ).sort("hub", "win", "v")
    per_group = rows.select(
        gap=pl.min_horizontal(
            pl.col("v") - pl.col("v").shift(1).over("hub", "win"),
            pl.col("v").shift(-1).over("hub", "win") - pl.col("v"),
        )
    )["gap"]
    fast = rows.select(gap=neighbour_gap(pl.col("v"), "hub", "win"))["gap"]
    assert_series_equal(fast, per_group)
    assert fast.to_list() == [0.5, 0.5, 2.5, None, 0.0, 0.0, 2.5, 2.5]


def test_pair_figures_sum_up_each_payer_payee_link_once_per_frame(tmp_path: Path) -> None:
    """One row per external link (self-transfers left out), its first and last payment, total
    and count; the rules reading it get the same frame back, not a second group-by."""
    rows = [
        tx(at(), "1:A", "2:B", 100.10),
        tx(at(days=2), "1:A", "2:B", 50.25),
        tx(at(days=1), "2:B", "1:A", 30),
        tx(at(days=1), "1:A", "1:A", 999),
    ]
    df = frame(tmp_path, rows)
    pairs = pair_figures(df)
    assert pair_figures(df) is pairs
    got = pairs.with_columns(pl.col("payer", "payee").cast(pl.String)).sort("payer").to_dicts()
    assert got == [
        {
            "payer": "1:A",
            "payee": "2:B",
            "first": at(),
            "last": at(days=2),
            "total_gbp": 150.35,
            "payments": 2,
        },
        {
            "payer": "2:B",
            "payee": "1:A",
            "first": at(days=1),
            "last": at(days=1),
            "total_gbp": 30.0,
            "payments": 1,
        },
    ]
