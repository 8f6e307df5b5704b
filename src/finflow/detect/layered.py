"""BIPARTITE and STACK: many-to-many payments between two groups, and layers of them.

polars narrows first: only payments between quiet accounts (not hubs) count, and only payers
that share at least two payees (BIPARTITE) or conduits that pass on what they received
(STACK). networkx then takes the connected groups of that small subgraph and checks their
shape: two disjoint sides for BIPARTITE, three or more time-ordered layers for STACK.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import networkx as nx
import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.flows import EDGE_COLS, forward_pairs, quiet_accounts
from finflow.detect.graph import external_edges
from finflow.detect.rules import Rule, param
from finflow.money import money_sum


def _quiet_edges(tx: pl.DataFrame, rule: Rule) -> pl.LazyFrame:
    quiet = quiet_accounts(tx, int(param(rule, "max_account_payments")))
    return (
        external_edges(tx)
        .select(*EDGE_COLS)
        .filter(pl.col("amount_gbp") >= float(param(rule, "min_amount_gbp")))
        .join(quiet, left_on="payer", right_on="account", how="semi")
        .join(quiet, left_on="payee", right_on="account", how="semi")
    )


def bipartite(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """A group of payers each paying several of a group of payees, within a short window."""
    days = int(param(rule, "window_days"))
    min_side = int(param(rule, "min_side"))
    min_degree = int(param(rule, "min_degree"))
    edges = _quiet_edges(tx, rule)
    all_edges = (
        external_edges(tx)
        .filter(pl.col("amount_gbp") >= float(param(rule, "min_amount_gbp")))
        .select("booked_at", "payer", "payee")
        .collect()
    )
    # One-off links only (all the pair's payments inside one window: regular contacts recur),
    # each placed in every window (starting at midnight) that contains it.
    pairs = (
        edges.group_by("payer", "payee")
        .agg(
            pl.col("txn_id"),
            first=pl.col("booked_at").min(),
            last=pl.col("booked_at").max(),
            value=money_sum(pl.col("amount_gbp")),
        )
        .filter(pl.col("last") - pl.col("first") < pl.duration(days=days))
        .with_columns(
            win=pl.int_ranges(
                pl.col("last").dt.date().cast(pl.Int32) - days + 1,
                pl.col("first").dt.date().cast(pl.Int32) + 1,
            )
        )
        .explode("win")
    )
    cand = pairs.collect()
    # Peel: every payer keeps >= min_degree payees and every payee >= min_degree payers.
    while True:
        before = cand.height
        cand = cand.filter(
            pl.len().over("win", "payer") >= min_degree,
            pl.len().over("win", "payee") >= min_degree,
        )
        if cand.height == before:
            break
    alerts: dict[str, dict[str, Any]] = {}
    for (_,), group in cand.sort("win", "payer", "payee").group_by(["win"], maintain_order=True):
        graph: nx.Graph[str] = nx.Graph()
        by_pair = {(r["payer"], r["payee"]): r for r in group.iter_rows(named=True)}
        graph.add_edges_from(by_pair)
        for component in nx.connected_components(graph):
            rows = [r for (a, b), r in by_pair.items() if a in component]
            payers = {r["payer"] for r in rows}
            payees = {r["payee"] for r in rows}
            if payers & payees or len(payers) < min_side or len(payees) < min_side:
                continue
            if len(component) > int(param(rule, "max_group_accounts")):
                continue
            first, last = min(r["first"] for r in rows), max(r["last"] for r in rows)
            links = sum(len(r["txn_id"]) for r in rows)
            busy = _payments_during(all_edges, payers | payees, first, last)
            if links < float(param(rule, "min_own_share")) * busy:
                continue
            alert = make_alert(
                rule,
                sorted(payers)[0],
                sorted(payers | payees),
                [t for r in rows for t in r["txn_id"]],
                first,
                last,
                {
                    "payers": len(payers),
                    "payees": len(payees),
                    "links": len(rows),
                    "share_of_their_payments": links / busy,
                    "total_gbp": sum(r["value"] for r in rows),
                    "window_days": days,
                },
            )
            alerts.setdefault("|".join(alert["evidence_txn_ids"]), alert)
    return _widest(list(alerts.values()))


def _payments_during(edges: pl.DataFrame, accounts: set[str], first: Any, last: Any) -> int:
    """Payments (of a counted size) in or out of `accounts` booked from `first` to `last`."""
    members = list(accounts)
    return edges.filter(
        pl.col("booked_at").is_between(first, last),
        pl.col("payer").is_in(members) | pl.col("payee").is_in(members),
    ).height


def _widest(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One alert per structure: drop any whose payments are all in a larger alert's."""
    kept: list[dict[str, Any]] = []
    for alert in sorted(alerts, key=lambda a: (-len(a["evidence_txn_ids"]), a["alert_id"])):
        mine = set(alert["evidence_txn_ids"])
        if not any(mine <= set(k["evidence_txn_ids"]) for k in kept):
            kept.append(alert)
    return sorted(kept, key=lambda a: a["alert_id"])


