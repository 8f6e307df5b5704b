"""Per-feed suites: which suite a file gets, its declared period, volume against the last run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from finflow.ingest.sniff import AMLWORLD_TRANS_HEADER
from finflow.pipeline import stage_ingest, stage_validate
from finflow.validate import feeds
from finflow.validate.gx_suites import SuiteValidationFailed, validate_frame

CAMT = Path(__file__).resolve().parents[3] / "shared" / "samples" / "bank-feeds" / "camt053"
LINE = "2022/09/0{d} 0{h}:2{m},0011,A{m},03208,B{h},1500.00,UK Pound,1500.00,UK Pound,Wire,0"


def aml_feed(folder: Path, rows: int, name: str = "bank_2022-09.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [LINE.format(d=1 + i // 60 % 9, h=i // 10 % 6, m=i % 10) for i in range(rows)]
    (folder / name).write_text("\n".join([AMLWORLD_TRANS_HEADER, *lines]) + "\n")
    return folder


def entry(fmt: str, file: str = "f.csv", **extra: object) -> dict[str, object]:
    return {"format": fmt, "file": file, "sha256": "ab" * 32, "rows_read": 100, **extra}


def test_each_transaction_feed_type_has_its_suite() -> None:
    assert feeds.suite_for("amlworld_transactions") == "amlworld"
    assert feeds.suite_for("camt053") == "camt053"
    assert feeds.suite_for("bankcsv") == "bankcsv"
    assert feeds.suite_for("amlworld_accounts") == "accounts"


def test_feed_keys_group_deliveries_of_one_source() -> None:
    day1 = feeds.feed_key(entry("amlworld_transactions", "trans_2024-05-01.csv"))
    day2 = feeds.feed_key(entry("amlworld_transactions", "trans_2024-05-02.csv"))
    assert day1 == day2 == "amlworld_transactions:trans_#-#-#.csv"
    camt = entry("camt053", checks={"statements": [{"account": "BE68"}, {"account": "BE01"}]})
    assert feeds.feed_key(camt) == "camt053:BE01+BE68"
    lloyds = entry("bankcsv", profile="lloyds", checks={"holder_account": "STATEMENT:abcd"})
    assert feeds.feed_key(lloyds) == "bankcsv.lloyds"
    named = entry("bankcsv", profile="nationwide", checks={"holder_account": "1234"})
    assert feeds.feed_key(named) == "bankcsv.nationwide:1234"


def test_the_first_run_of_a_feed_passes_with_a_note_then_the_band_applies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    history: dict[str, list[dict[str, object]]] = {}
    first = feeds.feed_check(
        entry("amlworld_transactions"), "2022-09-10T00:00:00+00:00", "R-1", history
    )
    assert (first.parameters["volume_min"], first.parameters["volume_max"]) == (0, None)
    assert "first run" in first.notes[1]
    feeds.record_volumes(history, "R-1", [entry("amlworld_transactions")])
    feeds.record_volumes(history, "R-1", [entry("amlworld_transactions")])  # re-validated
    assert len(history["amlworld_transactions:f.csv"]) == 1
    again = feeds.feed_check(entry("amlworld_transactions"), "2022-09-10", "R-1", history)
    assert again.parameters["volume_max"] is None  # a run is never its own baseline
    second = feeds.feed_check(entry("amlworld_transactions"), "2022-09-11", "R-2", history)
    assert (second.parameters["volume_min"], second.parameters["volume_max"]) == (50, 150)
    monkeypatch.setenv("FINFLOW_VOLUME_BAND", "0.1")
    third = feeds.feed_check(entry("amlworld_transactions"), "2022-09-11", "R-2", history)
    assert (third.parameters["volume_min"], third.parameters["volume_max"]) == (90, 110)


def test_the_declared_period_is_the_statement_period_for_camt_and_the_runs_otherwise() -> None:
    camt = entry(
        "camt053",
        checks={
            "declared_period": {
                "from": "2024-11-01T00:00:00+01:00",
                "to": "2024-11-30T23:59:59+01:00",
            }
        },
    )
    check = feeds.feed_check(camt, "2030-01-01T00:00:00+00:00", "R-1", {})
    assert check.parameters["period_start"].isoformat() == "2024-10-31T23:00:00+00:00"
    assert check.parameters["period_end"].isoformat() == "2024-12-01T00:00:00+00:00"
    aml = feeds.feed_check(entry("amlworld_transactions"), "2022-09-10T00:00:00+00:00", "R-1", {})
    assert aml.parameters["period_end"].isoformat() == "2022-09-11T00:00:00+00:00"
    assert aml.parameters["period_start"].year == 2012
    assert "declares none" in aml.notes[0]


def test_a_feed_validated_twice_warns_on_a_volume_break_and_stops_on_a_future_booking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINFLOW_FEED_HISTORY", str(tmp_path / "history.json"))
    stage_ingest(aml_feed(tmp_path / "day1", 40), tmp_path / "out1")
    first = stage_validate(tmp_path / "out1")
    assert first["warnings"] == 0
    stage_ingest(aml_feed(tmp_path / "day2", 10, "bank_2022-10.csv"), tmp_path / "out2")
    second = stage_validate(tmp_path / "out2")
    assert second["warnings"] == 1  # 10 rows read against 40 in the previous run
    result = json.loads(next((tmp_path / "out2/validation").glob("amlworld__*.json")).read_text())
    failed = [r for r in result["results"] if not r["success"]]
    assert [r["expectation_config"]["type"] for r in failed] == ["expect_column_max_to_be_between"]
    assert failed[0]["result"]["observed_value"] == 10
    state = json.loads((tmp_path / "out2/state/run_state.json").read_text())
    notes = state["files"][0]["validation"]["notes"]
    assert "40 rows in run" in notes[1] and "expected 20 to 60" in notes[1]
    history = json.loads((tmp_path / "history.json").read_text())
    assert [r["rows_read"] for r in history["amlworld_transactions:bank_#-#.csv"]] == [40, 10]

    # The run says its data ends on 2022-08-31: bookings on 1 September are outside its period.
    shutil.rmtree(tmp_path / "out2")
    stage_ingest(tmp_path / "day2", tmp_path / "out2", logical_date="2022-08-31T00:00:00+00:00")
    with pytest.raises(SuiteValidationFailed) as failure:
        stage_validate(tmp_path / "out2")
    message = str(failure.value)
    assert message.startswith("bank_2022-10.csv: validation suite amlworld failed")
    assert "expect_column_values_to_be_between(booked_at)" in message
    assert failure.value.summary["failed_critical"][0]["column"] == "booked_at"


def test_the_camt053_suite_accepts_every_version_the_reader_reads(tmp_path: Path) -> None:
    """001.02 to 001.14: a version the reader reads must not fail the suite's format check."""
    formats = [f"camt053.001.{v:02d}" for v in range(2, 15)]
    frame = pl.DataFrame({"source_format": ["camt053", *formats]})
    suites = Path(__file__).resolve().parents[2] / "expectations"
    suite = json.loads((suites / "camt053.json").read_text())
    (check,) = [
        e["kwargs"]["regex"]
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_match_regex"
        and e["kwargs"]["column"] == "source_format"
    ]
    assert frame["source_format"].str.contains(check).all()
    assert (
        not pl.Series(["camt053.001.01", "camt053.001.15", "camt052.001.08"])
        .str.contains(check)
        .any()
    )


def test_the_camt053_suite_passes_a_real_statement_and_names_a_broken_uetr(tmp_path: Path) -> None:
    feed = tmp_path / "in"
    feed.mkdir()
    shutil.copy(CAMT / "viafintech-v08-statement.xml", feed)
    shutil.copy(CAMT / "subite-v02-be-deutschebank-month-268-entries.xml", feed)
    stage_ingest(feed, tmp_path / "out")
    summary = stage_validate(tmp_path / "out")
    assert {r["suite"] for r in summary["results"]} == {"camt053"}
    assert all(r["success"] for r in summary["results"])
    lake = pl.read_parquet(next((tmp_path / "out/lake/transactions").glob("*.parquet")))
    broken = lake.with_columns(uetr=pl.lit("not-a-uuid"), feed_rows_read=pl.lit(lake.height))
    parameters: dict[str, Any] = {"volume_min": 0, "volume_max": None}
    parameters |= {"period_start": lake["booked_at"].min(), "period_end": lake["booked_at"].max()}
    with pytest.raises(SuiteValidationFailed, match=r"expect_column_values_to_match_regex\(uetr\)"):
        validate_frame(broken, "camt053", tmp_path / "v", "broken", parameters=parameters)
