"""Rules that read other rules' alerts: OIC_CRYPTO_RAMP (crypto-asset use around an OIC hit).

They run after every other rule, on the alerts those produced.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.graph import external_edges
from finflow.detect.institutions import is_firm
from finflow.detect.rules import Rule, param


def crypto_ramp(tx: pl.DataFrame, rule: Rule, alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An account with an OIC alert paying or paid by a crypto exchange within `hours` of it."""
    hours = int(param(rule, "hours"))
    prefix = str(param(rule, "after_rules_with_prefix"))
    spans: dict[str, list[tuple[datetime, datetime, str]]] = {}
    for alert in alerts:
        if alert["rule_id"].startswith(prefix) and alert["rule_id"] != rule.id:
            start = datetime.fromisoformat(alert["window_start"]) - timedelta(hours=hours)
            end = datetime.fromisoformat(alert["window_end"]) + timedelta(hours=hours)
            spans.setdefault(alert["primary"], []).append((start, end, alert["alert_id"]))
    if not spans:
        return []
    flagged = pl.DataFrame(
        [
            {"account": acc, "start": s, "end": e, "alert": a}
            for acc, items in sorted(spans.items())
            for s, e, a in items
        ],
        schema={
            "account": tx.schema["payer"],  # the frame's key type
            "start": pl.Datetime("us", "UTC"),
            "end": pl.Datetime("us", "UTC"),
            "alert": pl.String,
        },
    ).lazy()
    # Only the payments of flagged accounts can qualify: narrowed to those before any name is
    # matched (collected, or polars would push the matching below the joins), and exchanges
    # looked for among their counterparties only.
    accounts = flagged.select("account").unique()
    edges = external_edges(tx)
    theirs = (
        pl.concat(
            [
                edges.join(accounts, left_on="payer", right_on="account", how="semi"),
                edges.join(accounts, left_on="payee", right_on="account", how="semi"),
            ]
        )
        .unique("txn_id", maintain_order=True)
        .collect()
        .lazy()
    )
    ramp = pl.concat(
        [
            theirs.filter(is_firm(rule, "payee") & ~is_firm(rule, "payer")).select(
                "txn_id", "booked_at", "amount_gbp", account="payer", exchange="payee"
            ),
            theirs.filter(is_firm(rule, "payer") & ~is_firm(rule, "payee")).select(
                "txn_id", "booked_at", "amount_gbp", account="payee", exchange="payer"
            ),
        ]
    ).filter(pl.col("exchange").is_not_null())
    near = ramp.join(flagged, on="account").filter(
        pl.col("booked_at").is_between(pl.col("start"), pl.col("end"))
    )
    # An exchange: a counterparty whose bank's name is a crypto exchange's, or that was paid
    # or paid in a crypto-asset, in any of its payments.
    sides = pl.concat(
        [
            tx.lazy().select(key="payer", by_name="payer_crypto_name", ccy="currency_paid"),
            tx.lazy().select(key="payee", by_name="payee_crypto_name", ccy="currency_received"),
        ]
    ).join(near.select("exchange").unique(), left_on="key", right_on="exchange", how="semi")
    ccy = rule.data["reference"]["institutions"]["crypto_currencies"]
    exchanges = (
        sides.filter(pl.col("by_name") | pl.col("ccy").is_in(ccy)).select(exchange="key").unique()
    )
    found = (
        near.join(exchanges, on="exchange", how="semi")
        .group_by("account")
        .agg(
            pl.col("txn_id").unique().sort(),
            pl.col("exchange").unique().sort().alias("exchanges"),
            pl.col("alert").unique().sort().alias("after_alerts"),
            first=pl.col("booked_at").min(),
            last=pl.col("booked_at").max(),
            total=pl.col("amount_gbp").sum(),
        )
        .sort("account")
        .collect()
    )
    return [
        make_alert(
            rule,
            row["account"],
            row["exchanges"],
            row["txn_id"],
            row["first"],
            row["last"],
            {
                "crypto_payments": len(row["txn_id"]),
                "total_gbp": row["total"],
                "near_alerts": row["after_alerts"],
                "hours": hours,
            },
        )
        for row in found.iter_rows(named=True)
    ]
