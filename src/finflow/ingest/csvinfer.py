"""Read a bank CSV export that no shipped profile describes, by working out its layout.

Banks change their exports and there are thousands of banks, so a reader that knows only the
shipped profiles (`finflow.ingest.csvprofile`) would refuse most of what an investigator is
handed. `infer_profile` looks at the text the way an analyst would and writes the profile
itself:

1. **Header**: the first line, within `HEADER_SEARCH_LINES`, that names a date column and an
   amount (a signed amount, or money out and money in), with the delimiter (``,`` ``;`` tab
   ``|``) that makes the most of its columns known. Column names are known in English, German,
   Dutch, French, Spanish, Italian, Polish and the Nordic languages (`ROLES`), compared without
   case, accents, punctuation or a bracketed currency (``Betrag (EUR)``).
2. **Ambiguous names are settled by the values**: ``Valuta`` is a currency when it holds
   currency codes and a value date when it holds dates; a bare ``IBAN``, ``BIC`` or
   ``Account`` column is the holder's when it holds one value on every row and the
   counterparty's otherwise; a bare ``Name`` is the holder's when the export also has a
   counterparty-name column.
3. **Values**: the date format that reads every date cell (day-first before month-first when
   both do, which is then noted); the decimal mark from the amounts (``1.234,56``,
   ``-2,56``, ``1,183.23``); the currency from a currency column, else the bracketed code in an
   amount column's name, else a currency symbol in the amounts, else the holder account's IBAN
   country or UK sort code; a debit/credit indicator column (``Af Bij``, ``S``/``H``, ``D``/``C``)
   by its values; the sign of a single amount column (money in positive, unless the running
   balance walks only the other way).

An export **without a header row** (HSBC UK, ABN AMRO's TAB file, Triodos, ASN) is read from its
first line when that is a row: each column's kind comes from its values (dates, accounts,
currency codes, debit/credit indicators, numbers, text), and the money columns are told apart
by arithmetic, never by position: balances before and after each row, or the reading under which
a running balance walks in the order of the dates (`_infer_headerless`).

What cannot be settled is an error that says what is missing, never a guess: no date or amount
column, no currency anywhere, money columns that no running balance tells apart. Everything
decided and every assumption made is returned with the profile and recorded in the file's
``checks`` in ``run.json`` (and ``finflow profile FILE`` prints it as a profile YAML to review
and ship).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from finflow.ingest.bankcodes import channel_from_text
from finflow.ingest.camt053_fields import CURRENCY
from finflow.ingest.csvprofile import HEADER_SEARCH_LINES, Profile, split_record
from finflow.ingest.csvvalues import parse_money
from finflow.ingest.walk import walk_balances

__all__ = ["INFERRED", "Inference", "compact_iban", "infer_profile", "leading_iban", "profile_yaml"]

INFERRED = "inferred"
"""The profile name of an inferred layout (``source_format`` ``bankcsv.inferred``)."""
DELIMITERS = (",", ";", "\t", "|")
SAMPLE_ROWS = 5000
"""Data rows looked at to settle formats (the first ones; a later row that does not fit is
quarantined with its reason, not guessed at)."""

ROLES: dict[str, tuple[str, ...]] = {
    # Booking date first; value dates and start dates only when nothing better is there.
    "date": (
        "booking date", "posting date", "posted date", "date posted", "post date",
        "completed date", "transaction date", "date", "trans date", "date processed", "created",
        "created at", "buchungstag", "buchungsdatum", "buchung", "boekdatum", "boekingsdatum",
        "datum", "transactiedatum", "uitvoeringsdatum", "belegdatum", "date operation",
        "date de l operation", "date d operation", "date comptable", "dateop", "fecha",
        "fecha operacion", "fecha de operacion", "f operacion", "data operazione",
        "data contabile", "data ksiegowania", "data operacji", "data transakcji", "data",
        "bokforingsdag", "bokforingsdatum", "transaktionsdag", "transaktionsdatum", "dato",
        "bogforingsdato", "kirjauspaiva", "abschlussdatum",
    ),
    "value_date": (
        "value date", "valutadatum", "valuta datum", "wertstellung", "wertstellungsdatum",
        "rentedatum", "date valeur", "date de valeur", "dateval", "fecha valor", "data valuta",
        "data waluty", "started date", "valuteringsdag", "rentedato",
    ),
    "time": ("time", "uhrzeit", "tijd", "heure", "hora", "ora", "transaction time"),
    "amount": (
        "amount", "transaction amount", "value", "bedrag", "betrag", "buchungsbetrag",
        "montant", "importe", "importo", "kwota", "kwota operacji", "belopp", "belob", "belop",
        "summe", "umsatz", "net amount", "einzelbetrag", "transactiebedrag", "debit credit",
    ),
    "paid_out": (
        "paid out", "money out", "debit amount", "debit", "debits", "withdrawal",
        "withdrawals", "out", "spent", "soll", "ausgang", "ausgaben", "belastung", "debet",
        "uitgaven", "debito", "cargo", "cargos", "addebiti", "addebito", "uscite",
        "obciazenia", "uttag",
    ),
    "paid_in": (
        "paid in", "money in", "credit amount", "credit", "credits", "deposit", "deposits",
        "in", "received", "haben", "eingang", "einnahmen", "gutschrift", "inkomsten", "credito",
        "abono", "abonos", "accrediti", "accredito", "entrate", "uznania", "insattning",
    ),
    "marker": (
        "af bij", "debit credit", "credit debit", "creditdebet", "credit debet", "cr dr",
        "dr cr", "d c", "c d", "soll haben", "s h", "debit credit indicator",
        "credit debit indicator", "dc", "bij af",
    ),
    "currency": (
        "currency", "ccy", "currency code", "waehrung", "buchungswaehrung", "whg", "whrg",
        "munt", "valutacode", "valuta rekening", "devise", "divisa", "moneda", "waluta",
        "valuta", "valuta code", "valuuta", "muntsoort",
    ),
    "counterparty_amount": (
        "local amount", "original amount", "oorspr bedrag", "originalbetrag",
        "betrag fremdwaehrung", "amount in original currency", "amount in foreign currency",
        "amount foreign currency", "ursprungsbetrag", "montant d origine",
    ),
    "counterparty_currency": (
        "local currency", "original currency", "oorspr munt", "originalwaehrung",
        "fremdwaehrung", "foreign currency", "type foreign currency", "devise d origine",
    ),
    "payer": (
        "payer", "payer name", "zahlungspflichtige", "zahlungspflichtiger", "auftraggeber",
        "debtor", "debtor name", "ordenante", "avsaendare", "nazwa nadawcy",
    ),
    "payee": (
        "payee", "payee name", "zahlungsempfaenger", "empfaenger", "beneficiary", "creditor",
        "creditor name", "beneficiario", "mottagare", "nazwa odbiorcy",
    ),
    "counterparty": (
        "counterparty", "counter party", "counterparty name", "partner name", "merchant",
        "merchant name", "naam tegenpartij", "naam van de tegenpartij", "tegenrekeninghouder",
        "naam tegenrekening", "naam omschrijving", "auftraggeber empfaenger",
        "auftraggeber beguenstigter", "beguenstigter zahlungspflichtiger",
        "name zahlungsbeteiligter", "zahlungsbeteiligter", "beneficiaire", "tiers",
        "contrepartie", "supplierfound", "controparte", "nadawca odbiorca", "kontrahent",
        "tegenpartij", "namn", "name", "naam",
    ),
    "counterparty_account": (
        "counterparty account", "counterparty iban", "partner iban", "payee account number",
        "payee account", "beneficiary account", "tegenrekening", "tegenrekening iban bban",
        "tegenrekeningnummer", "rekeningnummer tegenpartij", "iban tegenpartij",
        "kontonummer iban", "iban zahlungsbeteiligter", "iban zahlungspflichtiger",
        "zahlungsempfaengeriban", "kontonummer", "compte contrepartie", "numer konta",
        "tegenpartij", "iban", "account number", "account", "iban bban",
    ),
    "counterparty_bank": (
        "counterparty bic", "bic tegenpartij", "bic zahlungsbeteiligter", "bic swift code",
        "zahlungsempfaengerbic", "blz", "bic", "swift", "swift bic",
    ),
    "holder_account": (
        "auftragskonto", "iban auftragskonto", "iban auftraggeberkonto", "rekening",
        "rekeningnummer", "eigen rekening", "opdrachtgeversrekening", "own account",
        "accountnum", "account number", "account", "account no", "iban bban", "iban", "konto",
        "numero de compte", "cuenta", "conto",
    ),
    "holder_name": ("account holder", "kontoinhaber", "naam", "name"),
    "holder_bank": ("bic auftragskonto", "bic", "bank bic"),
    "balance": (
        "balance", "running balance", "balance after", "accountbalance", "saldo",
        "saldo na mutatie", "saldo na trn", "saldo nach buchung", "kontostand", "solde",
        "saldo dopo", "saldo po operacji", "saldo dopo l operazione", "eindsaldo",
    ),
    "status": ("status", "state", "transaction status", "info", "stato", "estado"),
    "type": (
        "type", "transaction type", "payment type", "subcategory", "umsatzart", "umsatztyp",
        "vorgang", "mutatiesoort", "code", "transactiecode", "betaalwijze", "type betaling",
        "transaktionstyp", "type verrichting", "type operation", "type d operation",
        "paymenttype", "tipo", "typ transakcji", "typ operacji", "transaktionstyp",
        "buchungstext",
    ),
    "fee": ("fee", "fees", "total fees", "commission", "gebuehr", "gebuehren", "frais"),
    "end_to_end_id": (
        "end to end id", "end to end reference", "end to end", "endtoendid",
        "kundenreferenz end to end", "kundenreferenz", "eref",
    ),
    "description": (
        "description", "transaction description", "details", "transaction details",
        "narrative", "memo", "reference", "payment reference", "particulars", "transactions",
        "merchant description", "label", "comment", "verwendungszweck",
        "vorgang verwendungszweck", "buchungstext", "transaktionsbeschreibung",
        "transaktionsbeschreibung zusatz", "beschreibung", "omschrijving", "omschrijving 1",
        "omschrijving 2", "omschrijving 3", "mededelingen", "mededeling", "vrije mededeling",
        "gestructureerde mededeling", "libelle", "libelle operation", "detail", "concepto",
        "descripcion", "descrizione", "causale", "opis", "opis transakcji", "opis operacji",
        "tytul", "tytulem", "notes and tags", "rubrik", "meddelande", "tekst", "text", "zweck",
    ),
}  # fmt: skip
"""Known column names per role, each list in order of preference (normalised: lower case,
no accents, umlauts as ``ae``/``oe``/``ue``, punctuation as spaces, bracketed text dropped)."""

BARE = {"iban", "bic", "account", "account number", "iban bban", "swift", "swift bic"}
"""Names that say what a column holds but not whose it is: settled by the values."""
FOLDS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ø", "o"), ("æ", "ae"),
         ("œ", "oe"), ("ł", "l"), ("đ", "d"))  # fmt: skip
"""Letters spelled out before accents are dropped (``Währung`` and ``Waehrung`` are one name;
ø, æ and ł have no decomposition)."""
ENGLISH_NAMES = frozenset((
    *ROLES["date"][: ROLES["date"].index("buchungstag")],
    "amount", "transaction amount", "value", "net amount", "paid out", "money out",
    "debit amount", "debit", "debits", "withdrawal", "withdrawals", "out", "spent", "paid in",
    "money in", "credit amount", "credit", "credits", "deposit", "deposits", "in", "received",
    "debit credit",
))  # fmt: skip
EURO_NAMES = frozenset((
    *ROLES["date"][ROLES["date"].index("buchungstag") : ROLES["date"].index("data ksiegowania")],
    "bedrag", "betrag", "buchungsbetrag", "montant", "importe", "importo", "umsatz",
    "transactiebedrag", "soll", "haben", "ausgang", "eingang", "ausgaben", "einnahmen", "debet",
    "uitgaven", "inkomsten", "debito", "credito", "cargo", "cargos", "abono", "abonos",
    "addebiti", "addebito", "accrediti", "accredito", "uscite", "entrate",
))  # fmt: skip
"""The currency of an export that states none comes from the language of its date and amount
columns' names: a German, Dutch, French, Spanish or Italian name makes it a euro export; English
names alone a UK export (GBP); any other name (Polish, Nordic, ``Data``, ``Dato``) none."""

DATE_FORMATS = (
    "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%y", "%d-%m-%y",
    "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d", "%d %b %Y", "%d-%b-%Y", "%d %B %Y", "%d-%b-%y",
    "%d %b %y", "%b %d, %Y", "%B %d, %Y", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y",
)  # fmt: skip
"""Date formats tried, day-first before month-first (the order decides a tie)."""
TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f", "%H.%M.%S", "%H.%M")
STAMP_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f",
)  # fmt: skip
MONTH_FIRST = {"%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%b %d, %Y", "%B %d, %Y"}

NOT_BOOKED = (
    "PENDING", "UMSATZ VORGEMERKT", "VORGEMERKT", "DECLINED", "REVERTED", "FAILED",
    "CANCELLED", "CANCELED", "REJECTED", "IN BEHANDELING", "EN ATTENTE", "PENDIENTE",
    "IN SOSPESO", "AUTHORISED", "AUTHORIZED", "NOT BOOKED", "NICHT GEBUCHT", "OFFEN",
    "GEWEIGERD", "REFUSED",
)  # fmt: skip
"""Status values (and date cells) that mean the row is not a booked transaction."""
DEBIT_WORDS = {"AF", "D", "DR", "DEBIT", "DEBET", "S", "SOLL", "-", "DB", "OUT", "L"}
CREDIT_WORDS = {"BIJ", "C", "CR", "CREDIT", "H", "HABEN", "+", "IN", "K"}
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
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")
_LEADING_IBAN = re.compile(r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_SORT_CODE = re.compile(r"^'?\d{2}-\d{2}-\d{2}\b")
_BRACKETED = re.compile(r"\(([^)]*)\)|\[([^]]*)\]")
_AMOUNT = re.compile(r"^[+-]?\s*[£€$]?\s*[+-]?\s*\d[\d.,'\s\u00a0\u202f]*(\s*(CR|DR|[£€]))?$", re.I)
_ACCOUNT = re.compile(r"^([A-Z]{2}\d{2}[A-Z0-9]{10,30}|\d{6,18})$")
NAME_LABEL = (
    r"(?i)(?:(?:^|\s)(?:naam|name|auftraggeber|empf(?:ä|ae)nger|zahlungspflichtiger"
    r"|beg(?:ü|ue)nstigter|b[ée]n[ée]ficiaire|ordenante|beneficiario)\s*:\s*"
    r"|/NAME/|^[BG]EA,?\s+NR:\s*\S+\s+\d\d\.\d\d\.\d\d/\d\d[.:]\d\d\s+)(?P<name>.+?)\s*"
    r"(?=kto/iban|iban:|bic:|blz/bic|buchungstext:|omschrijving:|kenmerk:|machtiging|ref\.|\s{2,}"
    r"|/(?:REMI|EREF|IBAN|BIC|MARF|CSID|TRTP|ADDR|ISDT|RTRN)/|,PAS\s?\d+|$)"
)
"""The counterparty's name labelled in a description (comdirect's ``Auftraggeber: X Kto/IBAN:
...``, ABN AMRO's ``Naam: X  Omschrijving: ...``, the SEPA fields ``/TRTP/.../NAME/X/REMI/...``
and a Dutch card line ``BEA NR:... 01.04.20/12.00 X,PAS123``), for exports without a name
column."""
NAME_OR_ACCOUNT = {"tegenpartij"}
"""Names used for the counterparty's account by some banks and its name by others."""


