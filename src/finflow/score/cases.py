"""The explainable score of a group of alerts, every contribution kept for the investigator.

Used for each case and each party by `finflow.score.network`, which builds cases around
parties (entity resolution) with hub, hop and size bounds.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from finflow.detect.rules import RuleSet


def score_alerts(group: list[dict[str, Any]], rules: RuleSet) -> dict[str, Any]:
    """Per-rule contributions with diminishing repeats, plus a corroboration bonus."""
    decay = float(rules.scoring["repeat_decay"])
    hits: dict[str, int] = defaultdict(int)
    for alert in group:
        hits[alert["rule_id"]] += 1
    contributions: list[dict[str, Any]] = []
    for rule_id in sorted(hits):
        rule = rules.rules[rule_id]
        n = hits[rule_id]
        factor = sum(decay**i for i in range(n))
        contributions.append(
            {
                "rule_id": rule_id,
                "hits": n,
                "weight": rule.weight,
                "contribution": round(rule.weight * factor, 2),
                "explanation": (
                    f"weight {rule.weight:g} x (1"
                    + "".join(f" + {decay:g}^{i}" for i in range(1, n))
                    + f") for {n} alert{'s' if n > 1 else ''}"
                ),
            }
        )
    base = sum(c["contribution"] for c in contributions)
    bonus = round(float(rules.scoring["corroboration_bonus"]) * base * (len(hits) - 1), 2)
    score = round(base + bonus, 2)
    bands = rules.scoring["bands"]
    band = "high" if score >= bands["high"] else "medium" if score >= bands["medium"] else "low"
    return {
        "score": score,
        "band": band,
        "contributions": contributions,
        "corroboration_bonus": bonus,
        "typologies": sorted(hits),
    }
