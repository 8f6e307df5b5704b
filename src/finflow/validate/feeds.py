"""Per-feed validation: which suite a file gets, its declared period, and its volume baseline.

Every transaction feed type has its own great-expectations suite in ``expectations/``
(``amlworld``, ``camt053``, ``bankcsv``), each including the common ``transactions`` contract.
Besides the columns, two expectations take values that depend on the file and on history,
given to GX as suite parameters:

- **declared period** (``period_start``, ``period_end``): for camt.053 the statements' own
  ``FrToDt`` (first ``FrDtTm`` to the end of the day of the last ``ToDtTm``); other feeds
  declare no period, so the run does: ``FINFLOW_PERIOD_DAYS`` days (default 3660) before the
  run's logical date to the end of the logical day.
- **volume** (``volume_min``, ``volume_max``): the file's rows read against the rows read from
  the same feed (`feed_key`) in the previous run, within ``FINFLOW_VOLUME_BAND`` (default 0.5:
  50% to 150%). The history is a small JSON file (``FINFLOW_FEED_HISTORY``, default
  ``OUT/state/feed_history.json``; point it at a shared path so that runs with separate output
  folders see each other). The first run of a feed has no baseline and passes with a note.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from finflow.errors import ConfigError

log = logging.getLogger(__name__)

__all__ = [
    "FEED_SUITES",
    "FeedCheck",
    "feed_check",
    "feed_key",
    "history_path",
    "load_history",
    "record_volumes",
    "save_history",
    "suite_for",
]

FEED_SUITES = {
    "amlworld_transactions": "amlworld",
    "camt053": "camt053",
    "bankcsv": "bankcsv",
    "amlworld_accounts": "accounts",
}
"""Ingested format -> the suite its accepted rows are validated with."""

DEFAULT_PERIOD_DAYS = 3660
DEFAULT_VOLUME_BAND = 0.5
ROWS_COLUMN = "feed_rows_read"
"""Validation-only column holding the file's rows read (the volume expectation reads it)."""


def suite_for(fmt: str) -> str:
    """The suite for an ingested format (``transactions`` for a format without its own)."""
    return FEED_SUITES.get(fmt, "transactions")


def feed_key(entry: dict[str, Any]) -> str:
    """Which feed a ledger entry's file belongs to, for comparing volumes across runs.

    camt.053: the statement accounts; bank CSV: the profile and, when the export names it, the
    holder account; AMLworld and others: the format and the file name with every digit run
    replaced by ``#`` (``trans_2024-05-01.csv`` and ``trans_2024-05-02.csv`` are one feed).
    """
    fmt = str(entry["format"])
    checks = entry.get("checks") or {}
    if fmt == "camt053":
        accounts = sorted({str(s["account"]) for s in checks.get("statements") or []})
        if accounts:
            return "camt053:" + "+".join(accounts)
    if fmt == "bankcsv":
        holder = str(checks.get("holder_account") or "")
        per_file = holder.startswith("STATEMENT:") or holder == "from column"
        return f"bankcsv.{entry.get('profile')}" + ("" if per_file or not holder else f":{holder}")
    return f"{fmt}:{re.sub(r'[0-9]+', '#', str(entry['file']))}"


def _setting(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from exc
    if value < 0:
        raise ConfigError(f"{name} must not be negative, not {raw!r}")
    return value


def history_path(out_dir: Path) -> Path:
    """Where feed volumes are remembered (``FINFLOW_FEED_HISTORY`` or OUT/state/...)."""
    configured = os.environ.get("FINFLOW_FEED_HISTORY")
    return Path(configured) if configured else out_dir / "state" / "feed_history.json"


def load_history(path: Path) -> dict[str, list[dict[str, Any]]]:
    """feed key -> records ``{"run_id", "sha256", "rows_read"}`` in the order runs added them."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"feed history {path} is not readable JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"feed history {path} is not a JSON object")
    return {str(k): list(v) for k, v in data.items()}


def save_history(path: Path, history: dict[str, list[dict[str, Any]]]) -> None:
    """Write the history atomically (sorted keys, stable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(history, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


def record_volumes(
    history: dict[str, list[dict[str, Any]]], run_id: str, entries: list[dict[str, Any]]
) -> None:
    """Add this run's files to `history` (replacing what the same run recorded before, so a
    re-validated run does not become its own baseline)."""
    for entry in entries:
        records = history.setdefault(feed_key(entry), [])
        records[:] = [r for r in records if (r["run_id"], r["sha256"]) != (run_id, entry["sha256"])]
        records.append(
            {"run_id": run_id, "sha256": entry["sha256"], "rows_read": int(entry["rows_read"])}
        )


@dataclass(frozen=True)
class FeedCheck:
    """What the feed's suite is run with: suite name, GX parameters, and a note for run.json."""

    suite: str
    parameters: dict[str, Any]
    notes: list[str]


def feed_check(
    entry: dict[str, Any],
    logical_date: str,
    run_id: str,
    history: dict[str, list[dict[str, Any]]],
) -> FeedCheck:
    """The suite, parameters and notes for one ingested transaction file's ledger entry."""
    start, end, period_note = _period(entry, logical_date)
    low, high, volume_note = _volume(entry, run_id, history)
    parameters = {
        "period_start": start,
        "period_end": end,
        "volume_min": low,
        "volume_max": high,
    }
    return FeedCheck(suite_for(str(entry["format"])), parameters, [period_note, volume_note])


def _period(entry: dict[str, Any], logical_date: str) -> tuple[datetime, datetime, str]:
    declared = (entry.get("checks") or {}).get("declared_period") or {}
    if entry["format"] == "camt053" and declared.get("from") and declared.get("to"):
        start = _day_starts(datetime.fromisoformat(declared["from"]))[0]
        end = _day_starts(datetime.fromisoformat(declared["to"]) + timedelta(days=1))[1]
        return start, end, f"period: statement FrToDt {declared['from']} to {declared['to']}"
    days = _setting("FINFLOW_PERIOD_DAYS", DEFAULT_PERIOD_DAYS)
    day = datetime.fromisoformat(logical_date).astimezone(UTC)
    end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
    start = end - timedelta(days=days + 1)
    why = "the file declares none" if entry["format"] != "camt053" else "no FrToDt in the file"
    return start, end, f"period: {why}; the run's, {start.date()} to {end.date()} (exclusive)"


def _day_starts(when: datetime) -> tuple[datetime, datetime]:
    """The start of `when`'s calendar day in its own offset and in UTC, earliest first: a
    period may be stated in local time while a booking date without time is midnight UTC, so
    the period is widened to hold both readings."""
    utc = datetime(when.year, when.month, when.day, tzinfo=UTC)
    if when.tzinfo is None:
        return utc, utc
    local = when.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    return min(local, utc), max(local, utc)


def _volume(
    entry: dict[str, Any], run_id: str, history: dict[str, list[dict[str, Any]]]
) -> tuple[int, int | None, str]:
    key = feed_key(entry)
    earlier = [r for r in history.get(key, []) if r["run_id"] != run_id]
    if not earlier:
        return 0, None, f"volume: first run of feed {key}, no baseline (passes)"
    band = _setting("FINFLOW_VOLUME_BAND", DEFAULT_VOLUME_BAND)
    previous = earlier[-1]
    baseline = int(previous["rows_read"])
    low = math.floor(round(baseline * (1 - band), 6)) if band < 1 else 0
    high = math.ceil(round(baseline * (1 + band), 6))
    return (
        low,
        high,
        f"volume: feed {key}, {baseline} rows in run {previous['run_id']}; "
        f"expected {low} to {high}",
    )
