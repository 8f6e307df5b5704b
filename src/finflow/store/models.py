"""The store's tables, as SQLAlchemy 2 declarative models.

Facts about a run (which files it read, with their SHA-256) live in ``runs`` and
``input_files``; assessments (rule outputs, scores) live in ``alerts`` and ``cases`` and their
link tables, every row keyed by ``run_id`` so that one run's results can be replaced as a whole.
``audit_log`` is append-only: the database itself refuses UPDATE and DELETE (see the initial
migration). Changing a model means adding a migration in ``migrations/versions``.

The link tables (alert_transactions, case_accounts, case_transactions) carry no foreign key to
their parent alert or case: they hold hundreds of thousands of rows per run, a per-row
foreign-key check costs more than the insert itself on PostgreSQL, and they are only ever
written by `finflow.store.repository.save_results` together with their parents, in one
transaction, from the same nested records. Parents carry a foreign key to ``runs``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def to_utc(value: str | date | None) -> datetime | None:
    """Parse an ISO 8601 string (or take a datetime or date) and return an aware UTC datetime.

    A value without an offset (``2024-03-01``, ``2024-03-01T10:00:00``, a naive datetime or a
    date, which means its midnight) is taken to be UTC already, as everywhere in finflow.
    """
    if value is None:
        return None
    if isinstance(value, str):
        moment = datetime.fromisoformat(value)
    elif isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.combine(value, time())
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    Binds ISO strings or datetimes (see `to_utc`). PostgreSQL keeps ``timestamptz``; SQLite has no
    time zones, so the value is stored as naive UTC and the UTC zone is re-attached on reading.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        moment = to_utc(value)
        if moment is not None and dialect.name == "sqlite":
            return moment.replace(tzinfo=None)
        return moment

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


class Base(DeclarativeBase):
    """Declarative base; constraint names follow `NAMING_CONVENTION`."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _run_fk() -> ForeignKey:
    """A fresh foreign key to ``runs`` (a ForeignKey object belongs to one column only)."""
    return ForeignKey("runs.run_id", ondelete="CASCADE")


class Run(Base):
    """One pipeline run: versions, hashes, status and per-stage counts (``run.json``)."""

    __tablename__ = "runs"

    run_id: Mapped[str] = mapped_column(String, primary_key=True)
    logical_date: Mapped[datetime] = mapped_column(UtcDateTime)
    software_version: Mapped[str] = mapped_column(String)
    rules_version: Mapped[str] = mapped_column(String)
    rules_hash: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class InputFile(Base):
    """A feed file as received by a run, identified by its SHA-256 and name."""

    __tablename__ = "input_files"

    run_id: Mapped[str] = mapped_column(String, _run_fk(), primary_key=True)
    sha256: Mapped[str] = mapped_column(String, primary_key=True)
    file: Mapped[str] = mapped_column(String, primary_key=True)
    format: Mapped[str] = mapped_column(String)
    rows_read: Mapped[int] = mapped_column(BigInteger)
    rows_accepted: Mapped[int] = mapped_column(BigInteger)
    rows_quarantined: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String)
    message: Mapped[str] = mapped_column(String)


class Account(Base):
    """Reference data for an account seen in a run: its bank and resolved entity."""

    __tablename__ = "accounts"

    run_id: Mapped[str] = mapped_column(String, _run_fk(), primary_key=True)
    bank: Mapped[str] = mapped_column(String, primary_key=True)
    account: Mapped[str] = mapped_column(String, primary_key=True)
    bank_name: Mapped[str | None] = mapped_column(String)
    entity_id: Mapped[str | None] = mapped_column(String)
    entity_name: Mapped[str | None] = mapped_column(String)


class Alert(Base):
    """One rule hit. Alert ids are deterministic, so they are unique per run, not globally."""

    __tablename__ = "alerts"

    run_id: Mapped[str] = mapped_column(String, _run_fk(), primary_key=True)
    alert_id: Mapped[str] = mapped_column(String, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String)
    rule_version: Mapped[int] = mapped_column(Integer)
    primary_bank: Mapped[str] = mapped_column(String)
    primary_account: Mapped[str] = mapped_column(String)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime)
    window_end: Mapped[datetime] = mapped_column(UtcDateTime)
    weight: Mapped[float] = mapped_column(Float)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    n_evidence: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index(None, "run_id", "rule_id"),)


class AlertTransaction(Base):
    """An evidence transaction of an alert, with its provenance."""

    __tablename__ = "alert_transactions"

    run_id: Mapped[str] = mapped_column(String, primary_key=True)
    alert_id: Mapped[str] = mapped_column(String, primary_key=True)
    txn_id: Mapped[str] = mapped_column(String, primary_key=True)
    source_file: Mapped[str] = mapped_column(String)
    source_sha256: Mapped[str] = mapped_column(String)
    source_row: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (Index(None, "run_id", "txn_id"),)


class Case(Base):
    """A ranked case: a network of accounts with an explainable score."""

    __tablename__ = "cases"

    run_id: Mapped[str] = mapped_column(String, _run_fk(), primary_key=True)
    case_id: Mapped[str] = mapped_column(String, primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String)
    total_value_gbp: Mapped[float] = mapped_column(Numeric(18, 2, asdecimal=False))
    typologies: Mapped[list[str]] = mapped_column(JSON)
    n_accounts: Mapped[int] = mapped_column(Integer)
    n_transactions: Mapped[int] = mapped_column(Integer)
    contributions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    __table_args__ = (Index(None, "run_id", "rank"),)


