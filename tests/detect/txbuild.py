"""Build small canonical transaction sets for rule tests, through the real detection frame."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from finflow.detect.frame import detection_frame
from finflow.schema import TRANSACTION_SCHEMA

T0 = datetime(2022, 9, 1, 9, 0, tzinfo=UTC)
RATES = {"GBP": 1.0, "EUR": 0.87, "USD": 0.87}


def at(days: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def tx(
    when: datetime,
    payer: str,
    payee: str,
    amount: float,
    currency: str = "GBP",
    channel: str = "wire",
) -> dict[str, object]:
    """One payment; accounts are written ``bank:account``."""
    pb, _, pa = payer.partition(":")
    qb, _, qa = payee.partition(":")
    return {
        "booked_at": when,
        "payer_bank": pb,
        "payer_account": pa,
        "payee_bank": qb,
        "payee_account": qa,
        "amount_paid": amount,
        "currency_paid": currency,
        "amount_received": amount,
        "currency_received": currency,
        "amount_gbp": amount * RATES[currency],
        "fx_rate": RATES[currency],
        "channel": channel,
    }


def frame(tmp_path: Path, rows: list[dict[str, object]]) -> pl.DataFrame:
    """Write `rows` as a canonical lake file and load it as detection reads it."""
    filled = []
    for i, row in enumerate(rows, start=1):
        filled.append(
            {
                "txn_id": f"t{i:04d}",
                "source_file": "test.csv",
                "source_sha256": "0" * 64,
                "source_row": i,
                "source_locator": f"row {i}",
                "source_format": "amlworld_transactions",
                "reference": None,
                "label": 0,
                "ingest_run_id": "I-test",
                **row,
            }
        )
    path = tmp_path / f"lake-{len(list(tmp_path.glob('lake-*')))}.parquet"
    pl.DataFrame(filled, schema=TRANSACTION_SCHEMA).write_parquet(path)
    return detection_frame([path], [])
