"""Parsing the DAG folder is cheap and side-effect free, as the dag-processor needs it to be.

Each check runs in a fresh interpreter whose metadata database URL points at a closed port.
Airflow itself is imported first; then the DAG folder is loaded with Airflow's own `DagBag`
(which honours `.airflowignore`) while every socket connection, Variable and Connection lookup
is recorded. The check is on what parsing does (no I/O to a server, no library stage code
imported), plus a generous bound on the parse time of the DAG modules themselves.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from airflow_env import DAGS, airflow_env

EXPECTED_DAGS = {"finflow_pipeline", "finflow_deliveries", "finflow_ingest", "finflow_detect"}
HEAVY = (
    "polars",
    "pandas",
    "great_expectations",
    "networkx",
    "finflow.pipeline",
    "finflow.lakerun",
    "finflow.lakedetect",
    "finflow.runstate",
    "psycopg",
)
PARSE_SECONDS = 3.0  # the DAG modules alone; Airflow's import is excluded
FILE_SECONDS = 1.0  # one DAG file, parsed again once its imports are loaded

PROBE = """
import json, socket, sys, time
import airflow.sdk
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk import Connection, Variable

calls = []
real_connect = socket.socket.connect
def connect(self, address):
    calls.append(f"socket connect {address}")
    return real_connect(self, address)
socket.socket.connect = connect
Variable.get = classmethod(lambda cls, key, *a, **k: calls.append(f"Variable.get {key}"))
Connection.get = classmethod(lambda cls, cid, *a, **k: calls.append(f"Connection.get {cid}"))

before = set(sys.modules)
started = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1], bundle_path=sys.argv[1], safe_mode=False)
seconds = time.perf_counter() - started
new = sorted(set(sys.modules) - before)
file_seconds = {}
for path in sorted(bag.file_last_changed):
    started = time.perf_counter()
    DagBag(dag_folder=str(path), bundle_path=sys.argv[1], safe_mode=False)
    file_seconds[str(path).rsplit("/", 1)[-1]] = time.perf_counter() - started
print(json.dumps({
    "seconds": seconds,
    "errors": {str(k): str(v)[-2000:] for k, v in bag.import_errors.items()},
    "files": sorted(str(k) for k in bag.file_last_changed),
    "calls": calls,
    "new_modules": new,
    "file_seconds": file_seconds,
    "dags": {
        d.dag_id: {
            "tags": sorted(d.tags),
            "catchup": d.catchup,
            "timetable": type(d.timetable).__name__,
            "schedule_assets": sorted(
                a.uri for a in getattr(getattr(d.timetable, "asset_condition", None), "objects", [])
            ),
            "outlets": sorted({o.uri for t in d.tasks for o in t.outlets}),
            "mapped": sorted(t.task_id for t in d.tasks if getattr(t, "is_mapped", False)),
            "tasks": {
                t.task_id: {
                    "retries": t.retries,
                    "backoff": t.retry_exponential_backoff,
                    "timeout": t.execution_timeout.total_seconds() if t.execution_timeout else None,
                    "on_failure": bool(t.on_failure_callback),
                    "retry_policy": type(t.retry_policy).__name__,
                }
                for t in d.tasks
            },
        }
        for d in bag.dags.values()
    },
}))
"""


CARELESS_DAG = """
import polars
from airflow.sdk import DAG, Variable
folder = Variable.get("finflow_landing_dir")
with DAG("careless", schedule=None, tags=["x"]):
    pass
"""


def parse(folder: Path, home: Path) -> dict:
    env = airflow_env(home, sql_conn="postgresql+psycopg2://nobody@127.0.0.1:1/none")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    parsed: dict = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def heavy_modules(parsed: dict) -> list[str]:
    return [m for m in parsed["new_modules"] if m.split(".")[0] in HEAVY or m in HEAVY]


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return parse(DAGS, tmp_path_factory.mktemp("airflow-home"))


def test_the_probe_catches_a_careless_dag_file(tmp_path: Path) -> None:
    folder = tmp_path / "dags"
    folder.mkdir()
    (folder / "careless.py").write_text(CARELESS_DAG)
    careless = parse(folder, tmp_path / "home")
    assert "Variable.get finflow_landing_dir" in careless["calls"]
    assert "polars" in heavy_modules(careless)


def test_the_dag_folder_parses_without_errors(parsed: dict) -> None:
    assert parsed["errors"] == {}
    assert set(parsed["dags"]) == EXPECTED_DAGS


def test_only_dag_files_are_parsed_the_helpers_are_ignored(parsed: dict) -> None:
    assert sorted(Path(f).name for f in parsed["files"]) == sorted(
        p.name for p in DAGS.glob("*.py")
    )


def test_parsing_makes_no_connection_and_reads_no_variable(parsed: dict) -> None:
    assert parsed["calls"] == []


def test_parsing_imports_no_stage_code(parsed: dict) -> None:
    assert heavy_modules(parsed) == []


def test_parsing_is_quick(parsed: dict) -> None:
    assert parsed["seconds"] < PARSE_SECONDS, f"DAG folder took {parsed['seconds']:.2f}s"


def test_each_dag_file_parses_in_under_a_second(parsed: dict) -> None:
    assert set(parsed["file_seconds"]) == {p.name for p in DAGS.glob("*.py")}
    slow = {f: round(t, 2) for f, t in parsed["file_seconds"].items() if t >= FILE_SECONDS}
    assert not slow, slow


def test_ingest_maps_per_file_and_publishes_the_lake_asset_detect_is_scheduled_on(
    parsed: dict,
) -> None:
    ingest, detect = parsed["dags"]["finflow_ingest"], parsed["dags"]["finflow_detect"]
    assert ingest["mapped"] == ["ingest_file"]
    assert {"finflow://lake/files", "finflow://lake/ingests"} <= set(ingest["outlets"])
    assert detect["timetable"] == "AssetOrTimeSchedule"  # the asset, or a daily interval
    assert detect["schedule_assets"] == ["finflow://lake/ingests"]
    assert "finflow://results/cases" in detect["outlets"]


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_every_task_retries_with_backoff_times_out_and_reports(parsed: dict, dag_id: str) -> None:
    dag = parsed["dags"][dag_id]
    assert dag["tags"] and "finflow" in dag["tags"]
    assert dag["catchup"] is False
    for task_id, task in dag["tasks"].items():
        assert task["retries"] >= 1, task_id
        assert task["backoff"] >= 2, task_id
        assert task["timeout"] and task["timeout"] <= 4 * 3600, task_id
        assert task["on_failure"], task_id
        assert task["retry_policy"] == "ExceptionRetryPolicy", task_id
