"""Bank transaction codes -> finflow channels (cash, card, cheque, wire, ach, internal, other).

ISO 20022 codes (``BkTxCd/Domn``: domain / family / sub-family) are mapped first by sub-family,
then by family, then by domain. Proprietary codes (``BkTxCd/Prtry/Cd``, bank specific) and UK
statement type codes (FPI, DD, ATM...) are mapped by a small keyword table. Anything unmapped
is ``other``: the table is documented in ``docs/feeds.md``.
"""

from __future__ import annotations

import re

SUBFAMILY = {
    # cash
    "CWDL": "cash",
    "CDPT": "cash",
    "BCDP": "cash",
    "BCWD": "cash",
    "FCDP": "cash",
    "FCWD": "cash",
    "MIXD": "cash",
    # card
    "POSD": "card",
    "POSC": "card",
    "POSP": "card",
    "SMRT": "card",
    "CDCB": "card",
    # cheque
    "CCHQ": "cheque",
    "BCHQ": "cheque",
    "URCQ": "cheque",
    "CQRV": "cheque",
    # direct debits
    "ESDD": "ach",
    "BBDD": "ach",
    "PMDD": "ach",
    "OODD": "ach",
    "UPDD": "ach",
    # book transfers inside the bank / between own accounts
    "BOOK": "internal",
    "OWNE": "internal",
    "OWNI": "internal",
    "ZABA": "internal",
    "SWEP": "internal",
    "TOPG": "internal",
    # bank charges and interest
    "CHRG": "other",
    "FEES": "other",
    "COMM": "other",
    "INTR": "other",
    "ADJT": "other",
    "TAXE": "other",
}
FAMILY = {
    "RCDT": "wire",
    "ICDT": "wire",
    "RRCT": "wire",
    "IRCT": "wire",
    "RDDT": "ach",
    "IDDT": "ach",
    "CCRD": "card",
    "MCRD": "card",
    "CNTR": "cash",
    "RCHQ": "cheque",
    "ICHQ": "cheque",
    "DRFT": "cheque",
    "LBOX": "cheque",
    "ACCB": "internal",
    "MCOP": "other",
    "MDOP": "other",
}
DOMAIN = {
    "ACMT": "internal",
    "CAMT": "internal",
}
KEYWORDS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"\b(ATM|CASH|CSH|CPT|CWDL|CDPT|RETRAIT)\b|C/L\b|BARGELD|GELDAUTOMA|STORTING",
            re.I,
        ),
        "cash",
    ),
    (
        re.compile(
            r"CARD|\b(POS|DEB|VISA|MASTERCARD|MAESTRO|CARTE|PRESENTMENT)\b|KARTENZAHLUNG"
            r"|BETAALAUTOMAAT",
            re.I,
        ),
        "card",
    ),
    (re.compile(r"\b(CHQ|CHEQUE|CHECK|CHK|NCHK)\b|SCHECK", re.I), "cheque"),
    (
        re.compile(
            r"\b(DD|DDR|NDDT|PRLV|PRELEVEMENT)\b|D/D\b|DIRECT.?DEBIT|LASTSCHRIFT|INCASSO",
            re.I,
        ),
        "ach",
    ),
    (
        re.compile(
            r"\b(TFR|TRF|NTRF|FPI|FPO|BGC|BAC|BP|SO|STO|BACS|CHAPS|SEPA|PAYMENT|VIREMENT)\b"
            r"|S/O\b|TRANSFER|UEBERWEISUNG|ÜBERWEISUNG|GUTSCHRIFT|DAUERAUFTRAG|OVERSCHRIJVING"
            r"|OVERBOEKING|ONLINE BANKIEREN",
            re.I,
        ),
        "wire",
    ),
    (re.compile(r"\b(EXCHANGE|INTERNAL|OWN ACCOUNT)\b", re.I), "internal"),
]


def channel_from_iso(domain: str | None, family: str | None, subfamily: str | None) -> str | None:
    """The channel of an ISO 20022 domain/family/sub-family code, or None when unmapped."""
    if subfamily and subfamily.upper() in SUBFAMILY:
        return SUBFAMILY[subfamily.upper()]
    if family and family.upper() in FAMILY:
        return FAMILY[family.upper()]
    if domain and domain.upper() in DOMAIN:
        return DOMAIN[domain.upper()]
    return None


def channel_from_text(code: str | None) -> str | None:
    """The channel of a proprietary or statement type code by keyword, or None when unmapped."""
    if not code:
        return None
    for pattern, channel in KEYWORDS:
        if pattern.search(code):
            return channel
    return None
