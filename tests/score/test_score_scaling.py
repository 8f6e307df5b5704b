"""The score stage's fast paths give the results of the plain ones (issue #8)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from party_samples import PARTY, alert

from finflow.runstate import write_json, write_json_rows
from finflow.score.entities import _blocks
from finflow.score.network import group_party_alerts, hub_accounts, roles


def test_a_party_rule_alert_joins_the_first_split_case_that_holds_its_party_even_later() -> None:
    party_of = {f"1:{k}": f"P{k}" for k in "abcxz"}
    a1 = alert("A1", "FAN_IN", "1:a", "1:x")  # split case 0: Pa, Px
    a2 = alert("A2", "FAN_IN", "1:b", "1:c")  # split case 1: Pb, Pc
    x1 = alert("X1", "HT_SHARED_IDENTIFIERS", "1:c", "1:z", txns=[])
    x1["parties"] = ["Pc", "Pz"]  # joins case 1 (Pc): case 1 now holds Pz
    x2 = alert("X2", "HT_SHARED_IDENTIFIERS", "1:x", "1:z", txns=[])
    x2["parties"] = ["Px", "Pz"]  # joins case 0 (Px): case 0 holds Pz too, and comes first
    x3 = alert("X3", "SANCTIONS_HIT", "1:z", txns=[])
    x3["parties"] = ["Pz"]
    small = dict(PARTY.network, max_case_parties=2)
    groups = group_party_alerts([a1, a2, x1, x2, x3], party_of, set(), small)
    by_alerts = sorted(sorted(a["alert_id"] for a in g) for g, _ in groups)
    assert by_alerts == [["A1", "X2", "X3"], ["A2", "X1"]]


def test_roles_sum_exactly_whatever_the_order_of_the_payments() -> None:
    amounts = [0.1] * 10 + [1e16, 1.0, -1e16]
    frame = pl.DataFrame(
        {
            "txn_id": [f"t{i}" for i in range(len(amounts))],
            "payer_party": ["Pa"] * len(amounts),
            "payee_party": [f"P{i}" for i in range(len(amounts))],
            "amount_gbp": amounts,
        }
    )
    forward = roles(frame, ["Pa"], set(), 3)
    backward = roles(frame.reverse(), ["Pa"], set(), 3)
    assert forward == backward
    assert forward["Pa"]["out_gbp"] == 2.0
    assert forward["Pa"]["n_payees"] == len(amounts)
    assert forward["Pa"]["role"] == "payer"


def test_the_fast_json_writer_keeps_the_content_and_is_deterministic(tmp_path: Path) -> None:
    cases = [
        {"case_id": "C-2", "score": 1.5, "names": ["Ünal", "=1+1"], "nested": {"b": 1, "a": None}},
        {"case_id": "C-1", "score": 0.1, "names": [], "nested": {}},
    ]
    parties = {"screening": [], "merges": [{"left": "K1", "right": "K2"}], "summary": {"n": 2}}
    write_json(tmp_path / "slow.json", cases)
    write_json_rows(tmp_path / "fast.json", cases)
    write_json_rows(tmp_path / "again.json", [dict(reversed(c.items())) for c in cases])
    assert json.loads((tmp_path / "fast.json").read_text("utf-8")) == cases
    assert (tmp_path / "fast.json").read_bytes() == (tmp_path / "again.json").read_bytes()
    assert (tmp_path / "fast.json").read_text("utf-8").count("\n") == len(cases) + 2
    write_json_rows(tmp_path / "parties.json", parties)
    assert json.loads((tmp_path / "parties.json").read_text("utf-8")) == parties
    write_json_rows(tmp_path / "empty.json", [])
    write_json_rows(tmp_path / "empty_map.json", {})
    assert json.loads((tmp_path / "empty.json").read_text("utf-8")) == []
    assert json.loads((tmp_path / "empty_map.json").read_text("utf-8")) == {}


def _payments(*pairs: tuple[str, str]) -> pl.LazyFrame:
    return pl.DataFrame(
        {
            "payer": [p for p, _ in pairs],
            "payee": [q for _, q in pairs],
            "payer_bank": [p.split(":")[0] for p, _ in pairs],
            "payee_bank": [q.split(":")[0] for _, q in pairs],
        }
    ).lazy()


def test_a_hub_counts_each_counterparty_once_whichever_way_and_however_often_it_paid() -> None:
    cfg = dict(PARTY.network, hub_min_counterparties=3, hub_min_counterparties_at_those=2)
    institutions = pl.DataFrame({"institution_id": ["9"], "type": ["msb"]})
    # 1:h pays 1:a three times and is paid by 1:a and 1:b: two counterparties, not a hub.
    two = [("1:h", "1:a")] * 3 + [("1:a", "1:h"), ("1:b", "1:h")]
    assert hub_accounts(_payments(*two), institutions, cfg) == set()
    # A third counterparty makes it one; at an MSB (bank 9) two already do.
    three = [*two, ("1:h", "1:c")]
    assert hub_accounts(_payments(*three), institutions, cfg) == {"1:h"}
    msb = [("9:m", "1:a"), ("1:b", "9:m"), ("9:m", "1:a")]
    assert hub_accounts(_payments(*msb), institutions, cfg) == {"9:m"}


def test_blocks_keep_only_keys_shared_by_two_up_to_max_block_customers() -> None:
    keys = pl.DataFrame(
        {
            "customer_id": ["K1", "K2", "K3", "K4", "K5"],
            "name_key": ["ann lee", "ann lee", "bo wu", "bo wu", "bo wu"],
            "email_n": ["a@x", None, "b@x", None, None],
            "phone_n": [None, None, None, None, "447700900001"],
            "address": [["1 high st"], ["1 high st"], [], [], ["1 high st"]],
        }
    )
    blocks = _blocks(keys, max_block=2).sort("block", "customer_id")
    # "bo wu" (3 members) and the address (3) are over the limit; singletons are dropped.
    assert blocks.rows() == [("K1", "n:ann lee"), ("K2", "n:ann lee")]
