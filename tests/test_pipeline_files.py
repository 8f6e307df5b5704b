"""Per-file ingest into a shared lake (stage_open_run, stage_ingest_file, stage_close_run,
stage_check_run) and detection over it (stage_open_detection), as finflow_ingest and
finflow_detect call them."""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import polars as pl
import pytest

from finflow import lake, lakedetect, lakerun, pipeline
from finflow.errors import ConfigError, InputError
from finflow.runstate import load_state
from finflow.synth import generate


def ingest_all(lake_dir: Path, run: dict) -> dict:
    for f in run["files"]:
        lakerun.stage_ingest_file(lake_dir, Path(f["path"]), f["sha256"])
    return lakerun.stage_close_run(lake_dir, run["ingest_id"], [f["sha256"] for f in run["files"]])


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("feeds")
    generate(folder / "bank_a", rows=1_500, seed=31, name="BANK_A")
    generate(folder / "bank_b", rows=1_500, seed=32, name="BANK_B")
    return folder


def test_open_run_lists_delivery_files_by_hash_and_skips_copies(
    tmp_path: Path, feeds: Path
) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "d1" / "truth").mkdir(parents=True)
    trans = (feeds / "bank_a" / "BANK_A_Trans.csv").read_bytes()
    (inbox / "d1" / "BANK_A_Trans.csv").write_bytes(trans)
    (inbox / "d1" / "copy.csv").write_bytes(trans)
    (inbox / "d1" / ".partial.csv").write_bytes(b"x")
    (inbox / "d1" / "truth" / "answers.json").write_text("{}")
    (inbox / "top.txt").write_text("not a feed\n")
    os.utime(inbox / "top.txt", (1e9, 1e9))
    run = lakerun.stage_open_run(inbox, tmp_path / "lake")
    assert [f["file"] for f in run["files"]] == ["d1/BANK_A_Trans.csv", "top.txt"]
    assert [(s["file"], s["reason"]) for s in run["skipped"]] == [
        ("d1/copy.csv", "same content as d1/BANK_A_Trans.csv")
    ]
    settling = lakerun.stage_open_run(inbox, tmp_path / "lake", settle_seconds=60)
    assert [f["file"] for f in settling["files"]] == ["top.txt"]  # changed long ago
    assert settling["arriving"] == ["d1/BANK_A_Trans.csv", "d1/copy.csv"]


def test_a_file_in_the_lake_is_skipped_under_any_name(tmp_path: Path, feeds: Path) -> None:
    lake_dir = tmp_path / "lake"
    first = lakerun.stage_open_run(feeds / "bank_a", lake_dir)
    ingest_all(lake_dir, first)
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    (renamed / "new_name.csv").write_bytes((feeds / "bank_a" / "BANK_A_Trans.csv").read_bytes())
    again = lakerun.stage_open_run(renamed, lake_dir)
    assert again["files"] == [] and again["ingest_id"] is None
    assert again["skipped"][0]["reason"] == "already in the lake (ingested, as BANK_A_Trans.csv)"


def test_per_file_ingest_matches_the_folder_ingest(tmp_path: Path, feeds: Path) -> None:
    lake_dir = tmp_path / "lake"
    run = lakerun.stage_open_run(feeds / "bank_a", lake_dir)
    summary = ingest_all(lake_dir, run)
    folder = pipeline.stage_ingest(feeds / "bank_a", tmp_path / "out")
    keys = ("rows_read", "rows_accepted", "rows_quarantined")
    assert {k: summary[k] for k in keys} == {k: folder[k] for k in keys}
    sha = next(f["sha256"] for f in run["files"] if f["file"].endswith("_Trans.csv"))
    ours = pl.read_parquet(lake.table_dir(lake_dir, "transactions") / f"{lake.key(sha)}.parquet")
    theirs = pl.read_parquet(tmp_path / "out" / "lake" / "transactions" / f"{sha[:16]}.parquet")
    assert ours.drop("ingest_run_id").equals(theirs.drop("ingest_run_id"))
    entry = lake.read_entry(lake_dir, sha)
    assert entry is not None and entry["validation"]["suites_run"] == 1
    assert entry["booked_from"] < entry["booked_to"]
    ledger = json.loads((lake_dir / "ingests" / f"{run['ingest_id']}.json").read_text())
    assert ledger["summary"] == summary
    assert (lake_dir / "ingests" / f"{run['ingest_id']}.quarantine.csv").is_file()


def test_reingesting_a_file_rewrites_the_same_partition(tmp_path: Path, feeds: Path) -> None:
    lake_dir = tmp_path / "lake"
    path = feeds / "bank_b" / "BANK_B_Trans.csv"
    first = lakerun.stage_ingest_file(lake_dir, path)
    part = lake.table_dir(lake_dir, "transactions") / f"{lake.key(first['sha256'])}.parquet"
    before = part.read_bytes()
    second = lakerun.stage_ingest_file(lake_dir, path)
    assert second == first and part.read_bytes() == before
    assert not [p for p in lake_dir.rglob("*") if p.name.endswith(".tmp")]


