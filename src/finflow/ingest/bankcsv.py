"""Bank CSV statement exports -> canonical transactions, through per-bank mapping profiles.

Every data row after the header (preamble lines before it are skipped) is one transaction of
the statement holder: money in makes the holder the payee, money out the payer. Rows that
cannot be read are quarantined with a reason code; the running balance, where the export has
one, is walked row by row and its breaks are reported in the checks (never a reason to reject).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from finflow.errors import FeedFormatError
from finflow.ingest.bankcodes import channel_from_text
from finflow.ingest.camt053_fields import CURRENCY, UNKNOWN_BANK, bank_of, normalise_bic
from finflow.ingest.canonical import CANDIDATE_SCHEMA, REJECT_SCHEMA, finish, sides
from finflow.ingest.csvclues import (
    Inference,
    compact_iban,
    leading_iban,
    preamble_table_accounts,
    unguarded,
)
from finflow.ingest.csvinfer import decode_export, infer_profile, profile_yaml, split_sections
from finflow.ingest.csvprofile import (
    Profile,
    column_index,
    find_header,
    shipped_profiles,
    split_record,
)
from finflow.ingest.csvvalues import balance_value, money_in, parse_date, parse_money
from finflow.ingest.walk import walk_balances

log = logging.getLogger(__name__)

SNIFF_BYTES = 64 * 1024
MAX_FIELD = 16 * 1024 * 1024
"""Longest CSV field read (characters); a longer one refuses the file (FeedFormatError)."""
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_TRAILING_IBAN = re.compile(
    r"^(?P<name>.*[^\s,:;/-])[\s,:;/-]+(?P<iban>[A-Z]{2}\d{2}[A-Z0-9]{10,30})$"
)
"""A counterparty written as its name followed by its IBAN: the IBAN is its account."""

REASONS = {
    "WRONG_FIELD_COUNT": "more fields than the header (an unquoted delimiter?)",
    "NOT_BOOKED": "pending or not completed: not a booked transaction",
    "BAD_DATE": "date matches none of the profile's date formats",
    "MISSING_AMOUNT": "no amount (all amount cells empty)",
    "BAD_AMOUNT": "amount is not a number in the profile's notation",
    "ZERO_AMOUNT": "amount is zero (no money moved)",
    "BAD_CURRENCY": "currency is not a 3-letter ISO 4217 code",
    "NO_FX_RATE": "no FX rate to GBP on or before the booking date",
    "BALANCE_LINE": "an opening, closing or daily balance line, not a transaction",
}
"""Reason codes of quarantined CSV rows (the detail gives the row and the offending value)."""


def match_profile(head: bytes) -> Profile | None:
    """The shipped profile whose header appears in the first lines of `head`, else None.

    When several match, the one naming the most header columns (the most specific) wins.
    """
    try:
        text, _ = decode_export(head, "head", partial=True)
    except FeedFormatError:
        return None
    lines = text.splitlines()
    found = [
        p
        for p in shipped_profiles()
        if (at := find_header(lines, p)) is not None
        and (not p.headerless or _data_row(lines[at], p))
    ]
    return max(found, key=lambda p: len(p.header), default=None)


def _data_row(line: str, profile: Profile) -> bool:
    """True when `line` reads as a row of the header-less `profile` (its date and amount)."""
    record = split_record(line, profile.delimiter)
    header = [f"#{i + 1}" for i in range(len(record))]
    row = _Row(profile, header, record)
    return parse_date(row.get("date"), profile) is not None and _flow(row, profile)[0] is not None


def describe_layout(path: Path, name: str = "mybank") -> str:
    """How `path` would be read: the shipped profile that matches it, else the inferred layout
    as a profile YAML (to review and save under ``FINFLOW_PROFILES``). Raises FeedFormatError
    with the reason when it is neither."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FeedFormatError(f"{path}: cannot be read ({exc.strerror})") from exc
    profile = match_profile(data[:SNIFF_BYTES])
    if profile is not None:
        return f"# {path.name} matches the profile {profile.name!r}: {profile.description}\n"
    text, _ = decode_export(data, path.name)
    inference = infer_profile(text)
    if inference.profile is None:
        raise FeedFormatError(f"{path.name}: not readable as a bank statement: {inference.reason}")
    return profile_yaml(inference, name)


