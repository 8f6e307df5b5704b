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


def test_write_manifest_lists_what_rglob_lists_as_files(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    (folder / "figures" / "deep").mkdir(parents=True)
    (folder / "figures" / "deep" / "x.svg").write_text("x")
    (folder / "figures" / "a b.svg").write_text("ab")
    (folder / ".hidden").write_text("h")
    (folder / "figures-notes.txt").write_text("n")  # sorts between "figures" and its files
    (folder / "empty").mkdir()
    (folder / "manifest.json").write_text("{}")
    (folder / "figures" / "manifest.json").write_text("{}")  # only the top one is skipped
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.txt").write_text("o")
    (folder / "link.txt").symlink_to(outside / "o.txt")  # a file by its target
    (folder / "linked").symlink_to(outside, target_is_directory=True)  # not entered
    (folder / "dangling").symlink_to(tmp_path / "missing")
    expected = [
        p.relative_to(folder).as_posix()
        for p in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix())
        if p.is_file() and p.relative_to(folder).as_posix() != "manifest.json"
    ]
    manifest = json.loads(write_manifest(folder, []).read_text())
    assert [f["path"] for f in manifest["files"]] == expected
    assert "link.txt" in expected and "linked/o.txt" not in expected
    sizes = {f["path"]: f["bytes"] for f in manifest["files"]}
    assert sizes["link.txt"] == 1 and sizes["figures/a b.svg"] == 2
