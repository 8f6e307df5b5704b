"""Benign traffic that looks like a typology: the near misses a good rule must not flag.

- payroll: a company pays 20-200 employees on one day each month or fortnight (FAN-OUT),
  and some employees sweep their salary to their own savings account (PASS-THROUGH);
- card takings: many customers pay a merchant small card amounts (FAN-IN), and merchants pay
  a fixed set of suppliers weekly (GATHER-SCATTER);
- rent: tenants pay a landlord a fixed monthly amount, 3-8 tenants each (CROSSING-FEE-like
  fan-in of similar amounts, some in the price band; euro rents near the structuring band);
- remittances: people send modest sums abroad regularly, some through money transfer firms;
- cash shops: many cash credits a day, banked out weekly;
- savings clubs: friends pay an organiser the same sum monthly; the pot goes to one member.

Each function returns at most about `budget` rows and fewer when the budget is too small for
even one group.
"""

from __future__ import annotations

import numpy as np

from finflow.synth import reference as ref
from finflow.synth import rows as R
from finflow.synth.population import BANK, Population
from finflow.synth.roles import Roles, cycle_to


def _fit(sizes: np.ndarray, budget: int) -> int:
    """How many leading groups of `sizes` rows fit in `budget`."""
    return int(np.searchsorted(np.cumsum(sizes), budget, side="right"))


def _group_sizes(pop: Population, roles: Roles, anchors: np.ndarray) -> np.ndarray:
    """Size of the pool of people each anchor account draws its counterparties from."""
    out = np.empty(len(anchors), dtype=np.int64)
    ccy = pop.acct_currency[anchors]
    for c in np.unique(ccy):
        out[ccy == c] = len(roles.persons_in(pop, int(c)))
    return out


def _members(
    rng: np.random.Generator, pop: Population, roles: Roles, anchors: np.ndarray, sizes: np.ndarray
) -> np.ndarray:
    """For each anchor, `sizes[i]` distinct people banking in the anchor's currency, as
    consecutive slices (sizes must not exceed `_group_sizes`)."""
    row_ccy = np.repeat(pop.acct_currency[anchors], sizes)
    out = np.empty(len(row_ccy), dtype=np.int64)
    for c in np.unique(row_ccy):
        sel = np.flatnonzero(row_ccy == c)
        out[sel] = np.resize(rng.permutation(roles.persons_in(pop, int(c))), len(sel))
    clash = np.flatnonzero(out == np.repeat(anchors, sizes))
    out[clash] = roles.pool[rng.integers(0, len(roles.pool), len(clash))]
    return out


