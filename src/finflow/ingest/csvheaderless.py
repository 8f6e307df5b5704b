"""Read a bank CSV export that has no header row (HSBC UK, ABN AMRO's TAB file, Triodos, ASN).

Without names, each column's role comes from its values (`infer_headerless`): what kind of
value it holds (dates, times, currency codes, accounts, BICs, debit/credit words, numbers,
text), then which number column is the amount, the balance, money in or money out, settled by
arithmetic and never by position: balances before and after each row (after = before + amount),
or the reading under which a running balance walks, in the order of the dates, with the fewest
breaks. The currency comes from the values (a currency column, a sign, the holder's IBAN or
sort code), or from dates and amounts written the UK way; otherwise the file is refused with
the reason. The columns are named ``#1``, ``#2``, ... in the profile (``header: []``,
``fields: N``).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from finflow.ingest.bankcodes import channel_from_text
from finflow.ingest.csvclues import (
    CURRENCY_CODES,
    DELIMITERS,
    INFERRED,
    NOT_BOOKED,
    SAMPLE_ROWS,
    SORT_CODE,
    Inference,
    best_date_format,
    column_values,
    compact_iban,
    currency_from_values,
    decimal_mark,
    inferred_profile,
    is_constant,
    looks_like_amounts,
    marker_words,
    reads_as,
    time_note,
)
from finflow.ingest.csvprofile import Profile
from finflow.ingest.csvvalues import parse_money
from finflow.ingest.walk import balance_breaks, walk_balances

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
    fmt, _ = best_date_format(booked, "")
    read = sum(reads_as(" ".join(v.split()), fmt) for v in booked) if fmt else 0
    if fmt and _nearly_all(read, len(booked)) and _plausible_dates(booked, fmt):
        return "date"
    if all(_TIME.match(v) for v in values):
        return "time"
    if all(v in CURRENCY_CODES for v in values):
        return "currency"
    if all(compact_iban(v.upper()) for v in values) or all(SORT_CODE.match(v) for v in values):
        return "account"
    if all(_BIC.match(v) for v in values):
        return "bic"
    if looks_like_amounts(values):
        digits = [v for v in values if re.fullmatch(r"\d+", v)]
        if is_constant(values) and len(values[0]) >= 6 and digits:
            return "account"  # one long number on every row: the holder's account number
        return "number"
    return "text"


def _few_values(values: Sequence[str]) -> bool:
    """A column of a few values repeated (a transaction type), not one per row (names)."""
    return is_constant(values) or (len(values) >= 6 and len(set(values)) * 3 <= len(values))


def _type_like(values: Sequence[str]) -> bool:
    """A transaction-type column: codes (``DD``, ``FPI``), words finflow maps to a channel
    (``Direct debit``, ``Contactless payment``) or a few values repeated."""
    return bool(values) and (
        all(_TYPE_CODE.match(v) or (len(v.split()) <= 3 and channel_from_text(v)) for v in values)
        or _few_values(values)
    )


def _money_columns(rows: Sequence[Sequence[str]], numbers: list[int]) -> list[list[int]]:
    """The sets of number columns that may hold money, to try in turn: every one but codes and
    sequence numbers (whole numbers, constant or counting up or down by one), then only those
    written with decimals (a whole-number reference beside a single amount)."""

    def counter(values: list[str]) -> bool:
        if not all(v.isdigit() for v in values):
            return False
        numbers = [int(v) for v in values]
        steps = {b - a for a, b in itertools.pairwise(numbers)}
        return is_constant(values) or (len(values) >= 2 and steps in ({1}, {-1}))

    money = [i for i in numbers if not counter(column_values(rows, i))]
    decimal = [i for i in money if any(_MONEY_MARK.search(v) for v in column_values(rows, i))]
    return (
        [m for m in (money, decimal) if m] if decimal and decimal != money else [money or numbers]
    )


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
    flows in `order` (``oldest_first`` or ``newest_first`` as the dates say; else the order
    with fewer breaks, as `walk_balances` takes it)."""
    steps = [
        (n, f, b, Decimal(0))
        for n, (f, b) in enumerate(zip(flows, balances, strict=True), start=1)
        if f is not None and b is not None
    ]
    if order is None:
        walked = walk_balances(steps)
        return len(walked["breaks"]), len(steps)
    return len(balance_breaks(steps if order == "oldest_first" else steps[::-1])), len(steps)


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


