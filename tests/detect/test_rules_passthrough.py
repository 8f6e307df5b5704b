"""OIC_PASS_THROUGH: credits passed on, not swamped by the account's own spending.

The rule's other tests (share left, 48 hours, balance, days, returns to payers) are in
test_rules_smuggling.py."""

from __future__ import annotations

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
