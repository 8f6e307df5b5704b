"""finflow_pipeline: the whole pipeline on demand, one task per stage.

Wiring only: each task imports `finflow` inside its body, calls one stage function and returns
the output folder (a path through XCom, never data). Stages are idempotent: a retry or a re-run
replaces the stage's own outputs under `output_dir`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task

log = logging.getLogger(__name__)

DEFAULT_ARGS = {
    "owner": "finflow",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    "execution_timeout": timedelta(hours=2),
}


@dag(
    dag_id="finflow_pipeline",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["finflow", "aml", "poca"],
    default_args=DEFAULT_ARGS,
    params={
        "input_dir": Param("", type="string", description="folder of feed files to ingest"),
        "output_dir": Param("", type="string", description="folder for the run's outputs"),
        "database_url": Param(
            None, type=["null", "string"], description="store URL (default: FINFLOW_DATABASE_URL)"
        ),
    },
    doc_md=__doc__,
)
def finflow_pipeline() -> None:
    @task
    def ingest(params: dict[str, str] | None = None, logical_date: object = None) -> str:
        from pathlib import Path

        from finflow.pipeline import stage_ingest

        assert params is not None
        if not params["input_dir"] or not params["output_dir"]:
            raise ValueError("params input_dir and output_dir are required")
        stamp = logical_date.isoformat() if hasattr(logical_date, "isoformat") else None
        summary = stage_ingest(
            Path(params["input_dir"]), Path(params["output_dir"]), logical_date=stamp
        )
        log.info("finflow ingest: %s", summary)
        return params["output_dir"]

    @task
    def validate(out_dir: str) -> str:
        from pathlib import Path

        from finflow.pipeline import stage_validate

        log.info(f"finflow validate: {stage_validate(Path(out_dir))['suites_run']} suites passed")
        return out_dir

    @task
    def detect(out_dir: str) -> str:
        from pathlib import Path

        from finflow.pipeline import stage_detect

        log.info(f"finflow detect: {stage_detect(Path(out_dir))}")
        return out_dir

    @task
    def score(out_dir: str) -> str:
        from pathlib import Path

        from finflow.pipeline import stage_score

        log.info(f"finflow score: {stage_score(Path(out_dir))}")
        return out_dir

    @task
    def casepacks(out_dir: str) -> str:
        from pathlib import Path

        from finflow.pipeline import stage_casepacks

        log.info(f"finflow casepacks: {stage_casepacks(Path(out_dir))}")
        return out_dir

    @task
    def store(out_dir: str, params: dict[str, str] | None = None) -> str:
        from pathlib import Path

        from finflow.pipeline import finish, stage_store

        assert params is not None
        stage_store(Path(out_dir), params.get("database_url"))
        run = finish(Path(out_dir))
        log.info(f"finflow run {run['run_id']} stored; run.json in {out_dir}")
        return out_dir

    store(casepacks(score(detect(validate(ingest())))))


finflow_pipeline_dag = finflow_pipeline()
