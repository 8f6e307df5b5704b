"""What sections 3, 4 and 7-14 of the case pack show, built from the case and its rows.

`sections_view` returns the template variables for persons and entities, the accounts
schedule with a balance walk where balances exist, the flow of funds, the figures, the powers
matrix, gaps and lines of enquiry, method and the disclosure annex.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from finflow.casepack.enquiry import information_gaps, lines_of_enquiry
from finflow.casepack.figures.flow import flow_svg
from finflow.casepack.figures.linkchart import MAX_NODES, link_chart_svg
from finflow.casepack.figures.timeline import timeline_svg
from finflow.casepack.flows import funds_flow
from finflow.casepack.model import CaseNetwork, build_network, entities, party_key
from finflow.casepack.powers import JUDGEMENT, POWERS, powers_matrix

log = logging.getLogger(__name__)

MAX_TABLE_ROWS = 50
"""Longer flow tables show the largest lines and say how many more are in the schedule."""

ARTEFACTS: tuple[tuple[str, str], ...] = (
    ("index.html", "The case pack (this document), self-contained HTML"),
    ("case.pdf", "The same pack printed to PDF (rendered for the top cases of a run)"),
    ("transactions.csv", "Schedule of transactions, safe for spreadsheets"),
    ("transactions.xlsx", "Schedule of transactions with totals, spreadsheet"),
    ("subjects.csv", "One row per account holder or entity, with data-subject category"),
    ("i2_entities.csv", "Entities for i2 Analyst's Notebook (see docs/i2.md)"),
    ("i2_links.csv", "Links (payments, holdings) for i2 Analyst's Notebook"),
    ("ftm.jsonl", "FollowTheMoney entities (Aleph / OCCRP format)"),
    ("figures/linkchart.svg", "Link chart figure (section 8)"),
    ("linkchart.png", "Link chart as an image (top cases, with the PDF)"),
    ("figures/timeline.svg", "Timeline figure (section 9)"),
    ("figures/flow.svg", "Flow-of-funds figure (section 7)"),
    ("case.json", "The case data as handed to the renderer (facts and rule outputs)"),
    ("manifest.json", "SHA-256 of every file in this folder and of every input file"),
)
"""Every file a case pack may hold, in the order the disclosure annex lists them."""


def balance_walk(accounts: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Opening + credits - debits against the stated closing balance, where both are given."""
    out = []
    for a in accounts:
        opening, closing = a.get("opening_balance"), a.get("closing_balance")
        if opening is None or closing is None:
            continue
        expected = (
            float(opening) + float(a.get("credits_gbp") or 0) - float(a.get("debits_gbp") or 0)
        )
        out.append(
            {
                "key": a.get("key") or party_key(a.get("bank"), a.get("account")),
                "opening": float(opening),
                "credits": float(a.get("credits_gbp") or 0),
                "debits": float(a.get("debits_gbp") or 0),
                "expected": round(expected, 2),
                "closing": float(closing),
                "difference": round(float(closing) - expected, 2),
            }
        )
    return out


def _capped(lines: list[Any]) -> tuple[list[Any], int]:
    return lines[:MAX_TABLE_ROWS], max(len(lines) - MAX_TABLE_ROWS, 0)


def sections_view(
    case: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], alerts: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Template variables for the sections added to the v1 pack, plus the figures' SVG text."""
    network: CaseNetwork = build_network(case, rows)
    people = entities(case, network)
    flow = funds_flow(network, rows)
    matrix, powers_left_out = powers_matrix(case, network, rows)
    cid = str(case.get("case_id"))
    figures = {
        "linkchart": link_chart_svg(network, f"Link chart, case {cid}"),
        "timeline": timeline_svg(rows, alerts, network, f"Timeline, case {cid}"),
        "flow": flow_svg(flow, len(network.core), f"Flow of funds, case {cid}"),
    }
    sources, sources_more = _capped(flow.sources)
    applications, applications_more = _capped(flow.applications)
    key_parties = network.ordered()
    return {
        "network": network,
        "parties": network.parties,
        "key_parties": key_parties[: MAX_NODES - 1]
        if len(key_parties) > MAX_NODES
        else key_parties,
        "key_merged": max(len(key_parties) - (MAX_NODES - 1), 0)
        if len(key_parties) > MAX_NODES
        else 0,
        "entities": people,
        "flow": flow,
        "sources": sources,
        "sources_more": sources_more,
        "applications": applications,
        "applications_more": applications_more,
        "balance_walk": balance_walk(case.get("accounts", [])),
        "powers": POWERS,
        "matrix": matrix,
        "powers_left_out": powers_left_out,
        "judgement": JUDGEMENT,
        "gaps": information_gaps(case, network, rows),
        "kyc_records": any(p.get("customer_ids") for p in case.get("parties", [])),
        "enquiries": lines_of_enquiry(case, network),
        "artefacts": ARTEFACTS,
        "figures": figures,
        "figure_markup": {k: Markup(_inline(v)) for k, v in figures.items()},  # noqa: S704
    }


def _inline(svg: str) -> str:
    """A standalone SVG document made suitable for inline use (our own generated markup)."""
    return svg.replace("<svg ", '<svg class="figure" ', 1)
