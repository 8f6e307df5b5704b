"""Graph laundering patterns: fan-in and fan-out (bursts of new counterparties).

Cycles are in `finflow.detect.cycles`; `external_edges` is shared by every detector.
"""

from __future__ import annotations

import logging
from typing import Any

import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.rules import Rule, param
from finflow.money import money_sum

log = logging.getLogger(__name__)


def external_edges(tx: pl.DataFrame) -> pl.LazyFrame:
    """Payments between different parties (self and same-entity transfers excluded)."""
    return tx.lazy().filter(~pl.col("internal"))


def fan(tx: pl.DataFrame, rule: Rule, direction: str) -> list[dict[str, Any]]:
    """FAN_OUT (`direction="out"`) or FAN_IN: a burst of new counterparties inside a window.

    A counterparty counts when the hub dealt with it only inside the window (a new, one-off
    relationship); the burst must stand out against the hub's own activity elsewhere in the
    data, and move a material sum. Windows start at midnight, as calendar days.

    Work is on payer-payee pairs, not payments: a pair is one-off when all its payments fall
    within `window_days`, and it lies inside each window starting on a day from
    ``day(last) - window_days + 1`` to ``day(first)``, so windows are counted by exploding each
    one-off pair over at most `window_days` start days.
    """
    hub, other = ("payer", "payee") if direction == "out" else ("payee", "payer")
    days = int(param(rule, "window_days"))
    lo, hi = int(param(rule, "min_counterparties")), int(param(rule, "max_counterparties"))
    burst = float(param(rule, "min_burst_ratio"))
    tol = float(param(rule, "price_tolerance"))
    same_share = float(param(rule, "max_share_at_shared_price"))
    edges = external_edges(tx).select("txn_id", "booked_at", "payer", "payee", "amount_gbp")
    pairs = (
        edges.group_by(hub, other)
        .agg(
            first=pl.col("booked_at").min(),
            last=pl.col("booked_at").max(),
            total_gbp=money_sum(pl.col("amount_gbp")),
        )
        .collect()
    )
    usual = (
        pairs.lazy()
        .group_by(hub)
        .agg(start=pl.col("first").min(), end=pl.col("last").max(), all_others=pl.len())
    )
    one_off = (
        pairs.lazy()
        .filter(pl.col("last") - pl.col("first") < pl.duration(days=days))
        .with_columns(
            d_first=pl.col("first").dt.date().cast(pl.Int32),
            d_last=pl.col("last").dt.date().cast(pl.Int32),
        )
        .filter(pl.len().over(hub) >= lo)
    )
    windows = (
        one_off.with_columns(win=pl.int_ranges(pl.col("d_last") - days + 1, pl.col("d_first") + 1))
        .explode("win")
        # A counterparty "shares a price" when another one in the window paid within +/- tol
        # of its amount (its neighbours in amount order are the nearest).
        .sort(hub, "win", "total_gbp")
        .with_columns(
            _gap=pl.min_horizontal(
                pl.col("total_gbp") - pl.col("total_gbp").shift(1).over(hub, "win"),
                pl.col("total_gbp").shift(-1).over(hub, "win") - pl.col("total_gbp"),
            )
        )
        .group_by(hub, "win")
        .agg(
            n_new=pl.len(),
            same_amount=(pl.col("_gap") <= tol * pl.col("total_gbp")).fill_null(False).mean(),
            amount_cv=pl.col("total_gbp").std(ddof=0) / pl.col("total_gbp").mean(),
            total_gbp=money_sum(pl.col("total_gbp")),
        )
        .filter(
            pl.col("n_new").is_between(lo, hi),
            pl.col("amount_cv").is_between(
                float(param(rule, "min_amount_cv")), float(param(rule, "max_amount_cv"))
            ),
            pl.col("total_gbp") >= float(param(rule, "min_total_gbp")),
            # Most counterparties paying one of a few prices is a fixed-price collection or
            # payment run (rents, club dues, fees, wages): not funds being gathered.
            pl.col("same_amount") < same_share,
        )
        .sort([hub, "n_new", "win"], descending=[False, True, False])
        .unique(hub, keep="first")
        .join(usual, on=hub)
        .with_columns(
            outside_days=(
                (pl.col("end") - pl.col("start")).dt.total_seconds() / 86_400.0 - days
            ).clip(1.0, None),
        )
        .with_columns(
            baseline=(pl.col("all_others") - pl.col("n_new")) * days / pl.col("outside_days")
        )
        .filter(pl.col("n_new") >= burst * pl.col("baseline"))
        .select(hub, "win", "n_new", "baseline", "total_gbp", "same_amount", "amount_cv")
    )
    chosen = (
        one_off.join(windows.select(hub, "win"), on=hub)
        .filter(pl.col("d_first") >= pl.col("win"), pl.col("d_last") < pl.col("win") + days)
        .select(hub, other)
    )
    evidence = (
        edges.join(chosen, on=[hub, other], how="semi")
        .group_by(hub)
        .agg(
            pl.col("txn_id"),
            pl.col(other).unique().sort().alias("others"),
            first=pl.col("booked_at").min(),
            last=pl.col("booked_at").max(),
            n_payments=pl.len(),
        )
        .join(windows, on=hub)
        .sort(hub)
        .collect()
    )
    alerts = []
    for row in evidence.iter_rows(named=True):
        alerts.append(
            make_alert(
                rule,
                row[hub],
                row["others"],
                row["txn_id"],
                row["first"],
                row["last"],
                {
                    "new_counterparties": row["n_new"],
                    "usual_counterparties_per_window": row["baseline"],
                    "share_at_a_shared_price": row["same_amount"],
                    "amount_variation": row["amount_cv"],
                    "payments": row["n_payments"],
                    "total_gbp": row["total_gbp"],
                    "window_days": days,
                },
            )
        )
    return alerts
