"""Ingest is a no-op for content it already has: in the same delivery, or from an earlier run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl

from finflow.ingest.runner import ingest_folder
from finflow.ingest.sniff import AMLWORLD_TRANS_HEADER

LINES = [
    "2022/09/01 00:21,0011,A1,03208,B1,1500.00,UK Pound,1500.00,UK Pound,Wire,1",
    "2022/09/01 00:22,03208,B1,1,C1,1200.50,Euro,1380.00,US Dollar,ACH,0",
    "2022/09/01 00:23,030,C1,010,A1,-5,UK Pound,-5,UK Pound,Wire,0",
]


def feed(folder: Path, name: str, lines: list[str] = LINES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([AMLWORLD_TRANS_HEADER, *lines]) + "\n")
    return path


def partitions(out: Path) -> list[Path]:
    return sorted((out / "lake" / "transactions").glob("*.parquet"))


def test_a_file_given_twice_under_another_name_is_ingested_once_with_a_ledger_entry(
    tmp_path: Path,
) -> None:
    feed(tmp_path / "in", "monday.csv")
    shutil.copy(tmp_path / "in" / "monday.csv", tmp_path / "in" / "resent.csv")
    result = ingest_folder(tmp_path / "in", tmp_path / "out")
    first, second = result["files"]
    assert (first["file"], first["status"]) == ("monday.csv", "ingested")
    assert (second["file"], second["status"], second["format"]) == (
        "resent.csv",
        "duplicate",
        "duplicate",
    )
    assert second["sha256"] == first["sha256"]
    assert "same content as monday.csv" in second["message"]
    assert (second["rows_read"], second["rows_accepted"], second["rows_quarantined"]) == (0, 0, 0)
    assert result["totals"]["rows_read"] == 3  # counted once
    assert len(partitions(tmp_path / "out")) == 1
    quarantine = pl.read_parquet(tmp_path / "out/quarantine/quarantine.parquet")
    assert quarantine["source_file"].to_list() == ["monday.csv"]


def test_a_file_ingested_in_an_earlier_run_is_not_read_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    feed(tmp_path / "day1", "a.csv")
    ingest_folder(tmp_path / "day1", out)
    (partition,) = partitions(out)
    before = partition.stat()

    feed(tmp_path / "day2", "c.csv", LINES[:1])
    shutil.copy(tmp_path / "day1" / "a.csv", tmp_path / "day2" / "b.csv")  # sent again, renamed
    result = ingest_folder(tmp_path / "day2", out)
    by_name = {e["file"]: e for e in result["files"]}
    reused = by_name["b.csv"]
    assert reused["status"] == "ingested"
    assert "already ingested" in reused["reused"] and "as a.csv" in reused["reused"]
    assert (reused["rows_read"], reused["rows_accepted"], reused["rows_quarantined"]) == (3, 2, 1)
    assert "reused" not in by_name["c.csv"]
    after = partition.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # untouched
    assert len(partitions(out)) == 2
    # the rows keep the provenance of their first ingest; the quarantine lists both files' rows
    assert pl.read_parquet(partition)["source_file"].unique().to_list() == ["a.csv"]
    assert result["totals"]["rows_read"] == 4


def test_a_committed_file_is_read_again_when_its_outputs_or_fx_table_changed(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    feed(tmp_path / "in", "a.csv")
    ingest_folder(tmp_path / "in", out)
    (partition,) = partitions(out)
    partition.unlink()  # a lost partition: the ledger entry alone is not trusted
    result = ingest_folder(tmp_path / "in", out)
    assert "reused" not in result["files"][0]
    assert partition.exists()

    fx = tmp_path / "fx.csv"
    fx.write_text("date,currency,rate_to_gbp\n2000-01-01,GBP,1\n2000-01-01,USD,0.5\n")
    result = ingest_folder(tmp_path / "in", out, fx)
    assert "reused" not in result["files"][0]
    assert pl.read_parquet(partition)["fx_rate"].to_list() == [1.0, 0.5]
    entry = json.loads(next((out / "files").glob("*.json")).read_text())
    assert entry["rows_accepted"] == 2 and entry["reader"]


def test_temporary_files_left_by_a_killed_run_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    feed(tmp_path / "in", "a.csv")
    stale = out / "lake" / "transactions" / ".0123456789abcdef.parquet.dead.tmp"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half a parquet file")
    ingest_folder(tmp_path / "in", out)
    assert not stale.exists()
    assert [p.name.startswith(".") for p in (out / "lake" / "transactions").iterdir()] == [False]
