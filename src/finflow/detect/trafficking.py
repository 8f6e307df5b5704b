"""Trafficking (HT) indicators: wages swept to a controller, regular payments to one person,
and a controller pooling workers' wages and sending them abroad (DOMAIN.md section 2)."""

from __future__ import annotations

from typing import Any

import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.graph import busy_accounts, external_edges, per_frame
from finflow.detect.institutions import is_cross_border, is_firm, is_msb
from finflow.detect.rules import Rule, param
from finflow.money import money_sum

CASH = "(cash withdrawn)"


SWEEP_PARAMS = (
    "min_payroll_payees",
    "min_salary_gbp",
    "sweep_hours",
    "min_sweep_share",
    "max_sweep_share",
    "max_pay_cv",
    "min_periods",
)
"""The parameters `sweeps` reads: rules giving them the same values share one computation."""


def sweeps(tx: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    """Salary credits that were >= `min_sweep_share` moved on to one third party (or drawn in
    cash) within `sweep_hours`: one row per (worker, destination) with >= `min_periods` such
    pay periods. A salary credit comes from an account that pays at least
    `min_payroll_payees` different accounts on one day (a payroll run).

    Computed once per frame for each set of `SWEEP_PARAMS` values (HT_WAGE_SWEEP and
    HT_POOLED_REMITTANCE read the same sweeps).
    """
    key = "sweeps " + repr([param(rule, name) for name in SWEEP_PARAMS])
    return per_frame(tx, key, lambda frame: _sweeps(frame, rule))


def _sweeps(tx: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    hours = int(param(rule, "sweep_hours"))
    edges = external_edges(tx).select(
        "txn_id", "booked_at", "payer", "payee", "amount_gbp", "channel"
    )
    payroll = (
        edges.group_by("payer", pl.col("booked_at").dt.date().alias("day"))
        .agg(n=pl.col("payee").n_unique())
        .filter(pl.col("n") >= int(param(rule, "min_payroll_payees")))
        .select("payer")
        .unique()
    )
    salary = (
        edges.join(payroll, on="payer", how="semi")
        .filter(pl.col("amount_gbp") >= float(param(rule, "min_salary_gbp")))
        .select(
            sal_txn="txn_id", sal_at="booked_at", employer="payer", worker="payee", pay="amount_gbp"
        )
    )
    debits = edges.select(
        out_txn="txn_id",
        out_at="booked_at",
        worker="payer",
        dest=pl.when(pl.col("channel") == "cash").then(pl.lit(CASH)).otherwise(pl.col("payee")),
        out="amount_gbp",
    )
    moved = (
        salary.join(debits, on="worker")
        .filter(
            pl.col("out_at") > pl.col("sal_at"),
            pl.col("out_at") <= pl.col("sal_at") + pl.duration(hours=hours),
            pl.col("dest") != pl.col("employer"),
        )
        .group_by("sal_txn", "dest")
        .agg(
            pl.col("out_txn"),
            pl.col("worker").first(),
            pl.col("employer").first(),
            sal_at=pl.col("sal_at").first(),
            pay=pl.col("pay").first(),
            out=money_sum(pl.col("out")),
            last=pl.col("out_at").max(),
        )
        .filter(
            pl.col("out").is_between(
                float(param(rule, "min_sweep_share")) * pl.col("pay"),
                float(param(rule, "max_sweep_share")) * pl.col("pay"),
            )
        )
    )
    # Pay periods are the same employer's regular pay: one employer, similar amounts.
    return (
        moved.group_by("worker", "dest", "employer")
        .agg(
            pl.col("sal_txn"),
            pl.col("out_txn").explode(),
            pl.col("employer").first().alias("employers").implode(),
            pay_cv=pl.col("pay").std() / pl.col("pay").mean(),
            periods=pl.col("sal_at").dt.date().n_unique(),
            first=pl.col("sal_at").min(),
            last=pl.col("last").max(),
            paid=money_sum(pl.col("pay")),
            swept=money_sum(pl.col("out")),
        )
        .filter(
            pl.col("periods") >= int(param(rule, "min_periods")),
            pl.col("pay_cv").fill_null(0.0) <= float(param(rule, "max_pay_cv")),
        )
        .sort("worker", "dest", "employer")
        .collect()
    )


def wage_sweep(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """HT_WAGE_SWEEP: one alert per worker; stronger when several sweep to the same payee."""
    found = sweeps(tx, rule)
    per_dest = found.group_by("dest").agg(workers=pl.col("worker").n_unique())
    found = found.join(per_dest, on="dest").sort("worker", "dest")
    many = int(param(rule, "min_workers_same_payee"))
    bonus = float(param(rule, "same_payee_weight_bonus"))
    alerts = []
    for row in found.iter_rows(named=True):
        dest = [] if row["dest"] == CASH else [row["dest"]]
        alert = make_alert(
            rule,
            row["worker"],
            [*row["employers"], *dest],
            [*row["sal_txn"], *row["out_txn"]],
            row["first"],
            row["last"],
            {
                "swept_to": row["dest"],
                "pay_periods_swept": row["periods"],
                "salary_gbp": row["paid"],
                "swept_gbp": row["swept"],
                "workers_sweeping_to_same_payee": row["workers"] if dest else 1,
            },
        )
        if dest and row["workers"] >= many:
            alert["weight"] = round(alert["weight"] * (1 + bonus), 4)
        alerts.append(alert)
    return alerts


def debt_bondage(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """HT_DEBT_BONDAGE: several people each paying one person regular, similar sums."""
    need = int(param(rule, "min_payments_each"))
    edges = external_edges(tx).select("txn_id", "booked_at", "payer", "payee", "amount_gbp")
    # A money-service business or exchange collecting its customers' regular remittances is
    # not one person collecting from others.
    to_person = external_edges(tx).filter(~is_firm(rule, "payee"))
    # Workers and their controller are people: a merchant taking its customers' card payments,
    # or a supplier paid weekly by shops (accounts dealing with many times more counterparties
    # than the usual account, on either side), is trade.
    busy = busy_accounts(tx, float(param(rule, "busy_counterparty_factor")))
    to_person = to_person.join(busy, left_on="payee", right_on="account", how="anti").join(
        busy, left_on="payer", right_on="account", how="anti"
    )
    if bool(param(rule, "exclude_cross_border")):
        # Regular sums sent abroad are family support, the commonest remittance pattern.
        to_person = to_person.filter(~is_cross_border())
    # Only pairs with enough payments, into payees with enough such payers, can pass: the
    # per-pair lists below are built for those alone.
    enough = (
        to_person.group_by("payer", "payee")
        .agg(n=pl.len())
        .filter(pl.col("n") >= need)
        .filter(pl.len().over("payee") >= int(param(rule, "min_payers")))
        .select("payer", "payee")
    )
    regular = (
        to_person.select("txn_id", "booked_at", "payer", "payee", "amount_gbp")
        .join(enough, on=["payer", "payee"], how="semi")
        .sort("booked_at")
        .group_by("payer", "payee")
        .agg(
            pl.col("txn_id"),
            n=pl.len(),
            amount_cv=pl.col("amount_gbp").std() / pl.col("amount_gbp").mean(),
            gaps=pl.col("booked_at").diff().drop_nulls().dt.total_seconds() / 86_400.0,
            first=pl.col("booked_at").min(),
            last=pl.col("booked_at").max(),
            total=money_sum(pl.col("amount_gbp")),
        )
        .filter(pl.col("n") >= need)
        .with_columns(
            gap_median=pl.col("gaps").list.median(),
            gap_cv=pl.col("gaps").list.std() / pl.col("gaps").list.mean(),
        )
        .filter(
            pl.col("amount_cv").fill_null(0.0) <= float(param(rule, "max_amount_cv")),
            pl.col("gap_cv").fill_null(0.0) <= float(param(rule, "max_gap_cv")),
            pl.col("gap_median") <= float(param(rule, "max_median_gap_days")),
        )
    )
    if bool(param(rule, "exclude_paid_back")):
        # The payee paying one of them back (a savings-club pot, a refund, a loan) is a
        # two-way relationship, not one person collecting from others.
        back = edges.select(payer="payee", payee="payer").unique()
        regular = regular.join(back, on=["payer", "payee"], how="anti")
    found = (
        regular.group_by("payee")
        .agg(
            pl.col("txn_id").explode(),
            pl.col("payer").sort().alias("payers"),
            first=pl.col("first").min(),
            last=pl.col("last").max(),
            total=money_sum(pl.col("total")),
        )
        .filter(pl.col("payers").list.len() >= int(param(rule, "min_payers")))
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
            {"payers_paying_regularly": len(row["payers"]), "total_gbp": row["total"]},
        )
        for row in found.iter_rows(named=True)
    ]


def pooled_remittance(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """HT_POOLED_REMITTANCE: a payee receiving wage sweeps from several workers and sending at
    least half of it abroad (or through a money-service business) soon after."""
    days = int(param(rule, "remit_days"))
    found = sweeps(tx, rule).filter(pl.col("dest") != CASH)
    pooled = (
        found.group_by("dest")
        .agg(
            pl.col("worker").unique().sort().alias("workers"),
            pl.col("out_txn").explode().alias("in_txn"),
            first=pl.col("first").min(),
            last_in=pl.col("last").max(),
            pooled=money_sum(pl.col("swept")),
        )
        .filter(pl.col("workers").list.len() >= int(param(rule, "min_workers")))
    )
    if pooled.is_empty():
        return []
    out = (
        external_edges(tx)
        .filter(is_cross_border() | is_msb(rule, "payee"))
        .join(pooled.lazy(), left_on="payer", right_on="dest")
        .filter(
            pl.col("booked_at") > pl.col("first"),
            pl.col("booked_at") <= pl.col("last_in") + pl.duration(days=days),
        )
        .group_by("payer")
        .agg(
            pl.col("txn_id").alias("out_txn"),
            pl.col("payee").unique().sort().alias("abroad"),
            sent=money_sum(pl.col("amount_gbp")),
            last=pl.col("booked_at").max(),
        )
        .collect()
    )
    rows = (
        pooled.join(out, left_on="dest", right_on="payer")
        .filter(
            pl.col("sent").is_between(
                float(param(rule, "min_remitted_share")) * pl.col("pooled"),
                float(param(rule, "max_remitted_share")) * pl.col("pooled"),
            )
        )
        .sort("dest")
    )
    return [
        make_alert(
            rule,
            row["dest"],
            [*row["workers"], *row["abroad"]],
            [*row["in_txn"], *row["out_txn"]],
            row["first"],
            row["last"],
            {
                "workers": len(row["workers"]),
                "pooled_gbp": row["pooled"],
                "sent_abroad_gbp": row["sent"],
                "remitted_share": row["sent"] / row["pooled"],
                "remit_days": days,
            },
        )
        for row in rows.iter_rows(named=True)
    ]
