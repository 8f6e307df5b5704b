"""Shared last step of the statement readers: GBP conversion, provenance, schema casts.

A reader builds *candidate* rows (canonical columns without provenance, plus ``_order`` for the
output order and ``raw`` for quarantine) and rejected rows (``source_row``, ``reason``,
``detail``, ``raw``). :func:`finish` adds the GBP amount as of the booking day (rows without a
rate go to quarantine as ``NO_FX_RATE``), stamps provenance and casts to the schemas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from finflow.ingest.fx import with_gbp
from finflow.schema import QUARANTINE_SCHEMA, TRANSACTION_SCHEMA

NO_FX_RATE = "NO_FX_RATE"

CANDIDATE_COLUMNS = (
    "source_row", "source_locator", "source_format", "booked_at", "payer_bank", "payer_account",
    "payee_bank", "payee_account", "payer_name", "payee_name", "amount_paid", "currency_paid",
    "amount_received", "currency_received", "channel", "reference", "end_to_end_id", "uetr",
)  # fmt: skip
CANDIDATE_SCHEMA: dict[str, pl.DataType] = {
    "_order": pl.Int64(),
    **{name: TRANSACTION_SCHEMA[name] for name in CANDIDATE_COLUMNS},
    "raw": pl.String(),
}
"""What a reader hands to :func:`finish` (one row per transaction it could parse)."""

REJECT_SCHEMA: dict[str, pl.DataType] = {
    "_order": pl.Int64(),
    "source_row": pl.Int64(),
    "reason": pl.String(),
    "detail": pl.String(),
    "raw": pl.String(),
}
"""What a reader records for a row it could not parse."""


Side = tuple[str, str | None, float, str, str | None]
"""One side of a payment: (bank, account, amount, currency, name as stated or None)."""


def sides(payer: Side, payee: Side) -> dict[str, Any]:
    """The payer and payee columns of a candidate row, each side (bank, account, amount, ccy,
    name)."""
    return {
        "payer_bank": payer[0],
        "payer_account": payer[1],
        "amount_paid": payer[2],
        "currency_paid": payer[3],
        "payer_name": payer[4],
        "payee_bank": payee[0],
        "payee_account": payee[1],
        "amount_received": payee[2],
        "currency_received": payee[3],
        "payee_name": payee[4],
    }


def finish(
    candidates: pl.DataFrame,
    rejects: pl.DataFrame,
    path: Path,
    sha256: str,
    run_id: str,
    fx: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(accepted canonical rows, quarantined rows) in input order.

    ``txn_id`` is ``sha256[:16]:<source_row>`` when the row number is known, else
    ``sha256[:16]:<source_locator>``.
    """
    priced = with_gbp(candidates.lazy(), fx).collect()
    ok = priced.filter(pl.col("fx_rate").is_not_null())
    no_rate = priced.filter(pl.col("fx_rate").is_null()).select(
        "_order",
        "source_row",
        reason=pl.lit(NO_FX_RATE),
        detail=pl.format(
            "{}: no FX rate from {} to GBP on or before {}",
            pl.col("source_locator"),
            pl.col("currency_paid"),
            pl.col("booked_at").dt.date(),
        ),
        raw="raw",
    )
    key = pl.coalesce(pl.col("source_row").cast(pl.String), pl.col("source_locator"))
    accepted = (
        ok.sort("_order")
        .with_columns(
            txn_id=pl.format("{}:{}", pl.lit(sha256[:16]), key),
            source_file=pl.lit(path.name),
            source_sha256=pl.lit(sha256),
            label=pl.lit(None, dtype=pl.Int8),
            ingest_run_id=pl.lit(run_id),
        )
        .select([pl.col(c).cast(t) for c, t in TRANSACTION_SCHEMA.items()])
    )
    quarantined = (
        pl.concat([rejects.cast(REJECT_SCHEMA), no_rate.cast(REJECT_SCHEMA)])  # type: ignore[arg-type]
        .sort("_order")
        .with_columns(source_file=pl.lit(path.name), source_sha256=pl.lit(sha256))
        .select([pl.col(c).cast(t) for c, t in QUARANTINE_SCHEMA.items()])
    )
    return accepted, quarantined
