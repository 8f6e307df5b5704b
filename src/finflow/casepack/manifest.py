"""The manifest of a case-pack folder: what was written, from which inputs, with which hashes.

Anyone handed a case pack can recompute every SHA-256 and check that nothing changed after
rendering. Paths are relative and sorted so the manifest itself is deterministic.
"""

from __future__ import annotations

import hashlib
import logging
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
    files = []
    for path in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix()):
        rel = path.relative_to(folder).as_posix()
        if not path.is_file() or rel == MANIFEST_NAME:
            continue
        files.append({"path": rel, "sha256": sha256_file(path), "bytes": path.stat().st_size})
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
