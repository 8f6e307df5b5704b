"""Initial schema: runs, input files, results, cases, the append-only audit log, views.

The view definitions are read from the shipped ``sql/`` folder at migration time. To change a
view later, add a migration that drops it and creates it again; keep its previous text in that
migration's ``downgrade()``.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finflow.resources import share_dir

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS = (("v_case_listing", "case_listing.sql"), ("v_alert_summary", "alert_summary.sql"))

APPEND_ONLY_MESSAGE = "audit_log is append-only"

PG_UP = (
    f"""
    CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()
    """,
    """
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()
    """,
)
PG_DOWN = (
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_refuse_change()",
)
SQLITE_UP = tuple(
    f"""
    CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log
    BEGIN
        SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}: {verb} refused');
    END
    """
    for verb in ("UPDATE", "DELETE")
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS audit_log_no_delete",
    "DROP TRIGGER IF EXISTS audit_log_no_update",
)


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _run_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], ondelete="CASCADE")


def _provenance() -> list[sa.Column[object]]:
    return [
        sa.Column("source_file", sa.String(), nullable=False),
        sa.Column("source_sha256", sa.String(), nullable=False),
        sa.Column("source_row", sa.BigInteger(), nullable=True),
    ]


def _create_tables() -> None:
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("logical_date", _timestamp(), nullable=False),
        sa.Column("software_version", sa.String(), nullable=False),
        sa.Column("rules_version", sa.String(), nullable=False),
        sa.Column("rules_hash", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("started_at", _timestamp(), nullable=False),
        sa.Column("finished_at", _timestamp(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_runs")),
    )
    op.create_table(
        "input_files",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("file", sa.String(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("rows_read", sa.BigInteger(), nullable=False),
        sa.Column("rows_accepted", sa.BigInteger(), nullable=False),
        sa.Column("rows_quarantined", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("message", sa.String(), nullable=False),
        _run_fk(),
        sa.PrimaryKeyConstraint("run_id", "sha256", "file", name=op.f("pk_input_files")),
    )
    op.create_table(
        "accounts",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("bank", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=False),
        sa.Column("bank_name", sa.String(), nullable=True),
        sa.Column("entity_id", sa.String(), nullable=True),
        sa.Column("entity_name", sa.String(), nullable=True),
        _run_fk(),
        sa.PrimaryKeyConstraint("run_id", "bank", "account", name=op.f("pk_accounts")),
    )
    op.create_table(
        "alerts",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("alert_id", sa.String(), nullable=False),
        sa.Column("rule_id", sa.String(), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("primary_bank", sa.String(), nullable=False),
        sa.Column("primary_account", sa.String(), nullable=False),
        sa.Column("window_start", _timestamp(), nullable=False),
        sa.Column("window_end", _timestamp(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("n_evidence", sa.Integer(), nullable=False),
        _run_fk(),
        sa.PrimaryKeyConstraint("run_id", "alert_id", name=op.f("pk_alerts")),
    )
    op.create_index(op.f("ix_alerts_run_id_rule_id"), "alerts", ["run_id", "rule_id"])
    op.create_table(
        "alert_transactions",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("alert_id", sa.String(), nullable=False),
        sa.Column("txn_id", sa.String(), nullable=False),
        *_provenance(),
        sa.PrimaryKeyConstraint("run_id", "alert_id", "txn_id", name=op.f("pk_alert_transactions")),
    )
    op.create_index(
        op.f("ix_alert_transactions_run_id_txn_id"), "alert_transactions", ["run_id", "txn_id"]
    )
    op.create_table(
        "cases",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("band", sa.String(), nullable=False),
        sa.Column("total_value_gbp", sa.Numeric(18, 2), nullable=False),
        sa.Column("typologies", sa.JSON(), nullable=False),
        sa.Column("n_accounts", sa.Integer(), nullable=False),
        sa.Column("n_transactions", sa.Integer(), nullable=False),
        sa.Column("contributions", sa.JSON(), nullable=False),
        _run_fk(),
        sa.PrimaryKeyConstraint("run_id", "case_id", name=op.f("pk_cases")),
    )
    op.create_index(op.f("ix_cases_run_id_rank"), "cases", ["run_id", "rank"])
    op.create_table(
        "case_accounts",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("bank", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint(
            "run_id", "case_id", "bank", "account", name=op.f("pk_case_accounts")
        ),
    )
    op.create_table(
        "case_transactions",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("txn_id", sa.String(), nullable=False),
        *_provenance(),
        sa.PrimaryKeyConstraint("run_id", "case_id", "txn_id", name=op.f("pk_case_transactions")),
    )
    op.create_index(
        op.f("ix_case_transactions_run_id_txn_id"), "case_transactions", ["run_id", "txn_id"]
    )
    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", _timestamp(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_run_id"), "audit_log", ["run_id"])


def _view_sql(file_name: str) -> str:
    return (share_dir("sql") / file_name).read_text(encoding="utf-8").strip().rstrip(";")


def upgrade() -> None:
    """Create the tables, the audit-log triggers and the views."""
    _create_tables()
    dialect = op.get_context().dialect.name
    for statement in PG_UP if dialect == "postgresql" else SQLITE_UP:
        op.execute(statement)
    for _name, file_name in VIEWS:
        op.execute(sa.text(_view_sql(file_name)))


def downgrade() -> None:
    """Drop everything `upgrade` created, views and triggers first."""
    for name, _file_name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    dialect = op.get_context().dialect.name
    for statement in PG_DOWN if dialect == "postgresql" else SQLITE_DOWN:
        op.execute(statement)
    for table in (
        "audit_log",
        "case_transactions",
        "case_accounts",
        "cases",
        "alert_transactions",
        "alerts",
        "accounts",
        "input_files",
        "runs",
    ):
        op.drop_table(table)
