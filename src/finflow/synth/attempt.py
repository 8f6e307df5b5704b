"""What a planted laundering attempt is made of, and the context its builder draws from.

Participants come from the pool of ordinary people's accounts (see `roles`), one currency per
attempt as most real networks bank locally, and are not reused until the pool wraps around.
Times and amounts go through the same samplers as benign traffic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from finflow.synth import reference as ref
from finflow.synth import rows as R
from finflow.synth.population import Population
from finflow.synth.roles import Roles

LAUNDER_FORMATS = np.array([ref.ACH, ref.CHEQUE, ref.CARD, ref.CASH, ref.WIRE])
LAUNDER_FORMAT_P = np.array([0.45, 0.15, 0.12, 0.13, 0.15])


@dataclass(frozen=True)
class Attempt:
    """One planted attempt: its Patterns.txt type, the detail after the colon, its rows."""

    kind: str
    detail: str
    rows: R.Rows


@dataclass
class Context:
    """Random source, population and participant pool shared by the attempt builders."""

    rng: np.random.Generator
    pop: Population
    roles: Roles
    days: int
    attempt: int = 0
    bitcoin: bool = False
    _cursor: dict[int, int] = field(default_factory=dict)
    _groups: dict[int, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        pool = self.roles.pool
        ccy = self.pop.acct_currency[pool]
        for c in np.unique(ccy):
            group = pool[ccy == c]
            if len(group) >= 40:
                self._groups[int(c)] = group
        self._groups[-1] = pool
        if len(self.roles.crypto) >= 40:
            self._groups[ref.XBT] = self.rng.permutation(self.roles.crypto)

    @property
    def horizon(self) -> int:
        """First minute after the generated period."""
        return self.days * R.MINUTES_PER_DAY

    def currency(self, choices: tuple[int, ...] | None = None) -> int:
        """Pick the attempt's currency group, in proportion to how many people bank in it."""
        keys = [k for k in self._groups if k not in (-1, ref.XBT)]
        if choices is not None:
            keys = [k for k in keys if k in choices] or [-1]
        sizes = np.array([len(self._groups[k]) for k in keys], dtype=np.float64)
        return int(keys[int(self.rng.choice(len(keys), p=sizes / sizes.sum()))])

    def maybe_bitcoin(self, share: float = 0.05) -> int:
        """Now and then run an attempt between Bitcoin wallets; else pick a fiat currency."""
        self.bitcoin = ref.XBT in self._groups and bool(self.rng.random() < share)
        return ref.XBT if self.bitcoin else self.currency()

    def take(self, k: int, ccy: int) -> np.ndarray:
        """`k` distinct participants banking in `ccy` (any currency if that group is small)."""
        key = ccy if ccy in self._groups and len(self._groups[ccy]) >= k else -1
        group = self._groups[key]
        k = min(k, len(group))
        start = self._cursor.get(key, 0)
        self._cursor[key] = start + k
        return group[(start + np.arange(k)) % len(group)]

    def start(self, span: int) -> int:
        """A first day leaving `span` days before the end of the period."""
        return int(self.rng.integers(0, max(self.days - span, 0) + 1))

    def base(self, median: float = 1200.0, sigma: float = 1.0) -> float:
        """An attempt's typical payment, in pounds."""
        return float(np.clip(median * self.rng.lognormal(0.0, sigma), 40.0, 400_000.0))

    def formats(self, n: int) -> np.ndarray:
        """Payment formats for `n` rows of an attempt."""
        if self.bitcoin:
            return np.full(n, ref.BITCOIN)
        return self.rng.choice(LAUNDER_FORMATS, size=n, p=LAUNDER_FORMAT_P)

    def after(self, t: np.ndarray, min_days: int, max_days: int) -> np.ndarray:
        """Times strictly after `t`, `min_days`..`max_days` calendar days later, inside the
        period, at profiled times of day."""
        t = np.asarray(t, dtype=np.int64)
        day = t // R.MINUTES_PER_DAY + self.rng.integers(min_days, max_days + 1, t.shape)
        out = R.moments(self.rng, np.minimum(day, self.days - 1))
        late = out <= t
        out[late] = t[late] + self.rng.integers(15, 240, int(late.sum()))
        over = out >= self.horizon
        out[over] = t[over] + 1
        return out

    def rows(
        self,
        ts: np.ndarray,
        src: np.ndarray,
        dst: np.ndarray,
        amount_gbp: np.ndarray,
        fmt: np.ndarray | None = None,
        *,
        share_nice: float = 0.25,
    ) -> R.Rows:
        """Rows of this attempt, amounts given in pounds and paid in the payer's currency."""
        rows = R.make(
            self.pop,
            ts,
            src,
            dst,
            amount_gbp,
            self.formats(len(ts)) if fmt is None else fmt,
            attempt=self.attempt,
        )
        amount = R.nice(self.rng, rows.amount, share_nice)
        return R.Rows(
            rows.ts,
            rows.src,
            rows.dst,
            amount,
            rows.cur_paid,
            rows.cur_recv,
            rows.fmt,
            rows.attempt,
        )
