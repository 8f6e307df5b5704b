"""STACK: layers of one-off conduits passing on what they received, group to group.

polars narrows first: only payments between quiet accounts (not hubs) count, and only conduits
that pass on what they received (episodes found by label propagation in polars). networkx then
takes the connected groups of that small subgraph and checks for three or more time-ordered
layers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import networkx as nx
import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.flows import EDGE_COLS, pass_on, quiet_accounts
from finflow.detect.graph import both_accounts, external_edges
from finflow.detect.rules import Rule, param
from finflow.detect.unionfind import smallest_roots

SEP = "\x1f"
"""Between an account and the episode in a node's name (never inside an account key)."""


def _with_episodes(pairs: pl.DataFrame) -> pl.DataFrame:
    """`pairs` with integer ids for their payments (``in_id``, ``out_id``, in txn_id order)
    and ``ep``: the connected group of credits and debits linked by forward pairs each belongs
    to, numbered by the position of its first credit among the credits in txn_id order.
    """
    n = pairs.height
    ranks = pl.concat([pairs["in_txn"], pairs["out_txn"]]).rank("dense").cast(pl.Int64)
    pairs = pairs.with_columns(in_id=ranks[:n], out_id=ranks[n:])
    # Credits take their positions among the credits (0..), debits n + their id: a group's
    # smallest node, its root, is its first credit.
    u = (pairs["in_id"].rank("dense").cast(pl.Int64) - 1).to_numpy()
    v = pairs["out_id"].to_numpy() + n
    return pairs.with_columns(ep=pl.Series(smallest_roots(u, v, 3 * n + 1)[u]))


def _conduit_episodes(pairs: pl.DataFrame, lo: float, hi: float) -> pl.DataFrame:
    """The forward pairs of conduit episodes that passed on `lo`..`hi` of what they received,
    with the episode's id (``ep``).

    A conduit's episodes are the groups of its credits and debits linked by forward pairs (a
    debit within the window after a credit): a quiet account used as a layer once, and
    otherwise living its own life over the month, is judged on the layer's payments alone.
    Within an episode, the longest run of its debits in time order (from the first) that passes
    on `lo`..`hi` of the latest credits booked before them that cover it (last in, first out)
    is the layer: the account's own older credits and its own later spending are not counted
    against it, and their pairs are dropped. An episode whose debits never balance its
    credits is dropped whole.
    """
    pairs = _with_episodes(pairs)
    # Payments by integer id (ordered as their txn_ids): the work below hashes and sorts no
    # strings. A payment is a credit or a debit of one episode, never both (the conduit would
    # pay itself).
    legs = pl.concat(
        [
            pairs.select("ep", txn="in_id", t="t1", v="a1", credit=pl.lit(True)),
            pairs.select("ep", txn="out_id", t="t2", v="a2", credit=pl.lit(False)),
        ]
    ).unique(["ep", "txn", "credit"])
    legs = legs.sort("ep", "t", "txn")
    n_in = legs.group_by("ep").agg(
        n_in=pl.col("credit").sum(), c=pl.col("v").filter("credit").sum()
    )
    # Most episodes have one credit (it precedes every debit paired with it): the run of
    # debits is judged in polars; the others one by one below.
    runs = (
        legs.filter(~pl.col("credit"))
        .join(n_in.filter(pl.col("n_in") == 1), on="ep")
        .with_columns(k=pl.int_range(pl.len()).over("ep"), sent=pl.col("v").cum_sum().over("ep"))
        .with_columns(
            ok=(pl.col("sent") >= lo * pl.col("c")) & (pl.col("sent") <= hi * pl.col("c"))
        )
        .with_columns(best=pl.col("k").filter("ok").max().over("ep"))
        .filter(pl.col("best").is_not_null(), pl.col("k") <= pl.col("best"))
    )
    kept_in = legs.filter("credit").join(runs.select("ep").unique(), on="ep")["txn"]
    kept_out = runs["txn"]
    more_in: list[int] = []
    more_out: list[int] = []
    by_ep = (
        legs.join(n_in.filter(pl.col("n_in") > 1), on="ep", how="semi")
        .group_by("ep", maintain_order=True)
        .agg("txn", pl.col("t").to_physical(), "v", "credit")  # times as integers: faster to list
    )
    for txns, times, values, is_credit in zip(
        by_ep["txn"].to_list(),
        by_ep["t"].to_list(),
        by_ep["v"].to_list(),
        by_ep["credit"].to_list(),
        strict=True,
    ):
        legs_in = [
            (t, v, x) for x, t, v, c in zip(txns, times, values, is_credit, strict=True) if c
        ]
        legs_out = [
            (t, v, x) for x, t, v, c in zip(txns, times, values, is_credit, strict=True) if not c
        ]
        sent, best = 0.0, None
        for k, (t_out, v_out, _) in enumerate(legs_out):
            sent += v_out
            cover, used = 0.0, []
            for t_in, v_in, x_in in reversed(legs_in):
                if cover * hi >= sent:
                    break
                if t_in < t_out:
                    cover += v_in
                    used.append(x_in)
            if cover > 0 and lo * cover <= sent <= hi * cover:
                best = (used, k)
        if best is not None:
            more_in += best[0]
            more_out += [x for _, _, x in legs_out[: best[1] + 1]]
    kept_in = kept_in.append(pl.Series(more_in, dtype=pl.Int64))
    kept_out = kept_out.append(pl.Series(more_out, dtype=pl.Int64))
    return (
        pairs.filter(
            pl.col("in_id").is_in(kept_in.implode()), pl.col("out_id").is_in(kept_out.implode())
        )
        .drop("in_id", "out_id")
        .with_columns(pl.col("ep").cast(pl.String))
    )


