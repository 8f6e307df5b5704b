"""Jinja2 filters: how numbers, money and dates look in a case pack.

Money has thousands separators and 2 decimals (crypto-assets 8), GBP carries ``£``; dates are
UTC. Missing values show as an em dash, never as ``None`` or ``nan``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

MISSING = "—"

CRYPTO_CURRENCIES = frozenset({"BTC", "XBT", "ETH", "USDT", "USDC", "XMR", "LTC", "TRX"})
"""Currencies shown with 8 decimals: 2 would round most crypto payments to zero."""


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value: Any, currency: str | None = None) -> str:
    """``1234.5`` -> ``1,234.50``; with a currency code, ``1,234.50 EUR``."""
    if _is_missing(value):
        return MISSING
    decimals = 8 if (currency or "").upper() in CRYPTO_CURRENCIES else 2
    text = f"{float(value):,.{decimals}f}"
    return f"{text} {currency}" if currency else text


def gbp(value: Any) -> str:
    """``-1234.5`` -> ``-£1,234.50``."""
    if _is_missing(value):
        return MISSING
    amount = float(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def rate(value: Any) -> str:
    """An FX rate with 6 decimals (enough to recompute the GBP figure to the penny)."""
    if _is_missing(value):
        return MISSING
    return f"{float(value):.6f}"


def score(value: Any) -> str:
    """A score or weight with at most 2 decimals: ``87.5`` -> ``87.5``, ``20.0`` -> ``20``."""
    if _is_missing(value):
        return MISSING
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def when(value: Any) -> str:
    """A timestamp in UTC: ``2022-09-01 00:20`` (seconds only when not zero)."""
    if _is_missing(value) or value == "":
        return MISSING
    parsed = _as_datetime(value)
    if parsed is None:
        return str(value)
    fmt = "%Y-%m-%d %H:%M:%S" if parsed.second or parsed.microsecond else "%Y-%m-%d %H:%M"
    return parsed.strftime(fmt)


def day(value: Any) -> str:
    """A date only: ``2022-09-01``."""
    if _is_missing(value) or value == "":
        return MISSING
    parsed = _as_datetime(value)
    return str(value) if parsed is None else parsed.strftime("%Y-%m-%d")


def value(item: Any) -> str:
    """A parameter or metric value of any JSON type, compact and deterministic."""
    if _is_missing(item):
        return MISSING
    if isinstance(item, bool):
        return "yes" if item else "no"
    if isinstance(item, int):
        return f"{item:,}"
    if isinstance(item, float):
        if item.is_integer() and abs(item) < 1e15:
            return f"{int(item):,}"
        return f"{item:,.4f}".rstrip("0").rstrip(".")
    if isinstance(item, Mapping):
        return "; ".join(f"{k}: {value(item[k])}" for k in sorted(item, key=str))
    if isinstance(item, list | tuple | set | frozenset):
        members = sorted(item, key=str) if isinstance(item, set | frozenset) else item
        return ", ".join(value(m) for m in members)
    return str(item)


def plural(count: Any, word: str, many: str | None = None) -> str:
    """``1|plural("row")`` -> ``1 row``; ``3|plural("row")`` -> ``3 rows``; thousands separated."""
    n = int(count)
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


FILTERS = {
    "plural": plural,
    "money": money,
    "gbp": gbp,
    "rate": rate,
    "score": score,
    "when": when,
    "day": day,
    "value": value,
}
"""Registered on the case-pack Jinja2 environment."""
