"""OIC_NARRATIVE: payment references that use the words of a crossing, in several languages.

The lexicon is reference data (``narrative_lexicon.yaml``). A term matches case-insensitively
as a whole word or phrase: not inside a longer word, whatever the script. The investigator sees
the reference exactly as the bank sent it and the term it matched.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.graph import external_edges
from finflow.detect.rules import Rule, RuleNotRun, param

EDGE = r"(?:^|[^\p{L}\p{N}])"
END = r"(?:$|[^\p{L}\p{N}])"


def lexicon_pattern(lexicon: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """One regular expression for every term (longest first), and term -> category."""
    category: dict[str, str] = {}
    for group in lexicon["terms"]:
        for term in group["terms"]:
            category.setdefault(term.lower(), group["category"])
    alternatives = "|".join(re.escape(t) for t in sorted(category, key=lambda t: (-len(t), t)))
    return f"(?i){EDGE}({alternatives}){END}", category


def narrative(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """Alerts on accounts paid with references that match the lexicon (low weight alone)."""
    if tx["reference"].drop_nulls().str.strip_chars().str.len_chars().sum() == 0:
        raise RuleNotRun("no payment references in this feed")
    pattern, category = lexicon_pattern(rule.data["lexicon"])
    hits = (
        external_edges(tx)
        .filter(pl.col("reference").is_not_null())
        .with_columns(term=pl.col("reference").str.extract(pattern, 1).str.to_lowercase())
        .filter(pl.col("term").is_not_null())
        .sort("booked_at", "txn_id")
        .collect()
    )
    limit = int(param(rule, "max_quoted_references"))
    alerts = []
    for (payee,), group in hits.group_by(["payee"], maintain_order=True):
        rows = group.to_dicts()
        quoted = [
            {
                "txn_id": r["txn_id"],
                "reference": r["reference"],
                "matched": r["term"],
                "category": category.get(r["term"], ""),
            }
            for r in rows[:limit]
        ]
        alerts.append(
            make_alert(
                rule,
                str(payee),
                sorted({r["payer"] for r in rows}),
                [r["txn_id"] for r in rows],
                rows[0]["booked_at"],
                rows[-1]["booked_at"],
                {
                    "payments_matched": len(rows),
                    "categories": sorted({q["category"] for q in quoted}),
                    "references": quoted,
                },
            )
        )
    return sorted(alerts, key=lambda a: (a["primary"], a["alert_id"]))
