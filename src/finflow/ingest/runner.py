"""Ingest a folder of feed files into the Parquet lake and quarantine.

Every file is hashed on receipt, recognised by content, and accounted for in the result: ingested
(rows accepted + rows quarantined == rows read), a duplicate of another file, the ground truth,
or rejected with the reason. The same content under two names is ingested once, and a transaction
that a file repeats from a transaction feed before it (an overlapping re-delivery) is quarantined
in the later file as DUPLICATE_OF_OTHER_FILE (`finflow.ingest.overlap`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from finflow import __version__, lake
from finflow.errors import FeedFormatError, FinflowError, InputError
from finflow.ingest import amlworld, overlap
from finflow.ingest.fx import load_fx
from finflow.ingest.reference import REFERENCE_FEEDS, read_reference
from finflow.ingest.sniff import TRANSACTION_FEEDS, Sniffed, sniff
from finflow.schema import QUARANTINE_SCHEMA

log = logging.getLogger(__name__)

CHUNK = 1 << 20
ROW_GROUP_ROWS = 512 * 512
"""Rows per Parquet row group of every lake file (polars' own default for `write_parquet`)."""
LAKE_WRITE: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 1,
    "statistics": True,
    "row_group_size": ROW_GROUP_ROWS,
}
"""How every lake file is written. zstd at level 1 rather than polars' default 3: at 5M rows
the partition costs 0.4-0.6 s less CPU to write for 7% more bytes (148 MB against 139;
lz4 saves 0.2 s more but takes 80% more room, uncompressed 4x); zstd reads as fast at
either level. Statistics stay: the open-detection windows filter partitions on
``booked_at`` (`finflow.pipeline`), which the row groups' min/max let polars skip."""


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def list_feed_files(input_dir: Path) -> list[Path]:
    """The regular, non-hidden files directly inside `input_dir`, sorted by name."""
    if not input_dir.exists():
        raise InputError(f"input folder {input_dir} does not exist")
    if not input_dir.is_dir():
        raise InputError(f"input {input_dir} is not a folder")
    files = sorted(p for p in input_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise InputError(f"input folder {input_dir} has no files")
    return files


def lake_paths(out_dir: Path) -> dict[str, Path]:
    """Where ingest writes: one Parquet file per input file in each lake table."""
    return {
        "transactions": out_dir / "lake" / "transactions",
        "accounts": out_dir / "lake" / "accounts",
        "quarantine": out_dir / "quarantine",
    }


def _entry(path: Path, sha: str, fmt: str, status: str, message: str = "") -> dict[str, Any]:
    return {
        "file": path.name,
        "sha256": sha,
        "format": fmt,
        "status": status,
        "message": message,
        "rows_read": 0,
        "rows_accepted": 0,
        "rows_quarantined": 0,
    }


def ingest_id(hashes: list[str]) -> str:
    """The identity of an ingest: a digest of the input files' contents, not their names."""
    return "I-" + hashlib.sha256("|".join(sorted(set(hashes))).encode()).hexdigest()[:12]


def ingest_folder(input_dir: Path, out_dir: Path, fx_path: Path | None = None) -> dict[str, Any]:
    """Ingest every file in `input_dir`; return the per-file ledger and totals.

    Restartable: each file's outputs (lake partition, quarantine part, then its ledger entry
    ``OUT/files/<key>.json`` as the commit mark) are written under temporary names and renamed
    into place, so a run killed at any point leaves whole files only, and the next run re-uses
    every file already committed (same bytes, same FX table, same software) without reading it
    again; its entry says so under ``reused``. Raises InputError when no file yields a usable
    feed (the message names each file's problem).
    """
    files = list_feed_files(input_dir)
    hashes = {path: sha256_file(path) for path in files}
    run_id = ingest_id(list(hashes.values()))
    paths = lake_paths(out_dir)
    for folder in paths.values():
        folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(out_dir)
    fx = load_fx(fx_path)
    reader = reader_fingerprint(fx)
    seen: dict[str, str] = {}
    entries: list[dict[str, Any]] = []
    to_read: list[tuple[int, Path, str, Sniffed, str]] = []  # (place, file, hash, kind, context)
    feeds_before: list[str] = []  # transaction feeds so far: a file's repeats are checked on them
    for path in files:
        sha = hashes[path]
        if sha in seen:
            entries.append(
                _entry(
                    path,
                    sha,
                    "duplicate",
                    "duplicate",
                    f"same content as {seen[sha]}; its rows are ingested once, from {seen[sha]}",
                )
            )
            continue
        seen[sha] = path.name
        kind = sniff(path)
        if not kind.ingestible:
            status = "ground_truth" if kind.format == "amlworld_patterns" else "rejected"
            entries.append(_entry(path, sha, kind.format, status, kind.reason))
            continue
        compared = overlap.context(feeds_before) if kind.format in TRANSACTION_FEEDS else ""
        if kind.format in TRANSACTION_FEEDS:
            feeds_before.append(sha)
        done = committed_entry(out_dir, path, sha, reader, compared)
        if done is not None:
            entries.append(done)
            continue
        entries.append(_entry(path, sha, kind.format, "pending"))  # replaced once read
        to_read.append((len(entries) - 1, path, sha, kind, compared))
    with _references_read_early(to_read) as early:
        for place, path, sha, kind, compared in to_read:
            earlier = _earlier_feeds(out_dir, entries[:place]) if compared else []
            entry = ingest_file(path, sha, kind, out_dir, run_id, fx, early.get(path), earlier)
            if entry["status"] in ("ingested", "no_rows") or entry["rows_read"]:
                mark = {"reader": reader} | ({"compared_with": compared} if compared else {})
                _commit_json(lake.entry_path(out_dir, sha), entry | mark)
            entries[place] = entry
    _write_quarantine(entries, out_dir)
    usable = [e for e in entries if e["status"] == "ingested" and e["format"] in TRANSACTION_FEEDS]
    if not usable:
        problems = "; ".join(f"{e['file']}: {e['message'] or e['status']}" for e in entries)
        raise InputError(f"no usable transaction feed in {input_dir} ({problems})")
    return {
        "ingest_id": run_id,
        "files": entries,
        "totals": _totals(entries),
        "quarantine_by_reason": _by_reason(entries),
    }


Frames = tuple[pl.DataFrame, pl.DataFrame]


@contextmanager
def _references_read_early(
    to_read: list[tuple[int, Path, str, Sniffed, str]],
) -> Iterator[dict[Path, Future[Frames]]]:
    """The reference files of `to_read` (KYC customers, institutions), read on a thread of
    their own while the files before them are ingested; file -> its reader's result.

    The reference reader is Python (a loop over csv rows, 3 s of CPU for 400k customers), the
    transaction readers are mostly polars, which leaves Python's lock while it works: the two
    overlap. Only the reading moves; every file's outputs are still written, and its entry
    committed, by the caller, in file order. On leaving, a read not yet started is cancelled.
    """
    references = [(p, s, k.format) for _, p, s, k, _ in to_read if k.format in REFERENCE_FEEDS]
    if not references:
        yield {}
        return
    thread = ThreadPoolExecutor(1, thread_name_prefix="finflow-reference")
    try:
        yield {p: thread.submit(read_reference, p, s, fmt) for p, s, fmt in references}
    finally:
        thread.shutdown(wait=True, cancel_futures=True)


def _earlier_feeds(out_dir: Path, entries: list[dict[str, Any]]) -> list[Path]:
    """The committed partitions of the transaction feeds among `entries` (the files before
    one in the run's order): what that file's rows are compared with for repeats."""
    return [
        partition_path(out_dir, e["format"], e["sha256"])
        for e in entries
        if e["status"] == "ingested" and e["format"] in TRANSACTION_FEEDS
    ]


def partition_path(out_dir: Path, fmt: str, sha: str) -> Path:
    """Where the accepted rows of a file of format `fmt` go in OUT's lake."""
    if fmt in REFERENCE_FEEDS:  # KYC customers, institutions: lake/reference/<kind>
        return out_dir / "lake" / "reference" / fmt / f"{lake.key(sha)}.parquet"
    table = "transactions" if fmt in TRANSACTION_FEEDS else "accounts"
    return lake.table_dir(out_dir, table) / f"{lake.key(sha)}.parquet"


def quarantine_part(out_dir: Path, sha: str) -> Path:
    """The quarantined rows of one file: ``OUT/quarantine/<key>.parquet``."""
    return out_dir / lake.QUARANTINE_DIR / f"{lake.key(sha)}.parquet"


def ingest_file(
    path: Path,
    sha: str,
    kind: Sniffed,
    out_dir: Path,
    run_id: str,
    fx: pl.DataFrame,
    read_early: Future[Frames] | None = None,
    earlier: list[Path] | None = None,
) -> dict[str, Any]:
    """Read one recognised file and commit its partition and quarantine part; its entry.

    The caller writes the entry (the commit mark) after this returns. A malformed file gives
    an entry with status ``rejected`` and the reader's reason, and writes nothing.
    `read_early` is a reference file's reading already under way (see
    `_references_read_early`), used instead of reading it here. `earlier` are the partitions
    of the transaction feeds compared before this one: rows they already hold are quarantined
    as repeats (`finflow.ingest.overlap`); a file whose rows all repeat gets status
    ``duplicate``.
    """
    entry = _entry(path, sha, kind.format, "ingested")
    with _scratch(out_dir, sha) as scratch:
        try:
            accepted, rejected, checks = _read(
                path, sha, run_id, fx, kind, scratch, read_early, reread=bool(earlier)
            )
        except FeedFormatError as exc:
            entry.update(status="rejected", message=str(exc))
            return entry
        accepted, repeats = overlap.split_repeats(accepted, earlier or [])
        if repeats.height:
            rejected = pl.concat([rejected.lazy(), repeats.lazy()])
        partition = partition_path(out_dir, kind.format, sha)
        # A reader's scan (AMLworld transactions) parses the file as it is written here, into
        # the partition's temporary file; the rows are counted from that file, and the
        # quarantined rows (written during the parse) read after it.
        staged, n_accepted = _write_temporary(accepted, partition)
        try:
            n_rejected = _height(rejected)
            if n_accepted + n_rejected != int(checks.get("rows_read", n_accepted + n_rejected)):
                raise FinflowError(
                    f"{path.name}: the reader lost rows (rows read != accepted + rejected)"
                )
            _rename_into_place(staged, partition)
        finally:
            staged.unlink(missing_ok=True)
        _commit_parquet(
            rejected.sort("source_row", maintain_order=True), quarantine_part(out_dir, sha)
        )
        by_reason = _reason_counts(rejected)
    if checks:
        entry["checks"] = checks
    if kind.profile:
        entry["profile"] = kind.profile
    entry.update(
        rows_read=n_accepted + n_rejected,
        rows_accepted=n_accepted,
        rows_quarantined=n_rejected,
        quarantine_by_reason=by_reason,
        ingest_id=run_id,
    )
    if n_accepted == 0 and n_rejected == 0:
        entry.update(status="no_rows", message="the file holds no transactions")
    elif n_accepted == 0 and repeats.height:
        entry.update(
            status="duplicate",
            message="no new transaction: every readable row is in a file before it "
            f"({overlap.REASON})",
        )
    elif n_accepted == 0:
        reasons = ", ".join(f"{reason} {count}" for reason, count in by_reason.items())
        entry.update(status="rejected", message=f"no row accepted ({reasons})")
    return entry


def _height(frame: pl.DataFrame | pl.LazyFrame) -> int:
    """The number of rows of a frame or of a scan (from its Parquet metadata)."""
    if isinstance(frame, pl.DataFrame):
        return frame.height
    return int(frame.select(pl.len()).collect().item())


@contextmanager
def _scratch(out_dir: Path, sha: str) -> Iterator[Path]:
    """A temporary folder in OUT's lake for a reader's parts, removed on leaving (a killed
    run's is removed by the next run, see `_remove_stale_temporaries`)."""
    folder = _temporary(out_dir / "lake" / lake.key(sha))
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def reader_fingerprint(fx: pl.DataFrame) -> str:
    """What, besides a file's bytes, decides its ingested rows: the software version, the FX
    table and the bank CSV profiles.

    A committed file is re-used only under the same fingerprint; otherwise it is read again and
    its outputs replaced.
    """
    from finflow.ingest.csvprofile import profile_files

    digest = hashlib.sha256(__version__.encode())
    digest.update(fx.sort("currency", "date").write_csv().encode())
    for profile in profile_files():
        digest.update(profile.name.encode() + b"\0" + profile.read_bytes())
    return digest.hexdigest()[:16]


def committed_entry(
    out_dir: Path, path: Path, sha: str, reader: str, compared: str = ""
) -> dict[str, Any] | None:
    """The ledger entry of a file already committed in OUT by an earlier (or killed) run, marked
    as re-used; None when the file must be read (never committed, other fingerprint, compared
    for repeats with other files (`compared`, see `overlap.context`), or one of its outputs
    missing)."""
    entry = lake.read_entry(out_dir, sha)
    if entry is None or entry.pop("reader", None) != reader:
        return None
    if entry.pop("compared_with", "") != compared:
        return None
    if entry["rows_read"] and not (
        partition_path(out_dir, entry["format"], sha).exists()
        and quarantine_part(out_dir, sha).exists()
    ):
        return None
    first_name = entry["file"]
    entry["file"] = path.name
    entry["reused"] = (
        f"already ingested (ingest {entry.get('ingest_id')}, as {first_name}): "
        "its partition is kept and the file is not read again"
    )
    log.info("%s: %s", path.name, entry["reused"])
    return entry


def _read(
    path: Path,
    sha: str,
    run_id: str,
    fx: pl.DataFrame,
    kind: Sniffed,
    scratch: Path,
    read_early: Future[Frames] | None,
    *,
    reread: bool = False,
) -> tuple[pl.DataFrame | pl.LazyFrame, pl.DataFrame | pl.LazyFrame, dict[str, Any]]:
    """Call the reader for the recognised format: (accepted, quarantined, checks).

    AMLworld transactions, the one feed that comes in millions of rows, come back as scans
    that parse the file chunk by chunk as the accepted one is written (its quarantined rows
    go to parts under `scratch`, read after it; with `reread`, for rows compared with
    earlier feeds before they are written, the accepted rows go to a part too); the other
    readers return frames (a reference file's may be `read_early`).
    """
    if kind.format == "amlworld_transactions":
        scans = amlworld.write_transactions(path, sha, run_id, fx, scratch, reread=reread)
        return (*scans, {})
    if kind.format in REFERENCE_FEEDS:
        frames = read_early.result() if read_early else read_reference(path, sha, kind.format)
        return (*frames, {})
    if kind.format == "amlworld_accounts":
        return (*amlworld.ingest_accounts(path, sha), {})
    if kind.format == "camt053":
        from finflow.ingest.camt053 import ingest_camt053

        return ingest_camt053(path, sha, run_id, fx)
    from finflow.ingest.bankcsv import ingest_bank_csv
    from finflow.ingest.csvprofile import shipped_profiles

    profile = next((p for p in shipped_profiles() if p.name == kind.profile), None)
    return ingest_bank_csv(path, sha, run_id, fx, profile)  # None: the layout is inferred


def _totals(entries: list[dict[str, Any]]) -> dict[str, int]:
    keys = ("rows_read", "rows_accepted", "rows_quarantined")
    return {k: sum(int(e[k]) for e in entries) for k in keys} | {"files": len(entries)}


def _reason_counts(quarantined: pl.DataFrame | pl.LazyFrame) -> dict[str, int]:
    counts = quarantined.lazy().group_by("reason").len().sort("reason").collect()
    return {str(r): int(n) for r, n in counts.iter_rows()}


def _by_reason(entries: list[dict[str, Any]]) -> dict[str, int]:
    return lake.merge_counts(e.get("quarantine_by_reason") or {} for e in entries)


KILL_HOOK = "FINFLOW_TEST_KILL_AFTER"
"""Test hook: ``<point>:<n>`` ends the process abruptly (``os._exit``, like SIGKILL) the n-th
time ingest passes `point` (``tmp``: a temporary file is written but not yet renamed;
``commit``: a partition or part is renamed into place; ``entry``: a ledger entry is written).
Used by the kill-and-rerun tests; unset in production, where it costs one dict lookup."""
_passes: dict[str, int] = {}


def _kill_point(point: str) -> None:
    wanted = os.environ.get(KILL_HOOK)
    if not wanted:
        return
    _passes[point] = _passes.get(point, 0) + 1
    if wanted == f"{point}:{_passes[point]}":
        log.warning("%s=%s: ending the process here", KILL_HOOK, wanted)
        os._exit(137)


def _temporary(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")


def _commit_parquet(frame: pl.DataFrame | pl.LazyFrame, path: Path) -> None:
    """Write `frame` to a temporary file beside `path`, then rename it over `path` (atomic)."""
    tmp, _ = _write_temporary(frame, path)
    try:
        _rename_into_place(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_temporary(frame: pl.DataFrame | pl.LazyFrame, path: Path) -> tuple[Path, int]:
    """Write `frame` as Parquet to a temporary file beside `path`: (that file, its rows).

    A scan is streamed into the file (its memory is a row group's, not the file's), in row
    groups of `ROW_GROUP_ROWS` rows either way, so the bytes depend on the rows only. The
    caller renames the file into place (`_rename_into_place`) or removes it.
    """
    tmp = _temporary(path)
    try:
        if isinstance(frame, pl.LazyFrame):
            frame.sink_parquet(tmp, **LAKE_WRITE)
            rows = _height(pl.scan_parquet(tmp))
        else:
            frame.write_parquet(tmp, **LAKE_WRITE)
            rows = frame.height
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _kill_point("tmp")
    return tmp, rows


def _rename_into_place(tmp: Path, path: Path) -> None:
    os.replace(tmp, path)
    _kill_point("commit")


def _commit_json(path: Path, data: dict[str, Any]) -> None:
    lake.write_json_atomic(path, data)
    _kill_point("entry")


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Delete temporary files a killed run left in OUT (one run writes OUT at a time)."""
    for folder in ("lake", lake.QUARANTINE_DIR, lake.ENTRY_DIR):
        for tmp in sorted((out_dir / folder).rglob(".*.tmp"), reverse=True):
            log.info("removing %s, left by an interrupted run", tmp)
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)


def _write_quarantine(entries: list[dict[str, Any]], out_dir: Path) -> None:
    """The run's rejected rows in one CSV (formula-safe) and one Parquet, by file and row."""
    from finflow.casepack.csvsafe import write_safe_csv

    parts = [
        quarantine_part(out_dir, e["sha256"])
        for e in entries
        if e["rows_read"] and quarantine_part(out_dir, e["sha256"]).exists()
    ]
    frame = (
        pl.concat([pl.read_parquet(p) for p in parts])
        if parts
        else pl.DataFrame(schema=QUARANTINE_SCHEMA)
    ).sort("source_file", "source_row", maintain_order=True)
    folder = out_dir / lake.QUARANTINE_DIR
    _commit_parquet(frame, folder / "quarantine.parquet")
    tmp = _temporary(folder / "quarantine.csv")
    write_safe_csv(frame, tmp)
    os.replace(tmp, folder / "quarantine.csv")