@dataclass(frozen=True)
class Inference:
    """The outcome of reading a layout: a profile, or the reason there is none."""

    profile: Profile | None
    reason: str = ""
    header_line: int = 0
    """1-based line of the header."""
    notes: tuple[str, ...] = ()
    """Assumptions made (each one a sentence an engineer can check)."""
    decided: dict[str, Any] = field(default_factory=dict)
    """What was decided and from what, for ``run.json``."""

    def checks(self) -> dict[str, Any]:
        """The inference as recorded in a file's checks."""
        return {"header_line": self.header_line, **self.decided, "notes": list(self.notes)}


def normalise(name: str) -> str:
    """A column name as `ROLES` lists it: ``Betrag (EUR)`` -> ``betrag``."""
    text = _BRACKETED.sub(" ", name)
    text = re.sub(r"\*(in|r)\b", "", text)  # Zahlungsempfänger*in, Zahlungspflichtige*r
    return _fold(text)


def _fold(text: str, *, spell_out: bool = True) -> str:
    """Lower case, accents dropped, punctuation as spaces; `spell_out` writes umlauts as
    ``ae``/``oe``/``ue`` (German) rather than dropping their dots (Swedish ``Bokföring``)."""
    text = text.strip().strip("\ufeff").lower()
    for letter, plain in FOLDS:
        if spell_out or letter not in "äöü":
            text = text.replace(letter, plain)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


