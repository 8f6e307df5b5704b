"""Smuggling (OIC) indicators on money-service, crypto and cross-border payments (DOMAIN.md
section 2): OIC_MSB_NEXUS, OIC_ROUND_CROSS_BORDER, OIC_ESCROW, OIC_HAWALA_PROFILE and
OIC_CASH_TO_CORRIDOR. Countries and corridor lists only ever add weight to an alert that
fired on behaviour."""

from __future__ import annotations

from typing import Any

import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.graph import external_edges, pair_figures
from finflow.detect.institutions import (
    corridor_weight,
    is_cross_border,
    is_firm,
    is_msb,
    is_round,
)
from finflow.detect.rules import Rule, param
from finflow.detect.smuggling import band_expr
from finflow.money import money_sum

COLS = (
    "txn_id", "booked_at", "payer", "payee", "amount_gbp", "amount_paid", "currency_paid",
    "amount_received", "currency_received", "channel", "payer_bank_name", "payee_bank_name",
    "payer_country", "payee_country", "payer_msb_name", "payee_msb_name", "payer_crypto_name",
    "payee_crypto_name",
)  # fmt: skip


def _edges(tx: pl.DataFrame) -> pl.LazyFrame:
    return external_edges(tx).select(*COLS)


def _best(windows: pl.LazyFrame, key: str, score: str, at: str = "booked_at") -> pl.LazyFrame:
    return windows.sort([key, score, at], descending=[False, True, False]).unique(key, keep="first")


def _in_window(days: int) -> list[pl.Expr]:
    return [
        pl.col("booked_at") >= pl.col("win"),
        pl.col("booked_at") < pl.col("win") + pl.duration(days=days),
    ]


