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
