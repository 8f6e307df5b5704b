"""STACK: fires on layered forwarding, silent on its look-alikes, at each boundary."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
from txbuild import at, frame, tx

from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules
from finflow.detect.stack import SEP, _leg_nodes, _with_episodes, stack
from finflow.detect.unionfind import smallest_roots

RULES = load_rules(known=set(DETECTORS)).rules
Rows = list[dict[str, object]]


def layers(keep: float = 0.95, scale: float = 1.0) -> Rows:
    """Two sources -> two conduits -> two conduits -> two sinks, each conduit passing `keep`
    (sums x `scale`)."""
    unit = 1000 * scale
    rows = [
        tx(at(hours=0), "1:A", "2:B1", unit),
        tx(at(hours=1), "1:A2", "2:B1", unit),
        tx(at(hours=2), "1:A2", "2:B2", unit),
        tx(at(hours=10), "2:B1", "3:C1", 2 * unit * keep),
        tx(at(hours=11), "2:B2", "3:C2", unit * keep),
        tx(at(hours=30), "3:C1", "4:D1", unit * keep * keep),
        tx(at(hours=30.5), "3:C1", "4:D2", unit * keep * keep),
        tx(at(hours=31), "3:C2", "4:D2", unit * keep * keep),
    ]
    return rows


def test_stack_fires_on_layered_many_to_many_forwarding(tmp_path: Path) -> None:
    alerts = stack(frame(tmp_path, layers()), RULES["STACK"])
    assert len(alerts) == 1
    assert alerts[0]["metrics"]["layers"] == 4
    assert alerts[0]["metrics"]["conduits_passing_on"] == 4
    assert len(alerts[0]["evidence_txn_ids"]) == 8


def test_stack_is_silent_on_a_split_and_rejoin_which_is_scatter_gather(tmp_path: Path) -> None:
    rows = [tx(at(hours=i), "1:SRC", f"2:M{i}", 1000) for i in range(3)]
    rows += [tx(at(hours=20 + i), f"2:M{i}", "3:SINK", 950) for i in range(3)]
    assert stack(frame(tmp_path, rows), RULES["STACK"]) == []


def two_chains(end1: str, end2: str) -> Rows:
    """A -> B1 -> C1 -> `end1` and A2 -> B2 -> C2 -> `end2`, each hop passing on 95%."""
    return [
        tx(at(hours=0), "1:A", "2:B1", 1000),
        tx(at(hours=1), "1:A2", "2:B2", 1000),
        tx(at(hours=10), "2:B1", "3:C1", 950),
        tx(at(hours=11), "2:B2", "3:C2", 950),
        tx(at(hours=30), "3:C1", end1, 900),
        tx(at(hours=31), "3:C2", end2, 900),
    ]


def test_stack_is_silent_on_people_passing_money_along_a_tree(tmp_path: Path) -> None:
    # Two chains meeting at one account: layered and conserved, but no account is reached
    # along two routes, as when friends pass money on for a shared cost.
    rows = two_chains("4:D", "4:D")
    assert stack(frame(tmp_path, rows), RULES["STACK"]) == []
    # below the counted size: still a tree
    rows.append(tx(at(hours=2), "1:A", "2:B2", 9))
    assert stack(frame(tmp_path, rows), RULES["STACK"]) == []


def test_stack_conservation_boundary(tmp_path: Path) -> None:
    assert len(stack(frame(tmp_path, layers(keep=0.8)), RULES["STACK"])) == 1
    assert stack(frame(tmp_path, layers(keep=0.79)), RULES["STACK"]) == []


def delayed_layers(delay_hours: float, keep: float = 0.95) -> Rows:
    """`layers()` with the last layer paid `delay_hours` after its conduits were paid."""
    return [
        *layers(keep)[:5],
        tx(at(hours=10 + delay_hours), "3:C1", "4:D1", 1000 * keep * keep),
        tx(at(hours=10 + delay_hours), "3:C1", "4:D2", 1000 * keep * keep),
        tx(at(hours=11 + delay_hours), "3:C2", "4:D2", 1000 * keep * keep),
    ]


def test_stack_layer_hours_boundary(tmp_path: Path) -> None:
    # C1 is paid at 10 h, C2 at 11 h, and each pays on `delay` hours later: up to
    # layer_hours (96) the layers hold together, past it they fall apart.
    assert len(stack(frame(tmp_path, delayed_layers(96)), RULES["STACK"])) == 1
    assert stack(frame(tmp_path, delayed_layers(96.1)), RULES["STACK"]) == []


def test_stack_judges_a_conduit_on_the_layer_not_on_its_own_payments(tmp_path: Path) -> None:
    rows = layers()
    # B1 had its own credit a day before the layer, and both C conduits spend on their own
    # (one-off payees) a day after passing the layer on: the whole-period totals no longer
    # balance (B1 got 3,000 and sent 1,900; C1 sent 1,805 + 600 of 1,900), the layer does.
    rows += [
        tx(at(hours=-30), "5:OWN", "2:B1", 1000),
        tx(at(hours=60), "3:C1", "6:SHOP", 600),
        tx(at(hours=62), "3:C2", "6:SHOP2", 400),
    ]
    alerts = stack(frame(tmp_path, rows), RULES["STACK"])
    assert len(alerts) == 1
    assert alerts[0]["metrics"]["conduits_passing_on"] == 4


def test_stack_is_silent_when_the_routes_are_on_different_weeks(tmp_path: Path) -> None:
    # The same accounts pass money along two chains, a week apart: each week is a tree; only
    # merged over the month would the accounts look many-to-many.
    week1 = two_chains("4:D1", "4:D2")
    week2 = [
        tx(at(days=8, hours=0), "1:A", "2:B2", 1000),
        tx(at(days=8, hours=10), "2:B2", "3:C1", 950),
        tx(at(days=8, hours=30), "3:C1", "4:D2", 900),
    ]
    assert stack(frame(tmp_path, week1 + week2), RULES["STACK"]) == []


def small_layers(unit: float = 50.0) -> Rows:
    """Two sources -> two conduits -> two conduits -> two sinks in small sums, every source
    paying both conduits of the first layer and the last conduits both sinks (three parallel
    routes); each conduit passes on all it received, the smallest payment is 0.95 x `unit`."""
    rows = [
        tx(at(hours=i), f"1:A{a}", f"2:B{b}", unit)
        for i, (a, b) in enumerate([(1, 1), (1, 2), (2, 1), (2, 2)])
    ]
    rows += [tx(at(hours=10 + b), f"2:B{b}", f"3:C{b}", 1.9 * unit) for b in (1, 2)]
    rows += [
        tx(at(hours=30 + i), f"3:C{c}", f"4:D{d}", 0.95 * unit)
        for i, (c, d) in enumerate([(1, 1), (1, 2), (2, 1), (2, 2)])
    ]
    return rows


def test_stack_fires_on_small_layers_with_parallel_routes(tmp_path: Path) -> None:
    alerts = stack(frame(tmp_path, small_layers()), RULES["STACK"])
    assert len(alerts) == 1
    assert alerts[0]["metrics"]["links"] - alerts[0]["metrics"]["accounts"] + 1 == 3
    assert len(alerts[0]["evidence_txn_ids"]) == 10


def test_stack_is_silent_on_small_layers_with_one_parallel_route(tmp_path: Path) -> None:
    # the shape of layers() (one parallel route), in sums below min_amount_gbp: friends
    # passing small sums around overlap like this by chance
    assert stack(frame(tmp_path, layers(scale=0.05)), RULES["STACK"]) == []


def test_stack_small_amount_boundaries(tmp_path: Path) -> None:
    rule = RULES["STACK"]
    tx_frame = frame(tmp_path, small_layers(unit=50))  # smallest payment 47.5
    counted = replace(rule, params={**rule.params, "min_small_amount_gbp": 47.5})
    assert len(stack(tx_frame, counted)) == 1
    too_small = replace(rule, params={**rule.params, "min_small_amount_gbp": 47.51})
    assert stack(tx_frame, too_small) == []
    routes = rule.params["min_parallel_routes_small"]
    three = replace(rule, params={**rule.params, "min_parallel_routes_small": 3})
    assert routes <= 3 and len(stack(tx_frame, three)) == 1
    four = replace(rule, params={**rule.params, "min_parallel_routes_small": 4})
    assert stack(tx_frame, four) == []
    # eight accounts, each in one episode
    eight = replace(rule, params={**rule.params, "max_group_accounts_small": 8})
    assert len(stack(tx_frame, eight)) == 1
    seven = replace(rule, params={**rule.params, "max_group_accounts_small": 7})
    assert stack(tx_frame, seven) == []


def test_stack_min_amount_boundary_switches_to_the_small_sum_condition(tmp_path: Path) -> None:
    # layers() has one parallel route and its smallest payment is 1000 x 0.95 x 0.95: at
    # min_amount_gbp up to that it is a stack of ordinary sums; above it, the same group
    # counts as small sums and needs min_parallel_routes_small (2) routes
    rule = RULES["STACK"]
    tx_frame = frame(tmp_path, layers())
    smallest = 1000 * 0.95 * 0.95
    ordinary = replace(rule, params={**rule.params, "min_amount_gbp": smallest})
    assert len(stack(tx_frame, ordinary)) == 1
    small = replace(rule, params={**rule.params, "min_amount_gbp": smallest + 0.01})
    assert stack(tx_frame, small) == []


def test_stack_judges_a_link_one_off_among_the_payments_it_counts(tmp_path: Path) -> None:
    # A paid B1 a small sum ten days before the layers: counting every size, A -> B1 recurs
    # (a regular contact); counting only payments of min_amount_gbp, it is one-off and the
    # layers hold. Both sizes are found in one join: each keeps its own one-off links.
    rows = [tx(at(days=-10), "1:A", "2:B1", 20), *layers()]
    alerts = stack(frame(tmp_path, rows), RULES["STACK"])
    assert len(alerts) == 1
    assert alerts[0]["metrics"]["layers"] == 4
    assert len(alerts[0]["evidence_txn_ids"]) == 8


def test_stack_episodes_join_credits_and_debits_linked_through_any_chain_of_pairs() -> None:
    # c0..c3 are linked one to the next through shared debits (several passes of the
    # union-find), c4 only to its own debit; an episode is named by its first credit's position
    links = [("c3", "d2"), ("c0", "d0"), ("c1", "d0"), ("c1", "d1"), ("c2", "d1"), ("c2", "d2")]
    links.append(("c4", "d3"))
    pairs = pl.DataFrame(links, schema=["in_txn", "out_txn"], orient="row")
    got = _with_episodes(pairs).select("in_txn", "out_txn", "ep")
    assert dict(zip(got["in_txn"], got["ep"], strict=True)) == {
        "c0": 0,
        "c1": 0,
        "c2": 0,
        "c3": 0,
        "c4": 4,
    }


def test_stack_groups_map_each_node_to_the_smallest_node_linked_to_it_by_any_path() -> None:
    # 7-6-5-4 a chain given from its far end (several passes of the union-find), 1-3 a pair
    # linked both ways, 0, 2 and 8 alone
    u = np.array([7, 6, 5, 3, 1])
    v = np.array([6, 5, 4, 1, 3])
    assert smallest_roots(u, v, 9).tolist() == [0, 1, 2, 1, 4, 4, 4, 4, 8]


def test_stack_legs_join_an_accounts_other_legs_within_hours_under_the_smallest_key() -> None:
    # S starts the money of two episodes 2 h apart: one node, named by its smallest key; D
    # ends them 199 h apart (past 96): two nodes; each conduit's episode is a node of its own
    def pair(i: str, ep: str, h_in: float, h_out: float) -> dict[str, object]:
        return {
            "in_txn": f"a{i}",
            "src": "S",
            "mid": f"M{i}",
            "t1": at(hours=h_in),
            "a1": 1.0,
            "ep": ep,
            "out_txn": f"b{i}",
            "dst": "D",
            "t2": at(hours=h_out),
            "a2": 1.0,
        }

    legs = _leg_nodes(pl.DataFrame([pair("1", "0", 0, 1), pair("2", "1", 2, 200)]), 96)
    got = {t: (a, b) for t, a, b in legs.select("txn", "na", "nb").iter_rows()}
    assert got == {
        "a1": (f"S{SEP}ta1", f"M1{SEP}0"),
        "a2": (f"S{SEP}ta1", f"M2{SEP}1"),
        "b1": (f"M1{SEP}0", f"D{SEP}tb1"),
        "b2": (f"M2{SEP}1", f"D{SEP}tb2"),
    }
