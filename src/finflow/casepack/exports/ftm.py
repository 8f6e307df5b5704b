"""ftm.jsonl: the case in the FollowTheMoney model (OCCRP Aleph's investigation format).

Written as plain JSON lines ``{"id", "schema", "properties"}`` so no runtime dependency is
needed; the tests validate every line with the ``followthemoney`` package. Holders are
``Person`` or ``Company`` where the data says so and ``LegalEntity`` otherwise; accounts are
``BankAccount``; holding is ``Ownership``; each schedule row is a ``Payment``. Ids are derived
from stable keys (entity id, account key, transaction id), so the same case gives the same ids.
Names and references are data: they are written as property values, never interpreted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from finflow.casepack.model import UNKNOWN, CaseNetwork, Entity, party_key, stable_id

log = logging.getLogger(__name__)

ID_PREFIX = "finflow"


_LINE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
"""What ``json.dumps(e, sort_keys=True, ensure_ascii=False, separators=(",", ":"))`` uses,
made once instead of per line."""


def _id(kind: str, *parts: Any) -> str:
    return f"{ID_PREFIX}-{kind}-{stable_id(kind, *parts)}"


def holder_id(entity: Entity) -> str:
    """The FtM id of a holder (by entity id, or by account when unidentified)."""
    if entity.entity_id:
        return _id("ent", entity.entity_id)
    return _id("ent", "unidentified", entity.accounts[0].key)


@lru_cache(maxsize=65536)
def account_id(key: str) -> str:
    """The FtM id of a BankAccount from its ``bank:account`` key (cached: every payment row
    names two accounts, and a run's packs share many)."""
    return _id("acc", key)


def _entity(ident: str, schema: str, props: Mapping[str, Any]) -> dict[str, Any]:
    clean = {
        k: [str(v) for v in (vals if isinstance(vals, list) else [vals]) if v not in (None, "")]
        for k, vals in props.items()
    }
    return {"id": ident, "schema": schema, "properties": {k: v for k, v in clean.items() if v}}


def ftm_entities(
    network: CaseNetwork, entities: Sequence[Entity], rows: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Every FtM entity of the case, in a stable order."""
    out: list[dict[str, Any]] = []
    holder_of: dict[str, str] = {}
    for entity in entities:
        hid = holder_id(entity)
        name = entity.name or (
            f"Holder of account {entity.accounts[0].bank}/{entity.accounts[0].account}"
            " (not identified)"
        )
        out.append(_entity(hid, entity.kind, {"name": name, "idNumber": entity.entity_id or None}))
        for party in entity.accounts:
            holder_of[party.key] = hid
            out.append(
                _entity(
                    _id("own", hid, party.key),
                    "Ownership",
                    {"owner": hid, "asset": account_id(party.key), "role": "account holder"},
                )
            )
    for party in network.ordered():
        out.append(
            _entity(
                account_id(party.key),
                "BankAccount",
                {
                    "name": f"{party.bank}/{party.account}",
                    "accountNumber": party.account,
                    "bankName": party.bank_name or None,
                    "country": party.country.lower() if party.country != UNKNOWN else None,
                },
            )
        )
    for r in rows:
        payer = party_key(r.get("payer_bank"), r.get("payer_account"))
        payee = party_key(r.get("payee_bank"), r.get("payee_account"))
        when = r.get("booked_at")
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S") if isinstance(when, datetime) else when
        amount = r.get("amount_paid")
        out.append(
            _entity(
                _id("pay", r.get("txn_id")),
                "Payment",
                {
                    "payer": holder_of[payer],
                    "payerAccount": account_id(payer),
                    "beneficiary": holder_of[payee],
                    "beneficiaryAccount": account_id(payee),
                    "amount": None
                    if amount is None
                    else f"{float(amount):.8f}".rstrip("0").rstrip("."),
                    "currency": r.get("currency_paid"),
                    "date": stamp,
                    "purpose": r.get("reference"),
                    "transactionNumber": r.get("txn_id"),
                    "recordId": f"{r.get('source_file')} {r.get('source_locator')}",
                },
            )
        )
    return out


def write_ftm(
    network: CaseNetwork,
    entities: Sequence[Entity],
    rows: Sequence[Mapping[str, Any]],
    path: Path,
) -> Path:
    """Write `path` (ftm.jsonl): one FtM entity per line, keys sorted, UTF-8, LF."""
    lines = [_LINE.encode(e) for e in ftm_entities(network, entities, rows)]
    Path(path).write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return Path(path)
