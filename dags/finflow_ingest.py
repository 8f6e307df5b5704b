"""finflow_ingest: every hour, ingest each new feed file into the shared lake, one task per file.

`configure` reads the settings (Params, else Variables) once. `open_run` lists the files in
the feed folder (and its sub-folders, one per delivery) that the lake does not hold yet: files
are identified by SHA-256, so a file ingested before (under any name) is skipped, and a file
changed in the last `settle_seconds` is left for the next run. A feed location given as a URL
(`file://`, `s3://conn_id@bucket/prefix`, ...) is read through `ObjectStoragePath` and mirrored
into `<lake_dir>/staging/` first.

`ingest_file` runs once per new file (`.partial(cfg=...).expand(feed=...)`), so files are
read, checked against their data-quality suite and written in parallel over the workers.
Each writes only partitions named by its file's hash (atomic renames), which makes a retry or a
second run safe, and publishes a `finflow://lake/files` event with the file's counts. A file
that is not a feed or breaks its critical expectations fails its own instance, named after it.

`close_run` merges the run's file entries into the run ledger
(`<lake_dir>/ingests/<ingest_id>.json`) and publishes `finflow://lake/ingests`, which schedules
finflow_detect. `check_files` then fails the run, naming them, if any listed file did not get
into the lake; the files that did are already published, so one bad file never holds back the
rest of a delivery.

Settings are read when the tasks run: the Params, else the Variables `finflow_feed_dir` and
`finflow_lake_dir` (see docs/operations.md).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Param, TriggerRule, dag, task

from finflow_airflow import assets
from finflow_airflow.defaults import DEFAULT_ARGS

log = logging.getLogger(__name__)


@dag(
    dag_id="finflow_ingest",
    schedule="@hourly",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=6),
    tags=["finflow", "aml", "ingestion", "lake"],
    default_args=DEFAULT_ARGS,
    params={
        "feed_dir": Param(
            None,
            type=["null", "string"],
            description="folder or URL of the feed files (default: Variable finflow_feed_dir)",
        ),
        "lake_dir": Param(
            None, type=["null", "string"], description="default: Variable finflow_lake_dir"
        ),
        "settle_seconds": Param(
            300, type="integer", minimum=0, description="leave files changed more recently"
        ),
        "alert_conn_id": Param(
            None, type=["null", "string"], description="default: Variable finflow_alert_conn_id"
        ),
    },
    doc_md=__doc__,
)
def finflow_ingest() -> None:
    @task(execution_timeout=timedelta(minutes=5))
    def configure(params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The run's settings, read once when it starts: Params, else Variables."""
        from finflow.errors import ConfigError
        from finflow_airflow.runtime import setting

        assert params is not None
        feed_dir = setting(params, "feed_dir", "finflow_feed_dir")
        lake_dir = setting(params, "lake_dir", "finflow_lake_dir")
        if not feed_dir or not lake_dir:
            raise ConfigError(
                "set feed_dir and lake_dir (Params or Variables finflow_feed_dir and "
                "finflow_lake_dir)"
            )
        settings = {
            "feed_dir": feed_dir,
            "lake_dir": lake_dir,
            "settle_seconds": int(params["settle_seconds"]),
        }
        log.info("finflow ingest settings: %s", settings)
        return settings

    @task(execution_timeout=timedelta(minutes=30))
    def open_run(cfg: dict[str, Any]) -> list[dict[str, str]]:
        """The new files (path, name, hash, the run's ingest id and lake), one per mapped task."""
        from pathlib import Path

        from finflow.lakerun import stage_open_run
        from finflow_airflow.storage import local_folder

        lake_dir = Path(cfg["lake_dir"])
        folder = local_folder(cfg["feed_dir"], lake_dir / "staging")
        run = stage_open_run(folder, lake_dir, settle_seconds=cfg["settle_seconds"])
        log.info(
            "finflow open_run %s: %d new files %s; %d already in the lake; %d still arriving",
            run["ingest_id"],
            len(run["files"]),
            [f["file"] for f in run["files"]],
            len(run["skipped"]),
            len(run["arriving"]),
        )
        shared = {"ingest_id": run["ingest_id"], "lake_dir": run["lake_dir"]}
        return [f | shared for f in run["files"]]

    @task(
        outlets=[assets.LAKE_FILES],
        execution_timeout=timedelta(hours=2),
        map_index_template="{{ feed_file }}",
        max_active_tis_per_dagrun=8,  # each instance holds one file's rows in memory
    )
    def ingest_file(
        cfg: dict[str, Any], feed: dict[str, str], outlet_events: Any = None
    ) -> dict[str, Any]:
        from pathlib import Path

        from airflow.sdk import get_current_context

        from finflow.errors import FeedFormatError
        from finflow.lakerun import stage_ingest_file

        assert outlet_events is not None
        get_current_context()["feed_file"] = feed["file"]  # type: ignore[typeddict-unknown-key]
        entry = stage_ingest_file(Path(cfg["lake_dir"]), Path(feed["path"]), feed["sha256"])
        keys = ("file", "sha256", "format", "status", "rows_read", "rows_accepted")
        extra = {k: entry[k] for k in keys} | {
            "path": feed["file"],
            "rows_quarantined": entry["rows_quarantined"],
            "booked_from": entry.get("booked_from"),
            "booked_to": entry.get("booked_to"),
        }
        log.info("finflow ingest_file %s: %s", feed["file"], extra)
        if entry["status"] == "rejected":
            raise FeedFormatError(f"{feed['file']}: {entry['message']}")
        outlet_events[assets.LAKE_FILES].extra = extra
        return {k: extra[k] for k in ("file", "sha256", "status", "rows_accepted")}

    @task(
        outlets=[assets.LAKE_INGESTS, assets.QUARANTINE],
        trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS,
        execution_timeout=timedelta(minutes=30),
    )
    def close_run(files: list[dict[str, str]], outlet_events: Any = None) -> dict[str, Any]:
        from pathlib import Path

        from airflow.sdk.exceptions import AirflowSkipException

        from finflow.lakerun import stage_close_run

        assert outlet_events is not None
        if not files:
            raise AirflowSkipException("no new feed file: the lake is unchanged")
        lake_dir, ingest_id = files[0]["lake_dir"], files[0]["ingest_id"]
        summary = stage_close_run(Path(lake_dir), ingest_id, [f["sha256"] for f in files])
        log.info("finflow close_run %s: %s", ingest_id, summary)
        if summary["files_ingested"] == 0:
            raise AirflowSkipException("no file of this run got into the lake")
        outlet_events[assets.LAKE_INGESTS].extra = summary | {"lake_dir": lake_dir}
        outlet_events[assets.QUARANTINE].extra = {
            "ingest_id": ingest_id,
            "rows_quarantined": summary["rows_quarantined"],
            "by_reason": summary["quarantine_by_reason"],
            "csv": f"{lake_dir}/ingests/{ingest_id}.quarantine.csv",
        }
        return {k: summary[k] for k in ("ingest_id", "files", "files_ingested", "rows_accepted")}

    # ALL_DONE: also after close_run skipped (nothing new, or no file got in); if open_run
    # failed, its list is missing and this task fails too, so the run never looks green
    @task(trigger_rule=TriggerRule.ALL_DONE, execution_timeout=timedelta(minutes=10))
    def check_files(files: list[dict[str, str]] | None) -> int:
        from pathlib import Path

        from finflow.errors import FinflowError
        from finflow.lakerun import stage_check_run

        if files is None:  # open_run failed: the run must not look green
            raise FinflowError("open_run listed no files (it failed): nothing was ingested")
        if not files:
            log.info("finflow check_files: no new file in this run")
            return 0
        ingest_id = files[0]["ingest_id"]
        count = stage_check_run(Path(files[0]["lake_dir"]), ingest_id, files)
        log.info("finflow check_files %s: all %d new files are in the lake", ingest_id, count)
        return count

    cfg: Any = configure()
    files: Any = open_run(cfg)
    ingested = ingest_file.partial(cfg=cfg).expand(feed=files)
    # close_run runs once open_run succeeded and every file's task is done, failed or not
    closed = close_run(files)
    ingested >> closed >> check_files(files)


finflow_ingest_dag = finflow_ingest()
