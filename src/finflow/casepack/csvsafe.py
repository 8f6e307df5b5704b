"""CSV exports that are safe to open in a spreadsheet.

Names and payment references are attacker-controlled. A cell such as ``=HYPERLINK("http://x")``
is a formula to Excel and LibreOffice (CSV injection, OWASP). Every text cell that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, unless the
whole cell is a plain number such as ``-12.50``, which spreadsheets read as a value.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

log = logging.getLogger(__name__)

T = TypeVar("T")

FORMULA_PREFIX_RE = r"^[=+\-@\t\r]"
"""A cell starting with one of these may be run as a formula by a spreadsheet."""
_FORMULA_CHARS = "=+-@\t\r"

NUMBER_RE = r"^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$"
"""A plain number (optionally signed, with thousands separators): inert in a spreadsheet."""

MONEY_COLUMNS: tuple[str, ...] = ("amount_paid", "amount_received", "amount_gbp")
"""Float columns written as fixed 2-decimal text; other floats keep full precision."""

LIST_SEPARATOR = "; "

_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S%.fZ"


_NUMBER = re.compile(NUMBER_RE)


def _is_number(text: str) -> bool:
    """True if `text` is a plain number a spreadsheet reads as a value, not a formula."""
    return _NUMBER.fullmatch(text) is not None and any(ch.isdigit() for ch in text)


def safe_cell(value: T) -> T | str:
    """Return `value` neutralised against spreadsheet formula injection.

    Non-strings pass through unchanged. A string starting with ``= + - @``, tab or carriage
    return that is not a plain number is prefixed with ``'``.
    """
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "=+-@\t\r" and not _is_number(value):
        return "'" + value
    return value


def _safe_expr(column: str) -> pl.Expr:
    """The vectorised form of `safe_cell` for one String column."""
    col = pl.col(column)
    risky = col.str.contains(FORMULA_PREFIX_RE) & ~(
        col.str.contains(NUMBER_RE) & col.str.contains(r"\d")
    )
    return pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(column)


def _text_columns(schema: pl.Schema) -> Iterable[pl.Expr]:
    """Expressions turning every non-text column into what the CSV should hold."""
    for name, dtype in schema.items():
        if isinstance(dtype, pl.List):
            joined = pl.col(name).cast(pl.List(pl.String)).list.sort().list.join(LIST_SEPARATOR)
            yield joined.alias(name)
        elif isinstance(dtype, pl.Datetime):
            col = pl.col(name)
            if dtype.time_zone not in (None, "UTC"):
                col = col.dt.convert_time_zone("UTC")
            yield col.dt.to_string(_DATETIME_FORMAT).alias(name)
        elif dtype.is_float() and name not in MONEY_COLUMNS:
            yield pl.col(name).cast(pl.String).alias(name)


SMALL_FRAME_ROWS = 5000
"""Up to this many rows, text columns are checked for risky cells in Python (case packs)."""


def _risky_columns(frame: pl.DataFrame, names: list[str]) -> list[str]:
    """The text columns of `names` with at least one cell starting like a formula.

    Only those need `_safe_expr`, whose three regular expressions per column cost about
    0.2 ms each however small the frame: most of the time of a case pack's CSV files.
    """
    if frame.height <= SMALL_FRAME_ROWS:
        return [
            name
            for name in names
            if any(v and v[0] in _FORMULA_CHARS for v in frame.get_column(name).to_list())
        ]
    flags = frame.select(
        pl.col(name).str.slice(0, 1).is_in(list(_FORMULA_CHARS)).any().alias(name) for name in names
    ).row(0)
    return [name for name, risky in zip(names, flags, strict=True) if risky]


def write_safe_csv(df: pl.DataFrame, path: Path) -> Path:
    """Write `df` to `path` as UTF-8 CSV with LF line ends, safe to open in a spreadsheet.

    Every String column is neutralised with `safe_cell`; list columns are joined with ``; ``
    (sorted) and neutralised too; datetimes are ISO 8601 UTC with a ``Z``; money columns
    (`MONEY_COLUMNS`) are fixed 2-decimal text. The same frame always gives the same bytes.
    """
    frame = df.with_columns(list(_text_columns(df.schema)))
    # Joined lists are strings now: neutralise them like any other text.
    text_names = [n for n, t in df.schema.items() if t == pl.String or isinstance(t, pl.List)]
    risky = _risky_columns(frame, text_names)
    if risky:
        frame = frame.with_columns([_safe_expr(n) for n in risky])
    text = frame.write_csv(line_terminator="\n", float_precision=2, null_value="")
    path = Path(path)
    path.write_bytes(text.encode("utf-8"))
    log.debug("wrote %d rows to %s", frame.height, path)
    return path


_QUOTE_TRIGGERS = re.compile(r'[,"\n\r]')
_FLOAT_TEXT_FROM = 1e-4
"""polars writes a float cast to text as Python's repr from here up (and 0); below, not."""
_TEXT, _INT, _BOOL, _FLOAT, _MONEY, _DATETIME, _LIST = range(7)


