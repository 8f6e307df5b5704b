"""Rules evaluated on parties: HT_SHARED_IDENTIFIERS (KYC) and SANCTIONS_HIT (UK list).

Both return alerts in the shape the detect stage writes, plus ``parties`` (the party ids
involved) and ``findings`` (the evidence: identifier and members, or the possible matches).
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from finflow.detect.rules import Rule
from finflow.score.entities import Resolution

if TYPE_CHECKING:
    from finflow.screen.batch import Query, ScreeningJob

log = logging.getLogger(__name__)

BACKGROUND_FROM = 10_000
"""Screen on spawned workers, beside the rest of the score stage, from this many queries.

The screener does a name's work once and only the date-of-birth step per (name, DOB) query
(about 100 us per name with its dates: 6.3 s for the 61,771 names of the 5M benchmark set), in
Python, on one core. From this many queries the names go to two spawned workers
(`finflow.screen.batch.ScreeningJob`, each building the index from the list file, ~0.3 s with
the shipped list) while the stage counts hubs and shared identifiers; fewer are screened in the
stage's own process, where they take under a second.
"""

IDENTIFIER_COLUMNS = {
    "address": "address",
    "phone": "phone_n",
    "email": "email_n",
    "device": "device_id",
}


def _alert(
    rule: Rule,
    key: str,
    parties: list[str],
    accounts: list[str],
    period: tuple[str, str],
    metrics: dict[str, Any],
    findings: Any,
) -> dict[str, Any]:
    digest = hashlib.sha256("|".join([rule.id, str(rule.version), key]).encode()).hexdigest()
    primary = accounts[0] if accounts else ""
    bank, _, account = primary.partition(":")
    return {
        "alert_id": f"A-{digest[:12]}",
        "rule_id": rule.id,
        "rule_version": rule.version,
        "primary": primary,
        "primary_bank": bank,
        "primary_account": account,
        "accounts": sorted(set(accounts)),
        "parties": sorted(set(parties)),
        "window_start": period[0],
        "window_end": period[1],
        "weight": rule.weight,
        "metrics": metrics,
        "evidence_txn_ids": [],
        "findings": findings,
        "description": rule.description,
        "parameters": rule.params,
        "benign_explanations": rule.benign_explanations,
    }


def shared_identifiers(
    customers: pl.DataFrame, resolution: Resolution, rule: Rule, period: tuple[str, str]
) -> list[dict[str, Any]]:
    """Groups of >= min_parties parties with >= min_distinct_surnames surnames sharing an id.

    The identifiers are the normalised keys `resolution` computed for these `customers`.
    """
    if customers.is_empty():
        return []
    p = rule.params
    keys = resolution.customer_keys.join(resolution.customer_party, on="customer_id")
    frames = []
    for kind in p["identifiers"]:
        col = IDENTIFIER_COLUMNS[kind]
        frame = keys.select("customer_id", "party_id", "surname", "source_row", value=col)
        if kind == "address":
            frame = frame.explode("value")
        frames.append(frame.drop_nulls("value").with_columns(kind=pl.lit(kind)))
    identifiers = pl.concat(frames)
    # Counted for every identifier, members listed only for those shared widely enough (a few
    # among a million at 5M rows).
    shared = (
        identifiers.group_by("kind", "value")
        .agg(n_parties=pl.col("party_id").n_unique(), n_surnames=pl.col("surname").n_unique())
        .filter(
            (pl.col("n_parties") >= int(p["min_parties"]))
            & (pl.col("n_surnames") >= int(p["min_distinct_surnames"]))
        )
    )
    listed = (
        identifiers.join(shared, on=["kind", "value"], how="semi")
        .group_by("kind", "value")
        .agg(
            members=pl.struct("party_id", "customer_id", "surname", "source_row").sort_by(
                "customer_id"
            )
        )
    )
    shared = shared.join(listed, on=["kind", "value"])
    too_big = shared.filter(pl.col("n_parties") > int(p["max_parties"]))
    if too_big.height:
        log.info("%s: %d identifiers shared by too many parties left out", rule.id, too_big.height)
    shared = shared.filter(pl.col("n_parties") <= int(p["max_parties"])).sort("kind", "value")
    # One alert per group of parties: the identifiers they share are its evidence.
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in shared.iter_rows(named=True):
        parties = tuple(sorted({m["party_id"] for m in row["members"]}))
        groups.setdefault(parties, []).append(row)
    named = sorted({pid for parties in groups for pid in parties})
    alerted = resolution.parties.filter(pl.col("party_id").is_in(named))
    accounts_of = dict(zip(alerted["party_id"], alerted["account_keys"].to_list(), strict=True))
    alerts = []
    for parties, rows in sorted(groups.items()):
        accounts = sorted({a for pid in parties for a in accounts_of.get(pid, [])})
        members = {m["customer_id"]: m for r in rows for m in r["members"]}
        alerts.append(
            _alert(
                rule,
                "|".join(parties),
                list(parties),
                accounts,
                period,
                {
                    "identifiers": sorted({r["kind"] for r in rows}),
                    "parties": len(parties),
                    "distinct_surnames": max(r["n_surnames"] for r in rows),
                },
                {
                    "shared": [{"identifier": r["kind"], "value": r["value"]} for r in rows],
                    "members": [members[c] for c in sorted(members)],
                },
            )
        )
    log.info("%s v%d: %d alerts", rule.id, rule.version, len(alerts))
    return alerts


def sanctions_list_path() -> Path:
    """FINFLOW_SANCTIONS_LIST, else the small list shipped for tests and the demo."""
    from finflow.screen import default_list_path

    raw = os.environ.get("FINFLOW_SANCTIONS_LIST")
    return Path(raw) if raw else Path(default_list_path())


def screen_parties(
    resolution: Resolution, rule: Rule, period: tuple[str, str], list_path: Path | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Screen every party that has a name; return (alerts, screening results).

    Each distinct (name, date of birth) is screened once. Every result is a *possible match*
    for human review, with the matcher's score and explanation. `start_screening` and
    `sanctions_alerts` are the same in two steps, for a caller with other work meanwhile.
    """
    with start_screening(resolution, list_path) as job:
        return sanctions_alerts(job, rule, period)


