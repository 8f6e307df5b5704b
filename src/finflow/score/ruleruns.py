"""Which rules did not fire for a case, and which could not run at all on this data.

A rule that needs data the feeds do not carry (cash-deposit locations, payment references)
records ``status: not_run`` with a reason in the detect stage. The case pack must not present
it as "evaluated, did not fire": silence for lack of data is not a negative finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def split_not_run(
    cases: list[dict[str, Any]], detect_rules: Mapping[str, Mapping[str, Any]]
) -> None:
    """Move rules that did not run from each case's ``rules_not_fired`` to ``rules_not_run``."""
    not_run = {
        rid: str(info.get("reason") or "not run on this data")
        for rid, info in detect_rules.items()
        if info.get("status") == "not_run"
    }
    for case in cases:
        silent = case.get("rules_not_fired", [])
        case["rules_not_run"] = [
            {**brief, "reason": not_run[brief["rule_id"]]}
            for brief in silent
            if brief["rule_id"] in not_run
        ]
        case["rules_not_fired"] = [b for b in silent if b["rule_id"] not in not_run]
