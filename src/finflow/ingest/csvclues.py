"""What a bank CSV export's values say, for reading its layout without a profile.

The pieces `finflow.ingest.csvinfer` (exports with a header) and `finflow.ingest.csvheaderless`
(exports without one) share: the date formats tried and the one that reads a column, the decimal
mark of the amounts, debit/credit indicator words, the currency a file's values state, IBANs, and
`Inference`, the outcome of reading a layout.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from finflow.ingest.camt053_fields import is_iban
from finflow.ingest.csvprofile import Profile

INFERRED = "inferred"
"""The profile name of an inferred layout (``source_format`` ``bankcsv.inferred``)."""
DELIMITERS = (",", ";", "\t", "|")
SAMPLE_ROWS = 5000
"""Data rows looked at to settle formats (the first ones; a later row that does not fit is
quarantined with its reason, not guessed at)."""

DATE_FORMATS = (
    "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%y", "%d-%m-%y",
    "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d", "%d %b %Y", "%d-%b-%Y", "%d %B %Y", "%d-%b-%y",
    "%d %b %y", "%b %d, %Y", "%B %d, %Y", "%Y.%m.%d.", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y",
)  # fmt: skip
"""Date formats tried, day-first before month-first (the order decides a tie)."""
TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f", "%H.%M.%S", "%H.%M")
STAMP_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f",
    "%d.%m.%y, %H:%M", "%d.%m.%Y, %H:%M", "%d/%m/%Y, %H:%M",  # SumUp: 29.12.24, 13:56
)  # fmt: skip
MONTH_FIRST = {"%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%b %d, %Y", "%B %d, %Y"}

NOT_BOOKED = (
    "PENDING", "UMSATZ VORGEMERKT", "VORGEMERKT", "DECLINED", "REVERTED", "FAILED",
    "CANCELLED", "CANCELED", "REJECTED", "IN BEHANDELING", "EN ATTENTE", "PENDIENTE",
    "IN SOSPESO", "AUTHORISED", "AUTHORIZED", "NOT BOOKED", "NICHT GEBUCHT", "OFFEN",
    "GEWEIGERD", "REFUSED", "VARAUS",
)  # fmt: skip
"""Status values (and date cells) that mean the row is not a booked transaction."""
DEBIT_WORDS = {"AF", "D", "DR", "DEBIT", "DEBET", "S", "SOLL", "-", "DB", "OUT", "L", "OUTFLOW",
               "KIADÁS", "KIADAS", "TERHELÉS", "TERHELES"}  # fmt: skip
CREDIT_WORDS = {"BIJ", "C", "CR", "CREDIT", "H", "HABEN", "+", "IN", "K", "INFLOW", "BEVÉTEL",
                "BEVETEL", "JÓVÁÍRÁS", "JOVAIRAS"}  # fmt: skip
SYMBOL_CURRENCY = {"£": "GBP", "€": "EUR"}
CURRENCY_CODES = frozenset(
    "GBP EUR USD CHF SEK NOK DKK PLN CZK HUF RON BGN ISK JPY CAD AUD NZD SGD HKD ZAR INR CNY "
    "TRY AED SAR ILS MXN BRL".split()
)
"""Codes recognised after a column's name (``Amount GBP``, ``Umsatz in EUR``); in brackets
(``Amount (SGD)``) any three capitals are taken as the code."""
IBAN_CURRENCY = {
    "GB": "GBP", "CH": "CHF", "LI": "CHF", "SE": "SEK", "DK": "DKK", "NO": "NOK",
    "PL": "PLN", "CZ": "CZK", "HU": "HUF", "RO": "RON", "BG": "BGN", "IS": "ISK",
    **{c: "EUR" for c in (
        "AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MC MT NL PT SI SK SM AD VA".split()
    )},
}  # fmt: skip
"""Account currency by IBAN country, for exports that state none (the national currency)."""
TIMEZONES = {
    "GB": "Europe/London", "IE": "Europe/Dublin", "PT": "Europe/Lisbon",
    "FI": "Europe/Helsinki", "EE": "Europe/Tallinn", "LV": "Europe/Riga",
    "LT": "Europe/Vilnius", "GR": "Europe/Athens", "CY": "Asia/Nicosia",
    "BG": "Europe/Sofia", "RO": "Europe/Bucharest",
}  # fmt: skip
"""Local time of bank exports by the holder's IBAN country; Central European Time otherwise
(and London for GBP accounts): used only for times written without an offset."""
_LEADING_IBAN = re.compile(r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
SORT_CODE = re.compile(r"^'?\d{2}-\d{2}-\d{2}\b")
_AMOUNT = re.compile(r"^[+-]?\s*[£€$]?\s*[+-]?\s*\d[\d.,'\s\u00a0\u202f]*(\s*(CR|DR|[£€]))?$", re.I)
NAME_LABEL = (
    r"(?i)(?:(?:^|\s)(?:naam|name|auftraggeber|empf(?:ä|ae)nger|zahlungspflichtiger"
    r"|beg(?:ü|ue)nstigter|b[ée]n[ée]ficiaire|ordenante|beneficiario)\s*:\s*"
    r"|/NAME/|^[BG]EA,?\s+NR:\s*\S+\s+\d\d\.\d\d\.\d\d/\d\d[.:]\d\d\s+"
    r"|^(?=\S[^\n]*?\SSEPA-[A-ZÄÖÜ]{4}))(?P<name>.+?)\s*"
    r"(?=kto/iban|iban:|bic:|blz/bic|buchungstext:|omschrijving:|kenmerk:|machtiging|ref\.|\s{2,}"
    r"|/(?:REMI|EREF|IBAN|BIC|MARF|CSID|TRTP|ADDR|ISDT|RTRN)/|,PAS\s?\d+|(?<=\S)SEPA-[A-ZÄÖÜ]{4}"
    r"|$)"
)
"""The counterparty's name labelled in a description (comdirect's ``Auftraggeber: X Kto/IBAN:
...``, ABN AMRO's ``Naam: X  Omschrijving: ...``, the SEPA fields ``/TRTP/.../NAME/X/REMI/...``
a Dutch card line ``BEA NR:... 01.04.20/12.00 X,PAS123`` and a name written straight before
its SEPA booking text, Sparda-Bank's ``Firma GmbHSEPA-BASISLASTSCHRIFT SVWZ+ ...``), for exports
without a name column."""


@dataclass(frozen=True)
class Inference:
    """The outcome of reading a layout: a profile, or the reason there is none."""

    profile: Profile | None
    reason: str = ""
    header_line: int = 0
    """1-based line of the header; 0 for an export without one."""
    notes: tuple[str, ...] = ()
    """Assumptions made (each one a sentence an engineer can check)."""
    decided: dict[str, Any] = field(default_factory=dict)
    """What was decided and from what, for ``run.json``."""

    def checks(self) -> dict[str, Any]:
        """The inference as recorded in a file's checks."""
        return {"header_line": self.header_line, **self.decided, "notes": list(self.notes)}


