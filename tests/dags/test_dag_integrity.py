"""Every DAG file imports cleanly, without touching a database, with tags and retries.

The idea of Airflow's own tests/unit/always/test_example_dags.py: each file is imported in a
fresh interpreter whose metadata database URL points at a closed port, so any database access
at parse time fails the import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from airflow_env import DAGS, airflow_env

DAG_FILES = sorted(DAGS.glob("*.py"))

PROBE = """
import importlib.util, json, sys
from airflow.sdk import DAG
spec = importlib.util.spec_from_file_location("dagfile", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
dags = [v for v in vars(module).values() if isinstance(v, DAG)]
print(json.dumps([
    {"dag_id": d.dag_id, "tags": sorted(d.tags),
     "retries": [t.retries for t in d.tasks], "params": sorted(d.params.keys())}
    for d in dags
]))
"""


def test_there_are_dag_files() -> None:
    assert [p.name for p in DAG_FILES] == [
        "finflow_deliveries.py",
        "finflow_detect.py",
        "finflow_ingest.py",
        "finflow_pipeline.py",
    ]


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_file_imports_without_a_database(tmp_path: Path, path: Path) -> None:
    env = airflow_env(tmp_path, sql_conn="postgresql+psycopg2://nobody@127.0.0.1:1/none")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    dags = json.loads(result.stdout.strip().splitlines()[-1])
    assert dags, f"{path.name} defines no DAG"
    for dag in dags:
        assert dag["tags"], f"{dag['dag_id']} has no tags"
        assert all(r >= 1 for r in dag["retries"]), f"{dag['dag_id']} has a task without retries"


def test_pipeline_dag_has_the_documented_params() -> None:
    source = (DAGS / "finflow_pipeline.py").read_text()
    assert 'dag_id="finflow_pipeline"' in source
    for name in ("input_dir", "output_dir"):
        assert f'"{name}": Param(' in source
    assert "airflow.decorators" not in source and "schedule_interval" not in source
