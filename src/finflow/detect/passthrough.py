"""OIC_PASS_THROUGH: credits that leave again within hours, on an account that holds little.

Measured on the account's balance walk (see `finflow.detect.balance`), not by counting any debit
that follows any credit: a busy account always has some debit within 48 hours of some credit,
but only a conduit sees each large credit leave the balance it raised. A mule that keeps some
money of its own (a larger balance) qualifies when it forwards the credits, again and again, to
one and the same account.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.balance import (
    average_balance,
    balance_walk,
    credit_retention,
    events,
    without_returns,
)
from finflow.detect.graph import external_edges
from finflow.detect.rules import Rule, param
from finflow.money import money_sum

DAY_S = 86_400.0


def pass_through(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """Accounts where repeated large credits left within `hours` and the balance stayed tiny."""
    hours = int(param(rule, "hours"))
    month_days = float(param(rule, "turnover_days"))
    edges = external_edges(tx).select("txn_id", "booked_at", "payer", "payee", "amount_gbp")
    min_credit = float(param(rule, "min_credit_gbp"))
    small_balance = float(param(rule, "max_balance_to_turnover"))
    forwarder_balance = float(param(rule, "forwarder_max_balance_to_turnover"))
    # Only accounts with large credits on enough days can qualify: walk just those.
    candidates = (
        edges.filter(pl.col("amount_gbp") >= min_credit)
        .group_by("payee")
        .agg(days=pl.col("booked_at").dt.date().n_unique(), big=money_sum(pl.col("amount_gbp")))
        .filter(
            pl.col("days") >= int(param(rule, "min_episodes")),
            pl.col("big") >= float(param(rule, "min_passed_gbp")),
        )
        .select(account="payee")
    )
    ev = events(edges).join(candidates, on="account", how="semi")
    if bool(param(rule, "exclude_returns_to_payers")):
        ev = without_returns(ev)
    walk = balance_walk(ev).collect().lazy()
    credits = credit_retention(walk, hours).with_columns(
        passed=(pl.col("signed") >= min_credit)
        & (pl.col("left") >= float(param(rule, "min_out_share")) * pl.col("signed"))
    )
    span = walk.group_by("account").agg(
        span_days=(pl.col("booked_at").max() - pl.col("booked_at").min()).dt.total_seconds() / DAY_S
    )
    found = (
        credits.group_by("account")
        .agg(
            credited=money_sum(pl.col("signed")),
            n_credits=pl.len(),
            passed_gbp=money_sum(pl.col("signed").filter(pl.col("passed"))),
            left_gbp=money_sum(pl.col("left").filter(pl.col("passed"))),
            n_passed=pl.col("passed").sum(),
            episodes=pl.col("booked_at").filter(pl.col("passed")).dt.date().n_unique(),
        )
        .filter(
            pl.col("episodes") >= int(param(rule, "min_episodes")),
            pl.col("passed_gbp") >= float(param(rule, "min_passed_gbp")),
            pl.col("passed_gbp") >= float(param(rule, "min_passed_share")) * pl.col("credited"),
        )
        .join(average_balance(walk).drop("_group"), on="account")
        .join(span, on="account")
        .with_columns(
            turnover=pl.col("credited") * month_days / pl.max_horizontal("span_days", month_days)
        )
        .with_columns(balance_ratio=pl.col("avg_balance") / pl.col("turnover"))
        .filter(pl.col("balance_ratio") <= max(small_balance, forwarder_balance))
        .collect()
    )
    if found.is_empty():
        return []
    accounts = found.lazy().select("account")
    passed = credits.filter(pl.col("passed")).join(accounts, on="account", how="semi")
    # The debits that carried each passed credit away: booked within `hours` after it.
    carried = (
        walk.filter(pl.col("signed") < 0)
        .join(accounts, on="account", how="semi")
        .sort("booked_at")
        .join_asof(
            passed.select("account", "booked_at", credit_at="booked_at").sort("booked_at"),
            on="booked_at",
            by="account",
            strategy="backward",
            tolerance=f"{hours}h",
            check_sortedness=False,
        )
        .filter(pl.col("credit_at").is_not_null())
    )
    # The large credits that fed those debits: booked within `hours` before one of them (a
    # batch of credits paid on together counts whole, not only the last, which the balance
    # walk credits with the passing).
    fed = (
        walk.filter(pl.col("signed") >= min_credit)
        .join(accounts, on="account", how="semi")
        .sort("booked_at")
        .join_asof(
            carried.select("account", "booked_at", debit_at="booked_at").sort("booked_at"),
            on="booked_at",
            by="account",
            strategy="forward",
            tolerance=f"{hours}h",
            check_sortedness=False,
        )
        .filter(pl.col("debit_at").is_not_null())
        .group_by("account")
        .agg(fed_gbp=money_sum(pl.col("signed")))
        .collect()
    )
    evidence = (
        pl.concat(
            [
                passed.select("account", "txn_id", "booked_at", "counterparty", "signed"),
                carried.select("account", "txn_id", "booked_at", "counterparty", "signed"),
            ]
        )
        .unique(["account", "txn_id"])
        .group_by("account")
        .agg(
            pl.col("txn_id").sort(),
            pl.col("counterparty").unique().sort().alias("others"),
            first=pl.col("booked_at").min(),
            last=pl.col("booked_at").max(),
            carried_gbp=-money_sum(pl.col("signed").filter(pl.col("signed") < 0)),
        )
        .collect()
    )
    forwarded = _largest_payee(carried).collect()
    # The credits were passed on, not swamped by the account's own spending: what left in the
    # hours after them is not much more than the large credits that came in just before (a
    # mule's balance returns to where it was; a busy account paying out more than it received
    # is living on its own money).
    found = (
        found.join(evidence, on="account")
        .join(fed, on="account", how="left")
        .with_columns(fed_gbp=pl.max_horizontal(pl.col("fed_gbp").fill_null(0.0), "passed_gbp"))
        .join(forwarded, on="account", how="left")
        .filter(
            pl.col("carried_gbp") <= float(param(rule, "max_carried_ratio")) * pl.col("fed_gbp"),
            (pl.col("balance_ratio") <= small_balance)
            | (
                (pl.col("balance_ratio") <= forwarder_balance)
                & (
                    pl.col("to_payee_gbp")
                    >= float(param(rule, "forwarder_min_payee_share")) * pl.col("carried_gbp")
                )
                & (pl.col("to_payee_payments") >= int(param(rule, "forwarder_min_payments")))
            ),
        )
    )
    alerts = []
    for row in found.sort("account").iter_rows(named=True):
        alerts.append(
            make_alert(
                rule,
                row["account"],
                row["others"],
                row["txn_id"],
                row["first"],
                row["last"],
                {
                    "credits": row["n_credits"],
                    "credited_gbp": row["credited"],
                    "credits_passed_through": row["n_passed"],
                    "passed_through_gbp": row["passed_gbp"],
                    "left_within_hours_gbp": row["left_gbp"],
                    "paid_out_within_hours_gbp": row["carried_gbp"],
                    "episodes": row["episodes"],
                    "average_balance_gbp": row["avg_balance"],
                    "monthly_turnover_gbp": row["turnover"],
                    "balance_to_turnover": row["balance_ratio"],
                    "largest_payee_gbp": row["to_payee_gbp"],
                    "payments_to_largest_payee": row["to_payee_payments"],
                    "hours": hours,
                },
            )
        )
    return alerts


def _largest_payee(carried: pl.LazyFrame) -> pl.LazyFrame:
    """Per account: the payee that the pass-through debits paid most (``to_payee_gbp``) and how
    many of those debits went to it (``to_payee_payments``; ties broken by payee key)."""
    return (
        carried.group_by("account", "counterparty")
        .agg(to_payee_gbp=-money_sum(pl.col("signed")), to_payee_payments=pl.len())
        .sort("account", "to_payee_gbp", "counterparty", descending=[False, True, False])
        .group_by("account", maintain_order=True)
        .first()
        .select("account", "to_payee_gbp", "to_payee_payments")
    )
