"""Per-file ingest into a shared lake, and detection over it (the finflow_ingest and
finflow_detect DAGs): one task per new feed file, then a detection run over a window of the
lake. The lake's layout is described in `finflow.lake`."""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from finflow import __version__
from finflow.detect.registry import DETECTORS
from finflow.detect.rules import RuleSet, load_rules
from finflow.errors import ConfigError, FinflowError, InputError
from finflow.ingest import overlap
from finflow.ingest.fx import load_fx
from finflow.ingest.sniff import TRANSACTION_FEEDS
from finflow.pipeline import VALIDATION_BATCH_ROWS
from finflow.runstate import (
    default_logical_date,
    save_state,
)

log = logging.getLogger(__name__)


def stage_open_run(
    input_dir: Path, lake_dir: Path, settle_seconds: int = 0, now: float | None = None
) -> dict[str, Any]:
    """List the feed files of `input_dir` (and its sub-folders) that the lake does not hold yet.

    A file is identified by its SHA-256: one whose hash has a ledger entry in the lake is
    skipped whatever its name, as is a second copy inside the same listing. A file modified
    less than `settle_seconds` before `now` is still arriving and is left for the next run.
    Writes nothing. Returns ``{"ingest_id", "lake_dir", "files": [{"path", "file", "sha256"}],
    "skipped": [{"file", "sha256", "reason"}], "arriving": [file, ...]}``; ``ingest_id`` (a
    digest of the new files' contents) is None when there is no new file.
    """
    from finflow import lake
    from finflow.ingest.runner import ingest_id, sha256_file

    input_dir, lake_dir = input_dir.resolve(), lake_dir.resolve()
    cutoff = (time.time() if now is None else now) - settle_seconds
    new: list[dict[str, str]] = []
    skipped: list[dict[str, str]] = []
    arriving: list[str] = []
    seen: dict[str, str] = {}
    for path in lake.list_files(input_dir):
        name = path.relative_to(input_dir).as_posix()
        if settle_seconds > 0 and path.stat().st_mtime > cutoff:
            arriving.append(name)
            continue
        sha = sha256_file(path)
        done = lake.read_entry(lake_dir, sha)
        if sha in seen:
            reason = f"same content as {seen[sha]}"
        elif done is not None:
            reason = f"already in the lake ({done['status']}, as {done['file']})"
        else:
            seen[sha] = name
            new.append({"path": str(path), "file": name, "sha256": sha})
            continue
        seen.setdefault(sha, name)
        skipped.append({"file": name, "sha256": sha, "reason": reason})
    run = {
        "ingest_id": ingest_id([f["sha256"] for f in new]) if new else None,
        "lake_dir": str(lake_dir),
        "input_dir": str(input_dir),
        "files": new,
        "skipped": skipped,
        "arriving": arriving,
    }
    log.info(
        "open run: %d new, %d skipped, %d still arriving in %s",
        len(new),
        len(skipped),
        len(arriving),
        input_dir,
    )
    return run


def stage_ingest_file(
    lake_dir: Path, path: Path, sha256: str | None = None, fx_path: Path | None = None
) -> dict[str, Any]:
    """Ingest one feed file into the lake: its partition, quarantine part, checks and entry.

    Built on `finflow.ingest.runner.ingest_file` (the same reader, partition and quarantine
    part as a folder ingest). Idempotent and safe in parallel: every output is named by the
    file's hash and renamed into place, the ledger entry last (the commit mark), so re-ingesting
    a file replaces its own partition and two files never share an output. A transaction feed
    or account file is checked against its great-expectations suite before the entry is
    written: `ValidationFailed` leaves the file out of the lake (no entry). A file that is not a
    feed, or a malformed one, gets an entry with status ``rejected`` and the reason (no
    exception): the caller decides how loud to be. `sha256`, when given, must still match.
    """
    from finflow import lake
    from finflow.ingest import runner
    from finflow.ingest.sniff import sniff

    lake_dir, path = lake_dir.resolve(), path.resolve()
    if not path.is_file():
        raise InputError(f"feed file {path} does not exist (moved or deleted after listing)")
    sha = runner.sha256_file(path)
    if sha256 is not None and sha != sha256:
        raise InputError(
            f"{path.name} changed after it was listed (sha256 {sha256[:16]} is now {sha[:16]}); "
            "the next run ingests the new content"
        )
    file_id = runner.ingest_id([sha])
    kind = sniff(path)
    if kind.ingestible:
        fx = load_fx(fx_path)
        entry = runner.ingest_file(path, sha, kind, lake_dir, file_id, fx)
        entry["reader"] = runner.reader_fingerprint(fx)
        if entry["rows_accepted"]:
            _check_partition(lake_dir, entry)
    else:
        status = "ground_truth" if kind.format == "amlworld_patterns" else "rejected"
        entry = {
            "file": path.name,
            "sha256": sha,
            "format": kind.format,
            "status": status,
            "message": kind.reason,
            "rows_read": 0,
            "rows_accepted": 0,
            "rows_quarantined": 0,
        }
    entry["ingest_id"] = file_id
    lake.write_json_atomic(lake.entry_path(lake_dir, sha), entry)
    log.info(
        "ingest file %s (%s): %s, %d accepted, %d quarantined",
        entry["file"],
        lake.key(sha),
        entry["status"],
        entry["rows_accepted"],
        entry["rows_quarantined"],
    )
    return entry


