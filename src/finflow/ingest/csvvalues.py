"""Parse the values of bank CSV exports: money in local notation, dates in many formats."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from finflow.ingest.csvprofile import Profile

_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_SYMBOLS = re.compile(r"[£€$¥\s\u00a0\u202f]|\b(GBP|EUR|USD|CHF)\b", re.IGNORECASE)
_TIME_DIRECTIVES = ("%H", "%I", "%M", "%S", "%z", "%p")
_SWISS_THOUSANDS = re.compile(r"(?<=\d)['\u2019](?=\d{3}(?!\d))")
"""An apostrophe between digits groups thousands (Swiss exports: ``11'373.94``)."""


@dataclass(frozen=True)
class Money:
    """An amount as written: signed value and an explicit credit/debit marker if any."""

    value: Decimal
    marker: str | None  # "CR", "DR", "+" or None


def parse_money(raw: str, profile: Profile) -> Money | None:
    """`raw` in the profile's notation (``£1,183.23``, ``+ £1,100.00``, ``-36,99``, ``12.50 CR``,
    ``(5.00)``), or None when it is not a number. The caller handles empty cells."""
    text = raw.strip()
    marker: str | None = None
    upper = text.upper()
    for markers, kind in ((profile.credit_markers, "CR"), (profile.debit_markers, "DR")):
        for m in markers:
            if m and upper.endswith(m.upper()) and len(text) > len(m):
                marker, text = kind, text[: -len(m)].strip()
                break
        if marker:
            break
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = _SYMBOLS.sub("", text)
    if text.startswith("+"):
        marker, text = marker or "+", text[1:]
    elif text.startswith("-"):
        negative, text = not negative, text[1:]
    elif text.endswith("-"):
        negative, text = not negative, text[:-1]
    text = _SWISS_THOUSANDS.sub("", _SYMBOLS.sub("", text).lstrip("'"))
    if profile.thousands and profile.thousands in text:
        whole = text.split(profile.decimal)[0] if profile.decimal in text else text
        groups = whole.split(profile.thousands)
        if not groups[0] or any(len(group) != 3 for group in groups[1:]):
            # not thousands: "2750.00" among "-12,05" (BNP Paribas Fortis) can only be a
            # decimal point, never 275000; anything else is no amount in this notation
            if profile.decimal in text or len(groups) != 2:
                return None
            text = text.replace(profile.thousands, profile.decimal)
        else:
            text = text.replace(profile.thousands, "")
    if profile.decimal != ".":
        text = text.replace(profile.decimal, ".")
    if not _NUMBER.match(text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return Money(-value if negative else value, marker)


def money_in(money: Money, profile: Profile) -> Decimal:
    """Signed flow for the account holder: positive is money in, negative money out."""
    if money.marker in ("CR", "+"):
        return abs(money.value)
    if money.marker == "DR":
        return -abs(money.value)
    return money.value if profile.amount_sign == "credit_positive" else -money.value


def balance_value(money: Money) -> Decimal:
    """A balance: negative when written negative or marked DR (overdrawn)."""
    return -abs(money.value) if money.marker == "DR" else money.value


def parse_date(raw: str, profile: Profile) -> datetime | None:
    """The first of the profile's date formats that reads `raw`, as a UTC instant.

    A date without time is midnight UTC of that calendar day. A time without offset is local
    time in the profile's timezone; a time with an offset is converted with that offset.
    """
    text = " ".join(raw.split())
    for fmt in profile.date_formats:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
        if not any(d in fmt for d in _TIME_DIRECTIVES):
            return parsed.replace(tzinfo=UTC)
        return parsed.replace(tzinfo=ZoneInfo(profile.timezone)).astimezone(UTC)
    return None
