"""CHAIN: money passed along a chain of otherwise quiet accounts, a little less at each step.

A random-walk layering path (AMLworld 'random'): each account receives a payment and, within
days, pays nearly all of it (never more) to an account it has no other dealings with, which
does the same. Paths grow hop by hop as polars joins (`finflow.detect.paths`), only over
one-off links between quiet accounts, each hop bounded in time and amount, so the frontier
stays small; overlapping paths are then grouped into one alert per chain.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.flows import quiet_accounts
from finflow.detect.graph import external_edges, pair_figures
from finflow.detect.paths import extend, first_paths
from finflow.detect.rules import Rule, param
from finflow.detect.unionfind import UnionFind
from finflow.errors import ConfigError


def find_chains(tx: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    """Every time-ordered path of at least `min_payments` payments through distinct accounts,
    each payment within `hop_hours` after the one before and `min_amount_ratio`..1 (exclusive)
    of it: one row per path with its txn ids, accounts and times."""
    hop = pl.duration(hours=int(param(rule, "hop_hours")))
    rmin = float(param(rule, "min_amount_ratio"))
    min_len, max_len = int(param(rule, "min_payments")), int(param(rule, "max_payments"))
    cap = int(param(rule, "max_frontier_rows"))
    quiet = quiet_accounts(tx, int(param(rule, "max_account_payments")))
    # one-off links judged on all the pair's payments, small ones included
    one_off = (
        pair_figures(tx)
        .lazy()
        .filter(
            pl.col("last") - pl.col("first") < pl.duration(days=int(param(rule, "one_off_days")))
        )
    )
    edges = (
        external_edges(tx)
        .filter(pl.col("amount_gbp") >= float(param(rule, "min_amount_gbp")))
        .join(quiet, left_on="payer", right_on="account", how="semi")
        .join(quiet, left_on="payee", right_on="account", how="semi")
        .join(one_off, on=["payer", "payee"], how="semi")
        .select("txn_id", src="payer", dst="payee", t="booked_at", amt="amount_gbp")
        .collect()
    )
    paths = first_paths(edges)
    # The next payment: within hop_hours after the last, min_amount_ratio..1 (exclusive) of
    # it, to an account not yet on the path.
    step = (
        (pl.col("e_t") > pl.col("t_last"))
        & (pl.col("e_t") <= pl.col("t_last") + hop)
        & (pl.col("e_amt") >= pl.col("a_last") * rmin)
        & (pl.col("e_amt") < pl.col("a_last"))
        & ~pl.col("nodes").list.contains(pl.col("e_dst"))
    )
    found: list[pl.DataFrame] = []
    for length in range(2, max_len + 1):
        if paths.is_empty():
            break
        paths = extend(paths, edges, step)
        if paths.height > cap:
            raise ConfigError(
                f"rule CHAIN: {paths.height} open paths at {length} payments exceed "
                f"max_frontier_rows={cap}; narrow hop_hours or min_amount_ratio"
            )
        if length >= min_len and not paths.is_empty():
            found.append(
                paths.select("origin", "path", "nodes", "a0", "a_last", start="t0", end="t_last")
            )
    if not found:
        return pl.DataFrame(
            schema={
                "origin": pl.String,
                "path": pl.List(pl.String),
                "nodes": pl.List(pl.String),
                "a0": pl.Float64,
                "a_last": pl.Float64,
                "start": pl.Datetime("us", "UTC"),
                "end": pl.Datetime("us", "UTC"),
            }
        )
    return pl.concat(found)


def chain(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """CHAIN alerts: paths sharing a payment are one chain (a long chain contains shorter
    ones); the alert is led by its longest path."""
    paths = find_chains(tx, rule).to_dicts()
    groups = UnionFind()
    for p in paths:
        for t in p["path"][1:]:
            groups.join(p["path"][0], t)
    by_group: dict[str, list[dict[str, Any]]] = {}
    for p in paths:
        by_group.setdefault(groups.find(p["path"][0]), []).append(p)
    alerts = []
    for members in by_group.values():
        longest = max(members, key=lambda p: (len(p["path"]), p["start"], p["origin"], p["path"]))
        evidence = sorted({t for p in members for t in p["path"]})
        accounts = sorted({a for p in members for a in p["nodes"]})
        alerts.append(
            make_alert(
                rule,
                longest["origin"],
                accounts,
                evidence,
                min(p["start"] for p in members),
                max(p["end"] for p in members),
                {
                    "payments": len(longest["path"]),
                    "accounts": len(accounts),
                    "first_amount_gbp": longest["a0"],
                    "last_amount_gbp": longest["a_last"],
                    "retained_share": longest["a_last"] / longest["a0"],
                    "elapsed_hours": (longest["end"] - longest["start"]) / timedelta(hours=1),
                    "hop_hours": int(param(rule, "hop_hours")),
                },
            )
        )
    return sorted(alerts, key=lambda a: a["alert_id"])
