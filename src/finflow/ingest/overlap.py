"""Transactions delivered in more than one file: an overlapping re-delivery is counted once.

Statements are often produced twice for the same period (a monthly and a quarterly statement of
one account, a bank's re-issue with a new message id, an export re-run with a few more days):
the files differ, so their hashes do, but the transactions they share are the same payments.
Counted twice, they would double every amount an investigator reads in a case.

A transaction's identity here is its content as the canonical row states it (`KEY_COLUMNS`:
booking time, both sides' bank, account, name, amount and currency, channel, reference,
end-to-end id and UETR), not where it came from. Two identical payments on one day (two
identical card payments) are two transactions, so the comparison counts: the n-th row with a
given content in a file is a repeat when earlier files already hold at least n rows with that
content. Files are compared in a fixed order (a run's file order, by name); a repeat goes to
quarantine as `REASON`, naming the row of the earlier file that is kept, and the counts still
reconcile (rows read = accepted + quarantined).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from finflow.schema import QUARANTINE_SCHEMA, TRANSACTION_SCHEMA

REASON = "DUPLICATE_OF_OTHER_FILE"
EXPLANATION = "the same transaction is in a file compared before this one; counted once, from there"

KEY_COLUMNS = (
    "booked_at", "payer_bank", "payer_account", "payee_bank", "payee_account", "payer_name",
    "payee_name", "amount_paid", "currency_paid", "amount_received", "currency_received",
    "channel", "reference", "end_to_end_id", "uetr",
)  # fmt: skip
"""What makes two canonical rows the same transaction: every fact the feed states about it."""

_OCCURRENCE = "_occurrence"
_FIRST = {"source_file": "_first_file", "source_locator": "_first_locator"}


def split_repeats(
    rows: pl.DataFrame | pl.LazyFrame, earlier: Sequence[Path]
) -> tuple[pl.DataFrame | pl.LazyFrame, pl.DataFrame]:
    """(`rows` without the transactions the `earlier` partitions already hold, those repeats as
    quarantine rows), in the order of `rows`.

    `rows` are one file's canonical rows in file order; `earlier` the committed partitions of
    the files compared before it, in that order. When nothing repeats, `rows` come back as they
    were given (the same object), so a file without repeats is written as before.
    """
    empty = pl.DataFrame(schema=QUARANTINE_SCHEMA)
    if not earlier:
        return rows, empty
    key = list(KEY_COLUMNS)
    span = (
        rows.lazy()
        .select(low=pl.col("booked_at").min(), high=pl.col("booked_at").max(), n=pl.len())
        .collect()
    )
    if not span["n"][0]:
        return rows, empty
    low, high = span["low"][0], span["high"][0]
    before = (
        pl.scan_parquet(list(earlier))
        .filter(pl.col("booked_at").is_between(low, high))  # row groups skipped by statistics
        .select(*key, *_FIRST)
        .rename(_FIRST)
        .with_columns(pl.int_range(pl.len()).over(key).alias(_OCCURRENCE))
    )
    matched = (
        rows.lazy()
        .with_columns(pl.int_range(pl.len()).over(key).alias(_OCCURRENCE))
        .join(
            before,
            on=[*key, _OCCURRENCE],
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        .collect()
    )
    repeated = pl.col("_first_file").is_not_null()
    if not matched.select(repeated.any()).item():
        return rows, empty
    kept = matched.filter(~repeated).select(list(TRANSACTION_SCHEMA))
    repeats = matched.filter(repeated).select(
        "source_file",
        "source_sha256",
        "source_row",
        reason=pl.lit(REASON),
        detail=pl.format(
            "{}: the same transaction ({} {} on {}, {} -> {}) is {} of {}; counted once, from {}",
            pl.col("source_locator"),
            pl.col("amount_paid"),
            pl.col("currency_paid"),
            pl.col("booked_at").dt.strftime("%Y-%m-%d %H:%M"),
            pl.coalesce("payer_account", pl.lit("?")),
            pl.coalesce("payee_account", pl.lit("?")),
            pl.col("_first_locator"),
            pl.col("_first_file"),
            pl.col("_first_file"),
        ),
        raw=pl.struct(key).struct.json_encode(),
    )
    return kept, repeats.cast(QUARANTINE_SCHEMA)  # type: ignore[arg-type]


def context(earlier: Sequence[str]) -> str:
    """What a file's repeats depend on besides its own bytes: the hashes of the files compared
    before it, in order ("" when none). A committed file is re-used only under the same one."""
    if not earlier:
        return ""
    return hashlib.sha256("|".join(earlier).encode()).hexdigest()[:16]
