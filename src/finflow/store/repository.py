"""Reading and writing the store: runs, results, the audit log.

Writes are idempotent per run: saving the same run again replaces that run's rows, so a
re-tried Airflow task leaves the same table contents. The audit log is the exception: it only
grows. Timestamps may be given as ISO 8601 strings or datetimes; values without an offset are
taken as UTC. Everything read back is timezone-aware UTC.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, Engine, Float, Integer, Numeric, String, delete, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import TypeEngine

from finflow.errors import StoreError
from finflow.resources import share_dir
from finflow.store.models import (
    Account,
    Alert,
    AlertTransaction,
    AuditEntry,
    Base,
    Case,
    CaseAccount,
    CaseTransaction,
    InputFile,
    Run,
    to_utc,
)

log = logging.getLogger(__name__)

RESULT_MODELS: tuple[type[Base], ...] = (
    CaseTransaction,
    CaseAccount,
    Case,
    AlertTransaction,
    Alert,
    Account,
)
"""Tables holding a run's results, children before parents (the order to delete in)."""

EVIDENCE_FIELDS = ("txn_id", "source_file", "source_sha256", "source_row")


@cache
def sql_query(name: str) -> TextClause:
    """The query in ``sql/<name>.sql`` as a text clause (bind parameters as ``:name``)."""
    return text((share_dir("sql") / f"{name}.sql").read_text(encoding="utf-8"))


def save_run(engine: Engine, run: Mapping[str, Any]) -> None:
    """Insert or replace the run `run["run_id"]` and its input-file ledger.

    `run` is shaped like ``run.json``: run_id, logical_date, software_version, rules_version,
    rules_hash, status, counts, started_at, finished_at (or None) and files, a list of dicts with
    file, sha256, format, rows_read, rows_accepted, rows_quarantined, status, message. The run
    row is updated in place, so results already saved for it are kept.
    """
    run_id = run["run_id"]
    values = {
        "run_id": run_id,
        "logical_date": to_utc(run["logical_date"]),
        "software_version": run["software_version"],
        "rules_version": str(run["rules_version"]),
        "rules_hash": run["rules_hash"],
        "status": run["status"],
        "counts": dict(run.get("counts") or {}),
        "started_at": to_utc(run["started_at"]),
        "finished_at": to_utc(run.get("finished_at")),
    }
    files = [
        {
            "run_id": run_id,
            "file": entry["file"],
            "sha256": entry["sha256"],
            "format": entry.get("format") or "",
            "rows_read": int(entry.get("rows_read") or 0),
            "rows_accepted": int(entry.get("rows_accepted") or 0),
            "rows_quarantined": int(entry.get("rows_quarantined") or 0),
            "status": entry.get("status") or "",
            "message": entry.get("message") or "",
        }
        for entry in run.get("files") or []
    ]
    with Session(engine) as session, session.begin():
        session.merge(Run(**values))
        session.execute(delete(InputFile).where(InputFile.run_id == run_id))
        if files:
            session.execute(insert(InputFile), files)
    log.info("saved run %s (%s, %d files)", run_id, values["status"], len(files))


def _evidence_rows(
    key: Mapping[str, str], links: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    rows = []
    for link in links:
        row: dict[str, Any] = dict(key)
        row.update({field: link.get(field) for field in EVIDENCE_FIELDS})
        rows.append(row)
    return rows


def _account_rows(run_id: str, accounts: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run_id,
            "bank": item["bank"],
            "account": item["account"],
            "bank_name": item.get("bank_name"),
            "entity_id": item.get("entity_id"),
            "entity_name": item.get("entity_name"),
        }
        for item in accounts
    ]


