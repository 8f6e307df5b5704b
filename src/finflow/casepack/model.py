"""The case as a small network: parties (accounts), holders (entities) and aggregated flows.

Built once per case from the case dict and its schedule rows, then shared by the figures, the
flow-of-funds section, the powers matrix and the exports. Facts only: nothing here scores or
assesses anyone. Every aggregate keeps the ids of the schedule rows it came from.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

UNKNOWN = "unknown"
DATA_SUBJECT_CATEGORIES = ("suspect", "victim", "witness", "other", UNKNOWN)
"""Data Protection Act 2018 s38(3). The software only ever writes the default, ``unknown``."""

_COMPANY_RE = re.compile(
    r"\b(ltd|limited|plc|llp|llc|inc|corp|corporation|company|gmbh|partnership|services"
    r"|exchange|bank|transfer|remittances?|trading|holdings|group)\b",
    re.IGNORECASE,
)


def party_key(bank: Any, account: Any) -> str:
    """The account key used across finflow: ``bank:account``."""
    return f"{bank}:{account}"


def stable_id(*parts: Any) -> str:
    """A short deterministic id from `parts` (SHA-256, 16 hex digits)."""
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def entity_kind(account: Mapping[str, Any]) -> str:
    """``Person``, ``Company`` or ``LegalEntity`` (unknown) for an account holder.

    An explicit ``entity_type`` in the reference data wins; a name with a company marker
    (Ltd, Corporation, Partnership, Services...) is a Company; anything else is unknown: a
    personal-looking name is not evidence that the holder is a natural person.
    """
    given = str(account.get("entity_type") or "").strip().lower()
    if given in ("person", "individual", "natural person"):
        return "Person"
    if given in ("company", "organisation", "organization", "business"):
        return "Company"
    if _COMPANY_RE.search(str(account.get("entity_name") or "")):
        return "Company"
    return "LegalEntity"


@dataclass
class Party:
    """One account in the case network."""

    key: str
    bank: str
    account: str
    bank_name: str = ""
    entity_id: str = ""
    entity_name: str = ""
    role: str = "counterparty"
    alerted: bool = False
    country: str = UNKNOWN
    in_reference: bool = True
    category: str = UNKNOWN
    value_gbp: float = 0.0
    n_txns: int = 0
    number: int = 0
    """1-based position in the link-chart key (alerted first, then by value)."""

    @property
    def label(self) -> str:
        """The holder's name when given, else the account as ``bank / account``."""
        return self.entity_name or f"{self.bank} / {self.account}"


@dataclass
class Flow:
    """All schedule rows from one account to another, aggregated."""

    payer: str
    payee: str
    n: int = 0
    gbp: float = 0.0
    txn_ids: list[str] = field(default_factory=list)
    first: str = ""
    last: str = ""


@dataclass
class CaseNetwork:
    """Parties keyed by account key, flows keyed by (payer, payee), and the core accounts."""

    parties: dict[str, Party]
    flows: dict[tuple[str, str], Flow]
    core: frozenset[str]

    def ordered(self) -> list[Party]:
        """Parties in key order: alerted first, then by value moved, then by key."""
        return sorted(self.parties.values(), key=lambda p: (p.number, p.key))


def _category(account: Mapping[str, Any]) -> str:
    """The data-subject category as recorded by an officer, else ``unknown``."""
    value = str(account.get("data_subject_category") or UNKNOWN).strip().lower()
    return value if value in DATA_SUBJECT_CATEGORIES else UNKNOWN


