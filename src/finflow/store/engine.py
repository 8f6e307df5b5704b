"""Choosing the database URL, creating engines, and turning connection failures into StoreError."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from finflow.errors import StoreError

log = logging.getLogger(__name__)

ENV_VAR = "FINFLOW_DATABASE_URL"
PG_CONNECT_TIMEOUT_S = 10


def database_url(explicit: str | None, default_sqlite_path: Path) -> str:
    """The URL to use: `explicit`, else ``$FINFLOW_DATABASE_URL``, else the SQLite file given."""
    if explicit:
        return explicit
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return from_env
    return f"sqlite:///{Path(default_sqlite_path).expanduser().resolve()}"


def describe(url: str | URL) -> str:
    """A URL safe to show: password masked; for SQLite, the file."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        return "<unparseable database URL>"
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {parsed.database or ':memory:'}"
    where = f"{parsed.host or 'localhost'}:{parsed.port or 'default port'}"
    return (
        f"database {parsed.database!r} on {where} ({parsed.render_as_string(hide_password=True)})"
    )


def first_line(error: BaseException) -> str:
    """The first non-empty line of an exception's message (the driver's own, when wrapped)."""
    inner = getattr(error, "orig", None) or error
    for line in str(inner).splitlines():
        if line.strip():
            return line.strip()
    return type(inner).__name__


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create (but do not connect) an engine for `url`.

    SQLite gets foreign keys switched on and its parent folder created; PostgreSQL gets a
    connect timeout unless the URL sets one. Raises StoreError for a malformed URL or a driver
    that is not installed.
    """
    try:
        parsed = make_url(url)
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        elif parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
        engine = create_engine(parsed, connect_args=connect_args)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise StoreError(f"bad database URL for {describe(url)}: {first_line(exc)}") from exc
    except OSError as exc:
        raise StoreError(f"cannot open {describe(url)}: {first_line(exc)}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def open_store(url: str) -> Engine:
    """Create an engine for `url`, migrate the database to head, and return the engine.

    Any failure to reach, open or migrate the database becomes a StoreError whose message is one
    line naming the database (password masked) and the driver's reason.
    """
    from finflow.store.migrate import upgrade  # migrate imports Alembic; keep engine light

    engine = make_engine(url)
    try:
        upgrade(engine)
    except Exception as exc:
        engine.dispose()
        raise StoreError(f"cannot open {describe(url)}: {first_line(exc)}") from exc
    log.info("store ready: %s", describe(url))
    return engine