def _leg_nodes(pairs: pl.DataFrame, hours: int) -> pl.DataFrame:
    """The legs of the kept forward pairs, each with the nodes it links (``na`` -> ``nb``).

    A node is an account over a stretch of time: a conduit's episode, together with the
    account's other legs (money it only starts or ends here) within `hours` of one another or
    of the episode. Groups are then bounded in time: an account used on different days of
    the month does not chain unrelated groups together.
    """
    ins = pairs.select(txn="in_txn", a="src", b="mid", t="t1", v="a1", eb="ep").unique("txn")
    outs = pairs.select(txn="out_txn", a="mid", b="dst", t="t2", v="a2", ea="ep").unique("txn")
    legs = (
        pl.concat([ins.drop("eb"), outs.drop("ea")])
        .unique("txn")
        .join(ins.select("txn", "eb"), on="txn", how="left")
        .join(outs.select("txn", "ea"), on="txn", how="left")
        .sort("txn")
    )
    items = (
        pl.concat(
            [
                legs.select("txn", acct="a", t="t", ep="ea", side=pl.lit("a")),
                legs.select("txn", acct="b", t="t", ep="eb", side=pl.lit("b")),
            ]
        )
        .with_columns(
            key=pl.concat_str(
                "acct", pl.lit(SEP), pl.coalesce("ep", pl.concat_str(pl.lit("t"), "txn"))
            )
        )
        .sort("acct", "t", "txn", "side")
    )
    # Each item joins the one before it on the same account, within `hours`, unless both are
    # episode legs (an episode is one node already). Union-find over the keys' ranks: the
    # smallest rank of a group is its smallest key, the node's name.
    end = pl.col("ep").is_null()
    items = items.with_columns(
        id=pl.col("key").rank("dense").cast(pl.Int64) - 1,
        link=(pl.col("acct") == pl.col("acct").shift())
        & (end | end.shift())
        & (pl.col("t") - pl.col("t").shift() <= timedelta(hours=hours)),
    )
    links = items.select(u=pl.col("id").shift(), v="id", link="link").filter("link")
    ids = items["id"].to_numpy()
    root = smallest_roots(links["u"].to_numpy(), links["v"].to_numpy(), int(ids.max()) + 1)
    nodes = items.with_columns(node=items["key"].unique().sort().gather(root[ids]))
    return legs.join(nodes.filter(pl.col("side") == "a").select("txn", na="node"), on="txn").join(
        nodes.filter(pl.col("side") == "b").select("txn", nb="node"), on="txn"
    )