_NAME_ROLES: dict[str, list[tuple[str, int]]] = {}
for _role, _names in ROLES.items():
    for _rank, _name in enumerate(_names):
        _NAME_ROLES.setdefault(_name, []).append((_role, _rank))


def _roles_of(name: str) -> list[tuple[str, int]]:
    """(role, preference rank) pairs a column name can play. Also tried: the name with its
    bracketed text (``Kundenreferenz (End-to-End)``) and without a trailing currency code
    (``Amount GBP``)."""
    short = normalise(name)
    tries = [_fold(name), short, _fold(_BRACKETED.sub(" ", name), spell_out=False)]
    words = short.split(" ")
    if len(words) >= 2 and words[-1].upper() in CURRENCY_CODES:  # Amount GBP, Umsatz in EUR
        tries.append(" ".join(words[:-2] if words[-2] == "in" and len(words) > 2 else words[:-1]))
    found: list[tuple[str, int]] = []
    for key in dict.fromkeys(tries):
        found += _NAME_ROLES.get(key, [])
    return found


def _currency_in_name(name: str) -> str | None:
    """The currency a column name states: ``Amount (GBP)``, ``Betrag (€)``, ``Amount GBP``."""
    for match in _BRACKETED.finditer(name):
        inner = (match.group(1) or match.group(2) or "").strip()
        if inner in SYMBOL_CURRENCY:
            return SYMBOL_CURRENCY[inner]
        if re.fullmatch(r"[A-Z]{3}", inner):  # "Withdrawals (SGD)": a code, in capitals
            return inner
    last = normalise(name).rsplit(" ", 1)[-1].upper()
    return last if last in CURRENCY_CODES and " " in normalise(name) else None


def _score_header(fields: Sequence[str]) -> int:
    """How many columns of a candidate header line have a known name; 0 unless it names a date
    and an amount (signed, or money out and in)."""
    roles = [{role for role, _ in _roles_of(f)} for f in fields]
    known = set().union(*roles) if roles else set()
    has_amount = "amount" in known or {"paid_in", "paid_out"} <= known
    if not ({"date", "value_date"} & known) or not has_amount or len(fields) < 3:
        return 0
    return sum(1 for r in roles if r)


def _find_header(lines: Sequence[str]) -> tuple[int, str] | None:
    """(line index, delimiter) of the best header within the first lines."""
    best: tuple[int, int, str] | None = None  # (score, -index, delimiter)
    for index, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        if not line.strip():
            continue
        for delimiter in DELIMITERS:
            if delimiter not in line:
                continue
            try:
                fields = split_record(line, delimiter)
            except csv.Error:  # a field over the csv module's limit: not a header
                continue
            score = _score_header(fields)
            if score and (best is None or (score, -index) > best[:2]):
                best = (score, -index, delimiter)
    return None if best is None else (-best[1], best[2])


