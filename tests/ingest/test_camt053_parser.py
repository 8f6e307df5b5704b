"""camt.053 reader on real bank files: counts, amounts, directions, balance checks, errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from statement_samples import BANK_CAMT, CAMT, SHA, fx_table

from finflow.errors import FeedFormatError
from finflow.ingest.camt053 import ingest_camt053, looks_like_camt053
from finflow.ingest.fx import load_fx
from finflow.schema import QUARANTINE_SCHEMA, TRANSACTION_SCHEMA

Result = tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]


def read(path: Path) -> Result:
    accepted, quarantined, checks = ingest_camt053(path, SHA, "run-1", fx_table())
    assert accepted.schema == pl.Schema(TRANSACTION_SCHEMA)
    assert quarantined.schema == pl.Schema(QUARANTINE_SCHEMA)
    assert checks["rows_read"] == accepted.height + quarantined.height
    return accepted, quarantined, checks


def row(frame: pl.DataFrame, locator: str) -> dict[str, Any]:
    found = frame.filter(pl.col("source_locator") == locator)
    assert found.height == 1, locator
    return found.row(0, named=True)


# file -> (accepted, quarantined): the counting rule max(1, TxDtls) per Ntry
EXPECTED_COUNTS = {
    BANK_CAMT / "oca-v02-nl-abnamro-statement.xml": (4, 0),
    BANK_CAMT / "oca-v04-ch-postfinance-INVALID-missing-amount.xml": (1, 1),
    BANK_CAMT / "oca-v02-nl-merged-two-documents.xml": (6, 0),
    BANK_CAMT / "oca-v10-be-wise-no-txdtls.xml": (2, 0),
    BANK_CAMT / "viafintech-v08-statement.xml": (3, 0),
    BANK_CAMT / "handelsbanken-v02-se-three-statements-sek-nok.xml": (5, 0),
    BANK_CAMT / "subite-v02-be-deutschebank-month-268-entries.xml": (268, 0),
    BANK_CAMT / "prowide-v07-apphdr-envelope.xml": (0, 0),
    CAMT / "camt053.v2.minimal.xml": (1, 0),
    CAMT / "camt053.v2.multi.statement.xml": (2, 0),
    CAMT / "camt053.v3.xml": (1, 0),
    CAMT / "camt053.v4.xml": (1, 0),
    CAMT / "camt053.v8.xml": (1, 0),
}


@pytest.mark.parametrize("path", list(EXPECTED_COUNTS), ids=lambda p: p.name)
def test_it_yields_one_row_per_entry_or_transaction_detail(path: Path) -> None:
    accepted, quarantined, _ = read(path)
    assert (accepted.height, quarantined.height) == EXPECTED_COUNTS[path]
    assert looks_like_camt053(path.read_bytes()[: 64 * 1024])
    if accepted.height:
        assert accepted["txn_id"].is_unique().all()
        assert accepted["source_row"].is_null().all()


def test_it_splits_a_reversed_entry_by_its_transaction_details() -> None:
    accepted, _, checks = read(BANK_CAMT / "oca-v02-nl-abnamro-statement.xml")
    first = row(accepted, "Stmt[1]/Ntry[2]/TxDtls[1]")
    second = row(accepted, "Stmt[1]/Ntry[2]/TxDtls[2]")
    assert (first["amount_paid"], second["amount_paid"]) == (564.05, 100.0)
    # DBIT: the statement account pays the creditor
    assert first["payer_account"] == "NL77ABNA0574908765"
    assert first["payer_bank"] == "ABNANL2A"
    assert first["payee_account"] == "NL46ABNA0499998748"
    assert first["reference"] == "[REVERSAL AC06] Direct Debit S14 0410"
    assert first["channel"] == "ach"
    assert first["txn_id"] == f"{SHA[:16]}:Stmt[1]/Ntry[2]/TxDtls[1]"
    assert first["source_format"] == "camt053.001.02"
    credit = row(accepted, "Stmt[1]/Ntry[3]/TxDtls[1]")
    assert credit["payer_account"] == "NL69ABNA0522123643"
    assert credit["payee_account"] == "NL77ABNA0574908765"
    assert credit["channel"] == "wire"
    assert credit["reference"] == "#RD PARTY MEDIA CUSNO 90782 4210773"
    assert credit["booked_at"] == dt.datetime(2014, 1, 5, tzinfo=dt.UTC)
    (statement,) = checks["statements"]
    assert statement["opening"] == 15568.27
    assert statement["closing"] == 15121.12
    assert statement["credits"] == 1405.31
    assert statement["debits"] == 1418.30
    assert statement["reconciles"] is False


def test_it_quarantines_an_entry_without_amount_and_never_uses_a_foreign_detail_amount() -> None:
    accepted, quarantined, _ = read(BANK_CAMT / "oca-v04-ch-postfinance-INVALID-missing-amount.xml")
    assert quarantined["reason"].to_list() == ["MISSING_AMOUNT"]
    assert quarantined["detail"][0].startswith("Stmt[1]/Ntry[2]/TxDtls[1]: entry has no Amt")
    assert "TWINT" in quarantined["raw"][0]
    assert 483.59 not in accepted["amount_paid"].to_list()
    assert accepted["amount_received"].to_list() == [134.0]
    assert accepted["currency_received"].to_list() == ["CHF"]


def test_it_reads_concatenated_documents_with_document_locators() -> None:
    accepted, _, checks = read(BANK_CAMT / "oca-v02-nl-merged-two-documents.xml")
    assert checks["documents"] == 2
    assert accepted["source_locator"].str.starts_with("Doc[").all()
    reversal = row(accepted, "Doc[2]/Stmt[1]/Ntry[2]/TxDtls[1]")
    assert reversal["amount_paid"] == 594.05  # the booked entry amount
    assert {m["locator"] for m in checks["entry_amount_mismatches"]} == {
        "Doc[1]/Stmt[1]/Ntry[2]",
        "Doc[2]/Stmt[1]/Ntry[2]",
    }


def test_it_reads_status_codes_datetimes_with_offsets_and_entries_without_details() -> None:
    accepted, _, checks = read(BANK_CAMT / "oca-v10-be-wise-no-txdtls.xml")
    card = row(accepted, "Stmt[1]/Ntry[1]")
    assert card["booked_at"] == dt.datetime(2026, 6, 28, 19, 40, 58, 810767, tzinfo=dt.UTC)
    assert card["channel"] == "card"
    assert card["reference"] == "Card transaction of 900.00 EUR issued by Provider"
    assert card["payer_account"] == "BE00000000000000"
    assert card["payee_account"] == f"UNIDENTIFIED:{SHA[:16]}:Stmt[1]/Ntry[1]"
    assert card["payee_bank"] == "UNKNOWN"
    (statement,) = checks["statements"]  # CLBD listed before OPBD
    assert (statement["opening"], statement["closing"]) == (0.0, 100.0)
    assert (statement["credits"], statement["debits"]) == (1000.0, 900.0)
    assert statement["reconciles"] is True


def test_it_records_an_instructed_amount_in_another_currency_for_the_counterparty() -> None:
    accepted, _, checks = read(BANK_CAMT / "viafintech-v08-statement.xml")
    first = row(accepted, "Stmt[1]/Ntry[1]/TxDtls[1]")
    assert first["amount_received"] == 474.4
    assert first["reference"] == "INVOICE R77561"
    assert first["payer_account"] == "NAME:Jon Doe"
    assert first["payer_bank"] == "UBSWCHZH80A"
    fx = row(accepted, "Stmt[1]/Ntry[3]/TxDtls[1]")
    assert (fx["amount_paid"], fx["currency_paid"]) == (20.97, "EUR")
    assert (fx["amount_received"], fx["currency_received"]) == (19.69, "CHF")
    assert fx["payee_account"] == "CH2222222222222222222"
    assert checks["fx_conversions"][0]["rate"] == "0.9433"
    assert row(accepted, "Stmt[1]/Ntry[2]/TxDtls[1]")["reference"] == "RF38000000000000000000552"


def test_it_checks_each_statement_balance_including_negative_openings() -> None:
    _, _, checks = read(BANK_CAMT / "handelsbanken-v02-se-three-statements-sek-nok.xml")
    statements = checks["statements"]
    assert [s["currency"] for s in statements] == ["SEK", "SEK", "NOK"]
    assert [s["reconciles"] for s in statements] == [True, True, True]
    assert statements[2]["opening"] == -96483.98
    assert statements[2]["debits"] == 155259.0
    assert statements[2]["closing"] == -251742.98


def test_a_real_month_reconciles() -> None:
    accepted, _, checks = read(BANK_CAMT / "subite-v02-be-deutschebank-month-268-entries.xml")
    (statement,) = checks["statements"]
    assert statement["reconciles"] is True
    assert statement["expected_closing"] == statement["closing"] == 87539.12
    assert accepted["amount_received"][0] == 50000.0
    assert accepted["payer_bank"][0] == "RABOBEI9"


def test_an_envelope_with_no_entries_gives_zero_rows_and_its_version() -> None:
    accepted, quarantined, checks = read(BANK_CAMT / "prowide-v07-apphdr-envelope.xml")
    assert accepted.height == quarantined.height == 0
    assert checks["format"] == "camt053.001.07"
    assert checks["statements"][0]["reconciles"] is None  # only OPAV/ITBD balances


def test_a_statement_without_fx_rate_is_quarantined_as_no_fx_rate() -> None:
    # an FX table without EUR cannot price this EUR statement
    gbp_only = load_fx().filter(pl.col("currency") == "GBP")
    accepted, quarantined, _ = ingest_camt053(
        BANK_CAMT / "oca-v02-nl-abnamro-statement.xml", SHA, "r", gbp_only
    )
    assert accepted.height == 0
    assert quarantined["reason"].unique().to_list() == ["NO_FX_RATE"]
    assert quarantined.height == 4


def test_a_file_without_statements_is_a_format_error() -> None:
    with pytest.raises(FeedFormatError, match=r"camt053.v2.wrong.xml: BkToCstmrStmt holds no Stmt"):
        read(CAMT / "camt053.v2.wrong.xml")


def test_a_statement_marked_as_a_copy_says_so_in_its_checks() -> None:
    *_, copy = read(CAMT / "camt053.v2.with-party-ids.xml")  # <CpyDplctInd>CODU</CpyDplctInd>
    *_, original = read(CAMT / "camt053.v2.with-account-name.xml")
    assert [s["copy_duplicate"] for s in copy["statements"]] == ["CODU"]
    assert [s["copy_duplicate"] for s in original["statements"]] == [None]
