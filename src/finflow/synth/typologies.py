"""finflow's further smuggling and trafficking typologies, planted like AMLworld's:

- OIC-MSB-NEXUS: a person pays a money transfer firm 4-8 times within 30 days, £800-3,000
  each, mostly round sums, often in cash;
- OIC-ROUND-CROSS-BORDER: 3-6 round-sum transfers (multiples of 500, £1,000-6,000) to
  people banking abroad within 30 days;
- OIC-ESCROW: 2-5 clients each pay an agent a deposit and, 5-20 days later, a different
  balance, the two inside the crossing-price band;
- OIC-HAWALA: an account takes 30-60 transfers and cash payments from 20-40 people, then
  settles 85-100% of it abroad in 1-3 large payments;
- OIC-CASH-TO-CORRIDOR: £3,000-9,000 of cash paid in within 7 days, 75-95% of it then sent
  through a money transfer firm or abroad within 72 hours;
- HT-WAGE-SWEEP: an agency pays 5-8 workers fortnightly; 3-5 of them hand 85-98% of each pay
  to one controller within 48 hours, two pay periods running;
- HT-POOLED-REMITTANCE: the same, and the controller sends 60-90% of the pooled wages abroad
  within 14 days;
- HT-DEBT-BONDAGE: 3-5 people each pay one person a similar sum weekly, 3-4 times.
"""

from __future__ import annotations

import numpy as np

from finflow.synth import reference as ref
from finflow.synth import rows as R
from finflow.synth.attempt import Attempt, Context
from finflow.synth.oic import CROSSING_BAND, FOREIGN, _in_currency

FIAT = (ref.GBP, ref.EUR)


def _msb(ctx: Context, ccy: int) -> int:
    msb = ctx.roles.msb[ctx.pop.acct_currency[ctx.roles.msb] == ccy]
    msb = msb if len(msb) else ctx.roles.msb
    return int(msb[ctx.rng.integers(0, len(msb))])


def _abroad(ctx: Context, ccy: int, n: int) -> np.ndarray:
    """`n` people banking in currencies other than `ccy`."""
    choices = [c for c in FOREIGN if c != ccy]
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        target = choices[int(ctx.rng.integers(0, len(choices)))]
        group = ctx.roles.persons[ctx.pop.acct_currency[ctx.roles.persons] == target]
        group = group if len(group) else ctx.roles.persons
        out[i] = group[ctx.rng.integers(0, len(group))]
    return out


def _round(ctx: Context, n: int, lo: float, hi: float, unit: float) -> np.ndarray:
    return np.round(ctx.rng.uniform(lo, hi, n) / unit) * unit


def msb_nexus(ctx: Context) -> Attempt:
    rng = ctx.rng
    ctx.bitcoin = False
    ccy = ctx.currency(FIAT)
    (person,) = ctx.take(1, ccy)
    n = int(rng.integers(4, 9))
    span = min(ctx.days - 1, int(rng.integers(6, 28)))
    ts = R.distinct_moments(rng, ctx.start(span), span, n, ctx.days)
    amount = _round(ctx, n, 800, 3000, 100)
    messy = rng.random(n) < 0.25
    amount[messy] = np.round(amount[messy] * rng.uniform(0.9, 1.1, int(messy.sum())), 2)
    msb = np.full(n, _msb(ctx, ccy))
    fmt = rng.choice([ref.CASH, ref.ACH, ref.WIRE], size=n, p=[0.5, 0.3, 0.2])
    rows = ctx.rows(ts, np.full(n, person), msb, _in_currency(amount, ccy), fmt, share_nice=0.0)
    return Attempt("OIC-MSB-NEXUS", f"{n} payments", rows)


def round_cross_border(ctx: Context) -> Attempt:
    rng = ctx.rng
    ctx.bitcoin = False
    ccy = ctx.currency(FIAT)
    (sender,) = ctx.take(1, ccy)
    n = int(rng.integers(3, 7))
    family = _abroad(ctx, ccy, int(rng.integers(1, 3)))
    dest = family[rng.integers(0, len(family), n)]
    span = min(ctx.days - 1, int(rng.integers(5, 28)))
    ts = R.distinct_moments(rng, ctx.start(span), span, n, ctx.days)
    amount = _round(ctx, n, 1000, 6000, 500)
    rows = ctx.rows(
        ts, np.full(n, sender), dest, _in_currency(amount, ccy), np.full(n, ref.WIRE),
        share_nice=0.0,
    )  # fmt: skip
    return Attempt("OIC-ROUND-CROSS-BORDER", f"{n} transfers", rows)


