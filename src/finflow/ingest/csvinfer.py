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
a running balance walks in the order of the dates (`finflow.ingest.csvheaderless`).

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
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from finflow.ingest.camt053_fields import CURRENCY, IBAN_LENGTHS
from finflow.ingest.csvclues import (
    CURRENCY_CODES,
    DATE_FORMATS,
    DELIMITERS,
    NOT_BOOKED,
    SAMPLE_ROWS,
    SYMBOL_CURRENCY,
    Inference,
    best_date_format,
    column_values,
    compact_iban,
    currency_from_values,
    decimal_mark,
    inferred_profile,
    is_constant,
    leading_iban,
    looks_like_amounts,
    looks_like_dates,
    marker_words,
    preamble_table_accounts,
    time_note,
    unguarded,
)
from finflow.ingest.csvheaderless import infer_headerless
from finflow.ingest.csvprofile import HEADER_SEARCH_LINES, Profile, split_record
from finflow.ingest.csvvalues import money_in, parse_money
from finflow.ingest.encoding import decode_bytes
from finflow.ingest.walk import walk_balances

__all__ = ["decode_export", "infer_profile", "profile_yaml", "split_sections"]

ROLES: dict[str, tuple[str, ...]] = {
    # Booking date first; value dates and start dates only when nothing better is there.
    "date": (
        "booking date", "posting date", "posted date", "date posted", "post date",
        "completed date", "transaction date", "date", "trans date", "date processed", "created",
        "created at", "buchungstag", "buchungsdatum", "buchung", "boekdatum", "boekingsdatum",
        "datum", "transactiedatum", "uitvoeringsdatum", "belegdatum", "date comptable",
        "date de comptabilisation", "datum der transaktion", "date operation",
        "date de l operation", "date d operation", "date de transaction", "dateop", "fecha",
        "fecha operacion", "fecha de operacion", "f operacion", "data operazione",
        "data contabile", "data ksiegowania", "data operacji", "data transakcji", "data",
        "bokforingsdag", "bokforingsdatum", "transaktionsdag", "transaktionsdatum", "dato",
        "bogforingsdato", "kirjauspaiva", "abschlussdatum",
        # Czech, Slovak, Hungarian
        "datum zauctovani", "datum zauctovania", "datum provedeni", "datum transakce",
        "datum pohybu", "datum uskutocnenia", "tranzakcio datuma", "konyvelesi datum",
        "konyveles datuma",
        # Estonian, Latvian (Lithuanian "Data" is above)
        "kuupaev", "datums",
    ),
    "value_date": (
        "value date", "valutadatum", "valuta datum", "wertstellung", "wertstellungsdatum",
        "rentedatum", "date valeur", "date de valeur", "dateval", "fecha valor", "data valuta",
        "data waluty", "started date", "valuteringsdag", "rentedato", "datum splatnosti",
        "datum valuty", "erteknap", "valutanap", "f valor",
    ),
    "time": (
        "time", "uhrzeit", "tijd", "heure", "hora", "ora", "transaction time",
        "heure de transaction",
    ),
    "amount": (
        "amount", "transaction amount", "value", "bedrag", "betrag", "buchungsbetrag",
        "montant", "importe", "importo", "kwota", "kwota operacji", "belopp", "belob", "belop",
        "summe", "umsatz", "net amount", "maara", "einzelbetrag", "transactiebedrag",
        "debit credit",
        "zauctovana castka", "castka", "castka v mene uctu", "suma", "ciastka",
        "tranzakcio osszege", "osszeg", "konyvelt osszeg", "summa",
    ),
    "paid_out": (
        "paid out", "money out", "debit amount", "debit", "debits", "withdrawal",
        "withdrawals", "out", "spent", "soll", "ausgang", "ausgaben", "belastung", "debet",
        "uitgaven", "debito", "cargo", "cargos", "addebiti", "addebito", "uscite",
        "obciazenia", "uttag", "rechnungsbetrag ausgehend", "afschrijving", "afschrijvingen",
        "lastschrift",
    ),
    "paid_in": (
        "paid in", "money in", "credit amount", "credit", "credits", "deposit", "deposits",
        "in", "received", "haben", "eingang", "einnahmen", "gutschrift", "inkomsten", "credito",
        "abono", "abonos", "accrediti", "accredito", "entrate", "uznania", "insattning",
        "rechnungsbetrag eingehend", "bijschrijving", "bijschrijvingen",
    ),
    "marker": (
        "af bij", "debit credit", "credit debit", "creditdebet", "credit debet", "cr dr",
        "dr cr", "d c", "c d", "soll haben", "s h", "debit credit indicator",
        "credit debit indicator", "dc", "bij af", "bevetel kiadas", "jovairas terheles",
        "deebet kreedit", "debets kredits", "d k",
    ),
    "currency": (
        "currency", "ccy", "currency code", "waehrung", "buchungswaehrung", "whg", "whrg",
        "munt", "valutacode", "valuta rekening", "devise", "divisa", "moneda", "waluta",
        "valuta", "valuta code", "valuuta", "muntsoort", "mena uctu", "mena",
        "tranzakcio devizaneme", "devizanem", "penznem", "monnaie", "monn", "devies", "valiuta",
        "valuutta",
        "munteenheid",
        "waehrung der karte",
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
        "auftraggebername",
        "debtor", "debtor name", "ordenante", "avsaendare", "nazwa nadawcy", "maksaja", "sender",
    ),
    "payee": (
        "payee", "payee name", "zahlungsempfaenger", "empfaenger", "empfaengername",
        "beneficiary", "beneficiary name", "creditor", "creditor name", "beneficiario",
        "mottagare", "nazwa odbiorcy", "maksunsaaja", "recipient",
    ),
    "counterparty": (
        "counterparty", "counter party", "counterparty name", "partner name", "merchant",
        "merchant name", "naam tegenpartij", "naam van de tegenpartij", "tegenrekeninghouder",
        "naam tegenrekening", "naam omschrijving", "auftraggeber empfaenger",
        "auftraggeber beguenstigter", "beguenstigter zahlungspflichtiger",
        "name zahlungsbeteiligter", "zahlungsbeteiligter", "beneficiaire", "tiers",
        "contrepartie", "supplierfound", "controparte", "nadawca odbiorca", "kontrahent",
        "tegenpartij", "namn", "name", "naam", "nazev protiuctu", "nazov protiuctu",
        "partner neve", "partner", "nimi", "naam tegenpartij bevat", "nom contrepartie contient",
        "nom contrepartie", "nom de la contrepartie", "saaja maksja", "sanemejs maksatajs",
        "gavejas",
    ),
    "counterparty_account": (
        "counterparty account", "counterparty iban", "partner iban", "payee account number",
        "payee account", "beneficiary account", "tegenrekening", "tegenrekening iban bban",
        "tegenrekeningnummer", "rekeningnummer tegenpartij", "iban tegenpartij",
        "kontonummer iban", "iban zahlungsbeteiligter", "iban zahlungspflichtiger",
        "zahlungsempfaengeriban", "kontonummer", "compte contrepartie", "numer konta",
        "tegenpartij", "iban", "account number", "account", "iban bban", "cislo protiuctu",
        "bankovni spojeni", "protiucet", "partner szamlaszama", "ellenoldali szamlaszam",
        "rekening tegenpartij", "compte de la contrepartie",
    ),
    "counterparty_bank": (
        "counterparty bic", "bic tegenpartij", "bic zahlungsbeteiligter", "bic swift code",
        "zahlungsempfaengerbic", "blz", "bic", "swift", "swift bic", "bic swift",
    ),
    "holder_account": (
        "auftragskonto", "iban auftragskonto", "iban auftraggeberkonto", "rekening",
        "rekeningnummer", "eigen rekening", "opdrachtgeversrekening", "own account",
        "accountnum", "account number", "account", "account no", "iban bban", "iban", "konto",
        "numero de compte", "cuenta", "conto", "cislo uctu", "szamlaszam", "compte",
        "kliendi konto", "klienta konts", "saskaitos nr",
    ),
    "holder_name": (
        "account holder", "kontoinhaber", "naam", "name", "nazev uctu", "szamla neve",
    ),
    "holder_bank": ("bic auftragskonto", "bic", "bank bic"),
    "balance": (
        "balance", "running balance", "balance after", "accountbalance", "saldo",
        "saldo na mutatie", "saldo na trn", "saldo nach buchung", "kontostand", "solde",
        "saldo dopo", "saldo po operacji", "saldo dopo l operazione", "eindsaldo",
        "zustatek", "zostatok", "egyenleg", "verfuegbares guthaben",
    ),
    "status": ("status", "state", "transaction status", "info", "stato", "estado"),
    "type": (
        "type", "transaction type", "payment type", "posting text", "subcategory", "subcategoria",
        "umsatzart",
        "umsatztyp",
        "vorgang", "mutatiesoort", "code", "transactiecode", "betaalwijze", "type betaling",
        "transaktionstyp", "type verrichting", "type operation", "type d operation",
        "paymenttype", "tipo", "typ transakcji", "typ operacji", "transaktionstyp",
        "buchungstext", "typ transakce", "typ transakcie", "tranzakcio tipusa",
        "art der transaktion", "tehingu tuup", "maksajuma veids", "kodas", "bewegungstyp",
    ),
    "fee": (
        "fee", "fees", "total fees", "commission", "gebuehr", "gebuehren", "frais", "poplatek",
        "poplatok", "dij",
    ),
    "end_to_end_id": (
        "end to end id", "end to end reference", "end to end", "endtoendid",
        "kundenreferenz end to end", "kundenreferenz", "eref",
    ),
    "description": (
        "description", "transaction description", "details", "transaction details",
        "narrative", "memo", "reference", "payment reference", "particulars", "transactions",
        "merchant description", "label", "comment", "verwendungszweck",
        "vorgang verwendungszweck", "buchungstext", "transaktionsbeschreibung", "beschreibung1",
        "beschreibung2", "beschreibung3",
        "transaktionsbeschreibung zusatz", "beschreibung", "omschrijving", "omschrijving 1",
        "omschrijving 2", "omschrijving 3", "mededelingen", "mededeling", "vrije mededeling",
        "gestructureerde mededeling", "libelle", "libelle operation", "libelle simplifie",
        "informations complementaires", "detail", "concepto",
        "descripcion", "descrizione", "causale", "opis", "opis transakcji", "opis operacji",
        "tytul", "tytulem", "notes and tags", "rubrik", "meddelande", "tekst", "text", "zweck",
        "zprava", "zprava pro prijemce", "zprava pro me", "poznamka", "popis", "popis transakce",
        "popis transakcie", "sprava pre prijemcu", "kozlemeny", "reszletek", "megjegyzes",
        "transaktion", "beskrivning", "zahlungszweck", "desc", "vwz", "reason",
        "reason for payment", "purpose", "referenz", "zahlungsreferenz", "transactie",
        "communications", "communication", "selgitus", "informacija sanemejam", "paaiskinimai",
        "detail van de omzet", "bericht", "avisierungstext", "buchungsdetails", "otsikko",
        "viesti", "viitenumero", "title", "message", "reference number",
    ),
}  # fmt: skip
"""Known column names per role, each list in order of preference (normalised: lower case,
no accents, umlauts as ``ae``/``oe``/``ue``, punctuation as spaces, bracketed text dropped)."""

