"""Normalised keys for comparing names and contact details, as polars expressions.

Transliteration (any script to ASCII, with anyascii) has no polars expression, so it runs once
per *distinct* value (`transliterate`); everything else is vectorised.
"""

from __future__ import annotations

import polars as pl
from anyascii import anyascii

HONORIFICS = ("mr", "mrs", "ms", "miss", "dr", "mx", "sir", "haji", "sheikh")


def transliterate(values: pl.Series) -> pl.Series:
    """Each distinct value transliterated to ASCII once; the result aligned with `values`."""
    distinct = values.drop_nulls().unique(maintain_order=True)
    table = pl.DataFrame(
        {
            "value": distinct,
            "ascii": pl.Series([anyascii(v) for v in distinct.to_list()], dtype=pl.String),
        },
        schema={"value": pl.String, "ascii": pl.String},
    )
    joined = values.to_frame("value").join(table, on="value", how="left", maintain_order="left")
    return joined["ascii"]


def _tokens(expr: pl.Expr) -> pl.Expr:
    """Lower-case alphanumeric tokens, honorifics removed, in their original order."""
    return (
        expr.str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
        .str.split(" ")
        .list.eval(pl.element().filter((pl.element() != "") & ~pl.element().is_in(HONORIFICS)))
    )


def name_key(ascii_name: pl.Expr) -> pl.Expr:
    """Token-order independent name key: ``Karimi, Ahmed`` == ``AHMED KARIMI``."""
    key = _tokens(ascii_name).list.sort().list.join(" ")
    return pl.when(key != "").then(key)


def surname(ascii_name: pl.Expr) -> pl.Expr:
    """The family name: the token written in capitals (``KARIMI Ahmed``) or else the last."""
    caps = ascii_name.str.extract_all(r"\b[A-Z]{2,}\b").list.first().str.to_lowercase()
    mixed = ascii_name.str.contains(r"[a-z]")
    last = _tokens(ascii_name).list.last()
    return pl.when(mixed & caps.is_not_null()).then(caps).otherwise(last)


def phone_key(expr: pl.Expr) -> pl.Expr:
    """Digits only, international: ``+44 7700 900001`` == ``07700900001`` == ``0044...``."""
    digits = expr.str.replace_all(r"[^0-9]", "")
    intl = (
        pl.when(digits.str.starts_with("00"))
        .then(digits.str.slice(2))
        .when(digits.str.starts_with("0"))
        .then(pl.lit("44") + digits.str.slice(1))
        .otherwise(digits)
    )
    return pl.when(digits.str.len_chars() >= 7).then(intl)


def email_key(expr: pl.Expr) -> pl.Expr:
    key = expr.str.strip_chars().str.to_lowercase()
    return pl.when(key.str.contains("@")).then(key)


ADDRESS_WORDS = {
    "street": "st",
    "road": "rd",
    "avenue": "ave",
    "lane": "ln",
    "drive": "dr",
    "flat": "",
    "apartment": "",
    "apt": "",
}


def address_key(ascii_address: pl.Expr) -> pl.Expr:
    """Lower-case tokens with common street words abbreviated and flat markers dropped."""
    tokens = (
        _tokens(ascii_address)
        .list.eval(pl.element().replace(ADDRESS_WORDS))
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    key = tokens.list.join(" ")
    return pl.when(key != "").then(key)
