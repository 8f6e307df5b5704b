"""FX rates to GBP: a dated table, joined as-of the booking date."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from finflow.errors import ConfigError
from finflow.resources import package_file

DEFAULT_FX_PATH = package_file("data", "fx_rates.csv")


def load_fx(path: Path | None = None) -> pl.DataFrame:
    """Read a table ``date,currency,rate_to_gbp`` (each rate effective from its date)."""
    source = path or DEFAULT_FX_PATH
    try:
        fx = pl.read_csv(
            source,
            schema={"date": pl.Date, "currency": pl.String, "rate_to_gbp": pl.Float64},
        )
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ConfigError(f"FX table {source}: cannot be read ({exc})") from exc
    if fx.is_empty() or fx["rate_to_gbp"].le(0).any() or fx.null_count().sum_horizontal()[0]:
        raise ConfigError(f"FX table {source}: needs date, currency and a positive rate per row")
    return fx.sort("currency", "date")


def with_gbp(frame: pl.LazyFrame, fx: pl.DataFrame) -> pl.LazyFrame:
    """Add ``fx_rate`` and ``amount_gbp`` from ``amount_paid``/``currency_paid`` as of the day.

    Rows whose currency has no rate on or before their date keep null in both columns; the
    caller quarantines them (a missing rate is a reason, never a silent null).
    """
    rates = fx.lazy().rename({"currency": "currency_paid", "rate_to_gbp": "fx_rate"})
    return (
        frame.with_columns(_fx_day=pl.col("booked_at").dt.date())
        .sort("_fx_day")
        .join_asof(
            rates, left_on="_fx_day", right_on="date", by="currency_paid", check_sortedness=False
        )
        .with_columns(amount_gbp=(pl.col("amount_paid") * pl.col("fx_rate")))
        .drop("_fx_day", "date")
    )
