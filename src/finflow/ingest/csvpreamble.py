"""The preamble of a bank CSV export: ``label : value`` lines above the header that name the
holder's account (``Numéro de compte :``, ``Kontonummer;``) and the currency (``Devise : EUR``).
Used by `finflow.ingest.csvinfer`.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

from finflow.ingest.camt053_fields import CURRENCY
from finflow.ingest.csvclues import (
    leading_iban,
    preamble_table_accounts,
    stated_account,
    unguarded,
)
from finflow.ingest.csvnames import (
    fold,
)
from finflow.ingest.csvprofile import split_record

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
            found.append((label.strip(), fold(label, spell_out=False), value.strip()))
        elif i + 1 < len(record) and cell.strip() and record[i + 1].strip():
            found.append((cell.strip(), fold(cell.rstrip(":"), spell_out=False), record[i + 1]))
    return found


def _preamble_records(lines: Sequence[str], delimiter: str) -> list[list[str]]:
    records = []
    for line in lines:
        try:
            records.append(unguarded(split_record(line, delimiter)) if line.strip() else [])
        except csv.Error:
            continue
    return records


def preamble_iban(lines: Sequence[str], delimiter: str) -> tuple[str | None, str]:
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
                if name in PREAMBLE_ACCOUNT_LABELS and (account := stated_account(value)):
                    found.setdefault(account, label)
    if not found:  # a table of one row (Sparda: "Umsätze ab";"Enddatum";"Kontonummer";...)
        for label, account in preamble_table_accounts([r for r in records if any(r)]):
            if fold(label.rstrip(":"), spell_out=False) in PREAMBLE_ACCOUNT_LABELS:
                found.setdefault(account, label)
    if len(found) != 1:
        return None, ""
    iban, label = next(iter(found.items()))
    return label, iban


def preamble_currency(lines: Sequence[str], delimiter: str) -> tuple[str | None, str]:
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
