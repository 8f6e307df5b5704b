"""The further OIC and HT typologies are planted with the shape their names promise."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from test_generator import Block, by_kind, parse_patterns

from finflow.synth.generator import generate


@pytest.fixture(scope="module")
def planted(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[Block], dict[tuple[str, str], str]]:
    summary: dict[str, Any] = generate(tmp_path_factory.mktemp("typ"), rows=30_000, seed=23)
    accounts = pl.read_csv(summary["accounts_file"], infer_schema=False)
    bank_name = {
        (r["Bank ID"], r["Account Number"]): r["Bank Name"] for r in accounts.iter_rows(named=True)
    }
    return parse_patterns(Path(summary["patterns_file"])), bank_name


def test_msb_nexus_pays_a_money_transfer_firm_four_times_or_more(planted: Any) -> None:
    blocks, bank = planted
    for edges in by_kind(blocks, "OIC-MSB-NEXUS"):
        assert len(edges) >= 4
        assert {bank[e.dst] for e in edges} <= {n for n in bank.values() if "Money Transfer" in n}
        assert max(e.ts for e in edges) - min(e.ts for e in edges) < timedelta(days=30)


def test_round_cross_border_sends_round_sums_in_another_currency(planted: Any) -> None:
    blocks, _ = planted
    for edges in by_kind(blocks, "OIC-ROUND-CROSS-BORDER"):
        assert len(edges) >= 3
        assert all(e.paid % 500 == 0 and e.paid_ccy != e.received_ccy for e in edges)


def test_escrow_clients_pay_a_deposit_then_a_different_balance(planted: Any) -> None:
    blocks, _ = planted
    for edges in by_kind(blocks, "OIC-ESCROW"):
        per_client: dict[Any, list[Any]] = defaultdict(list)
        for e in edges:
            per_client[e.src].append(e)
        assert len({e.dst for e in edges}) == 1
        pairs = [sorted(p, key=lambda e: e.ts) for p in per_client.values() if len(p) == 2]
        assert len(pairs) >= 2
        for first, second in pairs:
            assert second.ts - first.ts >= timedelta(days=5)
            assert first.paid < second.paid
            assert 1000 <= first.paid + second.paid <= 8000


def test_hawala_settles_most_of_many_receipts_in_a_few_large_payments_abroad(
    planted: Any,
) -> None:
    blocks, _ = planted
    for edges in by_kind(blocks, "OIC-HAWALA"):
        hub = max({e.dst for e in edges}, key=lambda a: sum(e.dst == a for e in edges))
        credits = [e for e in edges if e.dst == hub]
        out = [e for e in edges if e.src == hub]
        assert len(credits) >= 30 and len({e.src for e in credits}) >= 20
        assert 1 <= len(out) <= 3 and all(e.paid_ccy != e.received_ccy for e in out)
        assert 0.8 <= sum(e.gbp for e in out) / sum(e.gbp for e in credits) <= 1.01


def test_wage_sweeps_move_most_of_each_pay_to_one_controller_within_48_hours(
    planted: Any,
) -> None:
    blocks, _ = planted
    for kind in ("HT-WAGE-SWEEP", "HT-POOLED-REMITTANCE"):
        for edges in by_kind(blocks, kind):
            agency = max({e.src for e in edges}, key=lambda a: sum(e.src == a for e in edges))
            pay = [e for e in edges if e.src == agency]
            workers = {e.dst for e in pay}
            sweeps = [e for e in edges if e.src in workers]
            assert len({e.dst for e in sweeps}) == 1
            for s in sweeps:
                wage = max((p for p in pay if p.dst == s.src and p.ts < s.ts), key=lambda p: p.ts)
                assert s.ts - wage.ts <= timedelta(hours=48)
                assert 0.8 <= s.gbp / wage.gbp <= 1.0
            assert len({s.src for s in sweeps}) >= 3


def test_debt_bondage_has_three_or_more_regular_payers_to_one_person(planted: Any) -> None:
    blocks, _ = planted
    for edges in by_kind(blocks, "HT-DEBT-BONDAGE"):
        assert len({e.dst for e in edges}) == 1
        counts: dict[Any, int] = defaultdict(int)
        for e in edges:
            counts[e.src] += 1
        assert len(counts) >= 3 and min(counts.values()) >= 3
