"""finflow_deliveries: every hour, run the pipeline on each new delivery, one mapped task each.

A delivery is a sub-folder of the landing folder holding the files a bank sent together (its
transaction feed and account reference file). A delivery is new when `<output_root>/<name>/`
holds no `run.json` for the same file names, and ready when none of its files changed during the
last `settle_seconds` (so a folder still being copied is left for the next run). Each delivery
is one finflow run (`finflow run --input <delivery> --out <output_root>/<name>`), in its own
mapped task instance, so deliveries run in parallel over the workers and fail independently.

Settings are read when the tasks run: the Params, else the Variables `finflow_landing_dir` and
`finflow_output_root`; the store is the `finflow_db` connection (see docs/operations.md).

Detection runs per delivery: patterns spanning two deliveries are not linked. finflow_ingest
and finflow_detect ingest each file into one shared lake and detect over time windows of it
instead (see docs/operations.md); use one or the other for a landing folder.
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


@dag(
    dag_id="finflow_deliveries",
    schedule="@hourly",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=12),
    tags=["finflow", "aml", "ingestion"],
    default_args=DEFAULT_ARGS,
    params={
        "landing_dir": Param(
            None, type=["null", "string"], description="default: Variable finflow_landing_dir"
        ),
        "output_root": Param(
            None, type=["null", "string"], description="default: Variable finflow_output_root"
        ),
        "database_url": Param(
            None, type=["null", "string"], description="used when there is no finflow_db conn"
        ),
        "settle_seconds": Param(
            300, type="integer", minimum=0, description="leave deliveries changed more recently"
        ),
        "alert_conn_id": Param(
            None, type=["null", "string"], description="default: Variable finflow_alert_conn_id"
        ),
    },
    doc_md=__doc__,
)
def finflow_deliveries() -> None:
    @task(execution_timeout=timedelta(minutes=10))
    def find_deliveries(params: dict[str, Any] | None = None) -> list[dict[str, str]]:
        import json
        import time
        from pathlib import Path

        from finflow.errors import ConfigError
        from finflow_airflow.runtime import setting

        assert params is not None
        landing = setting(params, "landing_dir", "finflow_landing_dir")
        root = setting(params, "output_root", "finflow_output_root")
        if not landing or not root:
            raise ConfigError(
                "set landing_dir and output_root (Params or Variables "
                "finflow_landing_dir and finflow_output_root)"
            )
        if not Path(landing).is_dir():
            raise ConfigError(f"landing folder {landing} does not exist")
        settled_before = time.time() - int(params["settle_seconds"])
        found = []
        for folder in sorted(p for p in Path(landing).iterdir() if p.is_dir()):
            files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
            if folder.name.startswith(".") or not files:
                continue
            if max(p.stat().st_mtime for p in files) > settled_before:
                log.info("delivery %s: still arriving, left for the next run", folder.name)
                continue
            ledger = Path(root) / folder.name / "run.json"
            if ledger.exists():
                done = {f["file"] for f in json.loads(ledger.read_text())["files"]}
                if done == {p.name for p in files}:
                    continue
            found.append(
                {
                    "name": folder.name,
                    "input_dir": str(folder),
                    "output_dir": str(Path(root) / folder.name),
                }
            )
        log.info("finflow deliveries to process: %s", [d["name"] for d in found])
        return found

    @task(
        outlets=[assets.LAKE_TRANSACTIONS, assets.ALERTS, assets.CASES, assets.STORE],
        execution_timeout=timedelta(hours=4),
        map_index_template="{{ delivery_name }}",
    )
    def process_delivery(
        delivery: dict[str, str],
        params: dict[str, Any] | None = None,
        outlet_events: Any = None,
    ) -> dict[str, Any]:
        from pathlib import Path

        from airflow.sdk import get_current_context

        from finflow.pipeline import run_pipeline
        from finflow_airflow.runtime import store_url

        assert params is not None and outlet_events is not None
        get_current_context()["delivery_name"] = delivery["name"]  # type: ignore[typeddict-unknown-key]
        run = run_pipeline(
            Path(delivery["input_dir"]), Path(delivery["output_dir"]), store_url(params)
        )
        stages = run["stages"]
        base = {"run_id": run["run_id"], "delivery": delivery["name"]}
        outlet_events[assets.LAKE_TRANSACTIONS].extra = base | {
            k: stages["ingest"][k] for k in ("rows_read", "rows_accepted", "rows_quarantined")
        }
        outlet_events[assets.ALERTS].extra = base | {"alerts": stages["detect"]["alerts"]}
        outlet_events[assets.CASES].extra = base | {"cases": stages["score"]["cases"]}
        outlet_events[assets.STORE].extra = base | {"database": stages["store"]["database"]}
        log.info("finflow delivery %s: run %s, %s", delivery["name"], run["run_id"], stages)
        return base | {"cases": stages["score"]["cases"]}

    @task(execution_timeout=timedelta(minutes=5))
    def report(results: list[dict[str, Any]]) -> dict[str, Any]:
        done = list(results)
        log.info("finflow deliveries processed: %s", done)
        return {"deliveries": len(done), "cases": sum(r["cases"] for r in done)}

    processed: Any = process_delivery.expand(delivery=find_deliveries())
    report(processed)


finflow_deliveries_dag = finflow_deliveries()
