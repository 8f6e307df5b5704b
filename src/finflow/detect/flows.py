"""SCATTER_GATHER and GATHER_SCATTER: money split and rejoined, or gathered and re-split.

Both start from payments polars has already narrowed: only accounts that are not hubs (at most
`max_account_payments` payments in the data: merchants, employers and payment firms are left
out) can be the conduits, and a leg counts only when it follows the one before within the
window and carries a similar amount.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.graph import external_edges, pair_figures, per_frame
from finflow.detect.rules import Rule, param
from finflow.money import money_sum

EDGE_COLS = ("txn_id", "booked_at", "payer", "payee", "amount_gbp")


def _payment_counts(tx: pl.DataFrame) -> pl.DataFrame:
    edges = external_edges(tx)
    both = pl.concat([edges.select(account="payer"), edges.select(account="payee")])
    return both.group_by("account").agg(n=pl.len()).collect()


def quiet_accounts(tx: pl.DataFrame, max_payments: int) -> pl.LazyFrame:
    """Accounts with at most `max_payments` external payments in or out (not hubs)."""
    counts = per_frame(tx, "payments", _payment_counts)  # shared by the quiet-account rules
    return counts.lazy().filter(pl.col("n") <= max_payments)


def forward_pairs(
    tx: pl.DataFrame,
    hours: int,
    rmin: float,
    rmax: float,
    min_amount: float,
    max_payments: int,
) -> pl.LazyFrame:
    """Credit A->M then debit M->B (B != A) within `hours`, debit rmin..rmax x the credit,
    for quiet conduits M."""
    edges = external_edges(tx).select(*EDGE_COLS).filter(pl.col("amount_gbp") >= min_amount)
    credits = edges.join(
        quiet_accounts(tx, max_payments), left_on="payee", right_on="account", how="semi"
    )
    return pass_on(credits, edges, hours, rmin, rmax)


def pass_on(
    credits: pl.LazyFrame, debits: pl.LazyFrame, hours: int, rmin: float, rmax: float
) -> pl.LazyFrame:
    """Forward pairs: each credit A->M (``in_txn``, ``src``, ``mid``, ``t1``, ``a1``) with each
    debit M->B (``out_txn``, ``dst``, ``t2``, ``a2``), B != A, within `hours` after it and
    rmin..rmax x its amount. Columns of the inputs beyond `EDGE_COLS` are kept."""
    first = credits.rename(
        {"txn_id": "in_txn", "payer": "src", "payee": "mid", "booked_at": "t1", "amount_gbp": "a1"}
    )
    second = debits.rename(
        {"txn_id": "out_txn", "payer": "mid", "payee": "dst", "booked_at": "t2", "amount_gbp": "a2"}
    )
    return first.join(second, on="mid").filter(
        pl.col("t2") > pl.col("t1"),
        pl.col("t2") <= pl.col("t1") + pl.duration(hours=hours),
        pl.col("dst") != pl.col("src"),
        pl.col("a2").is_between(pl.col("a1") * rmin, pl.col("a1") * rmax),
    )


def scatter_gather(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """One source pays several quiet intermediaries, each passes most of it to one sink."""
    days = int(param(rule, "window_days"))
    pairs = forward_pairs(
        tx,
        int(param(rule, "forward_hours")),
        float(param(rule, "min_forward_ratio")),
        float(param(rule, "max_forward_ratio")),
        float(param(rule, "min_amount_gbp")),
        int(param(rule, "max_account_payments")),
    )
    found = (
        pairs.group_by("src", "dst")
        .agg(
            pl.col("mid").unique().sort().alias("mids"),
            pl.col("in_txn").unique(),
            pl.col("out_txn").unique(),
            first=pl.col("t1").min(),
            last_in=pl.col("t1").max(),
            last=pl.col("t2").max(),
            sent=money_sum(pl.col("a1").filter(pl.col("in_txn").is_first_distinct())),
            gathered=money_sum(pl.col("a2").filter(pl.col("out_txn").is_first_distinct())),
        )
        .with_columns(n_mid=pl.col("mids").list.len())
        .filter(
            pl.col("n_mid") >= int(param(rule, "min_intermediaries")),
            pl.col("last_in") - pl.col("first") <= pl.duration(days=days),
            pl.col("sent") >= float(param(rule, "min_total_gbp")),
        )
        .sort("src", "dst")
        .collect()
    )
    alerts = []
    for row in found.iter_rows(named=True):
        alerts.append(
            make_alert(
                rule,
                row["src"],
                [row["dst"], *row["mids"]],
                [*row["in_txn"], *row["out_txn"]],
                row["first"],
                row["last"],
                {
                    "sink": row["dst"],
                    "intermediaries": row["n_mid"],
                    "scattered_gbp": row["sent"],
                    "gathered_gbp": row["gathered"],
                    "window_days": days,
                },
            )
        )
    return alerts


def gather_scatter(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """A quiet hub takes one-off credits from many sources, then pays many new destinations.

    Every window of `window_days` (from midnight) with enough sources is a candidate gathering;
    the payments out counted against it are those booked after its last credit (re-split after
    gathering, not paid out while still collecting) within `scatter_days`. A hub is reported
    once, for the passing window with the most sources (then the earliest).
    """
    days = int(param(rule, "window_days"))
    after_days = int(param(rule, "scatter_days"))
    min_src, min_dst = int(param(rule, "min_sources")), int(param(rule, "min_destinations"))
    edges = external_edges(tx).select(*EDGE_COLS)
    quiet = quiet_accounts(tx, int(param(rule, "max_account_payments")))
    into_quiet = edges.join(quiet, left_on="payee", right_on="account", how="semi")
    # One-off pairs (all their payments within a window) into payees with enough of them,
    # found on pairs before the payments are read.
    pairs = pair_figures(tx).lazy().with_columns(span=pl.col("last") - pl.col("first"))
    one_off_pairs = (
        pairs.join(quiet, left_on="payee", right_on="account", how="semi")
        .filter(pl.col("span") < pl.duration(days=days))
        .filter(pl.len().over("payee") >= min_src)
        .select("payer", "payee")
    )
    one_off_in = (
        into_quiet.join(one_off_pairs, on=["payer", "payee"], how="semi")
        .sort("booked_at")
        .collect()
    )
    windows = (
        one_off_in.group_by_dynamic("booked_at", every="1d", period=f"{days}d", group_by="payee")
        .agg(n_src=pl.col("payer").n_unique(), gathered=money_sum(pl.col("amount_gbp")))
        .filter(
            pl.col("n_src") >= min_src,
            pl.col("gathered") >= float(param(rule, "min_total_gbp")),
        )
        .select(hub="payee", win="booked_at", n_src="n_src")
    )
    gathered = (
        one_off_in.join(windows, left_on="payee", right_on="hub")
        .filter(
            pl.col("booked_at") >= pl.col("win"),
            pl.col("booked_at") < pl.col("win") + pl.duration(days=days),
        )
        .group_by("payee", "win")
        .agg(
            pl.col("txn_id").alias("in_txn"),
            pl.col("payer").unique().sort().alias("sources"),
            g_first=pl.col("booked_at").min(),
            g_last=pl.col("booked_at").max(),
            gathered=money_sum(pl.col("amount_gbp")),
        )
        .rename({"payee": "hub"})
    )
    hubs = gathered.select("hub").unique()
    one_off_out = (
        edges.join(hubs.lazy(), left_on="payer", right_on="hub", how="semi")
        .join(
            pairs.filter(pl.col("span") < pl.duration(days=days + after_days)),
            on=["payer", "payee"],
            how="semi",
        )
        .filter(pl.col("amount_gbp") >= float(param(rule, "min_payment_gbp")))
        .collect()
    )
    out = (
        one_off_out.join(
            gathered.select("hub", "win", "g_last", "sources"), left_on="payer", right_on="hub"
        )
        .filter(
            # re-split after the gathering: paying out while still collecting is what an
            # organiser or a small business does (paying suppliers as takings come in)
            pl.col("booked_at") > pl.col("g_last"),
            pl.col("booked_at") <= pl.col("g_last") + pl.duration(days=after_days),
            ~pl.col("sources").list.contains(pl.col("payee")),
        )
        .group_by("payer", "win")
        .agg(
            pl.col("txn_id").alias("out_txn"),
            pl.col("payee").unique().sort().alias("dests"),
            paid_out=money_sum(pl.col("amount_gbp")),
            last=pl.col("booked_at").max(),
        )
        .filter(pl.col("dests").list.len() >= min_dst)
        .rename({"payer": "hub"})
    )
    found = (
        gathered.join(out, on=["hub", "win"])
        .filter(
            pl.col("paid_out").is_between(
                float(param(rule, "min_out_share")) * pl.col("gathered"),
                float(param(rule, "max_out_share")) * pl.col("gathered"),
            )
        )
        .with_columns(n_src=pl.col("sources").list.len())
    )
    # Otherwise quiet over those days: the gathering and the re-split are most of what the hub
    # did from its first gathered credit to its last payment out.
    busy = (
        edges.join(found.select("hub").unique().lazy(), left_on="payer", right_on="hub", how="semi")
        .select("booked_at", hub="payer")
        .collect()
        .vstack(
            edges.join(
                found.select("hub").unique().lazy(), left_on="payee", right_on="hub", how="semi"
            )
            .select("booked_at", hub="payee")
            .collect()
        )
        .join(found.select("hub", "win", "g_first", "last"), on="hub")
        .filter(pl.col("booked_at").is_between(pl.col("g_first"), pl.col("last")))
        .group_by("hub", "win")
        .agg(busy=pl.len())
    )
    found = (
        found.join(busy, on=["hub", "win"])
        .with_columns(
            own_share=(pl.col("in_txn").list.len() + pl.col("out_txn").list.len()) / pl.col("busy")
        )
        .filter(pl.col("own_share") >= float(param(rule, "min_own_share")))
        .sort("hub", "n_src", "win", descending=[False, True, False])
        .unique("hub", keep="first", maintain_order=True)
    )
    alerts = []
    for row in found.iter_rows(named=True):
        alerts.append(
            make_alert(
                rule,
                row["hub"],
                [*row["sources"], *row["dests"]],
                [*row["in_txn"], *row["out_txn"]],
                row["g_first"],
                row["last"],
                {
                    "sources": len(row["sources"]),
                    "destinations": len(row["dests"]),
                    "gathered_gbp": row["gathered"],
                    "paid_out_gbp": row["paid_out"],
                    "out_share": row["paid_out"] / row["gathered"],
                    "share_of_its_payments": row["own_share"],
                    "window_days": days,
                },
            )
        )
    return alerts
