"""Settings a task reads when it runs (never when the DAG file is parsed).

The store URL comes from the Airflow connection ``finflow_db`` when it exists, else from the
run's ``database_url`` Param, else from ``FINFLOW_DATABASE_URL`` (resolved by the library), else
the library's SQLite default inside the run's output folder.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

STORE_CONN_ID = "finflow_db"
ALERT_CONN_VARIABLE = "finflow_alert_conn_id"

# Airflow connection types and the SQLAlchemy driver finflow uses for each.
_DRIVERS = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg"}


def connection_url(conn: Any) -> str:
    """A SQLAlchemy URL for an Airflow connection (postgres, sqlite, or an explicit extra).

    A connection of any type may carry the full URL in its extra as ``{"sqlalchemy_url": ...}``.
    """
    from sqlalchemy.engine import URL

    explicit = (conn.extra_dejson or {}).get("sqlalchemy_url")
    if explicit:
        return str(explicit)
    kind = (conn.conn_type or "").lower()
    if kind == "sqlite":
        return f"sqlite:///{conn.host or conn.schema}"
    if kind not in _DRIVERS:
        raise ValueError(
            f"connection {conn.conn_id!r} has type {kind!r}: use a postgres connection, a sqlite "
            'one, or set extra {"sqlalchemy_url": "..."}'
        )
    url = URL.create(
        _DRIVERS[kind],
        username=conn.login or None,
        password=conn.password or None,
        host=conn.host or None,
        port=int(conn.port) if conn.port else None,
        database=conn.schema or None,
    )
    return url.render_as_string(hide_password=False)


def store_url(params: dict[str, Any]) -> str | None:
    """The store URL for this task: connection `finflow_db`, else Param, else None (library)."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = Connection.get(STORE_CONN_ID)
    except AirflowNotFoundException:
        conn = None
    if conn is not None:
        log.info("finflow store: Airflow connection %r", STORE_CONN_ID)
        return connection_url(conn)
    if params.get("database_url"):
        log.info("finflow store: the run's database_url Param")
        return str(params["database_url"])
    log.info("finflow store: FINFLOW_DATABASE_URL or the SQLite file in the output folder")
    return None


def setting(params: dict[str, Any], name: str, variable: str) -> str:
    """A run setting: the Param `name` when given, else the Airflow Variable `variable`."""
    from airflow.sdk import Variable

    value = params.get(name) or Variable.get(variable, default="")
    return str(value or "")


def detection_window(
    params: dict[str, Any],
    run_type: str,
    interval: tuple[Any, Any],
    ingests: list[dict[str, Any]],
) -> tuple[str | None, str | None, str]:
    """The booking-time window [start, end) a finflow_detect run looks at, and why.

    In order: the run's `window_start`/`window_end` Params when either is set; the lake events
    that triggered the run (from the earliest to just after the latest booking of the files
    they added); the data interval of a scheduled or backfill run; else the whole lake.
    """
    from datetime import datetime, timedelta

    if params.get("window_start") or params.get("window_end"):
        return params.get("window_start") or None, params.get("window_end") or None, "params"
    booked = [e for e in ingests if e.get("booked_from") and e.get("booked_to")]
    if booked:
        start = min(datetime.fromisoformat(e["booked_from"]) for e in booked)
        last = max(datetime.fromisoformat(e["booked_to"]) for e in booked)
        return start.isoformat(), (last + timedelta(microseconds=1)).isoformat(), "lake events"
    kind = run_type.rsplit(".", 1)[-1].lower()
    if kind in ("scheduled", "backfill_job", "backfill") and interval[0] is not None:
        return interval[0].isoformat(), interval[1].isoformat(), "data interval"
    return None, None, "whole lake"
