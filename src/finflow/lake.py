"""The shared lake that per-file ingest builds: one partition per feed file, named by its hash.

Layout under LAKE (a folder every worker sees at the same path)::

    lake/transactions/<key>.parquet   accepted rows of one transaction feed file
    lake/accounts/<key>.parquet       rows of one account reference file
    quarantine/<key>.parquet          rejected rows of one file, with reason codes
    validation/<key>/                 that file's great-expectations results and Data Docs
    files/<key>.json                  the file's ledger entry, written last: its commit mark
    ingests/<ingest_id>.json          one ingest run's ledger (the merge of its entries)
    ingests/<ingest_id>.quarantine.csv

`<key>` is the first 16 hex digits of the file's SHA-256, as in a run folder's lake. Every file is
written under a temporary name in its target folder and then renamed over the target (atomic on
POSIX filesystems), so tasks on different workers never see a half-written partition, two tasks
ingesting different files never write the same path, and a retry replaces its own partition.
No file is shared between files' tasks: merging reads the entries, it never appends to one file.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from finflow.errors import InputError

ENTRY_DIR = "files"
INGESTS_DIR = "ingests"
QUARANTINE_DIR = "quarantine"
VALIDATION_DIR = "validation"


def key(sha256: str) -> str:
    """A file's partition name: the first 16 hex digits of its SHA-256."""
    return sha256[:16]


def table_dir(lake_dir: Path, table: str) -> Path:
    return lake_dir / "lake" / table


def entry_path(lake_dir: Path, sha256: str) -> Path:
    return lake_dir / ENTRY_DIR / f"{key(sha256)}.json"


def _temporary(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")


def write_json_atomic(path: Path, data: Any) -> None:
    """Deterministic JSON (sorted keys, UTF-8), renamed into place."""
    tmp = _temporary(path)
    tmp.write_text(
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8",
    )
    os.replace(tmp, path)


def write_parquet_atomic(frame: pl.DataFrame, path: Path) -> None:
    tmp = _temporary(path)
    try:
        frame.write_parquet(tmp, statistics=True)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_entry(lake_dir: Path, sha256: str) -> dict[str, Any] | None:
    """The ledger entry of the file with this hash, or None when it was never ingested."""
    path = entry_path(lake_dir, sha256)
    if not path.exists():
        return None
    entry: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return entry if entry.get("sha256") == sha256 else None


def entries(lake_dir: Path) -> list[dict[str, Any]]:
    """Every file ledger entry of the lake, sorted by hash."""
    folder = lake_dir / ENTRY_DIR
    found = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(folder.glob("*.json"))
        if not p.name.startswith(".")
    ]
    return sorted(found, key=lambda e: str(e["sha256"]))


def list_files(input_dir: Path) -> list[Path]:
    """The regular, non-hidden files in `input_dir` and its sub-folders, by relative path.

    A sub-folder is a delivery: its files are listed, not those of its own sub-folders (a
    delivery's `truth/` or `archive/`). Hidden files and folders (a copy in progress,
    `.DS_Store`) are left out. An existing but empty folder is no error: nothing arrived yet.
    """
    if not input_dir.exists():
        raise InputError(f"input folder {input_dir} does not exist")
    if not input_dir.is_dir():
        raise InputError(f"input {input_dir} is not a folder")
    files = [
        p
        for p in input_dir.rglob("*")
        if len(p.relative_to(input_dir).parts) <= 2
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(input_dir).parts)
    ]
    return sorted(files, key=lambda p: p.relative_to(input_dir).as_posix())


def merge_counts(dicts: Iterable[dict[str, int]]) -> dict[str, int]:
    """Sum count dicts key by key; keys sorted."""
    total: dict[str, int] = {}
    for counts in dicts:
        for name, n in counts.items():
            total[name] = total.get(name, 0) + int(n)
    return dict(sorted(total.items()))