def escrow(ctx: Context) -> Attempt:
    rng = ctx.rng
    ctx.bitcoin = False
    ccy = ctx.currency(FIAT)
    band_ccy = ccy if ccy in CROSSING_BAND else ref.GBP
    lo, hi = CROSSING_BAND[band_ccy]
    k = int(rng.integers(2, 6))
    agent, *clients = ctx.take(k + 1, ccy)
    price = rng.uniform(lo + 500, min(hi, 6000.0), k)
    deposit = np.round(price * rng.uniform(0.2, 0.4, k), -1)
    balance = np.round(price - deposit, 2)
    gap = rng.integers(5, min(21, ctx.days - 2), k)
    first = np.array([ctx.start(int(g) + 1) for g in gap])
    t1 = R.moments(rng, first)
    t2 = R.moments(rng, np.minimum(first + gap, ctx.days - 1))
    t2 = np.maximum(t2, t1 + 5 * R.MINUTES_PER_DAY)
    ts = np.concatenate([t1, t2])
    src = np.tile(np.array(clients), 2)
    amount = np.concatenate([deposit, balance])
    fmt = rng.choice([ref.ACH, ref.CASH, ref.WIRE], size=2 * k, p=[0.6, 0.2, 0.2])
    rows = ctx.rows(
        ts, src, np.full(2 * k, agent), _in_currency(amount, band_ccy), fmt, share_nice=0.0
    )
    keep = rows.ts < ctx.horizon
    return Attempt("OIC-ESCROW", f"{k} clients", rows.take(np.flatnonzero(keep)))


def hawala(ctx: Context) -> Attempt:
    rng = ctx.rng
    ctx.bitcoin = False
    ccy = ctx.currency(FIAT)
    m = int(rng.integers(20, 41))
    hub, *payers = ctx.take(m + 1, ccy)
    n = int(rng.integers(max(30, m), 61))
    who = np.concatenate([np.array(payers), np.array(payers)[rng.integers(0, m, n - m)]])
    span = min(ctx.days - 3, int(rng.integers(14, 26)))
    day0 = ctx.start(span + 2)
    ts = R.moments(rng, day0 + rng.integers(0, span, n))
    amount = R.nice(rng, R.lognormal_gbp(rng, n, 350.0, 0.5, 80.0, 2500.0), 0.5)
    fmt = rng.choice([ref.CASH, ref.ACH, ref.WIRE], size=n, p=[0.5, 0.35, 0.15])
    credits = ctx.rows(ts, who, np.full(n, hub), amount, fmt, share_nice=0.0)
    total = float(R.value_gbp(credits).sum())
    k = int(rng.integers(1, 4))
    out = total * rng.uniform(0.85, 1.0) * rng.dirichlet(np.full(k, 5.0))
    t_out = np.sort(ctx.after(np.full(k, int(ts.max())), 0, 2))
    dest = _abroad(ctx, ccy, k)
    settle = ctx.rows(t_out, np.full(k, hub), dest, out, np.full(k, ref.WIRE), share_nice=0.2)
    return Attempt("OIC-HAWALA", f"{m} payers", R.concat([credits, settle]))


def cash_to_corridor(ctx: Context) -> Attempt:
    rng = ctx.rng
    ctx.bitcoin = False
    ccy = ctx.currency(FIAT)
    k = int(rng.integers(2, 6))
    acct, *givers = ctx.take(k + 1, ccy)
    total = rng.uniform(3200, 9000)
    cash = total * rng.dirichlet(np.full(k, 4.0))
    span = int(rng.integers(1, 7))
    ts = R.distinct_moments(rng, ctx.start(span + 3), span, k, ctx.days)
    credits = ctx.rows(ts, np.array(givers), np.full(k, acct), cash, np.full(k, ref.CASH))
    m = int(rng.integers(1, 3))
    sent = (
        float(R.value_gbp(credits).sum()) * rng.uniform(0.75, 0.95) * rng.dirichlet(np.full(m, 4.0))
    )
    t_out = int(ts.max()) + np.sort(rng.integers(60, 70 * 60, m))
    t_out = np.minimum(t_out, ctx.horizon - 1)
    dest = np.array(
        [_msb(ctx, ccy) if rng.random() < 0.6 else int(_abroad(ctx, ccy, 1)[0]) for _ in range(m)]
    )
    out = ctx.rows(t_out, np.full(m, acct), dest, sent, np.full(m, ref.WIRE), share_nice=0.3)
    return Attempt("OIC-CASH-TO-CORRIDOR", f"{k} deposits", R.concat([credits, out]))


