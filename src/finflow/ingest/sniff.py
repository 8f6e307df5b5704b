"""Recognise a feed file's format from its content, not its name."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

SNIFF_BYTES = 64 * 1024

AMLWORLD_TRANS_HEADER = (
    "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,"
    "Amount Paid,Payment Currency,Payment Format,Is Laundering"
)
AMLWORLD_ACCOUNTS_HEADER = "Bank Name,Bank ID,Account Number,Entity ID,Entity Name"
PATTERNS_MARK = "BEGIN LAUNDERING ATTEMPT"

INGESTIBLE = (
    "amlworld_transactions",
    "amlworld_accounts",
    "camt053",
    "bankcsv",
    "customers",
    "institutions",
)
TRANSACTION_FEEDS = ("amlworld_transactions", "camt053", "bankcsv")


@dataclass(frozen=True)
class Sniffed:
    """What a file looks like: a format name, or ``unrecognised`` with the reason."""

    format: str
    reason: str = ""
    profile: str = ""
    """For ``bankcsv``: the name of the mapping profile that matched the header."""
    other_format: bool = False
    """For ``unrecognised``: the file is of another format (an archive, a workbook, PDF, OFX,
    QIF, MT940, other XML, HTML, JSON) that the reason names."""

    @property
    def ingestible(self) -> bool:
        return self.format in INGESTIBLE


def _first_line(text: str) -> str:
    lines = text.lstrip("\ufeff").splitlines()
    return lines[0].strip() if lines else ""


def sniff(path: Path) -> Sniffed:
    """Look at the first bytes of `path` and name its format.

    Never raises for a readable file: problems come back as ``Sniffed("unrecognised", why)``.
    """
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head.strip():
        return Sniffed("unrecognised", "the file is empty")
    other = _binary_format(head)
    if other:
        return Sniffed("unrecognised", other, other_format=True)
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in head and not utf16:
        return Sniffed("unrecognised", "binary content (NUL bytes), not a text feed")
    from finflow.ingest.camt053 import looks_like_camt053

    if utf16:  # Excel's "Unicode text" and some banks' exports: read as such by the readers
        text = head.decode("utf-16", errors="ignore")
        if looks_like_camt053(head):
            return Sniffed("camt053")
        return _text_format(text, _first_line(text), head, utf16=True)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a multi-byte character cut at the boundary
            bank = _bank_csv(head)  # bank exports may be Windows-1252
            if isinstance(bank, Sniffed):
                return bank
            other = _other_text_format(head.decode("cp1252", errors="replace"))
            if other:
                return Sniffed("unrecognised", other, other_format=True)
            return Sniffed(
                "unrecognised", f"not valid UTF-8 (byte 0x{head[exc.start]:02x} at {exc.start})"
            )
        text = head[: exc.start].decode("utf-8")
    first = _first_line(text)
    if first == AMLWORLD_TRANS_HEADER:
        return Sniffed("amlworld_transactions")
    if first == AMLWORLD_ACCOUNTS_HEADER:
        return Sniffed("amlworld_accounts")
    from finflow.ingest.reference import reference_kind

    reference = reference_kind(first)
    if reference is not None:  # KYC customers or institutions (reference data)
        return Sniffed(reference)
    if first.startswith(PATTERNS_MARK) or text.lstrip().startswith(PATTERNS_MARK):
        return Sniffed(
            "amlworld_patterns", "ground-truth patterns file: used by `finflow evaluate`"
        )
    if looks_like_camt053(head):
        return Sniffed("camt053")
    return _text_format(text, first, head)


def _text_format(text: str, first: str, head: bytes, *, utf16: bool = False) -> Sniffed:
    """A bank CSV export, else a file finflow does not read, named for what it is."""
    other = _other_text_format(text)
    if other:
        return Sniffed("unrecognised", other, other_format=True)
    if utf16:
        from finflow.ingest.reference import reference_kind

        if first in (AMLWORLD_TRANS_HEADER, AMLWORLD_ACCOUNTS_HEADER) or reference_kind(first):
            return Sniffed(
                "unrecognised",
                "UTF-16 text: AMLworld and reference files are read as UTF-8; save it as UTF-8",
                other_format=True,
            )
    bank = _bank_csv(head)
    if isinstance(bank, Sniffed):
        return bank
    shown = first if len(first) <= 120 else first[:117] + "..."
    return Sniffed(
        "unrecognised",
        f"unknown header {shown!r} (no bank profile matches, and not readable as a bank "
        f"statement: {bank})",
    )


def _bank_csv(head: bytes) -> Sniffed | str:
    """A bank CSV export (read by the profile its header matches, else by its inferred
    layout), or the reason it is not one. The head is decoded as UTF-8 or Windows-1252."""
    from finflow.errors import FeedFormatError
    from finflow.ingest.bankcsv import match_profile
    from finflow.ingest.csvclues import INFERRED
    from finflow.ingest.csvinfer import decode_export, infer_profile

    profile = match_profile(head)
    if profile is not None:
        return Sniffed("bankcsv", profile=profile.name)
    try:
        text, _ = decode_export(head, "head", partial=True)
    except FeedFormatError as exc:
        return str(exc)
    inferred = infer_profile(text)
    return Sniffed("bankcsv", profile=INFERRED) if inferred.profile else inferred.reason


_ASK = "ask for a camt.053 statement or a CSV export"
_BINARY = (
    (b"\x1f\x8b", "a gzip-compressed file: decompress it and give the file inside"),
    (b"BZh", "a bzip2-compressed file: decompress it and give the file inside"),
    (b"\xfd7zXZ\x00", "an xz-compressed file: decompress it and give the file inside"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive: unpack it and give the files inside"),
    (b"Rar!", "a RAR archive: unpack it and give the files inside"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", f"a legacy Microsoft Office file (.xls): {_ASK}"),
    (b"%PDF", f"a PDF document, not a data export: {_ASK}"),
)
_ISO20022 = re.compile(r"urn:iso:std:iso:20022:tech:xsd:([a-z]{4}\.\d{3})\.\d{3}\.\d{2}")
_ISO_KINDS = {
    "camt.052": "camt.052 (an account report, intraday or interim)",
    "camt.054": "camt.054 (debit and credit notifications)",
    "pain.001": "pain.001 (payment instructions sent to a bank, not booked entries)",
    "pain.002": "pain.002 (a payment status report)",
    "pain.008": "pain.008 (direct debit instructions, not booked entries)",
}
_XML_ROOT = re.compile(r"<(?![?!])([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_MT940 = re.compile(r"^:(20|25|28C?|60[FM]|61|86|62[FM]):", re.MULTILINE)


def _binary_format(head: bytes) -> str:
    """What a binary file is (archive, workbook, PDF), or '' for none of those."""
    if head.startswith(b"PK\x03\x04"):  # ZIP: also .xlsx, .ods, .docx
        if b"xl/" in head:
            return f"an Excel workbook (.xlsx): {_ASK}"
        if b"opendocument.spreadsheet" in head:
            return f"an OpenDocument spreadsheet (.ods): {_ASK}"
        return "a ZIP archive: unpack it and give the files inside"
    for magic, what in _BINARY:
        if head.startswith(magic):
            return what
    return ""


def _other_text_format(text: str) -> str:
    """A text format finflow does not read (OFX, QIF, SWIFT MT940, other XML, HTML, JSON),
    named with what to ask for instead; '' when the text is none of those."""
    body = text.lstrip("\ufeff \t\r\n")
    upper = body[:4096].upper()
    if upper.startswith("OFXHEADER") or "<OFX>" in upper:
        return f"an OFX/QFX file (Open Financial Exchange), which finflow does not read: {_ASK}"
    if upper.startswith(("!TYPE:", "!ACCOUNT", "!OPTION:")):
        return f"a QIF file (Quicken), which finflow does not read: {_ASK}"
    if body.startswith("{1:F01") or len(set(_MT940.findall(body[:8192]))) >= 3:
        return f"a SWIFT MT940/MT942 statement, which finflow does not read: {_ASK}"
    if upper.startswith(("<!DOCTYPE HTML", "<HTML", "<TABLE", "<HEAD", "<META")):
        return (
            "an HTML page (some banks' 'Excel' downloads are HTML tables): open it in a "
            f"spreadsheet and save it as CSV, or {_ASK}"
        )
    if body.startswith("<"):
        iso = _ISO20022.search(body)
        if iso:
            kind = _ISO_KINDS.get(iso.group(1), iso.group(1))
            return f"ISO 20022 {kind}, not a camt.053 statement: {_ASK}"
        root = _XML_ROOT.search(body)
        name = root.group(2) if root else "?"
        return f"an XML document (root <{name}>), not a camt.053 statement: {_ASK}"
    if body.startswith(("{", "[")) and _json_like(body):
        return f"a JSON document, not a bank statement format finflow reads: {_ASK}"
    return ""


def _json_like(body: str) -> bool:
    """True when `body` starts as JSON would: an object's quoted key, or an array's value."""
    rest = body[1:].lstrip()
    return (
        rest[:1] in ('"', "{", "[", "]", "}") or rest[:4] in ("true", "null") or rest[:5] == "false"
    )