@dataclass
class _Table:
    """The decoded file: preamble records, header fields, data records with 1-based rows."""

    preamble: list[list[str]]
    header: list[str]
    records: list[tuple[int, list[str], str]]


def _read_table(path: Path, text: str, profile: Profile) -> _Table:
    lines = text.splitlines()
    at = find_header(lines, profile)
    if at is None:
        raise FeedFormatError(
            f"{path.name}: no header of profile {profile.name!r} in the first lines "
            f"(expected columns {', '.join(profile.header)})"
        )
    preamble = [
        unguarded(split_record(line, profile.delimiter)) for line in lines[:at] if line.strip()
    ]
    body = "\n".join(lines[at:])
    reader = csv.reader(io.StringIO(body), delimiter=profile.delimiter)
    if profile.headerless:  # the first line is already a row: columns are #1, #2, ...
        header = [f"#{i + 1}" for i in range(profile.fields or 0)]
    else:
        header = [h.strip() for h in next(reader)]
    records: list[tuple[int, list[str], str]] = []
    limit = csv.field_size_limit(MAX_FIELD)
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            raw = profile.delimiter.join(record)
            if records and _continues(profile, header, record, records[-1][1]):
                number, before, raw_before = records[-1]
                records[-1] = (number, _joined(before, record), f"{raw_before}\n{raw}")
                continue
            records.append((len(records) + 1, record, raw))
    except csv.Error as exc:  # a field over MAX_FIELD, a NUL byte: the layout is broken
        raise FeedFormatError(
            f"{path.name}: unreadable CSV after data row {len(records)} "
            f"(line {reader.line_num + at}): {exc}"
        ) from exc
    finally:
        csv.field_size_limit(limit)
    log.debug("%s: header at line %d, %d rows", path.name, at + 1, len(records))
    return _Table(preamble, header, records)


def _continues(profile: Profile, header: list[str], record: list[str], before: list[str]) -> bool:
    """True for a record with neither a date nor an amount, only text, under a dated record:
    the second line of that transaction (Fintro's card export writes the merchant there). A
    line holding an amount in any column is no such line: ZKB lists the payments of a
    collective booking under it, each with its own amount in "Betrag Detail"."""
    if profile.headerless:
        return False
    row, previous = _Row(profile, header, record), _Row(profile, header, before)
    money = ("amount", "paid_in", "paid_out")
    return (
        not row.get("date").strip()
        and not any(row.get(role).strip() for role in money)
        and not any(parse_money(cell, profile) for cell in record if cell.strip())
        and bool(previous.get("date").strip())
        and len(record) <= len(header)
    )


def _joined(before: list[str], record: list[str]) -> list[str]:
    """The cells of a transaction and its second line: empty cells filled, text appended."""
    cells = list(before) + [""] * (len(record) - len(before))
    for i, cell in enumerate(record):
        if cell.strip():
            cells[i] = f"{cells[i]} {cell.strip()}".strip() if cells[i].strip() else cell
    return cells


class _Row:
    """Access to one record's cells by profile column role."""

    def __init__(self, profile: Profile, header: list[str], record: list[str]) -> None:
        self.profile, self.header, self.record = profile, header, record

    def names(self, role: str) -> list[str]:
        value = self.profile.columns.get(role)
        if value is None:
            return []
        return [value] if isinstance(value, str) else [str(v) for v in value]

    def cell(self, name: str) -> str:
        i = column_index(self.header, name)
        return self.record[i].strip() if i is not None and i < len(self.record) else ""

    def get(self, role: str, sep: str = " ") -> str:
        cells = [self.cell(n).lstrip("'") for n in self.names(role)]
        return sep.join(c for c in cells if c)

    def verbatim(self, role: str) -> str | None:
        cells = []
        for name in self.names(role):
            i = column_index(self.header, name)
            if i is not None and i < len(self.record) and self.record[i].strip():
                cells.append(self.record[i])
        return " ".join(cells) if cells else None


def _holder(table: _Table, profile: Profile) -> str | None:
    """The holder's account from the preamble, when the profile says where it is."""
    label = profile.holder_account_preamble
    if not label:
        return None
    wanted = label.strip().rstrip(":").strip().lower()
    for name, account in preamble_table_accounts(table.preamble):  # a table of one row
        if name.rstrip(":").strip().lower() == wanted:
            return account
    for record in table.preamble:
        if record and record[0].strip().rstrip(":").strip().lower() == wanted and len(record) > 1:
            return leading_iban(record[1]) or record[1].strip() or None
        for cell in record:  # "Numéro de compte : 01234567890" in one field
            name, colon, value = cell.partition(":")
            if colon and name.strip().lower() == wanted and value.strip():
                return leading_iban(value) or value.replace(" ", "").strip()
    return None


