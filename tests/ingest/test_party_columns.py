"""Counterparty names and payment identifiers in the canonical schema, for every reader."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from statement_samples import BANK_CAMT, BANK_CSV, SHA, fx_table

from finflow.ingest.bankcsv import ingest_bank_csv, match_profile
from finflow.ingest.camt053 import ingest_camt053
from finflow.ingest.runner import ingest_folder
from finflow.ingest.sniff import AMLWORLD_TRANS_HEADER
from finflow.schema import TRANSACTION_SCHEMA

PARTY_COLUMNS = ("payer_name", "payee_name", "end_to_end_id", "uetr")


def test_the_canonical_schema_has_nullable_party_and_payment_id_columns() -> None:
    for column in PARTY_COLUMNS:
        assert TRANSACTION_SCHEMA[column] == pl.String()


def test_camt053_rows_carry_names_end_to_end_id_and_uetr() -> None:
    accepted, _, _ = ingest_camt053(
        BANK_CAMT / "viafintech-v08-statement.xml", SHA, "r", fx_table()
    )
    first = accepted.row(0, named=True)
    assert first["payer_name"] == "Jon Doe"
    assert first["payee_name"] == "ACME GmbH"  # the statement owner is the payee of a credit
    assert first["end_to_end_id"] == "80000004540000100095"
    assert first["uetr"] is not None and len(first["uetr"]) == 36
    assert first["uetr"] == first["uetr"].lower()


def test_camt053_debit_names_the_creditor_as_payee_and_not_provided_is_no_id() -> None:
    accepted, _, _ = ingest_camt053(
        BANK_CAMT / "subite-v02-be-deutschebank-month-268-entries.xml", SHA, "r", fx_table()
    )
    assert accepted.height == 268
    named = accepted.filter(pl.col("payer_name").is_not_null() & pl.col("payee_name").is_not_null())
    assert named.height > 200
    assert accepted.filter(pl.col("end_to_end_id") == "NOTPROVIDED").height == 0
    assert accepted.filter(pl.col("end_to_end_id").is_not_null()).height > 0


def test_bank_csv_rows_name_the_counterparty_from_the_description() -> None:
    path = BANK_CSV / "bank2ynab-monzo-classic-export.csv"
    profile = match_profile(path.read_bytes())
    assert profile is not None
    accepted, _, _ = ingest_bank_csv(path, SHA, "r", fx_table(), profile)
    row = accepted.row(0, named=True)
    assert row["payee_name"] == "Tesco"  # a spend: the holder pays Tesco
    assert row["payer_name"] is None  # the export does not name the holder
    assert row["uetr"] is None


def test_amlworld_rows_have_null_names_and_ids(tmp_path: Path) -> None:
    feed = tmp_path / "in"
    feed.mkdir()
    line = "2022/09/01 00:21,0011,A1,03208,B1,1500.00,UK Pound,1500.00,UK Pound,Wire,1"
    (feed / "t.csv").write_text(f"{AMLWORLD_TRANS_HEADER}\n{line}\n")
    ingest_folder(feed, tmp_path / "out")
    lake = pl.read_parquet(next((tmp_path / "out/lake/transactions").glob("*.parquet")))
    assert lake.schema == pl.Schema(TRANSACTION_SCHEMA)
    for column in PARTY_COLUMNS:
        assert lake[column].null_count() == lake.height == 1