def _wages(ctx: Context, kind: str, remit: bool) -> Attempt:
    rng = ctx.rng
    ctx.bitcoin = False
    ccy = ctx.currency(FIAT)
    staff = int(rng.integers(5, 9))
    swept = int(rng.integers(3, min(staff, 5) + 1))
    agency, boss, *workers = ctx.take(staff + 2, ccy)
    crew = np.array(workers)
    pay = rng.lognormal(np.log(1100), 0.2, staff)
    first = int(rng.integers(0, max(ctx.days - 16, 1)))
    parts = []
    for p in range(2):
        day = min(first + 14 * p, ctx.days - 3)
        t = day * R.MINUTES_PER_DAY + int(rng.integers(6 * 60, 10 * 60)) + np.arange(staff)
        parts.append(
            ctx.rows(t, np.full(staff, agency), crew, pay * rng.normal(1, 0.03, staff),
                     np.full(staff, ref.ACH), share_nice=0.0)
        )  # fmt: skip
        got = R.value_gbp(parts[-1])[:swept]
        t_sw = t[:swept] + rng.integers(60, 44 * 60, swept)
        parts.append(
            ctx.rows(t_sw, crew[:swept], np.full(swept, boss), got * rng.uniform(0.85, 0.98, swept),
                     rng.choice([ref.ACH, ref.WIRE], size=swept), share_nice=0.2)
        )  # fmt: skip
    if remit:
        pooled = float(sum(R.value_gbp(x).sum() for x in parts[1::2]))
        k = int(rng.integers(1, 3))
        last = int(max(x.ts.max() for x in parts[1::2]))
        t_out = np.minimum(
            last + np.sort(rng.integers(60, 10 * R.MINUTES_PER_DAY, k)), ctx.horizon - 1
        )
        dest = np.array(
            [
                _msb(ctx, ccy) if rng.random() < 0.5 else int(_abroad(ctx, ccy, 1)[0])
                for _ in range(k)
            ]
        )
        amount = pooled * rng.uniform(0.6, 0.9) * rng.dirichlet(np.full(k, 4.0))
        parts.append(
            ctx.rows(t_out, np.full(k, boss), dest, amount, np.full(k, ref.WIRE), share_nice=0.3)
        )
    rows = R.concat(parts)
    rows = rows.take(np.flatnonzero(rows.ts < ctx.horizon))
    return Attempt(kind, f"{swept} of {staff} workers", rows)


def wage_sweep(ctx: Context) -> Attempt:
    return _wages(ctx, "HT-WAGE-SWEEP", remit=False)


def pooled_remittance(ctx: Context) -> Attempt:
    return _wages(ctx, "HT-POOLED-REMITTANCE", remit=True)


def debt_bondage(ctx: Context) -> Attempt:
    rng = ctx.rng
    ctx.bitcoin = False
    ccy = ctx.currency(FIAT)
    k = int(rng.integers(3, 6))
    boss, *debtors = ctx.take(k + 1, ccy)
    weeks = min(int(rng.integers(3, 5)), max((ctx.days - 1) // 7, 1))
    due = rng.uniform(50, 300, k)
    day0 = int(rng.integers(0, max(ctx.days - 7 * (weeks - 1) - 1, 1)))
    src, ts, amount = [], [], []
    for i in range(k):
        for w in range(weeks):
            day = min(day0 + 7 * w + int(rng.integers(0, 2)), ctx.days - 1)
            src.append(debtors[i])
            ts.append(int(R.moments(rng, np.array([day]))[0]))
            amount.append(due[i] * rng.uniform(0.95, 1.05))
    n = len(src)
    fmt = rng.choice([ref.ACH, ref.CASH], size=n, p=[0.7, 0.3])
    rows = ctx.rows(
        np.array(ts), np.array(src), np.full(n, boss), np.array(amount), fmt, share_nice=0.4
    )
    return Attempt("HT-DEBT-BONDAGE", f"{k} debtors", rows)
