"""Field readers for camt.053 elements: amounts, dates, parties, accounts, channel, reference.

Tags are namespace-free local names
(see ``xmlsafe``); the element paths below hold for camt.053.001.02 to 001.14 (``BIC`` and
``BICFI``, parties as ``Dbtr/Nm`` or ``Dbtr/Pty/Nm``, ``Sts`` as text or ``Sts/Cd``, dates as
``Dt`` or ``DtTm``). The rules (amounts, directions, account identity, channel, reference) are
documented in ``docs/feeds.md``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from finflow.ingest.bankcodes import channel_from_iso, channel_from_text

UNKNOWN_BANK = "UNKNOWN"
_AMOUNT = re.compile(r"^\+?(\d+(\.\d*)?|\.\d+)$")
"""A non-negative xs:decimal as the schema allows it: ``1.60``, ``.6`` (Handelsbanken's
amount details), ``6.`` and ``+6`` are all amounts; a sign ``-``, a comma or an exponent is not."""
CURRENCY = re.compile(r"^[A-Z]{3}$")
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{4,30}$")
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
"""IBAN lengths by country (the SWIFT IBAN registry): an account number of another length is
not an IBAN (``SE123456789`` is a Swedish account number, not a Swedish IBAN)."""


def is_iban(text: str) -> bool:
    """True when `text` (compact, upper case) has an IBAN's shape and its country's length."""
    return bool(_IBAN.match(text)) and IBAN_LENGTHS.get(text[:2], len(text)) == len(text)


def text(elem: ET.Element | None, *paths: str) -> str | None:
    """The stripped text of the first of `paths` under `elem` that has text, else None."""
    if elem is None:
        return None
    for path in paths:
        found = elem.find(path)
        if found is not None and found.text and found.text.strip():
            return found.text.strip()
    return None


def normalise_bic(bic: str | None) -> str | None:
    """Upper-case BIC; an 11-character BIC of the head office (``XXX``) becomes its 8 chars."""
    if not bic:
        return None
    bic = bic.strip().upper()
    return bic[:8] if len(bic) == 11 and bic.endswith("XXX") else bic


def bank_of(bic: str | None, account: str | None) -> str:
    """Institution identity: the BIC, else country + bank code of an IBAN, else UNKNOWN.

    The IBAN rule keeps characters 1-2 (country) and 5-8 (start of the bank code) and drops the
    check digits (3-4), which differ for every account of the same bank.
    """
    if bic:
        return bic
    if account:
        compact = account.replace(" ", "").upper()
        if is_iban(compact):
            return compact[:2] + compact[4:8]
    return UNKNOWN_BANK


def account_id(acct: ET.Element | None) -> str | None:
    """IBAN or other identifier of an ``Acct``/``DbtrAcct``/``CdtrAcct`` element."""
    value = text(acct, "Id/IBAN", "Id/Othr/Id", "Prxy/Id")
    return value.replace(" ", "") if value and is_iban(value.replace(" ", "").upper()) else value


def parse_amount(elem: ET.Element | None) -> tuple[Decimal | None, str | None, str | None]:
    """(amount, currency, problem) of an ``Amt Ccy=".."`` element; problem is a reason code."""
    if elem is None or not (elem.text or "").strip():
        return None, None, "MISSING_AMOUNT"
    raw = (elem.text or "").strip()
    currency = (elem.get("Ccy") or "").strip().upper() or None
    if not _AMOUNT.match(raw):
        return None, currency, "BAD_AMOUNT"
    try:
        return Decimal(raw), currency, None
    except InvalidOperation:
        return None, currency, "BAD_AMOUNT"


def parse_when(elem: ET.Element | None) -> datetime | None:
    """A ``Dt`` (midnight UTC) or ``DtTm`` (offset applied; naive taken as UTC) choice. A date
    written with a time zone (``2017-04-01+02:00``, as xs:date allows; Raiffeisen CH) is that
    day: the offset is no time of day."""
    value = text(elem, "DtTm", "Dt")
    if value is None:
        return None
    if _ZONED_DATE.match(value.strip()):
        value = value.strip()[:10]
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


_ZONED_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:Z|[+-]\d{2}:\d{2})$")
"""An xs:date with its time zone: ``datetime.fromisoformat`` would take ``+02:00`` for 02:00."""


def written_day(elem: ET.Element | None) -> date | None:
    """The calendar day of a ``Dt`` or ``DtTm`` choice as the bank wrote it, in its own time
    zone (a balance dated ``2026-06-01T00:00:00+02:00`` is the 1 June balance, not 31 May's)."""
    value = text(elem, "DtTm", "Dt")
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def channel_of(*holders: ET.Element | None) -> str:
    """Channel from the first ``BkTxCd`` found (ISO code, then proprietary), else ``other``."""
    for holder in holders:
        code = holder.find("BkTxCd") if holder is not None else None
        if code is None:
            continue
        iso = channel_from_iso(
            text(code, "Domn/Cd"), text(code, "Domn/Fmly/Cd"), text(code, "Domn/Fmly/SubFmlyCd")
        )
        proprietary = channel_from_text(text(code, "Prtry/Cd"))
        if iso or proprietary:
            return iso or proprietary or "other"
    return "other"


_STRUCTURED = ("RfrdDocInf/Nb", "CdtrRefInf/Ref", "AddtlRmtInf")
"""What a structured remittance (``Strd``) says, in schema order: the referred document's
number (the invoice paid: all a Swedish Bankgiro payment may give), the creditor's reference
and the additional text."""


def reference_of(tx: ET.Element | None, entry: ET.Element) -> str | None:
    """Remittance text verbatim: Ustrd joined by a space, else structured references, else
    the transaction's then the entry's additional information."""
    if tx is not None:
        unstructured = [u.text for u in tx.findall("RmtInf/Ustrd") if u.text and u.text.strip()]
        if unstructured:
            return " ".join(unstructured)
        structured = [
            e.text.strip()
            for strd in tx.findall("RmtInf/Strd")
            for path in _STRUCTURED
            for e in strd.findall(path)
            if e.text and e.text.strip()
        ]
        if structured:
            return " ".join(structured)
        extra = text(tx, "AddtlTxInf")
        if extra:
            return extra
    return text(entry, "AddtlNtryInf")


@dataclass
class Party:
    """A counterparty as stated: account identifier, institution BIC, name."""

    account: str | None
    bic: str | None
    name: str | None

    def account_key(self) -> str | None:
        """The account column value: the identifier, else ``NAME:<name>``, else None."""
        if self.account:
            return self.account
        return f"NAME:{' '.join(self.name.split())}" if self.name else None


def _party(tx: ET.Element, role: str) -> Party:
    """The ``Dbtr`` or ``Cdtr`` side of a transaction: account, agent BIC, name."""
    parties = tx.find("RltdPties")
    name = text(parties, f"{role}/Nm", f"{role}/Pty/Nm", f"Ultmt{role}/Nm", f"Ultmt{role}/Pty/Nm")
    account = account_id(parties.find(f"{role}Acct")) if parties is not None else None
    bic = text(
        tx,
        f"RltdAgts/{role}Agt/FinInstnId/BICFI",
        f"RltdAgts/{role}Agt/FinInstnId/BIC",
        f"RltdPties/{role}/Agt/FinInstnId/BICFI",
    )
    return Party(account, normalise_bic(bic), name)


def counterparty(
    tx: ET.Element | None,
    credit: bool,
    holder: str | None = None,
    owner: str | None = None,
    reversal: bool = False,
) -> Party:
    """The other side: the debtor of a credit, the creditor of a debit.

    Two bank habits put the counterparty in the other role, which is then taken when it names
    someone other than the statement account (by account; by the `owner`'s name without one):
    a reversal may list only the parties of the payment it reverses (viafintech's UBS fixture:
    a refunded direct debit, DBIT, names only its ``Dbtr``), and a batch may name the statement
    account (`holder`) in the role the direction gives the counterparty (viafintech's Volksbank
    fixture: a DBIT whose details give the holder as ``Cdtr``). An entry that is not a reversal
    and simply lacks the role keeps no counterparty: its other role is usually the holder under
    another name.
    """
    if tx is None:
        return Party(None, None, None)
    role, other = ("Dbtr", "Cdtr") if credit else ("Cdtr", "Dbtr")
    party = _party(tx, role)
    named_holder = holder is not None and party.account == holder
    if not named_holder and (party.account or party.name or not reversal):
        return party
    swapped = _party(tx, other)
    if swapped.account:
        is_holder = swapped.account == holder
    else:
        is_holder = swapped.name is None or _same_name(swapped.name, owner)
    return party if is_holder else swapped


def _same_name(a: str, b: str | None) -> bool:
    return b is not None and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@dataclass
class Statement:
    """What every row of a statement shares: the statement account and running totals."""

    statement_id: str | None
    account: str
    bank: str
    currency: str | None
    source_format: str
    owner: str | None = None
    period_from: datetime | None = None
    period_to: datetime | None = None
    credits: Decimal = Decimal(0)
    debits: Decimal = Decimal(0)
    day: datetime | None = None
    unpriced: list[str] = field(default_factory=list)
    outside_period: list[str] = field(default_factory=list)
    without_status: list[str] = field(default_factory=list)
    dated_by_statement: list[str] = field(default_factory=list)

    def in_period(self, booked: datetime) -> bool:
        """True when `booked` falls on a day of the statement period (``FrToDt``), compared
        by calendar day as the bank states it; True when the statement declares no period."""
        if self.period_from is not None and booked.date() < self.period_from.date():
            return False
        return self.period_to is None or booked.date() <= self.period_to.date()


def statement_of(stmt: ET.Element, source_format: str) -> Statement:
    """Read ``Stmt/Id`` and ``Stmt/Acct`` (they precede the entries)."""
    acct = stmt.find("Acct")
    account = account_id(acct) or ""  # none: the reader books it to STATEMENT:<file>
    bic = normalise_bic(text(acct, "Svcr/FinInstnId/BICFI", "Svcr/FinInstnId/BIC"))
    currency = text(acct, "Ccy")
    if currency is None:
        bal = stmt.find("Bal/Amt")
        currency = bal.get("Ccy") if bal is not None else None
    owner = text(acct, "Ownr/Nm", "Ownr/Pty/Nm")
    period_from = _instant(text(stmt, "FrToDt/FrDtTm"))
    period_to = _instant(text(stmt, "FrToDt/ToDtTm"))
    return Statement(
        text(stmt, "Id"),
        account,
        bank_of(bic, account),
        currency,
        source_format,
        owner=" ".join(owner.split()) if owner else None,
        period_from=period_from,
        period_to=period_to,
        day=_single_day(stmt, period_from, period_to),
    )


def _single_day(
    stmt: ET.Element, period_from: datetime | None, period_to: datetime | None
) -> datetime | None:
    """The one day a statement covers (midnight UTC): its ``FrToDt`` within one calendar day,
    else the day all its balances are dated (a daily statement), else None."""
    days: set[date | None]
    if period_from is not None and period_to is not None:
        days = {period_from.date(), period_to.date()}
    else:
        days = {written_day(b.find("Dt")) for b in stmt.findall("Bal")}
    day = days.pop() if len(days) == 1 else None
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def _instant(value: str | None) -> datetime | None:
    """An ISO date-time as written (offset kept; naive taken as UTC), else None."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


NOT_PROVIDED = "NOTPROVIDED"
"""What ISO 20022 senders write in ``EndToEndId`` when the payer gave no reference."""
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def payment_ids(tx: ET.Element | None) -> tuple[str | None, str | None]:
    """(end-to-end id, UETR) of a transaction's ``Refs``: ``NOTPROVIDED`` is no id, and a UETR
    is kept only when it is a UUID (lower-cased)."""
    if tx is None:
        return None, None
    e2e = text(tx, "Refs/EndToEndId")
    uetr = (text(tx, "Refs/UETR") or "").lower()
    return (
        None if e2e is None or e2e.upper() == NOT_PROVIDED else e2e,
        uetr if _UUID.match(uetr) else None,
    )


def xml_of(elem: ET.Element) -> str:
    return ET.tostring(elem, encoding="unicode").strip()


def entry_head(entry: ET.Element) -> str:
    """The entry's XML without its transaction details (kept small for quarantine)."""
    return "<Ntry>" + "".join(xml_of(c) for c in entry if c.tag != "NtryDtls") + "</Ntry>"
