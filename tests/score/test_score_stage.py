"""The score stage on a generated world: parties in cases, party rules, same bytes twice."""

from __future__ import annotations

import json
from typing import Any

import pytest

from finflow.pipeline import stage_detect, stage_ingest, stage_score
from finflow.synth import generate


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("stage")
    feeds, out = root / "feeds", root / "out"
    generate(feeds, rows=8000, seed=21)
    stage_ingest(feeds, out, logical_date="2022-10-01T00:00:00+00:00")
    stage_detect(out)
    summary = stage_score(out)
    first = (out / "cases.json").read_bytes()
    stage_score(out)
    return {
        "out": out,
        "summary": summary,
        "first": first,
        "second": (out / "cases.json").read_bytes(),
        "truth": json.loads((feeds / "truth" / "SYNTH_kyc_truth.json").read_text("utf-8")),
    }


def test_scoring_again_gives_identical_cases(scored: dict[str, Any]) -> None:
    assert scored["first"] == scored["second"]


def test_cases_are_built_around_parties(scored: dict[str, Any]) -> None:
    cases = json.loads(scored["first"])
    assert cases
    for case in cases:
        assert case["parties"] and case["party_ids"] == sorted(case["party_ids"])
        assert {p["data_subject_category"] for p in case["parties"]} == {"unknown"}
        for party in case["parties"]:
            assert party["role"] in {
                "collector",
                "payer",
                "intermediary",
                "beneficiary",
                "hub",
                "associated",
            }
    assert [c["rank"] for c in cases] == list(range(1, len(cases) + 1))
    assert scored["summary"]["merges_applied"] >= len(scored["truth"]["duplicates"])


def test_party_rules_find_the_planted_rings_and_name_variants(scored: dict[str, Any]) -> None:
    results = json.loads((scored["out"] / "parties.json").read_text("utf-8"))
    rules = {a["rule_id"] for a in results["party_alerts"]}
    assert rules == {"HT_SHARED_IDENTIFIERS", "SANCTIONS_HIT"}
    assert {s["status"] for s in results["screening"]} == {"possible match - for human review"}
    screened = {s["screened_name"] for s in results["screening"]}
    assert {v["name"] for v in scored["truth"]["sanctions_variants"]} <= screened
    cases = json.loads(scored["first"])
    typologies = {t for c in cases for t in c["typologies"]}
    assert {"HT_SHARED_IDENTIFIERS", "SANCTIONS_HIT"} <= typologies


def test_screening_on_background_workers_gives_the_same_outputs(
    scored: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below BACKGROUND_FROM queries the names are screened in the stage's process; from it on
    spawned workers beside the hub count: the outputs do not depend on which."""
    from finflow.score import party_rules

    out = scored["out"]
    parties = (out / "parties.json").read_bytes()
    monkeypatch.setattr(party_rules, "BACKGROUND_FROM", 1)
    started = []
    real = party_rules.start_screening

    def spy(*args: Any, **kwargs: Any) -> Any:
        screening = real(*args, **kwargs)
        started.append(screening.job._pool is not None)
        return screening

    monkeypatch.setattr("finflow.score.stage.start_screening", spy)
    stage_score(out)
    assert started == [True]
    assert (out / "cases.json").read_bytes() == scored["first"]
    assert (out / "parties.json").read_bytes() == parties
