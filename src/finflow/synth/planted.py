"""How many attempts of each type to plant, and planting them.

The planted share of rows aims at about 0.2% (AMLworld HI-Small has 0.10%), split evenly
across the types. Each type gets a floor of attempts (three from 18,000 rows up, fewer
below) so that small test sets still contain every type; at those sizes the floor, not the
share, decides, and the planted share is higher (about 1.7% at 20,000 rows).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from finflow.synth import oic, patterns, typologies
from finflow.synth import rows as R
from finflow.synth.attempt import Attempt, Context
from finflow.synth.population import Population
from finflow.synth.roles import Roles

log = logging.getLogger(__name__)

TARGET_SHARE = 0.002

BUILDERS: dict[str, tuple[Callable[[Context], Attempt], float]] = {
    "FAN-OUT": (patterns.fan_out, 10.5),
    "FAN-IN": (patterns.fan_in, 10.5),
    "CYCLE": (patterns.cycle, 6.0),
    "GATHER-SCATTER": (patterns.gather_scatter, 14.0),
    "SCATTER-GATHER": (patterns.scatter_gather, 11.0),
    "STACK": (patterns.stack, 17.0),
    "BIPARTITE": (patterns.bipartite, 13.0),
    "RANDOM": (patterns.random_walk, 5.5),
    "OIC-CROSSING-FEE": (oic.crossing_fee, 14.5),
    "OIC-STRUCTURING": (oic.structuring, 4.5),
    "OIC-PASS-THROUGH": (oic.pass_through, 9.0),
    "OIC-MSB-NEXUS": (typologies.msb_nexus, 6.0),
    "OIC-ROUND-CROSS-BORDER": (typologies.round_cross_border, 4.5),
    "OIC-ESCROW": (typologies.escrow, 7.0),
    "OIC-HAWALA": (typologies.hawala, 47.0),
    "OIC-CASH-TO-CORRIDOR": (typologies.cash_to_corridor, 5.5),
    "HT-WAGE-SWEEP": (typologies.wage_sweep, 21.0),
    "HT-POOLED-REMITTANCE": (typologies.pooled_remittance, 22.5),
    "HT-DEBT-BONDAGE": (typologies.debt_bondage, 14.0),
}
"""Patterns.txt type -> (builder, mean rows per attempt)."""

TYPES = tuple(BUILDERS)
"""Every type written to Patterns.txt, AMLworld's first, then finflow's OIC types."""


def attempt_counts(rows: int) -> dict[str, int]:
    """Attempts per type for a file of `rows` rows."""
    floor = int(np.clip(rows // 6000, 1, 3))
    per_type_rows = rows * TARGET_SHARE / len(BUILDERS)
    return {kind: max(floor, round(per_type_rows / mean)) for kind, (_, mean) in BUILDERS.items()}


def plant(
    rng: np.random.Generator, pop: Population, roles: Roles, rows: int, days: int
) -> tuple[R.Rows, list[Attempt]]:
    """All planted attempts, interleaved by type, with attempt ids 0..n-1."""
    counts = attempt_counts(rows)
    order = np.concatenate([np.full(n, i) for i, n in enumerate(counts.values())])
    order = rng.permutation(order)
    ctx = Context(rng=rng, pop=pop, roles=roles, days=days)
    attempts: list[Attempt] = []
    for attempt_id, type_index in enumerate(order):
        ctx.attempt = attempt_id
        builder, _ = BUILDERS[TYPES[int(type_index)]]
        attempts.append(builder(ctx))
    planted = R.concat([a.rows for a in attempts])
    log.debug("planted %d attempts, %d rows", len(attempts), len(planted))
    return planted, attempts
