"""Reading and writing the party results of a run (issue #5), replaced as a whole per run.

`save_party_results` takes the score stage's outputs as written to ``cases.json`` and
``parties.json``: the parties of each case (with roles, scores, contributions, categories),
the merges (applied and for review) and the screening results.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Boolean, Engine, Float, Integer, delete, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from finflow.errors import StoreError
from finflow.store.models import (
    Base,
    CaseParty,
    Party,
    PartyAccount,
    PartyMerge,
    Run,
    ScoreContribution,
    ScreeningResult,
)
from finflow.store.repository import sql_query

log = logging.getLogger(__name__)

PARTY_MODELS: tuple[type[Base], ...] = (
    ScoreContribution,
    CaseParty,
    ScreeningResult,
    PartyMerge,
    PartyAccount,
    Party,
)
SOFTWARE_DEFAULT = "software default (only an officer changes it)"


def _contribution_rows(
    run_id: str, case_id: str, party_id: str, contributions: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run_id,
            "case_id": case_id,
            "party_id": party_id,
            "rule_id": c["rule_id"],
            "hits": int(c["hits"]),
            "weight": float(c["weight"]),
            "contribution": float(c["contribution"]),
            "explanation": str(c["explanation"]),
        }
        for c in contributions
    ]


def party_rows(
    run_id: str,
    cases: Sequence[Mapping[str, Any]],
    merges: Sequence[Mapping[str, Any]],
    screening: Sequence[Mapping[str, Any]],
) -> dict[type[Base], list[dict[str, Any]]]:
    """The rows of each party table for one run."""
    parties: dict[str, dict[str, Any]] = {}
    accounts: dict[str, dict[str, Any]] = {}
    case_parties, contributions = [], []
    for case in cases:
        cid = case["case_id"]
        contributions += _contribution_rows(run_id, cid, "", case.get("contributions", []))
        for p in case.get("parties", []):
            pid = p["party_id"]
            row = parties.setdefault(
                pid,
                {
                    "run_id": run_id,
                    "party_id": pid,
                    "name": p.get("name"),
                    "date_of_birth": p.get("date_of_birth"),
                    "customer_ids": list(p.get("customer_ids") or []),
                    "entity_ids": list(p.get("entity_ids") or []),
                    "data_subject_category": p.get("data_subject_category") or "unknown",
                    "category_set_by": SOFTWARE_DEFAULT,
                    "attention": [],
                },
            )
            row["attention"] = sorted(set(row["attention"]) | set(p.get("attention") or []))
            for link in p.get("accounts") or []:
                bank, _, account = str(link["account_key"]).partition(":")
                accounts[link["account_key"]] = {
                    "run_id": run_id,
                    "bank": bank,
                    "account": account,
                    "party_id": pid,
                    "evidence": link["evidence"],
                }
            case_parties.append(
                {
                    "run_id": run_id,
                    "case_id": cid,
                    "party_id": pid,
                    "role": p["role"],
                    "alerted": bool(p.get("alerted")),
                    "hub": bool(p.get("hub")),
                    "score": float(p.get("score") or 0.0),
                    "band": p.get("band"),
                }
            )
            contributions += _contribution_rows(run_id, cid, pid, p.get("contributions", []))
    merge_rows = {
        (m["left"], m["right"], m["method"]): {
            "run_id": run_id,
            "left_customer": m["left"],
            "right_customer": m["right"],
            "method": m["method"],
            "party_id": m.get("party_id"),
            "evidence": m["evidence"]
            if isinstance(m["evidence"], str)
            else ", ".join(m["evidence"]),
            "confidence": float(m["confidence"]),
            "applied": m["status"] == "applied",
            "needs_review": m["status"] == "needs_review",
        }
        for m in merges
    }
    screening_rows = {
        (s["party_id"], s["list_id"]): {"run_id": run_id} | dict(s) for s in screening
    }
    return {
        Party: sorted(parties.values(), key=lambda r: r["party_id"]),
        PartyAccount: sorted(accounts.values(), key=lambda r: (r["bank"], r["account"])),
        PartyMerge: [merge_rows[k] for k in sorted(merge_rows)],
        ScreeningResult: [screening_rows[k] for k in sorted(screening_rows)],
        CaseParty: case_parties,
        ScoreContribution: contributions,
    }


def save_party_results(
    engine: Engine,
    run_id: str,
    cases: Sequence[Mapping[str, Any]],
    merges: Sequence[Mapping[str, Any]],
    screening: Sequence[Mapping[str, Any]],
) -> dict[str, int]:
    """Replace the party results of `run_id` in one transaction; return rows per table."""
    rows = party_rows(run_id, cases, merges, screening)
    with Session(engine) as session, session.begin():
        locked = session.execute(
            select(Run.run_id).where(Run.run_id == run_id).with_for_update()
        ).first()
        if locked is None:
            raise StoreError(f"run {run_id!r} is not in the store; save_run must come first")
        for model in PARTY_MODELS:
            session.execute(delete(model).where(model.run_id == run_id))  # type: ignore[attr-defined]
        for model in reversed(PARTY_MODELS):
            if rows[model]:
                session.execute(insert(model), rows[model])
    counts = {str(m.__tablename__): len(rows[m]) for m in PARTY_MODELS}
    log.info("saved party results of run %s: %s", run_id, counts)
    return counts


CASE_PARTY_TYPES: dict[str, TypeEngine[Any]] = {
    "case_rank": Integer(),
    "case_score": Float(),
    "alerted": Boolean(),
    "hub": Boolean(),
    "party_score": Float(),
    "possible_sanctions_matches": Integer(),
    "merges_for_review": Integer(),
}


def list_case_parties(engine: Engine, run_id: str) -> list[dict[str, Any]]:
    """Parties of the run's cases (view v_case_party_listing), by case rank then score."""
    query = sql_query("case_parties_for_run").columns(**CASE_PARTY_TYPES)
    with engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(query, {"run_id": run_id})]


def merges_for_review(engine: Engine, run_id: str) -> list[dict[str, Any]]:
    """Merges waiting for an investigator (view v_merges_for_review)."""
    query = sql_query("merges_for_run").columns(confidence=Float())
    with engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(query, {"run_id": run_id})]
