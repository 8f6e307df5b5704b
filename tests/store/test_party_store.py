"""Party results in the store (SQLite and PostgreSQL): tables, views, replace-per-run."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from store_samples import make_run

from finflow.errors import StoreError
from finflow.store import save_results, save_run
from finflow.store.parties import list_case_parties, merges_for_review, save_party_results

CONTRIB = {
    "rule_id": "OIC_CROSSING_FEE",
    "hits": 1,
    "weight": 35.0,
    "contribution": 35.0,
    "explanation": "weight 35 x (1) for 1 alert",
}


def _cases() -> list[dict[str, Any]]:
    return [
        {
            "case_id": "C-1",
            "rank": 1,
            "score": 35.0,
            "band": "medium",
            "total_value_gbp": 100.0,
            "typologies": ["OIC_CROSSING_FEE"],
            "contributions": [CONTRIB],
            "parties": [
                {
                    "party_id": "P-collector",
                    "name": "=cmd|' /C calc'!A0",
                    "date_of_birth": "1990-01-01",
                    "customer_ids": ["K1", "K2"],
                    "entity_ids": ["E1"],
                    "accounts": [{"account_key": "001:A", "evidence": "Entity ID E1"}],
                    "role": "collector",
                    "alerted": True,
                    "hub": False,
                    "score": 35.0,
                    "band": "medium",
                    "contributions": [CONTRIB],
                    "data_subject_category": "unknown",
                    "attention": [],
                },
                {
                    "party_id": "P-payer",
                    "name": "Ana Pop",
                    "customer_ids": ["K3"],
                    "entity_ids": [],
                    "accounts": [{"account_key": "002:B", "evidence": "listed in the KYC file"}],
                    "role": "payer",
                    "alerted": False,
                    "hub": False,
                    "score": 0.0,
                    "band": None,
                    "contributions": [],
                    "data_subject_category": "unknown",
                    "attention": ["possible victim"],
                },
            ],
        }
    ]


MERGES = [
    {
        "left": "K1",
        "right": "K2",
        "method": "attributes",
        "party_id": "P-collector",
        "evidence": "name, date_of_birth",
        "confidence": 0.9,
        "status": "applied",
    },
    {
        "left": "K3",
        "right": "K4",
        "method": "attributes",
        "party_id": "P-payer",
        "evidence": "name, address",
        "confidence": 0.6,
        "status": "needs_review",
    },
]
SCREENING = [
    {
        "party_id": "P-collector",
        "screened_name": "x",
        "screened_dob": None,
        "list_id": "FIC1",
        "score": 0.93,
        "matched_name": "X",
        "name_type": "Primary Name",
        "designated_name": "X",
        "regime": "GIMTIP",
        "explanation": "agreed: x",
        "status": "possible match - for human review",
    },
]


def _save(engine: Engine) -> dict[str, int]:
    save_run(engine, make_run("run-1"))
    save_results(
        engine, "run-1", [], [], [c | {"accounts": [], "transactions": []} for c in _cases()]
    )
    return save_party_results(engine, "run-1", _cases(), MERGES, SCREENING)


def test_party_results_are_stored_and_listed_through_the_views(engine: Engine) -> None:
    counts = _save(engine)
    assert counts == {
        "score_contributions": 2,
        "case_parties": 2,
        "screening_results": 1,
        "party_merges": 2,
        "party_accounts": 2,
        "parties": 2,
    }
    rows = list_case_parties(engine, "run-1")
    assert [r["party_id"] for r in rows] == ["P-collector", "P-payer"]
    top = rows[0]
    assert top["name"] == "=cmd|' /C calc'!A0"  # stored verbatim; neutralised only on export
    assert (top["role"], top["alerted"], top["possible_sanctions_matches"]) == (
        "collector",
        True,
        1,
    )
    assert {r["data_subject_category"] for r in rows} == {"unknown"}
    assert rows[1]["merges_for_review"] == 1
    (review,) = merges_for_review(engine, "run-1")
    assert (review["left_customer"], review["confidence"]) == ("K3", 0.6)


def test_saving_again_replaces_the_run_party_rows(engine: Engine) -> None:
    first = _save(engine)
    second = save_party_results(engine, "run-1", _cases(), MERGES, SCREENING)
    assert first == second
    assert len(list_case_parties(engine, "run-1")) == 2


def test_an_unknown_run_is_refused(engine: Engine) -> None:
    with pytest.raises(StoreError, match="save_run must come first"):
        save_party_results(engine, "nope", _cases(), [], [])
