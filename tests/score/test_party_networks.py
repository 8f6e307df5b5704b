"""Party cases: hub handling, hop and size bounds, roles, categories, deterministic scores."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
from party_samples import PARTY, RULES, alert

from finflow.score.network import (
    POSSIBLE_VICTIM,
    account_party_id,
    build_party_cases,
    group_party_alerts,
)

P = account_party_id


def flows(*rows: tuple[str, str, str, float]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"txn_id": t, "payer_party": P(a), "payee_party": P(b), "amount_gbp": v}
            for t, a, b, v in rows
        ],
        schema={
            "txn_id": pl.String,
            "payer_party": pl.String,
            "payee_party": pl.String,
            "amount_gbp": pl.Float64,
        },
    )


def cases(
    alerts: list[dict[str, Any]], frame: pl.DataFrame, hubs: set[str] = frozenset()
) -> list[dict[str, Any]]:  # type: ignore[assignment]
    return build_party_cases(alerts, RULES, PARTY, {}, {}, frame, set(hubs))


def test_a_hub_joins_each_case_but_never_links_two() -> None:
    alerts = [alert(f"A{i}", "FAN_IN", f"1:c{i}", "9:exchange", f"1:p{i}") for i in range(3)]
    hub = {P("9:exchange")}
    grouped = group_party_alerts(alerts, {}, hub, PARTY.network)
    assert len(grouped) == 3
    for _group, members in grouped:
        assert P("9:exchange") in members
    without = group_party_alerts(alerts, {}, set(), PARTY.network)
    assert len(without) == 1


def test_an_oversized_network_is_split_by_alerted_party() -> None:
    alerts = [alert(f"A{i}", "FAN_IN", f"1:c{i}", "1:shared") for i in range(4)]
    small = dict(PARTY.network, max_case_parties=3)
    assert len(group_party_alerts(alerts, {}, set(), small)) == 4
    assert len(group_party_alerts(alerts, {}, set(), PARTY.network)) == 1


def test_roles_follow_the_money_and_payers_to_a_collector_are_possible_victims() -> None:
    rows = [(f"t{i}", f"1:payer{i}", "1:collector", 2000.0) for i in range(4)]
    rows += [("t9", "1:collector", "1:mule", 7000.0), ("t10", "1:mule", "2:abroad", 6900.0)]
    crossing = alert(
        "A1",
        "OIC_CROSSING_FEE",
        "1:collector",
        *[f"1:payer{i}" for i in range(4)],
        "1:mule",
        txns=[r[0] for r in rows[:5]],
    )
    through = alert(
        "A2", "OIC_PASS_THROUGH", "1:mule", "1:collector", "2:abroad", txns=["t9", "t10"]
    )
    (case,) = cases([crossing, through], flows(*rows))
    by_party = {p["party_id"]: p for p in case["parties"]}
    assert by_party[P("1:collector")]["role"] == "collector"
    assert by_party[P("1:mule")]["role"] == "intermediary"
    assert by_party[P("1:payer0")]["role"] == "payer"
    assert by_party[P("2:abroad")]["role"] == "beneficiary"
    assert {p["data_subject_category"] for p in case["parties"]} == {"unknown"}
    victims = {pid for pid, p in by_party.items() if POSSIBLE_VICTIM in p["attention"]}
    assert victims == {P(f"1:payer{i}") for i in range(4)}
    assert by_party[P("1:collector")]["score"] == RULES.rules["OIC_CROSSING_FEE"].weight
    assert by_party[P("1:payer0")]["score"] == 0.0


def test_party_rule_alerts_group_their_parties_and_score_with_the_rule_weight() -> None:
    ring = alert("A9", "HT_SHARED_IDENTIFIERS", "1:a", "1:b", "1:c", txns=[])
    ring["parties"] = sorted([P("1:a"), P("1:b"), P("1:c")])
    (case,) = cases([ring], flows())
    assert case["typologies"] == ["HT_SHARED_IDENTIFIERS"]
    assert case["score"] == PARTY.rules["HT_SHARED_IDENTIFIERS"].weight
    assert {p["role"] for p in case["parties"]} == {"associated"}
    assert all(p["score"] == case["score"] for p in case["parties"])
    assert "SANCTIONS_HIT" in {r["rule_id"] for r in case["rules_not_fired"]}


def test_scores_and_ranks_are_identical_for_the_same_inputs_in_any_order() -> None:
    alerts = [
        alert("A1", "FAN_IN", "1:x", "1:p1", "1:p2"),
        alert("A2", "FAN_IN", "1:x", "1:p3"),
        alert("A3", "CYCLE", "1:x", "1:q"),
        alert("A4", "FAN_OUT", "2:y", "2:z"),
        alert("A5", "FAN_OUT", "3:y", "3:z"),
    ]
    frame = flows(
        *[(f"{a['alert_id']}-t1", a["primary"], a["accounts"][-1], 100.0) for a in alerts]
    )
    first = cases(alerts, frame)
    again = cases(list(reversed(alerts)), frame.reverse())
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert [c["rank"] for c in first] == [1, 2, 3]
    tied = [c for c in first if c["typologies"] == ["FAN_OUT"]]
    assert [c["case_id"] for c in tied] == sorted(c["case_id"] for c in tied)
    top = first[0]
    fan_in = next(c for c in top["contributions"] if c["rule_id"] == "FAN_IN")
    assert fan_in["hits"] == 2 and "0.5^1" in fan_in["explanation"]
    assert top["corroboration_bonus"] > 0


def test_alerts_sharing_parties_form_one_case_and_others_stay_apart() -> None:
    alerts = [
        alert("A1", "FAN_OUT", "1:src", "2:a", "2:b"),
        alert("A2", "OIC_PASS_THROUGH", "2:a", "3:z"),
        alert("A3", "CYCLE", "9:q", "9:r"),
    ]
    built = cases(alerts, flows())
    assert sorted(len(c["alert_ids"]) for c in built) == [1, 2]
    joined = next(c for c in built if len(c["alert_ids"]) == 2)
    assert joined["account_keys"] == ["1:src", "2:a", "2:b", "3:z"]
    assert sorted(joined["party_ids"]) == sorted(P(k) for k in joined["account_keys"])
    fired = {"FAN_OUT", "OIC_PASS_THROUGH"}
    assert {r["rule_id"] for r in joined["rules_not_fired"]} == (
        set(RULES.rules) | set(PARTY.rules)
    ) - fired
