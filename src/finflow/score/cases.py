"""Group alerts into cases and score them, every contribution kept for the investigator.

A case is a connected group of alerted accounts: each alert links its primary account to the
counterparties named in its evidence. A group larger than ``max_case_accounts`` (one hub would
otherwise swallow unrelated alerts) is split into one case per alerted account.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

import networkx as nx

from finflow.detect.rules import RuleSet


def _case_id(accounts: list[str]) -> str:
    return "C-" + hashlib.sha256("|".join(sorted(accounts)).encode()).hexdigest()[:10]


def group_alerts(alerts: list[dict[str, Any]], max_accounts: int) -> list[list[dict[str, Any]]]:
    """Connected components of the alert/account graph, hub-bounded, in a stable order."""
    graph: nx.Graph[str] = nx.Graph()
    for alert in alerts:
        for account in alert["accounts"]:
            graph.add_edge(alert["primary"], account)
    by_primary: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for alert in alerts:
        by_primary[alert["primary"]].append(alert)
    groups: list[list[dict[str, Any]]] = []
    for component in nx.connected_components(graph):
        primaries = sorted(a for a in component if a in by_primary)
        if len(component) <= max_accounts:
            groups.append([al for p in primaries for al in by_primary[p]])
        else:
            groups.extend(by_primary[p] for p in primaries)
    return sorted(groups, key=lambda g: min(a["alert_id"] for a in g))


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


def build_cases(alerts: list[dict[str, Any]], rules: RuleSet) -> list[dict[str, Any]]:
    """Cases ranked by score (ties by case id), each listing its alerts and accounts."""
    cases: list[dict[str, Any]] = []
    seen: set[str] = set()
    for group in group_alerts(alerts, int(rules.scoring["max_case_accounts"])):
        accounts = sorted({acc for a in group for acc in a["accounts"]})
        alerted = sorted({a["primary"] for a in group})
        case_id = _case_id(accounts)
        if case_id in seen:  # two hub-split groups over the same accounts: key by alerts too
            case_id = _case_id([*accounts, *sorted(a["alert_id"] for a in group)])
        seen.add(case_id)
        case: dict[str, Any] = {
            "case_id": case_id,
            "alert_ids": sorted(a["alert_id"] for a in group),
            "account_keys": accounts,
            "alerted_accounts": alerted,
            "evidence_txn_ids": sorted({t for a in group for t in a["evidence_txn_ids"]}),
            "period": {
                "start": min(a["window_start"] for a in group),
                "end": max(a["window_end"] for a in group),
            },
        }
        case.update(score_alerts(group, rules))
        fired = set(case["typologies"])
        case["rules_not_fired"] = [r.brief() for rid, r in rules.rules.items() if rid not in fired]
        cases.append(case)
    cases.sort(key=lambda c: (-c["score"], c["case_id"]))
    for rank, case in enumerate(cases, start=1):
        case["rank"] = rank
    return cases