BARE = {"iban", "bic", "account", "account number", "iban bban", "swift", "swift bic", "bic swift"}
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
    "addebiti", "addebito", "accrediti", "accredito", "uscite", "entrate", "afschrijving",
    "afschrijvingen", "bijschrijving", "bijschrijvingen",
))  # fmt: skip
"""The currency of an export that states none comes from the language of its date and amount
columns' names: a German, Dutch, French, Spanish or Italian name makes it a euro export; English
names alone a UK export (GBP); else `NATIONAL_NAMES`."""
NATIONAL_NAMES = {
    "SEK": frozenset((
        "bokforingsdag", "bokforingsdatum", "transaktionsdag", "transaktionsdatum", "datum",
        "valuteringsdag", "belopp", "uttag", "insattning",
    )),
    "DKK": frozenset(("dato", "bogforingsdato", "rentedato", "belob")),
    "NOK": frozenset(("dato", "rentedato", "belop")),
    "PLN": frozenset((
        "data ksiegowania", "data operacji", "data transakcji", "data waluty", "kwota",
        "kwota operacji", "obciazenia", "uznania",
    )),
    "CZK": frozenset((
        "datum zauctovani", "datum provedeni", "datum transakce", "datum pohybu", "datum",
        "datum splatnosti", "datum valuty", "zauctovana castka", "castka", "castka v mene uctu",
    )),
    "HUF": frozenset((
        "tranzakcio datuma", "konyvelesi datum", "konyveles datuma", "erteknap", "valutanap",
        "tranzakcio osszege", "osszeg", "konyvelt osszeg",
    )),
    "EUR": frozenset((  # Slovak; Estonian, Latvian, Lithuanian (Swedbank's Baltic exports)
        "datum zauctovania", "datum uskutocnenia", "suma", "ciastka", "kuupaev", "datums",
        "summa", "data",
    )),
}  # fmt: skip
LANGUAGES = {"SEK": "Swedish", "DKK": "Danish", "NOK": "Norwegian", "PLN": "Polish",
             "CZK": "Czech", "HUF": "Hungarian",
             "EUR": "Slovak or Baltic"}  # fmt: skip
