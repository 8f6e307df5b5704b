"""camt.053 quirks of real banks' files, each re-created in a small written statement.

Found by reading other projects' published fixtures (viafintech/camt_parser, OCA
bank-statement-import, darko-mijic/iso-20022-camt-053-parser); none of them is copied here.
"""

from __future__ import annotations

from pathlib import Path

from statement_samples import SHA, fx_table

from finflow.ingest.camt053 import ingest_camt053

HOLDER = "GB29NWBK60161331926819"


def statement(entries: str, *, opening: str = "100.00", closing: str = "100.00") -> str:
    """A camt.053.001.02 GBP statement of `entries` for the account HOLDER."""
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
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-01</Dt></Dt></Bal>
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
