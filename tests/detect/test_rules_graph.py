"""FAN_IN, FAN_OUT and CYCLE: fire on the pattern, stay silent on look-alikes and past bounds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from txbuild import at, frame, tx

from finflow.detect.cycles import cycles
from finflow.detect.graph import fan
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