def _alert_rows(
    run_id: str, alerts: Iterable[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows, links = [], []
    for alert in alerts:
        evidence = list(alert.get("evidence") or [])
        rows.append(
            {
                "run_id": run_id,
                "alert_id": alert["alert_id"],
                "rule_id": alert["rule_id"],
                "rule_version": int(alert["rule_version"]),
                "primary_bank": alert["primary_bank"],
                "primary_account": alert["primary_account"],
                "window_start": to_utc(alert["window_start"]),
                "window_end": to_utc(alert["window_end"]),
                "weight": float(alert["weight"]),
                "metrics": dict(alert.get("metrics") or {}),
                "n_evidence": len(evidence),
            }
        )
        links += _evidence_rows({"run_id": run_id, "alert_id": alert["alert_id"]}, evidence)
    return rows, links


def _case_rows(
    run_id: str, cases: Iterable[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    rows, members, links = [], [], []
    for case in cases:
        key = {"run_id": run_id, "case_id": case["case_id"]}
        accounts = list(case.get("accounts") or [])
        transactions = list(case.get("transactions") or [])
        rows.append(
            {
                **key,
                "rank": int(case["rank"]),
                "score": float(case["score"]),
                "band": case["band"],
                "total_value_gbp": round(float(case["total_value_gbp"]), 2),
                "typologies": list(case.get("typologies") or []),
                "n_accounts": len(accounts),
                "n_transactions": len(transactions),
                "contributions": list(case.get("contributions") or []),
            }
        )
        members += [
            {**key, "bank": a["bank"], "account": a["account"], "role": a.get("role") or ""}
            for a in accounts
        ]
        links += _evidence_rows(key, transactions)
    return rows, members, links


def save_results(
    engine: Engine,
    run_id: str,
    accounts: list[dict[str, Any]],
    alerts: list[dict[str, Any]],
    cases: list[dict[str, Any]],
) -> None:
    """Replace all results of `run_id` (accounts, alerts, cases, their links) in one transaction.

    The run must have been saved with `save_run` first. n_evidence, n_accounts and
    n_transactions are counted from the lists given; total_value_gbp is rounded to pence.
    Raises StoreError if the run is unknown.
    """
    account_rows = _account_rows(run_id, accounts)
    alert_rows, alert_links = _alert_rows(run_id, alerts)
    case_rows, case_members, case_links = _case_rows(run_id, cases)
    with Session(engine) as session, session.begin():
        # Lock the run row (PostgreSQL) so two writers of one run take turns.
        locked = session.execute(
            select(Run.run_id).where(Run.run_id == run_id).with_for_update()
        ).first()
        if locked is None:
            raise StoreError(f"run {run_id!r} is not in the store; save_run must come first")
        for model in RESULT_MODELS:
            session.execute(delete(model).where(model.run_id == run_id))  # type: ignore[attr-defined]
        for model, rows in (
            (Account, account_rows),
            (Alert, alert_rows),
            (AlertTransaction, alert_links),
            (Case, case_rows),
            (CaseAccount, case_members),
            (CaseTransaction, case_links),
        ):
            if rows:
                session.execute(insert(model), rows)
    log.info(
        "saved results of run %s: %d accounts, %d alerts (%d evidence), %d cases (%d transactions)",
        run_id,
        len(account_rows),
        len(alert_rows),
        len(alert_links),
        len(case_rows),
        len(case_links),
    )


def append_audit(
    engine: Engine, actor: str, action: str, run_id: str | None, detail: dict[str, Any]
) -> None:
    """Append one entry to the audit log, stamped with the current UTC time."""
    with Session(engine) as session, session.begin():
        session.add(
            AuditEntry(
                at=datetime.now(UTC), actor=actor, action=action, run_id=run_id, detail=detail
            )
        )


def audit_entries(engine: Engine, run_id: str | None = None) -> list[dict[str, Any]]:
    """The audit log in the order written (all of it, or one run's entries)."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    if run_id is not None:
        query = query.where(AuditEntry.run_id == run_id)
    with Session(engine) as session:
        return [
            {
                "id": entry.id,
                "at": entry.at,
                "actor": entry.actor,
                "action": entry.action,
                "run_id": entry.run_id,
                "detail": entry.detail,
            }
            for entry in session.scalars(query)
        ]


def get_run(engine: Engine, run_id: str) -> dict[str, Any] | None:
    """The saved run with its files (shaped like the `save_run` input), or None."""
    with Session(engine) as session:
        run = session.get(Run, run_id)
        if run is None:
            return None
        files = session.scalars(
            select(InputFile).where(InputFile.run_id == run_id).order_by(InputFile.file)
        )
        return {
            "run_id": run.run_id,
            "logical_date": run.logical_date,
            "software_version": run.software_version,
            "rules_version": run.rules_version,
            "rules_hash": run.rules_hash,
            "status": run.status,
            "counts": run.counts,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "files": [
                {
                    "file": f.file,
                    "sha256": f.sha256,
                    "format": f.format,
                    "rows_read": f.rows_read,
                    "rows_accepted": f.rows_accepted,
                    "rows_quarantined": f.rows_quarantined,
                    "status": f.status,
                    "message": f.message,
                }
                for f in files
            ],
        }


CASE_LISTING_TYPES: dict[str, TypeEngine[Any]] = {
    "case_id": String(),
    "run_id": String(),
    "rank": Integer(),
    "score": Float(),
    "band": String(),
    "total_value_gbp": Numeric(18, 2, asdecimal=False),
    "n_accounts": Integer(),
    "n_transactions": Integer(),
    "typologies": JSON(),
}


def list_cases(engine: Engine, run_id: str) -> list[dict[str, Any]]:
    """The cases of `run_id`, by rank, from ``sql/cases_for_run.sql`` (the v_case_listing view)."""
    query = sql_query("cases_for_run").columns(**CASE_LISTING_TYPES)
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query, {"run_id": run_id})]