def _counterparty_name(row: _Row, profile: Profile, flow: Decimal) -> str | None:
    """The other side's name: the payee's column for money out and the payer's for money in
    where the export has both (``payer``/``payee``), else the counterparty column, else taken
    from the description (the labelled name anywhere in it, else the first description
    column's text up to its first run of spaces)."""
    both = "payer" in profile.columns and "payee" in profile.columns
    name = row.get("payee" if flow < 0 else "payer") if both else row.get("counterparty")
    if name:
        return " ".join(name.split())
    description = row.get("description")
    if not description:
        return None
    if profile.counterparty_regex:
        match = re.search(profile.counterparty_regex, description)
        if match and match.groupdict().get("name"):
            return " ".join(match.group("name").split())
    first = next((c for n in row.names("description") if (c := _unquoted(row.cell(n)))), "")
    return " ".join(re.split(r"\s{2,}", first.strip())[0].split()) or None


def _unquoted(text: str) -> str:
    """A description without the apostrophe Excel guards put before it (NatWest's ``'TESCO``)
    or the single quotes ASN wraps it in (``'Kosten gebruik betaalrekening'``)."""
    if len(text) > 1 and text.startswith("'") and text.endswith("'"):
        return text[1:-1]
    return text.lstrip("'")


def _channel(row: _Row, profile: Profile) -> str:
    code = row.get("type")
    if code:
        for key, channel in profile.channels.items():
            if code.upper() == key.upper():
                return channel
        mapped = channel_from_text(code)
        if mapped:
            return mapped
    return profile.default_channel


def _status_problem(row: _Row, profile: Profile) -> str | None:
    status = row.get("status").upper()
    date_cell = row.get("date").upper()
    not_booked = {v.upper() for v in profile.not_booked_values}
    if date_cell in not_booked or date_cell == "PENDING":
        return f"date column says {row.get('date')!r}: pending, not booked"
    if status and status in not_booked:
        return f"status {row.get('status')!r}: not booked"
    booked = {v.upper() for v in profile.booked_values}
    if booked and status not in booked:
        return f"status {row.get('status')!r} is not one of {', '.join(profile.booked_values)}"
    return None


def _flow(row: _Row, profile: Profile) -> tuple[Decimal | None, str | None, str]:
    """(signed flow: + in / - out, reason code if unreadable, detail)."""
    cells = {r: row.get(r) for r in ("amount", "paid_in", "paid_out")}
    marker = row.get("marker")
    if not any(cells.values()):
        return None, "MISSING_AMOUNT", "no amount in any amount column"
    total = Decimal(0)
    for role, raw in cells.items():
        if not raw:
            continue
        money = parse_money(f"{raw} {marker}".strip() if role == "amount" else raw, profile)
        if money is None:
            return None, "BAD_AMOUNT", f"{role} {raw!r} is not an amount"
        if role == "amount":
            total += money_in(money, profile)
        else:
            total += abs(money.value) if role == "paid_in" else -abs(money.value)
    return total, None, ""


BALANCE_LINES = frozenset((
    "ANFANGSSALDO", "ENDSALDO", "TAGESSALDO", "ALTER KONTOSTAND", "NEUER KONTOSTAND",
    "OPENING BALANCE", "CLOSING BALANCE", "START BALANCE", "END BALANCE", "BALANCE",
    "BALANCE BROUGHT FORWARD", "BALANCE CARRIED FORWARD", "BROUGHT FORWARD",
    "CARRIED FORWARD", "ARRANGED OVERDRAFT LIMIT", "BEGINSALDO", "EINDSALDO",
    "SOLDE INITIAL", "SOLDE FINAL", "SOLDE EN DEBUT DE PERIODE", "SOLDE EN FIN DE PERIODE",
    "SOLDE PRECEDENT", "NOUVEAU SOLDE", "SALDO INICIAL", "SALDO FINAL", "SALDO INIZIALE",
    "SALDO FINALE", "SALDO POCZATKOWE", "SALDO KONCOWE",
    # Swedbank's Baltic exports: opening balance, turnover (a total), closing balance
    "ALGSALDO", "KAIVE", "LOPPSALDO", "LIKUTIS PRADZIAI", "APYVARTA", "LIKUTIS PABAIGAI",
    "SAKUMA ATLIKUMS", "APGROZIJUMS", "BEIGU ATLIKUMS",
))  # fmt: skip
"""A cell saying only one of these makes the record a balance line of the statement (the
Volksbank footer's ``Anfangssaldo``/``Endsaldo``, comdirect's ``Alter Kontostand``)."""


