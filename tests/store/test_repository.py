"""Saving runs and results, reading them back, and re-saving idempotently."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from store_samples import evidence, make_results, make_run

from finflow.errors import StoreError
from finflow.store import (
    append_audit,
    audit_entries,
    get_run,
    list_cases,
    save_results,
    save_run,
)
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
)

ALL_MODELS: list[type[Base]] = [
    Run,
    InputFile,
    Account,
    Alert,
    AlertTransaction,
    Case,
    CaseAccount,
    CaseTransaction,
    AuditEntry,
]


def _save_everything(engine: Engine, run_id: str = "run-1") -> None:
    save_run(engine, make_run(run_id))
    save_results(engine, run_id, *make_results())


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, as plain tuples."""
    snapshot = {}
    with engine.connect() as connection:
        for model in ALL_MODELS:
            table = model.__table__
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot


def _count(engine: Engine, model: type[Base], run_id: str | None = None) -> int:
    query = select(func.count()).select_from(model)
    if run_id is not None:
        query = query.where(model.run_id == run_id)  # type: ignore[attr-defined]
    with Session(engine) as session:
        return int(session.scalar(query) or 0)


def test_a_saved_run_reads_back_with_utc_timestamps_and_its_files(engine: Engine) -> None:
    save_run(engine, make_run())
    run = get_run(engine, "run-1")
    assert run is not None
    assert run["logical_date"] == datetime(2024, 3, 1, tzinfo=UTC)
    assert run["started_at"] == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    assert run["started_at"].tzinfo is UTC
    assert run["finished_at"] == datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    assert run["counts"] == {"rows_read": 10, "alerts": 2, "cases": 3}
    assert run["rules_hash"] == "cd" * 32
    assert [f["file"] for f in run["files"]] == ["feed.csv", "notes.txt"]
    assert run["files"][0]["rows_quarantined"] == 1
    assert run["files"][1]["message"] == "not a feed"
    assert get_run(engine, "no-such-run") is None


def test_re_saving_a_run_replaces_its_row_and_files_and_keeps_its_results(
    engine: Engine,
) -> None:
    _save_everything(engine)
    finished = make_run(status="failed")
    finished["files"] = finished["files"][:1]
    finished["finished_at"] = None
    save_run(engine, finished)

    run = get_run(engine, "run-1")
    assert run is not None
    assert run["status"] == "failed"
    assert run["finished_at"] is None
    assert [f["file"] for f in run["files"]] == ["feed.csv"]
    assert _count(engine, Run) == 1
    assert _count(engine, Case, "run-1") == 3


def test_results_round_trip_and_cases_list_by_rank(engine: Engine) -> None:
    _save_everything(engine)
    cases = list_cases(engine, "run-1")
    assert [c["case_id"] for c in cases] == ["C-a", "C-b", "C-c"]
    assert [c["rank"] for c in cases] == [1, 2, 3]
    first = cases[0]
    assert first == {
        "case_id": "C-a",
        "run_id": "run-1",
        "rank": 1,
        "score": 0.9,
        "band": "high",
        "total_value_gbp": 1000.25,
        "n_accounts": 2,
        "n_transactions": 2,
        "typologies": ["smuggling_fees", "mule_network"],
    }
    assert cases[2]["n_transactions"] == 0
    assert list_cases(engine, "other-run") == []

    with Session(engine) as session:
        alert = session.get(Alert, ("run-1", "AL-1"))
        assert alert is not None
        assert alert.n_evidence == 3
        assert alert.metrics == {"n_payers": 7, "total_gbp": 1234.5}
        assert alert.window_start == datetime(2024, 2, 1, tzinfo=UTC)
        links = session.scalars(
            select(AlertTransaction)
            .where(AlertTransaction.alert_id == "AL-1")
            .order_by(AlertTransaction.source_row)
        ).all()
        assert [(x.txn_id, x.source_row) for x in links] == [("t1", 1), ("t2", 2), ("t3", 3)]
        case = session.get(Case, ("run-1", "C-a"))
        assert case is not None
        assert case.contributions == [{"rule_id": "fan_in", "points": 0.9}]
        roles = session.execute(
            select(CaseAccount.account, CaseAccount.role)
            .where(CaseAccount.case_id == "C-a")
            .order_by(CaseAccount.account)
        ).all()
        assert [tuple(r) for r in roles] == [("A1", "collector"), ("A2", "mule")]
        account = session.get(Account, ("run-1", "B1", "A1"))
        assert account is not None
        assert account.entity_name == '=HYPERLINK("x")'  # stored verbatim; exports neutralise


def test_saving_the_same_run_twice_leaves_the_same_table_contents(engine: Engine) -> None:
    _save_everything(engine)
    before = _snapshot(engine)
    _save_everything(engine)
    assert _snapshot(engine) == before
    assert _count(engine, CaseTransaction) == 3
    assert _count(engine, AlertTransaction) == 5


