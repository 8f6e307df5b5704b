"""The explainable score: diminishing repeats, corroboration bonus, bands."""

from __future__ import annotations

from typing import Any

import pytest

from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules
from finflow.score.cases import score_alerts

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
