"""Build small canonical transaction sets for rule tests, through the real detection frame."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from finflow.detect.frame import detection_frame
from finflow.schema import ACCOUNT_SCHEMA, TRANSACTION_SCHEMA

T0 = datetime(2022, 9, 1, 9, 0, tzinfo=UTC)
RATES = {"GBP": 1.0, "EUR": 0.87, "USD": 0.87, "BTC": 50_000.0}


def at(days: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def tx(
    when: datetime,
    payer: str,
    payee: str,
    amount: float,
    currency: str = "GBP",
    channel: str = "wire",
    received_in: str | None = None,
    reference: str | None = None,
) -> dict[str, object]:
    """One payment; accounts are written ``bank:account``. `received_in` makes it a
    cross-currency payment (converted at RATES)."""
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
        "amount_received": (
            amount * RATES[currency] / RATES[received_in] if received_in else amount
        ),
        "currency_received": received_in or currency,
        "amount_gbp": amount * RATES[currency],
        "fx_rate": RATES[currency],
        "channel": channel,
        "reference": reference,
    }


def frame(
    tmp_path: Path, rows: list[dict[str, object]], banks: dict[str, str] | None = None
) -> pl.DataFrame:
    """Write `rows` as a canonical lake file and load it as detection reads it; `banks` names
    institutions (bank id -> bank name) in an accounts reference, one entity per account."""
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
                "label": 0,
                "ingest_run_id": "I-test",
                **row,
            }
        )
    path = tmp_path / f"lake-{len(list(tmp_path.glob('lake-*')))}.parquet"
    pl.DataFrame(filled, schema=TRANSACTION_SCHEMA).write_parquet(path)
    if not banks:
        return detection_frame([path], [])
    keys = sorted(
        {(str(r["payer_bank"]), str(r["payer_account"])) for r in rows}
        | {(str(r["payee_bank"]), str(r["payee_account"])) for r in rows}
    )
    accounts = pl.DataFrame(
        [
            {
                "bank": b,
                "account": a,
                "bank_name": banks.get(b, f"Bank {b}"),
                "entity_id": f"E{i}",
                "entity_name": f"Holder {i}",
                "source_file": "accounts.csv",
                "source_sha256": "0" * 64,
                "source_row": i + 1,
            }
            for i, (b, a) in enumerate(keys)
        ],
        schema=ACCOUNT_SCHEMA,
    )
    acc_path = path.with_name(path.stem + "-accounts.parquet")
    accounts.write_parquet(acc_path)
    return detection_frame([path], [acc_path])
