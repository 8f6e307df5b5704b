"""`dag.test()` of finflow_pipeline on a small generated feed, under real Airflow 3."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from airflow_env import airflow_env, migrate

from finflow.synth import generate

RUN = """
import json, sys
from finflow_pipeline import finflow_pipeline_dag as dag
run = dag.test(run_conf={"input_dir": sys.argv[1], "output_dir": sys.argv[2]})
states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
print(json.dumps({"state": str(run.state), "tasks": states}))
"""


def test_pipeline_dag_runs_end_to_end(tmp_path: Path) -> None:
    feeds, out = tmp_path / "feeds", tmp_path / "out"
    generate(feeds, rows=20_000, seed=7)
    env = airflow_env(tmp_path / "airflow")
    env["FINFLOW_DATABASE_URL"] = f"sqlite:///{tmp_path / 'finflow.db'}"
    migrate(env)
    result = subprocess.run(
        [sys.executable, "-c", RUN, str(feeds), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["state"].endswith("success"), outcome
    assert set(outcome["tasks"]) == {"ingest", "validate", "detect", "score", "casepacks", "store"}
    assert all(s.endswith("success") for s in outcome["tasks"].values()), outcome
    run = json.loads((out / "run.json").read_text())
    assert run["stages"]["score"]["cases"] > 0
    assert (out / "cases" / "index.html").is_file()
    assert (tmp_path / "finflow.db").is_file()
    for entry in run["files"]:
        assert entry["rows_read"] == entry["rows_accepted"] + entry["rows_quarantined"]
