"""Who plays which part in the benign economy: employers, merchants, shops, landlords...

Roles are disjoint slices of shuffled account lists, so an employer is never also the cash
shop. Accounts that play no special part form the pool from which planted attempts draw their
participants; those accounts also carry ordinary traffic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finflow.synth import reference as ref
from finflow.synth.population import BANK, CRYPTO, MSB, PERSON, Population


@dataclass(frozen=True)
class Roles:
    """Account indexes per role. Every array is in a deterministic random order."""

    persons: np.ndarray
    fiat: np.ndarray
    employers: np.ndarray
    merchants: np.ndarray
    cash_shops: np.ndarray
    suppliers: np.ndarray
    landlord_companies: np.ndarray
    landlord_persons: np.ndarray
    organisers: np.ndarray
    msb: np.ndarray
    crypto: np.ndarray
    pool: np.ndarray

    def persons_in(self, pop: Population, ccy: int, minimum: int = 200) -> np.ndarray:
        """People banking in `ccy`, or all people when that group is too small to draw from."""
        group = self.persons[pop.acct_currency[self.persons] == ccy]
        return group if len(group) >= minimum else self.persons


def cycle_to(values: np.ndarray, n: int) -> np.ndarray:
    """`n` items from `values`, wrapping around when it is too short."""
    if n <= 0 or len(values) == 0:
        return values[:0]
    return np.resize(values, n)


def assign_roles(rng: np.random.Generator, pop: Population) -> Roles:
    """Split the population's accounts into roles."""
    primary = pop.is_primary()
    inst = pop.acct_institution
    kind = pop.acct_kind
    at_bank = inst == BANK
    persons = rng.permutation(np.flatnonzero(primary & at_bank & (kind == PERSON)))
    companies = rng.permutation(np.flatnonzero(primary & at_bank & (kind != PERSON)))
    sole = companies[kind[companies] == ref.SOLE_PROPRIETORSHIP]
    other = companies[kind[companies] != ref.SOLE_PROPRIETORSHIP]
    n_o, n_s = len(other), len(sole)
    employers = other[: int(n_o * 0.35)]
    landlord_companies = other[int(n_o * 0.35) : int(n_o * 0.5)]
    suppliers = np.concatenate([other[int(n_o * 0.6) :], sole[int(n_s * 0.8) :]])
    merchants = np.concatenate([sole[: int(n_s * 0.45)], other[int(n_o * 0.5) : int(n_o * 0.6)]])
    cash_shops = sole[int(n_s * 0.45) : int(n_s * 0.8)]
    n_p = len(persons)
    landlord_persons = persons[: int(n_p * 0.03)]
    organisers = persons[int(n_p * 0.03) : int(n_p * 0.05)]
    pool = persons[int(n_p * 0.05) :]
    return Roles(
        persons=persons,
        fiat=np.flatnonzero(at_bank),
        employers=employers,
        merchants=rng.permutation(merchants),
        cash_shops=cash_shops,
        suppliers=rng.permutation(suppliers),
        landlord_companies=landlord_companies,
        landlord_persons=landlord_persons,
        organisers=organisers,
        msb=np.flatnonzero(inst == MSB),
        crypto=np.flatnonzero(inst == CRYPTO),
        pool=pool,
    )
