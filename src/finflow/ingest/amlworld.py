"""AMLworld (IBM "Transactions for Anti Money Laundering") feeds -> canonical rows.

The transactions file repeats the header name ``Account`` (payer and payee), so it is read by
position: each line is split on commas and every field is checked against the row contract.
A row that breaks the contract goes to quarantine with a reason code; nothing is dropped.

Lines are read whole (`read_lines`), so no byte of a hostile line can shift another line, and
checked column-wise: `parse_lines_fast` cuts each line into at most 11 fields in one pass, the
line path `parse_lines` splits every line on every comma; both give the same rows and reasons
(tested, bad lines included), the fast one is the default. Prices in GBP are looked up once per
(day, currency) and the rows keep their file order throughout, so nothing wide is sorted.

`write_transactions` (what ingest runs) reads the file in chunks of `CHUNK_ROWS` lines, so its
memory is that of a chunk, not of the file: each chunk's accepted rows go straight to the
consumer of its scan (the runner streams them into the lake partition), its quarantined rows to
a Parquet part; the one line-to-line relation, DUPLICATE_ROW, is found first for the whole file
by a streaming pass (`duplicate_rows`). It gives the rows `ingest_transactions` gives (tested).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
from polars.io.plugins import register_io_source

from finflow.errors import FeedFormatError
from finflow.ingest.fx import with_gbp
from finflow.schema import ACCOUNT_SCHEMA, QUARANTINE_SCHEMA, TRANSACTION_SCHEMA

log = logging.getLogger(__name__)

FORMAT = "amlworld_transactions"
N_FIELDS = 11
TIMESTAMP_FORMATS = ("%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S")
MAX_AMOUNT = 1e12
"""Above this an amount is absurd for any account (quarantined as ABSURD_AMOUNT)."""
CHUNK_ROWS = 1_000_000
"""Lines `write_transactions` parses at a time (its memory is about that of one chunk)."""
PART_WRITE: dict[str, Any] = {"compression": "lz4", "statistics": False}
"""How scratch parts (quarantined rows; accepted rows to be read twice) are written: read
soon, so cheap to write beats small (at 5M rows zstd with statistics costs 11 s of CPU to
write, lz4 without them 5.5 s)."""

CURRENCIES = {
    "US Dollar": "USD",
    "Euro": "EUR",
    "UK Pound": "GBP",
    "Yuan": "CNY",
    "Yen": "JPY",
    "Rupee": "INR",
    "Ruble": "RUB",
    "Canadian Dollar": "CAD",
    "Australian Dollar": "AUD",
    "Swiss Franc": "CHF",
    "Mexican Peso": "MXN",
    "Brazil Real": "BRL",
    "Shekel": "ILS",
    "Saudi Riyal": "SAR",
    "Bitcoin": "XBT",
}
CHANNELS = {
    "Reinvestment": "internal",
    "Cheque": "cheque",
    "Credit Card": "card",
    "ACH": "ach",
    "Cash": "cash",
    "Wire": "wire",
    "Bitcoin": "crypto",
}

REASONS = {
    "EMPTY_ROW": "blank line",
    "WRONG_FIELD_COUNT": "expected 11 comma-separated fields",
    "DUPLICATE_ROW": "identical to an earlier row of the same file",
    "MISSING_FIELD": "a bank or account field is empty",
    "BAD_TIMESTAMP": "timestamp is not YYYY/MM/DD HH:MM",
    "BAD_AMOUNT": "amount is not a finite number",
    "NONPOSITIVE_AMOUNT": "amount is zero or negative",
    "ABSURD_AMOUNT": f"amount above {MAX_AMOUNT:,.0f}",
    "UNKNOWN_CURRENCY": "currency name not in the AMLworld list",
    "UNKNOWN_PAYMENT_FORMAT": "payment format not in the AMLworld list",
    "BAD_LABEL": "Is Laundering is not 0 or 1",
    "NO_FX_RATE": "no FX rate to GBP on or before the booking date",
}
"""Reason code -> what the investigator or engineer reads in quarantine."""


def _scan_lines(path: Path) -> pl.LazyFrame:
    """Every data line of `path` verbatim (``raw``) with its 1-based data row number.

    Lines are split on newlines only (a CR before one is dropped), never on a field separator
    or quote, so any byte inside a line stays in that line's ``raw``; a blank line is a row too
    (quarantined as EMPTY_ROW), so the numbers are the physical line numbers minus the header.
    """
    lines = pl.scan_lines(path, name="raw", row_index_name="source_row").slice(1)
    return lines.select(pl.col("source_row").cast(pl.Int64), "raw")


def _unreadable(path: Path, exc: pl.exceptions.ComputeError) -> FeedFormatError:
    """The error for a file polars cannot read as lines of text."""
    message = str(exc).splitlines()[0]
    if "utf-8" in message.lower() or "utf8" in message.lower():
        return FeedFormatError(f"{path.name}: not valid UTF-8 text")
    return FeedFormatError(f"{path.name}: cannot be read as a text feed ({message})")


def read_lines(path: Path) -> pl.DataFrame:
    """Every data line of `path` (see `_scan_lines`), read whole."""
    try:
        return _scan_lines(path).collect()
    except pl.exceptions.ComputeError as exc:
        raise _unreadable(path, exc) from exc


def duplicate_rows(path: Path) -> pl.Series:
    """The ``source_row`` of every line identical to an earlier line of `path`, ascending.

    Streaming, in two passes that hold a hash per line at most (8 bytes a line): the hashes seen
    more than once pick the candidate lines, and only those are compared verbatim, in file
    order (two lines with the same hash but other bytes are not duplicates). The repeated
    hashes are found by sorting the hashes and comparing neighbours (at 5M lines the first
    pass then costs 0.45 s of CPU against 0.7 s with a group-by on them); the second pass
    is skipped when no hash repeats.
    """
    try:
        hashed = _scan_lines(path).with_columns(_hash=pl.col("raw").hash())
        hashes = hashed.select("_hash").collect(engine="streaming")["_hash"].sort()
        repeated = hashes.filter(hashes == hashes.shift(1)).unique()
        if repeated.is_empty():
            return pl.Series("source_row", [], dtype=pl.Int64)
        candidates = (
            hashed.filter(pl.col("_hash").is_in(repeated.implode()))
            .select("source_row", "raw")
            .collect(engine="streaming")
            .sort("source_row")
        )
    except pl.exceptions.ComputeError as exc:
        raise _unreadable(path, exc) from exc
    return candidates.filter(~pl.col("raw").is_first_distinct())["source_row"]


def _field(i: int) -> pl.Expr:
    return pl.col("_parts").list.get(i, null_on_oob=True).str.strip_chars()


def _timestamp(expr: pl.Expr) -> pl.Expr:
    parsed = [expr.str.strptime(pl.Datetime("us"), fmt, strict=False) for fmt in TIMESTAMP_FORMATS]
    return pl.coalesce(parsed).dt.replace_time_zone("UTC")


def _amount(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.Float64, strict=False)


def _reason(wrong_count: pl.Expr, duplicate: pl.Expr) -> pl.Expr:
    """The first broken rule of the row contract, in a fixed order (null when the row is good).

    Reads ``raw`` and the typed columns of `_typed`; `wrong_count` and `duplicate` say
    whether the line has other than `N_FIELDS` comma-separated fields and whether an earlier
    line was identical.
    """
    amounts = [pl.col("amount_paid"), pl.col("amount_received")]
    checks: list[tuple[str, pl.Expr]] = [
        ("EMPTY_ROW", pl.col("raw").is_null() | (pl.col("raw").str.strip_chars() == "")),
        ("WRONG_FIELD_COUNT", wrong_count),
        ("DUPLICATE_ROW", duplicate),
        (
            "MISSING_FIELD",
            pl.any_horizontal(
                [pl.col(c).is_null() | (pl.col(c) == "") for c in ("_fb", "_fa", "_tb", "_ta")]
            ),
        ),
        ("BAD_TIMESTAMP", pl.col("booked_at").is_null()),
        ("BAD_AMOUNT", pl.any_horizontal([a.is_null() | ~a.is_finite() for a in amounts])),
        ("NONPOSITIVE_AMOUNT", pl.any_horizontal([a <= 0 for a in amounts])),
        ("ABSURD_AMOUNT", pl.any_horizontal([a > MAX_AMOUNT for a in amounts])),
        (
            "UNKNOWN_CURRENCY",
            pl.col("currency_paid").is_null() | pl.col("currency_received").is_null(),
        ),
        ("UNKNOWN_PAYMENT_FORMAT", pl.col("channel").is_null()),
        ("BAD_LABEL", pl.col("label").is_null()),
    ]
    expr = pl.lit(None, dtype=pl.String)
    for code, broken in reversed(checks):
        expr = pl.when(broken.fill_null(True)).then(pl.lit(code)).otherwise(expr)
    return expr


def _typed(field: Callable[[int], pl.Expr]) -> dict[str, pl.Expr]:
    """The typed columns of a row from its stripped fields (`field(i)`, 0-based, null if absent)."""
    return {
        "booked_at": _timestamp(field(0)),
        "_fb": field(1),
        "_fa": field(2),
        "_tb": field(3),
        "_ta": field(4),
        "amount_received": _amount(field(5)),
        "currency_received": field(6).replace_strict(CURRENCIES, default=None),
        "amount_paid": _amount(field(7)),
        "currency_paid": field(8).replace_strict(CURRENCIES, default=None),
        "channel": field(9).replace_strict(CHANNELS, default=None),
        "label": field(10).replace_strict({"0": 0, "1": 1}, default=None, return_dtype=pl.Int8),
    }


_PARTY_COLUMNS = {
    "_fb": "payer_bank",
    "_fa": "payer_account",
    "_tb": "payee_bank",
    "_ta": "payee_account",
}


def _first_occurrence_rule() -> pl.Expr:
    """DUPLICATE_ROW when `lines` is the whole file: the line is not its first copy."""
    return ~pl.col("raw").is_first_distinct()


def parse_lines(lines: pl.LazyFrame, duplicate: pl.Expr | None = None) -> pl.LazyFrame:
    """Split raw AMLworld lines into typed columns plus a ``reason`` (null when valid).

    The line path: each line is split on every comma into a list, whatever its field count.
    It defines the row contract; `parse_lines_fast` must give the same columns. `duplicate`
    says which lines repeat an earlier one (default: an earlier line of `lines`).
    """
    parts = lines.with_columns(_parts=pl.col("raw").str.split(","))
    typed = parts.with_columns(**_typed(_field))
    repeat = _first_occurrence_rule() if duplicate is None else duplicate
    wrong_count = pl.col("_parts").list.len() != N_FIELDS
    return typed.with_columns(reason=_reason(wrong_count, repeat)).rename(_PARTY_COLUMNS)


def edge_space(raw: pl.Expr) -> pl.Expr:
    r"""Per line `raw`: whether stripping its comma-separated fields might change one.

    True when the line has whitespace beside a comma or at either end, or any character
    that is not ASCII (its fields are then stripped unchecked). In ASCII text the
    whitespace `str.strip_chars` strips is exactly ``[\t-\r ]`` (tested on every code
    point), so on ASCII lines this is exact; the three checks cost 60% of one regex over
    Unicode ``\s`` (0.08 s against 0.14 s of CPU per million lines).
    """
    return (
        (raw.str.len_chars() != raw.str.len_bytes())
        | raw.str.contains(r",[\t-\r ]|[\t-\r ],")
        | (raw.str.strip_chars().str.len_bytes() != raw.str.len_bytes())
    )


def has_edge_space(lines: pl.LazyFrame) -> bool:
    """Whether stripping the fields of any of `lines` might change one (`edge_space`)."""
    return bool(lines.select(edge_space(pl.col("raw")).any()).collect().item())


def parse_lines_fast(
    lines: pl.LazyFrame, duplicate: pl.Expr | None = None, *, strip: bool = True
) -> pl.LazyFrame:
    """`parse_lines` for the normal case, in fewer and cheaper passes; same result columns.

    A line is cut at its first 11 commas into at most 12 fields (`splitn`, no list column):
    it has exactly 11 fields when the 11th is there and no 12th (the rest of a longer line);
    a line with another number of commas is WRONG_FIELD_COUNT either way, so its fields are
    never read. The same cut tells the field count, so the commas are not counted apart.
    ``strip=False`` leaves the fields as cut, for lines where stripping them changes nothing
    (`has_edge_space` is false): stripping 11 fields costs 2.5 times that check.
    """
    split = pl.col("raw").str.splitn(",", N_FIELDS + 1)

    def part(i: int) -> pl.Expr:
        return pl.col("_split").struct.field(f"field_{i}")

    def field(i: int) -> pl.Expr:
        return part(i).str.strip_chars() if strip else part(i)

    typed = lines.with_columns(_split=split).with_columns(**_typed(field))
    return (
        typed.with_columns(
            reason=_reason(
                part(N_FIELDS - 1).is_null() | part(N_FIELDS).is_not_null(),
                _first_occurrence_rule() if duplicate is None else duplicate,
            )
        )
        .drop("_split")
        .rename(_PARTY_COLUMNS)
    )


_CURRENCY_NUMBERS = {code: n for n, code in enumerate(sorted(set(CURRENCIES.values())))}
"""Currency code -> a small number, to pack a (day, currency) pair into one integer."""


def _gbp_rates(parsed: pl.DataFrame, fx: pl.DataFrame) -> pl.LazyFrame:
    """`parsed` with ``fx_rate`` and ``amount_gbp`` as `finflow.ingest.fx.with_gbp` gives them,
    in row order, for the rows without a reason (null for the others).

    The as-of join runs on the distinct (booking day, currency) pairs only, and its rates are
    mapped back to the rows by that pair packed into one integer (days since 1970 times 64
    plus the currency's number in `_CURRENCY_NUMBERS`): a lookup on one Int64 column, which
    costs 40% less than a join on the date and currency columns, and the wide frame is never
    sorted.
    """
    good = pl.col("reason").is_null()
    day = pl.col("booked_at").dt.date()
    currency = pl.col("currency_paid").replace_strict(
        _CURRENCY_NUMBERS, default=None, return_dtype=pl.Int64
    )
    pair = day.cast(pl.Int64) * 64 + currency
    keys = (
        parsed.lazy()
        .filter(good)
        .select(_pair=pair, _rate_day=day, currency_paid="currency_paid")
        .unique(subset="_pair")
    )
    rates = (
        with_gbp(
            keys.with_columns(
                booked_at=pl.col("_rate_day").cast(pl.Datetime("us", "UTC")),
                amount_paid=pl.lit(0.0),
            ),
            fx,
        )
        .select("_pair", "fx_rate")
        .collect()
    )
    return (
        parsed.lazy()
        .with_columns(
            fx_rate=pl.when(good)
            .then(pair)
            .replace_strict(rates["_pair"], rates["fx_rate"], default=None, return_dtype=pl.Float64)
        )
        .with_columns(amount_gbp=pl.col("amount_paid") * pl.col("fx_rate"))
    )


def _split(
    lines: pl.LazyFrame,
    path: Path,
    sha256: str,
    run_id: str,
    fx: pl.DataFrame,
    *,
    fast: bool = True,
    duplicate: pl.Expr | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(canonical rows, quarantined rows) of `lines` of file `path`, both in line order."""
    if fast:
        parsed = parse_lines_fast(lines, duplicate, strip=has_edge_space(lines))
    else:
        parsed = parse_lines(lines, duplicate)
    priced = _gbp_rates(parsed.collect(), fx).with_columns(
        reason=pl.coalesce(
            "reason", pl.when(pl.col("fx_rate").is_null()).then(pl.lit("NO_FX_RATE"))
        )
    )
    provenance = {
        "source_file": pl.lit(path.name),
        "source_sha256": pl.lit(sha256),
        # The row number as text once for both (concat_str: 20% cheaper than pl.format).
        "source_locator": pl.concat_str(pl.lit("row "), pl.col("_row_text")),
        "source_format": pl.lit(FORMAT),
        "txn_id": pl.concat_str(pl.lit(f"{sha256[:16]}:"), pl.col("_row_text")),
        # AMLworld carries no names, references or payment identifiers: null, not invented.
        **{
            c: pl.lit(None, dtype=pl.String)
            for c in ("reference", "payer_name", "payee_name", "end_to_end_id", "uetr")
        },
        "ingest_run_id": pl.lit(run_id),
    }
    # Lines are read in order and nothing below reorders them: both frames are by source_row.
    frame = priced.collect()
    accepted = (
        frame.lazy()
        .filter(pl.col("reason").is_null())
        .with_columns(_row_text=pl.col("source_row").cast(pl.String))
        .with_columns(**provenance)
        .select([pl.col(c).cast(t) for c, t in TRANSACTION_SCHEMA.items()])
    )
    quarantined = (
        frame.lazy()
        .filter(pl.col("reason").is_not_null())
        .select(
            source_file=pl.lit(path.name),
            source_sha256=pl.lit(sha256),
            source_row="source_row",
            reason="reason",
            detail=pl.col("reason").replace_strict(REASONS, default="invalid row"),
            raw="raw",
        )
        .select([pl.col(c).cast(t) for c, t in QUARANTINE_SCHEMA.items()])
    )
    accepted_frame, quarantined_frame = pl.collect_all([accepted, quarantined])
    return accepted_frame, quarantined_frame


def ingest_transactions(
    path: Path, sha256: str, run_id: str, fx: pl.DataFrame, *, fast: bool = True
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read one AMLworld transactions file whole into (canonical rows, quarantined rows).

    `fast` parses with `parse_lines_fast`; ``fast=False`` with the line path `parse_lines`.
    Both give identical frames (tested); the fast one is the default.
    """
    accepted, quarantined = _split(read_lines(path).lazy(), path, sha256, run_id, fx, fast=fast)
    # One chunk per column: the Parquet bytes then depend on the rows only, not on how the
    # engine happened to split the work (the same file gives a byte-identical partition).
    accepted = accepted.rechunk()
    log.info("%s: %d accepted, %d quarantined", path.name, accepted.height, quarantined.height)
    return accepted, quarantined


def _chunks(path: Path, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """The data lines of `path` (see `_scan_lines`) in file order, about `chunk_rows` at a time."""
    try:
        yield from _scan_lines(path).collect_batches(chunk_size=chunk_rows)
    except pl.exceptions.ComputeError as exc:
        raise _unreadable(path, exc) from exc


class _ChunkPass:
    """The one pass over a file's chunks behind `write_transactions`' scans.

    The accepted rows of each chunk go straight to whoever consumes the accepted scan (the
    runner sinks them into the lake partition), its quarantined rows to a Parquet part under
    `scratch`; the quarantined scan reads those parts, so it is read after the accepted one.
    The file is parsed once: a second read of the accepted scan is an error, not a re-parse.

    The scans are polars io sources (`register_io_source`, which polars marks unstable: its
    call signature is pinned by requirements.lock and exercised by tests/ingest, including
    the filter, columns and row limit polars may push down to it).
    """

    def __init__(
        self,
        chunks: Iterator[pl.DataFrame],
        parse: Callable[[pl.DataFrame], tuple[pl.DataFrame, pl.DataFrame]],
        scratch: Path,
        name: str,
    ) -> None:
        self._chunks: Iterator[pl.DataFrame] | None = chunks
        self._parse = parse
        self._folder = scratch / "quarantined"
        self._folder.mkdir(parents=True, exist_ok=True)
        self._parts: list[Path] = []
        self._name = name
        self._counts = {"accepted": 0, "quarantined": 0}
        self._done = False

    def accepted(
        self,
        with_columns: list[str] | None,
        predicate: pl.Expr | None,
        n_rows: int | None,
        _batch_size: int | None,
    ) -> Iterator[pl.DataFrame]:
        """The accepted rows chunk by chunk (an io source, see `register_io_source`); every
        chunk is parsed even past `n_rows`, so that the quarantined parts are whole."""
        if self._chunks is None:
            raise RuntimeError(
                f"{self._name}: its rows are parsed once; write them, then read that"
            )
        chunks, self._chunks = self._chunks, None
        left = n_rows
        for number, lines in enumerate(chunks):
            accepted, quarantined = self._parse(lines)
            if quarantined.height:
                self._parts.append(self._folder / f"{number:06d}.parquet")
                quarantined.write_parquet(self._parts[-1], **PART_WRITE)
            self._counts["accepted"] += accepted.height
            self._counts["quarantined"] += quarantined.height
            if left is None or left > 0:
                out = _pushed_down(accepted, with_columns, predicate, left)
                left = None if left is None else left - out.height
                yield out
        self._done = True
        log.info(
            "%s: %d accepted, %d quarantined",
            self._name,
            self._counts["accepted"],
            self._counts["quarantined"],
        )

    def quarantined(
        self,
        with_columns: list[str] | None,
        predicate: pl.Expr | None,
        n_rows: int | None,
        _batch_size: int | None,
    ) -> Iterator[pl.DataFrame]:
        """The quarantined parts in file order (an io source), once the accepted pass is done."""
        if not self._done:
            raise RuntimeError(f"{self._name}: quarantined rows are read after the accepted ones")
        scans = [pl.scan_parquet(part) for part in self._parts]
        scan = pl.concat(scans) if scans else pl.LazyFrame(schema=QUARANTINE_SCHEMA)
        yield _pushed_down(scan, with_columns, predicate, n_rows)


def _pushed_down(
    frame: pl.DataFrame | pl.LazyFrame,
    with_columns: list[str] | None,
    predicate: pl.Expr | None,
    n_rows: int | None,
) -> pl.DataFrame:
    """`frame` with the filter, projection and row limit polars pushed down to an io source."""
    lazy = frame.lazy()
    if predicate is not None:
        lazy = lazy.filter(predicate)
    if with_columns is not None:
        lazy = lazy.select(with_columns)
    return (lazy if n_rows is None else lazy.head(n_rows)).collect()


def write_transactions(
    path: Path,
    sha256: str,
    run_id: str,
    fx: pl.DataFrame,
    scratch: Path,
    *,
    chunk_rows: int | None = None,
    reread: bool = False,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """`ingest_transactions` chunk by chunk: (canonical rows, quarantined rows) as scans that
    parse the file as the first is consumed, in file order (a file of one chunk is parsed in
    memory as a whole, its scans are of those frames).

    The same rows as `ingest_transactions` (tested, with bad and repeated lines on both sides
    of chunk boundaries); only one chunk of `chunk_rows` (default `CHUNK_ROWS`) lines is in
    memory at a time. The accepted scan is read once, first (the runner sinks it into the
    lake partition: no copy of the rows is written anywhere else); the quarantined scan,
    made of parts written under `scratch` during that read, after it and while `scratch`
    exists. DUPLICATE_ROW is decided for the whole file before this returns
    (`duplicate_rows`), so is a file that is not UTF-8 text.

    `reread` says the accepted rows will be read more than once (the runner compares them
    with earlier feeds first): the file is then parsed now, its accepted rows written to a
    scratch part under `scratch` as well, and both scans read those parts.
    """
    chunks = _chunks(path, chunk_rows or CHUNK_ROWS)
    first, second = next(chunks, None), next(chunks, None)
    if second is None:  # one chunk holds the file: no parts, no separate duplicate pass
        lines = _scan_lines(path).clear().collect() if first is None else first
        accepted, quarantined = _split(lines.lazy(), path, sha256, run_id, fx)
        log.info("%s: %d accepted, %d quarantined", path.name, accepted.height, quarantined.height)
        return accepted.lazy(), quarantined.lazy()
    duplicate = pl.col("source_row").is_in(duplicate_rows(path).implode())
    head = [chunk for chunk in (first, second) if chunk is not None]

    def parse(lines: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        return _split(lines.lazy(), path, sha256, run_id, fx, duplicate=duplicate)

    one_pass = _ChunkPass(itertools.chain(head, chunks), parse, scratch, path.name)
    rows = register_io_source(one_pass.accepted, schema=TRANSACTION_SCHEMA)
    if reread:
        rows.sink_parquet(scratch / "accepted.parquet", **PART_WRITE)
        rows = pl.scan_parquet(scratch / "accepted.parquet")
    return rows, register_io_source(one_pass.quarantined, schema=QUARANTINE_SCHEMA)


def ingest_accounts(path: Path, sha256: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read an AMLworld accounts file into (accounts, quarantined rows)."""
    try:
        raw = pl.read_csv(path, infer_schema=False, encoding="utf8").fill_null("")
    except pl.exceptions.PolarsError as exc:
        raise FeedFormatError(f"{path.name}: malformed CSV ({str(exc).splitlines()[0]})") from exc
    frame = raw.select(
        source_row=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
        bank_name=pl.col("Bank Name").str.strip_chars(),
        bank=pl.col("Bank ID").str.strip_chars(),
        account=pl.col("Account Number").str.strip_chars(),
        entity_id=pl.col("Entity ID").str.strip_chars(),
        entity_name=pl.col("Entity Name"),
        raw=pl.concat_str(pl.all(), separator=",", ignore_nulls=True),
    )
    reason = (
        pl.when((pl.col("bank") == "") | (pl.col("account") == ""))
        .then(pl.lit("MISSING_FIELD"))
        .when(~pl.struct("bank", "account").is_first_distinct())
        .then(pl.lit("DUPLICATE_ROW"))
    )
    frame = frame.with_columns(reason=reason)
    accounts = (
        frame.filter(pl.col("reason").is_null())
        .with_columns(source_file=pl.lit(path.name), source_sha256=pl.lit(sha256))
        .select([pl.col(c).cast(t) for c, t in ACCOUNT_SCHEMA.items()])
    )
    quarantined = (
        frame.filter(pl.col("reason").is_not_null())
        .with_columns(
            source_file=pl.lit(path.name),
            source_sha256=pl.lit(sha256),
            detail=pl.col("reason").replace_strict(
                {
                    "MISSING_FIELD": "bank id or account number is empty",
                    "DUPLICATE_ROW": "the same (bank, account) is listed earlier",
                },
                default="invalid row",
            ),
        )
        .select([pl.col(c).cast(t) for c, t in QUARANTINE_SCHEMA.items()])
    )
    return accounts, quarantined
