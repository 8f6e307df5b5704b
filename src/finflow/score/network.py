"""Cases built around parties: bounded networks, roles from the money flow, categories.

A case is the connected subgraph of alerted parties plus the counterparties their alerts
name, found on the party graph (each alert links its primary party to the parties of its
evidence). Bounds, all from the rules file (``parties.network``):

* a hub (a party with very many counterparties in the run: payment processor, exchange, MSB)
  joins every case that names it as a member but never links two cases;
* members further than ``max_hops`` from an alerted party are left out;
* a component with more than ``max_case_parties`` parties is split, one case per alerted party.

Roles come from the case's evidence payments only (facts, not assessments): ``hub``,
``collector`` (money in from at least ``collector_min_payers`` payers), ``intermediary`` (money
in and out), ``payer`` (only out), ``beneficiary`` (only in), or ``associated`` (named by a
party rule, no payment in the evidence). Every party's data-subject category is ``unknown``;
payers into an ``OIC_CROSSING_FEE`` collector get an attention flag (possible victim).
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import networkx as nx
import polars as pl

from finflow.detect.rules import RuleSet
from finflow.score.cases import score_alerts
from finflow.score.config import PartyConfig

UNKNOWN = "unknown"
POSSIBLE_VICTIM = "possible victim: paid into an OIC_CROSSING_FEE collector account"
"""Attention flag, not a category: many who pay for a crossing are exploited, not suspects."""


def account_party_id(account_key: str) -> str:
    """The party id of an account that no reference data names (the resolver's own rule)."""
    return "P-" + hashlib.sha256(f"A:{account_key}".encode()).hexdigest()[:12]


def _case_id(keys: list[str]) -> str:
    return "C-" + hashlib.sha256("|".join(sorted(keys)).encode()).hexdigest()[:10]


def hub_accounts(
    txns: pl.LazyFrame,
    institutions: pl.DataFrame,
    cfg: Mapping[str, Any],
) -> set[str]:
    """Accounts with at least hub_min_counterparties distinct counterparties in the run (fewer
    at an institution whose type is listed in hub_institution_types)."""
    # Distinct payer-payee links first: an account's counterparties are counted on its links,
    # not on every payment twice.
    links = txns.select("payer", "payee", "payer_bank", "payee_bank").unique()
    pairs = pl.concat(
        [
            links.select(key="payer", other="payee", bank="payer_bank"),
            links.select(key="payee", other="payer", bank="payee_bank"),
        ]
    ).unique()
    degree = pairs.group_by("key", "bank").agg(n=pl.len())
    special = institutions.filter(pl.col("type").is_in(list(cfg["hub_institution_types"]))).select(
        bank="institution_id", special=pl.lit(True)
    )
    found = (
        degree.join(special.lazy(), on="bank", how="left")
        .filter(
            (pl.col("n") >= int(cfg["hub_min_counterparties"]))
            | (
                pl.col("special").fill_null(False)
                & (pl.col("n") >= int(cfg["hub_min_counterparties_at_those"]))
            )
        )
        .select("key")
        .collect()
    )
    return set(found["key"].to_list())


def _alert_parties(alert: Mapping[str, Any], party_of: Mapping[str, str]) -> tuple[str, list[str]]:
    """(primary party, every party the alert names)."""

    def pid(key: str) -> str:
        return party_of.get(key) or account_party_id(key)

    named = [pid(a) for a in alert["accounts"]] + list(alert.get("parties", []))
    if alert.get("parties"):
        primary = sorted(alert["parties"])[0]
    else:
        primary = pid(alert["primary"])
    return primary, sorted(set(named))


def group_party_alerts(
    alerts: list[dict[str, Any]],
    party_of: Mapping[str, str],
    hubs: set[str],
    cfg: Mapping[str, Any],
) -> list[tuple[list[dict[str, Any]], list[str]]]:
    """Alert groups with their parties, hub- hop- and size-bounded, in a stable order."""
    graph: nx.Graph[str] = nx.Graph()
    primaries: dict[str, list[dict[str, Any]]] = defaultdict(list)
    named: dict[str, list[str]] = {}
    for alert in alerts:
        primary, parties = _alert_parties(alert, party_of)
        named[alert["alert_id"]] = parties
        primaries[primary].append(alert)
        graph.add_node(primary)
        for other in parties:
            if other in hubs and other != primary and not alert.get("parties"):
                continue  # a hub never links two cases
            graph.add_edge(primary, other)
    max_hops = int(cfg["max_hops"])
    max_parties = int(cfg["max_case_parties"])
    groups: list[tuple[list[dict[str, Any]], list[str]]] = []
    for component in nx.connected_components(graph):
        seeds = sorted(p for p in component if p in primaries)
        reach = nx.multi_source_dijkstra_path_length(graph.subgraph(component), seeds)
        kept = {p for p, hops in reach.items() if hops <= max_hops}
        if len(kept) <= max_parties:
            group = [a for s in seeds for a in primaries[s]]
            members = set(seeds)
            for alert in group:
                members.update(p for p in named[alert["alert_id"]] if p in kept or p in hubs)
            groups.append((group, sorted(members)))
            continue
        # Too big: one case per alerted party with what its own alerts name. A party rule's
        # alert (on parties only) joins the first such case that already holds its parties.
        split: list[tuple[list[dict[str, Any]], set[str]]] = []
        party_only = []
        for seed in seeds:
            own = [a for a in primaries[seed] if not a.get("parties")]
            party_only += [a for a in primaries[seed] if a.get("parties")]
            if own:
                split.append((own, {seed} | {p for a in own for p in named[a["alert_id"]]}))
        # first[p]: the lowest-numbered split case holding party p (cases only grow), so
        # finding a party-rule alert's home is a lookup, not a scan of every case so far.
        first: dict[str, int] = {}
        for number, (_, held) in enumerate(split):
            for party in held:
                first.setdefault(party, number)
        for alert in party_only:
            wanted = set(named[alert["alert_id"]])
            homes = [first[p] for p in wanted if p in first]
            if homes:
                number = min(homes)
                split[number][0].append(alert)
                split[number][1].update(wanted)
            else:
                number = len(split)
                split.append(([alert], wanted))
            for party in wanted:
                first[party] = min(first.get(party, number), number)
        groups.extend((g, sorted(m)) for g, m in split)
    return sorted(groups, key=lambda g: min(a["alert_id"] for a in g[0]))


def roles(
    flows: pl.DataFrame, members: list[str], hubs: set[str], collector_min_payers: int
) -> dict[str, dict[str, Any]]:
    """Role per party from the case's payments (columns payer_party, payee_party, amount_gbp)."""
    rows = flows.select("payer_party", "payee_party", "amount_gbp").rows()
    return _roles(rows, members, hubs, collector_min_payers)


Flow = tuple[str | None, str | None, float | None]
"""One evidence payment as (payer party, payee party, amount in GBP)."""


def _roles(
    rows: list[Flow], members: list[str], hubs: set[str], collector_min_payers: int
) -> dict[str, dict[str, Any]]:
    """`roles` on plain rows: a case holds a few payments, so Python beats a DataFrame here
    (one polars group-by per case cost 1-2 ms, for thousands of cases). Sums are exact
    (`math.fsum`), so they do not depend on the order of the rows."""
    paid: dict[str | None, list[float]] = defaultdict(list)
    got: dict[str | None, list[float]] = defaultdict(list)
    payees: dict[str | None, set[str | None]] = defaultdict(set)
    payers: dict[str | None, set[str | None]] = defaultdict(set)
    for payer, payee, amount in rows:
        payees[payer].add(payee)
        payers[payee].add(payer)
        if amount is not None:
            paid[payer].append(amount)
            got[payee].append(amount)
    result = {}
    for party in members:
        in_gbp, out_gbp = math.fsum(got.get(party, ())), math.fsum(paid.get(party, ()))
        n_payers = len(payers.get(party, ()))
        if party in hubs:
            role = "hub"
        elif n_payers >= collector_min_payers:
            role = "collector"
        elif in_gbp > 0 and out_gbp > 0:
            role = "intermediary"
        elif out_gbp > 0:
            role = "payer"
        elif in_gbp > 0:
            role = "beneficiary"
        else:
            role = "associated"
        result[party] = {
            "role": role,
            "in_gbp": round(in_gbp, 2),
            "out_gbp": round(out_gbp, 2),
            "n_payers": n_payers,
            "n_payees": len(payees.get(party, ())),
        }
    return result


def possible_victims(
    group: list[dict[str, Any]], flows: pl.DataFrame, party_of: Mapping[str, str]
) -> set[str]:
    """Payers into the collector of each OIC_CROSSING_FEE alert of the group."""
    rows = flows.select("txn_id", "payer_party", "payee_party").rows()
    return _possible_victims(group, {r[0]: (r[1], r[2]) for r in rows}, party_of)


def _possible_victims(
    group: list[dict[str, Any]],
    parties_of_txn: Mapping[str, tuple[str | None, str | None]],
    party_of: Mapping[str, str],
) -> set[str]:
    """`possible_victims` with the case's payments as txn_id -> (payer party, payee party)."""
    victims: set[str] = set()
    for alert in group:
        if alert["rule_id"] != "OIC_CROSSING_FEE":
            continue
        collector = party_of.get(alert["primary"]) or account_party_id(alert["primary"])
        for txn in set(alert["evidence_txn_ids"]):
            payer, payee = parties_of_txn.get(txn, (None, None))
            if payee == collector and payer is not None and payer != collector:
                victims.add(payer)
    return victims


def build_party_cases(
    alerts: list[dict[str, Any]],
    rules: RuleSet,
    party_cfg: PartyConfig,
    party_of: Mapping[str, str],
    party_info: Mapping[str, dict[str, Any]],
    flows: pl.DataFrame,
    hubs: set[str],
) -> list[dict[str, Any]]:
    """Ranked cases of parties, each with roles, per-party and per-case scores, categories.

    `flows` has one row per evidence payment: txn_id, payer_party, payee_party, amount_gbp.
    `party_info` holds, per party id, what the case pack shows about it (name, accounts...).
    """
    scoring = replace(rules, rules={**rules.rules, **party_cfg.rules})
    min_payers = int(party_cfg.roles["collector_min_payers"])
    # One brief per rule, shared by every case that lists it as not fired (read-only).
    briefs = [(rid, r.brief()) for rid, r in sorted(scoring.rules.items())]
    cases: list[dict[str, Any]] = []
    seen: set[str] = set()
    # Each case looks up its own payments by txn_id: no pass over every flow per case.
    columns = flows.select("txn_id", "payer_party", "payee_party", "amount_gbp").rows()
    row_of = {row[0]: number for number, row in enumerate(columns)}
    for group, members in group_party_alerts(alerts, party_of, hubs, party_cfg.network):
        accounts = sorted({acc for a in group for acc in a["accounts"]})
        case_id = _case_id(accounts or members)
        if case_id in seen:
            case_id = _case_id([*accounts, *members, *sorted(a["alert_id"] for a in group)])
        seen.add(case_id)
        txn_ids = sorted({t for a in group for t in a["evidence_txn_ids"]})
        case_rows = [columns[n] for n in sorted(row_of[t] for t in txn_ids if t in row_of)]
        role_of = _roles([r[1:] for r in case_rows], members, hubs, min_payers)
        victims = _possible_victims(group, {r[0]: (r[1], r[2]) for r in case_rows}, party_of)
        by_party: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for alert in group:
            primary, named = _alert_parties(alert, party_of)
            for pid in named if alert.get("parties") else [primary]:
                by_party[pid].append(alert)
        parties = []
        for pid in members:
            info = dict(party_info.get(pid, {}))
            own = by_party.get(pid, [])
            scored = score_alerts(own, scoring) if own else None
            parties.append(
                {
                    "party_id": pid,
                    "name": info.get("name"),
                    "date_of_birth": info.get("date_of_birth"),
                    "customer_ids": info.get("customer_ids", []),
                    "entity_ids": info.get("entity_ids", []),
                    "accounts": info.get("accounts", []),
                    "alerted": bool(own),
                    "hub": pid in hubs,
                    **role_of[pid],
                    "score": scored["score"] if scored else 0.0,
                    "band": scored["band"] if scored else None,
                    "contributions": scored["contributions"] if scored else [],
                    "corroboration_bonus": scored["corroboration_bonus"] if scored else 0.0,
                    "alert_ids": sorted(a["alert_id"] for a in own),
                    "data_subject_category": UNKNOWN,
                    "attention": [POSSIBLE_VICTIM] if pid in victims else [],
                }
            )
        parties.sort(key=lambda p: (-p["score"], p["party_id"]))
        case: dict[str, Any] = {
            "case_id": case_id,
            "alert_ids": sorted(a["alert_id"] for a in group),
            "account_keys": accounts,
            "alerted_accounts": sorted({a["primary"] for a in group if a["primary"]}),
            "party_ids": members,
            "parties": parties,
            "evidence_txn_ids": txn_ids,
            "period": {
                "start": min(a["window_start"] for a in group),
                "end": max(a["window_end"] for a in group),
            },
        }
        case.update(score_alerts(group, scoring))
        fired = set(case["typologies"])
        case["rules_not_fired"] = [b for rid, b in briefs if rid not in fired]
        cases.append(case)
    cases.sort(key=lambda c: (-c["score"], c["case_id"]))
    for rank, case in enumerate(cases, start=1):
        case["rank"] = rank
    return cases