def _check_partition(lake_dir: Path, entry: dict[str, Any]) -> None:
    """Validate a file's committed partition (batches of VALIDATION_BATCH_ROWS) into its entry.

    A transaction feed gets its feed type's suite, as in `stage_validate`, with the period its
    statement declares (camt.053 FrToDt) or else its own booking period, and no volume baseline
    (files reach the lake one by one, with no run to compare against); an account file gets
    ``accounts``; KYC reference files have no suite. Results and Data Docs go to
    ``validation/<key>/``, one folder per file, so files checked in parallel share no GX store.
    A failed critical expectation raises `SuiteValidationFailed` naming the file.
    """
    from finflow import lake
    from finflow.ingest.runner import partition_path
    from finflow.validate import feeds
    from finflow.validate.gx_suites import SuiteValidationFailed, ValidationRun

    part = lake.key(entry["sha256"])
    partition = partition_path(lake_dir, entry["format"], entry["sha256"])
    suite, parameters, extra = None, None, {}
    if entry["format"] in TRANSACTION_FEEDS:
        first, last = (
            pl.scan_parquet(partition)
            .select(pl.col("booked_at").min().alias("first"), pl.col("booked_at").max())
            .collect()
            .row(0)
        )
        entry.update(booked_from=first.isoformat(), booked_to=last.isoformat())
        check = feeds.feed_check(entry, last.isoformat(), entry["sha256"], {})
        suite, parameters = check.suite, dict(check.parameters)
        if not ((entry.get("checks") or {}).get("declared_period") or {}).get("from"):
            day = datetime(first.year, first.month, first.day, tzinfo=UTC)
            parameters.update(period_start=day, period_end=last + timedelta(days=1))
        extra = {feeds.ROWS_COLUMN: pl.lit(int(entry["rows_read"]), dtype=pl.Int64)}
    elif entry["format"] == "amlworld_accounts":
        suite = "accounts"
    results = []
    rows = int(entry["rows_accepted"])
    run = ValidationRun(lake_dir / lake.VALIDATION_DIR / part) if suite and rows else None
    for start in range(0, rows if suite else 0, VALIDATION_BATCH_ROWS):
        batch = pl.scan_parquet(partition).slice(start, VALIDATION_BATCH_ROWS).with_columns(**extra)
        batch_id = part if rows <= VALIDATION_BATCH_ROWS else f"{part}-{start}"
        assert suite is not None and run is not None
        try:
            results.append(run.validate(batch.collect(), suite, batch_id, parameters=parameters))
        except SuiteValidationFailed as exc:
            raise SuiteValidationFailed(f"{entry['file']}: {exc}", exc.summary) from exc
    if run is not None:
        run.finish()
    entry["validation"] = {
        "suite": suite,
        "suites_run": len(results),
        "warnings": sum(len(r["failed_warning"]) for r in results),
    }


