"""finflow's one JSON text form (sorted keys, indent 2, UTF-8, no NaN), written fast.

`json.dumps` with ``indent`` cannot use the C encoder: its pure-Python generator encoder
yields every token separately, and a case pack's ``case.json`` and ``manifest.json`` cost more
to encode than to build. `encode` writes exactly the same text, also in Python, but with one
call per container and lists of plain strings or numbers joined in one go. Anything the fast
path does not handle itself (keys that are not strings, values of other types) is handed to
`json.dumps`, so errors and odd inputs behave as they always did.

``encode(data, coerce=True)`` writes the text ``json.dumps`` would write for `data` after
`coerced` (mapping keys as strings, tuples as lists, dates in ISO 8601, sets sorted), without
building that copy first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from json.encoder import encode_basestring  # the C implementation when available
from typing import Any

_INDENT = "  "
_int_repr = int.__repr__
_float_repr = float.__repr__
_INF = float("inf")
_SCALARS = frozenset({str, int, float, bool, type(None)})


class _Fallback(Exception):
    """The fast path met something it leaves to `json.dumps`."""


def dumps(data: Any) -> str:
    """The reference form: `json.dumps` with finflow's options (what `encode` must equal)."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)


def coerced(data: Any) -> Any:
    """`data` with mapping keys as strings, tuples as lists, dates in ISO form, sets sorted."""
    if isinstance(data, Mapping):
        return {str(k): coerced(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [coerced(v) for v in data]
    if isinstance(data, datetime | date):
        return data.isoformat()
    if isinstance(data, set | frozenset):
        return coerced(sorted(data, key=str))
    return data


def encode(data: Any, *, coerce: bool = False) -> str:
    """`dumps(data)` (or ``dumps(coerced(data))`` with `coerce`), byte for byte, faster."""
    parts: list[str] = []
    try:
        _value(data, "\n", parts, coerce)
    except _Fallback:
        return dumps(coerced(data) if coerce else data)
    return "".join(parts)


def _scalar(value: Any) -> str:
    """The JSON text of a string, number, bool or null; `_Fallback` for anything else."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return _int_repr(value)
    if isinstance(value, float):
        if value != value or value in (_INF, -_INF):
            raise _Fallback  # json.dumps raises its own ValueError
        return _float_repr(value)
    raise _Fallback


def _value(value: Any, newline: str, parts: list[str], coerce: bool) -> None:
    """Append the JSON text of `value`, nested lines indented after `newline`."""
    if isinstance(value, str):
        parts.append(encode_basestring(value))
    elif isinstance(value, dict) or (coerce and isinstance(value, Mapping)):
        _object(value, newline, parts, coerce)
    elif isinstance(value, list | tuple):
        _array(value, newline, parts, coerce)
    elif coerce and isinstance(value, datetime | date):
        parts.append(encode_basestring(value.isoformat()))
    elif coerce and isinstance(value, set | frozenset):
        _array(sorted(value, key=str), newline, parts, coerce)
    else:
        parts.append(_scalar(value))


def _array(items: Any, newline: str, parts: list[str], coerce: bool) -> None:
    if not items:
        parts.append("[]")
        return
    inner = newline + _INDENT
    try:  # the common case: a list of strings or numbers, one line each
        texts = [_scalar(v) for v in items]
    except _Fallback:
        parts.append("[")
        separator = inner
        for v in items:
            parts.append(separator)
            _value(v, inner, parts, coerce)
            separator = "," + inner
        parts.append(newline + "]")
        return
    parts.append("[" + inner + ("," + inner).join(texts) + newline + "]")


def _object(mapping: Any, newline: str, parts: list[str], coerce: bool) -> None:
    if not mapping:
        parts.append("{}")
        return
    if not all(type(k) is str for k in mapping):
        if not coerce:
            raise _Fallback  # json.dumps's own rules for other keys (and its errors)
        mapping = {str(k): v for k, v in mapping.items()}
    inner = newline + _INDENT
    separator = "{" + inner
    for key, v in sorted(mapping.items()):
        head = separator + encode_basestring(key) + ": "
        if type(v) in _SCALARS:  # most values: one string for the whole line
            parts.append(head + _scalar(v))
        else:
            parts.append(head)
            _value(v, inner, parts, coerce)
        separator = "," + inner
    parts.append(newline + "}")
