"""What the detection frame can say about a counterparty: money-service business, crypto
exchange, abroad, on a corridor list. Patterns and lists come from the dated reference data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

from finflow.detect.refdata import corridor_countries
from finflow.detect.rules import Rule, param


def is_msb(rule: Rule, side: str) -> pl.Expr:
    """The `side` ("payer"/"payee") banks with a money-service business or hawala-like firm.

    By name, against the rule set's ``msb_name_patterns``: the detection frame tested each
    distinct name once (`finflow.detect.frame.NAME_FLAGS`, from the rule set's reference data).
    """
    return pl.col(f"{side}_msb_name")


def is_firm(rule: Rule, side: str) -> pl.Expr:
    """The `side` is itself a money-service business or crypto exchange (or a crypto wallet,
    an account held in a crypto-asset), as opposed to a bank customer dealing with one."""
    ccy = rule.data["reference"]["institutions"]["crypto_currencies"]
    own = "currency_paid" if side == "payer" else "currency_received"
    return is_msb(rule, side) | pl.col(f"{side}_crypto_name") | pl.col(own).is_in(ccy)


def is_crypto(rule: Rule, side: str) -> pl.Expr:
    """The `side` is a crypto exchange or the payment moved crypto-assets."""
    ccy = rule.data["reference"]["institutions"]["crypto_currencies"]
    return (
        pl.col(f"{side}_crypto_name")
        | (pl.col("channel") == "crypto")
        | pl.col("currency_paid").is_in(ccy)
        | pl.col("currency_received").is_in(ccy)
    )


def is_cross_border() -> pl.Expr:
    """Abroad: the two sides' countries (IBAN/BIC) differ, or, where the data give no
    country, the payment changed currency (the only cross-border sign in AMLworld files)."""
    known = pl.col("payer_country").is_not_null() & pl.col("payee_country").is_not_null()
    return (
        pl.when(known)
        .then(pl.col("payer_country") != pl.col("payee_country"))
        .otherwise(pl.col("currency_paid") != pl.col("currency_received"))
    )


def corridor_weight(
    rule: Rule, alert: dict[str, Any], countries: list[str | None], on: datetime
) -> dict[str, Any]:
    """Add weight to an alert that fired on behaviour when counterparties are in corridor or hub
    countries (never fires an alert on its own). Records which countries and lists applied."""
    lists = tuple(param(rule, "corridor_lists"))
    listed = corridor_countries(rule.data["reference"], lists, on.date())
    hits = sorted({c for c in countries if c and c in listed})
    if hits:
        bonus = float(param(rule, "corridor_weight_bonus"))
        alert["weight"] = round(alert["weight"] * (1 + bonus), 4)
        alert["metrics"]["corridor_countries"] = hits
        alert["metrics"]["corridor_weight_bonus"] = bonus
    return alert


def is_round(amount: str = "amount_paid", unit: float = 100.0) -> pl.Expr:
    """A round sum: a whole multiple of `unit` in the currency paid."""
    return (pl.col(amount) % unit).abs() < 0.005