def column_values(rows: Sequence[Sequence[str]], index: int) -> list[str]:
    return [r[index] for r in rows if index < len(r) and r[index]]


def is_constant(values: Sequence[str]) -> bool:
    return len(values) >= 2 and len(set(values)) == 1


def looks_like_amounts(values: Sequence[str]) -> bool:
    return bool(values) and all(_AMOUNT.match(v) for v in values)


def looks_like_dates(values: Sequence[str]) -> bool:
    return bool(values) and best_date_format(values, "")[0] is not None


def best_date_format(values: Sequence[str], joined_time: str) -> tuple[str | None, list[str]]:
    """(the format reading the most values, notes); None when none reads half of them. A value
    no format reads is left to the reader, which quarantines its row as BAD_DATE."""
    if joined_time:
        candidates = [f"{d} {t}" for d in DATE_FORMATS for t in TIME_FORMATS]
    else:
        candidates = [
            *DATE_FORMATS,
            *STAMP_FORMATS,
            *(f"{d} {t}" for d in DATE_FORMATS for t in TIME_FORMATS),
        ]
    texts = [" ".join(v.split()) for v in values]
    distinct = Counter(texts)  # a day repeats over many rows: each is parsed once per format
    counts: dict[str, int] = {}
    best = 0
    for fmt in candidates:
        read, left = 0, len(texts)
        for text, rows in distinct.items():
            read += rows if reads_as(text, fmt) else 0
            left -= rows
            if read + left < best:  # cannot reach the most read so far
                break
        counts[fmt] = read
        best = max(best, read)
    if not texts or best * 2 < len(texts):
        return None, []
    readable = [f for f in candidates if counts[f] == best]
    chosen = readable[0]
    notes = []
    if best < len(texts):
        notes.append(f"{len(texts) - best} of {len(texts)} dates do not read as {chosen!r}")
    if chosen.split(" ")[0] not in MONTH_FIRST and any(
        f.split(" ")[0] in MONTH_FIRST for f in readable
    ):
        notes.append(
            f"every date also reads month-first ({len(texts)} checked); read day-first as "
            "UK and EU banks write them"
        )
    return chosen, notes


