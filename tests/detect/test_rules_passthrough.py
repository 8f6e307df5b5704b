"""OIC_PASS_THROUGH: credits passed on, not swamped by the account's own spending.

The rule's other tests (share left, 48 hours, balance, days, returns to payers) are in
test_rules_smuggling.py."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from txbuild import at, frame, tx

from finflow.detect.passthrough import pass_through
from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules

RULES = load_rules(known=set(DETECTORS)).rules
Rows = list[dict[str, object]]


def mule(own_spending: float = 0.0, batch: bool = False) -> Rows:
    """Four rounds of 3,000 in and 2,850 out six hours later. `own_spending`: in each round the
    account also pays a shop that much, from three small credits of its own (350 each, below
    the credits that count) paid in just before. `batch`: each round's credit arrives in two
    parts."""
    rows: Rows = []
    for i in range(4):
        if batch:
            rows.append(tx(at(days=i * 3), f"1:IN{i}", "2:MULE", 1200))
            rows.append(tx(at(days=i * 3, hours=2), f"1:JN{i}", "2:MULE", 1800))
        else:
            rows.append(tx(at(days=i * 3), f"1:IN{i}", "2:MULE", 3000))
        rows.append(tx(at(days=i * 3, hours=6), "2:MULE", f"3:OUT{i}", 2850))
        if own_spending:
            for k in range(3):
                rows.append(tx(at(days=i * 3, hours=7), f"5:FRIEND{i}{k}", "2:MULE", 350))
            rows.append(tx(at(days=i * 3, hours=8), "2:MULE", f"4:SHOP{i}", own_spending))
    return rows


def test_pass_through_fires_on_credits_passed_on(tmp_path: Path) -> None:
    alerts = pass_through(frame(tmp_path, mule()), RULES["OIC_PASS_THROUGH"])
    assert [a["primary"] for a in alerts] == ["2:MULE"]
    assert alerts[0]["metrics"]["paid_out_within_hours_gbp"] == 4 * 2850


def test_pass_through_counts_a_batch_of_credits_paid_on_together(tmp_path: Path) -> None:
    # the balance walk credits only the second part of each batch with the passing; the
    # debits are measured against both parts
    alerts = pass_through(frame(tmp_path, mule(batch=True)), RULES["OIC_PASS_THROUGH"])
    assert [a["primary"] for a in alerts] == ["2:MULE"]


def test_pass_through_is_silent_when_own_spending_swamps_the_credits(tmp_path: Path) -> None:
    # debits in the hours after the credits: 2,850 + 1,050 = 3,900 = 1.30 x 3,000: still
    # passing on; 2,850 + 1,051: the account is spending its own money as well
    rule = RULES["OIC_PASS_THROUGH"]
    assert len(pass_through(frame(tmp_path, mule(own_spending=1050)), rule)) == 1
    assert pass_through(frame(tmp_path, mule(own_spending=1051)), rule) == []


def forwarder(savings: float = 4000.0, payees: tuple[str, ...] = ("BOSS",) * 3) -> Rows:
    """A mule with money of its own: `savings` paid in first and kept, then three rounds of
    3,000 in (from different payers) and 2,850 out six hours later, round i to `payees[i]`; a
    payee written ``A+B`` is paid in two halves, one to each."""
    rows: Rows = [tx(at(), "1:EMPLOYER", "2:MULE", savings)]
    for i, payee in enumerate(payees):
        rows.append(tx(at(days=1 + i * 3), f"1:IN{i}", "2:MULE", 3000))
        parts = payee.split("+")
        for k, part in enumerate(parts):
            rows.append(
                tx(at(days=1 + i * 3, hours=6 + k), "2:MULE", f"3:{part}", 2850 / len(parts))
            )
    return rows


def test_pass_through_fires_on_a_mule_with_savings_forwarding_to_one_account(
    tmp_path: Path,
) -> None:
    rule = RULES["OIC_PASS_THROUGH"]
    alerts = pass_through(frame(tmp_path, forwarder()), rule)
    assert [a["primary"] for a in alerts] == ["2:MULE"]
    metrics = alerts[0]["metrics"]
    # the balance is too large for a plain conduit: only the forwarding lets it through
    assert (
        rule.params["max_balance_to_turnover"]
        < metrics["balance_to_turnover"]
        <= rule.params["forwarder_max_balance_to_turnover"]
    )
    assert metrics["payments_to_largest_payee"] == 3
    assert metrics["largest_payee_gbp"] == 3 * 2850


def test_pass_through_is_silent_when_an_account_with_savings_pays_several_payees(
    tmp_path: Path,
) -> None:
    # the nearest benign look-alike: the same money out, but to the account's own bills
    rows = forwarder(payees=("RENT", "CARD", "SAVINGS"))
    assert pass_through(frame(tmp_path, rows), RULES["OIC_PASS_THROUGH"]) == []


def test_pass_through_forwarder_balance_boundary(tmp_path: Path) -> None:
    rule = RULES["OIC_PASS_THROUGH"]
    tx_frame = frame(tmp_path, forwarder())
    # metrics are rounded to 4 decimals: the limit just above and just below the ratio
    ratio = pass_through(tx_frame, rule)[0]["metrics"]["balance_to_turnover"]
    above = replace(rule, params={**rule.params, "forwarder_max_balance_to_turnover": ratio + 1e-4})
    assert len(pass_through(tx_frame, above)) == 1
    below = replace(rule, params={**rule.params, "forwarder_max_balance_to_turnover": ratio - 1e-4})
    assert pass_through(tx_frame, below) == []
    # far more savings than turnover: an ordinary account, whatever it forwards
    assert pass_through(frame(tmp_path, forwarder(savings=40_000)), rule) == []


def test_pass_through_forwarder_payee_share_boundary(tmp_path: Path) -> None:
    # one round split between the beneficiary and another account: 2 x 2,850 + 1,425 of
    # 8,550 (5/6) went to the largest payee
    rule = RULES["OIC_PASS_THROUGH"]
    tx_frame = frame(tmp_path, forwarder(payees=("BOSS", "BOSS", "BOSS+OTHER")))
    at_limit = replace(rule, params={**rule.params, "forwarder_min_payee_share": 5 / 6 - 1e-9})
    assert len(pass_through(tx_frame, at_limit)) == 1
    assert pass_through(tx_frame, rule) == []


def test_pass_through_forwarder_needs_three_payments_to_the_payee(tmp_path: Path) -> None:
    rule = RULES["OIC_PASS_THROUGH"]
    two = forwarder(payees=("BOSS", "BOSS"))
    assert pass_through(frame(tmp_path, two), rule) == []
    three = forwarder(payees=("BOSS", "BOSS+BOSS"))
    assert [a["primary"] for a in pass_through(frame(tmp_path, three), rule)] == ["2:MULE"]
