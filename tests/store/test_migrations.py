"""The packaged Alembic migrations: one head, up and down, and in step with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from finflow.errors import StoreError
from finflow.store import append_audit, migrate, open_store
from finflow.store.engine import make_engine
from finflow.store.models import Base

TABLES = {
    "runs",
    "input_files",
    "accounts",
    "alerts",
    "alert_transactions",
    "cases",
    "case_accounts",
    "case_transactions",
    "audit_log",
    "parties",
    "party_accounts",
    "party_merges",
    "screening_results",
    "case_parties",
    "score_contributions",
}
VIEWS = {
    "v_case_listing",
    "v_alert_summary",
    "v_case_party_listing",
    "v_merges_for_review",
}


def _objects(engine: Engine) -> tuple[set[str], set[str]]:
    inspector = inspect(engine)
    return set(inspector.get_table_names()), set(inspector.get_view_names())


def test_the_migrations_have_exactly_one_head() -> None:
    assert migrate.head_revisions() == ("0002",)


def test_it_upgrades_to_head_downgrades_to_base_and_upgrades_again(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert migrate.current_revision(engine) is None
        migrate.upgrade(engine)
        tables, views = _objects(engine)
        assert tables >= TABLES
        assert views == VIEWS
        assert migrate.current_revision(engine) == "0002"

        append_audit(engine, "test", "before-downgrade", None, {})  # triggers must not block
        migrate.downgrade(engine, "base")
        tables, views = _objects(engine)
        assert tables & TABLES == set()
        assert views == set()
        assert migrate.current_revision(engine) is None

        migrate.upgrade(engine)
        tables, views = _objects(engine)
        assert tables >= TABLES
        assert views == VIEWS
    finally:
        engine.dispose()


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_open_store_is_idempotent_on_a_migrated_database(db_url: str) -> None:
    first = open_store(db_url)
    first.dispose()
    second = open_store(db_url)
    try:
        assert migrate.current_revision(second) == "0002"
    finally:
        second.dispose()


def test_the_alembic_config_needs_no_ini_file(engine: Engine) -> None:
    config = migrate.alembic_config(engine)
    assert config.config_file_name is None
    assert config.get_main_option("script_location") == str(migrate.MIGRATIONS_DIR)
    assert config.get_main_option("sqlalchemy.url") == engine.url.render_as_string(
        hide_password=False
    )


def test_a_database_from_a_newer_finflow_gives_a_store_error(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": "9999"})
    with pytest.raises(StoreError, match="9999"):
        open_store(engine.url.render_as_string(hide_password=False))