def _balance_line(record: list[str]) -> str | None:
    for cell in record:
        text = " ".join(cell.strip().strip('"').rstrip(":").split()).upper()
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
        if plain in BALANCE_LINES:
            return cell.strip()
    return None


def _end_to_end_id(value: str) -> str | None:
    """The end-to-end reference; ``NOTPROVIDED`` (the SEPA placeholder) is none."""
    return None if not value or value.upper() == "NOTPROVIDED" else value


def _parse_row(
    row: _Row, profile: Profile, holder: tuple[str, str], n: int, sha16: str
) -> tuple[dict[str, Any] | None, tuple[str, str] | None, Decimal | None]:
    """(candidate, (reason, detail) or None, flow for the balance walk)."""
    label = _balance_line(row.record)
    if label:
        return None, ("BALANCE_LINE", f"{label!r}: a balance line, not a transaction"), None
    problem = _status_problem(row, profile)
    if problem:
        return None, ("NOT_BOOKED", problem), None
    booked = parse_date(row.get("date"), profile)
    if booked is None:
        return None, ("BAD_DATE", f"date {row.get('date')!r} matches none of the formats"), None
    flow, reason, detail = _flow(row, profile)
    if flow is None:
        return None, (reason or "BAD_AMOUNT", detail), None
    currency = (row.get("currency") or profile.currency or "").upper()
    if not CURRENCY.match(currency):
        return None, ("BAD_CURRENCY", f"currency {currency!r} is not ISO 4217"), flow
    if flow == 0:
        return None, ("ZERO_AMOUNT", "amount is zero"), flow
    name = _counterparty_name(row, profile, flow)
    other_account = row.get("counterparty_account").replace(" ", "")
    if not other_account and name and (stated := _TRAILING_IBAN.match(name)):
        if compact_iban(stated["iban"]):  # SumUp's "Angelika Theissen DE3550010517..."
            name, other_account = stated["name"], stated["iban"]
    other_account = other_account or (f"NAME:{name}" if name else f"UNIDENTIFIED:{sha16}:{n}")
    bic = normalise_bic(row.get("counterparty_bank"))
    other_bank = bank_of(bic if bic and _BIC.match(bic) else None, other_account)
    amount = float(abs(flow))
    other_amount, other_currency = amount, currency
    local = parse_money(row.get("counterparty_amount") or "x", profile)
    local_currency = row.get("counterparty_currency").upper()
    if local and local.value and CURRENCY.match(local_currency) and local_currency != currency:
        other_amount, other_currency = float(abs(local.value)), local_currency
    own = (holder[0], holder[1], amount, currency, row.get("holder_name") or None)
    other = (other_bank, other_account, other_amount, other_currency, name)
    payer, payee = (other, own) if flow > 0 else (own, other)
    candidate = {
        "booked_at": booked,
        **sides(payer, payee),
        "channel": _channel(row, profile),
        "reference": row.verbatim("description"),
        "end_to_end_id": _end_to_end_id(row.get("end_to_end_id")),
        "uetr": None,
    }
    return candidate, None, flow


@dataclass
class _Part:
    """The rows of one section of an export, read with its profile."""

    candidates: list[dict[str, Any]]
    rejects: list[dict[str, Any]]
    rows_read: int
    checks: dict[str, Any]


