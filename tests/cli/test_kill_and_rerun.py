"""A run killed in the middle of ingest, started again, ends exactly like an uninterrupted run.

`finflow run` runs in a subprocess on a generated AMLworld feed plus a camt.053 statement and a
bank CSV export. The ingest hook ``FINFLOW_TEST_KILL_AFTER=<point>:<n>`` ends the process with
``os._exit`` (no cleanup, no ``finally``: what SIGKILL does) at a chosen point between
partition writes. The same command is then run again, and its lake (partitions, quarantine
parts, ledger entries), quarantine files and store tables are compared with those of a run that
was never interrupted.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "bank-feeds"
FINFLOW = [sys.executable, "-m", "finflow.cli"]
KILLED = 137
TIME_COLUMNS = {"started_at", "finished_at", "at"}
"""Wall-clock columns of the store: with the stage timings and the OUT path in ``runs.counts``
and the audit detail (which names OUT), the only values allowed to differ between two runs."""


def finflow(*args: str | Path, kill: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINFLOW_")}
    env["FINFLOW_PDF_TOP"] = "0"  # no Chromium: PDFs are not what this test is about
    if kill:
        env["FINFLOW_TEST_KILL_AFTER"] = kill
    return subprocess.run(
        [*FINFLOW, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("feed")
    done = finflow("generate", "--out", folder, "--rows", "1500", "--seed", "11")
    assert done.returncode == 0, done.stderr
    shutil.copy(SAMPLES / "camt053" / "subite-v02-be-deutschebank-month-268-entries.xml", folder)
    shutil.copy(SAMPLES / "csv" / "bank2ynab-jlp-card-bom-pending.csv", folder)
    return folder


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A frozen copy of the shipped rules: every run of this module uses the same rule set."""
    from finflow.detect.rules import DEFAULT_RULES_PATH

    folder = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(DEFAULT_RULES_PATH.parent, folder)
    return folder / "default.yaml"


@pytest.fixture(scope="module")
def uninterrupted(feed: Path, rules: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("uninterrupted")
    done = finflow("run", "--input", feed, "--out", out, "--rules", rules)
    assert done.returncode == 0, done.stderr
    return out


def lake_bytes(out: Path) -> dict[str, bytes]:
    """Every file of the lake, the quarantine and the ledger entries, by relative path."""
    found = {}
    for folder in ("lake", "quarantine", "files"):
        for path in sorted((out / folder).rglob("*")):
            if path.is_file():
                found[path.relative_to(out).as_posix()] = path.read_bytes()
    return found


def store_rows(out: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table of the run's SQLite store, without wall-clock columns, rows sorted."""
    with sqlite3.connect(out / "finflow.db") as db:
        tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
        rows = {}
        for table in sorted(tables):
            columns = [r[1] for r in db.execute(f'pragma table_info("{table}")')]
            kept = [c for c in columns if c not in TIME_COLUMNS and c != "id"]
            if table == "audit_log":
                kept = [c for c in kept if c != "detail"]  # names the OUT folder
            select = ", ".join(f'"{c}"' for c in kept)
            found = db.execute(f'select {select} from "{table}"').fetchall()
            if table == "runs":
                at = kept.index("counts")
                found = [(*r[:at], _timeless(json.loads(r[at])), *r[at + 1 :]) for r in found]
            rows[table] = sorted(found, key=repr)
    return rows


def _timeless(value: object) -> object:
    """A run's stage counts without per-stage seconds and the OUT folder's path."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k not in ("seconds", "index")}
    return value


INGEST_ONLY = [
    sys.executable,
    "-c",
    "import sys; from pathlib import Path; from finflow.pipeline import stage_ingest; "
    "stage_ingest(Path(sys.argv[1]), Path(sys.argv[2]))",
]


def ingest(feed: Path, out: Path, kill: str | None = None) -> subprocess.CompletedProcess[str]:
    """Only the ingest stage, in its own process (a whole run costs ~15 s of validation)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINFLOW_")}
    if kill:
        env["FINFLOW_TEST_KILL_AFTER"] = kill
    return subprocess.run(
        [*INGEST_ONLY, str(feed), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )


def test_a_run_killed_between_partition_writes_then_rerun_equals_an_uninterrupted_run(
    feed: Path, rules: Path, uninterrupted: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    # the second file's partition is in place; its quarantine part and ledger entry are not
    killed = finflow("run", "--input", feed, "--out", out, "--rules", rules, kill="commit:3")
    assert killed.returncode == KILLED, killed.stderr
    assert not (out / "run.json").exists()
    assert not (out / "finflow.db").exists()
    assert lake_bytes(out) != lake_bytes(uninterrupted)  # it really stopped half-way

    rerun = finflow("run", "--input", feed, "--out", out, "--rules", rules)
    assert rerun.returncode == 0, rerun.stderr
    assert not list(out.rglob(".*.tmp"))
    assert lake_bytes(out) == lake_bytes(uninterrupted)
    assert store_rows(out) == store_rows(uninterrupted)
    reused = [f["file"] for f in _ledger(out) if f.get("reused")]
    assert len(reused) == 1  # the first file was committed before the kill: not read again


@pytest.mark.parametrize(
    ("kill", "committed"),
    [
        ("tmp:1", 0),  # the first partition is written under its temporary name, not renamed
        ("entry:2", 2),  # two files fully committed, the third not started
    ],
)
def test_ingest_killed_at_any_point_then_rerun_leaves_the_same_lake(
    feed: Path, uninterrupted: Path, tmp_path: Path, kill: str, committed: int
) -> None:
    out = tmp_path / "out"
    killed = ingest(feed, out, kill)
    assert killed.returncode == KILLED, killed.stderr
    assert len(list((out / "files").glob("*.json"))) == committed
    if kill.startswith("tmp"):
        assert list(out.rglob(".*.tmp")), "the kill should leave a temporary file behind"
    rerun = ingest(feed, out)
    assert rerun.returncode == 0, rerun.stderr
    assert not list(out.rglob(".*.tmp"))
    assert lake_bytes(out) == lake_bytes(uninterrupted)


def _ledger(out: Path) -> list[dict[str, object]]:
    files: list[dict[str, object]] = json.loads((out / "run.json").read_text())["files"]
    return files
