"""`dag.test()` of finflow_ingest and finflow_detect under real Airflow 3, in one interpreter.

Two deliveries go into the lake with one mapped `ingest_file` instance per file; a second ingest
run finds nothing new (files are known by hash); finflow_detect then runs over the whole lake.
A feed location given as a `file://` URL is read through ObjectStoragePath and staged; a file
that is not a feed fails its own mapped instance and the run, while the delivery's good files
still reach the lake.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from airflow_env import airflow_env, migrate

from finflow.synth import generate

RUN = """
import json, sys
from finflow_detect import finflow_detect_dag as detect
from finflow_ingest import finflow_ingest_dag as ingest

feeds, url_feeds, lake, cases = sys.argv[1:5]

def outcome(run):
    tis = run.get_task_instances()
    return {
        "state": str(run.state),
        "tasks": sorted(
            [ti.task_id, ti.map_index, ti.rendered_map_index, str(ti.state)] for ti in tis
        ),
    }

conf = {"feed_dir": feeds, "lake_dir": lake, "settle_seconds": 0}
first = outcome(ingest.test(run_conf=conf))
again = outcome(ingest.test(run_conf=conf))
found = outcome(detect.test(run_conf={"lake_dir": lake, "cases_dir": cases}))
url = outcome(ingest.test(run_conf=conf | {"feed_dir": url_feeds}))
print(json.dumps({"first": first, "again": again, "detect": found, "url": url}))
"""


def listed(folder: Path) -> list[str]:
    """The files of each delivery sub-folder (not their own sub-folders, e.g. truth/)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.glob("*/*") if p.is_file())


def states(outcome: dict, task_id: str) -> list[str]:
    return [s.rsplit(".", 1)[-1] for t, _, _, s in outcome["tasks"] if t == task_id]


def test_ingest_maps_one_task_per_new_file_and_detect_reads_the_lake(tmp_path: Path) -> None:
    feeds, lake, cases = tmp_path / "feeds", tmp_path / "lake", tmp_path / "cases"
    generate(feeds / "bank_a", rows=3_000, seed=3, name="BANK_A")
    generate(feeds / "bank_b", rows=3_000, seed=4, name="BANK_B")
    remote = tmp_path / "remote"
    generate(remote / "bank_c", rows=2_000, seed=5, name="BANK_C")
    (remote / "bank_c" / "notes.txt").write_text("this is not a bank feed\n")

    env = airflow_env(tmp_path / "airflow")
    env["FINFLOW_DATABASE_URL"] = f"sqlite:///{tmp_path / 'finflow.db'}"
    env["FINFLOW_PDF_TOP"] = "0"
    migrate(env)
    result = subprocess.run(
        [sys.executable, "-c", RUN, str(feeds), remote.as_uri(), str(lake), str(cases)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])

    first = out["first"]
    assert first["state"].endswith("success"), first
    mapped = [(m, name) for t, m, name, _ in first["tasks"] if t == "ingest_file"]
    delivered = listed(feeds)  # transactions, accounts, ground truth, KYC files
    assert {"bank_a/BANK_A_Trans.csv", "bank_b/BANK_B_accounts.csv"} < set(delivered)
    assert sorted(name for _, name in mapped) == delivered
    assert sorted(m for m, _ in mapped) == list(range(len(delivered)))
    assert set(states(first, "ingest_file")) == {"success"}
    assert states(first, "close_run") == ["success"] == states(first, "check_files")
    ledgers = sorted((lake / "ingests").glob("*.json"), key=lambda p: p.stat().st_mtime)
    assert len(ledgers) == 2  # this run's and the URL run's
    summary = json.loads(ledgers[0].read_text())["summary"]
    assert summary["files"] == len(delivered) and summary["transaction_files"] == 2
    assert summary["rows_accepted"] > 6_000  # both feeds and the reference files

    again = out["again"]  # nothing new: the mapped task has no instance, the run succeeds
    assert again["state"].endswith("success"), again
    assert states(again, "close_run") == ["skipped"]
    assert states(again, "check_files") == ["success"]  # checked: nothing was left out
    assert all(m == -1 for t, m, _, _ in again["tasks"] if t == "ingest_file")

    found = out["detect"]
    assert found["state"].endswith("success"), found
    (run_dir,) = cases.iterdir()
    run = json.loads((run_dir / "run.json").read_text())
    assert run["run_id"] == run_dir.name
    assert {f["file"] for f in run["files"]} >= {
        "BANK_A_Trans.csv",
        "BANK_B_Trans.csv",
        "BANK_A_accounts.csv",
        "BANK_B_accounts.csv",
    }
    assert run["stages"]["ingest"]["rows_in_window"] == 6_000
    assert run["stages"]["score"]["cases"] > 0
    assert (run_dir / "cases" / "index.html").is_file()

    url = out["url"]  # file:// URL: staged; notes.txt fails its own instance and the run
    assert url["state"].endswith("failed"), url
    by_file = {name: s.rsplit(".", 1)[-1] for t, _, name, s in url["tasks"] if t == "ingest_file"}
    assert by_file == {
        name: "failed" if name == "bank_c/notes.txt" else "success" for name in listed(remote)
    }
    assert states(url, "close_run") == ["success"]
    assert states(url, "check_files") == ["failed"]
    assert len(list((lake / "lake" / "transactions").glob("*.parquet"))) == 3  # A, B, C
    assert list((lake / "staging").glob("*/bank_c/BANK_C_Trans.csv"))
