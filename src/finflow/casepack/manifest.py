"""The manifest of a case-pack folder: what was written, from which inputs, with which hashes.

Anyone handed a case pack can recompute every SHA-256 and check that nothing changed after
rendering. Paths are relative and sorted so the manifest itself is deterministic.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from finflow.casepack import jsontext

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of the file at `path`, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def dumps_json(data: Any) -> str:
    """Serialise `data` the one way finflow writes JSON: sorted keys, indent 2, UTF-8, LF end."""
    return jsontext.encode(data) + "\n"


def _files(folder: Path) -> list[tuple[str, os.DirEntry[str]]]:
    """Every file under `folder` as (POSIX relative path, entry), sorted by that path.

    What ``folder.rglob("*")`` filtered by ``is_file()`` lists (symbolic links to files are
    files, those to folders are not entered, unreadable folders are skipped), with one
    `os.scandir` per folder instead of pathlib objects for every entry.
    """
    found = []
    pending = [(str(folder), "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    rel = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        pending.append((entry.path, rel + "/"))
                    elif entry.is_file():
                        found.append((rel, entry))
        except PermissionError:
            continue
    found.sort(key=lambda item: item[0])
    return found


def write_manifest(
    folder: Path,
    inputs: Sequence[Mapping[str, Any]],
    meta: Mapping[str, Any] | None = None,
) -> Path:
    """Write `folder/manifest.json` listing every other file in `folder` with its SHA-256.

    `inputs` is the run's input-file list (``case["inputs"]``), recorded sorted by file name.
    `meta` adds identifying fields (case id, versions, rules hash) at the top level. Files in
    sub-folders are included with POSIX relative paths. Call it again after adding files.
    """
    folder = Path(folder)
    files = [
        {"path": rel, "sha256": sha256_file(Path(entry.path)), "bytes": entry.stat().st_size}
        for rel, entry in _files(folder)
        if rel != MANIFEST_NAME
    ]
    manifest: dict[str, Any] = dict(meta or {})
    manifest["manifest_version"] = MANIFEST_VERSION
    manifest["files"] = files
    manifest["inputs"] = sorted(
        (dict(i) for i in inputs), key=lambda i: (str(i.get("file", "")), str(i.get("sha256", "")))
    )
    out = folder / MANIFEST_NAME
    out.write_bytes(dumps_json(manifest).encode("utf-8"))
    log.debug("manifest of %d files written to %s", len(files), out)
    return out