def ingest_bank_csv(
    path: Path, sha256: str, run_id: str, fx: pl.DataFrame, profile: Profile | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """Read one bank CSV export with `profile` into (canonical rows, quarantined rows, checks).

    Without a profile the layout is inferred from the file (`finflow.ingest.csvinfer`) and
    what was inferred is in the checks (``inferred``); an export holding several tables under
    their own headers (comdirect's current account and card) is read section by section, each
    with its own inferred layout (``sections`` in the checks), the rows numbered through the
    file. Raises FeedFormatError when the file is not UTF-8/Windows-1252 text, has no header
    of the profile in its first lines, or (without a profile) cannot be read as a bank
    statement, with the reason.
    """
    text, _ = decode_export(path.read_bytes(), path.name)
    sha16 = sha256[:16]
    if profile is not None:
        parts = [_read_part(path, text, profile, None, sha16, 0)]
    else:
        parts = []
        for first_line, section in split_sections(text):
            inference = infer_profile(section)
            if inference.profile is None:
                raise FeedFormatError(
                    f"{path.name}: no shipped bank profile matches and the layout cannot be "
                    f"inferred: {inference.reason}"
                )
            rows_before = sum(part.rows_read for part in parts)
            # a later section is another account (the card beside the current account)
            part = _read_part(
                path, section, inference.profile, inference, sha16, rows_before, len(parts) + 1
            )
            if first_line:
                part.checks["inferred"]["header_line"] += first_line
            parts.append(part)
    candidates = [c for part in parts for c in part.candidates]
    rejects = [r for part in parts for r in part.rejects]
    frame = pl.DataFrame(candidates, schema=CANDIDATE_SCHEMA)
    rejected = pl.DataFrame(rejects, schema=REJECT_SCHEMA)
    accepted, quarantined = finish(frame, rejected, path, sha256, run_id, fx)
    checks = parts[0].checks | {"rows_read": sum(part.rows_read for part in parts)}
    if len(parts) > 1:
        checks["sections"] = [part.checks | {"rows_read": part.rows_read} for part in parts]
    log.info(
        "%s (%s): %d accepted, %d quarantined",
        path.name,
        checks["profile"],
        accepted.height,
        quarantined.height,
    )
    return accepted, quarantined, checks


def _read_part(
    path: Path,
    text: str,
    profile: Profile,
    inference: Inference | None,
    sha16: str,
    rows_before: int,
    section: int = 1,
) -> _Part:
    """The rows of `text` (a file, or its `section`-th table) read with `profile`, numbered
    from ``rows_before + 1``. Where the export names no holder account the rows are booked to
    ``STATEMENT:<file>``, and a later section's to ``STATEMENT:<file>:<n>``: another account
    (the card beside the current account)."""
    statement = f"STATEMENT:{sha16}" + (f":{section}" if section > 1 else "")
    table = _read_table(path, text, profile)
    holder_account = _holder(table, profile)
    candidates: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    walk: list[tuple[int, Decimal, Decimal, Decimal]] = []
    for number, record, raw in table.records:
        n = rows_before + number
        row = _Row(profile, table.header, record)
        account = holder_account or row.get("holder_account") or statement
        bank = normalise_bic(row.get("holder_bank")) or profile.bank
        if bank == UNKNOWN_BANK:
            bank = bank_of(None, account)
        holder = (bank, compact_iban(account) or account)
        extra = record[len(table.header) :]
        if any(cell.strip() for cell in extra):
            rejects.append(_reject(n, "WRONG_FIELD_COUNT", f"{len(record)} fields", raw))
            continue
        candidate, problem, flow = _parse_row(row, profile, holder, n, sha16)
        if flow is not None and row.get("balance"):
            stated = parse_money(row.get("balance"), profile)
            fee = parse_money(row.get("fee") or "0", profile)
            if stated is not None:
                walk.append((n, flow, balance_value(stated), abs(fee.value) if fee else Decimal(0)))
        if problem:
            rejects.append(_reject(n, problem[0], problem[1], raw))
            continue
        assert candidate is not None
        candidates.append(
            candidate
            | {
                "_order": n,
                "source_row": n,
                "source_locator": f"row {n}",
                "source_format": profile.format_name,
                "raw": raw,
            }
        )
    checks: dict[str, Any] = {
        "format": profile.format_name,
        "profile": profile.name,
        "holder_account": holder_account
        or ("from column" if profile.columns.get("holder_account") else statement),
        "balance_walk": walk_balances(walk),
    }
    if inference is not None:
        checks["inferred"] = inference.checks()
    return _Part(candidates, rejects, len(table.records), checks)


def _reject(n: int, reason: str, detail: str, raw: str) -> dict[str, Any]:
    return {
        "_order": n,
        "source_row": n,
        "reason": reason,
        "detail": f"row {n}: {detail}",
        "raw": raw,
    }
