"""ISO 20022 camt.053 (BankToCustomerStatement, 001.02 to 001.14) -> canonical transactions.

The file is streamed (``xmlsafe``: no DTD, no entities, constant memory per entry): every
``Stmt`` gives its account, every ``Ntry`` its rows as soon as it is complete, and the entry is
then dropped. A file may hold several documents (concatenated, or a ``Document`` inside an
envelope with an ``AppHdr``). Each statement's balances are checked: opening (OPBD, else PRCD)
+ booked credits - booked debits = closing (CLBD).

Counting rule: an entry contributes max(1, number of its ``TxDtls``) rows, accepted or
quarantined, so rows read = rows accepted + rows quarantined.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from finflow.errors import FeedFormatError
from finflow.ingest.camt053_entry import read_entry
from finflow.ingest.camt053_fields import (
    Statement,
    parse_amount,
    statement_of,
    text,
    written_day,
)
from finflow.ingest.canonical import CANDIDATE_SCHEMA, REJECT_SCHEMA, finish
from finflow.ingest.xmlsafe import iter_events

log = logging.getLogger(__name__)

FORMAT = "camt053"
SNIFF_BYTES = 64 * 1024
BATCH = 2_000
_NAMESPACE = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d{2}")
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?BkToCstmrStmt[\s>]")
_VERSION = re.compile(r"camt\.053\.001\.(\d{2})")


def looks_like_camt053(head: bytes) -> bool:
    """True when the first bytes are XML naming the camt.053 namespace or a BkToCstmrStmt."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    body = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not body.startswith(b"<"):
        return False
    return bool(_NAMESPACE.search(head) or _ROOT.search(head))


def _version(*candidates: str | None) -> str:
    for candidate in candidates:
        match = _VERSION.search(candidate or "")
        if match:
            return f"{FORMAT}.001.{match.group(1)}"
    return FORMAT


@dataclass
class _Collector:
    """Rows and rejects in bounded Python batches, flushed to polars frames."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    row_frames: list[pl.DataFrame] = field(default_factory=list)
    reject_frames: list[pl.DataFrame] = field(default_factory=list)
    order: int = 0

    def add(
        self,
        doc: int,
        source_format: str,
        rows: list[dict[str, Any]],
        rejects: list[dict[str, Any]],
    ) -> None:
        for row in rows:
            self.order += 1
            self.rows.append(
                row | {"_order": self.order, "_doc": doc, "source_format": source_format}
            )
        for rej in rejects:
            self.order += 1
            self.rejects.append(rej | {"_order": self.order, "_doc": doc})
        if len(self.rows) + len(self.rejects) >= BATCH:
            self.flush()

    def flush(self) -> None:
        row_schema = {
            k: v for k, v in CANDIDATE_SCHEMA.items() if k not in ("source_row", "source_locator")
        }
        row_schema |= {"_doc": pl.Int64(), "loc": pl.String()}
        reject_schema = {k: v for k, v in REJECT_SCHEMA.items() if k != "source_row"}
        reject_schema |= {"_doc": pl.Int64(), "loc": pl.String()}
        if self.rows:
            self.row_frames.append(pl.DataFrame(self.rows, schema=row_schema))
        if self.rejects:
            self.reject_frames.append(pl.DataFrame(self.rejects, schema=reject_schema))
        self.rows, self.rejects = [], []


@dataclass
class _Parse:
    """Everything learnt from one pass over the file."""

    collector: _Collector = field(default_factory=_Collector)
    documents: int = 0
    statements: list[dict[str, Any]] = field(default_factory=list)
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    fx: list[dict[str, Any]] = field(default_factory=list)
    formats: set[str] = field(default_factory=set)


def _balances(stmt: ET.Element) -> dict[str, Decimal]:
    """Signed balance amounts by type code (the first of each type)."""
    found: dict[str, Decimal] = {}
    for bal in stmt.findall("Bal"):
        code = (text(bal, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry") or "").upper()
        amount, _, problem = parse_amount(bal.find("Amt"))
        if problem or amount is None or code in found:
            continue
        found[code] = -amount if text(bal, "CdtDbtInd") == "DBIT" else amount
    return found


def _check(
    stmt_elem: ET.Element, stmt: Statement, doc: int, index: int, entries: int
) -> dict[str, Any]:
    """The statement's balance walk: opening + credits - debits against closing."""
    balances = _balances(stmt_elem)
    opening = balances.get("OPBD", balances.get("PRCD"))
    closing = balances.get("CLBD")
    expected = None if opening is None else opening + stmt.credits - stmt.debits
    reconciles = None if expected is None or closing is None else expected == closing
    dates = [written_day(b.find("Dt")) for b in stmt_elem.findall("Bal")]
    return {
        "document": doc,
        "statement": index,
        "statement_id": stmt.statement_id,
        "account": stmt.account,
        "bank": stmt.bank,
        "currency": stmt.currency,
        "entries": entries,
        "opening": None if opening is None else float(opening),
        "credits": float(stmt.credits),
        "debits": float(stmt.debits),
        "closing": None if closing is None else float(closing),
        "expected_closing": None if expected is None else float(expected),
        "reconciles": reconciles,
        "balance_types": sorted(balances),
        "balance_dates": sorted({d.isoformat() for d in dates if d is not None}),
        "entries_not_in_statement_currency": list(stmt.unpriced),
        "period_from": None if stmt.period_from is None else stmt.period_from.isoformat(),
        "period_to": None if stmt.period_to is None else stmt.period_to.isoformat(),
        "entries_outside_period": list(stmt.outside_period),
        "entries_without_status": list(stmt.without_status),
        "entries_dated_by_statement": list(stmt.dated_by_statement),
        # The bank's own word that this statement was sent before (COPY, DUPL, CODU): its
        # entries repeat those of the original, which ingest finds by content anyway
        # (finflow.ingest.overlap) when the original is in the same delivery.
        "copy_duplicate": text(stmt_elem, "CpyDplctInd"),
    }


