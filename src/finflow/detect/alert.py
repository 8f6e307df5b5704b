"""An alert: which rule fired, on which account, over which window, citing which rows."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from finflow.detect.rules import Rule


def _iso(value: datetime) -> str:
    return value.isoformat()


def make_alert(
    rule: Rule,
    primary: str,
    accounts: list[str],
    evidence: list[str],
    window_start: datetime,
    window_end: datetime,
    metrics: dict[str, Any],
) -> dict[str, Any]:
    """Build the alert record with a deterministic id from its content."""
    evidence = sorted(set(evidence))
    members = sorted(set(accounts) | {primary})
    digest = hashlib.sha256(
        "|".join([rule.id, str(rule.version), primary, _iso(window_start), *evidence]).encode()
    ).hexdigest()
    bank, _, account = primary.partition(":")
    return {
        "alert_id": f"A-{digest[:12]}",
        "rule_id": rule.id,
        "rule_version": rule.version,
        "primary": primary,
        "primary_bank": bank,
        "primary_account": account,
        "accounts": members,
        "window_start": _iso(window_start),
        "window_end": _iso(window_end),
        "weight": rule.weight,
        "metrics": {k: _plain(v) for k, v in sorted(metrics.items())},
        "evidence_txn_ids": evidence,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, datetime):
        return _iso(value)
    return value
