"""CHAIN: fires on money passed along strangers, silent on look-alikes and past bounds."""

from __future__ import annotations

from pathlib import Path

from txbuild import at, frame, tx

from finflow.detect.chains import chain
from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules

RULES = load_rules(known=set(DETECTORS)).rules
Rows = list[dict[str, object]]


def walk(payments: int, ratio: float = 0.96, gap_hours: float = 20, start: float = 1000) -> Rows:
    """A -> B -> C -> ... : each account pays the next `gap_hours` after being paid."""
    rows, amount = [], start
    for i in range(payments):
        rows.append(tx(at(hours=i * gap_hours), f"{i}:W{i}", f"{i + 1}:W{i + 1}", amount))
        amount = round(amount * ratio, 2)
    return rows


def test_chain_fires_on_four_payments_passed_along_and_lists_them(tmp_path: Path) -> None:
    alerts = chain(frame(tmp_path, walk(4)), RULES["CHAIN"])
    assert len(alerts) == 1
    assert alerts[0]["primary"] == "0:W0"
    assert alerts[0]["metrics"]["payments"] == 4
    assert len(alerts[0]["evidence_txn_ids"]) == 4
    # a longer chain is one alert led by its longest path, not one per sub-path
    long = chain(frame(tmp_path, walk(7)), RULES["CHAIN"])
    assert len(long) == 1
    assert long[0]["metrics"]["payments"] == 7
    assert len(long[0]["evidence_txn_ids"]) == 7


def test_chain_needs_four_payments(tmp_path: Path) -> None:
    assert chain(frame(tmp_path, walk(3)), RULES["CHAIN"]) == []


def test_chain_amount_ratio_boundaries(tmp_path: Path) -> None:
    rule = RULES["CHAIN"]
    assert len(chain(frame(tmp_path, walk(4, ratio=0.9)), rule)) == 1
    assert chain(frame(tmp_path, walk(4, ratio=0.89)), rule) == []
    # value gained, or the same sum paid on and on (a standing order, a refund): not a chain
    assert chain(frame(tmp_path, walk(4, ratio=1.0)), rule) == []
    assert chain(frame(tmp_path, walk(4, ratio=1.02)), rule) == []


def test_chain_hop_hours_boundary(tmp_path: Path) -> None:
    rule = RULES["CHAIN"]
    assert len(chain(frame(tmp_path, walk(4, gap_hours=96)), rule)) == 1
    assert chain(frame(tmp_path, walk(4, gap_hours=96.5)), rule) == []


def test_chain_is_silent_when_a_link_is_a_regular_contact(tmp_path: Path) -> None:
    # W1 pays W2 every week of the month: that link is an ordinary relationship
    rows = walk(4)
    rows += [tx(at(days=7 * k), "1:W1", "2:W2", 50) for k in (1, 2, 3)]
    assert chain(frame(tmp_path, rows), RULES["CHAIN"]) == []


def test_chain_is_silent_through_a_busy_account(tmp_path: Path) -> None:
    # W2 is a merchant or payment firm with many customers: not a conduit
    rows = walk(4)
    rows += [tx(at(days=1 + k / 10), f"7:C{k}", "2:W2", 20) for k in range(60)]
    assert chain(frame(tmp_path, rows), RULES["CHAIN"]) == []
