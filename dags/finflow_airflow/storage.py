"""Feed locations given as object-storage URLs, read through Airflow's `ObjectStoragePath`.

A plain path (``/data/feeds``) is used as it is. A URL (``file:///data/feeds``,
``s3://aws_default@bucket/feeds``, ``gs://...``, any fsspec protocol whose package is installed)
is listed and read through `ObjectStoragePath`, with the credentials of the Airflow connection
named in the URL's user part, and its files are staged into a local folder that mirrors it:
``<staging>/<digest of the URL>/<relative path>``. A file whose size and modification time
have not changed since it was staged is not copied again; a file gone from the store is removed
from the mirror. finflow's readers then work on local files, and the lake identifies each file
by its content (SHA-256), so a file staged twice is still ingested once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

COPY_CHUNK = 1 << 20


def is_url(location: str) -> bool:
    return "://" in location


def local_folder(location: str, staging: Path) -> Path:
    """A local folder holding the feed files found at `location` (a path or a URL)."""
    if not is_url(location):
        return Path(location)
    from airflow.sdk import ObjectStoragePath

    from finflow.errors import InputError

    source = ObjectStoragePath(location)
    if not source.exists() or not source.is_dir():
        raise InputError(f"feed location {location} does not exist or is not a folder")
    target = staging / hashlib.sha256(location.encode()).hexdigest()[:12]
    target.mkdir(parents=True, exist_ok=True)
    wanted: set[Path] = set()
    copied = 0
    for item in sorted(source.rglob("*"), key=str):
        relative = Path(str(item.relative_to(source)))
        if any(part.startswith(".") for part in relative.parts) or not item.is_file():
            continue
        local = target / relative
        wanted.add(local)
        copied += _mirror(item, local)
    for stale in [p for p in target.rglob("*") if p.is_file() and p not in wanted]:
        stale.unlink()
    log.info(
        "finflow staged %s into %s: %d files, %d copied", location, target, len(wanted), copied
    )
    return target


def _mirror(item: Any, local: Path) -> int:
    """Copy one object to `local` unless an identical-looking copy is there; 1 if copied."""
    info = item.stat()
    size = int(info.st_size)
    mtime = _mtime(info)
    if local.exists():
        have = local.stat()
        if have.st_size == size and mtime is not None and have.st_mtime == mtime:
            return 0
    local.parent.mkdir(parents=True, exist_ok=True)
    tmp = local.with_name(f".{local.name}.staging")
    with item.open("rb") as src, tmp.open("wb") as dst:
        shutil.copyfileobj(src, dst, COPY_CHUNK)
    # the object's own time, so the settle check sees when the file arrived in the store
    # (stores that report none count as settled)
    stamp = mtime if mtime is not None else 0.0
    os.utime(tmp, (stamp, stamp))
    os.replace(tmp, local)
    return 1


def _mtime(info: Any) -> float | None:
    try:
        value = info.st_mtime
    except (AttributeError, KeyError, NotImplementedError):
        return None
    if value is None:
        return None
    if hasattr(value, "timestamp"):
        return float(value.timestamp())
    return float(value)
