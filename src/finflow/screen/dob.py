"""Dates of birth: parse the query's and the list's, and say how they bear on a match.

Query dates are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``. List dates are ``dd/mm/yyyy`` with
``00`` for an unknown day or month (FCDO and OFSI), or ISO. Two dates are compared at the
precision both have. Agreement raises the score a little; a conflict lowers it enough that a
person with the same name but another date of birth falls below the threshold; a day and month
written the other way round, or two year digits swapped, is a small penalty only (a likely
clerical slip); a missing date on either side changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from finflow.errors import InputError

DOB_EFFECT = {
    "agree-day": 0.08,
    "agree-month": 0.05,
    "agree-year": 0.03,
    "slip": -0.12,
    "conflict": -0.45,
    "none": 0.0,
}
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_UK = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


class QueryDateError(InputError):
    """A query's date of birth is not YYYY, YYYY-MM or YYYY-MM-DD."""


@dataclass(frozen=True, slots=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
            if self.day:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)


def _valid(year: int, month: int | None, day: int | None) -> bool:
    return (
        1800 <= year <= 2100
        and (month is None or 1 <= month <= 12)
        and (day is None or 1 <= day <= 31)
    )


def parse_query_dob(text: str) -> PartialDate | None:
    """Parse a query date of birth; '' is None; anything else raises QueryDateError."""
    text = text.strip()
    if not text:
        return None
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        if _valid(year, month, day):
            return PartialDate(year, month, day if month else None)
    raise QueryDateError(f"date of birth {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")


def parse_list_dob(text: str) -> PartialDate | None:
    """Parse a list date of birth leniently (None if no year can be read)."""
    text = text.strip()
    match = _UK.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if _valid(year, month or None, day or None):
            return PartialDate(year, month or None, (day or None) if month else None)
    match = _ISO.match(text)
    if match:
        iso_year, iso_month, iso_day = (int(g) if g else 0 for g in match.groups())
        if _valid(iso_year, iso_month or None, iso_day or None):
            return PartialDate(
                iso_year, iso_month or None, (iso_day or None) if iso_month else None
            )
    match = _YEAR.search(text)  # "circa 1965", "1965-1967"
    if match:
        return PartialDate(int(match.group(1)))
    return None


def _one(query: PartialDate, listed: PartialDate) -> str:
    if query.year != listed.year:
        if sorted(str(query.year)) == sorted(str(listed.year)) and (
            sum(a != b for a, b in zip(str(query.year), str(listed.year), strict=True)) == 2
        ):
            return "slip"
        return "conflict"
    if query.month is None or listed.month is None:
        return "agree-year"
    if query.month != listed.month:
        if query.day is not None and (query.day, query.month) == (listed.month, listed.day):
            return "slip"
        return "conflict"
    if query.day is None or listed.day is None:
        return "agree-month"
    return "agree-day" if query.day == listed.day else "conflict"


def compare_dob(query: PartialDate | None, listed: tuple[PartialDate, ...]) -> tuple[str, str]:
    """The DOB outcome (a key of DOB_EFFECT) and the listed date it refers to."""
    if query is None or not listed:
        return "none", ""
    outcomes = [(_one(query, d), str(d)) for d in listed]
    return max(outcomes, key=lambda o: DOB_EFFECT[o[0]])
