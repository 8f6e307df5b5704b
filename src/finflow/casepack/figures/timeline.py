"""The timeline: schedule rows over time, one lane per indicator and per core account.

Indicator lanes show each row an indicator cites as a dot sized by GBP value, over a shaded
band for each alert window. Account lanes (the alerted accounts, largest first) show credits
above the lane's centre line (filled) and debits below it (hollow). Times are UTC.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from finflow.casepack.figures.svg import (
    SERIES,
    clip,
    esc,
    num,
    open_svg,
    scale_sqrt,
    short_gbp,
)
from finflow.casepack.model import CaseNetwork, party_key

log = logging.getLogger(__name__)

WIDTH = 960
LANE = 34
LEFT = 190
RIGHT = 24
TOP = 30
MAX_ACCOUNT_LANES = 8
_STEPS = [
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(days=1),
    timedelta(days=2),
    timedelta(days=7),
    timedelta(days=14),
    timedelta(days=30),
    timedelta(days=91),
    timedelta(days=365),
]


def _dt(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _ticks(start: datetime, end: datetime) -> tuple[list[datetime], str]:
    """Tick times (aligned to midnight UTC for day steps) and their strftime format."""
    span = end - start
    step = next((s for s in _STEPS if span / s <= 9), _STEPS[-1])
    if step < timedelta(days=1):
        first = start.replace(minute=0, second=0, microsecond=0)
        fmt = "%d %b %H:%M"
    else:
        first = start.replace(hour=0, minute=0, second=0, microsecond=0)
        fmt = "%d %b %Y" if step >= timedelta(days=30) else "%d %b"
    ticks = []
    t = first
    while t <= end:
        if t >= start:
            ticks.append(t)
        t += step
    return ticks, fmt


def timeline_svg(
    rows: Sequence[Mapping[str, Any]],
    alerts: Sequence[Mapping[str, Any]],
    network: CaseNetwork,
    title: str,
) -> str:
    """The timeline figure as a standalone SVG document (deterministic text)."""
    times = [t for t in (_dt(r.get("booked_at")) for r in rows) if t is not None]
    rules = sorted({str(t) for r in rows for t in (r.get("tags") or [])})
    core = sorted(
        (network.parties[k] for k in network.core),
        key=lambda p: (-round(p.value_gbp, 2), p.key),
    )[:MAX_ACCOUNT_LANES]
    lanes = [("rule", r) for r in rules] + [("account", p.key) for p in core]
    height = TOP + max(len(lanes), 1) * LANE + 74
    out = open_svg(WIDTH, height, title, f"{len(rows)} transactions over time (UTC).")
    if not times:
        out.append(f'<text x="{LEFT}" y="{TOP + 20}" font-size="12">No dated rows.</text>')
        out.append("</svg>")
        return "\n".join(out) + "\n"
    start, end = min(times), max(times)
    for a in alerts:
        ws, we = _dt(a.get("window_start")), _dt(a.get("window_end"))
        start = min(start, ws) if ws else start
        end = max(end, we) if we else end
    if end - start < timedelta(hours=2):
        start, end = start - timedelta(hours=1), end + timedelta(hours=1)
    pad = (end - start) * 0.02
    start, end = start - pad, end + pad
    span = (end - start).total_seconds()

    def x_of(t: datetime) -> float:
        return LEFT + (t - start).total_seconds() / span * (WIDTH - LEFT - RIGHT)

    bottom = TOP + len(lanes) * LANE
    ticks, fmt = _ticks(start, end)
    for t in ticks:
        x = x_of(t)
        out.append(f'<line x1="{num(x)}" y1="{TOP}" x2="{num(x)}" y2="{bottom}" stroke="#e5e7eb"/>')
        out.append(
            f'<text x="{num(x)}" y="{bottom + 16}" font-size="10.5" text-anchor="middle"'
            f' fill="#374151">{esc(t.strftime(fmt))}</text>'
        )
    top_gbp = max((float(r.get("amount_gbp") or 0.0) for r in rows), default=0.0)
    colour = {r: SERIES[i % len(SERIES)] for i, r in enumerate(rules)}
    for i, (kind, name) in enumerate(lanes):
        y0 = TOP + i * LANE
        mid = y0 + LANE / 2
        if i % 2 == 0:
            out.append(
                f'<rect x="{LEFT}" y="{y0}" width="{WIDTH - LEFT - RIGHT}" height="{LANE}"'
                ' fill="#f8fafc"/>'
            )
        if kind == "rule":
            label, col = name, colour[name]
            for a in alerts:
                ws, we = _dt(a.get("window_start")), _dt(a.get("window_end"))
                if str(a.get("rule_id")) != name or ws is None or we is None:
                    continue
                x0, x1 = x_of(ws), max(x_of(we), x_of(ws) + 2)
                out.append(
                    f'<rect x="{num(x0)}" y="{y0 + 3}" width="{num(x1 - x0)}"'
                    f' height="{LANE - 6}" fill="{col}" fill-opacity="0.10"/>'
                )
        else:
            party = network.parties[name]
            label, col = f"{party.number}. {party.label}", "#111827"
            out.append(
                f'<line x1="{LEFT}" y1="{num(mid)}" x2="{WIDTH - RIGHT}" y2="{num(mid)}"'
                ' stroke="#cbd5e1"/>'
            )
        out.append(
            f'<text x="{LEFT - 8}" y="{num(mid + 4)}" font-size="11" text-anchor="end"'
            f' fill="{col}">{esc(clip(label, 28))}</text>'
        )
        for r in rows:
            booked = _dt(r.get("booked_at"))
            if booked is None:
                continue
            gbp = float(r.get("amount_gbp") or 0.0)
            rad = scale_sqrt(gbp, top_gbp, 2.0, 7.0)
            tip = f"{r.get('txn_id')} {booked.strftime('%Y-%m-%d %H:%M')} {short_gbp(gbp)}"
            if kind == "rule":
                if name not in (r.get("tags") or []):
                    continue
                shape = f'fill="{col}" fill-opacity="0.7"'
                y = mid
            else:
                credit = party_key(r.get("payee_bank"), r.get("payee_account")) == name
                debit = party_key(r.get("payer_bank"), r.get("payer_account")) == name
                if not (credit or debit):
                    continue
                y = mid - 7 if credit else mid + 7
                shape = (
                    'fill="#047857" fill-opacity="0.7"'
                    if credit
                    else 'fill="#ffffff" stroke="#b42318" stroke-width="1.3"'
                )
                tip += " credit" if credit else " debit"
            out.append(
                f'<circle cx="{num(x_of(booked))}" cy="{num(y)}" r="{num(rad)}" {shape}>'
                f"<title>{esc(tip)}</title></circle>"
            )
    for n, line in enumerate(_legend(rules, core)):
        out.append(
            f'<text x="{LEFT}" y="{bottom + 36 + 14 * n}" font-size="11" fill="#374151">'
            f"{esc(line)}</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _legend(rules: Sequence[str], core: Sequence[Any]) -> list[str]:
    """Two short legend lines (the figure is 960 px wide)."""
    first = "Times UTC; dot size: GBP value."
    if rules:
        first += " Indicator lanes: rows each indicator cites; shaded band: alert window."
    second = "Account lanes: credits filled above the line, debits hollow below." if core else ""
    return [line for line in (first, second) if line]
