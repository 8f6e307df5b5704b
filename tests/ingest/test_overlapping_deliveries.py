"""The same transaction delivered in two different files is counted once, with a reason."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import polars as pl
import pytest
from statement_samples import BANK_CAMT, fx_table

from finflow import lakedetect, lakerun
from finflow.ingest.overlap import REASON, split_repeats
from finflow.ingest.runner import ingest_folder
from finflow.ingest.sniff import AMLWORLD_TRANS_HEADER
from finflow.runstate import load_state
from finflow.schema import TRANSACTION_SCHEMA

LINES = [
    f"2022/09/01 00:{m:02d},0011,A{m},03208,B{m},{100 + m}.00,UK Pound,{100 + m}.00,UK Pound,Wire,0"
    for m in range(10)
]


def feed(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([AMLWORLD_TRANS_HEADER, *lines]) + "\n")
    return path


def by_file(result: dict) -> dict[str, dict]:
    return {e["file"]: e for e in result["files"]}


def lake_rows(out: Path) -> pl.DataFrame:
    return pl.read_parquet(sorted((out / "lake" / "transactions").glob("*.parquet")))


def test_an_overlapping_redelivery_is_counted_once_and_its_repeats_quarantined(
    tmp_path: Path,
) -> None:
    feed(tmp_path / "in", "a.csv", LINES[:6])
    feed(tmp_path / "in", "b.csv", LINES[4:])  # rows 1-2 repeat a.csv's rows 5-6
    result = ingest_folder(tmp_path / "in", tmp_path / "out")
    a, b = by_file(result)["a.csv"], by_file(result)["b.csv"]
    assert (a["status"], a["rows_accepted"], a["rows_quarantined"]) == ("ingested", 6, 0)
    assert (b["status"], b["rows_read"], b["rows_accepted"], b["rows_quarantined"]) == (
        "ingested",
        6,
        4,
        2,
    )
    assert b["quarantine_by_reason"] == {REASON: 2}
    assert result["quarantine_by_reason"] == {REASON: 2}
    rows = lake_rows(tmp_path / "out")
    assert rows.height == 10  # every transaction once
    assert rows.select("payer_account").n_unique() == 10
    quarantine = pl.read_parquet(tmp_path / "out/quarantine/quarantine.parquet")
    assert quarantine["source_file"].to_list() == ["b.csv", "b.csv"]
    assert quarantine["source_row"].to_list() == [1, 2]
    assert quarantine["detail"][0] == (
        "row 1: the same transaction (104.0 GBP on 2022-09-01 00:04, A4 -> B4) is row 5 of "
        "a.csv; counted once, from a.csv"
    )
    raw = json.loads(quarantine["raw"][0])
    assert (raw["payer_account"], raw["amount_paid"]) == ("A4", 104.0)


def test_a_file_whose_rows_all_repeat_is_a_duplicate_with_every_row_accounted_for(
    tmp_path: Path,
) -> None:
    feed(tmp_path / "in", "a.csv", LINES)
    feed(tmp_path / "in", "b.csv", LINES[2:5])
    b = by_file(ingest_folder(tmp_path / "in", tmp_path / "out"))["b.csv"]
    assert (b["status"], b["rows_read"], b["rows_accepted"], b["rows_quarantined"]) == (
        "duplicate",
        3,
        0,
        3,
    )
    assert REASON in b["message"]


def test_a_file_arriving_before_in_name_order_makes_the_later_files_be_compared_again(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    feed(tmp_path / "in", "b.csv", LINES[4:])
    first = by_file(ingest_folder(tmp_path / "in", out))["b.csv"]
    assert (first["rows_accepted"], first["rows_quarantined"]) == (6, 0)
    again = by_file(ingest_folder(tmp_path / "in", out))["b.csv"]
    assert "reused" in again  # nothing new: idempotent

    feed(tmp_path / "in", "a.csv", LINES[:6])
    result = by_file(ingest_folder(tmp_path / "in", out))
    assert "reused" not in result["b.csv"]  # read again: a file now comes before it
    assert (result["b.csv"]["rows_accepted"], result["b.csv"]["rows_quarantined"]) == (4, 2)
    assert lake_rows(out).height == 10
    rerun = by_file(ingest_folder(tmp_path / "in", out))
    assert all("reused" in e for e in rerun.values())
    assert rerun["b.csv"]["quarantine_by_reason"] == {REASON: 2}


def test_a_reissued_camt053_statement_adds_no_transaction(tmp_path: Path) -> None:
    source = BANK_CAMT / "subite-v02-be-deutschebank-month-268-entries.xml"
    text = source.read_text(encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "statement.xml").write_text(text, encoding="utf-8")
    # the bank sends the statement again with a new message id: other bytes, same entries
    reissue, n = re.subn(r"<MsgId>([^<]*)</MsgId>", r"<MsgId>\1-REISSUE</MsgId>", text)
    assert n == 1
    (folder / "statement_reissued.xml").write_text(reissue, encoding="utf-8")
    fx = tmp_path / "fx.csv"
    fx_table().write_csv(fx)
    files = by_file(ingest_folder(folder, tmp_path / "out", fx))
    first, second = files["statement.xml"], files["statement_reissued.xml"]
    assert first["status"] == "ingested"
    assert first["rows_accepted"] > 200
    assert second["status"] == "duplicate"
    assert second["rows_read"] == first["rows_read"]
    assert second["quarantine_by_reason"][REASON] == first["rows_accepted"]
    assert lake_rows(tmp_path / "out").height == first["rows_accepted"]


def frame(rows: list[tuple[str, float, str | None]], file: str) -> pl.DataFrame:
    n = len(rows)
    given = {
        "txn_id": [f"{file}:{i + 1}" for i in range(n)],
        "source_file": [file] * n,
        "source_row": list(range(1, n + 1)),
        "source_locator": [f"row {i + 1}" for i in range(n)],
        "booked_at": [dt.datetime(2024, 5, 1, tzinfo=dt.UTC)] * n,
        "payer_account": [r[0] for r in rows],
        "payee_account": ["SHOP"] * n,
        "amount_paid": [r[1] for r in rows],
        "currency_paid": ["GBP"] * n,
        "reference": [r[2] for r in rows],
    }
    return pl.DataFrame(
        {c: given.get(c, [None] * n) for c in TRANSACTION_SCHEMA},
        schema=TRANSACTION_SCHEMA,
    )


COFFEE = ("H1", 3.5, None)  # no reference, no names: nulls must compare equal


@pytest.mark.parametrize(
    ("before", "now", "kept"),
    [
        ([COFFEE], [COFFEE], 0),
        ([COFFEE], [COFFEE, COFFEE], 1),  # two coffees on one day: the second is new
        ([COFFEE, COFFEE], [COFFEE], 0),
        ([COFFEE, COFFEE], [COFFEE, COFFEE, COFFEE], 1),
        ([COFFEE], [("H1", 3.5, "REF")], 1),  # any field differs: another transaction
        ([COFFEE], [("H2", 3.5, None)], 1),
        ([COFFEE], [("H1", 3.51, None)], 1),
    ],
)
def test_repeats_are_counted_per_content(
    tmp_path: Path, before: list, now: list, kept: int
) -> None:
    earlier = tmp_path / "a.parquet"
    frame(before, "a.csv").write_parquet(earlier)
    rows, repeats = split_repeats(frame(now, "b.csv"), [earlier])
    assert isinstance(rows, pl.DataFrame)
    assert rows.height == kept
    assert repeats.height == len(now) - kept
    assert rows.schema == pl.Schema(TRANSACTION_SCHEMA)
    if kept:  # the new rows are the last copies, in file order
        assert rows["source_row"].to_list() == list(range(len(now) - kept + 1, len(now) + 1))


def test_two_earlier_files_hold_the_larger_count_of_a_transaction(tmp_path: Path) -> None:
    """The earlier partitions' kept copies are matched in file order, each to one new row."""
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    frame([COFFEE], "a.csv").write_parquet(a)
    frame([COFFEE], "b.csv").write_parquet(b)  # b showed two coffees; one was a's
    rows, repeats = split_repeats(frame([COFFEE, COFFEE, COFFEE], "c.csv"), [a, b])
    assert (rows.height, repeats.height) == (1, 2)
    assert repeats["detail"].to_list() == [
        "row 1: the same transaction (3.5 GBP on 2024-05-01 00:00, H1 -> SHOP) is row 1 of a.csv; "
        "counted once, from a.csv",
        "row 2: the same transaction (3.5 GBP on 2024-05-01 00:00, H1 -> SHOP) is row 1 of b.csv; "
        "counted once, from b.csv",
    ]


