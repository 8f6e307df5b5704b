"""Parties: entity resolution, merges, screening results, case parties, score contributions.

Views ``v_case_party_listing`` and ``v_merges_for_review`` are read from the shipped ``sql/``
folder at migration time.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from finflow.resources import share_dir

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS = (
    ("v_case_party_listing", "case_party_listing.sql"),
    ("v_merges_for_review", "merges_for_review.sql"),
)


def _run_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], ondelete="CASCADE")


def _s(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.String(), nullable=nullable)


def upgrade() -> None:
    """Create the party tables and views."""
    op.create_table(
        "parties",
        _s("run_id"),
        _s("party_id"),
        _s("name", True),
        _s("date_of_birth", True),
        sa.Column("customer_ids", sa.JSON(), nullable=False),
        sa.Column("entity_ids", sa.JSON(), nullable=False),
        _s("data_subject_category"),
        _s("category_set_by"),
        sa.Column("attention", sa.JSON(), nullable=False),
        _run_fk(),
        sa.PrimaryKeyConstraint("run_id", "party_id", name=op.f("pk_parties")),
    )
    op.create_table(
        "party_accounts",
        _s("run_id"),
        _s("bank"),
        _s("account"),
        _s("party_id"),
        _s("evidence"),
        sa.PrimaryKeyConstraint("run_id", "bank", "account", name=op.f("pk_party_accounts")),
    )
    op.create_index(
        op.f("ix_party_accounts_run_id_party_id"), "party_accounts", ["run_id", "party_id"]
    )
    op.create_table(
        "party_merges",
        _s("run_id"),
        _s("left_customer"),
        _s("right_customer"),
        _s("method"),
        _s("party_id", True),
        _s("evidence"),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        _run_fk(),
        sa.PrimaryKeyConstraint(
            "run_id", "left_customer", "right_customer", "method", name=op.f("pk_party_merges")
        ),
    )
    op.create_table(
        "screening_results",
        _s("run_id"),
        _s("party_id"),
        _s("list_id"),
        _s("screened_name"),
        _s("screened_dob", True),
        _s("matched_name"),
        _s("name_type"),
        _s("designated_name"),
        _s("regime"),
        sa.Column("score", sa.Float(), nullable=False),
        _s("explanation"),
        _s("status"),
        _run_fk(),
        sa.PrimaryKeyConstraint("run_id", "party_id", "list_id", name=op.f("pk_screening_results")),
    )
    op.create_table(
        "case_parties",
        _s("run_id"),
        _s("case_id"),
        _s("party_id"),
        _s("role"),
        sa.Column("alerted", sa.Boolean(), nullable=False),
        sa.Column("hub", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        _s("band", True),
        sa.PrimaryKeyConstraint("run_id", "case_id", "party_id", name=op.f("pk_case_parties")),
    )
    op.create_table(
        "score_contributions",
        _s("run_id"),
        _s("case_id"),
        _s("party_id"),
        _s("rule_id"),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("contribution", sa.Float(), nullable=False),
        _s("explanation"),
        sa.PrimaryKeyConstraint(
            "run_id", "case_id", "party_id", "rule_id", name=op.f("pk_score_contributions")
        ),
    )
    for _name, file_name in VIEWS:
        text = (share_dir("sql") / file_name).read_text(encoding="utf-8").strip().rstrip(";")
        op.execute(sa.text(text))


def downgrade() -> None:
    """Drop the views and tables `upgrade` created."""
    for name, _file_name in reversed(VIEWS):
        op.execute(sa.text(f"DROP VIEW IF EXISTS {name}"))
    op.drop_table("score_contributions")
    op.drop_table("case_parties")
    op.drop_table("screening_results")
    op.drop_table("party_merges")
    op.drop_index(op.f("ix_party_accounts_run_id_party_id"), table_name="party_accounts")
    op.drop_table("party_accounts")
    op.drop_table("parties")