def _parse(path: Path, sha16: str) -> _Parse:
    """The statements, rows and checks of `path`; a statement that names no account (``Acct``
    is mandatory, yet excerpts and broken exports leave it out) is booked to
    ``STATEMENT:<sha16>``, the n-th such statement of the file to ``STATEMENT:<sha16>:<n>``,
    never to one shared placeholder that would join unrelated files into one account."""
    out = _Parse()
    unnamed = 0

    def read_statement(elem: ET.Element) -> Statement:
        nonlocal unnamed
        found = statement_of(elem, source_format)
        if found.account:
            return found
        unnamed += 1
        account = f"STATEMENT:{sha16}" + (f":{unnamed}" if unnamed > 1 else "")
        return replace(found, account=account)

    stack: list[ET.Element] = []
    header_version: str | None = None
    source_format = FORMAT
    stmt_index = ntry_index = 0
    stmt: Statement | None = None
    for event, elem, namespace in iter_events(path):
        if event == "start":
            parent_tag = stack[-1].tag if stack else None
            if elem.tag == "BkToCstmrStmt":
                out.documents += 1
                stmt_index = 0
                source_format = _version(namespace, header_version)
                out.formats.add(source_format)
            elif elem.tag == "Stmt" and parent_tag == "BkToCstmrStmt":
                stmt_index, ntry_index, stmt = stmt_index + 1, 0, None
            elif elem.tag == "Ntry" and parent_tag == "Stmt":
                ntry_index += 1
            stack.append(elem)
            continue
        stack.pop()
        parent = stack[-1] if stack else None
        if parent is None:
            continue
        if elem.tag == "MsgDefIdr" and parent.tag == "AppHdr":
            header_version = elem.text
        elif elem.tag == "Ntry" and parent.tag == "Stmt":
            stmt = stmt or read_statement(parent)
            result = read_entry(elem, stmt, f"Stmt[{stmt_index}]/Ntry[{ntry_index}]")
            out.collector.add(out.documents, source_format, result.rows, result.rejects)
            out.fx += [f | {"_doc": out.documents} for f in result.fx]
            if result.mismatch:
                out.mismatches.append(result.mismatch | {"_doc": out.documents})
            parent.remove(elem)
        elif elem.tag == "Stmt" and parent.tag == "BkToCstmrStmt":
            stmt = stmt or read_statement(elem)
            out.statements.append(_check(elem, stmt, out.documents, stmt_index, ntry_index))
            parent.remove(elem)
        elif elem.tag in ("BkToCstmrStmt", "AppHdr", "Document") or len(stack) == 1:
            parent.remove(elem)
    out.collector.flush()
    return out


