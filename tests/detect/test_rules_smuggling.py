"""OIC_CROSSING_FEE, OIC_STRUCTURING and OIC_PASS_THROUGH against look-alikes and bounds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
from txbuild import at, frame, tx

from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules
from finflow.detect.smuggling import crossing_fee, pass_through, structuring
from finflow.ingest.fx import load_fx

RULES = load_rules(known=set(DETECTORS)).rules
FX = load_fx()


def msb_frame(tmp_path: Path, rows: list[dict[str, object]]) -> pl.DataFrame:
    """Bank 7 is a money transfer firm in the accounts reference."""
    return frame(tmp_path, rows, {"7": "UK Money Transfer #1"})


def collector_rows(
    payers: int, amount: float = 2500, onward: float = 0.8
) -> list[dict[str, object]]:
    rows = [tx(at(days=i * 2), f"5:PAYER{i}", "6:COLLECT", amount) for i in range(payers)]
    rows.append(tx(at(days=payers * 2), "6:COLLECT", "7:MSB", amount * payers * onward))
    return rows


def test_crossing_fee_fires_on_many_in_band_payers_sent_on(tmp_path: Path) -> None:
    alerts = crossing_fee(msb_frame(tmp_path, collector_rows(6)), RULES["OIC_CROSSING_FEE"])
    assert [a["primary"] for a in alerts] == ["6:COLLECT"]
    metrics = alerts[0]["metrics"]
    assert metrics["payers_in_band"] == 6
    assert metrics["onward_share"] == 0.8
    assert len(alerts[0]["evidence_txn_ids"]) == 7  # six fees and the onward transfer


def test_crossing_fee_needs_five_payers(tmp_path: Path) -> None:
    assert crossing_fee(msb_frame(tmp_path, collector_rows(4)), RULES["OIC_CROSSING_FEE"]) == []


def test_crossing_fee_is_silent_for_a_landlord_who_keeps_the_rent(tmp_path: Path) -> None:
    rows = collector_rows(6, amount=1200, onward=0.2)
    assert crossing_fee(msb_frame(tmp_path, rows), RULES["OIC_CROSSING_FEE"]) == []


def test_crossing_fee_is_silent_for_a_busy_account_spending_in_small_amounts(
    tmp_path: Path,
) -> None:
    rows = collector_rows(6, onward=0.0)
    rows += [tx(at(days=10, hours=i), "6:COLLECT", f"8:SHOP{i}", 400) for i in range(40)]
    assert crossing_fee(msb_frame(tmp_path, rows), RULES["OIC_CROSSING_FEE"]) == []


def test_crossing_fee_onward_payment_size_boundary(tmp_path: Path) -> None:
    rows = collector_rows(6, onward=0.0)
    rows += [tx(at(days=13, hours=i), "6:COLLECT", "7:MSB", 1000) for i in range(12)]
    assert len(crossing_fee(msb_frame(tmp_path, rows), RULES["OIC_CROSSING_FEE"])) == 1
    for row in rows[-12:]:
        row["amount_paid"] = row["amount_received"] = row["amount_gbp"] = 999.0
    assert crossing_fee(msb_frame(tmp_path, rows), RULES["OIC_CROSSING_FEE"]) == []


def test_crossing_fee_is_silent_for_a_business_paying_out_far_more_than_it_took(
    tmp_path: Path,
) -> None:
    rule = RULES["OIC_CROSSING_FEE"]
    # six fees of 2,500 (15,000): 1.25 x sent on is still a collector, 1.3 x is the business
    assert len(crossing_fee(msb_frame(tmp_path, collector_rows(6, onward=1.25)), rule)) == 1
    assert crossing_fee(msb_frame(tmp_path, collector_rows(6, onward=1.3)), rule) == []


def test_crossing_fee_is_silent_for_a_landlord_paying_the_mortgage_at_home(
    tmp_path: Path,
) -> None:
    rows = collector_rows(6)
    rows[-1]["payee_bank"] = "8"  # an ordinary bank at home: the lender, not a transfer firm
    assert crossing_fee(msb_frame(tmp_path, rows), RULES["OIC_CROSSING_FEE"]) == []
    rows[-1]["currency_received"] = "EUR"  # the same payment abroad counts
    assert len(crossing_fee(msb_frame(tmp_path, rows), RULES["OIC_CROSSING_FEE"])) == 1


def test_crossing_fee_is_silent_when_amounts_are_outside_the_band(tmp_path: Path) -> None:
    rows = collector_rows(8, amount=150)  # card-sized payments to a merchant
    assert crossing_fee(msb_frame(tmp_path, rows), RULES["OIC_CROSSING_FEE"]) == []


def test_crossing_fee_band_edges_are_inclusive(tmp_path: Path) -> None:
    rows = [
        tx(at(days=i), f"5:P{i}", "6:C", a) for i, a in enumerate([1000, 7000, 1000, 7000, 1000])
    ]
    rows.append(tx(at(days=6), "6:C", "7:MSB", 15_000))
    assert len(crossing_fee(msb_frame(tmp_path, rows), RULES["OIC_CROSSING_FEE"])) == 1
    rows[0]["amount_paid"] = rows[0]["amount_received"] = rows[0]["amount_gbp"] = 999.99
    assert crossing_fee(msb_frame(tmp_path, rows), RULES["OIC_CROSSING_FEE"]) == []


def test_structuring_fires_on_three_transfers_just_under_1000_eur(tmp_path: Path) -> None:
    payees = ["9:R0", "9:R1", "9:R0"]  # linked: two of the three to one beneficiary
    rows = [tx(at(days=i * 2), "8:S", p, 950, currency="EUR") for i, p in enumerate(payees)]
    alerts = structuring(frame(tmp_path, rows), RULES["OIC_STRUCTURING"], FX)
    assert len(alerts) == 1
    assert alerts[0]["metrics"]["threshold"] == "transfer_of_funds_eur_1000"
    assert alerts[0]["metrics"]["most_to_one_payee"] == 2


def test_structuring_is_silent_for_unrelated_payments_of_a_size_to_different_payees(
    tmp_path: Path,
) -> None:
    # Three payments of about 900 in a week to three different people (a deposit, a used car,
    # a holiday) are not linked: no beneficiary received more than one of them.
    rows = [tx(at(days=i * 2), "8:S", f"9:R{i}", a, currency="EUR") for i, a in
            enumerate([910, 955, 880])]  # fmt: skip
    assert structuring(frame(tmp_path, rows), RULES["OIC_STRUCTURING"], FX) == []


def test_structuring_linked_payments_boundary(tmp_path: Path) -> None:
    # With min_payments_to_one_payee 3, two to one payee is not enough; three is.
    rule = RULES["OIC_STRUCTURING"]
    strict = replace(rule, params={**rule.params, "min_payments_to_one_payee": 3})
    two = [tx(at(days=i), "8:S", p, 950, currency="EUR") for i, p in
           enumerate(["9:A", "9:B", "9:A"])]  # fmt: skip
    assert structuring(frame(tmp_path, two), strict, FX) == []
    three = [tx(at(days=i), "8:S", p, 950, currency="EUR") for i, p in
             enumerate(["9:A", "9:B", "9:A", "9:A"])]  # fmt: skip
    assert len(structuring(frame(tmp_path, three), strict, FX)) == 1


def test_structuring_boundaries(tmp_path: Path) -> None:
    # 850 is the lower edge (0.85 x 1000) and counts; 1000 itself is not "just below"
    edge = [tx(at(days=i), "8:S", "9:R", a, currency="EUR") for i, a in enumerate([850, 850, 850])]
    assert len(structuring(frame(tmp_path, edge), RULES["OIC_STRUCTURING"], FX)) == 1
    below = [tx(at(days=i), "8:S", "9:R", a, currency="EUR") for i, a in enumerate([849, 900, 900])]
    assert structuring(frame(tmp_path, below), RULES["OIC_STRUCTURING"], FX) == []
    at_t = [tx(at(days=i), "8:S", "9:R", a, currency="EUR") for i, a in enumerate([1000, 900, 900])]
    assert structuring(frame(tmp_path, at_t), RULES["OIC_STRUCTURING"], FX) == []


def test_structuring_is_silent_for_monthly_remittances(tmp_path: Path) -> None:
    rows = [tx(at(days=i * 9), "8:S", "9:HOME", 950, currency="EUR") for i in range(3)]
    assert structuring(frame(tmp_path, rows), RULES["OIC_STRUCTURING"], FX) == []


def test_structuring_cash_threshold_only_counts_cash(tmp_path: Path) -> None:
    cash = [tx(at(days=i), "8:S", "9:B", 9500, currency="EUR", channel="cash") for i in range(3)]
    alerts = structuring(frame(tmp_path, cash), RULES["OIC_STRUCTURING"], FX)
    assert [a["metrics"]["threshold"] for a in alerts] == ["cash_eur_10000"]


def mule_rows(out_share: float, delay_hours: float = 6) -> list[dict[str, object]]:
    rows = []
    for i in range(4):
        rows.append(tx(at(days=i * 3), f"1:IN{i}", "2:MULE", 3000))
        rows.append(tx(at(days=i * 3, hours=delay_hours), "2:MULE", f"3:OUT{i}", 3000 * out_share))
    return rows


def test_pass_through_fires_when_nearly_everything_leaves_within_48h(tmp_path: Path) -> None:
    alerts = pass_through(frame(tmp_path, mule_rows(0.95)), RULES["OIC_PASS_THROUGH"])
    assert [a["primary"] for a in alerts] == ["2:MULE"]
    assert alerts[0]["metrics"]["credits_passed_through"] == 4
    assert alerts[0]["metrics"]["episodes"] == 4
    assert alerts[0]["metrics"]["balance_to_turnover"] < 0.1
    assert len(alerts[0]["evidence_txn_ids"]) == 8


def test_pass_through_is_silent_below_90_percent(tmp_path: Path) -> None:
    assert pass_through(frame(tmp_path, mule_rows(0.85)), RULES["OIC_PASS_THROUGH"]) == []


def test_pass_through_is_silent_when_money_stays_longer_than_48h(tmp_path: Path) -> None:
    slow = mule_rows(0.95, delay_hours=49)
    assert pass_through(frame(tmp_path, slow), RULES["OIC_PASS_THROUGH"]) == []


def test_pass_through_ignores_sweeps_to_the_holders_own_account(tmp_path: Path) -> None:
    rows = []
    for i in range(4):
        rows.append(tx(at(days=i * 3), f"1:IN{i}", "2:CURRENT", 3000))
        rows.append(tx(at(days=i * 3, hours=2), "2:CURRENT", "2:CURRENT", 2990))
    assert pass_through(frame(tmp_path, rows), RULES["OIC_PASS_THROUGH"]) == []


def test_pass_through_is_silent_when_the_account_holds_a_large_balance(tmp_path: Path) -> None:
    # the same quick in-and-out, on an account sitting on savings: not a conduit
    rows = [tx(at(days=-1), "1:EMPLOYER", "2:MULE", 60_000), *mule_rows(0.95)]
    assert pass_through(frame(tmp_path, rows), RULES["OIC_PASS_THROUGH"]) == []


def test_pass_through_needs_two_different_days(tmp_path: Path) -> None:
    once = [tx(at(hours=i), f"1:IN{i}", "2:MULE", 3000) for i in range(3)]
    once.append(tx(at(hours=10), "2:MULE", "3:OUT", 8900))
    assert pass_through(frame(tmp_path, once), RULES["OIC_PASS_THROUGH"]) == []


def test_pass_through_is_silent_for_a_savings_club_paying_its_pot_to_a_member(
    tmp_path: Path,
) -> None:
    rows = []
    for month in range(2):
        for i in range(5):
            rows.append(tx(at(days=month * 10, hours=i), f"1:M{i}", "2:CLUB", 1000))
        rows.append(tx(at(days=month * 10 + 1), "2:CLUB", f"1:M{month}", 5000))
    assert pass_through(frame(tmp_path, rows), RULES["OIC_PASS_THROUGH"]) == []


def test_structuring_is_silent_for_a_payroll_run_with_a_few_wages_below_the_threshold(
    tmp_path: Path,
) -> None:
    wages = [950, 960, 970, *[1800 + 10 * i for i in range(17)]]
    rows = [
        tx(at(hours=1), "8:EMPLOYER", f"9:E{i}", a, currency="EUR") for i, a in enumerate(wages)
    ]
    assert structuring(frame(tmp_path, rows), RULES["OIC_STRUCTURING"], FX) == []
    # the same three payments on their own, to one payee, are structuring
    alone = [tx(at(hours=1 + i), "8:S", "9:E0", a, currency="EUR") for i, a in enumerate(wages[:3])]
    assert len(structuring(frame(tmp_path, alone), RULES["OIC_STRUCTURING"], FX)) == 1


def test_crossing_fee_is_silent_when_the_pot_goes_back_to_a_payer(tmp_path: Path) -> None:
    rows = [tx(at(days=i), f"5:MEMBER{i}", "6:CLUB", 1200) for i in range(6)]
    rows.append(tx(at(days=7), "6:CLUB", "5:MEMBER2", 7200))  # savings-club pot
    assert crossing_fee(msb_frame(tmp_path, rows), RULES["OIC_CROSSING_FEE"]) == []


def test_crossing_fee_ignores_payers_who_pay_again_and_again(tmp_path: Path) -> None:
    rows = [tx(at(days=7 * w + i), f"5:CUST{i}", "6:SUP", 2500) for w in range(3) for i in range(6)]
    rows.append(tx(at(days=22), "6:SUP", "7:BANK", 40_000))
    assert crossing_fee(msb_frame(tmp_path, rows), RULES["OIC_CROSSING_FEE"]) == []


def test_crossing_fee_needs_most_of_the_money_sent_on(tmp_path: Path) -> None:
    assert (
        crossing_fee(msb_frame(tmp_path, collector_rows(6, onward=0.65)), RULES["OIC_CROSSING_FEE"])
        == []
    )
    assert (
        len(
            crossing_fee(
                msb_frame(tmp_path, collector_rows(6, onward=0.75)), RULES["OIC_CROSSING_FEE"]
            )
        )
        == 1
    )


def test_crossing_fee_is_silent_when_the_money_left_before_the_fees_came_in(
    tmp_path: Path,
) -> None:
    # An importer pays its supplier abroad 15,000 on day 1, then takes six customers' deposits:
    # the payment out was its own money, not the fees sent on.
    rows = [tx(at(days=1), "6:COLLECT", "7:MSB", 15_000)]
    rows += [tx(at(days=2 + i), f"5:PAYER{i}", "6:COLLECT", 2500) for i in range(6)]
    assert crossing_fee(msb_frame(tmp_path, rows), RULES["OIC_CROSSING_FEE"]) == []


def test_crossing_fee_counts_onward_payments_only_up_to_what_had_come_in(
    tmp_path: Path,
) -> None:
    # Fees of 6 x 2,500 = 15,000 (days 0-10). 10,000 sent on day 7 after four fees and 5,000
    # on day 11 are all covered (1.0): fires. 12,000 sent on day 3, after two fees, covers only
    # 5,000 (0.33 < 0.7): silent, although 12,000 is 0.8 of the fees.
    fees = [tx(at(days=i * 2), f"5:PAYER{i}", "6:COLLECT", 2500) for i in range(6)]
    paid = [
        tx(at(days=7), "6:COLLECT", "7:MSB", 10_000),
        tx(at(days=11), "6:COLLECT", "7:MSB", 5000),
    ]
    alerts = crossing_fee(msb_frame(tmp_path, fees + paid), RULES["OIC_CROSSING_FEE"])
    assert len(alerts) == 1
    early = [tx(at(days=3), "6:COLLECT", "7:MSB", 12_000)]
    assert crossing_fee(msb_frame(tmp_path, fees + early), RULES["OIC_CROSSING_FEE"]) == []
    rule = RULES["OIC_CROSSING_FEE"]
    loose = replace(rule, params={**rule.params, "onward_within_collected": False})
    assert len(crossing_fee(msb_frame(tmp_path, fees + early), loose)) == 1