def stack(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """Layers of conduits: money passed on through at least `min_layers` - 1 hops, with at
    least `min_conduits` conduits each passing on most of what the group paid it."""
    hours = int(param(rule, "layer_hours"))
    lazy_pairs = forward_pairs(
        tx,
        hours,
        float(param(rule, "min_split_ratio")),
        float(param(rule, "max_merge_ratio")),
        float(param(rule, "min_amount_gbp")),
        int(param(rule, "max_account_payments")),
        int(param(rule, "one_off_days")),
    )
    lo, hi = float(param(rule, "min_conservation")), float(param(rule, "max_conservation"))
    # A conduit passes on lo..hi of what these links brought it.
    conduits = (
        lazy_pairs.group_by("mid")
        .agg(
            got=money_sum(pl.col("a1").filter(pl.col("in_txn").is_first_distinct())),
            sent=money_sum(pl.col("a2").filter(pl.col("out_txn").is_first_distinct())),
        )
        .filter((pl.col("sent") / pl.col("got")).is_between(lo, hi))
    )
    pairs = lazy_pairs.join(conduits, on="mid", how="semi").collect()
    if pairs.is_empty():
        return []
    legs = pl.concat(
        [
            pairs.select(txn="in_txn", a="src", b="mid", t="t1", v="a1"),
            pairs.select(txn="out_txn", a="mid", b="dst", t="t2", v="a2"),
        ]
    ).unique("txn")
    graph: nx.DiGraph[str] = nx.DiGraph()
    for row in legs.iter_rows(named=True):
        graph.add_edge(row["a"], row["b"])
    legs_by_node: dict[str, list[dict[str, Any]]] = {}
    for row in legs.iter_rows(named=True):
        legs_by_node.setdefault(row["a"], []).append(row)
    max_nodes = int(param(rule, "max_group_accounts"))
    pad = timedelta(hours=hours)
    span = pl.col("booked_at").max() - pl.col("booked_at").min()
    all_edges = (
        external_edges(tx)
        .select("txn_id", "booked_at", "payer", "payee", "amount_gbp")
        .filter(span.over("payer", "payee") < pl.duration(days=int(param(rule, "one_off_days"))))
        .collect()
    )
    alerts = []
    for component in nx.weakly_connected_components(graph):
        if len(component) > max_nodes:
            continue
        sub = graph.subgraph(component)
        if not nx.is_directed_acyclic_graph(sub):
            continue
        middle = [n for n in sub if sub.in_degree(n) and sub.out_degree(n)]
        rows = [r for n in component for r in legs_by_node.get(n, [])]
        ok = []
        for c in middle:
            got = sum(r["v"] for r in rows if r["b"] == c)
            sent = sum(r["v"] for r in rows if r["a"] == c)
            ok.append(got > 0 and lo <= sent / got <= hi)
        layers = nx.dag_longest_path_length(sub) + 1
        # Many-to-many: more account-to-account links than a chain or a tree would have (some
        # money reaches an account along two different routes).
        many = sub.number_of_edges() - len(component) + 1 >= int(param(rule, "min_parallel_routes"))
        # Layers, not a split-and-rejoin: at least min_end_width accounts start the money
        # and at least as many finish with it (SCATTER_GATHER has one of each).
        width = int(param(rule, "min_end_width"))
        starts = sum(1 for n in sub if not sub.in_degree(n))
        ends = sum(1 for n in sub if not sub.out_degree(n))
        if (
            starts < width
            or ends < width
            or layers < int(param(rule, "min_layers"))
            or sum(ok) < int(param(rule, "min_conduits"))
            or not many
        ):
            continue
        first, last = min(r["t"] for r in rows), max(r["t"] for r in rows)
        # Evidence: the one-off payments into and out of the group's conduits over the layers'
        # span (legs below the counted size or outside a forward pair belong to the pattern).
        legs_all = all_edges.filter(
            pl.col("payer").is_in(middle) | pl.col("payee").is_in(middle),
            pl.col("booked_at").is_between(first - pad, last + pad),
        )["txn_id"].to_list()
        sources = sorted(n for n in sub if not sub.in_degree(n))
        alerts.append(
            make_alert(
                rule,
                sources[0],
                sorted(component),
                sorted({*legs_all, *(r["txn"] for r in rows)}),
                first,
                last,
                {
                    "layers": layers,
                    "conduits": len(middle),
                    "conduits_passing_on": sum(ok),
                    "accounts": len(component),
                    "links": sub.number_of_edges(),
                    "payments": len(rows),
                    "layer_hours": hours,
                },
            )
        )
    return sorted(alerts, key=lambda a: a["alert_id"])
