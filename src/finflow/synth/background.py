"""Benign background traffic: the look-alike streams plus ordinary everyday payments.

`background` hands each stream a share of the row budget and fills whatever is left with
person-to-person payments, so the total is exact. Ordinary traffic has heavy-tailed activity
(a few accounts very busy, most quiet), regular counterparties, loans repaid days later (a
benign two-hop cycle), transfers between an entity's own accounts, reinvestment (an account
paying itself, as in AMLworld), business-to-business payments and Bitcoin wallets.
"""

from __future__ import annotations

import logging

import numpy as np

from finflow.synth import lookalikes as L
from finflow.synth import reference as ref
from finflow.synth import rows as R
from finflow.synth.population import BANK, CONTACTS, Population
from finflow.synth.roles import Roles

log = logging.getLogger(__name__)

SHARES = {
    "payroll": 0.07,
    "card_takings": 0.15,
    "supplier_runs": 0.02,
    "rent": 0.035,
    "remittances": 0.03,
    "cash_shops": 0.06,
    "savings_clubs": 0.012,
    "reinvestment": 0.09,
    "own_transfers": 0.03,
    "business": 0.06,
    "bitcoin": 0.02,
}
"""Share of the background budget per stream; person-to-person payments take the rest."""

P2P_FORMATS = np.array([ref.CHEQUE, ref.ACH, ref.CARD, ref.CASH, ref.WIRE])
P2P_FORMAT_P = np.array([0.30, 0.30, 0.10, 0.15, 0.15])


def _weighted(
    rng: np.random.Generator, pop: Population, accounts: np.ndarray, n: int
) -> np.ndarray:
    """`n` draws from `accounts` weighted by activity."""
    w = pop.weight[accounts]
    return accounts[rng.choice(len(accounts), size=n, p=w / w.sum())]


def reinvestment(
    rng: np.random.Generator, pop: Population, roles: Roles, n: int, days: int
) -> R.Rows:
    """Accounts paying themselves (AMLworld's Reinvestment rows)."""
    acct = _weighted(rng, pop, roles.fiat, n)
    amount = R.nice(rng, R.lognormal_gbp(rng, n, 600.0, 1.5, 1.0, 1_000_000.0), 0.1)
    return R.make(
        pop, R.moments(rng, rng.integers(0, days, n)), acct, acct, amount, ref.REINVESTMENT
    )


def own_transfers(
    rng: np.random.Generator, pop: Population, roles: Roles, n: int, days: int
) -> R.Rows:
    """Transfers between two accounts of the same entity, both directions."""
    sib = pop.sibling()
    ok = np.flatnonzero(sib >= 0)
    ok = ok[
        (pop.acct_currency[ok] == pop.acct_currency[sib[ok]])
        & (pop.acct_institution[ok] == BANK)
        & (pop.acct_institution[sib[ok]] == BANK)
    ]
    if n <= 0 or len(ok) == 0:
        return R.empty()
    a = ok[rng.integers(0, len(ok), n)]
    b = sib[a]
    flip = rng.random(n) < 0.5
    src, dst = np.where(flip, b, a), np.where(flip, a, b)
    amount = R.nice(rng, R.lognormal_gbp(rng, n, 400.0, 1.1, 1.0, 200_000.0), 0.5)
    fmt = np.where(rng.random(n) < 0.8, ref.ACH, ref.WIRE)
    return R.make(pop, R.moments(rng, rng.integers(0, days, n)), src, dst, amount, fmt)


def business(rng: np.random.Generator, pop: Population, roles: Roles, n: int, days: int) -> R.Rows:
    """Companies paying suppliers, mostly in their own currency."""
    payers = np.concatenate([roles.employers, roles.merchants, roles.suppliers])
    if n <= 0 or len(payers) == 0 or len(roles.suppliers) < 2:
        return R.empty()
    src = _weighted(rng, pop, payers, n)
    w = 1.0 / np.arange(1, len(roles.suppliers) + 1) ** 0.8
    pick = rng.choice(len(roles.suppliers), n, p=w / w.sum())
    clash = roles.suppliers[pick] == src
    pick[clash] = (pick[clash] + 1) % len(roles.suppliers)
    dst = roles.suppliers[pick]
    amount = R.nice(rng, R.lognormal_gbp(rng, n, 3500.0, 1.2, 50.0, 2_000_000.0), 0.3)
    fmt = rng.choice([ref.WIRE, ref.ACH, ref.CHEQUE], size=n, p=[0.35, 0.35, 0.3])
    return R.make(pop, R.moments(rng, rng.integers(0, days, n)), src, dst, amount, fmt)


def bitcoin(rng: np.random.Generator, pop: Population, roles: Roles, n: int, days: int) -> R.Rows:
    """Wallet-to-wallet Bitcoin payments."""
    if n <= 0 or len(roles.crypto) < 2:
        return R.empty()
    src = _weighted(rng, pop, roles.crypto, n)
    dst = roles.crypto[rng.integers(0, len(roles.crypto), n)]
    clash = dst == src
    dst[clash] = roles.crypto[(np.searchsorted(roles.crypto, src[clash]) + 1) % len(roles.crypto)]
    amount = R.lognormal_gbp(rng, n, 300.0, 1.4, 5.0, 2_000_000.0) / ref.RATE_TO_GBP[ref.XBT]
    amount = R.nice(rng, amount, 0.2)
    ts = R.moments(rng, rng.integers(0, days, n))
    return R.make(pop, ts, src, dst, amount, ref.BITCOIN, in_gbp=False)


