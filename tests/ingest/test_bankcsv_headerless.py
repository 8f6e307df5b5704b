"""Bank CSV exports without a header row (HSBC UK, ABN AMRO's TAB export, ASN): the columns'
roles are worked out from their values (`finflow.ingest.csvinfer`), and a site profile can
describe such a layout with ``header: []`` and ``fields``.

The layouts follow the banks' published column orders; the rows are made up.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from statement_samples import BANK_CSV, SHA, fx_table

from finflow.cli import main
from finflow.errors import ConfigError, FeedFormatError
from finflow.ingest.bankcsv import ingest_bank_csv, match_profile
from finflow.ingest.csvinfer import infer_profile
from finflow.ingest.csvprofile import PROFILES_ENV, find_header, load_profile, profile_from_dict
from finflow.ingest.encoding import decode_bytes
from finflow.ingest.sniff import sniff
from finflow.schema import QUARANTINE_SCHEMA, TRANSACTION_SCHEMA

HOLDER = f"STATEMENT:{SHA[:16]}"

# HSBC UK's download: date, description, signed amount; newest first; no currency anywhere.
HSBC = (
    '03/04/2024,"CARD PAYMENT TO TESCO STORES 2345 ON 02-04-2024",-12.50\n'
    '02/04/2024,"ACME LTD SALARY",1500.00\n'
    '01/04/2024,"THAMES WATER DD",-34.20\n'
)
# ABN AMRO's TXT/TAB download: account, currency, booking date, balance before, balance
# after, value date, amount, description (decimal comma; SEPA fields and card lines).
ABN_AMRO = (
    "123456789\tEUR\t20240401\t1000,00\t987,65\t20240401\t-12,35\t"
    "BEA   NR:XY1234   01.04.24/12.00 ALBERT HEIJN 1234 AMSTERDAM,PAS123\n"
    "123456789\tEUR\t20240402\t987,65\t1987,65\t20240402\t1000,00\t"
    "/TRTP/SEPA OVERBOEKING/IBAN/NL20INGB0001234567/BIC/INGBNL2A/NAME/ACME BV/REMI/SALARIS "
    "MAART/EREF/NOTPROVIDED\n"
    "123456789\tEUR\t20240403\t1987,65\t1937,65\t20240403\t-50,00\t"
    "GEA   NR:ZZ9876   03.04.24/09.10 AMSTERDAM CENTRAAL,PAS123\n"
)
# A card statement: spending positive, the balance available going down with it; type codes in
# their own column.
CARD = (
    "05/03/2024,PUR,SHOP ONE,40.00,60.00\n"
    "06/03/2024,PUR,SHOP TWO,10.00,50.00\n"
    "07/03/2024,PAY,PAYMENT RECEIVED THANK YOU,-150.00,200.00\n"
)
# Paid out and paid in in two columns, then the balance (a Nationwide-like order), with £;
# a transaction type column in words.
OUT_IN = (
    '"12 Mar 2024","Contactless payment","COFFEE HOUSE","£3.20","","£996.80"\n'
    '"13 Mar 2024","Transfer","ACME LTD","","£1,000.00","£1,996.80"\n'
    '"14 Mar 2024","Direct debit","COUNCIL TAX","£150.00","","£1,846.80"\n'
)
# Triodos (NL): unsigned amounts with a Debet/Credit column, the counterparty's name and IBAN,
# a type code, the description and the balance after each row; all fields quoted.
TRIODOS = (
    '"02-01-2024","NL12TRIO0123456789","1.234,56","Credit","WERKGEVER BV",'
    '"NL91ABNA0417164300","ID","Salaris januari","5.678,90"\n'
    '"03-01-2024","NL12TRIO0123456789","850,00","Debet","VERHUURDER BV",'
    '"NL20INGB0001234567","IC","Huur januari","4.828,90"\n'
    '"05-01-2024","NL12TRIO0123456789","12,40","Debet","","","BA",'
    '"Albert Heijn 1234 Utrecht","4.816,50"\n'
)
# ASN-like: comma-separated, holder and counterparty IBANs, the counterparty's name, the
# balance before, the amount, whole-number codes, the description.
ASN = (
    "02-04-2024,NL11ASNB0123456789,NL20INGB0001234567,J DE VRIES,EUR,1200.00,EUR,-200.00,"
    "8810,106,'Huur april'\n"
    "03-04-2024,NL11ASNB0123456789,NL91ABNA0417164300,WERKGEVER BV,EUR,1000.00,EUR,2500.00,"
    "8810,107,'Salaris'\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path, profile: Any = None) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    accepted, quarantined, checks = ingest_bank_csv(path, SHA, "run-1", fx_table(), profile)
    assert accepted.schema == pl.Schema(TRANSACTION_SCHEMA)
    assert quarantined.schema == pl.Schema(QUARANTINE_SCHEMA)
    assert checks["rows_read"] == accepted.height + quarantined.height
    return accepted, quarantined, checks


def test_hsbc_uk_layout_is_read_as_gbp_with_the_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "TransactionHistory.csv", HSBC)
    assert (sniff(path).format, sniff(path).profile) == ("bankcsv", "inferred")
    accepted, quarantined, checks = read(path)
    assert accepted.height == 3 and quarantined.height == 0
    rows = accepted.sort("source_row").select(
        "booked_at", "payer_account", "payee_account", "amount_paid", "currency_paid"
    )
    assert rows.rows() == [
        (dt.datetime(2024, 4, 3, tzinfo=dt.UTC), HOLDER,
         "NAME:CARD PAYMENT TO TESCO STORES 2345 ON 02-04-2024", 12.5, "GBP"),
        (dt.datetime(2024, 4, 2, tzinfo=dt.UTC), "NAME:ACME LTD SALARY", HOLDER, 1500.0, "GBP"),
        (dt.datetime(2024, 4, 1, tzinfo=dt.UTC), HOLDER, "NAME:THAMES WATER DD", 34.2, "GBP"),
    ]  # fmt: skip
    inferred = checks["inferred"]
    assert inferred["header_line"] == 0 and inferred["header"] is None
    assert inferred["columns"] == {"date": "#1", "description": "#2", "amount": "#3"}
    assert inferred["currency"]["fixed"] == "GBP"
    notes = " ".join(inferred["notes"])
    assert "no header row" in notes and "as UK banks write them" in notes
    assert "money in positive (no balance to check it)" in notes


def test_abn_amro_tab_layout_settles_amount_and_balances_by_arithmetic(tmp_path: Path) -> None:
    path = write(tmp_path, "TXT240405.TAB", ABN_AMRO)
    accepted, quarantined, checks = read(path)
    assert quarantined.height == 0
    rows = accepted.sort("source_row").select(
        "payer_account", "payer_name", "payee_account", "payee_name", "amount_paid",
        "currency_paid",
    )  # fmt: skip
    assert rows.rows() == [
        ("123456789", None, "NAME:ALBERT HEIJN 1234 AMSTERDAM", "ALBERT HEIJN 1234 AMSTERDAM",
         12.35, "EUR"),
        ("NAME:ACME BV", "ACME BV", "123456789", None, 1000.0, "EUR"),
        ("123456789", None, "NAME:AMSTERDAM CENTRAAL", "AMSTERDAM CENTRAAL", 50.0, "EUR"),
    ]  # fmt: skip
    inferred = checks["inferred"]
    assert inferred["columns"] == {
        "amount": "#7", "balance": "#5", "currency": "#2", "description": "#8",
        "holder_account": "#1", "date": "#3",
    }  # fmt: skip
    assert inferred["date_formats"] == ["%Y%m%d"] and inferred["decimal"]["mark"] == ","
    assert any("#4 plus it gives #5" in note for note in inferred["notes"])
    assert checks["balance_walk"]["reconciles"] is True


def test_spending_positive_and_type_codes_are_told_from_the_balance(tmp_path: Path) -> None:
    inference = infer_profile(CARD)
    assert inference.profile is not None
    assert inference.profile.amount_sign == "debit_positive"
    assert inference.profile.columns == {
        "amount": "#4", "balance": "#5", "description": "#3", "type": "#2", "date": "#1",
    }  # fmt: skip
    accepted, _, checks = read(write(tmp_path, "card.csv", CARD))
    first = accepted.sort("source_row").row(0, named=True)
    assert (first["payer_account"], first["amount_paid"]) == (HOLDER, 40.0)
    last = accepted.sort("source_row").row(2, named=True)
    assert last["payee_account"] == HOLDER
    assert checks["balance_walk"]["reconciles"] is True


def test_money_out_and_in_columns_are_told_apart_by_the_balance(tmp_path: Path) -> None:
    inference = infer_profile(OUT_IN)
    assert inference.profile is not None
    columns = inference.profile.columns
    assert (columns["paid_out"], columns["paid_in"], columns["balance"]) == ("#4", "#5", "#6")
    assert inference.profile.currency == "GBP"  # the £ sign
    assert inference.profile.date_formats == ("%d %b %Y",)
    accepted, _, checks = read(write(tmp_path, "statement.csv", OUT_IN))
    amounts = accepted.sort("source_row").select("payer_account", "amount_paid").rows()
    assert amounts == [(HOLDER, 3.2), ("NAME:ACME LTD", 1000.0), (HOLDER, 150.0)]
    assert checks["balance_walk"]["reconciles"] is True


def test_holder_and_counterparty_ibans_and_names_by_their_values(tmp_path: Path) -> None:
    inference = infer_profile(ASN)
    assert inference.profile is not None
    columns = inference.profile.columns
    assert columns["holder_account"] == "#2" and columns["counterparty_account"] == "#3"
    assert columns["counterparty"] == "#4" and columns["amount"] == "#8"
    accepted, _, _ = read(write(tmp_path, "asn.csv", ASN))
    first = accepted.sort("source_row").row(0, named=True)
    assert (first["payer_account"], first["payee_account"], first["payee_name"]) == (
        "NL11ASNB0123456789",
        "NL20INGB0001234567",
        "J DE VRIES",
    )
    assert (first["amount_paid"], first["currency_paid"]) == (200.0, "EUR")
    # the balance column is the balance before each row: the next row's is it plus the amount
    assert any("#6 the balance before each row" in n for n in inference.notes)
    assert "balance" not in columns


def test_a_debit_credit_column_signs_the_amounts(tmp_path: Path) -> None:
    inference = infer_profile(TRIODOS)
    assert inference.profile is not None
    assert inference.profile.columns == {
        "amount": "#3", "balance": "#9", "counterparty": "#5", "counterparty_account": "#6",
        "description": "#8", "holder_account": "#2", "marker": "#4", "type": "#7", "date": "#1",
    }  # fmt: skip
    assert inference.decided["currency"] == {
        "fixed": "EUR",
        "from": "the holder's IBAN country (NL)",
    }
    accepted, _, checks = read(write(tmp_path, "triodos.csv", TRIODOS))
    rows = accepted.sort("source_row").select("payer_account", "payee_account", "amount_paid")
    assert rows.rows() == [
        ("NL91ABNA0417164300", "NL12TRIO0123456789", 1234.56),
        ("NL12TRIO0123456789", "NL20INGB0001234567", 850.0),
        ("NL12TRIO0123456789", "NAME:Albert Heijn 1234 Utrecht", 12.4),
    ]
    assert checks["balance_walk"]["reconciles"] is True


@pytest.mark.parametrize(
    "name",
    [
        "ofxstatement-lloyds-current.csv",
        "nationwide-parser-statement-interest.csv",
        "bank2ynab-jlp-card-bom-pending.csv",
        "bank2ynab-sparkasse-de-semicolon.csv",
    ],
)
def test_real_exports_with_their_header_cut_off_read_as_their_profile_reads_them(
    tmp_path: Path, name: str
) -> None:
    """The real sample exports, with the preamble and header removed: every row's date, amount,
    direction and currency as the bank's own profile reads the full file."""
    original = BANK_CSV / name
    profile = match_profile(original.read_bytes())
    assert profile is not None
    text, _ = decode_bytes(original.read_bytes(), name)
    lines = text.splitlines()
    at = find_header(lines, profile)
    assert at is not None
    cut = write(tmp_path, name, "\n".join(lines[at + 1 :]) + "\n")
    assert match_profile(cut.read_bytes()) is None and sniff(cut).profile == "inferred"
    expected, expected_q, _ = read(original, profile)
    accepted, quarantined, checks = read(cut)
    assert checks["inferred"]["header"] is None

    def facts(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
        return (
            frame.sort("source_row")
            .select(
                pl.col("booked_at").dt.date(),
                "amount_paid",
                "currency_paid",
                pl.col("payer_account").str.starts_with("NAME:").alias("paid_in"),
            )
            .rows()
        )

    assert facts(accepted) == facts(expected)
    assert sorted(quarantined["reason"]) == sorted(expected_q["reason"])


REFUSED = {
    # day-first with dots and a decimal comma: a continental export that names no currency
    "no_currency": ("01.02.2024;Laden;-5,00\n02.02.2024;Cafe;-7,00\n", "states no currency"),
    # two number columns and no arithmetic that relates them
    "ambiguous_numbers": (
        "01/02/2024,Shop,-5.00,3.00\n02/02/2024,Cafe,-7.00,12.00\n",
        "cannot be told apart",
    ),
    # an FX rate table: dates and numbers, but no description
    "no_text": ("2024-02-01,USD,0.79\n2024-02-02,USD,0.78\n", "no column holds text"),
    # a header in a language finflow does not know (Turkish), above a few rows
    "unknown_header": (
        "Tarih,Açıklama,Tutar,Bakiye\n01.02.2024,Market,-5.00,95.00\n02.02.2024,Kafe,-7.00,88.00\n",
        "its first line is no data row",
    ),
    # Barclaycard's download: spending positive, no balance, no sign anywhere
    "unsigned": (
        '10 Feb 18," Shop Name, AnyTown20.59 POUND STERLING GREAT BRITAIN ",Visa,MR A SURNAME,'
        "Household,,20.59\n",
        "carries no sign",
    ),
    "one_column": ("01/02/2024\n02/02/2024\n", "do not split into one number of fields"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_what_cannot_be_settled_without_a_header_is_refused(tmp_path: Path, name: str) -> None:
    text, reason = REFUSED[name]
    result = infer_profile(text)
    assert result.profile is None
    assert result.reason.startswith("no header row naming a date and an amount column")
    assert reason in result.reason
    path = write(tmp_path, f"{name}.csv", text)
    assert sniff(path).format == "unrecognised" and reason in sniff(path).reason
    with pytest.raises(FeedFormatError, match=reason):
        read(path)


def test_a_later_row_that_does_not_fit_is_quarantined_not_lost(tmp_path: Path) -> None:
    text = HSBC + '04/04/2024,"EXTRA FIELD",-1.00,"SURPLUS"\n' + 'Pending,"HOLD",-3.00\n'
    accepted, quarantined, _ = read(write(tmp_path, "hsbc.csv", text))
    assert accepted.height == 3
    assert sorted(quarantined["reason"]) == ["NOT_BOOKED", "WRONG_FIELD_COUNT"]


def test_finflow_profile_prints_a_headerless_profile_that_reads_the_same_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "TXT240405.TAB", ABN_AMRO)
    assert main(["profile", str(path), "--name", "abnamro_tab"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# inferred by finflow from its values (no header row)")
    site = tmp_path / "profiles"
    site.mkdir()
    (site / "abnamro_tab.yaml").write_text(text, encoding="utf-8")
    profile = load_profile(site / "abnamro_tab.yaml")
    assert profile.headerless and profile.fields == 8
    monkeypatch.setenv(PROFILES_ENV, str(site))
    matched = match_profile(path.read_bytes())
    assert matched is not None and matched.name == "abnamro_tab"
    assert sniff(path).profile == "abnamro_tab"
    # a file of another layout with the same number of fields is not taken for it
    assert match_profile(HSBC.encode()) is None
    by_profile, _, checks = read(path, profile)
    inferred, _, _ = read(path)
    assert "inferred" not in checks
    assert by_profile.drop("source_format").equals(inferred.drop("source_format"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"columns": {"date": "#1", "amount": "#2"}}, "needs fields"),
        ({"fields": 2, "columns": {"date": "#1", "amount": "#3"}}, "named #1 to #2"),
        ({"fields": 2, "columns": {"date": "Date", "amount": "#2"}}, "named #1 to #2"),
    ],
)
def test_headerless_profiles_are_checked_on_load(data: dict[str, Any], message: str) -> None:
    base = {"name": "x", "bank": "X", "header": [], "date_formats": ["%d/%m/%Y"], "currency": "GBP"}
    with pytest.raises(ConfigError, match=message):
        profile_from_dict(base | data)
    with pytest.raises(ConfigError, match="only for an export without a header"):
        profile_from_dict(
            base | {"header": ["Date"], "fields": 2, "columns": {"date": "Date", "amount": "Date"}}
        )


def test_headerless_exports_go_through_finflow_run(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    write(feeds, "hsbc.csv", HSBC)
    write(feeds, "abnamro.tab", ABN_AMRO)
    out = tmp_path / "out"
    assert main(["run", "--input", str(feeds), "--out", str(out), "--pdf-top", "0"]) == 0
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    by_file = {e["file"]: e for e in run["files"]}
    assert {f: e["status"] for f, e in by_file.items()} == {
        "abnamro.tab": "ingested",
        "hsbc.csv": "ingested",
    }
    assert by_file["hsbc.csv"]["rows_accepted"] == 3
    assert by_file["abnamro.tab"]["checks"]["inferred"]["currency"] == {"column": "#2"}


def test_a_description_in_single_quotes_names_the_counterparty_without_them(
    tmp_path: Path,
) -> None:
    # ASN wraps its descriptions in single quotes; a bank fee has no counterparty column
    fee = "25-04-2024,NL11ASNB0123456789,,,EUR,3500.00,EUR,-2.20,7241,108,'Kosten betaalpas'\n"
    accepted, _, _ = read(write(tmp_path, "asn.csv", ASN + fee))
    last = accepted.sort("source_row").row(-1, named=True)
    assert (last["payee_account"], last["payee_name"]) == (
        "NAME:Kosten betaalpas",
        "Kosten betaalpas",
    )
    assert last["reference"] == "'Kosten betaalpas'"  # verbatim
