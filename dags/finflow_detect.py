"""finflow_detect: detection, scoring, case packs and the store over the shared lake.

Scheduled on the asset `finflow://lake/ingests` (a run starts once an ingest run has put new
files in the lake) and, for a daily sweep and backfills, on a daily data interval. Each run
looks at the lake's transactions booked in a window, extended back by the longest rule window
(`lookback_days`) so that a pattern whose payments sit in two deliveries is seen whole:

- triggered by lake events: from the first to the last booking of the files those ingest runs
  added (read from the events' metadata);
- scheduled or backfill run: its data interval (`airflow backfill create --dag-id
  finflow_detect --from-date ... --to-date ...` re-detects day by day, e.g. after a rules change);
- Params `window_start`/`window_end` (ISO 8601) when given; otherwise the whole lake.

`open_detection` writes the run folder `<cases_dir>/<run_id>/` (a slice of the lake and the
run state); the run id is a digest of the window, the files' hashes, the rules and the
software version, so a re-run or a cleared task replaces the same folder. Then one task per
stage, as in finflow_pipeline, each publishing its asset with counts. Data quality was checked
per file at ingest. Settings are read when the tasks run: Params, else the Variables
`finflow_lake_dir` and `finflow_cases_dir`; the store is the `finflow_db` connection.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import AssetOrTimeSchedule, CronDataIntervalTimetable, Param, dag, task

from finflow_airflow import assets
from finflow_airflow.defaults import DEFAULT_ARGS

log = logging.getLogger(__name__)

Run = dict[str, Any]  # {"out_dir": str, "run_id": str, "window": {...}}


@dag(
    dag_id="finflow_detect",
    schedule=AssetOrTimeSchedule(
        timetable=CronDataIntervalTimetable("@daily", timezone="UTC"),
        assets=[assets.LAKE_INGESTS],
    ),
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=8),
    tags=["finflow", "aml", "detection", "poca"],
    default_args=DEFAULT_ARGS,
    params={
        "lake_dir": Param(
            None, type=["null", "string"], description="default: Variable finflow_lake_dir"
        ),
        "cases_dir": Param(
            None,
            type=["null", "string"],
            description="where detection runs and case packs go (default: Variable "
            "finflow_cases_dir)",
        ),
        "window_start": Param(
            None, type=["null", "string"], description="ISO 8601; overrides the window"
        ),
        "window_end": Param(
            None, type=["null", "string"], description="ISO 8601, exclusive; overrides"
        ),
        "lookback_days": Param(
            None,
            type=["null", "integer"],
            minimum=0,
            description="default: the longest window of any rule",
        ),
        "database_url": Param(
            None, type=["null", "string"], description="used when there is no finflow_db conn"
        ),
        "alert_conn_id": Param(
            None, type=["null", "string"], description="default: Variable finflow_alert_conn_id"
        ),
    },
    doc_md=__doc__,
)
def finflow_detect() -> None:
    @task(execution_timeout=timedelta(hours=1))
    def open_detection(
        params: dict[str, Any] | None = None,
        dag_run: Any = None,
        data_interval_start: Any = None,
        data_interval_end: Any = None,
        triggering_asset_events: Any = None,
    ) -> Run:
        from pathlib import Path

        from airflow.sdk.exceptions import AirflowSkipException

        from finflow.errors import ConfigError
        from finflow.lakedetect import stage_open_detection
        from finflow_airflow.runtime import detection_window, setting

        assert params is not None and dag_run is not None
        lake_dir = setting(params, "lake_dir", "finflow_lake_dir")
        cases_dir = setting(params, "cases_dir", "finflow_cases_dir")
        if not lake_dir or not cases_dir:
            raise ConfigError(
                "set lake_dir and cases_dir (Params or Variables finflow_lake_dir and "
                "finflow_cases_dir)"
            )
        events = []
        if triggering_asset_events:
            events = [dict(e.extra) for e in triggering_asset_events.get(assets.LAKE_INGESTS, [])]
        start, end, why = detection_window(
            params, str(dag_run.run_type), (data_interval_start, data_interval_end), events
        )
        opened = stage_open_detection(
            Path(lake_dir),
            Path(cases_dir),
            window_start=start,
            window_end=end,
            lookback_days=params["lookback_days"],
        )
        log.info("finflow open_detection (window from %s): %s", why, opened)
        if opened["run_id"] is None:
            raise AirflowSkipException(f"no lake file has bookings in {opened['window']}")
        return {k: opened[k] for k in ("out_dir", "run_id", "window", "files", "rows")}

    @task(outlets=[assets.ALERTS], execution_timeout=timedelta(hours=2))
    def detect(run: Run, outlet_events: Any = None) -> Run:
        from pathlib import Path

        from finflow.pipeline import stage_detect

        summary = stage_detect(Path(run["out_dir"]))
        log.info("finflow detect %s: %s", run["run_id"], summary)
        outlet_events[assets.ALERTS].extra = {
            "run_id": run["run_id"],
            "window": run["window"],
            "alerts": summary["alerts"],
        }
        return run

    @task(outlets=[assets.CASES], execution_timeout=timedelta(minutes=30))
    def score(run: Run, outlet_events: Any = None) -> Run:
        from pathlib import Path

        from finflow.pipeline import stage_score

        summary = stage_score(Path(run["out_dir"]))
        log.info("finflow score %s: %s", run["run_id"], summary)
        outlet_events[assets.CASES].extra = {"run_id": run["run_id"], **summary}
        return run

    @task(outlets=[assets.CASE_PACKS], execution_timeout=timedelta(hours=1))
    def casepacks(run: Run, outlet_events: Any = None) -> Run:
        from pathlib import Path

        from finflow.casepack.stage import stage_casepacks

        summary = stage_casepacks(Path(run["out_dir"]))
        log.info("finflow casepacks %s: %s", run["run_id"], summary)
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
        log.info(
            "finflow detection run %s stored in %s; run.json in %s",
            run["run_id"],
            summary["database"],
            out_dir,
        )
        outlet_events[assets.STORE].extra = {
            "run_id": run["run_id"],
            "database": summary["database"],
            "alerts": ledger["stages"]["detect"]["alerts"],
            "cases": ledger["stages"]["score"]["cases"],
        }
        return run

    opened: Any = open_detection()
    detected: Any = detect(opened)
    scored: Any = score(detected)
    packed: Any = casepacks(scored)
    store(packed)


finflow_detect_dag = finflow_detect()
