"""Sample runs and results shaped like the pipeline's, for store tests."""

from __future__ import annotations

from typing import Any


def evidence(txn: str, row: int) -> dict[str, Any]:
    """One provenance link, as detection and scoring produce them."""
    return {"txn_id": txn, "source_file": "feed.csv", "source_sha256": "ab" * 32, "source_row": row}


def make_run(run_id: str = "run-1", status: str = "succeeded") -> dict[str, Any]:
    """A run.json-shaped dict with two input files."""
    return {
        "run_id": run_id,
        "logical_date": "2024-03-01",
        "software_version": "0.1.0",
        "rules_version": "3",
        "rules_hash": "cd" * 32,
        "status": status,
        "counts": {"rows_read": 10, "alerts": 2, "cases": 3},
        "started_at": "2024-03-01T10:00:00+01:00",
        "finished_at": "2024-03-01T09:30:00Z",
        "files": [
            {
                "file": "feed.csv",
                "sha256": "ab" * 32,
                "format": "amlworld",
                "rows_read": 10,
                "rows_accepted": 9,
                "rows_quarantined": 1,
                "status": "ingested",
                "message": "",
            },
            {
                "file": "notes.txt",
                "sha256": "ef" * 32,
                "format": "unknown",
                "rows_read": 0,
                "rows_accepted": 0,
                "rows_quarantined": 0,
                "status": "rejected",
                "message": "not a feed",
            },
        ],
    }


def make_results() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Accounts, alerts and cases for `make_run`; cases deliberately not in rank order."""
    accounts = [
        {
            "bank": "B1",
            "account": "A1",
            "bank_name": "Bank One",
            "entity_id": "E1",
            "entity_name": '=HYPERLINK("x")',
        },
        {
            "bank": "B1",
            "account": "A2",
            "bank_name": "Bank One",
            "entity_id": None,
            "entity_name": None,
        },
    ]
    alerts = [
        {
            "alert_id": "AL-1",
            "rule_id": "fan_in",
            "rule_version": 2,
            "primary_bank": "B1",
            "primary_account": "A1",
            "window_start": "2024-02-01T00:00:00Z",
            "window_end": "2024-02-08T00:00:00Z",
            "weight": 1.5,
            "metrics": {"n_payers": 7, "total_gbp": 1234.5},
            "evidence": [evidence("t1", 1), evidence("t2", 2), evidence("t3", 3)],
        },
        {
            "alert_id": "AL-2",
            "rule_id": "fan_in",
            "rule_version": 2,
            "primary_bank": "B1",
            "primary_account": "A2",
            "window_start": "2024-02-02T00:00:00Z",
            "window_end": "2024-02-09T00:00:00Z",
            "weight": 1.5,
            "metrics": {},
            "evidence": [evidence("t4", 4)],
        },
        {
            "alert_id": "AL-3",
            "rule_id": "structuring",
            "rule_version": 1,
            "primary_bank": "B1",
            "primary_account": "A2",
            "window_start": "2024-02-02T00:00:00Z",
            "window_end": "2024-02-03T00:00:00Z",
            "weight": 0.5,
            "metrics": {"n_below": 3},
            "evidence": [evidence("t5", 5)],
        },
    ]
    cases = [
        _case("C-b", 2, 0.6, "medium", [evidence("t4", 4)]),
        _case("C-a", 1, 0.9, "high", [evidence("t1", 1), evidence("t2", 2)]),
        _case("C-c", 3, 0.1, "low", []),
    ]
    return accounts, alerts, cases


def _case(
    case_id: str, rank: int, score: float, band: str, txns: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "rank": rank,
        "score": score,
        "band": band,
        "total_value_gbp": 1000.0 * rank + 0.25,
        "typologies": ["smuggling_fees", "mule_network"][: rank % 2 + 1],
        "contributions": [{"rule_id": "fan_in", "points": score}],
        "accounts": [
            {"bank": "B1", "account": "A1", "role": "collector"},
            {"bank": "B1", "account": "A2", "role": "mule"},
        ],
        "transactions": txns,
    }
