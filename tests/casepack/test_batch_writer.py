"""batch: a run's case packs, cut from the evidence in one pass and written on several processes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from casepack_sample import build_case
from polars.testing import assert_frame_equal

from finflow.casepack import batch
from finflow.casepack.assemble import case_transactions
from finflow.errors import ConfigError
from finflow.money import money_sum


def _packs(n: int) -> tuple[list[dict[str, Any]], pl.DataFrame]:
    """`n` packs (every third one with hostile names) and their schedules, as the stage has."""
    packs, frames = [], []
    for i in range(n):
        case, rows = build_case(hostile=i % 3 == 0)
        case = dict(case, case_id=f"C-{i:08x}", rank=i + 1, score=90.0 - i)
        packs.append(case)
        frames.append(rows.with_columns(pl.lit(case["case_id"]).alias(batch.CASE_COLUMN)))
    schedules = pl.concat(frames).select(batch.CASE_COLUMN, pl.exclude(batch.CASE_COLUMN))
    return packs, schedules.sort(batch.CASE_COLUMN, "booked_at", "txn_id")


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_parallel_writer_writes_the_bytes_of_the_serial_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packs, schedules = _packs(5)
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert batch.write_packs(packs, schedules, serial, png_top=1, workers=1) == 5
    monkeypatch.setattr(batch, "PARALLEL_FROM", 2)  # spawn workers even for five packs
    scratch = tmp_path / "chunks"
    written = batch.write_packs(packs, schedules, parallel, png_top=1, workers=2, scratch=scratch)
    assert written == 5
    assert not scratch.exists()  # the chunk files are removed
    one, two = _files(serial), _files(parallel)
    assert len(one) > 5 * 10
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    assert "C-00000000/linkchart.png" in one and "C-00000001/linkchart.png" not in one


def test_schedules_cut_in_one_pass_equal_the_case_by_case_ones() -> None:
    _, rows = build_case()
    evidence = rows.drop("tags").sample(fraction=1.0, shuffle=True, seed=7)
    ids = rows["txn_id"].to_list()
    alerts = {
        "A1": {"rule_id": "FAN_IN", "evidence_txn_ids": ids[:30]},
        "A2": {"rule_id": "CYCLE", "evidence_txn_ids": ids[20:45]},
        "A3": {"rule_id": "FAN_OUT", "evidence_txn_ids": ids[40:]},
    }
    cases = [
        {"case_id": "C-b", "alert_ids": ["A1", "A2"]},
        {"case_id": "C-a", "alert_ids": ["A2", "A3"]},
        {"case_id": "C-c", "alert_ids": []},
    ]
    schedules = batch.case_schedules(evidence, cases, alerts)
    by_case = batch.split_schedules(schedules)
    assert sorted(by_case) == ["C-a", "C-b"]  # a case without evidence has no rows
    for case in cases[:2]:
        assert_frame_equal(by_case[case["case_id"]], case_transactions(evidence, case, alerts))
    totals = batch.case_totals(schedules)
    for case_id, frame in by_case.items():
        assert totals[case_id] == frame.select(money_sum(pl.col("amount_gbp"))).item()


def test_the_number_of_workers_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINFLOW_WORKERS", "3")
    assert batch.settings_workers() == 3
    monkeypatch.delenv("FINFLOW_WORKERS")
    assert batch.settings_workers() >= 1
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("FINFLOW_WORKERS", bad)
        with pytest.raises(ConfigError):
            batch.settings_workers()