"""Date and amount column names of languages spoken where one currency is used: when every such
name of an export belongs to one currency's list only (``Datum`` is Swedish, Czech and German;
with ``Belopp`` it is Swedish), the export is in that currency."""

_BRACKETED = re.compile(r"\(([^)]*)\)|\[([^]]*)\]")
_ACCOUNT = re.compile(r"^([A-Z]{2}\d{2}[A-Z0-9]{10,30}|\d{6,18})$")
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
OWN_OR_OTHER_ACCOUNT = {"kontonummer"}
"""Names used for the holder's account by some banks and the counterparty's by others."""
NAME_OR_ACCOUNT = {"tegenpartij"}
"""Names used for the counterparty's account by some banks and its name by others."""
ACCOUNT_NAMES = {"account name", "kontoname", "kontobezeichnung", "rekeningnaam", "nom du compte",
                 "naam van de rekening"}  # fmt: skip
"""Columns naming the holder's account (NatWest, C24): the account number beside is the holder's."""


def normalise(name: str) -> str:
    """A column name as `ROLES` lists it: ``Betrag (EUR)`` -> ``betrag``."""
    text = _BRACKETED.sub(" ", name)
    text = re.sub(r"\*(in|r)\b", "", text)  # Zahlungsempfänger*in, Zahlungspflichtige*r
    return _fold(text)


