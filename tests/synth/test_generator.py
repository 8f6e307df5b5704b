"""The synthetic generator: AMLworld format, determinism, planted truth and look-alikes."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from finflow.errors import InputError
from finflow.resources import package_file
from finflow.synth import TYPES, generate
from finflow.synth import reference as ref

TRANS_HEADER = (
    "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,"
    "Amount Paid,Payment Currency,Payment Format,Is Laundering"
)
ACCOUNTS_HEADER = "Bank Name,Bank ID,Account Number,Entity ID,Entity Name"
COLUMNS = [
    "ts", "from_bank", "from_account", "to_bank", "to_account", "amount_received",
    "receiving_currency", "amount_paid", "payment_currency", "payment_format", "label",
]  # fmt: skip
RATE = dict(zip(ref.CURRENCIES, ref.RATE_TO_GBP.tolist(), strict=True))
EXPECTED_TYPES = (
    "FAN-OUT", "FAN-IN", "CYCLE", "GATHER-SCATTER", "SCATTER-GATHER", "STACK", "BIPARTITE",
    "RANDOM", "OIC-CROSSING-FEE", "OIC-STRUCTURING", "OIC-PASS-THROUGH", "OIC-MSB-NEXUS",
    "OIC-ROUND-CROSS-BORDER", "OIC-ESCROW", "OIC-HAWALA", "OIC-CASH-TO-CORRIDOR",
    "HT-WAGE-SWEEP", "HT-POOLED-REMITTANCE", "HT-DEBT-BONDAGE",
)  # fmt: skip


class Edge:
    """One parsed transaction line."""

    def __init__(self, line: str) -> None:
        f = line.split(",")
        assert len(f) == 11, line
        self.line = line
        self.ts = datetime.strptime(f[0], "%Y/%m/%d %H:%M")
        self.src = (f[1], f[2])
        self.dst = (f[3], f[4])
        self.received = float(f[5])
        self.received_ccy = f[6]
        self.paid = float(f[7])
        self.paid_ccy = f[8]
        self.fmt = f[9]
        self.label = f[10]

    @property
    def gbp(self) -> float:
        return self.paid * RATE[self.paid_ccy]


Block = tuple[str, str, list[Edge]]


def parse_patterns(path: Path) -> list[Block]:
    blocks: list[Block] = []
    current: list[Edge] | None = None
    kind = detail = ""
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("BEGIN LAUNDERING ATTEMPT - "):
            assert current is None
            title = line.removeprefix("BEGIN LAUNDERING ATTEMPT - ")
            kind, _, detail = title.partition(":  ")
            current = []
        elif line.startswith("END LAUNDERING ATTEMPT - "):
            assert current is not None and line.endswith(kind)
            blocks.append((kind, detail, current))
            current = None
        elif line:
            assert current is not None, line
            current.append(Edge(line))
    assert current is None
    return blocks


def read_trans(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, has_header=False, skip_rows=1, new_columns=COLUMNS, infer_schema=False)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return generate(tmp_path_factory.mktemp("synth20k"), rows=20_000, seed=11)


@pytest.fixture(scope="module")
def trans(small: dict[str, Any]) -> pl.DataFrame:
    return read_trans(Path(small["trans_file"]))


@pytest.fixture(scope="module")
def accounts(small: dict[str, Any]) -> pl.DataFrame:
    return pl.read_csv(small["accounts_file"], infer_schema=False)


@pytest.fixture(scope="module")
def blocks(small: dict[str, Any]) -> list[Block]:
    return parse_patterns(Path(small["patterns_file"]))


def by_kind(blocks: list[Block], kind: str) -> list[list[Edge]]:
    found = [edges for k, _, edges in blocks if k == kind]
    assert found, f"no {kind} block"
    return found


# --- format -------------------------------------------------------------------------------


def test_it_writes_amlworld_headers_lf_and_the_exact_row_count(small: dict[str, Any]) -> None:
    raw = Path(small["trans_file"]).read_bytes()
    assert raw.startswith((TRANS_HEADER + "\n").encode())
    assert b"\r" not in raw and b'"' not in raw and raw.endswith(b"\n")
    assert raw.count(b"\n") == 20_001
    assert small["rows"] == 20_000
    acc = Path(small["accounts_file"]).read_text(encoding="utf-8")
    assert acc.split("\n", 1)[0] == ACCOUNTS_HEADER
    assert small["trans_file"].endswith("SYNTH_Trans.csv")
    assert small["accounts_file"].endswith("SYNTH_accounts.csv")
    assert small["patterns_file"].endswith("SYNTH_Patterns.txt")


def test_fields_use_amlworld_spellings_and_shapes(trans: pl.DataFrame) -> None:
    assert set(trans["payment_currency"]) | set(trans["receiving_currency"]) <= set(ref.CURRENCIES)
    assert set(trans["payment_format"]) == set(ref.FORMATS)
    assert set(trans["label"]) == {"0", "1"}
    assert trans["ts"].str.contains(r"^2022/09/\d\d \d\d:\d\d$").all()
    for col in ("from_account", "to_account"):
        assert trans[col].str.contains(r"^[0-9A-F]{9}$").all()
    fiat = trans.filter(pl.col("payment_currency") != "Bitcoin")["amount_paid"]
    assert fiat.str.contains(r"^\d+\.\d\d$").all()
    btc = trans.filter(pl.col("payment_currency") == "Bitcoin")["amount_paid"]
    assert len(btc) and btc.str.contains(r"^\d+\.\d{2,6}$").all()
    # Mostly pounds and euros, with some dollars and other currencies.
    share = trans["payment_currency"].value_counts(normalize=True)
    shares = dict(zip(share["payment_currency"], share["proportion"], strict=True))
    assert shares["UK Pound"] > 0.45 and shares["UK Pound"] + shares["Euro"] > 0.65
    assert shares["US Dollar"] > 0.01 and len(shares) >= 10


def test_rows_are_sorted_by_time_inside_the_period(trans: pl.DataFrame) -> None:
    ts = trans["ts"]
    assert ts.is_sorted()
    assert ts[0] >= "2022/09/01 00:00" and ts[-1] < "2022/09/29 00:00"


def test_the_smallest_size_has_exact_rows_and_every_type(tmp_path: Path) -> None:
    summary = generate(tmp_path, rows=1000, seed=5, name="TINY", days=14)
    lines = Path(summary["trans_file"]).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1001 and summary["rows"] == 1000
    assert all(summary["attempts"][t] >= 1 for t in EXPECTED_TYPES)
    assert max(lines[1:])[:10] < "2022/09/15"


def test_zero_padded_bank_ids_survive_and_match_the_accounts_file(
    trans: pl.DataFrame, accounts: pl.DataFrame, small: dict[str, Any]
) -> None:
    banks = pl.concat([trans["from_bank"], trans["to_bank"]]).unique()
    assert banks.str.starts_with("0").any() and (~banks.str.starts_with("0")).any()
    assert banks.str.len_chars().n_unique() >= 3
    assert banks.str.contains(r"^\d+$").all()
    pairs = pl.concat(
        [
            trans.select(bank="from_bank", account="from_account"),
            trans.select(bank="to_bank", account="to_account"),
        ]
    ).unique()
    listed = accounts.select(bank="Bank ID", account="Account Number")
    assert listed.is_unique().all()
    assert pairs.sort(pl.all()).equals(listed.sort(pl.all()))
    assert small["accounts"] == accounts.height
    # Identity is (bank, account): a few account numbers recur at a different bank.
    assert accounts["Account Number"].is_duplicated().any()
    assert accounts["Entity ID"].n_unique() < accounts.height  # entities with several accounts
    # Roughly rows / 10 accounts.
    assert 1_000 <= accounts.height <= 4_000


# --- determinism --------------------------------------------------------------------------


def test_the_same_seed_gives_byte_identical_files_and_another_seed_differs(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", rows=5000, seed=3, name="D")
    b = generate(tmp_path / "b", rows=5000, seed=3, name="D")
    c = generate(tmp_path / "c", rows=5000, seed=4, name="D")
    for key in ("trans_file", "accounts_file", "patterns_file"):
        assert Path(a[key]).read_bytes() == Path(b[key]).read_bytes(), key
        assert Path(a[key]).read_bytes() != Path(c[key]).read_bytes(), key
    assert {k: v for k, v in a.items() if not k.endswith("_file")} == {
        k: v for k, v in b.items() if not k.endswith("_file")
    }


# --- ground truth -------------------------------------------------------------------------


def test_every_type_is_planted_a_few_times_at_20000_rows(
    small: dict[str, Any], blocks: list[Block]
) -> None:
    assert TYPES == EXPECTED_TYPES
    assert list(small["attempts"]) == list(EXPECTED_TYPES)
    counted = defaultdict(int)
    for kind, _, _ in blocks:
        counted[kind] += 1
    for kind in EXPECTED_TYPES:
        assert counted[kind] == small["attempts"][kind] >= 3, kind


def test_patterns_rows_are_the_trans_rows_labelled_one(
    small: dict[str, Any], blocks: list[Block]
) -> None:
    lines = Path(small["trans_file"]).read_text(encoding="utf-8").splitlines()[1:]
    labelled = {line for line in lines if line.endswith(",1")}
    planted = [e.line for _, _, edges in blocks for e in edges]
    assert len(planted) == len(set(planted)) == small["laundering_rows"]
    assert set(planted) == labelled
    assert sum(line.endswith(",1") for line in lines) == len(planted)
    assert set(planted) <= set(lines)


def test_pattern_headers_follow_amlworld(small: dict[str, Any]) -> None:
    text = Path(small["patterns_file"]).read_text(encoding="utf-8")
    assert re.search(r"^BEGIN LAUNDERING ATTEMPT - FAN-OUT:  Max \d+-degree Fan-Out$", text, re.M)
    assert re.search(r"^BEGIN LAUNDERING ATTEMPT - CYCLE:  Max \d+ hops$", text, re.M)
    assert re.search(r"^BEGIN LAUNDERING ATTEMPT - STACK$", text, re.M)
    assert "END LAUNDERING ATTEMPT - OIC-PASS-THROUGH\n\n" in text


def test_the_planted_share_stays_small_at_larger_sizes(tmp_path: Path) -> None:
    summary = generate(tmp_path, rows=200_000, seed=2)
    share = summary["laundering_rows"] / summary["rows"]
    assert 0.001 <= share <= 0.004
    assert all(n >= 3 for n in summary["attempts"].values())


# --- structure of each planted type -------------------------------------------------------


def span(edges: list[Edge]) -> timedelta:
    times = [e.ts for e in edges]
    return max(times) - min(times)


def test_fan_out_and_fan_in_blocks_have_five_or_more_counterparties(blocks: list[Block]) -> None:
    for edges in by_kind(blocks, "FAN-OUT"):
        assert len({e.src for e in edges}) == 1
        assert 5 <= len({e.dst for e in edges}) == len(edges) <= 16
        assert span(edges) < timedelta(days=4)
    for edges in by_kind(blocks, "FAN-IN"):
        assert len({e.dst for e in edges}) == 1
        assert 5 <= len({e.src for e in edges}) == len(edges) <= 16
        assert span(edges) < timedelta(days=4)


def test_cycle_blocks_are_closed_time_ordered_walks_losing_a_little_each_hop(
    blocks: list[Block],
) -> None:
    for edges in by_kind(blocks, "CYCLE"):
        assert 2 <= len(edges) <= 10
        assert [e.ts for e in edges] == sorted({e.ts for e in edges})  # strictly increasing
        for a, b in itertools.pairwise(edges):
            assert a.dst == b.src
            assert 0.94 <= b.gbp / a.gbp < 0.995
        assert edges[-1].dst == edges[0].src
        assert len({e.src for e in edges}) == len(edges)
        assert span(edges) <= timedelta(days=10)


def test_random_blocks_are_open_time_ordered_walks(blocks: list[Block]) -> None:
    for edges in by_kind(blocks, "RANDOM"):
        assert 3 <= len(edges) <= 8
        assert [e.ts for e in edges] == sorted({e.ts for e in edges})
        for a, b in itertools.pairwise(edges):
            assert a.dst == b.src and 0.9 <= b.gbp / a.gbp <= 1.0
        nodes = {e.src for e in edges} | {e.dst for e in edges}
        assert len(nodes) == len(edges) + 1


def test_scatter_gather_blocks_split_and_rejoin_within_days(blocks: list[Block]) -> None:
    for edges in by_kind(blocks, "SCATTER-GATHER"):
        sources = {e.src for e in edges} - {e.dst for e in edges}
        sinks = {e.dst for e in edges} - {e.src for e in edges}
        assert len(sources) == 1 and len(sinks) == 1
        (source,), (sink,) = sources, sinks
        first_leg = {e.dst: e for e in edges if e.src == source}
        second_leg = {e.src: e for e in edges if e.dst == sink}
        assert 3 <= len(first_leg) <= 8 and first_leg.keys() == second_leg.keys()
        for mid, inbound in first_leg.items():
            out = second_leg[mid]
            assert inbound.ts < out.ts <= inbound.ts + timedelta(days=3)
            assert out.gbp < inbound.gbp


def test_gather_scatter_blocks_pay_out_after_gathering(blocks: list[Block]) -> None:
    for edges in by_kind(blocks, "GATHER-SCATTER"):
        hubs = {e.dst for e in edges} & {e.src for e in edges}
        assert len(hubs) == 1
        (hub,) = hubs
        inbound = [e for e in edges if e.dst == hub]
        outbound = [e for e in edges if e.src == hub]
        assert 4 <= len({e.src for e in inbound}) <= 10
        assert 4 <= len({e.dst for e in outbound}) <= 10
        assert max(e.ts for e in inbound) < min(e.ts for e in outbound)
        assert sum(e.gbp for e in outbound) < sum(e.gbp for e in inbound)


def test_bipartite_blocks_are_many_to_many_between_two_sets(blocks: list[Block]) -> None:
    for edges in by_kind(blocks, "BIPARTITE"):
        payers, payees = {e.src for e in edges}, {e.dst for e in edges}
        assert not payers & payees
        assert 3 <= len(payers) <= 6 and 3 <= len(payees) <= 6
        for p in payers:
            assert len({e.dst for e in edges if e.src == p}) >= 2
        for q in payees:
            assert len({e.src for e in edges if e.dst == q}) >= 2


def test_stack_blocks_are_layered_forwarding(blocks: list[Block]) -> None:
    for edges in by_kind(blocks, "STACK"):
        payers, payees = {e.src for e in edges}, {e.dst for e in edges}
        middle = payers & payees
        assert middle, "a stack forwards through at least one layer"
        for node in middle:
            last_in = max(e.ts for e in edges if e.dst == node)
            first_out = min(e.ts for e in edges if e.src == node)
            assert last_in < first_out
        # Layers: depth of a node = longest chain of payments reaching it; 2-3 layers deep.
        depth = {n: 0 for n in payers - payees}
        for e in sorted(edges, key=lambda x: x.ts):
            depth[e.dst] = max(depth.get(e.dst, 0), depth[e.src] + 1)
        assert 2 <= max(depth.values()) <= 3


def in_band(e: Edge) -> bool:
    hi = 8000.0 if e.received_ccy == "Euro" else 7000.0
    return 1000.0 <= e.received <= hi


def test_crossing_fee_blocks_collect_in_band_from_many_payers_then_wire_on(
    blocks: list[Block],
) -> None:
    for edges in by_kind(blocks, "OIC-CROSSING-FEE"):
        counts = defaultdict(int)
        for e in edges:
            counts[e.dst] += 1
        collector = max(counts, key=lambda k: counts[k])
        credits = [e for e in edges if e.dst == collector]
        debits = [e for e in edges if e.src == collector]
        assert {c.received_ccy for c in credits} <= {"UK Pound", "Euro"}
        assert len({c.src for c in credits}) == len(credits) >= 5
        assert sum(in_band(c) for c in credits) >= 0.6 * len(credits)
        assert span(credits) <= timedelta(days=30)
        assert debits and all(d.fmt == "Wire" for d in debits)
        assert min(d.ts for d in debits) > max(c.ts for c in credits)
        assert max(d.ts for d in debits) - max(c.ts for c in credits) <= timedelta(days=4)
        assert sum(d.paid for d in debits) >= 0.8 * sum(c.received for c in credits)
        assert len(credits) + len(debits) == len(edges)


def test_structuring_blocks_stay_just_under_the_threshold(blocks: list[Block]) -> None:
    for _, detail, edges in [b for b in blocks if b[0] == "OIC-STRUCTURING"]:
        threshold = float(re.search(r"Threshold (\d+\.\d\d)", detail).group(1))  # type: ignore[union-attr]
        assert len({e.src for e in edges}) == 1 and len(edges) >= 3
        assert span(edges) <= timedelta(days=7)
        assert all(0.85 * threshold <= e.paid < threshold for e in edges)
        assert sum(e.paid for e in edges) >= threshold
        if "cash" in detail:
            assert {e.fmt for e in edges} == {"Cash"}


def test_pass_through_blocks_move_nine_tenths_on_within_48_hours(blocks: list[Block]) -> None:
    for edges in by_kind(blocks, "OIC-PASS-THROUGH"):
        mules = {e.dst for e in edges} & {e.src for e in edges}
        assert len(mules) == 1
        (mule,) = mules
        credits = sorted((e for e in edges if e.dst == mule), key=lambda e: e.ts)
        debits = [e for e in edges if e.src == mule]
        assert len(credits) >= 2 and len(debits) >= 2
        for d in debits:
            window = [c for c in credits if d.ts - timedelta(hours=48) <= c.ts < d.ts]
            assert window, "every debit follows a credit within 48 h"
        # Per credit: at least 90% of it has left within 48 hours.
        for c in credits:
            left = sum(d.paid for d in debits if c.ts < d.ts <= c.ts + timedelta(hours=48))
            came = sum(x.received for x in credits if abs(x.ts - c.ts) <= timedelta(hours=12))
            assert left >= 0.9 * came
        assert sum(d.paid for d in debits) <= sum(c.received for c in credits)


# --- realism --------------------------------------------------------------------------------


def test_planted_rows_are_not_separable_by_simple_artefacts(trans: pl.DataFrame) -> None:
    hour = pl.col("ts").str.slice(11, 2)
    round_amount = pl.col("amount_paid").str.ends_with(".00")
    stats = trans.group_by("label").agg(
        hours=hour.n_unique(),
        round_share=round_amount.mean(),
        formats=pl.col("payment_format").n_unique(),
        currencies=pl.col("payment_currency").n_unique(),
    )
    planted = stats.filter(pl.col("label") == "1").row(0, named=True)
    benign = stats.filter(pl.col("label") == "0").row(0, named=True)
    assert planted["hours"] >= 18 and benign["hours"] == 24
    assert 0.05 < planted["round_share"] < 0.6 and 0.05 < benign["round_share"] < 0.6
    assert planted["formats"] >= 5 and planted["currencies"] >= 2


def test_a_benign_payroll_fans_out_to_twenty_or_more_on_one_day(trans: pl.DataFrame) -> None:
    payroll = (
        trans.filter((pl.col("label") == "0") & (pl.col("payment_format") == "ACH"))
        .with_columns(day=pl.col("ts").str.slice(0, 10))
        .group_by("from_bank", "from_account", "day")
        .agg(payees=pl.struct("to_bank", "to_account").n_unique())
        .filter(pl.col("payees") >= 20)
    )
    assert payroll.height >= 1


def test_other_benign_look_alikes_are_present(trans: pl.DataFrame, accounts: pl.DataFrame) -> None:
    benign = trans.filter(pl.col("label") == "0")
    # Merchants: many distinct card payers into one account.
    card = (
        benign.filter(pl.col("payment_format") == "Credit Card")
        .group_by("to_bank", "to_account")
        .agg(payers=pl.struct("from_bank", "from_account").n_unique())
    )
    assert card["payers"].max() >= 20  # type: ignore[operator]
    # Cash shops: many cash credits.
    cash = benign.filter(pl.col("payment_format") == "Cash").group_by("to_account").len()
    assert cash["len"].max() >= 50  # type: ignore[operator]
    # Reinvestment: an account paying itself.
    self_pay = benign.filter(
        (pl.col("from_bank") == pl.col("to_bank"))
        & (pl.col("from_account") == pl.col("to_account"))
    )
    assert self_pay.height and set(self_pay["payment_format"]) == {"Reinvestment"}
    # Remittances: benign payments received in another currency.
    assert benign.filter(pl.col("payment_currency") != pl.col("receiving_currency")).height > 50
    # Transfers between two accounts of one entity.
    owner = accounts.select(bank="Bank ID", account="Account Number", entity="Entity ID")
    own = (
        benign.join(owner, left_on=["from_bank", "from_account"], right_on=["bank", "account"])
        .join(owner, left_on=["to_bank", "to_account"], right_on=["bank", "account"])
        .filter(
            (pl.col("entity") == pl.col("entity_right"))
            & (pl.col("from_account") != pl.col("to_account"))
        )
    )
    assert own.height > 20
    # Rent and savings clubs: several similar, repeated amounts into one account.
    same_amount = (
        benign.group_by("to_bank", "to_account", "amount_paid")
        .agg(payers=pl.struct("from_bank", "from_account").n_unique())
        .filter(pl.col("payers") >= 3, pl.col("amount_paid").cast(pl.Float64) >= 300)
    )
    assert same_amount.height >= 3


def test_hostile_and_non_ascii_names_sit_on_background_accounts(
    trans: pl.DataFrame, accounts: pl.DataFrame
) -> None:
    names = accounts["Entity Name"]
    script = accounts.filter(names.str.contains("<script>alert(1)</script>", literal=True))
    formula = accounts.filter(names.str.starts_with("=HYPERLINK("))
    assert script["Entity ID"].n_unique() == 1 and formula["Entity ID"].n_unique() == 1
    planted = trans.filter(pl.col("label") == "1")
    involved = set(zip(planted["from_bank"], planted["from_account"], strict=True)) | set(
        zip(planted["to_bank"], planted["to_account"], strict=True)
    )
    for row in pl.concat([script, formula]).iter_rows(named=True):
        assert (row["Bank ID"], row["Account Number"]) not in involved
    assert names.str.contains(r"[^\x00-\x7F]").sum() > 10
    assert names.str.starts_with("Corporation #").any()
    assert names.str.starts_with("Sole Proprietorship #").any()
    assert names.str.starts_with("Partnership #").any()


def test_currency_conversion_uses_one_fixed_table(trans: pl.DataFrame) -> None:
    mixed = trans.filter(pl.col("payment_currency") != pl.col("receiving_currency"))
    assert mixed.height > 0
    for row in mixed.iter_rows(named=True):
        expected = (
            float(row["amount_paid"])
            * RATE[row["payment_currency"]]
            / RATE[row["receiving_currency"]]
        )
        assert float(row["amount_received"]) == pytest.approx(expected, rel=2e-3, abs=0.011)
    same = trans.filter(pl.col("payment_currency") == pl.col("receiving_currency"))
    assert (same["amount_paid"] == same["amount_received"]).all()


ISO = {
    "US Dollar": "USD", "Euro": "EUR", "UK Pound": "GBP", "Yuan": "CNY", "Yen": "JPY",
    "Rupee": "INR", "Ruble": "RUB", "Canadian Dollar": "CAD", "Australian Dollar": "AUD",
    "Swiss Franc": "CHF", "Mexican Peso": "MXN", "Brazil Real": "BRL", "Shekel": "ILS",
    "Saudi Riyal": "SAR", "Bitcoin": "XBT",
}  # fmt: skip


def test_the_fixed_rates_match_the_packaged_fx_table_in_force_on_2022_09_01() -> None:
    table = (
        pl.read_csv(package_file("data", "fx_rates.csv"), infer_schema=False)
        .filter(pl.col("date") <= "2022-09-01")
        .sort("date")
        .group_by("currency")
        .last()
    )
    packaged = dict(zip(table["currency"], table["rate_to_gbp"].cast(pl.Float64), strict=True))
    for name, rate in RATE.items():
        assert packaged[ISO[name]] == pytest.approx(rate, rel=1e-9), name


# --- arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rows": 999},
        {"rows": True},
        {"rows": 1000.0},
        {"seed": -1},
        {"name": "../escape"},
        {"name": ""},
        {"days": 3},
        {"days": 400},
    ],
)
def test_bad_arguments_raise_input_error(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"out_dir": tmp_path, "rows": 1000, "seed": 1, **kwargs}
    with pytest.raises(InputError):
        generate(**args)


def test_an_output_path_that_is_a_file_raises_input_error(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(InputError):
        generate(target, rows=1000, seed=1)