def test_without_repeats_the_rows_come_back_untouched(tmp_path: Path) -> None:
    earlier = tmp_path / "a.parquet"
    frame([COFFEE], "a.csv").write_parquet(earlier)
    rows = frame([("H9", 1.0, None)], "b.csv")
    assert split_repeats(rows, [earlier])[0] is rows
    assert split_repeats(rows, [])[0] is rows


def test_a_detection_window_over_the_lake_counts_an_overlap_once(tmp_path: Path) -> None:
    """Per-file ingest keeps each file whole; the detection run compares them."""
    lake_dir = tmp_path / "lake"
    for name, lines in (("a.csv", LINES[:6]), ("b.csv", LINES[4:])):
        entry = lakerun.stage_ingest_file(lake_dir, feed(tmp_path / "in", name, lines))
        assert (entry["status"], entry["rows_accepted"]) == ("ingested", 6)
    opened = lakedetect.stage_open_detection(lake_dir, tmp_path / "runs")
    assert opened["rows"] == 10
    out = Path(opened["out_dir"])
    state = load_state(out)
    b = next(e for e in state["files"] if e["file"] == "b.csv")
    assert (b["rows_read"], b["rows_accepted"], b["rows_quarantined"]) == (6, 4, 2)
    assert b["quarantine_by_reason"] == {REASON: 2}
    assert state["stages"]["ingest"]["rows_quarantined"] == 2
    quarantine = pl.read_parquet(out / "quarantine" / "quarantine.parquet")
    assert quarantine.filter(reason=REASON)["source_row"].to_list() == [1, 2]
    assert lake_rows(out).height == 10
