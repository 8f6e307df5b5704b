"""Hostile input, property-based: every file ends in quarantine or a clear refusal.

For each format (AMLworld CSV, camt.053, bank CSV) hypothesis builds files from valid rows and
hostile ones (wrong types, huge fields, random bytes, mixed encodings, truncation, XXE and
billion-laughs payloads). Whatever it builds, ingest either refuses the file with a
`FinflowError` (a one-line reason) or accounts for every row: rows read == accepted +
quarantined, each quarantined row with a known reason code. Never another exception (a
traceback), never a hang (hypothesis' deadline), never a lost row.
"""

from __future__ import annotations

import codecs
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finflow.errors import FinflowError
from finflow.ingest import amlworld, bankcsv, camt053_entry
from finflow.ingest.bankcsv import ingest_bank_csv
from finflow.ingest.camt053 import ingest_camt053
from finflow.ingest.csvprofile import shipped_profiles
from finflow.ingest.fx import load_fx
from finflow.ingest.runner import ingest_folder
from finflow.ingest.sniff import AMLWORLD_TRANS_HEADER, sniff

SHA = "cd" * 32
FX = load_fx(None)
HOSTILE = settings(
    max_examples=40,
    deadline=3000,  # ms per example: a hang or a quadratic blow-up fails the test
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: reproducible in CI
)

CAMT_REASONS = set(camt053_entry.REASONS)
CSV_REASONS = set(bankcsv.REASONS)
AML_REASONS = set(amlworld.REASONS)

# -- values --------------------------------------------------------------------------------

huge = st.integers(min_value=10_000, max_value=200_000).map(lambda n: "A" * n)
junk_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    max_size=40,
)
xml_text = st.text(  # any text XML 1.0 can carry (no control characters)
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Co")), max_size=40
)
xml_wrong = st.one_of(
    xml_text, huge, st.sampled_from(["", "NaN", "inf", "1e400", "-0", "1,5", "١٢٣", "null"])
)
wrong = st.one_of(
    junk_text,
    huge,
    st.sampled_from(["", "NaN", "inf", "-inf", "1e400", "-0", "0x10", "1,5", "١٢٣", "null"]),
)


def _file(tmp: Path, name: str, data: bytes) -> Path:
    """`data` as `name` in a new folder under `tmp` (hypothesis reuses one tmp_path)."""
    path = Path(tempfile.mkdtemp(dir=tmp)) / name
    path.write_bytes(data)
    return path


def _accounted(
    accepted: pl.DataFrame, quarantined: pl.DataFrame, reasons: set[str], rows: int | None
) -> None:
    """No row lost: every row is accepted or quarantined with a known reason."""
    if rows is not None:
        assert accepted.height + quarantined.height == rows
    assert set(quarantined["reason"].to_list()) <= reasons
    assert quarantined["detail"].null_count() == 0


# -- AMLworld --------------------------------------------------------------------------------

GOOD_AML = "2022/09/01 00:21,0011,A1,03208,B1,1500.00,UK Pound,1500.00,UK Pound,Wire,0"


@st.composite
def aml_line(draw: st.DrawFn) -> str:
    fields = GOOD_AML.split(",")
    for _ in range(draw(st.integers(0, 3))):
        fields[draw(st.integers(0, 10))] = draw(wrong).replace("\n", " ").replace("\r", " ")
    if draw(st.booleans()):
        fields = fields[: draw(st.integers(0, 12))] + draw(st.lists(junk_text, max_size=2))
    line = ",".join(fields).replace("\n", " ").replace("\r", " ")  # one physical line
    return line if line.strip() else "x"


@HOSTILE
@given(lines=st.lists(aml_line(), min_size=1, max_size=20))
def test_amlworld_rows_with_wrong_types_and_huge_fields_are_accounted_for(
    tmp_path: Path, lines: list[str]
) -> None:
    text = "\n".join([AMLWORLD_TRANS_HEADER, *lines]) + "\n"
    path = _file(tmp_path, "t.csv", text.encode("utf-8"))
    try:
        accepted, quarantined = amlworld.ingest_transactions(path, SHA, "r", FX)
    except FinflowError:
        return
    _accounted(accepted, quarantined, AML_REASONS, len(lines))


