"""Recognise a feed file's format from its content, not its name."""

from __future__ import annotations

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
    if b"\x00" in head:
        return Sniffed("unrecognised", "binary content (NUL bytes), not a text feed")
    from finflow.ingest.camt053 import looks_like_camt053

    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a multi-byte character cut at the boundary
            bank = _bank_csv(head)  # bank exports may be Windows-1252
            if isinstance(bank, Sniffed):
                return bank
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
