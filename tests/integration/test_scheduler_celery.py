"""The lake DAGs and finflow_deliveries under a real scheduler, CeleryExecutor, two workers.

Redis (a dedicated DB number and a queue of the test's own) is the broker, PostgreSQL the
result backend; the workers have concurrency 1 and distinct names, which they record as the
task instances' `hostname`. Settings come from Airflow Variables, read when the tasks run.

1. finflow_ingest is unpaused; its first scheduled run maps one `ingest_file` instance per
   new feed file of two deliveries, and those instances must have run on both workers.
2. finflow_detect, scheduled on the lake asset, then runs by itself (run type
   `asset_triggered`) on what the ingest added, and its case packs and store rows exist.
3. finflow_deliveries, unpaused with both workers idle, maps one task per delivery folder over
   both workers as well.
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

DELIVERIES = ("bank_a", "bank_b")
WORKERS = ("worker_a", "worker_b")


def settle(folder: Path) -> None:
    """Back-date every file: delivered an hour ago, past the DAGs' settle time."""
    hour_ago = time.time() - 3600
    for path in folder.rglob("*"):
        os.utime(path, (hour_ago, hour_ago))


def test_celery_workers_share_mapped_files_and_the_lake_schedules_detection(
    tmp_path: Path,
) -> None:
    feeds, lake, cases = tmp_path / "feeds", tmp_path / "lake", tmp_path / "cases"
    for seed, name in enumerate(DELIVERIES, start=21):
        generate(feeds / name, rows=3_000, seed=seed, name=name.upper())
    settle(feeds)
    landing, root = tmp_path / "landing", tmp_path / "deliveries-out"
    for seed, name in enumerate(DELIVERIES, start=11):
        generate(landing / name, rows=2_000, seed=seed, name=name.upper())
    settle(landing)
    (landing / "still_copying").mkdir()
    generate(landing / "still_copying", rows=1_000, seed=99, name="LATE")
    files = sorted(p.relative_to(feeds).as_posix() for p in feeds.glob("*/*") if p.is_file())

    with database("finflow_it") as store_db:
        extra_env = {
            "AIRFLOW_CONN_FINFLOW_DB": json.dumps(
                {"conn_type": "postgres", "host": "127.0.0.1", "port": 5432}
                | {"login": "postgres", "schema": store_db}
            ),
            "AIRFLOW_VAR_FINFLOW_FEED_DIR": str(feeds),
            "AIRFLOW_VAR_FINFLOW_LAKE_DIR": str(lake),
            "AIRFLOW_VAR_FINFLOW_CASES_DIR": str(cases),
            "AIRFLOW_VAR_FINFLOW_LANDING_DIR": str(landing),
            "AIRFLOW_VAR_FINFLOW_OUTPUT_ROOT": str(root),
            "FINFLOW_PDF_TOP": "0",
        }
        with cluster(tmp_path, "CeleryExecutor", extra_env, workers=WORKERS, budget=480) as airflow:
            for dag_id in ("finflow_ingest", "finflow_detect", "finflow_deliveries"):
                airflow.wait_for_dag(dag_id)
            airflow.unpause("finflow_detect")  # its daily run finds no booking: skipped
            airflow.unpause("finflow_ingest")  # catchup=False: one run now
            ingest_run = airflow.wait(
                "the scheduled run of finflow_ingest",
                lambda: airflow.api("GET", "/dags/finflow_ingest/dagRuns")["dag_runs"],
                timeout=120,
            )[0]
            assert ingest_run["run_type"] == "scheduled"
            ingest_id = ingest_run["dag_run_id"]
            assert airflow.wait_for_run("finflow_ingest", ingest_id, timeout=240) == "success"

            def asset_run() -> dict | None:
                runs = airflow.api("GET", "/dags/finflow_detect/dagRuns")["dag_runs"]
                return next((r for r in runs if r["run_type"] == "asset_triggered"), None)

            detect_run = airflow.wait("the asset-triggered finflow_detect run", asset_run, 120)
            detect_id = detect_run["dag_run_id"]
            assert airflow.wait_for_run("finflow_detect", detect_id, timeout=240) == "success"
            ingest_tis = airflow.task_instances("finflow_ingest", ingest_id)
            detect_tis = airflow.task_instances("finflow_detect", detect_id)
            lake_events = airflow.asset_events("finflow_ingest", ingest_id)

            airflow.unpause("finflow_deliveries")  # both workers idle when it fans out
            delivery_run = airflow.wait(
                "the scheduled run of finflow_deliveries",
                lambda: airflow.api("GET", "/dags/finflow_deliveries/dagRuns")["dag_runs"],
                timeout=120,
            )[0]
            delivery_id = delivery_run["dag_run_id"]
            assert airflow.wait_for_run("finflow_deliveries", delivery_id, timeout=240) == (
                "success"
            )
            delivery_tis = airflow.task_instances("finflow_deliveries", delivery_id)

        mapped = [t for t in ingest_tis if t["task_id"] == "ingest_file"]
        assert sorted(t["rendered_map_index"] for t in mapped) == files
        assert all(t["state"] == "success" for t in ingest_tis), ingest_tis
        assert {t["hostname"] for t in mapped} == set(WORKERS), mapped
        per_file = [e for e in lake_events if e["name"] == "finflow://lake/files"]
        assert sorted(e["extra"]["path"] for e in per_file) == files
        (ingested,) = [e["extra"] for e in lake_events if e["name"] == "finflow://lake/ingests"]
        assert ingested["files"] == len(files) and ingested["transaction_files"] == 2
        assert ingested["rows_accepted"] >= 6_000

        assert all(t["state"] == "success" for t in detect_tis), detect_tis
        assert {t["hostname"] for t in detect_tis + ingest_tis} <= set(WORKERS)
        (run_dir,) = cases.iterdir()
        run = json.loads((run_dir / "run.json").read_text())
        assert run["stages"]["ingest"]["rows_in_window"] == 6_000  # both feeds, whole
        assert run["stages"]["score"]["cases"] > 0
        assert (run_dir / "cases" / "index.html").is_file()

        process = [t for t in delivery_tis if t["task_id"] == "process_delivery"]
        assert sorted(t["rendered_map_index"] for t in process) == list(DELIVERIES)
        assert all(t["state"] == "success" for t in delivery_tis), delivery_tis
        assert {t["hostname"] for t in process} == set(WORKERS), process
        for name in DELIVERIES:
            assert (root / name / "cases" / "index.html").is_file()
        assert not (root / "still_copying").exists()

        engine = create_engine(pg_url(store_db, "psycopg"), poolclass=NullPool)
        with engine.connect() as connection:
            stored = {r[0] for r in connection.execute(text("SELECT run_id FROM runs"))}
        engine.dispose()
        assert run["run_id"] in stored and len(stored) == len(DELIVERIES) + 1