@dataclass(frozen=True)
class _Signs:
    """A debit/credit column's word on each row: +1 credit, -1 debit, 0 none (an empty cell:
    the amount as written times `unmarked`, -1 where only credits are marked, as on a card
    statement that flags its credits CR)."""

    rows: list[int]
    unmarked: int

    @property
    def amount_sign(self) -> str:
        """The profile's sign for an amount without a marker."""
        return "debit_positive" if self.unmarked < 0 else "credit_positive"

    def flows(self, amounts: Sequence[Decimal | None]) -> list[Decimal | None]:
        return [
            None if v is None else s * abs(v) if s else self.unmarked * v
            for v, s in zip(amounts, self.rows, strict=True)
        ]


def _amount_options(
    values: dict[int, list[Decimal | None]], others: list[int], signs: _Signs | None
) -> list[Option]:
    """The readings of the money columns `others` as a signed amount (by `signs` from a
    debit/credit column, else either sign) or as money out and money in."""
    options: list[Option] = []
    for amount in others:
        if signs is not None:
            said = "signed by the debit/credit column"
            options.append(
                ({"amount": [amount]}, signs.amount_sign, said, signs.flows(values[amount]))
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
    signs: _Signs | None,
) -> tuple[dict[str, list[int]], str, list[str]] | str:
    """Which money column is the amount, the balance, money in or out, settled by arithmetic:
    a balance before and after each row (after = before + amount), or a running balance
    walked by a signed amount or by money out and in, in the order of the dates. `signs`: what
    a debit/credit column says of each row. Returns (roles, amount sign, notes) or the
    reason it cannot be told."""
    values = {i: _parsed(rows, i, profile) for i in money}
    if len(money) == 1:
        if signs is None and all(v is None or v >= 0 for v in values[money[0]]):
            return (
                f"the one number column #{money[0] + 1} carries no sign, and no balance or "
                "debit/credit column tells money in from money out (a card statement writes "
                "spending positive)"
            )
        said = "signed by the debit/credit column" if signs else "money in positive"
        return (
            {"amount": money},
            signs.amount_sign if signs else "credit_positive",
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
    # (-rows walked, breaks, roles, sign, why): the reading that gives the most rows an amount
    # and a balance wins, then the one with the fewest breaks (at most one in four rows
    # walked); it must be the only reading that does
    walks: list[tuple[int, int, dict[str, list[int]], str, str]] = []
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
            if walked < 2 or breaks * 4 > walked:
                continue
            what = (
                f"#{roles['amount'][0] + 1} is the amount ({said})"
                if "amount" in roles
                else f"#{roles['paid_out'][0] + 1} is money out, #{roles['paid_in'][0] + 1} "
                "money in"
            )
            why = f"{what} and #{balance + 1} {kind}: it walks over {walked} rows, {breaks} breaks"
            walks.append((-walked, breaks, roles | extra, sign, why))
    shown = ", ".join(f"#{i + 1}" for i in money)
    if not walks:
        return (
            f"the number columns {shown} cannot be told apart (amount, balance, money in or "
            "out): no running balance walks with any of them"
        )
    walks.sort(key=lambda w: w[:2])
    best = walks[0]
    rivals = [w for w in walks[1:] if w[:2] == best[:2] and w[2] != best[2]]
    if rivals:
        return (
            f"the number columns {shown} cannot be told apart: the running balance walks as "
            f"well read two ways ({best[4]}; {rivals[0][4]})"
        )
    return best[2], best[3], [best[4]]


def _headerless_currency(
    rows: Sequence[Sequence[str]], roles: dict[str, list[int]], date_format: str, decimal: str
) -> tuple[str | None, str, str]:
    """(currency, from what, note) of a header-less export without a currency column."""
    money = [i for r in ("amount", "paid_out", "paid_in", "balance") for i in roles.get(r, [])]
    found, why = currency_from_values(rows, money, roles.get("holder_account", []))
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


def infer_headerless(lines: Sequence[str]) -> Inference:
    """The profile of an export whose rows start on its first line (HSBC UK, ABN AMRO's TAB
    export, ASN): columns are named by position and their roles come from their values."""
    found = _headerless_records(lines)
    if found is None:
        return Inference(None, "its first lines do not split into one number of fields")
    delimiter, rows = found
    # what each column holds, from the rows after the first (which may be a header finflow
    # does not know: checked below)
    sample = rows[1:] if len(rows) > 1 else rows
    kinds = [_column_kind(column_values(sample, i)) for i in range(len(rows[0]))]
    markers = [
        i for i, k in enumerate(kinds) if k == "text" and marker_words(column_values(sample, i))
    ]
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
    date_format, date_notes = best_date_format(date_cells, "time" if times else "")
    assert date_format is not None  # the column reads as dates
    first = " ".join(date_cells[0].split())
    if not reads_as(first, date_format) and first.upper() not in NOT_BOOKED:
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
    candidates = _money_columns(rows, numbers)
    decimal, thousands, why = decimal_mark(
        [v for i in candidates[0] for v in column_values(rows, i)], delimiter
    )
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
        credit, debit = marker_words(column_values(rows, markers[0])) or ((), ())
        words = [r[markers[0]].strip().upper() for r in rows]
        signs = _Signs(
            [1 if w in credit else -1 if w in debit else 0 for w in words],
            -1 if credit and not debit else 1,
        )
        credit_markers = tuple(dict.fromkeys(("CR", *credit)))
        debit_markers = tuple(dict.fromkeys(("DR", *debit)))
    order = _date_order(rows, dates[0], date_format)
    for money in candidates:
        settled = _amount_roles(rows, money, draft, order, signs)
        if not isinstance(settled, str):
            break
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
    holder = [i for i in accounts if is_constant(column_values(rows, i))]
    if holder:
        roles["holder_account"] = holder
    counterparty = [i for i in accounts if i not in holder]
    if counterparty:
        roles["counterparty_account"] = counterparty[:1]
    bics = [
        i for i, k in enumerate(kinds) if k == "bic" and not is_constant(column_values(rows, i))
    ]
    if bics:
        roles["counterparty_bank"] = bics[:1]
    codes = [i for i in texts if _type_like(column_values(rows, i))]
    if codes and len(texts) > 1:
        roles["type"] = codes[:1]
        texts = [i for i in texts if i != codes[0]]
    if len(texts) > 1 and not _few_values(column_values(rows, texts[0])):
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
    holder_ibans = [
        a for i in holder for v in column_values(rows, i) if (a := compact_iban(v.upper()))
    ]
    profile = inferred_profile(
        rows,
        roles,
        holder_ibans,
        header=(),
        columns=columns,
        date_formats=(date_format,),
        delimiter=delimiter,
        decimal=decimal,
        thousands=thousands,
        currency=currency,
        amount_sign=sign,
        credit_markers=credit_markers,
        debit_markers=debit_markers,
        description="inferred from the file's values (no header row)",
        fields=len(rows[0]),
    )
    notes += time_note(profile)
    decided["amount_sign"] = profile.amount_sign
    decided["columns"] = columns
    if not holder:
        notes.append("the export names no holder account: rows are booked to STATEMENT:<file>")
    return Inference(profile, "", 0, tuple(notes), decided)