def _fold(text: str, *, spell_out: bool = True) -> str:
    """Lower case, accents dropped, punctuation as spaces; `spell_out` writes umlauts as
    ``ae``/``oe``/``ue`` (German) rather than dropping their dots (Swedish ``Bokföring``)."""
    text = text.strip().strip("\ufeff").lower()
    text = re.sub(r"(?<=[a-z])['\u2019]s\b", "", text)  # SEB's "Beneficiary's name"
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
    (``Amount GBP``); a description name numbered (``VWZ1`` to ``VWZ14``, ``Description 2``)
    is a description."""
    short = normalise(name)
    tries = [_fold(name), short, _fold(_BRACKETED.sub(" ", name), spell_out=False)]
    words = short.split(" ")
    if len(words) >= 2 and words[-1].upper() in CURRENCY_CODES:  # Amount GBP, Umsatz in EUR
        tries.append(" ".join(words[:-2] if words[-2] == "in" and len(words) > 2 else words[:-1]))
    found: list[tuple[str, int]] = []
    for key in dict.fromkeys(tries):
        found += _NAME_ROLES.get(key, [])
    numbered = re.fullmatch(r"(.*[a-z]) ?\d{1,2}", short)
    if not found and numbered:
        found = [(r, k) for r, k in _NAME_ROLES.get(numbered[1], []) if r == "description"]
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


def split_sections(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each section of an export that holds several tables, each under its
    own header (comdirect: the current account, then the card); the whole text when there is
    one. A section starts after the last blank line before its header (its title lines go with
    it), and only where its own layout can be inferred; the sections' lines are the file's."""
    lines = text.splitlines()
    found = _find_header(lines)
    if found is None:
        return [(0, text)]
    at, delimiter = found
    cuts = [0]
    for index in range(at + 1, len(lines)):
        if _DATED.search(lines[index]) or not lines[index].strip():
            continue  # a row (a header names its columns, it holds no date)
        try:
            fields = split_record(lines[index], delimiter)
        except csv.Error:
            continue
        if not _score_header(fields):
            continue
        # the section begins at the first blank line after the previous table's last dated
        # line (its footer stays with it; the new section's title lines are its preamble)
        dated = [i for i in range(max(cuts[-1], at) + 1, index) if _DATED.search(lines[i])]
        after = dated[-1] + 1 if dated else index
        start = next((i for i in range(after, index) if _blank(lines[i], delimiter)), index)
        part = "\n".join(lines[start:])
        if infer_profile(part).profile is not None:
            cuts.append(start)
    bounds = [*cuts, len(lines)]
    return [(a, "\n".join(lines[a:b]) + "\n") for a, b in itertools.pairwise(bounds)]


_DATED = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b")
"""A date as most exports write one (a table's row, not a title or a balance line)."""


def _blank(line: str, delimiter: str) -> bool:
    """True for a line with no text (``;`` alone counts as blank)."""
    return not line.replace(delimiter, "").replace('"', "").strip()


def _header_score(text: str) -> int:
    """The score of the best header line of `text` (0: none)."""
    lines = text.splitlines()
    found = _find_header(lines)
    return 0 if found is None else _score_header(split_record(lines[found[0]], found[1]))


def decode_export(data: bytes, name: str, *, partial: bool = False) -> tuple[str, str]:
    """(text, encoding) of a bank export, as `decode_bytes` reads it, except that a file that
    is not UTF-8 is read as Windows-1250 (Central European) rather than Windows-1252 when only
    that makes more of its header known: Czech ``Částka`` and ``Měna účtu`` are ``Èástka``
    and ``Mìna úètu`` in Windows-1252."""
    text, encoding = decode_bytes(data, name, partial=partial)
    if encoding != "cp1252":
        return text, encoding
    try:
        central = data.decode("cp1250")  # one byte per character: nothing cut at the end
    except UnicodeDecodeError:
        return text, encoding
    if _header_score(central) > _header_score(text):
        return central, "cp1250"
    return text, encoding