def _pairs_by_size(tx: pl.DataFrame, rule: Rule, sizes: list[float]) -> list[pl.DataFrame]:
    """For each of `sizes`: the forward pairs between quiet accounts (a credit passed on
    within `layer_hours`) over payments of at least that size, on links whose counted payments
    all fall within `one_off_days` (regular contacts recur and are left out).

    One join for all sizes: each payment carries, per size, whether it counts at that size
    (big enough, and a one-off link among the payments of that size: a link's smaller
    payments can make it recur), and each size keeps the pairs whose two payments count.
    """
    hours = int(param(rule, "layer_hours"))
    one_off = pl.duration(days=int(param(rule, "one_off_days")))
    quiet = quiet_accounts(tx, int(param(rule, "max_account_payments")))
    edges = (
        external_edges(tx)
        .select(*EDGE_COLS)
        .filter(pl.col("amount_gbp") >= min(sizes))
        .join(quiet, left_on="payer", right_on="account", how="semi")
        .join(quiet, left_on="payee", right_on="account", how="semi")
    )
    # Each link's spans at every size in one group-by over the links, joined back to its
    # payments (a window of a struct of them over the links took 40% more CPU).
    spans: list[pl.Expr] = []
    counts: dict[str, pl.Expr] = {}
    for i, size in enumerate(sizes):
        counted = pl.col("amount_gbp") >= size
        t = pl.when(counted).then(pl.col("booked_at"))
        spans.append((t.max() - t.min() < one_off).alias(f"n{i}"))
        counts[f"n{i}"] = counted & pl.col(f"n{i}")
    links = edges.group_by("payer", "payee").agg(spans)
    edges = (
        edges.join(links, on=["payer", "payee"], how="left", maintain_order="left")
        .with_columns(**counts)
        .filter(pl.any_horizontal(*counts))
    )
    pairs = pass_on(
        edges.rename({n: f"in_{n}" for n in counts}),
        edges.rename({n: f"out_{n}" for n in counts}),
        hours,
        float(param(rule, "min_split_ratio")),
        float(param(rule, "max_merge_ratio")),
    ).collect()
    flags = [f"{side}_{n}" for side in ("in", "out") for n in counts]
    return [pairs.filter(f"in_{n}", f"out_{n}").drop(flags) for n in counts]


def _groups(pairs: pl.DataFrame, rule: Rule, routes: int, max_nodes: int) -> list[tuple[Any, ...]]:
    """The layered groups in the forward `pairs` of one payment size, with at least `routes`
    parallel routes and at most `max_nodes` accounts-in-an-episode: (accounts, conduits,
    primary, legs, layers, conduits passing on, graph).

    The pairs are narrowed to those whose conduit conserved the money in that episode;
    networkx then looks at the connected groups of accounts-in-an-episode, each a few dozen
    nodes at most.
    """
    hours = int(param(rule, "layer_hours"))
    lo, hi = float(param(rule, "min_conservation")), float(param(rule, "max_conservation"))
    pairs = _conduit_episodes(pairs, lo, hi)
    if pairs.is_empty():
        return []
    legs = _leg_nodes(pairs, hours)
    width = int(param(rule, "min_end_width"))
    # Cheap shape counts per group first (most groups are single chains or fans, trees):
    # networkx only looks at groups with a parallel route and room for the layers.
    # The groups by integer node ids in numpy (a group's id is only compared, never shown): a
    # Python union-find over the node names cost a second a million legs.
    n = legs.height
    ids = pl.concat([legs["na"], legs["nb"]]).rank("dense").cast(pl.Int64).to_numpy()
    legs = legs.with_columns(group=pl.Series(smallest_roots(ids[:n], ids[n:], 2 * n + 1)[ids[:n]]))
    shapes = (
        pl.concat([legs.select("group", node="na"), legs.select("group", node="nb")])
        .group_by("group")
        .agg(nodes=pl.col("node").n_unique())
        .join(legs.unique(["na", "nb"]).group_by("group").agg(links=pl.len()), on="group")
        .filter(
            pl.col("nodes").is_between(2 * width + 1, max_nodes),
            pl.col("links") - pl.col("nodes") + 1 >= routes,
        )
    )
    legs = legs.join(shapes, on="group", how="semi")
    graph: nx.DiGraph[str] = nx.DiGraph()
    legs_by_node: dict[str, list[dict[str, Any]]] = {}
    for row in legs.sort("txn").iter_rows(named=True):
        graph.add_edge(row["na"], row["nb"])
        legs_by_node.setdefault(row["na"], []).append(row)
    found = []
    for component in nx.weakly_connected_components(graph):
        sub = graph.subgraph(component)
        if not nx.is_directed_acyclic_graph(sub):
            continue
        middle = sorted(n for n in sub if sub.in_degree(n) and sub.out_degree(n))
        rows = [r for n in component for r in legs_by_node.get(n, [])]
        ok = 0
        for c in middle:
            got = sum(r["v"] for r in rows if r["nb"] == c)
            sent = sum(r["v"] for r in rows if r["na"] == c)
            ok += int(got > 0 and lo <= sent / got <= hi)
        layers = nx.dag_longest_path_length(sub) + 1
        # Many-to-many: more account-to-account links than a chain or a tree would have (some
        # money reaches an account along two different routes).
        many = sub.number_of_edges() - len(component) + 1 >= routes
        # Layers, not a split-and-rejoin: at least min_end_width accounts start the money
        # and at least as many finish with it (SCATTER_GATHER has one of each).
        starts = sorted(n for n in sub if not sub.in_degree(n))
        ends = sum(1 for n in sub if not sub.out_degree(n))
        if (
            len(starts) < width
            or ends < width
            or layers < int(param(rule, "min_layers"))
            or ok < int(param(rule, "min_conduits"))
            or not many
        ):
            continue
        accounts = sorted({n.partition(SEP)[0] for n in component})
        conduits = sorted({n.partition(SEP)[0] for n in middle})
        found.append((accounts, conduits, starts[0].partition(SEP)[0], rows, layers, ok, sub))
    return found