def _counterparty(
    rng: np.random.Generator, pop: Population, roles: Roles, payer: np.ndarray
) -> np.ndarray:
    """Mostly a regular contact, sometimes anyone in the same currency, rarely anyone."""
    n = len(payer)
    out: np.ndarray = pop.contacts[payer, rng.integers(0, CONTACTS, n)]
    u = rng.random(n)
    anyone = np.flatnonzero(u < 0.05)
    out[anyone] = _weighted(rng, pop, roles.fiat, len(anyone))
    clash = np.flatnonzero((out == payer) | (pop.acct_institution[out] != BANK))
    pick = rng.integers(0, len(roles.persons), len(clash))
    again = roles.persons[pick] == payer[clash]
    pick[again] = (pick[again] + 1) % len(roles.persons)
    out[clash] = roles.persons[pick]
    return out


def _p2p_amounts(rng: np.random.Generator, n: int) -> np.ndarray:
    return R.nice(rng, R.lognormal_gbp(rng, n, 90.0, 1.3, 1.0, 250_000.0), 0.35)


def person_to_person(
    rng: np.random.Generator, pop: Population, roles: Roles, n: int, days: int
) -> R.Rows:
    """Everyday payments with heavy-tailed activity, including loans repaid days later."""
    if n <= 0:
        return R.empty()
    pairs = int(n * 0.03) if days >= 4 else 0
    single = n - 2 * pairs
    payer = _weighted(rng, pop, roles.fiat, single + pairs)
    payee = _counterparty(rng, pop, roles, payer)
    amount = _p2p_amounts(rng, len(payer))
    fmt = rng.choice(P2P_FORMATS, size=len(payer), p=P2P_FORMAT_P)
    day = rng.integers(0, days, len(payer))
    day[single:] = rng.integers(0, days - 2, pairs)
    out = R.make(pop, R.moments(rng, day), payer, payee, amount, fmt)
    if not pairs:
        return out
    lent = slice(single, None)
    back_day = np.minimum(day[lent] + rng.integers(2, 21, pairs), days - 1)
    back = amount[lent] * np.where(rng.random(pairs) < 0.6, 1.0, rng.uniform(1.0, 1.1, pairs))
    repay = R.make(
        pop, R.moments(rng, back_day), payee[lent], payer[lent], back, fmt[lent]
    )  # fmt: skip
    return R.concat([out, repay])


def cover(
    rng: np.random.Generator, pop: Population, roles: Roles, accounts: np.ndarray, days: int
) -> R.Rows:
    """A little ordinary traffic for accounts used in planted attempts (2-4 rows each)."""
    if len(accounts) == 0:
        return R.empty()
    who = np.repeat(accounts, rng.integers(2, 5, len(accounts)))
    other = _counterparty(rng, pop, roles, who)
    shop = rng.random(len(who)) < 0.25
    if len(roles.merchants):
        other[shop] = roles.merchants[rng.integers(0, len(roles.merchants), int(shop.sum()))]
    incoming = ~shop & (rng.random(len(who)) < 0.5)
    src, dst = np.where(incoming, other, who), np.where(incoming, who, other)
    amount = np.where(
        shop, R.lognormal_gbp(rng, len(who), 22.0, 0.9, 1.0, 1500.0), _p2p_amounts(rng, len(who))
    )
    fmt = np.where(shop, ref.CARD, rng.choice(P2P_FORMATS, size=len(who), p=P2P_FORMAT_P))
    return R.make(pop, R.moments(rng, rng.integers(0, days, len(who))), src, dst, amount, fmt)


def background(
    rng: np.random.Generator,
    pop: Population,
    roles: Roles,
    n_rows: int,
    days: int,
    planted_accounts: np.ndarray,
) -> R.Rows:
    """Exactly `n_rows` benign payments."""
    streams = {
        "payroll": L.payroll,
        "card_takings": L.card_takings,
        "supplier_runs": L.supplier_runs,
        "rent": L.rent,
        "remittances": L.remittances,
        "cash_shops": L.cash_shops,
        "savings_clubs": L.savings_clubs,
        "reinvestment": reinvestment,
        "own_transfers": own_transfers,
        "business": business,
        "bitcoin": bitcoin,
    }
    parts = [cover(rng, pop, roles, planted_accounts, days)]
    for name, stream in streams.items():
        part = stream(rng, pop, roles, int(n_rows * SHARES[name]), days)
        # Follow-on payments (sweeps, banking out) may fall after the period: leave them out.
        parts.append(part.take(np.flatnonzero(part.ts < days * R.MINUTES_PER_DAY)))
        log.debug("background %s: %d rows", name, len(parts[-1]))
    structured = R.concat(parts)
    if len(structured) > n_rows:
        keep = np.sort(rng.choice(len(structured), n_rows, replace=False))
        structured = structured.take(keep)
    rest = person_to_person(rng, pop, roles, n_rows - len(structured), days)
    return R.concat([structured, rest])
