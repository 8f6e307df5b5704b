"""One camt.053 ``Ntry`` (statement entry) -> canonical candidate rows or quarantined rows.

An entry yields max(1, number of its ``TxDtls``) rows, each either a candidate transaction or a
quarantined row with a reason code. Booked amounts always come from the entry's own ``Amt``
(one row) or, for an entry split into several ``TxDtls``, from each transaction's amount in the
entry's currency; an amount in another currency is never used in place of a missing one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from finflow.ingest.camt053_fields import (
    CURRENCY,
    Statement,
    bank_of,
    channel_of,
    counterparty,
    entry_head,
    parse_amount,
    parse_when,
    payment_ids,
    reference_of,
    text,
    xml_of,
)
from finflow.ingest.canonical import sides

REASONS = {
    "NOT_BOOKED": "entry status is not BOOK (pending or information only)",
    "MISSING_AMOUNT": "no booked amount for this row",
    "BAD_AMOUNT": "amount is not a non-negative decimal number",
    "ZERO_AMOUNT": "amount is zero (no money moved)",
    "BAD_CURRENCY": "currency is not a 3-letter ISO 4217 code",
    "BAD_DIRECTION": "CdtDbtInd is not CRDT or DBIT",
    "BAD_DATE": "no readable booking or value date",
    "NO_FX_RATE": "no FX rate to GBP on or before the booking date",
}
"""Reason codes of quarantined camt.053 rows (the detail starts with the row's locator)."""

COUNTER_VALUES = ("InstdAmt", "TxAmt", "CntrValAmt", "AnncdPstngAmt")


@dataclass
class EntryRows:
    """The outcome of one entry: candidate rows, rejects, and facts for the checks."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    fx: list[dict[str, Any]] = field(default_factory=list)
    mismatch: dict[str, Any] | None = None


@dataclass
class _Piece:
    tx: ET.Element | None
    loc: str
    amount: Decimal
    credit: bool


def _same_currency_amount(tx: ET.Element, currency: str) -> Decimal | None:
    """A transaction's amount in the entry currency: ``Amt``, then ``AmtDtls`` amounts."""
    for path in ("Amt", *(f"AmtDtls/{k}/Amt" for k in COUNTER_VALUES)):
        amount, ccy, problem = parse_amount(tx.find(path))
        if problem is None and amount is not None and ccy in (currency, None):
            return amount
    return None


def _charges(entry: ET.Element, currency: str) -> Decimal:
    """The charges stated on an entry in its currency: each ``Chrgs/Rcrd/Amt`` (001.03+), else
    ``Chrgs/TtlChrgsAndTaxAmt``, else ``Chrgs/Amt`` (001.02); 0 when none is stated."""
    for path in ("Chrgs/Rcrd/Amt", "Chrgs/TtlChrgsAndTaxAmt", "Chrgs/Amt"):
        found = [parse_amount(elem) for elem in entry.findall(path)]
        amounts = [a for a, ccy, problem in found if problem is None and a and ccy == currency]
        if amounts:
            return Decimal(sum(amounts))
    return Decimal(0)


def _mismatch(
    entry: ET.Element, loc: str, amount: Decimal, details: Decimal, currency: str
) -> dict[str, Any]:
    """An entry whose details do not add up to it; ``charges`` when the difference is exactly
    the charges stated on the entry (Handelsbanken SE books a payment plus its fee)."""
    found: dict[str, Any] = {
        "loc": loc,
        "entry_amount": float(amount),
        "details_sum": float(details),
    }
    charges = _charges(entry, currency)
    if charges and abs(amount - details) == charges:
        found["charges"] = float(charges)
    return found


def _statement_amount(
    entry: ET.Element, amount: Decimal, currency: str, stmt: Statement
) -> Decimal | None:
    """The entry amount in the statement currency (a counter-value when booked in another)."""
    if stmt.currency in (None, currency):
        return amount
    for kind in COUNTER_VALUES:
        value, ccy, problem = parse_amount(entry.find(f"AmtDtls/{kind}/Amt"))
        if problem is None and ccy == stmt.currency:
            return value
    return None


def _tally(
    entry: ET.Element, amount: Decimal, currency: str, credit: bool, stmt: Statement, loc: str
) -> None:
    value = _statement_amount(entry, amount, currency, stmt)
    if value is None:
        stmt.unpriced.append(loc)
    elif credit:
        stmt.credits += value
    else:
        stmt.debits += value


def read_entry(entry: ET.Element, stmt: Statement, loc: str) -> EntryRows:
    """Rows of one booked or unbooked entry located at `loc` (e.g. ``Stmt[1]/Ntry[3]``)."""
    out = EntryRows()
    txs = entry.findall("NtryDtls/TxDtls")
    locs = [f"{loc}/TxDtls[{i}]" for i in range(1, len(txs) + 1)] or [loc]

    def reject(i: int, reason: str, detail: str) -> None:
        raw = entry_head(entry) + (xml_of(txs[i]) if txs else "")  # built only when rejected
        out.rejects.append({"loc": locs[i], "reason": reason, "detail": detail, "raw": raw})

    def reject_all(reason: str, detail: str) -> EntryRows:
        for i in range(len(locs)):
            reject(i, reason, detail)
        return out

    status = text(entry, "Sts/Cd", "Sts/Prtry", "Sts")
    if status is None:
        # Sts is mandatory and a statement reports booked entries: a bank that leaves it out
        # (the Bank of Lithuania's daily statements) books them; the balance check shows it.
        stmt.without_status.append(loc)
    elif status.upper() != "BOOK":
        return reject_all(
            "NOT_BOOKED", f"entry status {status}: only booked (BOOK) entries are transactions"
        )
    amount, currency, problem = parse_amount(entry.find("Amt"))
    currency = currency or stmt.currency
    if problem == "MISSING_AMOUNT":
        return reject_all(
            "MISSING_AMOUNT",
            "entry has no Amt (booked amount); amounts of its transaction details are not "
            "used in its place",
        )
    if problem or amount is None:
        return reject_all("BAD_AMOUNT", f"entry Amt {text(entry, 'Amt')!r} is not an amount")
    if currency is None or not CURRENCY.match(currency):
        return reject_all("BAD_CURRENCY", f"entry currency {currency!r} is not ISO 4217")
    indicator = text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        return reject_all("BAD_DIRECTION", f"entry CdtDbtInd {indicator!r} is not CRDT or DBIT")
    credit = indicator == "CRDT"
    _tally(entry, amount, currency, credit, stmt, loc)
    booked = parse_when(entry.find("BookgDt")) or parse_when(entry.find("ValDt"))
    if booked is None and entry.find("BookgDt") is None and entry.find("ValDt") is None:
        booked = stmt.day
        if booked is not None:
            stmt.dated_by_statement.append(loc)
    if booked is None:
        return reject_all(
            "BAD_DATE", "entry has no readable BookgDt or ValDt (nor a statement of one day)"
        )
    if amount == 0:
        return reject_all("ZERO_AMOUNT", f"entry amount is {currency} 0")
    if not stmt.in_period(booked):
        stmt.outside_period.append(loc)
    pieces = _pieces(entry, txs, locs, amount, currency, credit, reject, out, loc)
    reversal = (text(entry, "RvslInd") or "").lower() in ("true", "1")
    for piece in pieces:
        out.rows.append(_row(entry, piece, currency, booked, reversal, stmt, out))
    return out


def _pieces(
    entry: ET.Element,
    txs: list[ET.Element],
    locs: list[str],
    amount: Decimal,
    currency: str,
    credit: bool,
    reject: Any,
    out: EntryRows,
    loc: str,
) -> list[_Piece]:
    """Split the entry amount over its transaction details (see module docstring)."""
    if len(txs) <= 1:
        tx = txs[0] if txs else None
        if tx is not None:
            stated = _same_currency_amount(tx, currency)
            if stated is not None and stated != amount:
                out.mismatch = _mismatch(entry, loc, amount, stated, currency)
        return [_Piece(tx, locs[0], amount, credit)]
    pieces: list[_Piece] = []
    total, complete = Decimal(0), True
    for i, tx in enumerate(txs):
        value = _same_currency_amount(tx, currency)
        indicator = text(tx, "CdtDbtInd")
        tx_credit = credit if indicator not in ("CRDT", "DBIT") else indicator == "CRDT"
        if value is None:
            complete = False
            reject(
                i,
                "MISSING_AMOUNT",
                f"entry of {currency} {amount} has {len(txs)} transaction details and this one "
                f"has no amount in {currency}",
            )
            continue
        total += value if tx_credit == credit else -value
        if value == 0:
            reject(i, "ZERO_AMOUNT", f"transaction amount is {currency} 0")
            continue
        pieces.append(_Piece(tx, locs[i], value, tx_credit))
    if complete and total != amount:
        out.mismatch = _mismatch(entry, loc, amount, total, currency)
    return pieces


def _instructing(tx: ET.Element | None, entry: ET.Element) -> ET.Element:
    """Where the instructed amount is stated: the transaction's ``AmtDtls``, else (for an entry
    of one transaction) the entry's, as Credit Suisse writes a EUR payment from a CHF account."""
    if tx is not None and (tx.find("AmtDtls/InstdAmt/Amt") is not None or _split(entry)):
        return tx
    return entry


def _split(entry: ET.Element) -> bool:
    return len(entry.findall("NtryDtls/TxDtls")) > 1


def _row(
    entry: ET.Element,
    piece: _Piece,
    currency: str,
    booked: datetime,
    reversal: bool,
    stmt: Statement,
    out: EntryRows,
) -> dict[str, Any]:
    party = counterparty(piece.tx, piece.credit, stmt.account, stmt.owner, reversal)
    other_amount, other_currency = piece.amount, currency
    holder = _instructing(piece.tx, entry)
    instructed, instructed_ccy, problem = parse_amount(holder.find("AmtDtls/InstdAmt/Amt"))
    if problem is None and instructed and instructed_ccy and instructed_ccy != currency:
        other_amount, other_currency = instructed, instructed_ccy
        out.fx.append(
            {
                "loc": piece.loc,
                "booked_amount": float(piece.amount),
                "booked_currency": currency,
                "counterparty_amount": float(instructed),
                "counterparty_currency": instructed_ccy,
                "rate": text(
                    holder,
                    "AmtDtls/TxAmt/CcyXchg/XchgRate",
                    "AmtDtls/InstdAmt/CcyXchg/XchgRate",
                    "AmtDtls/CntrValAmt/CcyXchg/XchgRate",
                ),
            }
        )
    own = (stmt.bank, stmt.account, float(piece.amount), currency, stmt.owner)
    other = (
        bank_of(party.bic, party.account),
        party.account_key(),
        float(other_amount),
        other_currency,
        " ".join(party.name.split()) if party.name else None,
    )
    end_to_end_id, uetr = payment_ids(piece.tx)
    payer, payee = (other, own) if piece.credit else (own, other)
    reference = reference_of(piece.tx, entry)
    if reversal:
        code = text(piece.tx, "RtrInf/Rsn/Cd")
        marker = f"[REVERSAL {code}]" if code else "[REVERSAL]"
        reference = f"{marker} {reference}" if reference else marker
    return {
        "loc": piece.loc,
        "booked_at": booked,
        **sides(payer, payee),
        "channel": channel_of(piece.tx, entry),
        "reference": reference,
        "end_to_end_id": end_to_end_id,
        "uetr": uetr,
        "raw": f"{'CRDT' if piece.credit else 'DBIT'} {piece.amount} {currency} {booked.date()}",
    }
