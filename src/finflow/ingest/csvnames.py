"""Bank CSV column names: which role each name plays, in the languages finflow knows.

`ROLES` lists, per role (date, amount, money out and in, currency, balance, counterparty name
and account, description, ...), the column names banks use for it in English, German, Dutch,
French, Spanish, Italian, Polish, the Nordic languages, Czech, Slovak and Hungarian. Names are
compared after `normalise` (no case, accents, punctuation or bracketed currency), and a
header's score (`score_header`) is how many of its columns are known. Used by
`finflow.ingest.csvinfer` to find and read a header.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from finflow.ingest.csvclues import (
    CURRENCY_CODES,
    SYMBOL_CURRENCY,
)

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
    return fold(text)


def fold(text: str, *, spell_out: bool = True) -> str:
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


def roles_of(name: str) -> list[tuple[str, int]]:
    """(role, preference rank) pairs a column name can play. Also tried: the name with its
    bracketed text (``Kundenreferenz (End-to-End)``) and without a trailing currency code
    (``Amount GBP``); a description name numbered (``VWZ1`` to ``VWZ14``, ``Description 2``)
    is a description."""
    short = normalise(name)
    tries = [fold(name), short, fold(_BRACKETED.sub(" ", name), spell_out=False)]
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


def currency_in_name(name: str) -> str | None:
    """The currency a column name states: ``Amount (GBP)``, ``Betrag (€)``, ``Amount GBP``."""
    for match in _BRACKETED.finditer(name):
        inner = (match.group(1) or match.group(2) or "").strip()
        if inner in SYMBOL_CURRENCY:
            return SYMBOL_CURRENCY[inner]
        if re.fullmatch(r"[A-Z]{3}", inner):  # "Withdrawals (SGD)": a code, in capitals
            return inner
    last = normalise(name).rsplit(" ", 1)[-1].upper()
    return last if last in CURRENCY_CODES and " " in normalise(name) else None


def score_header(fields: Sequence[str]) -> int:
    """How many columns of a candidate header line have a known name; 0 unless it names a date
    and an amount (signed, or money out and in)."""
    roles = [{role for role, _ in roles_of(f)} for f in fields]
    known = set().union(*roles) if roles else set()
    has_amount = "amount" in known or {"paid_in", "paid_out"} <= known
    if not ({"date", "value_date"} & known) or not has_amount or len(fields) < 3:
        return 0
    return sum(1 for r in roles if r)
