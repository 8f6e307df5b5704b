"""Alembic, driven from code: no alembic.ini, so it works the same from a wheel.

The migration scripts ship inside the package (``finflow/store/migrations``). Commands run on
a connection handed to Alembic through ``Config.attributes`` so that one transaction covers the
whole upgrade; on PostgreSQL an advisory lock makes concurrent upgrades (several Airflow workers
starting at once) wait for each other instead of racing.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
PG_LOCK_KEY = 0x66696E666C6F77  # "finflow"


def alembic_config(engine: Engine) -> Config:
    """An Alembic Config pointing at the packaged migrations and at `engine`'s database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    return config


def head_revisions() -> tuple[str, ...]:
    """The head revision(s) of the shipped migrations (there must be exactly one)."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return tuple(script.get_heads())


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _run(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
        config.attributes["connection"] = connection
        if action == "upgrade":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)
    log.info("database %s to %s", action, revision)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to `revision` (default: head)."""
    _run(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to `revision` (``base`` removes every finflow object)."""
    _run(engine, "downgrade", revision)
