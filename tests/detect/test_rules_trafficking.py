"""HT_WAGE_SWEEP, HT_DEBT_BONDAGE and HT_POOLED_REMITTANCE against look-alikes and bounds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from txbuild import at, frame, tx

from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules
from finflow.detect.trafficking import debt_bondage, pooled_remittance, sweeps, wage_sweep

RULES = load_rules(known=set(DETECTORS)).rules
Rows = list[dict[str, object]]


def payroll(workers: int, periods: int = 2, pay: float = 1500) -> Rows:
    """An employer paying `workers` (plus four colleagues) every 14 days."""
    rows = []
    for p in range(periods):
        for w in range(workers + 4):
            rows.append(
                tx(at(days=14 * p, hours=w * 0.01), "1:EMPLOYER", f"2:W{w}", pay, channel="ach")
            )
    return rows


def swept(
    workers: int, share: float = 0.9, to: str = "3:BOSS", hours: float = 20, periods: int = 2
) -> Rows:
    rows = payroll(workers, periods)
    for p in range(periods):
        for w in range(workers):
            rows.append(tx(at(days=14 * p, hours=hours), f"2:W{w}", to, 1500 * share))
    return rows


def test_wage_sweep_fires_per_worker_and_weighs_a_shared_payee(tmp_path: Path) -> None:
    rule = RULES["HT_WAGE_SWEEP"]
    alerts = wage_sweep(frame(tmp_path, swept(3)), rule)
    assert sorted(a["primary"] for a in alerts) == ["2:W0", "2:W1", "2:W2"]
    assert all(a["metrics"]["workers_sweeping_to_same_payee"] == 3 for a in alerts)
    assert all(a["weight"] == rule.weight * 2 for a in alerts)
    one = wage_sweep(frame(tmp_path, swept(1)), rule)
    assert len(one) == 1 and one[0]["weight"] == rule.weight


def test_wage_sweep_bounds(tmp_path: Path) -> None:
    rule = RULES["HT_WAGE_SWEEP"]
    assert len(wage_sweep(frame(tmp_path, swept(1, share=0.8)), rule)) == 1
    assert wage_sweep(frame(tmp_path, swept(1, share=0.79)), rule) == []
    assert len(wage_sweep(frame(tmp_path, swept(1, hours=48)), rule)) == 1
    assert wage_sweep(frame(tmp_path, swept(1, hours=49)), rule) == []
    assert wage_sweep(frame(tmp_path, swept(1, periods=1)), rule) == []


def test_wage_sweep_is_silent_for_pay_moved_to_the_workers_own_savings(tmp_path: Path) -> None:
    rows = swept(1, to="2:W0SAVINGS")
    df = frame(tmp_path, rows)
    # the same entity holds both accounts: an internal transfer, as the accounts file says
    df = df.with_columns(
        internal=df["internal"] | ((df["payer"] == "2:W0") & (df["payee"] == "2:W0SAVINGS"))
    )
    assert wage_sweep(df, RULES["HT_WAGE_SWEEP"]) == []


def weekly(payers: int, amount: float = 100, weeks: int = 3, jitter: float = 0.0) -> Rows:
    return [
        tx(at(days=7 * k + 0.1 * i), f"4:P{i}", "5:CONTROLLER", amount * (1 + jitter * (k % 2)))
        for i in range(payers)
        for k in range(weeks)
    ]


def test_debt_bondage_fires_and_bounds(tmp_path: Path) -> None:
    rule = RULES["HT_DEBT_BONDAGE"]
    alerts = debt_bondage(frame(tmp_path, weekly(3)), rule)
    assert [a["primary"] for a in alerts] == ["5:CONTROLLER"]
    assert len(alerts[0]["evidence_txn_ids"]) == 9
    assert debt_bondage(frame(tmp_path, weekly(2)), rule) == []
    assert debt_bondage(frame(tmp_path, weekly(3, weeks=2)), rule) == []
    assert debt_bondage(frame(tmp_path, weekly(3, jitter=1.0)), rule) == []  # not similar


def test_debt_bondage_counts_only_payers_with_enough_payments(tmp_path: Path) -> None:
    rule = RULES["HT_DEBT_BONDAGE"]
    short = [tx(at(days=7 * k + 0.5), "4:SHORT", "5:CONTROLLER", 100) for k in range(2)]
    assert debt_bondage(frame(tmp_path, weekly(2) + short), rule) == []
    alerts = debt_bondage(frame(tmp_path, weekly(3) + short), rule)
    assert [a["accounts"] for a in alerts] == [["4:P0", "4:P1", "4:P2", "5:CONTROLLER"]]
    assert alerts[0]["metrics"]["payers_paying_regularly"] == 3
    assert len(alerts[0]["evidence_txn_ids"]) == 9


def test_debt_bondage_is_silent_for_a_savings_club_and_remittances(tmp_path: Path) -> None:
    rule = RULES["HT_DEBT_BONDAGE"]
    club = [*weekly(3), tx(at(days=20), "5:CONTROLLER", "4:P1", 900)]  # the pot paid out
    assert debt_bondage(frame(tmp_path, club), rule) == []
    abroad = [{**r, "currency_received": "EUR", "amount_received": 115.0} for r in weekly(3)]
    assert debt_bondage(frame(tmp_path, abroad), rule) == []


def test_pooled_remittance_fires_on_swept_wages_sent_abroad(tmp_path: Path) -> None:
    rule = RULES["HT_POOLED_REMITTANCE"]
    rows = swept(3)  # 3 workers x 2 periods x 1,350 = 8,100 pooled
    rows.append(tx(at(days=20), "3:BOSS", "6:ABROAD", 4050, received_in="EUR"))
    alerts = pooled_remittance(frame(tmp_path, rows), rule)
    assert [a["primary"] for a in alerts] == ["3:BOSS"]
    assert alerts[0]["metrics"]["remitted_share"] == 0.5
    rows[-1] = tx(at(days=20), "3:BOSS", "6:ABROAD", 4000, received_in="EUR")
    assert pooled_remittance(frame(tmp_path, rows), rule) == []
    # the same sum paid at home is not remitted
    rows[-1] = tx(at(days=20), "3:BOSS", "6:LANDLORD", 5000)
    assert pooled_remittance(frame(tmp_path, rows), rule) == []


def test_debt_bondage_is_silent_for_a_merchants_regular_customers(tmp_path: Path) -> None:
    # Three regulars buying by card every week at a cafe that also serves other customers: the
    # payee deals with more than 6 x as many counterparties as the usual account (1 here).
    rule = RULES["HT_DEBT_BONDAGE"]
    regulars = [{**r, "channel": "card"} for r in weekly(3)]
    others = [tx(at(days=i), f"6:C{i}", "5:CONTROLLER", 12, channel="card") for i in range(4)]
    assert debt_bondage(frame(tmp_path, regulars + others), rule) == []  # 7 partners > 6
    assert len(debt_bondage(frame(tmp_path, regulars + others[:3]), rule)) == 1  # 6: not busy


def test_debt_bondage_is_silent_for_a_supplier_paid_weekly_by_shops(tmp_path: Path) -> None:
    # The payers are shops taking money from many customers each: trade, not workers' debts.
    rule = RULES["HT_DEBT_BONDAGE"]
    rows = weekly(3, amount=800)
    for i in range(3):
        rows += [tx(at(days=d), f"7:C{i}_{d}", f"4:P{i}", 20, channel="card") for d in range(8)]
    assert debt_bondage(frame(tmp_path, rows), rule) == []


def test_sweeps_are_shared_by_rules_with_the_same_sweep_parameters(tmp_path: Path) -> None:
    df = frame(tmp_path, swept(3, hours=30))
    wage, pooled = RULES["HT_WAGE_SWEEP"], RULES["HT_POOLED_REMITTANCE"]
    assert sweeps(df, wage) is sweeps(df, pooled)
    assert sweeps(df, wage).height == 3
    sooner = replace(wage, params={**wage.params, "sweep_hours": 24})
    assert sweeps(df, sooner).is_empty()  # its own sweeps: swept after 30 h, not within 24
    assert sweeps(frame(tmp_path, swept(2, hours=30)), wage).height == 2  # a new frame
