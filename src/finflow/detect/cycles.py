"""CYCLE: time-ordered, amount-preserving cycles of 2..k hops inside a window.

Paths grow hop by hop as polars joins (`finflow.detect.paths`); networkx only groups the
cycles found into alerts by shared accounts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import networkx as nx
import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.graph import external_edges
from finflow.detect.paths import extend, first_paths
from finflow.detect.rules import Rule, param
from finflow.errors import ConfigError


def _prune(edges: pl.DataFrame) -> pl.DataFrame:
    """Drop edges touching accounts that cannot be on a cycle (no way in or no way out).

    One pass: repeating it until nothing changes peels a few more chain ends per pass over
    every edge, which costs more than the frontier it saves (the frontier is narrowed by time
    and amount from the first hop).
    """
    has_in = edges.select(pl.col("dst").unique().alias("a"))
    has_out = edges.select(pl.col("src").unique().alias("a"))
    active = has_in.join(has_out, on="a")
    return edges.join(active, left_on="src", right_on="a", how="semi").join(
        active, left_on="dst", right_on="a", how="semi"
    )


def find_cycles(tx: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    """Time-ordered, amount-preserving cycles: one row per cycle with its txn ids and accounts."""
    days = int(param(rule, "window_days"))
    min_hops, max_hops = int(param(rule, "min_hops")), int(param(rule, "max_hops"))
    rmin, rmax = float(param(rule, "min_amount_ratio")), float(param(rule, "max_amount_ratio"))
    cap = int(param(rule, "max_frontier_rows"))
    edges = _prune(
        external_edges(tx)
        .filter(pl.col("amount_gbp") >= float(param(rule, "min_amount_gbp")))
        .select("txn_id", src="payer", dst="payee", t="booked_at", amt="amount_gbp")
        .collect()
    )
    paths = first_paths(edges)
    # The next payment: later, inside the window, about the same amount, and to an account not
    # yet on the path unless it closes the cycle.
    step = (
        (pl.col("e_t") > pl.col("t_last"))
        & (pl.col("e_t") <= pl.col("t0") + pl.duration(days=days))
        & pl.col("e_amt").is_between(pl.col("a_last") * rmin, pl.col("a_last") * rmax)
        & ((pl.col("e_dst") == pl.col("origin")) | ~pl.col("nodes").list.contains(pl.col("e_dst")))
    )
    found: list[pl.DataFrame] = []
    for hops in range(2, max_hops + 1):
        if paths.is_empty():
            break
        grown = extend(paths, edges, step)
        closed = grown.filter(pl.col("cur") == pl.col("origin"))
        if hops >= min_hops and not closed.is_empty():
            found.append(
                closed.select(
                    "origin",
                    "path",
                    nodes=pl.col("nodes").list.head(hops),
                    start="t0",
                    end="t_last",
                    hops=pl.lit(hops),
                )
            )
        paths = grown.filter(pl.col("cur") != pl.col("origin"))
        if paths.height > cap:
            raise ConfigError(
                f"rule CYCLE: {paths.height} open paths at hop {hops} exceed "
                f"max_frontier_rows={cap}; narrow window_days or the amount ratios"
            )
    if not found:
        return pl.DataFrame(
            schema={
                "origin": pl.String,
                "path": pl.List(pl.String),
                "nodes": pl.List(pl.String),
                "start": pl.Datetime("us", "UTC"),
                "end": pl.Datetime("us", "UTC"),
                "hops": pl.Int32,
            }
        )
    return pl.concat(found, how="vertical_relaxed")


def cycles(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """CYCLE alerts: cycles sharing an account are one alert (grouped with networkx)."""
    found = find_cycles(tx, rule)
    graph: nx.Graph[str] = nx.Graph()
    for i, row in enumerate(found.iter_rows(named=True)):
        graph.add_node(f"cycle:{i}")
        for account in row["nodes"]:
            graph.add_edge(f"cycle:{i}", account)
    rows = found.to_dicts()
    alerts = []
    for component in nx.connected_components(graph):
        members = sorted(int(n.split(":")[1]) for n in component if n.startswith("cycle:"))
        parts = [rows[i] for i in members]
        first = min(parts, key=lambda r: (r["start"], r["origin"], r["path"]))
        evidence = sorted({t for r in parts for t in r["path"]})
        accounts = sorted({a for r in parts for a in r["nodes"]})
        alerts.append(
            make_alert(
                rule,
                first["origin"],
                accounts,
                evidence,
                first["start"],
                max(r["end"] for r in parts),
                {
                    "cycles": len(parts),
                    "max_hops": max(r["hops"] for r in parts),
                    "min_hops": min(r["hops"] for r in parts),
                    "window_days": int(param(rule, "window_days")),
                    "elapsed_hours": (first["end"] - first["start"]) / timedelta(hours=1),
                },
            )
        )
    return sorted(alerts, key=lambda a: a["alert_id"])
