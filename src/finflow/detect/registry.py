"""Rule id -> the function that evaluates it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from finflow.detect import (
    chains,
    cycles,
    flows,
    followup,
    funnel,
    graph,
    layered,
    narrative,
    oic,
    smuggling,
    stack,
    trafficking,
)
from finflow.detect.rules import Rule

Detector = Callable[[pl.DataFrame, Rule, pl.DataFrame], list[dict[str, Any]]]
FollowUp = Callable[[pl.DataFrame, Rule, list[dict[str, Any]]], list[dict[str, Any]]]

FOLLOW_UPS: dict[str, FollowUp] = {"OIC_CRYPTO_RAMP": followup.crypto_ramp}
"""Rules that read the alerts of the other rules: the runner evaluates them last."""

DETECTORS: dict[str, Detector] = {
    "FAN_OUT": lambda tx, rule, fx: graph.fan(tx, rule, "out"),
    "FAN_IN": lambda tx, rule, fx: graph.fan(tx, rule, "in"),
    "CYCLE": lambda tx, rule, fx: cycles.cycles(tx, rule),
    "SCATTER_GATHER": lambda tx, rule, fx: flows.scatter_gather(tx, rule),
    "GATHER_SCATTER": lambda tx, rule, fx: flows.gather_scatter(tx, rule),
    "STACK": lambda tx, rule, fx: stack.stack(tx, rule),
    "BIPARTITE": lambda tx, rule, fx: layered.bipartite(tx, rule),
    "CHAIN": lambda tx, rule, fx: chains.chain(tx, rule),
    "OIC_CROSSING_FEE": lambda tx, rule, fx: smuggling.crossing_fee(tx, rule),
    "OIC_STRUCTURING": smuggling.structuring,
    "OIC_PASS_THROUGH": lambda tx, rule, fx: smuggling.pass_through(tx, rule),
    "OIC_MSB_NEXUS": lambda tx, rule, fx: oic.msb_nexus(tx, rule),
    "OIC_ROUND_CROSS_BORDER": lambda tx, rule, fx: oic.round_cross_border(tx, rule),
    "OIC_ESCROW": lambda tx, rule, fx: oic.escrow(tx, rule),
    "OIC_HAWALA_PROFILE": lambda tx, rule, fx: oic.hawala_profile(tx, rule),
    "OIC_CASH_TO_CORRIDOR": lambda tx, rule, fx: oic.cash_to_corridor(tx, rule),
    "OIC_FUNNEL": lambda tx, rule, fx: funnel.funnel(tx, rule),
    "OIC_NARRATIVE": lambda tx, rule, fx: narrative.narrative(tx, rule),
    "HT_WAGE_SWEEP": lambda tx, rule, fx: trafficking.wage_sweep(tx, rule),
    "HT_DEBT_BONDAGE": lambda tx, rule, fx: trafficking.debt_bondage(tx, rule),
    "HT_POOLED_REMITTANCE": lambda tx, rule, fx: trafficking.pooled_remittance(tx, rule),
    # Run alone it sees no other alerts; the runner calls it last with everyone else's.
    "OIC_CRYPTO_RAMP": lambda tx, rule, fx: followup.crypto_ramp(tx, rule, []),
}
"""Every rule id a rules file may name. Each detector reads only the detection frame."""