@HOSTILE
@given(
    rows=st.integers(1, 30),
    cut=st.floats(0.0, 1.0),
    noise=st.binary(max_size=300),
    latin1=st.booleans(),
)
def test_amlworld_truncated_random_bytes_and_mixed_encodings_never_escape(
    tmp_path: Path, rows: int, cut: float, noise: bytes, latin1: bool
) -> None:
    body = "\n".join([AMLWORLD_TRANS_HEADER] + [GOOD_AML] * rows).encode()
    data = body[: max(len(AMLWORLD_TRANS_HEADER) + 1, int(len(body) * cut))] + noise
    if latin1:  # a Windows-1252 line amid UTF-8 ones
        data += "\n2022/09/01 00:21,0011,Café,03208,B1,1,UK Pound,1,UK Pound,Wire,0".encode(
            "cp1252"
        )
    folder = _file(tmp_path, "t.csv", data).parent
    try:
        result = ingest_folder(folder, folder / ".out")
    except FinflowError:
        return  # a clear refusal (e.g. nothing usable) is fine
    for entry in result["files"]:
        assert entry["rows_read"] == entry["rows_accepted"] + entry["rows_quarantined"]
        if entry["status"] == "rejected":
            assert entry["message"]


# -- camt.053 --------------------------------------------------------------------------------

CAMT_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
    "<GrpHdr><MsgId>M</MsgId><CreDtTm>2024-05-01T10:00:00</CreDtTm></GrpHdr>"
    "<Stmt><Id>S1</Id><CreDtTm>2024-05-01T10:00:00</CreDtTm>"
    "<FrToDt><FrDtTm>2024-05-01T00:00:00</FrDtTm><ToDtTm>2024-05-01T23:59:59</ToDtTm></FrToDt>"
    "<Acct><Id><IBAN>GB33BUKB20201555555555</IBAN></Id><Ccy>GBP</Ccy>"
    "<Ownr><Nm>Owner Ltd</Nm></Ownr></Acct>"
)
CAMT_TAIL = "</Stmt></BkToCstmrStmt></Document>\n"


def _xml(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


@st.composite
def camt_entry(draw: st.DrawFn) -> tuple[str, int]:
    """One ``Ntry`` (possibly hostile) and the rows it must give: max(1, number of TxDtls)."""
    amount = draw(st.one_of(st.just("12.50"), xml_wrong.map(_xml)))
    currency = draw(st.one_of(st.just("GBP"), st.just("EUR"), xml_text.map(_xml)))
    status = draw(st.sampled_from(["BOOK", "PDNG", "", "<Cd>BOOK</Cd>"]))
    date = draw(st.one_of(st.just("2024-05-01"), xml_wrong.map(_xml)))
    direction = draw(st.sampled_from(["CRDT", "DBIT", "SIDEWAYS"]))
    details = draw(st.integers(0, 3))
    txs = "".join(
        "<TxDtls><Refs><EndToEndId>"
        + _xml(draw(st.one_of(st.just("E2E"), xml_wrong)))
        + "</EndToEndId><UETR>"
        + _xml(draw(xml_text))
        + "</UETR></Refs><Amt Ccy='GBP'>"
        + draw(st.one_of(st.just("6.25"), xml_wrong.map(_xml)))
        + "</Amt><RltdPties><Dbtr><Nm>"
        + _xml(draw(st.one_of(xml_text, huge)))
        + "</Nm></Dbtr></RltdPties><RmtInf><Ustrd>"
        + _xml(draw(st.one_of(xml_text, huge)))
        + "</Ustrd></RmtInf></TxDtls>"
        for _ in range(details)
    )
    entry = (
        f'<Ntry><Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>'
        f"<Sts>{status}</Sts><BookgDt><Dt>{date}</Dt></BookgDt>"
        + (f"<NtryDtls>{txs}</NtryDtls>" if details else "")
        + "</Ntry>"
    )
    return entry, max(1, details)


@HOSTILE
@given(entries=st.lists(camt_entry(), max_size=8))
def test_camt053_entries_with_wrong_types_and_huge_fields_are_accounted_for(
    tmp_path: Path, entries: list[tuple[str, int]]
) -> None:
    xml = CAMT_HEAD + "".join(e for e, _ in entries) + CAMT_TAIL
    path = _file(tmp_path, "s.xml", xml.encode("utf-8"))
    accepted, quarantined, checks = ingest_camt053(path, SHA, "r", FX)
    _accounted(accepted, quarantined, CAMT_REASONS, sum(n for _, n in entries))
    assert checks["rows_read"] == accepted.height + quarantined.height


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    + "]>"
).replace("&lol0;", "&lol;")
XXE = [
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    '<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://127.0.0.1:1/evil.dtd">',
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]>',
    BILLION_LAUGHS,
]


