"""BIPARTITE: fires on the pattern, silent on look-alikes and past bounds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from txbuild import at, frame, tx

from finflow.detect.layered import _peeled, bipartite
from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules

RULES = load_rules(known=set(DETECTORS)).rules
Rows = list[dict[str, object]]


def many_to_many(payers: int, payees: int, step_hours: float = 3) -> Rows:
    """Every payer pays every payee, one payment each."""
    rows, k = [], 0
    for i in range(payers):
        for j in range(payees):
            rows.append(tx(at(hours=k * step_hours), f"1:P{i}", f"2:Q{j}", 800 + 97 * k))
            k += 1
    return rows


def test_bipartite_fires_on_three_by_three(tmp_path: Path) -> None:
    alerts = bipartite(frame(tmp_path, many_to_many(3, 3)), RULES["BIPARTITE"])
    assert len(alerts) == 1
    assert alerts[0]["metrics"]["payers"] == 3
    assert alerts[0]["metrics"]["payees"] == 3
    assert len(alerts[0]["evidence_txn_ids"]) == 9


def test_bipartite_needs_three_on_each_side(tmp_path: Path) -> None:
    assert bipartite(frame(tmp_path, many_to_many(2, 4)), RULES["BIPARTITE"]) == []
    assert bipartite(frame(tmp_path, many_to_many(4, 2)), RULES["BIPARTITE"]) == []


def ring(step_hours: float) -> Rows:
    """3 payers x 3 payees, each paying exactly two (a six-link ring): no link is spare."""
    links = [(0, 0), (0, 1), (1, 1), (1, 2), (2, 2), (2, 0)]
    return [
        tx(at(hours=k * step_hours), f"1:P{i}", f"2:Q{j}", 800 + 97 * k)
        for k, (i, j) in enumerate(links)
    ]


def test_bipartite_window_boundary(tmp_path: Path) -> None:
    # Windows run 5 days from midnight; the first payment is at 09:00 on day 0, so the last
    # must be booked before midnight ending day 4: 5 x 22 h = 110 h is, 5 x 23 h = 115 h is not.
    assert len(bipartite(frame(tmp_path, ring(22)), RULES["BIPARTITE"])) == 1
    assert bipartite(frame(tmp_path, ring(23)), RULES["BIPARTITE"]) == []


def test_bipartite_is_silent_inside_a_busy_payment_network(tmp_path: Path) -> None:
    rows = many_to_many(3, 3)
    # each account also makes many other payments of its own over the same days
    for i in range(3):
        for k in range(6):
            rows.append(tx(at(hours=2 * k + 1), f"1:P{i}", f"7:X{i}{k}", 300))
            rows.append(tx(at(hours=2 * k + 1), f"8:Y{i}{k}", f"2:Q{i}", 300))
    assert bipartite(frame(tmp_path, rows), RULES["BIPARTITE"]) == []


def test_bipartite_judges_each_group_on_its_own_accounts_busyness(tmp_path: Path) -> None:
    # Two 3 x 3 groups a week apart: the first one's payers are busy with payments of their
    # own over those days, the second one's are not. Only the second is reported.
    busy_group = many_to_many(3, 3)
    quiet_group = [
        tx(
            r["booked_at"] + (at(days=8) - at()),  # type: ignore[operator]
            f"5:R{str(r['payer_account'])[1:]}",
            f"6:S{str(r['payee_account'])[1:]}",
            r["amount_gbp"],  # type: ignore[arg-type]
        )
        for r in many_to_many(3, 3)
    ]
    own = [
        tx(at(hours=2 * k + 1), f"1:P{i}", f"7:X{i}{k}", 300) for i in range(3) for k in range(6)
    ]
    alerts = bipartite(frame(tmp_path, busy_group + quiet_group + own), RULES["BIPARTITE"])
    assert [a["primary"] for a in alerts] == ["5:R0"]


def test_bipartite_peeling_goes_on_until_every_account_keeps_enough_links() -> None:
    # A chain p0-q0, p0-q1, p1-q1, p1-q2, p2-q2 falls apart link by link over three passes
    # (each drop takes a neighbour below two links); the full 2 x 2 block p3/p4-q3/q4 stays.
    payers = np.array([0, 0, 1, 1, 2, 3, 3, 4, 4])
    payees = np.array([0, 1, 1, 2, 2, 3, 4, 3, 4])
    assert _peeled(payers, payees, 2).tolist() == [5, 6, 7, 8]
    assert _peeled(payers, payees, 1).tolist() == list(range(9))
    assert _peeled(payers[:0], payees[:0], 2).tolist() == []
