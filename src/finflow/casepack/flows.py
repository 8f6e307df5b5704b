"""Source and application of funds for the case's core (alerted) accounts.

Money credited to a core account from outside the core is a *source*; money debited from a
core account to outside the core is an *application*; payments between core accounts are
*internal*. Each line keeps its schedule rows so the HTML can link every figure to them.
Country comes from the reference data when it is there; otherwise it is shown as unknown.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from finflow.casepack.model import UNKNOWN, CaseNetwork, party_key

log = logging.getLogger(__name__)

CORRIDOR_ROLES: dict[str, str] = {
    **dict.fromkeys(
        ("VN", "AL", "CN", "NG", "RO", "SK", "IQ", "IR", "ER", "SD", "AF", "SY"), "source"
    ),
    **dict.fromkeys(
        (
            *("TR", "BG", "RS", "BA", "MK", "XK", "GR", "IT", "FR", "BE", "NL", "DE", "LY"),
            "TN",
        ),
        "transit",
    ),
}
"""Corridor membership (DOMAIN.md §2, seeded list) shown as context, never as a trigger."""
HAWALA_HUBS = frozenset({"AE", "TR", "IQ", "IR", "CN", "HK"})


def corridor_role(country: str) -> str:
    """``source``, ``transit``, ``hub``, combinations (``source, hub``) or an empty string."""
    roles = [CORRIDOR_ROLES[country]] if country in CORRIDOR_ROLES else []
    if country in HAWALA_HUBS:
        roles.append("hub")
    return ", ".join(roles)


@dataclass
class FlowLine:
    """One line of a source or application table."""

    party: str
    country: str
    channel: str
    n: int = 0
    gbp: float = 0.0
    txn_ids: list[str] = field(default_factory=list)


@dataclass
class FundsFlow:
    """Sources, applications, internal movements and per-country totals."""

    sources: list[FlowLine]
    applications: list[FlowLine]
    internal: FlowLine
    by_country: list[dict[str, Any]]
    by_channel: list[dict[str, Any]]

    @property
    def total_in(self) -> float:
        return sum(line.gbp for line in self.sources)

    @property
    def total_out(self) -> float:
        return sum(line.gbp for line in self.applications)


def _add(lines: dict[tuple[str, str], FlowLine], party: str, country: str, row: Any) -> None:
    channel = str(row.get("channel") or UNKNOWN)
    line = lines.setdefault((party, channel), FlowLine(party, country, channel))
    line.n += 1
    line.gbp += float(row.get("amount_gbp") or 0.0)
    line.txn_ids.append(str(row.get("txn_id")))


def _ordered(lines: dict[tuple[str, str], FlowLine]) -> list[FlowLine]:
    return sorted(lines.values(), key=lambda x: (-round(x.gbp, 2), x.party, x.channel))


def funds_flow(network: CaseNetwork, rows: Sequence[Mapping[str, Any]]) -> FundsFlow:
    """Source and application of funds of the core accounts, from the schedule rows."""
    sources: dict[tuple[str, str], FlowLine] = {}
    applications: dict[tuple[str, str], FlowLine] = {}
    internal = FlowLine("core accounts", "", "all")
    country_totals: dict[str, dict[str, Any]] = {}
    channel_totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        payer = party_key(row.get("payer_bank"), row.get("payer_account"))
        payee = party_key(row.get("payee_bank"), row.get("payee_account"))
        in_core, out_core = payee in network.core, payer in network.core
        gbp = float(row.get("amount_gbp") or 0.0)
        if in_core and out_core:
            internal.n += 1
            internal.gbp += gbp
            internal.txn_ids.append(str(row.get("txn_id")))
            continue
        if in_core:
            other, direction, lines = payer, "in", sources
        elif out_core:
            other, direction, lines = payee, "out", applications
        else:
            continue
        country = network.parties[other].country
        _add(lines, other, country, row)
        entry = country_totals.setdefault(
            country, {"country": country, "in": 0.0, "out": 0.0, "n_in": 0, "n_out": 0}
        )
        entry[direction] += gbp
        entry["n_" + direction] += 1
        channel = str(row.get("channel") or UNKNOWN)
        chan = channel_totals.setdefault(
            channel, {"channel": channel, "in": 0.0, "out": 0.0, "n_in": 0, "n_out": 0}
        )
        chan[direction] += gbp
        chan["n_" + direction] += 1
    by_country = sorted(
        country_totals.values(), key=lambda c: (c["country"] == UNKNOWN, c["country"])
    )
    for entry in by_country:
        entry["corridor"] = corridor_role(entry["country"])
    return FundsFlow(
        sources=_ordered(sources),
        applications=_ordered(applications),
        internal=internal,
        by_country=by_country,
        by_channel=sorted(channel_totals.values(), key=lambda c: c["channel"]),
    )
