"""Read a bank CSV export that no shipped profile describes, by working out its layout.

Banks change their exports and there are thousands of banks, so a reader that knows only the
shipped profiles (`finflow.ingest.csvprofile`) would refuse most of what an investigator is
handed. `infer_profile` looks at the text the way an analyst would and writes the profile
itself:

1. **Header**: the first line, within `HEADER_SEARCH_LINES`, that names a date column and an
   amount (a signed amount, or money out and money in), with the delimiter (``,`` ``;`` tab
   ``|``) that makes the most of its columns known. Column names are known in English, German,
   Dutch, French, Spanish, Italian, Polish, the Nordic and Baltic languages, Czech, Slovak and
   Hungarian (`finflow.ingest.csvnames`), compared without case, accents, punctuation or a
   bracketed currency (``Betrag (EUR)``); which column plays which role is settled in
   `finflow.ingest.csvassign`, and a preamble's ``label : value`` lines are read in
   `finflow.ingest.csvpreamble`.
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
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from finflow.ingest.camt053_fields import CURRENCY
from finflow.ingest.csvassign import assign_columns, column_names, own_account_column
from finflow.ingest.csvclues import (
    DATE_FORMATS,
    DELIMITERS,
    NOT_BOOKED,
    SAMPLE_ROWS,
    Inference,
    best_date_format,
    column_values,
    compact_iban,
    currency_from_values,
    decimal_mark,
    inferred_profile,
    marker_words,
    time_note,
)
from finflow.ingest.csvheaderless import infer_headerless
from finflow.ingest.csvnames import (
    _BRACKETED,
    ENGLISH_NAMES,
    EURO_NAMES,
    LANGUAGES,
    NATIONAL_NAMES,
    currency_in_name,
    fold,
    normalise,
    score_header,
)
from finflow.ingest.csvpreamble import preamble_currency, preamble_iban
from finflow.ingest.csvprofile import HEADER_SEARCH_LINES, Profile, split_record
from finflow.ingest.csvvalues import money_in, parse_money
from finflow.ingest.encoding import decode_bytes
from finflow.ingest.walk import walk_balances

__all__ = ["decode_export", "infer_profile", "profile_yaml", "split_sections"]


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
            score = score_header(fields)
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
        if not score_header(fields):
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
    return 0 if found is None else score_header(split_record(lines[found[0]], found[1]))


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
            if not any(_DATED.search(c) for c in cells) and score_header(cells):
                break  # the next table's header
            rows.append(cells)
            if len(rows) >= SAMPLE_ROWS:
                break
    except csv.Error:
        pass  # the reader reports the broken record with its line
    return header, rows


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
        code = currency_in_name(header[i])
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
        {normalise(header[i]), fold(_BRACKETED.sub(" ", header[i]), spell_out=False)}
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
    roles = assign_columns(header, rows)
    names = column_names(header)
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
            currency, source = preamble_currency(lines[:at], delimiter)
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

    own_account_column(
        roles, header, rows, has_preamble=bool(preamble_iban(lines[:at], delimiter)[0])
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
        preamble_label, iban = preamble_iban(lines[:at], delimiter)
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