def test_re_saving_results_replaces_that_run_only(engine: Engine) -> None:
    _save_everything(engine, "run-1")
    _save_everything(engine, "run-2")
    accounts, alerts, cases = make_results()
    save_results(engine, "run-1", accounts[:1], alerts[:1], cases[:1])

    assert _count(engine, Account, "run-1") == 1
    assert _count(engine, Alert, "run-1") == 1
    assert _count(engine, AlertTransaction, "run-1") == 3
    assert _count(engine, Case, "run-1") == 1
    assert _count(engine, CaseAccount, "run-1") == 2
    assert _count(engine, CaseTransaction, "run-1") == 1
    assert [c["case_id"] for c in list_cases(engine, "run-1")] == ["C-b"]
    assert _count(engine, Alert, "run-2") == 3
    assert _count(engine, Case, "run-2") == 3


def test_a_failed_save_of_results_keeps_the_previous_results(engine: Engine) -> None:
    _save_everything(engine)
    accounts, alerts, cases = make_results()
    cases[1]["transactions"] = [evidence("t9", 9), evidence("t9", 9)]  # duplicate key
    with pytest.raises(IntegrityError):
        save_results(engine, "run-1", accounts, alerts, cases)
    assert [c["case_id"] for c in list_cases(engine, "run-1")] == ["C-a", "C-b", "C-c"]
    assert _count(engine, CaseTransaction, "run-1") == 3


def test_results_for_an_unsaved_run_are_refused(engine: Engine) -> None:
    with pytest.raises(StoreError, match="save_run"):
        save_results(engine, "ghost", *make_results())


def test_many_evidence_links_are_saved_in_bulk(engine: Engine) -> None:
    save_run(engine, make_run())
    links = [evidence(f"t{i:06d}", i) for i in range(20_000)]
    alerts = [
        {
            "alert_id": f"AL-{n}",
            "rule_id": "fan_in",
            "rule_version": 1,
            "primary_bank": "B1",
            "primary_account": "A1",
            "window_start": datetime(2024, 1, 1, tzinfo=UTC),
            "window_end": datetime(2024, 1, 8, tzinfo=UTC),
            "weight": 1.0,
            "metrics": {},
            "evidence": links[n * 1000 : (n + 1) * 1000],
        }
        for n in range(20)
    ]
    cases = [
        {
            "case_id": "C-1",
            "rank": 1,
            "score": 1.0,
            "band": "high",
            "total_value_gbp": 0,
            "typologies": [],
            "contributions": [],
            "accounts": [],
            "transactions": links,
        }
    ]
    save_results(engine, "run-1", [], alerts, cases)
    assert _count(engine, AlertTransaction) == 20_000
    assert _count(engine, CaseTransaction) == 20_000


def test_the_audit_log_only_grows_and_filters_by_run(engine: Engine) -> None:
    append_audit(engine, "pipeline", "run.started", "run-1", {"input": "/feeds"})
    _save_everything(engine)
    _save_everything(engine)
    append_audit(engine, "alice", "casepack.exported", "run-1", {"case_id": "C-a"})
    append_audit(engine, "alice", "login", None, {})

    entries = audit_entries(engine)
    assert [e["action"] for e in entries] == ["run.started", "casepack.exported", "login"]
    assert entries[0]["detail"] == {"input": "/feeds"}
    assert all(e["at"].tzinfo is UTC for e in entries)
    assert entries[0]["id"] < entries[1]["id"] < entries[2]["id"]
    assert [e["action"] for e in audit_entries(engine, "run-1")] == [
        "run.started",
        "casepack.exported",
    ]


def test_cases_for_run_sql_uses_a_bind_parameter(engine: Engine) -> None:
    _save_everything(engine)
    hostile = "run-1' OR '1'='1"
    assert list_cases(engine, hostile) == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM cases")).scalar() == 3


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-03-01", datetime(2024, 3, 1, tzinfo=UTC)),
        ("2024-03-01T10:00:00", datetime(2024, 3, 1, 10, tzinfo=UTC)),
        ("2024-03-01T10:00:00Z", datetime(2024, 3, 1, 10, tzinfo=UTC)),
        ("2024-03-01T10:00:00-05:00", datetime(2024, 3, 1, 15, tzinfo=UTC)),
        (date(2024, 3, 1), datetime(2024, 3, 1, tzinfo=UTC)),
        (datetime(2024, 3, 1, 10), datetime(2024, 3, 1, 10, tzinfo=UTC)),
    ],
)
def test_timestamps_are_stored_as_utc_whatever_form_they_come_in(
    engine: Engine, given: object, expected: datetime
) -> None:
    run = make_run()
    run["logical_date"] = given
    save_run(engine, run)
    saved = get_run(engine, "run-1")
    assert saved is not None
    assert saved["logical_date"] == expected
    assert saved["logical_date"].utcoffset() == timedelta(0)
