"""Shared helpers for the bank-statement reader tests: sample paths and an FX table.

The real sample files are read from ``shared/samples`` beside the repository (or
``$FINFLOW_SAMPLES``) at test time (never copied: several are
AGPL/GPL licensed). The FX table starts in 2000 so that old statements are priced.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl

SAMPLES = Path(
    os.environ.get("FINFLOW_SAMPLES", Path(__file__).resolve().parents[3] / "shared" / "samples")
)
CAMT = SAMPLES / "camt053"
BANK_CAMT = SAMPLES / "bank-feeds" / "camt053"
BANK_CSV = SAMPLES / "bank-feeds" / "csv"
SHA = "ab" * 32
RATES = {
    "GBP": 1.0, "EUR": 0.85, "USD": 0.8, "CHF": 0.9, "SEK": 0.08, "NOK": 0.08, "JPY": 0.006,
    "CZK": 0.035, "HUF": 0.0022, "PLN": 0.2, "DKK": 0.11,
}  # fmt: skip


def fx_table() -> pl.DataFrame:
    """Rates to GBP effective from 2000-01-01 for the currencies in the samples."""
    return pl.DataFrame(
        {
            "date": [dt.date(2000, 1, 1)] * len(RATES),
            "currency": list(RATES),
            "rate_to_gbp": list(RATES.values()),
        }
    ).sort("currency", "date")
