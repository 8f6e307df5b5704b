"""The store stage: the run, its files, alerts, cases and parties saved in the relational store,
and an audit-log entry."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from finflow.runstate import (
    load_state,
    roles_path,
    run_files,
    save_state,
    timed,
)

log = logging.getLogger(__name__)


def stage_store(
    out_dir: Path,
    database_url: str | None = None,
    before_complete: Callable[[], object] | None = None,
) -> dict[str, Any]:
    """Persist the run, its files, alerts and cases in the store; append to the audit log.

    `before_complete` is called once the results are saved and before the run is recorded
    as complete, with the stages' counts read after it (`run_pipeline`: the case-pack
    stage's PDFs being printed meanwhile are finished and the stage recorded).
    """
    out_dir = out_dir.resolve()  # GX Data Docs and links need absolute paths
    from finflow.store import append_audit, open_store, save_results, save_run
    from finflow.store import database_url as resolve_url

    started = time.perf_counter()
    state = load_state(out_dir)
    url = resolve_url(database_url, out_dir / "finflow.db")
    engine = open_store(url)
    try:
        alerts = json.loads((out_dir / "alerts.json").read_text(encoding="utf-8"))
        cases = json.loads((out_dir / "cases.json").read_text(encoding="utf-8"))
        save_run(engine, _run_record(state, status="running"))
        party_path = out_dir / "parties.json"  # parties, merges, screening (score stage)
        party_results = (
            json.loads(party_path.read_text(encoding="utf-8")) if party_path.exists() else None
        )
        if party_results:  # party-rule alerts (HT_SHARED_IDENTIFIERS, SANCTIONS_HIT)
            alerts = alerts + party_results["party_alerts"]
        save_results(engine, state["run_id"], *_store_rows(out_dir, state, alerts, cases))
        if party_results:
            from finflow.store.parties import save_party_results

            save_party_results(
                engine,
                state["run_id"],
                cases,
                party_results["merges"],
                party_results["screening"],
            )
        if before_complete is not None:
            before_complete()
            state = load_state(out_dir)
        save_run(engine, _run_record(state, status="complete", finished=True))
        append_audit(
            engine,
            "finflow",
            "run.stored",
            state["run_id"],
            {"alerts": len(alerts), "cases": len(cases), "out_dir": str(out_dir)},
        )
    finally:
        engine.dispose()
    summary = {"database": engine.url.render_as_string(hide_password=True)}
    timed(state, "store", started, summary)
    save_state(out_dir, state)
    return summary


def _store_rows(
    out_dir: Path, state: dict[str, Any], alerts: list[dict[str, Any]], cases: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    from finflow.casepack.assemble import load_reference

    wanted = sorted({t for a in alerts for t in a["evidence_txn_ids"]})
    prov = (
        pl.scan_parquet(run_files(out_dir, state, "transactions"))
        .select("txn_id", "source_file", "source_sha256", "source_row", "amount_gbp")
        .join(
            pl.DataFrame({"txn_id": wanted}, schema={"txn_id": pl.String}).lazy(),
            on="txn_id",
            how="semi",
        )
        .collect()
    )
    amounts = dict(zip(prov["txn_id"], prov["amount_gbp"], strict=True))
    where = {r["txn_id"]: r for r in prov.drop("amount_gbp").to_dicts()}
    ref = {r["key"]: r for r in load_reference(run_files(out_dir, state, "accounts")).to_dicts()}
    keys = sorted({k for c in cases for k in c["account_keys"]})
    accounts = []
    for key in keys:
        bank, _, account = key.partition(":")
        info = ref.get(key, {})
        accounts.append(
            {
                "bank": bank,
                "account": account,
                "bank_name": info.get("bank_name"),
                "entity_id": info.get("entity_id"),
                "entity_name": info.get("entity_name"),
            }
        )
    alert_rows = [
        {
            k: a[k]
            for k in (
                "alert_id",
                "rule_id",
                "rule_version",
                "primary_bank",
                "primary_account",
                "window_start",
                "window_end",
                "weight",
                "metrics",
            )
        }
        | {"evidence": [where[t] for t in a["evidence_txn_ids"]]}
        for a in alerts
    ]
    roles: dict[str, dict[str, str]] = {}
    if roles_path(out_dir).exists():  # written by the case-pack stage with the packs
        roles = json.loads(roles_path(out_dir).read_text(encoding="utf-8"))
    else:
        case_pack_dir = out_dir / "cases"
        for case in cases:
            case_json = case_pack_dir / case["case_id"] / "case.json"
            if case_json.exists():
                pack = json.loads(case_json.read_text(encoding="utf-8"))
                roles[case["case_id"]] = {a["key"]: a["role"] for a in pack["accounts"]}
    case_rows = [
        {
            "case_id": c["case_id"],
            "rank": c["rank"],
            "score": c["score"],
            "band": c["band"],
            "total_value_gbp": round(sum(sorted(amounts[t] for t in c["evidence_txn_ids"])), 2),
            "typologies": c["typologies"],
            "contributions": c["contributions"],
            "accounts": [
                {
                    "bank": k.partition(":")[0],
                    "account": k.partition(":")[2],
                    "role": roles.get(c["case_id"], {}).get(k, "counterparty"),
                }
                for k in c["account_keys"]
            ],
            "transactions": [where[t] for t in c["evidence_txn_ids"]],
        }
        for c in cases
    ]
    return accounts, alert_rows, case_rows


def _run_record(state: dict[str, Any], status: str, finished: bool = False) -> dict[str, Any]:
    """The store's row for a run. Wall-clock times live only here and in the audit log."""
    return {
        "run_id": state["run_id"],
        "logical_date": state["logical_date"],
        "software_version": state["software_version"],
        "rules_version": state["rules_version"],
        "rules_hash": state["rules_hash"],
        "status": status,
        "counts": {k: v for k, v in state.get("stages", {}).items() if k != "validate"},
        "started_at": state["started_at"],
        "finished_at": datetime.now(UTC).isoformat() if finished else None,
        "files": state["files"],
    }
