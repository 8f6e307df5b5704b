"""camt.053 reader on small written documents: every version, hostile XML, streaming."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from statement_samples import SHA, fx_table

from finflow.errors import FeedFormatError
from finflow.ingest.camt053 import ingest_camt053, looks_like_camt053

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.{:02d}"


def party(version: int, name: str) -> str:
    """Party names: plain ``Nm`` up to 001.07, ``Pty/Nm`` (Party40Choice) from 001.08."""
    return f"<Pty><Nm>{name}</Nm></Pty>" if version >= 8 else f"<Nm>{name}</Nm>"


def entry(version: int, *, status: str = "BOOK", amount: str = "1250.50") -> str:
    sts = f"<Sts><Cd>{status}</Cd></Sts>" if version >= 8 else f"<Sts>{status}</Sts>"
    bic = "BICFI" if version >= 4 else "BIC"
    return f"""
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>{sts}
        <BookgDt><DtTm>2024-03-01T23:30:00-01:00</DtTm></BookgDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>E2E-1</EndToEndId></Refs>
          <RltdPties>
            <Dbtr>{party(version, "Alice Payer")}</Dbtr>
            <DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct>
          </RltdPties>
          <RltdAgts><DbtrAgt><FinInstnId><{bic}>COBADEFFXXX</{bic}></FinInstnId></DbtrAgt></RltdAgts>
          <RmtInf><Ustrd>rent march</Ustrd><Ustrd>flat 2</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>"""


def document(version: int, entries: str) -> str:
    bic = "BICFI" if version >= 4 else "BIC"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{NS.format(version)}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-02T08:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>S1</Id>
      <Acct>
        <Id><IBAN>GB29NWBK60161331926819</IBAN></Id><Ccy>EUR</Ccy>
        <Svcr><FinInstnId><{bic}>NWBKGB2L</{bic}></FinInstnId></Svcr>
      </Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2024-03-01</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1150.5</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-01</Dt></Dt></Bal>
      {entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def write(tmp_path: Path, text: str, name: str = "statement.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("version", range(2, 15))
def test_every_version_namespace_reads_the_same_facts(tmp_path: Path, version: int) -> None:
    path = write(tmp_path, document(version, entry(version)))
    assert looks_like_camt053(path.read_bytes())
    accepted, quarantined, checks = ingest_camt053(path, SHA, "r", fx_table())
    assert quarantined.height == 0
    got = accepted.row(0, named=True)
    assert got["source_format"] == f"camt053.001.{version:02d}"
    assert got["source_locator"] == "Stmt[1]/Ntry[1]/TxDtls[1]"
    assert got["booked_at"].isoformat() == "2024-03-02T00:30:00+00:00"
    assert (got["payer_bank"], got["payer_account"]) == ("COBADEFF", "DE89370400440532013000")
    assert (got["payee_bank"], got["payee_account"]) == ("NWBKGB2L", "GB29NWBK60161331926819")
    assert (got["amount_paid"], got["currency_paid"]) == (1250.5, "EUR")
    assert got["reference"] == "rent march flat 2"
    assert got["channel"] == "wire"
    assert checks["statements"][0]["reconciles"] is True  # -100 + 1250.50 = 1150.50


def test_pending_and_information_entries_are_quarantined_as_not_booked(tmp_path: Path) -> None:
    entries = entry(8) + entry(8, status="PDNG") + entry(8, status="INFO")
    path = write(tmp_path, document(8, entries))
    accepted, quarantined, checks = ingest_camt053(path, SHA, "r", fx_table())
    assert accepted.height == 1
    assert quarantined["reason"].to_list() == ["NOT_BOOKED", "NOT_BOOKED"]
    assert quarantined["detail"][0] == (
        "Stmt[1]/Ntry[2]/TxDtls[1]: entry status PDNG: only booked (BOOK) entries are transactions"
    )
    assert checks["statements"][0]["credits"] == 1250.5  # pending entries move no balance


def test_bad_amounts_are_quarantined(tmp_path: Path) -> None:
    path = write(tmp_path, document(4, entry(4, amount="12,50") + entry(4, amount="0.00")))
    _, quarantined, _ = ingest_camt053(path, SHA, "r", fx_table())
    assert quarantined["reason"].to_list() == ["BAD_AMOUNT", "ZERO_AMOUNT"]


def test_no_namespace_still_reads_as_camt(tmp_path: Path) -> None:
    text = document(2, entry(2)).replace(f' xmlns="{NS.format(2)}"', "")
    path = write(tmp_path, text)
    assert looks_like_camt053(path.read_bytes())
    accepted, _, checks = ingest_camt053(path, SHA, "r", fx_table())
    assert accepted.height == 1
    assert checks["format"] == "camt053"


def test_sniffing_rejects_other_files() -> None:
    assert not looks_like_camt053(b"Date,Description,Amount\n1,2,3\n")
    assert not looks_like_camt053(
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">'
    )
    assert looks_like_camt053(b"\xef\xbb\xbf<env><AppHdr/><Doc:BkToCstmrStmt>")


def test_malformed_xml_names_line_and_column(tmp_path: Path) -> None:
    text = document(2, entry(2)).replace("</Stmt>", "</Stmnt>")
    line = text.splitlines().index("    </Stmnt>") + 1
    path = write(tmp_path, text)
    message = rf"statement\.xml: not well-formed XML at line {line}, column \d+: mismatched tag"
    with pytest.raises(FeedFormatError, match=message):
        ingest_camt053(path, SHA, "r", fx_table())


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&lol3;
</BkToCstmrStmt></Document>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&xxe;
</BkToCstmrStmt></Document>
"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_dtds_and_entities_are_refused(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FeedFormatError, match=r"DOCTYPE declaration at line 2 refused"):
        ingest_camt053(path, SHA, "r", fx_table())


def test_an_undeclared_entity_is_not_expanded(tmp_path: Path) -> None:
    path = write(tmp_path, document(2, entry(2)).replace("rent march", "&xxe;"))
    with pytest.raises(FeedFormatError, match="undefined entity"):
        ingest_camt053(path, SHA, "r", fx_table())


def test_invalid_utf8_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "latin.xml"
    path.write_bytes(document(2, entry(2)).replace("rent", "r\xe9nt").encode("latin-1"))
    with pytest.raises(FeedFormatError, match=r"latin.xml: not valid utf-8 text \(byte 0xe9"):
        ingest_camt053(path, SHA, "r", fx_table())


def test_a_declared_latin1_encoding_is_honoured(tmp_path: Path) -> None:
    text = document(2, entry(2)).replace("rent", "r\xe9nt").replace("UTF-8", "ISO-8859-1")
    path = tmp_path / "latin.xml"
    path.write_bytes(text.encode("latin-1"))
    accepted, _, _ = ingest_camt053(path, SHA, "r", fx_table())
    assert accepted["reference"][0] == "r\xe9nt march flat 2"


def test_a_large_file_streams_in_bounded_memory(tmp_path: Path) -> None:
    """Peak Python memory stays near 4 MB whatever the file size (measured at 11 to 90 MB)."""
    padding = "<AddtlTxInf>" + "x" * 3000 + "</AddtlTxInf>"
    one = entry(8).replace("</TxDtls>", padding + "</TxDtls>")
    path = tmp_path / "large.xml"
    head, tail = document(8, "@@").split("@@")
    n = 6_000
    with path.open("w", encoding="utf-8") as fh:
        fh.write(head)
        for _ in range(n):
            fh.write(one)
        fh.write(tail)
    size = path.stat().st_size
    assert size > 20_000_000
    tracemalloc.start()
    try:
        accepted, quarantined, checks = ingest_camt053(path, SHA, "r", fx_table())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert accepted.height == n and quarantined.height == 0
    assert checks["statements"][0]["entries"] == n
    assert peak < 8_000_000, f"peak Python memory {peak:,} bytes for a {size:,}-byte file"
