"""The chunked AMLworld reader gives the rows of the whole-file reader, whatever the chunk size.

`write_transactions` (what ingest runs) parses a file in chunks of lines as its accepted scan
is read (the runner sinks it into the lake partition) and writes the quarantined rows as Parquet
parts; DUPLICATE_ROW is the one reason that relates lines, so repeated and bad lines are put on
both sides of chunk boundaries. The lake files the runner writes must not depend on the chunk
size either, byte for byte.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from test_amlworld_fast_path import FX_TABLE, MIXED, SHA, _feed

from finflow.errors import FeedFormatError
from finflow.ingest import amlworld, runner
from finflow.ingest.sniff import sniff


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 7, 1000])
def test_chunked_rows_are_the_whole_file_rows_with_bad_and_repeated_lines_across_chunks(
    tmp_path: Path, chunk_rows: int
) -> None:
    path = _feed(tmp_path, MIXED * 3)  # every repeat of a line lands in another chunk
    whole = amlworld.ingest_transactions(path, SHA, "run-1", FX_TABLE)
    scans = amlworld.write_transactions(
        path, SHA, "run-1", FX_TABLE, tmp_path / "parts", chunk_rows=chunk_rows
    )
    for expected, scan in zip(whole, scans, strict=True):
        assert_frame_equal(scan.collect(), expected)
    assert (whole[1]["reason"] == "DUPLICATE_ROW").sum() > len(MIXED)


def test_duplicate_rows_are_the_later_copies_of_a_line_byte_for_byte(
    tmp_path: Path,
) -> None:
    path = _feed(tmp_path, ["a", "b", "a", "", "b ", "", "a"])
    assert amlworld.duplicate_rows(path).to_list() == [3, 6, 7]


def test_a_file_without_data_lines_gives_empty_scans_with_the_schemas(tmp_path: Path) -> None:
    accepted, quarantined = amlworld.write_transactions(
        _feed(tmp_path, []), SHA, "run-1", FX_TABLE, tmp_path / "parts"
    )
    assert accepted.collect().schema == amlworld.TRANSACTION_SCHEMA
    assert quarantined.collect().height == 0


def test_a_file_that_is_not_utf8_is_refused_by_the_chunked_reader(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(_feed(tmp_path, MIXED[:2]).read_bytes() + b"\xff\xfe,broken\n")
    with pytest.raises(FeedFormatError, match=r"t\.csv: not valid UTF-8 text"):
        amlworld.write_transactions(path, SHA, "run-1", FX_TABLE, tmp_path / "parts")


def _lake_files(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted([*(out / "lake").rglob("*.parquet"), *(out / "quarantine").glob("*")])
    }


def test_the_lake_files_do_not_depend_on_the_chunk_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _feed(tmp_path, MIXED * 40)
    outputs = []
    for chunk_rows in (5, 64, amlworld.CHUNK_ROWS):
        monkeypatch.setattr(amlworld, "CHUNK_ROWS", chunk_rows)
        out = tmp_path / f"out-{chunk_rows}"
        entry = runner.ingest_file(path, SHA, sniff(path), out, "run-1", FX_TABLE)
        whole = amlworld.ingest_transactions(path, SHA, "run-1", FX_TABLE)
        lake_file = runner.partition_path(out, entry["format"], SHA)
        assert_frame_equal(pl.read_parquet(lake_file), whole[0])
        assert entry["rows_read"] == len(MIXED) * 40
        assert entry["rows_quarantined"] == sum(entry["quarantine_by_reason"].values())
        assert not [p for p in (out / "lake").iterdir() if p.name.startswith(".")]  # no scratch
        outputs.append(_lake_files(out))
    assert outputs[0] == outputs[1] == outputs[2]


def test_a_scratch_folder_left_by_a_killed_run_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stale = out / "lake" / ".0123456789abcdef.dead.tmp" / "accepted"
    stale.mkdir(parents=True)
    (stale / "000000.parquet").write_bytes(b"part of a part")
    (tmp_path / "in").mkdir()
    _feed(tmp_path / "in", MIXED)
    runner.ingest_folder(tmp_path / "in", out)
    assert not stale.parent.exists()


def test_a_chunked_file_is_parsed_once_and_its_quarantine_read_after_its_rows(
    tmp_path: Path,
) -> None:
    path = _feed(tmp_path, MIXED * 2)
    accepted, quarantined = amlworld.write_transactions(
        path, SHA, "run-1", FX_TABLE, tmp_path / "parts", chunk_rows=7
    )
    with pytest.raises(RuntimeError, match="read after the accepted ones"):
        quarantined.collect()
    whole = amlworld.ingest_transactions(path, SHA, "run-1", FX_TABLE)
    assert_frame_equal(accepted.collect(), whole[0])
    with pytest.raises(RuntimeError, match="parsed once"):
        accepted.collect()  # a second read would write the quarantined parts again
    for _ in range(2):  # the parts can be read as often as wanted
        assert_frame_equal(quarantined.collect(), whole[1])
    assert quarantined.select(pl.len()).collect().item() == whole[1].height


def test_chunked_rows_to_be_read_twice_are_parsed_at_once_into_a_part(tmp_path: Path) -> None:
    path = _feed(tmp_path, MIXED * 2)
    whole = amlworld.ingest_transactions(path, SHA, "run-1", FX_TABLE)
    accepted, quarantined = amlworld.write_transactions(
        path, SHA, "run-1", FX_TABLE, tmp_path / "parts", chunk_rows=7, reread=True
    )
    assert (tmp_path / "parts" / "accepted.parquet").exists()
    assert_frame_equal(quarantined.collect(), whole[1])  # the pass is already done
    for _ in range(2):
        assert_frame_equal(accepted.collect(), whole[0])


def test_a_chunked_scan_applies_the_filter_columns_and_limit_polars_hands_it(
    tmp_path: Path,
) -> None:
    path = _feed(tmp_path, MIXED * 3)
    whole = amlworld.ingest_transactions(path, SHA, "run-1", FX_TABLE)
    accepted, quarantined = amlworld.write_transactions(
        path, SHA, "run-1", FX_TABLE, tmp_path / "parts", chunk_rows=5
    )
    good = pl.col("currency_paid") == "EUR"
    assert_frame_equal(
        accepted.filter(good).select("source_row").head(2).collect(),
        whole[0].filter(good).select("source_row").head(2),
    )
    assert_frame_equal(quarantined.collect(), whole[1])  # the pass went to the end


def test_a_chunked_file_compared_with_an_earlier_feed_quarantines_the_same_repeats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = MIXED * 4
    entries = {}
    for chunk_rows in (7, amlworld.CHUNK_ROWS):
        monkeypatch.setattr(amlworld, "CHUNK_ROWS", chunk_rows)
        out = tmp_path / f"out-{chunk_rows}"
        folder = tmp_path / f"in-{chunk_rows}"
        folder.mkdir()
        _feed(folder, lines[:40]).rename(folder / "a.csv")
        _feed(folder, lines[30:]).rename(folder / "b.csv")  # rows 1-10 repeat a.csv's 31-40
        runner.ingest_folder(folder, out)
        entries[chunk_rows] = _lake_files(out)
        quarantine = pl.read_parquet(out / "quarantine" / "quarantine.parquet")
        assert (quarantine["reason"] == "DUPLICATE_OF_OTHER_FILE").sum() > 0
        assert not [p for p in (out / "lake").iterdir() if p.name.startswith(".")]
    assert entries[7] == entries[amlworld.CHUNK_ROWS]
