"""Exports for i2 Analyst's Notebook: an entity file and a link file (docs/i2.md).

Analyst's Notebook imports tabular data through an import specification that maps columns to
entity and link attributes. We write two CSV files with fixed columns: ``i2_entities.csv``
(accounts and their holders, one row each, with an ``Identity`` unique in the file) and
``i2_links.csv`` (one row per payment from payer account to payee account, plus one
``Holds`` link per holder and account). Every text cell is neutralised like transactions.csv.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from finflow.casepack.csvsafe import write_safe_rows
from finflow.casepack.model import CaseNetwork, Entity, party_key

log = logging.getLogger(__name__)

I2_ENTITY_TYPES = {"Person": "Person", "Company": "Organisation", "LegalEntity": "Unknown Entity"}
"""FollowTheMoney-style holder kind -> i2 entity type name used in the import specification."""

ENTITY_COLUMNS: dict[str, pl.DataType] = {
    "Identity": pl.String(),
    "Entity Type": pl.String(),
    "Label": pl.String(),
    "Name": pl.String(),
    "Bank Id": pl.String(),
    "Bank Name": pl.String(),
    "Account Number": pl.String(),
    "Role": pl.String(),
    "Alerted": pl.String(),
    "Data Subject Category": pl.String(),
    "Key Number": pl.Int64(),
    "Value Moved GBP": pl.Float64(),
    "Marking": pl.String(),
}
LINK_COLUMNS: dict[str, pl.DataType] = {
    "Link Id": pl.String(),
    "Link Type": pl.String(),
    "From Identity": pl.String(),
    "To Identity": pl.String(),
    "Direction": pl.String(),
    "Date": pl.String(),
    "Time": pl.String(),
    "Amount": pl.Float64(),
    "Currency": pl.String(),
    "Amount GBP": pl.Float64(),
    "Channel": pl.String(),
    "Reference": pl.String(),
    "Indicators": pl.String(),
    "Source": pl.String(),
    "Marking": pl.String(),
}


def account_identity(key: str) -> str:
    """The i2 identity of an account: ``ACC:bank:account``."""
    return f"ACC:{key}"


def holder_identity(entity: Entity) -> str:
    """The i2 identity of a holder: ``ENT:<entity id>`` (or per account when unidentified)."""
    if entity.entity_id:
        return f"ENT:{entity.entity_id}"
    return f"ENT:unidentified:{entity.accounts[0].key}"


def write_i2(
    network: CaseNetwork,
    entities: Sequence[Entity],
    rows: Sequence[Mapping[str, Any]],
    marking: str,
    out_dir: Path,
) -> tuple[Path, Path]:
    """Write ``i2_entities.csv`` and ``i2_links.csv`` into `out_dir`; return both paths."""
    ent_rows: list[dict[str, Any]] = []
    link_rows: list[dict[str, Any]] = []
    for party in network.ordered():
        ent_rows.append(
            {
                "Identity": account_identity(party.key),
                "Entity Type": "Account",
                "Label": f"{party.bank}/{party.account}",
                "Name": party.entity_name,
                "Bank Id": party.bank,
                "Bank Name": party.bank_name,
                "Account Number": party.account,
                "Role": party.role,
                "Alerted": "yes" if party.alerted else "no",
                "Data Subject Category": party.category,
                "Key Number": party.number,
                "Value Moved GBP": round(party.value_gbp, 2),
                "Marking": marking,
            }
        )
    for entity in entities:
        ident = holder_identity(entity)
        if not entity.name and not entity.entity_id:
            continue
        ent_rows.append(
            {
                "Identity": ident,
                "Entity Type": I2_ENTITY_TYPES.get(entity.kind, "Unknown Entity"),
                "Label": entity.name or entity.entity_id,
                "Name": entity.name,
                "Bank Id": "",
                "Bank Name": "",
                "Account Number": "",
                "Role": "; ".join(sorted({p.role for p in entity.accounts})),
                "Alerted": "yes" if any(p.alerted for p in entity.accounts) else "no",
                "Data Subject Category": entity.category,
                "Key Number": None,
                "Value Moved GBP": round(sum(p.value_gbp for p in entity.accounts), 2),
                "Marking": marking,
            }
        )
        for party in entity.accounts:
            link_rows.append(_holds(ident, party.key, marking))
    for r in rows:
        when = r.get("booked_at")
        stamp = when.isoformat() if isinstance(when, datetime) else str(when or "")
        link_rows.append(
            {
                "Link Id": f"TXN:{r.get('txn_id')}",
                "Link Type": "Payment",
                "From Identity": account_identity(
                    party_key(r.get("payer_bank"), r.get("payer_account"))
                ),
                "To Identity": account_identity(
                    party_key(r.get("payee_bank"), r.get("payee_account"))
                ),
                "Direction": "Arrow to",
                "Date": stamp[:10],
                "Time": stamp[11:19],
                "Amount": r.get("amount_paid"),
                "Currency": r.get("currency_paid"),
                "Amount GBP": r.get("amount_gbp"),
                "Channel": r.get("channel"),
                "Reference": r.get("reference"),
                "Indicators": "; ".join(sorted(r.get("tags") or [])),
                "Source": f"{r.get('source_file')} {r.get('source_locator')}",
                "Marking": marking,
            }
        )
    out_dir = Path(out_dir)
    ents = write_safe_rows(ent_rows, ENTITY_COLUMNS, out_dir / "i2_entities.csv")
    links = write_safe_rows(link_rows, LINK_COLUMNS, out_dir / "i2_links.csv")
    return ents, links


def _holds(ident: str, key: str, marking: str) -> dict[str, Any]:
    return {
        "Link Id": f"HOLDS:{ident}:{key}",
        "Link Type": "Holds",
        "From Identity": ident,
        "To Identity": account_identity(key),
        "Direction": "Arrow to",
        "Date": "",
        "Time": "",
        "Amount": None,
        "Currency": "",
        "Amount GBP": None,
        "Channel": "",
        "Reference": "",
        "Indicators": "",
        "Source": "account reference data",
        "Marking": marking,
    }