def _records(lines: Sequence[str], at: int, delimiter: str) -> tuple[list[str], list[list[str]]]:
    reader = csv.reader(io.StringIO("\n".join(lines[at:])), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    rows: list[list[str]] = []
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append([cell.strip() for cell in record])
            if len(rows) >= SAMPLE_ROWS:
                break
    except csv.Error:
        pass  # the reader reports the broken record with its line
    return header, rows


def _column_names(header: Sequence[str]) -> list[str]:
    """How the profile names each column: its header name where unique, else ``#N``."""
    counts = Counter(h.strip().lower() for h in header)
    return [
        h if h.strip() and counts[h.strip().lower()] == 1 else f"#{i + 1}"
        for i, h in enumerate(header)
    ]


def _values(rows: Sequence[Sequence[str]], index: int) -> list[str]:
    return [r[index] for r in rows if index < len(r) and r[index]]


def _looks_like_dates(values: Sequence[str]) -> bool:
    return bool(values) and _date_formats(values, "")[0] is not None


def _is_constant(values: Sequence[str]) -> bool:
    return len(values) >= 2 and len(set(values)) == 1


class _Assigner:
    """Column roles from names, with the values settling the ambiguous ones."""

    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.header, self.rows = header, rows
        self.roles: dict[str, list[int]] = {}
        self.taken: set[int] = set()

    def values(self, index: int) -> list[str]:
        return _values(self.rows, index)

    def candidates(self, role: str) -> list[tuple[int, int]]:
        """(rank, column) of the free columns whose name can play `role`, best first."""
        found = []
        for i, name in enumerate(self.header):
            if i in self.taken:
                continue
            for r, rank in _roles_of(name):
                if r == role:
                    found.append((rank, i))
        return sorted(found)

    def take(self, role: str, index: int) -> None:
        self.roles.setdefault(role, []).append(index)
        self.taken.add(index)

    def first(self, role: str, *, bare: bool | None = None) -> int | None:
        """Take the best free column for `role` (`bare`: only bare names, or none)."""
        for _, i in self.candidates(role):
            if bare is not None and (normalise(self.header[i]) in BARE) != bare:
                continue
            self.take(role, i)
            return i
        return None


def _looks_like_amounts(values: Sequence[str]) -> bool:
    return bool(values) and all(_AMOUNT.match(v) for v in values)


def _looks_like_numbers(values: Sequence[str]) -> bool:
    return bool(values) and all(re.fullmatch(r"[\d\s./-]+", v) for v in values)


def _looks_like_accounts(values: Sequence[str]) -> bool:
    return bool(values) and all(_ACCOUNT.match(v.replace(" ", "")) for v in values)


def _assign(header: Sequence[str], rows: Sequence[Sequence[str]]) -> dict[str, list[int]]:
    """Column indexes per role (each column plays one role; descriptions may be several)."""
    a = _Assigner(header, rows)
    for i, name in enumerate(header):  # "Valuta": a currency or a value date, by its values
        if normalise(name) == "valuta" and _looks_like_dates(a.values(i)):
            a.take("value_date", i)
    if a.first("date") is None:
        a.first("value_date")
    a.first("time")
    for _, i in a.candidates("marker"):  # "Debit/Credit": signs (D/C) or signed amounts
        a.take("amount" if _looks_like_amounts(a.values(i)) else "marker", i)
        break
    if "amount" not in a.roles:
        a.first("amount")
    if "amount" not in a.roles:
        a.first("paid_out")
        a.first("paid_in")
        if not {"paid_in", "paid_out"} <= set(a.roles):
            for role in ("paid_out", "paid_in"):  # one of the pair alone is no amount
                for i in a.roles.pop(role, []):
                    a.taken.discard(i)
    for role in ("counterparty_amount", "counterparty_currency", "currency", "balance"):
        a.first(role)
    for role in ("status", "fee", "end_to_end_id"):
        a.first(role)
    for _, i in a.candidates("counterparty_account"):  # named as the counterparty's
        name = normalise(header[i])
        if name in BARE or (name in NAME_OR_ACCOUNT and not _looks_like_accounts(a.values(i))):
            continue
        a.take("counterparty_account", i)
        break
    a.first("holder_account", bare=False)
    a.first("counterparty_bank", bare=False)
    a.first("holder_bank", bare=False)
    holder_named = any(normalise(h) == "account name" for h in header)
    for role, holder_role in (
        ("counterparty_account", "holder_account"),
        ("counterparty_bank", "holder_bank"),
    ):
        for _, i in a.candidates(role):  # a bare IBAN / BIC / Account: whose is it?
            if normalise(header[i]) not in BARE:
                continue
            holder = _is_constant(a.values(i)) or role in a.roles or holder_named
            target = holder_role if holder else role
            if target not in a.roles:
                a.take(target, i)
    payer, payee = (
        [(rank, i) for rank, i in a.candidates(role) if not _looks_like_numbers(a.values(i))]
        for role in ("payer", "payee")
    )  # Nordea's Avsändare/Mottagare hold account numbers: not names
    if payer and payee:  # DKB, Wise: who paid and who was paid, by direction
        a.take("payer", payer[0][1])
        a.take("payee", payee[0][1])
    elif payer or payee:
        a.take("counterparty", (payer or payee)[0][1])
    else:
        a.first("counterparty")
    for _, i in a.candidates("holder_name"):  # a bare Name beside the counterparty's
        name = normalise(header[i])
        if name in ("account holder", "kontoinhaber") or _is_constant(a.values(i)):
            a.take("holder_name", i)
            break
    descriptions = sorted(i for _, i in a.candidates("description"))
    types = a.candidates("type")
    if types and (len(descriptions) > 1 or types[0][1] not in descriptions):
        a.take("type", types[0][1])
        descriptions = [i for i in descriptions if i != types[0][1]]
    for i in descriptions:
        a.take("description", i)
    return a.roles


def _date_formats(values: Sequence[str], joined_time: str) -> tuple[str | None, list[str]]:
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
            read += rows if _reads(text, fmt) else 0
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


def _reads(text: str, fmt: str) -> bool:
    try:
        datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


def _decimal_mark(values: Iterable[str], delimiter: str) -> tuple[str, str, str]:
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


def _markers(values: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
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


def _currency(
    header: Sequence[str],
    roles: dict[str, list[int]],
    rows: Sequence[Sequence[str]],
    *,
    by_language: bool,
) -> tuple[str | None, str]:
    """(the one currency, why) of an export without a currency column."""
    money_cols = [i for r in ("amount", "paid_out", "paid_in", "balance") for i in roles.get(r, [])]
    for i in money_cols:
        code = _currency_in_name(header[i])
        if code:
            return code, f"the column name {header[i]!r}"
    symbols: Counter[str] = Counter()
    for i in money_cols:
        for value in _values(rows, i):
            symbols.update(c for c in value if c in SYMBOL_CURRENCY)
    if len(symbols) == 1:
        symbol = next(iter(symbols))
        return SYMBOL_CURRENCY[symbol], f"the {symbol} sign in the amounts"
    for i in roles.get("holder_account", []):
        accounts = [compact_iban(v.upper()) for v in _values(rows, i)]
        countries = {a[:2] for a in accounts if a}
        if len(countries) == 1 and (country := next(iter(countries))) in IBAN_CURRENCY:
            return IBAN_CURRENCY[country], f"the holder's IBAN country ({country})"
        if accounts and all(_SORT_CODE.match(v) for v in _values(rows, i)):
            return "GBP", "the holder account's UK sort code"
    return _language_currency(header, roles) if by_language else (None, "")


def _language_currency(
    header: Sequence[str], roles: dict[str, list[int]]
) -> tuple[str | None, str]:
    """(currency, why) from the language of the date and amount columns' names."""
    named = [
        normalise(header[i])
        for role in ("date", "value_date", "amount", "paid_out", "paid_in")
        for i in roles.get(role, [])
    ]
    shown = ", ".join(repr(header[i]) for r in ("date", "amount") for i in roles.get(r, []))
    if not named or any(n not in ENGLISH_NAMES and n not in EURO_NAMES for n in named):
        return None, ""
    if any(n in EURO_NAMES for n in named):
        return "EUR", f"the language of the column names ({shown}): a euro-area bank's export"
    return "GBP", f"the language of the column names ({shown}): a UK bank's export"


def _first_currency(rows: Sequence[Sequence[str]], roles: dict[str, list[int]]) -> str | None:
    values = _values(rows, roles["currency"][0]) if "currency" in roles else []
    return values[0].upper() if values else None


def _timezone(currency: str | None, holder_ibans: Sequence[str]) -> str:
    countries = {iban[:2] for iban in holder_ibans}
    if len(countries) == 1:
        country = next(iter(countries))
        if country in TIMEZONES:
            return TIMEZONES[country]
        if country in IBAN_CURRENCY:
            return "Europe/Berlin" if country != "GB" else "Europe/London"
    return "Europe/London" if currency in (None, "GBP") else "Europe/Berlin"


def _flows(
    rows: Sequence[Sequence[str]], roles: dict[str, list[int]], profile: Profile
) -> list[tuple[int, Decimal, Decimal, Decimal]]:
    """(row, signed flow, stated balance, fee) of the sample rows, for the sign check."""
    steps = []
    amount, balance, fee = roles["amount"][0], roles["balance"][0], roles.get("fee", [None])[0]
    for n, row in enumerate(rows, start=1):
        cells = [row[i] if i is not None and i < len(row) else "" for i in (amount, balance, fee)]
        money, stated = parse_money(cells[0] or "x", profile), parse_money(cells[1] or "x", profile)
        charged = parse_money(cells[2] or "0", profile)
        if money is None or stated is None:
            continue
        flow = money.value if profile.amount_sign == "credit_positive" else -money.value
        steps.append((n, flow, stated.value, abs(charged.value) if charged else Decimal(0)))
    return steps


def infer_profile(text: str) -> Inference:
    """The profile of the bank CSV export `text` (decoded), or the reason there is none."""
    lines = text.splitlines()
    found = _find_header(lines)
    if found is None:
        headerless = _infer_headerless(lines)
        if headerless.profile is not None:
            return headerless
        return Inference(
            None,
            "no header row naming a date and an amount column (money out and in) in the first "
            f"{HEADER_SEARCH_LINES} lines, and not readable as an export without a header row: "
            f"{headerless.reason}",
        )
    at, delimiter = found
    header, rows = _records(lines, at, delimiter)
    roles = _assign(header, rows)
    names = _column_names(header)
    notes: list[str] = []
    decided: dict[str, Any] = {"delimiter": delimiter}

    date_cols = roles.get("date") or roles.get("value_date") or []
    date_names = [names[i] for i in date_cols + roles.get("time", [])]
    status_col = roles.get("status", [None])[0]
    booked_dates = []
    for row in rows:
        status = row[status_col].upper() if status_col is not None and status_col < len(row) else ""
        cells = [row[i] for i in date_cols + roles.get("time", []) if i < len(row)]
        joined = " ".join(c for c in cells if c)
        if joined and joined.upper() not in NOT_BOOKED and status not in NOT_BOOKED:
            booked_dates.append(joined)
    date_format, date_notes = _date_formats(booked_dates, "time" if "time" in roles else "")
    if date_format is None and booked_dates:
        return Inference(
            None,
            f"column {header[date_cols[0]]!r} holds dates in no format finflow knows "
            f"(e.g. {booked_dates[0]!r})",
            at + 1,
        )
    notes += date_notes
    formats = [date_format] if date_format else list(DATE_FORMATS)
    decided["date_formats"] = formats

    amount_cols = [i for r in ("amount", "paid_out", "paid_in", "balance", "fee")
                   for i in roles.get(r, [])]  # fmt: skip
    amount_values = [v for i in amount_cols for v in _values(rows, i)]
    decimal, thousands, why = _decimal_mark(amount_values, delimiter)
    decided["decimal"] = {"mark": decimal, "from": why}

    currency: str | None = None
    if "currency" in roles:
        values = _values(rows, roles["currency"][0])
        if values and not all(CURRENCY.match(v.upper()) for v in values):
            roles.pop("currency")  # not codes: not a currency column
    if "currency" in roles:
        # for rows whose currency cell is empty: what the export says otherwise, if anything
        currency, source = _currency(header, roles, rows, by_language=False)
        decided["currency"] = {"column": names[roles["currency"][0]]}
        if currency:
            decided["currency"] |= {"when empty": currency, "from": source}
    else:
        currency, source = _currency(header, roles, rows, by_language=True)
        if currency is None:
            return Inference(
                None,
                "the export states no currency (no currency column, no code in a column name, "
                "no currency sign in the amounts, no IBAN or sort code of the holder, column "
                "names in no language that says it): add a profile with its currency",
                at + 1,
            )
        decided["currency"] = {"fixed": currency, "from": source}
        notes.append(f"every row is in {currency}, as {source} says")

    credit_markers: tuple[str, ...] = ("CR",)
    debit_markers: tuple[str, ...] = ("DR",)
    if "marker" in roles:
        markers = _markers(_values(rows, roles["marker"][0]))
        if markers is None:
            roles.pop("marker")
        else:
            credit_markers, debit_markers = (
                tuple(dict.fromkeys(("CR", *markers[0]))),
                tuple(dict.fromkeys(("DR", *markers[1]))),
            )
            decided["direction"] = {
                "column": names[roles["marker"][0]],
                "credit": list(markers[0]),
                "debit": list(markers[1]),
            }

    columns: dict[str, Any] = {}
    for role, indexes in sorted(roles.items()):
        if role in ("value_date", "time") or (role == "date" and not indexes):
            continue
        picked = [names[i] for i in indexes]
        columns[role] = picked[0] if len(picked) == 1 else picked
    columns["date"] = date_names[0] if len(date_names) == 1 else date_names
    if not columns.get("date"):
        return Inference(None, "no date column", at + 1)
    if "value_date" in roles and not roles.get("date"):
        notes.append(f"no booking date column: dates are the value dates of {date_names[0]!r}")

    holder_values = [v for i in roles.get("holder_account", []) for v in _values(rows, i)]
    preamble_label = None
    if "holder_account" not in roles:
        preamble_label, iban = _preamble_iban(lines[:at], delimiter)
        if preamble_label is not None:
            holder_values = [iban]
            decided["holder_account"] = {"preamble": preamble_label, "account": iban}
    holder_ibans = [a for a in map(compact_iban, (v.upper() for v in holder_values)) if a]
    profile = Profile(
        name=INFERRED,
        bank="UNKNOWN",
        header=tuple(h for h in header if h.strip()),
        columns=columns,
        date_formats=tuple(formats),
        delimiter=delimiter,
        decimal=decimal,
        thousands=thousands,
        currency=currency,
        timezone=_timezone(currency or _first_currency(rows, roles), holder_ibans),
        credit_markers=credit_markers,
        debit_markers=debit_markers,
        not_booked_values=NOT_BOOKED,
        holder_account_preamble=preamble_label,
        counterparty_regex=None if {"counterparty", "payer", "payee"} & set(roles) else NAME_LABEL,
        description="inferred from the file's header and values",
    )
    if "amount" in roles and "marker" not in roles:
        profile = _settle_sign(profile, rows, roles, notes)
    decided["amount_sign"] = profile.amount_sign
    decided["columns"] = columns
    if "holder_account" not in roles and preamble_label is None:
        notes.append("the export names no holder account: rows are booked to STATEMENT:<file>")
    return Inference(profile, "", at + 1, tuple(notes), decided)


def _preamble_iban(lines: Sequence[str], delimiter: str) -> tuple[str | None, str]:
    """(label, IBAN) of the one preamble line whose second field starts with an IBAN
    (``IBAN;DE12 3456 ...``, ``"Kontonummer:";"DE12... / Girokonto"``), else (None, "")."""
    found: dict[str, str] = {}
    for line in lines:
        try:
            record = split_record(line, delimiter) if line.strip() else []
        except csv.Error:
            continue
        if len(record) >= 2 and record[0] and (iban := leading_iban(record[1])):
            found.setdefault(iban, record[0])
    if len(found) != 1:
        return None, ""
    iban, label = next(iter(found.items()))
    return label, iban


def compact_iban(text: str) -> str | None:
    """`text` without its spaces when that is an IBAN (``DE12 5001 ...``), else None."""
    compact = text.replace(" ", "")
    return compact if _IBAN.match(compact) else None


def leading_iban(text: str) -> str | None:
    """The IBAN `text` starts with (written with or without spaces), compacted; else None."""
    match = _LEADING_IBAN.match(text.strip().upper())
    return match.group(0).replace(" ", "") if match else None


def _settle_sign(
    profile: Profile,
    rows: Sequence[Sequence[str]],
    roles: dict[str, list[int]],
    notes: list[str],
) -> Profile:
    """Money in is positive, unless the running balance walks only with the opposite sign
    (card statements write spending positive)."""
    if "balance" not in roles:
        return profile
    flipped = replace(profile, amount_sign="debit_positive")
    usual = walk_balances(_flows(rows, roles, profile))
    other = walk_balances(_flows(rows, roles, flipped))
    if usual["rows_walked"] >= 2 and len(other["breaks"]) < len(usual["breaks"]):
        notes.append(
            "the running balance goes down with positive amounts: positive is money out "
            f"({len(other['breaks'])} breaks that way, {len(usual['breaks'])} the other)"
        )
        return flipped
    return profile


def profile_yaml(inference: Inference, name: str = "mybank") -> str:
    """The inferred profile as a profile YAML file (`docs/feeds.md`, "How to add a bank")."""
    import yaml

    profile = inference.profile
    assert profile is not None
    data: dict[str, Any] = {
        "name": name,
        "bank": profile.bank,
        "description": f"{profile.description} (review before shipping)",
        "header": list(profile.header),
        "delimiter": profile.delimiter,
        "decimal": profile.decimal,
        "thousands": profile.thousands,
        "date_formats": list(profile.date_formats),
        "timezone": profile.timezone,
        "amount_sign": profile.amount_sign,
        "not_booked_values": list(profile.not_booked_values),
        "columns": profile.columns,
    }
    if profile.headerless:
        data["fields"] = profile.fields
    if profile.currency:
        data["currency"] = profile.currency
    if profile.counterparty_regex:
        data["counterparty_regex"] = profile.counterparty_regex
    if profile.credit_markers != ("CR",) or profile.debit_markers != ("DR",):
        data["credit_markers"] = list(profile.credit_markers)
        data["debit_markers"] = list(profile.debit_markers)
    notes = "".join(f"# note: {n}\n" for n in inference.notes)
    body = yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    source = (
        f"the header on line {inference.header_line}"
        if inference.header_line
        else "its values (no header row)"
    )
    return f"# inferred by finflow from {source}\n{notes}{body}"


# -- Exports without a header row ---------------------------------------------------------

HEADERLESS_MIN_FIELDS = 3
"""A header-less export needs a date, an amount and a description at least."""
_TIME = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_TYPE_CODE = re.compile(r"^[A-Z]{2,4}$|^\)\)\)$")
"""UK statement type codes (DD, SO, FPI, BGC, ``)))`` for contactless) and the like."""
_MONEY_MARK = re.compile(r"\d[.,]\d{1,2}$")


def _headerless_records(lines: Sequence[str]) -> tuple[str, list[list[str]]] | None:
    """(delimiter, records) of an export whose first line is already a data row: the delimiter
    that splits nearly all the first lines into one number (3 or more) of fields."""
    head = [line for line in lines[: SAMPLE_ROWS + 1] if line.strip()]
    if not head:
        return None
    best: tuple[int, int, str, list[list[str]]] | None = None  # (agreeing, fields, delim, rows)
    for delimiter in DELIMITERS:
        if delimiter not in head[0]:
            continue
        try:
            records = [
                [cell.strip() for cell in r]
                for r in csv.reader(io.StringIO("\n".join(head)), delimiter=delimiter)
                if any(cell.strip() for cell in r)
            ]
        except csv.Error:
            continue
        counts = Counter(len(r) for r in records)
        fields, agreeing = counts.most_common(1)[0]
        if fields < HEADERLESS_MIN_FIELDS or not _nearly_all(agreeing, len(records)):
            continue
        if len(records[0]) != fields:
            continue
        if best is None or (agreeing, fields) > best[:2]:
            best = (agreeing, fields, delimiter, [r for r in records if len(r) == fields])
    return None if best is None else (best[2], best[3])


def _nearly_all(count: int, total: int) -> bool:
    """`count` of `total` is all, 90% or all but one of three or more (a stray row is then
    quarantined by the reader with its reason)."""
    return count == total or count * 10 >= total * 9 or (total >= 3 and count >= total - 1)


def _plausible_dates(values: Sequence[str], fmt: str) -> bool:
    """Every date that reads in `fmt` falls in 1950..2100 (``12345678`` is no ``%Y%m%d``)."""
    for value in values[:200]:
        try:
            year = datetime.strptime(" ".join(value.split()), fmt).year
        except ValueError:
            continue
        if not 1950 <= year <= 2100:
            return False
    return True


def _column_kind(values: Sequence[str]) -> str:
    """What a header-less column holds, from its values: date, time, currency, account, bic,
    number, text or empty."""
    if not values:
        return "empty"
    booked = [v for v in values if v.upper() not in NOT_BOOKED]
    fmt, _ = _date_formats(booked, "")
    read = sum(_reads(" ".join(v.split()), fmt) for v in booked) if fmt else 0
    if fmt and _nearly_all(read, len(booked)) and _plausible_dates(booked, fmt):
        return "date"
    if all(_TIME.match(v) for v in values):
        return "time"
    if all(v in CURRENCY_CODES for v in values):
        return "currency"
    if all(compact_iban(v.upper()) for v in values) or all(_SORT_CODE.match(v) for v in values):
        return "account"
    if all(_BIC.match(v) for v in values):
        return "bic"
    if _looks_like_amounts(values):
        digits = [v for v in values if re.fullmatch(r"\d+", v)]
        if _is_constant(values) and len(values[0]) >= 6 and digits:
            return "account"  # one long number on every row: the holder's account number
        return "number"
    return "text"


def _few_values(values: Sequence[str]) -> bool:
    """A column of a few values repeated (a transaction type), not one per row (names)."""
    return _is_constant(values) or (len(values) >= 6 and len(set(values)) * 3 <= len(values))


def _type_like(values: Sequence[str]) -> bool:
    """A transaction-type column: codes (``DD``, ``FPI``), words finflow maps to a channel
    (``Direct debit``, ``Contactless payment``) or a few values repeated."""
    return bool(values) and (
        all(_TYPE_CODE.match(v) or (len(v.split()) <= 3 and channel_from_text(v)) for v in values)
        or _few_values(values)
    )


def _money_columns(rows: Sequence[Sequence[str]], numbers: list[int]) -> list[int]:
    """The number columns that hold money: those written with decimals where any is (ids,
    sequence numbers and codes are whole numbers); all of them otherwise."""
    decimal = [i for i in numbers if any(_MONEY_MARK.search(v) for v in _values(rows, i))]
    return decimal or numbers


def _parsed(rows: Sequence[Sequence[str]], index: int, profile: Profile) -> list[Decimal | None]:
    out: list[Decimal | None] = []
    for row in rows:
        money = parse_money(row[index], profile) if row[index] else None
        out.append(money.value if money is not None else None)
    return out


def _walk(
    flows: Sequence[Decimal | None], balances: Sequence[Decimal | None], order: str | None
) -> tuple[int, int]:
    """(breaks, rows walked) of a running balance stated after each row, walked by signed
    flows in `order` (``oldest_first`` or ``newest_first`` as the dates say; either if None)."""
    steps = [
        (f, b) for f, b in zip(flows, balances, strict=True) if f is not None and b is not None
    ]
    orders = [order] if order else ["oldest_first", "newest_first"]
    breaks = []
    for way in orders:
        walked = steps if way == "oldest_first" else steps[::-1]
        breaks.append(sum(b0 + f != b for (_, b0), (f, b) in itertools.pairwise(walked)))
    return min(breaks), len(steps)


def _walk_before(
    flows: Sequence[Decimal | None], balances: Sequence[Decimal | None], order: str
) -> tuple[int, int]:
    """(breaks, rows walked) of a balance stated before each row: each row's balance plus its
    flow is the next row's (in the order of the dates)."""
    steps = [
        (f, b) for f, b in zip(flows, balances, strict=True) if f is not None and b is not None
    ]
    walked = steps if order == "oldest_first" else steps[::-1]
    return sum(b0 + f != b for (f, b0), (_, b) in itertools.pairwise(walked)), len(steps)


def _date_order(rows: Sequence[Sequence[str]], column: int, fmt: str) -> str | None:
    """``oldest_first`` or ``newest_first`` when the booking dates run one way, else None."""
    days = []
    for row in rows:
        try:
            days.append(datetime.strptime(" ".join(row[column].split()), fmt))
        except ValueError:
            continue
    if len(set(days)) < 2:
        return None
    if days == sorted(days):
        return "oldest_first"
    return "newest_first" if days == sorted(days, reverse=True) else None


Option = tuple[dict[str, list[int]], str, str, list[Decimal | None]]
"""(roles, amount sign, what it says, signed flows) of one reading of the money columns."""


def _amount_options(
    values: dict[int, list[Decimal | None]], others: list[int], signs: list[int] | None
) -> list[Option]:
    """The readings of the money columns `others` as a signed amount (by `signs` from a
    debit/credit column, else either sign) or as money out and money in."""
    options: list[Option] = []
    for amount in others:
        if signs is not None:
            marked = [
                None if v is None else s * abs(v)
                for v, s in zip(values[amount], signs, strict=True)
            ]
            options.append(
                (
                    {"amount": [amount]},
                    "credit_positive",
                    "signed by the debit/credit column",
                    marked,
                )
            )
            continue
        signed = values[amount]
        flipped = [None if v is None else -v for v in signed]
        options.append(({"amount": [amount]}, "credit_positive", "money in positive", signed))
        options.append(({"amount": [amount]}, "debit_positive", "money out positive", flipped))
    for out_col, in_col in itertools.permutations(others, 2):
        pairs = list(zip(values[out_col], values[in_col], strict=True))
        if signs is not None or any(o is not None and i is not None for o, i in pairs):
            continue  # money out and money in are never on the same row
        flows = [abs(i) if i is not None else None if o is None else -abs(o) for o, i in pairs]
        options.append(({"paid_out": [out_col], "paid_in": [in_col]}, "credit_positive", "", flows))
    return options


def _amount_roles(
    rows: Sequence[Sequence[str]],
    money: list[int],
    profile: Profile,
    order: str | None,
    signs: list[int] | None,
) -> tuple[dict[str, list[int]], str, list[str]] | str:
    """Which money column is the amount, the balance, money in or out, settled by arithmetic:
    a balance before and after each row (after = before + amount), or a running balance
    walked by a signed amount or by money out and in, in the order of the dates. `signs`:
    +1/-1 per row from a debit/credit column. Returns (roles, amount sign, notes) or the
    reason it cannot be told."""
    values = {i: _parsed(rows, i, profile) for i in money}
    if len(money) == 1:
        said = "signed by the debit/credit column" if signs else "money in positive"
        return (
            {"amount": money},
            "credit_positive",
            [f"one number column (#{money[0] + 1}): the amount, {said} (no balance to check it)"],
        )
    for before, after, amount in itertools.permutations(money, 3):
        triples = [
            (b, a, m)
            for b, a, m in zip(values[before], values[after], values[amount], strict=True)
            if b is not None and a is not None and m is not None
        ]
        if triples and all(b + m == a for b, a, m in triples) and any(m for _, _, m in triples):
            return (
                {"amount": [amount], "balance": [after]},
                "credit_positive",
                [
                    f"#{amount + 1} is the amount: #{before + 1} plus it gives #{after + 1} on "
                    "every row (the balances before and after each row)"
                ],
            )
    # (breaks, -rows walked, roles, sign, why): the fewest breaks over the most rows wins
    best: tuple[int, int, dict[str, list[int]], str, str] | None = None
    for balance in money:
        others = [i for i in money if i != balance]
        stated = values[balance]
        # the balance after each row, or the balance before it (after = the next row's before)
        readings: list[tuple[str, list[Decimal | None], dict[str, list[int]]]] = [
            ("the running balance", stated, {"balance": [balance]})
        ]
        if order is not None:
            readings.append(("the balance before each row (not walked when read)", stated, {}))
        for (roles, sign, said, flows), (kind, balances, extra) in itertools.product(
            _amount_options(values, others, signs), readings
        ):
            if extra:
                breaks, walked = _walk(flows, balances, order)
            else:
                breaks, walked = _walk_before(flows, balances, order or "oldest_first")
            if walked < 2 or breaks * 10 > walked:
                continue
            if best is None or (breaks, -walked) < best[:2]:
                shown = (
                    f"#{roles['amount'][0] + 1} is the amount ({said})"
                    if "amount" in roles
                    else f"#{roles['paid_out'][0] + 1} is money out, #{roles['paid_in'][0] + 1} "
                    "money in"
                )
                why = (
                    f"{shown} and #{balance + 1} {kind}: it walks over {walked} rows with "
                    f"{breaks} breaks"
                )
                best = (breaks, -walked, roles | extra, sign, why)
    if best is None:
        shown = ", ".join(f"#{i + 1}" for i in money)
        return (
            f"the number columns {shown} cannot be told apart (amount, balance, money in or "
            "out): no running balance walks with any of them"
        )
    return best[2], best[3], [best[4]]


def _headerless_currency(
    rows: Sequence[Sequence[str]], roles: dict[str, list[int]], date_format: str, decimal: str
) -> tuple[str | None, str, str]:
    """(currency, from what, note) of a header-less export without a currency column."""
    found, why = _currency(
        [f"#{i + 1}" for i in range(len(rows[0]))], roles, rows, by_language=False
    )
    if found:
        return found, why, f"every row is in {found}, as {why} says"
    if date_format.startswith("%d/%m/") and decimal == ".":
        why = "dates day-first with slashes and a decimal point, as UK banks write them"
        return (
            "GBP",
            why,
            (
                "the export states no currency: every row is read as GBP, since its dates "
                "(day-first, with slashes) and decimal point are written as UK banks write them"
            ),
        )
    return None, "", ""


def _infer_headerless(lines: Sequence[str]) -> Inference:
    """The profile of an export whose rows start on its first line (HSBC UK, ABN AMRO's TAB
    export, ASN): columns are named by position and their roles come from their values."""
    found = _headerless_records(lines)
    if found is None:
        return Inference(None, "its first lines do not split into one number of fields")
    delimiter, rows = found
    # what each column holds, from the rows after the first (which may be a header finflow
    # does not know: checked below)
    sample = rows[1:] if len(rows) > 1 else rows
    kinds = [_column_kind(_values(sample, i)) for i in range(len(rows[0]))]
    markers = [i for i, k in enumerate(kinds) if k == "text" and _markers(_values(sample, i))]
    for i in markers[:1]:
        kinds[i] = "marker"
    dates = [i for i, k in enumerate(kinds) if k == "date"]
    texts = [i for i, k in enumerate(kinds) if k == "text"]
    if not dates:
        return Inference(None, "no column holds dates")
    if not texts:
        return Inference(None, "no column holds text (a description)")
    numbers = [i for i, k in enumerate(kinds) if k == "number"]
    if not numbers:
        return Inference(None, "no column holds amounts")
    notes = [
        "the export has no header row: its columns are named by position (#1, #2, ...) and "
        "their roles come from their values ("
        + ", ".join(f"#{i + 1} {k}" for i, k in enumerate(kinds))
        + ")"
    ]
    times = [i for i, k in enumerate(kinds) if k == "time"][:1]
    date_cells = [" ".join(c for c in (r[dates[0]], *(r[i] for i in times)) if c) for r in rows]
    date_format, date_notes = _date_formats(date_cells, "time" if times else "")
    assert date_format is not None  # the column reads as dates
    if not _reads(" ".join(date_cells[0].split()), date_format):
        return Inference(
            None,
            f"its first line is no data row either ({rows[0][dates[0]]!r} in the date column "
            f"#{dates[0] + 1} is not a date), and names no columns finflow knows",
        )
    notes += date_notes
    if len(dates) > 1:
        notes.append(
            f"the first date column (#{dates[0] + 1}) is the booking date; "
            + ", ".join(f"#{i + 1}" for i in dates[1:])
            + " taken for value dates"
        )
    money = _money_columns(rows, numbers)
    decimal, thousands, why = _decimal_mark([v for i in money for v in _values(rows, i)], delimiter)
    draft = Profile(
        INFERRED,
        "UNKNOWN",
        (),
        {"date": "#1"},
        (date_format,),
        delimiter=delimiter,
        decimal=decimal,
        thousands=thousands,
        currency="XXX",
    )
    signs = None
    credit_markers: tuple[str, ...] = ("CR",)
    debit_markers: tuple[str, ...] = ("DR",)
    if markers:
        credit, debit = _markers(_values(rows, markers[0])) or ((), ())
        signs = [1 if r[markers[0]].strip().upper() in credit else -1 for r in rows]
        credit_markers = tuple(dict.fromkeys(("CR", *credit)))
        debit_markers = tuple(dict.fromkeys(("DR", *debit)))
    order = _date_order(rows, dates[0], date_format)
    settled = _amount_roles(rows, money, draft, order, signs)
    if isinstance(settled, str):
        return Inference(None, settled)
    roles, sign, amount_notes = settled
    notes += amount_notes
    if markers:
        roles["marker"] = markers[:1]
    currencies = [i for i, k in enumerate(kinds) if k == "currency"]
    if currencies:
        roles["currency"] = currencies[:1]
    accounts = [i for i, k in enumerate(kinds) if k == "account"]
    holder = [i for i in accounts if _is_constant(_values(rows, i))]
    if holder:
        roles["holder_account"] = holder
    counterparty = [i for i in accounts if i not in holder]
    if counterparty:
        roles["counterparty_account"] = counterparty[:1]
    bics = [i for i, k in enumerate(kinds) if k == "bic" and not _is_constant(_values(rows, i))]
    if bics:
        roles["counterparty_bank"] = bics[:1]
    codes = [i for i in texts if _type_like(_values(rows, i))]
    if codes and len(texts) > 1:
        roles["type"] = codes[:1]
        texts = [i for i in texts if i != codes[0]]
    if len(texts) > 1 and not _few_values(_values(rows, texts[0])):
        roles["counterparty"] = texts[:1]
        notes.append(
            f"of several text columns, the first (#{texts[0] + 1}) is taken for the "
            "counterparty's name and the others for the description"
        )
        texts = texts[1:]
    roles["description"] = texts
    currency = None
    decided: dict[str, Any] = {
        "header": None,
        "delimiter": delimiter,
        "date_formats": [date_format],
        "decimal": {"mark": decimal, "from": why},
    }
    if currencies:
        decided["currency"] = {"column": f"#{currencies[0] + 1}"}
    else:
        currency, source, said = _headerless_currency(rows, roles, date_format, decimal)
        if currency is None:
            return Inference(
                None,
                "the export states no currency (no currency column, no currency sign in the "
                "amounts, no IBAN or sort code of the holder, dates not written as UK banks "
                "write them): add a profile with its currency",
            )
        decided["currency"] = {"fixed": currency, "from": source}
        notes.append(said)
    columns: dict[str, Any] = {}
    for role, indexes in sorted(roles.items()):
        picked = [f"#{i + 1}" for i in indexes]
        columns[role] = picked[0] if len(picked) == 1 else picked
    columns["date"] = f"#{dates[0] + 1}" if not times else [f"#{dates[0] + 1}", f"#{times[0] + 1}"]
    holder_ibans = [a for i in holder for v in _values(rows, i) if (a := compact_iban(v.upper()))]
    profile = Profile(
        name=INFERRED,
        bank="UNKNOWN",
        header=(),
        columns=columns,
        date_formats=(date_format,),
        delimiter=delimiter,
        decimal=decimal,
        thousands=thousands,
        currency=currency,
        timezone=_timezone(currency or _first_currency(rows, roles), holder_ibans),
        amount_sign=sign,
        credit_markers=credit_markers,
        debit_markers=debit_markers,
        not_booked_values=NOT_BOOKED,
        counterparty_regex=None if "counterparty" in roles else NAME_LABEL,
        description="inferred from the file's values (no header row)",
        fields=len(rows[0]),
    )
    decided["amount_sign"] = profile.amount_sign
    decided["columns"] = columns
    if not holder:
        notes.append("the export names no holder account: rows are booked to STATEMENT:<file>")
    return Inference(profile, "", 0, tuple(notes), decided)
