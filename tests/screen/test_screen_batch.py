"""finflow screen and screen-evaluate: files in, files out, one-line errors."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from finflow.errors import InputError
from finflow.screen import Screener, load_list
from finflow.screen.batch import (
    OUT_COLUMNS,
    ListChangedError,
    Query,
    QueryFileError,
    ScreeningJob,
    read_queries,
    screen_file,
    screen_queries,
)

FINFLOW = [sys.executable, "-m", "finflow.cli"]


def finflow(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FINFLOW, *map(str, args)], capture_output=True, text=True, timeout=600, check=False
    )


def one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("finflow: error: ")
    for needle in needles:
        assert needle in lines[0]


def write_queries(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_finflow_screen_writes_one_row_per_candidate(
    tmp_path: Path, people_list_path: Path
) -> None:
    queries = write_queries(
        tmp_path / "q.csv",
        "query_id,name,dob,type\n"
        "c1,Husain Rezaee,1965,Person\n"
        "c2,Jane Nobody,,\n"
        "=1+1,Bob Pemberton,,\n"
        "c4,Robert Pemberton,1980-01-01,Person\n",
    )
    out = tmp_path / "out" / "hits.csv"
    result = finflow("screen", "--list", people_list_path, "--queries", queries, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "screened 4 queries" in result.stdout and "human review" in result.stdout
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == OUT_COLUMNS
    found = [(r["query_id"], r["unique_id"]) for r in rows]
    assert found == [("c1", "TST003"), ("'=1+1", "TST007")]  # spreadsheet-safe
    assert rows[0]["name_type"] == "Primary Name"
    assert float(rows[0]["score"]) >= 0.75
    assert "year of birth agrees" in rows[0]["explanation"]


def test_the_threshold_option_changes_what_is_written(
    tmp_path: Path, people_list_path: Path
) -> None:
    queries = write_queries(tmp_path / "q.csv", "query_id,name\nc1,Husain Rezaee\n")
    sanctions = load_list(people_list_path)
    low = screen_file(sanctions, queries, tmp_path / "low.csv", threshold=0.5, workers=1)
    high = screen_file(sanctions, queries, tmp_path / "high.csv", threshold=0.99, workers=1)
    assert low["rows"] >= 1 and high["rows"] == 0


def test_two_workers_give_the_same_output_as_one(tmp_path: Path, people_list_path: Path) -> None:
    lines = ["query_id,name"] + [f"q{i},{n}" for i, n in enumerate(
        ["Bob Pemberton", "Husain Rezaee", "Nobody Here", "Сергей Воробьёв"] * 1200
    )]  # fmt: skip
    queries = write_queries(tmp_path / "q.csv", "\n".join(lines) + "\n")
    sanctions = load_list(people_list_path)
    screen_file(sanctions, queries, tmp_path / "one.csv", workers=1)
    screen_file(sanctions, queries, tmp_path / "two.csv", workers=2)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_a_small_query_file_is_screened_in_one_process_unless_told(
    tmp_path: Path, people_list_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finflow.screen import batch

    started: list[int] = []
    real_executor = batch.spawned_executor

    def counting_executor(workers: int, **kwargs: Any) -> Any:
        started.append(workers)
        return real_executor(workers, **kwargs)

    monkeypatch.setattr(batch, "spawned_executor", counting_executor)
    monkeypatch.setattr(batch.os, "cpu_count", lambda: 2)
    lines = ["query_id,name"] + [f"q{i},Husain Rezaee" for i in range(30)]
    queries = write_queries(tmp_path / "q.csv", "\n".join(lines) + "\n")
    sanctions = load_list(people_list_path)
    screen_file(sanctions, queries, tmp_path / "default.csv")
    assert started == []  # 30 queries: one process, no workers to build the index
    monkeypatch.setattr(batch, "PARALLEL_FROM", 10)
    screen_file(sanctions, queries, tmp_path / "many.csv", workers=None)
    assert started == [2]
    assert (tmp_path / "default.csv").read_bytes() == (tmp_path / "many.csv").read_bytes()


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        ("", ("the query file is empty",)),
        ("id,full_name\n1,x\n", ("header lacks column(s) query_id, name",)),
        ("query_id,name\n", ("has no queries",)),
        ("query_id,name,dob\nq1,John,1970-13-01\n", ("line 2", "date of birth '1970-13-01'")),
        ("query_id,name,dob\nq1,John,12/03/1970\n", ("line 2", "not YYYY, YYYY-MM or YYYY-MM-DD")),
        ("query_id,name,type\nq1,John,Vessel\n", ("line 2", "type 'Vessel' is not Person")),
        ("query_id,name\nq1,John\nq2,Jane,extra\n", ("line 3", "3 fields, the header has 2")),
        ("query_id,name\nq1,\n", ("line 2", "empty query_id or name")),
        ('query_id,name\nq1,"John\n', ("damaged CSV",)),
    ],
)
def test_a_bad_query_file_is_one_line_error(
    tmp_path: Path, people_list_path: Path, content: str, needles: tuple[str, ...]
) -> None:
    queries = write_queries(tmp_path / "q.csv", content)
    result = finflow(
        "screen", "--list", people_list_path, "--queries", queries, "--out", tmp_path / "o.csv"
    )
    one_line_error(result, "q.csv", *needles)
    assert not (tmp_path / "o.csv").exists()


def test_a_binary_or_missing_query_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "q.csv").write_bytes(b"\xff\xfe\x00\x00garbage")
    with pytest.raises(QueryFileError):
        list(read_queries(tmp_path / "q.csv"))
    result = finflow("screen", "--queries", tmp_path / "none.csv", "--out", tmp_path / "o.csv")
    one_line_error(result, "query file not found")


def test_a_bad_list_file_is_one_line_error(tmp_path: Path) -> None:
    queries = write_queries(tmp_path / "q.csv", "query_id,name\nq1,John\n")
    bad = tmp_path / "list.csv"
    bad.write_text("Report Date: 01-Jan-2030\nfoo,bar\n1,2\n", encoding="utf-8")
    result = finflow("screen", "--list", bad, "--queries", queries, "--out", tmp_path / "o.csv")
    one_line_error(result, "list.csv", "not a UK sanctions list CSV")


def test_a_bad_threshold_is_one_line_error(tmp_path: Path) -> None:
    queries = write_queries(tmp_path / "q.csv", "query_id,name\nq1,John\n")
    result = finflow(
        "screen", "--queries", queries, "--out", tmp_path / "o.csv", "--threshold", "1.5"
    )
    one_line_error(result, "--threshold 1.5")


def test_screen_defaults_to_the_shipped_fictional_list(tmp_path: Path) -> None:
    queries = write_queries(tmp_path / "q.csv", "query_id,name\nq1,Bart Zandervelt\n")
    result = finflow("screen", "--queries", queries, "--out", tmp_path / "o.csv")
    assert result.returncode == 0, result.stderr
    assert "FIC0001" in (tmp_path / "o.csv").read_text(encoding="utf-8")


def test_screen_evaluate_generates_and_reports(tmp_path: Path) -> None:
    result = finflow("screen-evaluate", "--seed", "3", "--size", "40", "--write", tmp_path / "set")
    assert result.returncode == 0, result.stderr
    assert "| finflow (threshold 0.75) | 0.75 |" in result.stdout
    for variant in ("word-order", "nickname", "neg-shared-surname", "neg-same-name-other-dob"):
        assert variant in result.stdout
    assert {p.name for p in (tmp_path / "set").iterdir()} == {
        "list.csv",
        "queries.csv",
        "truth.csv",
    }
    again = finflow(
        "screen-evaluate",
        "--list", tmp_path / "set" / "list.csv",
        "--queries", tmp_path / "set" / "queries.csv",
        "--truth", tmp_path / "set" / "truth.csv",
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert result.stdout.split("\n", 2)[2].split("queries/s")[0] in again.stdout


def test_screen_evaluate_needs_all_three_files(tmp_path: Path) -> None:
    one_line_error(finflow("screen-evaluate", "--list", tmp_path / "l.csv"), "--truth together")


def test_a_screening_job_on_workers_gives_what_one_process_gives(
    people_list_path: Path, screener: Screener
) -> None:
    """ScreeningJob's workers build the index from the list file themselves: same matches,
    in query order, as screening here."""
    names = ["Husain Rezaee", "Hussein Rezai", "John Smith", "REZAEE, Husain", "Nobody Atall"]
    queries = [
        Query(f"q{i}", name, dob, "Person" if dob else None)
        for i, (name, dob) in enumerate(
            (n, d) for n in names for d in (None, "1970", "1970-01-02", "1985-06")
        )
    ] * 600  # 12,000 queries: several chunks per worker
    queries = [q._replace(query_id=str(i)) for i, q in enumerate(queries)]
    here = list(screen_queries(screener, queries))
    with ScreeningJob(queries, people_list_path, workers=2) as job:
        assert job._pool is not None  # on spawned workers
        there = list(job.results())
    with ScreeningJob(queries[:50], people_list_path, workers=1) as job:
        assert job._pool is None
        assert list(job.results()) == here[:50]
    assert [q for q, _ in there] == [q.query_id for q in queries]
    assert there == here
    assert any(matches for _, matches in here)


def test_workers_refuse_a_list_file_changed_after_it_was_loaded(
    tmp_path: Path, people_list_path: Path
) -> None:
    """The workers read the list file again: a file that no longer holds the list the caller
    loaded is a clear error, not results against another list."""
    copy = tmp_path / "list.csv"
    copy.write_bytes(people_list_path.read_bytes())
    sanctions = load_list(copy)
    lines = ["query_id,name"] + [f"q{i},Husain Rezaee" for i in range(40)]
    queries = write_queries(tmp_path / "q.csv", "\n".join(lines) + "\n")
    text = copy.read_text(encoding="utf-8")
    assert text.startswith("Report Date: 01-Jan-2030")
    copy.write_text(text.replace("01-Jan-2030", "02-Jan-2030", 1), encoding="utf-8")  # reissued
    with pytest.raises(ListChangedError, match="changed while it was being screened"):
        screen_file(sanctions, queries, tmp_path / "out.csv", workers=2)
    assert not (tmp_path / "out.csv").exists()
    copy.unlink()
    with pytest.raises(InputError, match=r"screening worker: .*list\.csv"):
        screen_file(sanctions, queries, tmp_path / "out.csv", workers=2)
    assert not (tmp_path / "out.csv").exists()
