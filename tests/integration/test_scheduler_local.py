"""finflow_pipeline under a real scheduler, dag-processor and api-server (LocalExecutor).

One Airflow deployment. finflow_pipeline twice: a good feed (every stage succeeds, outputs and
store rows exist, each stage publishes its asset with counts) and a bad feed (ingest fails on
its first try without retries and the failure callback posts to the webhook connection named by
a Variable). Then the lake: finflow_ingest's scheduled run (settings from Variables, the feed
location a file:// URL read through ObjectStoragePath) maps one task per feed file and publishes
the lake asset, and finflow_detect, scheduled on that asset, runs by itself.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from airflow_cluster import cluster, database, pg_url
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from finflow.synth import generate

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

ASSETS = {
    "finflow://lake/transactions",
    "finflow://lake/quarantine",
    "finflow://results/validation",
    "finflow://results/alerts",
    "finflow://results/cases",
    "finflow://results/casepacks",
    "finflow://store/runs",
}
STAGES = {"ingest", "validate", "detect", "score", "casepacks", "store"}


@pytest.fixture
def webhook() -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """A local HTTP endpoint recording the JSON bodies POSTed to it."""
    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "body": json.loads(body)})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()


def test_local_executor_runs_the_pipeline_and_reports_a_bad_feed(
    tmp_path: Path, webhook: tuple[int, list[dict[str, Any]]]
) -> None:
    hook_port, received = webhook
    feeds, out = tmp_path / "feeds", tmp_path / "out"
    generate(feeds, rows=20_000, seed=7)
    lake_feeds, lake_dir = tmp_path / "lake-feeds", tmp_path / "lake"
    cases_dir = tmp_path / "cases"
    generate(lake_feeds / "bank_x", rows=3_000, seed=41, name="BANK_X")
    hour_ago = time.time() - 3600  # delivered a while ago: past finflow_ingest's settle time
    for path in lake_feeds.rglob("*"):
        os.utime(path, (hour_ago, hour_ago))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "notes.txt").write_text("this is not a bank feed\n")

    with database("finflow_it") as store_db:
        extra_env = {
            "AIRFLOW_CONN_FINFLOW_DB": json.dumps(
                {"conn_type": "postgres", "host": "127.0.0.1", "port": 5432}
                | {"login": "postgres", "schema": store_db}
            ),
            "AIRFLOW_CONN_FINFLOW_ALERTS": json.dumps(
                {"conn_type": "http", "host": "127.0.0.1", "port": hook_port}
                | {"extra": {"endpoint": "/finflow-alerts"}}
            ),
            "AIRFLOW_VAR_FINFLOW_ALERT_CONN_ID": "finflow_alerts",
            "AIRFLOW_VAR_FINFLOW_FEED_DIR": lake_feeds.as_uri(),  # through ObjectStoragePath
            "AIRFLOW_VAR_FINFLOW_LAKE_DIR": str(lake_dir),
            "AIRFLOW_VAR_FINFLOW_CASES_DIR": str(cases_dir),
            "FINFLOW_PDF_TOP": "0",
        }
        with cluster(tmp_path, "LocalExecutor", extra_env, budget=480) as airflow:
            airflow.wait_for_dag("finflow_pipeline")
            airflow.unpause("finflow_pipeline")
            good = airflow.trigger(
                "finflow_pipeline", {"input_dir": str(feeds), "output_dir": str(out)}
            )
            failing = airflow.trigger(
                "finflow_pipeline", {"input_dir": str(bad), "output_dir": str(tmp_path / "o2")}
            )
            assert airflow.wait_for_run("finflow_pipeline", good, timeout=300) == "success"
            tis = airflow.task_instances("finflow_pipeline", good)
            events = airflow.asset_events("finflow_pipeline", good)
            assert airflow.wait_for_run("finflow_pipeline", failing, timeout=120) == "failed"
            failed_tis = airflow.task_instances("finflow_pipeline", failing)

            airflow.wait_for_dag("finflow_ingest")
            airflow.wait_for_dag("finflow_detect")
            airflow.unpause("finflow_detect")  # its daily run finds no booking: skipped
            airflow.unpause("finflow_ingest")  # catchup=False: one scheduled run now
            ingest = airflow.wait(
                "the scheduled run of finflow_ingest",
                lambda: airflow.api("GET", "/dags/finflow_ingest/dagRuns")["dag_runs"],
                timeout=120,
            )[0]["dag_run_id"]
            assert airflow.wait_for_run("finflow_ingest", ingest, timeout=240) == "success"
            ingest_tis = airflow.task_instances("finflow_ingest", ingest)

            def asset_run() -> dict | None:
                runs = airflow.api("GET", "/dags/finflow_detect/dagRuns")["dag_runs"]
                return next((r for r in runs if r["run_type"] == "asset_triggered"), None)

            detect = airflow.wait("the asset-triggered finflow_detect run", asset_run, 120)
            assert airflow.wait_for_run("finflow_detect", detect["dag_run_id"], 240) == "success"
            detect_events = airflow.asset_events("finflow_detect", detect["dag_run_id"])

        assert {t["task_id"] for t in tis} == STAGES
        assert all(t["state"] == "success" for t in tis), tis

        run = json.loads((out / "run.json").read_text())
        assert (out / "cases" / "index.html").is_file()
        cases = run["stages"]["score"]["cases"]
        assert cases > 0
        extras = {e["name"]: e["extra"] for e in events}
        assert set(extras) == {a for a in ASSETS}, events
        lake = extras["finflow://lake/transactions"]
        assert lake["rows_accepted"] == run["stages"]["ingest"]["rows_accepted"] > 0
        assert lake["rows_quarantined"] == run["stages"]["ingest"]["rows_quarantined"]
        assert extras["finflow://results/alerts"]["alerts"] == run["stages"]["detect"]["alerts"] > 0
        assert extras["finflow://results/cases"]["cases"] == cases
        assert extras["finflow://store/runs"]["run_id"] == run["run_id"]
        assert store_db in extras["finflow://store/runs"]["database"]

        engine = create_engine(pg_url(store_db, "psycopg"), poolclass=NullPool)
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT run_id, status FROM runs")).all()
            stored_cases = connection.execute(
                text("SELECT count(*) FROM cases WHERE run_id = :r"), {"r": run["run_id"]}
            ).scalar()
        engine.dispose()
        assert (run["run_id"], "complete") in [tuple(r) for r in stored]
        assert len(stored) == 2  # and the detection run's (below)
        assert stored_cases == cases

    states = {t["task_id"]: (t["state"], t["try_number"]) for t in failed_tis}
    assert states["ingest"] == ("failed", 1), states  # a bad feed is not retried
    assert all(states[t][0] == "upstream_failed" for t in STAGES - {"ingest"}), states
    assert len(received) == 1, received
    alert = received[0]
    assert alert["path"] == "/finflow-alerts"
    assert alert["body"]["task_id"] == "ingest" and alert["body"]["run_id"] == failing
    assert "InputError" in alert["body"]["error"] and "notes.txt" in alert["body"]["error"]

    files = sorted(
        p.relative_to(lake_feeds).as_posix() for p in lake_feeds.glob("*/*") if p.is_file()
    )
    mapped = [t for t in ingest_tis if t["task_id"] == "ingest_file"]
    assert sorted(t["rendered_map_index"] for t in mapped) == files
    assert all(t["state"] == "success" for t in ingest_tis), ingest_tis
    assert list((lake_dir / "staging").glob("*/bank_x/BANK_X_Trans.csv"))  # file:// URL, staged
    (run_dir,) = cases_dir.iterdir()
    detected = json.loads((run_dir / "run.json").read_text())
    assert detected["stages"]["ingest"]["rows_in_window"] == 3_000
    detect_extras = {e["name"]: e["extra"] for e in detect_events}
    assert detect_extras["finflow://results/cases"]["run_id"] == detected["run_id"]
    assert detect_extras["finflow://results/cases"]["cases"] == detected["stages"]["score"]["cases"]
