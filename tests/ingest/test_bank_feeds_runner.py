"""The ingest runner on a folder of real bank files: recognised by content, every row counted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from statement_samples import BANK_CAMT, BANK_CSV, CAMT

from finflow.errors import InputError
from finflow.ingest.runner import ingest_folder


def test_real_bank_files_are_recognised_and_reconciled(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    sources = [*BANK_CAMT.glob("*.xml"), *BANK_CSV.glob("*.*"), *CAMT.glob("*.xml")]
    assert len(sources) > 15
    for i, source in enumerate(sorted(sources)):
        # names carry no hint of the format: detection must read the content
        shutil.copy(source, feeds / f"delivery_{i:02d}.dat")
    result = ingest_folder(feeds, tmp_path / "out")
    by_format: dict[str, int] = {}
    for entry in result["files"]:
        assert entry["rows_read"] == entry["rows_accepted"] + entry["rows_quarantined"]
        by_format[entry["format"]] = by_format.get(entry["format"], 0) + 1
        if entry["status"] == "rejected":
            assert entry["message"], entry
    assert by_format.get("camt053", 0) >= 15
    assert by_format.get("bankcsv", 0) == 6
    ingested = [e for e in result["files"] if e["status"] == "ingested"]
    assert sum(e["rows_accepted"] for e in ingested) > 300
    camt = [e for e in ingested if e["format"] == "camt053"]
    assert all("checks" in e for e in camt)
    csv = [e for e in ingested if e["format"] == "bankcsv"]
    assert {e["profile"] for e in csv} >= {"lloyds", "nationwide"}


def test_a_file_whose_every_row_is_quarantined_says_why(tmp_path: Path) -> None:
    # a statement of a balance line and a row in a currency without a rate (Swedbank LT in
    # LTL): the file is rejected, and its message counts the reasons instead of a bare refusal
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "export.csv").write_text(
        "Date,Description,Amount,Currency,Balance\n"
        "02/01/2012,Opening balance,100.00,LTL,100.00\n"
        "03/01/2012,SHOP VILNIUS,-14.34,LTL,85.66\n",
        encoding="utf-8",
    )
    with pytest.raises(
        InputError, match=r"export\.csv: no row accepted \(BALANCE_LINE 1, NO_FX_RATE 1\)"
    ):
        ingest_folder(feeds, tmp_path / "out")
