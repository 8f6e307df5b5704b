"""The database itself refuses to change or remove audit-log entries."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import DBAPIError

from finflow.store import append_audit, audit_entries
from finflow.store.models import AuditEntry


def test_an_update_of_the_audit_log_is_refused(engine: Engine) -> None:
    append_audit(engine, "pipeline", "run.started", "run-1", {})
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(update(AuditEntry).values(actor="mallory"))
    assert [e["actor"] for e in audit_entries(engine)] == ["pipeline"]


def test_a_delete_from_the_audit_log_is_refused(engine: Engine) -> None:
    append_audit(engine, "pipeline", "run.started", "run-1", {})
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(delete(AuditEntry).where(AuditEntry.run_id == "run-1"))
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(AuditEntry)).scalar() == 1


def test_inserting_into_the_audit_log_is_allowed(engine: Engine) -> None:
    for n in range(3):
        append_audit(engine, "pipeline", f"step-{n}", None, {"n": n})
    assert [e["detail"] for e in audit_entries(engine)] == [{"n": 0}, {"n": 1}, {"n": 2}]
