"""Grouping alerts into cases and the explainable score."""

from __future__ import annotations

from typing import Any

import pytest

from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules
from finflow.score.cases import build_cases, group_alerts, score_alerts

RULES = load_rules(known=set(DETECTORS))


def alert(aid: str, rule: str, primary: str, *others: str) -> dict[str, Any]:
    return {
        "alert_id": aid,
        "rule_id": rule,
        "primary": primary,
        "accounts": sorted({primary, *others}),
        "evidence_txn_ids": [f"{aid}-t1", f"{aid}-t2"],
        "window_start": "2022-09-01T00:00:00+00:00",
        "window_end": "2022-09-02T00:00:00+00:00",
    }


def test_repeats_of_one_rule_have_diminishing_returns() -> None:
    weight = RULES.rules["FAN_IN"].weight
    one = score_alerts([alert("A1", "FAN_IN", "x")], RULES)
    three = score_alerts([alert(f"A{i}", "FAN_IN", "x") for i in range(3)], RULES)
    assert one["score"] == weight
    assert three["score"] == pytest.approx(weight * (1 + 0.5 + 0.25))
    assert three["contributions"][0]["hits"] == 3
    assert "0.5^2" in three["contributions"][0]["explanation"]


def test_independent_rules_earn_a_corroboration_bonus() -> None:
    result = score_alerts([alert("A1", "CYCLE", "x"), alert("A2", "OIC_PASS_THROUGH", "x")], RULES)
    base = RULES.rules["CYCLE"].weight + RULES.rules["OIC_PASS_THROUGH"].weight
    assert result["corroboration_bonus"] == pytest.approx(0.15 * base)
    assert result["score"] == pytest.approx(base * 1.15)
    assert result["typologies"] == ["CYCLE", "OIC_PASS_THROUGH"]


def test_bands_follow_the_thresholds() -> None:
    low = score_alerts([alert("A1", "FAN_IN", "x")], RULES)
    high = score_alerts([alert("A1", "OIC_CROSSING_FEE", "x"), alert("A2", "CYCLE", "x")], RULES)
    assert (low["band"], high["band"]) == ("low", "high")


def test_alerts_sharing_accounts_form_one_case_and_others_stay_apart() -> None:
    alerts = [
        alert("A1", "FAN_OUT", "1:src", "2:a", "2:b"),
        alert("A2", "OIC_PASS_THROUGH", "2:a", "3:z"),
        alert("A3", "CYCLE", "9:q", "9:r"),
    ]
    cases = build_cases(alerts, RULES)
    assert sorted(len(c["alert_ids"]) for c in cases) == [1, 2]
    joined = next(c for c in cases if len(c["alert_ids"]) == 2)
    assert joined["account_keys"] == ["1:src", "2:a", "2:b", "3:z"]
    assert {r["rule_id"] for r in joined["rules_not_fired"]} == set(RULES.rules) - {
        "FAN_OUT",
        "OIC_PASS_THROUGH",
    }


def test_ranking_is_by_score_then_case_id() -> None:
    alerts = [alert(f"A{i}", "FAN_IN", f"{i}:hub", f"{i}:p") for i in range(4)]
    cases = build_cases(alerts, RULES)
    assert [c["rank"] for c in cases] == [1, 2, 3, 4]
    assert [c["case_id"] for c in cases] == sorted(c["case_id"] for c in cases)
    assert build_cases(list(reversed(alerts)), RULES) == cases


def test_a_hub_cannot_swallow_unrelated_alerts() -> None:
    hub_alerts = [alert(f"A{i}", "FAN_IN", f"{i}:collector", "0:HUB") for i in range(3)]
    groups = group_alerts(hub_alerts, max_accounts=3)
    assert len(groups) == 3
    assert len(group_alerts(hub_alerts, max_accounts=10)) == 1
