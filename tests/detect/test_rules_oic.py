"""OIC_MSB_NEXUS, OIC_ROUND_CROSS_BORDER, OIC_ESCROW, OIC_HAWALA_PROFILE, OIC_CASH_TO_CORRIDOR:
minimal positives, nearest look-alikes, threshold boundaries, corridor weight never alone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from txbuild import at, frame, tx

from finflow.detect import oic
from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules

RULES = load_rules(known=set(DETECTORS)).rules
MSB = {"7": "UK Money Transfer #1"}


def test_msb_nexus_fires_on_four_material_payments_to_a_money_transfer_firm(
    tmp_path: Path,
) -> None:
    paid = [(0, 1000), (2, 2500), (9, 1500), (20, 3000)]  # varying sums, irregular days
    rows = [tx(at(days=d), "1:C", "7:MT", a, channel="cash") for d, a in paid]
    alerts = oic.msb_nexus(frame(tmp_path, rows, MSB), RULES["OIC_MSB_NEXUS"])
    assert [a["primary"] for a in alerts] == ["1:C"]
    assert alerts[0]["metrics"]["round_sum_share"] == 1.0
    assert alerts[0]["weight"] == RULES["OIC_MSB_NEXUS"].weight * 1.5  # round sums


def test_msb_nexus_bounds_and_look_alikes(tmp_path: Path) -> None:
    rule = RULES["OIC_MSB_NEXUS"]
    three = [tx(at(days=i * 6), "1:C", "7:MT", 1500) for i in range(3)]
    assert oic.msb_nexus(frame(tmp_path, three, MSB), rule) == []
    # weekly family remittances of a few hundred pounds: below the material total
    small = [tx(at(days=i * 7), "1:C", "7:MT", 180) for i in range(4)]
    assert oic.msb_nexus(frame(tmp_path, small, MSB), rule) == []
    # the same payments to an ordinary bank are not MSB use
    assert oic.msb_nexus(frame(tmp_path, [*three, tx(at(days=20), "1:C", "7:MT", 999)]), rule) == []
    # window edge: the 4th payment 30 days after the 1st falls outside the 30-day window
    spread = [
        tx(at(days=d), "1:C", "7:MT", a) for d, a in [(0, 900), (10, 1800), (21, 1200), (30, 2500)]
    ]
    assert oic.msb_nexus(frame(tmp_path, spread, MSB), rule) == []
    spread[-1]["booked_at"] = at(days=29, hours=14)
    assert len(oic.msb_nexus(frame(tmp_path, spread, MSB), rule)) == 1


def round_abroad(amounts: list[float], payees: int = 2) -> list[dict[str, object]]:
    """Transfers abroad every 3 days, to `payees` accounts in turn."""
    return [
        tx(at(days=3 * i), "1:S", f"8:F{i % payees}", a, received_in="EUR")
        for i, a in enumerate(amounts)
    ]


def test_round_cross_border_fires_and_bounds(tmp_path: Path) -> None:
    rule = RULES["OIC_ROUND_CROSS_BORDER"]
    alerts = oic.round_cross_border(frame(tmp_path, round_abroad([1000, 2500, 3000])), rule)
    assert [a["primary"] for a in alerts] == ["1:S"]
    assert oic.round_cross_border(frame(tmp_path, round_abroad([1000, 2500])), rule) == []
    # 999.99 is below the material size; 2,550 is not a multiple of 500
    assert oic.round_cross_border(frame(tmp_path, round_abroad([1000, 2550, 3000])), rule) == []
    # domestic round payments (no change of currency, no MSB) are not abroad
    domestic = [tx(at(days=3 * i), "1:S", f"8:F{i}", 1000) for i in range(3)]
    assert oic.round_cross_border(frame(tmp_path, domestic), rule) == []


def test_round_cross_border_is_silent_for_an_importer_paying_invoices(tmp_path: Path) -> None:
    # three round sums among many exact invoice amounts abroad: not the account's habit
    rows = round_abroad([1000, 2500, 3000, 1234.56, 2871.1, 4410.35])
    assert oic.round_cross_border(frame(tmp_path, rows), RULES["OIC_ROUND_CROSS_BORDER"]) == []


def test_round_cross_border_is_silent_for_one_off_purchases_abroad(tmp_path: Path) -> None:
    # Round sums to three different accounts abroad (a deposit on a flat, a car, school fees)
    # are one-off purchases; repeated transfers to one counterpart are a relationship.
    rule = RULES["OIC_ROUND_CROSS_BORDER"]
    assert oic.round_cross_border(frame(tmp_path, round_abroad([1000, 2500, 3000], 3)), rule) == []
    alerts = oic.round_cross_border(frame(tmp_path, round_abroad([1000, 2500, 3000], 2)), rule)
    assert alerts[0]["metrics"]["most_to_one_payee"] == 2
    # boundary: with min_transfers_to_one_payee 3, two to one payee is not enough
    strict = replace(rule, params={**rule.params, "min_transfers_to_one_payee": 3})
    assert (
        oic.round_cross_border(frame(tmp_path, round_abroad([1000, 2500, 3000], 2)), strict) == []
    )
    assert (
        len(oic.round_cross_border(frame(tmp_path, round_abroad([1000, 2500, 3000], 1)), strict))
        == 1
    )


def test_corridor_country_adds_weight_but_never_fires_alone(tmp_path: Path) -> None:
    rule = RULES["OIC_ROUND_CROSS_BORDER"]
    to_iraq = [
        tx(at(days=3 * i), "HSBCGB2L:GB29NWBK60161331926819", f"RAFBIQBA:IQ{i % 2}", a)
        for i, a in enumerate([1000, 2500, 3000])
    ]
    alerts = oic.round_cross_border(frame(tmp_path, to_iraq), rule)
    assert alerts[0]["metrics"]["corridor_countries"] == ["IQ"]
    assert alerts[0]["weight"] == rule.weight * 1.5
    # the same country with no behavioural pattern (two transfers, not round) fires nothing
    few = [tx(at(days=3 * i), "HSBCGB2L:GB1", f"RAFBIQBA:IQ{i}", 1234.5) for i in range(2)]
    assert oic.round_cross_border(frame(tmp_path, few), rule) == []


def deposits(payers: int, first: float = 800, second: float = 2200, gap: float = 10) -> list:  # type: ignore[type-arg]
    rows = []
    for i in range(payers):
        rows.append(tx(at(days=i), f"5:P{i}", "6:AGENT", first))
        rows.append(tx(at(days=i + gap), f"5:P{i}", "6:AGENT", second))
    return rows


def test_escrow_fires_on_deposit_then_balance_from_two_payers(tmp_path: Path) -> None:
    alerts = oic.escrow(frame(tmp_path, deposits(2)), RULES["OIC_ESCROW"])
    assert [a["primary"] for a in alerts] == ["6:AGENT"]
    assert len(alerts[0]["evidence_txn_ids"]) == 4


def test_escrow_is_silent_for_equal_rent_payments_and_checks_bounds(tmp_path: Path) -> None:
    rule = RULES["OIC_ESCROW"]
    assert oic.escrow(frame(tmp_path, deposits(3, 1100, 1100, 30)), rule) == []  # rent
    assert oic.escrow(frame(tmp_path, deposits(1)), rule) == []  # one payer
    assert len(oic.escrow(frame(tmp_path, deposits(2, gap=5)), rule)) == 1
    assert oic.escrow(frame(tmp_path, deposits(2, gap=4.9)), rule) == []
    assert len(oic.escrow(frame(tmp_path, deposits(2, gap=45)), rule)) == 1
    assert oic.escrow(frame(tmp_path, deposits(2, gap=45.1)), rule) == []
    # total 999 is below the crossing-price band
    assert oic.escrow(frame(tmp_path, deposits(2, 300, 699)), rule) == []
    # a supplier whose other customers outnumber those paying twice
    rows = deposits(2) + [tx(at(days=i), f"9:C{i}", "6:AGENT", 500) for i in range(5)]
    assert oic.escrow(frame(tmp_path, rows), rule) == []  # 2 of 7 payers: below 30%
    assert len(oic.escrow(frame(tmp_path, rows[:-1]), rule)) == 1  # 2 of 6: a third
    # a token first payment (under 10% of the total) is not a deposit
    assert oic.escrow(frame(tmp_path, deposits(2, 290, 2710)), rule) == []
    assert len(oic.escrow(frame(tmp_path, deposits(2, 300, 2700)), rule)) == 1


def test_escrow_counts_only_payers_paying_exactly_twice(tmp_path: Path) -> None:
    rule = RULES["OIC_ESCROW"]
    thrice = [tx(at(days=k * 10), "5:P9", "6:AGENT", 800 + 700 * k) for k in range(3)]
    assert oic.escrow(frame(tmp_path, deposits(1) + thrice), rule) == []
    alerts = oic.escrow(frame(tmp_path, deposits(2) + thrice), rule)
    assert alerts[0]["accounts"] == ["5:P0", "5:P1", "6:AGENT"]
    assert len(alerts[0]["evidence_txn_ids"]) == 4
    # ...while still one of the agent's payers: 2 of 7 is below the share
    others = [tx(at(days=i), f"9:C{i}", "6:AGENT", 500) for i in range(4)]
    assert oic.escrow(frame(tmp_path, deposits(2) + thrice + others), rule) == []


def hawala(
    n_payers: int = 20, ratio: float = 0.95, channel: str = "cash", amount: float = 300
) -> list:  # type: ignore[type-arg]
    rows = [
        tx(at(days=i % 25, hours=i % 7), f"2:P{i % n_payers}", "3:SHOP", amount, channel=channel)
        for i in range(30)
    ]
    rows.append(tx(at(days=26), "3:SHOP", "4:DUBAI", 30 * amount * ratio, received_in="USD"))
    return rows


def test_hawala_profile_fires_and_bounds(tmp_path: Path) -> None:
    rule = RULES["OIC_HAWALA_PROFILE"]
    alerts = oic.hawala_profile(frame(tmp_path, hawala()), rule)
    assert [a["primary"] for a in alerts] == ["3:SHOP"]
    assert alerts[0]["metrics"]["out_in_ratio"] == 0.95
    assert oic.hawala_profile(frame(tmp_path, hawala(n_payers=19)), rule) == []
    assert oic.hawala_profile(frame(tmp_path, hawala(ratio=0.79)), rule) == []
    assert oic.hawala_profile(frame(tmp_path, hawala(ratio=1.06)), rule) == []


def test_hawala_profile_is_silent_for_an_importer_paid_thousands_by_its_customers(
    tmp_path: Path,
) -> None:
    # Thirty customer payments of 3,000 settled with a supplier abroad: trade, not many small
    # remittances. Boundary: a median credit of 1,000 is still remittance size; 1,000.01 is not.
    rule = RULES["OIC_HAWALA_PROFILE"]
    assert oic.hawala_profile(frame(tmp_path, hawala(amount=3000)), rule) == []
    assert len(oic.hawala_profile(frame(tmp_path, hawala(amount=1000)), rule)) == 1
    assert oic.hawala_profile(frame(tmp_path, hawala(amount=1000.01)), rule) == []


def test_hawala_profile_is_silent_for_a_shop_taking_card_sales(tmp_path: Path) -> None:
    rows = hawala(channel="card")
    assert oic.hawala_profile(frame(tmp_path, rows), RULES["OIC_HAWALA_PROFILE"]) == []


def cash_then(out: float, to: str = "7:MT", hours: float = 24) -> list:  # type: ignore[type-arg]
    rows = [tx(at(days=i), f"2:P{i}", "1:ACC", 1000, channel="cash") for i in range(3)]
    rows.append(tx(at(days=2, hours=hours), "1:ACC", to, out))
    return rows


def test_cash_to_corridor_fires_and_bounds(tmp_path: Path) -> None:
    rule = RULES["OIC_CASH_TO_CORRIDOR"]
    alerts = oic.cash_to_corridor(frame(tmp_path, cash_then(2100), MSB), rule)
    assert [a["primary"] for a in alerts] == ["1:ACC"]
    assert alerts[0]["metrics"]["onward_share"] == 0.7
    assert oic.cash_to_corridor(frame(tmp_path, cash_then(2090), MSB), rule) == []
    assert len(oic.cash_to_corridor(frame(tmp_path, cash_then(2500, hours=72), MSB), rule)) == 1
    assert oic.cash_to_corridor(frame(tmp_path, cash_then(2500, hours=73), MSB), rule) == []


def test_cash_to_corridor_is_silent_for_one_sum_of_cash_sent_home(tmp_path: Path) -> None:
    # A car sold for 5,000 in cash, paid in and sent to family abroad: one cash credit is a
    # private sale, not cash gathered. Two deposits making the same sum are (min_cash_credits).
    rule = RULES["OIC_CASH_TO_CORRIDOR"]
    sale = [
        tx(at(), "2:BUYER", "1:ACC", 5000, channel="cash"),
        tx(at(days=1), "1:ACC", "7:MT", 4800),
    ]
    assert oic.cash_to_corridor(frame(tmp_path, sale, MSB), rule) == []
    two = [
        tx(at(), "2:P0", "1:ACC", 2500, channel="cash"),
        tx(at(hours=5), "2:P1", "1:ACC", 2500, channel="cash"),
        tx(at(days=1), "1:ACC", "7:MT", 4800),
    ]
    assert len(oic.cash_to_corridor(frame(tmp_path, two, MSB), rule)) == 1


def test_cash_to_corridor_is_silent_for_a_shop_banking_takings_at_home(tmp_path: Path) -> None:
    rows = cash_then(2500, to="8:WHOLESALER")
    assert oic.cash_to_corridor(frame(tmp_path, rows, MSB), RULES["OIC_CASH_TO_CORRIDOR"]) == []


def test_msb_nexus_is_silent_for_a_standing_weekly_remittance(tmp_path: Path) -> None:
    # About 800 sent home through a money transfer firm every week: similar sums (variation
    # 0.03) at regular intervals (gaps' variation 0.0) are family support, not a nexus.
    rule = RULES["OIC_MSB_NEXUS"]
    weekly = [tx(at(days=7 * i), "1:C", "7:MT", a) for i, a in enumerate([820, 790, 850, 800])]
    assert oic.msb_nexus(frame(tmp_path, weekly, MSB), rule) == []
    # boundaries: sums that vary more (0.3 > 0.15), or irregular days (gaps' variation 0.61 >
    # 0.25), are not a standing order and fire
    varied = [tx(at(days=7 * i), "1:C", "7:MT", a) for i, a in enumerate([500, 800, 1200, 800])]
    assert len(oic.msb_nexus(frame(tmp_path, varied, MSB), rule)) == 1
    irregular = [tx(at(days=d), "1:C", "7:MT", 800) for d in (0, 2, 10, 13)]
    assert len(oic.msb_nexus(frame(tmp_path, irregular, MSB), rule)) == 1