def _records(lines: Sequence[str], at: int, delimiter: str) -> tuple[list[str], list[list[str]]]:
    """The header at line `at` and the sample rows under it, up to another table's header (an
    export of several tables: `split_sections`)."""
    reader = csv.reader(io.StringIO("\n".join(lines[at:])), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    rows: list[list[str]] = []
    try:
        for record in reader:
            cells = [cell.strip() for cell in record]
            if not any(cells):
                continue
            if not any(_DATED.search(c) for c in cells) and _score_header(cells):
                break  # the next table's header
            rows.append(cells)
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


class _Assigner:
    """Column roles from names, with the values settling the ambiguous ones."""

    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.header, self.rows = header, rows
        self.roles: dict[str, list[int]] = {}
        self.taken: set[int] = set()

    def values(self, index: int) -> list[str]:
        return column_values(self.rows, index)

    def candidates(self, role: str) -> list[tuple[int, int]]:
        """(rank, column) of the free columns whose name can play `role`, best first."""
        found = []
        for i, name in enumerate(self.header):
            if i in self.taken:
                continue
            ranks = [rank for r, rank in _roles_of(name) if r == role]
            if ranks:  # once per column: ``BIC (SWIFT-Code)`` matches with and without brackets
                found.append((min(ranks), i))
        return sorted(found)

    def take(self, role: str, index: int) -> None:
        self.roles.setdefault(role, []).append(index)
        self.taken.add(index)

    def first(self, role: str, *, bare: bool | None = None) -> int | None:
        """Take the best free column for `role` (`bare`: only bare names, or none)."""
        for _, i in self.candidates(role):
            if bare is not None and _bare(self.header[i]) != bare:
                continue
            self.take(role, i)
            return i
        return None


def _bare(name: str) -> bool:
    """A name in `BARE` (whose IBAN, BIC or account the values settle), unless its bracketed
    part makes it a name `ROLES` lists (Sparkasse's ``BIC (SWIFT-Code)`` is the counterparty's)."""
    full = _fold(name)
    return normalise(name) in BARE and (full in BARE or full not in _NAME_ROLES)


def _own_account_column(
    roles: dict[str, list[int]],
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    has_preamble: bool,
) -> None:
    """A ``Kontonummer`` column holding one account on every row (3 or more) of an export that
    names its account nowhere else is the holder's (ING-DiBa Austria, livebank), not the
    counterparty's as in DKB's export, where it changes from row to row."""
    if "holder_account" in roles or has_preamble:
        return
    for i in roles.get("counterparty_account", []):
        values = column_values(rows, i)
        if (
            normalise(header[i]) in OWN_OR_OTHER_ACCOUNT
            and len(values) >= 3
            and is_constant(values)
        ):
            roles["counterparty_account"].remove(i)
            if not roles["counterparty_account"]:
                roles.pop("counterparty_account")
            roles["holder_account"] = [i]
            return


def _unnamed_counterparty_account(a: _Assigner) -> None:
    """A column of IBANs that change from row to row, under a name finflow does not know
    (Outbank's ``Number`` beside ``Name``), is the counterparty's account when the export names
    the counterparty (one name column, not payer and payee: Oberbank's two account columns are
    the payer's and the payee's) and no account of it, and no other column holds one of its
    IBANs (Nordea's Sender and Recipient both hold the holder's, each on the rows of one
    direction); a column of BICs beside it is the counterparty's bank."""
    if "counterparty_account" in a.roles or "counterparty" not in a.roles:
        return
    own = {v for i in a.roles.get("holder_account", []) for v in a.values(i)}
    for i in range(len(a.header)):
        values = a.values(i)
        if i in a.taken or not values or not all(compact_iban(v.upper()) for v in values):
            continue
        others = {v for k in range(len(a.header)) if k != i for v in a.values(k)}
        if others & set(values):
            continue  # Nordea's Sender/Recipient: the holder's IBAN in both, by direction
        if set(values) - own and (len(set(values)) > 1 or own):
            a.take("counterparty_account", i)
            break
    else:
        return
    if "counterparty_bank" in a.roles:
        return
    for i in range(len(a.header)):
        values = a.values(i)
        if i not in a.taken and values and all(_is_bic(v) for v in values):
            a.take("counterparty_bank", i)
            return


def _is_bic(text: str) -> bool:
    """A BIC: bank code, a country finflow knows IBANs of, location (``INGDDEFFXXX``)."""
    return bool(_BIC.match(text)) and text[4:6] in IBAN_LENGTHS


def _looks_like_numbers(values: Sequence[str]) -> bool:
    return bool(values) and all(re.fullmatch(r"[\d\s./-]+", v) for v in values)


def _looks_like_accounts(values: Sequence[str]) -> bool:
    return bool(values) and all(_ACCOUNT.match(v.replace(" ", "")) for v in values)


def _assign(header: Sequence[str], rows: Sequence[Sequence[str]]) -> dict[str, list[int]]:
    """Column indexes per role (each column plays one role; descriptions may be several)."""
    a = _Assigner(header, rows)
    for i, name in enumerate(header):  # "Valuta": a currency or a value date, by its values
        if normalise(name) == "valuta" and looks_like_dates(a.values(i)):
            a.take("value_date", i)
    if a.first("date") is None:
        a.first("value_date")
    a.first("time")
    for _, i in a.candidates("marker"):  # "Debit/Credit": signs (D/C) or signed amounts
        a.take("amount" if looks_like_amounts(a.values(i)) else "marker", i)
        break
    if "amount" not in a.roles:  # a signed amount column that holds amounts on most rows
        filled = [i for _, i in a.candidates("amount") if len(a.values(i)) * 2 > len(rows)]
        pair = all(
            any(len(a.values(i)) for _, i in a.candidates(r)) for r in ("paid_out", "paid_in")
        )
        if filled:
            a.take("amount", filled[0])
        elif not pair:  # UBS's Einzelbetrag is empty beside Belastung and Gutschrift
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
    holder_named = any(normalise(h) in ACCOUNT_NAMES for h in header)
    for _, i in a.candidates("counterparty_account"):  # named as the counterparty's
        name = normalise(header[i])
        if _bare(header[i]) or (name in NAME_OR_ACCOUNT and not _looks_like_accounts(a.values(i))):
            continue
        if name in OWN_OR_OTHER_ACCOUNT and holder_named:  # C24: Kontonummer beside Kontoname
            a.take("holder_account", i)
            continue
        a.take("counterparty_account", i)
        break
    a.first("holder_account", bare=False)
    a.first("counterparty_bank", bare=False)
    a.first("holder_bank", bare=False)
    dates = a.roles.get("date") or a.roles.get("value_date") or []
    dated = sum(1 for r in rows if dates and dates[0] < len(r) and r[dates[0]])
    for role, holder_role in (
        ("counterparty_account", "holder_account"),
        ("counterparty_bank", "holder_bank"),
    ):
        for _, i in a.candidates(role):  # a bare IBAN / BIC / Account: whose is it?
            if not _bare(header[i]):
                continue
            # the holder's account is on every row: one left empty on some (C24's IBAN, empty
            # on transfers between the holder's own pockets) is the counterparty's, unless it
            # holds one value on most rows (an export leaving it empty on pending rows)
            values = a.values(i)
            every_row = len(values) >= dated
            holder = (every_row and (is_constant(values) or role in a.roles or holder_named)) or (
                is_constant(values) and len(values) * 2 > dated
            )
            holder = holder and holder_role not in a.roles  # C24 names its own in Kontonummer
            target = holder_role if holder else role
            if target not in a.roles:
                a.take(target, i)
    payer, payee = (
        [
            (rank, i)
            for rank, i in a.candidates(role)
            if not _looks_like_numbers(a.values(i))
            and not all(compact_iban(v.upper()) for v in a.values(i))
        ]
        for role in ("payer", "payee")
    )  # Nordea's Avsändare/Mottagare hold account numbers: not names
    if payer and payee:  # DKB, Wise: who paid and who was paid, by direction
        a.take("payer", payer[0][1])
        a.take("payee", payee[0][1])
    elif payer or payee:
        a.take("counterparty", (payer or payee)[0][1])
    else:
        a.first("counterparty")
    _unnamed_counterparty_account(a)
    for _, i in a.candidates("holder_name"):  # a bare Name beside the counterparty's
        name = normalise(header[i])
        if name in ("account holder", "kontoinhaber") or is_constant(a.values(i)):
            a.take("holder_name", i)
            break
    descriptions = sorted(i for _, i in a.candidates("description"))
    types = a.candidates("type")
    if types and (len(descriptions) > 1 or types[0][1] not in descriptions):
        a.take("type", types[0][1])
        descriptions = [i for i in descriptions if i != types[0][1]]
    # text before numbers: a Reference of card transaction numbers (Lloyds' credit card,
    # 40000189) placed before the Description is not where the counterparty's name is; nor is
    # a description holding one text on every row (UBS's product, "Compte personnel UBS")
    descriptions.sort(
        key=lambda i: (
            not any(ch.isalpha() for v in a.values(i) for ch in v),
            len(a.values(i)) >= 3 and is_constant(a.values(i)),
        )
    )
    for i in descriptions:
        a.take("description", i)
    if "amount" in a.roles and "marker" not in a.roles:  # an unnamed column of CR/DR flags
        for i, name in enumerate(header):
            values = a.values(i)
            if not name.strip() and i not in a.taken and values and marker_words(values):
                a.take("marker", i)
                break
    return a.roles


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
    found, why = currency_from_values(rows, money_cols, roles.get("holder_account", []))
    if found:
        return found, why
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
    named_spellings = [  # Bokföringsdatum: bokfoeringsdatum or bokforingsdatum
        {normalise(header[i]), _fold(_BRACKETED.sub(" ", header[i]), spell_out=False)}
        for role in ("date", "value_date", "amount", "paid_out", "paid_in")
        for i in roles.get(role, [])
    ]
    if not named:
        return None, ""
    if any(n not in ENGLISH_NAMES and n not in EURO_NAMES for n in named):
        possible = set(NATIONAL_NAMES)
        for spellings in named_spellings:
            possible &= {c for c, names in NATIONAL_NAMES.items() if spellings & names}
        if len(possible) != 1:
            return None, ""
        code = possible.pop()
        language = LANGUAGES[code]
        return code, f"the language of the column names ({shown}): a {language} bank's export"
    if any(n in EURO_NAMES for n in named):
        return "EUR", f"the language of the column names ({shown}): a euro-area bank's export"
    return "GBP", f"the language of the column names ({shown}): a UK bank's export"


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
        headerless = infer_headerless(lines)
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
    status_col = roles.get("status", [None])[0]

    def booked(columns: list[int]) -> list[str]:
        found = []
        for row in rows:
            status = (
                row[status_col].upper() if status_col is not None and status_col < len(row) else ""
            )
            joined = " ".join(row[i] for i in columns if i < len(row) and row[i])
            if not any(c.isdigit() for c in joined):
                continue  # no date at all: a title or balance line (the reader says which)
            if joined.upper() not in NOT_BOOKED and status not in NOT_BOOKED:
                found.append(joined)
        return found

    booked_dates = booked(date_cols + roles.get("time", []))
    date_format, date_notes = best_date_format(booked_dates, "time" if "time" in roles else "")
    if date_format is None and "time" in roles:  # a time column in a notation of its own
        times = [names[i] for i in roles.pop("time")]
        booked_dates = booked(date_cols)
        date_format, date_notes = best_date_format(booked_dates, "")
        date_notes.append(f"column {times[0]!r} holds no time finflow reads: left out")
    date_names = [names[i] for i in date_cols + roles.get("time", [])]
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
    amount_values = [v for i in amount_cols for v in column_values(rows, i)]
    decimal, thousands, why = decimal_mark(amount_values, delimiter)
    decided["decimal"] = {"mark": decimal, "from": why}

    currency: str | None = None
    if "currency" in roles:
        values = column_values(rows, roles["currency"][0])
        if values and not all(CURRENCY.match(v.upper()) for v in values):
            roles.pop("currency")  # not codes: not a currency column
    if "currency" in roles:
        # for rows whose currency cell is empty: what the export says otherwise, if anything
        currency, source = _currency(header, roles, rows, by_language=False)
        decided["currency"] = {"column": names[roles["currency"][0]]}
        if currency:
            decided["currency"] |= {"when empty": currency, "from": source}
    else:
        currency, source = _currency(header, roles, rows, by_language=False)
        if currency is None:
            currency, source = _preamble_currency(lines[:at], delimiter)
        if currency is None:
            currency, source = _language_currency(header, roles)
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

    amount_sign = "credit_positive"
    credit_markers: tuple[str, ...] = ("CR",)
    debit_markers: tuple[str, ...] = ("DR",)
    if "marker" in roles:
        markers = marker_words(column_values(rows, roles["marker"][0]))
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
            unmarked = any(i < len(r) and not r[i] for r in rows for i in roles["marker"][:1])
            if markers[0] and not markers[1] and unmarked:
                amount_sign = "debit_positive"
                notes.append(
                    f"column {names[roles['marker'][0]]!r} flags only credits "
                    f"({', '.join(markers[0])}): a row without the flag is money out"
                )

    _own_account_column(
        roles, header, rows, has_preamble=bool(_preamble_iban(lines[:at], delimiter)[0])
    )
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

    holder_values = [v for i in roles.get("holder_account", []) for v in column_values(rows, i)]
    preamble_label = None
    if "holder_account" not in roles:
        preamble_label, iban = _preamble_iban(lines[:at], delimiter)
        if preamble_label is not None:
            holder_values = [iban]
            decided["holder_account"] = {"preamble": preamble_label, "account": iban}
    holder_ibans = [a for a in map(compact_iban, (v.upper() for v in holder_values)) if a]
    profile = inferred_profile(
        rows,
        roles,
        holder_ibans,
        header=tuple(h for h in header if h.strip()),
        columns=columns,
        date_formats=tuple(formats),
        delimiter=delimiter,
        decimal=decimal,
        thousands=thousands,
        currency=currency,
        credit_markers=credit_markers,
        amount_sign=amount_sign,
        debit_markers=debit_markers,
        holder_account_preamble=preamble_label,
        description="inferred from the file's header and values",
    )
    if "amount" in roles and "marker" not in roles:
        if "balance" not in roles and _unsigned(rows, roles["amount"][0], profile):
            return Inference(
                None,
                f"the amounts in {header[roles['amount'][0]]!r} carry no sign, and no balance "
                "or debit/credit column tells money in from money out (a card export writes "
                "spending positive): add a profile with its amount_sign",
                at + 1,
            )
        card = next((h for h in header if normalise(h) in CARD_COLUMNS), None)
        if card and "balance" not in roles and not _card_payments(rows, roles, profile):
            return Inference(
                None,
                f"a card export (column {card!r}) with one signed amount column, no balance, no "
                "debit/credit column and no card-payment line: nothing tells whether positive "
                "amounts are spending (as card issuers write them) or money in: add a profile "
                "with its amount_sign",
                at + 1,
            )
        profile = _settle_sign(profile, rows, roles, notes)
    notes += time_note(profile)
    decided["amount_sign"] = profile.amount_sign
    decided["columns"] = columns
    if "holder_account" not in roles and preamble_label is None:
        notes.append("the export names no holder account: rows are booked to STATEMENT:<file>")
    return Inference(profile, "", at + 1, tuple(notes), decided)


def _unsigned(rows: Sequence[Sequence[str]], column: int, profile: Profile) -> bool:
    """True when no amount of the sample in `column` is negative (or marked as a debit)."""
    signs = [
        money_in(money, profile)
        for value in column_values(rows, column)
        if (money := parse_money(value, profile)) is not None
    ]
    return bool(signs) and all(v >= 0 for v in signs)


PREAMBLE_ACCOUNT_LABELS = frozenset((
    "iban", "account", "account number", "account no", "konto", "kontonummer", "girokonto",
    "rekening", "rekeningnummer", "numero de compte", "compte", "cuenta", "numero de cuenta",
    "conto", "numero conto", "numer rachunku", "rachunek", "cislo uctu", "szamlaszam",
))  # fmt: skip
"""Labels of the holder's account in a preamble field written ``label : value``."""
PREAMBLE_CURRENCY_LABELS = frozenset((
    "currency", "devise", "waehrung", "wahrung", "valuta", "munt", "moneda", "divisa", "waluta",
    "mena", "penznem", "devizanem",
))  # fmt: skip
"""Labels of the account's currency in a preamble (``Devise : EUR``, ``Währung;EUR``)."""


def _labelled(record: Sequence[str]) -> list[tuple[str, str, str]]:
    """(label as written, label normalised, value) of a preamble record's labelled values:
    ``Numéro de compte : 0123`` in one field, or a label field followed by its value."""
    found = []
    for i, cell in enumerate(record):
        label, colon, value = cell.partition(":")
        if colon and label.strip() and value.strip():
            found.append((label.strip(), _fold(label, spell_out=False), value.strip()))
        elif i + 1 < len(record) and cell.strip() and record[i + 1].strip():
            found.append((cell.strip(), _fold(cell.rstrip(":"), spell_out=False), record[i + 1]))
    return found


def _preamble_records(lines: Sequence[str], delimiter: str) -> list[list[str]]:
    records = []
    for line in lines:
        try:
            records.append(unguarded(split_record(line, delimiter)) if line.strip() else [])
        except csv.Error:
            continue
    return records


def _preamble_iban(lines: Sequence[str], delimiter: str) -> tuple[str | None, str]:
    """(label, account) of the holder's account in the preamble, else (None, ""): the one
    preamble line whose second field starts with an IBAN (``IBAN;DE12 3456 ...``,
    ``"Kontonummer:";"DE12... / Girokonto"``), else the one labelled account number of six or
    more digits (``Numéro de compte : 01234567890``; masked numbers are not taken)."""
    records = _preamble_records(lines, delimiter)
    found: dict[str, str] = {}
    for record in records:
        if len(record) >= 2 and record[0] and (iban := leading_iban(record[1])):
            found.setdefault(iban, record[0])
    if not found:
        for record in records:
            for label, name, value in _labelled(record):
                number = value.replace(" ", "")
                if name in PREAMBLE_ACCOUNT_LABELS and (
                    leading_iban(value) or re.fullmatch(r"\d{6,18}", number)
                ):
                    found.setdefault(leading_iban(value) or number, label)
    if not found:  # a table of one row (Sparda: "Umsätze ab";"Enddatum";"Kontonummer";...)
        for label, account in preamble_table_accounts([r for r in records if any(r)]):
            if _fold(label.rstrip(":"), spell_out=False) in PREAMBLE_ACCOUNT_LABELS:
                found.setdefault(account, label)
    if len(found) != 1:
        return None, ""
    iban, label = next(iter(found.items()))
    return label, iban


def _preamble_currency(lines: Sequence[str], delimiter: str) -> tuple[str | None, str]:
    """(currency, why) from a labelled currency in the preamble (``Devise : EUR``)."""
    codes = {
        (value.upper(), label)
        for record in _preamble_records(lines, delimiter)
        for label, name, value in _labelled(record)
        if name in PREAMBLE_CURRENCY_LABELS and CURRENCY.match(value.strip().upper())
    }
    if len({code for code, _ in codes}) != 1:
        return None, ""
    code, label = sorted(codes)[0]
    return code, f"the preamble's {label!r}"


def _settle_sign(
    profile: Profile,
    rows: Sequence[Sequence[str]],
    roles: dict[str, list[int]],
    notes: list[str],
) -> Profile:
    """Money in is positive, unless the running balance walks only with the opposite sign, or,
    without a balance, the card's own payment lines (``PAYMENT RECEIVED - THANK YOU``) are
    the negative amounts: card statements write spending positive."""
    if "balance" not in roles:
        paid_off = _card_payments(rows, roles, profile)
        if paid_off and all(value < 0 for value in paid_off):
            notes.append(
                f"the card's payment lines ({len(paid_off)}, 'payment received' or 'payment - "
                "thank you') are negative: spending is written positive, so positive is money out"
            )
            return replace(profile, amount_sign="debit_positive")
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


CARD_COLUMNS = frozenset((
    "card number", "card no", "cardid", "card id", "card", "kartennummer", "karte",
    "kartennr", "numero de carte", "carte", "kaartnummer", "card last four",
))  # fmt: skip
"""Column names of a card's number: the export is a card statement (Viseca's ``CardId``)."""

_CARD_PAYMENT = re.compile(
    r"(?i)\bpayment\s+received\b|\bpayment\s*-?\s*thank\s+you\b"
    r"|\bthank\s+you\s+for\s+your\s+payment\b|\bzahlung\s+erhalten\b"
    r"|\bmerci\s+pour\s+votre\s+paiement\b"
)
"""The line a card statement writes when its balance is paid off."""


def _card_payments(
    rows: Sequence[Sequence[str]], roles: dict[str, list[int]], profile: Profile
) -> list[Decimal]:
    """The amounts (as written) of the rows whose description is a card-payment line."""
    found = []
    texts = roles.get("description", []) + roles.get("counterparty", [])
    for row in rows:
        if not any(i < len(row) and _CARD_PAYMENT.search(row[i]) for i in texts):
            continue
        cell = row[roles["amount"][0]] if roles["amount"][0] < len(row) else ""
        money = parse_money(cell, profile) if cell else None
        if money is not None and money.value:
            found.append(money.value)
    return found


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
