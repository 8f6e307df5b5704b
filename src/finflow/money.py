"""Money arithmetic that gives the same answer every run.

Summing floats in parallel depends on the order the threads finish, so a total could differ in
the last digit between two runs on the same data. Totals are computed in integer pence (or the
currency's minor unit) and converted back, which is exact and order-independent.
"""

from __future__ import annotations

import polars as pl

MINOR = 100


def minor_units(expr: pl.Expr) -> pl.Expr:
    """An amount as whole minor units (pence, cents)."""
    return (expr * MINOR).round(0).cast(pl.Int64)


def money_sum(expr: pl.Expr) -> pl.Expr:
    """Deterministic sum of an amount column, to 2 decimals."""
    return minor_units(expr).sum() / MINOR
