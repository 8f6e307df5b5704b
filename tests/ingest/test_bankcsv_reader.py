"""Bank CSV statements through mapping profiles: real exports, encodings, quarantine, walk."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from statement_samples import BANK_CSV, SHA, fx_table

from finflow.errors import ConfigError, FeedFormatError
from finflow.ingest.bankcsv import ingest_bank_csv, match_profile
from finflow.ingest.csvprofile import Profile, profile_from_dict, shipped_profiles
from finflow.ingest.csvvalues import parse_money
from finflow.schema import QUARANTINE_SCHEMA, TRANSACTION_SCHEMA

Result = tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]


def read(path: Path, profile: Profile | None = None) -> Result:
    profile = profile or match_profile(path.read_bytes()[: 64 * 1024])
    assert profile is not None, path.name
    accepted, quarantined, checks = ingest_bank_csv(path, SHA, "run-1", fx_table(), profile)
    assert accepted.schema == pl.Schema(TRANSACTION_SCHEMA)
    assert quarantined.schema == pl.Schema(QUARANTINE_SCHEMA)
    assert checks["rows_read"] == accepted.height + quarantined.height
    return accepted, quarantined, checks


def at(frame: pl.DataFrame, n: int) -> dict[str, Any]:
    return frame.filter(pl.col("source_row") == n).row(0, named=True)


EXPECTED = {
    "bank2ynab-jlp-card-bom-pending.csv": ("jlp_card", 10, 3),
    "bank2ynab-monzo-classic-export.csv": ("monzo", 1, 0),
    "bank2ynab-sparkasse-de-semicolon.csv": ("sparkasse", 1, 0),
    "nationwide-parser-statement-interest.csv": ("nationwide", 8, 0),
    "ofxstatement-lloyds-current.csv": ("lloyds", 12, 0),
    "ofxstatement-revolut-2022-pending.csv": ("revolut", 6, 3),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_shipped_layout_is_recognised_and_read(name: str) -> None:
    path = BANK_CSV / name
    profile = match_profile(path.read_bytes()[: 64 * 1024])
    assert profile is not None and profile.name == EXPECTED[name][0]
    accepted, quarantined, _ = read(path)
    assert (accepted.height, quarantined.height) == EXPECTED[name][1:]
    assert accepted["txn_id"].to_list() == [f"{SHA[:16]}:{n}" for n in accepted["source_row"]]
    assert accepted["source_format"].unique().to_list() == [f"bankcsv.{EXPECTED[name][0]}"]


def test_lloyds_paid_in_out_newest_first_with_sort_code_account() -> None:
    accepted, _, checks = read(BANK_CSV / "ofxstatement-lloyds-current.csv")
    first = at(accepted, 1)
    assert first["booked_at"] == dt.datetime(2024, 1, 15, tzinfo=dt.UTC)
    assert (first["payer_bank"], first["payer_account"]) == ("LOYDGB2L", "99-88-74 1515152252")
    assert first["amount_paid"] == 8.99
    assert first["channel"] == "card"
    salary = at(accepted, 4)  # FPI credit "2000" without decimals
    assert salary["amount_received"] == 2000.0
    assert salary["payee_account"] == "99-88-74 1515152252"
    assert salary["channel"] == "wire"
    assert at(accepted, 5)["channel"] == "ach"
    walk = checks["balance_walk"]
    assert walk["order"] == "newest_first"
    assert walk["breaks"] == [{"row": 5, "expected": 6033.61, "stated": 6029.49}]


def test_nationwide_preamble_pound_signs_and_out_of_order_interest() -> None:
    accepted, _, checks = read(BANK_CSV / "nationwide-parser-statement-interest.csv")
    assert accepted["payer_account"][0] == "Foo current ****12345"  # from the preamble
    water = at(accepted, 1)
    assert water["booked_at"] == dt.datetime(2025, 5, 13, tzinfo=dt.UTC)
    assert (water["amount_paid"], water["channel"]) == (30.0, "ach")
    assert water["payee_account"] == "NAME:ABC WATER BILL"
    transfer_in = at(accepted, 6)
    assert transfer_in["payee_account"] == "Foo current ****12345"
    assert transfer_in["amount_received"] == 100.0
    assert [b["row"] for b in checks["balance_walk"]["breaks"]] == [7, 8]


def test_jlp_card_bom_pending_rows_and_cr_marked_credit() -> None:
    accepted, quarantined, _ = read(BANK_CSV / "bank2ynab-jlp-card-bom-pending.csv")
    assert quarantined["reason"].to_list() == ["NOT_BOOKED"] * 3
    assert quarantined["source_row"].to_list() == [1, 2, 3]
    spend = at(accepted, 4)
    assert (spend["amount_paid"], spend["booked_at"].date()) == (1183.23, dt.date(2019, 12, 12))
    assert spend["payee_account"] == "NAME:ROYAL LONDON INSURANCE"
    credit = at(accepted, 13)
    assert credit["amount_received"] == 1100.0
    assert credit["payee_account"] == f"STATEMENT:{SHA[:16]}"
    assert credit["reference"] == "PAYMENT RECEIVED - THANK YOU"


def test_sparkasse_semicolons_decimal_comma_and_counterparty_iban() -> None:
    accepted, _, _ = read(BANK_CSV / "bank2ynab-sparkasse-de-semicolon.csv")
    got = accepted.row(0, named=True)
    assert got["booked_at"] == dt.datetime(2018, 2, 22, tzinfo=dt.UTC)
    assert (got["amount_paid"], got["currency_paid"]) == (36.99, "EUR")
    assert (got["payer_bank"], got["payer_account"]) == ("SPARKASSE-DE", "1000594757")
    assert (got["payee_bank"], got["payee_account"]) == ("DEUTDEDK380", "DE13380700590045335700")
    assert got["channel"] == "ach"
    assert got["reference"].startswith("EREF+RECHNR. 100532580591MREF+")


def test_revolut_pending_and_zero_holds_are_quarantined() -> None:
    accepted, quarantined, checks = read(BANK_CSV / "ofxstatement-revolut-2022-pending.csv")
    assert dict(zip(quarantined["source_row"], quarantined["reason"], strict=True)) == {
        2: "ZERO_AMOUNT",
        6: "NOT_BOOKED",
        9: "NOT_BOOKED",
    }
    topup = at(accepted, 4)
    assert (topup["amount_received"], topup["currency_received"]) == (500.0, "EUR")
    assert checks["balance_walk"]["rows_walked"] == 7  # pending rows state no balance


def test_monzo_timestamp_with_offset_and_signed_amount() -> None:
    accepted, _, _ = read(BANK_CSV / "bank2ynab-monzo-classic-export.csv")
    got = accepted.row(0, named=True)
    assert got["booked_at"] == dt.datetime(2018, 2, 25, 12, 34, 56, tzinfo=dt.UTC)
    assert (got["amount_paid"], got["payee_account"]) == (10.0, "NAME:Tesco")


# UK card downloads that write spending positive with no balance or debit/credit column: nothing
# in the file tells the direction, so inference would book every purchase as money in. Headers
# verbatim (American Express UK's activity download, with and without Card Member/Account #;
# the Lloyds Banking Group credit card export with its trailing comma), rows made up.
CARD_EXPORTS = {
    "amex_uk": (
        "Date,Description,Amount,Extended Details,Appears On Your Statement As,Address,"
        "Town/City,Postcode,Country,Reference,Category\n"
        "13/03/2026,TESCO STORE 5122,12.50,,TESCO STORE 5122,1 HIGH ST,LONDON,SW1A 1AA,"
        "UNITED KINGDOM,'AT2607300120000111',General Purchases-Groceries\n"
        "14/03/2026,PAYMENT RECEIVED - THANK YOU,-500.00,,PAYMENT RECEIVED - THANK YOU,,,,,"
        "'AT2606900410000111',\n"
    ),
    "amex_uk_card_member": (
        "Date,Description,Card Member,Account #,Amount,Extended Details,"
        "Appears On Your Statement As,Address,Town/City,Postcode,Country,Reference,Category\n"
        "13/03/2026,TESCO STORE 5122,MR J SMITH,-71001,12.50,,TESCO STORE 5122,1 HIGH ST,"
        "LONDON,SW1A 1AA,UNITED KINGDOM,'AT2607300120000111',General Purchases-Groceries\n"
        "14/03/2026,PAYMENT RECEIVED - THANK YOU,MR J SMITH,-71001,-500.00,,"
        "PAYMENT RECEIVED - THANK YOU,,,,,'AT2606900410000111',\n"
    ),
    "lloyds_card": (
        "Date,Date entered,Reference,Description,Amount,\n"
        "12/03/2026,13/03/2026,40000189,TESCO STORE 5122        ,12.50,\n"
        "14/03/2026,14/03/2026,40000150,PAYMENT RECEIVED - THANK YOU,-500.00,\n"
    ),
}


@pytest.mark.parametrize("name", list(CARD_EXPORTS))
def test_uk_card_exports_writing_spend_positive_book_purchases_as_money_out(
    name: str, tmp_path: Path
) -> None:
    path = tmp_path / "card.csv"
    path.write_text(CARD_EXPORTS[name], encoding="utf-8")
    profile = match_profile(path.read_bytes())
    assert profile is not None and profile.name == name.removesuffix("_card_member")
    accepted, quarantined, _ = read(path)
    assert quarantined.height == 0
    purchase, payment = at(accepted, 1), at(accepted, 2)
    assert purchase["booked_at"] == dt.datetime(2026, 3, 13, tzinfo=dt.UTC)
    assert (purchase["amount_paid"], purchase["currency_paid"]) == (12.5, "GBP")
    assert purchase["payer_account"] == f"STATEMENT:{SHA[:16]}"
    assert purchase["payee_account"] == "NAME:TESCO STORE 5122"
    assert purchase["channel"] == "card"
    assert payment["amount_received"] == 500.0
    assert payment["payee_account"] == f"STATEMENT:{SHA[:16]}"


SIMPLE = {
    "name": "test",
    "bank": "TESTGB00",
    "header": ["Date", "Details", "Amount", "Balance"],
    "date_formats": ["%d/%m/%Y"],
    "currency": "GBP",
    "columns": {"date": "Date", "description": "Details", "amount": "Amount", "balance": "Balance"},
}


def test_unreadable_rows_are_quarantined_with_reasons(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "Date,Details,Amount,Balance\n"
        "01/02/2024,Pay in,100.00,100.00\n"
        "31/02/2024,Bad day,5.00,95.00\n"
        "02/02/2024,Bad amount,abc,95.00\n"
        "03/02/2024,No amount,,95.00\n"
        "04/02/2024,Out,-20.00,70.00\n"
        "04/02/2024,x,1.00,71.00,surplus\n"
    )
    accepted, quarantined, checks = read(path, profile_from_dict(SIMPLE))
    assert accepted["source_row"].to_list() == [1, 5]
    assert quarantined["reason"].to_list() == [
        "BAD_DATE",
        "BAD_AMOUNT",
        "MISSING_AMOUNT",
        "WRONG_FIELD_COUNT",
    ]
    assert checks["balance_walk"]["breaks"] == [{"row": 5, "expected": 80.0, "stated": 70.0}]


def test_windows_1252_is_decoded_explicitly(tmp_path: Path) -> None:
    path = tmp_path / "cp.csv"
    path.write_bytes(
        "Date,Details,Amount,Balance\n01/02/2024,Café – €5,5.00,5.00\n".encode("cp1252")
    )
    accepted, _, _ = read(path, profile_from_dict(SIMPLE))
    assert accepted["reference"][0] == "Café – €5"


def test_undecodable_bytes_are_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"Date,Details,Amount,Balance\n01/02/2024,x\x81y,5.00,5.00\n")
    with pytest.raises(FeedFormatError, match=r"bad.csv: neither UTF-8 nor Windows-1252.*0x81"):
        read(path, profile_from_dict(SIMPLE))


def test_a_file_without_the_profile_header_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b,c\n1,2,3\n")
    assert match_profile(path.read_bytes()) is None
    with pytest.raises(FeedFormatError, match=r"other.csv: no header of profile 'test'"):
        read(path, profile_from_dict(SIMPLE))


def test_profiles_are_validated() -> None:
    assert len(shipped_profiles()) >= 6
    with pytest.raises(ConfigError, match=r"needs columns\.amount or columns\.paid_in"):
        profile_from_dict(SIMPLE | {"columns": {"date": "Date"}})
    with pytest.raises(ConfigError, match="unknown keys colour"):
        profile_from_dict(SIMPLE | {"colour": "red"})


def test_a_thousands_mark_not_grouping_three_digits_is_never_dropped() -> None:
    """In a decimal-comma export "2750.00" is 2750.00 (the point cannot group thousands), never
    275000; a mark that is neither (1.2.3) is no amount."""
    comma = profile_from_dict(
        {"name": "t", "bank": "X", "header": ["D", "A"], "decimal": ",", "thousands": ".",
         "date_formats": ["%d.%m.%Y"], "currency": "EUR", "columns": {"date": "D", "amount": "A"}}
    )  # fmt: skip
    values = {raw: parse_money(raw, comma) for raw in ("2750.00", "1.234,56", "-12,05", "1.2.3")}
    assert {raw: m.value if m else None for raw, m in values.items()} == {
        "2750.00": Decimal("2750.00"),
        "1.234,56": Decimal("1234.56"),
        "-12,05": Decimal("-12.05"),
        "1.2.3": None,
    }
