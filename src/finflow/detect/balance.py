"""An account's balance walk rebuilt from its own payments, and how fast credits leave it.

Statements rarely come with balances, so the walk starts from the smallest opening balance the
data allow: ``B0 = max(0, -min(cumsum(credits - debits)))`` (the account never goes below
zero). On that walk, each credit *left within h hours* by the part of it not still held
``h`` hours later: ``left = clip(c - (B(t + h) - B(t-)), 0, c)``, where ``B(t-)`` is the
balance just before the credit. Money that arrives and is paid on inside ``h`` hours leaves
the balance where it was; a wage spent over the month raises it for weeks.
"""

from __future__ import annotations

import polars as pl

EVENT_SCHEMA = ("account", "booked_at", "txn_id", "signed", "counterparty")


def events(edges: pl.LazyFrame) -> pl.LazyFrame:
    """One row per account per payment: credits positive, debits negative (unordered)."""
    credits = edges.select(
        account="payee",
        booked_at="booked_at",
        txn_id="txn_id",
        signed=pl.col("amount_gbp"),
        counterparty="payer",
    )
    debits = edges.select(
        account="payer",
        booked_at="booked_at",
        txn_id="txn_id",
        signed=-pl.col("amount_gbp"),
        counterparty="payee",
    )
    return pl.concat([credits, debits])


def balance_walk(ev: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``balance`` (after the event) and ``before`` on the minimal consistent walk.

    Each account's rows come back together in booking order (a credit before a debit booked at
    the same moment: money must arrive to leave). Accounts are grouped by an integer ``_group``
    (a hash of the account, which sorts and groups far faster than text); should two accounts
    share a hash, the groups fall back to an exact dense rank of the account.
    """
    frame = ev.with_columns(_group=pl.col("account").hash()).collect()
    if frame["_group"].n_unique() != frame["account"].n_unique():
        frame = frame.with_columns(_group=pl.col("account").rank("dense").cast(pl.UInt64))
    walk = (
        frame.lazy()
        .with_columns(_debit=pl.col("signed") < 0)
        .sort("_group", "booked_at", "_debit")
        .drop("_debit")
        .with_columns(run=pl.col("signed").cum_sum().over("_group"))
    )
    return walk.with_columns(
        opening=pl.max_horizontal(-pl.col("run").min().over("_group"), pl.lit(0.0))
    ).with_columns(
        balance=pl.col("opening") + pl.col("run"),
        before=pl.col("opening") + pl.col("run") - pl.col("signed"),
    )


def credit_retention(walk: pl.LazyFrame, hours: int) -> pl.LazyFrame:
    """Each credit with ``left``: the part of it no longer held ``hours`` after it arrived.

    The as-of join runs per account group on the walk's order (booking order within a group).
    """
    credits = walk.filter(pl.col("signed") > 0).with_columns(
        horizon=pl.col("booked_at") + pl.duration(hours=hours)
    )
    later = walk.select("_group", horizon="booked_at", balance_later="balance")
    return credits.join_asof(
        later, on="horizon", by="_group", strategy="backward", check_sortedness=False
    ).with_columns(
        left=(pl.col("signed") - (pl.col("balance_later") - pl.col("before")).clip(0.0, None)).clip(
            0.0, pl.col("signed")
        )
    )


def average_balance(walk: pl.LazyFrame) -> pl.LazyFrame:
    """Time-weighted mean balance of each account between its first and last payment."""
    held = walk.with_columns(
        held_s=(pl.col("booked_at").shift(-1).over("_group") - pl.col("booked_at"))
        .dt.total_seconds()
        .fill_null(0)
    )
    return held.group_by("_group").agg(
        account=pl.col("account").first(),
        avg_balance=pl.when(pl.col("held_s").sum() > 0)
        .then((pl.col("balance") * pl.col("held_s")).sum() / pl.col("held_s").sum())
        .otherwise(pl.col("balance").mean()),
    )


def without_returns(ev: pl.LazyFrame) -> pl.LazyFrame:
    """Drop debits paid back to an account that has itself paid this account.

    Money handed back to the people who paid it in (a savings-club pot, a refund, a loan
    repaid) is not money passed on to a third party.
    """
    payers = ev.filter(pl.col("signed") > 0).select("account", "counterparty").unique()
    debits = ev.filter(pl.col("signed") < 0).join(
        payers, on=["account", "counterparty"], how="anti"
    )
    return pl.concat([ev.filter(pl.col("signed") > 0), debits])