def _declared_period(statements: list[dict[str, Any]]) -> dict[str, str | None]:
    """The span of the statements' ``FrToDt`` periods (None when a bound is missing from any
    statement that has entries): what the ``camt053`` suite checks booking times against."""
    moving = [s for s in statements if s["entries"]] or statements
    starts = [s["period_from"] for s in moving]
    ends = [s["period_to"] for s in moving]
    return {
        "from": None if None in starts else min(starts, key=datetime.fromisoformat),
        "to": None if None in ends else max(ends, key=datetime.fromisoformat),
    }


def _locator(multi: bool) -> pl.Expr:
    if multi:
        return pl.format("Doc[{}]/{}", pl.col("_doc"), pl.col("loc"))
    return pl.col("loc")


def _fix_locators(records: list[dict[str, Any]], multi: bool) -> list[dict[str, Any]]:
    fixed = []
    for record in records:
        doc, loc = record.pop("_doc"), record.pop("loc")
        fixed.append({"locator": f"Doc[{doc}]/{loc}" if multi else loc} | record)
    return fixed


def ingest_camt053(
    path: Path, sha256: str, run_id: str, fx: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """Read one camt.053 file into (canonical rows, quarantined rows, checks for run.json).

    Raises FeedFormatError when the file is not well-formed XML (line and column given), has a
    DOCTYPE, is not decodable, or holds no camt.053 statement.
    """
    parsed = _parse(path, sha256[:16])
    if parsed.documents == 0:
        raise FeedFormatError(f"{path.name}: no BkToCstmrStmt element (not a camt.053 statement)")
    if not parsed.statements:
        raise FeedFormatError(f"{path.name}: BkToCstmrStmt holds no Stmt (statement) element")
    multi = parsed.documents > 1
    collector = parsed.collector
    row_schema = {
        k: v for k, v in CANDIDATE_SCHEMA.items() if k not in ("source_row", "source_locator")
    }
    rows = (
        pl.concat(collector.row_frames)
        if collector.row_frames
        else pl.DataFrame(schema=row_schema | {"_doc": pl.Int64(), "loc": pl.String()})
    )
    locator = _locator(multi)
    placeholder = pl.format("UNIDENTIFIED:{}:{}", pl.lit(sha256[:16]), locator)
    candidates = rows.with_columns(
        source_row=pl.lit(None, dtype=pl.Int64),
        source_locator=locator,
        payer_account=pl.coalesce("payer_account", placeholder),
        payee_account=pl.coalesce("payee_account", placeholder),
    ).select(list(CANDIDATE_SCHEMA))
    reject_schema = {k: v for k, v in REJECT_SCHEMA.items() if k != "source_row"}
    rejects = (
        pl.concat(collector.reject_frames)
        if collector.reject_frames
        else pl.DataFrame(schema=reject_schema | {"_doc": pl.Int64(), "loc": pl.String()})
    )
    rejects = rejects.with_columns(
        source_row=pl.lit(None, dtype=pl.Int64),
        detail=pl.format("{}: {}", locator, pl.col("detail")),
    ).select(list(REJECT_SCHEMA))
    accepted, quarantined = finish(candidates, rejects, path, sha256, run_id, fx)
    checks = {
        "format": ", ".join(sorted(parsed.formats)),
        "documents": parsed.documents,
        "statements": parsed.statements,
        "declared_period": _declared_period(parsed.statements),
        "rows_read": accepted.height + quarantined.height,
        "entry_amount_mismatches": _fix_locators(parsed.mismatches, multi),
        "fx_conversions": _fix_locators(parsed.fx, multi),
    }
    log.info(
        "%s: %d statements, %d accepted, %d quarantined",
        path.name,
        len(parsed.statements),
        accepted.height,
        quarantined.height,
    )
    return accepted, quarantined, checks