def stack(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """Layers of conduits: money passed on through at least `min_layers` - 1 hops, with at
    least `min_conduits` conduits each passing on most of what the group paid it.

    Found twice: over payments of at least `min_amount_gbp` with `min_parallel_routes`, then
    over payments down to `min_small_amount_gbp`, where a group needs
    `min_parallel_routes_small` and at most `max_group_accounts_small` (small sums among
    friends overlap by chance more often, in larger circles); a small-sum group sharing an
    account with one found first is the same scheme.
    """
    hours = int(param(rule, "layer_hours"))
    one_off = int(param(rule, "one_off_days"))
    ordinary, small = _pairs_by_size(
        tx, rule, [float(param(rule, "min_amount_gbp")), float(param(rule, "min_small_amount_gbp"))]
    )
    found = _groups(
        ordinary,
        rule,
        int(param(rule, "min_parallel_routes")),
        int(param(rule, "max_group_accounts")),
    )
    seen = {a for f in found for a in f[0]}
    found += [
        f
        for f in _groups(
            small,
            rule,
            int(param(rule, "min_parallel_routes_small")),
            int(param(rule, "max_group_accounts_small")),
        )
        if seen.isdisjoint(f[0])
    ]
    if not found:
        return []
    extra = _conduit_payments(tx, found, hours, one_off)
    alerts = []
    for i, (accounts, conduits, primary, rows, layers, ok, sub) in enumerate(found):
        alerts.append(
            make_alert(
                rule,
                primary,
                accounts,
                sorted({*extra.get(i, []), *(r["txn"] for r in rows)}),
                min(r["t"] for r in rows),
                max(r["t"] for r in rows),
                {
                    "layers": layers,
                    "conduits": len(conduits),
                    "conduits_passing_on": ok,
                    "accounts": len(accounts),
                    "links": sub.number_of_edges(),
                    "payments": len(rows),
                    "layer_hours": hours,
                },
            )
        )
    return sorted(alerts, key=lambda a: a["alert_id"])


def _conduit_payments(
    tx: pl.DataFrame, found: list[tuple[Any, ...]], hours: int, one_off: int
) -> dict[int, list[str]]:
    """For each group found (by index): the one-off payments into and out of its conduits over
    the layers' span, padded by `hours` (legs below the counted size or outside a forward pair
    belong to the pattern), for every group in one join."""
    pad = timedelta(hours=hours)
    spans = pl.DataFrame(
        [
            {
                "group": i,
                "acct": c,
                "lo": min(r["t"] for r in f[3]) - pad,
                "hi": max(r["t"] for r in f[3]) + pad,
            }
            for i, f in enumerate(found)
            for c in f[1]
        ],
        schema={
            "group": pl.Int64,
            "acct": tx.schema["payer"],  # the frame's key type
            "lo": pl.Datetime("us", "UTC"),
            "hi": pl.Datetime("us", "UTC"),
        },
    ).lazy()
    members = spans.select("acct").unique()
    edges = external_edges(tx).select("txn_id", "booked_at", "payer", "payee")
    touching = pl.concat(
        [
            edges.join(members, left_on=side, right_on="acct", how="semi")
            for side in ("payer", "payee")
        ]
    ).unique("txn_id")
    one_off_pairs = (
        touching.group_by("payer", "payee")
        .agg(span=pl.col("booked_at").max() - pl.col("booked_at").min())
        .filter(pl.col("span") < pl.duration(days=one_off))
    )
    near = (
        touching.join(one_off_pairs, on=["payer", "payee"], how="semi")
        .with_columns(acct=both_accounts("payer", "payee"))
        .explode("acct")
        .join(spans, on="acct")
        .filter(pl.col("booked_at").is_between(pl.col("lo"), pl.col("hi")))
        .group_by("group")
        .agg(pl.col("txn_id").unique())
        .collect()
    )
    return dict(zip(near["group"].to_list(), near["txn_id"].to_list(), strict=True))
