"""The AMLworld reader's fast path gives exactly what the line path gives, bad lines included.

`ingest_transactions` parses with `parse_lines_fast` (fields cut with `splitn`, no list
column) unless ``fast=False``, which uses the line path `parse_lines` (every line split on every
comma). Whatever the lines, both must produce the same accepted rows and the same quarantined
rows with the same reasons, down to the bytes of the Parquet files the lake keeps.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from test_hostile_input import GOOD_AML, aml_line

from finflow.errors import FinflowError
from finflow.ingest import amlworld
from finflow.ingest.fx import load_fx, with_gbp
from finflow.ingest.runner import LAKE_WRITE
from finflow.ingest.sniff import AMLWORLD_TRANS_HEADER

SHA = "ef" * 32
FX = load_fx(None)

MIXED = [
    GOOD_AML,
    "2022/09/01 00:22,03208,B1,1,C1,1200.50,Euro,1380.00,US Dollar,ACH,0",
    "",  # blank line
    "   ",
    "2022/09/01 00:24,030,C1,010,A1,-5,UK Pound,-5,UK Pound,Wire,0",
    "2022/09/01 00:24,030,C1,010,A1,1e15,UK Pound,1e15,UK Pound,Wire,0",
    "2022/09/01 00:24,030,C1,010,A1,abc,UK Pound,5,UK Pound,Wire,0",
    "2022/09/01 00:24,030,C1,010,A1,inf,UK Pound,5,UK Pound,Wire,0",
    "not,enough,fields",
    GOOD_AML + ",extra",  # 12 fields
    '"2022/09/01 00:25","0011","A1","03208","B1","5","UK Pound","5","UK Pound","Wire","0"',
    "2022/13/45 00:24,030,C1,010,A1,5,UK Pound,5,UK Pound,Wire,0",
    "2022/09/01 00:24:59,030,C1,010,A1,5,UK Pound,5,UK Pound,Wire,0",  # seconds: accepted
    " 2022/09/01 00:26 , 030 , C1 , 010 , A1 , 5 , Euro , 5 , Euro , Cash , 1 ",  # padded
    "2022/09/01 00:24,030,C1,010,A1,5,Zloty,5,UK Pound,Wire,0",
    "2022/09/01 00:24,030,C1,010,A1,5,UK Pound,5,UK Pound,Carrier Pigeon,0",
    "2022/09/01 00:24,030,,010,A1,5,UK Pound,5,UK Pound,Wire,0",
    "2022/09/01 00:24,030,C1,010,A1,5,UK Pound,5,UK Pound,Wire,maybe",
    "2022/09/01 00:27,030,Café,010,Ä1,7,Yen,7,Yen,Wire,0",  # no Yen rate that day: NO_FX_RATE
    "2022/09/02 00:27,030,Café,010,Ä1,7,Yen,7,Yen,Wire,0",
    GOOD_AML,  # duplicate of a good line
    "not,enough,fields",  # a repeated bad line keeps its own reason
    "2022/09/01 00:24,030,C1,010,A1,-5,UK Pound,-5,UK Pound,Wire,0",  # repeat of a bad line
]
FX_TABLE = pl.DataFrame(
    {
        "date": ["2000-01-01", "2000-01-01", "2000-01-01", "2022-09-02", "2022-09-03"],
        "currency": ["GBP", "USD", "EUR", "JPY", "JPY"],
        "rate_to_gbp": [1.0, 0.8, 0.85, 0.006, 0.0061],
    }
).with_columns(pl.col("date").str.to_date())


def _parquet(frame: pl.DataFrame) -> bytes:
    """The bytes the lake would hold for `frame` (the runner's writer settings)."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer, **LAKE_WRITE)
    return buffer.getvalue()


def _feed(folder: Path, lines: list[str], newline: str = "\n") -> Path:
    path = folder / "t.csv"
    path.write_bytes((newline.join([AMLWORLD_TRANS_HEADER, *lines]) + newline).encode("utf-8"))
    return path


def _both(path: Path, fx: pl.DataFrame = FX) -> tuple[tuple[pl.DataFrame, pl.DataFrame], ...]:
    fast = amlworld.ingest_transactions(path, SHA, "run-1", fx)
    line = amlworld.ingest_transactions(path, SHA, "run-1", fx, fast=False)
    return fast, line


def _same(fast: tuple[pl.DataFrame, pl.DataFrame], line: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    for got, expected in zip(fast, line, strict=True):
        assert_frame_equal(got, expected)
        assert _parquet(got) == _parquet(expected)


def test_fast_and_line_paths_write_identical_lake_files_on_a_file_with_bad_lines(
    tmp_path: Path,
) -> None:
    for newline in ("\n", "\r\n"):
        folder = tmp_path / f"n{len(newline)}"
        folder.mkdir()
        fast, line = _both(_feed(folder, MIXED, newline), FX_TABLE)
        _same(fast, line)
        accepted, quarantined = fast
        assert accepted.height + quarantined.height == len(MIXED)
        assert accepted["source_row"].to_list() == [1, 2, 13, 14, 20]
        assert quarantined["reason"].to_list() == [
            "EMPTY_ROW",
            "EMPTY_ROW",
            "NONPOSITIVE_AMOUNT",
            "ABSURD_AMOUNT",
            "BAD_AMOUNT",
            "BAD_AMOUNT",
            "WRONG_FIELD_COUNT",
            "WRONG_FIELD_COUNT",
            "BAD_TIMESTAMP",  # quotes are not CSV quoting here: '"2022/09/01 00:25"' is no time
            "BAD_TIMESTAMP",
            "UNKNOWN_CURRENCY",
            "UNKNOWN_PAYMENT_FORMAT",
            "MISSING_FIELD",
            "BAD_LABEL",
            "NO_FX_RATE",
            "DUPLICATE_ROW",
            "WRONG_FIELD_COUNT",
            "DUPLICATE_ROW",
        ]
        assert quarantined["source_row"].is_sorted()
        padded = accepted.filter(pl.col("source_row") == 14)
        assert padded.select("payer_bank", "currency_paid", "channel", "label").row(0) == (
            "030",
            "EUR",
            "cash",
            1,
        )


def test_gbp_prices_are_those_of_the_as_of_join_on_every_row(tmp_path: Path) -> None:
    accepted, quarantined = amlworld.ingest_transactions(
        _feed(tmp_path, MIXED), SHA, "run-1", FX_TABLE
    )
    reference = (
        with_gbp(accepted.drop("fx_rate", "amount_gbp").lazy(), FX_TABLE)
        .collect()
        .sort("source_row")
        .select(accepted.columns)
    )
    assert_frame_equal(accepted, reference)
    yen = accepted.filter(pl.col("currency_paid") == "JPY")
    assert yen.select("fx_rate", "amount_gbp").row(0) == (0.006, 7 * 0.006)
    assert quarantined.filter(pl.col("reason") == "NO_FX_RATE")["source_row"].to_list() == [19]


def test_the_same_file_gives_byte_identical_lake_files(tmp_path: Path) -> None:
    path = _feed(tmp_path, MIXED * 50)  # several hundred rows, most of them duplicates
    first = amlworld.ingest_transactions(path, SHA, "run-1", FX)
    second = amlworld.ingest_transactions(path, SHA, "run-1", FX)
    assert [_parquet(f) for f in first] == [_parquet(f) for f in second]


def test_the_edge_space_check_never_misses_a_field_that_stripping_changes() -> None:
    # Every code point but the surrogates and the line break, at each edge of a field and
    # inside one: the check that lets the fast path skip stripping must never miss a field
    # that `strip_chars` would change, and on ASCII lines it must be exact.
    points = [chr(i) for i in range(0x110000) if i != 0x0A and not 0xD800 <= i <= 0xDFFF]
    raw = pl.Series(
        "raw",
        [line for c in points for line in (f"{c}a,b", f"a{c},b", f"a,{c}b", f"a,b{c}", f"a{c}b,c")],
    )
    fields = raw.str.split(",")
    changed = fields.list.eval(pl.element().str.strip_chars() != pl.element()).list.any()
    flagged = raw.to_frame().select(amlworld.edge_space(pl.col("raw")))["raw"]
    assert not (changed & ~flagged).any()
    ascii_lines = raw.str.len_chars() == raw.str.len_bytes()
    assert (flagged.filter(ascii_lines) == changed.filter(ascii_lines)).all()
    assert changed.sum() == 4 * 24  # the 25 White_Space characters but the line break
    assert amlworld.has_edge_space(raw.to_frame().lazy())
    assert not amlworld.has_edge_space(pl.LazyFrame({"raw": [GOOD_AML, "a b,c"]}))


PADS = ["\t", "\x0b", "\x0c", "\r", " ", "\x85", "\xa0", "\u2000", "\u3000", "\u2029"]


def test_a_field_padded_with_any_whitespace_is_stripped_among_clean_lines(
    tmp_path: Path,
) -> None:
    # Clean lines parse without stripping; one padded field anywhere in the file (any of
    # the whitespace characters, at either edge of any field) must still be stripped.
    fields = GOOD_AML.split(",")
    for n, pad in enumerate(PADS):
        folder = tmp_path / f"p{n}"
        folder.mkdir()
        where = n % len(fields)
        padded = fields.copy()
        padded[where] = f"{pad}{padded[where]}" if n % 2 else f"{padded[where]}{pad}"
        lines = [GOOD_AML.replace("00:21", f"00:{m:02d}") for m in range(30, 40)]
        lines.insert(5, ",".join(padded))
        fast, line = _both(_feed(folder, lines))
        _same(fast, line)
        accepted, quarantined = fast
        assert quarantined.height == 0, (repr(pad), quarantined["reason"].to_list())
        assert accepted.drop("source_row", "source_locator", "txn_id", "booked_at").n_unique() == 1


line = st.one_of(aml_line(), st.sampled_from(MIXED))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(lines=st.lists(line, max_size=25), crlf=st.booleans())
def test_fast_and_line_paths_agree_on_any_mix_of_lines(
    tmp_path: Path, lines: list[str], crlf: bool
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = _feed(folder, lines, "\r\n" if crlf else "\n")
    outcomes = []
    for fast in (True, False):
        try:
            outcomes.append(amlworld.ingest_transactions(path, SHA, "r", FX_TABLE, fast=fast))
        except FinflowError as exc:  # a refusal must be the same refusal
            outcomes.append(str(exc))  # type: ignore[arg-type]
    if isinstance(outcomes[0], str) or isinstance(outcomes[1], str):
        assert outcomes[0] == outcomes[1]
        return
    _same(outcomes[0], outcomes[1])
    assert outcomes[0][0].height + outcomes[0][1].height == len(lines)
