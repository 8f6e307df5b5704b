"""A detection run over a window of the shared lake (the finflow_detect DAG): the window's
partitions gathered into a run folder that the pipeline's later stages (validate, detect,
score, case packs, store) read as they read a run of `finflow run`. The lake is written by
`finflow.lakerun`."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from finflow import __version__
from finflow.detect.registry import DETECTORS
from finflow.detect.rules import RuleSet, load_rules
from finflow.errors import ConfigError
from finflow.ingest import overlap
from finflow.ingest.sniff import TRANSACTION_FEEDS
from finflow.lakerun import quarantined_rows
from finflow.runstate import (
    default_logical_date,
    save_state,
)

log = logging.getLogger(__name__)


def rule_lookback_days(rules: RuleSet) -> int:
    """The longest time window any rule looks at, in whole days (the detection overlap)."""
    spans = [0.0]
    for rule in rules.rules.values():
        for name, value in rule.params.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                if name.endswith("days"):
                    spans.append(float(value))
                elif name.endswith("hours"):
                    spans.append(float(value) / 24)
    return int(-(-max(spans) // 1))


def stage_open_detection(
    lake_dir: Path,
    out_root: Path,
    window_start: str | None = None,
    window_end: str | None = None,
    lookback_days: int | None = None,
    rules_path: Path | None = None,
    fx_path: Path | None = None,
) -> dict[str, Any]:
    """Prepare a detection run over the lake's transactions booked in a time window.

    The window is [`window_start` - lookback, `window_end`) in booking time (ISO 8601; either
    end open when None); the lookback (default: the longest rule window) lets patterns that
    started before the window be seen whole. Every ingested transaction file overlapping the
    window contributes its rows in the window, except transactions that a file before it (by
    name, then hash) already holds: an overlapping re-delivery is counted once, and the
    repeats go to the run's quarantine as DUPLICATE_OF_OTHER_FILE (`finflow.ingest.overlap`).
    Every account file is included. The run folder
    ``out_root/<run_id>/`` gets a lake slice and the state the later stages read
    (`stage_validate`, `stage_detect`, `stage_score`, `stage_casepacks`, `stage_store`,
    `finish`), so they run on it unchanged. The run id is a digest of the window, the files'
    hashes, the rules and the software version: the same window over the same lake is the same
    run, and re-opening it rebuilds its folder. Returns ``{"run_id": None, ...}`` when no
    transaction file overlaps the window (nothing to detect).
    """
    import shutil

    from finflow import lake
    from finflow.ingest.runner import ingest_id, partition_path

    lake_dir, out_root = lake_dir.resolve(), out_root.resolve()
    rules = load_rules(rules_path, known=set(DETECTORS))
    lookback = rule_lookback_days(rules) if lookback_days is None else lookback_days
    start = _parse_instant(window_start, "window_start")
    end = _parse_instant(window_end, "window_end")
    if start is not None and end is not None and start >= end:
        raise ConfigError(f"detection window is empty: {window_start} is not before {window_end}")
    low = start - timedelta(days=lookback) if start is not None else None
    done = [e for e in lake.entries(lake_dir) if e["status"] == "ingested"]
    feeds = [
        e
        for e in done
        if e["format"] in TRANSACTION_FEEDS
        and (low is None or datetime.fromisoformat(e["booked_to"]) >= low)
        and (end is None or datetime.fromisoformat(e["booked_from"]) < end)
    ]
    window = {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "lookback_days": lookback,
    }
    if not feeds:
        log.info("open detection: no transaction file of %s overlaps %s", lake_dir, window)
        return {"run_id": None, "out_dir": None, "files": 0, "rows": 0, "window": window}
    accounts = [e for e in done if e["format"] not in TRANSACTION_FEEDS]
    shas = [e["sha256"] for e in feeds + accounts]
    seed = "|".join(
        [str(window["start"]), str(window["end"]), str(lookback), *shas, rules.sha256, __version__]
    )
    run_id = "R-" + hashlib.sha256(seed.encode()).hexdigest()[:12]
    out_dir = out_root / run_id
    if (out_dir / "lake").exists():
        shutil.rmtree(out_dir / "lake")
    in_window = pl.lit(True)
    if low is not None:
        in_window = in_window & (pl.col("booked_at") >= low)
    if end is not None:
        in_window = in_window & (pl.col("booked_at") < end)
    files: list[dict[str, Any]] = []
    repeats: list[pl.DataFrame] = []
    written: list[Path] = []
    for entry in sorted(feeds, key=lambda e: (str(e["file"]), str(e["sha256"]))):
        part = f"{lake.key(entry['sha256'])}.parquet"
        source = lake.table_dir(lake_dir, "transactions") / part
        frame = pl.scan_parquet(source).filter(in_window).collect()
        kept, repeated = overlap.split_repeats(frame, written)
        frame = kept.collect() if isinstance(kept, pl.LazyFrame) else kept
        written.append(out_dir / "lake" / "transactions" / part)
        lake.write_parquet_atomic(frame, written[-1])
        files.append(entry | {"rows_in_window": frame.height} | _repeats_moved(entry, repeated))
        repeats.append(repeated)
    for entry in accounts:  # account and KYC reference files: whole, wherever ingest put them
        source = partition_path(lake_dir, entry["format"], entry["sha256"])
        target = partition_path(out_dir, entry["format"], entry["sha256"])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        files.append(entry)
    txn_files = [
        out_dir / "lake" / "transactions" / f"{lake.key(e['sha256'])}.parquet" for e in feeds
    ]
    rows = sum(int(f.get("rows_in_window", 0)) for f in files)
    state: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "input_dir": str(lake_dir),
        "rules_path": str(rules_path) if rules_path else None,
        "fx_path": str(fx_path) if fx_path else None,
        "rules_version": rules.version,
        "rules_hash": rules.sha256,
        "software_version": __version__,
        "ingest_id": ingest_id(shas),
        "files": sorted(files, key=lambda e: str(e["file"])),
        "quarantine_by_reason": lake.merge_counts(e.get("quarantine_by_reason", {}) for e in files),
        "window": window,
        "run_id": run_id,
        "logical_date": window["end"]
        if end is not None
        else (default_logical_date(txn_files) if rows else window["start"]),
    }
    _write_run_quarantine(lake_dir, out_dir, files, repeats)
    summary = {"run_id": run_id, "files": len(files), "rows_in_window": rows}
    summary |= {k: sum(int(e[k]) for e in files) for k in ("rows_read", "rows_accepted")}
    summary["rows_quarantined"] = sum(int(e["rows_quarantined"]) for e in files)
    state["stages"] = {"ingest": summary}
    save_state(out_dir, state)
    log.info("open detection %s over %s: %d files, %d rows", run_id, window, len(files), rows)
    return {"run_id": run_id, "out_dir": str(out_dir), "files": len(files), "rows": rows} | {
        "window": window
    }


def _parse_instant(value: str | None, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"{name} {value!r} is not an ISO 8601 date or time") from exc
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _repeats_moved(entry: dict[str, Any], repeated: pl.DataFrame) -> dict[str, Any]:
    """A lake file's counts in a detection run whose window has `repeated` rows of it already
    in a file compared before it: those rows move from accepted to quarantined."""
    if not repeated.height:
        return {}
    n = repeated.height
    by_reason = dict(entry.get("quarantine_by_reason") or {})
    by_reason[overlap.REASON] = by_reason.get(overlap.REASON, 0) + n
    return {
        "rows_accepted": int(entry["rows_accepted"]) - n,
        "rows_quarantined": int(entry["rows_quarantined"]) + n,
        "quarantine_by_reason": dict(sorted(by_reason.items())),
    }


def _write_run_quarantine(
    lake_dir: Path,
    out_dir: Path,
    files: list[dict[str, Any]],
    repeats: list[pl.DataFrame] | None = None,
) -> None:
    """The run's quarantine: the rejected rows of its files, as ingest writes them, and the
    rows `repeats` of a file compared before them in the run."""
    from finflow.casepack.csvsafe import write_safe_csv

    frame = quarantined_rows(lake_dir, files)
    if repeats:
        frame = pl.concat([frame, *repeats]).sort("source_file", "source_row", maintain_order=True)
    folder = out_dir / "quarantine"
    folder.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(folder / "quarantine.parquet")
    write_safe_csv(frame, folder / "quarantine.csv")
