"""The score stage's work on files: resolve parties, run the party rules, build the cases.

`score_run` reads the run's lake (transactions, accounts, KYC customers, institutions) and
`alerts.json`, and returns the cases plus the party data the store and case packs need. It is
called by `finflow.pipeline.stage_score`, which writes the outputs.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import polars as pl

from finflow.detect.frame import account_key
from finflow.detect.rules import RuleSet
from finflow.ingest.reference import CUSTOMERS, INSTITUTIONS, load_reference_table
from finflow.schema import ACCOUNT_SCHEMA
from finflow.score.config import load_party_config
from finflow.score.entities import Resolution, resolve
from finflow.score.network import account_party_id, build_party_cases, hub_accounts
from finflow.score.party_rules import sanctions_alerts, shared_identifiers, start_screening

log = logging.getLogger(__name__)


def _period(txns: pl.LazyFrame) -> tuple[str, str]:
    row = (
        txns.select(start=pl.col("booked_at").min(), end=pl.col("booked_at").max()).collect().row(0)
    )
    return (row[0].isoformat(), row[1].isoformat()) if row[0] is not None else ("", "")


def _party_info(resolution: Resolution, wanted: set[str]) -> dict[str, dict[str, Any]]:
    frame = resolution.parties.filter(pl.col("party_id").is_in(sorted(wanted)))
    how = resolution.account_party.filter(pl.col("party_id").is_in(sorted(wanted)))
    links: dict[str, list[dict[str, str]]] = {}
    for row in how.iter_rows(named=True):
        links.setdefault(row["party_id"], []).append(
            {"account_key": row["account_key"], "evidence": row["how"]}
        )
    info = {}
    for row in frame.iter_rows(named=True):
        info[row["party_id"]] = {
            "name": row["name"],
            "date_of_birth": row["date_of_birth"].isoformat() if row["date_of_birth"] else None,
            "customer_ids": row["customer_ids"],
            "entity_ids": row["entity_ids"],
            "names": row["names"],
            "accounts": links.get(row["party_id"], []),
        }
    return info


def score_run(
    out_dir: Path,
    files: list[dict[str, Any]],
    txn_files: list[Path],
    account_files: list[Path],
    alerts: list[dict[str, Any]],
    rules: RuleSet,
    sanctions_list: Path | None = None,
) -> dict[str, Any]:
    """Cases (ranked) and the party results: resolution, merges, screening, party alerts."""
    cfg = load_party_config(rules)
    txns = pl.scan_parquet(txn_files).with_columns(
        payer=account_key("payer_bank", "payer_account"),
        payee=account_key("payee_bank", "payee_account"),
    )
    accounts = (
        pl.read_parquet(account_files) if account_files else pl.DataFrame(schema=ACCOUNT_SCHEMA)
    )
    customers = load_reference_table(out_dir, files, CUSTOMERS)
    institutions = load_reference_table(out_dir, files, INSTITUTIONS)
    party_alerts: list[dict[str, Any]] = []
    screening: list[dict[str, Any]] = []
    # Hubs are counted over every payment (polars, on a thread) while the parties are
    # resolved (partly Python); then sanctions screening (Python, one core per worker) runs on
    # spawned workers while this process finds shared identifiers.
    with ThreadPoolExecutor(1, thread_name_prefix="finflow-hubs") as side:
        hubs_job = side.submit(hub_accounts, txns, institutions, cfg.network)
        resolution = resolve(accounts, customers, cfg.resolution)
        with (
            start_screening(resolution, sanctions_list)
            if "SANCTIONS_HIT" in cfg.rules
            else nullcontext()
        ) as pending:
            period = _period(txns)
            if "HT_SHARED_IDENTIFIERS" in cfg.rules:
                party_alerts += shared_identifiers(
                    customers, resolution, cfg.rules["HT_SHARED_IDENTIFIERS"], period
                )
            hubs_acc = hubs_job.result()
            if pending is not None:
                hits, screening = sanctions_alerts(pending, cfg.rules["SANCTIONS_HIT"], period)
                party_alerts += hits
    everything = alerts + party_alerts
    keys = sorted({k for a in everything for k in a["accounts"]} | {a["primary"] for a in alerts})
    party_of = dict(
        resolution.account_party.filter(pl.col("account_key").is_in(keys))
        .select("account_key", "party_id")
        .iter_rows()
    )
    for key in keys:
        party_of.setdefault(key, account_party_id(key))
    hubs = {party_of.get(k) or account_party_id(k) for k in hubs_acc}
    txn_ids = sorted({t for a in everything for t in a["evidence_txn_ids"]})
    mapping = pl.DataFrame(
        {"key": list(party_of), "party": list(party_of.values())},
        schema={"key": pl.String, "party": pl.String},
    ).lazy()
    flows = (
        txns.join(
            pl.DataFrame({"txn_id": txn_ids}, schema={"txn_id": pl.String}).lazy(),
            on="txn_id",
            how="semi",
        )
        .select("txn_id", "payer", "payee", "amount_gbp")
        .join(mapping.rename({"party": "payer_party"}), left_on="payer", right_on="key", how="left")
        .join(mapping.rename({"party": "payee_party"}), left_on="payee", right_on="key", how="left")
        .collect()
    )
    wanted = set(party_of.values()) | {p for a in party_alerts for p in a.get("parties", [])}
    info = _party_info(resolution, wanted)
    for key, pid in party_of.items():
        info.setdefault(pid, {"name": None, "accounts": [], "customer_ids": []})
        if not info[pid]["accounts"]:
            info[pid]["accounts"] = [
                {"account_key": key, "evidence": "account only: holder not identified"}
            ]
    cases = build_party_cases(everything, rules, cfg, party_of, info, flows, hubs)
    merges = resolution.merges.with_columns(pl.col("evidence").list.join(", ")).to_dicts()
    # Indexes, so each case finds its merges and screening results without a scan of all.
    merges_of: dict[str, list[int]] = defaultdict(list)
    for number, merge in enumerate(merges):
        merges_of[merge["left"]].append(number)
        merges_of[merge["right"]].append(number)
    screened: dict[str, list[int]] = defaultdict(list)
    for number, result in enumerate(screening):
        screened[result["party_id"]].append(number)
    for case in cases:
        customers_in = {c for p in case["parties"] for c in p["customer_ids"]}
        found = sorted({n for c in customers_in for n in merges_of.get(c, ())})
        case["merges"] = [merges[n] for n in found]
        matched = sorted({n for p in set(case["party_ids"]) for n in screened.get(p, ())})
        case["screening"] = [screening[n] for n in matched]
    log.info(
        "score: %d parties, %d party alerts, %d hubs, %d cases",
        resolution.parties.height,
        len(party_alerts),
        len(hubs),
        len(cases),
    )
    return {
        "cases": cases,
        "party_alerts": party_alerts,
        "merges": merges,
        "screening": screening,
        "summary": {
            "parties": resolution.parties.height,
            "merges_applied": sum(m["status"] == "applied" for m in merges),
            "merges_for_review": sum(m["status"] == "needs_review" for m in merges),
            "party_alerts": len(party_alerts),
            "sanctions_possible_matches": len(screening),
            "hubs": len(hubs),
        },
    }
