"""Per-file ingest into a shared lake (the finflow_ingest DAG): the new feed files listed, one
task per file, then the delivery closed and checked. The lake's layout is described in
`finflow.lake`; detection over a window of it is `finflow.lakedetect`."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from finflow.errors import FinflowError, InputError
from finflow.ingest.fx import load_fx
from finflow.ingest.sniff import TRANSACTION_FEEDS
from finflow.pipeline import VALIDATION_BATCH_ROWS

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
    quarantined = quarantined_rows(lake_dir, found)
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


def quarantined_rows(lake_dir: Path, entries: list[dict[str, Any]]) -> pl.DataFrame:
    """The quarantined rows of these files (their quarantine parts), by file and row."""
    from finflow.ingest.runner import quarantine_part
    from finflow.schema import QUARANTINE_SCHEMA

    parts = [quarantine_part(lake_dir, e["sha256"]) for e in entries]
    frames = [pl.read_parquet(p) for p in parts if p.exists()]
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=QUARANTINE_SCHEMA)
    return frame.sort("source_file", "source_row", maintain_order=True)
