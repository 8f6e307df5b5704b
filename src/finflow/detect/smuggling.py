"""Smuggling (organised immigration crime) indicators from DOMAIN.md §2."""

from __future__ import annotations

from typing import Any

import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.graph import external_edges
from finflow.detect.rules import Rule, param


def _best_windows(frame: pl.LazyFrame, key: str, score: list[str]) -> pl.LazyFrame:
    """Keep one window per account: the highest `score` columns, then the earliest."""
    return frame.sort(
        [key, *score, "booked_at"], descending=[False, *[True] * len(score), False]
    ).unique(key, keep="first")


def crossing_fee(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """OIC_CROSSING_FEE: many payers, credits inside the crossing-price band, money sent on."""
    days = int(param(rule, "window_days"))
    gbp_lo, gbp_hi = param(rule, "band_gbp")
    eur_lo, eur_hi = param(rule, "band_eur")
    onward_days = int(param(rule, "onward_days"))
    edges = external_edges(tx).select(
        "txn_id",
        "booked_at",
        "payer",
        "payee",
        "amount_gbp",
        "amount_received",
        "currency_received",
    )
    in_band = (
        pl.when(pl.col("currency_received") == "EUR")
        .then(pl.col("amount_received").is_between(eur_lo, eur_hi))
        .when(pl.col("currency_received") == "GBP")
        .then(pl.col("amount_received").is_between(gbp_lo, gbp_hi))
        .otherwise(pl.col("amount_gbp").is_between(gbp_lo, gbp_hi))
    )
    credits = edges.with_columns(in_band=in_band).sort("booked_at")
    windows = (
        credits.group_by_dynamic("booked_at", every="1d", period=f"{days}d", group_by="payee")
        .agg(
            n_credits=pl.len(),
            n_in_band=pl.col("in_band").sum(),
            band_payers=pl.col("payer").filter(pl.col("in_band")).n_unique(),
        )
        .filter(
            pl.col("band_payers") >= int(param(rule, "min_payers")),
            pl.col("n_in_band") >= pl.col("n_credits") * float(param(rule, "min_in_band_share")),
        )
    )
    best = _best_windows(windows, "payee", ["band_payers"]).select(
        account="payee", win_start="booked_at", n_credits="n_credits", n_in_band="n_in_band"
    )
    window = [
        pl.col("booked_at") >= pl.col("win_start"),
        pl.col("booked_at") < pl.col("win_start") + pl.duration(days=days),
    ]
    band_credits = (
        credits.filter(pl.col("in_band"))
        .join(best, left_on="payee", right_on="account")
        .filter(*window)
        .group_by("payee")
        .agg(
            pl.col("txn_id"),
            pl.col("payer").unique().sort().alias("payers"),
            in_value=pl.col("amount_gbp").sum(),
            first=pl.col("booked_at").min(),
            last=pl.col("booked_at").max(),
            n_credits=pl.col("n_credits").first(),
            n_in_band=pl.col("n_in_band").first(),
        )
        .collect()
    )
    if band_credits.is_empty():
        return []
    onward = (
        edges.join(
            band_credits.lazy().select("payee", "first", "last"), left_on="payer", right_on="payee"
        )
        .filter(
            pl.col("booked_at") >= pl.col("first"),
            pl.col("booked_at") <= pl.col("last") + pl.duration(days=onward_days),
        )
        .group_by("payer")
        .agg(
            pl.col("txn_id").alias("out_txn"),
            pl.col("payee").unique().sort().alias("destinations"),
            out_value=pl.col("amount_gbp").sum(),
        )
        .collect()
    )
    joined = band_credits.join(onward, left_on="payee", right_on="payer", how="left").sort("payee")
    min_onward = float(param(rule, "min_onward_share"))
    alerts = []
    for row in joined.iter_rows(named=True):
        out_value = row["out_value"] or 0.0
        share = min(1.0, out_value / row["in_value"]) if row["in_value"] else 0.0
        if share < min_onward:
            continue
        destinations = row["destinations"] or []
        alerts.append(
            make_alert(
                rule,
                row["payee"],
                [*row["payers"], *destinations],
                [*row["txn_id"], *(row["out_txn"] or [])],
                row["first"],
                row["last"],
                {
                    "payers_in_band": len(row["payers"]),
                    "credits": row["n_credits"],
                    "credits_in_band": row["n_in_band"],
                    "in_band_share": row["n_in_band"] / row["n_credits"],
                    "collected_gbp": row["in_value"],
                    "sent_on_gbp": out_value,
                    "onward_share": share,
                    "window_days": days,
                },
            )
        )
    return alerts


def structuring(tx: pl.DataFrame, rule: Rule, fx: pl.DataFrame) -> list[dict[str, Any]]:
    """OIC_STRUCTURING: >= n payments in a window, each in [f*T, T), together >= T."""
    days = int(param(rule, "window_days"))
    need = int(param(rule, "min_transactions"))
    lower = float(param(rule, "lower_fraction"))
    alerts = []
    for threshold in param(rule, "thresholds"):
        ccy, limit = str(threshold["currency"]), float(threshold["amount"])
        rate = fx.filter(pl.col("currency") == ccy).sort("date")["rate_to_gbp"]
        if rate.is_empty():
            continue
        in_ccy = (
            pl.when(pl.col("currency_paid") == ccy)
            .then(pl.col("amount_paid"))
            .otherwise(pl.col("amount_gbp") / float(rate[-1]))
        )
        edges = external_edges(tx).with_columns(amount_t=in_ccy)
        if threshold.get("channels"):
            edges = edges.filter(pl.col("channel").is_in(list(threshold["channels"])))
        near = edges.filter(pl.col("amount_t") >= lower * limit, pl.col("amount_t") < limit).sort(
            "booked_at"
        )
        windows = (
            near.group_by_dynamic("booked_at", every="1d", period=f"{days}d", group_by="payer")
            .agg(n=pl.len(), total=pl.col("amount_t").sum())
            .filter(pl.col("n") >= need, pl.col("total") >= limit)
        )
        best = _best_windows(windows, "payer", ["n"]).select("payer", win_start="booked_at")
        hits = (
            near.join(best, on="payer")
            .filter(
                pl.col("booked_at") >= pl.col("win_start"),
                pl.col("booked_at") < pl.col("win_start") + pl.duration(days=days),
            )
            .group_by("payer")
            .agg(
                pl.col("txn_id"),
                pl.col("payee").unique().sort().alias("payees"),
                first=pl.col("booked_at").min(),
                last=pl.col("booked_at").max(),
                total=pl.col("amount_t").sum(),
                n=pl.len(),
            )
            .sort("payer")
            .collect()
        )
        for row in hits.iter_rows(named=True):
            alerts.append(
                make_alert(
                    rule,
                    row["payer"],
                    row["payees"],
                    row["txn_id"],
                    row["first"],
                    row["last"],
                    {
                        "threshold": threshold["name"],
                        "threshold_amount": limit,
                        "threshold_currency": ccy,
                        "payments_just_below": row["n"],
                        "total_in_threshold_currency": row["total"],
                        "window_days": days,
                    },
                )
            )
    return alerts


def pass_through(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """OIC_PASS_THROUGH: nearly all credited value leaves within `hours` of a credit."""
    hours = int(param(rule, "hours"))
    edges = external_edges(tx).select("txn_id", "booked_at", "payer", "payee", "amount_gbp")
    credits = edges.select(
        "txn_id", "booked_at", "amount_gbp", "payer", account="payee", credit_at="booked_at"
    ).sort("booked_at")
    debits = edges.select("txn_id", "booked_at", "amount_gbp", "payee", account="payer").sort(
        "booked_at"
    )
    totals = (
        credits.group_by("account")
        .agg(credited=pl.col("amount_gbp").sum(), n_credits=pl.len())
        .filter(
            pl.col("n_credits") >= int(param(rule, "min_credits")),
            pl.col("credited") >= float(param(rule, "min_credited_gbp")),
        )
    )
    quick = (
        debits.join(totals.select("account"), on="account", how="semi")
        .join_asof(
            credits.select("account", "booked_at", "credit_at"),
            on="booked_at",
            by="account",
            strategy="backward",
            tolerance=f"{hours}h",
            check_sortedness=False,
        )
        .filter(pl.col("credit_at").is_not_null())
        .group_by("account")
        .agg(
            pl.col("txn_id").alias("out_txn"),
            pl.col("payee").unique().sort().alias("payees"),
            out_quick=pl.col("amount_gbp").sum(),
        )
    )
    found = (
        totals.join(quick, on="account")
        .with_columns(share=pl.min_horizontal(pl.col("out_quick") / pl.col("credited"), 1.0))
        .filter(pl.col("share") >= float(param(rule, "min_out_share")))
        .collect()
    )
    if found.is_empty():
        return []
    credit_rows = (
        credits.join(found.lazy().select("account"), on="account", how="semi")
        .group_by("account")
        .agg(
            pl.col("txn_id").alias("in_txn"),
            pl.col("payer").unique().sort().alias("payers"),
            first=pl.col("booked_at").min(),
            last=pl.col("booked_at").max(),
        )
        .collect()
    )
    alerts = []
    for row in found.join(credit_rows, on="account").sort("account").iter_rows(named=True):
        alerts.append(
            make_alert(
                rule,
                row["account"],
                [*row["payers"], *row["payees"]],
                [*row["in_txn"], *row["out_txn"]],
                row["first"],
                row["last"],
                {
                    "credits": row["n_credits"],
                    "credited_gbp": row["credited"],
                    "left_within_hours_gbp": row["out_quick"],
                    "out_share": row["share"],
                    "hours": hours,
                },
            )
        )
    return alerts
