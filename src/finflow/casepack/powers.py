"""The powers options matrix (DOMAIN.md §3 item 10): for investigator judgement, per account.

For each core account, every POCA power the pack lists is shown with its statutory test as a
checklist and the facts in the data that bear on it (balance against a minimum where a balance
is known, the period, the schedule rows). It never says whether any power should be used:
each test is left unticked for the investigator.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from finflow.casepack.model import CaseNetwork, Party, party_key

log = logging.getLogger(__name__)

JUDGEMENT = "for investigator judgement"
MINIMUM_GBP = 1000.0
"""POCA s303Z8 (account freezing) and s294 (cash seizure) minimum amount."""
MAX_ACCOUNTS = 25
"""Core accounts shown in full; larger cases list the rest by reference to the schedule."""


@dataclass(frozen=True)
class Power:
    """One power: its name, statutory reference, forum and the legal test as checklist items."""

    key: str
    name: str
    section: str
    forum: str
    tests: tuple[str, ...]
    notes: str = ""


POWERS: tuple[Power, ...] = (
    Power(
        "afo",
        "Account freezing order",
        "POCA 2002 s303Z1 (order s303Z3)",
        "Magistrates' court; order up to 2 years",
        (
            "Reasonable grounds for suspecting that money held in the account is recoverable"
            " property, or is intended by any person for use in unlawful conduct",
            "The amount held is not less than the minimum amount of £1,000 (s303Z8)",
            "The account is held with a bank or building society (relevant financial institution)",
        ),
    ),
    Power(
        "forfeiture",
        "Account forfeiture",
        "POCA 2002 s303Z9 (notice) / s303Z14 (court)",
        "Senior officer notice, or magistrates' court on the balance of probabilities",
        (
            "An account freezing order is in force over the account",
            "Satisfied that the money, or part of it, is recoverable property or intended by"
            " any person for use in unlawful conduct (court: on the balance of probabilities)",
        ),
    ),
    Power(
        "production",
        "Production order",
        "POCA 2002 s345",
        "Crown Court judge; material produced within 7 days unless the judge orders otherwise",
        (
            "Reasonable grounds for suspecting the person under investigation has benefited"
            " from criminal conduct or committed a money laundering offence",
            "Reasonable grounds for believing the respondent holds the material",
            "The material is likely to be of substantial value to the investigation",
            "It is in the public interest that the material is produced or access given",
        ),
    ),
    Power(
        "customer_info",
        "Customer information order",
        "POCA 2002 s363",
        "Crown Court judge (on application of an appropriate officer)",
        (
            "Reasonable grounds for suspecting the person specified has benefited from criminal"
            " conduct or committed a money laundering offence",
            "The information is likely to be of substantial value to the investigation",
            "It is in the public interest that the information is provided",
        ),
    ),
    Power(
        "monitoring",
        "Account monitoring order",
        "POCA 2002 s370",
        "Crown Court judge; for a period of up to 90 days",
        (
            "Reasonable grounds for suspecting the person specified has benefited from criminal"
            " conduct or committed a money laundering offence",
            "The account information is likely to be of substantial value to the investigation",
            "It is in the public interest that the account information is provided",
        ),
    ),
    Power(
        "disclosure",
        "Disclosure order",
        "POCA 2002 s357",
        "Crown Court judge",
        (
            "Reasonable grounds for suspecting the person specified has benefited from criminal"
            " conduct or committed a money laundering offence",
            "Information which may be provided is likely to be of substantial value to the"
            " investigation",
            "It is in the public interest that the information is provided",
        ),
    ),
    Power(
        "cash",
        "Cash seizure",
        "POCA 2002 s294",
        "Officer, then magistrates' court for detention",
        (
            "Cash (notes, coins, other listed instruments) is found, of at least £1,000",
            "Reasonable grounds for suspecting the cash is recoverable property or intended by"
            " any person for use in unlawful conduct",
        ),
        "Applies to cash found, not to an account balance; cash rows in the schedule are"
        " context only.",
    ),
    Power(
        "ml_offences",
        "Money laundering offences",
        "POCA 2002 s327-s329",
        "Prosecution; the court of trial",
        (
            "Property is criminal property (it constitutes or represents benefit from criminal"
            " conduct, and the alleged offender knows or suspects this)",
            "An act of concealing, disguising, converting, transferring or removing (s327),"
            " arranging (s328), or acquiring, using or possessing (s329)",
            "No defence applies (authorised disclosure, adequate consideration, threshold amount)",
        ),
    ),
    Power(
        "confiscation",
        "Confiscation (Part 2)",
        "POCA 2002 s6, s10, Sch 2",
        "Crown Court after conviction",
        (
            "A conviction for an offence before the Crown Court",
            "Criminal lifestyle: a Schedule 2 offence, which includes assisting unlawful"
            " immigration (Immigration Act 1971 s25) and slavery or trafficking (Modern Slavery"
            " Act 2015 s1/s2)",
            "If a criminal lifestyle applies, the s10 assumptions reach back 6 years from the"
            " start of proceedings",
        ),
    ),
)


@dataclass
class AccountPowers:
    """The matrix for one account: the facts in the data and the powers with their tests."""

    party: Party
    facts: list[tuple[str, str]]
    evidence: list[str] = field(default_factory=list)
    cash_rows: list[str] = field(default_factory=list)
    balance_note: str = ""
    rules: list[str] = field(default_factory=list)


def balance_note(account: Mapping[str, Any]) -> str:
    """The balance against the £1,000 minimum, or a statement that the data has no balance."""
    balance = account.get("closing_balance", account.get("balance"))
    if balance is None or balance == "":
        return "balance not in the data"
    amount = float(balance)
    when = account.get("balance_date") or account.get("closing_balance_date") or "date not given"
    side = "at or above" if amount >= MINIMUM_GBP else "below"
    return f"balance £{amount:,.2f} ({when}) is {side} the £1,000 minimum"


def powers_matrix(
    case: Mapping[str, Any],
    network: CaseNetwork,
    rows: Sequence[Mapping[str, Any]],
) -> tuple[list[AccountPowers], int]:
    """The matrix for each core account (at most `MAX_ACCOUNTS`) and how many were left out."""
    accounts = {
        str(a.get("key") or party_key(a.get("bank"), a.get("account"))): a
        for a in case.get("accounts", [])
    }
    core = sorted((network.parties[k] for k in network.core), key=lambda p: (p.number, p.key))
    out = []
    for party in core[:MAX_ACCOUNTS]:
        mine = [
            r
            for r in rows
            if party.key
            in (
                party_key(r.get("payer_bank"), r.get("payer_account")),
                party_key(r.get("payee_bank"), r.get("payee_account")),
            )
        ]
        credits = [
            r for r in mine if party_key(r.get("payee_bank"), r.get("payee_account")) == party.key
        ]
        rules = sorted(
            {
                str(a.get("rule_id"))
                for a in case.get("alerts", [])
                if party_key(a.get("primary_bank"), a.get("primary_account")) == party.key
            }
        )
        when = [str(r.get("booked_at"))[:10] for r in mine]
        gbp_in = sum(float(r.get("amount_gbp") or 0.0) for r in credits)
        gbp_out = sum(float(r.get("amount_gbp") or 0.0) for r in mine) - gbp_in
        note = balance_note(accounts.get(party.key, {}))
        facts = [
            ("Institution", f"{party.bank_name or 'name not in the data'} ({party.bank})"),
            ("Holder as stated", party.entity_name or "not in the data"),
            ("Balance", note),
            (
                "Period in the schedule",
                f"{min(when)} to {max(when)}" if when else "no rows in the schedule",
            ),
            (
                "Schedule rows",
                f"{len(credits)} credits £{gbp_in:,.2f}; {len(mine) - len(credits)} debits"
                f" £{gbp_out:,.2f}",
            ),
            ("Indicators with this primary account", ", ".join(rules) or "none"),
        ]
        out.append(
            AccountPowers(
                party=party,
                facts=facts,
                evidence=[str(r.get("txn_id")) for r in mine],
                cash_rows=[str(r.get("txn_id")) for r in mine if r.get("channel") == "cash"],
                balance_note=note,
                rules=rules,
            )
        )
    return out, max(len(core) - MAX_ACCOUNTS, 0)
