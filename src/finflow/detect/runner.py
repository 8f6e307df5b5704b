"""Run every rule of the rule set over the run's transactions and write the alerts."""

from __future__ import annotations

import json
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

from finflow.casepack.csvsafe import write_safe_csv
from finflow.detect.frame import detection_frame
from finflow.detect.registry import DETECTORS, FOLLOW_UPS
from finflow.detect.rules import Rule, RuleNotRun, RuleSet

log = logging.getLogger(__name__)


CONCURRENT_UP_TO = 8_000_000
"""Up to this many transactions, two rules are evaluated at once (on two threads).

A rule is a few polars queries (which leave Python's lock while they run) between Python steps
(networkx on narrowed subgraphs, numpy union-finds, building the alerts), and parts of the
queries (sorts, as-of joins, windows) use one core: one rule at a time leaves the second core
idle for much of the stage. Two at once overlap those parts. Each rule reads the shared frame
and builds its own alerts; the alerts are sorted at the end, so the outputs do not depend on
it. Above this size the rules run one at a time: two working sets at once would raise the peak
memory of a stage that already holds the whole frame (15.7 GB at 20M rows).
"""


def rule_threads(rows: int) -> int:
    """Rules evaluated at once for a frame of `rows` transactions (see CONCURRENT_UP_TO)."""
    return 2 if rows <= CONCURRENT_UP_TO and (os.cpu_count() or 1) > 1 else 1


def run_rules(
    txn_files: list[Path], account_files: list[Path], rules: RuleSet, fx: pl.DataFrame
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Evaluate each rule; return alerts (sorted) and per-rule statistics.

    Each rule's statistics say whether it ran (``status`` "ran", with its alert count) or could
    not run on this data (``status`` "not_run" and the ``reason``, e.g. no location data), so
    that for any case the rules that ran and did not fire can be told from those that did not
    run at all. The follow-up rules, which read the other rules' alerts, run last. ``seconds``
    is the rule's own wall time (two rules may overlap: `rule_threads`).
    """
    some = next(iter(rules.rules.values()), None)
    institutions = some.data["reference"]["institutions"] if some is not None else None
    tx = detection_frame(txn_files, account_files, institutions)
    alerts: list[dict[str, Any]] = []
    stats: dict[str, Any] = {}
    first = [r for r in rules.rules.values() if r.id not in FOLLOW_UPS]
    last = [r for r in rules.rules.values() if r.id in FOLLOW_UPS]
    threads = rule_threads(tx.height)
    with ThreadPoolExecutor(threads, thread_name_prefix="finflow-rule") as pool:
        outcomes = list(pool.map(lambda rule: _evaluate(rule, tx, fx), first))
    for rule, (found, stat) in zip(first, outcomes, strict=True):
        stats[rule.id] = stat
        alerts.extend(found)
    for rule in last:
        found, stats[rule.id] = _evaluate(rule, tx, fx, list(alerts))
        alerts.extend(found)
    log.info("%d rules, %d at a time", len(first) + len(last), threads)
    alerts.sort(key=lambda a: (a["rule_id"], a["primary"], a["window_start"], a["alert_id"]))
    return alerts, stats


def _evaluate(
    rule: Rule,
    tx: pl.DataFrame,
    fx: pl.DataFrame,
    earlier: list[dict[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One rule's alerts and statistics (a follow-up rule reads the `earlier` alerts)."""
    started = time.perf_counter()
    try:
        if rule.id in FOLLOW_UPS:
            found = FOLLOW_UPS[rule.id](tx, rule, earlier or [])
        else:
            found = DETECTORS[rule.id](tx, rule, fx)
    except RuleNotRun as why:
        log.info("%s v%d: not run (%s)", rule.id, rule.version, why.reason)
        return [], {
            "version": rule.version,
            "status": "not_run",
            "reason": why.reason,
            "alerts": 0,
            "seconds": round(time.perf_counter() - started, 3),
        }
    for alert in found:
        alert["description"] = rule.description
        alert["parameters"] = rule.params
        alert["benign_explanations"] = rule.benign_explanations
    log.info("%s v%d: %d alerts", rule.id, rule.version, len(found))
    return found, {
        "version": rule.version,
        "status": "ran",
        "alerts": len(found),
        "seconds": round(time.perf_counter() - started, 3),
    }


def write_alerts(alerts: list[dict[str, Any]], out_dir: Path) -> None:
    """`alerts.json` (everything, for later stages) and `alerts.csv` (one line per alert)."""
    (out_dir / "alerts.json").write_text(
        json.dumps(alerts, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    frame = pl.DataFrame(
        [
            {
                "alert_id": a["alert_id"],
                "rule_id": a["rule_id"],
                "rule_version": a["rule_version"],
                "primary_bank": a["primary_bank"],
                "primary_account": a["primary_account"],
                "window_start": a["window_start"],
                "window_end": a["window_end"],
                "weight": a["weight"],
                "n_accounts": len(a["accounts"]),
                "n_evidence": len(a["evidence_txn_ids"]),
                "metrics": json.dumps(a["metrics"], sort_keys=True),
                "evidence_txn_ids": " ".join(a["evidence_txn_ids"]),
            }
            for a in alerts
        ],
        schema={
            "alert_id": pl.String,
            "rule_id": pl.String,
            "rule_version": pl.Int64,
            "primary_bank": pl.String,
            "primary_account": pl.String,
            "window_start": pl.String,
            "window_end": pl.String,
            "weight": pl.Float64,
            "n_accounts": pl.Int64,
            "n_evidence": pl.Int64,
            "metrics": pl.String,
            "evidence_txn_ids": pl.String,
        },
    )
    write_safe_csv(frame, out_dir / "alerts.csv")
