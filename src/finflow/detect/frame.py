"""The frame detection reads: canonical transactions without the label, with account keys."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from finflow.schema import DETECTION_COLUMNS

KEY_SEP = ":"


def account_key(bank: str, account: str) -> pl.Expr:
    """``bank:account``, the identity of an account across feeds."""
    return pl.concat_str(pl.col(bank), pl.lit(KEY_SEP), pl.col(account))


def detection_frame(txn_files: list[Path], account_files: list[Path]) -> pl.DataFrame:
    """Load the run's transactions for detection, marking internal transfers.

    A transfer is internal when payer and payee are the same account or belong to the same
    entity in the accounts reference. The evaluation label is never loaded here.
    """
    tx = pl.scan_parquet(txn_files).select(DETECTION_COLUMNS)
    tx = tx.with_columns(
        payer=account_key("payer_bank", "payer_account"),
        payee=account_key("payee_bank", "payee_account"),
    )
    internal = pl.col("payer") == pl.col("payee")
    if account_files:
        entities = (
            pl.scan_parquet(account_files)
            .select(key=account_key("bank", "account"), entity=pl.col("entity_id"))
            .unique("key", keep="first")
        )
        tx = tx.join(
            entities.rename({"key": "payer", "entity": "payer_entity"}), on="payer", how="left"
        ).join(entities.rename({"key": "payee", "entity": "payee_entity"}), on="payee", how="left")
        internal = internal | (pl.col("payer_entity") == pl.col("payee_entity")).fill_null(False)
    else:
        tx = tx.with_columns(
            payer_entity=pl.lit(None, pl.String), payee_entity=pl.lit(None, pl.String)
        )
    return tx.with_columns(internal=internal).sort("booked_at", "txn_id").collect()
