"""The canonical transaction: the contract between every stage.

One row per payment. Facts from the source (who paid whom, when, how much, the verbatim
reference) sit beside provenance (which file, which row) so that every figure in a case pack
can be traced back to the byte range it came from.
"""

from __future__ import annotations

import polars as pl

UTC = "UTC"

TRANSACTION_SCHEMA: dict[str, pl.DataType] = {
    "txn_id": pl.String(),
    "source_file": pl.String(),
    "source_sha256": pl.String(),
    "source_row": pl.Int64(),
    "source_locator": pl.String(),
    "source_format": pl.String(),
    "booked_at": pl.Datetime("us", UTC),
    "payer_bank": pl.String(),
    "payer_account": pl.String(),
    "payee_bank": pl.String(),
    "payee_account": pl.String(),
    "payer_name": pl.String(),
    "payee_name": pl.String(),
    "amount_paid": pl.Float64(),
    "currency_paid": pl.String(),
    "amount_received": pl.Float64(),
    "currency_received": pl.String(),
    "amount_gbp": pl.Float64(),
    "fx_rate": pl.Float64(),
    "channel": pl.String(),
    "reference": pl.String(),
    "end_to_end_id": pl.String(),
    "uetr": pl.String(),
    "label": pl.Int8(),
    "ingest_run_id": pl.String(),
}
"""Column -> dtype of a canonical transaction. `label` is ground truth for evaluation only:
detection and scoring never read it. `source_row` is the 1-based data row for CSV feeds;
`source_locator` is always filled (``row 12`` or an XML path). `payer_name` / `payee_name` are
the parties' names as the feed states them, `end_to_end_id` the payer's end-to-end reference and
`uetr` the SWIFT gpi unique end-to-end transaction reference (a UUID); all four are null when the
feed does not carry them (AMLworld never does)."""

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "source_sha256": pl.String(),
    "source_row": pl.Int64(),
    "reason": pl.String(),
    "detail": pl.String(),
    "raw": pl.String(),
}
"""One rejected input row: where it was, a stable reason code, a human detail, the raw text."""

ACCOUNT_SCHEMA: dict[str, pl.DataType] = {
    "bank": pl.String(),
    "account": pl.String(),
    "bank_name": pl.String(),
    "entity_id": pl.String(),
    "entity_name": pl.String(),
    "source_file": pl.String(),
    "source_sha256": pl.String(),
    "source_row": pl.Int64(),
}
"""Reference data for an account, keyed by (bank, account)."""

CHANNELS = ("cash", "wire", "ach", "card", "cheque", "crypto", "internal", "other")

DETECTION_COLUMNS = [c for c in TRANSACTION_SCHEMA if c != "label"]
"""What detection may read: everything but the evaluation label."""
