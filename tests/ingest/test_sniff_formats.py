"""Files of other formats are refused by name (what they are and what to ask for instead), and
UTF-16 bank exports with a byte-order mark are read like their UTF-8 originals."""

from __future__ import annotations

import codecs
import gzip
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest
from statement_samples import BANK_CAMT, BANK_CSV

from finflow.ingest.runner import ingest_folder
from finflow.ingest.sniff import sniff

LLOYDS = BANK_CSV / "ofxstatement-lloyds-current.csv"


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


OTHER_FORMATS = {
    "gzip": (gzip.compress(b"Date,Amount\n01/02/2024,1.00\n"), "gzip-compressed"),
    "xlsx": (_zip(["[Content_Types].xml", "xl/workbook.xml"]), "Excel workbook (.xlsx)"),
    "zip": (_zip(["statement.csv"]), "ZIP archive: unpack it"),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "legacy Microsoft Office"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF document"),
    "ofx": (b"OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><SIGNONMSGSRSV1>", "OFX/QFX"),
    "ofx-xml": (b'<?xml version="1.0"?>\n<?OFX OFXHEADER="200"?>\n<OFX>\n', "OFX/QFX"),
    "qif": (b"!Type:Bank\nD01/02/2024\nT-12.00\nPTESCO\n^\n", "QIF file"),
    "mt940": (
        b":20:STARTUMS\r\n:25:10020030/1234567\r\n:28C:0\r\n:60F:C240101EUR100,00\r\n"
        b":61:2401010101DR12,00NTRFNONREF\r\n:86:RENT\r\n:62F:C240101EUR88,00\r\n-\r\n",
        "SWIFT MT940",
    ),
    "mt940-blocks": (b"{1:F01BANKDEFFAXXX0000000000}{2:O940}{4:\r\n:20:X\r\n-}", "MT940"),
    "camt052": (
        b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08">'
        b"<BkToCstmrAcctRpt><GrpHdr/></BkToCstmrAcctRpt></Document>",
        "ISO 20022 camt.052 (an account report",
    ),
    "pain001": (
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn>',
        "pain.001 (payment instructions",
    ),
    "xml": (b"<?xml version='1.0'?>\n<statement><line/></statement>", "root <statement>"),
    "html": (b"<html><body><table><tr><td>Date</td></tr></table>", "HTML page"),
    "json": (b'{"transactions": [{"amount": -12.5}]}', "JSON document"),
    "json-array": (b'[\n  {"date": "2024-02-01"}\n]', "JSON document"),
}


@pytest.mark.parametrize("kind", sorted(OTHER_FORMATS))
def test_other_formats_are_named(tmp_path: Path, kind: str) -> None:
    data, needle = OTHER_FORMATS[kind]
    path = tmp_path / "delivery.dat"  # the name says nothing: the content decides
    path.write_bytes(data)
    found = sniff(path)
    assert (found.format, found.other_format) == ("unrecognised", True)
    assert needle in found.reason, found.reason
    # a folder holding it and a good feed: the file is listed as rejected with that reason
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "delivery.dat").write_bytes(data)
    (feeds / "lloyds.csv").write_bytes(LLOYDS.read_bytes())
    result = ingest_folder(feeds, tmp_path / "out")
    entry = next(e for e in result["files"] if e["file"] == "delivery.dat")
    assert entry["status"] == "rejected" and needle in entry["message"]


def test_bank_csv_that_looks_a_little_like_those_is_still_a_bank_csv(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    text = LLOYDS.read_text(encoding="utf-8-sig")
    path.write_text(text + "01/06/2023,DEB,'00-00-00,1,<html> [x] {1:F01},1.00,,5.00\n")
    assert sniff(path).format == "bankcsv"


def _lake(out: Path) -> pl.DataFrame:
    files = sorted((out / "lake" / "transactions").rglob("*.parquet"))
    columns = [
        "booked_at",
        "payer_account",
        "payee_account",
        "payer_name",
        "payee_name",
        "amount_paid",
        "currency_paid",
        "channel",
        "reference",
    ]
    return pl.concat([pl.read_parquet(f, columns=columns) for f in files]).sort(columns)


def _both_read_the_same(tmp_path: Path, name: str, utf8: bytes, utf16: bytes) -> str:
    """Each copy ingested from a folder of its own: the same rows; returns what was sniffed."""
    lakes, sniffed = [], set()
    for folder, data in (("a", utf8), ("b", utf16)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_bytes(data)
        found = sniff(tmp_path / folder / name)
        sniffed.add(found.profile or found.format)
        ingest_folder(tmp_path / folder, tmp_path / f"out-{folder}")
        lakes.append(_lake(tmp_path / f"out-{folder}"))
    assert lakes[1].height == lakes[0].height > 0
    assert lakes[1].equals(lakes[0])
    (one,) = sniffed
    return one


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_export_with_a_bom_reads_as_the_utf8_one(tmp_path: Path, encoding: str) -> None:
    text = LLOYDS.read_text(encoding="utf-8-sig")
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    utf16 = bom + text.encode(encoding)
    assert _both_read_the_same(tmp_path, "s.csv", text.encode("utf-8"), utf16) == "lloyds"


def test_utf16_tab_separated_unicode_text_is_inferred(tmp_path: Path) -> None:
    # Excel's "Unicode text" (UTF-16 LE with a BOM, tab-separated) of a made-up export
    rows = [
        "Date\tDescription\tPaid out\tPaid in\tBalance",
        "02/04/2024\tCARD PAYMENT TO TESCO\t12.50\t\t987.50",
        "03/04/2024\tSALARY ACME LTD\t\t1,500.00\t2,487.50",
        "05/04/2024\tSTANDING ORDER RENT\t800.00\t\t1,687.50",
    ]
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "export.txt").write_bytes("\r\n".join(rows).encode("utf-16"))
    assert sniff(feeds / "export.txt").format == "bankcsv"
    result = ingest_folder(feeds, tmp_path / "out")
    (entry,) = result["files"]
    assert (entry["status"], entry["rows_accepted"]) == ("ingested", 3), entry
    lake = _lake(tmp_path / "out")
    assert sorted(lake["amount_paid"].to_list()) == [12.5, 800.0, 1500.0]


def test_utf16_camt053_reads_as_the_utf8_one(tmp_path: Path) -> None:
    source = BANK_CAMT / "oca-v02-nl-merged-two-documents.xml"
    text = source.read_bytes().decode("utf-8-sig")
    utf16 = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert _both_read_the_same(tmp_path, "s.xml", text.encode("utf-8"), utf16) == "camt053"


def test_utf16_amlworld_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "trans.csv"
    header = (
        "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,"
        "Amount Paid,Payment Currency,Payment Format,Is Laundering"
    )
    path.write_bytes(header.encode("utf-16") + "\n".encode("utf-16-le"))
    found = sniff(path)
    assert found.format == "unrecognised" and "save it as UTF-8" in found.reason


def _profile(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finflow.cli", "profile", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_profile_command_names_the_format(tmp_path: Path) -> None:
    path = tmp_path / "statement.sta"
    path.write_bytes(OTHER_FORMATS["mt940"][0])
    done = _profile(path)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "finflow: error: statement.sta: a SWIFT MT940/MT942 statement, which finflow does not "
        "read: ask for a camt.053 statement or a CSV export"
    ]
    camt = next(iter(sorted(BANK_CAMT.glob("*.xml"))))
    done = _profile(camt)
    assert done.returncode == 0 and "is read as camt053 (no profile needed)" in done.stdout
