"""Measure a finished run against ground truth: AMLworld `*_Patterns.txt`.

An attempt counts as detected when at least half of its rows are flagged. Transaction-level
precision and recall use the evaluation label carried in the lake (never read by detection).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl

from finflow.errors import InputError
from finflow.ingest.amlworld import parse_lines
from finflow.runstate import run_files

BEGIN = re.compile(r"^BEGIN LAUNDERING ATTEMPT - ([A-Z][A-Z_-]*)")
END = "END LAUNDERING ATTEMPT"
MATCH_KEYS = [
    "booked_at",
    "payer_bank",
    "payer_account",
    "payee_bank",
    "payee_account",
    "amount_paid",
    "currency_paid",
]


def read_patterns(path: Path) -> pl.DataFrame:
    """One row per (attempt, transaction line) of a Patterns.txt file."""
    if not path.is_file():
        raise InputError(f"truth file {path} does not exist")
    rows: list[dict[str, Any]] = []
    attempt, kind = 0, None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        begin = BEGIN.match(line)
        if begin:
            attempt += 1
            kind = begin.group(1).replace("_", "-")
        elif line.startswith(END):
            kind = None
        elif kind is not None:
            rows.append({"attempt": attempt, "pattern": kind, "raw": line})
    if not rows:
        raise InputError(f"truth file {path}: no 'BEGIN LAUNDERING ATTEMPT' blocks found")
    frame = pl.DataFrame(rows)
    parsed = parse_lines(frame.lazy().with_columns(pl.col("raw"))).collect()
    return parsed.select("attempt", "pattern", *MATCH_KEYS)


def evaluate(truth: Path, out_dir: Path) -> dict[str, Any]:
    """Per-pattern attempt recall, transaction P/R/F1 and case precision; writes evaluation.*"""
    state_path = out_dir / "state" / "run_state.json"
    flagged_path = out_dir / "flagged_transactions.csv"
    if not state_path.exists() or not flagged_path.exists():
        raise InputError(f"{out_dir} is not a finished finflow run (run `finflow run` first)")
    state = json.loads(state_path.read_text(encoding="utf-8"))
    txn_files = run_files(out_dir, state, "transactions")
    lake = pl.scan_parquet(txn_files).select("txn_id", "label", *MATCH_KEYS)
    flagged = pl.read_csv(
        flagged_path, schema_overrides={"txn_id": pl.String, "case_id": pl.String}
    )
    flagged_ids = flagged.select("txn_id").unique()
    patterns = read_patterns(truth)
    matched = (
        patterns.lazy()
        .join(lake.select("txn_id", *MATCH_KEYS), on=MATCH_KEYS, how="left")
        .unique(["attempt", "booked_at", "payer_account", "payee_account", "amount_paid"])
        .with_columns(flagged=pl.col("txn_id").is_in(flagged_ids["txn_id"].implode()))
        .collect()
    )
    per_attempt = matched.group_by("attempt", "pattern").agg(
        rows=pl.len(), found=pl.col("txn_id").is_not_null().sum(), hit=pl.col("flagged").sum()
    )
    per_pattern: dict[str, dict[str, Any]] = defaultdict(lambda: {"attempts": 0, "detected": 0})
    for row in per_attempt.iter_rows(named=True):
        entry = per_pattern[row["pattern"]]
        entry["attempts"] += 1
        entry["detected"] += int(row["hit"] * 2 >= row["rows"])
    for entry in per_pattern.values():
        entry["recall"] = round(entry["detected"] / entry["attempts"], 4)
    labels = lake.select("txn_id", "label").collect()
    positives = labels.filter(pl.col("label") == 1)
    tp = positives.join(flagged_ids, on="txn_id", how="semi").height
    n_flagged = flagged_ids.height
    precision = tp / n_flagged if n_flagged else 0.0
    recall = tp / positives.height if positives.height else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    case_hits = (
        flagged.with_columns(pos=pl.col("txn_id").is_in(positives["txn_id"].implode()))
        .group_by("case_id")
        .agg(pl.col("pos").any())
    )
    n_cases = case_hits.height
    report = {
        "truth_file": str(truth),
        "run_id": state["run_id"],
        "patterns": dict(sorted(per_pattern.items())),
        "truth_rows_not_in_lake": int(matched["txn_id"].null_count()),
        "transactions": {
            "flagged": n_flagged,
            "laundering": positives.height,
            "true_positives": tp,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        },
        "cases": {
            "cases": n_cases,
            "with_laundering": int(case_hits["pos"].sum()) if n_cases else 0,
            "precision": round(case_hits["pos"].mean(), 4) if n_cases else 0.0,  # type: ignore[arg-type]
        },
    }
    report["rules"] = _per_rule(out_dir, state, set(positives["txn_id"].to_list()))
    (out_dir / "evaluation.json").write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    (out_dir / "evaluation.md").write_text(render_markdown(report), encoding="utf-8")
    return report


def _per_rule(out_dir: Path, state: dict[str, Any], positives: set[str]) -> dict[str, Any]:
    """Per rule: whether it ran, its alerts, and how many cite a laundering transaction."""
    alerts_path = out_dir / "alerts.json"
    alerts = json.loads(alerts_path.read_text(encoding="utf-8")) if alerts_path.exists() else []
    stats = state.get("stages", {}).get("detect", {}).get("rules", {})
    out: dict[str, Any] = {}
    for rule_id in sorted(set(stats) | {a["rule_id"] for a in alerts}):
        mine = [a for a in alerts if a["rule_id"] == rule_id]
        hits = sum(1 for a in mine if positives.intersection(a["evidence_txn_ids"]))
        out[rule_id] = {
            "status": stats.get(rule_id, {}).get("status", "ran"),
            "alerts": len(mine),
            "with_laundering": hits,
            "alert_precision": round(hits / len(mine), 4) if mine else None,
            "seconds": stats.get(rule_id, {}).get("seconds"),
        }
    return out


def render_markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Evaluation of run {report['run_id']}",
        "",
        "| pattern | attempts | detected | recall |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, p in report["patterns"].items():
        lines.append(f"| {name} | {p['attempts']} | {p['detected']} | {p['recall']:.2f} |")
    t, c = report["transactions"], report["cases"]
    lines += [
        "",
        f"Transactions: {t['flagged']} flagged, {t['laundering']} laundering, "
        f"precision {t['precision']:.3f}, recall {t['recall']:.3f}, F1 {t['f1']:.3f}.",
        f"Cases: {c['cases']}, {c['with_laundering']} contain laundering "
        f"(case precision {c['precision']:.3f}).",
        "",
    ]
    if report.get("rules"):
        lines += [
            "| rule | status | alerts | with laundering | alert precision | seconds |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for rule_id, r in report["rules"].items():
            prec = "" if r["alert_precision"] is None else f"{r['alert_precision']:.2f}"
            secs = "" if r["seconds"] is None else f"{r['seconds']:.2f}"
            lines.append(
                f"| {rule_id} | {r['status']} | {r['alerts']} | {r['with_laundering']} | "
                f"{prec} | {secs} |"
            )
        lines.append("")
    return "\n".join(lines)