def test_a_file_changed_after_listing_is_refused(tmp_path: Path, feeds: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_bytes((feeds / "bank_b" / "BANK_B_Trans.csv").read_bytes())
    with pytest.raises(InputError, match="changed after it was listed"):
        lakerun.stage_ingest_file(tmp_path / "lake", path, sha256="0" * 64)


def test_two_workers_ingest_different_files_at_once(tmp_path: Path, feeds: Path) -> None:
    lake_dir = tmp_path / "lake"
    run = lakerun.stage_open_run(feeds, lake_dir)
    paths = [Path(f["path"]) for f in run["files"] if f["file"].endswith("_Trans.csv")]
    # spawn, not fork: a forked copy of a process running polars' thread pool can deadlock
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        entries = list(pool.map(lakerun.stage_ingest_file, [lake_dir] * 2, paths))
    assert [e["status"] for e in entries] == ["ingested", "ingested"]
    assert {e["sha256"] for e in lake.entries(lake_dir)} == {e["sha256"] for e in entries}
    frames = pl.read_parquet(lake.table_dir(lake_dir, "transactions") / "*.parquet")
    assert frames.height == sum(e["rows_accepted"] for e in entries) == 3_000


def test_a_bad_file_is_recorded_and_named_by_the_check(tmp_path: Path, feeds: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "notes.txt").write_text("this is not a bank feed\n")
    (inbox / "BANK_A_Trans.csv").write_bytes((feeds / "bank_a" / "BANK_A_Trans.csv").read_bytes())
    lake_dir = tmp_path / "lake"
    run = lakerun.stage_open_run(inbox, lake_dir)
    summary = ingest_all(lake_dir, run)
    assert summary["files_ingested"] == 1
    assert [p["file"] for p in summary["not_ingested"]] == ["notes.txt"]
    with pytest.raises(
        InputError, match=r"1 of 2 new feed files not ingested: notes.txt: rejected"
    ):
        lakerun.stage_check_run(lake_dir, run["ingest_id"], run["files"])
    assert lakerun.stage_open_run(inbox, lake_dir)["files"] == []  # not retried for ever


def test_a_file_whose_task_died_is_named_by_the_close_and_the_check(tmp_path: Path) -> None:
    lake_dir = tmp_path / "lake"
    listed = [{"file": "lost.csv", "sha256": "ab" * 32, "path": "/nowhere"}]
    summary = lakerun.stage_close_run(lake_dir, "I-x", ["ab" * 32])
    assert summary["not_ingested"][0]["reason"].startswith("its ingest task did not finish")
    with pytest.raises(InputError, match=r"lost\.csv: not ingested, its task failed"):
        lakerun.stage_check_run(lake_dir, "I-x", listed)


@pytest.fixture(scope="module")
def full_lake(tmp_path_factory: pytest.TempPathFactory, feeds: Path) -> Path:
    lake_dir = tmp_path_factory.mktemp("lake")
    ingest_all(lake_dir, lakerun.stage_open_run(feeds, lake_dir))
    return lake_dir


def test_detection_over_the_whole_lake_runs_the_later_stages(
    tmp_path: Path, full_lake: Path
) -> None:
    opened = lakedetect.stage_open_detection(full_lake, tmp_path / "cases")
    assert opened["rows"] == 3_000 and opened["window"]["start"] is None
    out = Path(opened["out_dir"])
    assert pipeline.stage_detect(out)["alerts"] > 0
    assert pipeline.stage_score(out)["cases"] > 0
    run = pipeline.finish(out)
    assert run["run_id"] == opened["run_id"] == out.name
    names = {f["file"] for f in run["files"]}
    assert {"BANK_A_Trans.csv", "BANK_B_Trans.csv", "BANK_A_accounts.csv"} <= names
    again = lakedetect.stage_open_detection(full_lake, tmp_path / "cases")
    assert again["run_id"] == opened["run_id"]  # same window, same lake: the same run


def test_a_window_keeps_the_bookings_in_it_plus_the_lookback(
    tmp_path: Path, full_lake: Path
) -> None:
    opened = lakedetect.stage_open_detection(
        full_lake, tmp_path / "cases", "2022-09-10", "2022-09-12", lookback_days=3
    )
    out = Path(opened["out_dir"])
    booked = pl.read_parquet(out / "lake" / "transactions" / "*.parquet")["booked_at"]
    assert 0 < booked.len() == opened["rows"] < 3_000
    assert booked.min().isoformat() >= "2022-09-07"
    assert booked.max().isoformat() < "2022-09-12"
    state = load_state(out)
    assert state["logical_date"] == "2022-09-12T00:00:00+00:00"
    assert state["window"]["lookback_days"] == 3
    nothing = lakedetect.stage_open_detection(full_lake, tmp_path / "cases", "2030-01-01", None)
    assert nothing["run_id"] is None


def test_a_window_must_not_be_empty(tmp_path: Path, full_lake: Path) -> None:
    with pytest.raises(ConfigError, match="empty"):
        lakedetect.stage_open_detection(full_lake, tmp_path, "2022-09-12", "2022-09-10")


def test_the_lookback_is_the_longest_rule_window() -> None:
    from finflow.detect.registry import DETECTORS
    from finflow.detect.rules import load_rules

    rules = load_rules(None, known=set(DETECTORS))
    longest = max(
        float(v)
        for r in rules.rules.values()
        for k, v in r.params.items()
        if k.endswith("days") and isinstance(v, int | float)
    )
    assert lakedetect.rule_lookback_days(rules) >= longest > 0
