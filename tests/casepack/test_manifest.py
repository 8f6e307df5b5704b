"""manifest: every file in a case folder is hashed; the manifest is deterministic."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from finflow.casepack.manifest import sha256_file, write_manifest


def test_sha256_file_matches_hashlib(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    data = b"x" * (3 * 1024 * 1024 + 7)
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()


def test_write_manifest_lists_every_other_file_sorted(tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_text("b\n")
    (tmp_path / "a.html").write_text("a\n")
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "flow.svg").write_text("<svg/>\n")
    inputs = [{"file": "z.csv", "sha256": "1"}, {"file": "a.csv", "sha256": "2"}]
    out = write_manifest(tmp_path, inputs, {"case_id": "C-1"})
    manifest = json.loads(out.read_text())
    assert [f["path"] for f in manifest["files"]] == ["a.html", "b.csv", "charts/flow.svg"]
    for entry in manifest["files"]:
        assert entry["sha256"] == sha256_file(tmp_path / entry["path"])
    assert [i["file"] for i in manifest["inputs"]] == ["a.csv", "z.csv"]
    assert manifest["case_id"] == "C-1"
    # Re-running (e.g. after another exporter adds a file) never lists the manifest itself.
    again = json.loads(write_manifest(tmp_path, inputs, {"case_id": "C-1"}).read_text())
    assert again == manifest
