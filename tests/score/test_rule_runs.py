"""ruleruns: a rule that could not run is not presented as one that ran and stayed silent."""

from __future__ import annotations

from typing import Any

from finflow.score.ruleruns import split_not_run


def _brief(rid: str) -> dict[str, Any]:
    return {"rule_id": rid, "rule_version": 1, "description": f"{rid} text"}


def test_rules_without_their_data_move_to_not_run_with_the_reason() -> None:
    cases = [{"rules_not_fired": [_brief("FAN_IN"), _brief("OIC_NARRATIVE")]}]
    detect = {
        "FAN_IN": {"status": "ran", "alerts": 0},
        "OIC_NARRATIVE": {"status": "not_run", "reason": "no payment references in this feed"},
    }
    split_not_run(cases, detect)
    assert [b["rule_id"] for b in cases[0]["rules_not_fired"]] == ["FAN_IN"]
    assert cases[0]["rules_not_run"] == [
        {**_brief("OIC_NARRATIVE"), "reason": "no payment references in this feed"}
    ]


def test_when_every_rule_ran_nothing_moves() -> None:
    cases = [{"rules_not_fired": [_brief("CYCLE")]}]
    split_not_run(cases, {"CYCLE": {"status": "ran"}})
    assert cases[0]["rules_not_fired"] == [_brief("CYCLE")]
    assert cases[0]["rules_not_run"] == []
