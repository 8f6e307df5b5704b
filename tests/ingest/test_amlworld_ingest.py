"""AMLworld ingest: position-based columns, provenance, and a reason for every rejected row."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from finflow.errors import InputError
from finflow.ingest.runner import ingest_folder
from finflow.ingest.sniff import AMLWORLD_ACCOUNTS_HEADER, AMLWORLD_TRANS_HEADER, sniff

GOOD = [
    "2022/09/01 00:20,010,8000EBD30,010,8000EBD30,3697.34,US Dollar,3697.34,US Dollar,Reinvestment,0",  # noqa: E501
    "2022/09/01 00:21,0011,A1,03208,B1,1500.00,UK Pound,1500.00,UK Pound,Wire,1",
    "2022/09/01 00:22,03208,B1,1,C1,1200.50,Euro,1380.00,US Dollar,ACH,0",
]
BAD = {
    "2022/09/01 00:24,030,C1,010,A1,-5,UK Pound,-5,UK Pound,Wire,0": "NONPOSITIVE_AMOUNT",
    "2022/09/01 00:24,030,C1,010,A1,1e15,UK Pound,1e15,UK Pound,Wire,0": "ABSURD_AMOUNT",
    "2022/09/01 00:24,030,C1,010,A1,abc,UK Pound,5,UK Pound,Wire,0": "BAD_AMOUNT",
    "2022/09/01 00:24,030,C1,010,A1,NaN,UK Pound,5,UK Pound,Wire,0": "BAD_AMOUNT",
    "not,enough,fields": "WRONG_FIELD_COUNT",
    "2022/13/45 00:24,030,C1,010,A1,5,UK Pound,5,UK Pound,Wire,0": "BAD_TIMESTAMP",
    "2022/09/01 00:24,030,C1,010,A1,5,Zloty,5,UK Pound,Wire,0": "UNKNOWN_CURRENCY",
    "2022/09/01 00:24,030,C1,010,A1,5,UK Pound,5,UK Pound,Carrier Pigeon,0": "UNKNOWN_PAYMENT_FORMAT",  # noqa: E501
    "2022/09/01 00:24,030,,010,A1,5,UK Pound,5,UK Pound,Wire,0": "MISSING_FIELD",
    "2022/09/01 00:24,030,C1,010,A1,5,UK Pound,5,UK Pound,Wire,maybe": "BAD_LABEL",
}


def write(folder: Path, name: str, lines: list[str], header: str = AMLWORLD_TRANS_HEADER) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


def test_good_rows_become_canonical_with_provenance(tmp_path: Path) -> None:
    write(tmp_path / "in", "HI_Trans.csv", GOOD)
    result = ingest_folder(tmp_path / "in", tmp_path / "out")
    entry = result["files"][0]
    assert entry["rows_read"] == entry["rows_accepted"] == 3
    lake = pl.read_parquet(next((tmp_path / "out/lake/transactions").glob("*.parquet")))
    assert lake["source_row"].to_list() == [1, 2, 3]
    assert lake["payer_bank"].to_list() == ["010", "0011", "03208"]  # zero padding kept
    assert lake["payee_account"].to_list() == ["8000EBD30", "B1", "C1"]  # second Account column
    assert lake["currency_paid"].to_list() == ["USD", "GBP", "USD"]
    assert lake["currency_received"][2] == "EUR"
    assert lake["amount_gbp"][1] == 1500.0
    assert lake["label"].to_list() == [0, 1, 0]
    assert lake["txn_id"][0] == f"{entry['sha256'][:16]}:1"


def test_each_bad_row_is_quarantined_with_its_reason(tmp_path: Path) -> None:
    write(tmp_path / "in", "t.csv", [GOOD[0], *BAD, GOOD[1], GOOD[1]])
    result = ingest_folder(tmp_path / "in", tmp_path / "out")
    entry = result["files"][0]
    assert entry["rows_read"] == entry["rows_accepted"] + entry["rows_quarantined"]
    assert entry["rows_accepted"] == 2
    quarantine = pl.read_parquet(tmp_path / "out/quarantine/quarantine.parquet")
    expected = [*BAD.values(), "DUPLICATE_ROW"]
    assert quarantine["reason"].to_list() == expected
    assert quarantine["source_row"].to_list() == [*list(range(2, 2 + len(BAD))), len(BAD) + 3]
    assert all(quarantine["detail"].str.len_chars() > 5)


def test_the_same_content_under_two_names_is_ingested_once(tmp_path: Path) -> None:
    write(tmp_path / "in", "a.csv", GOOD)
    write(tmp_path / "in", "b.csv", GOOD)
    result = ingest_folder(tmp_path / "in", tmp_path / "out")
    statuses = {e["file"]: e["status"] for e in result["files"]}
    assert statuses == {"a.csv": "ingested", "b.csv": "duplicate"}
    assert "same content as a.csv" in result["files"][1]["message"]
    assert result["totals"]["rows_accepted"] == 3


def test_reingest_is_idempotent(tmp_path: Path) -> None:
    write(tmp_path / "in", "a.csv", GOOD)
    first = ingest_folder(tmp_path / "in", tmp_path / "out")
    lake = next((tmp_path / "out/lake/transactions").glob("*.parquet")).read_bytes()
    second = ingest_folder(tmp_path / "in", tmp_path / "out")
    reused = second["files"][0].pop("reused")
    assert "already ingested" in reused and "not read again" in reused
    assert first == second
    assert next((tmp_path / "out/lake/transactions").glob("*.parquet")).read_bytes() == lake


def test_accounts_file_keeps_ids_as_strings(tmp_path: Path) -> None:
    write(tmp_path / "in", "t.csv", GOOD)
    write(
        tmp_path / "in",
        "acc.csv",
        ["Bank A,010,8000EBD30,E1,Corporation #1", "Bank A,010,8000EBD30,E1,dup", ",,,,"],
        header=AMLWORLD_ACCOUNTS_HEADER,
    )
    result = ingest_folder(tmp_path / "in", tmp_path / "out")
    acc = next(e for e in result["files"] if e["format"] == "amlworld_accounts")
    assert (acc["rows_read"], acc["rows_accepted"], acc["rows_quarantined"]) == (3, 1, 2)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"Date,Quantity,Payee\n2022-01-01,5,x\n", "no header row naming a date and an amount"),
        ("Timestamp,\xe9t\xe9\n".encode("latin-1") + b"x" * 100, "not valid UTF-8"),
    ],
)
def test_unusable_files_are_named_with_the_problem(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    assert reason in sniff(path).reason
    write(tmp_path / "in", "good.csv", GOOD)
    (tmp_path / "in" / "bad.csv").write_bytes(content)
    result = ingest_folder(tmp_path / "in", tmp_path / "out")
    bad = next(e for e in result["files"] if e["file"] == "bad.csv")
    assert bad["status"] == "rejected" and reason in bad["message"]


def test_folder_problems_raise_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        ingest_folder(tmp_path / "missing", tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="has no files"):
        ingest_folder(tmp_path / "empty", tmp_path / "out")
    (tmp_path / "only_bad").mkdir()
    (tmp_path / "only_bad" / "x.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"x\.csv: the file is empty"):
        ingest_folder(tmp_path / "only_bad", tmp_path / "out")
