"""finflow's smuggling typologies, planted with the same block syntax as AMLworld's.

- OIC-CROSSING-FEE: a collector is paid by 5-20 unrelated people within 30 days, nearly all
  inside the crossing-price band (families pay exact multiples of one price), then sends most
  of it on by wire to a money transfer firm or an account abroad within days;
- OIC-STRUCTURING: one account makes 3-6 payments within 7 days, each in [0.85 T, T), for a
  reporting threshold T (EUR 1,000 transfer, EUR 10,000 cash, or the pound equivalents);
- OIC-PASS-THROUGH: a mule receives credits and sends 92-99% of them on within 48 hours,
  two to four times, keeping almost nothing.
"""

from __future__ import annotations

import numpy as np

from finflow.synth import reference as ref
from finflow.synth import rows as R
from finflow.synth.attempt import Attempt, Context

CROSSING_BAND = {ref.GBP: (1000.0, 7000.0), ref.EUR: (1000.0, 8000.0)}
"""Default dated crossing-price band per currency (DOMAIN.md section 2)."""

THRESHOLDS = {
    (ref.EUR, "transfer"): 1000.0,
    (ref.EUR, "cash"): 10_000.0,
    (ref.GBP, "transfer"): round(1000.0 * ref.RATE_TO_GBP[ref.EUR]),
    (ref.GBP, "cash"): round(10_000.0 * ref.RATE_TO_GBP[ref.EUR]),
}
"""Structuring thresholds in the payer's currency; pounds are the euro figures converted."""

FOREIGN = (ref.INR, ref.CNY, ref.SAR, ref.USD, ref.EUR)


def _in_currency(amount: np.ndarray, ccy: int) -> np.ndarray:
    """Amounts stated in `ccy`, as pounds (for `Context.rows`)."""
    return np.asarray(amount, dtype=np.float64) * float(ref.RATE_TO_GBP[ccy])


def _onward_account(ctx: Context, ccy: int) -> int:
    """A money transfer firm's account in `ccy`, or a person's account abroad."""
    rng, pop, roles = ctx.rng, ctx.pop, ctx.roles
    msb = roles.msb[pop.acct_currency[roles.msb] == ccy]
    if len(msb) and rng.random() < 0.6:
        return int(msb[rng.integers(0, len(msb))])
    choices = [c for c in FOREIGN if c != ccy]
    target = choices[int(rng.integers(0, len(choices)))]
    abroad = roles.persons[pop.acct_currency[roles.persons] == target]
    abroad = abroad if len(abroad) else roles.persons
    return int(abroad[rng.integers(0, len(abroad))])


def crossing_fee(ctx: Context) -> Attempt:
    """Many unrelated payers, prices in band (some family multiples), then onward wires."""
    rng = ctx.rng
    ctx.bitcoin = False
    ccy = ctx.currency((ref.GBP, ref.EUR))
    band_ccy = ccy if ccy in CROSSING_BAND else ref.GBP
    lo, hi = CROSSING_BAND[band_ccy]
    k = int(rng.integers(5, 21))
    collector, *payers = ctx.take(k + 1, ccy)
    payer = np.array(payers)
    price = float(rng.choice(np.arange(1500.0, min(hi, 6000.0) + 1, 250.0)))
    family = rng.choice([1, 2, 3], size=len(payer), p=[0.7, 0.25, 0.05])
    family = np.where(family * price <= hi - 50, family, 1)
    amount = family * price
    rough = rng.random(len(payer)) < 0.35
    amount[rough] = np.clip(
        amount[rough] * rng.uniform(0.92, 1.04, int(rough.sum())), lo + 20, hi - 20
    )
    amount[rough] = np.round(amount[rough], int(rng.choice([0, 2])))
    if rng.random() < 0.25:
        amount[int(rng.integers(0, len(amount)))] = rng.uniform(300.0, 950.0)  # a part payment
    span = int(rng.integers(min(7, ctx.days - 4), max(min(30, ctx.days) - 3, 8)))
    span = max(1, min(span, ctx.days - 4))
    t_in = R.distinct_moments(rng, ctx.start(span + 4), span, len(payer), ctx.days)
    fmt_in = rng.choice(
        [ref.ACH, ref.WIRE, ref.CASH, ref.CHEQUE], size=len(payer), p=[0.55, 0.15, 0.2, 0.1]
    )
    credits = ctx.rows(
        t_in, payer, np.full(len(payer), collector), _in_currency(amount, band_ccy), fmt_in,
        share_nice=0.0,
    )  # fmt: skip
    n_out = int(rng.integers(1, 4))
    onward_total = amount.sum() * rng.uniform(0.85, 0.97)
    out_amt = onward_total * rng.dirichlet(np.full(n_out, 4.0))
    dest = np.array([_onward_account(ctx, band_ccy) for _ in range(n_out)])
    t_out = np.sort(ctx.after(np.full(n_out, t_in.max()), 0, 3))
    t_out = np.maximum(t_out, t_in.max() + 1 + np.arange(n_out))
    debits = ctx.rows(
        t_out, np.full(n_out, collector), dest, _in_currency(out_amt, band_ccy),
        np.full(n_out, ref.WIRE), share_nice=0.3,
    )  # fmt: skip
    return Attempt("OIC-CROSSING-FEE", f"{len(payer)} payers", R.concat([credits, debits]))


