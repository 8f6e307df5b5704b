"""The link chart: accounts as nodes coloured by role, payments as arrows sized by value.

Layout is networkx's spring layout with a fixed seed, so the same case always gives the same
picture. Readable from 3 to 60 nodes: beyond `MAX_NODES` the smallest accounts merge into one
"other accounts" node; every node carries its key number (the table under the chart maps
numbers to accounts); names are drawn only where they fit without overlapping.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from finflow.casepack.figures.spring import spring_positions
from finflow.casepack.figures.svg import (
    ROLE_COLOURS,
    clip,
    esc,
    num,
    open_svg,
    scale_sqrt,
    short_gbp,
    text_width,
)
from finflow.casepack.model import CaseNetwork

log = logging.getLogger(__name__)

MAX_NODES = 60
OTHER = "__other__"
WIDTH = 960
_LABEL_SIZE = 11.0


@dataclass
class _Node:
    key: str
    number: int
    label: str
    role: str
    alerted: bool
    value: float
    x: float = 0.0
    y: float = 0.0
    r: float = 6.0


def _nodes(network: CaseNetwork) -> tuple[dict[str, _Node], dict[str, str], int]:
    """Drawn nodes, a map account key -> drawn node key, and how many accounts were merged."""
    ordered = network.ordered()
    kept = ordered if len(ordered) <= MAX_NODES else ordered[: MAX_NODES - 1]
    nodes = {p.key: _Node(p.key, p.number, p.label, p.role, p.alerted, p.value_gbp) for p in kept}
    mapping = {p.key: p.key for p in kept}
    merged = ordered[len(kept) :]
    if merged:
        nodes[OTHER] = _Node(
            OTHER,
            0,
            f"{len(merged)} other accounts",
            "other accounts",
            False,
            sum(p.value_gbp for p in merged),
        )
        mapping.update({p.key: OTHER for p in merged})
    return nodes, mapping, len(merged)


def _edges(network: CaseNetwork, mapping: dict[str, str]) -> dict[tuple[str, str], list[float]]:
    """(payer node, payee node) -> [count, GBP], merged accounts folded into OTHER."""
    edges: dict[tuple[str, str], list[float]] = {}
    for (payer, payee), flow in network.flows.items():
        a, b = mapping[payer], mapping[payee]
        if a == b:
            continue
        entry = edges.setdefault((a, b), [0.0, 0.0])
        entry[0] += flow.n
        entry[1] += flow.gbp
    return dict(sorted(edges.items()))


def _layout(nodes: dict[str, _Node], edges: dict[tuple[str, str], list[float]]) -> None:
    """Place nodes with a seeded spring layout, then push overlapping circles apart."""
    order = sorted(nodes, key=lambda k: (nodes[k].number or 10**9, k))
    index = {key: i for i, key in enumerate(order)}
    weights: dict[tuple[int, int], float] = {}
    for (a, b), (_, gbp) in edges.items():
        w = math.log1p(gbp) + 1.0
        pair = (index[a], index[b])
        if pair[::-1] in weights:  # the graph is undirected: b -> a is the same edge
            weights[pair[::-1]] += w
        else:
            weights[pair] = w
    n = len(nodes)
    if n == 1:
        pos = {next(iter(nodes)): (0.0, 0.0)}
    else:
        pos = dict(zip(order, spring_positions(order, weights, 1.6 / math.sqrt(n)), strict=True))
    xs = [float(p[0]) for p in pos.values()]
    ys = [float(p[1]) for p in pos.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    height = _height(n)
    top_value = max((node.value for node in nodes.values()), default=0.0)
    hi = 22.0 if n <= 20 else 16.0 if n <= 40 else 12.0
    margin_x, margin_y = 150.0, 40.0
    for key, node in nodes.items():
        px, py = pos[key]
        node.x = margin_x + (float(px) - min(xs)) / span_x * (WIDTH - 2 * margin_x)
        node.y = margin_y + (float(py) - min(ys)) / span_y * (height - 110 - margin_y)
        if n == 1:
            node.x, node.y = WIDTH / 2, (height - 70) / 2
        node.r = round(scale_sqrt(node.value, top_value, 6.0, hi), 1)
    ordered = sorted(nodes.values(), key=lambda nd: (nd.number or 10**9, nd.key))
    for _ in range(40):
        moved = False
        for i, one in enumerate(ordered):
            for two in ordered[i + 1 :]:
                dx, dy = two.x - one.x, two.y - one.y
                dist = math.hypot(dx, dy)
                need = one.r + two.r + 10.0
                if dist < need:
                    if dist < 1e-6:
                        dx, dy, dist = 1.0, 0.0, 1.0
                    push = (need - dist) / 2
                    one.x -= dx / dist * push
                    one.y -= dy / dist * push
                    two.x += dx / dist * push
                    two.y += dy / dist * push
                    moved = True
        for nd in ordered:
            nd.x = min(max(nd.x, margin_x / 2), WIDTH - margin_x / 2)
            nd.y = min(max(nd.y, margin_y / 2), height - 100)
        if not moved:
            break
    for nd in ordered:
        nd.x, nd.y = round(nd.x, 1), round(nd.y, 1)


def _height(n: int) -> int:
    return 380 if n <= 4 else 520 if n <= 15 else 680


def _edge_svg(a: _Node, b: _Node, count: float, gbp: float, width: float, curved: bool) -> str:
    """An arrow from a to b (curved when the reverse arrow exists), with a tooltip."""
    dx, dy = b.x - a.x, b.y - a.y
    dist = math.hypot(dx, dy) or 1.0
    ux, uy = dx / dist, dy / dist
    bend = 0.18 * dist if curved else 0.0
    mx, my = (a.x + b.x) / 2 - uy * bend, (a.y + b.y) / 2 + ux * bend
    # End the path at the edge of b's circle, in the direction it arrives from.
    tx, ty = (b.x - mx, b.y - my) if curved else (dx, dy)
    tlen = math.hypot(tx, ty) or 1.0
    ex, ey = b.x - tx / tlen * (b.r + 2), b.y - ty / tlen * (b.r + 2)
    sx, sy = a.x + ux * a.r, a.y + uy * a.r
    head = 5.0 + width
    hx, hy = ex - tx / tlen * head, ey - ty / tlen * head
    px, py = -ty / tlen * head * 0.5, tx / tlen * head * 0.5
    if curved:
        path = f"M{num(sx)},{num(sy)} Q{num(mx)},{num(my)} {num(hx)},{num(hy)}"
    else:
        path = f"M{num(sx)},{num(sy)} L{num(hx)},{num(hy)}"
    tip = f"{a.label} to {b.label}: {int(count)} payment(s), {short_gbp(gbp)}"
    return (
        f'<g class="edge"><title>{esc(tip)}</title>'
        f'<path d="{path}" fill="none" stroke="#64748b" stroke-opacity="0.75"'
        f' stroke-width="{num(width)}"/>'
        f'<polygon points="{num(ex)},{num(ey)} {num(hx + px)},{num(hy + py)}'
        f' {num(hx - px)},{num(hy - py)}" fill="#475569"/></g>'
    )


def _overlaps(box: tuple[float, float, float, float], boxes: list[tuple[float, ...]]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b[2] and x1 > b[0] and y0 < b[3] and y1 > b[1] for b in boxes)


def _labels(nodes: list[_Node], height: int) -> list[str]:
    """Name labels where they fit: tried right, left, below, above each node, in key order."""
    taken: list[tuple[float, ...]] = [(n.x - n.r, n.y - n.r, n.x + n.r, n.y + n.r) for n in nodes]
    limit = 28 if len(nodes) <= 15 else 20
    out = []
    for nd in nodes:
        text = clip(nd.label, limit)
        w, h = text_width(text, _LABEL_SIZE), _LABEL_SIZE + 2
        options = [
            (nd.x + nd.r + 4, nd.y - h / 2, "start"),
            (nd.x - nd.r - 4 - w, nd.y - h / 2, "end"),
            (nd.x - w / 2, nd.y + nd.r + 3, "middle"),
            (nd.x - w / 2, nd.y - nd.r - 3 - h, "middle"),
        ]
        for x0, y0, anchor in options:
            box = (x0, y0, x0 + w, y0 + h)
            if x0 < 2 or x0 + w > WIDTH - 2 or y0 < 2 or y0 + h > height - 92:
                continue
            if _overlaps(box, taken):
                continue
            taken.append(box)
            tx = {"start": x0, "end": x0 + w, "middle": x0 + w / 2}[anchor]
            out.append(
                f'<text x="{num(tx)}" y="{num(y0 + h - 3)}" font-size="{num(_LABEL_SIZE)}"'
                f' text-anchor="{anchor}" fill="#1f2933">{esc(text)}</text>'
            )
            break
    return out


def _legend(roles: list[str], height: int, merged: int, top_gbp: float) -> list[str]:
    y = height - 62
    out = [f'<line x1="20" y1="{y - 14}" x2="{WIDTH - 20}" y2="{y - 14}" stroke="#d9dee4"/>']
    x = 24.0
    for role in roles:
        out.append(
            f'<circle cx="{num(x + 6)}" cy="{y}" r="6" fill="{ROLE_COLOURS.get(role, "#6b7280")}"/>'
        )
        out.append(f'<text x="{num(x + 16)}" y="{y + 4}" font-size="11">{esc(role)}</text>')
        x += 30 + text_width(role, 11)
    out.append(
        f'<circle cx="{num(x + 8)}" cy="{y}" r="7" fill="#ffffff" stroke="#111827"'
        ' stroke-width="3"/>'
    )
    out.append(f'<text x="{num(x + 20)}" y="{y + 4}" font-size="11">alerted account</text>')
    y2 = y + 24
    out.append(f'<line x1="24" y1="{y2}" x2="54" y2="{y2}" stroke="#64748b" stroke-width="1"/>')
    out.append(f'<line x1="64" y1="{y2}" x2="94" y2="{y2}" stroke="#64748b" stroke-width="9"/>')
    note = (
        f"arrow width: value paid (thickest {short_gbp(top_gbp)}); circle size: value moved;"
        " numbers refer to the key table"
    )
    if merged:
        note += f"; {merged} smallest accounts merged into one node"
    out.append(f'<text x="104" y="{y2 + 4}" font-size="11" fill="#374151">{esc(note)}</text>')
    return out


def link_chart_svg(network: CaseNetwork, title: str) -> str:
    """The link chart of `network` as a standalone SVG document (deterministic text)."""
    nodes, mapping, merged = _nodes(network)
    edges = _edges(network, mapping)
    _layout(nodes, edges)
    height = _height(len(nodes))
    top_gbp = max((gbp for _, gbp in edges.values()), default=0.0)
    out = open_svg(
        WIDTH,
        height,
        title,
        f"{len(network.parties)} accounts and {len(edges)} payment links; see the key table.",
    )
    for (a, b), (count, gbp) in edges.items():
        width = round(scale_sqrt(gbp, top_gbp, 1.0, 9.0), 1)
        out.append(_edge_svg(nodes[a], nodes[b], count, gbp, width, (b, a) in edges))
    if len(edges) <= 12:
        for (a, b), (_, gbp) in edges.items():
            na, nb = nodes[a], nodes[b]
            curved = (b, a) in edges
            dx, dy = nb.x - na.x, nb.y - na.y
            dist = math.hypot(dx, dy) or 1.0
            off = 0.09 * dist + 8 if curved else 8
            mx, my = (na.x + nb.x) / 2 - dy / dist * off, (na.y + nb.y) / 2 + dx / dist * off
            out.append(
                f'<text x="{num(mx)}" y="{num(my + 4)}" font-size="10" text-anchor="middle"'
                f' fill="#334155" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
                f"{esc(short_gbp(gbp))}</text>"
            )
    ordered = sorted(nodes.values(), key=lambda nd: (nd.number or 10**9, nd.key))
    for nd in ordered:
        fill = ROLE_COLOURS.get(nd.role, "#6b7280")
        stroke = ' stroke="#111827" stroke-width="3"' if nd.alerted else ' stroke="#ffffff"'
        tip = f"{nd.number or '-'}: {nd.label} ({nd.role}) {short_gbp(nd.value)}"
        out.append(
            f'<g class="node"><title>{esc(tip)}</title><circle cx="{num(nd.x)}" cy="{num(nd.y)}"'
            f' r="{num(nd.r)}" fill="{fill}"{stroke}/>'
        )
        mark = str(nd.number) if nd.number else "…"
        size = 10.0 if nd.r >= 9 else 8.0
        colour = "#ffffff" if nd.role != "other accounts" else "#111827"
        out.append(
            f'<text x="{num(nd.x)}" y="{num(nd.y + size / 2 - 1)}" font-size="{num(size)}"'
            f' text-anchor="middle" font-weight="700" fill="{colour}">{esc(mark)}</text></g>'
        )
    out.extend(_labels(ordered, height))
    roles = [r for r in ROLE_COLOURS if any(nd.role == r for nd in nodes.values())]
    roles += sorted({nd.role for nd in nodes.values()} - set(ROLE_COLOURS))
    out.extend(_legend(roles, height, merged, top_gbp))
    out.append("</svg>")
    log.debug("link chart: %d nodes, %d edges", len(nodes), len(edges))
    return "\n".join(out) + "\n"
