"""The flow-of-funds figure: sources -> core accounts -> applications, by country and channel.

A three-column ribbon chart. Left boxes group money credited to the core accounts by the
payer's country (``country unknown`` when the reference data does not give one) and channel;
right boxes group money debited to others the same way. Heights are proportional to GBP value.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from finflow.casepack.figures.svg import clip, esc, num, open_svg, short_gbp
from finflow.casepack.flows import FlowLine, FundsFlow
from finflow.casepack.model import UNKNOWN

log = logging.getLogger(__name__)

WIDTH = 960
HEIGHT = 420
MAX_GROUPS = 7
_BOX_W = 150
_GAP = 8
_TOP = 40
_BOTTOM = 40


def _groups(lines: Sequence[FlowLine]) -> list[tuple[str, float, int]]:
    """(label, GBP, rows) per country and channel; the smallest merged into ``other``."""
    totals: dict[str, list[float]] = {}
    for line in lines:
        country = "country unknown" if line.country == UNKNOWN else line.country
        key = f"{country} · {line.channel}"
        entry = totals.setdefault(key, [0.0, 0])
        entry[0] += line.gbp
        entry[1] += line.n
    ranked = sorted(totals.items(), key=lambda kv: (-round(kv[1][0], 2), kv[0]))
    out = [(k, v[0], int(v[1])) for k, v in ranked[:MAX_GROUPS]]
    rest = ranked[MAX_GROUPS:]
    if rest:
        out.append(
            (
                f"{len(rest)} other groups",
                sum(v[0] for _, v in rest),
                sum(int(v[1]) for _, v in rest),
            )
        )
    return out


def flow_svg(flow: FundsFlow, n_core: int, title: str) -> str:
    """The flow-of-funds figure as a standalone SVG document (deterministic text)."""
    left, right = _groups(flow.sources), _groups(flow.applications)
    out = open_svg(WIDTH, HEIGHT, title, "Source and application of funds of the core accounts.")
    total = max(flow.total_in, flow.total_out, 1e-9)
    usable = HEIGHT - _TOP - _BOTTOM - _GAP * (max(len(left), len(right), 1) - 1)
    scale = usable / total
    cx = (WIDTH - _BOX_W) / 2
    core_h = max(max(flow.total_in, flow.total_out) * scale, 24.0)
    core_y = _TOP + (usable + _GAP * (max(len(left), len(right), 1) - 1) - core_h) / 2
    out.append(
        f'<text x="{_BOX_W / 2 + 10}" y="22" font-size="12" font-weight="700"'
        f' text-anchor="middle">Sources {esc(short_gbp(flow.total_in))}</text>'
    )
    out.append(
        f'<text x="{WIDTH / 2}" y="22" font-size="12" font-weight="700"'
        ' text-anchor="middle">Core (alerted) accounts</text>'
    )
    out.append(
        f'<text x="{WIDTH - _BOX_W / 2 - 10}" y="22" font-size="12" font-weight="700"'
        f' text-anchor="middle">Applications {esc(short_gbp(flow.total_out))}</text>'
    )
    for side, groups in (("in", left), ("out", right)):
        y: float = _TOP
        core_cursor = core_y
        x_box = 10.0 if side == "in" else WIDTH - _BOX_W - 10.0
        colour = "#1d4e89" if side == "in" else "#b42318"
        for label, gbp, n in groups:
            h = max(gbp * scale, 2.0)
            band = max(gbp * scale, 1.0)
            out.append(
                f'<rect x="{num(x_box)}" y="{num(y)}" width="{_BOX_W}" height="{num(h)}"'
                f' fill="{colour}" fill-opacity="0.85"><title>{esc(label)}: {n} rows,'
                f" {esc(short_gbp(gbp))}</title></rect>"
            )
            x0: float
            x1: float
            if side == "in":
                x0, x1 = x_box + _BOX_W, cx
            else:
                x0, x1 = cx + _BOX_W, x_box
            ya0, ya1 = (y, core_cursor) if side == "in" else (core_cursor, y)
            mx = (x0 + x1) / 2
            out.append(
                f'<path d="M{num(x0)},{num(ya0)} C{num(mx)},{num(ya0)} {num(mx)},{num(ya1)}'
                f" {num(x1)},{num(ya1)} L{num(x1)},{num(ya1 + band)} C{num(mx)},{num(ya1 + band)}"
                f' {num(mx)},{num(ya0 + band)} {num(x0)},{num(ya0 + band)} Z"'
                f' fill="{colour}" fill-opacity="0.18"/>'
            )
            text = f"{clip(label, 26)}  {short_gbp(gbp)} ({n})"
            ty = y + h / 2 + 4 if h >= 14 else y + h + 11
            tx = x_box + _BOX_W + 6 if side == "in" else x_box - 6
            anchor = "start" if side == "in" else "end"
            out.append(
                f'<text x="{num(tx)}" y="{num(ty)}" font-size="10.5" text-anchor="{anchor}"'
                f' fill="#1f2933" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
                f"{esc(text)}</text>"
            )
            y += h + _GAP
            core_cursor += band
        if not groups:
            out.append(
                f'<text x="{num(x_box + _BOX_W / 2)}" y="{_TOP + 20}" font-size="11"'
                ' text-anchor="middle" fill="#6b7280">none in the schedule</text>'
            )
    out.append(
        f'<rect x="{num(cx)}" y="{num(core_y)}" width="{_BOX_W}" height="{num(core_h)}"'
        ' fill="#111827" fill-opacity="0.9"/>'
    )
    out.append(
        f'<text x="{num(WIDTH / 2)}" y="{num(core_y + core_h / 2 + 4)}" font-size="11"'
        f' text-anchor="middle" fill="#ffffff">{n_core} account(s)</text>'
    )
    note = (
        f"Between core accounts: {short_gbp(flow.internal.gbp)} ({flow.internal.n} rows). "
        "Grouped by counterparty country (where the data gives one) and channel."
    )
    out.append(f'<text x="10" y="{HEIGHT - 12}" font-size="11" fill="#374151">{esc(note)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