@HOSTILE
@given(prolog=st.sampled_from(XXE), use=st.sampled_from(["&x;", "&lol9;", "&p;", ""]))
def test_camt053_xxe_and_billion_laughs_are_refused_before_any_expansion(
    tmp_path: Path, prolog: str, use: str
) -> None:
    xml = prolog + CAMT_HEAD.split("?>", 1)[1] + f"<Ntry><AddtlNtryInf>{use}</AddtlNtryInf>"
    xml += '<Amt Ccy="GBP">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
    xml += "<BookgDt><Dt>2024-05-01</Dt></BookgDt></Ntry>" + CAMT_TAIL
    path = _file(tmp_path, "evil.xml", xml.encode())
    assert sniff(path).format == "camt053"  # it is recognised, then refused by the reader
    try:
        ingest_camt053(path, SHA, "r", FX)
    except FinflowError as exc:
        assert "DOCTYPE" in str(exc) or "DTD" in str(exc) or "entity" in str(exc).lower()
    else:
        raise AssertionError("a DOCTYPE must be refused")


@HOSTILE
@given(
    entries=st.lists(camt_entry(), min_size=1, max_size=5),
    cut=st.floats(0.0, 1.0),
    noise=st.binary(max_size=200),
    encoding=st.sampled_from(["utf-8", "utf-16", "cp1252", "mixed"]),
)
def test_camt053_truncated_random_bytes_and_wrong_encodings_never_escape(
    tmp_path: Path, entries: list[tuple[str, int]], cut: float, noise: bytes, encoding: str
) -> None:
    xml = CAMT_HEAD + "".join(e for e, _ in entries) + "<Ntry><Amt>é</Amt></Ntry>" + CAMT_TAIL
    if encoding == "mixed":
        data = xml.encode("utf-8") + "<!-- café -->".encode("cp1252")
    else:
        data = codecs.encode(xml, encoding, errors="replace")
    data = data[: int(len(data) * cut)] + noise
    folder = _file(tmp_path, "s.xml", data).parent
    try:
        result = ingest_folder(folder, folder / ".out")
    except FinflowError:
        return
    for entry in result["files"]:
        assert entry["rows_read"] == entry["rows_accepted"] + entry["rows_quarantined"]


# -- bank CSV --------------------------------------------------------------------------------

PROFILES = {p.name: p for p in shipped_profiles()}
LLOYDS_HEADER = (
    "Transaction Date,Transaction Type,Sort Code,Account Number,Transaction Description,"
    "Debit Amount,Credit Amount,Balance"
)
GOOD_LLOYDS = ["01/05/2024", "FPO", "'99-88-74", "12345678", "RENT", "500.00", "", "1000.00"]


@st.composite
def lloyds_line(draw: st.DrawFn) -> str:
    fields = list(GOOD_LLOYDS)
    for _ in range(draw(st.integers(0, 3))):
        value = draw(wrong)
        fields[draw(st.integers(0, 7))] = '"' + value.replace('"', '""') + '"'
    if draw(st.booleans()):
        fields += draw(
            st.lists(junk_text.map(lambda v: '"' + v.replace('"', '""') + '"'), max_size=2)
        )
    return ",".join(fields)


@HOSTILE
@given(lines=st.lists(lloyds_line(), min_size=1, max_size=15))
def test_bank_csv_rows_with_wrong_types_and_huge_fields_are_accounted_for(
    tmp_path: Path, lines: list[str]
) -> None:
    text = "\n".join([LLOYDS_HEADER, *lines]) + "\n"
    path = _file(tmp_path, "s.csv", text.encode("utf-8"))
    accepted, quarantined, checks = ingest_bank_csv(path, SHA, "r", FX, PROFILES["lloyds"])
    blank = sum(1 for line in lines if not line.replace(",", "").replace('"', "").strip())
    _accounted(accepted, quarantined, CSV_REASONS, len(lines) - blank)
    assert checks["rows_read"] == accepted.height + quarantined.height


@HOSTILE
@given(
    rows=st.integers(1, 20),
    cut=st.floats(0.0, 1.0),
    noise=st.binary(max_size=300),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "mixed"]),
)
def test_bank_csv_truncated_random_bytes_and_mixed_encodings_never_escape(
    tmp_path: Path, rows: int, cut: float, noise: bytes, encoding: str
) -> None:
    line = ",".join(GOOD_LLOYDS).replace("RENT", "Café £5")
    text = "\n".join([LLOYDS_HEADER] + [line] * rows) + "\n"
    if encoding == "mixed":
        data = text.encode("utf-8") + line.encode("cp1252")
    else:
        data = text.encode(encoding)
    data = data[: int(len(data) * cut)] + noise
    folder = _file(tmp_path, "s.csv", data).parent
    try:
        result = ingest_folder(folder, folder / ".out")
    except FinflowError:
        return
    for entry in result["files"]:
        assert entry["rows_read"] == entry["rows_accepted"] + entry["rows_quarantined"]
