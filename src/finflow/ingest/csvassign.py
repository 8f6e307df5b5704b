"""Which column of a bank CSV export plays which role, from its name and its values.

`assign_columns` gives each role (`finflow.ingest.csvnames.ROLES`) its columns: ambiguous
names are settled by the values (``Valuta`` holding currency codes or dates; a bare ``IBAN``,
``BIC`` or ``Account`` column holding one value on every row is the holder's, else the
counterparty's). Used by `finflow.ingest.csvinfer`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from finflow.ingest.camt053_fields import IBAN_LENGTHS
from finflow.ingest.csvclues import (
    column_values,
    compact_iban,
    is_constant,
    looks_like_amounts,
    looks_like_dates,
    marker_words,
)
from finflow.ingest.csvnames import (
    _NAME_ROLES,
    ACCOUNT_NAMES,
    BARE,
    NAME_OR_ACCOUNT,
    OWN_OR_OTHER_ACCOUNT,
    fold,
    normalise,
    roles_of,
)

ACCOUNT_VALUE = re.compile(r"^([A-Z]{2}\d{2}[A-Z0-9]{10,30}|\d{6,18})$")


BIC_VALUE = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def column_names(header: Sequence[str]) -> list[str]:
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
            ranks = [rank for r, rank in roles_of(name) if r == role]
            if ranks:  # once per column: ``BIC (SWIFT-Code)`` matches with and without brackets
                found.append((min(ranks), i))
        return sorted(found)

    def take(self, role: str, index: int) -> None:
        self.roles.setdefault(role, []).append(index)
        self.taken.add(index)

    def first(self, role: str, *, bare: bool | None = None) -> int | None:
        """Take the best free column for `role` (`bare`: only bare names, or none)."""
        for _, i in self.candidates(role):
            if bare is not None and bare_name(self.header[i]) != bare:
                continue
            self.take(role, i)
            return i
        return None


def bare_name(name: str) -> bool:
    """A name in `BARE` (whose IBAN, BIC or account the values settle), unless its bracketed
    part makes it a name `ROLES` lists (Sparkasse's ``BIC (SWIFT-Code)`` is the counterparty's)."""
    full = fold(name)
    return normalise(name) in BARE and (full in BARE or full not in _NAME_ROLES)


def own_account_column(
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
        if i not in a.taken and values and all(is_bic(v) for v in values):
            a.take("counterparty_bank", i)
            return


def is_bic(text: str) -> bool:
    """A BIC: bank code, a country finflow knows IBANs of, location (``INGDDEFFXXX``)."""
    return bool(BIC_VALUE.match(text)) and text[4:6] in IBAN_LENGTHS


def looks_like_numbers(values: Sequence[str]) -> bool:
    return bool(values) and all(re.fullmatch(r"[\d\s./-]+", v) for v in values)


def looks_like_accounts(values: Sequence[str]) -> bool:
    return bool(values) and all(ACCOUNT_VALUE.match(v.replace(" ", "")) for v in values)


def assign_columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> dict[str, list[int]]:
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
        if bare_name(header[i]) or (
            name in NAME_OR_ACCOUNT and not looks_like_accounts(a.values(i))
        ):
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
            if not bare_name(header[i]):
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
            if not looks_like_numbers(a.values(i))
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