def _distinct_draws(rng: np.random.Generator, members: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Consecutive slices of `sizes` draws from `members`; each slice has distinct items
    as long as it is no longer than `members`."""
    return np.resize(rng.permutation(members), int(sizes.sum()))


def _ranks(counts: np.ndarray) -> np.ndarray:
    """0..count-1 within each consecutive group of `counts` items."""
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.asarray(np.arange(int(counts.sum())) - starts)


def _occurrences(first: np.ndarray, period: np.ndarray, days: int) -> np.ndarray:
    """How many times something first due on day `first` recurs every `period` days."""
    return np.asarray(np.maximum((days - 1 - first) // period + 1, 0))


def payroll(
    rng: np.random.Generator, pop: Population, roles: Roles, budget: int, days: int
) -> R.Rows:
    """Companies paying staff by ACH on payday; some staff sweep pay to their own savings."""
    k = max(budget // 20 + 1, 1)
    employers = cycle_to(roles.employers, k)
    if budget < 20 or len(employers) == 0:
        return R.empty()
    size = np.clip(20 + rng.lognormal(3.2, 0.8, k).astype(np.int64), 20, 200)
    size = np.minimum(size, _group_sizes(pop, roles, employers))
    period = np.where(rng.random(k) < 0.4, 14, 30)
    first = rng.integers(0, np.minimum(period, days))
    paydays = _occurrences(first, period, days)
    n = _fit(size * paydays, budget)
    employers, size, period, first, paydays = (
        a[:n] for a in (employers, size, period, first, paydays)
    )
    staff = _members(rng, pop, roles, employers, size)
    boss = np.repeat(np.arange(n), size)
    salary = rng.lognormal(np.log(2300), 0.3, n)[boss] * rng.lognormal(0, 0.25, len(staff))
    salary = np.where(period[boss] == 14, salary / 2.17, salary)
    batch = rng.integers(0, 6 * 60, n)
    row_staff = np.repeat(np.arange(len(staff)), paydays[boss])
    b = boss[row_staff]
    day = first[b] + _ranks(paydays[boss]) * period[b]
    ts = day * R.MINUTES_PER_DAY + batch[b] + rng.integers(0, 4, len(row_staff))
    overtime = rng.random(len(staff)) < 0.3
    pay = salary[row_staff] * np.where(
        overtime[row_staff], rng.normal(1.0, 0.04, len(row_staff)), 1.0
    )
    pay = R.nice(rng, pay, 0.12)
    wages = R.make(pop, ts, employers[b], staff[row_staff], pay, ref.ACH)
    # Salary sweeps to the employee's own second account: >= 90% out within two days.
    sib = pop.sibling()[staff[row_staff]]
    ok = (sib >= 0) & (rng.random(len(row_staff)) < 0.35)
    ok[ok] &= pop.acct_currency[sib[ok]] == pop.acct_currency[staff[row_staff][ok]]
    ok[ok] &= pop.acct_institution[sib[ok]] == BANK
    sweep_ts = ts[ok] + rng.integers(60, 40 * 60, int(ok.sum()))
    sweep_amt = pay[ok] * rng.uniform(0.9, 1.0, int(ok.sum()))
    sweeps = R.make(pop, sweep_ts, staff[row_staff][ok], sib[ok], sweep_amt, ref.ACH)
    return R.concat([wages, sweeps])


def card_takings(
    rng: np.random.Generator, pop: Population, roles: Roles, budget: int, days: int
) -> R.Rows:
    """Many customers paying merchants small amounts by card."""
    if budget <= 0 or len(roles.merchants) == 0:
        return R.empty()
    pop_w = 1.0 / np.arange(1, len(roles.merchants) + 1) ** 0.9
    merchant = roles.merchants[rng.choice(len(roles.merchants), budget, p=pop_w / pop_w.sum())]
    payer = _same_currency_payers(rng, pop, roles, merchant)
    amount = R.nice(rng, R.lognormal_gbp(rng, budget, 22.0, 0.9, 1.0, 1500.0), 0.08)
    ts = R.moments(rng, rng.integers(0, days, budget))
    return R.make(pop, ts, payer, merchant, amount, ref.CARD)


def _same_currency_payers(
    rng: np.random.Generator, pop: Population, roles: Roles, payee: np.ndarray
) -> np.ndarray:
    """One person per payee, weighted by activity, banking in the payee's currency."""
    payer = np.empty(len(payee), dtype=np.int64)
    ccy = pop.acct_currency[payee]
    for c in np.unique(ccy):
        sel = np.flatnonzero(ccy == c)
        group = roles.persons_in(pop, int(c), minimum=20)
        w = pop.weight[group]
        payer[sel] = group[rng.choice(len(group), len(sel), p=w / w.sum())]
    return payer


def supplier_runs(
    rng: np.random.Generator, pop: Population, roles: Roles, budget: int, days: int
) -> R.Rows:
    """Merchants paying the same 4-10 suppliers every week (a benign gather-scatter)."""
    k = max(budget // 28 + 1, 1)
    payer = cycle_to(roles.merchants, k)
    if len(payer) == 0 or len(roles.suppliers) < 10:
        return R.empty()
    n_sup = rng.integers(4, 11, k)
    weekday = rng.integers(0, 7, k)
    runs = _occurrences(weekday, np.full(k, 7), days)
    n = _fit(n_sup * runs, budget)
    payer, n_sup, weekday, runs = payer[:n], n_sup[:n], weekday[:n], runs[:n]
    supplier = _distinct_draws(rng, roles.suppliers, n_sup)
    owner = np.repeat(np.arange(n), n_sup)
    base = R.lognormal_gbp(rng, len(supplier), 1200.0, 0.7, 50.0, 60_000.0)
    fmt = np.where(rng.random(n) < 0.4, ref.WIRE, ref.ACH)
    line = np.repeat(np.arange(len(supplier)), runs[owner])
    o = owner[line]
    day = weekday[o] + 7 * _ranks(runs[owner])
    amount = R.nice(rng, base[line] * rng.uniform(0.85, 1.15, len(line)), 0.3)
    return R.make(pop, R.moments(rng, day), payer[o], supplier[line], amount, fmt[o])


def rent(rng: np.random.Generator, pop: Population, roles: Roles, budget: int, days: int) -> R.Rows:
    """Tenants paying landlords a fixed monthly rent; landlords paying a mortgage."""
    landlords = np.concatenate([roles.landlord_companies, roles.landlord_persons])
    k = max(budget // 6 + 1, 1)
    landlords = cycle_to(rng.permutation(landlords), k)
    if len(landlords) == 0 or len(roles.suppliers) == 0:
        return R.empty()
    months = max((days + 29) // 30, 1)
    n_ten = rng.integers(3, 9, k)
    n = _fit((n_ten + 1) * months, budget)
    landlords, n_ten = landlords[:n], n_ten[:n]
    n_ten = np.minimum(n_ten, _group_sizes(pop, roles, landlords))
    tenant = _members(rng, pop, roles, landlords, n_ten)
    owner = np.repeat(np.arange(n), n_ten)
    base = np.clip(rng.lognormal(np.log(1100), 0.35, n), 450, 3500)
    same = rng.random(n) < 0.4
    rent_amt = base[owner] * np.where(same[owner], 1.0, rng.uniform(0.92, 1.08, len(tenant)))
    rent_amt = R.nice(rng, rent_amt, 0.85)
    due = np.where(rng.random(len(tenant)) < 0.6, 0, rng.integers(0, 28, len(tenant)))
    line = np.repeat(np.arange(len(tenant)), _occurrences(due, np.full(len(due), 30), days))
    day = due[line] + 30 * _ranks(_occurrences(due, np.full(len(due), 30), days))
    ts = day * R.MINUTES_PER_DAY + rng.integers(0, 7 * 60, len(line))
    fmt = np.where(rng.random(len(tenant)) < 0.85, ref.ACH, ref.CHEQUE)[line]
    rents = R.make(pop, ts, tenant[line], landlords[owner[line]], rent_amt[line], fmt, in_gbp=False)
    # The rent was drawn in the payer's currency; a landlord's mortgage is a share of it.
    lender = roles.suppliers[rng.integers(0, min(len(roles.suppliers), 50), n)]
    m_day = rng.integers(0, min(days, 30), n)
    total = np.bincount(owner, weights=rent_amt, minlength=n)
    ccy_gbp = ref.RATE_TO_GBP[pop.acct_currency[landlords]]
    mortgage_gbp = total * rng.uniform(0.35, 0.6, n) * ccy_gbp
    mortgage = R.make(pop, R.moments(rng, m_day), landlords, lender, mortgage_gbp, ref.ACH)
    return R.concat([rents, mortgage])


REMIT_TARGETS = np.array(
    [
        *(ref.INR, ref.CNY, ref.EUR, ref.MXN, ref.BRL, ref.SAR, ref.RUB),
        *(ref.ILS, ref.CAD, ref.AUD, ref.USD, ref.CHF, ref.JPY),
    ]
)
REMIT_P = np.array([0.25, 0.1, 0.15, 0.06, 0.06, 0.08, 0.03, 0.03, 0.05, 0.05, 0.08, 0.03, 0.03])


def remittances(
    rng: np.random.Generator, pop: Population, roles: Roles, budget: int, days: int
) -> R.Rows:
    """People regularly sending modest sums to family abroad, some through an MSB."""
    senders = roles.persons[np.isin(pop.acct_currency[roles.persons], [ref.GBP, ref.EUR, ref.USD])]
    if budget <= 0 or len(senders) == 0:
        return R.empty()
    k = budget // 2 + 1
    period = rng.choice([7, 14, 30], size=k, p=[0.3, 0.3, 0.4])
    first = rng.integers(0, np.minimum(period, days))
    times = _occurrences(first, period, days)
    n = _fit(times, budget)
    period, first, times = period[:n], first[:n], times[:n]
    who = cycle_to(rng.permutation(senders), n)
    target = REMIT_TARGETS[rng.choice(len(REMIT_TARGETS), n, p=REMIT_P / REMIT_P.sum())]
    target = np.where(target == pop.acct_currency[who], ref.INR, target)
    family = np.empty(n, dtype=np.int64)
    for c in np.unique(target):
        sel = np.flatnonzero(target == c)
        group = roles.persons[pop.acct_currency[roles.persons] == c]
        group = group if len(group) else roles.persons
        family[sel] = group[rng.integers(0, len(group), len(sel))]
    via_msb = (rng.random(n) < 0.3) & (len(roles.msb) > 0)
    if len(roles.msb):
        msb_ccy = pop.acct_currency[roles.msb]
        for c in np.unique(pop.acct_currency[who[via_msb]]):
            sel = np.flatnonzero(via_msb & (pop.acct_currency[who] == c))
            options = roles.msb[msb_ccy == c] if (msb_ccy == c).any() else roles.msb
            family[sel] = options[rng.integers(0, len(options), len(sel))]
    base = R.lognormal_gbp(rng, n, 180.0, 0.55, 20.0, 2500.0)
    fmt = np.where(
        via_msb,
        np.where(rng.random(n) < 0.5, ref.CASH, ref.ACH),
        rng.choice([ref.WIRE, ref.ACH], size=n, p=[0.75, 0.25]),
    )
    line = np.repeat(np.arange(n), times)
    day = first[line] + period[line] * _ranks(times)
    amount = R.nice(rng, base[line] * rng.uniform(0.9, 1.1, len(line)), 0.5)
    return R.make(pop, R.moments(rng, day), who[line], family[line], amount, fmt[line])


def cash_shops(
    rng: np.random.Generator, pop: Population, roles: Roles, budget: int, days: int
) -> R.Rows:
    """Shops taking many small cash payments daily and banking out weekly."""
    k = max(budget // (3 * days) + 1, 1)
    shops = cycle_to(roles.cash_shops, k)
    if budget < days or len(shops) == 0 or len(roles.suppliers) == 0:
        return R.empty()
    rate = rng.uniform(3, 15, k)
    weeks = (days + 6) // 7
    n = _fit(rate * days + 2 * weeks, budget)
    shops, rate = shops[:n], rate[:n]
    flat = rng.poisson(np.repeat(rate, days))
    owner = np.repeat(np.repeat(np.arange(n), days), flat)
    day = np.repeat(np.tile(np.arange(days), n), flat)
    customer = _same_currency_payers(rng, pop, roles, shops[owner])
    amount = R.nice(rng, R.lognormal_gbp(rng, len(owner), 14.0, 0.8, 1.0, 400.0), 0.4)
    takings = R.make(pop, R.moments(rng, day), customer, shops[owner], amount, ref.CASH)
    # Weekly banking out: owner's drawings and the wholesaler, from that week's takings.
    week = day // 7
    paid_in = np.bincount(owner * weeks + week, weights=amount, minlength=n * weeks)
    keeper = _same_currency_payers(rng, pop, roles, shops)
    wholesaler = roles.suppliers[rng.integers(0, len(roles.suppliers), n)]
    sid = np.repeat(np.arange(n), weeks)
    wk = np.tile(np.arange(weeks), n)
    bank_day = np.minimum(wk * 7 + 6, days - 1)
    has = paid_in > 0
    sid, wk, bank_day, paid_in = sid[has], wk[has], bank_day[has], paid_in[has]
    ts = R.moments(rng, bank_day)
    drawings = R.make(
        pop, ts, shops[sid], keeper[sid], paid_in * rng.uniform(0.4, 0.7, len(sid)), ref.ACH
    )
    stock = R.make(
        pop,
        ts + rng.integers(1, 120, len(sid)),
        shops[sid],
        wholesaler[sid],
        paid_in * rng.uniform(0.25, 0.45, len(sid)),
        np.where(rng.random(len(sid)) < 0.5, ref.WIRE, ref.ACH),
    )
    return R.concat([takings, drawings, stock])


def savings_clubs(
    rng: np.random.Generator, pop: Population, roles: Roles, budget: int, days: int
) -> R.Rows:
    """Friends paying an organiser the same sum monthly; the pot goes to one member."""
    months = max((days + 29) // 30, 1)
    k = max(budget // 7 + 1, 1)
    organiser = cycle_to(roles.organisers, k)
    if budget < 4 or len(organiser) == 0:
        return R.empty()
    size = rng.integers(3, 11, k)
    n = _fit((size + 1) * months, budget)
    organiser, size = organiser[:n], size[:n]
    size = np.minimum(size, _group_sizes(pop, roles, organiser) - 1)
    members = _members(rng, pop, roles, organiser, size)
    club = np.repeat(np.arange(n), size)
    big = rng.random(n) < 0.3
    due = np.where(
        big, rng.uniform(1000, 1500, n), np.exp(rng.uniform(np.log(50), np.log(1000), n))
    )
    due = R.nice(rng, due, 1.0)
    collect = rng.integers(0, max(min(days, 30) - 6, 1), n)
    fmt = rng.choice([ref.ACH, ref.CASH, ref.CHEQUE], size=n, p=[0.6, 0.2, 0.2])
    line = np.repeat(np.arange(len(members)), months)
    c = club[line]
    month = _ranks(np.full(len(members), months))
    day = np.minimum(collect[c] + 30 * month + rng.integers(0, 3, len(line)), days - 1)
    keep = collect[c] + 30 * month < days
    line, c, day = line[keep], c[keep], day[keep]
    pays = R.make(
        pop, R.moments(rng, day), members[line], organiser[c], due[c], fmt[c], in_gbp=False
    )
    pot_month = np.repeat(np.arange(n), months), np.tile(np.arange(months), n)
    cl, mo = pot_month
    pot_day = collect[cl] + 30 * mo + 3 + rng.integers(0, 3, len(cl))
    ok = pot_day < days
    cl, pot_day = cl[ok], pot_day[ok]
    start = np.cumsum(size) - size
    winner = members[start[cl] + rng.integers(0, size[cl])]
    pots = R.make(
        pop, R.moments(rng, pot_day), organiser[cl], winner, due[cl] * size[cl], fmt[cl],
        in_gbp=False,
    )  # fmt: skip
    return R.concat([pays, pots])