def reads_as(text: str, fmt: str) -> bool:
    try:
        datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


def decimal_mark(values: Iterable[str], delimiter: str) -> tuple[str, str, str]:
    """(decimal, thousands, why) from the amounts as written: the last of two marks is the
    decimal one (``1.234,56``); a mark written twice separates thousands; one mark before other
    than three digits is decimal (``-2,56``); ``1,234`` alone says nothing."""
    votes: Counter[str] = Counter()
    for raw in values:
        text = re.sub(r"[^\d.,]", "", raw)
        dot, comma = text.rfind("."), text.rfind(",")
        if dot >= 0 and comma >= 0:
            votes["." if dot > comma else ","] += 1
            continue
        if dot < 0 and comma < 0:
            continue
        mark, other = (".", ",") if dot >= 0 else (",", ".")
        if text.count(mark) > 1:
            votes[other] += 1
        elif len(text) - max(dot, comma) - 1 != 3:
            votes[mark] += 1
    if votes["."] != votes[","]:
        decimal = "." if votes["."] > votes[","] else ","
        why = f"the amounts ({votes[decimal]} of {sum(votes.values())} that show it)"
    else:
        decimal = "," if delimiter == ";" else "."
        why = "no amount shows it; the usual one with this delimiter"
    return decimal, ("." if decimal == "," else ","), why