@dataclass
class Screening:
    """The parties' screening under way (`start_screening`): the named parties, the distinct
    queries and the job screening them."""

    named: pl.DataFrame
    queries: list[Query]
    job: ScreeningJob

    def __enter__(self) -> Screening:
        return self

    def __exit__(self, *exc: object) -> None:
        self.job.__exit__(*exc)


def start_screening(resolution: Resolution, list_path: Path | None = None) -> Screening:
    """Start screening each distinct (name, DOB) of the named parties; on spawned workers from
    `BACKGROUND_FROM` queries (leave the returned value as a context manager)."""
    from finflow.screen.batch import Query, ScreeningJob

    named = (
        resolution.parties.filter(pl.col("name").is_not_null())
        .select("party_id", "name", "date_of_birth", "account_keys")
        .sort("party_id")
        .with_columns(dob=pl.col("date_of_birth").cast(pl.String))
    )
    distinct = named.select("name", "dob").unique().sort("name", "dob", nulls_last=True)
    names, dobs = distinct["name"].to_list(), distinct["dob"].to_list()
    kinds = ["Person" if dob else None for dob in dobs]
    queries = list(map(Query, map(str, range(len(names))), names, dobs, kinds))
    workers = None if len(queries) >= BACKGROUND_FROM else 1
    job = ScreeningJob(queries, list_path or sanctions_list_path(), workers=workers)
    return Screening(named, queries, job)


def sanctions_alerts(
    screening: Screening, rule: Rule, period: tuple[str, str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """SANCTIONS_HIT alerts and the screening results of a `start_screening` (waits for it)."""
    named, queries = screening.named, screening.queries
    found: dict[tuple[str, str | None], list[Any]] = {}
    for query_id, matches in screening.job.results():
        query = queries[int(query_id)]
        if matches:
            found[(query.name, query.dob)] = matches
    results: list[dict[str, Any]] = []
    alerts: list[dict[str, Any]] = []
    min_score = float(rule.params.get("min_score", 0.0))
    # Only the parties whose (name, DOB) has a possible match, in party order: a loop over the
    # hits, not over every party.
    hits = pl.DataFrame(list(found), schema={"name": pl.String, "dob": pl.String}, orient="row")
    matched = (
        named.with_row_index("row")
        .join(hits, on=["name", "dob"], how="semi", nulls_equal=True)
        .sort("row")
    )
    for party in matched.iter_rows(named=True):
        dob = party["dob"]
        matches = [m for m in found.get((party["name"], dob), []) if float(m.score) >= min_score]
        if not matches:
            continue
        rows = [
            {
                "party_id": party["party_id"],
                "screened_name": party["name"],
                "screened_dob": dob,
                "list_id": m.unique_id,
                "score": round(float(m.score), 4),
                "matched_name": m.matched_name,
                "name_type": m.name_type,
                "designated_name": m.designated_name,
                "regime": m.regime,
                "explanation": m.explanation,
                "status": "possible match - for human review",
            }
            for m in sorted(matches, key=lambda m: (-float(m.score), m.unique_id))
        ]
        results.extend(rows)
        alerts.append(
            _alert(
                rule,
                party["party_id"],
                [party["party_id"]],
                list(party["account_keys"]),
                period,
                {"matches": len(rows), "best_score": rows[0]["score"]},
                rows,
            )
        )
    log.info("%s v%d: %d parties with possible matches", rule.id, rule.version, len(alerts))
    return alerts, results