def stage_close_run(lake_dir: Path, ingest_id: str, shas: list[str]) -> dict[str, Any]:
    """Merge the run's per-file ledger entries into ``ingests/<ingest_id>.json``.

    Reads the entries from the lake (the source of truth, whatever the tasks returned); a file
    whose task did not finish has no entry and is listed under ``not_ingested``. Also writes
    the run's rejected rows to ``ingests/<ingest_id>.quarantine.csv``. The one writer of both
    files is this step (re-running it rewrites the same bytes). Returns the run's summary:
    counts, the booking period of its transaction files and the files not ingested.
    """
    from finflow import lake
    from finflow.casepack.csvsafe import write_safe_csv

    lake_dir = lake_dir.resolve()
    found: list[dict[str, Any]] = []
    missing: list[str] = []
    for sha in shas:
        entry = lake.read_entry(lake_dir, sha)
        if entry is None:
            missing.append(sha)
        else:
            found.append(entry)
    feeds = [e for e in found if e["status"] == "ingested" and e["format"] in TRANSACTION_FEEDS]
    keys = ("rows_read", "rows_accepted", "rows_quarantined")
    totals = {k: sum(int(e[k]) for e in found) for k in keys}
    quarantined = _quarantined_rows(lake_dir, found)
    csv_path = lake_dir / lake.INGESTS_DIR / f"{ingest_id}.quarantine.csv"
    tmp = csv_path.with_name(f".{csv_path.name}.tmp-{ingest_id}")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    write_safe_csv(quarantined, tmp)
    tmp.replace(csv_path)
    summary = {
        "ingest_id": ingest_id,
        "files": len(shas),
        "files_ingested": sum(e["status"] == "ingested" for e in found),
        "transaction_files": len(feeds),
        **totals,
        "quarantine_by_reason": lake.merge_counts(e.get("quarantine_by_reason", {}) for e in found),
        "booked_from": min((e["booked_from"] for e in feeds), default=None),
        "booked_to": max((e["booked_to"] for e in feeds), default=None),
        "not_ingested": _not_ingested(found, missing),
    }
    ledger = {"summary": summary, "files": sorted(found, key=lambda e: str(e["file"]))}
    lake.write_json_atomic(lake_dir / lake.INGESTS_DIR / f"{ingest_id}.json", ledger)
    log.info("close run %s: %s", ingest_id, {k: summary[k] for k in ("files", *keys)})
    return summary


def _not_ingested(found: list[dict[str, Any]], missing: list[str]) -> list[dict[str, str]]:
    problems = [
        {"file": str(e["file"]), "sha256": str(e["sha256"]), "reason": str(e["message"])}
        for e in found
        if e["status"] == "rejected"
    ]
    problems += [
        {"file": "", "sha256": sha, "reason": "its ingest task did not finish (see its log)"}
        for sha in missing
    ]
    return problems


def stage_check_run(lake_dir: Path, ingest_id: str | None, files: list[dict[str, str]]) -> int:
    """Fail loudly when a listed file of the run is not in the lake; returns the file count.

    Raises `InputError` naming every file that was rejected or whose ingest task failed (a
    failed data-quality gate leaves no entry), and `FinflowError` when the run's ledger was not
    written although every file was ingested.
    """
    from finflow import lake

    lake_dir = lake_dir.resolve()
    problems = []
    for f in files:
        entry = lake.read_entry(lake_dir, f["sha256"])
        if entry is None:
            problems.append(f"{f['file']}: not ingested, its task failed (see its log)")
        elif entry["status"] == "rejected":
            problems.append(f"{f['file']}: rejected, {entry['message']}")
    if problems:
        raise InputError(
            f"{len(problems)} of {len(files)} new feed files not ingested: " + "; ".join(problems)
        )
    if files and not (lake_dir / lake.INGESTS_DIR / f"{ingest_id}.json").exists():
        raise FinflowError(f"ingest run {ingest_id}: its ledger was not written")
    return len(files)


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

    frame = _quarantined_rows(lake_dir, files)
    if repeats:
        frame = pl.concat([frame, *repeats]).sort("source_file", "source_row", maintain_order=True)
    folder = out_dir / "quarantine"
    folder.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(folder / "quarantine.parquet")
    write_safe_csv(frame, folder / "quarantine.csv")


def _quarantined_rows(lake_dir: Path, entries: list[dict[str, Any]]) -> pl.DataFrame:
    """The quarantined rows of these files (their quarantine parts), by file and row."""
    from finflow.ingest.runner import quarantine_part
    from finflow.schema import QUARANTINE_SCHEMA

    parts = [quarantine_part(lake_dir, e["sha256"]) for e in entries]
    frames = [pl.read_parquet(p) for p in parts if p.exists()]
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=QUARANTINE_SCHEMA)
    return frame.sort("source_file", "source_row", maintain_order=True)
