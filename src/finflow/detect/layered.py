"""BIPARTITE: many-to-many payments between two groups of quiet accounts.

polars narrows first: only payments between quiet accounts (not hubs) count, and only payers
that share at least two payees. networkx then takes the connected groups of that small subgraph
and checks their shape: two disjoint sides. Layers of such groups are STACK
(`finflow.detect.stack`).
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.flows import EDGE_COLS, quiet_accounts
from finflow.detect.graph import both_accounts, external_edges
from finflow.detect.rules import Rule, param
from finflow.money import money_sum

SEP = "\x1f"
"""Between an account and the episode in a node's name (never inside an account key)."""


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
    edges = _quiet_edges(tx, rule).collect()
    # One-off links only (all the pair's payments inside one window: regular contacts recur),
    # each placed in every window (starting at midnight) that contains it. Their payments
    # are listed once the groups have narrowed them (below).
    pairs = (
        edges.lazy()
        .group_by("payer", "payee")
        .agg(
            first=pl.col("booked_at").min(),
            last=pl.col("booked_at").max(),
            value=money_sum(pl.col("amount_gbp")),
        )
        .filter(pl.col("last") - pl.col("first") < pl.duration(days=days))
        .collect()
    )
    # Narrow before placing links in windows: a payer with fewer than min_degree one-off
    # payees in the whole data (or a payee with fewer payers) cannot be in any group.
    pairs = pairs.with_columns(_dense_ids(pairs, "payer"), _dense_ids(pairs, "payee"))
    ids_below = pairs.height  # any id, even after the peel below
    pairs = pairs[_peeled(pairs["payer_id"].to_numpy(), pairs["payee_id"].to_numpy(), min_degree)]
    placed = pairs.select(
        "payer_id",
        "payee_id",
        row=pl.int_range(pl.len()),
        win=pl.int_ranges(
            pl.col("last").dt.date().cast(pl.Int32) - days + 1,
            pl.col("first").dt.date().cast(pl.Int32) + 1,
        ),
    ).explode("win")
    # Peel: every payer keeps >= min_degree payees and every payee >= min_degree payers, in
    # each window (a payer in a window, a payee in a window: one id each).
    win = placed["win"].to_numpy().astype(np.int64)
    win -= win.min(initial=0)
    payer_in_win, payee_in_win = (
        np.unique(win * ids_below + placed[side].to_numpy(), return_inverse=True)[1]
        for side in ("payer_id", "payee_id")
    )
    placed = placed[_peeled(payer_in_win, payee_in_win, min_degree)]
    cand = pairs.drop("payer_id", "payee_id")[placed["row"]].with_columns(win=placed["win"])
    listed = (
        edges.lazy()
        .join(cand.lazy().select("payer", "payee").unique(), on=["payer", "payee"], how="semi")
        .group_by("payer", "payee")
        .agg("txn_id")
    )
    cand = cand.lazy().join(listed, on=["payer", "payee"], maintain_order="left").collect()
    groups: list[dict[str, Any]] = []
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
            groups.append(
                {
                    "payers": payers,
                    "payees": payees,
                    "rows": rows,
                    "first": min(r["first"] for r in rows),
                    "last": max(r["last"] for r in rows),
                }
            )
    busy = _payments_during(tx, rule, groups)
    alerts: dict[str, dict[str, Any]] = {}
    for i, g in enumerate(groups):
        rows, payers, payees = g["rows"], g["payers"], g["payees"]
        links = sum(len(r["txn_id"]) for r in rows)
        if links < float(param(rule, "min_own_share")) * busy[i]:
            continue
        alert = make_alert(
            rule,
            sorted(payers)[0],
            sorted(payers | payees),
            [t for r in rows for t in r["txn_id"]],
            g["first"],
            g["last"],
            {
                "payers": len(payers),
                "payees": len(payees),
                "links": len(rows),
                "share_of_their_payments": links / busy[i],
                "total_gbp": sum(r["value"] for r in rows),
                "window_days": days,
            },
        )
        alerts.setdefault("|".join(alert["evidence_txn_ids"]), alert)
    return _widest(list(alerts.values()))


def _dense_ids(frame: pl.DataFrame, key: str) -> pl.Series:
    """``{key}_id``: a number per distinct `key` (0..n-1, in no particular order), by one hash
    join: cheaper than sorting the strings."""
    ids = frame.select(pl.col(key).unique()).with_row_index(f"{key}_id")
    return frame.select(key).join(ids, on=key, maintain_order="left")[f"{key}_id"]


def _peeled(a: np.ndarray, b: np.ndarray, least: int) -> np.ndarray:
    """Positions of the links (a[i], b[i]) left when every `a` node and every `b` node keeps
    at least `least` links, by dense integer ids: dropping a node's links can take another
    below `least`, so peel until nothing changes (a few dozen passes, each over the links
    left, counted with numpy; the same links whichever order they are dropped in)."""
    kept = np.arange(len(a))
    while True:
        ok = (np.bincount(a)[a] >= least) & (np.bincount(b)[b] >= least)
        if ok.all():
            return kept
        a, b, kept = a[ok], b[ok], kept[ok]


def _payments_during(tx: pl.DataFrame, rule: Rule, groups: list[dict[str, Any]]) -> list[int]:
    """For each group: the payments (of a counted size) in or out of its accounts booked
    from its first to its last link, counted for every group in one join."""
    if not groups:
        return []
    members = pl.DataFrame(
        [
            {"group": i, "acct": a, "first": g["first"], "last": g["last"]}
            for i, g in enumerate(groups)
            for a in g["payers"] | g["payees"]
        ],
        schema={
            "group": pl.Int64,
            "acct": tx.schema["payer"],  # the frame's key type
            "first": pl.Datetime("us", "UTC"),
            "last": pl.Datetime("us", "UTC"),
        },
    ).lazy()
    accounts = members.select("acct").unique()
    edges = (
        external_edges(tx)
        .filter(pl.col("amount_gbp") >= float(param(rule, "min_amount_gbp")))
        .select("txn_id", "booked_at", "payer", "payee")
    )
    touching = pl.concat(
        [
            edges.join(accounts, left_on=side, right_on="acct", how="semi")
            for side in ("payer", "payee")
        ]
    ).unique("txn_id")
    counts = (
        touching.with_columns(acct=both_accounts("payer", "payee"))
        .explode("acct")
        .join(members, on="acct")
        .filter(pl.col("booked_at").is_between(pl.col("first"), pl.col("last")))
        .group_by("group")
        .agg(n=pl.col("txn_id").n_unique())
        .collect()
    )
    found = dict(zip(counts["group"].to_list(), counts["n"].to_list(), strict=True))
    return [int(found.get(i, 0)) for i in range(len(groups))]


def _widest(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One alert per structure: drop any whose payments are all in a larger alert's."""
    kept: list[dict[str, Any]] = []
    for alert in sorted(alerts, key=lambda a: (-len(a["evidence_txn_ids"]), a["alert_id"])):
        mine = set(alert["evidence_txn_ids"])
        if not any(mine <= set(k["evidence_txn_ids"]) for k in kept):
            kept.append(alert)
    return sorted(kept, key=lambda a: a["alert_id"])