class CaseAccount(Base):
    """An account in a case and its role (e.g. collector, mule, controller)."""

    __tablename__ = "case_accounts"

    run_id: Mapped[str] = mapped_column(String, primary_key=True)
    case_id: Mapped[str] = mapped_column(String, primary_key=True)
    bank: Mapped[str] = mapped_column(String, primary_key=True)
    account: Mapped[str] = mapped_column(String, primary_key=True)
    role: Mapped[str] = mapped_column(String)


class CaseTransaction(Base):
    """A transaction in a case, with its provenance."""

    __tablename__ = "case_transactions"

    run_id: Mapped[str] = mapped_column(String, primary_key=True)
    case_id: Mapped[str] = mapped_column(String, primary_key=True)
    txn_id: Mapped[str] = mapped_column(String, primary_key=True)
    source_file: Mapped[str] = mapped_column(String)
    source_sha256: Mapped[str] = mapped_column(String)
    source_row: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (Index(None, "run_id", "txn_id"),)


class AuditEntry(Base):
    """Who did what, when (DPA 2018 s62). Append-only, enforced by database triggers."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)
    run_id: Mapped[str | None] = mapped_column(String, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


# Parties (issue #5): entity resolution, screening, per-party scores. Added by migration 0002.
# Facts about identity (which accounts a party holds and why) are kept apart from assessments
# (roles, scores, screening results), and every row is keyed by run_id like the other results.


class Party(Base):
    """A person or organisation after entity resolution, with its data-subject category."""

    __tablename__ = "parties"

    run_id: Mapped[str] = mapped_column(String, _run_fk(), primary_key=True)
    party_id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str | None] = mapped_column(String)
    date_of_birth: Mapped[str | None] = mapped_column(String)
    customer_ids: Mapped[list[str]] = mapped_column(JSON)
    entity_ids: Mapped[list[str]] = mapped_column(JSON)
    data_subject_category: Mapped[str] = mapped_column(String)
    category_set_by: Mapped[str] = mapped_column(String)
    attention: Mapped[list[str]] = mapped_column(JSON)


class PartyAccount(Base):
    """An account held by a party, and the evidence for the link (entity id, KYC listing)."""

    __tablename__ = "party_accounts"

    run_id: Mapped[str] = mapped_column(String, primary_key=True)
    bank: Mapped[str] = mapped_column(String, primary_key=True)
    account: Mapped[str] = mapped_column(String, primary_key=True)
    party_id: Mapped[str] = mapped_column(String)
    evidence: Mapped[str] = mapped_column(String)

    __table_args__ = (Index(None, "run_id", "party_id"),)


class PartyMerge(Base):
    """Two KYC records judged to be one party: the attributes that agreed and a confidence.

    ``needs_review`` merges were NOT applied: an investigator confirms or rejects them.
    """

    __tablename__ = "party_merges"

    run_id: Mapped[str] = mapped_column(String, _run_fk(), primary_key=True)
    left_customer: Mapped[str] = mapped_column(String, primary_key=True)
    right_customer: Mapped[str] = mapped_column(String, primary_key=True)
    method: Mapped[str] = mapped_column(String, primary_key=True)
    party_id: Mapped[str | None] = mapped_column(String)
    evidence: Mapped[str] = mapped_column(String)
    confidence: Mapped[float] = mapped_column(Float)
    applied: Mapped[bool] = mapped_column(Boolean)
    needs_review: Mapped[bool] = mapped_column(Boolean)


class ScreeningResult(Base):
    """A possible sanctions-list match of a party, always for human review."""

    __tablename__ = "screening_results"

    run_id: Mapped[str] = mapped_column(String, _run_fk(), primary_key=True)
    party_id: Mapped[str] = mapped_column(String, primary_key=True)
    list_id: Mapped[str] = mapped_column(String, primary_key=True)
    screened_name: Mapped[str] = mapped_column(String)
    screened_dob: Mapped[str | None] = mapped_column(String)
    matched_name: Mapped[str] = mapped_column(String)
    name_type: Mapped[str] = mapped_column(String)
    designated_name: Mapped[str] = mapped_column(String)
    regime: Mapped[str] = mapped_column(String)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String)


class CaseParty(Base):
    """A party in a case: its role in the money flow, its score and attention flags."""

    __tablename__ = "case_parties"

    run_id: Mapped[str] = mapped_column(String, primary_key=True)
    case_id: Mapped[str] = mapped_column(String, primary_key=True)
    party_id: Mapped[str] = mapped_column(String, primary_key=True)
    role: Mapped[str] = mapped_column(String)
    alerted: Mapped[bool] = mapped_column(Boolean)
    hub: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String)


class ScoreContribution(Base):
    """One rule's contribution to a case score (party_id '') or to a party's score."""

    __tablename__ = "score_contributions"

    run_id: Mapped[str] = mapped_column(String, primary_key=True)
    case_id: Mapped[str] = mapped_column(String, primary_key=True)
    party_id: Mapped[str] = mapped_column(String, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    weight: Mapped[float] = mapped_column(Float)
    contribution: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(String)
