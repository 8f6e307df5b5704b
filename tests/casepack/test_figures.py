"""figures: deterministic, escaped SVG for the link chart, timeline and flow of funds."""

from __future__ import annotations

import math
import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree

import networkx as nx
from casepack_sample import HOSTILE_NAME, build_case

from finflow.casepack.figures.flow import flow_svg
from finflow.casepack.figures.linkchart import MAX_NODES, link_chart_svg
from finflow.casepack.figures.spring import ITERATIONS, SEED, spring_positions
from finflow.casepack.figures.svg import attr, esc
from finflow.casepack.figures.timeline import timeline_svg
from finflow.casepack.flows import funds_flow
from finflow.casepack.model import build_network

SVG = "{http://www.w3.org/2000/svg}"


def _rows(case: dict[str, Any], frame: Any) -> list[dict[str, Any]]:
    return frame.sort("booked_at", "txn_id").to_dicts()


def _star(n: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A hub paid by `n` payers, each once, with distinct values."""
    start = datetime(2022, 9, 1, tzinfo=UTC)
    rows = [
        {
            "txn_id": f"t{i:04d}",
            "booked_at": start + timedelta(hours=i),
            "payer_bank": "100",
            "payer_account": f"P{i:04d}",
            "payee_bank": "001",
            "payee_account": "HUB",
            "amount_gbp": 100.0 + i,
            "channel": "wire",
            "tags": ["FAN_IN"],
        }
        for i in range(n)
    ]
    accounts = [{"bank": "001", "account": "HUB", "entity_name": "Hub & Co <b>", "alerted": True}]
    accounts += [
        {"bank": "100", "account": f"P{i:04d}", "entity_name": f"Payer number {i}"}
        for i in range(n)
    ]
    return {"case_id": "C-star", "accounts": accounts, "alerts": []}, rows


def test_link_chart_is_valid_deterministic_and_escapes_names() -> None:
    case, frame = build_case(hostile=True)
    rows = _rows(case, frame)
    a = link_chart_svg(build_network(case, rows), "t")
    b = link_chart_svg(build_network(case, list(reversed(rows))), "t")
    assert a == b
    ElementTree.fromstring(a)  # noqa: S314 - our own output, well-formed XML
    assert "<script" not in a
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in a or HOSTILE_NAME not in a


def test_link_chart_draws_every_node_up_to_the_limit_and_merges_beyond() -> None:
    small_case, small_rows = _star(3)
    small = ElementTree.fromstring(link_chart_svg(build_network(small_case, small_rows), "s"))  # noqa: S314 - our own output
    assert len(small.findall(f".//{SVG}g[@class='node']")) == 4
    big_case, big_rows = _star(120)
    svg = link_chart_svg(build_network(big_case, big_rows), "b")
    big = ElementTree.fromstring(svg)  # noqa: S314 - our own output
    assert len(big.findall(f".//{SVG}g[@class='node']")) == MAX_NODES
    assert "62 smallest accounts merged" in svg
    assert "Hub &amp; Co &lt;b&gt;" in svg


def test_link_chart_labels_do_not_overlap() -> None:
    case, rows = _star(40)
    root = ElementTree.fromstring(link_chart_svg(build_network(case, rows), "l"))  # noqa: S314 - our own output
    boxes = []
    for text in root.findall(f"{SVG}text"):
        if text.get("font-size") != "11" or not text.get("text-anchor"):
            continue
        width = len(text.text or "") * 11 * 0.56
        x, y = float(text.get("x", 0)), float(text.get("y", 0))
        x0 = {"start": x, "end": x - width, "middle": x - width / 2}[text.get("text-anchor", "")]
        boxes.append((x0, y - 10, x0 + width, y + 3))
    assert boxes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]), (a, b)


def test_timeline_and_flow_are_well_formed_and_deterministic() -> None:
    case, frame = build_case(hostile=True)
    rows = _rows(case, frame)
    network = build_network(case, rows)
    t1 = timeline_svg(rows, case["alerts"], network, "t")
    assert t1 == timeline_svg(rows, case["alerts"], build_network(case, rows), "t")
    ElementTree.fromstring(t1)  # noqa: S314 - our own output
    assert len(re.findall(r"<circle ", t1)) > len(rows)  # indicator lanes + account lane
    f1 = flow_svg(funds_flow(network, rows), len(network.core), "f")
    ElementTree.fromstring(f1)  # noqa: S314 - our own output
    assert "country unknown" in f1


def test_funds_flow_splits_sources_applications_and_counts_every_boundary_row() -> None:
    case, frame = build_case()
    rows = _rows(case, frame)
    flow = funds_flow(build_network(case, rows), rows)
    n = sum(x.n for x in flow.sources) + sum(x.n for x in flow.applications) + flow.internal.n
    assert n == len(rows)  # the sample's only core account is party to every row
    assert round(flow.total_in + flow.total_out, 2) == round(sum(r["amount_gbp"] for r in rows), 2)
    assert [c["country"] for c in flow.by_country] == ["unknown"]


def _random_graph(rng: random.Random, n: int) -> tuple[list[str], dict[tuple[int, int], float]]:
    """Nodes and weighted edges as `_layout` builds them: reverse edges add to one weight."""
    weights: dict[tuple[int, int], float] = {}
    for _ in range(rng.randint(0, 3 * n)):
        a, b = rng.sample(range(n), 2)
        w = math.log1p(rng.random() * 10 ** rng.randint(0, 7)) + 1.0
        pair = (b, a) if (b, a) in weights else (a, b)
        weights[pair] = weights.get(pair, 0.0) + w
    return [f"n{i:02d}" for i in range(n)], weights


def test_link_chart_layout_gives_networkx_spring_layout_floats_exactly() -> None:
    # Both ways of computing (Python floats for small graphs, numpy above), every size a
    # chart can have; repr() tells -0.0 from 0.0.
    rng = random.Random(8)
    for n in [*range(2, MAX_NODES + 1), *([2, 3, 4, 5, 6, 7, 8, 9] * 8)]:
        order, weights = _random_graph(rng, n)
        graph = nx.Graph()
        graph.add_nodes_from(order)
        for (i, j), w in weights.items():
            graph.add_edge(order[i], order[j], weight=w)
        k = 1.6 / math.sqrt(n)
        expected = nx.spring_layout(graph, seed=SEED, k=k, iterations=ITERATIONS, weight="weight")
        got = dict(zip(order, spring_positions(order, weights, k), strict=True))
        for key in order:
            assert [repr(float(v)) for v in got[key]] == [repr(float(v)) for v in expected[key]]


def test_svg_text_and_attributes_drop_control_characters_and_escape_markup() -> None:
    assert esc("a\x00b\tc\nd\x1fe <&> é\u2028") == "ab\tcde &lt;&amp;&gt; é\u2028"
    assert attr("a\tb\x07<c>") == '"ab&lt;c&gt;"'
    assert attr('a\tb"') == "'ab\"'"  # quoteattr's choice of quotes