def _iso(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


def build_network(case: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> CaseNetwork:
    """The case network from ``case["accounts"]`` and the schedule rows (in schedule order).

    Counterparties that appear in the rows but not in the account list are added with
    ``in_reference=False``. Core accounts are the alerted ones (all accounts if none is).
    """
    parties: dict[str, Party] = {}
    for acct in case.get("accounts", []):
        key = str(acct.get("key") or party_key(acct.get("bank"), acct.get("account")))
        parties[key] = Party(
            key=key,
            bank=str(acct.get("bank") or ""),
            account=str(acct.get("account") or ""),
            bank_name=str(acct.get("bank_name") or ""),
            entity_id=str(acct.get("entity_id") or ""),
            entity_name=str(acct.get("entity_name") or ""),
            role=str(acct.get("role") or "counterparty"),
            alerted=bool(acct.get("alerted")),
            country=str(acct.get("country") or acct.get("bank_country") or UNKNOWN),
            category=_category(acct),
        )
    flows: dict[tuple[str, str], Flow] = {}
    for row in rows:
        payer = party_key(row.get("payer_bank"), row.get("payer_account"))
        payee = party_key(row.get("payee_bank"), row.get("payee_account"))
        for key, bank, account in (
            (payer, row.get("payer_bank"), row.get("payer_account")),
            (payee, row.get("payee_bank"), row.get("payee_account")),
        ):
            if key not in parties:
                parties[key] = Party(
                    key=key, bank=str(bank or ""), account=str(account or ""), in_reference=False
                )
        gbp = float(row.get("amount_gbp") or 0.0)
        flow = flows.setdefault((payer, payee), Flow(payer, payee))
        flow.n += 1
        flow.gbp += gbp
        flow.txn_ids.append(str(row.get("txn_id")))
        when = _iso(row.get("booked_at"))
        flow.first = min(flow.first, when) if flow.first else when
        flow.last = max(flow.last, when)
        for key in {payer, payee}:
            parties[key].value_gbp += gbp
            parties[key].n_txns += 1
    core = frozenset(k for k, p in parties.items() if p.alerted) or frozenset(parties)
    ranked = sorted(parties.values(), key=lambda p: (not p.alerted, -round(p.value_gbp, 2), p.key))
    for n, party in enumerate(ranked, start=1):
        party.number = n
    return CaseNetwork(parties=parties, flows=dict(sorted(flows.items())), core=core)


@dataclass
class Entity:
    """One account holder (or, without an entity id, one unidentified account holder)."""

    entity_id: str
    name: str
    kind: str
    category: str
    accounts: list[Party]
    shared: list[str]
    resolution: str


def entities(case: Mapping[str, Any], network: CaseNetwork) -> list[Entity]:
    """Account holders of the case, one per entity id, with what they share with others.

    Entity resolution is taken as given by the reference data (same entity id => same holder);
    holders with different ids but the same name are listed as sharing that name, never merged.
    """
    accounts = {
        str(a.get("key") or party_key(a.get("bank"), a.get("account"))): a
        for a in case.get("accounts", [])
    }
    groups: dict[str, list[Party]] = defaultdict(list)
    for party in network.ordered():
        eid = party.entity_id or f"unidentified:{party.key}"
        groups[eid].append(party)
    names: dict[str, set[str]] = defaultdict(set)
    for eid, members in groups.items():
        if members[0].entity_name:
            names[members[0].entity_name.casefold()].add(eid)
    out = []
    for eid, members in groups.items():
        first = members[0]
        shared = []
        if len(members) > 1:
            shared.append(f"holds {len(members)} accounts in this case")
        same_name = names.get(first.entity_name.casefold(), set()) - {eid}
        if first.entity_name and same_name:
            shared.append(f"same name as {len(same_name)} other entity id(s) in this case")
        if first.in_reference and first.entity_id:
            resolution = "entity id as given in the account reference file (not re-resolved)"
        elif first.in_reference:
            resolution = "account listed without an entity id"
        else:
            resolution = "not in the account reference data: holder unidentified"
        out.append(
            Entity(
                entity_id=first.entity_id,
                name=first.entity_name,
                kind=entity_kind(accounts.get(first.key, {})),
                category=first.category,
                accounts=members,
                shared=shared,
                resolution=resolution,
            )
        )
    return out
