"""Ingest a folder of feed files into the Parquet lake and quarantine.

Every file is hashed on receipt, recognised by content, and accounted for in the result: ingested
(rows accepted + rows quarantined == rows read), a duplicate of another file, the ground truth,
or rejected with the reason. The same content under two names is ingested once.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import polars as pl

from finflow.errors import FeedFormatError, InputError
from finflow.ingest import amlworld
from finflow.ingest.fx import load_fx
from finflow.ingest.reference import REFERENCE_FEEDS, read_reference
from finflow.ingest.sniff import TRANSACTION_FEEDS, Sniffed, sniff
from finflow.schema import QUARANTINE_SCHEMA

log = logging.getLogger(__name__)

CHUNK = 1 << 20


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

    Raises InputError when no file yields a usable feed (the message names each file's problem).
    """
    files = list_feed_files(input_dir)
    hashes = {path: sha256_file(path) for path in files}
    run_id = ingest_id(list(hashes.values()))
    paths = lake_paths(out_dir)
    for folder in paths.values():
        folder.mkdir(parents=True, exist_ok=True)
    fx = load_fx(fx_path)
    seen: dict[str, str] = {}
    entries: list[dict[str, Any]] = []
    quarantine: list[pl.DataFrame] = []
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
        entry = _entry(path, sha, kind.format, "ingested")
        target = paths["transactions"] if kind.format in TRANSACTION_FEEDS else paths["accounts"]
        if kind.format in REFERENCE_FEEDS:  # KYC customers, institutions: lake/reference/<kind>
            target = out_dir / "lake" / "reference" / kind.format
            target.mkdir(parents=True, exist_ok=True)
        try:
            accepted, rejected, checks = _read(path, sha, run_id, fx, kind)
        except FeedFormatError as exc:
            entry.update(status="rejected", message=str(exc))
            entries.append(entry)
            continue
        accepted.write_parquet(target / f"{sha[:16]}.parquet", statistics=True)
        quarantine.append(rejected)
        if checks:
            entry["checks"] = checks
        if kind.profile:
            entry["profile"] = kind.profile
        entry.update(
            rows_read=accepted.height + rejected.height,
            rows_accepted=accepted.height,
            rows_quarantined=rejected.height,
        )
        if accepted.height == 0 and rejected.height == 0:
            entry.update(status="no_rows", message="the file holds no transactions")
        elif accepted.height == 0:
            entry.update(status="rejected", message="no row passed the row contract")
        entries.append(entry)
    _write_quarantine(quarantine, paths["quarantine"])
    usable = [e for e in entries if e["status"] == "ingested" and e["format"] in TRANSACTION_FEEDS]
    if not usable:
        problems = "; ".join(f"{e['file']}: {e['message'] or e['status']}" for e in entries)
        raise InputError(f"no usable transaction feed in {input_dir} ({problems})")
    return {
        "ingest_id": run_id,
        "files": entries,
        "totals": _totals(entries),
        "quarantine_by_reason": _by_reason(quarantine),
    }


def _read(
    path: Path, sha: str, run_id: str, fx: pl.DataFrame, kind: Sniffed
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """Call the reader for the recognised format: (accepted, quarantined, checks)."""
    if kind.format == "amlworld_transactions":
        return (*amlworld.ingest_transactions(path, sha, run_id, fx), {})
    if kind.format in REFERENCE_FEEDS:
        return (*read_reference(path, sha, kind.format), {})
    if kind.format == "amlworld_accounts":
        return (*amlworld.ingest_accounts(path, sha), {})
    if kind.format == "camt053":
        from finflow.ingest.camt053 import ingest_camt053

        return ingest_camt053(path, sha, run_id, fx)
    from finflow.ingest.bankcsv import ingest_bank_csv
    from finflow.ingest.csvprofile import shipped_profiles

    profile = next(p for p in shipped_profiles() if p.name == kind.profile)
    return ingest_bank_csv(path, sha, run_id, fx, profile)


def _totals(entries: list[dict[str, Any]]) -> dict[str, int]:
    keys = ("rows_read", "rows_accepted", "rows_quarantined")
    return {k: sum(int(e[k]) for e in entries) for k in keys} | {"files": len(entries)}


def _by_reason(frames: list[pl.DataFrame]) -> dict[str, int]:
    if not frames:
        return {}
    counts = pl.concat(frames)["reason"].value_counts().sort("reason")
    return {str(r): int(n) for r, n in counts.iter_rows()}


def _write_quarantine(frames: list[pl.DataFrame], folder: Path) -> None:
    """All rejected rows in one CSV (formula-safe) and one Parquet, sorted by file and row."""
    from finflow.casepack.csvsafe import write_safe_csv

    frame = (pl.concat(frames) if frames else pl.DataFrame(schema=QUARANTINE_SCHEMA)).sort(
        "source_file", "source_row"
    )
    frame.write_parquet(folder / "quarantine.parquet")
    write_safe_csv(frame, folder / "quarantine.csv")
