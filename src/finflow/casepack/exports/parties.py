"""parties.csv: one row per party of a case (after entity resolution), safe for spreadsheets.

Roles, scores, data-subject category (always ``unknown`` from the software), attention flags,
possible sanctions matches (for human review) and the accounts with their link evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from finflow.casepack.csvsafe import write_safe_rows

PARTY_COLUMNS: dict[str, pl.DataType] = {
    "marking": pl.String(),
    "party_id": pl.String(),
    "name": pl.String(),
    "date_of_birth": pl.String(),
    "customer_ids": pl.String(),
    "entity_ids": pl.String(),
    "role": pl.String(),
    "alerted": pl.Boolean(),
    "in_gbp": pl.Float64(),
    "out_gbp": pl.Float64(),
    "party_score": pl.Float64(),
    "data_subject_category": pl.String(),
    "attention": pl.String(),
    "possible_sanctions_matches": pl.String(),
    "accounts_and_evidence": pl.String(),
}


def write_parties_csv(case: Mapping[str, Any], marking: str, path: Path) -> Path | None:
    """Write `path` for the case's parties; nothing (None) for a case without party data."""
    parties = case.get("parties") or []
    if not parties:
        return None
    screening: dict[str, list[str]] = {}
    for s in case.get("screening") or []:
        screening.setdefault(s["party_id"], []).append(
            f"{s['list_id']} {s['matched_name']} (score {float(s['score']):.2f}; "
            "possible match - for human review)"
        )
    rows = [
        {
            "marking": marking,
            "party_id": p["party_id"],
            "name": p.get("name"),
            "date_of_birth": p.get("date_of_birth"),
            "customer_ids": "; ".join(p.get("customer_ids") or []),
            "entity_ids": "; ".join(p.get("entity_ids") or []),
            "role": p.get("role"),
            "alerted": bool(p.get("alerted")),
            "in_gbp": p.get("in_gbp"),
            "out_gbp": p.get("out_gbp"),
            "party_score": p.get("score"),
            "data_subject_category": p.get("data_subject_category") or "unknown",
            "attention": "; ".join(p.get("attention") or []),
            "possible_sanctions_matches": "; ".join(screening.get(p["party_id"], [])),
            "accounts_and_evidence": "; ".join(
                f"{a['account_key']} ({a['evidence']})" for a in p.get("accounts") or []
            ),
        }
        for p in parties
    ]
    return write_safe_rows(rows, PARTY_COLUMNS, path)
