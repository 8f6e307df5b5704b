"""OIC_FUNNEL: cash paid in at several places within days and taken out elsewhere at once.

It needs where each cash deposit was made (a branch, town or ATM id). The canonical schema
has no such column yet; when the feed has none (`location_column` absent or empty) the rule
reports that it did not run, rather than firing or staying silent as if it had looked.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.graph import external_edges
from finflow.detect.rules import Rule, RuleNotRun, param
from finflow.money import money_sum


def funnel(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """Cash deposits at >= `min_places` places in `window_days`, >= `min_out_share` of them
    taken out (transfers, or cash at another place) within `out_hours` of the last."""
    where = str(param(rule, "location_column"))
    if where not in tx.columns or tx[where].null_count() == tx.height:
        raise RuleNotRun(f"no cash-deposit location ({where}) in this feed")
    days, hours = int(param(rule, "window_days")), int(param(rule, "out_hours"))
    edges = external_edges(tx).select(
        "txn_id", "booked_at", "payer", "payee", "amount_gbp", "channel", place=pl.col(where)
    )
    deposits = (
        edges.filter(pl.col("channel") == "cash", pl.col("place").is_not_null())
        .select("txn_id", "booked_at", "amount_gbp", "place", account="payee")
        .sort("booked_at")
    )
    windows = (
        deposits.group_by_dynamic("booked_at", every="1d", period=f"{days}d", group_by="account")
        .agg(places=pl.col("place").n_unique())
        .filter(pl.col("places") >= int(param(rule, "min_places")))
        .sort("account", "places", "booked_at", descending=[False, True, False])
        .unique("account", keep="first")
        .select("account", win="booked_at")
    )
    paid_in = (
        deposits.join(windows, on="account")
        .filter(
            pl.col("booked_at") >= pl.col("win"),
            pl.col("booked_at") < pl.col("win") + pl.duration(days=days),
        )
        .group_by("account")
        .agg(
            pl.col("txn_id").alias("in_txn"),
            pl.col("place").unique().sort().alias("places"),
            first=pl.col("booked_at").min(),
            last_in=pl.col("booked_at").max(),
            deposited=money_sum(pl.col("amount_gbp")),
        )
    )
    out = (
        edges.join(paid_in, left_on="payer", right_on="account")
        .filter(
            pl.col("booked_at") > pl.col("first"),
            pl.col("booked_at") <= pl.col("last_in") + pl.duration(hours=hours),
            # elsewhere: a transfer to another account, or cash drawn at another place
            pl.col("place").is_null() | ~pl.col("places").list.contains(pl.col("place")),
        )
        .group_by("payer")
        .agg(
            pl.col("txn_id").alias("out_txn"),
            pl.col("payee").unique().sort().alias("dests"),
            taken=money_sum(pl.col("amount_gbp")),
            last=pl.col("booked_at").max(),
        )
    )
    found = (
        paid_in.join(out, left_on="account", right_on="payer")
        .filter(pl.col("taken") >= float(param(rule, "min_out_share")) * pl.col("deposited"))
        .sort("account")
        .collect()
    )
    return [
        make_alert(
            rule,
            row["account"],
            row["dests"],
            [*row["in_txn"], *row["out_txn"]],
            row["first"],
            row["last"],
            {
                "deposit_places": row["places"],
                "deposited_gbp": row["deposited"],
                "taken_out_gbp": row["taken"],
                "out_share": row["taken"] / row["deposited"],
                "window_days": days,
                "out_hours": hours,
            },
        )
        for row in found.iter_rows(named=True)
    ]
