"""HTML fragments of a case pack rendered once and reused, with the templates' own output.

A run's packs repeat the same rows (input files, artefacts, rules not fired) and a pack
repeats the same account cells in its tables. Rendering them per pack and per cell is a
good share of the template's time; here each is rendered once per distinct content
(per process, or per pack for account cells) by the same macros or escaping, so the pack's
bytes do not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from typing import Any

from markupsafe import Markup, escape


@cache
def macros() -> Any:
    """The macros of _macros.html, callable from Python (same environment, same output)."""
    from finflow.casepack.render import environment  # render imports this module

    return environment().get_template("_macros.html").module


_Frozen = tuple[tuple[str, type, Any], ...]


def _freeze(item: Mapping[str, Any]) -> _Frozen:
    """A hashable form of a flat mapping; TypeError if a value is not hashable.

    Each value's type is part of it: 1, 1.0 and True are equal keys but render differently.
    """
    frozen = tuple(sorted((str(k), type(v), v) for k, v in item.items()))
    hash(frozen)
    return frozen


@lru_cache(maxsize=4096)
def _cached_macro(name: str, *frozen: _Frozen | str) -> str:
    args = [a if isinstance(a, str) else {k: v for k, _, v in a} for a in frozen]
    return str(getattr(macros(), name)(*args))


def macro_html(name: str, *args: Any) -> str:
    """``name(*args)`` from _macros.html, rendered once per distinct (flat) arguments.

    Every pack of a run shows the same input files, artefacts and, mostly, the same rules
    not fired: those rows are rendered once per process instead of once per pack.
    Arguments that are neither text nor flat mappings of hashable values are not cached.
    """
    try:
        frozen = [a if isinstance(a, str) else _freeze(a) for a in args]
    except (TypeError, AttributeError):
        return str(getattr(macros(), name)(*args))
    return _cached_macro(name, *frozen)


def macro_rows(name: str, items: Iterable[Any], spread: bool = False) -> Markup:
    """One `macro_html` row per item, each followed by a line end, as one markup string."""
    rows = [macro_html(name, *item) if spread else macro_html(name, item) for item in items]
    return Markup("".join(row + "\n" for row in rows))  # noqa: S704 - rendered, autoescaped


def inputs_html(inputs: Sequence[Mapping[str, Any]]) -> Markup:
    """The ``inputs_table`` macro for `inputs`, rendered once per distinct list of files."""
    try:
        frozen = tuple(_freeze(i) for i in inputs)
    except (TypeError, AttributeError):
        return Markup(macros().inputs_table(inputs))  # noqa: S704 - rendered, autoescaped
    return _cached_inputs(frozen)


@lru_cache(maxsize=64)
def _cached_inputs(frozen: tuple[_Frozen, ...]) -> Markup:
    inputs = [{k: v for k, _, v in item} for item in frozen]
    return Markup(macros().inputs_table(inputs))  # noqa: S704 - rendered, autoescaped


class AccountCells(dict[tuple[Any, Any], Markup]):
    """(bank, account) -> what the ``account`` macro of _macros.html renders for them.

    The schedule and the evidence tables show two accounts per row; the macro call (and its
    holder lookup) per cell cost more than the rest of the row. Each cell is built once per
    pack here, on first use, with the macro's escaping (tests compare the two).
    """

    def __init__(self, holders: Mapping[tuple[str, str], Mapping[str, Any]]) -> None:
        super().__init__()
        self.holders = holders

    def __missing__(self, key: tuple[Any, Any]) -> Markup:
        bank, account = key
        html = f'<span class="mono nowrap">{escape(bank)} / {escape(account)}</span>'
        holder = self.holders.get((str(bank), str(account)))
        if holder and holder.get("entity_name"):
            html += f'<span class="sub">{escape(holder["entity_name"])}</span>'
        cell = self[key] = Markup(html)  # noqa: S704 - built from escaped values
        return cell
