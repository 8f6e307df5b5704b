"""Assemble what a case pack shows from the lake, the alerts and the scored cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from finflow.detect.frame import KEY_SEP, account_key
from finflow.money import money_sum
from finflow.schema import DETECTION_COLUMNS


def case_transactions(
    txns: pl.DataFrame, case: dict[str, Any], alerts: dict[str, dict[str, Any]]
) -> pl.DataFrame:
    """The case's evidence rows with the rule ids that cite each one (``tags``)."""
    tags: dict[str, set[str]] = {}
    for alert_id in case["alert_ids"]:
        alert = alerts[alert_id]
        for txn in alert["evidence_txn_ids"]:
            tags.setdefault(txn, set()).add(alert["rule_id"])
    tag_frame = pl.DataFrame(
        {"txn_id": list(tags), "tags": [sorted(v) for v in tags.values()]},
        schema={"txn_id": pl.String, "tags": pl.List(pl.String)},
    )
    return (
        txns.join(tag_frame, on="txn_id", how="inner")
        .select([*DETECTION_COLUMNS, "tags"])
        .sort("booked_at", "txn_id")
    )


def account_activity(all_txns: pl.LazyFrame, keys: list[str]) -> dict[str, dict[str, Any]]:
    """Credits, debits and first/last activity over the whole run for each account in `keys`.

    One pass over the transactions for every case of the run (not one pass per case).
    """
    wanted = pl.DataFrame({"key": sorted(set(keys))}, schema={"key": pl.String}).lazy()
    credits = (
        all_txns.join(wanted, left_on="payee", right_on="key", how="semi")
        .group_by(key="payee")
        .agg(
            credits_gbp=money_sum(pl.col("amount_gbp")),
            n_credits=pl.len(),
            c_first=pl.col("booked_at").min(),
            c_last=pl.col("booked_at").max(),
        )
    )
    debits = (
        all_txns.join(wanted, left_on="payer", right_on="key", how="semi")
        .group_by(key="payer")
        .agg(
            debits_gbp=money_sum(pl.col("amount_gbp")),
            n_debits=pl.len(),
            d_first=pl.col("booked_at").min(),
            d_last=pl.col("booked_at").max(),
        )
    )
    frames = pl.collect_all([wanted, credits, debits])
    activity = frames[0].join(frames[1], on="key", how="left").join(frames[2], on="key", how="left")
    return {row["key"]: row for row in activity.iter_rows(named=True)}


def account_rows(
    activity: dict[str, dict[str, Any]],
    reference: dict[str, dict[str, Any]],
    case: dict[str, Any],
    case_txns: pl.DataFrame,
) -> list[dict[str, Any]]:
    """One row per account in the case: reference data, activity over the run, role."""
    roles = _roles(case, case_txns)
    rows = []
    for key in sorted(case["account_keys"]):
        act = activity[key]
        bank, _, account = key.partition(":")
        info = reference.get(key, {})
        times = [t for t in (act["c_first"], act["c_last"], act["d_first"], act["d_last"]) if t]
        rows.append(
            {
                "key": key,
                "bank": bank,
                "account": account,
                "bank_name": info.get("bank_name") or "",
                "entity_id": info.get("entity_id") or "",
                "entity_name": info.get("entity_name") or "",
                "role": roles.get(key, "counterparty"),
                "credits_gbp": round(act["credits_gbp"] or 0.0, 2),
                "debits_gbp": round(act["debits_gbp"] or 0.0, 2),
                "n_credits": act["n_credits"] or 0,
                "n_debits": act["n_debits"] or 0,
                "first_seen": min(times).isoformat() if times else "",
                "last_seen": max(times).isoformat() if times else "",
                "alerted": key in case["alerted_accounts"],
            }
        )
    return rows


def _roles(case: dict[str, Any], case_txns: pl.DataFrame) -> dict[str, str]:
    """A role from the money flow inside the case's evidence rows.

    collector: alerted and mostly receiving from many payers; hub: 10+ counterparties;
    intermediary: both receives and pays; payer: only pays; beneficiary: only receives.
    Counted in Python: a case has few rows, and a polars group-by per case cost more than
    the rest of this function for the thousands of cases of a large run.
    """
    payees: dict[str | None, set[str | None]] = {}
    payers: dict[str | None, set[str | None]] = {}
    columns = ("payer_bank", "payer_account", "payee_bank", "payee_account")
    for payer_bank, payer_account, payee_bank, payee_account in case_txns.select(columns).rows():
        payer = _key(payer_bank, payer_account)
        payee = _key(payee_bank, payee_account)
        payees.setdefault(payer, set()).add(payee)
        payers.setdefault(payee, set()).add(payer)
    roles = {}
    for key in case["account_keys"]:
        n_in, n_out = len(payers.get(key, ())), len(payees.get(key, ()))
        if n_in + n_out >= 10 and key in case["alerted_accounts"] and n_in > 2 * n_out:
            roles[key] = "collector"
        elif n_in + n_out >= 10:
            roles[key] = "hub"
        elif n_in and n_out:
            roles[key] = "intermediary"
        elif n_out:
            roles[key] = "payer"
        elif n_in:
            roles[key] = "beneficiary"
    return roles


def _key(bank: str | None, account: str | None) -> str | None:
    """`finflow.detect.frame.account_key` for one row (null when either part is)."""
    return None if bank is None or account is None else f"{bank}{KEY_SEP}{account}"


def load_reference(account_files: list[Path]) -> pl.DataFrame:
    """Account reference rows keyed by ``bank:account`` (first listing wins)."""
    if not account_files:
        return pl.DataFrame(
            schema={
                "key": pl.String,
                "bank_name": pl.String,
                "entity_id": pl.String,
                "entity_name": pl.String,
            }
        )
    return (
        pl.scan_parquet(account_files)
        .select(
            key=account_key("bank", "account"),
            bank_name="bank_name",
            entity_id="entity_id",
            entity_name="entity_name",
        )
        .unique("key", keep="first", maintain_order=True)
        .collect()
    )
