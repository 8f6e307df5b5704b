"""Information gaps and lines of enquiry (section 11), drawn from what the data does not show.

Lines of enquiry are neutral and include ones that point away from the subject: each benign
explanation recorded for an indicator becomes an enquiry that could account for the activity,
and payers in smuggling patterns are flagged as possible victims rather than suspects.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from finflow.casepack.model import UNKNOWN, CaseNetwork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Enquiry:
    """One line of enquiry; `away` marks lines that could point away from the subject."""

    text: str
    reason: str
    away: bool = False


def information_gaps(
    case: Mapping[str, Any], network: CaseNetwork, rows: Sequence[Mapping[str, Any]]
) -> list[str]:
    """What the pack cannot show, as short factual statements."""
    accounts = case.get("accounts", [])
    gaps = ["The purpose of the enquiry has not been declared by an officer."]
    if not any(a.get("closing_balance", a.get("balance")) is not None for a in accounts):
        gaps.append("No account balances are in the data: no balance walk is possible.")
    parties = case.get("parties", [])
    without_kyc = sum(1 for p in parties if not p.get("customer_ids"))
    if not any(p.get("customer_ids") for p in parties):
        gaps.append(
            "Customer (KYC) records are not in the data: dates of birth, addresses, phone"
            " numbers, emails and nationality are unknown, so shared attributes beyond name and"
            " entity id cannot be checked."
        )
    elif without_kyc:
        gaps.append(
            f"{without_kyc} of {len(parties)} parties have no customer (KYC) record in the data:"
            " for them, shared attributes beyond name and entity id cannot be checked."
        )
    unknown_country = sum(1 for p in network.parties.values() if p.country == UNKNOWN)
    if unknown_country:
        gaps.append(
            f"The country of {unknown_country} of {len(network.parties)} accounts is not in the"
            " data; the corridor breakdown shows them as country unknown."
        )
    outside = sum(1 for p in network.parties.values() if not p.in_reference)
    if outside:
        gaps.append(
            f"{outside} counterparty account(s) are not in the account reference data: holders"
            " unidentified."
        )
    missing_gbp = sum(1 for r in rows if r.get("amount_gbp") is None)
    if missing_gbp:
        gaps.append(f"{missing_gbp} row(s) have no GBP equivalent (no FX rate for the date).")
    quarantined = int((case.get("quarantine_summary") or {}).get("rows") or 0)
    if quarantined:
        gaps.append(
            f"{quarantined} input row(s) in this run were quarantined and are not analysed."
        )
    period = case.get("period") or {}
    gaps.append(
        "Only activity inside the files received is visible "
        f"({str(period.get('start', ''))[:10]} to {str(period.get('end', ''))[:10]} for this"
        " case); earlier and later activity, and accounts at institutions that did not supply"
        " data, are not seen."
    )
    return gaps


def lines_of_enquiry(case: Mapping[str, Any], network: CaseNetwork) -> list[Enquiry]:
    """Lines of enquiry, neutral; those that could point away from the subject are marked."""
    rules = sorted({str(a.get("rule_id")) for a in case.get("alerts", [])})
    out = [
        Enquiry(
            "Obtain statements with balances for the core accounts (for example by production"
            " order or from the institution's camt.053 export).",
            "Balances and full activity are not in the data.",
        ),
        Enquiry(
            "Obtain customer information for the holders of the core accounts and confirm"
            " identity, occupation and expected account activity.",
            "KYC records are not in the data."
            if not any(p.get("customer_ids") for p in case.get("parties", []))
            else "KYC records give identity, not occupation or expected activity.",
        ),
    ]
    seen: set[str] = set()
    for alert in sorted(case.get("alerts", []), key=lambda a: str(a.get("rule_id"))):
        for benign in sorted(set(alert.get("benign_explanations", []))):
            if benign in seen:
                continue
            seen.add(benign)
            out.append(
                Enquiry(
                    f"Establish whether this explains the activity: {benign}.",
                    f"Benign explanation recorded for {alert.get('rule_id')}.",
                    away=True,
                )
            )
    if any(r.startswith(("OIC_", "HT_")) for r in rules):
        out.append(
            Enquiry(
                "Consider whether payers and account holders are potential victims (people"
                " paying for travel, or workers whose wages are taken) before any other step;"
                " safeguarding and National Referral Mechanism duties may apply.",
                "Smuggling and trafficking indicators observed; many payers are victims.",
                away=True,
            )
        )
    if any(p.role == "beneficiary" for p in network.parties.values()):
        out.append(
            Enquiry(
                "Check whether receiving institutions are registered money service businesses"
                " (HMRC MSB register, FCA register) and what their records show.",
                "Onward payments go to beneficiary accounts outside the core.",
                away=True,
            )
        )
    names = [e for e in network.parties.values() if e.entity_name]
    if len({p.entity_name.casefold() for p in names}) < len({p.entity_id for p in names}):
        out.append(
            Enquiry(
                "Confirm whether holders with the same name are the same person; the entity ids"
                " in the reference data differ.",
                "Same names under different entity ids.",
                away=True,
            )
        )
    if case.get("rules_not_fired"):
        out.append(
            Enquiry(
                "Review the rules that ran and did not fire (section 5); their absence may be"
                " relevant to disclosure.",
                "Non-fired rules are recorded for CPIA 1996 disclosure.",
                away=True,
            )
        )
    return out
