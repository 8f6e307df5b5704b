"""A realistic sample case for case-pack tests: 2 alerts, 5 accounts, 30 transactions.

Three payers send amounts inside the crossing-price band to one collector account, which
passes most of the money on to a money-service business abroad within hours. Everything is
synthetic and deterministic. `hostile=True` plants attacker-style text in a name and in
references to test escaping and CSV neutralisation.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from finflow.schema import DETECTION_COLUMNS, TRANSACTION_SCHEMA

SOURCE_FILE = "SYNTH_Trans.csv"
SOURCE_SHA = hashlib.sha256(b"synthetic feed").hexdigest()
ACCOUNTS_FILE = "SYNTH_accounts.csv"
RULES_HASH = hashlib.sha256(b"rules 2026.11.1").hexdigest()
START = datetime(2022, 9, 1, 8, 0, tzinfo=UTC)

COLLECTOR = ("010", "8000EBD30")
BENEFICIARY = ("220", "81A0C2F10")
PAYERS = [("011", "8000A1100"), ("012", "8000B2200"), ("013", "8000C3300")]

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_REFERENCE = '=HYPERLINK("http://x")'
NUMERIC_REFERENCE = "-12.50"


def _txn_id(row: int) -> str:
    return hashlib.sha256(f"{SOURCE_SHA}:{row}".encode()).hexdigest()[:16]


def _transactions(hostile: bool) -> list[dict[str, Any]]:
    """30 rows: 18 payments in, 8 onward transfers out, 4 small everyday payments."""
    rows: list[dict[str, Any]] = []
    amounts_in = [1500, 2500, 3000, 4500, 1500, 2500, 6000, 3000, 1800]
    t = START
    for i in range(18):
        payer = PAYERS[i % 3]
        eur = i % 4 == 1
        amount = float(amounts_in[i % len(amounts_in)])
        rows.append(
            {
                "payer": payer,
                "payee": COLLECTOR,
                "amount": amount,
                "currency": "EUR" if eur else "GBP",
                "rate": 0.8612 if eur else 1.0,
                "channel": "wire" if i % 3 else "cash",
                "reference": f"invoice {1000 + i}",
                "when": t,
            }
        )
        t += timedelta(hours=17, minutes=i * 7)
        if i % 2 == 1:
            rows.append(
                {
                    "payer": COLLECTOR,
                    "payee": BENEFICIARY,
                    "amount": round(amount * 1.7, 2),
                    "currency": "GBP",
                    "rate": 1.0,
                    "channel": "wire",
                    "reference": "transfer",
                    "when": t + timedelta(hours=5),
                }
            )
    for i in range(30 - len(rows)):
        rows.append(
            {
                "payer": COLLECTOR,
                "payee": PAYERS[i % 3],
                "amount": 12.5 + i,
                "currency": "GBP",
                "rate": 1.0,
                "channel": "card",
                "reference": "shared rent",
                "when": START + timedelta(days=3 + i, hours=2),
            }
        )
    if hostile:
        rows[0]["reference"] = HOSTILE_REFERENCE
        rows[2]["reference"] = NUMERIC_REFERENCE
        rows[3]["reference"] = HOSTILE_NAME
    out = []
    for n, r in enumerate(rows, start=1):
        amount_gbp = round(r["amount"] * r["rate"], 2)
        out.append(
            {
                "txn_id": _txn_id(n),
                "source_file": SOURCE_FILE,
                "source_sha256": SOURCE_SHA,
                "source_row": n,
                "source_locator": f"row {n}",
                "source_format": "amlworld_transactions",
                "booked_at": r["when"],
                "payer_bank": r["payer"][0],
                "payer_account": r["payer"][1],
                "payee_bank": r["payee"][0],
                "payee_account": r["payee"][1],
                "amount_paid": r["amount"],
                "currency_paid": r["currency"],
                "amount_received": r["amount"],
                "currency_received": r["currency"],
                "amount_gbp": amount_gbp,
                "fx_rate": r["rate"],
                "channel": r["channel"],
                "reference": r["reference"],
                "ingest_run_id": "run-20221001",
            }
        )
    return out


def _frame(rows: list[dict[str, Any]], tags: dict[str, list[str]]) -> pl.DataFrame:
    schema = {c: TRANSACTION_SCHEMA[c] for c in DETECTION_COLUMNS}
    frame = pl.DataFrame(rows, schema=schema)
    tag_list = [sorted(tags.get(r["txn_id"], [])) for r in rows]
    frame = frame.with_columns(pl.Series("tags", tag_list, dtype=pl.List(pl.String)))
    # Shuffle deterministically: the renderer must sort the schedule itself.
    return frame.reverse()


def _iso(dt: datetime) -> str:
    return dt.isoformat()


def _accounts(rows: list[dict[str, Any]], hostile: bool) -> list[dict[str, Any]]:
    names = {
        COLLECTOR: ("Harbourside Lettings Ltd", "collector"),
        BENEFICIARY: ("Sunrise Money Transfer", "beneficiary"),
        PAYERS[0]: ("A. Karimi", "payer"),
        PAYERS[1]: ("B. Novak", "payer"),
        PAYERS[2]: ("C. Osei", "payer"),
    }
    if hostile:
        names[PAYERS[1]] = (HOSTILE_NAME, "payer")
    bank_names = {
        "010": "First Example Bank",
        "011": "Second Example Bank",
        "012": "Third Example Bank",
        "013": "Fourth Example Bank",
        "220": "Example Remit Services",
    }
    accounts = []
    for key, (name, role) in names.items():
        credits = [r for r in rows if (r["payee_bank"], r["payee_account"]) == key]
        debits = [r for r in rows if (r["payer_bank"], r["payer_account"]) == key]
        seen = [r["booked_at"] for r in credits + debits]
        accounts.append(
            {
                "bank": key[0],
                "account": key[1],
                "bank_name": bank_names[key[0]],
                "entity_id": "E-" + hashlib.sha256(name.encode()).hexdigest()[:8],
                "entity_name": name,
                "role": role,
                "credits_gbp": round(sum(r["amount_gbp"] for r in credits), 2),
                "debits_gbp": round(sum(r["amount_gbp"] for r in debits), 2),
                "n_credits": len(credits),
                "n_debits": len(debits),
                "first_seen": _iso(min(seen)),
                "last_seen": _iso(max(seen)),
                "alerted": key == COLLECTOR,
            }
        )
    return accounts


def build_case(hostile: bool = False) -> tuple[dict[str, Any], pl.DataFrame]:
    """Return ``(case, transactions)`` as the pipeline hands them to `write_case_pack`."""
    rows = _transactions(hostile)
    onward = [
        r["txn_id"]
        for r in rows
        if (r["payer_bank"], r["payer_account"]) == COLLECTOR and r["channel"] == "wire"
    ]
    fee_ids = [
        r["txn_id"]
        for r in rows
        if (r["payee_bank"], r["payee_account"]) == COLLECTOR and r["amount_paid"] >= 1000
    ]
    pass_ids = sorted(fee_ids[:10] + onward)
    tags: dict[str, list[str]] = {}
    for t in fee_ids:
        tags.setdefault(t, []).append("OIC_CROSSING_FEE")
    for t in pass_ids:
        tags.setdefault(t, []).append("OIC_PASS_THROUGH")
    first, last = min(r["booked_at"] for r in rows), max(r["booked_at"] for r in rows)
    inputs = [
        {
            "file": SOURCE_FILE,
            "sha256": SOURCE_SHA,
            "format": "amlworld_transactions",
            "rows_read": 1000,
            "rows_accepted": 998,
            "rows_quarantined": 2,
        },
        {
            "file": ACCOUNTS_FILE,
            "sha256": hashlib.sha256(b"accounts").hexdigest(),
            "format": "amlworld_accounts",
            "rows_read": 40,
            "rows_accepted": 40,
            "rows_quarantined": 0,
        },
    ]
    case: dict[str, Any] = {
        "case_id": "C-3f9a12bc",
        "rank": 1,
        "score": 50.0,
        "band": "medium",
        "generated_at": "2022-10-01T00:00:00+00:00",
        "software_version": "0.1.0",
        "rules_version": "2026.11.1",
        "rules_hash": RULES_HASH,
        "marking": "OFFICIAL-SENSITIVE",
        "period": {"start": _iso(first), "end": _iso(last)},
        "total_value_gbp": round(sum(r["amount_gbp"] for r in rows), 2),
        "typologies": ["OIC_PASS_THROUGH", "OIC_CROSSING_FEE"],
        "accounts": _accounts(rows, hostile),
        "alerts": [
            {
                "alert_id": "A-0001",
                "rule_id": "OIC_CROSSING_FEE",
                "rule_version": 1,
                "description": (
                    "Several unrelated payers paid one account within 30 days, most payments "
                    "inside the dated crossing-price band."
                ),
                "parameters": {
                    "window_days": 30,
                    "min_payers": 3,
                    "band_share_min": 0.6,
                    "price_band_gbp": [1000, 7000],
                },
                "metrics": {"payers": 3, "band_share": 0.9444, "credits_gbp": 51234.5},
                "primary_bank": COLLECTOR[0],
                "primary_account": COLLECTOR[1],
                "window_start": _iso(first),
                "window_end": _iso(first + timedelta(days=30)),
                "weight": 25.0,
                "evidence_txn_ids": fee_ids,
                "benign_explanations": ["rent collection", "family remittances", "savings club"],
            },
            {
                "alert_id": "A-0002",
                "rule_id": "OIC_PASS_THROUGH",
                "rule_version": 2,
                "description": (
                    "At least 90% of the value credited to the account left it within 48 hours."
                ),
                "parameters": {"share_min": 0.9, "hours": 48},
                "metrics": {"share_out": 0.93, "median_hours": 5.0},
                "primary_bank": COLLECTOR[0],
                "primary_account": COLLECTOR[1],
                "window_start": _iso(first),
                "window_end": _iso(last),
                "weight": 20.0,
                "evidence_txn_ids": pass_ids,
                "benign_explanations": ["registered MSB agent", "payroll"],
            },
        ],
        "contributions": [
            {
                "rule_id": "OIC_CROSSING_FEE",
                "hits": 1,
                "weight": 25.0,
                "contribution": 25.0,
                "explanation": "1 hit x weight 25",
            },
            {
                "rule_id": "OIC_PASS_THROUGH",
                "hits": 1,
                "weight": 20.0,
                "contribution": 20.0,
                "explanation": "1 hit x weight 20",
            },
        ],
        "corroboration_bonus": 5.0,
        "rules_not_fired": [
            {"rule_id": "CYCLE", "rule_version": 1, "description": "Money returns to its origin."},
            {"rule_id": "FAN_OUT", "rule_version": 1, "description": "One account pays many."},
            {
                "rule_id": "OIC_NARRATIVE",
                "rule_version": 1,
                "description": "Payment references match the travel lexicon.",
            },
        ],
        "inputs": inputs,
        "quarantine_summary": {"rows": 2, "by_reason": {"BAD_TIMESTAMP": 1, "BAD_AMOUNT": 1}},
    }
    return case, _frame(rows, tags)


def build_cases(n: int = 3) -> list[dict[str, Any]]:
    """`n` small variations of the sample case with distinct ids, ranks, bands, typologies."""
    base, _ = build_case()
    bands = ["high", "medium", "low"]
    typologies = [["FAN_OUT", "OIC_CROSSING_FEE"], ["OIC_PASS_THROUGH"], ["CYCLE"]]
    cases = []
    for i in range(n):
        case = dict(base)
        case.update(
            case_id=f"C-{i:08x}",
            rank=i + 1,
            score=90.0 - 20 * i,
            band=bands[i % 3],
            typologies=typologies[i % 3],
        )
        cases.append(case)
    return cases
