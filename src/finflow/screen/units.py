"""Comparison units of a name: each token, and each pair of neighbouring tokens run together.

The pairs catch names written as one word or two (``Abdul Rahman`` / ``Abdulrahman``,
``al Hassan`` / ``Alhassan``, ``Xiao Ming`` / ``Xiaoming``). A unit carries a bit mask of the
token positions it covers, so an alignment never uses a token twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from finflow.screen.normalise import WEIGHT_INITIAL, WEIGHT_TOKEN, NormalName


@dataclass(frozen=True, slots=True)
class Unit:
    text: str
    mask: int
    weight: float
    strong: bool  # covers at least one strong token
    compound: bool
    significant: bool = False  # a single strong token or an initial


def units(name: NormalName) -> tuple[Unit, ...]:
    """Tokens, then adjacent pairs of tokens of two letters or more."""
    out = [
        Unit(t, 1 << i, w, w == WEIGHT_TOKEN, False, w in (WEIGHT_TOKEN, WEIGHT_INITIAL))
        for i, (t, w) in enumerate(zip(name.tokens, name.weights, strict=True))
    ]
    for i in range(len(name.tokens) - 1):
        a, b = name.tokens[i], name.tokens[i + 1]
        wa, wb = name.weights[i], name.weights[i + 1]
        if WEIGHT_INITIAL in (wa, wb):
            continue
        out.append(Unit(a + b, 0b11 << i, wa + wb, WEIGHT_TOKEN in (wa, wb), True))
    return tuple(out)
