"""Section 3 shows parties, roles, merges pending review, sanctions results and party scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from casepack_sample import HOSTILE_NAME, build_case

from finflow.casepack.render import write_case_pack


def _parties() -> dict[str, Any]:
    contribution = {
        "rule_id": "SANCTIONS_HIT",
        "hits": 1,
        "weight": 40.0,
        "contribution": 40.0,
        "explanation": "weight 40 x (1) for 1 alert",
    }
    return {
        "parties": [
            {
                "party_id": "P-aaa",
                "name": HOSTILE_NAME,
                "date_of_birth": "1971-03-14",
                "customer_ids": ["K1"],
                "entity_ids": ["E1"],
                "accounts": [{"account_key": "010:8000EBD30", "evidence": "Entity ID E1"}],
                "role": "collector",
                "alerted": True,
                "hub": False,
                "in_gbp": 6000.0,
                "out_gbp": 5800.0,
                "score": 40.0,
                "band": "medium",
                "contributions": [contribution],
                "corroboration_bonus": 0.0,
                "data_subject_category": "unknown",
                "attention": [],
            },
            {
                "party_id": "P-bbb",
                "name": "Ana Pop",
                "customer_ids": [],
                "entity_ids": [],
                "accounts": [],
                "role": "payer",
                "alerted": False,
                "hub": False,
                "in_gbp": 0.0,
                "out_gbp": 2000.0,
                "score": 0.0,
                "band": None,
                "contributions": [],
                "corroboration_bonus": 0.0,
                "data_subject_category": "unknown",
                "attention": ["possible victim: paid in"],
            },
        ],
        "merges": [
            {
                "left": "K1",
                "right": "K9",
                "method": "attributes",
                "evidence": "name, address",
                "confidence": 0.6,
                "status": "needs_review",
            },
        ],
        "screening": [
            {
                "party_id": "P-aaa",
                "screened_name": HOSTILE_NAME,
                "screened_dob": "1971-03-14",
                "list_id": "FIC0001",
                "score": 0.97,
                "matched_name": "Bartholomew ZANDERVELT",
                "name_type": "Primary Name",
                "designated_name": "Bartholomew ZANDERVELT",
                "regime": "GIMTIP 2025",
                "explanation": "agreed: zandervelt=zandervelt",
                "status": "possible match - for human review",
            },
        ],
        "party_findings": [
            {
                "alert_id": "A-1",
                "shared": [{"identifier": "address", "value": "5 mill ln"}],
                "members": [
                    {"customer_id": "K1", "party_id": "P-aaa", "surname": "x", "source_row": 3}
                ],
            },
        ],
    }


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> str:
    case, transactions = build_case()
    case.update(_parties())
    out = write_case_pack(
        case, transactions, tmp_path_factory.mktemp("p") / "c", linkchart_png=False
    )
    return (out / "index.html").read_text(encoding="utf-8")


def test_parties_roles_categories_and_attention_flags_are_shown(html: str) -> None:
    section = html[html.index('id="parties"') : html.index('id="accounts"')]
    assert "P-aaa" in section and "collector" in section and "payer" in section
    assert "possible victim: paid in" in section
    assert "<td>suspect</td>" not in section and section.count("<td>unknown</td>") == 2
    assert "Entity ID E1" in section


def test_merges_pending_review_are_marked_not_applied(html: str) -> None:
    section = html[html.index('id="merges"') : html.index('id="sanctions"')]
    assert "1 pending review" in section
    assert "pending review — not applied" in section
    assert "name, address" in section and "0.60" in section


def test_sanctions_results_are_always_possible_matches_for_review(html: str) -> None:
    section = html[html.index('id="sanctions"') : html.index('id="accounts"')]
    assert section.count("possible match — for human review") >= 1
    assert "FIC0001" in section and "0.97" in section and "zandervelt=zandervelt" in section


def test_hostile_names_are_escaped(html: str) -> None:
    assert HOSTILE_NAME not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_party_score_breakdown_lists_every_contribution(html: str) -> None:
    section = html[html.index('id="party-scores"') : html.index('id="merges"')]
    assert "SANCTIONS_HIT" in section and "weight 40 x (1) for 1 alert" in section


def test_a_case_without_party_data_still_renders(tmp_path: Path) -> None:
    case, transactions = build_case()
    out = write_case_pack(case, transactions, tmp_path / "c", linkchart_png=False)
    text = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="sanctions"' in text and 'id="parties"' not in text


def test_parties_csv_neutralises_formulas_and_keeps_the_category(tmp_path: Path) -> None:
    import polars as pl

    from finflow.casepack.exports.parties import write_parties_csv

    case = _parties()
    case["parties"][1]["name"] = '=HYPERLINK("http://x")'
    path = write_parties_csv(case, "OFFICIAL-SENSITIVE", tmp_path / "parties.csv")
    assert path is not None
    frame = pl.read_csv(path, infer_schema=False)
    assert frame["name"][1].startswith("'=")
    assert set(frame["data_subject_category"]) == {"unknown"}
    assert "possible match - for human review" in frame["possible_sanctions_matches"][0]
    assert write_parties_csv({}, "OFFICIAL-SENSITIVE", tmp_path / "none.csv") is None
