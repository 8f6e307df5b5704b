"""The synthetic population: banks, entities (people and companies) and their accounts.

Accounts of one entity are stored next to each other, so an account's sibling (the entity's
next account) is the next index. Identity in the written files is (bank id, account number):
bank ids are zero-padded decimal strings of varying width, account numbers nine upper-case hex
digits, both as AMLworld writes them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from finflow.synth import reference as ref

log = logging.getLogger(__name__)

BANK, MSB, CRYPTO = 0, 1, 2
"""Institution kinds. Money-service businesses and crypto exchanges hold accounts too."""

PERSON = -1
"""Entity kind of an individual; companies use the `reference.COMPANY_KINDS` index."""

CONTACTS = 6
"""How many regular counterparties each account has in its own currency."""


@dataclass(frozen=True)
class Population:
    """Everything the traffic generators need to know about who banks where."""

    bank_id: list[str]
    bank_name: list[str]
    bank_currency: np.ndarray
    bank_kind: np.ndarray
    acct_bank: np.ndarray
    acct_number: list[str]
    acct_entity: np.ndarray
    acct_currency: np.ndarray
    entity_id: list[str]
    entity_kind: np.ndarray
    entity_name: list[str]
    weight: np.ndarray
    contacts: np.ndarray

    @property
    def n_accounts(self) -> int:
        return len(self.acct_bank)

    @property
    def acct_kind(self) -> np.ndarray:
        """Entity kind per account (PERSON or a company kind)."""
        return np.asarray(self.entity_kind[self.acct_entity])

    @property
    def acct_institution(self) -> np.ndarray:
        """Institution kind (BANK, MSB, CRYPTO) per account."""
        return np.asarray(self.bank_kind[self.acct_bank])

    def is_primary(self) -> np.ndarray:
        """True for the first account of each entity."""
        first = np.ones(self.n_accounts, dtype=bool)
        first[1:] = self.acct_entity[1:] != self.acct_entity[:-1]
        return first

    def sibling(self) -> np.ndarray:
        """The entity's next account, or -1 when the account is its entity's last."""
        nxt = np.full(self.n_accounts, -1, dtype=np.int64)
        same = self.acct_entity[1:] == self.acct_entity[:-1]
        nxt[:-1][same] = np.flatnonzero(same) + 1
        return nxt


def hex9(values: np.ndarray) -> list[str]:
    """Format integers below 16**9 as nine upper-case hex digits, vectorised."""
    digits = (values[:, None] >> (4 * np.arange(8, -1, -1))) & 0xF
    table = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
    raw = np.ascontiguousarray(table[digits]).tobytes()
    out: list[str] = np.frombuffer(raw, dtype="S9").astype(str).tolist()
    return out


def _unique_ints(rng: np.random.Generator, low: int, high: int, n: int) -> np.ndarray:
    """`n` distinct integers in [low, high), in random order."""
    out = np.empty(0, dtype=np.int64)
    while len(out) < n:
        draw = rng.integers(low, high, size=int(n * 1.2) + 16)
        merged = np.concatenate([out, draw])
        _, first = np.unique(merged, return_index=True)
        out = merged[np.sort(first)]
    return out[:n]


def _zipf_choice(rng: np.random.Generator, options: np.ndarray, n: int) -> np.ndarray:
    """Pick among `options` with rank^-1.1 weights: a few big institutions, many small ones."""
    w = 1.0 / np.arange(1, len(options) + 1) ** 1.1
    return np.asarray(options[rng.choice(len(options), size=n, p=w / w.sum())])


def _banks(
    rng: np.random.Generator, n_accounts: int
) -> tuple[list[str], list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Build the institutions; return ids, names, currencies, kinds and country index."""
    total = int(np.clip(n_accounts // 50, 30, 20_000))
    names: list[str] = []
    currency: list[int] = []
    kind: list[int] = []
    country: list[int] = []
    uk_names = [s.format(t) for s in ref.UK_BANK_STYLES for t in ref.UK_TOWNS]
    us_names = [s.format(t) for s in ref.US_BANK_STYLES for t in ref.US_TOWNS]
    uk_order = rng.permutation(len(uk_names))
    us_order = rng.permutation(len(us_names))
    for c, (cname, ccy, share, style) in enumerate(ref.COUNTRIES):
        count = max(6 if style == "uk" else 1, round(share * total))
        for k in range(count):
            if style == "uk" and k < len(uk_names):
                names.append(uk_names[uk_order[k]])
            elif style == "us" and k < len(us_names):
                names.append(us_names[us_order[k]])
            else:
                names.append(f"{cname} Bank #{k + 1}")
            currency.append(ccy)
            kind.append(BANK)
            country.append(c)
    n_msb = int(np.clip(n_accounts // 25_000, 2, 8))
    for k in range(n_msb):
        names.append(f"UK Money Transfer #{k + 1}")
        currency.append(ref.GBP)
        kind.append(MSB)
        country.append(0)
    for k in range(2):
        names.append(f"Euro Money Transfer #{k + 1}")
        currency.append(ref.EUR)
        kind.append(MSB)
        country.append(1)
    for k in range(3):
        names.append(f"Crypto Exchange #{k + 1}")
        currency.append(ref.XBT)
        kind.append(CRYPTO)
        country.append(-1)
    n = len(names)
    # Log-uniform numeric ids, mostly written with one or two leading zeros (AMLworld style).
    numbers = np.empty(0, dtype=np.int64)
    while len(numbers) < n:
        draw = np.exp(rng.uniform(0.0, np.log(400_000.0), 2 * n)).astype(np.int64)
        numbers = np.concatenate([numbers, draw])
        _, first = np.unique(numbers, return_index=True)
        numbers = numbers[np.sort(first)]
    zeros = rng.choice(3, size=n, p=[0.2, 0.65, 0.15])
    ids = ["0" * int(z) + str(int(v)) for z, v in zip(zeros, numbers[:n], strict=True)]
    return ids, names, np.array(currency, np.int8), np.array(kind, np.int8), np.array(country)


def build_population(rng: np.random.Generator, n_target: int) -> Population:
    """Create roughly `n_target` accounts held by people and companies at many banks."""
    n_entities = max(int(n_target / 1.22), 60)
    is_person = rng.random(n_entities) < 0.86
    per_person = rng.choice([1, 2, 3], size=n_entities, p=[0.80, 0.16, 0.04])
    per_company = rng.choice([1, 2, 3], size=n_entities, p=[0.75, 0.20, 0.05])
    n_acc_per = np.where(is_person, per_person, per_company)
    kind = np.where(is_person, PERSON, rng.choice(3, size=n_entities, p=[0.4, 0.4, 0.2]))
    shares = np.array([c[2] for c in ref.COUNTRIES])
    ent_country = rng.choice(len(ref.COUNTRIES), size=n_entities, p=shares / shares.sum())

    bank_id, bank_name, bank_ccy, bank_kind, bank_country = _banks(rng, int(n_acc_per.sum()))

    # Money-service businesses: a few corporate collection accounts at each MSB institution.
    msb_banks = np.flatnonzero(bank_kind == MSB)
    msb_per = rng.integers(1, 4, size=len(msb_banks))
    n_msb_ent = int(msb_per.sum())
    kind = np.concatenate([kind, np.full(n_msb_ent, ref.CORPORATION)])
    n_acc_per = np.concatenate([n_acc_per, np.ones(n_msb_ent, dtype=np.int64)])
    ent_country = np.concatenate([ent_country, np.zeros(n_msb_ent, dtype=np.int64)])
    n_ent = len(kind)

    acct_entity = np.repeat(np.arange(n_ent), n_acc_per)
    n_acc = len(acct_entity)
    first = np.ones(n_acc, dtype=bool)
    first[1:] = acct_entity[1:] != acct_entity[:-1]
    acct_bank = np.empty(n_acc, dtype=np.int64)
    acct_country = ent_country[acct_entity]
    for c in range(len(ref.COUNTRIES)):
        sel = np.flatnonzero(acct_country == c)
        options = np.flatnonzero((bank_country == c) & (bank_kind == BANK))
        options = options[rng.permutation(len(options))]
        acct_bank[sel] = _zipf_choice(rng, options, len(sel))
    # Some people keep a second account at a crypto exchange.
    crypto_banks = np.flatnonzero(bank_kind == CRYPTO)
    extra = ~first & (kind[acct_entity] == PERSON) & (rng.random(n_acc) < 0.15)
    acct_bank[extra] = crypto_banks[rng.integers(0, len(crypto_banks), size=int(extra.sum()))]
    msb_accounts = np.flatnonzero(acct_entity >= n_ent - n_msb_ent)
    acct_bank[msb_accounts] = np.repeat(msb_banks, msb_per)
    acct_ccy = bank_ccy[acct_bank]

    # Nine hex digits starting with 8 and ending in 0, like AMLworld's `8000EBD30`.
    numbers = _unique_ints(rng, 0x80000000, 0x90000000, n_acc + n_ent) * 16
    acct_number = hex9(numbers[:n_acc])
    entity_id = hex9(numbers[n_acc:])
    # A few account numbers recur at another bank: identity is (bank, account), not account.
    n_dup = max(2, n_acc // 1000)
    a, b = np.split(rng.permutation(n_acc)[: 2 * n_dup], 2)
    for i, j in zip(a, b, strict=True):
        if acct_bank[i] != acct_bank[j]:
            acct_number[j] = acct_number[i]

    names = _entity_names(rng, kind)
    weight = rng.lognormal(0.0, 1.1, size=n_acc) * np.where(kind[acct_entity] == PERSON, 1.0, 2.5)
    contacts = np.empty((n_acc, CONTACTS), dtype=np.int64)
    for ccy in range(len(ref.CURRENCIES)):
        members = np.flatnonzero(acct_ccy == ccy)
        if len(members):
            contacts[members] = members[rng.integers(0, len(members), (len(members), CONTACTS))]
    log.debug("population: %d banks, %d entities, %d accounts", len(bank_id), n_ent, n_acc)
    return Population(
        bank_id=bank_id,
        bank_name=bank_name,
        bank_currency=bank_ccy,
        bank_kind=bank_kind,
        acct_bank=acct_bank,
        acct_number=acct_number,
        acct_entity=acct_entity,
        acct_currency=acct_ccy,
        entity_id=entity_id,
        entity_kind=kind,
        entity_name=names,
        weight=weight,
        contacts=contacts,
    )


def _entity_names(rng: np.random.Generator, kind: np.ndarray) -> list[str]:
    """People get realistic (partly non-ASCII) names; companies AMLworld's `Kind #N` names."""
    n = len(kind)
    first = np.array(ref.FIRST_NAMES)[rng.integers(0, len(ref.FIRST_NAMES), n)]
    last = np.array(ref.LAST_NAMES)[rng.integers(0, len(ref.LAST_NAMES), n)]
    names = np.char.add(np.char.add(first, " "), last).astype(object)
    for k, label in enumerate(ref.COMPANY_KINDS):
        sel = np.flatnonzero(kind == k)
        nums = _unique_ints(rng, 1, max(60_000, 3 * len(sel)), len(sel))
        names[sel] = [f"{label} #{int(v)}" for v in nums]
    return [str(v) for v in names]