def _text_cell(value: str) -> str:
    """A text cell as polars writes it: quoted when empty or holding , " CR or LF."""
    if not value or _QUOTE_TRIGGERS.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _kind(name: str, dtype: pl.DataType) -> int | None:
    """How `_row_cells` writes a column of `dtype`, None for types it leaves to polars."""
    if dtype == pl.String:
        return _TEXT
    if dtype.is_integer():
        return _INT
    if dtype == pl.Boolean:
        return _BOOL
    if dtype == pl.Float64:
        return _MONEY if name in MONEY_COLUMNS else _FLOAT
    if (
        isinstance(dtype, pl.Datetime)
        and dtype.time_unit in ("us", "ms")
        and dtype.time_zone in (None, "UTC")
    ):
        return _DATETIME
    if dtype == pl.List(pl.String):
        return _LIST
    return None


def _datetime_cell(value: datetime) -> str:
    """`_DATETIME_FORMAT` as polars (chrono) writes it: ``%.f`` is .mmm, .uuuuuu or nothing."""
    fraction = value.microsecond
    if not fraction:
        tail = "Z"
    elif fraction % 1000:
        tail = f".{fraction:06d}Z"
    else:
        tail = f".{fraction // 1000:03d}Z"
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}{tail}"
    )


def _row_cells(rows: Sequence[Mapping[str, Any]], schema: Mapping[str, pl.DataType]) -> str | None:
    """The CSV text `write_safe_csv` writes for these rows, or None where it is left to polars.

    Handled: text, integer, Boolean, Float64 (money with 2 decimals, others as text), UTC or
    naive Datetime in ms or us, and lists of text, holding values of their own type or nulls.
    Anything else (other types, floats below `_FLOAT_TEXT_FROM` written as text, NaN or
    infinities, null list members) returns None.
    """
    kinds = [_kind(name, dtype) for name, dtype in schema.items()]
    if None in kinds:
        return None
    names = list(schema)
    lines = [",".join(_text_cell(n) for n in names)]
    for row in rows:
        cells = []
        for name, kind in zip(names, kinds, strict=True):
            value = row.get(name)
            if value is None:
                cells.append("")
            elif kind == _TEXT:  # safe_cell and _text_cell, inlined (most cells are text)
                if type(value) is not str:
                    return None
                if value and value[0] in _FORMULA_CHARS and not _is_number(value):
                    value = "'" + value
                if not value or _QUOTE_TRIGGERS.search(value):
                    value = '"' + value.replace('"', '""') + '"'
                cells.append(value)
            elif kind == _INT:
                if type(value) is not int:
                    return None
                cells.append(str(value))
            elif kind == _BOOL:
                if type(value) is not bool:
                    return None
                cells.append("true" if value else "false")
            elif kind == _DATETIME:
                if type(value) is not datetime or value.utcoffset():
                    return None
                cells.append(_datetime_cell(value))
            elif kind == _LIST:
                if type(value) is not list or not all(type(v) is str for v in value):
                    return None
                joined = LIST_SEPARATOR.join(sorted(value))
                cells.append(_text_cell(str(safe_cell(joined))))
            else:
                if type(value) is int:
                    value = float(value)
                if type(value) is not float or not math.isfinite(value):
                    return None
                if kind == _MONEY:
                    cells.append(f"{value:.2f}")
                elif value and abs(value) < _FLOAT_TEXT_FROM:
                    return None
                else:
                    cells.append(repr(value))
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def write_safe_rows(
    rows: Sequence[Mapping[str, Any]],
    schema: Mapping[str, pl.DataType],
    path: Path,
    frame: Callable[[], pl.DataFrame] | None = None,
) -> Path:
    """``write_safe_csv(pl.DataFrame(rows, schema=schema, orient="row"), path)``, same bytes.

    The few rows of a case pack's CSV files are written in Python: a polars frame and its
    CSV writer cost ~0.5 ms per file however small the frame. Whatever `_row_cells` does not
    handle goes through polars as before, with the frame `frame` returns when given (the
    caller's own frame of these rows) or one built from `rows`.
    """
    text = _row_cells(rows, schema)
    if text is None:
        data = frame() if frame else pl.DataFrame(rows, schema=schema, orient="row")
        return write_safe_csv(data, path)
    path = Path(path)
    path.write_bytes(text.encode("utf-8"))
    log.debug("wrote %d rows to %s", len(rows), path)
    return path
