"""finflow.store: the relational store of runs, results, cases and the audit log.

SQLite by default (one file), PostgreSQL in production. `open_store` migrates the database to
the shipped Alembic head before returning the engine; the functions below take that engine.
"""

from finflow.store.engine import database_url, open_store
from finflow.store.repository import (
    append_audit,
    audit_entries,
    get_run,
    list_cases,
    save_results,
    save_run,
)

__all__ = [
    "append_audit",
    "audit_entries",
    "database_url",
    "get_run",
    "list_cases",
    "open_store",
    "save_results",
    "save_run",
]
