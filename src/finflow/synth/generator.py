"""`generate`: one call from arguments to the three AMLworld-format files.

Deterministic: one `numpy.random.Generator(PCG64(seed))` drives everything in a fixed order,
nothing reads the clock or depends on hash randomisation, and ties in time are broken by a
drawn key, so the same (rows, seed, name, days) gives byte-identical files.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import numpy as np

from finflow.errors import InputError
from finflow.synth import kyc, writer
from finflow.synth import reference as ref
from finflow.synth import rows as R
from finflow.synth.background import background
from finflow.synth.planted import TYPES, plant
from finflow.synth.population import CRYPTO, PERSON, Population, build_population
from finflow.synth.roles import assign_roles

log = logging.getLogger(__name__)

MIN_ROWS = 1000
MAX_ROWS = 50_000_000
MIN_DAYS, MAX_DAYS = 7, 366
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def _check(out_dir: Path, rows: int, seed: int, name: str, days: int) -> Path:
    """Validate the arguments; raise InputError with a one-line reason."""
    if isinstance(rows, bool) or not isinstance(rows, int | np.integer):
        raise InputError(f"rows must be an integer, got {rows!r}")
    if not MIN_ROWS <= rows <= MAX_ROWS:
        raise InputError(f"rows must be between {MIN_ROWS:,} and {MAX_ROWS:,}, got {rows:,}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    if isinstance(days, bool) or not isinstance(days, int | np.integer):
        raise InputError(f"days must be an integer, got {days!r}")
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise InputError(f"days must be between {MIN_DAYS} and {MAX_DAYS}, got {days}")
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise InputError(f"name must be letters, digits, '_', '.' or '-', got {name!r}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"output path exists and is not a folder: {out}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create output folder {out}: {exc.strerror}") from exc
    return out


def _holder_names(
    rng: np.random.Generator, pop: Population, used: np.ndarray, planted: np.ndarray
) -> list[str]:
    """Entity names, with the two hostile names put on people who only appear in background
    traffic (every account of theirs is used, none in a planted attempt)."""
    names = list(pop.entity_name)
    n_ent = len(pop.entity_kind)
    bad = np.zeros(n_ent, dtype=bool)
    bad[pop.acct_entity[planted]] = True
    unused = np.ones(pop.n_accounts, dtype=bool)
    unused[used] = False
    bad[pop.acct_entity[unused]] = True
    ok = np.flatnonzero(~bad & (pop.entity_kind == PERSON))
    if len(ok) < 2:
        return names
    script, formula = rng.choice(ok, 2, replace=False)
    names[int(script)] = f"{names[int(script)]}{ref.HOSTILE_SCRIPT_SUFFIX}"
    names[int(formula)] = ref.HOSTILE_FORMULA_NAME
    return names


def generate(
    out_dir: Path, rows: int, seed: int, name: str = "SYNTH", days: int = 28
) -> dict[str, Any]:
    """Write `{name}_Trans.csv`, `{name}_accounts.csv` and `{name}_Patterns.txt` to `out_dir`.

    `rows` transactions (header excluded) over `days` days from 2022/09/01, with planted
    laundering attempts of every type in `planted.TYPES` and realistic benign look-alikes.
    Returns a summary: file paths, row and account counts, attempts per type, laundering rows
    and the seed.
    """
    out = _check(out_dir, rows, seed, name, days)
    rows, seed, days = int(rows), int(seed), int(days)
    rng = np.random.Generator(np.random.PCG64(seed))
    pop = build_population(rng, max(rows // 10, 100))
    roles = assign_roles(rng, pop)
    planted, attempts = plant(rng, pop, roles, rows, days)
    if len(planted) > rows // 2:
        raise InputError(f"rows={rows:,} is too small for the planted attempts")
    involved = np.unique(np.concatenate([planted.src, planted.dst]))
    covered = involved[pop.acct_institution[involved] != CRYPTO]
    benign = background(rng, pop, roles, rows - len(planted), days, covered)
    combined = R.concat([benign, planted])
    shuffled = rng.permutation(len(combined))
    combined = combined.take(shuffled[np.argsort(combined.ts[shuffled], kind="stable")])

    paths = {
        "trans_file": out / f"{name}_Trans.csv",
        "accounts_file": out / f"{name}_accounts.csv",
        "patterns_file": out / f"{name}_Patterns.txt",
    }
    frame = writer.transactions_frame(pop, combined, days)
    writer.write_transactions(paths["trans_file"], frame)
    laundering_rows = writer.write_patterns(
        paths["patterns_file"], frame, combined.attempt, attempts
    )
    seen = np.bincount(combined.src, minlength=pop.n_accounts)
    seen += np.bincount(combined.dst, minlength=pop.n_accounts)
    used = np.flatnonzero(seen)
    names = _holder_names(rng, pop, used, involved)
    n_accounts = writer.write_accounts(paths["accounts_file"], pop, used, names)

    per_type = {kind: 0 for kind in TYPES}
    for attempt in attempts:
        per_type[attempt.kind] += 1
    summary: dict[str, Any] = {**{k: str(v) for k, v in paths.items()}}
    summary.update(kyc.write_kyc(out, name, seed))  # customers.csv, institutions.csv (KYC)
    summary.update(
        rows=len(combined),
        accounts=n_accounts,
        attempts=per_type,
        laundering_rows=laundering_rows,
        seed=seed,
    )
    log.info(
        "generated %s rows, %s accounts, %s attempts (%s laundering rows) in %s",
        f"{len(combined):,}",
        f"{n_accounts:,}",
        len(attempts),
        laundering_rows,
        out,
    )
    return summary
