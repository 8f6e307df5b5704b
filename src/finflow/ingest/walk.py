"""Running-balance walk of a statement export: previous balance +/- amount = stated balance."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

Step = tuple[int, Decimal, Decimal, Decimal]
"""(1-based row, signed flow (+ in / - out), stated balance after the row, fee charged)."""


def balance_breaks(steps: list[Step]) -> list[dict[str, Any]]:
    """The rows of `steps` (in the order given) whose stated balance is not the previous one
    plus the row's flow less its fee."""
    found = []
    for (_, _, before, _), (row, flow, stated, fee) in itertools.pairwise(steps):
        expected = before + flow - fee
        if expected != stated:
            found.append({"row": row, "expected": float(expected), "stated": float(stated)})
    return found


def walk_balances(steps: list[Step]) -> dict[str, Any]:
    """Walk the rows that state a balance, in file order or reversed (newest-first exports).

    The order with fewer breaks is taken (file order on a tie). A break names the row whose
    stated balance differs from the previous balance plus its amount; rows are never rejected
    for it. ``reconciles`` is None when fewer than two rows state a balance.
    """
    if len(steps) < 2:
        return {"rows_walked": len(steps), "order": None, "breaks": [], "reconciles": None}
    forward = balance_breaks(steps)
    backward = balance_breaks(steps[::-1])
    order, breaks = ("oldest_first", forward)
    if len(backward) < len(forward):
        order, breaks = ("newest_first", sorted(backward, key=lambda b: b["row"]))
    return {
        "rows_walked": len(steps),
        "order": order,
        "breaks": breaks,
        "reconciles": not breaks,
    }
