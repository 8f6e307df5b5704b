"""CYCLE: found among chains that lead into and out of it (one prune pass, then the frontier)."""

from __future__ import annotations

from pathlib import Path

from txbuild import at, frame, tx

from finflow.detect.cycles import cycles
from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules

RULES = load_rules(known=set(DETECTORS)).rules


def test_cycle_is_found_inside_long_chains_and_alone_in_the_evidence(tmp_path: Path) -> None:
    # A -> B -> C -> A, 2% lost a hop, with a ten-account chain paying into A beforehand and
    # another leaving C afterwards (ends that a single prune pass does not peel away)
    rows = [
        tx(at(hours=10), "1:A", "2:B", 5000),
        tx(at(hours=20), "2:B", "3:C", 4900),
        tx(at(hours=30), "3:C", "1:A", 4802),
    ]
    rows += [tx(at(hours=i), f"5:IN{i}", f"5:IN{i + 1}", 900 - i) for i in range(9)]
    rows.append(tx(at(hours=9.5), "5:IN9", "1:A", 880))
    rows.append(tx(at(hours=31), "3:C", "6:OUT0", 700))
    rows += [tx(at(hours=32 + i), f"6:OUT{i}", f"6:OUT{i + 1}", 690 - i) for i in range(9)]
    alerts = cycles(frame(tmp_path, rows), RULES["CYCLE"])
    assert len(alerts) == 1
    assert alerts[0]["accounts"] == ["1:A", "2:B", "3:C"]
    assert len(alerts[0]["evidence_txn_ids"]) == 3


def test_cycle_boundary_of_the_amount_ratio_per_hop(tmp_path: Path) -> None:
    # each hop keeps 70% (the lower bound) of the one before: a cycle; 69%: not
    def ring(keep: float) -> list[dict[str, object]]:
        return [
            tx(at(hours=0), "1:A", "2:B", 10_000),
            tx(at(hours=5), "2:B", "3:C", 10_000 * keep),
            tx(at(hours=10), "3:C", "1:A", 10_000 * keep * keep),
        ]

    assert len(cycles(frame(tmp_path, ring(0.7)), RULES["CYCLE"])) == 1
    assert cycles(frame(tmp_path, ring(0.69)), RULES["CYCLE"]) == []
