"""Both DAGs under a real scheduler with the CeleryExecutor and two Celery workers.

Redis (a dedicated DB number and a queue of the test's own) is the broker, PostgreSQL the
result backend; the workers have concurrency 1 and distinct names, which they record as the
task instances' `hostname`. finflow_deliveries is unpaused and its first scheduled run maps one
task per delivery folder; the mapped instances must have run on both workers. Then
finflow_pipeline runs on a 20k-row feed.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from airflow_cluster import cluster, database, pg_url
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from finflow.synth import generate

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

DELIVERIES = ("bank_a", "bank_b", "bank_c", "bank_d")
WORKERS = ("worker_a", "worker_b")


def test_celery_workers_share_mapped_deliveries_and_run_the_pipeline(tmp_path: Path) -> None:
    landing, root = tmp_path / "landing", tmp_path / "deliveries-out"
    for seed, name in enumerate(DELIVERIES, start=11):
        generate(landing / name, rows=6_000, seed=seed, name=name.upper())
    hour_ago = time.time() - 3600  # delivered a while ago: past the settle time
    for path in landing.rglob("*"):
        os.utime(path, (hour_ago, hour_ago))
    (landing / "still_copying").mkdir()
    generate(landing / "still_copying", rows=6_000, seed=99, name="LATE")
    feeds, out = tmp_path / "feeds", tmp_path / "out"
    generate(feeds, rows=20_000, seed=7)

    with database("finflow_it") as store_db:
        extra_env = {
            "AIRFLOW_CONN_FINFLOW_DB": json.dumps(
                {"conn_type": "postgres", "host": "127.0.0.1", "port": 5432}
                | {"login": "postgres", "schema": store_db}
            ),
            "AIRFLOW_VAR_FINFLOW_LANDING_DIR": str(landing),
            "AIRFLOW_VAR_FINFLOW_OUTPUT_ROOT": str(root),
        }
        with cluster(tmp_path, "CeleryExecutor", extra_env, workers=WORKERS) as airflow:
            airflow.wait_for_dag("finflow_deliveries")
            airflow.wait_for_dag("finflow_pipeline")
            airflow.unpause("finflow_deliveries")  # catchup=False: one run for the last hour
            scheduled = airflow.wait(
                "the scheduled run of finflow_deliveries",
                lambda: airflow.api("GET", "/dags/finflow_deliveries/dagRuns")["dag_runs"],
                timeout=120,
            )[0]
            assert scheduled["run_type"] == "scheduled"
            run_id = scheduled["dag_run_id"]
            assert airflow.wait_for_run("finflow_deliveries", run_id, timeout=300) == "success"
            # the pipeline only afterwards: both workers are idle when the deliveries fan out
            airflow.unpause("finflow_pipeline")
            pipeline_run = airflow.trigger(
                "finflow_pipeline", {"input_dir": str(feeds), "output_dir": str(out)}
            )
            assert airflow.wait_for_run("finflow_pipeline", pipeline_run, timeout=300) == (
                "success"
            )
            tis = airflow.task_instances("finflow_deliveries", run_id)
            pipeline_tis = airflow.task_instances("finflow_pipeline", pipeline_run)

        mapped = [t for t in tis if t["task_id"] == "process_delivery"]
        assert sorted(t["rendered_map_index"] for t in mapped) == list(DELIVERIES)
        assert all(t["state"] == "success" for t in tis), tis
        assert {t["hostname"] for t in mapped} == set(WORKERS), mapped
        assert {t["hostname"] for t in tis + pipeline_tis} <= set(WORKERS)
        assert all(t["state"] == "success" for t in pipeline_tis), pipeline_tis

        for name in DELIVERIES:
            run = json.loads((root / name / "run.json").read_text())
            assert {f["file"] for f in run["files"]} >= {f"{name.upper()}_Trans.csv"}
            assert (root / name / "cases" / "index.html").is_file()
        assert not (root / "still_copying").exists()
        assert (out / "cases" / "index.html").is_file()

        engine = create_engine(pg_url(store_db, "psycopg"), poolclass=NullPool)
        with engine.connect() as connection:
            runs = connection.execute(text("SELECT count(*) FROM runs")).scalar()
        engine.dispose()
        assert runs == len(DELIVERIES) + 1