def msb_nexus(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """A bank customer making or receiving many payments with MSBs or crypto exchanges."""
    days = int(param(rule, "window_days"))
    edges = _edges(tx)
    firm_payee, firm_payer = is_firm(rule, "payee"), is_firm(rule, "payer")
    events = pl.concat(
        [
            edges.filter(firm_payee & ~firm_payer).select(
                "txn_id", "booked_at", "amount_gbp", "amount_paid",
                account="payer", firm="payee", country="payee_country",
            ),
            edges.filter(firm_payer & ~firm_payee).select(
                "txn_id", "booked_at", "amount_gbp", "amount_paid",
                account="payee", firm="payer", country="payer_country",
            ),
        ]
    ).sort("booked_at")  # fmt: skip
    need = int(param(rule, "min_payments"))
    windows = (
        events.group_by_dynamic("booked_at", every="1d", period=f"{days}d", group_by="account")
        .agg(n=pl.len(), total=money_sum(pl.col("amount_gbp")))
        .filter(pl.col("n") >= need, pl.col("total") >= float(param(rule, "min_total_gbp")))
    )
    best = _best(windows, "account", "n").select("account", win="booked_at")
    unit = float(param(rule, "round_unit"))
    found = (
        events.join(best, on="account")
        .filter(*_in_window(days))
        .group_by("account")
        .agg(
            pl.col("txn_id"),
            pl.col("firm").unique().sort().alias("firms"),
            pl.col("country"),
            first=pl.col("booked_at").min(),
            last=pl.col("booked_at").max(),
            total=money_sum(pl.col("amount_gbp")),
            n=pl.len(),
            round_share=is_round("amount_paid", unit).mean(),
            amount_cv=pl.col("amount_gbp").std(ddof=0) / pl.col("amount_gbp").mean(),
            gap_cv=pl.col("booked_at").sort().diff().dt.total_seconds().drop_nulls().std(ddof=0)
            / pl.col("booked_at").sort().diff().dt.total_seconds().drop_nulls().mean(),
        )
        # A standing remittance (similar sums at regular intervals: family support by the
        # week or month) is the commonest use of a money transfer firm, not a nexus.
        .filter(
            ~(
                (pl.col("amount_cv") <= float(param(rule, "standing_max_amount_cv")))
                & (pl.col("gap_cv").fill_nan(0.0) <= float(param(rule, "standing_max_gap_cv")))
            )
        )
        .sort("account")
        .collect()
    )
    bonus = float(param(rule, "round_weight_bonus"))
    alerts = []
    for row in found.iter_rows(named=True):
        alert = make_alert(
            rule, row["account"], row["firms"], row["txn_id"], row["first"], row["last"],
            {
                "payments_with_msb_or_exchange": row["n"],
                "firms": len(row["firms"]),
                "total_gbp": row["total"],
                "round_sum_share": row["round_share"],
                "window_days": days,
            },
        )  # fmt: skip
        alert["weight"] = round(alert["weight"] * (1 + bonus * row["round_share"]), 4)
        alerts.append(corridor_weight(rule, alert, row["country"], row["first"]))
    return alerts


def round_cross_border(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """Several round-sum transfers abroad by one account within a month."""
    days = int(param(rule, "window_days"))
    unit = float(param(rule, "round_unit"))
    abroad = (
        _edges(tx)
        .filter(
            is_cross_border() | is_msb(rule, "payee"),
            pl.col("amount_gbp") >= float(param(rule, "min_amount_gbp")),
        )
        .with_columns(round=is_round("amount_paid", unit))
        .sort("booked_at")
    )
    sent = abroad.filter(pl.col("round"))
    windows = (
        abroad.group_by_dynamic("booked_at", every="1d", period=f"{days}d", group_by="payer")
        .agg(n=pl.col("round").sum(), share=pl.col("round").mean())
        .filter(
            pl.col("n") >= int(param(rule, "min_transfers")),
            pl.col("share") >= float(param(rule, "min_round_share")),
        )
    )
    best = _best(windows, "payer", "n").select("payer", win="booked_at")
    found = (
        sent.join(best, on="payer")
        .filter(*_in_window(days))
        .group_by("payer")
        .agg(
            pl.col("txn_id"),
            pl.col("payee").unique().sort().alias("payees"),
            pl.col("payee_country"),
            first=pl.col("booked_at").min(),
            last=pl.col("booked_at").max(),
            total=money_sum(pl.col("amount_gbp")),
            n=pl.len(),
            most_to_one=pl.col("payee").value_counts().struct.field("count").max(),
        )
        # Repeated: payments for a service or a settlement go to the same counterpart again;
        # round sums to as many different accounts abroad are one-off purchases.
        .filter(pl.col("most_to_one") >= int(param(rule, "min_transfers_to_one_payee")))
        .sort("payer")
        .collect()
    )
    alerts = []
    for row in found.iter_rows(named=True):
        alert = make_alert(
            rule, row["payer"], row["payees"], row["txn_id"], row["first"], row["last"],
            {
                "round_transfers_abroad": row["n"], "most_to_one_payee": row["most_to_one"],
                "total_gbp": row["total"], "window_days": days,
            },
        )  # fmt: skip
        alerts.append(corridor_weight(rule, alert, row["payee_country"], row["first"]))
    return alerts


def escrow(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """Payers each paying one agent exactly twice, a deposit then a different balance, days
    apart, the two together inside the crossing-price band."""
    lo_days, hi_days = int(param(rule, "min_gap_days")), int(param(rule, "max_gap_days"))
    # Only pairs of exactly two payments the right number of days apart, into payees with
    # enough such payers, can pass: the per-pair lists below are built for those alone.
    gap = pl.col("last") - pl.col("first")
    two = (
        pair_figures(tx)
        .lazy()
        .filter(
            pl.col("payments") == 2,
            gap >= pl.duration(days=lo_days),
            gap <= pl.duration(days=hi_days),
        )
        .filter(pl.len().over("payee") >= int(param(rule, "min_payers")))
        .select("payer", "payee")
    )
    pairs = (
        _edges(tx)
        .join(two, on=["payer", "payee"], how="semi")
        .sort("booked_at")
        .group_by("payer", "payee")
        .agg(
            pl.col("txn_id"),
            pl.col("amount_received"),
            n=pl.len(),
            first=pl.col("booked_at").first(),
            booked_at=pl.col("booked_at").last(),
            currency_received=pl.col("currency_received").first(),
            amount_gbp=money_sum(pl.col("amount_gbp")),
            currencies=pl.col("currency_received").n_unique(),
        )
        .filter(pl.col("n") == 2, pl.col("currencies") == 1)
        .with_columns(
            gap=pl.col("booked_at") - pl.col("first"),
            a1=pl.col("amount_received").list.first(),
            a2=pl.col("amount_received").list.last(),
        )
        .with_columns(amount_received=pl.col("a1") + pl.col("a2"))
        .filter(
            pl.col("gap") >= pl.duration(days=lo_days),
            pl.col("gap") <= pl.duration(days=hi_days),
            # A deposit then a balance, not two equal instalments (rent, subscriptions).
            (pl.col("a1") - pl.col("a2")).abs() / pl.max_horizontal("a1", "a2")
            >= float(param(rule, "min_amount_difference")),
            # ...and the smaller one is a real part of the price, not a token payment.
            pl.min_horizontal("a1", "a2") / (pl.col("a1") + pl.col("a2"))
            >= float(param(rule, "min_part_share")),
            band_expr(rule),
        )
    )
    found = (
        pairs.group_by("payee")
        .agg(
            pl.col("txn_id").explode(),
            pl.col("payer").sort().alias("payers"),
            first=pl.col("first").min(),
            last=pl.col("booked_at").max(),
            total=money_sum(pl.col("amount_gbp")),
        )
        .filter(pl.col("payers").list.len() >= int(param(rule, "min_payers")))
        .collect()
    )
    # Every payer of those payees alone (not of every account), for the share.
    all_payers = (
        _edges(tx)
        .join(found.lazy().select("payee"), on="payee", how="semi")
        .group_by("payee")
        .agg(all_payers=pl.col("payer").n_unique())
    )
    found = (
        found.lazy()
        .join(all_payers, on="payee")
        .filter(
            pl.col("payers").list.len()
            >= float(param(rule, "min_share_of_payers")) * pl.col("all_payers")
        )
        .sort("payee")
        .collect()
    )
    return [
        make_alert(
            rule,
            row["payee"],
            row["payers"],
            row["txn_id"],
            row["first"],
            row["last"],
            {"payers_paying_deposit_and_balance": len(row["payers"]), "total_gbp": row["total"]},
        )
        for row in found.iter_rows(named=True)
    ]


def hawala_profile(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """Many small credits from many people against a few large payments abroad that carry
    almost exactly what came in (informal value transfer settled in bulk)."""
    days = int(param(rule, "window_days"))
    edges = _edges(tx)
    credits = edges.filter(pl.col("channel").is_in(list(param(rule, "credit_channels")))).select(
        "txn_id", "booked_at", "amount_gbp", account="payee", other="payer"
    )
    large = float(param(rule, "large_payment_gbp"))
    settle = edges.filter(is_cross_border(), pl.col("amount_gbp") >= large).select(
        "txn_id", "booked_at", "amount_gbp", "payee_country", account="payer", other="payee"
    )
    cand = (
        credits.group_by("account")
        .agg(n=pl.len())
        .filter(pl.col("n") >= int(param(rule, "min_credits")))
        .join(settle.select("account").unique(), on="account", how="semi")
        .select("account")
    )
    credits = credits.join(cand, on="account", how="semi").sort("booked_at")
    windows = (
        credits.group_by_dynamic("booked_at", every="1d", period=f"{days}d", group_by="account")
        .agg(
            n=pl.len(),
            payers=pl.col("other").n_unique(),
            credited=money_sum(pl.col("amount_gbp")),
            median_credit=pl.col("amount_gbp").median(),
        )
        .filter(
            pl.col("n") >= int(param(rule, "min_credits")),
            pl.col("payers") >= int(param(rule, "min_payers")),
            # Small receipts, the size of a remittance: a business taking payments of
            # thousands from its customers and paying suppliers abroad is trade.
            pl.col("median_credit") <= float(param(rule, "max_median_credit_gbp")),
        )
        .select(
            "account",
            "median_credit",
            win="booked_at",
            n="n",
            payers="payers",
            credited="credited",
        )
    )
    out = (
        settle.join(windows, on="account")
        .filter(*_in_window(days))
        .group_by("account", "win")
        .agg(
            pl.col("txn_id").alias("out_txn"),
            pl.col("other").unique().sort().alias("dests"),
            pl.col("payee_country"),
            n_out=pl.len(),
            paid=money_sum(pl.col("amount_gbp")),
        )
        .join(windows, on=["account", "win"])
        .with_columns(ratio=pl.col("paid") / pl.col("credited"))
        .filter(
            pl.col("n_out") <= int(param(rule, "max_large_payments")),
            pl.col("ratio").is_between(*param(rule, "out_in_ratio")),
        )
    )
    best = _best(out, "account", "n", at="win").collect()
    if best.is_empty():
        return []
    ev = (
        credits.join(best.lazy().select("account", "win"), on="account")
        .filter(*_in_window(days))
        .group_by("account")
        .agg(
            pl.col("txn_id").alias("in_txn"),
            first=pl.col("booked_at").min(),
            last=pl.col("booked_at").max(),
        )
        .collect()
    )
    alerts = []
    for row in best.join(ev, on="account").sort("account").iter_rows(named=True):
        alert = make_alert(
            rule, row["account"], row["dests"], [*row["in_txn"], *row["out_txn"]],
            row["first"], row["last"],
            {
                "credits": row["n"], "payers": row["payers"], "credited_gbp": row["credited"],
                "median_credit_gbp": row["median_credit"],
                "large_payments_abroad": row["n_out"], "paid_abroad_gbp": row["paid"],
                "out_in_ratio": row["ratio"], "window_days": days,
            },
        )  # fmt: skip
        alerts.append(corridor_weight(rule, alert, row["payee_country"], row["first"]))
    return alerts


def cash_to_corridor(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """Cash paid in, then most of it sent abroad or through a money-service business."""
    days, hours = int(param(rule, "window_days")), int(param(rule, "onward_hours"))
    edges = _edges(tx)
    cash = (
        edges.filter(pl.col("channel") == "cash")
        .select("txn_id", "booked_at", "amount_gbp", account="payee")
        .sort("booked_at")
    )
    windows = (
        cash.group_by_dynamic("booked_at", every="1d", period=f"{days}d", group_by="account")
        .agg(cash_in=money_sum(pl.col("amount_gbp")), n_cash=pl.len())
        .filter(
            pl.col("cash_in") >= float(param(rule, "min_cash_gbp")),
            # Cash gathered: several deposits. One sum of cash sent home is a private sale.
            pl.col("n_cash") >= int(param(rule, "min_cash_credits")),
        )
    )
    best = _best(windows, "account", "cash_in").select(
        "account", win="booked_at", cash_in="cash_in"
    )
    paid_in = (
        cash.join(best, on="account")
        .filter(*_in_window(days))
        .group_by("account")
        .agg(
            pl.col("txn_id").alias("in_txn"),
            first=pl.col("booked_at").min(),
            last_cash=pl.col("booked_at").max(),
            cash_in=pl.col("cash_in").first(),
        )
    )
    out = (
        edges.filter(is_cross_border() | is_msb(rule, "payee"))
        .join(paid_in, left_on="payer", right_on="account")
        .filter(
            pl.col("booked_at") > pl.col("first"),
            pl.col("booked_at") <= pl.col("last_cash") + pl.duration(hours=hours),
        )
        .group_by("payer")
        .agg(
            pl.col("txn_id").alias("out_txn"),
            pl.col("payee").unique().sort().alias("dests"),
            pl.col("payee_country"),
            sent=money_sum(pl.col("amount_gbp")),
            last=pl.col("booked_at").max(),
        )
    )
    found = (
        paid_in.join(out, left_on="account", right_on="payer")
        .filter(pl.col("sent") >= float(param(rule, "min_onward_share")) * pl.col("cash_in"))
        .sort("account")
        .collect()
    )
    alerts = []
    for row in found.iter_rows(named=True):
        alert = make_alert(
            rule, row["account"], row["dests"], [*row["in_txn"], *row["out_txn"]],
            row["first"], row["last"],
            {
                "cash_in_gbp": row["cash_in"], "sent_abroad_or_msb_gbp": row["sent"],
                "onward_share": row["sent"] / row["cash_in"], "window_days": days,
                "onward_hours": hours,
            },
        )  # fmt: skip
        alerts.append(corridor_weight(rule, alert, row["payee_country"], row["first"]))
    return alerts
