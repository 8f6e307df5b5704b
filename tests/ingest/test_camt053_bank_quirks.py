"""camt.053 quirks of real banks' files, each re-created in a small written statement.

Found by reading other projects' published fixtures (viafintech/camt_parser, OCA
bank-statement-import, darko-mijic/iso-20022-camt-053-parser); none of them is copied here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from statement_samples import SHA, fx_table

from finflow.ingest.camt053 import ingest_camt053

HOLDER = "GB29NWBK60161331926819"


def statement(
    entries: str, *, opening: str = "100.00", closing: str = "100.00", closed: str = "2024-03-01"
) -> str:
    """A camt.053.001.02 GBP statement of `entries` for the account HOLDER, opened on 1 March
    2024 and closed on the day `closed`."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-02T08:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>S1</Id>
      <Acct><Id><IBAN>{HOLDER}</IBAN></Id><Ccy>GBP</Ccy>
        <Ownr><Nm>Holder Ltd</Nm></Ownr>
        <Svcr><FinInstnId><BIC>NWBKGB2L</BIC></FinInstnId></Svcr></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="GBP">{opening}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-01</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="GBP">{closing}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{closed}</Dt></Dt></Bal>
      {entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def entry(amount: str, direction: str, details: str = "", extra: str = "") -> str:
    """One booked entry of 1 March 2024; `extra` goes before its details (e.g. AmtDtls)."""
    return f"""
      <Ntry>
        <Amt Ccy="GBP">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2024-03-01</Dt></BookgDt>{extra}
        <NtryDtls>{details}</NtryDtls>
      </Ntry>"""


def read(tmp_path: Path, text: str) -> tuple:  # type: ignore[type-arg]
    path = tmp_path / "statement.xml"
    path.write_text(text, encoding="utf-8")
    return ingest_camt053(path, SHA, "r", fx_table())


def test_amounts_written_as_the_schema_allows_without_a_leading_zero_are_read(
    tmp_path: Path,
) -> None:
    # Handelsbanken UK writes amount details as ".6"; xs:decimal also allows "6." and "+6".
    details = """<TxDtls><AmtDtls><InstdAmt><Amt Ccy="GBP">.6</Amt></InstdAmt>
        </AmtDtls></TxDtls>"""
    text = statement(
        entry(".60", "DBIT")
        + entry("1.", "CRDT")
        + entry("+2.5", "CRDT")
        + entry("1.60", "DBIT", details),
        closing="101.30",
    )
    accepted, quarantined, checks = read(tmp_path, text)
    assert quarantined.height == 0
    assert accepted["amount_paid"].to_list() == [0.6, 1.0, 2.5, 1.6]
    assert checks["statements"][0]["reconciles"] is True
    # the detail's ".6" is now an amount, so its difference from the entry's 1.60 is reported
    assert checks["entry_amount_mismatches"] == [
        {"locator": "Stmt[1]/Ntry[4]", "entry_amount": 1.6, "details_sum": 0.6}
    ]


def test_signed_or_exponent_amounts_are_still_bad_amounts(tmp_path: Path) -> None:
    text = statement(entry("-1.00", "DBIT") + entry("1E2", "CRDT") + entry(".", "CRDT"))
    _, quarantined, _ = read(tmp_path, text)
    assert quarantined["reason"].to_list() == ["BAD_AMOUNT"] * 3


def parties(dbtr: str = "", cdtr: str = "") -> str:
    """``RltdPties`` with a debtor and/or a creditor given as (name, IBAN) XML."""
    return f"<RltdPties>{dbtr}{cdtr}</RltdPties>"


def side(role: str, name: str, iban: str | None = None) -> str:
    account = f"<{role}Acct><Id><IBAN>{iban}</IBAN></Id></{role}Acct>" if iban else ""
    return f"<{role}><Nm>{name}</Nm></{role}>{account}"


OTHER = "DE89370400440532013000"


def test_a_reversal_naming_only_the_original_payer_pays_that_payer_back(tmp_path: Path) -> None:
    # viafintech's UBS fixture: a refunded direct debit (RvslInd, DBIT) names only its Dbtr.
    details = f"<TxDtls>{parties(dbtr=side('Dbtr', 'Maria Payer', OTHER))}</TxDtls>"
    text = statement(
        entry("6.00", "DBIT", details, extra="<RvslInd>true</RvslInd>"), closing="94.00"
    )
    accepted, _, _ = read(tmp_path, text)
    row = accepted.row(0, named=True)
    assert (row["payer_account"], row["payee_account"]) == (HOLDER, OTHER)
    assert row["payee_name"] == "Maria Payer"
    assert row["payee_bank"] == "DE3704"  # no agent BIC: country + bank code of the IBAN


def test_a_debit_naming_the_statement_account_as_creditor_pays_the_debtor(
    tmp_path: Path,
) -> None:
    # viafintech's Volksbank fixture: a DBIT batch whose details give the holder as Cdtr.
    one = parties(side("Dbtr", "Other Ltd", OTHER), side("Cdtr", "Holder Ltd", HOLDER))
    details = f"""<TxDtls><AmtDtls><TxAmt><Amt Ccy="GBP">3.50</Amt></TxAmt></AmtDtls>{one}</TxDtls>
        <TxDtls><AmtDtls><TxAmt><Amt Ccy="GBP">2.50</Amt></TxAmt></AmtDtls>{one}</TxDtls>"""
    accepted, _, _ = read(tmp_path, statement(entry("6.00", "DBIT", details), closing="94.00"))
    assert accepted["payee_account"].to_list() == [OTHER, OTHER]
    assert accepted["payee_name"].to_list() == ["Other Ltd", "Other Ltd"]
    assert accepted["payer_account"].to_list() == [HOLDER, HOLDER]


def test_the_statement_account_is_never_taken_as_its_own_counterparty(tmp_path: Path) -> None:
    # a reversed debit that names only the holder (by name, or by account) has no counterparty
    reversal = "<RvslInd>true</RvslInd>"
    by_name = f"<TxDtls>{parties(dbtr=side('Dbtr', 'HOLDER  LTD'))}</TxDtls>"
    by_account = f"<TxDtls>{parties(dbtr=side('Dbtr', 'Someone', HOLDER))}</TxDtls>"
    text = statement(
        entry("1.00", "DBIT", by_name, reversal) + entry("1.00", "DBIT", by_account, reversal),
        closing="98.00",
    )
    accepted, _, _ = read(tmp_path, text)
    assert all(a.startswith("UNIDENTIFIED:") for a in accepted["payee_account"])
    # a credit from the holder's own account (a transfer between its sub-accounts) stays so
    own = f"<TxDtls>{parties(dbtr=side('Dbtr', 'Holder Ltd', HOLDER))}</TxDtls>"
    accepted, _, _ = read(tmp_path, statement(entry("1.00", "CRDT", own), closing="101.00"))
    assert accepted["payer_account"].to_list() == [HOLDER]


def test_a_credit_naming_only_its_creditor_keeps_no_counterparty(tmp_path: Path) -> None:
    # genkgo's fixtures: the creditor of a credit is the holder, whatever name it is given
    details = f"<TxDtls>{parties(cdtr=side('Cdtr', 'Trading Name', OTHER))}</TxDtls>"
    accepted, _, _ = read(tmp_path, statement(entry("1.00", "CRDT", details), closing="101.00"))
    assert accepted["payer_account"][0].startswith("UNIDENTIFIED:")
    assert accepted["payer_name"][0] is None


def test_an_instructed_amount_stated_on_the_entry_is_the_counterpartys_amount(
    tmp_path: Path,
) -> None:
    # Credit Suisse: a EUR payment from a CHF account states InstdAmt and the rate on the entry
    # (AmtDtls), and only a EUR Amt in its one transaction detail.
    amounts = """<AmtDtls><InstdAmt><Amt Ccy="EUR">522.39</Amt></InstdAmt>
        <CntrValAmt><Amt Ccy="GBP">450.00</Amt><CcyXchg><SrcCcy>EUR</SrcCcy><TrgtCcy>GBP</TrgtCcy>
        <XchgRate>0.8614</XchgRate></CcyXchg></CntrValAmt></AmtDtls>"""
    details = f"""<TxDtls><Amt Ccy="EUR">522.39</Amt><CdtDbtInd>DBIT</CdtDbtInd>
        {parties(cdtr=side("Cdtr", "Batelier", "FR7616806051006610853101177"))}</TxDtls>"""
    text = statement(entry("450.00", "DBIT", details, extra=amounts))
    accepted, _, checks = read(tmp_path, text)
    row = accepted.row(0, named=True)
    assert (row["amount_paid"], row["currency_paid"]) == (450.0, "GBP")
    assert (row["amount_received"], row["currency_received"]) == (522.39, "EUR")
    assert checks["fx_conversions"][0]["rate"] == "0.8614"


def test_balance_dates_are_the_days_the_bank_wrote(tmp_path: Path) -> None:
    """A balance dated at midnight in the bank's own zone (Wise's 2026-06-01T00:00:00+02:00)
    is that day's balance, not the day before in UTC."""
    text = statement("").replace(
        "<Dt><Dt>2024-03-01</Dt></Dt>", "<Dt><DtTm>2024-03-01T00:00:00+02:00</DtTm></Dt>"
    )
    path = tmp_path / "s.xml"
    path.write_text(text, encoding="utf-8")
    _, _, checks = ingest_camt053(path, SHA, "run-1", fx_table())
    assert checks["statements"][0]["balance_dates"] == ["2024-03-01"]


def test_invoice_numbers_of_structured_remittance_are_the_reference(tmp_path: Path) -> None:
    # Handelsbanken SE's Bankgiro payments name the paid invoice only in RfrdDocInf/Nb
    def paid(invoices: str) -> str:
        return f"<TxDtls><RmtInf>{invoices}</RmtInf></TxDtls>"

    only_number = "<Strd><RfrdDocInf><Nb>789790</Nb></RfrdDocInf></Strd>"
    number_and_text = """<Strd><RfrdDocInf><Tp><CdOrPrtry><Cd>CINV</Cd></CdOrPrtry></Tp>
        <Nb>INV 1</Nb></RfrdDocInf><RfrdDocAmt><RmtdAmt Ccy="GBP">1</RmtdAmt></RfrdDocAmt>
        <CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf><AddtlRmtInf>Thanks</AddtlRmtInf>
        </Strd><Strd><RfrdDocInf><Nb>INV 2</Nb></RfrdDocInf></Strd>"""
    text = statement(
        entry("1.00", "CRDT", paid(only_number)) + entry("2.00", "CRDT", paid(number_and_text)),
        closing="103.00",
    )
    accepted, _, _ = read(tmp_path, text)
    assert accepted["reference"].to_list() == [
        "789790",
        "INV 1 RF18539007547034 Thanks INV 2",
    ]


def bare_entry(amount: str, direction: str) -> str:
    """An entry as the Bank of Lithuania's daily statements write it: no Sts, no dates."""
    return f"""<Ntry><Amt Ccy="GBP">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>
        <BkTxCd><Prtry><Cd>ATSISK</Cd></Prtry></BkTxCd>
        <NtryDtls><Btch><NbOfTxs>86</NbOfTxs></Btch><TxDtls><Amt Ccy="GBP">{amount}</Amt>
        </TxDtls></NtryDtls></Ntry>"""


def test_entries_without_status_or_dates_in_a_one_day_statement_are_booked_that_day(
    tmp_path: Path,
) -> None:
    # Sts is mandatory in camt.053 and a statement reports booked entries: one without it is
    # booked (the balances reconcile only so); with no BookgDt/ValDt it is booked on the day
    # the statement covers, here the day of both balances.
    text = statement(bare_entry("8.00", "CRDT") + bare_entry("3.00", "DBIT"), closing="105.00")
    accepted, quarantined, checks = read(tmp_path, text)
    assert quarantined.height == 0
    assert [t.isoformat() for t in accepted["booked_at"]] == ["2024-03-01T00:00:00+00:00"] * 2
    assert accepted["amount_paid"].to_list() == [8.0, 3.0]
    got = checks["statements"][0]
    assert got["reconciles"] is True
    assert got["entries_without_status"] == ["Stmt[1]/Ntry[1]", "Stmt[1]/Ntry[2]"]
    assert got["entries_dated_by_statement"] == ["Stmt[1]/Ntry[1]", "Stmt[1]/Ntry[2]"]


def test_an_undated_entry_of_a_statement_of_several_days_is_a_bad_date(tmp_path: Path) -> None:
    text = statement(bare_entry("8.00", "CRDT"), closing="108.00", closed="2024-03-31")
    _, quarantined, checks = read(tmp_path, text)
    assert quarantined["reason"].to_list() == ["BAD_DATE"]
    assert checks["statements"][0]["reconciles"] is True  # still a booked movement


def test_an_account_number_shaped_like_an_iban_of_the_wrong_length_names_no_bank() -> None:
    """OCA's multi-currency statement pays ``SE123456789``: a Swedish account number, not an
    IBAN (Swedish IBANs have 24 characters), so it names no bank code."""
    from finflow.ingest.camt053_fields import UNKNOWN_BANK, bank_of, is_iban

    assert bank_of(None, "SE123456789") == UNKNOWN_BANK
    assert bank_of(None, "GB29 NWBK 6016 1331 9268 19") == "GBNWBK"
    assert bank_of(None, "BE00000000000000") == "BE0000"  # anonymised, right length
    assert is_iban("ZZ12ABCD1234")  # a country finflow has no length for: by shape
    assert not is_iban("NL91ABNA04171643")  # Dutch IBANs have 18 characters


def test_a_difference_that_is_the_entrys_charges_says_so(tmp_path: Path) -> None:
    """Handelsbanken SE books a payment with its fee: the entry is the details plus the charges
    stated on it, which the mismatch list shows rather than an unexplained difference."""
    charges = '<Chrgs><Rcrd><Amt Ccy="GBP">3.00</Amt></Rcrd></Chrgs>'
    details = '<TxDtls><Amt Ccy="GBP">100.00</Amt></TxDtls>'
    text = statement(
        entry("103.00", "DBIT", details, charges)
        + entry("50.00", "DBIT", details.replace("100", "45")),
        closing="-53.00",
    )
    _, _, checks = read(tmp_path, text)
    assert checks["entry_amount_mismatches"] == [
        {"locator": "Stmt[1]/Ntry[1]", "entry_amount": 103.0, "details_sum": 100.0, "charges": 3.0},
        {"locator": "Stmt[1]/Ntry[2]", "entry_amount": 50.0, "details_sum": 45.0},
    ]


def test_a_date_written_with_its_time_zone_is_that_day(tmp_path: Path) -> None:
    # Raiffeisen CH (ofxstatement-iso20022's davider80 sample) dates entries and balances as
    # xs:date with a zone, "2017-04-01+02:00": the day, not 02:00 of it.
    zoned = """
      <Ntry>
        <Amt Ccy="GBP">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2024-03-01+02:00</Dt></BookgDt><ValDt><Dt>2024-03-04-05:00</Dt></ValDt>
      </Ntry>
      <Ntry>
        <Amt Ccy="GBP">2.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <ValDt><Dt>2024-03-01Z</Dt></ValDt>
      </Ntry>"""
    text = statement(zoned, closing="97.00").replace(
        "<Dt>2024-03-01</Dt></Dt></Bal>", "<Dt>2024-03-01+01:00</Dt></Dt></Bal>"
    )
    accepted, quarantined, checks = read(tmp_path, text)
    assert quarantined.height == 0
    midnight = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    assert accepted["booked_at"].to_list() == [midnight, midnight]
    assert checks["statements"][0]["balance_dates"] == ["2024-03-01"]
    assert checks["statements"][0]["reconciles"] is True


def test_a_statement_naming_no_account_is_booked_to_its_file_not_to_a_shared_placeholder(
    tmp_path: Path,
) -> None:
    # Excerpts and broken exports leave Acct out (libeufin's samples; a parser's demo writes
    # "Acnt"): one "UNKNOWN" account for all of them would join unrelated files into one hub.
    one = statement(entry("5.00", "DBIT"), closing="95.00")
    no_account = one.replace(f"<Id><IBAN>{HOLDER}</IBAN></Id>", "")
    body = no_account.split("<Stmt>")[1].split("</Stmt>")[0]
    two = no_account.replace("</Stmt>", f"</Stmt>\n    <Stmt>{body}</Stmt>", 1)
    accepted, _, checks = read(tmp_path, two)
    accounts = [s["account"] for s in checks["statements"]]
    assert accounts == [f"STATEMENT:{SHA[:16]}", f"STATEMENT:{SHA[:16]}:2"]
    assert accepted["payer_account"].to_list() == accounts
