"""Blocks of generated payments as parallel numpy arrays, and the shared samplers.

Every generator, benign or planted, builds its rows through the same helpers: the same clock
(time-of-day profile), the same habit of rounding some amounts to "nice" figures and the same
currency handling. Planted rows are therefore not separable by such artefacts.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from finflow.synth import reference as ref
from finflow.synth.population import Population

MINUTES_PER_DAY = 1440

HOUR_WEIGHTS = np.array(
    [
        *(0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.4, 0.7, 1.0, 1.2, 1.3, 1.3),
        *(1.35, 1.3, 1.25, 1.2, 1.2, 1.15, 1.0, 0.9, 0.8, 0.6, 0.4, 0.25),
    ]
)
"""Relative activity per hour of the day, shared by benign and planted payments."""
HOUR_P = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()


@dataclass(frozen=True)
class Rows:
    """Payments: minute offset, payer and payee account index, amount in the payer's
    currency (major units), currencies, format and planted-attempt id (-1 for background)."""

    ts: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    amount: np.ndarray
    cur_paid: np.ndarray
    cur_recv: np.ndarray
    fmt: np.ndarray
    attempt: np.ndarray

    def __len__(self) -> int:
        return len(self.ts)

    def take(self, index: np.ndarray) -> Rows:
        """The rows at `index` (an integer or boolean array)."""
        return Rows(*(getattr(self, f.name)[index] for f in fields(self)))


def empty() -> Rows:
    """No rows."""
    i32, i8 = np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int8)
    return Rows(i32, i32, i32, np.empty(0), i8, i8, i8, i32)


def concat(parts: list[Rows]) -> Rows:
    """All rows of `parts`, in order."""
    parts = [p for p in parts if len(p)] or [empty()]
    return Rows(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Rows)))


def make(
    pop: Population,
    ts: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    amount: np.ndarray,
    fmt: np.ndarray | int,
    *,
    in_gbp: bool = True,
    attempt: np.ndarray | int = -1,
) -> Rows:
    """Rows paid in the payer's currency and received in the payee's.

    `amount` is in pounds when `in_gbp` (converted to the payer's currency), otherwise already
    in the payer's currency.
    """
    src = np.asarray(src, dtype=np.int32)
    dst = np.asarray(dst, dtype=np.int32)
    n = len(src)
    cur_paid = pop.acct_currency[src].astype(np.int8)
    cur_recv = pop.acct_currency[dst].astype(np.int8)
    amount = np.asarray(amount, dtype=np.float64)
    if in_gbp:
        amount = amount / ref.RATE_TO_GBP[cur_paid]
    return Rows(
        ts=np.asarray(ts, dtype=np.int32),
        src=src,
        dst=dst,
        amount=amount,
        cur_paid=cur_paid,
        cur_recv=cur_recv,
        fmt=np.broadcast_to(np.asarray(fmt, dtype=np.int8), (n,)).copy(),
        attempt=np.broadcast_to(np.asarray(attempt, dtype=np.int32), (n,)).copy(),
    )


def clock(rng: np.random.Generator, n: int) -> np.ndarray:
    """Minute of the day for `n` payments, following the daily activity profile."""
    return rng.choice(24, size=n, p=HOUR_P) * 60 + rng.integers(0, 60, size=n)


def moments(rng: np.random.Generator, day: np.ndarray | int, n: int | None = None) -> np.ndarray:
    """Timestamps (minutes since the start) on the given day(s) at profiled times of day."""
    day_arr = np.asarray(day, dtype=np.int64)
    size = n if n is not None else day_arr.size
    return np.asarray(day_arr * MINUTES_PER_DAY + clock(rng, size))


def distinct_moments(
    rng: np.random.Generator, first_day: int, n_days: int, n: int, horizon: int
) -> np.ndarray:
    """`n` strictly increasing timestamps on days [first_day, first_day + n_days), profiled
    by time of day and clipped to the generated period of `horizon` days."""
    last = max(first_day + 1, min(first_day + max(n_days, 1), horizon))
    out = np.unique(moments(rng, rng.integers(first_day, last, size=n)))
    while len(out) < n:
        out = np.unique(np.concatenate([out, moments(rng, rng.integers(first_day, last, size=n))]))
    return np.sort(rng.choice(out, size=n, replace=False))


def nice(rng: np.random.Generator, amount: np.ndarray, share: float) -> np.ndarray:
    """Round a `share` of amounts to a figure people would type (to 1, 5, 10, 50, 100...)."""
    amount = np.asarray(amount, dtype=np.float64).copy()
    pick = rng.random(len(amount)) < share
    if not pick.any():
        return amount
    x = amount[pick]
    mag = 10.0 ** np.floor(np.log10(np.maximum(x, 1e-9)))
    unit = mag / rng.choice([100.0, 20.0, 10.0], size=len(x), p=[0.3, 0.3, 0.4])
    unit = np.maximum(unit, 0.01)
    rounded = np.round(x / unit) * unit
    amount[pick] = np.where(rounded > 0, rounded, x)
    return amount


def lognormal_gbp(
    rng: np.random.Generator, n: int, median: float, sigma: float, low: float, high: float
) -> np.ndarray:
    """Heavy-tailed amounts in pounds, clipped to [low, high]."""
    return np.clip(median * rng.lognormal(0.0, sigma, size=n), low, high)


def value_gbp(rows: Rows) -> np.ndarray:
    """What each row is worth in pounds (as paid, after any rounding to a nice figure)."""
    return np.asarray(rows.amount * ref.RATE_TO_GBP[rows.cur_paid])


def to_minor(rows: Rows) -> tuple[np.ndarray, np.ndarray]:
    """Amounts paid and received in minor units; received is paid converted at fixed rates."""
    scale_p = ref.MINOR_UNITS[rows.cur_paid]
    scale_r = ref.MINOR_UNITS[rows.cur_recv]
    paid = np.maximum(np.rint(rows.amount * scale_p), 1).astype(np.int64)
    factor = ref.RATE_TO_GBP[rows.cur_paid] / ref.RATE_TO_GBP[rows.cur_recv]
    converted = np.maximum(np.rint(paid / scale_p * factor * scale_r), 1).astype(np.int64)
    received = np.where(rows.cur_paid == rows.cur_recv, paid, converted)
    return paid, received
