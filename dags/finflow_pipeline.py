"""finflow_pipeline: the whole pipeline on one folder of feed files, one task per stage.

Trigger it with `input_dir` (a folder, or a URL read through `ObjectStoragePath` and staged
into `output_dir/staging/`) and `output_dir` (and optionally `database_url`). Wiring only: each
task imports `finflow` inside its body, calls one stage function and passes on a small dict
(the output folder and the finflow run id), never data. Stages are idempotent: a retry or a
re-run replaces the stage's own outputs under `output_dir`.

Each stage publishes an Asset (`finflow://lake/transactions`, `finflow://results/cases`, ...)
whose event carries the stage's counts. A bad feed or a failed data-quality gate fails the task at
once with the library's message; other errors are retried with exponential backoff. The store
is the Airflow connection `finflow_db` when it exists (see docs/operations.md).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Param, dag, task

from finflow_airflow import assets
from finflow_airflow.defaults import DEFAULT_ARGS

log = logging.getLogger(__name__)

Run = dict[str, Any]  # {"out_dir": str, "run_id": str}: all that passes between tasks


@dag(
    dag_id="finflow_pipeline",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=8),
    tags=["finflow", "aml", "poca"],
    default_args=DEFAULT_ARGS,
    params={
        "input_dir": Param("", type="string", description="folder of feed files to ingest"),
        "output_dir": Param("", type="string", description="folder for the run's outputs"),
        "database_url": Param(
            None,
            type=["null", "string"],
            description="store URL when there is no `finflow_db` connection "
            "(default: FINFLOW_DATABASE_URL, else SQLite in output_dir)",
        ),
        "alert_conn_id": Param(
            None,
            type=["null", "string"],
            description="http or smtp connection notified when a task fails "
            "(default: Variable finflow_alert_conn_id)",
        ),
    },
    doc_md=__doc__,
)
def finflow_pipeline() -> None:
    @task(
        outlets=[assets.LAKE_TRANSACTIONS, assets.QUARANTINE], execution_timeout=timedelta(hours=2)
    )
    def ingest(
        params: dict[str, Any] | None = None,
        logical_date: Any = None,
        outlet_events: Any = None,
    ) -> Run:
        from pathlib import Path

        from finflow.errors import ConfigError
        from finflow.pipeline import stage_ingest
        from finflow_airflow.storage import local_folder

        assert params is not None and outlet_events is not None
        if not params["input_dir"] or not params["output_dir"]:
            raise ConfigError("params input_dir and output_dir are required")
        stamp = logical_date.isoformat() if logical_date is not None else None
        out_dir = Path(params["output_dir"])
        # a URL (file://, s3://conn@bucket/...) is read through ObjectStoragePath, staged here
        input_dir = local_folder(params["input_dir"], out_dir / "staging")
        summary = stage_ingest(input_dir, out_dir, logical_date=stamp)
        log.info("finflow ingest: %s", summary)
        counts = {k: summary[k] for k in ("rows_read", "rows_accepted", "rows_quarantined")}
        outlet_events[assets.LAKE_TRANSACTIONS].extra = {
            "run_id": summary["run_id"],
            "files": summary["files"],
            **counts,
        }
        outlet_events[assets.QUARANTINE].extra = {
            "run_id": summary["run_id"],
            "rows_quarantined": summary["rows_quarantined"],
        }
        return {"out_dir": params["output_dir"], "run_id": summary["run_id"]}

    @task(outlets=[assets.VALIDATION], execution_timeout=timedelta(hours=1))
    def validate(run: Run, outlet_events: Any = None) -> Run:
        from pathlib import Path

        from finflow.errors import ValidationFailed
        from finflow.pipeline import stage_validate

        try:
            summary = stage_validate(Path(run["out_dir"]))
        except ValidationFailed as exc:
            log.error("finflow data-quality gate FAILED for run %s: %s", run["run_id"], exc)
            raise
        log.info("finflow validate: %d suites passed", summary["suites_run"])
        outlet_events[assets.VALIDATION].extra = {
            "run_id": run["run_id"],
            "suites_run": summary["suites_run"],
            "warnings": summary["warnings"],
        }
        return run

    @task(outlets=[assets.ALERTS], execution_timeout=timedelta(hours=2))
    def detect(run: Run, outlet_events: Any = None) -> Run:
        from pathlib import Path

        from finflow.pipeline import stage_detect

        summary = stage_detect(Path(run["out_dir"]))
        log.info("finflow detect: %s", summary)
        outlet_events[assets.ALERTS].extra = {"run_id": run["run_id"], "alerts": summary["alerts"]}
        return run

    @task(outlets=[assets.CASES], execution_timeout=timedelta(minutes=30))
    def score(run: Run, outlet_events: Any = None) -> Run:
        from pathlib import Path

        from finflow.pipeline import stage_score

        summary = stage_score(Path(run["out_dir"]))
        log.info("finflow score: %s", summary)
        outlet_events[assets.CASES].extra = {"run_id": run["run_id"], **summary}
        return run

    @task(outlets=[assets.CASE_PACKS], execution_timeout=timedelta(hours=1))
    def casepacks(run: Run, outlet_events: Any = None) -> Run:
        from pathlib import Path

        from finflow.casepack.stage import stage_casepacks

        summary = stage_casepacks(Path(run["out_dir"]))
        log.info("finflow casepacks: %s", summary)
        outlet_events[assets.CASE_PACKS].extra = {"run_id": run["run_id"], **summary}
        return run

    @task(outlets=[assets.STORE], execution_timeout=timedelta(minutes=30))
    def store(run: Run, params: dict[str, Any] | None = None, outlet_events: Any = None) -> Run:
        from pathlib import Path

        from finflow.pipeline import finish
        from finflow.store.stage import stage_store
        from finflow_airflow.runtime import store_url

        assert params is not None
        out_dir = Path(run["out_dir"])
        summary = stage_store(out_dir, store_url(params))
        ledger = finish(out_dir)
        log.info("finflow run %s stored in %s; run.json in %s", run["run_id"], summary, out_dir)
        outlet_events[assets.STORE].extra = {
            "run_id": run["run_id"],
            "database": summary["database"],
            "alerts": ledger["stages"]["detect"]["alerts"],
            "cases": ledger["stages"]["score"]["cases"],
        }
        return run

    ingested: Any = ingest()  # each task call returns an XComArg: the next task's input
    validated: Any = validate(ingested)
    detected: Any = detect(validated)
    scored: Any = score(detected)
    packed: Any = casepacks(scored)
    store(packed)


finflow_pipeline_dag = finflow_pipeline()