def structuring(ctx: Context) -> Attempt:
    """3-6 payments within 7 days, each just under a reporting threshold."""
    rng = ctx.rng
    ctx.bitcoin = False
    ccy = ctx.currency((ref.GBP, ref.EUR))
    key_ccy = ccy if ccy in (ref.GBP, ref.EUR) else ref.GBP
    mode = "cash" if rng.random() < 0.4 else "transfer"
    threshold = THRESHOLDS[(key_ccy, mode)]
    n = int(rng.integers(3, 7))
    n_payees = int(rng.integers(1, 4))
    payer, *payees = ctx.take(1 + n_payees, ccy)
    dst = np.array(payees)[rng.integers(0, len(payees), n)]
    amount = rng.uniform(0.86 * threshold, 0.995 * threshold, n)
    tidy = rng.random(n) < 0.4
    amount[tidy] = np.floor(amount[tidy] / 10.0) * 10.0
    amount = np.round(amount, 2)
    span = int(rng.integers(2, 8))
    ts = R.distinct_moments(rng, ctx.start(span), span, n, ctx.days)
    if mode == "cash":
        fmt = np.full(n, ref.CASH)
    else:
        fmt = rng.choice([ref.ACH, ref.WIRE], size=n, p=[0.6, 0.4])
    rows = ctx.rows(ts, np.full(n, payer), dst, _in_currency(amount, key_ccy), fmt, share_nice=0.0)
    name = ref.CURRENCIES[key_ccy]
    return Attempt("OIC-STRUCTURING", f"Threshold {threshold:.2f} {name} {mode}", rows)


def pass_through(ctx: Context) -> Attempt:
    """A mule passing 92-99% of each batch of credits on within 48 hours, 2-4 times."""
    rng = ctx.rng
    ctx.bitcoin = False
    ccy = ctx.currency((ref.GBP, ref.EUR))
    rounds = int(rng.integers(2, 5))
    n_src, n_dst = int(rng.integers(2, 6)), int(rng.integers(1, 3))
    mule, *rest = ctx.take(1 + n_src + n_dst, ccy)
    sources, dests = np.array(rest[:n_src]), np.array(rest[n_src:])
    rounds = min(rounds, (ctx.days - 4) // 3 + 1)
    gap = max((ctx.days - 3) // rounds, 3)
    day0 = ctx.start(gap * (rounds - 1) + 3)
    parts = []
    for r in range(rounds):
        k = int(rng.integers(1, 4))
        day = min(day0 + r * gap + int(rng.integers(0, max(gap - 2, 1))), ctx.days - 3)
        t_in = np.sort(day * R.MINUTES_PER_DAY + R.clock(rng, 1) + rng.integers(0, 8 * 60, k))
        t_in = t_in + np.arange(k)
        credit = ctx.base(1500.0, 0.6) * rng.lognormal(0.0, 0.4, k)
        fmt_in = rng.choice([ref.ACH, ref.CASH, ref.CHEQUE, ref.WIRE], size=k)
        credits = ctx.rows(
            t_in, sources[rng.integers(0, n_src, k)], np.full(k, mule), credit, fmt_in
        )
        received_gbp = float((credits.amount * ref.RATE_TO_GBP[credits.cur_paid]).sum())
        m = int(rng.integers(1, 3))
        room = 46 * 60 - int(t_in.max() - t_in.min())
        t_out = t_in.max() + np.sort(rng.choice(np.arange(30, room), m, replace=False))
        debit = received_gbp * rng.uniform(0.92, 0.99) * rng.dirichlet(np.full(m, 4.0))
        fmt_out = rng.choice([ref.ACH, ref.WIRE, ref.CASH], size=m)
        dst = dests[rng.integers(0, n_dst, m)]
        parts += [credits, ctx.rows(t_out, np.full(m, mule), dst, debit, fmt_out, share_nice=0.0)]
    return Attempt("OIC-PASS-THROUGH", f"{rounds} cycles", R.concat(parts))
