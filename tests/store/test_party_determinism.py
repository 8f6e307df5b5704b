"""Same inputs twice -> identical resolution, scores and stored party rows (both backends)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine
from store_samples import make_run

from finflow.store import save_results, save_run
from finflow.store.parties import list_case_parties, merges_for_review, save_party_results

sys.path.insert(0, str(Path(__file__).parents[1] / "score"))
from party_samples import PARTY, RULES, accounts, alert, customers

from finflow.score.entities import resolve
from finflow.score.network import account_party_id, build_party_cases


def _score(reverse: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    kyc = [
        ("K1", "Ahmed Karimi", "1990-01-01", ["5 Mill Lane"], None, None, ["1:c"]),
        ("K2", "KARIMI Ahmed", "1990-01-01", [], None, None, ["2:c2"]),
        ("K3", "Ana Pop", None, ["9 Quay Rd"], None, None, ["1:p0"]),
        ("K4", "Ana Pop", None, ["9 Quay Rd"], None, None, ["1:p1"]),
    ]
    acc = [("1", "c", "E1", "Ahmed Karimi"), ("1", "p0", "E2", "Ana Pop")]
    alerts = [
        alert("A1", "OIC_CROSSING_FEE", "1:c", "1:p0", "1:p1", "1:p2", txns=["t0", "t1", "t2"]),
        alert("A2", "OIC_PASS_THROUGH", "2:c2", "3:x", txns=["t3"]),
    ]
    if reverse:
        kyc, acc, alerts = kyc[::-1], acc[::-1], alerts[::-1]
    res = resolve(accounts(*acc), customers(*kyc), PARTY.resolution)
    party_of = res.party_of()
    pid = lambda k: party_of.get(k) or account_party_id(k)  # noqa: E731
    flows = pl.DataFrame(
        {
            "txn_id": ["t0", "t1", "t2", "t3"],
            "payer_party": [pid("1:p0"), pid("1:p1"), pid("1:p2"), pid("2:c2")],
            "payee_party": [pid("1:c")] * 3 + [pid("3:x")],
            "amount_gbp": [2000.0, 2500.0, 3000.0, 7000.0],
        }
    )
    info = {
        p: {"name": n, "accounts": []}
        for p, n in res.parties.select("party_id", "name").iter_rows()
    }
    cases = build_party_cases(alerts, RULES, PARTY, party_of, info, flows, set())
    merges = res.merges.with_columns(pl.col("evidence").list.join(", ")).to_dicts()
    return cases, merges


def test_scoring_twice_stores_identical_rows(engine: Engine) -> None:
    stored = []
    for n, reverse in enumerate((False, True)):
        cases, merges = _score(reverse)
        run_id = f"run-{n}"
        save_run(engine, make_run(run_id))
        shaped = [c | {"total_value_gbp": 0.0, "accounts": [], "transactions": []} for c in cases]
        save_results(engine, run_id, [], [], shaped)
        save_party_results(engine, run_id, cases, merges, [])
        rows = [
            {k: v for k, v in r.items() if k != "run_id"} for r in list_case_parties(engine, run_id)
        ]
        review = merges_for_review(engine, run_id)
        stored.append((rows, review))
    assert stored[0] == stored[1]
    rows, review = stored[0]
    assert len({r["case_id"] for r in rows}) == 1  # K1/K2 merged: one party links both alerts
    assert [m["evidence"] for m in review] == ["name, address"]
    assert {r["data_subject_category"] for r in rows} == {"unknown"}