def marker_words(values: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(credit markers, debit markers) from an indicator column's values, None if unknown."""
    credit, debit = set(), set()
    for value in set(values):
        upper = value.strip().upper()
        if upper in CREDIT_WORDS:
            credit.add(upper)
        elif upper in DEBIT_WORDS:
            debit.add(upper)
        else:
            return None
    return tuple(sorted(credit)), tuple(sorted(debit))


def first_currency(rows: Sequence[Sequence[str]], roles: dict[str, list[int]]) -> str | None:
    values = column_values(rows, roles["currency"][0]) if "currency" in roles else []
    return values[0].upper() if values else None


def timezone_of(currency: str | None, holder_ibans: Sequence[str]) -> str:
    """The time zone of times written without an offset: the holder IBAN's country's, else
    London for pounds (or no currency) and Central European time otherwise."""
    countries = {iban[:2] for iban in holder_ibans}
    if len(countries) == 1:
        country = next(iter(countries))
        if country in TIMEZONES:
            return TIMEZONES[country]
        if country in IBAN_CURRENCY:
            return "Europe/Berlin" if country != "GB" else "Europe/London"
    return "Europe/London" if currency in (None, "GBP") else "Europe/Berlin"


def inferred_profile(
    rows: Sequence[Sequence[str]],
    roles: dict[str, list[int]],
    holder_ibans: Sequence[str],
    **fields: Any,
) -> Profile:
    """A profile as the inference writes one: named ``inferred``, its bank unknown, the usual
    words for rows not booked, times read in the zone of the holder's IBAN or the currency
    (that of `fields`, else the currency column's first value), and the counterparty's name
    looked for in the description unless a column gives it."""
    currency = fields.get("currency")
    named = {"counterparty", "payer", "payee"} & set(roles)
    return Profile(
        name=INFERRED,
        bank="UNKNOWN",
        timezone=timezone_of(currency or first_currency(rows, roles), holder_ibans),
        not_booked_values=NOT_BOOKED,
        counterparty_regex=None if named else NAME_LABEL,
        **fields,
    )


def time_note(profile: Profile) -> list[str]:
    """The note that times without an offset are read in the profile's time zone, if any."""
    formats = profile.date_formats
    if not any("%H" in f and "%z" not in f for f in formats):
        return []
    return [
        f"the times carry no UTC offset: read as {profile.timezone} local time (from the "
        "holder IBAN's country, else the currency)"
    ]


def compact_iban(text: str) -> str | None:
    """`text` without its spaces when that is an IBAN (``DE12 5001 ...``; 14 characters at the
    least where finflow knows no length for the country), else None."""
    compact = text.replace(" ", "")
    return compact if len(compact) >= 14 and is_iban(compact) else None


_EXCEL_GUARD = re.compile(r'^="(.*)"$')


def unguarded(record: Sequence[str]) -> list[str]:
    """The cells of a preamble record without Excel's text guard (PostFinance writes
    ``Konto:;="CH93 0076 ..."`` so that a spreadsheet keeps the value as text)."""
    return [m[1] if (m := _EXCEL_GUARD.match(cell.strip())) else cell for cell in record]


def preamble_table_accounts(records: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    """(label, account) of each preamble table of one row whose column holds an account: a
    record of labels over a record of as many values (Sparda-Bank's ``"Umsätze ab";
    "Enddatum";"Kontonummer";...`` over ``"01.01.2024";"15.02.2024";"1234567";...``); the
    account is an IBAN or a number of six or more digits."""
    found = []
    for labels, values in itertools.pairwise(records):
        if len(labels) < 2 or len(labels) != len(values):
            continue
        if any(any(ch.isdigit() for ch in label) for label in labels):
            continue  # a row of values, not of labels
        for label, value in zip(labels, values, strict=True):
            if label.strip() and (account := stated_account(value.strip())):
                found.append((label.strip(), account))
    return found


def stated_account(value: str) -> str | None:
    """The account a labelled preamble value states: the IBAN it starts with (compacted), else
    a number of six to eighteen digits written with or without spaces; else None (masked
    numbers such as ``****12345`` are not taken)."""
    number = value.replace(" ", "")
    return leading_iban(value) or (number if re.fullmatch(r"\d{6,18}", number) else None)


def leading_iban(text: str) -> str | None:
    """The IBAN `text` starts with (written with or without spaces), compacted; else None."""
    match = _LEADING_IBAN.match(text.strip().upper())
    return match.group(0).replace(" ", "") if match else None


def currency_from_values(
    rows: Sequence[Sequence[str]], money_cols: Sequence[int], holder_cols: Sequence[int]
) -> tuple[str | None, str]:
    """(currency, why) from the values: the one currency sign in the money columns, else the
    holder account's IBAN country or UK sort code; (None, "") when they say nothing."""
    symbols: Counter[str] = Counter()
    for i in money_cols:
        for value in column_values(rows, i):
            symbols.update(c for c in value if c in SYMBOL_CURRENCY)
    if len(symbols) == 1:
        symbol = next(iter(symbols))
        return SYMBOL_CURRENCY[symbol], f"the {symbol} sign in the amounts"
    for i in holder_cols:
        accounts = [compact_iban(v.upper()) for v in column_values(rows, i)]
        countries = {a[:2] for a in accounts if a}
        if len(countries) == 1 and (country := next(iter(countries))) in IBAN_CURRENCY:
            return IBAN_CURRENCY[country], f"the holder's IBAN country ({country})"
        if accounts and all(SORT_CODE.match(v) for v in column_values(rows, i)):
            return "GBP", "the holder account's UK sort code"
    return None, ""
