"""Small KYC, account and alert fixtures for the party tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules
from finflow.ingest.reference import CUSTOMER_SCHEMA
from finflow.schema import ACCOUNT_SCHEMA
from finflow.score.config import load_party_config

RULES = load_rules(known=set(DETECTORS))
PARTY = load_party_config(RULES)


def customers(*rows: tuple[Any, ...]) -> pl.DataFrame:
    """Rows of (id, name, dob 'YYYY-MM-DD' or None, [addresses], phone, email, [accounts],
    device)."""
    full = [
        {
            "customer_id": r[0],
            "name": r[1],
            "date_of_birth": date.fromisoformat(r[2]) if r[2] else None,
            "addresses": r[3],
            "phone": r[4],
            "email": r[5],
            "nationality": "GB",
            "account_keys": r[6],
            "device_id": r[7] if len(r) > 7 else None,
            "source_file": "kyc.csv",
            "source_sha256": "0" * 64,
            "source_row": i + 1,
        }
        for i, r in enumerate(rows)
    ]
    return pl.DataFrame(full, schema=CUSTOMER_SCHEMA)


def accounts(*rows: tuple[str, str, str, str]) -> pl.DataFrame:
    """Rows of (bank, account, entity id, entity name)."""
    return pl.DataFrame(
        [
            {
                "bank": b,
                "account": a,
                "bank_name": f"Bank {b}",
                "entity_id": e,
                "entity_name": n,
                "source_file": "acc.csv",
                "source_sha256": "0" * 64,
                "source_row": i + 1,
            }
            for i, (b, a, e, n) in enumerate(rows)
        ],
        schema=ACCOUNT_SCHEMA,
    )


def alert(
    aid: str, rule: str, primary: str, *others: str, txns: list[str] | None = None
) -> dict[str, Any]:
    return {
        "alert_id": aid,
        "rule_id": rule,
        "rule_version": 1,
        "primary": primary,
        "accounts": sorted({primary, *others}),
        "evidence_txn_ids": txns if txns is not None else [f"{aid}-t1"],
        "window_start": "2022-09-01T00:00:00+00:00",
        "window_end": "2022-09-02T00:00:00+00:00",
    }
