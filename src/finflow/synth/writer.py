"""Write generated rows as AMLworld's three files: Trans.csv, accounts.csv, Patterns.txt.

Every field of the transaction file is built as a string first (timestamps, bank ids and
currency names by lookup in small tables, amounts from integer minor units), so a row written
to Patterns.txt is byte-for-byte the row in Trans.csv. The transaction file has LF line ends
and no quoting; its header repeats `Account`, so it is written by hand and the body by polars.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from finflow.synth import reference as ref
from finflow.synth import rows as R
from finflow.synth.attempt import Attempt
from finflow.synth.population import Population

log = logging.getLogger(__name__)

START = datetime(2022, 9, 1)
"""First minute of every generated period (AMLworld's start date)."""

TRANS_HEADER = (
    "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,"
    "Amount Paid,Payment Currency,Payment Format,Is Laundering"
)
ACCOUNTS_HEADER = ("Bank Name", "Bank ID", "Account Number", "Entity ID", "Entity Name")


def _minute_table(days: int) -> pl.Series:
    """`YYYY/MM/DD HH:MM` for every minute of the period."""
    day_strings = [(START + timedelta(days=d)).strftime("%Y/%m/%d") for d in range(days)]
    clock = [f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)]
    return pl.Series([f"{d} {c}" for d in day_strings for c in clock], dtype=pl.String)


def _decimal(minor: np.ndarray, scale: int) -> pl.Series:
    """Minor units as `units.fraction` strings with `len(str(scale)) - 1` decimals."""
    width = len(str(scale)) - 1
    fraction = pl.Series([f"{i:0{width}d}" for i in range(scale)]) if scale <= 100 else None
    df = pl.DataFrame({"u": minor // scale, "f": minor % scale})
    if fraction is not None:
        df = df.with_columns(fraction.gather(df["f"]).alias("f"))
    else:
        df = df.with_columns(pl.col("f").cast(pl.String).str.zfill(width))
    return df.select(pl.concat_str([pl.col("u").cast(pl.String), pl.lit("."), pl.col("f")]))["u"]


def _amount_strings(minor: np.ndarray, ccy: np.ndarray) -> pl.Series:
    """Two decimals for fiat currencies, up to six (trailing zeros dropped) for Bitcoin."""
    out = _decimal(minor, 100)
    btc = np.flatnonzero(ccy == ref.XBT)
    if len(btc):
        text = _decimal(minor[btc], 1_000_000).str.replace(r"^(\d+\.\d{2}\d*?)0+$", "${1}")
        out = out.scatter(btc, text)
    return out


def _amounts(paid: np.ndarray, received: np.ndarray, rows: R.Rows) -> tuple[pl.Series, pl.Series]:
    """Amount Paid and Amount Received as strings; most rows share one currency, so the
    received strings are the paid ones except where a conversion happened."""
    paid_s = _amount_strings(paid, rows.cur_paid)
    differ = np.flatnonzero(rows.cur_paid != rows.cur_recv)
    received_s = paid_s.clone()
    if len(differ):
        received_s = received_s.scatter(
            differ, _amount_strings(received[differ], rows.cur_recv[differ])
        )
    return paid_s, received_s


def transactions_frame(pop: Population, rows: R.Rows, days: int) -> pl.DataFrame:
    """The transaction file's eleven columns as strings, in file order."""
    if len(rows) and (rows.ts.min() < 0 or rows.ts.max() >= days * R.MINUTES_PER_DAY):
        raise ValueError("generated timestamp outside the period")
    paid, received = R.to_minor(rows)
    paid_s, received_s = _amounts(paid, received, rows)
    banks = pl.Series(pop.bank_id, dtype=pl.String)
    accounts = pl.Series(pop.acct_number, dtype=pl.String)
    currencies = pl.Series(ref.CURRENCIES, dtype=pl.String)
    formats = pl.Series(ref.FORMATS, dtype=pl.String)
    label = (rows.attempt >= 0).view(np.int8)
    return pl.DataFrame(
        [
            _minute_table(days).gather(rows.ts).alias("timestamp"),
            banks.gather(pop.acct_bank[rows.src]).alias("from_bank"),
            accounts.gather(rows.src).alias("from_account"),
            banks.gather(pop.acct_bank[rows.dst]).alias("to_bank"),
            accounts.gather(rows.dst).alias("to_account"),
            received_s.alias("amount_received"),
            currencies.gather(rows.cur_recv).alias("receiving_currency"),
            paid_s.alias("amount_paid"),
            currencies.gather(rows.cur_paid).alias("payment_currency"),
            formats.gather(rows.fmt).alias("payment_format"),
            pl.Series(["0", "1"]).gather(label).alias("is_laundering"),
        ]
    )


def write_transactions(path: Path, frame: pl.DataFrame) -> None:
    """`{name}_Trans.csv`: AMLworld's header, then one unquoted line per payment."""
    with path.open("wb") as fh:
        fh.write((TRANS_HEADER + "\n").encode())
        frame.write_csv(fh, include_header=False, quote_style="never", line_terminator="\n")


def write_patterns(
    path: Path, frame: pl.DataFrame, attempt_of_row: np.ndarray, attempts: list[Attempt]
) -> int:
    """`{name}_Patterns.txt`: one BEGIN/END block per attempt, in order of first row; the
    block's lines are copied from the transaction file. Returns the number of lines."""
    where = np.flatnonzero(attempt_of_row >= 0)
    lines = frame[where.tolist()].select(pl.concat_str(pl.all(), separator=",").alias("l"))
    text = lines["l"].to_list()
    ids = attempt_of_row[where]
    order = np.argsort(ids, kind="stable")
    uniq, first, counts = np.unique(ids, return_index=True, return_counts=True)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    out: list[str] = []
    for k in np.argsort(first, kind="stable"):
        attempt = attempts[int(uniq[k])]
        title = attempt.kind + (f":  {attempt.detail}" if attempt.detail else "")
        out.append(f"BEGIN LAUNDERING ATTEMPT - {title}\n")
        out.extend(text[i] + "\n" for i in order[starts[k] : starts[k] + counts[k]])
        out.append(f"END LAUNDERING ATTEMPT - {attempt.kind}\n\n")
    path.write_text("".join(out), encoding="utf-8", newline="\n")
    return len(where)


def write_accounts(path: Path, pop: Population, used: np.ndarray, names: list[str]) -> int:
    """`{name}_accounts.csv`: one row per account used, sorted by account number and bank."""
    ent = pop.acct_entity[used]
    frame = pl.DataFrame(
        {
            "Bank Name": pl.Series(pop.bank_name).gather(pop.acct_bank[used]),
            "Bank ID": pl.Series(pop.bank_id).gather(pop.acct_bank[used]),
            "Account Number": pl.Series(pop.acct_number).gather(used),
            "Entity ID": pl.Series(pop.entity_id).gather(ent),
            "Entity Name": pl.Series(names).gather(ent),
        }
    ).sort("Account Number", "Bank ID")
    with path.open("wb") as fh:
        frame.write_csv(fh, line_terminator="\n")
    return frame.height
